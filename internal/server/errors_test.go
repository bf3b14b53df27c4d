package server

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"

	"github.com/outpost-s3/outpost/internal/meta"
	"github.com/outpost-s3/outpost/internal/s3err"
	"github.com/outpost-s3/outpost/sigv4"
)

// TestEveryMetaErrorIsMapped parses the meta package and checks that every
// exported Err… sentinel it declares maps to an S3 error other than
// InternalError, so no storage condition reaches a client as a 500.
func TestEveryMetaErrorIsMapped(t *testing.T) {
	fset := token.NewFileSet()
	files, _ := filepath.Glob("../meta/*.go")
	var names []string
	for _, f := range files {
		af, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range af.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.VAR {
				continue
			}
			for _, sp := range gd.Specs {
				for _, n := range sp.(*ast.ValueSpec).Names {
					if n.IsExported() && len(n.Name) > 3 && n.Name[:3] == "Err" {
						names = append(names, n.Name)
					}
				}
			}
		}
	}
	if len(names) < 8 {
		t.Fatalf("found only %d meta errors: %v", len(names), names)
	}
	mapped := map[error]bool{}
	for _, m := range metaErrors {
		mapped[m.err] = true
	}
	known := map[string]error{
		"ErrNoSuchBucket": meta.ErrNoSuchBucket, "ErrBucketExists": meta.ErrBucketExists, "ErrBucketNotEmpty": meta.ErrBucketNotEmpty,
		"ErrNoSuchKey": meta.ErrNoSuchKey, "ErrNoSuchVersion": meta.ErrNoSuchVersion, "ErrNoSuchUpload": meta.ErrNoSuchUpload,
		"ErrNotFound": meta.ErrNotFound, "ErrConflict": meta.ErrConflict, "ErrUnavailable": meta.ErrUnavailable,
		"ErrMethodNotAllowed":  meta.ErrMethodNotAllowed,
		"ErrNoSuchAccessPoint": meta.ErrNoSuchAccessPoint, "ErrNoSuchEndpoint": meta.ErrNoSuchEndpoint, "ErrNoSuchNetwork": meta.ErrNoSuchNetwork,
	}
	for _, n := range names {
		e, ok := known[n]
		if !ok {
			// A sentinel added later: it must still map through toS3Error.
			continue
		}
		got := toS3Error(fmt.Errorf("wrapped: %w", e))
		if got.Code == "InternalError" {
			t.Errorf("meta.%s reaches clients as InternalError", n)
		}
	}
	if got := toS3Error(fmt.Errorf("x: %w", meta.ErrUnavailable)); got.Status != 503 {
		t.Errorf("ErrUnavailable → %d, want 503", got.Status)
	}
}

func TestToS3ErrorKeepsCausesPrivate(t *testing.T) {
	e := toS3Error(errors.New("open /data/blobs/ab/cd/secret-path: permission denied"))
	if e.Code != "InternalError" || e.Status != 500 {
		t.Fatalf("%+v", e)
	}
	body := string(e.Body("/b/k", "REQ", "HOST"))
	if strings.Contains(body, "secret-path") {
		t.Fatalf("a storage error text reached the client: %s", body)
	}
	se := toS3Error(&sigv4.Error{Code: "SignatureDoesNotMatch", Status: 403, Message: "m", Fields: []sigv4.Field{{Name: "StringToSign", Value: "x"}}})
	if se.Code != "SignatureDoesNotMatch" || se.Status != 403 || len(se.Fields) != 1 {
		t.Fatalf("%+v", se)
	}
	if toS3Error(s3err.NoSuchKey).Status != 404 {
		t.Fatal("s3err passes through")
	}
}

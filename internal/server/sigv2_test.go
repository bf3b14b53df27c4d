package server

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	fsblob "github.com/outpost-s3/outpost/internal/blob/fs"
	"github.com/outpost-s3/outpost/internal/meta"
	"github.com/outpost-s3/outpost/sigv4"
)

type oneKey sigv4.Credentials

func (k oneKey) LookupKey(context.Context, string, string) (sigv4.Key, error) {
	return sigv4.Key{AccessKeyID: k.AccessKeyID, Secret: k.SecretAccessKey}, nil
}

// TestSigV2SignsEveryQueryKeyTheRouterActsOn holds the SigV2 list of
// signed subresources to the router: for every query key that makes the
// router pick an operation needing another permission, or that a handler
// acts on (versionId, uploadId, partNumber, response-*), a SigV2 link made
// without it does not verify with it, sent plain or percent-encoded. Keys
// that pick only unsupported operations (NotImplemented) and list-type
// (ListObjects or ListObjectsV2, both s3:ListBucket) need not be signed.
func TestSigV2SignsEveryQueryKeyTheRouterActsOn(t *testing.T) {
	s, err := New(Config{Meta: struct{ meta.Store }{}, Blobs: &fsblob.Store{}, OutpostID: "op-01ac5d28a6a232904", AccountID: "111122223333"})
	if err != nil {
		t.Fatal(err)
	}
	creds := sigv4.Credentials{AccessKeyID: "AKIDV2ROUTER", SecretAccessKey: "secret"}
	now := time.Now()
	v := sigv4.NewVerifier(sigv4.VerifierConfig{Keys: oneKey(creds), Region: "us-east-1", Now: func() time.Time { return now }})
	route := func(method, path, rawQuery string) (op, error) {
		r := &http.Request{Method: method, Host: "localhost", URL: &url.URL{Path: path, RawQuery: rawQuery}, Header: http.Header{}}
		rc := &reqCtx{s: s, r: r}
		rc.query, _ = url.ParseQuery(rawQuery)
		rc.bucket, rc.key, _ = s.target(r)
		return s.route(rc)
	}
	handlerKeys := []string{"versionId", "uploadId", "partNumber", "response-content-type", "response-content-language",
		"response-expires", "response-cache-control", "response-content-disposition", "response-content-encoding"}
	// Every key route.go tests, and more.
	keys := append([]string{"acl", "tagging", "uploads", "delete", "location", "versioning", "versions", "policy", "lifecycle",
		"list-type", "retention", "legal-hold", "restore", "torrent", "select", "attributes", "cors", "website", "logging",
		"notification", "replication", "encryption", "requestPayment", "accelerate", "inventory", "metrics", "analytics",
		"object-lock", "publicAccessBlock", "ownershipControls", "intelligent-tiering", "x-id", "prefix", "delimiter"}, handlerKeys...)
	checked := 0
	for _, method := range []string{"GET", "HEAD", "PUT", "POST", "DELETE"} {
		for _, path := range []string{"/b", "/b/k"} {
			base, baseErr := route(method, path, "")
			for _, k := range keys {
				with, withErr := route(method, path, k+"=2")
				acts := strings.HasPrefix(k, "response-") || slices.Contains(handlerKeys, k) ||
					(withErr == nil && (baseErr != nil || with.action != base.action))
				if !acts {
					continue
				}
				checked++
				u := &url.URL{Scheme: "http", Host: "localhost", Path: path}
				link, err := sigv4.Presign(sigv4.PresignParams{Method: method, URL: u, Credentials: creds, Algorithm: sigv4.AlgorithmV2, Expires: time.Hour, Time: now})
				if err != nil {
					t.Fatal(err)
				}
				lu, _ := url.Parse(link)
				for _, added := range []string{k + "=2", "%" + strings.ToUpper(hexByte(k[0])) + k[1:] + "=2"} {
					r := &http.Request{Method: method, Host: "localhost", Header: http.Header{},
						URL: &url.URL{Path: path, RawQuery: lu.RawQuery + "&" + added}}
					_, err := v.Verify(context.Background(), r, sigv4.VerifyOptions{})
					var se *sigv4.Error
					if !errors.As(err, &se) || se.Code != "SignatureDoesNotMatch" {
						t.Errorf("%s %s: a SigV2 link verified with %q added (router: %s → %s): %v", method, path, added, base.name, with.name, err)
					}
				}
			}
		}
	}
	if checked < 30 {
		t.Fatalf("only %d (method, path, key) cases checked", checked)
	}
}

func hexByte(b byte) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[b>>4], digits[b&15]})
}

package server

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	fsblob "github.com/outpost-s3/outpost/internal/blob/fs"
	"github.com/outpost-s3/outpost/internal/meta"
	"github.com/outpost-s3/outpost/internal/meta/sqlmeta"
	"github.com/outpost-s3/outpost/internal/s3err"
	"github.com/outpost-s3/outpost/sigv4"
)

// FuzzRoute feeds arbitrary methods, hosts, paths, queries and copy-source
// headers to target and route: they must not panic, and must yield either
// a runnable operation or an S3 error.
func FuzzRoute(f *testing.F) {
	s, err := New(Config{Meta: struct{ meta.Store }{}, Blobs: &fsblob.Store{}, Domain: "s3.example.com",
		OutpostID: "op-01ac5d28a6a232904", AccountID: "111122223333"})
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range [][5]string{
		{"GET", "localhost", "/", "", ""},
		{"GET", "b.s3.example.com", "/k/with/slashes", "versionId=abc", ""},
		{"PUT", "localhost:9000", "/bucket/key", "partNumber=1&uploadId=x", "src/key"},
		{"PUT", "localhost", "/bucket/key", "", "/src/k?versionId=1"},
		{"POST", "localhost", "/bucket/key", "uploads", ""},
		{"POST", "localhost", "/bucket", "delete", ""},
		{"DELETE", "localhost", "/bucket", "tagging", ""},
		{"PUT", "localhost", "/bucket", "X-Amz-Signature=a&X-Amz-Credential=b", ""},
		{"GET", "[::1]:9000", "/b/../../etc/passwd", "acl&tagging&cors", ""},
		{"HEAD", "S3.EXAMPLE.COM", "//", "list-type=2&prefix=%ff", ""},
		{"PATCH", "", "relative", "%zz", ""},
		{"GET", "arn%3Aaws%3As3-outposts%3Aus-east-1%3A111122223333%3Aoutpost%2Fop-01ac5d28a6a232904%2Faccesspoint%2Fap", "/k", "", ""},
	} {
		f.Add(seed[0], seed[1], seed[2], seed[3], seed[4])
	}
	f.Fuzz(func(t *testing.T, method, host, path, rawQuery, copySource string) {
		r := &http.Request{Method: method, Host: host, URL: &url.URL{Path: path, RawQuery: rawQuery}, Header: http.Header{}}
		if copySource != "" {
			r.Header.Set("x-amz-copy-source", copySource)
		}
		rc := &reqCtx{s: s, r: r}
		q, err := url.ParseQuery(rawQuery)
		if err != nil {
			return // handle answers InvalidURI before routing
		}
		rc.query = q
		rc.bucket, rc.key, err = s.target(r)
		if err != nil {
			var e *s3err.Error
			if !errors.As(err, &e) {
				t.Fatalf("target(%q, %q) = non-S3 error %v", host, path, err)
			}
			return
		}
		if !strings.HasSuffix(strings.ToLower(strings.Split(host, ":")[0]), ".s3.example.com") && "/"+rc.bucket+"/"+rc.key != path && "/"+rc.bucket != path {
			t.Fatalf("path-style %q split into bucket %q key %q", path, rc.bucket, rc.key)
		}
		o, err := s.route(rc)
		if err != nil {
			var e *s3err.Error
			if !errors.As(err, &e) || e.Status < 400 {
				t.Fatalf("route %s %q?%q = %v, want an S3 error", method, path, rawQuery, err)
			}
			return
		}
		if o.fn == nil || o.name == "" || o.action == "" {
			t.Fatalf("route %s %q?%q = incomplete op %+v", method, path, rawQuery, o)
		}
	})
}

// FuzzParseRange: a satisfiable range always lies inside the object.
func FuzzParseRange(f *testing.F) {
	for _, s := range []string{"bytes=0-0", "bytes=0-", "bytes=-1", "bytes=5-2", "bytes=-0", "bytes=99999999999999999999-",
		"bytes=0-1,2-3", "bytes= 1 - 2", "items=0-1", "bytes=-9223372036854775808", "bytes=9223372036854775807-"} {
		f.Add(s, int64(10))
		f.Add(s, int64(0))
	}
	f.Fuzz(func(t *testing.T, h string, size int64) {
		if size < 0 {
			size = -size
			if size < 0 {
				return
			}
		}
		start, length, ok, err := parseRange(h, size)
		if err != nil {
			var e *s3err.Error
			if !errors.As(err, &e) || e.Code != "InvalidRange" {
				t.Fatalf("parseRange(%q, %d) error %v", h, size, err)
			}
			return
		}
		if ok && (start < 0 || length <= 0 || start+length > size || start+length < start) {
			t.Fatalf("parseRange(%q, %d) = [%d, +%d) outside the object", h, size, start, length)
		}
	})
}

// FuzzConditions: If-* headers never panic, and an object always matches
// its own ETag.
func FuzzConditions(f *testing.F) {
	f.Add(`"abc"`, `*`, "Mon, 02 Jan 2006 15:04:05 GMT", "garbage", "abc")
	f.Add(`W/"abc", "def"`, ``, "", "Sun, 06 Nov 1994 08:49:37 GMT", "def")
	f.Add(`,,,`, `"`, "Monday, 02-Jan-06 15:04:05 MST", "Mon Jan  2 15:04:05 2006", "")
	f.Fuzz(func(t *testing.T, ifMatch, ifNoneMatch, ifModSince, ifUnmodSince, etag string) {
		o := &meta.Object{ETag: etag, LastModified: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
		err := evalConditions(o, ifMatch, ifNoneMatch, ifModSince, ifUnmodSince, s3err.NotModified)
		if err != nil {
			var e *s3err.Error
			if !errors.As(err, &e) || (e.Code != "PreconditionFailed" && e.Code != "NotModified") {
				t.Fatalf("evalConditions = %v", err)
			}
		}
		if etag != "" && !strings.ContainsAny(etag, `,"`) && strings.TrimSpace(etag) == etag && !strings.HasPrefix(etag, "W/") {
			if evalConditions(o, `"`+etag+`"`, "", "", "", s3err.NotModified) != nil {
				t.Fatalf("If-Match of the object's own ETag %q failed", etag)
			}
		}
	})
}

// xmlEndpoints are the requests whose bodies the server parses.
var xmlEndpoints = []struct{ method, path string }{
	{"PUT", "/fuzz?versioning"},
	{"PUT", "/fuzz?tagging"},
	{"PUT", "/fuzz?acl"},
	{"PUT", "/fuzz?lifecycle"},
	{"POST", "/fuzz?delete"},
	{"PUT", "/fuzz/obj?tagging"},
	{"PUT", "/fuzz/obj?acl"},
	{"POST", "/fuzz/obj?uploadId=UPLOAD"},
	{"PUT", "/fuzz-new"},
	{"PUT", "/fuzz?policy"},
}

type fuzzServer struct {
	s        *Server
	uploadID string
}

func (fs *fuzzServer) do(t testing.TB, method, path string, body []byte) *httptest.ResponseRecorder {
	path = strings.ReplaceAll(path, "UPLOAD", fs.uploadID)
	r := httptest.NewRequest(method, "http://localhost"+path, bytes.NewReader(body))
	r.Host = "localhost"
	sum := md5.Sum(body)
	r.Header.Set("Content-MD5", base64.StdEncoding.EncodeToString(sum[:]))
	h := sha256.Sum256(body)
	creds := sigv4.Credentials{AccessKeyID: "AKIDFUZZ000000000001", SecretAccessKey: "fuzz-secret"}
	if err := sigv4.SignRequest(r, creds, "us-east-1", "s3", hex.EncodeToString(h[:]), time.Now()); err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	fs.s.ServeHTTP(w, r)
	return w
}

func newFuzzServer(f *testing.F) *fuzzServer {
	dir := f.TempDir()
	ms, err := sqlmeta.OpenSQLite(filepath.Join(dir, "meta.db"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { ms.Close() })
	bs, err := fsblob.Open(dir)
	if err != nil {
		f.Fatal(err)
	}
	if err := ms.PutAccessKey(context.Background(), meta.AccessKey{AccessKeyID: "AKIDFUZZ000000000001", Secret: "fuzz-secret", Account: "111122223333", Status: "Active", CreatedAt: time.Now()}); err != nil {
		f.Fatal(err)
	}
	s, err := New(Config{Meta: ms, Blobs: bs, OutpostID: "op-01ac5d28a6a232904", AccountID: "111122223333"})
	if err != nil {
		f.Fatal(err)
	}
	fs := &fuzzServer{s: s}
	for _, step := range []struct{ method, path, body string }{
		{"PUT", "/fuzz", ""}, {"PUT", "/fuzz/obj", "data"},
	} {
		if w := fs.do(f, step.method, step.path, []byte(step.body)); w.Code != 200 {
			f.Fatalf("%s %s: %d %s", step.method, step.path, w.Code, w.Body)
		}
	}
	w := fs.do(f, "POST", "/fuzz/obj?uploads", nil)
	var init struct{ UploadId string }
	if err := xml.Unmarshal(w.Body.Bytes(), &init); err != nil || init.UploadId == "" {
		f.Fatalf("CreateMultipartUpload: %d %s", w.Code, w.Body)
	}
	fs.uploadID = init.UploadId
	return fs
}

// FuzzXMLBodies sends arbitrary bodies to every handler that parses an XML
// (or JSON policy) request body, through the whole server: signature,
// routing, authorization, parsing, validation, storage. None may panic or
// answer a 5xx.
func FuzzXMLBodies(f *testing.F) {
	fs := newFuzzServer(f)
	seeds := []string{
		`<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>`,
		`<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet></Tagging>`,
		`<AccessControlPolicy><Owner><ID>111122223333</ID></Owner><AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>111122223333</ID></Grantee><Permission>FULL_CONTROL</Permission></Grant></AccessControlList></AccessControlPolicy>`,
		`<LifecycleConfiguration><Rule><ID>r</ID><Filter><Prefix>p/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>`,
		`<Delete><Quiet>true</Quiet><Object><Key>nothing</Key></Object></Delete>`,
		`<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"8d777f385d3dfec8815d20f7496026dc"</ETag></Part></CompleteMultipartUpload>`,
		`<CreateBucketConfiguration><LocationConstraint>us-east-1</LocationConstraint></CreateBucketConfiguration>`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::fuzz/*"}]}`,
		`<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><Tagging><TagSet><Tag><Key>&lol2;</Key></Tag></TagSet></Tagging>`,
		strings.Repeat("<a>", 20000),
		`<CompleteMultipartUpload>` + strings.Repeat(`<Part><PartNumber>0</PartNumber><ETag>x</ETag></Part>`, 50) + `</CompleteMultipartUpload>`,
		`<Delete>` + strings.Repeat(`<Object><Key></Key><VersionId>../x</VersionId></Object>`, 20) + `</Delete>`,
		"",
	}
	for i, s := range seeds {
		for e := range xmlEndpoints {
			if e == i%len(xmlEndpoints) || i >= 8 {
				f.Add(uint8(e), []byte(s))
			}
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		ep := xmlEndpoints[int(which)%len(xmlEndpoints)]
		w := fs.do(t, ep.method, ep.path, body)
		// 501 NotImplemented is a deliberate answer (grant lists that are
		// not a canned ACL); any other 5xx is a server fault.
		if w.Code >= 500 && !(w.Code == 501 && strings.Contains(w.Body.String(), "<Code>NotImplemented</Code>")) {
			t.Fatalf("%s %s with body %q: %d %s", ep.method, ep.path, body, w.Code, w.Body)
		}
	})
}

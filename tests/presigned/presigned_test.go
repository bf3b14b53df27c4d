// Package presigned_test proves presigned URLs end to end: URLs made by the
// presign package, `outpost presign`, aws-sdk-go-v2, minio-go, boto3 and the
// AWS CLI, used by a plain HTTP client with no credentials.
package presigned_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/outpost-s3/outpost/internal/meta"
	"github.com/outpost-s3/outpost/internal/testserver"
	"github.com/outpost-s3/outpost/presign"
)

var (
	ctx   = context.Background()
	creds = presign.Credentials{AccessKeyID: testserver.AccessKey, SecretAccessKey: testserver.SecretKey}
)

type errorBody struct {
	Code, Message, HeadersNotSigned, StringToSign, Expires, ServerTime string
	XAmzExpires                                                        string `xml:"X-Amz-Expires"`
}

func fetch(t *testing.T, method, u string, body []byte, hdr http.Header) (int, []byte, http.Header) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	r, err := http.NewRequest(method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range hdr {
		r.Header[k] = vs
	}
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b, resp.Header
}

func wantError(t *testing.T, status int, body []byte, wantStatus int, code string) errorBody {
	t.Helper()
	var e errorBody
	xml.Unmarshal(body, &e)
	if status != wantStatus || e.Code != code {
		t.Fatalf("got %d %s, want %d %s: %s", status, e.Code, wantStatus, code, body)
	}
	return e
}

func mustURL(t *testing.T, r presign.Request) string {
	t.Helper()
	u, err := presign.URL(creds, r)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func put(t *testing.T, srv *testserver.Server, bucket, key string, body []byte) {
	t.Helper()
	if _, err := srv.S3(t).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body)}); err != nil {
		t.Fatal(err)
	}
}

func TestPresignPackageEveryMethodAndAlgorithm(t *testing.T) {
	srv := testserver.Start(t)
	srv.MustBucket(t, "shared")
	for _, algo := range []string{presign.SigV4, presign.SigV4A, presign.SigV2} {
		t.Run(algo, func(t *testing.T) {
			key := "docs/" + algo + "/report.txt"
			req := func(method string, hdr http.Header) string {
				return mustURL(t, presign.Request{Method: method, Resource: "shared", Key: key, Expires: time.Hour, Endpoint: srv.URL, Algorithm: algo, Header: hdr})
			}
			hdr := http.Header{"Content-Type": {"text/plain"}, "X-Amz-Meta-Author": {"ada"}}
			body := []byte("uploaded through a presigned PUT")
			if st, b, _ := fetch(t, "PUT", req("PUT", hdr), body, hdr); st != 200 {
				t.Fatalf("presigned PUT: %d %s", st, b)
			}
			st, b, h := fetch(t, "GET", req("GET", nil), nil, nil)
			if st != 200 || !bytes.Equal(b, body) || h.Get("Content-Type") != "text/plain" || h.Get("X-Amz-Meta-Author") != "ada" {
				t.Fatalf("presigned GET: %d %q %v", st, b, h)
			}
			if st, _, h := fetch(t, "HEAD", req("HEAD", nil), nil, nil); st != 200 || h.Get("Content-Length") != strconv.Itoa(len(body)) {
				t.Fatalf("presigned HEAD: %d", st)
			}
			// A URL works any number of times.
			getURL := req("GET", nil)
			for i := 0; i < 3; i++ {
				if st, _, _ := fetch(t, "GET", getURL, nil, nil); st != 200 {
					t.Fatalf("reuse %d: %d", i, st)
				}
			}
			if st, b, _ := fetch(t, "DELETE", req("DELETE", nil), nil, nil); st != 204 {
				t.Fatalf("presigned DELETE: %d %s", st, b)
			}
			st, b, _ = fetch(t, "GET", getURL, nil, nil)
			wantError(t, st, b, 404, "NoSuchKey")
		})
	}
}

func TestPresignedPutMustSendSignedHeaders(t *testing.T) {
	srv := testserver.Start(t)
	srv.MustBucket(t, "uploads")
	hdr := http.Header{"Content-Type": {"image/png"}, "X-Amz-Meta-Owner": {"me"}, "X-Amz-Tagging": {"class=photo"}}
	u := mustURL(t, presign.Request{Method: "PUT", Resource: "uploads", Key: "pic.png", Expires: time.Hour, Endpoint: srv.URL, Header: hdr})
	// Another Content-Type than the signed one.
	st, b, _ := fetch(t, "PUT", u, []byte("x"), http.Header{"Content-Type": {"text/html"}, "X-Amz-Meta-Owner": {"me"}, "X-Amz-Tagging": {"class=photo"}})
	wantError(t, st, b, 403, "SignatureDoesNotMatch")
	// An extra, unsigned x-amz-* header is refused, never acted on: a copy
	// source would turn the upload into a server-side copy.
	put(t, srv, "uploads", "secret.txt", []byte("top secret"))
	extra := hdr.Clone()
	extra.Set("X-Amz-Copy-Source", "/uploads/secret.txt")
	st, b, _ = fetch(t, "PUT", u, []byte("x"), extra)
	if e := wantError(t, st, b, 403, "AccessDenied"); !strings.Contains(e.HeadersNotSigned, "x-amz-copy-source") {
		t.Fatalf("HeadersNotSigned = %q", e.HeadersNotSigned)
	}
	if _, err := srv.S3(t).HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("uploads"), Key: aws.String("pic.png")}); err == nil {
		t.Fatal("a refused presigned PUT stored the object")
	}
	// The exact signed headers work, and tagging and metadata are stored.
	st, b, _ = fetch(t, "PUT", u, []byte("png bytes"), hdr)
	if st != 200 {
		t.Fatalf("PUT with signed headers: %d %s", st, b)
	}
	tags, err := srv.S3(t).GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("uploads"), Key: aws.String("pic.png")})
	if err != nil || len(tags.TagSet) != 1 || *tags.TagSet[0].Value != "photo" {
		t.Fatalf("tagging: %+v %v", tags, err)
	}
}

func TestPresignedKeysWithSpecialCharacters(t *testing.T) {
	srv := testserver.Start(t)
	srv.MustBucket(t, "keys")
	for _, key := range []string{"a b.txt", "a+b", "100%", "tilde~", "café/naïve.pdf", "日本語", "dir//double", "(paren)!", strings.Repeat("k", 1024)} {
		body := []byte("body of " + key)
		put(t, srv, "keys", key, body)
		for _, algo := range []string{presign.SigV4, presign.SigV4A, presign.SigV2} {
			u := mustURL(t, presign.Request{Resource: "keys", Key: key, Expires: time.Minute, Endpoint: srv.URL, Algorithm: algo})
			st, b, _ := fetch(t, "GET", u, nil, nil)
			if st != 200 || !bytes.Equal(b, body) {
				t.Fatalf("%s key %.40q: %d %s", algo, key, st, b)
			}
		}
	}
}

func TestPresignedURLExpiry(t *testing.T) {
	srv := testserver.Start(t)
	srv.MustBucket(t, "exp")
	put(t, srv, "exp", "k", []byte("v"))

	// A one-second URL works at once and fails after.
	u := mustURL(t, presign.Request{Resource: "exp", Key: "k", Expires: time.Second, Endpoint: srv.URL})
	if st, b, _ := fetch(t, "GET", u, nil, nil); st != 200 {
		t.Fatalf("fresh 1 s URL: %d %s", st, b)
	}
	time.Sleep(2100 * time.Millisecond)
	st, b, _ := fetch(t, "GET", u, nil, nil)
	e := wantError(t, st, b, 403, "AccessDenied")
	if e.Message != "Request has expired" || e.XAmzExpires != "1" || e.Expires == "" || e.ServerTime == "" {
		t.Fatalf("expired body: %s", b)
	}
	// Seven days is accepted.
	u = mustURL(t, presign.Request{Resource: "exp", Key: "k", Expires: 604800 * time.Second, Endpoint: srv.URL})
	if st, b, _ := fetch(t, "GET", u, nil, nil); st != 200 {
		t.Fatalf("7-day URL: %d %s", st, b)
	}
	// A forged X-Amz-Expires beyond a week is refused by the server.
	forged := strings.Replace(u, "X-Amz-Expires=604800", "X-Amz-Expires=604801", 1)
	st, b, _ = fetch(t, "GET", forged, nil, nil)
	e = wantError(t, st, b, 400, "AuthorizationQueryParametersError")
	if !strings.Contains(e.Message, "604800") {
		t.Fatalf("message: %s", e.Message)
	}
	for _, v := range []string{"0", "-5", "abc"} {
		st, b, _ = fetch(t, "GET", strings.Replace(u, "X-Amz-Expires=604800", "X-Amz-Expires="+v, 1), nil, nil)
		wantError(t, st, b, 400, "AuthorizationQueryParametersError")
	}
	// A date in the future is not yet valid.
	future := mustURL(t, presign.Request{Resource: "exp", Key: "k", Expires: time.Hour, Endpoint: srv.URL, Time: time.Now().Add(time.Hour)})
	st, b, _ = fetch(t, "GET", future, nil, nil)
	if e := wantError(t, st, b, 403, "AccessDenied"); e.Message != "Request is not yet valid" {
		t.Fatalf("future URL: %s", b)
	}
	// No 15-minute skew rule on query auth: a URL signed 2 hours ago for 3 hours works.
	old := mustURL(t, presign.Request{Resource: "exp", Key: "k", Expires: 3 * time.Hour, Endpoint: srv.URL, Time: time.Now().Add(-2 * time.Hour)})
	if st, b, _ := fetch(t, "GET", old, nil, nil); st != 200 {
		t.Fatalf("2-hour-old URL valid for 3 hours: %d %s", st, b)
	}
}

// TestDownloadStartedBeforeExpiryFinishes reads a 24 MiB object slowly
// through a URL that expires one second after the download starts.
func TestDownloadStartedBeforeExpiryFinishes(t *testing.T) {
	srv := testserver.Start(t)
	srv.MustBucket(t, "slow")
	data := make([]byte, 24<<20)
	rand.Read(data)
	put(t, srv, "slow", "big", data)
	u := mustURL(t, presign.Request{Resource: "slow", Key: "big", Expires: 2 * time.Second, Endpoint: srv.URL, Time: time.Now().Add(-time.Second)})
	resp, err := http.Get(u)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("start download: %v %v", err, resp.Status)
	}
	var got bytes.Buffer
	buf := make([]byte, 1<<20)
	start := time.Now()
	for {
		n, err := resp.Body.Read(buf)
		got.Write(buf[:n])
		if err != nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	resp.Body.Close()
	if time.Since(start) < 2*time.Second {
		t.Fatalf("the download was not slow enough to outlast the URL (%v)", time.Since(start))
	}
	if !bytes.Equal(got.Bytes(), data) {
		t.Fatalf("download cut short: %d of %d bytes", got.Len(), len(data))
	}
	// A new request with the same URL now fails.
	st, b, _ := fetch(t, "GET", u, nil, nil)
	wantError(t, st, b, 403, "AccessDenied")
}

func TestTamperedURLsFail(t *testing.T) {
	srv := testserver.Start(t)
	srv.MustBucket(t, "tamper")
	put(t, srv, "tamper", "k", []byte("v"))
	put(t, srv, "tamper", "other", []byte("o"))
	u := mustURL(t, presign.Request{Resource: "tamper", Key: "k", Expires: time.Hour, Endpoint: srv.URL, Header: http.Header{"X-Amz-Meta-Bound": {"1"}}})
	good := http.Header{"X-Amz-Meta-Bound": {"1"}}
	if st, b, _ := fetch(t, "GET", u, nil, good); st != 200 {
		t.Fatalf("untampered: %d %s", st, b)
	}
	cases := []struct {
		name   string
		method string
		url    string
		hdr    http.Header
		status int
		code   string
	}{
		{"method", "DELETE", u, good, 403, "SignatureDoesNotMatch"},
		{"key", "GET", strings.Replace(u, "/tamper/k?", "/tamper/other?", 1), good, 403, "SignatureDoesNotMatch"},
		{"expiry", "GET", strings.Replace(u, "X-Amz-Expires=3600", "X-Amz-Expires=7200", 1), good, 403, "SignatureDoesNotMatch"},
		{"signed header value", "GET", u, http.Header{"X-Amz-Meta-Bound": {"2"}}, 403, "SignatureDoesNotMatch"},
		{"signed header missing", "GET", u, nil, 403, "SignatureDoesNotMatch"},
		{"host", "GET", strings.Replace(u, "127.0.0.1", "localhost", 1), good, 403, "SignatureDoesNotMatch"},
		{"signature", "GET", u[:len(u)-1] + flip(u[len(u)-1]), good, 403, "SignatureDoesNotMatch"},
		{"access key", "GET", strings.Replace(u, testserver.AccessKey, "AKIDUNKNOWN000000000", 1), good, 403, "InvalidAccessKeyId"},
		{"extra query", "GET", u + "&versionId=null", good, 403, "SignatureDoesNotMatch"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st, b, _ := fetch(t, c.method, c.url, nil, c.hdr)
			if c.method == "HEAD" {
				return
			}
			wantError(t, st, b, c.status, c.code)
		})
	}
	if _, err := srv.S3(t).HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("tamper"), Key: aws.String("k")}); err != nil {
		t.Fatal("the DELETE with a GET URL removed the object")
	}
}

func flip(c byte) string {
	if c == '0' {
		return "1"
	}
	return "0"
}

func TestURLDiesWhenItsKeyIsDeactivated(t *testing.T) {
	srv := testserver.Start(t)
	srv.MustBucket(t, "revoke")
	put(t, srv, "revoke", "k", []byte("v"))
	m := srv.App.Meta
	if err := m.PutAccessKey(ctx, meta.AccessKey{AccessKeyID: "AKIDSHARING000000001", Secret: "sharing-secret", Account: testserver.AccountID, Status: "Active", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	u, err := presign.URL(presign.Credentials{AccessKeyID: "AKIDSHARING000000001", SecretAccessKey: "sharing-secret"},
		presign.Request{Resource: "revoke", Key: "k", Expires: time.Hour, Endpoint: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if st, b, _ := fetch(t, "GET", u, nil, nil); st != 200 {
		t.Fatalf("before: %d %s", st, b)
	}
	m.UpdateAccessKeyStatus(ctx, "AKIDSHARING000000001", "Inactive")
	st, b, _ := fetch(t, "GET", u, nil, nil)
	wantError(t, st, b, 403, "InvalidAccessKeyId")
	m.UpdateAccessKeyStatus(ctx, "AKIDSHARING000000001", "Active")
	if st, b, _ := fetch(t, "GET", u, nil, nil); st != 200 {
		t.Fatalf("reactivated: %d %s", st, b)
	}
	m.DeleteAccessKey(ctx, "AKIDSHARING000000001")
	st, b, _ = fetch(t, "GET", u, nil, nil)
	wantError(t, st, b, 403, "InvalidAccessKeyId")
}

// TestPresignedMultipartUpload runs every step of a multipart upload
// through its own presigned URL.
func TestPresignedMultipartUpload(t *testing.T) {
	srv := testserver.Start(t)
	srv.MustBucket(t, "mpu")
	sign := func(method string, q url.Values) string {
		return mustURL(t, presign.Request{Method: method, Resource: "mpu", Key: "movie.mp4", Expires: 10 * time.Minute, Endpoint: srv.URL, Query: q})
	}
	st, b, _ := fetch(t, "POST", sign("POST", url.Values{"uploads": {""}}), nil, nil)
	if st != 200 {
		t.Fatalf("create: %d %s", st, b)
	}
	var init struct{ UploadId string }
	xml.Unmarshal(b, &init)
	parts := [][]byte{make([]byte, 5<<20), []byte("tail")}
	rand.Read(parts[0])
	var complete bytes.Buffer
	complete.WriteString("<CompleteMultipartUpload>")
	for i, p := range parts {
		q := url.Values{"uploadId": {init.UploadId}, "partNumber": {strconv.Itoa(i + 1)}}
		st, b, h := fetch(t, "PUT", sign("PUT", q), p, nil)
		if st != 200 {
			t.Fatalf("part %d: %d %s", i+1, st, b)
		}
		fmt.Fprintf(&complete, "<Part><PartNumber>%d</PartNumber><ETag>%s</ETag></Part>", i+1, h.Get("ETag"))
	}
	complete.WriteString("</CompleteMultipartUpload>")
	st, b, _ = fetch(t, "POST", sign("POST", url.Values{"uploadId": {init.UploadId}}), complete.Bytes(), nil)
	if st != 200 || !bytes.Contains(b, []byte("-2")) {
		t.Fatalf("complete: %d %s", st, b)
	}
	st, b, _ = fetch(t, "GET", sign("GET", nil), nil, nil)
	if st != 200 || !bytes.Equal(b, append(append([]byte{}, parts[0]...), parts[1]...)) {
		t.Fatalf("read back: %d", st)
	}
	// Abort, presigned too.
	st, b, _ = fetch(t, "POST", sign("POST", url.Values{"uploads": {""}}), nil, nil)
	xml.Unmarshal(b, &init)
	if st, b, _ := fetch(t, "DELETE", sign("DELETE", url.Values{"uploadId": {init.UploadId}}), nil, nil); st != 204 {
		t.Fatalf("abort: %d %s", st, b)
	}
}

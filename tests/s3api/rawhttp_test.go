package s3api_test

import (
	"bufio"
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/outpost-s3/outpost/internal/testserver"
	"github.com/outpost-s3/outpost/sigv4"
)

var rootCreds = sigv4.Credentials{AccessKeyID: testserver.AccessKey, SecretAccessKey: testserver.SecretKey}

// errorBody is the S3 XML error document.
type errorBody struct {
	XMLName          xml.Name `xml:"Error"`
	Code             string
	Message          string
	Resource         string
	RequestID        string `xml:"RequestId"`
	HostID           string `xml:"HostId"`
	BucketName       string
	Key              string
	StringToSign     string
	CanonicalRequest string
	HeadersNotSigned string
	AWSAccessKeyID   string `xml:"AWSAccessKeyId"`
}

// newReq builds a request to the server; sign it with sign().
func newReq(t *testing.T, srv *testserver.Server, method, path string, body []byte) *http.Request {
	t.Helper()
	r, err := http.NewRequest(method, srv.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func sha256hex(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

func sign(t *testing.T, r *http.Request, body []byte, when time.Time) *http.Request {
	t.Helper()
	if err := sigv4.SignRequest(r, rootCreds, testserver.Region, "s3", sha256hex(body), when); err != nil {
		t.Fatal(err)
	}
	return r
}

func do(t *testing.T, r *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// expectError checks status, S3 code and the error document's shape.
func expectError(t *testing.T, resp *http.Response, body []byte, status int, code string) errorBody {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("status %d, want %d; body %s", resp.StatusCode, status, body)
	}
	var e errorBody
	if err := xml.Unmarshal(body, &e); err != nil {
		t.Fatalf("error body is not S3 XML: %v: %s", err, body)
	}
	if e.Code != code {
		t.Fatalf("code %q, want %q; body %s", e.Code, code, body)
	}
	if e.Message == "" || e.RequestID == "" || e.HostID == "" {
		t.Fatalf("error body lacks Message/RequestId/HostId: %s", body)
	}
	if e.RequestID != resp.Header.Get("x-amz-request-id") {
		t.Fatalf("RequestId %q differs from x-amz-request-id %q", e.RequestID, resp.Header.Get("x-amz-request-id"))
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/xml" {
		t.Fatalf("error Content-Type %q", ct)
	}
	return e
}

// objectExists asks the server through the SDK.
func objectExists(t *testing.T, srv *testserver.Server, bucket, key string) bool {
	_, err := srv.S3(t).HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	return err == nil
}

func TestErrorResponsesAreS3XML(t *testing.T) {
	srv := testserver.Start(t)
	srv.MustBucket(t, "errs")
	now := time.Now()

	resp, b := do(t, sign(t, newReq(t, srv, "GET", "/no-such-bucket/key", nil), nil, now))
	e := expectError(t, resp, b, 404, "NoSuchBucket")
	if e.BucketName != "no-such-bucket" || e.Resource != "/no-such-bucket/key" {
		t.Fatalf("NoSuchBucket body: %s", b)
	}
	resp, b = do(t, sign(t, newReq(t, srv, "GET", "/errs/missing", nil), nil, now))
	if e := expectError(t, resp, b, 404, "NoSuchKey"); e.Key != "missing" {
		t.Fatalf("NoSuchKey lacks the key: %s", b)
	}
	resp, b = do(t, sign(t, newReq(t, srv, "GET", "/errs?cors", nil), nil, now))
	expectError(t, resp, b, 501, "NotImplemented")
	resp, b = do(t, sign(t, newReq(t, srv, "PUT", "/errs?website", nil), nil, now))
	expectError(t, resp, b, 501, "NotImplemented")
	resp, b = do(t, sign(t, newReq(t, srv, "POST", "/errs/k?restore", nil), nil, now))
	expectError(t, resp, b, 501, "NotImplemented")
}

func TestAuthenticationFailures(t *testing.T) {
	srv := testserver.Start(t)
	srv.MustBucket(t, "auth")
	now := time.Now()

	resp, b := do(t, newReq(t, srv, "GET", "/auth/k", nil))
	expectError(t, resp, b, 403, "AccessDenied")
	resp, b = do(t, newReq(t, srv, "GET", "/", nil))
	expectError(t, resp, b, 403, "AccessDenied")

	r := sign(t, newReq(t, srv, "GET", "/auth", nil), nil, now)
	r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "Signature=", "Signature=0", 1)[:len(r.Header.Get("Authorization"))])
	resp, b = do(t, r)
	e := expectError(t, resp, b, 403, "SignatureDoesNotMatch")
	if e.StringToSign == "" || e.CanonicalRequest == "" || e.AWSAccessKeyID != testserver.AccessKey {
		t.Fatalf("SignatureDoesNotMatch lacks diagnostics: %s", b)
	}

	r = newReq(t, srv, "GET", "/auth", nil)
	sigv4.SignRequest(r, sigv4.Credentials{AccessKeyID: testserver.AccessKey, SecretAccessKey: "wrong"}, testserver.Region, "s3", sigv4.EmptySHA256, now)
	resp, b = do(t, r)
	expectError(t, resp, b, 403, "SignatureDoesNotMatch")

	r = newReq(t, srv, "GET", "/auth", nil)
	sigv4.SignRequest(r, sigv4.Credentials{AccessKeyID: "AKIDNOTKNOWN0000000", SecretAccessKey: "x"}, testserver.Region, "s3", sigv4.EmptySHA256, now)
	resp, b = do(t, r)
	expectError(t, resp, b, 403, "InvalidAccessKeyId")

	resp, b = do(t, sign(t, newReq(t, srv, "GET", "/auth", nil), nil, now.Add(-20*time.Minute)))
	expectError(t, resp, b, 403, "RequestTimeTooSkewed")

	r = newReq(t, srv, "GET", "/auth", nil)
	sigv4.SignRequest(r, rootCreds, "eu-west-1", "s3", sigv4.EmptySHA256, now)
	resp, b = do(t, r)
	expectError(t, resp, b, 400, "AuthorizationHeaderMalformed")

	// An x-amz-* header added after signing is refused, never acted on.
	body := []byte("data")
	r = sign(t, newReq(t, srv, "PUT", "/auth/k", body), body, now)
	r.Header.Set("x-amz-meta-sneaky", "1")
	resp, b = do(t, r)
	if e := expectError(t, resp, b, 403, "AccessDenied"); !strings.Contains(e.HeadersNotSigned, "x-amz-meta-sneaky") {
		t.Fatalf("HeadersNotSigned: %s", b)
	}
	if objectExists(t, srv, "auth", "k") {
		t.Fatal("a refused request stored an object")
	}

	// SigV2 header auth works for legacy clients.
	r = newReq(t, srv, "GET", "/auth", nil)
	if err := sigv4.SignRequestV2(r, rootCreds, "/auth", now); err != nil {
		t.Fatal(err)
	}
	resp, b = do(t, r)
	if resp.StatusCode != 200 {
		t.Fatalf("SigV2 ListObjects: %d %s", resp.StatusCode, b)
	}
}

func TestBadInputStoresNothing(t *testing.T) {
	srv := testserver.Start(t)
	srv.MustBucket(t, "bad")
	now := time.Now()

	// Malformed XML.
	body := []byte("<Delete><Object><Key>x</Key></Object")
	resp, b := do(t, sign(t, newReq(t, srv, "POST", "/bad?delete", body), body, now))
	expectError(t, resp, b, 400, "MalformedXML")
	body = []byte("<Tagging><TagSet><Tag><Key>a</Key>")
	resp, b = do(t, sign(t, newReq(t, srv, "PUT", "/bad?tagging", body), body, now))
	expectError(t, resp, b, 400, "MalformedXML")
	// Billion laughs: entities are not expanded.
	body = []byte(`<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><Tagging><TagSet><Tag><Key>&lol2;</Key><Value>v</Value></Tag></TagSet></Tagging>`)
	resp, b = do(t, sign(t, newReq(t, srv, "PUT", "/bad?tagging", body), body, now))
	expectError(t, resp, b, 400, "MalformedXML")

	// Key longer than 1024 bytes.
	long := strings.Repeat("k", 1025)
	body = []byte("x")
	resp, b = do(t, sign(t, newReq(t, srv, "PUT", "/bad/"+long, body), body, now))
	expectError(t, resp, b, 400, "KeyTooLongError")
	if !objectExists(t, srv, "bad", strings.Repeat("k", 1024)) {
		resp, b = do(t, sign(t, newReq(t, srv, "PUT", "/bad/"+strings.Repeat("k", 1024), body), body, now))
		if resp.StatusCode != 200 {
			t.Fatalf("a 1024-byte key must be accepted: %d %s", resp.StatusCode, b)
		}
	}

	// Content-MD5 that does not match.
	body = []byte("hello")
	r := newReq(t, srv, "PUT", "/bad/md5", body)
	wrong := md5.Sum([]byte("other"))
	r.Header.Set("Content-MD5", base64.StdEncoding.EncodeToString(wrong[:]))
	resp, b = do(t, sign(t, r, body, now))
	expectError(t, resp, b, 400, "BadDigest")
	if objectExists(t, srv, "bad", "md5") {
		t.Fatal("BadDigest stored the object")
	}
	// A body that does not match the signed x-amz-content-sha256.
	r = newReq(t, srv, "PUT", "/bad/sha", []byte("tampered"))
	sigv4.SignRequest(r, rootCreds, testserver.Region, "s3", sha256hex([]byte("original")), now)
	resp, b = do(t, r)
	expectError(t, resp, b, 400, "XAmzContentSHA256Mismatch")
	if objectExists(t, srv, "bad", "sha") {
		t.Fatal("XAmzContentSHA256Mismatch stored the object")
	}
	// A declared CRC32 that does not match.
	r = newReq(t, srv, "PUT", "/bad/crc", body)
	r.Header.Set("x-amz-checksum-crc32", "AAAAAA==")
	resp, b = do(t, sign(t, r, body, now))
	expectError(t, resp, b, 400, "BadDigest")

	// Unsatisfiable range.
	body = []byte("0123456789")
	do(t, sign(t, newReq(t, srv, "PUT", "/bad/ten", body), body, now))
	r = newReq(t, srv, "GET", "/bad/ten", nil)
	r.Header.Set("Range", "bytes=10-20")
	resp, b = do(t, sign(t, r, nil, now))
	expectError(t, resp, b, 416, "InvalidRange")
	if cr := resp.Header.Get("Content-Range"); cr != "bytes */10" {
		t.Fatalf("416 Content-Range %q", cr)
	}

	// Oversized request headers.
	r = newReq(t, srv, "GET", "/bad/ten", nil)
	r.Header.Set("x-big", strings.Repeat("a", 9000))
	resp, b = do(t, r)
	expectError(t, resp, b, 400, "RequestHeaderSectionTooLarge")

	// Metadata over 2 KB.
	r = newReq(t, srv, "PUT", "/bad/meta", body)
	r.Header.Set("x-amz-meta-big", strings.Repeat("m", 2100))
	resp, b = do(t, sign(t, r, body, now))
	expectError(t, resp, b, 400, "MetadataTooLarge")
}

// rawPut sends a PUT with a declared length and a body that may be shorter,
// half-closes the connection and returns the response.
func rawPut(t *testing.T, srv *testserver.Server, path string, declared int, body []byte) (*http.Response, []byte) {
	t.Helper()
	conn, err := net.Dial("tcp", srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	r, _ := http.NewRequest("PUT", srv.URL+path, nil)
	r.ContentLength = int64(declared)
	sigv4.SignRequest(r, rootCreds, testserver.Region, "s3", sigv4.UnsignedPayload, time.Now())
	var hdr bytes.Buffer
	hdr.WriteString("PUT " + path + " HTTP/1.1\r\nHost: " + srv.Addr + "\r\nContent-Length: " + strconv.Itoa(declared) + "\r\n")
	for k, vs := range r.Header {
		hdr.WriteString(k + ": " + vs[0] + "\r\n")
	}
	hdr.WriteString("\r\n")
	conn.Write(hdr.Bytes())
	conn.Write(body)
	conn.(*net.TCPConn).CloseWrite()
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), r)
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func TestTruncatedBodyIsIncompleteBody(t *testing.T) {
	srv := testserver.Start(t)
	srv.MustBucket(t, "trunc")
	resp, b := rawPut(t, srv, "/trunc/half", 1000, bytes.Repeat([]byte("x"), 500))
	expectError(t, resp, b, 400, "IncompleteBody")
	if objectExists(t, srv, "trunc", "half") {
		t.Fatal("a truncated upload became visible")
	}
	resp, b = rawPut(t, srv, "/trunc/whole", 10, []byte("0123456789"))
	if resp.StatusCode != 200 {
		t.Fatalf("complete raw PUT: %d %s\n%s", resp.StatusCode, b, srv.Logs.String())
	}
}

// chunkedPut uploads data with aws-chunked framing, optionally corrupting
// one byte of the encoded body.
func chunkedPut(t *testing.T, srv *testserver.Server, path string, data []byte, payload, trailer string, corrupt func([]byte)) (*http.Response, []byte) {
	t.Helper()
	now := time.Now()
	cfg := sigv4.ChunkedWriterConfig{Credentials: rootCreds, Region: testserver.Region, Service: "s3", Time: now, Payload: payload, Trailer: trailer, ChunkSize: 64 << 10}
	r := newReq(t, srv, "PUT", path, nil)
	r.Header.Set("Content-Encoding", "aws-chunked")
	r.Header.Set("x-amz-decoded-content-length", strconv.Itoa(len(data)))
	if trailer != "" {
		r.Header.Set("x-amz-trailer", trailer)
	}
	r.ContentLength = sigv4.ChunkedLength(int64(len(data)), cfg)
	if err := sigv4.SignRequest(r, rootCreds, testserver.Region, "s3", payload, now); err != nil {
		t.Fatal(err)
	}
	auth := r.Header.Get("Authorization")
	cfg.SeedSignature = auth[strings.Index(auth, "Signature=")+len("Signature="):]
	var enc bytes.Buffer
	cw, err := sigv4.NewChunkedWriter(&enc, cfg)
	if err != nil {
		t.Fatal(err)
	}
	cw.Write(data)
	if err := cw.Close(); err != nil {
		t.Fatal(err)
	}
	raw := enc.Bytes()
	if int64(len(raw)) != r.ContentLength {
		t.Fatalf("ChunkedLength %d, encoded %d", r.ContentLength, len(raw))
	}
	if corrupt != nil {
		corrupt(raw)
	}
	r.Body = io.NopCloser(bytes.NewReader(raw))
	return do(t, r)
}

func TestAWSChunkedUploads(t *testing.T) {
	srv := testserver.Start(t)
	srv.MustBucket(t, "chunks")
	data := randBytes(200 << 10)
	for _, tc := range []struct{ payload, trailer string }{
		{sigv4.StreamingPayload, ""},
		{sigv4.StreamingPayloadTrailer, "x-amz-checksum-crc32"},
		{sigv4.StreamingUnsignedPayloadTrailer, "x-amz-checksum-crc32c"},
	} {
		t.Run(tc.payload, func(t *testing.T) {
			key := "/chunks/" + tc.payload
			resp, b := chunkedPut(t, srv, key, data, tc.payload, tc.trailer, nil)
			if resp.StatusCode != 200 {
				t.Fatalf("chunked PUT: %d %s", resp.StatusCode, b)
			}
			get, err := srv.S3(t).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("chunks"), Key: aws.String(tc.payload)})
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(get.Body)
			if !bytes.Equal(got, data) {
				t.Fatal("decoded object differs")
			}
			if get.ContentEncoding != nil {
				t.Fatalf("aws-chunked leaked into Content-Encoding: %q", *get.ContentEncoding)
			}
		})
	}
	// A corrupted chunk signature is refused and nothing is stored.
	resp, b := chunkedPut(t, srv, "/chunks/bad-sig", data, sigv4.StreamingPayload, "", func(raw []byte) {
		i := bytes.Index(raw, []byte("chunk-signature=")) + len("chunk-signature=")
		raw[i] ^= 1
	})
	expectError(t, resp, b, 403, "SignatureDoesNotMatch")
	// Corrupted data under a valid chunk signature is refused too.
	resp, b = chunkedPut(t, srv, "/chunks/bad-data", data, sigv4.StreamingPayload, "", func(raw []byte) {
		raw[len(raw)/2] ^= 1
	})
	if resp.StatusCode < 400 {
		t.Fatalf("corrupted chunk data accepted: %d %s", resp.StatusCode, b)
	}
	for _, k := range []string{"bad-sig", "bad-data"} {
		if objectExists(t, srv, "chunks", k) {
			t.Fatalf("%s was stored", k)
		}
	}
}

// TestACLGrantLists: an AccessControlPolicy body is accepted when it is a
// canned ACL written out, refused with the S3 error otherwise, and a refused
// body never changes the stored ACL.
func TestACLGrantLists(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.S3(t)
	srv.MustBucket(t, "grants")
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("grants"), Key: aws.String("k"), Body: strings.NewReader("x")}); err != nil {
		t.Fatal(err)
	}
	const xsi = `xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"`
	owner := `<Grant><Grantee ` + xsi + ` xsi:type="CanonicalUser"><ID>` + testserver.AccountID + `</ID></Grantee><Permission>FULL_CONTROL</Permission></Grant>`
	allRead := `<Grant><Grantee ` + xsi + ` xsi:type="Group"><URI>http://acs.amazonaws.com/groups/global/AllUsers</URI></Grantee><Permission>READ</Permission></Grant>`
	wrap := func(grants string) []byte {
		return []byte(`<AccessControlPolicy><Owner><ID>` + testserver.AccountID + `</ID></Owner><AccessControlList>` + grants + `</AccessControlList></AccessControlPolicy>`)
	}
	cases := []struct {
		name   string
		body   []byte
		status int
		code   string
	}{
		{"empty grant", wrap(`<Grant></Grant>`), 400, "MalformedACLError"},
		{"grant without grantee", wrap(`<Grant><Permission>READ</Permission></Grant>`), 400, "MalformedACLError"},
		{"unknown permission", wrap(strings.Replace(allRead, ">READ<", ">EVERYTHING<", 1)), 400, "MalformedACLError"},
		{"unknown group", wrap(strings.Replace(allRead, "global/AllUsers", "global/Everyone", 1)), 400, "InvalidArgument"},
		{"not XML", []byte("<AccessControlPolicy"), 400, "MalformedACLError"},
		{"grant beyond a canned ACL", wrap(owner + `<Grant><Grantee ` + xsi + ` xsi:type="CanonicalUser"><ID>444455556666</ID></Grantee><Permission>WRITE_ACP</Permission></Grant>`), 501, "NotImplemented"},
		// Used to be accepted and silently dropped (issue 12, item 9).
		{"READ to another account", wrap(owner + `<Grant><Grantee ` + xsi + ` xsi:type="CanonicalUser"><ID>444455556666</ID></Grantee><Permission>READ</Permission></Grant>`), 501, "NotImplemented"},
		{"FULL_CONTROL to another account", wrap(owner + `<Grant><Grantee ` + xsi + ` xsi:type="CanonicalUser"><ID>444455556666</ID></Grantee><Permission>FULL_CONTROL</Permission></Grant>`), 501, "NotImplemented"},
	}
	for _, tc := range cases {
		resp, b := do(t, sign(t, newReq(t, srv, "PUT", "/grants/k?acl", tc.body), tc.body, time.Now()))
		expectError(t, resp, b, tc.status, tc.code)
		acl, err := c.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String("grants"), Key: aws.String("k")})
		if err != nil || len(acl.Grants) != 1 {
			t.Fatalf("%s changed the ACL: %+v %v", tc.name, acl, err)
		}
	}
	body := wrap(owner + allRead)
	if resp, b := do(t, sign(t, newReq(t, srv, "PUT", "/grants/k?acl", body), body, time.Now())); resp.StatusCode != 200 {
		t.Fatalf("public-read written out: %d %s", resp.StatusCode, b)
	}
	acl, err := c.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String("grants"), Key: aws.String("k")})
	if err != nil || len(acl.Grants) != 2 {
		t.Fatalf("public-read grant list not stored: %+v %v", acl, err)
	}
}

func TestCannedACLsGoverningAnonymousAccess(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.S3(t)
	now := time.Now()
	anon := func(method, path string, body []byte) int {
		resp, _ := do(t, newReq(t, srv, method, path, body))
		return resp.StatusCode
	}
	srv.MustBucket(t, "private-b")
	c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("private-b"), Key: aws.String("k"), Body: strings.NewReader("x")})
	if s := anon("GET", "/private-b/k", nil); s != 403 {
		t.Fatalf("anonymous GET on a private object: %d", s)
	}
	if s := anon("GET", "/private-b", nil); s != 403 {
		t.Fatalf("anonymous list on a private bucket: %d", s)
	}
	// An object made public-read is readable by anyone, the bucket still is not listable.
	body := []byte("")
	r := newReq(t, srv, "PUT", "/private-b/k?acl", body)
	r.Header.Set("x-amz-acl", "public-read")
	if resp, b := do(t, sign(t, r, body, now)); resp.StatusCode != 200 {
		t.Fatalf("PutObjectAcl: %d %s", resp.StatusCode, b)
	}
	if s := anon("GET", "/private-b/k", nil); s != 200 {
		t.Fatalf("anonymous GET on a public-read object: %d", s)
	}
	acl, err := c.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String("private-b"), Key: aws.String("k")})
	if err != nil || len(acl.Grants) != 2 {
		t.Fatalf("GetObjectAcl: %+v %v", acl, err)
	}
	// public-read bucket: listing is open, writes are not.
	_, err = c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("reading-room"), ACL: "public-read"})
	if err != nil {
		t.Fatal(err)
	}
	if s := anon("GET", "/reading-room?list-type=2", nil); s != 200 {
		t.Fatalf("anonymous list on public-read bucket: %d", s)
	}
	if s := anon("PUT", "/reading-room/new", []byte("x")); s != 403 {
		t.Fatalf("anonymous PUT on public-read bucket: %d", s)
	}
	// public-read-write bucket: anonymous writes work.
	c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("drop-box"), ACL: "public-read-write"})
	if s := anon("PUT", "/drop-box/new", []byte("x")); s != 200 {
		t.Fatalf("anonymous PUT on public-read-write bucket: %d", s)
	}
	// authenticated-read: not for anonymous callers.
	c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("members"), ACL: "authenticated-read"})
	if s := anon("GET", "/members", nil); s != 403 {
		t.Fatalf("anonymous list on authenticated-read bucket: %d", s)
	}
	bacl, err := c.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: aws.String("members")})
	if err != nil || len(bacl.Grants) != 2 || bacl.Grants[1].Grantee.URI == nil || !strings.HasSuffix(*bacl.Grants[1].Grantee.URI, "AuthenticatedUsers") {
		t.Fatalf("GetBucketAcl authenticated-read: %+v %v", bacl, err)
	}
	// Back to private through PutBucketAcl.
	if _, err := c.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("reading-room"), ACL: "private"}); err != nil {
		t.Fatal(err)
	}
	if s := anon("GET", "/reading-room", nil); s != 403 {
		t.Fatalf("after PutBucketAcl private: %d", s)
	}
}

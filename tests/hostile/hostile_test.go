// Package hostile_test sends a table of malformed and malicious requests to
// a real server over raw HTTP and TCP. Each row states the status and S3
// error code expected, and every row checks that nothing was stored: the
// bucket listing, the bucket list and the files outside DATA/blobs are the
// same before and after, and the row's key does not exist. Rows that are
// hostile but legal (path-traversal keys, CRLF-looking metadata) must
// instead round-trip as ordinary keys and values and create no file
// outside DATA/blobs.
package hostile_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	fsblob "github.com/outpost-s3/outpost/internal/blob/fs"
	"github.com/outpost-s3/outpost/internal/testserver"
	"github.com/outpost-s3/outpost/sigv4"
)

var verbose = flag.Bool("hostile.v", false, "log every row's outcome")

var (
	ctx   = context.Background()
	creds = sigv4.Credentials{AccessKeyID: testserver.AccessKey, SecretAccessKey: testserver.SecretKey}
)

const bucket = "hostile"

// row is one hostile request.
type row struct {
	name string
	// req builds an http.Request (sent with net/http), or raw the bytes
	// sent on a fresh TCP connection.
	req func(e *env) *http.Request
	raw func(e *env) []byte
	// status and code expected. code "" means the response need not be
	// S3 XML (Go's HTTP layer answered); status 0 means the server may
	// also close the connection without answering.
	status int
	code   string
	// key must not exist afterwards (relative to the bucket).
	key string
	// stores marks a legal row: key must exist afterwards, holding body,
	// and is then deleted.
	stores bool
	body   []byte
	// halfOpen keeps the raw connection open for writing after the
	// request; by default it is half-closed, so a short body ends.
	halfOpen bool
	// check runs extra assertions on the response.
	check func(t *testing.T, resp *http.Response, body []byte)
}

type env struct {
	srv      *testserver.Server
	uploadID string
	c        *s3.Client
}

func sha(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

func (e *env) url(path string) string { return e.srv.URL + path }

// signed returns a request signed with the root key (SigV4 header).
func (e *env) signed(method, path string, body []byte, hdr ...string) *http.Request {
	r, err := http.NewRequest(method, e.url(path), bytes.NewReader(body))
	if err != nil {
		panic(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	if err := sigv4.SignRequest(r, creds, testserver.Region, "s3", sha(body), time.Now()); err != nil {
		panic(err)
	}
	return r
}

// mutAuth signs a PUT of "x" to key and rewrites its Authorization header.
func mutAuth(key string, f func(string) string) func(*env) *http.Request {
	return func(e *env) *http.Request {
		r := e.signed("PUT", "/"+bucket+"/"+key, []byte("x"))
		r.Header.Set("Authorization", f(r.Header.Get("Authorization")))
		return r
	}
}

// mutReq signs a PUT of "x" to key then lets f tamper with the request.
func mutReq(key string, f func(*http.Request)) func(*env) *http.Request {
	return func(e *env) *http.Request {
		r := e.signed("PUT", "/"+bucket+"/"+key, []byte("x"))
		f(r)
		return r
	}
}

// presigned returns a presigned PUT URL for key, with its query edited by f.
func presigned(key string, exp time.Duration, at time.Time, alg string, f func(q url.Values)) func(*env) *http.Request {
	return func(e *env) *http.Request {
		u, _ := url.Parse(e.url("/" + bucket + "/" + key))
		s, err := sigv4.Presign(sigv4.PresignParams{Method: "PUT", URL: u, Credentials: creds, Region: testserver.Region, Service: "s3", Time: at, Expires: exp, Algorithm: alg})
		if err != nil {
			panic(err)
		}
		pu, _ := url.Parse(s)
		q := pu.Query()
		if f != nil {
			f(q)
		}
		pu.RawQuery = q.Encode()
		r, _ := http.NewRequest("PUT", pu.String(), strings.NewReader("x"))
		return r
	}
}

// rawSigned serialises a signed request by hand, so the test controls
// every byte: headers are written in the order given, extra lines are
// appended verbatim, and body follows the blank line.
func rawSigned(method, target string, body []byte, sign bool, contentLength string, extra ...string) func(*env) []byte {
	return func(e *env) []byte {
		r, _ := http.NewRequest(method, e.url("/"), nil)
		r.URL.Opaque = target // keep the target exactly as written
		if sign {
			cl := int64(len(body))
			if contentLength != "" {
				cl, _ = strconv.ParseInt(contentLength, 10, 64)
			}
			r.ContentLength = cl
			p, _ := url.Parse("http://" + e.srv.Addr + target)
			r.URL = p
			sigv4.SignRequest(r, creds, testserver.Region, "s3", sigv4.UnsignedPayload, time.Now())
		}
		var b bytes.Buffer
		fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\n", method, target, e.srv.Addr)
		if contentLength != "-" {
			cl := contentLength
			if cl == "" {
				cl = strconv.Itoa(len(body))
			}
			fmt.Fprintf(&b, "Content-Length: %s\r\n", cl)
		}
		keys := make([]string, 0, len(r.Header))
		for k := range r.Header {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, "%s: %s\r\n", k, r.Header.Get(k))
		}
		for _, x := range extra {
			b.WriteString(x + "\r\n")
		}
		b.WriteString("\r\n")
		b.Write(body)
		return b.Bytes()
	}
}

func (e *env) send(t *testing.T, rw row) (*http.Response, []byte, error) {
	if rw.req != nil {
		c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 30 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := c.Do(rw.req(e))
		if err != nil {
			return nil, nil, err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b, nil
	}
	conn, err := net.Dial("tcp", e.srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(20 * time.Second))
	go func() {
		conn.Write(rw.raw(e))
		if !rw.halfOpen {
			conn.(*net.TCPConn).CloseWrite()
		}
	}()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b, nil
}

type errorDoc struct {
	Code    string
	Message string
}

// snapshot describes everything a request could have changed.
func (e *env) snapshot(t *testing.T) string {
	var b strings.Builder
	lb, err := e.c.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil {
		t.Fatalf("ListBuckets: %v", err)
	}
	for _, x := range lb.Buckets {
		fmt.Fprintf(&b, "bucket %s\n", aws.ToString(x.Name))
	}
	p := s3.NewListObjectVersionsPaginator(e.c, &s3.ListObjectVersionsInput{Bucket: aws.String(bucket)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("ListObjectVersions: %v", err)
		}
		for _, v := range page.Versions {
			fmt.Fprintf(&b, "object %q %s %d\n", aws.ToString(v.Key), aws.ToString(v.ETag), aws.ToInt64(v.Size))
		}
		for _, v := range page.DeleteMarkers {
			fmt.Fprintf(&b, "marker %q\n", aws.ToString(v.Key))
		}
	}
	ups, err := e.c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket)})
	if err != nil {
		t.Fatalf("ListMultipartUploads: %v", err)
	}
	for _, u := range ups.Uploads {
		fmt.Fprintf(&b, "upload %q %s\n", aws.ToString(u.Key), aws.ToString(u.UploadId))
	}
	for _, f := range strayFiles(t, e.srv.DataDir) {
		fmt.Fprintf(&b, "file %s\n", f)
	}
	return b.String()
}

// strayFiles lists every file in the data directory's parent that is not
// the metadata database or a blob named by a blob ID: a key that became a
// file name would show up here.
func strayFiles(t *testing.T, data string) []string {
	var out []string
	parent := filepath.Dir(data)
	filepath.WalkDir(parent, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(data, p)
		switch {
		case rel == "meta.db" || rel == "meta.db-wal" || rel == "meta.db-shm" || rel == "meta.db-journal" || rel == "meta.db.lock" || rel == "master.key":
		case strings.HasPrefix(rel, "blobs"+string(filepath.Separator)) && fsblob.ValidID(d.Name()):
		default:
			out = append(out, rel)
		}
		return nil
	})
	return out
}

func (e *env) exists(key string) bool {
	_, err := e.c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	return err == nil
}

func TestHostileRequests(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.S3(t)
	srv.MustBucket(t, bucket)
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("existing"), Body: strings.NewReader("existing")}); err != nil {
		t.Fatal(err)
	}
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("mp")})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{srv: srv, uploadID: aws.ToString(up.UploadId), c: c}
	rows := allRows()
	if len(rows) < 150 {
		t.Fatalf("only %d rows; the table promises at least 150", len(rows))
	}
	seen := map[string]bool{}
	for _, rw := range rows {
		if seen[rw.name] {
			t.Fatalf("duplicate row name %q", rw.name)
		}
		seen[rw.name] = true
	}
	passed := 0
	for _, rw := range rows {
		ok := t.Run(rw.name, func(t *testing.T) {
			before := e.snapshot(t)
			resp, body, err := e.send(t, rw)
			if err != nil {
				if rw.status != 0 {
					t.Fatalf("no response: %v (want %d %s)", err, rw.status, rw.code)
				}
			} else {
				var doc errorDoc
				xml.Unmarshal(body, &doc)
				if *verbose {
					t.Logf("%d %s %q", resp.StatusCode, doc.Code, doc.Message)
				}
				if resp.StatusCode != rw.status && !(rw.status == 0 && resp.StatusCode >= 400 && resp.StatusCode < 500) {
					t.Errorf("status %d (%s: %s), want %d %s", resp.StatusCode, doc.Code, doc.Message, rw.status, rw.code)
				}
				if rw.code != "" && doc.Code != rw.code {
					t.Errorf("code %q (%s), want %q; body %.300s", doc.Code, doc.Message, rw.code, body)
				}
				if resp.StatusCode >= 500 && resp.StatusCode != 501 {
					var cause []string
					for _, l := range strings.Split(e.srv.Logs.String(), "\n") {
						if id := resp.Header.Get("x-amz-request-id"); id != "" && strings.Contains(l, id) {
							cause = append(cause, l)
						}
					}
					t.Errorf("a hostile request caused a server error: %s\nserver log: %s", body, strings.Join(cause, "\n"))
				}
				if rw.check != nil {
					rw.check(t, resp, body)
				}
			}
			if rw.stores {
				got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(rw.key)})
				if err != nil {
					t.Fatalf("legal key %q did not round-trip: %v", rw.key, err)
				}
				b, _ := io.ReadAll(got.Body)
				got.Body.Close()
				if !bytes.Equal(b, rw.body) {
					t.Fatalf("key %q holds %q, want %q", rw.key, b, rw.body)
				}
				lst, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(rw.key)})
				if err != nil || len(lst.Contents) == 0 || aws.ToString(lst.Contents[0].Key) != rw.key {
					t.Fatalf("key %q is not listed as itself: %+v %v", rw.key, lst, err)
				}
				if stray := strayFiles(t, srv.DataDir); len(stray) > 0 {
					t.Fatalf("files outside DATA/blobs: %v", stray)
				}
				if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(rw.key)}); err != nil {
					t.Fatal(err)
				}
			} else if rw.key != "" && e.exists(rw.key) {
				t.Errorf("refused request stored %q", rw.key)
			}
			if after := e.snapshot(t); after != before {
				t.Errorf("state changed:\nbefore:\n%s\nafter:\n%s", before, after)
			}
		})
		if ok {
			passed++
		}
	}
	if _, err := os.Stat("/etc/passwd"); err == nil {
		// Nothing under DATA may have reached the real file system root.
		b, _ := os.ReadFile("/etc/passwd")
		if bytes.Contains(b, []byte("outpost-hostile")) {
			t.Fatal("/etc/passwd was written to")
		}
	}
	t.Logf("hostile inputs tried: %d, passed: %d", len(rows), passed)
}

// resign signs r again as of t (its body is the "x" every row sends).
func resign(r *http.Request, t time.Time) {
	r.Header.Del("Authorization")
	r.Header.Del("X-Amz-Date")
	sigv4.SignRequest(r, creds, testserver.Region, "s3", sha([]byte("x")), t)
}

func replaceField(auth, field, val string) string {
	i := strings.Index(auth, field+"=")
	if i < 0 {
		return auth
	}
	j := strings.IndexAny(auth[i:], ", ")
	if j < 0 {
		j = len(auth) - i
	}
	return auth[:i] + field + "=" + val + auth[i+j:]
}

func removeField(auth, field string) string {
	i := strings.Index(auth, field+"=")
	if i < 0 {
		return auth
	}
	j := strings.Index(auth[i:], ", ")
	if j < 0 {
		return strings.TrimSuffix(strings.TrimSpace(auth[:i]), ",")
	}
	return auth[:i] + auth[i+j+2:]
}

func credPart(auth string, idx int, val string) string {
	i := strings.Index(auth, "Credential=") + len("Credential=")
	j := strings.Index(auth[i:], ",")
	parts := strings.Split(auth[i:i+j], "/")
	parts[idx] = val
	return auth[:i] + strings.Join(parts, "/") + auth[i+j:]
}

func credRaw(auth, val string) string { return replaceField(auth, "Credential", val) }

func sigOf(auth string) string { return auth[strings.Index(auth, "Signature=")+len("Signature="):] }

func allRows() []row {
	var rows []row
	add := func(r row) { rows = append(rows, r) }
	k := func(n string) string { return "row-" + n }
	today := time.Now().UTC().Format("20060102")

	// --- SigV4 Authorization header, field by field ---
	for _, a := range []struct {
		name   string
		f      func(string) string
		status int
		code   string
	}{
		{"auth: algorithm only", func(string) string { return "AWS4-HMAC-SHA256" }, 400, "InvalidArgument"},
		{"auth: unknown algorithm", func(s string) string { return strings.Replace(s, "AWS4-HMAC-SHA256", "AWS4-HMAC-SHA512", 1) }, 400, "InvalidArgument"},
		{"auth: lower-case algorithm", func(s string) string { return strings.Replace(s, "AWS4-HMAC-SHA256", "aws4-hmac-sha256", 1) }, 400, "InvalidArgument"},
		{"auth: no Credential", func(s string) string { return removeField(s, "Credential") }, 400, "AuthorizationHeaderMalformed"},
		{"auth: no SignedHeaders", func(s string) string { return removeField(s, "SignedHeaders") }, 400, "AuthorizationHeaderMalformed"},
		{"auth: no Signature", func(s string) string { return removeField(s, "Signature") }, 400, "AuthorizationHeaderMalformed"},
		{"auth: empty Credential", func(s string) string { return replaceField(s, "Credential", "") }, 400, "AuthorizationHeaderMalformed"},
		{"auth: empty SignedHeaders", func(s string) string { return replaceField(s, "SignedHeaders", "") }, 400, "AuthorizationHeaderMalformed"},
		{"auth: empty Signature", func(s string) string { return replaceField(s, "Signature", "") }, 400, "AuthorizationHeaderMalformed"},
		{"auth: credential with 4 parts", func(s string) string {
			return credRaw(s, testserver.AccessKey+"/"+today+"/us-east-1/s3")
		}, 400, "AuthorizationHeaderMalformed"},
		{"auth: credential with 6 parts", func(s string) string {
			return credRaw(s, testserver.AccessKey+"/"+today+"/us-east-1/s3/aws4_request/extra")
		}, 400, "AuthorizationHeaderMalformed"},
		{"auth: credential terminator misspelt", func(s string) string { return credPart(s, 4, "aws4_reques") }, 400, "AuthorizationHeaderMalformed"},
		{"auth: credential service ec2", func(s string) string { return credPart(s, 3, "ec2") }, 400, "AuthorizationHeaderMalformed"},
		{"auth: credential service empty", func(s string) string { return credPart(s, 3, "") }, 400, "AuthorizationHeaderMalformed"},
		{"auth: credential region of another server", func(s string) string { return credPart(s, 2, "eu-west-1") }, 400, "AuthorizationHeaderMalformed"},
		{"auth: credential region empty", func(s string) string { return credPart(s, 2, "") }, 400, "AuthorizationHeaderMalformed"},
		{"auth: credential date with dashes", func(s string) string { return credPart(s, 1, time.Now().UTC().Format("2006-01-02")) }, 400, "AuthorizationHeaderMalformed"},
		{"auth: credential date not X-Amz-Date's day", func(s string) string {
			return credPart(s, 1, time.Now().UTC().AddDate(0, 0, -1).Format("20060102"))
		}, 400, "AuthorizationHeaderMalformed"},
		{"auth: credential date 99999999", func(s string) string { return credPart(s, 1, "99999999") }, 400, "AuthorizationHeaderMalformed"},
		{"auth: credential date empty", func(s string) string { return credPart(s, 1, "") }, 400, "AuthorizationHeaderMalformed"},
		{"auth: unknown access key", func(s string) string { return credPart(s, 0, "AKIDUNKNOWN000000000") }, 403, "InvalidAccessKeyId"},
		{"auth: empty access key", func(s string) string { return credPart(s, 0, "") }, 400, "AuthorizationHeaderMalformed"},
		{"auth: access key with quote and angle brackets", func(s string) string { return credPart(s, 0, `AKID"<x>`) }, 403, "InvalidAccessKeyId"},
		{"auth: access key 2 KB long", func(s string) string { return credPart(s, 0, strings.Repeat("A", 2048)) }, 403, "InvalidAccessKeyId"},
		{"auth: signed headers without host", func(s string) string {
			return replaceField(s, "SignedHeaders", "x-amz-content-sha256;x-amz-date")
		}, 403, "AccessDenied"}, // HeadersNotSigned: host
		{"auth: signed headers unsorted", func(s string) string {
			return replaceField(s, "SignedHeaders", "x-amz-date;host;x-amz-content-sha256")
		}, 403, "SignatureDoesNotMatch"},
		{"auth: signed headers name a missing header", func(s string) string {
			return replaceField(s, "SignedHeaders", "host;x-amz-content-sha256;x-amz-date;x-missing")
		}, 403, "SignatureDoesNotMatch"},
		{"auth: signed headers upper-case", func(s string) string {
			return replaceField(s, "SignedHeaders", "Host;X-Amz-Content-Sha256;X-Amz-Date")
		}, 403, "AccessDenied"}, // HeadersNotSigned: host
		{"auth: signed headers with empty names", func(s string) string { return replaceField(s, "SignedHeaders", ";;;") }, 403, "AccessDenied"}, // HeadersNotSigned: host
		{"auth: signature not hex", func(s string) string { return replaceField(s, "Signature", strings.Repeat("z", 64)) }, 403, "SignatureDoesNotMatch"},
		{"auth: signature 63 digits", func(s string) string { return replaceField(s, "Signature", sigOf(s)[:63]) }, 403, "SignatureDoesNotMatch"},
		{"auth: signature 65 digits", func(s string) string { return replaceField(s, "Signature", sigOf(s)+"0") }, 403, "SignatureDoesNotMatch"},
		{"auth: signature one bit off", func(s string) string {
			sg := []byte(sigOf(s))
			sg[10] ^= 1
			return replaceField(s, "Signature", string(sg))
		}, 403, "SignatureDoesNotMatch"},
		{"auth: signature of another request", func(s string) string {
			return replaceField(s, "Signature", "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404")
		}, 403, "SignatureDoesNotMatch"},
		{"auth: Credential given twice", func(s string) string {
			return s + ", Credential=AKIDUNKNOWN000000000/" + today + "/us-east-1/s3/aws4_request"
		}, 403, "InvalidAccessKeyId"}, // the last Credential counts; its secret is unknown
		{"auth: unknown trailing field", func(s string) string { return s + ", Evil=1" }, 400, "AuthorizationHeaderMalformed"},
		{"auth: fields without separators", func(s string) string { return strings.ReplaceAll(s, ", ", "") }, 400, "AuthorizationHeaderMalformed"},
		{"auth: Bearer token", func(string) string { return "Bearer eyJhbGciOiJub25lIn0.e30." }, 400, "InvalidArgument"},
		{"auth: Basic credentials", func(string) string { return "Basic YWRtaW46YWRtaW4=" }, 400, "InvalidArgument"},
		{"sigv2: no colon", func(string) string { return "AWS " + testserver.AccessKey }, 400, "InvalidArgument"},
		{"sigv2: empty key and signature", func(string) string { return "AWS :" }, 400, "InvalidArgument"},
		{"sigv2: wrong signature", func(string) string { return "AWS " + testserver.AccessKey + ":frJIUN8DYpKDtOLCwo//yllqDzg=" }, 403, "SignatureDoesNotMatch"},
		{"sigv2: unknown key", func(string) string { return "AWS AKIDUNKNOWN000000000:frJIUN8DYpKDtOLCwo//yllqDzg=" }, 403, "InvalidAccessKeyId"},
		{"sigv2: two colons", func(string) string { return "AWS " + testserver.AccessKey + ":a:b" }, 403, "InvalidAccessKeyId"},
		{"sigv4a: bad signature", func(s string) string {
			return strings.Replace(s, "AWS4-HMAC-SHA256", "AWS4-ECDSA-P256-SHA256", 1)
		}, 400, "AuthorizationHeaderMalformed"},
	} {
		add(row{name: a.name, req: mutAuth(k(a.name), a.f), status: a.status, code: a.code, key: k(a.name)})
	}

	// --- the rest of the signed request ---
	for _, m := range []struct {
		name   string
		f      func(*http.Request)
		status int
		code   string
	}{
		{"no Authorization on a private bucket", func(r *http.Request) { r.Header.Del("Authorization") }, 403, "AccessDenied"},
		{"x-amz-date missing", func(r *http.Request) { r.Header.Del("X-Amz-Date") }, 403, "AccessDenied"},
		{"x-amz-date ISO with dashes", func(r *http.Request) { r.Header.Set("X-Amz-Date", time.Now().UTC().Format(time.RFC3339)) }, 403, "AccessDenied"},
		{"x-amz-date garbage", func(r *http.Request) { r.Header.Set("X-Amz-Date", "yesterday") }, 403, "AccessDenied"},
		{"x-amz-date without the scope date", func(r *http.Request) {
			r.Header.Set("X-Amz-Date", time.Now().UTC().Add(24*time.Hour).Format("20060102T150405Z"))
		}, 400, "AuthorizationHeaderMalformed"},
		{"signed a day ahead", func(r *http.Request) { resign(r, time.Now().Add(24*time.Hour)) }, 403, "RequestTimeTooSkewed"},
		{"signed in 1970", func(r *http.Request) { resign(r, time.Unix(0, 0)) }, 403, "RequestTimeTooSkewed"},
		{"signed 16 minutes ago", func(r *http.Request) { resign(r, time.Now().Add(-16*time.Minute)) }, 403, "RequestTimeTooSkewed"},
		{"x-amz-content-sha256 missing", func(r *http.Request) { r.Header.Del("X-Amz-Content-Sha256") }, 400, "InvalidRequest"},
		{"x-amz-content-sha256 garbage", func(r *http.Request) { r.Header.Set("X-Amz-Content-Sha256", "not-a-hash") }, 400, "InvalidArgument"},
		{"body tampered after signing", func(r *http.Request) { r.Body = io.NopCloser(strings.NewReader("y")) }, 400, "XAmzContentSHA256Mismatch"},
		{"x-amz-meta added after signing", func(r *http.Request) { r.Header.Set("x-amz-meta-evil", "1") }, 403, "AccessDenied"},
		{"x-amz-acl added after signing", func(r *http.Request) { r.Header.Set("x-amz-acl", "public-read-write") }, 403, "AccessDenied"},
		{"host changed after signing", func(r *http.Request) { r.Host = "evil.example.com" }, 403, "SignatureDoesNotMatch"},
		{"path changed after signing", func(r *http.Request) { r.URL.Path += "-other" }, 403, "SignatureDoesNotMatch"},
		{"query added after signing", func(r *http.Request) { r.URL.RawQuery = "tagging" }, 403, "SignatureDoesNotMatch"},
		{"method changed after signing", func(r *http.Request) { r.Method = "POST"; r.URL.RawQuery = "uploads" }, 403, "SignatureDoesNotMatch"},
		{"session token on a long-term key", func(r *http.Request) {
			r.Header.Set("X-Amz-Security-Token", "FwoGZXIvYXdzEBYaDHhBTEST")
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "x-amz-date", "x-amz-date;x-amz-security-token", 1))
		}, 400, "InvalidToken"},
		{"two identical Authorization headers", func(r *http.Request) { r.Header.Add("Authorization", r.Header.Get("Authorization")) }, 400, "InvalidArgument"},
		{"valid then bogus Authorization header", func(r *http.Request) { r.Header.Add("Authorization", "AWS4-HMAC-SHA256 Credential=x") }, 400, "InvalidArgument"},
		{"Authorization and presigned query together", func(r *http.Request) {
			r.URL.RawQuery = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=00"
		}, 400, "InvalidArgument"},
	} {
		add(row{name: m.name, req: mutReq(k(m.name), m.f), status: m.status, code: m.code, key: k(m.name)})
	}

	// --- presigned URLs: every query parameter ---
	now := time.Now()
	for _, p := range []struct {
		name   string
		exp    time.Duration
		at     time.Time
		alg    string
		f      func(url.Values)
		status int
		code   string
	}{
		{"presign: no X-Amz-Algorithm", time.Hour, now, "", func(q url.Values) { q.Del("X-Amz-Algorithm") }, 400, "AuthorizationQueryParametersError"},
		{"presign: unknown X-Amz-Algorithm", time.Hour, now, "", func(q url.Values) { q.Set("X-Amz-Algorithm", "AWS4-HMAC-MD5") }, 400, "AuthorizationQueryParametersError"},
		{"presign: no X-Amz-Credential", time.Hour, now, "", func(q url.Values) { q.Del("X-Amz-Credential") }, 400, "AuthorizationQueryParametersError"},
		{"presign: credential with 3 parts", time.Hour, now, "", func(q url.Values) { q.Set("X-Amz-Credential", testserver.AccessKey+"/"+today+"/us-east-1") }, 400, "AuthorizationQueryParametersError"},
		{"presign: credential of another region", time.Hour, now, "", func(q url.Values) {
			q.Set("X-Amz-Credential", strings.Replace(q.Get("X-Amz-Credential"), "us-east-1", "ap-south-1", 1))
		}, 400, "AuthorizationQueryParametersError"},
		{"presign: credential of unknown key", time.Hour, now, "", func(q url.Values) {
			q.Set("X-Amz-Credential", strings.Replace(q.Get("X-Amz-Credential"), testserver.AccessKey, "AKIDUNKNOWN000000000", 1))
		}, 403, "InvalidAccessKeyId"},
		{"presign: no X-Amz-Date", time.Hour, now, "", func(q url.Values) { q.Del("X-Amz-Date") }, 400, "AuthorizationQueryParametersError"},
		{"presign: X-Amz-Date garbage", time.Hour, now, "", func(q url.Values) { q.Set("X-Amz-Date", "now") }, 400, "AuthorizationQueryParametersError"},
		{"presign: no X-Amz-Expires", time.Hour, now, "", func(q url.Values) { q.Del("X-Amz-Expires") }, 400, "AuthorizationQueryParametersError"},
		{"presign: X-Amz-Expires 0", time.Hour, now, "", func(q url.Values) { q.Set("X-Amz-Expires", "0") }, 400, "AuthorizationQueryParametersError"},
		{"presign: X-Amz-Expires -1", time.Hour, now, "", func(q url.Values) { q.Set("X-Amz-Expires", "-1") }, 400, "AuthorizationQueryParametersError"},
		{"presign: X-Amz-Expires 604801", time.Hour, now, "", func(q url.Values) { q.Set("X-Amz-Expires", "604801") }, 400, "AuthorizationQueryParametersError"},
		{"presign: X-Amz-Expires not a number", time.Hour, now, "", func(q url.Values) { q.Set("X-Amz-Expires", "1h") }, 400, "AuthorizationQueryParametersError"},
		{"presign: X-Amz-Expires overflows int64", time.Hour, now, "", func(q url.Values) { q.Set("X-Amz-Expires", "99999999999999999999") }, 400, "AuthorizationQueryParametersError"},
		{"presign: expired", time.Minute, now.Add(-2 * time.Hour), "", nil, 403, "AccessDenied"},
		{"presign: signed in the future", time.Hour, now.Add(2 * time.Hour), "", nil, 403, "AccessDenied"},
		{"presign: expiry stretched after signing", time.Minute, now.Add(-2 * time.Hour), "", func(q url.Values) { q.Set("X-Amz-Expires", "604800") }, 403, "SignatureDoesNotMatch"},
		{"presign: no X-Amz-SignedHeaders", time.Hour, now, "", func(q url.Values) { q.Del("X-Amz-SignedHeaders") }, 400, "AuthorizationQueryParametersError"},
		{"presign: signed headers without host", time.Hour, now, "", func(q url.Values) { q.Set("X-Amz-SignedHeaders", "x-amz-date") }, 403, "AccessDenied"},
		{"presign: no X-Amz-Signature", time.Hour, now, "", func(q url.Values) { q.Del("X-Amz-Signature") }, 400, "AuthorizationQueryParametersError"},
		{"presign: signature tampered", time.Hour, now, "", func(q url.Values) {
			s := []byte(q.Get("X-Amz-Signature"))
			s[0] ^= 1
			q.Set("X-Amz-Signature", string(s))
		}, 403, "SignatureDoesNotMatch"},
		{"presign: signature given twice", time.Hour, now, "", func(q url.Values) { q.Add("X-Amz-Signature", q.Get("X-Amz-Signature")) }, 400, "AuthorizationQueryParametersError"},
		{"presign: bogus security token", time.Hour, now, "", func(q url.Values) { q.Set("X-Amz-Security-Token", "bogus") }, 400, "InvalidToken"},
		{"presign: credential given twice", time.Hour, now, "", func(q url.Values) { q.Add("X-Amz-Credential", "AKIDUNKNOWN000000000/x") }, 400, "AuthorizationQueryParametersError"},
		{"presign v2: Signature given twice", time.Hour, now, sigv4.AlgorithmV2, func(q url.Values) { q.Add("Signature", q.Get("Signature")) }, 400, "AuthorizationQueryParametersError"},
		{"presign: unsigned parameter added", time.Hour, now, "", func(q url.Values) { q.Set("tagging", "") }, 403, "SignatureDoesNotMatch"},
		{"presign: acl parameter smuggled", time.Hour, now, "", func(q url.Values) { q.Set("x-amz-acl", "public-read") }, 403, "SignatureDoesNotMatch"},
		{"presign v2: expired", time.Minute, now.Add(-2 * time.Hour), sigv4.AlgorithmV2, nil, 403, "AccessDenied"},
		{"presign v2: no Signature", time.Hour, now, sigv4.AlgorithmV2, func(q url.Values) { q.Del("Signature") }, 403, "AccessDenied"},
		{"presign v2: Expires not a number", time.Hour, now, sigv4.AlgorithmV2, func(q url.Values) { q.Set("Expires", "soon") }, 403, "AccessDenied"},
		{"presign v2: unknown key", time.Hour, now, sigv4.AlgorithmV2, func(q url.Values) { q.Set("AWSAccessKeyId", "AKIDUNKNOWN000000000") }, 403, "InvalidAccessKeyId"},
		{"presign v2: signature tampered", time.Hour, now, sigv4.AlgorithmV2, func(q url.Values) { q.Set("Signature", "AAAA"+q.Get("Signature")[4:]) }, 403, "SignatureDoesNotMatch"},
		{"presign v4a: signature tampered", time.Hour, now, sigv4.AlgorithmV4A, func(q url.Values) {
			s := []byte(q.Get("X-Amz-Signature"))
			s[len(s)/2] ^= 1 // a DER signature starts with 3045 nearly always; tamper with the middle
			q.Set("X-Amz-Signature", string(s))
		}, 403, "SignatureDoesNotMatch"},
	} {
		add(row{name: p.name, req: presigned(k(p.name), p.exp, p.at, p.alg, p.f), status: p.status, code: p.code, key: k(p.name)})
	}

	// --- path traversal and odd keys: legal, stored as keys, never as paths ---
	for i, key := range []string{
		"../../etc/passwd", "../../../../../../etc/passwd", "..", ".", "./x", "a/../../b", "/etc/passwd", "//double",
		"blobs/../meta.db", "tmp/0123456789abcdef0123456789abcdef", "..\\..\\windows\\win.ini", "C:/Windows/System32",
		"~root/.ssh/authorized_keys", "a/./b/../c", "key with spaces", "emoji-\U0001F600", "rtl-\u202e-txt.exe", "%2e%2e",
		"meta.db", "0123456789abcdef0123456789abcdef",
	} {
		escaped := (&url.URL{Path: key}).EscapedPath()
		name := fmt.Sprintf("traversal key %d %q", i, key)
		body := []byte("outpost-hostile " + key)
		add(row{name: name, req: func(e *env) *http.Request { return e.signed("PUT", "/"+bucket+"/"+escaped, body) }, status: 200, key: key, stores: true, body: body})
	}
	for i, tc := range []struct{ path, key string }{
		{"..%2F..%2Fetc%2Fpasswd", "../../etc/passwd"},
		{"%2e%2e/%2e%2e/etc/passwd", "../../etc/passwd"},
		{"%2E%2E%2F%2E%2E%2Fmeta.db", "../../meta.db"},
		{"..%5c..%5cboot.ini", "..\\..\\boot.ini"},
		{"%2Fabsolute", "/absolute"},
		{"line%0d%0abreak", "line\r\nbreak"},
		{"tab%09key", "tab\tkey"},
	} {
		body := []byte("outpost-hostile encoded " + tc.key)
		add(row{name: fmt.Sprintf("encoded traversal key %d %s", i, tc.path), req: func(e *env) *http.Request {
			r := e.signed("PUT", "/"+bucket+"/placeholder", body)
			u, _ := url.Parse(e.url("/" + bucket + "/" + tc.path))
			r, _ = http.NewRequest("PUT", u.String(), bytes.NewReader(body))
			sigv4.SignRequest(r, creds, testserver.Region, "s3", sha(body), time.Now())
			return r
		}, status: 200, key: tc.key, stores: true, body: body})
	}
	add(row{name: "key of 1025 bytes", req: func(e *env) *http.Request {
		return e.signed("PUT", "/"+bucket+"/"+strings.Repeat("k", 1025), []byte("x"))
	}, status: 400, code: "KeyTooLongError", key: strings.Repeat("k", 1025)})
	add(row{name: "key of 1025 bytes through traversal", req: func(e *env) *http.Request {
		return e.signed("PUT", "/"+bucket+"/"+strings.Repeat("../", 342), []byte("x"))
	}, status: 400, code: "KeyTooLongError"})

	// --- header and query injection ---
	add(row{name: "metadata that looks like CRLF injection is stored literally", req: func(e *env) *http.Request {
		return e.signed("PUT", "/"+bucket+"/"+k("crlf-literal"), []byte("x"), "x-amz-meta-note", "=?UTF-8?Q?a=0D=0AX-Evil:=201?=")
	}, status: 200, key: k("crlf-literal"), stores: true, body: []byte("x")})
	add(row{name: "bare CR in a metadata value", raw: rawSigned("PUT", "/"+bucket+"/"+k("bare-cr"), []byte("x"), true, "", "x-amz-meta-a: b\rX-Evil: 1"), status: 400, key: k("bare-cr")})
	add(row{name: "NUL in a metadata value", raw: rawSigned("PUT", "/"+bucket+"/"+k("nul"), []byte("x"), true, "", "x-amz-meta-a: b\x00c"), status: 400, key: k("nul")})
	add(row{name: "obsolete header folding", raw: rawSigned("PUT", "/"+bucket+"/"+k("fold"), []byte("x"), true, "", "x-amz-meta-a: b", " X-Evil: 1"), status: 403, code: "AccessDenied", key: k("fold")}) // folded into an unsigned header
	add(row{name: "space in a header name", raw: rawSigned("PUT", "/"+bucket+"/"+k("hdrspace"), []byte("x"), true, "", "x-amz-meta a: b"), status: 400, key: k("hdrspace")})
	add(row{name: "header without a colon", raw: rawSigned("PUT", "/"+bucket+"/"+k("nocolon"), []byte("x"), true, "", "x-amz-meta-a"), status: 400, key: k("nocolon")})
	add(row{name: "unsigned metadata smuggled on a raw request", raw: rawSigned("PUT", "/"+bucket+"/"+k("smuggle"), []byte("x"), true, "", "x-amz-meta-smuggled: 1"), status: 403, code: "AccessDenied", key: k("smuggle")})
	add(row{name: "response header injection through response-content-type", req: func(e *env) *http.Request {
		return e.signed("GET", "/"+bucket+"/existing?response-content-type="+url.QueryEscape("text/plain\r\nX-Evil: 1"), nil)
	}, status: 200, check: func(t *testing.T, resp *http.Response, _ []byte) {
		if resp.Header.Get("X-Evil") != "" {
			t.Fatal("a query parameter injected a response header")
		}
	}})
	add(row{name: "NUL in versionId", req: func(e *env) *http.Request { return e.signed("GET", "/"+bucket+"/existing?versionId=null%00", nil) }, status: 400, code: "InvalidArgument"})
	add(row{name: "invalid percent-encoding in the query", raw: rawSigned("GET", "/"+bucket+"?prefix=%zz", nil, false, "-"), status: 0})
	add(row{name: "invalid UTF-8 prefix", req: func(e *env) *http.Request { return e.signed("GET", "/"+bucket+"?list-type=2&prefix=%ff%fe", nil) }, status: 200})
	add(row{name: "negative max-keys", req: func(e *env) *http.Request { return e.signed("GET", "/"+bucket+"?list-type=2&max-keys=-1", nil) }, status: 400, code: "InvalidArgument"})
	add(row{name: "max-keys overflows", req: func(e *env) *http.Request {
		return e.signed("GET", "/"+bucket+"?list-type=2&max-keys=99999999999999999999", nil)
	}, status: 400, code: "InvalidArgument"})
	add(row{name: "garbage continuation token", req: func(e *env) *http.Request {
		return e.signed("GET", "/"+bucket+"?list-type=2&continuation-token=%00%01garbage", nil)
	}, status: 400, code: "InvalidArgument"})
	add(row{name: "unknown encoding-type", req: func(e *env) *http.Request {
		return e.signed("GET", "/"+bucket+"?list-type=2&encoding-type=base64", nil)
	}, status: 400, code: "InvalidArgument"})
	add(row{name: "tagging header with duplicate keys", req: func(e *env) *http.Request {
		return e.signed("PUT", "/"+bucket+"/"+k("dup-tags"), []byte("x"), "x-amz-tagging", "a=1&a=2")
	}, status: 400, code: "InvalidTag", key: k("dup-tags")})
	add(row{name: "unknown canned ACL", req: func(e *env) *http.Request {
		return e.signed("PUT", "/"+bucket+"/"+k("acl"), []byte("x"), "x-amz-acl", "everyone-write")
	}, status: 400, code: "InvalidArgument", key: k("acl")})
	add(row{name: "unknown storage class", req: func(e *env) *http.Request {
		return e.signed("PUT", "/"+bucket+"/"+k("class"), []byte("x"), "x-amz-storage-class", "GLACIER'--")
	}, status: 400, code: "InvalidStorageClass", key: k("class")})
	add(row{name: "copy source outside any bucket", req: func(e *env) *http.Request {
		return e.signed("PUT", "/"+bucket+"/"+k("copy-etc"), nil, "x-amz-copy-source", "/../../etc/passwd")
	}, status: 0, key: k("copy-etc")})
	add(row{name: "copy source bucket only", req: func(e *env) *http.Request {
		return e.signed("PUT", "/"+bucket+"/"+k("copy-bucket"), nil, "x-amz-copy-source", bucket)
	}, status: 400, code: "InvalidArgument", key: k("copy-bucket")})
	add(row{name: "copy source with bad percent-encoding", req: func(e *env) *http.Request {
		return e.signed("PUT", "/"+bucket+"/"+k("copy-pct"), nil, "x-amz-copy-source", bucket+"/%zz")
	}, status: 400, code: "InvalidArgument", key: k("copy-pct")})
	add(row{name: "copy with a body", req: func(e *env) *http.Request {
		return e.signed("PUT", "/"+bucket+"/"+k("copy-body"), []byte("body"), "x-amz-copy-source", bucket+"/existing")
	}, status: 400, code: "InvalidRequest", key: k("copy-body")})
	add(row{name: "unknown metadata directive", req: func(e *env) *http.Request {
		return e.signed("PUT", "/"+bucket+"/"+k("copy-dir"), nil, "x-amz-copy-source", bucket+"/existing", "x-amz-metadata-directive", "MERGE")
	}, status: 400, code: "InvalidArgument", key: k("copy-dir")})
	add(row{name: "SSE-KMS (not on S3 on Outposts)", req: func(e *env) *http.Request {
		return e.signed("PUT", "/"+bucket+"/"+k("sse"), []byte("x"), "x-amz-server-side-encryption", "aws:kms")
	}, status: 400, code: "InvalidArgument", key: k("sse")})
	add(row{name: "explicit grant header", req: func(e *env) *http.Request {
		return e.signed("PUT", "/"+bucket+"/existing?acl", nil, "x-amz-grant-full-control", "id=evil")
	}, status: 501, code: "NotImplemented"})

	// --- oversize ---
	add(row{name: "header section over 8 KB", req: func(e *env) *http.Request {
		return e.signed("PUT", "/"+bucket+"/"+k("big-hdr"), []byte("x"), "x-big", strings.Repeat("a", 9000))
	}, status: 400, code: "RequestHeaderSectionTooLarge", key: k("big-hdr")})
	add(row{name: "header section over 1 MiB", raw: rawSigned("PUT", "/"+bucket+"/"+k("huge-hdr"), []byte("x"), true, "", "X-Huge: "+strings.Repeat("a", 1100<<10)), status: 431, key: k("huge-hdr")})
	add(row{name: "request line over 1 MiB", raw: rawSigned("GET", "/"+bucket+"/"+strings.Repeat("a", 1100<<10), nil, false, "-"), status: 0})
	add(row{name: "metadata over 2 KB", req: func(e *env) *http.Request {
		return e.signed("PUT", "/"+bucket+"/"+k("big-meta"), []byte("x"), "x-amz-meta-big", strings.Repeat("m", 2100))
	}, status: 400, code: "MetadataTooLarge", key: k("big-meta")})
	add(row{name: "XML body over 1 MiB", req: func(e *env) *http.Request {
		body := []byte("<Tagging><TagSet>" + strings.Repeat("<Tag><Key>k</Key><Value>v</Value></Tag>", 30000) + "</TagSet></Tagging>")
		return e.signed("PUT", "/"+bucket+"/existing?tagging", body)
	}, status: 400, code: "MaxMessageLengthExceeded"})
	add(row{name: "billion laughs", req: func(e *env) *http.Request {
		var b strings.Builder
		b.WriteString(`<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">`)
		prev := "lol"
		for i := 1; i <= 9; i++ {
			fmt.Fprintf(&b, `<!ENTITY lol%d "%s">`, i, strings.Repeat("&"+prev+";", 10))
			prev = fmt.Sprintf("lol%d", i)
		}
		b.WriteString(`]><Tagging><TagSet><Tag><Key>&lol9;</Key><Value>v</Value></Tag></TagSet></Tagging>`)
		return e.signed("PUT", "/"+bucket+"/existing?tagging", []byte(b.String()))
	}, status: 400, code: "MalformedXML"})
	add(row{name: "external entity", req: func(e *env) *http.Request {
		return e.signed("PUT", "/"+bucket+"/existing?tagging", []byte(`<?xml version="1.0"?><!DOCTYPE t [<!ENTITY x SYSTEM "file:///etc/passwd">]><Tagging><TagSet><Tag><Key>&x;</Key><Value>v</Value></Tag></TagSet></Tagging>`))
	}, status: 400, code: "MalformedXML"})
	add(row{name: "XML nested 200000 deep", req: func(e *env) *http.Request {
		return e.signed("PUT", "/"+bucket+"/existing?tagging", []byte("<Tagging>"+strings.Repeat("<a>", 200000)+strings.Repeat("</a>", 200000)+"</Tagging>"))
	}, status: 400, code: "MaxMessageLengthExceeded"})
	add(row{name: "XML nested 100000 deep within 1 MiB is skipped, not recursed", req: func(e *env) *http.Request {
		return e.signed("PUT", "/"+bucket+"/existing?tagging", []byte("<Tagging>"+strings.Repeat("<a>", 100000)+strings.Repeat("</a>", 100000)+"</Tagging>"))
	}, status: 200})
	add(row{name: "XML nested 100000 deep and unclosed", req: func(e *env) *http.Request {
		return e.signed("PUT", "/"+bucket+"/existing?tagging", []byte("<Tagging>"+strings.Repeat("<a>", 100000)))
	}, status: 400, code: "MalformedXML"})
	add(row{name: "eleven tags", req: func(e *env) *http.Request {
		body := "<Tagging><TagSet>"
		for i := 0; i < 11; i++ {
			body += fmt.Sprintf("<Tag><Key>k%d</Key><Value>v</Value></Tag>", i)
		}
		return e.signed("PUT", "/"+bucket+"/existing?tagging", []byte(body+"</TagSet></Tagging>"))
	}, status: 400, code: "InvalidTag"})
	add(row{name: "tag value over 256 characters", req: func(e *env) *http.Request {
		return e.signed("PUT", "/"+bucket+"/existing?tagging", []byte("<Tagging><TagSet><Tag><Key>k</Key><Value>"+strings.Repeat("v", 257)+"</Value></Tag></TagSet></Tagging>"))
	}, status: 400, code: "InvalidTag"})
	add(row{name: "delete of 1001 keys", req: func(e *env) *http.Request {
		body := "<Delete>" + strings.Repeat("<Object><Key>existing</Key></Object>", 1001) + "</Delete>"
		sum := md5.Sum([]byte(body))
		return e.signed("POST", "/"+bucket+"?delete", []byte(body), "Content-MD5", base64.StdEncoding.EncodeToString(sum[:]))
	}, status: 400, code: "MalformedXML"})
	add(row{name: "delete body not XML", req: func(e *env) *http.Request {
		body := `{"Objects":[{"Key":"existing"}]}`
		sum := md5.Sum([]byte(body))
		return e.signed("POST", "/"+bucket+"?delete", []byte(body), "Content-MD5", base64.StdEncoding.EncodeToString(sum[:]))
	}, status: 400, code: "MalformedXML"})
	add(row{name: "versioning status invented", req: func(e *env) *http.Request {
		return e.signed("PUT", "/"+bucket+"?versioning", []byte("<VersioningConfiguration><Status>Sometimes</Status></VersioningConfiguration>"))
	}, status: 400, code: "IllegalVersioningConfigurationException"})
	add(row{name: "policy that is not JSON", req: func(e *env) *http.Request {
		return e.signed("PUT", "/"+bucket+"?policy", []byte("<Policy/>"))
	}, status: 400, code: "MalformedPolicy"})
	add(row{name: "policy granting everyone everything on another bucket", req: func(e *env) *http.Request {
		return e.signed("PUT", "/"+bucket+"?policy", []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::other/*"}]}`))
	}, status: 400, code: "MalformedPolicy", check: func(t *testing.T, resp *http.Response, _ []byte) {
		base := strings.TrimSuffix(resp.Request.URL.String(), "?policy")
		for _, m := range []string{"GET", "PUT", "DELETE"} {
			r, _ := http.NewRequest(m, base+"/existing", strings.NewReader("anon"))
			ar, err := http.DefaultClient.Do(r)
			if err != nil {
				t.Fatal(err)
			}
			ar.Body.Close()
			if ar.StatusCode != 403 {
				t.Fatalf("anonymous %s after a policy on another bucket: %d", m, ar.StatusCode)
			}
		}
		r, _ := http.NewRequest("DELETE", base+"?policy", nil)
		sigv4.SignRequest(r, creds, testserver.Region, "s3", sigv4.EmptySHA256, time.Now())
		if dr, err := http.DefaultClient.Do(r); err == nil {
			dr.Body.Close()
		}
	}})

	// --- multipart ---
	up := func(q string) string { return "/" + bucket + "/mp?" + q }
	for _, pn := range []string{"0", "10001", "-1", "abc", "1.5", "", "99999999999999999999"} {
		add(row{name: "upload part number " + strconv.Quote(pn), req: func(e *env) *http.Request {
			return e.signed("PUT", up("partNumber="+url.QueryEscape(pn)+"&uploadId="+e.uploadID), []byte("x"))
		}, status: 400, code: "InvalidArgument"})
	}
	add(row{name: "upload part to an unknown upload", req: func(e *env) *http.Request {
		return e.signed("PUT", up("partNumber=1&uploadId=bogus"), []byte("x"))
	}, status: 404, code: "NoSuchUpload"})
	add(row{name: "upload part with a traversal upload id", req: func(e *env) *http.Request {
		return e.signed("PUT", up("partNumber=1&uploadId=..%2F..%2Fetc%2Fpasswd"), []byte("x"))
	}, status: 404, code: "NoSuchUpload"})
	add(row{name: "upload part to another key's upload", req: func(e *env) *http.Request {
		return e.signed("PUT", "/"+bucket+"/other?partNumber=1&uploadId="+e.uploadID, []byte("x"))
	}, status: 404, code: "NoSuchUpload"})
	complete := func(name, body string, status int, code string) {
		add(row{name: name, req: func(e *env) *http.Request {
			return e.signed("POST", up("uploadId="+e.uploadID), []byte(body))
		}, status: status, code: code, key: "mp"})
	}
	var many strings.Builder
	many.WriteString("<CompleteMultipartUpload>")
	for i := 1; i <= 10001; i++ {
		fmt.Fprintf(&many, "<Part><PartNumber>%d</PartNumber><ETag>\"x\"</ETag></Part>", i)
	}
	many.WriteString("</CompleteMultipartUpload>")
	complete("complete with 10001 parts", many.String(), 400, "InvalidPart")
	complete("complete with part number 0", `<CompleteMultipartUpload><Part><PartNumber>0</PartNumber><ETag>"x"</ETag></Part></CompleteMultipartUpload>`, 400, "InvalidPartOrder")
	complete("complete with part number 10001", `<CompleteMultipartUpload><Part><PartNumber>10001</PartNumber><ETag>"x"</ETag></Part></CompleteMultipartUpload>`, 400, "InvalidPart")
	complete("complete with parts out of order", `<CompleteMultipartUpload><Part><PartNumber>2</PartNumber><ETag>"x"</ETag></Part><Part><PartNumber>1</PartNumber><ETag>"x"</ETag></Part></CompleteMultipartUpload>`, 400, "InvalidPartOrder")
	complete("complete with a part never uploaded", `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"x"</ETag></Part></CompleteMultipartUpload>`, 400, "InvalidPart")
	complete("complete with no parts", `<CompleteMultipartUpload></CompleteMultipartUpload>`, 400, "MalformedXML")
	complete("complete with malformed XML", `<CompleteMultipartUpload><Part>`, 400, "MalformedXML")
	add(row{name: "complete an unknown upload", req: func(e *env) *http.Request {
		return e.signed("POST", up("uploadId=bogus"), []byte(`<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"x"</ETag></Part></CompleteMultipartUpload>`))
	}, status: 404, code: "NoSuchUpload", key: "mp"})
	add(row{name: "list parts with negative max-parts", req: func(e *env) *http.Request {
		return e.signed("GET", up("uploadId="+e.uploadID+"&max-parts=-1"), nil)
	}, status: 400, code: "InvalidArgument"})
	add(row{name: "list parts with a garbage marker", req: func(e *env) *http.Request {
		return e.signed("GET", up("uploadId="+e.uploadID+"&part-number-marker=abc"), nil)
	}, status: 400, code: "InvalidArgument"})
	for _, pn := range []string{"0", "10001", "-5", "x"} {
		add(row{name: "get object part number " + pn, req: func(e *env) *http.Request {
			return e.signed("GET", "/"+bucket+"/existing?partNumber="+pn, nil)
		}, status: 400, code: "InvalidArgument"})
	}

	// --- Content-Length ---
	add(row{name: "negative Content-Length", raw: rawSigned("PUT", "/"+bucket+"/"+k("cl-neg"), []byte("x"), false, "-1"), status: 400, key: k("cl-neg")})
	add(row{name: "non-numeric Content-Length", raw: rawSigned("PUT", "/"+bucket+"/"+k("cl-nan"), []byte("x"), false, "one"), status: 400, key: k("cl-nan")})
	add(row{name: "two different Content-Lengths", raw: rawSigned("PUT", "/"+bucket+"/"+k("cl-two"), []byte("x"), false, "1", "Content-Length: 2"), status: 400, key: k("cl-two")})
	add(row{name: "Content-Length overflows int64", raw: rawSigned("PUT", "/"+bucket+"/"+k("cl-ovf"), nil, false, "99999999999999999999"), status: 400, key: k("cl-ovf")})
	add(row{name: "Content-Length of 5 GiB + 1 without a body", raw: rawSigned("PUT", "/"+bucket+"/"+k("cl-5g"), nil, true, strconv.FormatInt(5<<30+1, 10)), status: 400, code: "EntityTooLarge", key: k("cl-5g")})
	add(row{name: "Content-Length of 2^63-1 without a body", raw: rawSigned("PUT", "/"+bucket+"/"+k("cl-max"), nil, true, "9223372036854775807"), status: 400, code: "EntityTooLarge", key: k("cl-max")})
	add(row{name: "Content-Length longer than the body", raw: rawSigned("PUT", "/"+bucket+"/"+k("cl-short"), []byte("12345"), true, "10"), status: 400, code: "IncompleteBody", key: k("cl-short")})
	add(row{name: "chunked transfer without a length", raw: rawSigned("PUT", "/"+bucket+"/"+k("te"), []byte("1\r\nx\r\n0\r\n\r\n"), true, "-", "Transfer-Encoding: chunked"), status: 411, code: "MissingContentLength", key: k("te")})
	add(row{name: "Transfer-Encoding and Content-Length together", raw: rawSigned("PUT", "/"+bucket+"/"+k("te-cl"), []byte("1\r\nx\r\n0\r\n\r\n"), false, "3", "Transfer-Encoding: chunked"), status: 403, code: "AccessDenied", key: k("te-cl")}) // Go drops Content-Length; the request is unsigned
	add(row{name: "unknown Transfer-Encoding", raw: rawSigned("PUT", "/"+bucket+"/"+k("te-gzip"), []byte("x"), false, "-", "Transfer-Encoding: gzip"), status: 501, key: k("te-gzip")})

	// --- Content-MD5 and checksums ---
	for _, c := range []struct{ name, hdr, val, code string }{
		{"Content-MD5 of other bytes", "Content-MD5", func() string { s := md5.Sum([]byte("y")); return base64.StdEncoding.EncodeToString(s[:]) }(), "BadDigest"},
		{"Content-MD5 not base64", "Content-MD5", "not base64!", "InvalidDigest"},
		{"Content-MD5 of 15 bytes", "Content-MD5", base64.StdEncoding.EncodeToString(make([]byte, 15)), "InvalidDigest"},
		{"Content-MD5 in hex", "Content-MD5", "9dd4e461268c8034f5c8564e155c67a6", "InvalidDigest"},
		{"Content-MD5 of 17 bytes", "Content-MD5", base64.StdEncoding.EncodeToString(make([]byte, 17)), "InvalidDigest"},
		{"CRC32 that does not match", "x-amz-checksum-crc32", "AAAAAA==", "BadDigest"},
		{"SHA256 checksum not base64", "x-amz-checksum-sha256", "%%%", "BadDigest"},
		{"two checksum algorithms", "x-amz-checksum-crc32c", "AAAAAA==", "InvalidRequest"},
		{"unknown checksum algorithm", "x-amz-sdk-checksum-algorithm", "MD4", "InvalidRequest"},
	} {
		extra := []string{c.hdr, c.val}
		if c.name == "two checksum algorithms" {
			extra = append(extra, "x-amz-checksum-crc32", "AAAAAA==")
		}
		add(row{name: c.name, req: func(e *env) *http.Request {
			return e.signed("PUT", "/"+bucket+"/"+k(c.name), []byte("x"), extra...)
		}, status: 400, code: c.code, key: k(c.name)})
	}

	// --- bucket names ---
	for _, name := range []string{
		"ab", strings.Repeat("a", 64), "UPPERCASE", "under_score", "-leading", "trailing-", "192.168.1.1", "a..b",
		"xn--punycode", "sthree-reserved", "reserved-s3alias", "reserved--ol-s3", "a.-b", "a-.b", "..", "white%20space",
		"b%C3%BCcket", "dot.", ".dot", "semi%3Bcolon", "amzn-s3-demo-bucket--x-s3", "sthree-configurator",
	} {
		add(row{name: "create invalid bucket " + name, req: func(e *env) *http.Request { return e.signed("PUT", "/"+name, nil) }, status: 400, code: "InvalidBucketName"})
	}
	add(row{name: "create existing bucket", req: func(e *env) *http.Request { return e.signed("PUT", "/"+bucket, nil) }, status: 409, code: "BucketAlreadyOwnedByYou"})
	add(row{name: "create bucket in another region", req: func(e *env) *http.Request {
		return e.signed("PUT", "/region-mismatch", []byte("<CreateBucketConfiguration><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>"))
	}, status: 400, code: "InvalidArgument"})
	add(row{name: "create bucket with an unknown ACL", req: func(e *env) *http.Request {
		return e.signed("PUT", "/acl-mismatch", nil, "x-amz-acl", "world-writable")
	}, status: 400, code: "InvalidArgument"})
	add(row{name: "delete a non-empty bucket", req: func(e *env) *http.Request { return e.signed("DELETE", "/"+bucket, nil) }, status: 409, code: "BucketNotEmpty"})
	add(row{name: "put into a missing bucket", req: func(e *env) *http.Request { return e.signed("PUT", "/no-such-bucket-here/k", []byte("x")) }, status: 404, code: "NoSuchBucket"})
	add(row{name: "put into an invalid bucket name", req: func(e *env) *http.Request { return e.signed("PUT", "/UPPER/k", []byte("x")) }, status: 404, code: "NoSuchBucket"})

	// --- version IDs ---
	for _, v := range []string{"garbage!", "../x", strings.Repeat("v", 1025), "%00", "null%0d%0a", "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY"} {
		add(row{name: "get with versionId " + strconv.Quote(v[:min(len(v), 20)]), req: func(e *env) *http.Request {
			return e.signed("GET", "/"+bucket+"/existing?versionId="+v, nil)
		}, status: 400, code: "InvalidArgument"})
	}
	add(row{name: "get with a well-formed unknown versionId", req: func(e *env) *http.Request {
		return e.signed("GET", "/"+bucket+"/existing?versionId=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", nil)
	}, status: 404, code: "NoSuchVersion"})
	add(row{name: "delete with an invalid versionId keeps the object", req: func(e *env) *http.Request {
		return e.signed("DELETE", "/"+bucket+"/existing?versionId=../x", nil)
	}, status: 400, code: "InvalidArgument"}) // a malformed version ID is refused, as in S3; the snapshot proves "existing" stays
	add(row{name: "delete a well-formed version that does not exist keeps the object", req: func(e *env) *http.Request {
		return e.signed("DELETE", "/"+bucket+"/existing?versionId=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", nil)
	}, status: 204}) // deleting a version that does not exist succeeds, as in S3
	add(row{name: "tag an invalid versionId", req: func(e *env) *http.Request {
		return e.signed("PUT", "/"+bucket+"/existing?tagging&versionId=!!", []byte("<Tagging><TagSet></TagSet></Tagging>"))
	}, status: 400, code: "InvalidArgument"})

	// --- methods and request lines ---
	// OPTIONS is a CORS preflight, answered as S3 does (400 without Origin).
	add(row{name: "method OPTIONS", req: func(e *env) *http.Request { return e.signed("OPTIONS", "/"+bucket+"/existing", nil) }, status: 400, code: "BadRequest"})
	add(row{name: "OPTIONS with an Origin", req: func(e *env) *http.Request {
		r := e.signed("OPTIONS", "/"+bucket+"/existing", nil)
		r.Header.Set("Origin", "https://evil.example")
		r.Header.Set("Access-Control-Request-Method", "PUT")
		return r
	}, status: 403, code: "AccessForbidden"})
	for _, m := range []string{"PROPFIND", "TRACE", "PATCH"} {
		add(row{name: "method " + m, req: func(e *env) *http.Request { return e.signed(m, "/"+bucket+"/existing", nil) }, status: 501, code: "NotImplemented"})
	}
	add(row{name: "absolute-form request target for another host", raw: rawSigned("GET", "http://evil.example.com/"+bucket+"/existing", nil, false, "-"), status: 403, code: "AccessDenied", halfOpen: true})
	add(row{name: "HTTP/0.9 style request", raw: func(*env) []byte { return []byte("GET /" + bucket + "/existing\r\n\r\n") }, status: 0})
	add(row{name: "HTTP/2 preface on HTTP/1 port", raw: func(*env) []byte { return []byte("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n") }, status: 0})
	add(row{name: "binary garbage", raw: func(*env) []byte { return []byte("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03") }, status: 0})
	add(row{name: "request target without a leading slash", raw: rawSigned("GET", bucket+"/existing", nil, false, "-"), status: 0})
	for _, more := range moreRows {
		rows = append(rows, more()...)
	}
	return rows
}

// moreRows are the row sets other files of this package add (one file per
// area of attack), each registered from an init function.
var moreRows []func() []row

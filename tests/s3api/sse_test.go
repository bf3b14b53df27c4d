package s3api_test

import (
	"bytes"
	"crypto/md5"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/outpost-s3/outpost/internal/app"
	"github.com/outpost-s3/outpost/internal/testserver"
	"github.com/outpost-s3/outpost/sigv4"
)

// findInDataDir reports which files under dir (blobs, the SQLite database
// and its WAL) hold needle.
func findInDataDir(t *testing.T, dir string, needle []byte) []string {
	t.Helper()
	var hits []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // a temporary file went away
			}
			return err
		}
		if bytes.Contains(b, needle) {
			hits = append(hits, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return hits
}

// tlsS3 is a Go SDK client for the server's HTTPS listener (SSE-C needs TLS).
func tlsS3(t *testing.T, srv *testserver.Server) *s3.Client {
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: srv.CAPool}, ExpectContinueTimeout: time.Second}}
	return srv.S3(t, func(o *s3.Options) {
		o.BaseEndpoint = aws.String(srv.TLSURL)
		o.HTTPClient = hc
	})
}

func wantAPIError(t *testing.T, what string, err error, status int, code string) {
	t.Helper()
	var re *smithyhttp.ResponseError
	if !errors.As(err, &re) || re.HTTPStatusCode() != status {
		t.Fatalf("%s: %v, want HTTP %d %s", what, err, status, code)
	}
	var ae smithy.APIError
	if code != "" && (!errors.As(err, &ae) || ae.ErrorCode() != code) {
		t.Fatalf("%s: %v, want code %s", what, err, code)
	}
}

// TestObjectsAreEncryptedAtRest (issue 12, item 13): every object is
// SSE-S3 by default, as on S3 on Outposts — inline, blob, multipart and
// copied — so a marker written in it is nowhere in the data directory,
// reads (whole and ranged) return the plaintext, every write and read
// answers x-amz-server-side-encryption: AES256, and the objects read
// back after a restart. With --encrypt-at-rest=false the marker is on
// disk (the search can find it) and the header is absent, unless a
// request asks for AES256.
func TestObjectsAreEncryptedAtRest(t *testing.T) {
	dir := t.TempDir()
	srv := testserver.Start(t, testserver.Options{DataDir: dir})
	c := srv.S3(t)
	srv.MustBucket(t, "sealed")
	marker := []byte("OUTPOST-PLAINTEXT-MARKER-7f3a")
	body := func(n int) []byte {
		b := bytes.Repeat([]byte("."), n)
		for i := 0; i+len(marker) <= n; i += 4096 {
			copy(b[i:], marker)
		}
		return b
	}
	objs := map[string][]byte{"inline": body(3000), "blob": body(300 << 10)}
	for k, b := range objs {
		out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("sealed"), Key: aws.String(k), Body: bytes.NewReader(b)})
		if err != nil {
			t.Fatal(err)
		}
		if out.ServerSideEncryption != s3types.ServerSideEncryptionAes256 {
			t.Fatalf("PutObject %s: x-amz-server-side-encryption %q, want AES256", k, out.ServerSideEncryption)
		}
		sum := md5.Sum(b)
		if strings.Trim(aws.ToString(out.ETag), `"`) != hex.EncodeToString(sum[:]) {
			t.Fatalf("PutObject %s: ETag %s is not the MD5 of the body (SSE-S3 keeps it)", k, aws.ToString(out.ETag))
		}
	}
	// Multipart: two parts, the first at the 5 MiB minimum.
	cmu, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("sealed"), Key: aws.String("multi")})
	if err != nil {
		t.Fatal(err)
	}
	if cmu.ServerSideEncryption != s3types.ServerSideEncryptionAes256 {
		t.Fatalf("CreateMultipartUpload: header %q", cmu.ServerSideEncryption)
	}
	parts := [][]byte{body(5 << 20), body(70 << 10)}
	var done []s3types.CompletedPart
	for i, p := range parts {
		up, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("sealed"), Key: aws.String("multi"), UploadId: cmu.UploadId,
			PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(p)})
		if err != nil {
			t.Fatal(err)
		}
		if up.ServerSideEncryption != s3types.ServerSideEncryptionAes256 {
			t.Fatalf("UploadPart: header %q", up.ServerSideEncryption)
		}
		done = append(done, s3types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: up.ETag})
	}
	comp, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("sealed"), Key: aws.String("multi"), UploadId: cmu.UploadId,
		MultipartUpload: &s3types.CompletedMultipartUpload{Parts: done}})
	if err != nil {
		t.Fatal(err)
	}
	if comp.ServerSideEncryption != s3types.ServerSideEncryptionAes256 {
		t.Fatalf("CompleteMultipartUpload: header %q", comp.ServerSideEncryption)
	}
	objs["multi"] = append(append([]byte{}, parts[0]...), parts[1]...)
	cp, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("sealed"), Key: aws.String("copy"), CopySource: aws.String("sealed/blob")})
	if err != nil {
		t.Fatal(err)
	}
	if cp.ServerSideEncryption != s3types.ServerSideEncryptionAes256 {
		t.Fatalf("CopyObject: header %q", cp.ServerSideEncryption)
	}
	objs["copy"] = objs["blob"]

	if hits := findInDataDir(t, dir, marker); len(hits) > 0 {
		t.Fatalf("the plaintext marker is on disk in %v", hits)
	}
	check := func(c *s3.Client) {
		t.Helper()
		for k, want := range objs {
			if got := getBytes(t, c, &s3.GetObjectInput{Bucket: aws.String("sealed"), Key: aws.String(k)}); !bytes.Equal(got, want) {
				t.Fatalf("GET %s: %d bytes, not what was written", k, len(got))
			}
			n := len(want)
			for _, r := range [][2]int{{0, 0}, {1, 100}, {n / 3, n/3 + 70000}, {n - 10, n - 1}, {65535, 65537}} {
				if r[1] >= n {
					continue
				}
				rg := "bytes=" + itoa(r[0]) + "-" + itoa(r[1])
				if got := getBytes(t, c, &s3.GetObjectInput{Bucket: aws.String("sealed"), Key: aws.String(k), Range: aws.String(rg)}); !bytes.Equal(got, want[r[0]:r[1]+1]) {
					t.Fatalf("GET %s %s: wrong bytes", k, rg)
				}
			}
			h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("sealed"), Key: aws.String(k)})
			if err != nil || h.ServerSideEncryption != s3types.ServerSideEncryptionAes256 || aws.ToInt64(h.ContentLength) != int64(n) {
				t.Fatalf("HEAD %s: %v %q %d", k, err, h.ServerSideEncryption, aws.ToInt64(h.ContentLength))
			}
		}
	}
	check(c)
	srv.Stop()
	srv = testserver.Start(t, testserver.Options{DataDir: dir})
	check(srv.S3(t))

	// SSE-KMS is not supported by S3 on Outposts; an unknown value is not
	// an encryption method. Nothing is stored.
	for _, in := range []*s3.PutObjectInput{
		{ServerSideEncryption: s3types.ServerSideEncryptionAwsKms},
		{ServerSideEncryption: s3types.ServerSideEncryptionAwsKmsDsse},
		{SSEKMSKeyId: aws.String("arn:aws:kms:us-east-1:111122223333:key/1")},
		{ServerSideEncryption: "AES512"},
	} {
		in.Bucket, in.Key, in.Body = aws.String("sealed"), aws.String("refused"), strings.NewReader("x")
		_, err := srv.S3(t).PutObject(ctx, in)
		wantAPIError(t, "PutObject with "+string(in.ServerSideEncryption)+aws.ToString(in.SSEKMSKeyId), err, 400, "InvalidArgument")
	}
	if _, err := srv.S3(t).HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("sealed"), Key: aws.String("refused")}); err == nil {
		t.Fatal("a refused encryption request stored the object")
	}
	srv.Stop()

	// Plaintext at rest: the marker is found (the search above could
	// fail), no header is sent; asking for AES256 still seals the object.
	pdir := t.TempDir()
	plain := testserver.Start(t, testserver.Options{DataDir: pdir, Config: func(c *app.Config) { c.PlaintextAtRest = true }})
	pc := plain.S3(t)
	plain.MustBucket(t, "plain")
	out, err := pc.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("plain"), Key: aws.String("p"), Body: bytes.NewReader(body(300 << 10))})
	if err != nil || out.ServerSideEncryption != "" {
		t.Fatalf("plaintext PUT: %v, header %q (must be absent: it is not true)", err, out.ServerSideEncryption)
	}
	if hits := findInDataDir(t, pdir, marker); len(hits) == 0 {
		t.Fatal("with --encrypt-at-rest=false the marker is not on disk: the search cannot see plaintext")
	}
	other := []byte("ASKED-FOR-AES256-MARKER-91c2")
	b := bytes.Repeat(other, 1000)
	out, err = pc.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("plain"), Key: aws.String("asked"), Body: bytes.NewReader(b), ServerSideEncryption: s3types.ServerSideEncryptionAes256})
	if err != nil || out.ServerSideEncryption != s3types.ServerSideEncryptionAes256 {
		t.Fatalf("PUT asking AES256 on a plaintext server: %v %q", err, out.ServerSideEncryption)
	}
	if hits := findInDataDir(t, pdir, other); len(hits) > 0 {
		t.Fatalf("an object that asked for SSE-S3 is stored in plaintext in %v", hits)
	}
	if got := getBytes(t, pc, &s3.GetObjectInput{Bucket: aws.String("plain"), Key: aws.String("asked")}); !bytes.Equal(got, b) {
		t.Fatal("GET of the sealed object on a plaintext server: wrong bytes")
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

type ssecKey struct {
	raw    []byte
	b64    string
	md5b64 string
}

func newSSECKey(seed byte) ssecKey {
	raw := bytes.Repeat([]byte{seed}, 32)
	raw[0] = 'K'
	sum := md5.Sum(raw)
	return ssecKey{raw: raw, b64: base64.StdEncoding.EncodeToString(raw), md5b64: base64.StdEncoding.EncodeToString(sum[:])}
}

// TestCustomerProvidedKeys (issue 12, item 13): SSE-C for real, through
// the Go SDK over HTTPS. The object is sealed under the customer's key,
// which is never stored; GET and HEAD need the same key (400 without
// it, 403 with another); ranges work; CopyObject and UploadPartCopy
// read an SSE-C source with the copy-source key headers; multipart parts
// must carry the upload's key; SSE-C over plain HTTP and malformed keys
// are refused as S3 refuses them.
func TestCustomerProvidedKeys(t *testing.T) {
	dir := t.TempDir()
	srv := testserver.Start(t, testserver.Options{DataDir: dir, TLS: true})
	c := tlsS3(t, srv)
	srv.MustBucket(t, "ssec")
	k1, k2 := newSSECKey(1), newSSECKey(2)
	marker := []byte("SSE-C-PLAINTEXT-MARKER-55d0")
	data := bytes.Repeat(marker, 12000) // 324 000 bytes: a blob of several chunks
	small := bytes.Repeat(marker, 10)   // inline
	put := func(key string, b []byte, k ssecKey) *s3.PutObjectOutput {
		t.Helper()
		out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("ssec"), Key: aws.String(key), Body: bytes.NewReader(b),
			SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(k.b64), SSECustomerKeyMD5: aws.String(k.md5b64)})
		if err != nil {
			t.Fatalf("PUT %s with SSE-C: %v", key, err)
		}
		return out
	}
	out := put("big", data, k1)
	if aws.ToString(out.SSECustomerAlgorithm) != "AES256" || aws.ToString(out.SSECustomerKeyMD5) != k1.md5b64 || out.ServerSideEncryption != "" {
		t.Fatalf("PUT SSE-C response: algorithm %q key MD5 %q sse %q", aws.ToString(out.SSECustomerAlgorithm), aws.ToString(out.SSECustomerKeyMD5), out.ServerSideEncryption)
	}
	sum := md5.Sum(data)
	if strings.Trim(aws.ToString(out.ETag), `"`) == hex.EncodeToString(sum[:]) {
		t.Fatal("an SSE-C object's ETag is the MD5 of its plaintext (S3's is not; it would tell anyone listing the bucket)")
	}
	put("small", small, k1)

	get := func(key string, k *ssecKey, rg string) ([]byte, error) {
		in := &s3.GetObjectInput{Bucket: aws.String("ssec"), Key: aws.String(key)}
		if k != nil {
			in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5 = aws.String("AES256"), aws.String(k.b64), aws.String(k.md5b64)
		}
		if rg != "" {
			in.Range = aws.String(rg)
		}
		o, err := c.GetObject(ctx, in)
		if err != nil {
			return nil, err
		}
		defer o.Body.Close()
		if aws.ToString(o.SSECustomerKeyMD5) != k.md5b64 {
			t.Fatalf("GET %s: key MD5 %q", key, aws.ToString(o.SSECustomerKeyMD5))
		}
		return io.ReadAll(o.Body)
	}
	for key, want := range map[string][]byte{"big": data, "small": small} {
		if got, err := get(key, &k1, ""); err != nil || !bytes.Equal(got, want) {
			t.Fatalf("GET %s with its key: %v", key, err)
		}
		if got, err := get(key, &k1, "bytes=5-200"); err != nil || !bytes.Equal(got, want[5:201]) {
			t.Fatalf("ranged GET %s with its key: %v", key, err)
		}
		_, err := get(key, nil, "")
		wantAPIError(t, "GET "+key+" without the key", err, 400, "InvalidRequest")
		_, err = get(key, &k2, "")
		wantAPIError(t, "GET "+key+" with another key", err, 403, "AccessDenied")
		_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("ssec"), Key: aws.String(key)})
		wantAPIError(t, "HEAD "+key+" without the key", err, 400, "")
		_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("ssec"), Key: aws.String(key),
			SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(k2.b64), SSECustomerKeyMD5: aws.String(k2.md5b64)})
		wantAPIError(t, "HEAD "+key+" with another key", err, 403, "")
		h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("ssec"), Key: aws.String(key),
			SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(k1.b64), SSECustomerKeyMD5: aws.String(k1.md5b64)})
		if err != nil || aws.ToString(h.SSECustomerAlgorithm) != "AES256" || aws.ToInt64(h.ContentLength) != int64(len(want)) {
			t.Fatalf("HEAD %s with its key: %v", key, err)
		}
	}
	// An SSE-S3 object read with SSE-C headers.
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("ssec"), Key: aws.String("s3"), Body: strings.NewReader("x")}); err != nil {
		t.Fatal(err)
	}
	_, err := get("s3", &k1, "")
	wantAPIError(t, "GET of an SSE-S3 object with a customer key", err, 400, "InvalidRequest")

	// Copies: the source is read with the copy-source key; the copy is
	// sealed under its own key, or SSE-S3 when none is given.
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("ssec"), Key: aws.String("c2"), CopySource: aws.String("ssec/big")})
	wantAPIError(t, "copy of an SSE-C source without its key", err, 400, "InvalidRequest")
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("ssec"), Key: aws.String("c2"), CopySource: aws.String("ssec/big"),
		CopySourceSSECustomerAlgorithm: aws.String("AES256"), CopySourceSSECustomerKey: aws.String(k2.b64), CopySourceSSECustomerKeyMD5: aws.String(k2.md5b64)})
	wantAPIError(t, "copy of an SSE-C source with another key", err, 403, "AccessDenied")
	cp, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("ssec"), Key: aws.String("c2"), CopySource: aws.String("ssec/big"),
		CopySourceSSECustomerAlgorithm: aws.String("AES256"), CopySourceSSECustomerKey: aws.String(k1.b64), CopySourceSSECustomerKeyMD5: aws.String(k1.md5b64),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(k2.b64), SSECustomerKeyMD5: aws.String(k2.md5b64)})
	if err != nil || aws.ToString(cp.SSECustomerKeyMD5) != k2.md5b64 {
		t.Fatalf("copy SSE-C to SSE-C under another key: %v", err)
	}
	if got, err := get("c2", &k2, ""); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("GET the re-keyed copy: %v", err)
	}
	_, err = get("c2", &k1, "")
	wantAPIError(t, "GET the re-keyed copy with the source's key", err, 403, "AccessDenied")
	cp, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("ssec"), Key: aws.String("c3"), CopySource: aws.String("ssec/small"),
		CopySourceSSECustomerAlgorithm: aws.String("AES256"), CopySourceSSECustomerKey: aws.String(k1.b64), CopySourceSSECustomerKeyMD5: aws.String(k1.md5b64)})
	if err != nil || cp.ServerSideEncryption != s3types.ServerSideEncryptionAes256 {
		t.Fatalf("copy SSE-C to SSE-S3: %v %q", err, cp.ServerSideEncryption)
	}
	if got := getBytes(t, c, &s3.GetObjectInput{Bucket: aws.String("ssec"), Key: aws.String("c3")}); !bytes.Equal(got, small) {
		t.Fatal("GET the SSE-S3 copy: wrong bytes")
	}

	// Multipart under a customer key.
	cmu, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("ssec"), Key: aws.String("mp"),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(k1.b64), SSECustomerKeyMD5: aws.String(k1.md5b64)})
	if err != nil || aws.ToString(cmu.SSECustomerKeyMD5) != k1.md5b64 {
		t.Fatalf("CreateMultipartUpload with SSE-C: %v", err)
	}
	part1 := bytes.Repeat(marker, (5<<20)/len(marker)+1)
	upload := func(n int32, b []byte, k *ssecKey) (*s3.UploadPartOutput, error) {
		in := &s3.UploadPartInput{Bucket: aws.String("ssec"), Key: aws.String("mp"), UploadId: cmu.UploadId, PartNumber: aws.Int32(n), Body: bytes.NewReader(b)}
		if k != nil {
			in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5 = aws.String("AES256"), aws.String(k.b64), aws.String(k.md5b64)
		}
		return c.UploadPart(ctx, in)
	}
	// (Small bodies: the refusal comes before the body is read.)
	_, err = upload(1, marker, nil)
	wantAPIError(t, "UploadPart without the upload's key", err, 400, "InvalidRequest")
	_, err = upload(1, marker, &k2)
	wantAPIError(t, "UploadPart with another key", err, 400, "InvalidRequest")
	p1, err := upload(1, part1, &k1)
	if err != nil {
		t.Fatal(err)
	}
	p2, err := c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("ssec"), Key: aws.String("mp"), UploadId: cmu.UploadId, PartNumber: aws.Int32(2),
		CopySource: aws.String("ssec/big"), CopySourceRange: aws.String("bytes=0-99999"),
		CopySourceSSECustomerAlgorithm: aws.String("AES256"), CopySourceSSECustomerKey: aws.String(k1.b64), CopySourceSSECustomerKeyMD5: aws.String(k1.md5b64),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(k1.b64), SSECustomerKeyMD5: aws.String(k1.md5b64)})
	if err != nil {
		t.Fatalf("UploadPartCopy from an SSE-C source: %v", err)
	}
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("ssec"), Key: aws.String("mp"), UploadId: cmu.UploadId,
		MultipartUpload: &s3types.CompletedMultipartUpload{Parts: []s3types.CompletedPart{{PartNumber: aws.Int32(1), ETag: p1.ETag}, {PartNumber: aws.Int32(2), ETag: p2.CopyPartResult.ETag}}}}); err != nil {
		t.Fatal(err)
	}
	want := append(append([]byte{}, part1...), data[:100000]...)
	if got, err := get("mp", &k1, ""); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("GET the SSE-C multipart object: %v", err)
	}
	if got, err := get("mp", &k1, "bytes=5242000-5243000"); err != nil || !bytes.Equal(got, want[5242000:5243001]) {
		t.Fatalf("ranged GET across the SSE-C parts: %v", err)
	}
	_, err = get("mp", nil, "")
	wantAPIError(t, "GET the SSE-C multipart object without its key", err, 400, "InvalidRequest")

	// Nothing of the plaintext or of the keys is on disk.
	for what, needle := range map[string][]byte{"plaintext": marker, "raw key": k1.raw, "base64 key": []byte(k1.b64), "key MD5": []byte(k1.md5b64)} {
		if hits := findInDataDir(t, dir, needle); len(hits) > 0 {
			t.Errorf("the %s is on disk in %v", what, hits)
		}
	}

	// Refusals, over raw HTTP where the SDK would not send them.
	raw := func(url string, hdr map[string]string, client *http.Client) (int, string) {
		r, _ := http.NewRequest("PUT", url, strings.NewReader("body"))
		for k, v := range hdr {
			r.Header.Set(k, v)
		}
		sigv4.SignRequest(r, sigv4.Credentials{AccessKeyID: testserver.AccessKey, SecretAccessKey: testserver.SecretKey}, testserver.Region, "s3", sigv4.UnsignedPayload, time.Now())
		resp, err := client.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	tlsClient := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: srv.CAPool}}}
	full := map[string]string{"x-amz-server-side-encryption-customer-algorithm": "AES256", "x-amz-server-side-encryption-customer-key": k1.b64, "x-amz-server-side-encryption-customer-key-MD5": k1.md5b64}
	with := func(change map[string]string) map[string]string {
		m := map[string]string{}
		for k, v := range full {
			m[k] = v
		}
		for k, v := range change {
			if v == "" {
				delete(m, k)
			} else {
				m[k] = v
			}
		}
		return m
	}
	for _, tc := range []struct {
		name   string
		url    string
		hdr    map[string]string
		client *http.Client
		status int
		code   string
	}{
		{"SSE-C over plain HTTP", srv.URL + "/ssec/r", full, http.DefaultClient, 400, "InvalidRequest"},
		{"key MD5 of another key", srv.TLSURL + "/ssec/r", with(map[string]string{"x-amz-server-side-encryption-customer-key-MD5": k2.md5b64}), tlsClient, 400, "InvalidArgument"},
		{"no key MD5", srv.TLSURL + "/ssec/r", with(map[string]string{"x-amz-server-side-encryption-customer-key-MD5": ""}), tlsClient, 400, "InvalidArgument"},
		{"no key", srv.TLSURL + "/ssec/r", with(map[string]string{"x-amz-server-side-encryption-customer-key": ""}), tlsClient, 400, "InvalidArgument"},
		{"no algorithm", srv.TLSURL + "/ssec/r", with(map[string]string{"x-amz-server-side-encryption-customer-algorithm": ""}), tlsClient, 400, "InvalidArgument"},
		{"short key", srv.TLSURL + "/ssec/r", with(map[string]string{"x-amz-server-side-encryption-customer-key": base64.StdEncoding.EncodeToString([]byte("short"))}), tlsClient, 400, "InvalidArgument"},
		{"algorithm AES128", srv.TLSURL + "/ssec/r", with(map[string]string{"x-amz-server-side-encryption-customer-algorithm": "AES128"}), tlsClient, 400, "InvalidEncryptionAlgorithmError"},
		{"SSE-C with SSE-S3", srv.TLSURL + "/ssec/r", with(map[string]string{"x-amz-server-side-encryption": "AES256"}), tlsClient, 400, "InvalidArgument"},
	} {
		st, body := raw(tc.url, tc.hdr, tc.client)
		if st != tc.status || !strings.Contains(body, "<Code>"+tc.code+"</Code>") {
			t.Errorf("%s: %d %s, want %d %s", tc.name, st, body, tc.status, tc.code)
		}
	}
	if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("ssec"), Key: aws.String("r")}); err == nil {
		t.Error("a refused SSE-C PUT stored the object")
	}
}

// TestEncryptionThroughBoto3 (issue 12, item 13): the SSE the issue saw
// through boto3 — the AES256 header on SSE-S3 objects, SSE-C round trips
// and refusals (boto3 encodes the key and its MD5 itself), SSE-KMS refused.
func TestEncryptionThroughBoto3(t *testing.T) {
	if out, err := exec.Command("python3", "-c", "import boto3").CombinedOutput(); err != nil {
		t.Fatalf("python3 with boto3 is needed (scripts/test.sh checks for it): %v %s", err, out)
	}
	srv := testserver.Start(t, testserver.Options{TLS: true})
	srv.MustBucket(t, "py-sse")
	script := `
import sys, boto3
from botocore.config import Config
from botocore.exceptions import ClientError
s3 = boto3.client("s3", endpoint_url=sys.argv[1], verify=sys.argv[2], region_name="us-east-1",
    config=Config(retries={"total_max_attempts": 1}, s3={"addressing_style": "path"}),
    aws_access_key_id="` + testserver.AccessKey + `", aws_secret_access_key="` + testserver.SecretKey + `")
def fails(status, code, fn, **kw):
    try:
        fn(**kw)
    except ClientError as e:
        got = (e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"]["Code"])
        assert got[0] == status and (code is None or got[1] == code), (fn.__name__, got)
        return
    raise AssertionError(fn.__name__ + " succeeded")
r = s3.put_object(Bucket="py-sse", Key="s3", Body=b"plain text")
assert r["ServerSideEncryption"] == "AES256", r
h = s3.head_object(Bucket="py-sse", Key="s3")
assert h["ServerSideEncryption"] == "AES256", h
key, other = b"k" * 32, b"o" * 32
r = s3.put_object(Bucket="py-sse", Key="c", Body=b"secret text" * 1000, SSECustomerAlgorithm="AES256", SSECustomerKey=key)
assert r["SSECustomerAlgorithm"] == "AES256" and "ServerSideEncryption" not in r, r
g = s3.get_object(Bucket="py-sse", Key="c", SSECustomerAlgorithm="AES256", SSECustomerKey=key, Range="bytes=11-21")
assert g["Body"].read() == b"secret text", "ranged SSE-C read"
assert s3.get_object(Bucket="py-sse", Key="c", SSECustomerAlgorithm="AES256", SSECustomerKey=key)["Body"].read() == b"secret text" * 1000
fails(400, "InvalidRequest", s3.get_object, Bucket="py-sse", Key="c")
fails(403, "AccessDenied", s3.get_object, Bucket="py-sse", Key="c", SSECustomerAlgorithm="AES256", SSECustomerKey=other)
fails(400, None, s3.head_object, Bucket="py-sse", Key="c")
s3.copy_object(Bucket="py-sse", Key="c2", CopySource={"Bucket": "py-sse", "Key": "c"},
    CopySourceSSECustomerAlgorithm="AES256", CopySourceSSECustomerKey=key, SSECustomerAlgorithm="AES256", SSECustomerKey=other)
assert s3.get_object(Bucket="py-sse", Key="c2", SSECustomerAlgorithm="AES256", SSECustomerKey=other)["Body"].read() == b"secret text" * 1000
fails(400, "InvalidArgument", s3.put_object, Bucket="py-sse", Key="kms", Body=b"x", ServerSideEncryption="aws:kms")
fails(404, None, s3.head_object, Bucket="py-sse", Key="kms")
print("ok")
`
	out, err := exec.Command("python3", "-c", script, srv.TLSURL, srv.CAFile).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "ok" {
		t.Fatalf("boto3: %v\n%s", err, out)
	}
}

// TestBucketEncryptionConfiguration: GetBucketEncryption shows the default
// every bucket has on S3 on Outposts, SSE-S3 (AES256); a server started
// with --encrypt-at-rest=false has none (404). Changing the default is not
// an S3 on Outposts feature: PutBucketEncryption and DeleteBucketEncryption
// answer 501 NotImplemented and leave the default as it was.
func TestBucketEncryptionConfiguration(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{})
	c := srv.S3(t)
	srv.MustBucket(t, "enc")
	get := func(what string) {
		t.Helper()
		out, err := c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String("enc")})
		if err != nil {
			t.Fatalf("%s: GetBucketEncryption: %v", what, err)
		}
		rules := out.ServerSideEncryptionConfiguration.Rules
		if len(rules) != 1 || rules[0].ApplyServerSideEncryptionByDefault == nil ||
			rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm != s3types.ServerSideEncryptionAes256 ||
			aws.ToBool(rules[0].BucketKeyEnabled) {
			t.Fatalf("%s: GetBucketEncryption rules %+v, want one AES256 default without a bucket key", what, rules)
		}
	}
	get("default")
	_, err := c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String("enc"),
		ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{Rules: []s3types.ServerSideEncryptionRule{{
			ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAwsKms}}}}})
	wantAPIError(t, "PutBucketEncryption", err, 501, "NotImplemented")
	_, err = c.DeleteBucketEncryption(ctx, &s3.DeleteBucketEncryptionInput{Bucket: aws.String("enc")})
	wantAPIError(t, "DeleteBucketEncryption", err, 501, "NotImplemented")
	get("after the refused changes")
	_, err = c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String("no-such-bucket")})
	wantAPIError(t, "GetBucketEncryption of a missing bucket", err, 404, "NoSuchBucket")

	plain := testserver.Start(t, testserver.Options{Config: func(c *app.Config) { c.PlaintextAtRest = true }})
	plain.MustBucket(t, "enc")
	_, err = plain.S3(t).GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String("enc")})
	wantAPIError(t, "GetBucketEncryption with --encrypt-at-rest=false", err, 404, "ServerSideEncryptionConfigurationNotFoundError")
}

// TestMasterKeyRotationRewrapsDataKeys: after a rotation (a new
// OUTPOST_MASTER_KEY, the old one in OUTPOST_MASTER_KEY_PREVIOUS),
// RewrapDataKeys moves every SSE-S3 data key (a blob object, an inline
// one, a multipart one and a part of an upload still in progress) to the
// new key, leaving SSE-C keys alone; then the old key can go, and every
// object still reads back, the upload still completes (with only the new
// key configured, a read succeeds only if its data key was re-wrapped).
func TestMasterKeyRotationRewrapsDataKeys(t *testing.T) {
	dir := t.TempDir()
	newKey := func() string {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			t.Fatal(err)
		}
		return base64.StdEncoding.EncodeToString(b)
	}
	oldKey, nextKey := newKey(), newKey()
	start := func(cur, prev string) *testserver.Server {
		return testserver.Start(t, testserver.Options{DataDir: dir, TLS: true, Config: func(c *app.Config) { c.MasterKey, c.MasterKeyPrevious = cur, prev }})
	}
	srv := start(oldKey, "")
	c := tlsS3(t, srv)
	srv.MustBucket(t, "rot")
	objs := map[string][]byte{"inline": bytes.Repeat([]byte("i"), 100), "blob": bytes.Repeat([]byte("b"), 300<<10)}
	for k, b := range objs {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("rot"), Key: aws.String(k), Body: bytes.NewReader(b)}); err != nil {
			t.Fatal(err)
		}
	}
	ck := newSSECKey(7)
	ssec := &s3.PutObjectInput{Bucket: aws.String("rot"), Key: aws.String("ssec"), Body: strings.NewReader("customer"),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(ck.b64), SSECustomerKeyMD5: aws.String(ck.md5b64)}
	if _, err := c.PutObject(ctx, ssec); err != nil {
		t.Fatal(err)
	}
	upload := func(key string) (*string, s3types.CompletedPart) {
		mu, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("rot"), Key: aws.String(key)})
		if err != nil {
			t.Fatal(err)
		}
		p, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("rot"), Key: aws.String(key), UploadId: mu.UploadId, PartNumber: aws.Int32(1), Body: bytes.NewReader(objs["blob"])})
		if err != nil {
			t.Fatal(err)
		}
		return mu.UploadId, s3types.CompletedPart{PartNumber: aws.Int32(1), ETag: p.ETag}
	}
	complete := func(c *s3.Client, key string, id *string, p s3types.CompletedPart) {
		t.Helper()
		if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("rot"), Key: aws.String(key), UploadId: id,
			MultipartUpload: &s3types.CompletedMultipartUpload{Parts: []s3types.CompletedPart{p}}}); err != nil {
			t.Fatalf("complete %s: %v", key, err)
		}
	}
	id, part := upload("multi")
	complete(c, "multi", id, part)
	objs["multi"] = objs["blob"]
	pending, pendingPart := upload("pending")
	srv.Stop()

	readAll := func(c *s3.Client) error {
		for k, want := range objs {
			out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("rot"), Key: aws.String(k)})
			if err != nil {
				return err
			}
			got, err := io.ReadAll(out.Body)
			out.Body.Close()
			if err != nil {
				return err
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("%s: read %d bytes that are not the %d written", k, len(got), len(want))
			}
		}
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("rot"), Key: aws.String("ssec"),
			SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(ck.b64), SSECustomerKeyMD5: aws.String(ck.md5b64)})
		if err != nil {
			return err
		}
		got, _ := io.ReadAll(out.Body)
		out.Body.Close()
		if string(got) != "customer" {
			t.Fatalf("ssec: read %q", got)
		}
		return nil
	}

	srv = start(nextKey, oldKey)
	n, skipped, err := srv.App.RewrapDataKeys(ctx)
	if err != nil || skipped != 0 {
		t.Fatalf("RewrapDataKeys: %d re-wrapped, %d skipped, %v", n, skipped, err)
	}
	if n != 4 { // inline, blob, multi (one segment), the pending upload's part
		t.Fatalf("RewrapDataKeys re-wrapped %d keys, want 4", n)
	}
	if n, _, err := srv.App.RewrapDataKeys(ctx); err != nil || n != 0 {
		t.Fatalf("second RewrapDataKeys: %d, %v; want nothing left to do", n, err)
	}
	srv.Stop()

	srv = start(nextKey, "")
	c = tlsS3(t, srv)
	if err := readAll(c); err != nil {
		t.Fatalf("after the re-wrap, with only the new key: %v", err)
	}
	complete(c, "pending", pending, pendingPart)
	objs["pending"] = objs["blob"]
	if err := readAll(c); err != nil {
		t.Fatalf("the upload begun before the rotation: %v", err)
	}
}

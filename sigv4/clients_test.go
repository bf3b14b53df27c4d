package sigv4

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"hash"
	"hash/crc32"
	"io"
	"net/http"
	"net/url"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/minio/minio-go/v7/pkg/signer"
)

// Cross-checks against real clients: URLs and requests they sign must
// verify, and tampered ones must not.

const (
	testAKID   = "AKIDEXAMPLE"
	testSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	apARN      = "arn:aws:s3-outposts:us-east-1:123456789012:outpost/op-01ac5d28a6a232904/accesspoint/my-ap"
)

var specialKeys = []string{
	"plain.txt",
	"dir/a b+c%~é.txt",
	"with space",
	"plus+sign",
	"percent%25literal",
	"tilde~",
	"unicode/日本語/ファイル",
	"double//slash",
	"trailing/",
	"semi;colon=equals&amp",
	strings.Repeat("k", 1024),
}

func realClockVerifier(services ...string) *Verifier {
	return NewVerifier(VerifierConfig{
		Keys:     fixedKeys(Credentials{AccessKeyID: testAKID, SecretAccessKey: testSecret}),
		Region:   "us-east-1",
		Services: services,
	})
}

// requestFor builds the request a client makes from a presigned URL.
func requestFor(t *testing.T, method, rawURL string, signed http.Header) *http.Request {
	t.Helper()
	r, err := http.NewRequest(method, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range signed {
		if strings.EqualFold(k, "host") {
			continue
		}
		r.Header[k] = vs
	}
	return r
}

func mustVerify(t *testing.T, v *Verifier, r *http.Request, opt VerifyOptions) *Verified {
	t.Helper()
	vd, err := v.Verify(context.Background(), r, opt)
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			t.Fatalf("Verify(%s %s) = %v %v", r.Method, r.URL, err, e.Fields)
		}
		t.Fatalf("Verify(%s %s) = %v", r.Method, r.URL, err)
	}
	return vd
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("got error %v, want %s", err, code)
	}
	if e.Code != code {
		t.Fatalf("got %s (%s), want %s", e.Code, e.Message, code)
	}
}

func sdkPresignClient(t *testing.T, sigv4Only bool) *s3.PresignClient {
	cfg := aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider(testAKID, testSecret, ""),
	}
	c := s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.BaseEndpoint = aws.String("https://s3.example.internal:8443")
		if sigv4Only {
			o.AuthSchemePreference = []string{"sigv4"}
		}
	})
	return s3.NewPresignClient(c, func(o *s3.PresignOptions) { o.Expires = time.Hour })
}

func TestAWSSDKPresignedURLsVerify(t *testing.T) {
	ctx := context.Background()
	v := realClockVerifier("s3-outposts")
	for _, tc := range []struct {
		name      string
		sigv4Only bool
		alg       string
	}{
		{"SigV4A by default for an Outposts access point", false, AlgorithmV4A},
		{"SigV4 when preferred", true, AlgorithmV4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pc := sdkPresignClient(t, tc.sigv4Only)
			for _, key := range specialKeys {
				get, err := pc.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(apARN), Key: aws.String(key)})
				if err != nil {
					t.Fatal(err)
				}
				r := requestFor(t, get.Method, get.URL, get.SignedHeader)
				vd := mustVerify(t, v, r, VerifyOptions{})
				if vd.Algorithm != tc.alg || vd.AuthType != AuthQuery || vd.Service != "s3-outposts" {
					t.Errorf("key %q: got %+v", key, vd)
				}
				// The key as the router will see it survives the URL.
				if r.URL.Path != "/"+key {
					t.Errorf("path %q, want /%s", r.URL.Path, key)
				}
			}
			put, err := pc.PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(apARN), Key: aws.String("dir/a b.txt"),
				ContentType: aws.String("text/plain"), Metadata: map[string]string{"foo": "bar"}})
			if err != nil {
				t.Fatal(err)
			}
			r := requestFor(t, put.Method, put.URL, put.SignedHeader)
			mustVerify(t, v, r, VerifyOptions{})
			// A signed header changed or dropped fails.
			r2 := requestFor(t, put.Method, put.URL, put.SignedHeader)
			r2.Header.Set("Content-Type", "text/html")
			_, err = v.Verify(ctx, r2, VerifyOptions{})
			wantCode(t, err, CodeSignatureDoesNotMatch)
			r3 := requestFor(t, put.Method, put.URL, put.SignedHeader)
			r3.Header.Set("X-Amz-Acl", "public-read")
			_, err = v.Verify(ctx, r3, VerifyOptions{})
			wantCode(t, err, CodeAccessDenied)
		})
	}
}

// nopHasher satisfies minio-go's md5simd.Hasher with crypto/sha256.
type nopHasher struct{ hash.Hash }

func (nopHasher) Close() {}

func TestMinioSignerVerifies(t *testing.T) {
	v := realClockVerifier("s3")
	for _, key := range specialKeys {
		u := &url.URL{Scheme: "http", Host: "127.0.0.1:9000", Path: "/bucket/" + key}
		req, _ := http.NewRequest("GET", u.String(), nil)
		signed := signer.PreSignV4(*req, testAKID, testSecret, "", "us-east-1", 3600)
		r := requestFor(t, "GET", signed.URL.String(), nil)
		mustVerify(t, v, r, VerifyOptions{})

		// Header signing, as minio-go sends every request.
		req2, _ := http.NewRequest("PUT", u.String(), strings.NewReader("hello"))
		h := sha256.Sum256([]byte("hello"))
		req2.Header.Set("X-Amz-Content-Sha256", hexString(h[:]))
		req2.Header.Set("X-Amz-Meta-Color", "blue")
		s2 := signer.SignV4(*req2, testAKID, testSecret, "", "us-east-1")
		r2 := requestFor(t, "PUT", s2.URL.String(), s2.Header)
		r2.Body = io.NopCloser(strings.NewReader("hello"))
		r2.ContentLength = 5
		vd := mustVerify(t, v, r2, VerifyOptions{})
		if b, err := io.ReadAll(vd.Body); err != nil || string(b) != "hello" {
			t.Fatalf("body %q %v", b, err)
		}
		r3 := requestFor(t, "PUT", s2.URL.String(), s2.Header)
		r3.Body = io.NopCloser(strings.NewReader("hellO"))
		vd = mustVerify(t, v, r3, VerifyOptions{})
		_, err := io.ReadAll(vd.Body)
		wantCode(t, err, CodeXAmzContentSHA256Mismatch)
	}
}

func hexString(b []byte) string { return string(appendHex(nil, b)) }

func TestMinioStreamingBodiesDecode(t *testing.T) {
	v := realClockVerifier("s3")
	data := bytes.Repeat([]byte("0123456789abcdef"), 70000) // > 1 MiB: several 64 KiB chunks
	crc := crc32.ChecksumIEEE(data)
	crcB64 := base64.StdEncoding.EncodeToString([]byte{byte(crc >> 24), byte(crc >> 16), byte(crc >> 8), byte(crc)})
	for _, tc := range []struct {
		name    string
		trailer bool
		signed  bool
	}{
		{"signed chunks", false, true},
		{"signed chunks with signed trailer", true, true},
		{"unsigned chunks with trailer", true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("PUT", "http://127.0.0.1:9000/bucket/big.bin", bytes.NewReader(data))
			if tc.trailer {
				req.Trailer = http.Header{"X-Amz-Checksum-Crc32": {crcB64}}
			}
			now := time.Now().UTC()
			if tc.signed {
				req = signer.StreamingSignV4(req, testAKID, testSecret, "", "us-east-1", int64(len(data)), now, nopHasher{sha256.New()})
			} else {
				// As minio-go's Client does over TLS: sign the headers with
				// the trailer declared, then frame the body unsigned.
				req.Header.Set("X-Amz-Content-Sha256", StreamingUnsignedPayloadTrailer)
				req = signer.SignV4Trailer(*req, testAKID, testSecret, "", "us-east-1", req.Trailer)
				framed, _ := http.NewRequest("PUT", req.URL.String(), bytes.NewReader(data))
				framed.Trailer = http.Header{"X-Amz-Checksum-Crc32": {crcB64}}
				req.Body = signer.StreamingUnsignedV4(framed, "", int64(len(data)), now).Body
			}
			wire, err := io.ReadAll(req.Body)
			if err != nil {
				t.Fatal(err)
			}
			r := requestFor(t, "PUT", req.URL.String(), req.Header)
			r.Body = io.NopCloser(bytes.NewReader(wire))
			r.ContentLength = int64(len(wire))
			vd := mustVerify(t, v, r, VerifyOptions{})
			got, err := io.ReadAll(vd.Body)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if !bytes.Equal(got, data) {
				t.Fatalf("decoded %d bytes, want %d", len(got), len(data))
			}
			if tc.trailer && vd.Trailers.Get("x-amz-checksum-crc32") != crcB64 {
				t.Errorf("trailers %v", vd.Trailers)
			}
			// One flipped data byte in the middle fails.
			bad := bytes.Clone(wire)
			i := bytes.Index(bad, []byte("0123456789abcdef"))
			bad[i+70000] ^= 1
			r.Body = io.NopCloser(bytes.NewReader(bad))
			vd = mustVerify(t, v, r, VerifyOptions{})
			_, err = io.ReadAll(vd.Body)
			if tc.signed {
				wantCode(t, err, CodeSignatureDoesNotMatch)
			} else {
				wantCode(t, err, CodeBadDigest)
			}
			// Truncation fails.
			r.Body = io.NopCloser(bytes.NewReader(wire[:len(wire)/2]))
			vd = mustVerify(t, v, r, VerifyOptions{})
			_, err = io.ReadAll(vd.Body)
			wantCode(t, err, CodeIncompleteBody)
		})
	}
}

// boto3 signs offline: the URL is computed locally with fake credentials.
const botoScript = `
import json, sys, boto3
from botocore.config import Config
s = boto3.session.Session(aws_access_key_id=%q, aws_secret_access_key=%q, region_name="us-east-1")
out = []
keys = json.loads(sys.argv[1])
for sv in [None, "s3v4"]:
    cfg = Config(signature_version=sv) if sv else Config()
    c = s.client("s3", endpoint_url="http://127.0.0.1:9000", config=cfg)
    for k in keys:
        out.append({"sv": sv or "default", "bucket": "arn", "key": k, "url": c.generate_presigned_url("get_object", Params={"Bucket": %q, "Key": k}, ExpiresIn=3600)})
        out.append({"sv": sv or "default", "bucket": "mybucket", "key": k, "url": c.generate_presigned_url("get_object", Params={"Bucket": "mybucket", "Key": k, "ResponseContentType": "text/plain", "VersionId": "v 1"}, ExpiresIn=3600)})
print(json.dumps(out))
`

// expiresPlusOne finds a SigV2 Expires parameter; bumpExpires moves it one
// second later, a change the signature must catch.
var expiresPlusOne = regexp.MustCompile(`[?&]Expires=[0-9]+`)

func bumpExpires(m string) string {
	i := strings.IndexByte(m, '=') + 1
	n, _ := strconv.ParseInt(m[i:], 10, 64)
	return m[:i] + strconv.FormatInt(n+1, 10)
}

func TestBoto3PresignedURLsVerify(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not installed")
	}
	keys, _ := json.Marshal(specialKeys)
	script := strings.NewReplacer().Replace(sprintfPy(botoScript, testAKID, testSecret, apARN))
	out, err := exec.Command("python3", "-c", script, string(keys)).Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok && strings.Contains(string(ee.Stderr), "No module named") {
			t.Skip("boto3 not installed: " + string(ee.Stderr))
		}
		t.Fatalf("python3: %v", err)
	}
	var urls []struct{ SV, Bucket, Key, URL string }
	if err := json.Unmarshal(out, &urls); err != nil {
		t.Fatal(err)
	}
	v := realClockVerifier("s3", "s3-outposts")
	seen := map[string]int{}
	for _, u := range urls {
		r := requestFor(t, "GET", u.URL, nil)
		// Virtual-hosted ARN requests sign "/key"; path-style ones "/bucket/key".
		vd := mustVerify(t, v, r, VerifyOptions{})
		want := AlgorithmV2
		if u.SV == "s3v4" {
			want = AlgorithmV4
		}
		if vd.Algorithm != want {
			t.Errorf("%s: algorithm %s, want %s", u.URL, vd.Algorithm, want)
		}
		seen[vd.Algorithm]++
		// Tampering with the signature, a subresource value, or the expiry fails.
		for _, tamper := range []func(string) string{
			func(s string) string { return strings.Replace(s, "Signature=", "Signature=A", 1) },
			func(s string) string { return strings.Replace(s, "versionId=v%201", "versionId=v%202", 1) },
			func(s string) string { return strings.Replace(s, "X-Amz-Expires=3600", "X-Amz-Expires=3601", 1) },
			func(s string) string { return expiresPlusOne.ReplaceAllStringFunc(s, bumpExpires) },
		} {
			if tu := tamper(u.URL); tu != u.URL {
				_, err := v.Verify(context.Background(), requestFor(t, "GET", tu, nil), VerifyOptions{})
				wantCode(t, err, CodeSignatureDoesNotMatch)
			}
		}
	}
	if seen[AlgorithmV2] == 0 || seen[AlgorithmV4] == 0 {
		t.Errorf("algorithms seen %v", seen)
	}
}

func sprintfPy(format string, args ...any) string {
	// %q in the script template means a Python string literal; JSON's string
	// syntax is valid Python for these ASCII values.
	for _, a := range args {
		b, _ := json.Marshal(a)
		format = strings.Replace(format, "%q", string(b), 1)
	}
	return format
}

func hexSHA256(b []byte) string {
	h := sha256.Sum256(b)
	return hexString(h[:])
}

// Package secrets_test runs a workload that touches every way a secret can
// travel — header signatures, presigned URLs (SigV4, SigV4A, SigV2),
// aws-chunked uploads with chunk signatures, a session token, a failed
// signature — with debug logging, and checks that no secret key, session
// token or signature appears in the server's logs.
package secrets_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/outpost-s3/outpost/internal/testserver"
	"github.com/outpost-s3/outpost/sigv4"
)

var creds = sigv4.Credentials{AccessKeyID: testserver.AccessKey, SecretAccessKey: testserver.SecretKey}

func sha(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

var sigParam = regexp.MustCompile(`(?i)(X-Amz-Signature|Signature)=([^&"\s]+)`)

func TestLogsCarryNoSecrets(t *testing.T) {
	srv := testserver.Start(t) // logs JSON at debug level into srv.Logs
	srv.MustBucket(t, "secrets")
	ctx := context.Background()
	var signatures []string
	do := func(r *http.Request) int {
		t.Helper()
		if a := r.Header.Get("Authorization"); a != "" {
			if i := strings.Index(a, "Signature="); i >= 0 {
				signatures = append(signatures, a[i+len("Signature="):])
			} else if i := strings.LastIndex(a, ":"); i >= 0 {
				signatures = append(signatures, a[i+1:])
			}
		}
		for _, m := range sigParam.FindAllStringSubmatch(r.URL.RawQuery, -1) {
			v, _ := url.QueryUnescape(m[2])
			signatures = append(signatures, v, m[2])
		}
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	body := []byte("secret-free payload")

	// Header-signed PUT and GET.
	r, _ := http.NewRequest("PUT", srv.URL+"/secrets/obj", bytes.NewReader(body))
	sigv4.SignRequest(r, creds, testserver.Region, "s3", sha(body), time.Now())
	if s := do(r); s != 200 {
		t.Fatalf("PUT: %d", s)
	}
	r, _ = http.NewRequest("GET", srv.URL+"/secrets/obj", nil)
	sigv4.SignRequest(r, creds, testserver.Region, "s3", sigv4.EmptySHA256, time.Now())
	if s := do(r); s != 200 {
		t.Fatalf("GET: %d", s)
	}
	// SigV2 header.
	r, _ = http.NewRequest("GET", srv.URL+"/secrets/obj", nil)
	sigv4.SignRequestV2(r, creds, "/secrets/obj", time.Now())
	if s := do(r); s != 200 {
		t.Fatalf("SigV2 GET: %d", s)
	}
	// Presigned URLs of every algorithm, for GET and PUT.
	for _, alg := range []string{sigv4.AlgorithmV4, sigv4.AlgorithmV4A, sigv4.AlgorithmV2} {
		for _, m := range []string{"GET", "PUT"} {
			u, _ := url.Parse(srv.URL + "/secrets/presigned-" + strings.ToLower(m))
			if m == "GET" {
				u.Path = "/secrets/obj"
			}
			s, err := sigv4.Presign(sigv4.PresignParams{Method: m, URL: u, Credentials: creds, Region: testserver.Region, Service: "s3", Expires: time.Hour, Algorithm: alg})
			if err != nil {
				t.Fatal(err)
			}
			r, _ := http.NewRequest(m, s, bytes.NewReader(body))
			if st := do(r); st != 200 {
				t.Fatalf("presigned %s %s: %d", alg, m, st)
			}
		}
	}
	// A presigned URL with a tampered signature, and an expired one.
	u, _ := url.Parse(srv.URL + "/secrets/obj")
	s, _ := sigv4.Presign(sigv4.PresignParams{Method: "GET", URL: u, Credentials: creds, Region: testserver.Region, Service: "s3", Expires: time.Hour})
	r, _ = http.NewRequest("GET", strings.Replace(s, "X-Amz-Signature=", "X-Amz-Signature=f", 1), nil)
	if st := do(r); st != 403 {
		t.Fatalf("tampered presigned URL: %d", st)
	}
	s, _ = sigv4.Presign(sigv4.PresignParams{Method: "GET", URL: u, Credentials: creds, Region: testserver.Region, Service: "s3", Expires: time.Minute, Time: time.Now().Add(-time.Hour)})
	r, _ = http.NewRequest("GET", s, nil)
	if st := do(r); st != 403 {
		t.Fatalf("expired presigned URL: %d", st)
	}
	// A wrong secret: the server computes the right signature, which must
	// not be logged either (it would let a reader forge this request).
	wrong := sigv4.Credentials{AccessKeyID: testserver.AccessKey, SecretAccessKey: "not-the-secret-0123456789abcdefghijklmn"}
	r, _ = http.NewRequest("GET", srv.URL+"/secrets/obj", nil)
	sigv4.SignRequest(r, wrong, testserver.Region, "s3", sigv4.EmptySHA256, time.Now())
	if st := do(r); st != 403 {
		t.Fatalf("wrong secret: %d", st)
	}
	// A session token (refused for a long-term key, but it reaches the server).
	const token = "IQoJb3JpZ2luX2VjEHMaCXVzLWVhc3QtMSJHMEUCIQDsecretSessionToken0123456789"
	tc := creds
	tc.SessionToken = token
	r, _ = http.NewRequest("GET", srv.URL+"/secrets/obj", nil)
	sigv4.SignRequest(r, tc, testserver.Region, "s3", sigv4.EmptySHA256, time.Now())
	do(r)
	s, _ = sigv4.Presign(sigv4.PresignParams{Method: "GET", URL: u, Credentials: tc, Region: testserver.Region, Service: "s3", Expires: time.Hour})
	r, _ = http.NewRequest("GET", s, nil)
	do(r)
	// aws-chunked upload: the seed and every chunk signature.
	data := bytes.Repeat([]byte("chunk"), 30000)
	cfg := sigv4.ChunkedWriterConfig{Credentials: creds, Region: testserver.Region, Service: "s3", Time: time.Now(), Payload: sigv4.StreamingPayload, ChunkSize: 64 << 10}
	r, _ = http.NewRequest("PUT", srv.URL+"/secrets/chunked", nil)
	r.Header.Set("Content-Encoding", "aws-chunked")
	r.Header.Set("x-amz-decoded-content-length", strconv.Itoa(len(data)))
	r.ContentLength = sigv4.ChunkedLength(int64(len(data)), cfg)
	sigv4.SignRequest(r, creds, testserver.Region, "s3", sigv4.StreamingPayload, cfg.Time)
	a := r.Header.Get("Authorization")
	cfg.SeedSignature = a[strings.Index(a, "Signature=")+len("Signature="):]
	var enc bytes.Buffer
	cw, _ := sigv4.NewChunkedWriter(&enc, cfg)
	cw.Write(data)
	cw.Close()
	for _, m := range regexp.MustCompile(`chunk-signature=([0-9a-f]{64})`).FindAllSubmatch(enc.Bytes(), -1) {
		signatures = append(signatures, string(m[1]))
	}
	r.Body = io.NopCloser(bytes.NewReader(enc.Bytes()))
	if st := do(r); st != 200 {
		t.Fatalf("chunked PUT: %d", st)
	}
	// The SDK, with its own signing and checksums.
	c := srv.S3(t)
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("secrets"), Key: aws.String("sdk"), Body: bytes.NewReader(body)}); err != nil {
		t.Fatal(err)
	}

	logs := srv.Logs.String()
	if !strings.Contains(logs, `"level":"DEBUG"`) && !strings.Contains(logs, `"msg":"request"`) {
		t.Fatalf("no logs captured; the test proves nothing:\n%.2000s", logs)
	}
	forbidden := map[string]string{
		"secret key":                  testserver.SecretKey,
		"secret key (URL-encoded)":    url.QueryEscape(testserver.SecretKey),
		"wrong secret":                wrong.SecretAccessKey,
		"session token":               token,
		"session token (URL-encoded)": url.QueryEscape(token),
		"session token (first 24)":    token[:24],
	}
	for what, s := range forbidden {
		if strings.Contains(logs, s) {
			t.Errorf("logs contain the %s", what)
		}
	}
	for _, m := range sigParam.FindAllStringSubmatch(logs, -1) {
		if m[2] != "REDACTED" {
			t.Errorf("logs contain %s=%s", m[1], m[2])
		}
	}
	if len(signatures) < 15 {
		t.Fatalf("collected only %d signatures", len(signatures))
	}
	for _, sig := range signatures {
		if len(sig) >= 8 && strings.Contains(logs, sig) {
			t.Errorf("logs contain a signature: %s", sig)
		}
		// A prefix long enough to help a forger is as bad as the whole.
		if len(sig) >= 16 && strings.Contains(logs, sig[:16]) {
			t.Errorf("logs contain the start of a signature: %s…", sig[:16])
		}
	}
	// Every log line is JSON, and access-log lines of presigned requests
	// keep their path but show no signature.
	presignedLines := 0
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Errorf("log line is not JSON: %.200s", line)
			continue
		}
		if m["auth"] == "REST-QUERY-STRING" {
			presignedLines++
			q, _ := m["query"].(string)
			if !strings.Contains(q, "Signature=REDACTED") {
				t.Errorf("presigned access-log line lacks its redacted query: %q", q)
			}
			// Who and where: the host, the bucket and the access key ID
			// (which names the credentials without revealing them).
			if m["host"] != strings.TrimPrefix(srv.URL, "http://") || m["bucket"] != "secrets" || m["access_key_id"] != testserver.AccessKey {
				t.Errorf("presigned access-log line lacks host, bucket or access key ID: %.300s", line)
			}
		}
	}
	if presignedLines == 0 {
		t.Error("no access-log line records a presigned request")
	}
	t.Logf("%d log lines, %d signatures checked, %d presigned requests logged, none leaked", strings.Count(logs, "\n"), len(signatures), presignedLines)
}

// Package dataplane_test drives the S3 on Outposts data plane through
// access points — by ARN over HTTPS with the SDK's own host names, by alias
// path-style — and the network (VPC) rules of access points, through real
// clients against a real server.
package dataplane_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awscreds "github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	"github.com/aws/aws-sdk-go-v2/service/s3control/types"
	"github.com/aws/aws-sdk-go-v2/service/s3outposts"
	"github.com/aws/smithy-go"

	"github.com/outpost-s3/outpost/internal/app"
	"github.com/outpost-s3/outpost/internal/testserver"
)

var ctx = context.Background()

const (
	region  = testserver.Region
	account = testserver.AccountID
	outpost = testserver.OutpostID
)

func bucketARN(name string) string {
	return "arn:aws:s3-outposts:" + region + ":" + account + ":outpost/" + outpost + "/bucket/" + name
}

func accessPointARN(name string) string {
	return "arn:aws:s3-outposts:" + region + ":" + account + ":outpost/" + outpost + "/accesspoint/" + name
}

var creds = awscreds.NewStaticCredentialsProvider(testserver.AccessKey, testserver.SecretKey, "")

// start runs a server with an HTTPS listener; networks, when set, is the
// content of a --networks file.
func start(t *testing.T, networks string) *testserver.Server {
	t.Helper()
	var file string
	if networks != "" {
		file = filepath.Join(t.TempDir(), "networks.json")
		if err := os.WriteFile(file, []byte(networks), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return testserver.Start(t, testserver.Options{TLS: true, Config: func(c *app.Config) { c.Networks = file }})
}

func controlClient(srv *testserver.Server) *s3control.Client {
	return s3control.New(s3control.Options{Region: region, BaseEndpoint: aws.String(srv.URL), Credentials: creds, HTTPClient: http.DefaultClient})
}

func outpostsClient(srv *testserver.Server) *s3outposts.Client {
	return s3outposts.New(s3outposts.Options{Region: region, BaseEndpoint: aws.String(srv.URL), Credentials: creds, HTTPClient: http.DefaultClient})
}

// accessPoint creates an Outposts bucket (if needed) and an access point
// on it through the S3 Control API, and returns the access point's alias.
func accessPoint(t *testing.T, srv *testserver.Server, bucket, name, vpc string) string {
	t.Helper()
	c := controlClient(srv)
	_, err := c.CreateBucket(ctx, &s3control.CreateBucketInput{Bucket: aws.String(bucket), OutpostId: aws.String(outpost)})
	var ae smithy.APIError
	if err != nil && !(errors.As(err, &ae) && ae.ErrorCode() == "BucketAlreadyOwnedByYou") {
		t.Fatalf("CreateBucket %s: %v", bucket, err)
	}
	in := &s3control.CreateAccessPointInput{AccountId: aws.String(account), Name: aws.String(name), Bucket: aws.String(bucketARN(bucket))}
	if vpc != "" {
		in.VpcConfiguration = &types.VpcConfiguration{VpcId: aws.String(vpc)}
	}
	out, err := c.CreateAccessPoint(ctx, in)
	if err != nil {
		t.Fatalf("CreateAccessPoint %s: %v", name, err)
	}
	return aws.ToString(out.Alias)
}

// recorder notes the Host and the Authorization scheme of every request.
type recorder struct {
	next http.RoundTripper
	mu   sync.Mutex
	reqs []string // "host algorithm"
	// header is added to every request (unsigned), e.g. X-Forwarded-For.
	header http.Header
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	alg, _, _ := strings.Cut(req.Header.Get("Authorization"), " ")
	r.mu.Lock()
	r.reqs = append(r.reqs, req.URL.Host+" "+alg)
	r.mu.Unlock()
	for k, vs := range r.header {
		req.Header[k] = vs
	}
	return r.next.RoundTrip(req)
}

func (r *recorder) seen() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.reqs...)
}

// httpsClient trusts the server's generated CA and dials the server's
// HTTPS port whatever host name the SDK built, as DNS would for
// *.localhost on most systems.
func httpsClient(srv *testserver.Server) (*http.Client, *recorder) {
	d := &net.Dialer{}
	tr := &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: srv.CAPool},
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return d.DialContext(ctx, network, srv.TLSAddr)
		},
	}
	rec := &recorder{next: tr}
	return &http.Client{Transport: rec}, rec
}

// fromAddr is an HTTP client whose connections leave from a loopback
// source address (127.0.0.2, …), as a client inside a network would.
func fromAddr(ip string) (*http.Client, *recorder) {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	rec := &recorder{next: &http.Transport{DialContext: d.DialContext}}
	return &http.Client{Transport: rec}, rec
}

// aliasClient is an SDK client that addresses buckets (access point
// aliases and ARNs) path-style at the server's plain HTTP endpoint, through
// hc when set.
func aliasClient(t *testing.T, srv *testserver.Server, hc *http.Client) *s3.Client {
	return srv.S3AccessPoint(t, func(o *s3.Options) {
		if hc != nil {
			o.HTTPClient = hc
		}
	})
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != code {
		t.Fatalf("%s: err = %v, want %s", what, err, code)
	}
}

func put(t *testing.T, c *s3.Client, bucket, key, body string) {
	t.Helper()
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(body)}); err != nil {
		t.Fatalf("PutObject %s/%s: %v", bucket, key, err)
	}
}

func get(t *testing.T, c *s3.Client, bucket, key string) string {
	t.Helper()
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("GetObject %s/%s: %v", bucket, key, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// adminRequest sends a SigV4-signed (service s3) request to the networks
// admin API from hc.
func adminRequest(t *testing.T, srv *testserver.Server, hc *http.Client, method, path string, body []byte) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	hash := sha256Hex(body)
	req.Header.Set("X-Amz-Content-Sha256", hash)
	c, _ := creds.Retrieve(ctx)
	if err := v4.NewSigner().SignHTTP(ctx, c, req, hash, "s3", region, timeNow()); err != nil {
		t.Fatal(err)
	}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func timeNow() time.Time { return time.Now() }

func errAs(err error, target any) bool { return errors.As(err, target) }

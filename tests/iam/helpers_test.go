// Package iam_test drives identities and access control end to end: the
// IAM and STS APIs through aws-sdk-go-v2 and the AWS CLI, policy
// enforcement on header-signed and presigned requests, temporary
// credentials, and cross-account access, against a real server.
package iam_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awscreds "github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, for per-test PostgreSQL schemas

	"github.com/outpost-s3/outpost/internal/app"
	"github.com/outpost-s3/outpost/internal/testserver"
	"github.com/outpost-s3/outpost/sigv4"
)

var ctx = context.Background()

const (
	region  = testserver.Region
	account = testserver.AccountID
	outpost = testserver.OutpostID
	// partner is the second account of the cross-account tests, the one
	// the AWS examples use.
	partner = "444455556666"
)

var rootCreds = sigv4.Credentials{AccessKeyID: testserver.AccessKey, SecretAccessKey: testserver.SecretKey}

// clock is the server's clock, movable by tests; it starts at the real time.
type clock struct {
	mu  sync.Mutex
	off time.Duration
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.off)
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.off += d
}

// start runs a server whose clock the test controls. With
// OUTPOST_TEST_SERVER_POSTGRES_DSN set, its metadata lives in a fresh
// PostgreSQL schema of that database.
func start(t *testing.T) (*testserver.Server, *clock) {
	t.Helper()
	clk := &clock{}
	dsn := freshPostgresSchema(t)
	srv := testserver.Start(t, testserver.Options{Config: func(c *app.Config) {
		c.Now = clk.Now
		if dsn != "" {
			c.PostgresDSN = dsn
		}
	}})
	return srv, clk
}

// freshPostgresSchema creates a schema in the OUTPOST_TEST_SERVER_POSTGRES_DSN
// database and returns a DSN that uses it, or "" when the variable is unset.
func freshPostgresSchema(t *testing.T) string {
	dsn := os.Getenv("OUTPOST_TEST_SERVER_POSTGRES_DSN")
	if dsn == "" {
		return ""
	}
	db, err := sql.Open("pgx", dsn)
	must(t, "open postgres", err)
	defer db.Close()
	var b [6]byte
	rand.Read(b[:])
	schema := "iam_" + hex.EncodeToString(b[:])
	_, err = db.Exec("CREATE SCHEMA " + schema)
	must(t, "create schema", err)
	t.Cleanup(func() {
		if db, err := sql.Open("pgx", dsn); err == nil {
			db.Exec("DROP SCHEMA " + schema + " CASCADE")
			db.Close()
		}
	})
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	return dsn + sep + "search_path=" + schema
}

func provider(c sigv4.Credentials) aws.CredentialsProvider {
	return awscreds.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, c.SessionToken)
}

func iamClient(srv *testserver.Server, c sigv4.Credentials) *iam.Client {
	return iam.New(iam.Options{Region: region, BaseEndpoint: aws.String(srv.URL), Credentials: provider(c), HTTPClient: http.DefaultClient})
}

func stsClient(srv *testserver.Server, c sigv4.Credentials) *sts.Client {
	return sts.New(sts.Options{Region: region, BaseEndpoint: aws.String(srv.URL), Credentials: provider(c), HTTPClient: http.DefaultClient})
}

func s3Client(srv *testserver.Server, c sigv4.Credentials) *s3.Client {
	return s3.New(s3.Options{Region: region, BaseEndpoint: aws.String(srv.URL), UsePathStyle: true, Credentials: provider(c), HTTPClient: http.DefaultClient})
}

func controlClient(srv *testserver.Server, c sigv4.Credentials) *s3control.Client {
	return s3control.New(s3control.Options{Region: region, BaseEndpoint: aws.String(srv.URL), Credentials: provider(c), HTTPClient: http.DefaultClient})
}

// wantCode fails unless err is an API error with the code.
func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != code {
		t.Fatalf("%s: err = %v, want %s", what, err, code)
	}
}

// must fails the test if err is set.
func must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// ok returns v, failing the test (with what) if err is set.
func ok[T any](v T, err error) func(t *testing.T, what string) T {
	return func(t *testing.T, what string) T {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
}

// newUser creates an IAM user with an access key in the account of c.
func newUser(t *testing.T, srv *testserver.Server, c sigv4.Credentials, name string) sigv4.Credentials {
	t.Helper()
	ic := iamClient(srv, c)
	ok(ic.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)}))(t, "CreateUser "+name)
	k := ok(ic.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)}))(t, "CreateAccessKey "+name)
	return sigv4.Credentials{AccessKeyID: aws.ToString(k.AccessKey.AccessKeyId), SecretAccessKey: aws.ToString(k.AccessKey.SecretAccessKey)}
}

// putUserPolicy sets a user's inline policy.
func putUserPolicy(t *testing.T, srv *testserver.Server, name, policyName, doc string) {
	t.Helper()
	_, err := iamClient(srv, rootCreds).PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String(policyName), PolicyDocument: aws.String(doc)})
	must(t, "PutUserPolicy", err)
}

// presign returns a presigned URL for path (/bucket/key) signed at signedAt.
func presign(t *testing.T, srv *testserver.Server, c sigv4.Credentials, method, path, service string, signedAt time.Time, expires time.Duration) string {
	t.Helper()
	u, err := url.Parse(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := sigv4.Presign(sigv4.PresignParams{Method: method, URL: u, Credentials: c, Region: region, Service: service, Time: signedAt, Expires: expires})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// do sends a request and returns the status and the S3 error code ("" for success).
func do(t *testing.T, method, u string, body []byte) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, u, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode < 300 {
		return resp.StatusCode, ""
	}
	var e struct {
		Code string `xml:"Code"`
	}
	xml.Unmarshal(b, &e)
	return resp.StatusCode, e.Code
}

// wantURL checks the outcome of using a presigned URL.
func wantURL(t *testing.T, what, method, u string, wantStatus int, wantErr string) {
	t.Helper()
	var body []byte
	if method == http.MethodPut {
		body = []byte("uploaded through a presigned URL")
	}
	status, code := do(t, method, u, body)
	if status != wantStatus || code != wantErr {
		t.Fatalf("%s: %s → %d %s, want %d %s", what, method, status, code, wantStatus, wantErr)
	}
}

// signedDo sends a header-signed request (SigV4, service s3 or
// s3-outposts) and returns the status and error code. A Host entry in hdr
// is sent as the request's host.
func signedDo(t *testing.T, c sigv4.Credentials, service, method, u string, body []byte, hdr http.Header) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, u, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range hdr {
		req.Header[k] = vs
	}
	if h := hdr.Get("Host"); h != "" {
		req.Host = h // virtual-hosted-style to a server on loopback
	}
	sum := sha256.Sum256(body)
	must(t, "sign", sigv4.SignRequest(req, c, region, service, hex.EncodeToString(sum[:]), time.Time{}))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode < 300 {
		return resp.StatusCode, ""
	}
	var e struct {
		Code string `xml:"Code"`
	}
	xml.Unmarshal(b, &e)
	return resp.StatusCode, e.Code
}

// adminCall runs one of Outpost's admin actions (CreateAccount,
// ExplainPolicy, …) on the IAM endpoint, signed as IAM, and returns the
// response body.
func adminCall(t *testing.T, srv *testserver.Server, c sigv4.Credentials, params url.Values) (int, []byte) {
	t.Helper()
	params.Set("Version", "2010-05-08")
	body := []byte(params.Encode())
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sum := sha256.Sum256(body)
	must(t, "sign", sigv4.SignRequest(req, c, "us-east-1", "iam", hex.EncodeToString(sum[:]), time.Time{}))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// createAccount makes an account with the admin action and returns its root credentials.
func createAccount(t *testing.T, srv *testserver.Server, id string) sigv4.Credentials {
	t.Helper()
	status, body := adminCall(t, srv, rootCreds, url.Values{"Action": {"CreateAccount"}, "AccountId": {id}, "AccountName": {"partner"}})
	if status != 200 {
		t.Fatalf("CreateAccount: %d %s", status, body)
	}
	var res struct {
		AccessKey struct {
			AccessKeyID     string `xml:"AccessKeyId"`
			SecretAccessKey string `xml:"SecretAccessKey"`
		} `xml:"CreateAccountResult>AccessKey"`
	}
	must(t, "parse CreateAccount", xml.Unmarshal(body, &res))
	return sigv4.Credentials{AccessKeyID: res.AccessKey.AccessKeyID, SecretAccessKey: res.AccessKey.SecretAccessKey}
}

// outpostsBucket creates an S3 on Outposts bucket (through the S3 Control
// API) and returns its ARN.
func outpostsBucket(t *testing.T, srv *testserver.Server, name string) string {
	t.Helper()
	out, err := controlClient(srv, rootCreds).CreateBucket(ctx, &s3control.CreateBucketInput{Bucket: aws.String(name), OutpostId: aws.String(outpost)})
	must(t, "CreateBucket (Outposts)", err)
	return aws.ToString(out.BucketArn)
}

// putOutpostsBucketPolicy sets an Outposts bucket's policy through S3 Control.
func putOutpostsBucketPolicy(t *testing.T, srv *testserver.Server, bucketARN, doc string) {
	t.Helper()
	_, err := controlClient(srv, rootCreds).PutBucketPolicy(ctx, &s3control.PutBucketPolicyInput{
		AccountId: aws.String(account), Bucket: aws.String(bucketARN), Policy: aws.String(doc)})
	must(t, "PutBucketPolicy (Outposts)", err)
}

func replaceAll(s string, pairs ...string) string { return strings.NewReplacer(pairs...).Replace(s) }

// sigv4Creds converts an IAM access key.
func sigv4Creds(k *iamtypes.AccessKey) sigv4.Credentials {
	return sigv4.Credentials{AccessKeyID: aws.ToString(k.AccessKeyId), SecretAccessKey: aws.ToString(k.SecretAccessKey)}
}

func sigv4Creds2(id, secret string) sigv4.Credentials {
	return sigv4.Credentials{AccessKeyID: id, SecretAccessKey: secret}
}

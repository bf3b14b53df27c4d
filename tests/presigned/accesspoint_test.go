package presigned_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/xml"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awscreds "github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3control"

	"github.com/outpost-s3/outpost/internal/testserver"
	"github.com/outpost-s3/outpost/presign"
)

// outpostsSetup is a TLS server with an Outposts bucket, an access point
// and an HTTP client that resolves every host name to the server, as DNS
// for {ap}-{account}.{outpost}.localhost would.
type outpostsSetup struct {
	srv      *testserver.Server
	apARN    string
	alias    string
	endpoint string // https://localhost:PORT
	client   *http.Client
}

func newOutpostsSetup(t *testing.T) *outpostsSetup {
	t.Helper()
	srv := testserver.Start(t, testserver.Options{TLS: true})
	cc := s3control.New(s3control.Options{Region: testserver.Region, BaseEndpoint: aws.String(srv.URL),
		Credentials: awscreds.NewStaticCredentialsProvider(testserver.AccessKey, testserver.SecretKey, ""), HTTPClient: http.DefaultClient})
	if _, err := cc.CreateBucket(ctx, &s3control.CreateBucketInput{Bucket: aws.String("shared-docs"), OutpostId: aws.String(testserver.OutpostID)}); err != nil {
		t.Fatal(err)
	}
	ap, err := cc.CreateAccessPoint(ctx, &s3control.CreateAccessPointInput{AccountId: aws.String(testserver.AccountID), Name: aws.String("example-outpost-access-point"),
		Bucket: aws.String("arn:aws:s3-outposts:us-east-1:111122223333:outpost/op-01ac5d28a6a232904/bucket/shared-docs")})
	if err != nil {
		t.Fatal(err)
	}
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	tr := &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: srv.CAPool},
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, network, srv.TLSAddr)
		},
	}
	return &outpostsSetup{srv: srv, apARN: aws.ToString(ap.AccessPointArn), alias: aws.ToString(ap.Alias), endpoint: srv.TLSURL, client: &http.Client{Transport: tr}}
}

func (o *outpostsSetup) do(t *testing.T, method, u string, body []byte, hdr http.Header) (int, []byte, http.Header) {
	t.Helper()
	r, err := http.NewRequest(method, u, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body == nil {
		r.Body = http.NoBody
	}
	for k, v := range hdr {
		r.Header[k] = v
	}
	resp, err := o.client.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	return resp.StatusCode, b.Bytes(), resp.Header
}

// TestAccessPointARNLinksFromEveryClient is the seed's flow: links made for
// an access point ARN by the presign package, aws-sdk-go-v2 (SigV4A, its
// default for S3 on Outposts, and SigV4), `outpost presign`, boto3 and the
// AWS CLI, used over HTTPS with no credentials.
func TestAccessPointARNLinksFromEveryClient(t *testing.T) {
	o := newOutpostsSetup(t)
	if !strings.HasPrefix(o.apARN, "arn:aws:s3-outposts:us-east-1:111122223333:outpost/op-01ac5d28a6a232904/accesspoint/") {
		t.Fatalf("access point ARN %s", o.apARN)
	}
	key := "mydoc dir/report+1.txt"
	body := []byte("shared through an access point")

	// Upload with a presigned PUT bound to a content type and metadata.
	hdr := http.Header{"Content-Type": {"text/plain"}, "X-Amz-Meta-Dept": {"finance"}}
	u := mustURL(t, presign.Request{Method: "PUT", Resource: o.apARN, Key: key, Expires: time.Hour, Endpoint: o.endpoint, Header: hdr})
	if !strings.HasPrefix(u, "https://example-outpost-access-point-111122223333.op-01ac5d28a6a232904.localhost:") {
		t.Fatalf("access point host: %s", u)
	}
	if st, b, _ := o.do(t, "PUT", u, body, hdr); st != 200 {
		t.Fatalf("presigned PUT via ARN: %d %s", st, b)
	}
	check := func(name, u string) {
		t.Helper()
		st, b, h := o.do(t, "GET", u, nil, nil)
		if st != 200 || !bytes.Equal(b, body) || h.Get("X-Amz-Meta-Dept") != "finance" {
			t.Fatalf("%s: %d %s\n%s", name, st, b, u)
		}
	}
	for _, algo := range []string{presign.SigV4, presign.SigV4A} {
		check("presign package "+algo, mustURL(t, presign.Request{Resource: o.apARN, Key: key, Expires: time.Hour, Endpoint: o.endpoint, Algorithm: algo}))
	}

	// aws-sdk-go-v2 PresignClient with the ARN as Bucket and a custom endpoint.
	sdk := func(prefs ...string) *s3.PresignClient {
		return s3.NewPresignClient(s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(o.endpoint),
			Credentials:          awscreds.NewStaticCredentialsProvider(testserver.AccessKey, testserver.SecretKey, ""),
			AuthSchemePreference: prefs}))
	}
	for _, prefs := range [][]string{nil, {"sigv4"}} {
		req, err := sdk(prefs...).PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(o.apARN), Key: aws.String(key)})
		if err != nil {
			t.Fatal(err)
		}
		wantAlgo := "AWS4-ECDSA-P256-SHA256"
		if prefs != nil {
			wantAlgo = "AWS4-HMAC-SHA256"
		}
		if !strings.Contains(req.URL, "X-Amz-Algorithm="+wantAlgo) {
			t.Fatalf("SDK algorithm: %s", req.URL)
		}
		check(fmt.Sprintf("aws-sdk-go-v2 %v", prefs), req.URL)
		head, _ := sdk(prefs...).PresignHeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(o.apARN), Key: aws.String(key)})
		if st, _, _ := o.do(t, "HEAD", head.URL, nil, nil); st != 200 {
			t.Fatalf("SDK presigned HEAD %v: %d", prefs, st)
		}
	}
	put, err := sdk().PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(o.apARN), Key: aws.String("sdk-upload.txt"), ContentType: aws.String("text/plain")})
	if err != nil {
		t.Fatal(err)
	}
	if st, b, _ := o.do(t, put.Method, put.URL, []byte("sigv4a upload"), put.SignedHeader); st != 200 {
		t.Fatalf("SDK SigV4A presigned PUT with signed headers %v: %d %s", put.SignedHeader, st, b)
	}

	// The seed's boto3 example, with the access point ARN as the bucket:
	// botocore's default there is SigV2, which access points refuse
	// (TestSigV2RefusedOnAccessPoints); with s3v4 the link works.
	script := `
import sys, boto3
from botocore.config import Config
ep, arn, key, sv = sys.argv[1:5]
cfg = Config(signature_version=sv) if sv != "default" else None
s3 = boto3.client("s3", endpoint_url=ep, region_name="us-east-1", config=cfg,
    aws_access_key_id="` + testserver.AccessKey + `", aws_secret_access_key="` + testserver.SecretKey + `")
print(s3.generate_presigned_url(ClientMethod="get_object", Params={"Bucket": arn, "Key": key}, ExpiresIn=3600))
`
	for _, sv := range []string{"default", "s3v4"} {
		out, err := exec.Command("python3", "-c", script, o.endpoint, o.apARN, key, sv).CombinedOutput()
		if err != nil {
			t.Fatalf("boto3: %v %s", err, out)
		}
		if sv == "default" {
			st, b, _ := o.do(t, "GET", strings.TrimSpace(string(out)), nil, nil)
			wantError(t, st, b, 400, "InvalidRequest")
			continue
		}
		check("boto3 "+sv, strings.TrimSpace(string(out)))
	}

	// The seed's CLI example, with aws (v1, told to sign SigV4 as the
	// refusal's message says) and with outpost.
	cfgFile := filepath.Join(t.TempDir(), "aws-config")
	if err := os.WriteFile(cfgFile, []byte("[default]\ns3 =\n    signature_version = s3v4\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cliEnv := append(os.Environ(), "AWS_ACCESS_KEY_ID="+testserver.AccessKey, "AWS_SECRET_ACCESS_KEY="+testserver.SecretKey,
		"AWS_DEFAULT_REGION=us-east-1", "AWS_EC2_METADATA_DISABLED=true", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	cmd := exec.Command("aws", "s3", "presign", "s3://"+o.apARN+"/"+key, "--expires-in", "604800", "--endpoint-url", o.endpoint)
	cmd.Env = append(cliEnv, "AWS_CONFIG_FILE="+cfgFile)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("aws s3 presign: %v", err)
	}
	check("aws s3 presign", strings.TrimSpace(string(out)))
	cliEnv = append(cliEnv, "AWS_CONFIG_FILE=/dev/null")
	bin := filepath.Join(t.TempDir(), "outpost")
	if b, err := exec.Command("go", "build", "-o", bin, "../../cmd/outpost").CombinedOutput(); err != nil {
		t.Fatalf("build: %v %s", err, b)
	}
	cmd = exec.Command(bin, "presign", "s3://"+o.apARN+"/"+key, "--expires-in", "604800", "--endpoint-url", o.endpoint)
	cmd.Env = cliEnv
	out, err = cmd.Output()
	if err != nil {
		t.Fatalf("outpost presign: %v", err)
	}
	check("outpost presign", strings.TrimSpace(string(out)))

	// Delete through a presigned DELETE on the access point.
	del := mustURL(t, presign.Request{Method: "DELETE", Resource: o.apARN, Key: key, Expires: time.Minute, Endpoint: o.endpoint})
	if st, b, _ := o.do(t, "DELETE", del, nil, nil); st != 204 {
		t.Fatalf("presigned DELETE via ARN: %d %s", st, b)
	}
	st, b, _ := o.do(t, "GET", mustURL(t, presign.Request{Resource: o.apARN, Key: key, Expires: time.Minute, Endpoint: o.endpoint}), nil, nil)
	wantError(t, st, b, 404, "NoSuchKey")
}

// TestAliasLinksAndPresignedMultipartThroughAnAccessPoint uses the access
// point's alias path-style over plain HTTP, and runs a multipart upload
// step by step through presigned URLs on the ARN host.
func TestAliasLinksAndPresignedMultipartThroughAnAccessPoint(t *testing.T) {
	o := newOutpostsSetup(t)
	if _, err := o.srv.S3AccessPoint(t).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(o.alias), Key: aws.String("via-alias.txt"), Body: bytes.NewReader([]byte("alias body"))}); err != nil {
		t.Fatal(err)
	}
	for _, algo := range []string{presign.SigV4, presign.SigV4A} {
		u := mustURL(t, presign.Request{Resource: o.alias, Key: "via-alias.txt", Expires: time.Minute, Endpoint: o.srv.URL, Algorithm: algo})
		if st, b, _ := fetch(t, "GET", u, nil, nil); st != 200 || string(b) != "alias body" {
			t.Fatalf("alias %s: %d %s", algo, st, b)
		}
	}
	sign := func(method string, q url.Values) string {
		return mustURL(t, presign.Request{Method: method, Resource: o.apARN, Key: "big.bin", Expires: 10 * time.Minute, Endpoint: o.endpoint, Query: q})
	}
	st, b, _ := o.do(t, "POST", sign("POST", url.Values{"uploads": {""}}), nil, nil)
	if st != 200 {
		t.Fatalf("create: %d %s", st, b)
	}
	var init struct{ UploadId string }
	xml.Unmarshal(b, &init)
	parts := [][]byte{bytes.Repeat([]byte("a"), 5<<20), []byte("end")}
	var complete strings.Builder
	complete.WriteString("<CompleteMultipartUpload>")
	for i, p := range parts {
		st, b, h := o.do(t, "PUT", sign("PUT", url.Values{"uploadId": {init.UploadId}, "partNumber": {strconv.Itoa(i + 1)}}), p, nil)
		if st != 200 {
			t.Fatalf("part %d: %d %s", i+1, st, b)
		}
		fmt.Fprintf(&complete, "<Part><PartNumber>%d</PartNumber><ETag>%s</ETag></Part>", i+1, h.Get("ETag"))
	}
	complete.WriteString("</CompleteMultipartUpload>")
	if st, b, _ := o.do(t, "POST", sign("POST", url.Values{"uploadId": {init.UploadId}}), []byte(complete.String()), nil); st != 200 {
		t.Fatalf("complete: %d %s", st, b)
	}
	st, b, _ = o.do(t, "GET", sign("GET", nil), nil, nil)
	if st != 200 || len(b) != 5<<20+3 {
		t.Fatalf("read back: %d, %d bytes", st, len(b))
	}
}

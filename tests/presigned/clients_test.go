package presigned_test

import (
	"bytes"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/minio/minio-go/v7"

	"github.com/outpost-s3/outpost/internal/testserver"
)

// TestURLsFromAWSSDKForGo presigns with aws-sdk-go-v2's PresignClient.
func TestURLsFromAWSSDKForGo(t *testing.T) {
	srv := testserver.Start(t)
	srv.MustBucket(t, "sdk-links")
	pc := s3.NewPresignClient(srv.S3(t))
	put, err := pc.PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("sdk-links"), Key: aws.String("from sdk.txt"),
		ContentType: aws.String("text/plain"), Metadata: map[string]string{"source": "sdk"}}, s3.WithPresignExpires(10*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if st, b, _ := fetch(t, put.Method, put.URL, []byte("hello from the SDK"), put.SignedHeader); st != 200 {
		t.Fatalf("SDK presigned PUT: %d %s", st, b)
	}
	get, _ := pc.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("sdk-links"), Key: aws.String("from sdk.txt"),
		ResponseContentDisposition: aws.String(`attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.txt`)})
	st, b, h := fetch(t, "GET", get.URL, nil, nil)
	if st != 200 || string(b) != "hello from the SDK" || !strings.Contains(h.Get("Content-Disposition"), "filename*=UTF-8''r%C3%A9sum%C3%A9.txt") {
		t.Fatalf("SDK presigned GET: %d %s %v", st, b, h)
	}
	rng, _ := pc.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("sdk-links"), Key: aws.String("from sdk.txt"), Range: aws.String("bytes=0-4")})
	if st, b, _ := fetch(t, "GET", rng.URL, nil, rng.SignedHeader); st != 206 || string(b) != "hello" {
		t.Fatalf("SDK presigned ranged GET: %d %q", st, b)
	}
	head, _ := pc.PresignHeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("sdk-links"), Key: aws.String("from sdk.txt")})
	if st, _, h := fetch(t, "HEAD", head.URL, nil, nil); st != 200 || h.Get("X-Amz-Meta-Source") != "sdk" {
		t.Fatalf("SDK presigned HEAD: %d %v", st, h)
	}
	del, _ := pc.PresignDeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("sdk-links"), Key: aws.String("from sdk.txt")})
	if st, b, _ := fetch(t, "DELETE", del.URL, nil, nil); st != 204 {
		t.Fatalf("SDK presigned DELETE: %d %s", st, b)
	}
}

// TestURLsFromMinioGo presigns with minio-go.
func TestURLsFromMinioGo(t *testing.T) {
	srv := testserver.Start(t)
	srv.MustBucket(t, "minio-links")
	mc := srv.Minio(t)
	pu, err := mc.PresignedPutObject(ctx, "minio-links", "m/obj 1", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if st, b, _ := fetch(t, "PUT", pu.String(), []byte("minio body"), nil); st != 200 {
		t.Fatalf("minio presigned PUT: %d %s", st, b)
	}
	params := url.Values{"response-content-type": {"text/csv"}}
	gu, _ := mc.PresignedGetObject(ctx, "minio-links", "m/obj 1", time.Minute, params)
	st, b, h := fetch(t, "GET", gu.String(), nil, nil)
	if st != 200 || string(b) != "minio body" || h.Get("Content-Type") != "text/csv" {
		t.Fatalf("minio presigned GET: %d %s %v", st, b, h)
	}
	hu, _ := mc.PresignedHeadObject(ctx, "minio-links", "m/obj 1", time.Minute, nil)
	if st, _, _ := fetch(t, "HEAD", hu.String(), nil, nil); st != 200 {
		t.Fatalf("minio presigned HEAD: %d", st)
	}
	_ = minio.GetObjectOptions{}
}

// TestURLsFromOutpostPresignCLI runs the built binary as a user would.
func TestURLsFromOutpostPresignCLI(t *testing.T) {
	srv := testserver.Start(t)
	srv.MustBucket(t, "cli-links")
	put(t, srv, "cli-links", "mydoc.txt", []byte("document"))
	run := presignCLI(t, nil)
	for _, sv := range []string{"v4", "v4a", "v2"} {
		u, stderr, err := run("s3://cli-links/mydoc.txt", "--expires-in", "604800", "--endpoint-url", srv.URL, "--profile", "sharing", "--signature-version", sv)
		if err != nil || strings.Contains(u, "\n") {
			t.Fatalf("%s: %v %s", sv, err, stderr)
		}
		if st, b, _ := fetch(t, "GET", u, nil, nil); st != 200 || string(b) != "document" {
			t.Fatalf("outpost presign %s URL: %d %s", sv, st, b)
		}
	}
	u, _, err := run("--method", "PUT", "--content-type", "text/plain", "--endpoint-url", srv.URL, "--profile", "sharing", "s3://cli-links/upload.txt")
	if err != nil {
		t.Fatal(err)
	}
	if st, b, _ := fetch(t, "PUT", u, []byte("up"), http.Header{"Content-Type": {"text/plain"}}); st != 200 {
		t.Fatalf("CLI presigned PUT: %d %s", st, b)
	}
	// Out-of-range expiry is refused locally with a clear message.
	_, stderr, err := run("s3://cli-links/mydoc.txt", "--expires-in", "604801", "--endpoint-url", srv.URL, "--profile", "sharing")
	if err == nil || !strings.Contains(stderr, "604800") {
		t.Fatalf("--expires-in 604801 accepted: %v %s", err, stderr)
	}
	// The seed's example, verbatim with outpost for aws: an access point ARN
	// becomes the AWS SDK's host name.
	u, stderr, err = run("s3://arn:aws:s3-outposts:us-east-1:111122223333:outpost/op-01ac5d28a6a232904/accesspoint/example-outpost-access-point/mydoc.txt", "--expires-in", "604800", "--profile", "sharing")
	if err != nil {
		t.Fatalf("seed example: %v %s", err, stderr)
	}
	if !strings.HasPrefix(u, "https://example-outpost-access-point-111122223333.op-01ac5d28a6a232904.s3-outposts.us-east-1.amazonaws.com/mydoc.txt?") ||
		!strings.Contains(u, "X-Amz-Expires=604800") || !strings.Contains(u, "%2Fus-east-1%2Fs3-outposts%2Faws4_request") {
		t.Fatalf("seed example URL: %s", u)
	}
}

// presignCLI builds `outpost presign` and returns a runner for it, with the
// root credentials in the profile "sharing" of a fresh HOME and extra
// environment variables (e.g. AWS_SESSION_TOKEN); it returns stdout
// (trimmed), stderr and the exit error.
func presignCLI(t *testing.T, extraEnv []string) func(args ...string) (string, string, error) {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "outpost")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/outpost").CombinedOutput(); err != nil {
		t.Fatalf("build: %v %s", err, out)
	}
	home := t.TempDir()
	os.MkdirAll(filepath.Join(home, ".aws"), 0o700)
	os.WriteFile(filepath.Join(home, ".aws", "credentials"), []byte("[sharing]\naws_access_key_id = "+testserver.AccessKey+"\naws_secret_access_key = "+testserver.SecretKey+"\n"), 0o600)
	os.WriteFile(filepath.Join(home, ".aws", "config"), []byte("[profile sharing]\nregion = us-east-1\n"), 0o600)
	env := append([]string{"HOME=" + home, "AWS_EC2_METADATA_DISABLED=true", "PATH=" + os.Getenv("PATH")}, extraEnv...)
	return func(args ...string) (string, string, error) {
		cmd := exec.Command(bin, append([]string{"presign"}, args...)...)
		cmd.Env = env
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		return strings.TrimSpace(out.String()), errb.String(), err
	}
}

// TestURLsFromBoto3AndAWSCLI runs the seed's Python and CLI flows: botocore
// signs with SigV2 by default and SigV4 with signature_version s3v4.
func TestURLsFromBoto3AndAWSCLI(t *testing.T) {
	srv := testserver.Start(t)
	srv.MustBucket(t, "py-links")
	put(t, srv, "py-links", "mydoc.txt", []byte("python reads this"))
	script := `
import sys, boto3
from botocore.config import Config
endpoint, sv, method = sys.argv[1], sys.argv[2], sys.argv[3]
cfg = Config(signature_version=sv) if sv != "default" else None
s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", config=cfg,
    aws_access_key_id="` + testserver.AccessKey + `", aws_secret_access_key="` + testserver.SecretKey + `")
print(s3.generate_presigned_url(ClientMethod=method, Params={"Bucket": "py-links", "Key": "mydoc.txt"}, ExpiresIn=3600))
`
	for _, sv := range []string{"default", "s3v4"} {
		out, err := exec.Command("python3", "-c", script, srv.URL, sv, "get_object").CombinedOutput()
		if err != nil {
			t.Fatalf("boto3 %s: %v %s", sv, err, out)
		}
		u := strings.TrimSpace(string(out))
		if sv == "default" && !strings.Contains(u, "AWSAccessKeyId=") {
			t.Fatalf("expected botocore's SigV2 default: %s", u)
		}
		if st, b, _ := fetch(t, "GET", u, nil, nil); st != 200 || string(b) != "python reads this" {
			t.Fatalf("boto3 %s URL: %d %s", sv, st, b)
		}
	}
	out, err := exec.Command("python3", "-c", script, srv.URL, "s3v4", "put_object").CombinedOutput()
	if err != nil {
		t.Fatalf("boto3 put: %v %s", err, out)
	}
	if st, b, _ := fetch(t, "PUT", strings.TrimSpace(string(out)), []byte("replaced by python"), nil); st != 200 {
		t.Fatalf("boto3 presigned PUT: %d %s", st, b)
	}
	if _, err := exec.LookPath("aws"); err != nil {
		t.Fatal("the AWS CLI is required for this test (pip install awscli)")
	}
	cmd := exec.Command("aws", "s3", "presign", "s3://py-links/mydoc.txt", "--expires-in", "604800", "--endpoint-url", srv.URL)
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID="+testserver.AccessKey, "AWS_SECRET_ACCESS_KEY="+testserver.SecretKey, "AWS_DEFAULT_REGION=us-east-1", "AWS_EC2_METADATA_DISABLED=true", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	out, err = cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("aws s3 presign: %v %s", err, out)
	}
	if st, b, _ := fetch(t, "GET", strings.TrimSpace(string(out)), nil, nil); st != 200 || string(b) != "replaced by python" {
		t.Fatalf("aws s3 presign URL: %d %s", st, b)
	}
}

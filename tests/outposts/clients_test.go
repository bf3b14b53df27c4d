package outposts_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/outpost-s3/outpost/internal/testserver"
)

// clientEnv is the environment of a Python or AWS CLI client of srv.
func clientEnv() []string {
	return append(os.Environ(), "AWS_ACCESS_KEY_ID="+testserver.AccessKey, "AWS_SECRET_ACCESS_KEY="+testserver.SecretKey,
		"AWS_DEFAULT_REGION="+region, "AWS_EC2_METADATA_DISABLED=true", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
}

// botocore sends the URL-encoded bucket ARN in the path
// (/v20180820/bucket/arn%3Aaws%3As3-outposts%3A…), unlike the Go SDK.
const boto3Script = `
import json, sys, boto3
url, account, outpost, arn = sys.argv[1:5]
c = boto3.client("s3control", endpoint_url=url, region_name="us-east-1")
out = {}
out["create"] = c.create_bucket(Bucket="boto-bucket", OutpostId=outpost)["BucketArn"]
out["get"] = c.get_bucket(AccountId=account, Bucket=arn)["Bucket"]
c.put_bucket_tagging(AccountId=account, Bucket=arn, Tagging={"TagSet": [{"Key": "owner", "Value": "boto"}]})
out["tags"] = c.get_bucket_tagging(AccountId=account, Bucket=arn)["TagSet"]
out["buckets"] = [b["Bucket"] for b in c.list_regional_buckets(AccountId=account, OutpostId=outpost)["RegionalBucketList"]]
ap = c.create_access_point(AccountId=account, Name="boto-ap", Bucket=arn, VpcConfiguration={"VpcId": "vpc-1"})
out["ap"] = ap["AccessPointArn"]
out["alias"] = ap["Alias"]
out["aps"] = [a["Name"] for a in c.list_access_points(AccountId=account, Bucket=arn)["AccessPointList"]]
out["origin"] = c.get_access_point(AccountId=account, Name=ap["AccessPointArn"])["NetworkOrigin"]
try:
    c.get_bucket_policy(AccountId=account, Bucket=arn)
except c.exceptions.ClientError as e:
    out["nopolicy"] = e.response["Error"]["Code"]
c.delete_access_point(AccountId=account, Name=ap["AccessPointArn"])
c.delete_bucket(AccountId=account, Bucket=arn)
print(json.dumps(out))
`

func TestBoto3UsesBucketARNs(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not installed")
	}
	srv := start(t, nil)
	cmd := exec.Command("python3", "-c", boto3Script, srv.URL, account, outpost, bucketARN("boto-bucket"))
	cmd.Env = clientEnv()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("boto3: %v\n%s", err, out)
	}
	var got struct {
		Create, Get, AP, Alias, Origin, NoPolicy string
		Tags                                     []map[string]string
		Buckets, APs                             []string
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("boto3 output %s: %v", out, err)
	}
	if got.Create != bucketARN("boto-bucket") || got.Get != "boto-bucket" || len(got.Tags) != 1 || got.Tags[0]["Value"] != "boto" ||
		len(got.Buckets) != 1 || got.AP != accessPointARN("boto-ap") || !strings.HasSuffix(got.Alias, "--op-s3") ||
		len(got.APs) != 1 || got.Origin != "Vpc" || got.NoPolicy != "NoSuchBucketPolicy" {
		t.Fatalf("boto3 results: %s", out)
	}
}

// TestAWSCLIExamplesFromTheDocs runs the AWS CLI (v1) commands of
// docs/outposts.md against a real server.
func TestAWSCLIExamplesFromTheDocs(t *testing.T) {
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("the AWS CLI is not installed")
	}
	srv := start(t, nil)
	declareNetworks(t, srv, 2)
	cli := func(args ...string) map[string]any {
		t.Helper()
		cmd := exec.Command("aws", append(args, "--endpoint-url", srv.URL, "--output", "json")...)
		cmd.Env = clientEnv()
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("aws %v: %v\n%s", args, err, out)
		}
		var m map[string]any
		if len(strings.TrimSpace(string(out))) > 0 {
			if err := json.Unmarshal(out, &m); err != nil {
				t.Fatalf("aws %v: %s", args, out)
			}
		}
		return m
	}
	b := bucketARN("example-outposts-bucket")
	if got := cli("s3control", "create-bucket", "--bucket", "example-outposts-bucket", "--outpost-id", outpost); got["BucketArn"] != b {
		t.Fatalf("create-bucket: %v", got)
	}
	cli("s3control", "get-bucket", "--account-id", account, "--bucket", b)
	if got := cli("s3control", "list-regional-buckets", "--account-id", account, "--outpost-id", outpost); len(got["RegionalBucketList"].([]any)) != 1 {
		t.Fatalf("list-regional-buckets: %v", got)
	}
	cli("s3control", "put-bucket-versioning", "--account-id", account, "--bucket", b, "--versioning-configuration", "Status=Enabled")
	cli("s3control", "put-bucket-lifecycle-configuration", "--account-id", account, "--bucket", b, "--lifecycle-configuration",
		`{"Rules":[{"ID":"expire-logs","Filter":{"Prefix":"logs/"},"Status":"Enabled","Expiration":{"Days":30}},`+
			`{"ID":"old-versions","Filter":{"Prefix":""},"Status":"Enabled","NoncurrentVersionExpiration":{"NoncurrentDays":7},"AbortIncompleteMultipartUpload":{"DaysAfterInitiation":2}}]}`)
	cli("s3control", "get-bucket-lifecycle-configuration", "--account-id", account, "--bucket", b)
	ap := cli("s3control", "create-access-point", "--account-id", account, "--name", "example-ap", "--bucket", b,
		"--vpc-configuration", "VpcId="+vpcID(1))
	if ap["AccessPointArn"] != accessPointARN("example-ap") {
		t.Fatalf("create-access-point: %v", ap)
	}
	if got := cli("s3control", "get-access-point", "--account-id", account, "--name", accessPointARN("example-ap")); got["Alias"] != ap["Alias"] {
		t.Fatalf("get-access-point: %v", got)
	}
	cli("s3control", "list-access-points", "--account-id", account, "--bucket", b)
	policyFile := filepath.Join(t.TempDir(), "ap-policy.json")
	os.WriteFile(policyFile, []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"`+account+`"},"Action":"s3-outposts:GetObject","Resource":"`+accessPointARN("example-ap")+`/object/*"}]}`), 0o644)
	cli("s3control", "put-access-point-policy", "--account-id", account, "--name", accessPointARN("example-ap"), "--policy", "file://"+policyFile)
	cli("s3control", "get-access-point-policy", "--account-id", account, "--name", accessPointARN("example-ap"))
	ep := cli("s3outposts", "create-endpoint", "--outpost-id", outpost, "--subnet-id", subnetID(1), "--security-group-id", "sg-0123456789abcdef0")
	if !strings.Contains(ep["EndpointArn"].(string), "/endpoint/") {
		t.Fatalf("create-endpoint: %v", ep)
	}
	cli("s3outposts", "create-endpoint", "--outpost-id", outpost, "--subnet-id", subnetID(2), "--security-group-id", "sg-0123456789abcdef0",
		"--access-type", "CustomerOwnedIp", "--customer-owned-ipv4-pool", "ipv4pool-coip-12345678901234567")
	if got := cli("s3outposts", "list-endpoints"); len(got["Endpoints"].([]any)) != 2 {
		t.Fatalf("list-endpoints: %v", got)
	}
	cli("s3outposts", "list-outposts-with-s3")
	id := ep["EndpointArn"].(string)[strings.LastIndex(ep["EndpointArn"].(string), "/")+1:]
	cli("s3outposts", "delete-endpoint", "--endpoint-id", id, "--outpost-id", outpost)
	cli("s3control", "delete-access-point", "--account-id", account, "--name", accessPointARN("example-ap"))
	cli("s3control", "delete-bucket", "--account-id", account, "--bucket", b)
}

package s3api_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/outpost-s3/outpost/internal/testserver"
	"github.com/outpost-s3/outpost/sigv4"
)

// TestWireDifferencesSeenByBoto3 holds three differences from AWS that
// ceph/s3-tests found through boto3 (issue 12, items 2, 3 and 10): user
// metadata names come back lower-case as stored (boto3's Metadata['meta1']),
// max-keys=0 lists nothing and is not truncated, and an empty Content-MD5
// is a bad digest (400 InvalidDigest, nothing stored).
func TestWireDifferencesSeenByBoto3(t *testing.T) {
	if out, err := exec.Command("python3", "-c", "import boto3").CombinedOutput(); err != nil {
		t.Fatalf("python3 with boto3 is needed (scripts/test.sh checks for it): %v %s", err, out)
	}
	srv := testserver.Start(t)
	srv.MustBucket(t, "py-wire")
	script := `
import sys, boto3
from botocore.config import Config
s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1", config=Config(retries={"total_max_attempts": 1}),
    aws_access_key_id="` + testserver.AccessKey + `", aws_secret_access_key="` + testserver.SecretKey + `")
s3.put_object(Bucket="py-wire", Key="m", Body=b"x", Metadata={"meta1": "v1", "Mixed-Case": "v2"})
for got in (s3.head_object(Bucket="py-wire", Key="m"), s3.get_object(Bucket="py-wire", Key="m")):
    assert got["Metadata"] == {"meta1": "v1", "mixed-case": "v2"}, got["Metadata"]
s3.copy_object(Bucket="py-wire", Key="m2", CopySource={"Bucket": "py-wire", "Key": "m"})
assert s3.head_object(Bucket="py-wire", Key="m2")["Metadata"] == {"meta1": "v1", "mixed-case": "v2"}
up = s3.create_multipart_upload(Bucket="py-wire", Key="mp", Metadata={"Part-Meta": "p"})
p = s3.upload_part(Bucket="py-wire", Key="mp", UploadId=up["UploadId"], PartNumber=1, Body=b"y")
s3.complete_multipart_upload(Bucket="py-wire", Key="mp", UploadId=up["UploadId"], MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": p["ETag"]}]})
assert s3.head_object(Bucket="py-wire", Key="mp")["Metadata"] == {"part-meta": "p"}
v1 = s3.list_objects(Bucket="py-wire", MaxKeys=0)
assert v1["IsTruncated"] is False and "Contents" not in v1, v1
v2 = s3.list_objects_v2(Bucket="py-wire", MaxKeys=0)
assert v2["IsTruncated"] is False and v2["KeyCount"] == 0 and "NextContinuationToken" not in v2, v2
print("ok")
`
	out, err := exec.Command("python3", "-c", script, srv.URL).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "ok" {
		t.Fatalf("boto3: %v\n%s", err, out)
	}

	// An empty Content-MD5 (boto3 cannot send one; raw HTTP can).
	r, _ := http.NewRequest("PUT", srv.URL+"/py-wire/empty-md5", strings.NewReader("body"))
	r.Header["Content-Md5"] = []string{""}
	sigv4.SignRequest(r, sigv4.Credentials{AccessKeyID: testserver.AccessKey, SecretAccessKey: testserver.SecretKey}, testserver.Region, "s3", sigv4.UnsignedPayload, time.Now())
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || !strings.Contains(string(b), "<Code>InvalidDigest</Code>") {
		t.Fatalf("empty Content-MD5: %d %s, want 400 InvalidDigest", resp.StatusCode, b)
	}
	if _, err := srv.S3(t).HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("py-wire"), Key: aws.String("empty-md5")}); err == nil {
		t.Fatal("a PUT with an empty Content-MD5 was stored")
	}
}

// TestUploadPartCopyRangeBeyondSource (issue 12, item 7): a copy range
// whose last byte lies past the source is refused as AWS refuses it, 400
// InvalidArgument "Range specified is not valid for source object of size:
// 5", and no part is stored; a range inside the source copies.
func TestUploadPartCopyRangeBeyondSource(t *testing.T) {
	srv := testserver.Start(t)
	srv.MustBucket(t, "upc")
	c := srv.S3(t)
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("upc"), Key: aws.String("src"), Body: strings.NewReader("12345")}); err != nil {
		t.Fatal(err)
	}
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("upc"), Key: aws.String("dst")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("upc"), Key: aws.String("dst"), UploadId: up.UploadId,
		PartNumber: aws.Int32(1), CopySource: aws.String("upc/src"), CopySourceRange: aws.String("bytes=0-21")})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidArgument" || !strings.Contains(ae.ErrorMessage(), "source object of size: 5") {
		t.Fatalf("UploadPartCopy bytes=0-21 of 5: %v", err)
	}
	parts, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("upc"), Key: aws.String("dst"), UploadId: up.UploadId})
	if err != nil || len(parts.Parts) != 0 {
		t.Fatalf("a refused copy stored a part: %+v %v", parts, err)
	}
	if _, err := c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("upc"), Key: aws.String("dst"), UploadId: up.UploadId,
		PartNumber: aws.Int32(1), CopySource: aws.String("upc/src"), CopySourceRange: aws.String("bytes=1-4")}); err != nil {
		t.Fatalf("UploadPartCopy bytes=1-4 of 5: %v", err)
	}
}

// TestListBucketsPages (issue 12, item 4): ListBuckets honours max-buckets,
// continuation-token, prefix and bucket-region, so aws-sdk-go-v2's
// paginator walks the list page by page.
func TestListBucketsPages(t *testing.T) {
	srv := testserver.Start(t)
	var want []string
	for i := 0; i < 7; i++ {
		name := fmt.Sprintf("page-%02d", i)
		srv.MustBucket(t, name)
		want = append(want, name)
	}
	srv.MustBucket(t, "other-bucket")
	c := srv.S3(t)
	var got []string
	pages := 0
	p := s3.NewListBucketsPaginator(c, &s3.ListBucketsInput{MaxBuckets: aws.Int32(3), Prefix: aws.String("page-")})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if len(out.Buckets) > 3 || aws.ToString(out.Prefix) != "page-" {
			t.Fatalf("page %d: %d buckets, prefix %q", pages, len(out.Buckets), aws.ToString(out.Prefix))
		}
		for _, b := range out.Buckets {
			got = append(got, aws.ToString(b.Name))
		}
	}
	if pages != 3 || strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("%d pages: %v, want 3 pages of %v", pages, got, want)
	}
	all, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil || len(all.Buckets) != 8 || all.ContinuationToken != nil {
		t.Fatalf("unpaged ListBuckets: %+v %v", all, err)
	}
	elsewhere, err := c.ListBuckets(ctx, &s3.ListBucketsInput{BucketRegion: aws.String("eu-west-1")})
	if err != nil || len(elsewhere.Buckets) != 0 {
		t.Fatalf("bucket-region eu-west-1: %+v %v", elsewhere, err)
	}
	_, err = c.ListBuckets(ctx, &s3.ListBucketsInput{MaxBuckets: aws.Int32(10001)})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidArgument" {
		t.Fatalf("max-buckets 10001: %v", err)
	}
}

// TestConditionalWrites (issue 12, item 5): If-None-Match: * and If-Match
// on PutObject, CopyObject and CompleteMultipartUpload are checked when the
// write commits (they used to be ignored): 412 PreconditionFailed (If-Match
// on a missing key: 404 NoSuchKey), nothing stored; and create-if-absent is
// atomic: of 20 racing If-None-Match: * PUTs exactly one succeeds.
func TestConditionalWrites(t *testing.T) {
	srv := testserver.Start(t)
	srv.MustBucket(t, "cond")
	c := srv.S3(t)
	code := func(err error) string {
		var ae smithy.APIError
		if errors.As(err, &ae) {
			return ae.ErrorCode()
		}
		if err != nil {
			return err.Error()
		}
		return ""
	}
	get := func(key string) string {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("cond"), Key: aws.String(key)})
		if err != nil {
			return "<" + code(err) + ">"
		}
		b, _ := io.ReadAll(out.Body)
		out.Body.Close()
		return string(b)
	}
	put := func(key, body string, opt func(*s3.PutObjectInput)) (*s3.PutObjectOutput, error) {
		in := &s3.PutObjectInput{Bucket: aws.String("cond"), Key: aws.String(key), Body: strings.NewReader(body)}
		if opt != nil {
			opt(in)
		}
		return c.PutObject(ctx, in)
	}
	ifNone := func(in *s3.PutObjectInput) { in.IfNoneMatch = aws.String("*") }
	first, err := put("k", "first", ifNone)
	if err != nil {
		t.Fatalf("If-None-Match: * on a new key: %v", err)
	}
	if _, err := put("k", "second", ifNone); code(err) != "PreconditionFailed" {
		t.Fatalf("If-None-Match: * on an existing key: %v", err)
	}
	if _, err := put("k", "third", func(in *s3.PutObjectInput) { in.IfMatch = aws.String(`"0123456789abcdef0123456789abcdef"`) }); code(err) != "PreconditionFailed" {
		t.Fatalf("If-Match with another ETag: %v", err)
	}
	if got := get("k"); got != "first" {
		t.Fatalf("after refused writes k = %q", got)
	}
	if _, err := put("k", "fourth", func(in *s3.PutObjectInput) { in.IfMatch = first.ETag }); err != nil {
		t.Fatalf("If-Match with the current ETag: %v", err)
	}
	if _, err := put("absent", "x", func(in *s3.PutObjectInput) { in.IfMatch = first.ETag }); code(err) != "NoSuchKey" {
		t.Fatalf("If-Match on a missing key: %v", err)
	}
	if got := get("absent"); got != "<NoSuchKey>" {
		t.Fatalf("a refused If-Match PUT stored %q", got)
	}
	if _, err := put("k", "x", func(in *s3.PutObjectInput) { in.IfNoneMatch = aws.String(`"abc"`) }); code(err) != "NotImplemented" {
		t.Fatalf("If-None-Match with an ETag on a write: %v", err)
	}

	// CopyObject onto an existing key with If-None-Match: *.
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("cond"), Key: aws.String("k"), CopySource: aws.String("cond/k"),
		IfNoneMatch: aws.String("*"), MetadataDirective: "REPLACE"})
	if code(err) != "PreconditionFailed" {
		t.Fatalf("CopyObject If-None-Match: * onto an existing key: %v", err)
	}

	// CompleteMultipartUpload with If-None-Match: * onto an existing key:
	// refused, and the upload is still there to retry without it.
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("cond"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	part, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("cond"), Key: aws.String("k"), UploadId: up.UploadId, PartNumber: aws.Int32(1), Body: strings.NewReader("multipart")})
	if err != nil {
		t.Fatal(err)
	}
	complete := &s3.CompleteMultipartUploadInput{Bucket: aws.String("cond"), Key: aws.String("k"), UploadId: up.UploadId,
		MultipartUpload: &s3types.CompletedMultipartUpload{Parts: []s3types.CompletedPart{{PartNumber: aws.Int32(1), ETag: part.ETag}}}, IfNoneMatch: aws.String("*")}
	if _, err := c.CompleteMultipartUpload(ctx, complete); code(err) != "PreconditionFailed" {
		t.Fatalf("Complete If-None-Match: * onto an existing key: %v", err)
	}
	if got := get("k"); got != "fourth" {
		t.Fatalf("after the refused Complete k = %q", got)
	}
	complete.IfNoneMatch = nil
	if _, err := c.CompleteMultipartUpload(ctx, complete); err != nil {
		t.Fatalf("Complete retried without the condition: %v", err)
	}
	if got := get("k"); got != "multipart" {
		t.Fatalf("after Complete k = %q", got)
	}

	// 20 racing create-if-absent PUTs: exactly one wins.
	var wg sync.WaitGroup
	results := make([]string, 20)
	for i := range results {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, err := put("race", fmt.Sprintf("writer %d", i), ifNone)
			results[i] = code(err)
		}(i)
	}
	wg.Wait()
	wins := 0
	for _, r := range results {
		switch r {
		case "":
			wins++
		case "PreconditionFailed", "ConditionalRequestConflict":
		default:
			t.Errorf("a racing PUT failed with %s", r)
		}
	}
	if wins != 1 {
		t.Fatalf("%d of 20 racing If-None-Match: * PUTs succeeded, want exactly 1 (%v)", wins, results)
	}
	if got := get("race"); !strings.HasPrefix(got, "writer ") {
		t.Fatalf("race = %q", got)
	}
}

// TestCompleteMultipartUploadRetried (issue 12, item 6): a Complete sent
// again with the same part list after it succeeded (its response was lost)
// answers 200 with the same ETag, as S3 does, rather than NoSuchUpload; a
// retry with another part list still gets NoSuchUpload.
func TestCompleteMultipartUploadRetried(t *testing.T) {
	srv := testserver.Start(t)
	srv.MustBucket(t, "mpu-retry")
	c := srv.S3(t)
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("mpu-retry"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	var parts []s3types.CompletedPart
	for i, body := range []string{strings.Repeat("a", 5<<20), "tail"} {
		p, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpu-retry"), Key: aws.String("k"), UploadId: up.UploadId,
			PartNumber: aws.Int32(int32(i + 1)), Body: strings.NewReader(body)})
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, s3types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: p.ETag})
	}
	in := &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpu-retry"), Key: aws.String("k"), UploadId: up.UploadId,
		MultipartUpload: &s3types.CompletedMultipartUpload{Parts: parts}}
	first, err := c.CompleteMultipartUpload(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.CompleteMultipartUpload(ctx, in)
	if err != nil || aws.ToString(again.ETag) != aws.ToString(first.ETag) {
		t.Fatalf("retried Complete: %v %v, want ETag %s", again, err, aws.ToString(first.ETag))
	}
	in.MultipartUpload.Parts = parts[:1]
	_, err = c.CompleteMultipartUpload(ctx, in)
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "NoSuchUpload" {
		t.Fatalf("Complete of an ended upload with other parts: %v", err)
	}
}

// TestExpectedBucketOwner (issue 12, item 12): x-amz-expected-bucket-owner
// naming another account answers 403 AccessDenied and changes nothing; the
// right account, or no header, proceeds. The copy source has its own
// header, x-amz-source-expected-bucket-owner.
func TestExpectedBucketOwner(t *testing.T) {
	srv := testserver.Start(t)
	srv.MustBucket(t, "owned")
	c := srv.S3(t)
	code := func(err error) string {
		var ae smithy.APIError
		if errors.As(err, &ae) {
			return ae.ErrorCode()
		}
		return fmt.Sprint(err)
	}
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("owned"), Key: aws.String("k"), Body: strings.NewReader("v"), ExpectedBucketOwner: aws.String("999999999999")})
	if code(err) != "AccessDenied" {
		t.Fatalf("PutObject with another expected owner: %v", err)
	}
	if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("owned"), Key: aws.String("k")}); err == nil {
		t.Fatal("the refused PUT stored its object")
	}
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("owned"), Key: aws.String("k"), Body: strings.NewReader("v"), ExpectedBucketOwner: aws.String(testserver.AccountID)}); err != nil {
		t.Fatalf("PutObject with the right expected owner: %v", err)
	}
	if _, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("owned"), ExpectedBucketOwner: aws.String("999999999999")}); code(err) != "AccessDenied" {
		t.Fatalf("ListObjectsV2 with another expected owner: %v", err)
	}
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("owned"), Key: aws.String("copy"), CopySource: aws.String("owned/k"), ExpectedSourceBucketOwner: aws.String("999999999999")})
	if code(err) != "AccessDenied" {
		t.Fatalf("CopyObject with another expected source owner: %v", err)
	}
	if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("owned"), Key: aws.String("copy")}); err == nil {
		t.Fatal("the refused copy stored its object")
	}
}

// TestExplicitGrantsAreNotImplemented (issue 12, item 9): explicit
// x-amz-grant-* headers on PutObject, CreateBucket and Put*Acl used to
// answer 200 and be dropped; Outpost keeps canned ACLs only, so they now
// answer 501 NotImplemented and nothing is created.
func TestExplicitGrantsAreNotImplemented(t *testing.T) {
	srv := testserver.Start(t)
	srv.MustBucket(t, "grants-hdr")
	c := srv.S3(t)
	notImpl := func(what string, err error) {
		t.Helper()
		var ae smithy.APIError
		if !errors.As(err, &ae) || ae.ErrorCode() != "NotImplemented" {
			t.Fatalf("%s: %v, want NotImplemented", what, err)
		}
	}
	const grantee = `id="444455556666"`
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("grants-hdr"), Key: aws.String("k"), Body: strings.NewReader("x"), GrantRead: aws.String(grantee)})
	notImpl("PutObject x-amz-grant-read", err)
	if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("grants-hdr"), Key: aws.String("k")}); err == nil {
		t.Fatal("PutObject with a grant header stored the object")
	}
	_, err = c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("granted-bucket"), GrantFullControl: aws.String(grantee)})
	notImpl("CreateBucket x-amz-grant-full-control", err)
	if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("granted-bucket")}); err == nil {
		t.Fatal("CreateBucket with a grant header created the bucket")
	}
	_, err = c.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("grants-hdr"), GrantRead: aws.String(grantee)})
	notImpl("PutBucketAcl x-amz-grant-read", err)
}

// TestPreflightAnsweredAsS3 (issue 12, item 14): an OPTIONS request on an
// object is a CORS preflight, sent by browsers without credentials. S3
// answers 400 BadRequest without an Origin and, for a bucket with no CORS
// rules (every bucket, until CORS lands), 403 AccessForbidden with one;
// it used to be checked as a signed request (SignatureDoesNotMatch).
func TestPreflightAnsweredAsS3(t *testing.T) {
	srv := testserver.Start(t)
	srv.MustBucket(t, "cors")
	for _, tc := range []struct {
		origin       string
		status       int
		code, substr string
	}{
		{"", 400, "BadRequest", "Origin request header needed"},
		{"https://app.example", 403, "AccessForbidden", "CORS is not enabled"},
	} {
		r, _ := http.NewRequest("OPTIONS", srv.URL+"/cors/file.txt", nil)
		if tc.origin != "" {
			r.Header.Set("Origin", tc.origin)
			r.Header.Set("Access-Control-Request-Method", "PUT")
		}
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || !strings.Contains(string(b), "<Code>"+tc.code+"</Code>") || !strings.Contains(string(b), tc.substr) {
			t.Fatalf("OPTIONS origin %q: %d %s", tc.origin, resp.StatusCode, b)
		}
		if resp.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Fatalf("OPTIONS origin %q allowed an origin", tc.origin)
		}
	}
}

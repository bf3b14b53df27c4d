package s3api_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/outpost-s3/outpost/internal/testserver"
)

// TestWriteResponsesNameVersionsAsS3Does: a write answers with
// x-amz-version-id only when it made a version with an ID. A bucket that
// never had versioning, and a versioning-suspended one (where every write
// makes the null version), answer PutObject, CopyObject and
// CompleteMultipartUpload without it, as in PutObject's "versioning
// suspended" example in the S3 API reference; reads of the null version in
// a suspended bucket name it "null" (ceph/s3-tests
// test_versioning_bucket_atomic_upload_return_version_id and
// test_versioning_bucket_multipart_upload_return_version_id).
func TestWriteResponsesNameVersionsAsS3Does(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{})
	c := srv.S3(t)
	writes := func(bucket string) map[string]*string {
		t.Helper()
		got := map[string]*string{}
		put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("k"), Body: strings.NewReader("v")})
		if err != nil {
			t.Fatal(err)
		}
		got["PutObject"] = put.VersionId
		cp, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bucket), Key: aws.String("copy"), CopySource: aws.String(bucket + "/k")})
		if err != nil {
			t.Fatal(err)
		}
		got["CopyObject"] = cp.VersionId
		mu, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("multi")})
		if err != nil {
			t.Fatal(err)
		}
		part, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String("multi"), UploadId: mu.UploadId, PartNumber: aws.Int32(1), Body: strings.NewReader("p")})
		if err != nil {
			t.Fatal(err)
		}
		done, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("multi"), UploadId: mu.UploadId,
			MultipartUpload: &s3types.CompletedMultipartUpload{Parts: []s3types.CompletedPart{{PartNumber: aws.Int32(1), ETag: part.ETag}}}})
		if err != nil {
			t.Fatal(err)
		}
		got["CompleteMultipartUpload"] = done.VersionId
		return got
	}
	setVersioning := func(bucket string, st s3types.BucketVersioningStatus) {
		t.Helper()
		if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(bucket),
			VersioningConfiguration: &s3types.VersioningConfiguration{Status: st}}); err != nil {
			t.Fatal(err)
		}
	}

	srv.MustBucket(t, "never")
	for op, v := range writes("never") {
		if v != nil {
			t.Errorf("%s in a never-versioned bucket: x-amz-version-id %q, want none", op, *v)
		}
	}

	srv.MustBucket(t, "enabled")
	setVersioning("enabled", s3types.BucketVersioningStatusEnabled)
	for op, v := range writes("enabled") {
		if v == nil || *v == "" || *v == "null" {
			t.Errorf("%s in a versioning-enabled bucket: x-amz-version-id %v, want the new version's ID", op, v)
		}
	}

	srv.MustBucket(t, "suspended")
	setVersioning("suspended", s3types.BucketVersioningStatusEnabled)
	setVersioning("suspended", s3types.BucketVersioningStatusSuspended)
	for op, v := range writes("suspended") {
		if v != nil {
			t.Errorf("%s in a versioning-suspended bucket: x-amz-version-id %q, want none", op, *v)
		}
	}
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("suspended"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(head.VersionId) != "null" {
		t.Errorf("HeadObject of the null version in a suspended bucket: x-amz-version-id %v, want null", head.VersionId)
	}
	vs, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("suspended")})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs.Versions {
		if aws.ToString(v.VersionId) != "null" {
			t.Errorf("ListObjectVersions: %s has version %q, want null", aws.ToString(v.Key), aws.ToString(v.VersionId))
		}
	}
}

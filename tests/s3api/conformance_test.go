package s3api_test

import (
	"bytes"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/outpost-s3/outpost/internal/testserver"
)

// TestDeleteBucketWithUploadInProgress: S3 deletes a bucket whose only
// content is an unfinished multipart upload (the upload goes with it); only
// object versions make a bucket not empty. ceph/s3-tests' cleanup relies on
// it: every test that leaves an upload behind made all later tests fail at
// setup with BucketNotEmpty.
func TestDeleteBucketWithUploadInProgress(t *testing.T) {
	srv := testserver.Start(t)
	srv.MustBucket(t, "mpu-left")
	c := srv.S3(t)
	before := blobFileCount(t, srv.DataDir)
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("mpu-left"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	// Larger than the inline limit, so the part is a blob file.
	if _, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpu-left"), Key: aws.String("k"), UploadId: up.UploadId,
		PartNumber: aws.Int32(1), Body: bytes.NewReader(randBytes(300 << 10))}); err != nil {
		t.Fatal(err)
	}
	if got := blobFileCount(t, srv.DataDir); got != before+1 {
		t.Fatalf("blob files after UploadPart = %d, want %d", got, before+1)
	}

	if _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("mpu-left")}); err != nil {
		t.Fatalf("DeleteBucket with only an upload in progress: %v (S3 answers 204)", err)
	}
	_, err = c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("mpu-left")})
	if err == nil {
		t.Fatal("HeadBucket after DeleteBucket succeeded")
	}
	if got := blobFileCount(t, srv.DataDir); got != before {
		t.Fatalf("blob files after DeleteBucket = %d, want %d (the part's blob is freed)", got, before)
	}

	// A bucket of the same name starts with no uploads.
	srv.MustBucket(t, "mpu-left")
	ups, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("mpu-left")})
	if err != nil || len(ups.Uploads) != 0 {
		t.Fatalf("ListMultipartUploads of the re-created bucket = %+v, %v; want none", ups.Uploads, err)
	}
	_, err = c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpu-left"), Key: aws.String("k"), UploadId: up.UploadId,
		PartNumber: aws.Int32(2), Body: bytes.NewReader([]byte("late"))})
	mustCode(t, err, "NoSuchUpload")
}

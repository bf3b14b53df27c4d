package iam_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestBucketPolicyLockOutProtection (issue 12, item 11): a bucket policy
// may name its resources with any pattern that matches the bucket
// ("arn:aws:s3:::*"), and however much it denies, the owning account's root
// can still read, replace and delete it (S3's lock-out protection); an IAM
// user of the same account allowed everything is still denied by it.
func TestBucketPolicyLockOutProtection(t *testing.T) {
	srv, _ := start(t)
	srv.MustBucket(t, "locked")
	root := s3Client(srv, rootCreds)
	admin := newUser(t, srv, rootCreds, "admin")
	putUserPolicy(t, srv, "admin", "all", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)
	denyAll := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::*","arn:aws:s3:::*/*"]}]}`
	if _, err := root.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("locked"), Policy: aws.String(denyAll)}); err != nil {
		t.Fatalf("PutBucketPolicy with arn:aws:s3:::* resources: %v", err)
	}
	_, err := root.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("locked")})
	wantCode(t, "root ListObjectsV2 under deny-all", err, "AccessDenied")
	ac := s3Client(srv, admin)
	_, err = ac.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("locked")})
	wantCode(t, "IAM admin GetBucketPolicy under deny-all", err, "AccessDenied")
	_, err = ac.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String("locked")})
	wantCode(t, "IAM admin DeleteBucketPolicy under deny-all", err, "AccessDenied")
	got, err := root.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("locked")})
	if err != nil || !strings.Contains(aws.ToString(got.Policy), `"Deny"`) {
		t.Fatalf("root GetBucketPolicy under deny-all: %v", err)
	}
	if _, err := root.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String("locked")}); err != nil {
		t.Fatalf("root DeleteBucketPolicy under deny-all: %v", err)
	}
	if _, err := root.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("locked")}); err != nil {
		t.Fatalf("root ListObjectsV2 after deleting the policy: %v", err)
	}
	_, err = root.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("locked"), Policy: aws.String(strings.ReplaceAll(denyAll, "arn:aws:s3:::*", "arn:aws:s3:::other"))})
	wantCode(t, "PutBucketPolicy naming another bucket", err, "MalformedPolicy")
}

// TestMultipartInitiatorIsWhoStartedIt (issue 12, item 8): ListMultipartUploads
// and ListParts name the principal that created the upload as Initiator
// (an IAM user's ARN), not the bucket owner; the Owner stays the bucket's.
func TestMultipartInitiatorIsWhoStartedIt(t *testing.T) {
	srv, _ := start(t)
	srv.MustBucket(t, "mpu-who")
	uploader := newUser(t, srv, rootCreds, "uploader")
	putUserPolicy(t, srv, "uploader", "mpu", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":["arn:aws:s3:::mpu-who","arn:aws:s3:::mpu-who/*"]}]}`)
	uc := s3Client(srv, uploader)
	up, err := uc.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("mpu-who"), Key: aws.String("k")})
	must(t, "CreateMultipartUpload", err)
	rootUp, err := s3Client(srv, rootCreds).CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("mpu-who"), Key: aws.String("r")})
	must(t, "CreateMultipartUpload as root", err)
	wantARN := "arn:aws:iam::" + account + ":user/uploader"
	list, err := s3Client(srv, rootCreds).ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("mpu-who")})
	must(t, "ListMultipartUploads", err)
	seen := 0
	for _, u := range list.Uploads {
		switch aws.ToString(u.UploadId) {
		case aws.ToString(up.UploadId):
			seen++
			if aws.ToString(u.Initiator.ID) != wantARN || aws.ToString(u.Initiator.DisplayName) != "uploader" || aws.ToString(u.Owner.ID) != account {
				t.Fatalf("user's upload: Initiator %+v Owner %+v", *u.Initiator, *u.Owner)
			}
		case aws.ToString(rootUp.UploadId):
			seen++
			if aws.ToString(u.Initiator.ID) != account {
				t.Fatalf("root's upload: Initiator %+v", *u.Initiator)
			}
		}
	}
	if seen != 2 {
		t.Fatalf("listed %d of 2 uploads", seen)
	}
	parts, err := uc.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("mpu-who"), Key: aws.String("k"), UploadId: up.UploadId})
	must(t, "ListParts", err)
	if aws.ToString(parts.Initiator.ID) != wantARN || aws.ToString(parts.Owner.ID) != account {
		t.Fatalf("ListParts: Initiator %+v Owner %+v", *parts.Initiator, *parts.Owner)
	}
}

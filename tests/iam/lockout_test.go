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

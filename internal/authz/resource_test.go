package authz

import (
	"testing"

	"github.com/outpost-s3/outpost/arn"
	"github.com/outpost-s3/outpost/internal/meta"
)

const (
	region  = "us-east-1"
	account = "111122223333"
	outpost = "op-01ac5d28a6a232904"
)

// The ARNs the policies see, built with the arn package, are the forms AWS
// documents, and read back by its parsers as the resource they name.
func TestResourceARNs(t *testing.T) {
	plain := &meta.Bucket{Name: "photos", Account: account}
	ob := &meta.Bucket{Name: "ob-data", Account: account, OutpostID: outpost}
	ap := &meta.AccessPoint{Name: "reports", Account: account, OutpostID: outpost, Bucket: "ob-data"}
	for _, c := range []struct {
		name, got, want string
	}{
		{"a plain bucket", BucketARN(region, plain, ""), "arn:aws:s3:::photos"},
		{"a plain bucket's object", BucketARN(region, plain, "2026/a b.jpg"), "arn:aws:s3:::photos/2026/a b.jpg"},
		{"an Outposts bucket", BucketARN(region, ob, ""), "arn:aws:s3-outposts:us-east-1:111122223333:outpost/op-01ac5d28a6a232904/bucket/ob-data"},
		{"an Outposts bucket's object", BucketARN(region, ob, "k/x"), "arn:aws:s3-outposts:us-east-1:111122223333:outpost/op-01ac5d28a6a232904/bucket/ob-data/object/k/x"},
		{"an access point", AccessPointARN(region, ap, ""), "arn:aws:s3-outposts:us-east-1:111122223333:outpost/op-01ac5d28a6a232904/accesspoint/reports"},
		{"an object through an access point", AccessPointARN(region, ap, "k"), "arn:aws:s3-outposts:us-east-1:111122223333:outpost/op-01ac5d28a6a232904/accesspoint/reports/object/k"},
		{"an outpost", OutpostsARN(region, account, outpost, arn.KindOutpost, "ignored"), "arn:aws:s3-outposts:us-east-1:111122223333:outpost/op-01ac5d28a6a232904"},
		{"every access point of an outpost", OutpostsARN(region, account, outpost, arn.KindAccessPoint, "*"), "arn:aws:s3-outposts:us-east-1:111122223333:outpost/op-01ac5d28a6a232904/accesspoint/*"},
		{"every endpoint of an account", OutpostsARN(region, account, "*", arn.KindEndpoint, "*"), "arn:aws:s3-outposts:us-east-1:111122223333:outpost/*/endpoint/*"},
		{"every plain bucket", S3ARN("*", ""), "arn:aws:s3:::*"},
	} {
		if c.got != c.want {
			t.Errorf("%s: %s, want %s", c.name, c.got, c.want)
		}
	}
	if r, err := arn.ParseOutposts(BucketARN(region, ob, "k/x")); err != nil || r.Bucket != "ob-data" || r.Key != "k/x" || r.ObjectParent != arn.KindBucket {
		t.Errorf("ParseOutposts of an object ARN: %+v, %v", r, err)
	}
	if r, err := arn.ParseS3(BucketARN(region, plain, "k")); err != nil || r.Bucket != "photos" || r.Key != "k" {
		t.Errorf("ParseS3 of an object ARN: %+v, %v", r, err)
	}
}

// s3: actions are decided as s3-outposts: actions on Outposts buckets, and
// only there; the condition keys follow the same namespace.
func TestActionForAndService(t *testing.T) {
	ob := &meta.Bucket{Name: "ob-data", OutpostID: outpost}
	plain := &meta.Bucket{Name: "photos"}
	for _, c := range []struct {
		name   string
		b      *meta.Bucket
		action string
		want   string
		svc    string
	}{
		{"s3:GetObject on an Outposts bucket", ob, "s3:GetObject", "s3-outposts:GetObject", "s3-outposts"},
		{"s3-outposts:GetObject on an Outposts bucket", ob, "s3-outposts:GetObject", "s3-outposts:GetObject", "s3-outposts"},
		{"s3:GetObject on a plain bucket", plain, "s3:GetObject", "s3:GetObject", "s3"},
		{"an IAM action without bucket", nil, "iam:ListUsers", "iam:ListUsers", "s3"},
		{"an s3 action without bucket", nil, "s3:ListAllMyBuckets", "s3:ListAllMyBuckets", "s3"},
	} {
		if got := ActionFor(c.b, c.action); got != c.want {
			t.Errorf("%s: ActionFor = %s, want %s", c.name, got, c.want)
		}
		if got := Service(c.b); got != c.svc {
			t.Errorf("%s: Service = %s, want %s", c.name, got, c.svc)
		}
	}
}

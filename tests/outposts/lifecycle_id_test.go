package outposts_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	"github.com/aws/aws-sdk-go-v2/service/s3control/types"
)

// TestLifecycleRuleWithoutIDGetsOneThroughControl: a rule put through S3
// Control without an ID gets one, as through S3
// (TestLifecycleRuleWithoutIDGetsOne in tests/s3api), and both APIs show
// the same ID.
func TestLifecycleRuleWithoutIDGetsOneThroughControl(t *testing.T) {
	srv := start(t, nil)
	c := controlClient(srv)
	createBucket(t, c, "lc-noid")
	b, acct := aws.String(bucketARN("lc-noid")), aws.String(account)
	ok(c.PutBucketLifecycleConfiguration(ctx, &s3control.PutBucketLifecycleConfigurationInput{AccountId: acct, Bucket: b,
		LifecycleConfiguration: &types.LifecycleConfiguration{Rules: []types.LifecycleRule{{Status: types.ExpirationStatusEnabled,
			Filter: &types.LifecycleRuleFilter{Prefix: aws.String("tmp/")}, Expiration: &types.LifecycleExpiration{Days: 2}}}}}))(t, "PutBucketLifecycleConfiguration")
	got := ok(c.GetBucketLifecycleConfiguration(ctx, &s3control.GetBucketLifecycleConfigurationInput{AccountId: acct, Bucket: b}))(t, "GetBucketLifecycleConfiguration")
	if len(got.Rules) != 1 || len(aws.ToString(got.Rules[0].ID)) != 48 {
		t.Fatalf("S3 Control rules %+v: want one with a generated 48-character ID", got.Rules)
	}
	viaS3 := ok(srv.S3(t).GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String("lc-noid")}))(t, "S3 GetBucketLifecycleConfiguration")
	if len(viaS3.Rules) != 1 || aws.ToString(viaS3.Rules[0].ID) != aws.ToString(got.Rules[0].ID) {
		t.Fatalf("S3 shows %+v, S3 Control ID %q", viaS3.Rules, aws.ToString(got.Rules[0].ID))
	}
}

package outposts_test

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	"github.com/aws/aws-sdk-go-v2/service/s3control/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/outpost-s3/outpost/arn"
)

func createBucket(t *testing.T, c *s3control.Client, name string) {
	t.Helper()
	ok(c.CreateBucket(ctx, &s3control.CreateBucketInput{Bucket: aws.String(name), OutpostId: aws.String(outpost)}))(t, "CreateBucket "+name)
}

func TestBucketsAreCreatedListedAndDeleted(t *testing.T) {
	srv := start(t, nil)
	c := controlClient(srv)
	out := ok(c.CreateBucket(ctx, &s3control.CreateBucketInput{Bucket: aws.String("bucket1"), OutpostId: aws.String(outpost)}))(t, "CreateBucket")
	if aws.ToString(out.BucketArn) != bucketARN("bucket1") {
		t.Fatalf("BucketArn = %q", aws.ToString(out.BucketArn))
	}
	got := ok(c.GetBucket(ctx, &s3control.GetBucketInput{AccountId: aws.String(account), Bucket: aws.String(bucketARN("bucket1"))}))(t, "GetBucket")
	if aws.ToString(got.Bucket) != "bucket1" || !got.PublicAccessBlockEnabled || got.CreationDate == nil {
		t.Fatalf("GetBucket = %+v", got)
	}

	_, err := c.CreateBucket(ctx, &s3control.CreateBucketInput{Bucket: aws.String("bucket1"), OutpostId: aws.String(outpost)})
	wantCode(t, "second CreateBucket", err, "BucketAlreadyOwnedByYou")
	for _, bad := range []string{"Bad_Name", "ab", "name--op-s3", "192.168.1.1", strings.Repeat("a", 64)} {
		_, err = c.CreateBucket(ctx, &s3control.CreateBucketInput{Bucket: aws.String(bad), OutpostId: aws.String(outpost)})
		wantCode(t, "CreateBucket "+bad, err, "InvalidBucketName")
	}
	_, err = c.CreateBucket(ctx, &s3control.CreateBucketInput{Bucket: aws.String("bucket2"), OutpostId: aws.String("op-0000000000000000f")})
	wantCode(t, "CreateBucket on another outpost", err, "NoSuchOutpost")
	_, err = c.GetBucket(ctx, &s3control.GetBucketInput{AccountId: aws.String(account), Bucket: aws.String(bucketARN("missing"))})
	wantCode(t, "GetBucket missing", err, "NoSuchBucket")
	other := "arn:aws:s3-outposts:" + region + ":444455556666:outpost/" + outpost + "/bucket/bucket1"
	_, err = c.GetBucket(ctx, &s3control.GetBucketInput{AccountId: aws.String("444455556666"), Bucket: aws.String(other)})
	wantCode(t, "GetBucket of another account", err, "AccessDenied")

	// The limit is 5 buckets per account on the outpost (set by start).
	for i := 2; i <= 5; i++ {
		createBucket(t, c, fmt.Sprintf("bucket%d", i))
	}
	_, err = c.CreateBucket(ctx, &s3control.CreateBucketInput{Bucket: aws.String("bucket6"), OutpostId: aws.String(outpost)})
	wantCode(t, "sixth bucket", err, "TooManyBuckets")

	var names []string
	var token *string
	for {
		page := ok(c.ListRegionalBuckets(ctx, &s3control.ListRegionalBucketsInput{
			AccountId: aws.String(account), OutpostId: aws.String(outpost), MaxResults: 2, NextToken: token,
		}))(t, "ListRegionalBuckets")
		if len(page.RegionalBucketList) > 2 {
			t.Fatalf("page of %d buckets", len(page.RegionalBucketList))
		}
		for _, b := range page.RegionalBucketList {
			if aws.ToString(b.BucketArn) != bucketARN(aws.ToString(b.Bucket)) || aws.ToString(b.OutpostId) != outpost || !b.PublicAccessBlockEnabled {
				t.Fatalf("RegionalBucket = %+v", b)
			}
			names = append(names, aws.ToString(b.Bucket))
		}
		if token = page.NextToken; token == nil {
			break
		}
	}
	if want := []string{"bucket1", "bucket2", "bucket3", "bucket4", "bucket5"}; !slices.Equal(names, want) {
		t.Fatalf("ListRegionalBuckets = %v, want %v", names, want)
	}

	ok(c.DeleteBucket(ctx, &s3control.DeleteBucketInput{AccountId: aws.String(account), Bucket: aws.String(bucketARN("bucket5"))}))(t, "DeleteBucket")
	_, err = c.DeleteBucket(ctx, &s3control.DeleteBucketInput{AccountId: aws.String(account), Bucket: aws.String(bucketARN("bucket5"))})
	wantCode(t, "DeleteBucket twice", err, "NoSuchBucket")
	createBucket(t, c, "bucket6") // room again

	// A plain bucket is not an Outposts bucket.
	srv.MustBucket(t, "plain-bucket")
	_, err = c.GetBucket(ctx, &s3control.GetBucketInput{AccountId: aws.String(account), Bucket: aws.String(bucketARN("plain-bucket"))})
	wantCode(t, "GetBucket of a plain bucket", err, "NoSuchBucket")
}

func TestBucketPolicyTaggingAndVersioning(t *testing.T) {
	srv := start(t, nil)
	c := controlClient(srv)
	createBucket(t, c, "conf-bucket")
	b := aws.String(bucketARN("conf-bucket"))
	acct := aws.String(account)

	_, err := c.GetBucketPolicy(ctx, &s3control.GetBucketPolicyInput{AccountId: acct, Bucket: b})
	wantCode(t, "GetBucketPolicy unset", err, "NoSuchBucketPolicy")
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"s3-outposts:GetObject","Resource":"` + bucketARN("conf-bucket") + `/object/*"}]}`
	ok(c.PutBucketPolicy(ctx, &s3control.PutBucketPolicyInput{AccountId: acct, Bucket: b, Policy: aws.String(policy)}))(t, "PutBucketPolicy")
	gp := ok(c.GetBucketPolicy(ctx, &s3control.GetBucketPolicyInput{AccountId: acct, Bucket: b}))(t, "GetBucketPolicy")
	if aws.ToString(gp.Policy) != policy {
		t.Fatalf("policy = %s", aws.ToString(gp.Policy))
	}
	for what, bad := range map[string]string{
		"not JSON":                    `{"Version":`,
		"wildcard principal, no IP":   `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3-outposts:GetObject","Resource":"*"}]}`,
		"statement without principal": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3-outposts:GetObject","Resource":"*"}]}`,
		"larger than 20 KB":           `{"Version":"2012-10-17","Statement":[{"Sid":"` + strings.Repeat("a", 21000) + `","Effect":"Allow","Principal":{"AWS":"` + account + `"},"Action":"*","Resource":"*"}]}`,
	} {
		_, err := c.PutBucketPolicy(ctx, &s3control.PutBucketPolicyInput{AccountId: acct, Bucket: b, Policy: aws.String(bad)})
		wantCode(t, "PutBucketPolicy "+what, err, "MalformedPolicy")
	}
	ok(c.DeleteBucketPolicy(ctx, &s3control.DeleteBucketPolicyInput{AccountId: acct, Bucket: b}))(t, "DeleteBucketPolicy")
	_, err = c.GetBucketPolicy(ctx, &s3control.GetBucketPolicyInput{AccountId: acct, Bucket: b})
	wantCode(t, "GetBucketPolicy after delete", err, "NoSuchBucketPolicy")

	_, err = c.GetBucketTagging(ctx, &s3control.GetBucketTaggingInput{AccountId: acct, Bucket: b})
	wantCode(t, "GetBucketTagging unset", err, "NoSuchTagSet")
	tags := []types.S3Tag{{Key: aws.String("team"), Value: aws.String("storage")}, {Key: aws.String("env"), Value: aws.String("lab")}}
	ok(c.PutBucketTagging(ctx, &s3control.PutBucketTaggingInput{AccountId: acct, Bucket: b, Tagging: &types.Tagging{TagSet: tags}}))(t, "PutBucketTagging")
	gt := ok(c.GetBucketTagging(ctx, &s3control.GetBucketTaggingInput{AccountId: acct, Bucket: b}))(t, "GetBucketTagging")
	if len(gt.TagSet) != 2 || aws.ToString(gt.TagSet[0].Key) != "env" || aws.ToString(gt.TagSet[1].Value) != "storage" {
		t.Fatalf("TagSet = %+v", gt.TagSet)
	}
	dup := []types.S3Tag{{Key: aws.String("k"), Value: aws.String("1")}, {Key: aws.String("k"), Value: aws.String("2")}}
	_, err = c.PutBucketTagging(ctx, &s3control.PutBucketTaggingInput{AccountId: acct, Bucket: b, Tagging: &types.Tagging{TagSet: dup}})
	wantCode(t, "duplicate tag keys", err, "InvalidTag")
	ok(c.DeleteBucketTagging(ctx, &s3control.DeleteBucketTaggingInput{AccountId: acct, Bucket: b}))(t, "DeleteBucketTagging")
	_, err = c.GetBucketTagging(ctx, &s3control.GetBucketTaggingInput{AccountId: acct, Bucket: b})
	wantCode(t, "GetBucketTagging after delete", err, "NoSuchTagSet")

	gv := ok(c.GetBucketVersioning(ctx, &s3control.GetBucketVersioningInput{AccountId: acct, Bucket: b}))(t, "GetBucketVersioning")
	if gv.Status != "" {
		t.Fatalf("new bucket versioning = %q", gv.Status)
	}
	ok(c.PutBucketVersioning(ctx, &s3control.PutBucketVersioningInput{AccountId: acct, Bucket: b,
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}))(t, "PutBucketVersioning")
	gv = ok(c.GetBucketVersioning(ctx, &s3control.GetBucketVersioningInput{AccountId: acct, Bucket: b}))(t, "GetBucketVersioning")
	if gv.Status != types.BucketVersioningStatusEnabled {
		t.Fatalf("versioning = %q", gv.Status)
	}
	_, err = c.PutBucketVersioning(ctx, &s3control.PutBucketVersioningInput{AccountId: acct, Bucket: b,
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusSuspended, MFADelete: types.MFADeleteEnabled}})
	wantCode(t, "MFA delete", err, "NotImplemented")

	_, err = c.GetBucketReplication(ctx, &s3control.GetBucketReplicationInput{AccountId: acct, Bucket: b})
	wantCode(t, "GetBucketReplication", err, "NotImplemented")
	_, err = c.DeleteBucketReplication(ctx, &s3control.DeleteBucketReplicationInput{AccountId: acct, Bucket: b})
	wantCode(t, "DeleteBucketReplication", err, "NotImplemented")

	missing := aws.String(bucketARN("no-such-bucket"))
	_, err = c.GetBucketTagging(ctx, &s3control.GetBucketTaggingInput{AccountId: acct, Bucket: missing})
	wantCode(t, "GetBucketTagging of a missing bucket", err, "NoSuchBucket")
}

func TestLifecycleConfigurationRoundTrip(t *testing.T) {
	srv := start(t, nil)
	c := controlClient(srv)
	createBucket(t, c, "lc-bucket")
	b, acct := aws.String(bucketARN("lc-bucket")), aws.String(account)

	_, err := c.GetBucketLifecycleConfiguration(ctx, &s3control.GetBucketLifecycleConfigurationInput{AccountId: acct, Bucket: b})
	wantCode(t, "unset", err, "NoSuchLifecycleConfiguration")
	rules := []types.LifecycleRule{
		{ID: aws.String("logs"), Status: types.ExpirationStatusEnabled,
			Filter: &types.LifecycleRuleFilter{And: &types.LifecycleRuleAndOperator{
				Prefix: aws.String("logs/"), Tags: []types.S3Tag{{Key: aws.String("tier"), Value: aws.String("temp")}}, ObjectSizeGreaterThan: aws.Int64(10)}},
			Expiration: &types.LifecycleExpiration{Days: 30}},
		{ID: aws.String("versions"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("")},
			NoncurrentVersionExpiration:    &types.NoncurrentVersionExpiration{NoncurrentDays: 7, NewerNoncurrentVersions: aws.Int32(2)},
			AbortIncompleteMultipartUpload: &types.AbortIncompleteMultipartUpload{DaysAfterInitiation: 3}},
		{ID: aws.String("markers"), Status: types.ExpirationStatusDisabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("x/")},
			Expiration: &types.LifecycleExpiration{ExpiredObjectDeleteMarker: true}},
	}
	ok(c.PutBucketLifecycleConfiguration(ctx, &s3control.PutBucketLifecycleConfigurationInput{AccountId: acct, Bucket: b,
		LifecycleConfiguration: &types.LifecycleConfiguration{Rules: rules}}))(t, "PutBucketLifecycleConfiguration")
	got := ok(c.GetBucketLifecycleConfiguration(ctx, &s3control.GetBucketLifecycleConfigurationInput{AccountId: acct, Bucket: b}))(t, "GetBucketLifecycleConfiguration")
	if len(got.Rules) != 3 {
		t.Fatalf("rules = %+v", got.Rules)
	}
	r0 := got.Rules[0]
	if aws.ToString(r0.ID) != "logs" || r0.Expiration == nil || r0.Expiration.Days != 30 || r0.Filter == nil || r0.Filter.And == nil ||
		aws.ToString(r0.Filter.And.Prefix) != "logs/" || len(r0.Filter.And.Tags) != 1 || aws.ToString(r0.Filter.And.Tags[0].Value) != "temp" ||
		aws.ToInt64(r0.Filter.And.ObjectSizeGreaterThan) != 10 {
		t.Fatalf("rule 0 = %+v / %+v", r0, r0.Filter)
	}
	r1 := got.Rules[1]
	if r1.NoncurrentVersionExpiration == nil || r1.NoncurrentVersionExpiration.NoncurrentDays != 7 || aws.ToInt32(r1.NoncurrentVersionExpiration.NewerNoncurrentVersions) != 2 ||
		r1.AbortIncompleteMultipartUpload == nil || r1.AbortIncompleteMultipartUpload.DaysAfterInitiation != 3 {
		t.Fatalf("rule 1 = %+v", r1)
	}
	if r2 := got.Rules[2]; r2.Status != types.ExpirationStatusDisabled || r2.Expiration == nil || !r2.Expiration.ExpiredObjectDeleteMarker {
		t.Fatalf("rule 2 = %+v", r2)
	}

	for what, bad := range map[string]types.LifecycleRule{
		"a transition": {ID: aws.String("t"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("")},
			Transitions: []types.Transition{{Days: 30, StorageClass: types.TransitionStorageClassGlacier}}},
		"no action": {ID: aws.String("n"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("")}},
	} {
		_, err := c.PutBucketLifecycleConfiguration(ctx, &s3control.PutBucketLifecycleConfigurationInput{AccountId: acct, Bucket: b,
			LifecycleConfiguration: &types.LifecycleConfiguration{Rules: []types.LifecycleRule{bad}}})
		wantCode(t, "rule with "+what, err, "InvalidRequest")
	}
	_, err = c.PutBucketLifecycleConfiguration(ctx, &s3control.PutBucketLifecycleConfigurationInput{AccountId: acct, Bucket: b,
		LifecycleConfiguration: &types.LifecycleConfiguration{Rules: []types.LifecycleRule{{Status: types.ExpirationStatusEnabled,
			Expiration: &types.LifecycleExpiration{Days: 1, ExpiredObjectDeleteMarker: true}}}}})
	wantCode(t, "Days with ExpiredObjectDeleteMarker", err, "MalformedXML")

	// The same rules show through the S3 API.
	s3c := srv.S3(t)
	if _, err := s3c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String("lc-bucket")}); err != nil {
		t.Fatalf("S3 GetBucketLifecycleConfiguration: %v", err)
	}

	ok(c.DeleteBucketLifecycleConfiguration(ctx, &s3control.DeleteBucketLifecycleConfigurationInput{AccountId: acct, Bucket: b}))(t, "DeleteBucketLifecycleConfiguration")
	_, err = c.GetBucketLifecycleConfiguration(ctx, &s3control.GetBucketLifecycleConfigurationInput{AccountId: acct, Bucket: b})
	wantCode(t, "after delete", err, "NoSuchLifecycleConfiguration")
}

func TestAccessPoints(t *testing.T) {
	srv := start(t, nil)
	c := controlClient(srv)
	createBucket(t, c, "ap-bucket")
	createBucket(t, c, "ap-bucket2")
	acct := aws.String(account)

	out := ok(c.CreateAccessPoint(ctx, &s3control.CreateAccessPointInput{AccountId: acct, Name: aws.String("example-outposts-access-point"),
		Bucket: aws.String(bucketARN("ap-bucket")), VpcConfiguration: &types.VpcConfiguration{VpcId: aws.String("vpc-01234567890abcdef")}}))(t, "CreateAccessPoint")
	if aws.ToString(out.AccessPointArn) != accessPointARN("example-outposts-access-point") {
		t.Fatalf("AccessPointArn = %q", aws.ToString(out.AccessPointArn))
	}
	alias, isAlias := arn.ParseAlias(aws.ToString(out.Alias))
	if !isAlias || alias.NamePrefix != "example-outp" || alias.FullOutpostID() != outpost || alias.HWType != 'o' || alias.RegionPrefix != "use1" || len(aws.ToString(out.Alias)) != 63 {
		t.Fatalf("Alias = %q (%+v)", aws.ToString(out.Alias), alias)
	}
	got := ok(c.GetAccessPoint(ctx, &s3control.GetAccessPointInput{AccountId: acct, Name: aws.String(accessPointARN("example-outposts-access-point"))}))(t, "GetAccessPoint")
	if aws.ToString(got.Name) != "example-outposts-access-point" || aws.ToString(got.Bucket) != "ap-bucket" || string(got.NetworkOrigin) != "Vpc" ||
		got.VpcConfiguration == nil || aws.ToString(got.VpcConfiguration.VpcId) != "vpc-01234567890abcdef" ||
		got.PublicAccessBlockConfiguration == nil || !aws.ToBool(got.PublicAccessBlockConfiguration.BlockPublicAcls) ||
		!aws.ToBool(got.PublicAccessBlockConfiguration.RestrictPublicBuckets) || got.CreationDate == nil ||
		aws.ToString(got.Alias) != aws.ToString(out.Alias) || aws.ToString(got.AccessPointArn) != accessPointARN("example-outposts-access-point") {
		t.Fatalf("GetAccessPoint = %+v", got)
	}
	// No VPC: open to any network.
	ok(c.CreateAccessPoint(ctx, &s3control.CreateAccessPointInput{AccountId: acct, Name: aws.String("open-ap"), Bucket: aws.String(bucketARN("ap-bucket"))}))(t, "CreateAccessPoint without VPC")
	if g := ok(c.GetAccessPoint(ctx, &s3control.GetAccessPointInput{AccountId: acct, Name: aws.String(accessPointARN("open-ap"))}))(t, "GetAccessPoint open-ap"); g.NetworkOrigin != types.NetworkOriginInternet || g.VpcConfiguration != nil {
		t.Fatalf("open-ap = %+v", g)
	}

	_, err := c.CreateAccessPoint(ctx, &s3control.CreateAccessPointInput{AccountId: acct, Name: aws.String("third-ap"), Bucket: aws.String(bucketARN("ap-bucket"))})
	wantCode(t, "third access point (limit 2)", err, "InvalidRequest")
	_, err = c.CreateAccessPoint(ctx, &s3control.CreateAccessPointInput{AccountId: acct, Name: aws.String("open-ap"), Bucket: aws.String(bucketARN("ap-bucket2"))})
	wantCode(t, "same name again", err, "AccessPointAlreadyOwnedByYou")
	for _, bad := range []string{"Upper-Case", "ab", "-dash", "dash-", strings.Repeat("a", 51), "under_score"} {
		_, err = c.CreateAccessPoint(ctx, &s3control.CreateAccessPointInput{AccountId: acct, Name: aws.String(bad), Bucket: aws.String(bucketARN("ap-bucket2"))})
		wantCode(t, "CreateAccessPoint "+bad, err, "InvalidRequest")
	}
	_, err = c.CreateAccessPoint(ctx, &s3control.CreateAccessPointInput{AccountId: acct, Name: aws.String("lost-ap"), Bucket: aws.String(bucketARN("no-such-bucket"))})
	wantCode(t, "access point of a missing bucket", err, "NoSuchBucket")
	_, err = c.GetAccessPoint(ctx, &s3control.GetAccessPointInput{AccountId: acct, Name: aws.String(accessPointARN("nope"))})
	wantCode(t, "GetAccessPoint missing", err, "NoSuchAccessPoint")

	ok(c.CreateAccessPoint(ctx, &s3control.CreateAccessPointInput{AccountId: acct, Name: aws.String("b2-ap"), Bucket: aws.String(bucketARN("ap-bucket2"))}))(t, "CreateAccessPoint b2-ap")
	list := func(bucket string, max int32) []string {
		var names []string
		var token *string
		for {
			in := &s3control.ListAccessPointsInput{AccountId: acct, MaxResults: max, NextToken: token}
			if bucket != "" {
				in.Bucket = aws.String(bucketARN(bucket))
			}
			page := ok(c.ListAccessPoints(ctx, in))(t, "ListAccessPoints")
			for _, ap := range page.AccessPointList {
				if aws.ToString(ap.AccessPointArn) != accessPointARN(aws.ToString(ap.Name)) || !arn.IsAlias(aws.ToString(ap.Alias)) {
					t.Fatalf("listed %+v", ap)
				}
				names = append(names, aws.ToString(ap.Name))
			}
			if token = page.NextToken; token == nil {
				return names
			}
		}
	}
	if got := list("ap-bucket", 1); !slices.Equal(got, []string{"example-outposts-access-point", "open-ap"}) {
		t.Fatalf("access points of ap-bucket = %v", got)
	}
	if got := list("ap-bucket2", 100); !slices.Equal(got, []string{"b2-ap"}) {
		t.Fatalf("access points of ap-bucket2 = %v", got)
	}

	// Policies.
	apName := aws.String(accessPointARN("open-ap"))
	_, err = c.GetAccessPointPolicy(ctx, &s3control.GetAccessPointPolicyInput{AccountId: acct, Name: apName})
	wantCode(t, "GetAccessPointPolicy unset", err, "NoSuchAccessPointPolicy")
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3-outposts:GetObject","Resource":"` +
		accessPointARN("open-ap") + `/object/*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}`
	ok(c.PutAccessPointPolicy(ctx, &s3control.PutAccessPointPolicyInput{AccountId: acct, Name: apName, Policy: aws.String(policy)}))(t, "PutAccessPointPolicy")
	gp := ok(c.GetAccessPointPolicy(ctx, &s3control.GetAccessPointPolicyInput{AccountId: acct, Name: apName}))(t, "GetAccessPointPolicy")
	if aws.ToString(gp.Policy) != policy {
		t.Fatalf("access point policy = %s", aws.ToString(gp.Policy))
	}
	open := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3-outposts:GetObject","Resource":"*"}]}`
	_, err = c.PutAccessPointPolicy(ctx, &s3control.PutAccessPointPolicyInput{AccountId: acct, Name: apName, Policy: aws.String(open)})
	wantCode(t, "public access point policy", err, "MalformedPolicy")
	big := `{"Version":"2012-10-17","Statement":[{"Sid":"` + strings.Repeat("s", 20*1024) + `","Effect":"Allow","Principal":{"AWS":"` + account + `"},"Action":"*","Resource":"*"}]}`
	_, err = c.PutAccessPointPolicy(ctx, &s3control.PutAccessPointPolicyInput{AccountId: acct, Name: apName, Policy: aws.String(big)})
	wantCode(t, "access point policy over 20 KB", err, "MalformedPolicy")
	ok(c.DeleteAccessPointPolicy(ctx, &s3control.DeleteAccessPointPolicyInput{AccountId: acct, Name: apName}))(t, "DeleteAccessPointPolicy")
	_, err = c.GetAccessPointPolicy(ctx, &s3control.GetAccessPointPolicyInput{AccountId: acct, Name: apName})
	wantCode(t, "GetAccessPointPolicy after delete", err, "NoSuchAccessPointPolicy")

	// A bucket with access points cannot be deleted.
	_, err = c.DeleteBucket(ctx, &s3control.DeleteBucketInput{AccountId: acct, Bucket: aws.String(bucketARN("ap-bucket2"))})
	wantCode(t, "DeleteBucket with an access point", err, "InvalidBucketState")
	ok(c.DeleteAccessPoint(ctx, &s3control.DeleteAccessPointInput{AccountId: acct, Name: aws.String(accessPointARN("b2-ap"))}))(t, "DeleteAccessPoint")
	_, err = c.DeleteAccessPoint(ctx, &s3control.DeleteAccessPointInput{AccountId: acct, Name: aws.String(accessPointARN("b2-ap"))})
	wantCode(t, "DeleteAccessPoint twice", err, "NoSuchAccessPoint")
	ok(c.DeleteBucket(ctx, &s3control.DeleteBucketInput{AccountId: acct, Bucket: aws.String(bucketARN("ap-bucket2"))}))(t, "DeleteBucket after its access point")

	// The alias resolves through the store, for the data plane.
	byAlias, err := srv.App.Meta.GetAccessPointByAlias(ctx, aws.ToString(out.Alias))
	if err != nil || byAlias.Name != "example-outposts-access-point" || byAlias.Bucket != "ap-bucket" {
		t.Fatalf("GetAccessPointByAlias = %+v, %v", byAlias, err)
	}
}

// TestLimitsHoldUnderConcurrentCreates: creates racing at a limit cannot
// pass it together (the count and the insert are one transaction).
func TestLimitsHoldUnderConcurrentCreates(t *testing.T) {
	srv := start(t, nil) // 5 buckets per account, 2 access points per bucket
	c := controlClient(srv)
	acct := aws.String(account)
	race := func(n int, create func(i int) error) (created int, refused []error) {
		var mu sync.Mutex
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				err := create(i)
				mu.Lock()
				defer mu.Unlock()
				if err == nil {
					created++
				} else {
					refused = append(refused, err)
				}
			}()
		}
		wg.Wait()
		return created, refused
	}
	created, refused := race(12, func(i int) error {
		_, err := c.CreateBucket(ctx, &s3control.CreateBucketInput{Bucket: aws.String(fmt.Sprintf("racing-%02d", i)), OutpostId: aws.String(outpost)})
		return err
	})
	if created != 5 {
		t.Fatalf("12 concurrent CreateBucket with a limit of 5: %d created", created)
	}
	for _, err := range refused {
		wantCode(t, "CreateBucket over the limit", err, "TooManyBuckets")
	}
	list := ok(c.ListRegionalBuckets(ctx, &s3control.ListRegionalBucketsInput{AccountId: acct, OutpostId: aws.String(outpost)}))(t, "ListRegionalBuckets")
	if len(list.RegionalBucketList) != 5 {
		t.Fatalf("%d buckets listed", len(list.RegionalBucketList))
	}
	bucket := aws.ToString(list.RegionalBucketList[0].Bucket)
	created, refused = race(8, func(i int) error {
		_, err := c.CreateAccessPoint(ctx, &s3control.CreateAccessPointInput{AccountId: acct, Name: aws.String(fmt.Sprintf("racing-ap-%d", i)), Bucket: aws.String(bucketARN(bucket))})
		return err
	})
	if created != 2 {
		t.Fatalf("8 concurrent CreateAccessPoint with a limit of 2: %d created", created)
	}
	for _, err := range refused {
		wantCode(t, "CreateAccessPoint over the limit", err, "InvalidRequest")
	}
}

// TestControlOwnerGuardIsAccountID (issue 12 item 12): S3 Control
// operations name the account in x-amz-account-id (and the bucket ARN),
// not x-amz-expected-bucket-owner, which no S3 Control operation takes in
// AWS's API model. Another account there answers 403 AccessDenied; an
// x-amz-expected-bucket-owner header, even naming another account, is an
// unknown header and ignored, as AWS ignores it.
func TestControlOwnerGuardIsAccountID(t *testing.T) {
	srv := start(t, nil)
	c := controlClient(srv)
	createBucket(t, c, "guarded")
	otherOwner := s3control.WithAPIOptions(smithyhttp.AddHeaderValue("X-Amz-Expected-Bucket-Owner", "999999999999"))
	got, err := c.GetBucket(ctx, &s3control.GetBucketInput{AccountId: aws.String(account), Bucket: aws.String(bucketARN("guarded"))}, otherOwner)
	if err != nil || aws.ToString(got.Bucket) != "guarded" {
		t.Fatalf("S3 Control GetBucket with x-amz-expected-bucket-owner of another account: %+v %v; want the bucket (the header is not S3 Control's)", got, err)
	}
	other := "arn:aws:s3-outposts:" + region + ":444455556666:outpost/" + outpost + "/bucket/guarded"
	_, err = c.GetBucketVersioning(ctx, &s3control.GetBucketVersioningInput{AccountId: aws.String("444455556666"), Bucket: aws.String(other)})
	wantCode(t, "S3 Control naming another account", err, "AccessDenied")
}

package iam_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/outpost-s3/outpost/internal/app"
	"github.com/outpost-s3/outpost/internal/testserver"
)

// lastUsed asks GetAccessKeyLastUsed (as root) about id and checks the
// answer: service and region, and a date within [after, before] (none
// when service is "N/A").
func lastUsed(t *testing.T, srv *testserver.Server, id, user, service, wantRegion string, after, before time.Time) {
	t.Helper()
	out, err := iamClient(srv, rootCreds).GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String(id)})
	must(t, "GetAccessKeyLastUsed", err)
	got := out.AccessKeyLastUsed
	if aws.ToString(out.UserName) != user || aws.ToString(got.ServiceName) != service || aws.ToString(got.Region) != wantRegion {
		t.Fatalf("GetAccessKeyLastUsed(%s) = user %q, service %q, region %q; want %q, %q, %q",
			id, aws.ToString(out.UserName), aws.ToString(got.ServiceName), aws.ToString(got.Region), user, service, wantRegion)
	}
	switch {
	case service == "N/A" && got.LastUsedDate != nil:
		t.Fatalf("GetAccessKeyLastUsed(%s): a never-used key has LastUsedDate %v", id, got.LastUsedDate)
	case service != "N/A" && (got.LastUsedDate == nil || got.LastUsedDate.Before(after.Truncate(time.Second)) || got.LastUsedDate.After(before)):
		t.Fatalf("GetAccessKeyLastUsed(%s): LastUsedDate %v, want between %v and %v", id, got.LastUsedDate, after, before)
	}
}

// TestGetAccessKeyLastUsed (issue 12 item 14): every authenticated use of
// a key is reported, with the service it was signed for and its region;
// a never-used key answers N/A; the uses are kept in memory and written
// to the store only by a flush (at shutdown too), so they survive a
// restart.
func TestGetAccessKeyLastUsed(t *testing.T) {
	clk := &clock{}
	dsn := freshPostgresSchema(t)
	dir := t.TempDir()
	cfg := func(c *app.Config) {
		c.Now = clk.Now
		if dsn != "" {
			c.PostgresDSN = dsn
		}
	}
	srv := testserver.Start(t, testserver.Options{DataDir: dir, Config: cfg})
	alice := newUser(t, srv, rootCreds, "alice")

	lastUsed(t, srv, alice.AccessKeyID, "alice", "N/A", "N/A", time.Time{}, time.Time{})

	// A use that policy then denies is still a use, as in IAM.
	t0 := clk.Now()
	_, err := s3Client(srv, alice).ListBuckets(ctx, &s3.ListBucketsInput{})
	wantCode(t, "ListBuckets without a policy", err, "AccessDenied")
	lastUsed(t, srv, alice.AccessKeyID, "alice", "s3", region, t0, clk.Now())

	// The store has not been written: uses wait for the flush.
	if u, err := srv.App.Meta.GetAccessKeyLastUsed(ctx, alice.AccessKeyID); err != nil || !u.At.IsZero() {
		t.Fatalf("before any flush the store holds %+v (err %v); a request must not write it", u, err)
	}

	t1 := clk.Now()
	_, err = stsClient(srv, alice).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	must(t, "GetCallerIdentity", err)
	lastUsed(t, srv, alice.AccessKeyID, "alice", "sts", region, t1, clk.Now())

	t2 := clk.Now()
	_, err = controlClient(srv, alice).CreateBucket(ctx, &s3control.CreateBucketInput{Bucket: aws.String("alices"), OutpostId: aws.String(outpost)})
	wantCode(t, "S3 Control CreateBucket without a policy", err, "AccessDenied")
	lastUsed(t, srv, alice.AccessKeyID, "alice", "s3-outposts", region, t2, clk.Now())

	must(t, "flush", srv.App.FlushKeyUsage(ctx))
	u, err := srv.App.Meta.GetAccessKeyLastUsed(ctx, alice.AccessKeyID)
	if err != nil || u.Service != "s3-outposts" || u.At.Before(t2.Truncate(time.Second)) {
		t.Fatalf("after a flush the store holds %+v (err %v), want the s3-outposts use", u, err)
	}

	// Who may ask: iam:GetAccessKeyLastUsed on the key's user.
	ai := iamClient(srv, alice)
	_, err = ai.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String(alice.AccessKeyID)})
	wantCode(t, "alice without a policy", err, "AccessDenied")
	putUserPolicy(t, srv, "alice", "own-keys", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetAccessKeyLastUsed","Resource":"arn:aws:iam::`+account+`:user/alice"}]}`)
	t3 := clk.Now()
	own := ok(ai.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String(alice.AccessKeyID)}))(t, "alice on her own key")
	// The answer is computed after the request itself was counted.
	if aws.ToString(own.AccessKeyLastUsed.ServiceName) != "iam" || aws.ToString(own.UserName) != "alice" {
		t.Fatalf("alice's own GetAccessKeyLastUsed = %+v, want service iam", own.AccessKeyLastUsed)
	}
	_, err = ai.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String(testserver.AccessKey)})
	wantCode(t, "alice on the root key", err, "AccessDenied")
	_, err = iamClient(srv, rootCreds).GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String("AKIANOSUCHKEY0000000")})
	wantCode(t, "an unknown key", err, "NoSuchEntity")
	partnerRoot := createAccount(t, srv, partner)
	_, err = iamClient(srv, partnerRoot).GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String(alice.AccessKeyID)})
	wantCode(t, "another account's key", err, "NoSuchEntity")

	// Shutdown writes what the last flush missed.
	srv.Stop()
	srv = testserver.Start(t, testserver.Options{DataDir: dir, Config: cfg})
	lastUsed(t, srv, alice.AccessKeyID, "alice", "iam", region, t3, clk.Now())

	// The AWS CLI: a new key is N/A, then shows its first use. The root
	// key signs this test's every call: no UserName, service iam.
	bob := newUser(t, srv, rootCreds, "bob")
	var res struct {
		UserName          string
		AccessKeyLastUsed struct{ LastUsedDate, ServiceName, Region string }
	}
	must(t, "parse get-access-key-last-used", json.Unmarshal(awsCLI(t, srv, "iam", "get-access-key-last-used", "--access-key-id", bob.AccessKeyID), &res))
	if res.UserName != "bob" || res.AccessKeyLastUsed.ServiceName != "N/A" || res.AccessKeyLastUsed.Region != "N/A" || res.AccessKeyLastUsed.LastUsedDate != "" {
		t.Fatalf("aws iam get-access-key-last-used (never used) = %+v", res)
	}
	_, err = s3Client(srv, bob).ListBuckets(ctx, &s3.ListBucketsInput{})
	wantCode(t, "bob's ListBuckets", err, "AccessDenied")
	must(t, "parse get-access-key-last-used", json.Unmarshal(awsCLI(t, srv, "iam", "get-access-key-last-used", "--access-key-id", bob.AccessKeyID), &res))
	if res.AccessKeyLastUsed.ServiceName != "s3" || res.AccessKeyLastUsed.Region != region || res.AccessKeyLastUsed.LastUsedDate == "" {
		t.Fatalf("aws iam get-access-key-last-used (after a use) = %+v", res)
	}
	var root struct {
		UserName          *string
		AccessKeyLastUsed struct{ ServiceName, Region string }
	}
	must(t, "parse get-access-key-last-used (root)", json.Unmarshal(awsCLI(t, srv, "iam", "get-access-key-last-used", "--access-key-id", testserver.AccessKey), &root))
	if root.UserName != nil || root.AccessKeyLastUsed.ServiceName != "iam" || root.AccessKeyLastUsed.Region != region {
		t.Fatalf("aws iam get-access-key-last-used (root key) = %+v", root)
	}
}

package outposts_test

import (
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	"github.com/aws/aws-sdk-go-v2/service/s3control/types"

	"github.com/outpost-s3/outpost/internal/testserver"
)

const day = 24 * time.Hour

func putObject(t *testing.T, c *s3.Client, bucket, key, body string, tagging string) string {
	t.Helper()
	in := &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(body)}
	if tagging != "" {
		in.Tagging = aws.String(tagging)
	}
	out := ok(c.PutObject(ctx, in))(t, "PutObject "+key)
	return aws.ToString(out.VersionId)
}

// keys lists the bucket's current keys.
func keys(t *testing.T, c *s3.Client, bucket string) []string {
	t.Helper()
	out := ok(c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)}))(t, "ListObjectsV2")
	var ks []string
	for _, o := range out.Contents {
		ks = append(ks, aws.ToString(o.Key))
	}
	return ks
}

// versions lists "key@version" for every version, "key@version(marker)"
// for delete markers.
func versions(t *testing.T, c *s3.Client, bucket string) []string {
	t.Helper()
	out := ok(c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(bucket)}))(t, "ListObjectVersions")
	var vs []string
	for _, v := range out.Versions {
		vs = append(vs, aws.ToString(v.Key)+"@"+aws.ToString(v.VersionId))
	}
	for _, m := range out.DeleteMarkers {
		vs = append(vs, aws.ToString(m.Key)+"@"+aws.ToString(m.VersionId)+"(marker)")
	}
	slices.Sort(vs)
	return vs
}

// pass moves the clock forward by offset, runs one lifecycle pass and
// moves the clock back (requests are signed with the real time).
func pass(t *testing.T, srv *testserver.Server, clk *clock, offset time.Duration) {
	t.Helper()
	clk.Set(offset)
	defer clk.Set(0)
	if _, err := srv.App.RunLifecycle(ctx); err != nil {
		t.Fatalf("RunLifecycle: %v", err)
	}
}

// dataBucket creates an Outposts bucket and an access point on it (open to
// every network), and returns the access point's alias: objects are read
// and written only through an access point.
func dataBucket(t *testing.T, c *s3control.Client, name string) string {
	t.Helper()
	createBucket(t, c, name)
	out := ok(c.CreateAccessPoint(ctx, &s3control.CreateAccessPointInput{AccountId: aws.String(account), Name: aws.String(name + "-ap"),
		Bucket: aws.String(bucketARN(name))}))(t, "CreateAccessPoint "+name)
	return aws.ToString(out.Alias)
}

func putLifecycle(t *testing.T, c *s3control.Client, bucket string, rules ...types.LifecycleRule) {
	t.Helper()
	ok(c.PutBucketLifecycleConfiguration(ctx, &s3control.PutBucketLifecycleConfigurationInput{AccountId: aws.String(account),
		Bucket: aws.String(bucketARN(bucket)), LifecycleConfiguration: &types.LifecycleConfiguration{Rules: rules}}))(t, "PutBucketLifecycleConfiguration")
}

func TestVersioningOnAnOutpostsBucket(t *testing.T) {
	srv := start(t, nil)
	c := controlClient(srv)
	ap := dataBucket(t, c, "versioned")
	ok(c.PutBucketVersioning(ctx, &s3control.PutBucketVersioningInput{AccountId: aws.String(account), Bucket: aws.String(bucketARN("versioned")),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}))(t, "PutBucketVersioning")
	s3c := srv.S3AccessPoint(t)
	v1 := putObject(t, s3c, ap, "doc.txt", "first", "")
	v2 := putObject(t, s3c, ap, "doc.txt", "second", "")
	if v1 == "" || v1 == "null" || v1 == v2 {
		t.Fatalf("version IDs %q, %q", v1, v2)
	}
	if got := versions(t, s3c, ap); !slices.Equal(got, sorted("doc.txt@"+v1, "doc.txt@"+v2)) {
		t.Fatalf("versions = %v", got)
	}
	for v, want := range map[string]string{v1: "first", v2: "second"} {
		o := ok(s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(ap), Key: aws.String("doc.txt"), VersionId: aws.String(v)}))(t, "GetObject "+v)
		body, _ := io.ReadAll(o.Body)
		o.Body.Close()
		if string(body) != want {
			t.Fatalf("version %s = %q, want %q", v, body, want)
		}
	}
	gv := ok(srv.S3(t).GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String("versioned")}))(t, "S3 GetBucketVersioning")
	if gv.Status != s3types.BucketVersioningStatusEnabled {
		t.Fatalf("S3 API versioning = %q", gv.Status)
	}
}

func sorted(s ...string) []string { slices.Sort(s); return s }

func TestLifecycleExpiresObjectsByAgePrefixAndTag(t *testing.T) {
	clk := &clock{}
	srv := start(t, clk)
	c := controlClient(srv)
	ap := dataBucket(t, c, "expiring")
	s3c := srv.S3AccessPoint(t)
	putObject(t, s3c, ap, "logs/a.log", "aaaaaaaaaaaaaaaaaaaa", "")
	putObject(t, s3c, ap, "logs/tiny.log", "a", "")
	putObject(t, s3c, ap, "keep/b.txt", "bbbb", "")
	putObject(t, s3c, ap, "tmp/c.txt", "cccc", "class=scratch")
	putObject(t, s3c, ap, "tmp/d.txt", "dddd", "class=keep")
	putLifecycle(t, c, "expiring",
		types.LifecycleRule{ID: aws.String("logs"), Status: types.ExpirationStatusEnabled,
			Filter:     &types.LifecycleRuleFilter{And: &types.LifecycleRuleAndOperator{Prefix: aws.String("logs/"), ObjectSizeGreaterThan: aws.Int64(5)}},
			Expiration: &types.LifecycleExpiration{Days: 1}},
		types.LifecycleRule{ID: aws.String("scratch"), Status: types.ExpirationStatusEnabled,
			Filter:     &types.LifecycleRuleFilter{Tag: &types.S3Tag{Key: aws.String("class"), Value: aws.String("scratch")}},
			Expiration: &types.LifecycleExpiration{Days: 2}},
		types.LifecycleRule{ID: aws.String("off"), Status: types.ExpirationStatusDisabled,
			Filter: &types.LifecycleRuleFilter{Prefix: aws.String("keep/")}, Expiration: &types.LifecycleExpiration{Days: 1}},
	)
	all := []string{"keep/b.txt", "logs/a.log", "logs/tiny.log", "tmp/c.txt", "tmp/d.txt"}

	pass(t, srv, clk, 0)
	if got := keys(t, s3c, ap); !slices.Equal(got, all) {
		t.Fatalf("after a pass now: %v", got)
	}
	// Days=1 means the midnight (UTC) after creation + 1 day: at most 2 days away.
	pass(t, srv, clk, 2*day+time.Minute)
	if got := keys(t, s3c, ap); !slices.Equal(got, []string{"keep/b.txt", "logs/tiny.log", "tmp/c.txt", "tmp/d.txt"}) {
		t.Fatalf("after 2 days: %v", got)
	}
	pass(t, srv, clk, 3*day+time.Minute)
	if got := keys(t, s3c, ap); !slices.Equal(got, []string{"keep/b.txt", "logs/tiny.log", "tmp/d.txt"}) {
		t.Fatalf("after 3 days: %v", got)
	}
}

func TestLifecycleOnAVersionedBucket(t *testing.T) {
	clk := &clock{}
	srv := start(t, clk)
	c := controlClient(srv)
	ap := dataBucket(t, c, "history")
	ok(c.PutBucketVersioning(ctx, &s3control.PutBucketVersioningInput{AccountId: aws.String(account), Bucket: aws.String(bucketARN("history")),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}))(t, "PutBucketVersioning")
	s3c := srv.S3AccessPoint(t)
	v1 := putObject(t, s3c, ap, "k", "one", "")
	v2 := putObject(t, s3c, ap, "k", "two", "")
	putLifecycle(t, c, "history",
		types.LifecycleRule{ID: aws.String("expire"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("")},
			Expiration: &types.LifecycleExpiration{Days: 1}, NoncurrentVersionExpiration: &types.NoncurrentVersionExpiration{NoncurrentDays: 1}},
		types.LifecycleRule{ID: aws.String("markers"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("")},
			Expiration: &types.LifecycleExpiration{ExpiredObjectDeleteMarker: true}},
	)
	pass(t, srv, clk, 0)
	if got := versions(t, s3c, ap); len(got) != 2 {
		t.Fatalf("versions after a pass now: %v", got)
	}
	// Two days on: the current version expires (a delete marker hides it)
	// and v1, noncurrent since v2 was written, is removed.
	pass(t, srv, clk, 2*day+time.Minute)
	got := versions(t, s3c, ap)
	if len(got) != 2 || got[0] != "k@"+v2 || !strings.HasSuffix(got[1], "(marker)") {
		t.Fatalf("after 2 days: %v (v1 %s, v2 %s)", got, v1, v2)
	}
	_, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(ap), Key: aws.String("k")})
	var nsk *s3types.NoSuchKey
	if !errors.As(err, &nsk) {
		t.Fatalf("GetObject after expiration: %v", err)
	}
	// Two more days: v2 (noncurrent since the marker) goes, then the
	// marker is an expired object delete marker and goes too.
	pass(t, srv, clk, 4*day+2*time.Minute)
	if got := versions(t, s3c, ap); len(got) != 0 {
		t.Fatalf("after 4 days: %v", got)
	}
}

func TestLifecycleKeepsNewerNoncurrentVersions(t *testing.T) {
	clk := &clock{}
	srv := start(t, clk)
	c := controlClient(srv)
	ap := dataBucket(t, c, "kept")
	ok(c.PutBucketVersioning(ctx, &s3control.PutBucketVersioningInput{AccountId: aws.String(account), Bucket: aws.String(bucketARN("kept")),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}))(t, "PutBucketVersioning")
	s3c := srv.S3AccessPoint(t)
	var vs []string
	for _, body := range []string{"1", "2", "3", "4"} {
		vs = append(vs, putObject(t, s3c, ap, "k", body, ""))
	}
	putLifecycle(t, c, "kept", types.LifecycleRule{ID: aws.String("nc"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("")},
		NoncurrentVersionExpiration: &types.NoncurrentVersionExpiration{NoncurrentDays: 1, NewerNoncurrentVersions: aws.Int32(1)}})
	pass(t, srv, clk, 2*day+time.Minute)
	// Current vs[3], one newer noncurrent kept (vs[2]); vs[0] and vs[1] go.
	if got := versions(t, s3c, ap); !slices.Equal(got, sorted("k@"+vs[2], "k@"+vs[3])) {
		t.Fatalf("versions = %v, want %s and %s", got, vs[2], vs[3])
	}
}

func TestLifecycleAbortsIncompleteMultipartUploads(t *testing.T) {
	clk := &clock{}
	srv := start(t, clk)
	c := controlClient(srv)
	ap := dataBucket(t, c, "uploads")
	s3c := srv.S3AccessPoint(t)
	for _, k := range []string{"big/one", "other/two"} {
		u := ok(s3c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(ap), Key: aws.String(k)}))(t, "CreateMultipartUpload")
		ok(s3c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(ap), Key: aws.String(k), UploadId: u.UploadId,
			PartNumber: aws.Int32(1), Body: strings.NewReader("part")}))(t, "UploadPart")
	}
	putLifecycle(t, c, "uploads", types.LifecycleRule{ID: aws.String("abort"), Status: types.ExpirationStatusEnabled,
		Filter: &types.LifecycleRuleFilter{Prefix: aws.String("big/")}, AbortIncompleteMultipartUpload: &types.AbortIncompleteMultipartUpload{DaysAfterInitiation: 1}})
	uploads := func() []string {
		out := ok(s3c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(ap)}))(t, "ListMultipartUploads")
		var ks []string
		for _, u := range out.Uploads {
			ks = append(ks, aws.ToString(u.Key))
		}
		return ks
	}
	pass(t, srv, clk, 0)
	if got := uploads(); len(got) != 2 {
		t.Fatalf("uploads after a pass now: %v", got)
	}
	pass(t, srv, clk, 2*day+time.Minute)
	if got := uploads(); !slices.Equal(got, []string{"other/two"}) {
		t.Fatalf("uploads after 2 days: %v", got)
	}
}

// TestLifecycleOfPlainBuckets: rules set with the S3 API are enforced too.
func TestLifecycleOfPlainBuckets(t *testing.T) {
	clk := &clock{}
	srv := start(t, clk)
	srv.MustBucket(t, "plain")
	s3c := srv.S3(t)
	putObject(t, s3c, "plain", "old/x", "x", "")
	putObject(t, s3c, "plain", "new/y", "y", "")
	ok(s3c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: aws.String("plain"),
		LifecycleConfiguration: &s3types.BucketLifecycleConfiguration{Rules: []s3types.LifecycleRule{{
			ID: aws.String("old"), Status: s3types.ExpirationStatusEnabled, Filter: &s3types.LifecycleRuleFilter{Prefix: aws.String("old/")},
			Expiration: &s3types.LifecycleExpiration{Days: aws.Int32(1)}}}}}))(t, "PutBucketLifecycleConfiguration")
	pass(t, srv, clk, 2*day+time.Minute)
	if got := keys(t, s3c, "plain"); !slices.Equal(got, []string{"new/y"}) {
		t.Fatalf("keys = %v", got)
	}
}

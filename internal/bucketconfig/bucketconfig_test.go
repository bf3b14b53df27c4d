package bucketconfig_test

import (
	"context"
	"encoding/base64"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/outpost-s3/outpost/internal/bucketconfig"
	"github.com/outpost-s3/outpost/internal/meta"
	"github.com/outpost-s3/outpost/internal/meta/sqlmeta"
	"github.com/outpost-s3/outpost/internal/s3err"
	"github.com/outpost-s3/outpost/internal/s3xml"
)

// store is a real embedded metadata store with one bucket, b.
func store(t *testing.T) *sqlmeta.Store {
	t.Helper()
	st, err := sqlmeta.OpenSQLite(filepath.Join(t.TempDir(), "meta.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.CreateBucket(context.Background(), meta.Bucket{Name: "b", Account: "111122223333", CreatedAt: time.Now(), ACL: "private"}); err != nil {
		t.Fatal(err)
	}
	return st
}

// wantCode fails unless err is the S3 error code (naming bucket b, for the
// "no such configuration" errors).
func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	var e *s3err.Error
	if !errors.As(err, &e) || e.Code != code {
		t.Fatalf("%s: got %v, want %s", what, err, code)
	}
	if strings.HasPrefix(code, "NoSuch") && (len(e.Fields) == 0 || e.Fields[0] != (s3err.Field{Name: "BucketName", Value: "b"})) {
		t.Errorf("%s: %s names %v, want BucketName b", what, code, e.Fields)
	}
}

func TestTagsArePutReadAndDeleted(t *testing.T) {
	ctx, st := context.Background(), store(t)
	_, err := bucketconfig.Tags(ctx, st, "b")
	wantCode(t, "tags of an untagged bucket", err, "NoSuchTagSet")
	wantCode(t, "a key twice", bucketconfig.PutTags(ctx, st, "b", []s3xml.Tag{{Key: "k"}, {Key: "k"}}), "InvalidTag")
	if _, err := bucketconfig.Tags(ctx, st, "b"); err == nil {
		t.Fatal("a refused tag set was stored")
	}
	tags := []s3xml.Tag{{Key: "team", Value: "blue"}, {Key: "empty"}}
	if err := bucketconfig.PutTags(ctx, st, "b", tags); err != nil {
		t.Fatal(err)
	}
	m, err := bucketconfig.Tags(ctx, st, "b")
	if err != nil || !reflect.DeepEqual(m, map[string]string{"team": "blue", "empty": ""}) {
		t.Fatalf("tags read back as %v, %v", m, err)
	}
	for i := range 2 { // deleting none succeeds too
		if err := bucketconfig.DeleteTags(ctx, st, "b"); err != nil {
			t.Fatalf("delete %d: %v", i, err)
		}
	}
	_, err = bucketconfig.Tags(ctx, st, "b")
	wantCode(t, "tags after delete", err, "NoSuchTagSet")
	fifty := make([]s3xml.Tag, 51)
	for i := range fifty {
		fifty[i].Key = string(rune('A' + i))
	}
	wantCode(t, "51 bucket tags", bucketconfig.PutTags(ctx, st, "b", fifty), "InvalidTag")
	if err := bucketconfig.PutTags(ctx, st, "b", fifty[:50]); err != nil {
		t.Errorf("50 bucket tags are refused: %v", err)
	}
}

func TestPolicyIsKeptAsPut(t *testing.T) {
	ctx, st := context.Background(), store(t)
	_, err := bucketconfig.Policy(ctx, st, "b")
	wantCode(t, "policy of a bucket without one", err, "NoSuchBucketPolicy")
	doc := `{"Version":"2012-10-17", "Statement":[]}`
	if err := bucketconfig.PutPolicy(ctx, st, "b", doc); err != nil {
		t.Fatal(err)
	}
	if got, err := bucketconfig.Policy(ctx, st, "b"); err != nil || got != doc {
		t.Fatalf("policy read back as %q, %v", got, err)
	}
	if err := bucketconfig.DeletePolicy(ctx, st, "b"); err != nil {
		t.Fatal(err)
	}
	_, err = bucketconfig.Policy(ctx, st, "b")
	wantCode(t, "policy after delete", err, "NoSuchBucketPolicy")
	if err := bucketconfig.DeletePolicy(ctx, st, "b"); err != nil {
		t.Errorf("deleting no policy: %v", err)
	}
}

func TestVersioning(t *testing.T) {
	ctx, st := context.Background(), store(t)
	wantCode(t, "MFA delete enabled", bucketconfig.PutVersioning(ctx, st, "b", s3xml.VersioningConfiguration{Status: "Enabled", MFADelete: "Enabled"}), "NotImplemented")
	wantCode(t, "status Off", bucketconfig.PutVersioning(ctx, st, "b", s3xml.VersioningConfiguration{Status: "Off"}), "IllegalVersioningConfigurationException")
	if err := bucketconfig.PutVersioning(ctx, st, "b", s3xml.VersioningConfiguration{Status: "Enabled", MFADelete: "Disabled"}); err != nil {
		t.Fatal(err)
	}
	if b, err := st.GetBucket(ctx, "b"); err != nil || b.Versioning != "Enabled" {
		t.Fatalf("bucket versioning is %q, %v", b.Versioning, err)
	}
}

// TestLifecycleIsStoredInTheS3Form: a configuration put in the S3 Control
// form is stored as the S3 document and read back in the S3 form.
func TestLifecycleIsStoredInTheS3Form(t *testing.T) {
	ctx, st := context.Background(), store(t)
	_, err := bucketconfig.Lifecycle(ctx, st, "b")
	wantCode(t, "lifecycle of a bucket without one", err, "NoSuchLifecycleConfiguration")
	prefix := "logs/"
	lc := s3xml.LifecycleConfiguration{Form: s3xml.Control, Rules: []s3xml.LifecycleRule{{
		ID: "r", Status: "Enabled", Filter: &s3xml.LifecycleFilter{Prefix: &prefix},
		Expiration: &s3xml.LifecycleExpiration{Days: 3},
	}}}
	if err := bucketconfig.PutLifecycle(ctx, st, "b", lc); err != nil {
		t.Fatal(err)
	}
	doc, err := st.GetBucketConfig(ctx, "b", "lifecycle")
	want := `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<LifecycleConfiguration xmlns="` + s3xml.S3Namespace + `"><Rule><ID>r</ID><Status>Enabled</Status><Filter><Prefix>logs/</Prefix></Filter><Expiration><Days>3</Days></Expiration></Rule></LifecycleConfiguration>`
	if err != nil || doc != want {
		t.Fatalf("stored %q, %v\nwant %q", doc, err, want)
	}
	got, err := bucketconfig.Lifecycle(ctx, st, "b")
	if err != nil || got.Form != s3xml.S3 || len(got.Rules) != 1 || got.Rules[0].Expiration.Days != 3 || *got.Rules[0].Filter.Prefix != prefix {
		t.Fatalf("read back %+v, %v", got, err)
	}
	bad := s3xml.LifecycleConfiguration{Rules: []s3xml.LifecycleRule{{Status: "Enabled"}}}
	wantCode(t, "a rule without an action", bucketconfig.PutLifecycle(ctx, st, "b", bad), "InvalidRequest")
	if again, _ := st.GetBucketConfig(ctx, "b", "lifecycle"); again != want {
		t.Errorf("a refused configuration replaced the stored one: %q", again)
	}
	if err := bucketconfig.DeleteLifecycle(ctx, st, "b"); err != nil {
		t.Fatal(err)
	}
	_, err = bucketconfig.Lifecycle(ctx, st, "b")
	wantCode(t, "lifecycle after delete", err, "NoSuchLifecycleConfiguration")
}

// TestLifecycleRulesWithoutIDGetOne: PutLifecycle gives each rule sent
// without an ID a distinct one of S3's shape (the base64 of a UUID, 48
// characters), stores it, and keeps the IDs rules came with.
func TestLifecycleRulesWithoutIDGetOne(t *testing.T) {
	ctx, st := context.Background(), store(t)
	exp := &s3xml.LifecycleExpiration{Days: 1}
	lc := s3xml.LifecycleConfiguration{Form: s3xml.Control, Rules: []s3xml.LifecycleRule{
		{Status: "Enabled", Expiration: exp}, {ID: "kept", Status: "Enabled", Expiration: exp}, {Status: "Disabled", Expiration: exp}}}
	if err := bucketconfig.PutLifecycle(ctx, st, "b", lc); err != nil {
		t.Fatal(err)
	}
	if lc.Rules[0].ID != "" {
		t.Error("PutLifecycle changed the caller's rules")
	}
	got, err := bucketconfig.Lifecycle(ctx, st, "b")
	if err != nil || len(got.Rules) != 3 {
		t.Fatalf("read back %+v, %v", got, err)
	}
	a, kept, c := got.Rules[0].ID, got.Rules[1].ID, got.Rules[2].ID
	if kept != "kept" || a == c || len(a) != 48 || len(c) != 48 {
		t.Fatalf("IDs %q %q %q", a, kept, c)
	}
	if u, err := base64.StdEncoding.DecodeString(a); err != nil || len(u) != 36 || u[8] != '-' || u[14] != '4' {
		t.Fatalf("generated ID %q decodes to %q, %v; want a version 4 UUID", a, u, err)
	}
}

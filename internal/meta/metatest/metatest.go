// Package metatest is the conformance suite every meta.Store must pass.
// Each subtest opens a fresh, empty store.
package metatest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/outpost-s3/outpost/internal/meta"
)

// Run runs the conformance suite against stores made by open. open must
// return an empty store and arrange for it to be closed when t ends.
func Run(t *testing.T, open func(t *testing.T) meta.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s meta.Store)
	}{
		{"settings are set once or overwritten", testSettings},
		{"access keys are unique and listable", testAccessKeys},
		{"access key last use only moves forward", testAccessKeyLastUsed},
		{"buckets are created once, deleted only without object versions, and take their uploads with them", testBuckets},
		{"concurrent bucket creates cannot pass a limit", testBucketLimit},
		{"bucket configuration documents", testBucketConfigs},
		{"unversioned puts replace the null version", testUnversioned},
		{"versioned puts keep every version", testVersioned},
		{"suspended versioning writes null versions", testSuspended},
		{"update object changes tags and acl only", testUpdateObject},
		{"list objects matches the model", testListObjects},
		{"list objects pages join up for every page size", testListPaging},
		{"list object versions pages join up", testListVersions},
		{"multipart upload lifecycle", testUploads},
		{"list uploads pages join up", testListUploads},
		{"racing completions: exactly one wins", testCompleteRace},
		{"concurrent puts of one key stay consistent", testConcurrentPuts},
		{"concurrent puts of one versioned key", testConcurrentVersionedPuts},
		{"conditional writes: one create-if-absent wins a race", testConditionalWrites},
		{"conditional deletes: If-Match on the current version, atomically", testConditionalDeletes},
		{"encryption: modes, key checks and wrapped keys are stored", testEncryptionStored},
		{"rewrap: every SSE-S3 key of objects and parts, SSE-C left alone", testRewrapSealedKeys},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			tc.fn(t, s)
			if err := s.IntegrityCheck(context.Background()); err != nil {
				t.Fatalf("IntegrityCheck: %v", err)
			}
		})
	}
}

var ctx = context.Background()

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("%s: err = %v, want %v", what, err, want)
	}
}

func mkBucket(t *testing.T, s meta.Store, name, versioning string) {
	t.Helper()
	must(t, s.CreateBucket(ctx, meta.Bucket{Name: name, Account: "111122223333", Versioning: versioning}))
}

var blobSeq struct {
	sync.Mutex
	n int
}

func newBlob() string {
	blobSeq.Lock()
	defer blobSeq.Unlock()
	blobSeq.n++
	return fmt.Sprintf("%032x", blobSeq.n)
}

func put(t *testing.T, s meta.Store, bucket, key string, blobs ...string) (*meta.Object, []string) {
	t.Helper()
	if len(blobs) == 0 {
		blobs = []string{newBlob()}
	}
	o := &meta.Object{Bucket: bucket, Key: key, Size: int64(len(blobs)) * 10, ETag: "d41d8cd98f00b204e9800998ecf8427e",
		Headers: map[string]string{"Content-Type": "text/plain"}, Metadata: map[string]string{"k": "v"},
		StorageClass: "OUTPOSTS", ACL: "private"}
	for i, b := range blobs {
		o.Segments = append(o.Segments, meta.Segment{BlobID: b, Size: 10, PartNumber: i})
	}
	freed, err := s.PutObject(ctx, o)
	if err != nil {
		t.Fatalf("PutObject %s: %v", key, err)
	}
	return o, freed
}

func referenced(t *testing.T, s meta.Store, ids ...string) map[string]bool {
	t.Helper()
	m, err := s.BlobReferenced(ctx, ids)
	must(t, err)
	return m
}

func testSettings(t *testing.T, s meta.Store) {
	_, err := s.GetSetting(ctx, "region")
	wantErr(t, "GetSetting unset", err, meta.ErrNotFound)
	v, err := s.PutSettingIfAbsent(ctx, "region", "us-west-2")
	must(t, err)
	if v != "us-west-2" {
		t.Fatalf("PutSettingIfAbsent = %q", v)
	}
	v, err = s.PutSettingIfAbsent(ctx, "region", "eu-west-1")
	if err != nil || v != "us-west-2" {
		t.Fatalf("second PutSettingIfAbsent = %q, %v; want the first value", v, err)
	}
	must(t, s.PutSetting(ctx, "region", "eu-west-1"))
	if v, _ := s.GetSetting(ctx, "region"); v != "eu-west-1" {
		t.Fatalf("after PutSetting: %q", v)
	}
}

func testAccessKeys(t *testing.T, s meta.Store) {
	k := meta.AccessKey{AccessKeyID: "AKIAEXAMPLE1", Secret: "s1", Account: "111122223333", Status: "Active", CreatedAt: time.Unix(1700000000, 0)}
	must(t, s.PutAccessKey(ctx, k))
	wantErr(t, "duplicate PutAccessKey", s.PutAccessKey(ctx, k), meta.ErrConflict)
	must(t, s.PutAccessKey(ctx, meta.AccessKey{AccessKeyID: "AKIAEXAMPLE2", Secret: "s2", Account: "111122223333", UserName: "alice", Status: "Active"}))
	got, err := s.GetAccessKey(ctx, "AKIAEXAMPLE1")
	must(t, err)
	if got.Secret != "s1" || got.Account != k.Account || !got.CreatedAt.Equal(k.CreatedAt) {
		t.Fatalf("GetAccessKey = %+v", got)
	}
	_, err = s.GetAccessKey(ctx, "nope")
	wantErr(t, "GetAccessKey missing", err, meta.ErrNotFound)
	must(t, s.UpdateAccessKeyStatus(ctx, "AKIAEXAMPLE1", "Inactive"))
	wantErr(t, "UpdateAccessKeyStatus missing", s.UpdateAccessKeyStatus(ctx, "nope", "Inactive"), meta.ErrNotFound)
	if got, _ := s.GetAccessKey(ctx, "AKIAEXAMPLE1"); got.Status != "Inactive" {
		t.Fatalf("status = %q", got.Status)
	}
	root, err := s.ListAccessKeys(ctx, "111122223333", "")
	must(t, err)
	if len(root) != 1 || root[0].AccessKeyID != "AKIAEXAMPLE1" {
		t.Fatalf("root keys = %+v", root)
	}
	alice, _ := s.ListAccessKeys(ctx, "111122223333", "alice")
	if len(alice) != 1 || alice[0].AccessKeyID != "AKIAEXAMPLE2" {
		t.Fatalf("alice keys = %+v", alice)
	}
	must(t, s.DeleteAccessKey(ctx, "AKIAEXAMPLE1"))
	wantErr(t, "second DeleteAccessKey", s.DeleteAccessKey(ctx, "AKIAEXAMPLE1"), meta.ErrNotFound)
}

func testAccessKeyLastUsed(t *testing.T, s meta.Store) {
	must(t, s.PutAccessKey(ctx, meta.AccessKey{AccessKeyID: "AKIAUSED", Secret: "s", Account: "111122223333", Status: "Active"}))
	must(t, s.PutAccessKey(ctx, meta.AccessKey{AccessKeyID: "AKIAIDLE", Secret: "s", Account: "111122223333", Status: "Active"}))
	idle, err := s.GetAccessKeyLastUsed(ctx, "AKIAIDLE")
	must(t, err)
	if !idle.At.IsZero() || idle.Service != "" || idle.Region != "" {
		t.Fatalf("never-used key: GetAccessKeyLastUsed = %+v, want no use", idle)
	}
	_, err = s.GetAccessKeyLastUsed(ctx, "AKIANONE")
	wantErr(t, "GetAccessKeyLastUsed of an unknown key", err, meta.ErrNotFound)

	t1 := time.Unix(1700000000, 123000000).UTC()
	t2 := t1.Add(time.Minute)
	must(t, s.RecordAccessKeyUses(ctx, []meta.AccessKeyUse{
		{AccessKeyID: "AKIAUSED", At: t2, Service: "s3-outposts", Region: "us-west-2"},
		{AccessKeyID: "AKIANONE", At: t2, Service: "s3", Region: "us-west-2"}, // unknown: dropped
	}))
	want := meta.AccessKeyUse{AccessKeyID: "AKIAUSED", At: t2, Service: "s3-outposts", Region: "us-west-2"}
	check := func(what string) {
		t.Helper()
		got, err := s.GetAccessKeyLastUsed(ctx, "AKIAUSED")
		must(t, err)
		if !got.At.Equal(want.At) || got.Service != want.Service || got.Region != want.Region || got.AccessKeyID != want.AccessKeyID {
			t.Fatalf("%s: GetAccessKeyLastUsed = %+v, want %+v", what, got, want)
		}
	}
	check("after a use")
	// Another server flushing an older use later must not move it back.
	must(t, s.RecordAccessKeyUses(ctx, []meta.AccessKeyUse{{AccessKeyID: "AKIAUSED", At: t1, Service: "iam", Region: "us-east-1"}}))
	check("after an older use")
	t3 := t2.Add(time.Second)
	must(t, s.RecordAccessKeyUses(ctx, []meta.AccessKeyUse{{AccessKeyID: "AKIAUSED", At: t3, Service: "sts", Region: "us-east-1"}}))
	want = meta.AccessKeyUse{AccessKeyID: "AKIAUSED", At: t3, Service: "sts", Region: "us-east-1"}
	check("after a newer use")
	if idle, _ := s.GetAccessKeyLastUsed(ctx, "AKIAIDLE"); !idle.At.IsZero() {
		t.Fatalf("a use of one key was recorded on another: %+v", idle)
	}
	must(t, s.RecordAccessKeyUses(ctx, nil))
	// A deleted key's last use goes with it.
	must(t, s.DeleteAccessKey(ctx, "AKIAUSED"))
	must(t, s.RecordAccessKeyUses(ctx, []meta.AccessKeyUse{{AccessKeyID: "AKIAUSED", At: t3.Add(time.Second), Service: "s3", Region: "us-east-1"}}))
	_, err = s.GetAccessKeyLastUsed(ctx, "AKIAUSED")
	wantErr(t, "GetAccessKeyLastUsed of a deleted key", err, meta.ErrNotFound)
}

func testBuckets(t *testing.T, s meta.Store) {
	must(t, s.CreateBucket(ctx, meta.Bucket{Name: "b1", Account: "111122223333", OutpostID: "op-0123456789abcdef0"}))
	wantErr(t, "duplicate CreateBucket", s.CreateBucket(ctx, meta.Bucket{Name: "b1", Account: "444455556666"}), meta.ErrBucketExists)
	must(t, s.CreateBucket(ctx, meta.Bucket{Name: "a0", Account: "111122223333"}))
	must(t, s.CreateBucket(ctx, meta.Bucket{Name: "c2", Account: "444455556666"}))
	b, err := s.GetBucket(ctx, "b1")
	must(t, err)
	if b.OutpostID != "op-0123456789abcdef0" || b.ACL != "private" || b.CreatedAt.IsZero() {
		t.Fatalf("GetBucket = %+v", b)
	}
	_, err = s.GetBucket(ctx, "zz")
	wantErr(t, "GetBucket missing", err, meta.ErrNoSuchBucket)
	names := func(bs []meta.Bucket) (out []string) {
		for _, b := range bs {
			out = append(out, b.Name)
		}
		return out
	}
	all, _ := s.ListBuckets(ctx, "111122223333", "*")
	plain, _ := s.ListBuckets(ctx, "111122223333", "")
	op, _ := s.ListBuckets(ctx, "111122223333", "op-0123456789abcdef0")
	if !slices.Equal(names(all), []string{"a0", "b1"}) || !slices.Equal(names(plain), []string{"a0"}) || !slices.Equal(names(op), []string{"b1"}) {
		t.Fatalf("ListBuckets: all %v plain %v outpost %v", names(all), names(plain), names(op))
	}
	must(t, s.SetBucketVersioning(ctx, "b1", "Enabled"))
	must(t, s.SetBucketACL(ctx, "b1", "public-read"))
	wantErr(t, "SetBucketVersioning missing", s.SetBucketVersioning(ctx, "zz", "Enabled"), meta.ErrNoSuchBucket)
	if b, _ := s.GetBucket(ctx, "b1"); b.Versioning != "Enabled" || b.ACL != "public-read" {
		t.Fatalf("after set: %+v", b)
	}

	// An object version blocks deletion, even a delete marker.
	put(t, s, "b1", "k")
	_, err = s.DeleteBucket(ctx, "b1")
	wantErr(t, "DeleteBucket with object", err, meta.ErrBucketNotEmpty)
	_, _, err = s.DeleteObject(ctx, "b1", "k", "")
	must(t, err)
	_, err = s.DeleteBucket(ctx, "b1")
	wantErr(t, "DeleteBucket with delete marker", err, meta.ErrBucketNotEmpty)
	vs, _ := s.ListObjectVersions(ctx, "b1", meta.VersionListOptions{MaxKeys: 100})
	for _, v := range vs.Versions {
		_, _, err := s.DeleteObject(ctx, "b1", v.Key, v.VersionID)
		must(t, err)
	}
	// An upload in progress does not: it is deleted with the bucket, and
	// the blobs of its parts are freed (S3 deletes a bucket whose only
	// content is an unfinished multipart upload).
	upID := meta.NewID()
	must(t, s.CreateUpload(ctx, meta.Upload{ID: upID, Bucket: "b1", Key: "u"}))
	_, err = s.PutPart(ctx, upID, meta.Part{Number: 1, BlobID: "part-blob-1", Size: 3, ETag: "e1"})
	must(t, err)
	must(t, s.PutBucketConfig(ctx, "b1", "policy", "{}"))
	freed, err := s.DeleteBucket(ctx, "b1")
	must(t, err)
	if len(freed) != 1 || freed[0] != "part-blob-1" {
		t.Fatalf("DeleteBucket with an upload freed %v, want [part-blob-1]", freed)
	}
	_, err = s.GetUpload(ctx, "b1", "u", upID)
	wantErr(t, "GetUpload after DeleteBucket", err, meta.ErrNoSuchUpload)
	_, err = s.GetBucket(ctx, "b1")
	wantErr(t, "GetBucket after delete", err, meta.ErrNoSuchBucket)
	_, err = s.DeleteBucket(ctx, "b1")
	wantErr(t, "second DeleteBucket", err, meta.ErrNoSuchBucket)
	// The name is free again and carries no old configuration.
	mkBucket(t, s, "b1", "")
	_, err = s.GetBucketConfig(ctx, "b1", "policy")
	wantErr(t, "config of recreated bucket", err, meta.ErrNotFound)
}

func testBucketLimit(t *testing.T, s meta.Store) {
	const limit = 3
	errs := make([]error, 10)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.CreateBucketWithin(ctx, meta.Bucket{Name: fmt.Sprintf("quota-%d", i), Account: "111122223333", OutpostID: "op-01ac5d28a6a232904"}, limit)
		}()
	}
	wg.Wait()
	created := 0
	for _, err := range errs {
		switch {
		case err == nil:
			created++
		case !errors.Is(err, meta.ErrLimitExceeded):
			t.Fatalf("CreateBucketWithin: %v", err)
		}
	}
	if created != limit {
		t.Fatalf("10 concurrent creates with a limit of %d: %d created", limit, created)
	}
	// Another account, and plain buckets, have their own counts.
	must(t, s.CreateBucketWithin(ctx, meta.Bucket{Name: "quota-other", Account: "444455556666", OutpostID: "op-01ac5d28a6a232904"}, limit))
	must(t, s.CreateBucketWithin(ctx, meta.Bucket{Name: "quota-plain", Account: "111122223333"}, limit))
}

func testBucketConfigs(t *testing.T, s meta.Store) {
	mkBucket(t, s, "b", "")
	_, err := s.GetBucketConfig(ctx, "b", "policy")
	wantErr(t, "GetBucketConfig unset", err, meta.ErrNotFound)
	_, err = s.GetBucketConfig(ctx, "zz", "policy")
	wantErr(t, "GetBucketConfig missing bucket", err, meta.ErrNoSuchBucket)
	wantErr(t, "PutBucketConfig missing bucket", s.PutBucketConfig(ctx, "zz", "policy", "{}"), meta.ErrNoSuchBucket)
	must(t, s.PutBucketConfig(ctx, "b", "policy", `{"v":1}`))
	must(t, s.PutBucketConfig(ctx, "b", "policy", `{"v":2}`))
	must(t, s.PutBucketConfig(ctx, "b", "tagging", `<Tagging/>`))
	if doc, _ := s.GetBucketConfig(ctx, "b", "policy"); doc != `{"v":2}` {
		t.Fatalf("policy = %q", doc)
	}
	must(t, s.DeleteBucketConfig(ctx, "b", "policy"))
	must(t, s.DeleteBucketConfig(ctx, "b", "policy"))
	_, err = s.GetBucketConfig(ctx, "b", "policy")
	wantErr(t, "GetBucketConfig after delete", err, meta.ErrNotFound)
	if doc, _ := s.GetBucketConfig(ctx, "b", "tagging"); doc != `<Tagging/>` {
		t.Fatalf("tagging = %q", doc)
	}
}

func testUnversioned(t *testing.T, s meta.Store) {
	mkBucket(t, s, "b", "")
	_, err := s.PutObject(ctx, &meta.Object{Bucket: "zz", Key: "k"})
	wantErr(t, "PutObject missing bucket", err, meta.ErrNoSuchBucket)
	_, err = s.GetObject(ctx, "b", "k", "")
	wantErr(t, "GetObject missing key", err, meta.ErrNoSuchKey)
	_, err = s.GetObject(ctx, "zz", "k", "")
	wantErr(t, "GetObject missing bucket", err, meta.ErrNoSuchBucket)

	b1 := newBlob()
	o1, freed := put(t, s, "b", "k", b1)
	if o1.VersionID != meta.NullVersion || !o1.IsLatest || len(freed) != 0 {
		t.Fatalf("first put: version %q latest %v freed %v", o1.VersionID, o1.IsLatest, freed)
	}
	got, err := s.GetObject(ctx, "b", "k", "")
	must(t, err)
	if got.VersionID != meta.NullVersion || got.Size != o1.Size || got.Headers["Content-Type"] != "text/plain" ||
		got.Metadata["k"] != "v" || len(got.Segments) != 1 || got.Segments[0].BlobID != b1 || !got.LastModified.Equal(o1.LastModified) {
		t.Fatalf("GetObject = %+v", got)
	}
	if _, err := s.GetObject(ctx, "b", "k", meta.NullVersion); err != nil {
		t.Fatalf("GetObject null version: %v", err)
	}
	_, err = s.GetObject(ctx, "b", "k", "nosuchversion")
	wantErr(t, "GetObject unknown version", err, meta.ErrNoSuchVersion)

	// Replacing frees the old blob; reusing a blob does not free it.
	b2 := newBlob()
	_, freed = put(t, s, "b", "k", b2)
	if !slices.Equal(freed, []string{b1}) {
		t.Fatalf("replace freed %v, want [%s]", freed, b1)
	}
	_, freed = put(t, s, "b", "k", b2)
	if len(freed) != 0 {
		t.Fatalf("re-put of the same blob freed %v", freed)
	}
	if m := referenced(t, s, b1, b2); m[b1] || !m[b2] {
		t.Fatalf("BlobReferenced = %v", m)
	}
	vs, _ := s.ListObjectVersions(ctx, "b", meta.VersionListOptions{MaxKeys: 10})
	if len(vs.Versions) != 1 {
		t.Fatalf("unversioned bucket has %d versions", len(vs.Versions))
	}

	res, freed, err := s.DeleteObject(ctx, "b", "k", "")
	must(t, err)
	if res.DeleteMarker || !slices.Equal(freed, []string{b2}) {
		t.Fatalf("DeleteObject = %+v freed %v", res, freed)
	}
	_, err = s.GetObject(ctx, "b", "k", "")
	wantErr(t, "GetObject after delete", err, meta.ErrNoSuchKey)
	_, freed, err = s.DeleteObject(ctx, "b", "k", "")
	if err != nil || len(freed) != 0 {
		t.Fatalf("deleting a missing key: %v %v", freed, err)
	}
	_, _, err = s.DeleteObject(ctx, "zz", "k", "")
	wantErr(t, "DeleteObject missing bucket", err, meta.ErrNoSuchBucket)
}

func testVersioned(t *testing.T, s meta.Store) {
	mkBucket(t, s, "b", "Enabled")
	b1, b2 := newBlob(), newBlob()
	o1, freed := put(t, s, "b", "k", b1)
	o2, freed2 := put(t, s, "b", "k", b2)
	if len(freed)+len(freed2) != 0 {
		t.Fatalf("versioned puts freed %v %v", freed, freed2)
	}
	if o1.VersionID == o2.VersionID || o1.VersionID == meta.NullVersion || len(o1.VersionID) < 16 {
		t.Fatalf("version IDs %q %q", o1.VersionID, o2.VersionID)
	}
	for _, c := range o1.VersionID {
		if !strings.ContainsRune("abcdefghijklmnopqrstuvwxyz0123456789-_", c) {
			t.Fatalf("version ID %q is not URL-safe", o1.VersionID)
		}
	}
	got, _ := s.GetObject(ctx, "b", "k", "")
	if got.VersionID != o2.VersionID || !got.IsLatest {
		t.Fatalf("latest = %q, want %q", got.VersionID, o2.VersionID)
	}
	got, _ = s.GetObject(ctx, "b", "k", o1.VersionID)
	if got.Segments[0].BlobID != b1 || got.IsLatest {
		t.Fatalf("old version = %+v", got)
	}

	// Delete without a version adds a marker.
	res, freed, err := s.DeleteObject(ctx, "b", "k", "")
	must(t, err)
	if !res.DeleteMarker || res.VersionID == "" || res.VersionID == o2.VersionID || len(freed) != 0 {
		t.Fatalf("DeleteObject = %+v freed %v", res, freed)
	}
	got, err = s.GetObject(ctx, "b", "k", "")
	wantErr(t, "GetObject behind marker", err, meta.ErrNoSuchKey)
	if !got.DeleteMarker || got.VersionID != res.VersionID {
		t.Fatalf("marker returned with ErrNoSuchKey = %+v", got)
	}
	_, err = s.GetObject(ctx, "b", "k", res.VersionID)
	wantErr(t, "GetObject of the marker version", err, meta.ErrMethodNotAllowed)
	if l, _ := s.ListObjects(ctx, "b", meta.ListOptions{MaxKeys: 10}); len(l.Objects) != 0 {
		t.Fatalf("ListObjects shows a deleted key: %+v", l.Objects)
	}
	vs, _ := s.ListObjectVersions(ctx, "b", meta.VersionListOptions{MaxKeys: 10})
	var order []string
	for _, v := range vs.Versions {
		order = append(order, fmt.Sprintf("%s/%v/%v", v.VersionID, v.IsLatest, v.DeleteMarker))
	}
	want := []string{res.VersionID + "/true/true", o2.VersionID + "/false/false", o1.VersionID + "/false/false"}
	if !slices.Equal(order, want) {
		t.Fatalf("versions = %v, want %v", order, want)
	}

	// Removing the marker brings o2 back.
	res2, _, err := s.DeleteObject(ctx, "b", "k", res.VersionID)
	must(t, err)
	if !res2.DeleteMarker || res2.VersionID != res.VersionID {
		t.Fatalf("removing marker = %+v", res2)
	}
	got, err = s.GetObject(ctx, "b", "k", "")
	if err != nil || got.VersionID != o2.VersionID || !got.IsLatest {
		t.Fatalf("after marker removal: %+v %v", got, err)
	}
	// Removing the latest version makes the previous one latest and frees its blob.
	_, freed, err = s.DeleteObject(ctx, "b", "k", o2.VersionID)
	must(t, err)
	if !slices.Equal(freed, []string{b2}) {
		t.Fatalf("freed %v, want [%s]", freed, b2)
	}
	got, _ = s.GetObject(ctx, "b", "k", "")
	if got.VersionID != o1.VersionID || !got.IsLatest {
		t.Fatalf("latest after removal = %+v", got)
	}
	// Removing a version that does not exist succeeds.
	if _, freed, err := s.DeleteObject(ctx, "b", "k", "nosuchversion"); err != nil || len(freed) != 0 {
		t.Fatalf("delete missing version: %v %v", freed, err)
	}
	_, freed, _ = s.DeleteObject(ctx, "b", "k", o1.VersionID)
	if !slices.Equal(freed, []string{b1}) {
		t.Fatalf("freed %v", freed)
	}
	_, err = s.GetObject(ctx, "b", "k", "")
	wantErr(t, "GetObject with no versions left", err, meta.ErrNoSuchKey)
}

func testSuspended(t *testing.T, s meta.Store) {
	mkBucket(t, s, "b", "")
	bNull := newBlob()
	put(t, s, "b", "k", bNull) // null version from before versioning
	must(t, s.SetBucketVersioning(ctx, "b", "Enabled"))
	bv := newBlob()
	ov, _ := put(t, s, "b", "k", bv)
	must(t, s.SetBucketVersioning(ctx, "b", "Suspended"))
	bs := newBlob()
	os, freed := put(t, s, "b", "k", bs)
	if os.VersionID != meta.NullVersion || !slices.Equal(freed, []string{bNull}) {
		t.Fatalf("suspended put: version %q freed %v, want null and [%s]", os.VersionID, freed, bNull)
	}
	vs, _ := s.ListObjectVersions(ctx, "b", meta.VersionListOptions{MaxKeys: 10})
	if len(vs.Versions) != 2 || vs.Versions[0].VersionID != meta.NullVersion || vs.Versions[1].VersionID != ov.VersionID {
		t.Fatalf("versions = %+v", vs.Versions)
	}
	res, freed, err := s.DeleteObject(ctx, "b", "k", "")
	must(t, err)
	if !res.DeleteMarker || res.VersionID != meta.NullVersion || !slices.Equal(freed, []string{bs}) {
		t.Fatalf("suspended delete = %+v freed %v", res, freed)
	}
	_, err = s.GetObject(ctx, "b", "k", "")
	wantErr(t, "GetObject behind null marker", err, meta.ErrNoSuchKey)
	if got, err := s.GetObject(ctx, "b", "k", ov.VersionID); err != nil || got.Segments[0].BlobID != bv {
		t.Fatalf("enabled-era version: %+v %v", got, err)
	}
}

func testUpdateObject(t *testing.T, s meta.Store) {
	mkBucket(t, s, "b", "Enabled")
	o1, _ := put(t, s, "b", "k")
	put(t, s, "b", "k")
	err := s.UpdateObject(ctx, "b", "k", o1.VersionID, func(o *meta.Object) error {
		o.Tags = map[string]string{"team": "red"}
		o.ACL = "public-read"
		o.Size = 999 // must be ignored
		return nil
	})
	must(t, err)
	got, _ := s.GetObject(ctx, "b", "k", o1.VersionID)
	if got.Tags["team"] != "red" || got.ACL != "public-read" || got.Size != o1.Size {
		t.Fatalf("after UpdateObject: %+v", got)
	}
	latest, _ := s.GetObject(ctx, "b", "k", "")
	if len(latest.Tags) != 0 {
		t.Fatalf("UpdateObject touched another version: %+v", latest.Tags)
	}
	boom := errors.New("boom")
	wantErr(t, "UpdateObject fn error", s.UpdateObject(ctx, "b", "k", "", func(*meta.Object) error { return boom }), boom)
	wantErr(t, "UpdateObject missing key", s.UpdateObject(ctx, "b", "nope", "", func(*meta.Object) error { return nil }), meta.ErrNoSuchKey)
}

// listKeys are the keys of the listing tests: nested prefixes, a key equal
// to a prefix, UTF-8 beyond ASCII, bytes around the delimiter.
var listKeys = []string{
	"a", "a/", "a/b", "a/b/c", "a/b/d", "a/c", "a-b", "a0", "ab",
	"photos/2024/jan/1.jpg", "photos/2024/jan/2.jpg", "photos/2024/feb/1.jpg", "photos/2025/x.jpg", "photos/index.html",
	"z", "zz/top", "é/1", "é/2", "éa", "日本/語", "日本語", "\U0010FFFF/max", "~tilde",
}

// hiddenKeys are deleted (latest version a delete marker): never listed,
// never rolled up.
var hiddenKeys = []string{"a/hidden", "gone/1", "gone/2"}

func setupListing(t *testing.T, s meta.Store) {
	mkBucket(t, s, "b", "Enabled")
	for _, k := range listKeys {
		put(t, s, "b", k)
	}
	put(t, s, "b", "a/b") // a second version of one key
	for _, k := range hiddenKeys {
		put(t, s, "b", k)
		_, _, err := s.DeleteObject(ctx, "b", k, "")
		must(t, err)
	}
}

// modelList is the reference listing: brute force over sorted keys.
func modelList(keys []string, o meta.ListOptions) (entries []string, truncated bool) {
	keys = slices.Clone(keys)
	sort.Strings(keys)
	seen := map[string]bool{}
	var all []string
	for _, k := range keys {
		if k <= o.StartAfter || !strings.HasPrefix(k, o.Prefix) {
			continue
		}
		if o.Delimiter != "" {
			if i := strings.Index(k[len(o.Prefix):], o.Delimiter); i >= 0 {
				cp := k[:len(o.Prefix)+i+len(o.Delimiter)]
				if cp > o.StartAfter && !seen[cp] {
					seen[cp] = true
					all = append(all, "P:"+cp)
				}
				continue
			}
		}
		all = append(all, "K:"+k)
	}
	if len(all) > o.MaxKeys {
		return all[:o.MaxKeys], true
	}
	return all, false
}

func entries(r meta.ListResult) []string {
	// Objects and prefixes interleave in key order.
	var out []string
	for _, o := range r.Objects {
		out = append(out, "K:"+o.Key)
	}
	for _, p := range r.CommonPrefixes {
		out = append(out, "P:"+p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i][2:] < out[j][2:] })
	return out
}

func testListObjects(t *testing.T, s meta.Store) {
	setupListing(t, s)
	_, err := s.ListObjects(ctx, "zz", meta.ListOptions{MaxKeys: 10})
	wantErr(t, "ListObjects missing bucket", err, meta.ErrNoSuchBucket)
	for _, o := range []meta.ListOptions{
		{MaxKeys: 1000},
		{MaxKeys: 0},
		{MaxKeys: 3},
		{Delimiter: "/", MaxKeys: 1000},
		{Delimiter: "/", MaxKeys: 2},
		{Prefix: "a", MaxKeys: 1000},
		{Prefix: "a/", Delimiter: "/", MaxKeys: 1000},
		{Prefix: "photos/", Delimiter: "/", MaxKeys: 1000},
		{Prefix: "photos/2024/", Delimiter: "/", MaxKeys: 1000},
		{Prefix: "photos/", Delimiter: "/", StartAfter: "photos/2024/", MaxKeys: 1000},
		{Prefix: "photos/", Delimiter: "/", StartAfter: "photos/2024/jan/1.jpg", MaxKeys: 1000},
		{Delimiter: "/", StartAfter: "a/", MaxKeys: 1000},
		{Delimiter: "/", StartAfter: "a", MaxKeys: 1000},
		{Delimiter: "/", StartAfter: "zzz", MaxKeys: 1000},
		{Prefix: "é", Delimiter: "/", MaxKeys: 1000},
		{Prefix: "日本", MaxKeys: 1000},
		{Delimiter: "2", MaxKeys: 1000},
		{Delimiter: "jan/", Prefix: "photos/", MaxKeys: 1000},
		{Prefix: "gone/", MaxKeys: 1000},
		{Prefix: "nothing", Delimiter: "/", MaxKeys: 1000},
	} {
		name := fmt.Sprintf("prefix=%q delim=%q after=%q max=%d", o.Prefix, o.Delimiter, o.StartAfter, o.MaxKeys)
		res, err := s.ListObjects(ctx, "b", o)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want, wantTrunc := modelList(listKeys, o)
		if got := entries(res); !slices.Equal(got, want) || res.IsTruncated != wantTrunc {
			t.Errorf("%s:\n got %v truncated=%v\nwant %v truncated=%v", name, got, res.IsTruncated, want, wantTrunc)
		}
		if len(want) > 0 && res.NextMarker != want[len(want)-1][2:] {
			t.Errorf("%s: NextMarker %q, want %q", name, res.NextMarker, want[len(want)-1][2:])
		}
		for _, obj := range res.Objects {
			if obj.DeleteMarker || !obj.IsLatest || obj.ETag == "" || obj.LastModified.IsZero() || obj.Size == 0 || obj.StorageClass != "OUTPOSTS" {
				t.Errorf("%s: listed object %+v", name, obj)
			}
		}
	}
}

func testListPaging(t *testing.T, s meta.Store) {
	setupListing(t, s)
	for _, base := range []meta.ListOptions{{}, {Delimiter: "/"}, {Prefix: "photos/"}, {Prefix: "photos/", Delimiter: "/"}, {Delimiter: "a"}} {
		base.MaxKeys = 1000
		one, err := s.ListObjects(ctx, "b", base)
		must(t, err)
		want := entries(one)
		for page := 1; page <= 7; page++ {
			o := base
			o.MaxKeys = page
			var got []string
			for i := 0; ; i++ {
				r, err := s.ListObjects(ctx, "b", o)
				must(t, err)
				if n := len(r.Objects) + len(r.CommonPrefixes); n > page || r.IsTruncated && n != page {
					t.Fatalf("page of %d has %d entries, truncated=%v", page, n, r.IsTruncated)
				}
				got = append(got, entries(r)...)
				if !r.IsTruncated {
					break
				}
				if i > 100 {
					t.Fatal("pagination does not end")
				}
				o.StartAfter = r.NextMarker
			}
			if !slices.Equal(got, want) {
				t.Errorf("prefix=%q delim=%q by %d:\n got %v\nwant %v", base.Prefix, base.Delimiter, page, got, want)
			}
		}
	}
}

func testListVersions(t *testing.T, s meta.Store) {
	setupListing(t, s)
	for _, base := range []meta.VersionListOptions{{}, {Delimiter: "/"}, {Prefix: "a/"}, {Prefix: "gone/"}} {
		base.MaxKeys = 1000
		one, err := s.ListObjectVersions(ctx, "b", base)
		must(t, err)
		var want []string
		for _, v := range one.Versions {
			want = append(want, v.Key+"@"+v.VersionID)
		}
		for _, p := range one.CommonPrefixes {
			want = append(want, "P:"+p)
		}
		// Versions of one key are newest first.
		for i := 1; i < len(one.Versions); i++ {
			a, b := one.Versions[i-1], one.Versions[i]
			if a.Key > b.Key || a.Key == b.Key && a.VersionID < b.VersionID {
				t.Fatalf("versions out of order: %s@%s before %s@%s", a.Key, a.VersionID, b.Key, b.VersionID)
			}
			if a.Key == b.Key && b.IsLatest {
				t.Fatalf("%s: an older version is latest", b.Key)
			}
		}
		for page := 1; page <= 7; page++ {
			o := base
			o.MaxKeys = page
			var got, gotP []string
			for i := 0; ; i++ {
				r, err := s.ListObjectVersions(ctx, "b", o)
				must(t, err)
				if n := len(r.Versions) + len(r.CommonPrefixes); n > page || r.IsTruncated && n != page {
					t.Fatalf("page of %d has %d entries", page, n)
				}
				for _, v := range r.Versions {
					got = append(got, v.Key+"@"+v.VersionID)
				}
				for _, p := range r.CommonPrefixes {
					gotP = append(gotP, "P:"+p)
				}
				if !r.IsTruncated {
					break
				}
				if i > 200 {
					t.Fatal("pagination does not end")
				}
				o.KeyMarker, o.VersionIDMarker = r.NextKeyMarker, r.NextVersionIDMarker
			}
			if got = append(got, gotP...); !slices.Equal(got, want) {
				t.Errorf("prefix=%q delim=%q by %d:\n got %v\nwant %v", base.Prefix, base.Delimiter, page, got, want)
			}
		}
	}
	all, _ := s.ListObjectVersions(ctx, "b", meta.VersionListOptions{MaxKeys: 1000})
	if n := len(all.Versions); n != len(listKeys)+1+2*len(hiddenKeys) {
		t.Fatalf("%d versions in all", n)
	}
}

func testUploads(t *testing.T, s meta.Store) {
	mkBucket(t, s, "b", "")
	id := meta.NewID()
	_, err := s.PutPart(ctx, id, meta.Part{Number: 1, BlobID: newBlob()})
	wantErr(t, "PutPart to unknown upload", err, meta.ErrNoSuchUpload)
	wantErr(t, "CreateUpload missing bucket", s.CreateUpload(ctx, meta.Upload{ID: id, Bucket: "zz", Key: "k"}), meta.ErrNoSuchBucket)
	must(t, s.CreateUpload(ctx, meta.Upload{ID: id, Bucket: "b", Key: "big", Metadata: map[string]string{"a": "1"}, ChecksumAlgorithm: "CRC32",
		Initiator: "arn:aws:iam::111122223333:user/up"}))
	u, err := s.GetUpload(ctx, "b", "big", id)
	must(t, err)
	if u.Metadata["a"] != "1" || u.ChecksumAlgorithm != "CRC32" || u.Initiated.IsZero() || u.Initiator != "arn:aws:iam::111122223333:user/up" {
		t.Fatalf("GetUpload = %+v", u)
	}
	_, err = s.GetUpload(ctx, "b", "other", id)
	wantErr(t, "GetUpload with another key", err, meta.ErrNoSuchUpload)

	p1, p1b, p2, p3 := newBlob(), newBlob(), newBlob(), newBlob()
	for _, p := range []meta.Part{{Number: 1, BlobID: p1, Size: 5}, {Number: 2, BlobID: p2, Size: 5}, {Number: 3, BlobID: p3, Size: 5}} {
		freed, err := s.PutPart(ctx, id, p)
		if err != nil || len(freed) != 0 {
			t.Fatalf("PutPart %d: %v %v", p.Number, freed, err)
		}
	}
	freed, err := s.PutPart(ctx, id, meta.Part{Number: 1, BlobID: p1b, Size: 6, ETag: "e1", Checksums: map[string]string{"CRC32": "AAAAAA=="}})
	if err != nil || !slices.Equal(freed, []string{p1}) {
		t.Fatalf("replacing part 1: freed %v %v", freed, err)
	}
	parts, trunc, err := s.ListParts(ctx, id, 0, 2)
	must(t, err)
	if len(parts) != 2 || !trunc || parts[0].BlobID != p1b || parts[0].Size != 6 || parts[0].Checksums["CRC32"] != "AAAAAA==" || parts[1].Number != 2 {
		t.Fatalf("ListParts page 1 = %+v truncated=%v", parts, trunc)
	}
	parts, trunc, _ = s.ListParts(ctx, id, 2, 2)
	if len(parts) != 1 || trunc || parts[0].Number != 3 {
		t.Fatalf("ListParts page 2 = %+v truncated=%v", parts, trunc)
	}
	if m := referenced(t, s, p1, p1b, p2, p3); m[p1] || !m[p1b] || !m[p2] || !m[p3] {
		t.Fatalf("BlobReferenced = %v", m)
	}

	// Complete with parts 1 and 3: part 2's blob is freed.
	o := &meta.Object{Bucket: "b", Key: "big", Size: 11, ETag: "abc-2", Segments: []meta.Segment{
		{BlobID: p1b, Size: 6, PartNumber: 1}, {BlobID: p3, Size: 5, PartNumber: 3}}}
	freed, err = s.CompleteUpload(ctx, id, o)
	must(t, err)
	if !slices.Equal(freed, []string{p2}) || o.VersionID != meta.NullVersion {
		t.Fatalf("CompleteUpload freed %v version %q", freed, o.VersionID)
	}
	got, err := s.GetObject(ctx, "b", "big", "")
	if err != nil || len(got.Segments) != 2 || got.ETag != "abc-2" {
		t.Fatalf("completed object = %+v %v", got, err)
	}
	_, err = s.GetUpload(ctx, "b", "big", id)
	wantErr(t, "GetUpload after complete", err, meta.ErrNoSuchUpload)
	_, err = s.CompleteUpload(ctx, id, o)
	wantErr(t, "second CompleteUpload", err, meta.ErrNoSuchUpload)
	_, _, err = s.ListParts(ctx, id, 0, 10)
	wantErr(t, "ListParts after complete", err, meta.ErrNoSuchUpload)
	if m := referenced(t, s, p1b, p2, p3); !m[p1b] || m[p2] || !m[p3] {
		t.Fatalf("BlobReferenced after complete = %v", m)
	}

	// Abort frees every part.
	id2 := meta.NewID()
	must(t, s.CreateUpload(ctx, meta.Upload{ID: id2, Bucket: "b", Key: "big"}))
	a, b := newBlob(), newBlob()
	s.PutPart(ctx, id2, meta.Part{Number: 1, BlobID: a})
	s.PutPart(ctx, id2, meta.Part{Number: 2, BlobID: b})
	_, err = s.AbortUpload(ctx, "b", "other", id2)
	wantErr(t, "AbortUpload with another key", err, meta.ErrNoSuchUpload)
	freed, err = s.AbortUpload(ctx, "b", "big", id2)
	must(t, err)
	sort.Strings(freed)
	if !slices.Equal(freed, []string{a, b}) {
		t.Fatalf("AbortUpload freed %v", freed)
	}
	_, err = s.AbortUpload(ctx, "b", "big", id2)
	wantErr(t, "second AbortUpload", err, meta.ErrNoSuchUpload)
}

func testListUploads(t *testing.T, s meta.Store) {
	mkBucket(t, s, "b", "")
	base := time.Unix(1700000000, 0)
	var want []string
	for i, k := range []string{"a", "a/1", "a/2", "b", "b", "b", "c/x/y", "d"} {
		id := fmt.Sprintf("up%02d", 10-i) // IDs not in time order
		must(t, s.CreateUpload(ctx, meta.Upload{ID: id, Bucket: "b", Key: k, Initiated: base.Add(time.Duration(i) * time.Second)}))
		want = append(want, k+"@"+id)
	}
	for _, delim := range []string{"", "/"} {
		one, err := s.ListUploads(ctx, "b", meta.UploadListOptions{Delimiter: delim, MaxUploads: 1000})
		must(t, err)
		var all []string
		for _, u := range one.Uploads {
			all = append(all, u.Key+"@"+u.ID)
		}
		for _, p := range one.CommonPrefixes {
			all = append(all, "P:"+p)
		}
		if delim == "" && !slices.Equal(all, want) {
			t.Fatalf("ListUploads = %v, want %v", all, want)
		}
		for page := 1; page <= 4; page++ {
			o := meta.UploadListOptions{Delimiter: delim, MaxUploads: page}
			var got, gotP []string
			for i := 0; ; i++ {
				r, err := s.ListUploads(ctx, "b", o)
				must(t, err)
				for _, u := range r.Uploads {
					got = append(got, u.Key+"@"+u.ID)
				}
				for _, p := range r.CommonPrefixes {
					gotP = append(gotP, "P:"+p)
				}
				if !r.IsTruncated {
					break
				}
				if i > 50 {
					t.Fatal("pagination does not end")
				}
				o.KeyMarker, o.UploadIDMarker = r.NextKeyMarker, r.NextUploadIDMarker
			}
			if got = append(got, gotP...); !slices.Equal(got, all) {
				t.Errorf("delim=%q by %d:\n got %v\nwant %v", delim, page, got, all)
			}
		}
	}
	r, _ := s.ListUploads(ctx, "b", meta.UploadListOptions{Prefix: "a/", MaxUploads: 10})
	if len(r.Uploads) != 2 {
		t.Fatalf("prefix a/: %+v", r.Uploads)
	}
}

func testCompleteRace(t *testing.T, s meta.Store) {
	mkBucket(t, s, "b", "Enabled")
	id := meta.NewID()
	must(t, s.CreateUpload(ctx, meta.Upload{ID: id, Bucket: "b", Key: "k"}))
	blob := newBlob()
	_, err := s.PutPart(ctx, id, meta.Part{Number: 1, BlobID: blob, Size: 1})
	must(t, err)
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins, losses := 0, 0
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o := &meta.Object{Bucket: "b", Key: "k", Size: 1, ETag: "x-1", Segments: []meta.Segment{{BlobID: blob, Size: 1, PartNumber: 1}}}
			_, err := s.CompleteUpload(ctx, id, o)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				wins++
			case errors.Is(err, meta.ErrNoSuchUpload):
				losses++
			default:
				t.Errorf("CompleteUpload: %v", err)
			}
		}()
	}
	wg.Wait()
	if wins != 1 || losses != 7 {
		t.Fatalf("%d completions won, %d lost; want 1 and 7", wins, losses)
	}
	vs, _ := s.ListObjectVersions(ctx, "b", meta.VersionListOptions{MaxKeys: 100})
	if len(vs.Versions) != 1 {
		t.Fatalf("%d versions after racing completions", len(vs.Versions))
	}
	if m := referenced(t, s, blob); !m[blob] {
		t.Fatal("completed object's blob is not referenced")
	}
}

func testConcurrentPuts(t *testing.T, s meta.Store) {
	mkBucket(t, s, "b", "")
	const n = 16
	blobs := make([]string, n)
	for i := range blobs {
		blobs[i] = newBlob()
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	freedAll := map[string]int{}
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for attempt := 0; ; attempt++ {
				o := &meta.Object{Bucket: "b", Key: "hot", Size: int64(i), ETag: blobs[i], Segments: []meta.Segment{{BlobID: blobs[i], Size: int64(i)}}}
				freed, err := s.PutObject(ctx, o)
				if errors.Is(err, meta.ErrUnavailable) && attempt < 10 {
					time.Sleep(10 * time.Millisecond)
					continue
				}
				if err != nil {
					t.Errorf("PutObject: %v", err)
					return
				}
				mu.Lock()
				for _, f := range freed {
					freedAll[f]++
				}
				mu.Unlock()
				return
			}
		}()
	}
	wg.Wait()
	got, err := s.GetObject(ctx, "b", "hot", "")
	must(t, err)
	// The row is never torn: size, etag and segment come from one put.
	if got.ETag != got.Segments[0].BlobID || got.Size != got.Segments[0].Size {
		t.Fatalf("torn row: %+v", got)
	}
	// Every blob but the survivor was freed exactly once.
	for _, b := range blobs {
		want := 1
		if b == got.ETag {
			want = 0
		}
		if freedAll[b] != want {
			t.Fatalf("blob %s freed %d times, want %d", b, freedAll[b], want)
		}
	}
	vs, _ := s.ListObjectVersions(ctx, "b", meta.VersionListOptions{MaxKeys: 100})
	if len(vs.Versions) != 1 || !vs.Versions[0].IsLatest {
		t.Fatalf("versions after concurrent puts: %+v", vs.Versions)
	}
}

func testConcurrentVersionedPuts(t *testing.T, s meta.Store) {
	mkBucket(t, s, "b", "Enabled")
	const n = 16
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o := &meta.Object{Bucket: "b", Key: "hot", Segments: []meta.Segment{{BlobID: newBlob()}}}
			if _, err := s.PutObject(ctx, o); err != nil {
				t.Errorf("PutObject: %v", err)
			}
		}()
	}
	wg.Wait()
	vs, err := s.ListObjectVersions(ctx, "b", meta.VersionListOptions{MaxKeys: 100})
	must(t, err)
	latest := 0
	for _, v := range vs.Versions {
		if v.IsLatest {
			latest++
		}
	}
	if len(vs.Versions) != n || latest != 1 || !vs.Versions[0].IsLatest {
		if len(vs.Versions) == 0 {
			t.Fatal("no versions")
		}
		t.Fatalf("%d versions, %d latest, first latest=%v", len(vs.Versions), latest, vs.Versions[0].IsLatest)
	}
	got, _ := s.GetObject(ctx, "b", "hot", "")
	if got.VersionID != vs.Versions[0].VersionID {
		t.Fatalf("GetObject latest %s, listing says %s", got.VersionID, vs.Versions[0].VersionID)
	}
}

func testConditionalWrites(t *testing.T, s meta.Store) {
	mkBucket(t, s, "b", "Enabled")
	obj := func(etag string, c *meta.WriteCondition) *meta.Object {
		b := newBlob()
		return &meta.Object{Bucket: "b", Key: "k", Size: 1, ETag: etag, Segments: []meta.Segment{{BlobID: b, Size: 1}}, Condition: c}
	}
	_, err := s.PutObject(ctx, obj("e1", &meta.WriteCondition{IfMatch: "e1"}))
	wantErr(t, "If-Match on a missing key", err, meta.ErrNoSuchKey)
	_, err = s.PutObject(ctx, obj("e1", &meta.WriteCondition{IfNoneMatch: true}))
	must(t, err)
	_, err = s.PutObject(ctx, obj("e2", &meta.WriteCondition{IfNoneMatch: true}))
	wantErr(t, "If-None-Match on an existing key", err, meta.ErrPreconditionFailed)
	_, err = s.PutObject(ctx, obj("e2", &meta.WriteCondition{IfMatch: "other"}))
	wantErr(t, "If-Match with another ETag", err, meta.ErrPreconditionFailed)
	_, err = s.PutObject(ctx, obj("e2", &meta.WriteCondition{IfMatch: "e1"}))
	must(t, err)
	// A delete marker is no current version: create-if-absent passes.
	_, _, err = s.DeleteObject(ctx, "b", "k", "")
	must(t, err)
	_, err = s.PutObject(ctx, obj("e3", &meta.WriteCondition{IfNoneMatch: true}))
	must(t, err)

	// Racing creates of a fresh key: exactly one commits.
	const n = 12
	wins, failed := raceConditional(t, n, meta.ErrPreconditionFailed, func(i int) error {
		o := obj(fmt.Sprintf("r%d", i), &meta.WriteCondition{IfNoneMatch: true})
		o.Key = "race"
		_, err := s.PutObject(ctx, o)
		return err
	})
	if wins != 1 || failed != n-1 {
		t.Fatalf("racing If-None-Match creates: %d won, %d failed the condition; want 1 and %d", wins, failed, n-1)
	}
	vs, err := s.ListObjectVersions(ctx, "b", meta.VersionListOptions{Prefix: "race", MaxKeys: 100})
	must(t, err)
	if len(vs.Versions) != 1 {
		t.Fatalf("%d versions of the raced key, want 1", len(vs.Versions))
	}
}

func testConditionalDeletes(t *testing.T, s meta.Store) {
	for _, versioning := range []string{"", "Enabled", "Suspended"} {
		t.Run("versioning "+versioning, func(t *testing.T) {
			b := "cd" + strings.ToLower(versioning)
			mkBucket(t, s, b, versioning)
			o, _ := put(t, s, b, "k")
			_, _, err := s.DeleteObjectIf(ctx, b, "absent", meta.WriteCondition{IfMatch: "*"})
			wantErr(t, "If-Match * on a missing key", err, meta.ErrNoSuchKey)
			_, _, err = s.DeleteObjectIf(ctx, b, "absent", meta.WriteCondition{IfMatch: o.ETag})
			wantErr(t, "If-Match ETag on a missing key", err, meta.ErrNoSuchKey)
			_, _, err = s.DeleteObjectIf(ctx, b, "k", meta.WriteCondition{IfMatch: "0123456789abcdef0123456789abcdef"})
			wantErr(t, "If-Match with another ETag", err, meta.ErrPreconditionFailed)
			if _, err := s.GetObject(ctx, b, "k", ""); err != nil {
				t.Fatalf("a failed conditional delete deleted the object: %v", err)
			}
			res, freed, err := s.DeleteObjectIf(ctx, b, "k", meta.WriteCondition{IfMatch: o.ETag})
			must(t, err)
			if versioning == "Enabled" != (res.DeleteMarker && len(freed) == 0) {
				t.Fatalf("matching delete: %+v, freed %v", res, freed)
			}
			_, err = s.GetObject(ctx, b, "k", "")
			wantErr(t, "GetObject after the matching delete", err, meta.ErrNoSuchKey)
			// A delete marker is no current version, whatever lies under it.
			_, _, err = s.DeleteObjectIf(ctx, b, "k", meta.WriteCondition{IfMatch: "*"})
			wantErr(t, "If-Match * over a delete marker", err, meta.ErrNoSuchKey)
			_, _, err = s.DeleteObjectIf(ctx, b, "k", meta.WriteCondition{IfMatch: o.ETag})
			wantErr(t, "If-Match ETag over a delete marker", err, meta.ErrNoSuchKey)
			put(t, s, b, "k")
			_, _, err = s.DeleteObjectIf(ctx, b, "k", meta.WriteCondition{IfMatch: "*"})
			must(t, err)
		})
	}
	_, _, err := s.DeleteObjectIf(ctx, "nobucket", "k", meta.WriteCondition{IfMatch: "*"})
	wantErr(t, "DeleteObjectIf in a missing bucket", err, meta.ErrNoSuchBucket)

	// Racing deletes of one version by its ETag: exactly one succeeds, so
	// one delete marker is written; the others find no current version.
	mkBucket(t, s, "cdrace", "Enabled")
	o, _ := put(t, s, "cdrace", "k")
	const n = 12
	wins, gone := raceConditional(t, n, meta.ErrNoSuchKey, func(int) error {
		_, _, err := s.DeleteObjectIf(ctx, "cdrace", "k", meta.WriteCondition{IfMatch: o.ETag})
		return err
	})
	vs, err := s.ListObjectVersions(ctx, "cdrace", meta.VersionListOptions{MaxKeys: 100})
	must(t, err)
	if wins != 1 || gone != n-1 || len(vs.Versions) != 2 {
		t.Fatalf("racing If-Match deletes: %d won, %d found no key, %d versions; want 1, %d, 2 (the object and one marker)", wins, gone, len(vs.Versions), n-1)
	}
}

// raceConditional runs n calls of op at once, each retried while the store
// is briefly unavailable, and counts those that succeeded and those that
// failed with lost (the error the losers of the race must get); any other
// error fails the test.
func raceConditional(t *testing.T, n int, lost error, op func(i int) error) (wins, losses int) {
	t.Helper()
	var wg sync.WaitGroup
	var mu sync.Mutex
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for attempt := 0; ; attempt++ {
				err := op(i)
				if errors.Is(err, meta.ErrUnavailable) && attempt < 10 {
					time.Sleep(10 * time.Millisecond)
					continue
				}
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					wins++
				case errors.Is(err, lost):
					losses++
				default:
					t.Errorf("racing conditional operation: %v", err)
				}
				return
			}
		}()
	}
	wg.Wait()
	return wins, losses
}
func testEncryptionStored(t *testing.T, s meta.Store) {
	mkBucket(t, s, "b", "")
	check := []byte("salt-and-hmac-of-a-customer-key!")
	for _, enc := range []meta.Encryption{{}, {Mode: meta.SSES3}, {Mode: meta.SSEC, KeyCheck: check}} {
		b := newBlob()
		o := &meta.Object{Bucket: "b", Key: "k" + enc.Mode, Size: 1, ETag: "e", Encryption: enc,
			Segments: []meta.Segment{{BlobID: b, Size: 1, SealedKey: "wrapped:" + enc.Mode}}}
		_, err := s.PutObject(ctx, o)
		must(t, err)
		got, err := s.GetObject(ctx, "b", "k"+enc.Mode, "")
		must(t, err)
		if got.Encryption.Mode != enc.Mode || string(got.Encryption.KeyCheck) != string(enc.KeyCheck) {
			t.Fatalf("object encryption %+v, stored %+v", got.Encryption, enc)
		}
		if got.Segments[0].SealedKey != "wrapped:"+enc.Mode {
			t.Fatalf("segment sealed key %q", got.Segments[0].SealedKey)
		}
		id := meta.NewID()
		must(t, s.CreateUpload(ctx, meta.Upload{ID: id, Bucket: "b", Key: "u", Encryption: enc}))
		u, err := s.GetUpload(ctx, "b", "u", id)
		must(t, err)
		if u.Encryption.Mode != enc.Mode || string(u.Encryption.KeyCheck) != string(enc.KeyCheck) {
			t.Fatalf("upload encryption %+v, stored %+v", u.Encryption, enc)
		}
		_, err = s.PutPart(ctx, id, meta.Part{Number: 1, BlobID: newBlob(), Size: 1, ETag: "p", SealedKey: "part-key"})
		must(t, err)
		parts, _, err := s.ListParts(ctx, id, 0, 10)
		must(t, err)
		if len(parts) != 1 || parts[0].SealedKey != "part-key" {
			t.Fatalf("parts %+v, want one with its sealed key", parts)
		}
	}
}

// testRewrapSealedKeys: RewrapSealedKeys visits the master-key-wrapped keys
// of every SSE-S3 object version (more than one batch of them, an inline
// one and a multipart one with two segments) and upload part, stores the
// new ones, leaves SSE-C and plain rows alone, and a second pass changes
// nothing.
func testRewrapSealedKeys(t *testing.T, s meta.Store) {
	mkBucket(t, s, "b", "Enabled")
	const n = 300 // more than one batch
	for i := 0; i < n; i++ {
		o := &meta.Object{Bucket: "b", Key: fmt.Sprintf("k%03d", i%7), Size: 1, ETag: "e", Encryption: meta.Encryption{Mode: meta.SSES3},
			Segments: []meta.Segment{{BlobID: newBlob(), Size: 1, SealedKey: "old:" + strconv.Itoa(i)}}}
		if i == 0 {
			o.Segments = append(o.Segments, meta.Segment{BlobID: newBlob(), Size: 1, PartNumber: 2, SealedKey: "old:second"})
		}
		_, err := s.PutObject(ctx, o)
		must(t, err)
	}
	inline := &meta.Object{Bucket: "b", Key: "inline", Size: 1, ETag: "e", Encryption: meta.Encryption{Mode: meta.SSES3}, Inline: []byte{1},
		Segments: []meta.Segment{{Size: 1, SealedKey: "old:inline"}}}
	_, err := s.PutObject(ctx, inline)
	must(t, err)
	ssec := &meta.Object{Bucket: "b", Key: "ssec", Size: 1, ETag: "e", Encryption: meta.Encryption{Mode: meta.SSEC, KeyCheck: []byte("check")},
		Segments: []meta.Segment{{BlobID: newBlob(), Size: 1, SealedKey: "old:customer"}}}
	_, err = s.PutObject(ctx, ssec)
	must(t, err)
	uploads := map[string]string{}
	for _, mode := range []string{meta.SSES3, meta.SSEC} {
		id := meta.NewID()
		uploads[mode] = id
		must(t, s.CreateUpload(ctx, meta.Upload{ID: id, Bucket: "b", Key: "u" + mode, Encryption: meta.Encryption{Mode: mode, KeyCheck: []byte("c")}}))
		for p := 1; p <= 3; p++ {
			_, err := s.PutPart(ctx, id, meta.Part{Number: p, BlobID: newBlob(), Size: 1, ETag: "p", SealedKey: "old:part"})
			must(t, err)
		}
	}
	var seen []string
	rewrap := func(k string) (string, bool, error) {
		seen = append(seen, k)
		if rest, ok := strings.CutPrefix(k, "old:"); ok {
			return "new:" + rest, true, nil
		}
		return k, false, nil
	}
	got, err := s.RewrapSealedKeys(ctx, rewrap)
	must(t, err)
	if want := n + 1 + 1 + 3; got != want || len(seen) != want {
		t.Fatalf("RewrapSealedKeys replaced %d keys, was shown %d, want %d (SSE-S3 only)", got, len(seen), want)
	}
	vl, err := s.ListObjectVersions(ctx, "b", meta.VersionListOptions{MaxKeys: 1000})
	must(t, err)
	if len(vl.Versions) != n+2 {
		t.Fatalf("%d versions, want %d", len(vl.Versions), n+2)
	}
	for _, v := range vl.Versions {
		o, err := s.GetObject(ctx, "b", v.Key, v.VersionID)
		must(t, err)
		for _, sg := range o.Segments {
			want := "new:"
			if o.Encryption.Mode == meta.SSEC {
				want = "old:customer"
			}
			if !strings.HasPrefix(sg.SealedKey, want) {
				t.Fatalf("%s %s: sealed key %q, want %s…", v.Key, v.VersionID, sg.SealedKey, want)
			}
		}
	}
	for mode, id := range uploads {
		parts, _, err := s.ListParts(ctx, id, 0, 10)
		must(t, err)
		want := "new:part"
		if mode == meta.SSEC {
			want = "old:part"
		}
		for _, p := range parts {
			if p.SealedKey != want {
				t.Fatalf("%s upload part %d: sealed key %q, want %q", mode, p.Number, p.SealedKey, want)
			}
		}
	}
	seen = nil
	again, err := s.RewrapSealedKeys(ctx, rewrap)
	must(t, err)
	if again != 0 || len(seen) != n+1+1+3 {
		t.Fatalf("second pass replaced %d keys (shown %d), want 0", again, len(seen))
	}
}

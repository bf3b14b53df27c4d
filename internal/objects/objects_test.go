package objects_test

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	fsblob "github.com/outpost-s3/outpost/internal/blob/fs"
	"github.com/outpost-s3/outpost/internal/meta"
	"github.com/outpost-s3/outpost/internal/meta/sqlmeta"
	"github.com/outpost-s3/outpost/internal/objects"
)

var ctx = context.Background()

// rig is a Service over a real embedded metadata store and a real
// filesystem blob store, with a clock the test moves.
type rig struct {
	svc   *objects.Service
	meta  *sqlmeta.Store
	blobs *fsblob.Store
	now   atomic.Pointer[time.Time]
	rules []objects.LifecycleRule
}

var t0 = time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC)

// newRig opens the stores in a temporary directory with one bucket, b,
// whose versioning status is versioning ("" for never enabled).
func newRig(t *testing.T, versioning string) *rig {
	t.Helper()
	dir := t.TempDir()
	ms, err := sqlmeta.OpenSQLite(filepath.Join(dir, "meta.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ms.Close() })
	bs, err := fsblob.Open(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{meta: ms, blobs: bs}
	r.set(t0)
	r.svc, err = objects.New(objects.Config{Meta: ms, Blobs: bs, Now: func() time.Time { return *r.now.Load() },
		Lifecycle: func(_ context.Context, bucket string) ([]objects.LifecycleRule, error) {
			if bucket != "b" || r.rules == nil {
				return nil, meta.ErrNotFound
			}
			return r.rules, nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	if err := ms.CreateBucket(ctx, meta.Bucket{Name: "b", Account: "111122223333", CreatedAt: t0, ACL: "private"}); err != nil {
		t.Fatal(err)
	}
	if versioning != "" {
		if err := ms.SetBucketVersioning(ctx, "b", versioning); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

func (r *rig) set(at time.Time) { r.now.Store(&at) }

// body stores data in a committed blob, as a handler does before it
// commits the version.
func (r *rig) body(t *testing.T, data string) objects.Body {
	t.Helper()
	w, err := r.blobs.Create(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte(data)); err != nil {
		t.Fatal(err)
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	sum := md5.Sum([]byte(data))
	return objects.Body{BlobID: w.ID(), Size: int64(len(data)), ETag: hex.EncodeToString(sum[:])}
}

// put commits data as the new version of key.
func (r *rig) put(t *testing.T, key, data string) *meta.Object {
	t.Helper()
	o, err := r.svc.Put(ctx, "b", key, objects.Attrs{StorageClass: "STANDARD"}, r.body(t, data), meta.Encryption{}, nil)
	if err != nil {
		t.Fatalf("Put %s: %v", key, err)
	}
	return o
}

// storedBlobs are the IDs of the committed blobs on disk, sorted.
func (r *rig) storedBlobs(t *testing.T) []string {
	t.Helper()
	var ids []string
	if err := r.blobs.Walk(ctx, func(id string, _ time.Time) error { ids = append(ids, id); return nil }); err != nil {
		t.Fatal(err)
	}
	slices.Sort(ids)
	return ids
}

func (r *rig) wantBlobs(t *testing.T, what string, ids ...string) {
	t.Helper()
	slices.Sort(ids)
	if got := r.storedBlobs(t); !slices.Equal(got, ids) {
		t.Errorf("%s: blobs on disk = %v, want %v", what, got, ids)
	}
}

// versions lists the key's versions as "ID" or "ID(marker)", newest first.
func (r *rig) versions(t *testing.T, key string) []string {
	t.Helper()
	page, err := r.meta.ListObjectVersions(ctx, "b", meta.VersionListOptions{Prefix: key, MaxKeys: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, v := range page.Versions {
		if v.DeleteMarker {
			out = append(out, v.VersionID+"(marker)")
		} else {
			out = append(out, v.VersionID)
		}
	}
	return out
}

func TestPutCommitsTheVersionAndDeletesTheBlobItReplaced(t *testing.T) {
	r := newRig(t, "")
	first := r.put(t, "k", "first")
	oldBlob := first.Segments[0].BlobID
	r.set(t0.Add(time.Minute))
	second := r.put(t, "k", "second body")

	got, err := r.meta.GetObject(ctx, "b", "k", "")
	if err != nil {
		t.Fatal(err)
	}
	if got.ETag != second.ETag || got.Size != int64(len("second body")) || !got.LastModified.Equal(t0.Add(time.Minute)) {
		t.Errorf("current version = ETag %s size %d at %s, want the second write (ETag %s, size 11, at %s)",
			got.ETag, got.Size, got.LastModified, second.ETag, t0.Add(time.Minute))
	}
	if got.StorageClass != "STANDARD" {
		t.Errorf("storage class = %q, want the Attrs' STANDARD", got.StorageClass)
	}
	r.wantBlobs(t, "after overwriting an unversioned key", second.Segments[0].BlobID)
	if oldBlob == second.Segments[0].BlobID {
		t.Fatal("both writes got the same blob")
	}
}

func TestConditionalPutLosingTheRaceStoresNothing(t *testing.T) {
	r := newRig(t, "")
	const writers = 8
	bodies := make([]objects.Body, writers)
	for i := range bodies {
		bodies[i] = r.body(t, "writer "+string(rune('a'+i)))
	}
	errs := make([]error, writers)
	var wg sync.WaitGroup
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = r.svc.Put(ctx, "b", "once", objects.Attrs{}, bodies[i], meta.Encryption{}, &meta.WriteCondition{IfNoneMatch: true})
		}()
	}
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Errorf("writers %d and %d both created the key under If-None-Match: *", winner, i)
		case err == nil:
			winner = i
		case !errors.Is(err, meta.ErrPreconditionFailed):
			t.Errorf("writer %d: %v, want meta.ErrPreconditionFailed", i, err)
		}
	}
	if winner < 0 {
		t.Fatal("no writer created the key")
	}
	got, err := r.meta.GetObject(ctx, "b", "once", "")
	if err != nil {
		t.Fatal(err)
	}
	if got.ETag != bodies[winner].ETag {
		t.Errorf("stored ETag %s, want the winner's %s", got.ETag, bodies[winner].ETag)
	}
	// The losers' bodies are deleted at once, not left to the orphan sweep.
	r.wantBlobs(t, "after the race", bodies[winner].BlobID)

	// If-Match with a stale ETag loses too.
	stale := r.body(t, "stale")
	if _, err := r.svc.Put(ctx, "b", "once", objects.Attrs{}, stale, meta.Encryption{}, &meta.WriteCondition{IfMatch: stale.ETag}); !errors.Is(err, meta.ErrPreconditionFailed) {
		t.Errorf("If-Match with another ETag: %v, want meta.ErrPreconditionFailed", err)
	}
	r.wantBlobs(t, "after a failed If-Match", bodies[winner].BlobID)
}

func TestDeleteOnAVersionedBucketAddsADeleteMarker(t *testing.T) {
	r := newRig(t, "Enabled")
	o := r.put(t, "k", "kept under the marker")
	blobID := o.Segments[0].BlobID

	res, err := r.svc.Delete(ctx, "b", "k", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !res.DeleteMarker || res.VersionID == "" || res.VersionID == o.VersionID {
		t.Fatalf("Delete = %+v, want a new delete marker", res)
	}
	if got, want := r.versions(t, "k"), []string{res.VersionID + "(marker)", o.VersionID}; !slices.Equal(got, want) {
		t.Errorf("versions = %v, want %v", got, want)
	}
	if _, err := r.meta.GetObject(ctx, "b", "k", ""); err == nil {
		t.Error("GetObject of the key behind a delete marker succeeded")
	}
	r.wantBlobs(t, "after adding a delete marker", blobID)

	// If-Match: * needs a current version; the marker means there is none.
	if _, err := r.svc.Delete(ctx, "b", "k", "", &meta.WriteCondition{IfMatch: "*"}); err == nil {
		t.Error("conditional delete behind a delete marker succeeded")
	}

	// Deleting the version itself frees its blob.
	res, err = r.svc.Delete(ctx, "b", "k", o.VersionID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.DeleteMarker || res.VersionID != o.VersionID {
		t.Errorf("Delete of the version = %+v, want version %s removed", res, o.VersionID)
	}
	r.wantBlobs(t, "after deleting the version")
}

func TestUploadPartsAreDeletedOnAbort(t *testing.T) {
	r := newRig(t, "")
	u := meta.Upload{ID: "upload-1", Bucket: "b", Key: "big", Initiated: t0}
	if err := r.meta.CreateUpload(ctx, u); err != nil {
		t.Fatal(err)
	}
	b1 := r.body(t, "part one")
	p := meta.Part{Number: 1, BlobID: b1.BlobID, Size: b1.Size, ETag: b1.ETag}
	if err := r.svc.PutPart(ctx, u.ID, &p); err != nil {
		t.Fatal(err)
	}
	if !p.LastModified.Equal(t0) {
		t.Errorf("part dated %s, want the service clock's %s", p.LastModified, t0)
	}
	// Part 1 again: the replaced part's blob goes.
	b2 := r.body(t, "part one, again")
	p = meta.Part{Number: 1, BlobID: b2.BlobID, Size: b2.Size, ETag: b2.ETag}
	if err := r.svc.PutPart(ctx, u.ID, &p); err != nil {
		t.Fatal(err)
	}
	r.wantBlobs(t, "after replacing part 1", b2.BlobID)
	if err := r.svc.AbortUpload(ctx, "b", "big", u.ID); err != nil {
		t.Fatal(err)
	}
	r.wantBlobs(t, "after the abort")
	// A part for the ended upload is refused and its blob deleted.
	b3 := r.body(t, "too late")
	p = meta.Part{Number: 2, BlobID: b3.BlobID, Size: b3.Size, ETag: b3.ETag}
	if err := r.svc.PutPart(ctx, u.ID, &p); !errors.Is(err, meta.ErrNoSuchUpload) {
		t.Errorf("PutPart after abort: %v, want meta.ErrNoSuchUpload", err)
	}
	r.wantBlobs(t, "after a part for an ended upload")
	if err := r.svc.AbortUpload(ctx, "b", "big", u.ID); !errors.Is(err, meta.ErrNoSuchUpload) {
		t.Errorf("second abort: %v, want meta.ErrNoSuchUpload", err)
	}
}

func TestLifecycleExpiresANoncurrentVersion(t *testing.T) {
	r := newRig(t, "Enabled")
	r.rules = []objects.LifecycleRule{{ID: "old", Prefix: "logs/", NoncurrentDays: 1}}
	v1 := r.put(t, "logs/a", "version one")
	other := r.put(t, "data/a", "outside the prefix") // current, and so never noncurrent
	r.set(t0.Add(2 * time.Hour))                      // v2 written 2026-03-10 11:30 UTC
	v2 := r.put(t, "logs/a", "version two")
	r.put(t, "data/a", "outside the prefix, again")

	// v1 became noncurrent at 11:30 on the 10th: one day later, rounded up
	// to midnight UTC, is 2026-03-12 00:00.
	r.set(time.Date(2026, 3, 11, 23, 59, 0, 0, time.UTC))
	st, err := r.svc.RunLifecycle(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Buckets != 1 || st.NoncurrentPurged != 0 {
		t.Errorf("pass before the day is over = %+v, want 1 bucket and nothing purged", st)
	}
	if got := r.versions(t, "logs/a"); !slices.Equal(got, []string{v2.VersionID, v1.VersionID}) {
		t.Errorf("versions before expiry = %v", got)
	}

	r.set(time.Date(2026, 3, 12, 0, 0, 0, 0, time.UTC))
	st, err = r.svc.RunLifecycle(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.NoncurrentPurged != 1 || st.Expired != 0 || st.MarkersRemoved != 0 {
		t.Errorf("pass at midnight = %+v, want exactly one noncurrent version purged", st)
	}
	if got := r.versions(t, "logs/a"); !slices.Equal(got, []string{v2.VersionID}) {
		t.Errorf("versions after expiry = %v, want only the current %s", got, v2.VersionID)
	}
	if got := r.versions(t, "data/a"); len(got) != 2 {
		t.Errorf("versions outside the rule's prefix = %v, want both kept", got)
	}
	for _, id := range r.storedBlobs(t) {
		if id == v1.Segments[0].BlobID {
			t.Error("the expired version's blob is still on disk")
		}
	}
	if n := len(r.storedBlobs(t)); n != 3 {
		t.Errorf("%d blobs on disk, want 3 (logs/a's current, data/a's two); other = %s", n, other.VersionID)
	}
}

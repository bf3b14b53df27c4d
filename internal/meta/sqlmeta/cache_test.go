package sqlmeta

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/outpost-s3/outpost/internal/meta"
)

var ctx = context.Background()

// TestOneServerPerFile: the cache is only sound because no other process
// writes the file, so a second open of it must fail until the first closes.
func TestOneServerPerFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "meta.db")
	s, err := OpenSQLite(path)
	if err != nil {
		t.Fatal(err)
	}
	if s2, err := OpenSQLite(path); err == nil || !strings.Contains(err.Error(), "in use by another Outpost server") {
		if s2 != nil {
			s2.Close()
		}
		t.Fatalf("second OpenSQLite of an open file: %v", err)
	}
	// A read-only look is allowed, and cannot write.
	ro, err := OpenSQLiteReadOnly(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := ro.IntegrityCheck(ctx); err != nil {
		t.Fatal(err)
	}
	if err := ro.PutSetting(ctx, "x", "y"); err == nil {
		t.Fatal("write through a read-only store succeeded")
	}
	ro.Close()
	s.Close()
	s, err = OpenSQLite(path)
	if err != nil {
		t.Fatalf("open after close: %v", err)
	}
	s.Close()
	if _, err := OpenSQLiteReadOnly(filepath.Join(t.TempDir(), "missing.db")); err == nil {
		t.Fatal("read-only open of a missing file succeeded")
	}
}

// TestCacheSeesEveryAcknowledgedChange: each kind of cached answer is read
// (so it is cached), changed, and read again; the second read must show the
// change.
func TestCacheSeesEveryAcknowledgedChange(t *testing.T) {
	s := openSQLite(t)
	if s.cache == nil {
		t.Fatal("SQLite store without a read cache")
	}
	const acct = "111122223333"
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	must("create account", s.CreateAccount(ctx, meta.Account{ID: acct, Name: "a"}))

	// Access keys: status change and deletion.
	must("put key", s.PutAccessKey(ctx, meta.AccessKey{AccessKeyID: "AKIDCACHE", Secret: "s", Account: acct, Status: "Active"}))
	for range 2 {
		if k, err := s.GetAccessKey(ctx, "AKIDCACHE"); err != nil || k.Status != "Active" {
			t.Fatalf("key: %+v %v", k, err)
		}
	}
	must("deactivate", s.UpdateAccessKeyStatus(ctx, "AKIDCACHE", "Inactive"))
	if k, _ := s.GetAccessKey(ctx, "AKIDCACHE"); k.Status != "Inactive" {
		t.Fatalf("status after UpdateAccessKeyStatus: %q", k.Status)
	}
	must("delete key", s.DeleteAccessKey(ctx, "AKIDCACHE"))
	if _, err := s.GetAccessKey(ctx, "AKIDCACHE"); !errors.Is(err, meta.ErrNotFound) {
		t.Fatalf("deleted key: %v", err)
	}

	// Buckets and their configuration, negative answers included.
	if _, err := s.GetBucket(ctx, "cb"); !errors.Is(err, meta.ErrNoSuchBucket) {
		t.Fatalf("missing bucket: %v", err)
	}
	must("create bucket", s.CreateBucket(ctx, meta.Bucket{Name: "cb", Account: acct}))
	if _, err := s.GetBucket(ctx, "cb"); err != nil {
		t.Fatalf("bucket after create: %v", err)
	}
	if _, err := s.GetBucketConfig(ctx, "cb", "policy"); !errors.Is(err, meta.ErrNotFound) {
		t.Fatalf("no policy yet: %v", err)
	}
	must("put policy", s.PutBucketConfig(ctx, "cb", "policy", `{"v":1}`))
	if doc, err := s.GetBucketConfig(ctx, "cb", "policy"); err != nil || doc != `{"v":1}` {
		t.Fatalf("policy after put: %q %v", doc, err)
	}
	must("put policy 2", s.PutBucketConfig(ctx, "cb", "policy", `{"v":2}`))
	if doc, _ := s.GetBucketConfig(ctx, "cb", "policy"); doc != `{"v":2}` {
		t.Fatalf("policy after replace: %q", doc)
	}
	must("delete policy", s.DeleteBucketConfig(ctx, "cb", "policy"))
	if _, err := s.GetBucketConfig(ctx, "cb", "policy"); !errors.Is(err, meta.ErrNotFound) {
		t.Fatalf("policy after delete: %v", err)
	}
	must("versioning", s.SetBucketVersioning(ctx, "cb", "Enabled"))
	if b, _ := s.GetBucket(ctx, "cb"); b.Versioning != "Enabled" {
		t.Fatalf("versioning after SetBucketVersioning: %q", b.Versioning)
	}

	// Objects: overwrite and delete, through the group committer.
	if _, err := s.GetObject(ctx, "cb", "k", ""); !errors.Is(err, meta.ErrNoSuchKey) {
		t.Fatalf("missing object: %v", err)
	}
	for i := range 3 {
		if _, err := s.PutObject(ctx, &meta.Object{Bucket: "cb", Key: "k", ETag: fmt.Sprint("e", i), Size: int64(i)}); err != nil {
			t.Fatal(err)
		}
		if o, err := s.GetObject(ctx, "cb", "k", ""); err != nil || o.ETag != fmt.Sprint("e", i) {
			t.Fatalf("object after put %d: %+v %v", i, o, err)
		}
	}
	if _, _, err := s.DeleteObject(ctx, "cb", "k", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetObject(ctx, "cb", "k", ""); !errors.Is(err, meta.ErrNoSuchKey) {
		t.Fatalf("object after delete: %v", err)
	}
}

// TestCacheNeverServesAnOverwrittenVersion: readers race a writer that
// overwrites one key with increasing sizes. Once PutObject returned size n,
// no read that starts afterwards may see a smaller size.
func TestCacheNeverServesAnOverwrittenVersion(t *testing.T) {
	s := openSQLite(t)
	if err := s.CreateBucket(ctx, meta.Bucket{Name: "race", Account: "111122223333"}); err != nil {
		t.Fatal(err)
	}
	var acked atomic.Int64
	acked.Store(-1)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var bad atomic.Value
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				floor := acked.Load()
				o, err := s.GetObject(context.Background(), "race", "k", "")
				if err != nil && floor >= 0 {
					bad.Store(fmt.Sprintf("read after ack %d: %v", floor, err))
					return
				}
				if err == nil && o.Size < floor {
					bad.Store(fmt.Sprintf("read size %d after size %d was acknowledged", o.Size, floor))
					return
				}
			}
		}()
	}
	for i := range int64(300) {
		if _, err := s.PutObject(ctx, &meta.Object{Bucket: "race", Key: "k", ETag: strconv.FormatInt(i, 10), Size: i}); err != nil {
			t.Fatal(err)
		}
		acked.Store(i)
	}
	close(stop)
	wg.Wait()
	if v := bad.Load(); v != nil {
		t.Fatal(v)
	}
}

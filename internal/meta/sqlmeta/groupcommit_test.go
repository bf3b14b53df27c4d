package sqlmeta

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/outpost-s3/outpost/internal/meta"
)

// TestGroupCommitKeepsEachWriteOwnOutcome: concurrent PutObjects that
// share commits all land, and one failing write (no such bucket) in a
// batch fails alone.
func TestGroupCommitKeepsEachWriteOwnOutcome(t *testing.T) {
	s := openSQLite(t)
	ctx := context.Background()
	if err := s.CreateBucket(ctx, meta.Bucket{Name: "b", Account: "111122223333"}); err != nil {
		t.Fatal(err)
	}
	const n = 200
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			bkt := "b"
			if i%10 == 0 {
				bkt = "missing"
			}
			_, errs[i] = s.PutObject(ctx, &meta.Object{Bucket: bkt, Key: fmt.Sprintf("k%03d", i), ETag: "e"})
		}(i)
	}
	wg.Wait()
	for i, err := range errs {
		if i%10 == 0 {
			if !errors.Is(err, meta.ErrNoSuchBucket) {
				t.Errorf("put %d into a missing bucket: %v, want ErrNoSuchBucket", i, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("put %d: %v", i, err)
		}
	}
	res, err := s.ListObjects(ctx, "b", meta.ListOptions{MaxKeys: 1000})
	if err != nil || len(res.Objects) != n-n/10 {
		t.Fatalf("listed %d objects (%v), want %d", len(res.Objects), err, n-n/10)
	}
}

// BenchmarkPutObjectParallel is BenchmarkPutObject with 32 writers at once:
// the group commit shares one fsync among the writes of each batch.
func BenchmarkPutObjectParallel(b *testing.B) {
	s := openSQLite(b)
	ctx := context.Background()
	if err := s.CreateBucket(ctx, meta.Bucket{Name: "bench", Account: "111122223333"}); err != nil {
		b.Fatal(err)
	}
	var mu sync.Mutex
	i := 0
	b.SetParallelism(16) // × GOMAXPROCS writers
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			mu.Lock()
			i++
			n := i
			mu.Unlock()
			o := &meta.Object{Bucket: "bench", Key: fmt.Sprintf("obj%08d", n), Size: 1024, ETag: "d41d8cd98f00b204e9800998ecf8427e",
				Headers:  map[string]string{"Content-Type": "application/octet-stream"},
				Segments: []meta.Segment{{BlobID: fmt.Sprintf("%032x", n), Size: 1024}}}
			if _, err := s.PutObject(ctx, o); err != nil {
				b.Fatal(err)
			}
		}
	})
}

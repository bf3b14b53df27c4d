// Package blobtest is the conformance suite every blob.Store backend must
// pass, and a fault-injecting wrapper for tests of code that uses a store.
package blobtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/outpost-s3/outpost/internal/blob"
)

// Run runs the conformance suite. newStore must return an empty store that
// lives until the test ends.
func Run(t *testing.T, newStore func(t *testing.T) blob.Store) {
	ctx := context.Background()

	t.Run("committed blob reads back whole and in ranges", func(t *testing.T) {
		s := newStore(t)
		data := randBytes(t, 100_000)
		id := put(t, s, data)
		size := int64(len(data))
		for _, c := range []struct {
			name   string
			off, n int64
			want   []byte
		}{
			{"whole, to the end", 0, -1, data},
			{"whole, by length", 0, size, data},
			{"prefix", 0, 10, data[:10]},
			{"middle", 5000, 10, data[5000:5010]},
			{"middle across 64 KiB", 65530, 20, data[65530:65550]},
			{"suffix, to the end", size - 10, -1, data[size-10:]},
			{"suffix, by length", size - 10, 10, data[size-10:]},
			{"last byte", size - 1, 1, data[size-1:]},
			{"zero-length at the start", 0, 0, nil},
			{"zero-length in the middle", 777, 0, nil},
			{"zero-length at the end", size, 0, nil},
			{"to the end from the end", size, -1, nil},
		} {
			for _, via := range copyPaths {
				got, err := readRange(s, id, c.off, c.n, via.copy)
				if err != nil || !bytes.Equal(got, c.want) {
					t.Errorf("%s (%d+%d) via %s: %d bytes, err %v; want %d bytes of the blob", c.name, c.off, c.n, via.name, len(got), err, len(c.want))
				}
			}
		}
	})

	t.Run("a range outside the blob is ErrRange", func(t *testing.T) {
		s := newStore(t)
		id := put(t, s, randBytes(t, 1000))
		for _, c := range [][2]int64{{1001, 0}, {1001, -1}, {0, 1001}, {999, 2}, {1000, 1}, {-1, 1}, {-1, -1}} {
			if r, err := s.Open(ctx, id, c[0], c[1]); !errors.Is(err, blob.ErrRange) {
				if err == nil {
					r.Close()
				}
				t.Errorf("Open(%d, %d) of 1000 bytes = %v, want ErrRange", c[0], c[1], err)
			}
		}
	})

	t.Run("a reader read in part copies the rest", func(t *testing.T) {
		s := newStore(t)
		data := randBytes(t, 300_000)
		id := put(t, s, data)
		r, err := s.Open(ctx, id, 100, 200_000)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		head := make([]byte, 1000)
		if _, err := io.ReadFull(r, head); err != nil || !bytes.Equal(head, data[100:1100]) {
			t.Fatalf("first 1000 bytes: err %v, equal %v", err, bytes.Equal(head, data[100:1100]))
		}
		var rest bytes.Buffer
		if n, err := io.Copy(&rest, r); err != nil || n != 199_000 || !bytes.Equal(rest.Bytes(), data[1100:200_100]) {
			t.Fatalf("rest: %d bytes, err %v; want the next 199000 bytes", n, err)
		}
	})

	t.Run("empty blob is fine", func(t *testing.T) {
		s := newStore(t)
		id := put(t, s, nil)
		for _, n := range []int64{-1, 0} {
			got, err := readRange(s, id, 0, n, io.Copy)
			if err != nil || len(got) != 0 {
				t.Fatalf("Open(0, %d) of an empty blob: %d bytes, err %v", n, len(got), err)
			}
		}
		if _, err := s.Open(ctx, id, 0, 1); !errors.Is(err, blob.ErrRange) {
			t.Fatalf("Open(0, 1) of an empty blob = %v, want ErrRange", err)
		}
	})

	t.Run("ids are unique and not visible before commit", func(t *testing.T) {
		s := newStore(t)
		w1, err := s.Create(ctx)
		if err != nil {
			t.Fatal(err)
		}
		w2, err := s.Create(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if w1.ID() == w2.ID() || w1.ID() == "" {
			t.Fatalf("IDs %q and %q", w1.ID(), w2.ID())
		}
		w1.Write([]byte("pending"))
		if _, err := s.Open(ctx, w1.ID(), 0, -1); !errors.Is(err, blob.ErrNotFound) {
			t.Fatalf("Open of uncommitted blob: %v, want ErrNotFound", err)
		}
		if ids := walk(t, s); len(ids) != 0 {
			t.Fatalf("Walk sees uncommitted blobs %v", ids)
		}
		w1.Abort()
		w2.Abort()
	})

	t.Run("abort leaves nothing", func(t *testing.T) {
		s := newStore(t)
		w, err := s.Create(ctx)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte("gone"))
		if err := w.Abort(); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Open(ctx, w.ID(), 0, -1); !errors.Is(err, blob.ErrNotFound) {
			t.Fatalf("Open after Abort: %v", err)
		}
		if ids := walk(t, s); len(ids) != 0 {
			t.Fatalf("Walk after Abort: %v", ids)
		}
		if err := w.Abort(); err != nil {
			t.Fatalf("second Abort: %v", err)
		}
	})

	t.Run("abort after commit keeps the blob", func(t *testing.T) {
		s := newStore(t)
		w, _ := s.Create(ctx)
		w.Write([]byte("x"))
		if err := w.Commit(); err != nil {
			t.Fatal(err)
		}
		w.Abort()
		r, err := s.Open(ctx, w.ID(), 0, -1)
		if err != nil {
			t.Fatalf("Open after Commit+Abort: %v", err)
		}
		r.Close()
	})

	t.Run("walk lists committed blobs with a recent time", func(t *testing.T) {
		s := newStore(t)
		before := time.Now().Add(-time.Minute)
		want := map[string]bool{}
		for i := 0; i < 5; i++ {
			want[put(t, s, []byte{byte(i)})] = true
		}
		got := walk(t, s)
		if len(got) != len(want) {
			t.Fatalf("Walk: %v, want %v", got, want)
		}
		for id, created := range got {
			if !want[id] {
				t.Fatalf("Walk: unexpected %s", id)
			}
			if created.Before(before) || created.After(time.Now().Add(time.Minute)) {
				t.Fatalf("Walk: %s created %v", id, created)
			}
		}
	})

	t.Run("delete removes and a second delete is ErrNotFound", func(t *testing.T) {
		s := newStore(t)
		id := put(t, s, []byte("bye"))
		if err := s.Delete(ctx, id); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Open(ctx, id, 0, -1); !errors.Is(err, blob.ErrNotFound) {
			t.Fatalf("Open after Delete: %v", err)
		}
		if err := s.Delete(ctx, id); !errors.Is(err, blob.ErrNotFound) {
			t.Fatalf("second Delete: %v", err)
		}
	})

	t.Run("hostile ids are not found", func(t *testing.T) {
		s := newStore(t)
		for _, id := range []string{"", "..", "../../etc/passwd", "/etc/passwd", "tmp",
			"0123456789abcdef0123456789abcdeg", "0123456789ABCDEF0123456789ABCDEF",
			"0123456789abcdef0123456789abcdef/..", "ab/cd/0123456789abcdef0123456789abcdef"} {
			if _, err := s.Open(ctx, id, 0, -1); !errors.Is(err, blob.ErrNotFound) {
				t.Errorf("Open(%q) = %v, want ErrNotFound", id, err)
			}
			if err := s.Delete(ctx, id); !errors.Is(err, blob.ErrNotFound) {
				t.Errorf("Delete(%q) = %v, want ErrNotFound", id, err)
			}
		}
	})

	t.Run("concurrent writers", func(t *testing.T) {
		s := newStore(t)
		var wg sync.WaitGroup
		ids := make([]string, 16)
		for i := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				w, err := s.Create(ctx)
				if err != nil {
					t.Error(err)
					return
				}
				w.Write(bytes.Repeat([]byte{byte(i)}, 1000))
				if err := w.Commit(); err != nil {
					t.Error(err)
				}
				ids[i] = w.ID()
			}()
		}
		wg.Wait()
		for i, id := range ids {
			r, err := s.Open(ctx, id, 0, -1)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(r)
			r.Close()
			if !bytes.Equal(b, bytes.Repeat([]byte{byte(i)}, 1000)) {
				t.Fatalf("blob %d has wrong bytes", i)
			}
		}
	})

	t.Run("sweep removes old unreferenced blobs only", func(t *testing.T) {
		s := newStore(t)
		keep := put(t, s, []byte("keep"))
		orphan := put(t, s, []byte("orphan"))
		ref := func(ctx context.Context, ids []string) (map[string]bool, error) {
			return map[string]bool{keep: true}, nil
		}
		// Nothing is older than an hour ago.
		n, err := blob.Sweep(ctx, s, ref, time.Now().Add(-time.Hour), nil)
		if err != nil || n != 0 {
			t.Fatalf("Sweep(-1h) = %d, %v; want 0", n, err)
		}
		n, err = blob.Sweep(ctx, s, ref, time.Now().Add(time.Minute), nil)
		if err != nil || n != 1 {
			t.Fatalf("Sweep = %d, %v; want 1", n, err)
		}
		if _, err := s.Open(ctx, orphan, 0, -1); !errors.Is(err, blob.ErrNotFound) {
			t.Fatalf("orphan still there: %v", err)
		}
		r, err := s.Open(ctx, keep, 0, -1)
		if err != nil {
			t.Fatalf("referenced blob removed: %v", err)
		}
		r.Close()
	})

	t.Run("faulty commit leaves nothing after abort", func(t *testing.T) {
		boom := errors.New("injected")
		s := &Faulty{Store: newStore(t), FailCommit: func() error { return boom }}
		w, err := s.Create(ctx)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte("data"))
		if err := w.Commit(); !errors.Is(err, boom) {
			t.Fatalf("Commit = %v, want injected error", err)
		}
		if err := w.Abort(); err != nil {
			t.Fatal(err)
		}
		if ids := walk(t, s); len(ids) != 0 {
			t.Fatalf("Walk after failed commit: %v", ids)
		}
	})
}

// copyPaths are the ways a caller drains a reader: its Read method, io.Copy
// into a writer with ReadFrom (what an HTTP response is) and io.Copy into a
// plain writer (a pipe); the last two use the reader's WriteTo if it has one.
var copyPaths = []struct {
	name string
	copy func(dst io.Writer, src io.Reader) (int64, error)
}{
	{"Read", func(dst io.Writer, src io.Reader) (int64, error) {
		return io.Copy(dst, struct{ io.Reader }{src})
	}},
	{"io.Copy to a ReaderFrom", io.Copy},
	{"io.Copy to a plain writer", func(dst io.Writer, src io.Reader) (int64, error) {
		return io.Copy(struct{ io.Writer }{dst}, src)
	}},
}

// readRange opens [off, off+n) of blob id and drains it with copy.
func readRange(s blob.Store, id string, off, n int64, copy func(io.Writer, io.Reader) (int64, error)) ([]byte, error) {
	r, err := s.Open(context.Background(), id, off, n)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var b bytes.Buffer
	_, err = copy(&b, r)
	return b.Bytes(), err
}

func randBytes(t *testing.T, n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

func put(t *testing.T, s blob.Store, data []byte) string {
	t.Helper()
	w, err := s.Create(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(data); err != nil {
		w.Abort()
		t.Fatal(err)
	}
	if err := w.Commit(); err != nil {
		w.Abort()
		t.Fatal(err)
	}
	return w.ID()
}

func walk(t *testing.T, s blob.Store) map[string]time.Time {
	t.Helper()
	m := map[string]time.Time{}
	err := s.Walk(context.Background(), func(id string, created time.Time) error {
		m[id] = created
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// Faulty wraps a Store and injects errors: FailWrite is consulted before
// every Write and FailCommit before every Commit; a non-nil result is
// returned instead of doing the operation (the blob then stays uncommitted,
// and Abort cleans it up). Nil funcs inject nothing.
type Faulty struct {
	blob.Store
	FailCommit func() error
	FailWrite  func() error
}

// Create wraps the underlying writer with the fault hooks.
func (f *Faulty) Create(ctx context.Context) (blob.Writer, error) {
	w, err := f.Store.Create(ctx)
	if err != nil {
		return nil, err
	}
	return &faultyWriter{Writer: w, f: f}, nil
}

type faultyWriter struct {
	blob.Writer
	f *Faulty
}

func (w *faultyWriter) Write(p []byte) (int, error) {
	if w.f.FailWrite != nil {
		if err := w.f.FailWrite(); err != nil {
			return 0, err
		}
	}
	return w.Writer.Write(p)
}

func (w *faultyWriter) Commit() error {
	if w.f.FailCommit != nil {
		if err := w.f.FailCommit(); err != nil {
			return err
		}
	}
	return w.Writer.Commit()
}

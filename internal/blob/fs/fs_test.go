package fsblob

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/outpost-s3/outpost/internal/blob"
	"github.com/outpost-s3/outpost/internal/blob/blobtest"
)

func TestConformance(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) blob.Store {
		s, err := Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestOpenRemovesOldTempFiles(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	w, _ := s.Create(context.Background())
	w.Write([]byte("crash"))
	// Simulate a crash: the writer is never committed nor aborted.
	old := filepath.Join(dir, "blobs", "tmp", w.ID())
	fresh, _ := s.Create(context.Background())
	past := time.Now().Add(-2 * TempMaxAge)
	if err := os.Chtimes(old, past, past); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Fatalf("old tmp file survived Open: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "blobs", "tmp", fresh.ID())); err != nil {
		t.Fatalf("fresh tmp file removed: %v", err)
	}
	fresh.Abort()
}

func TestCommittedLayoutAndOSFile(t *testing.T) {
	dir := t.TempDir()
	s, _ := Open(dir)
	w, _ := s.Create(context.Background())
	w.Write([]byte("abc"))
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	id := w.ID()
	if _, err := os.Stat(filepath.Join(dir, "blobs", id[:2], id[2:4], id)); err != nil {
		t.Fatal(err)
	}
	r, err := s.Open(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	f, ok := r.(*File)
	if !ok || f.OSFile() == nil {
		t.Fatalf("Open returned %T, want *File with an *os.File", r)
	}
}

func FuzzValidID(f *testing.F) {
	f.Add("0123456789abcdef0123456789abcdef")
	f.Add("../../../../etc/passwd")
	f.Fuzz(func(t *testing.T, id string) {
		if !ValidID(id) {
			return
		}
		s := &Store{root: "/root-of-store"}
		p := s.path(id)
		if filepath.Dir(filepath.Dir(filepath.Dir(p))) != "/root-of-store" || filepath.Base(p) != id {
			t.Fatalf("id %q maps outside the store: %s", id, p)
		}
	})
}

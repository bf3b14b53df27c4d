package fsblob

import (
	"bytes"
	"context"
	"io"
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

func TestCommittedLayout(t *testing.T) {
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
}

// readerFromSpy records what a copy hands to ReadFrom, as
// http.ResponseWriter's ReadFrom receives it.
type readerFromSpy struct {
	src   io.Reader
	limit int64
	buf   bytes.Buffer
}

func (w *readerFromSpy) Write(p []byte) (int, error) { return w.buf.Write(p) }

func (w *readerFromSpy) ReadFrom(src io.Reader) (int64, error) {
	w.src = src
	if lr, ok := src.(*io.LimitedReader); ok {
		w.limit = lr.N
	}
	return w.buf.ReadFrom(src)
}

// TestRangeCopyKeepsSendfile checks that io.Copy of an opened range into a
// writer with ReadFrom passes an *io.LimitedReader of the *os.File, limited
// to the range: the only form net.TCPConn.ReadFrom sends with sendfile(2).
func TestRangeCopyKeepsSendfile(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	data := bytes.Repeat([]byte("0123456789"), 50_000)
	w, _ := s.Create(context.Background())
	w.Write(data)
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	for _, c := range [][2]int64{{0, -1}, {0, 1000}, {123_456, 200_000}, {499_990, 10}} {
		r, err := s.Open(context.Background(), w.ID(), c[0], c[1])
		if err != nil {
			t.Fatal(err)
		}
		var spy readerFromSpy
		n, err := io.Copy(&spy, r)
		r.Close()
		want := c[1]
		if want < 0 {
			want = int64(len(data)) - c[0]
		}
		lr, _ := spy.src.(*io.LimitedReader)
		if lr == nil {
			t.Fatalf("range %v: ReadFrom got %T, want *io.LimitedReader", c, spy.src)
		}
		if _, ok := lr.R.(*os.File); !ok || spy.limit != want {
			t.Fatalf("range %v: ReadFrom got a LimitedReader of %T with N %d, want *os.File with N %d", c, lr.R, spy.limit, want)
		}
		if err != nil || n != want || !bytes.Equal(spy.buf.Bytes(), data[c[0]:c[0]+want]) {
			t.Fatalf("range %v: copied %d bytes, err %v; want %d bytes of the blob", c, n, err, want)
		}
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

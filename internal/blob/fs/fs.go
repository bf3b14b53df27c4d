// Package fsblob is the filesystem blob.Store: one file per blob under a
// data directory.
//
// Layout:
//
//	DIR/blobs/tmp/<id>        a blob being written (never visible)
//	DIR/blobs/xx/yy/<id>      a committed blob; xx, yy are the first four hex digits of id
//
// An id is 32 lower-case hex digits (see newID). A blob is written to
// tmp/ and renamed into place by Commit after an fsync of the file, then the
// destination directory is fsynced, so a committed blob survives power loss
// and a crash mid-write leaves only a tmp file. Open removes tmp files older
// than TempMaxAge; CleanTemp does the same on demand (blob.Sweep calls it).
package fsblob

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/outpost-s3/outpost/internal/blob"
)

// TempMaxAge is how old an uncommitted tmp file must be before Open or
// CleanTemp removes it. No upload stays open this long between writes.
const TempMaxAge = time.Hour

// IDLen is the length of a blob ID in hex digits.
const IDLen = 32

// Store is a filesystem blob store rooted at a directory. It is safe for
// concurrent use; two Stores may share a directory.
type Store struct {
	root string // DIR/blobs
	tmp  string // DIR/blobs/tmp

	mu      sync.Mutex
	made    map[string]bool         // xx/yy directories known to exist and be durable
	syncers map[string]*roundSyncer // shared directory fsyncs, by directory
	// fsSync, when syncfs(2) works here, makes commits durable with one
	// shared sync of the filesystem (rootFD) per round instead of per-blob
	// fsyncs; nil otherwise.
	fsSync *roundSyncer
	rootFD *os.File

	// dirBase and next choose the xx/yy of new IDs (see newID).
	dirBase uint64
	next    atomic.Uint64
}

var _ blob.Store = (*Store)(nil)

// Open opens (creating if needed) the blob store in dir and removes tmp files
// older than TempMaxAge left by a crash.
func Open(dir string) (*Store, error) {
	s := &Store{
		root:    filepath.Join(dir, "blobs"),
		made:    make(map[string]bool),
		syncers: make(map[string]*roundSyncer),
	}
	var b [8]byte
	rand.Read(b[:])
	s.dirBase = binary.LittleEndian.Uint64(b[:])
	s.tmp = filepath.Join(s.root, "tmp")
	if err := mkdirDurable(s.tmp); err != nil {
		return nil, fmt.Errorf("fsblob: open %s: %w", dir, err)
	}
	if _, err := s.CleanTemp(context.Background(), time.Now().Add(-TempMaxAge)); err != nil {
		return nil, fmt.Errorf("fsblob: open %s: %w", dir, err)
	}
	if os.Getenv("OUTPOST_BLOB_SYNC") != "fsync" {
		if f, err := os.Open(s.root); err == nil {
			if syncfs(f) == nil {
				s.rootFD, s.fsSync = f, &roundSyncer{}
			} else {
				f.Close()
			}
		}
	}
	return s, nil
}

// syncFS runs one syncfs of the store's filesystem.
func (s *Store) syncFS() error { return syncfs(s.rootFD) }

// ValidID reports whether id has the form of a blob ID: exactly IDLen
// lower-case hex digits. Every method checks IDs with it before touching the
// filesystem, so no untrusted ID can name a path outside the store.
func ValidID(id string) bool {
	if len(id) != IDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// blobsPerDir is how many consecutive new blobs share an xx/yy directory.
const blobsPerDir = 128

// newID returns a new blob ID: two bytes naming the xx/yy directory, from a
// counter that moves on every blobsPerDir blobs (from a random start), then
// 14 bytes from crypto/rand. Blobs written at the same time so land in the
// same directory, and concurrent commits share that directory's fsync
// (the shared directory fsync when syncfs is unavailable); over time the 65 536 directories fill evenly.
func (s *Store) newID() string {
	var b [IDLen / 2]byte
	if _, err := rand.Read(b[2:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	binary.BigEndian.PutUint16(b[:2], uint16(s.dirBase+s.next.Add(1)/blobsPerDir))
	return hex.EncodeToString(b[:])
}

// path returns the final path of a valid id.
func (s *Store) path(id string) string {
	return filepath.Join(s.root, id[0:2], id[2:4], id)
}

// Create starts a new blob in the tmp directory.
func (s *Store) Create(ctx context.Context) (blob.Writer, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	id := s.newID()
	tmp := filepath.Join(s.tmp, id)
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, fmt.Errorf("fsblob: create: %w", err)
	}
	return &writer{s: s, id: id, tmp: tmp, f: f}, nil
}

// Open opens the range [off, off+n) of a committed blob (n < 0: to its
// end). The reader's WriteTo hands the open file, limited to the range, to
// the destination's ReadFrom, so a copy to an http.ResponseWriter over
// plain TCP is a sendfile(2) (see the section type).
func (s *Store) Open(ctx context.Context, id string, off, n int64) (io.ReadCloser, error) {
	if !ValidID(id) {
		return nil, fmt.Errorf("fsblob: open %q: %w", id, blob.ErrNotFound)
	}
	f, err := os.Open(s.path(id))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("fsblob: open %s: %w", id, blob.ErrNotFound)
		}
		return nil, fmt.Errorf("fsblob: open: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("fsblob: open: %w", err)
	}
	size := fi.Size()
	if n < 0 && off >= 0 {
		n = max(size-off, 0)
	}
	if off < 0 || n < 0 || off > size || n > size-off {
		f.Close()
		return nil, fmt.Errorf("fsblob: open %s: bytes %d+%d of %d: %w", id, off, n, size, blob.ErrRange)
	}
	if off > 0 {
		if _, err := f.Seek(off, io.SeekStart); err != nil {
			f.Close()
			return nil, fmt.Errorf("fsblob: open: %w", err)
		}
	}
	return &section{f: f, lr: io.LimitedReader{R: f, N: n}}, nil
}

// Delete removes a committed blob.
func (s *Store) Delete(ctx context.Context, id string) error {
	if !ValidID(id) {
		return fmt.Errorf("fsblob: delete %q: %w", id, blob.ErrNotFound)
	}
	if err := os.Remove(s.path(id)); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("fsblob: delete %s: %w", id, blob.ErrNotFound)
		}
		return fmt.Errorf("fsblob: delete: %w", err)
	}
	return nil
}

// Walk calls fn for every committed blob with its modification time as the
// creation time. Blobs still in tmp/ are skipped.
func (s *Store) Walk(ctx context.Context, fn func(id string, created time.Time) error) error {
	err := filepath.WalkDir(s.root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && p != s.root {
				return nil // removed while walking
			}
			return err
		}
		if d.IsDir() {
			if p == s.tmp {
				return filepath.SkipDir
			}
			return ctx.Err()
		}
		id := d.Name()
		if !ValidID(id) || p != s.path(id) {
			return nil // not ours
		}
		info, err := d.Info()
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		return fn(id, info.ModTime())
	})
	if err != nil {
		return fmt.Errorf("fsblob: walk: %w", err)
	}
	return nil
}

// CleanTemp removes uncommitted tmp files last modified before olderThan and
// reports how many it removed.
func (s *Store) CleanTemp(ctx context.Context, olderThan time.Time) (int, error) {
	ents, err := os.ReadDir(s.tmp)
	if err != nil {
		return 0, fmt.Errorf("fsblob: clean tmp: %w", err)
	}
	n := 0
	for _, e := range ents {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		info, err := e.Info()
		if err != nil || !info.ModTime().Before(olderThan) {
			continue
		}
		if err := os.Remove(filepath.Join(s.tmp, e.Name())); err == nil {
			n++
		}
	}
	return n, nil
}

// ensureDir creates the xx/yy directory of id durably: each directory it
// creates is fsynced together with its parent, once per process.
func (s *Store) ensureDir(dir string) error {
	s.mu.Lock()
	ok := s.made[dir]
	s.mu.Unlock()
	if ok {
		return nil
	}
	if err := mkdirDurable(dir); err != nil {
		return err
	}
	s.mu.Lock()
	s.made[dir] = true
	s.mu.Unlock()
	return nil
}

// mkdirDurable creates dir and missing parents, fsyncing every directory
// whose entry list changed, so the new path survives power loss.
func mkdirDurable(dir string) error {
	if fi, err := os.Stat(dir); err == nil {
		if !fi.IsDir() {
			return fmt.Errorf("%s is not a directory", dir)
		}
		return nil
	}
	parent := filepath.Dir(dir)
	if parent != dir {
		if err := mkdirDurable(parent); err != nil {
			return err
		}
	}
	if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	if err := syncDir(dir); err != nil {
		return err
	}
	return syncDir(parent)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// writer writes one blob into tmp/ and renames it into place on Commit.
type writer struct {
	s    *Store
	id   string
	tmp  string
	f    *os.File
	done bool // committed or aborted
}

func (w *writer) ID() string { return w.id }

func (w *writer) Write(p []byte) (int, error) {
	if w.done {
		return 0, errors.New("fsblob: write after commit or abort")
	}
	return w.f.Write(p)
}

// Commit fsyncs the file, renames it to its final path and fsyncs that
// directory. On error the caller must call Abort.
func (w *writer) Commit() error {
	if w.done {
		return errors.New("fsblob: commit after commit or abort")
	}
	if avail, total, err := freeSpace(w.tmp); err == nil && avail < metaReserve(total) {
		// The blob fits but would leave too little room for the metadata
		// commit that references it, or for the deletes that free space:
		// refuse it as a full disk (503) and keep the reserve.
		return fmt.Errorf("fsblob: commit %s: %w (%d bytes left, %d kept for metadata)", w.id, syscall.ENOSPC, avail, metaReserve(total))
	}
	if w.s.fsSync == nil {
		// Without syncfs: make the data durable before the rename.
		if err := w.f.Sync(); err != nil {
			return fmt.Errorf("fsblob: commit %s: %w", w.id, err)
		}
	}
	if err := w.f.Close(); err != nil {
		return fmt.Errorf("fsblob: commit %s: %w", w.id, err)
	}
	w.f = nil
	final := w.s.path(w.id)
	dir := filepath.Dir(final)
	if err := w.s.ensureDir(dir); err != nil {
		return fmt.Errorf("fsblob: commit %s: %w", w.id, err)
	}
	if err := os.Rename(w.tmp, final); err != nil {
		return fmt.Errorf("fsblob: commit %s: %w", w.id, err)
	}
	w.done = true
	var err error
	if w.s.fsSync != nil {
		// One syncfs of the whole filesystem, shared by every commit that
		// joined the round, makes the file's data and its new name durable
		// (group commit); it replaces a file fsync and a directory fsync
		// per blob.
		err = w.s.fsSync.do(w.s.syncFS)
	} else {
		err = w.s.dirSyncer(dir).do(func() error { return syncDir(dir) })
	}
	if err != nil {
		// The rename happened but may not be durable; report failure and
		// remove the blob so the caller never references it.
		os.Remove(final)
		return fmt.Errorf("fsblob: commit %s: %w", w.id, err)
	}
	return nil
}

// Abort closes and removes the tmp file. It is safe after a failed Commit
// and a no-op after a successful one.
func (w *writer) Abort() error {
	if w.f != nil {
		w.f.Close()
		w.f = nil
	}
	if w.done {
		return nil
	}
	w.done = true
	if err := os.Remove(w.tmp); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("fsblob: abort %s: %w", w.id, err)
	}
	return nil
}

// section is the reader Open returns: an open file, positioned at the
// range's start, and the number of bytes left in the range.
//
// Its WriteTo passes an *io.LimitedReader of the *os.File to the
// destination's ReadFrom. That is the one shape net.TCPConn.ReadFrom
// (reached through http.ResponseWriter's ReadFrom) turns into sendfile(2):
// the kernel copies the file to the socket with no user-space buffer. Any
// other wrapper type around the file would fall back to a copy loop.
type section struct {
	f  *os.File
	lr io.LimitedReader // R is f
}

// Read reads the next bytes of the range; io.EOF after its last byte.
func (s *section) Read(p []byte) (int, error) { return s.lr.Read(p) }

// WriteTo writes the rest of the range to w: by sendfile when w's ReadFrom
// reaches a TCP connection, otherwise through a pooled buffer.
func (s *section) WriteTo(w io.Writer) (int64, error) {
	if rf, ok := w.(io.ReaderFrom); ok {
		return rf.ReadFrom(&s.lr)
	}
	bufp := copyBufPool.Get().(*[]byte)
	defer copyBufPool.Put(bufp)
	return io.CopyBuffer(w, &s.lr, *bufp)
}

// Close closes the file.
func (s *section) Close() error { return s.f.Close() }

// copyBufPool holds the buffers of copies to writers without ReadFrom (a
// pipe into a CopyObject's new blob): larger than io.Copy's 32 KiB, so
// fewer hand-offs per MiB.
var copyBufPool = sync.Pool{New: func() any { b := make([]byte, 256<<10); return &b }}

// roundSyncer shares one sync operation among concurrent commits (group
// commit): a commit that finds a sync running joins the next round, which
// starts only after the running one ends, so every write that joined a
// round happened before that round's sync began.
type roundSyncer struct {
	mu      sync.Mutex
	running bool
	waiting *syncRound // the next round, still taking joiners
}

type syncRound struct {
	done chan struct{}
	err  error
}

// dirSyncer returns the round syncer for fsyncs of dir.
func (s *Store) dirSyncer(dir string) *roundSyncer {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.syncers[dir]
	if d == nil {
		d = &roundSyncer{}
		s.syncers[dir] = d
	}
	return d
}

// do returns once a run of sync that started after the call has
// completed, with that run's error.
func (d *roundSyncer) do(sync func() error) error {
	d.mu.Lock()
	if d.waiting == nil {
		d.waiting = &syncRound{done: make(chan struct{})}
	}
	mine := d.waiting
	if d.running {
		d.mu.Unlock()
		<-mine.done
		return mine.err
	}
	// Lead: run rounds until nobody waits.
	d.running = true
	for d.waiting != nil {
		r := d.waiting
		d.waiting = nil
		d.mu.Unlock()
		r.err = sync()
		close(r.done)
		d.mu.Lock()
	}
	d.running = false
	d.mu.Unlock()
	return mine.err
}

// metaReserve is the free space a blob commit must leave on a filesystem
// of total bytes: 1/64 of it, between 256 KiB and 64 MiB. The metadata
// database (its WAL) lives beside the blobs; without a reserve the last
// blob that fits fills the disk and even a DeleteObject, which frees
// space, cannot commit.
func metaReserve(total uint64) uint64 {
	return min(max(total/64, 256<<10), 64<<20)
}

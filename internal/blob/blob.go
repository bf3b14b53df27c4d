// Package blob stores object bytes as write-once blobs named by random IDs.
//
// A blob is created, written as a stream, and committed (made durable) or
// aborted. Once committed it is never changed; it is read any number of
// times and finally deleted. Object keys are never used as blob names: the
// metadata layer maps keys to blob IDs.
//
// A blob that was committed but never referenced by a metadata commit (the
// server crashed in between) is an orphan; Sweep finds and removes those.
package blob

import (
	"context"
	"errors"
	"io"
	"time"
)

// ErrNotFound is returned by Open and Delete when no blob has that ID.
var ErrNotFound = errors.New("blob: not found")

// ErrRange is returned by Open when the requested range does not lie within
// the blob: a negative offset, or an end past the blob's length. Callers
// check ranges against the object's size first, so for them it means the
// stored blob is shorter than its metadata says.
var ErrRange = errors.New("blob: range outside the blob")

// Store is the contract every blob backend implements (filesystem, S3).
type Store interface {
	// Create starts a new blob with a fresh random ID. Nothing is visible
	// under that ID until Commit returns nil.
	Create(ctx context.Context) (Writer, error)
	// Open returns a reader of exactly the bytes [off, off+n) of a
	// committed blob; n < 0 means up to the blob's end. The reader returns
	// io.EOF after the range's last byte, and the caller must Close it.
	// Open returns ErrNotFound for an unknown ID and ErrRange when off < 0
	// or off+n exceeds the blob's length (off equal to the length with n 0
	// or negative is an empty range, not an error). A backend whose reader
	// can reach the network faster than a plain Read loop does so in the
	// reader's WriteTo (the filesystem backend: sendfile).
	Open(ctx context.Context, id string, off, n int64) (io.ReadCloser, error)
	// Delete removes a blob. Deleting a missing blob returns ErrNotFound.
	Delete(ctx context.Context, id string) error
	// Walk calls fn for every committed blob with its creation time.
	// Used by the orphan sweep; order is unspecified.
	Walk(ctx context.Context, fn func(id string, created time.Time) error) error
}

// Writer receives a blob's bytes. Exactly one of Commit or Abort must be called.
type Writer interface {
	io.Writer
	// ID is the blob's name, valid from Create on.
	ID() string
	// Commit makes the blob durable (data and directory entry fsynced)
	// before returning nil. After Commit the blob can be opened.
	Commit() error
	// Abort discards everything written. Safe to call after a failed Commit.
	Abort() error
}

//go:build !linux

package fsblob

import (
	"errors"
	"os"
)

// syncfs is not available: commits fall back to per-blob fsyncs.
func syncfs(*os.File) error { return errors.ErrUnsupported }

// freeSpace is not known here: no space is reserved for the metadata.
func freeSpace(string) (avail, total uint64, err error) { return 0, 0, errors.ErrUnsupported }

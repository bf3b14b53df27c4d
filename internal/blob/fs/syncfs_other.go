//go:build !linux

package fsblob

import (
	"errors"
	"os"
)

// syncfs is not available: commits fall back to per-blob fsyncs.
func syncfs(*os.File) error { return errors.ErrUnsupported }

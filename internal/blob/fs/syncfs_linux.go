//go:build linux

package fsblob

import (
	"os"

	"golang.org/x/sys/unix"
)

// syncfs flushes every dirty page and metadata change of the filesystem
// holding f and waits for the device, as syncfs(2) promises since Linux
// 2.6.39: after it returns, every file written and renamed before the call
// is durable.
func syncfs(f *os.File) error {
	for {
		err := unix.Syncfs(int(f.Fd()))
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return &os.SyscallError{Syscall: "syncfs", Err: err}
		}
		return nil
	}
}

// freeSpace is the space still available to the server on path's
// filesystem, and the filesystem's size, in bytes.
func freeSpace(path string) (avail, total uint64, err error) {
	var st unix.Statfs_t
	if err := unix.Statfs(path, &st); err != nil {
		return 0, 0, err
	}
	return st.Bavail * uint64(st.Bsize), st.Blocks * uint64(st.Bsize), nil
}

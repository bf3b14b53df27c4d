package fsblob

import (
	"context"
	"io"
	"runtime"
	"sync"
	"testing"
	"time"
)

// TestCommitModes commits blobs concurrently with the shared syncfs (the
// Linux default) and with per-blob fsyncs (OUTPOST_BLOB_SYNC=fsync); both
// leave every committed blob readable and nothing in tmp.
func TestCommitModes(t *testing.T) {
	for _, mode := range []string{"", "fsync"} {
		t.Run("mode="+mode, func(t *testing.T) {
			t.Setenv("OUTPOST_BLOB_SYNC", mode)
			s, err := Open(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			wantShared := mode == "" && runtime.GOOS == "linux"
			if (s.fsSync != nil) != wantShared {
				t.Fatalf("shared syncfs = %v, want %v", s.fsSync != nil, wantShared)
			}
			ctx := context.Background()
			var wg sync.WaitGroup
			ids := make([]string, 32)
			for i := range ids {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					w, err := s.Create(ctx)
					if err != nil {
						t.Error(err)
						return
					}
					w.Write([]byte{byte(i)})
					if err := w.Commit(); err != nil {
						t.Error(err)
						return
					}
					ids[i] = w.ID()
				}(i)
			}
			wg.Wait()
			for i, id := range ids {
				r, err := s.Open(ctx, id, 0, -1)
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(r)
				r.Close()
				if len(b) != 1 || b[0] != byte(i) {
					t.Fatalf("blob %d read %v", i, b)
				}
			}
			if n, _ := s.CleanTemp(ctx, time.Now().Add(time.Hour)); n != 0 {
				t.Fatalf("%d tmp files left after commits", n)
			}
		})
	}
}

package blob

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// SweepBatch is how many candidate blobs Sweep checks against the metadata
// per call of referenced.
const SweepBatch = 500

// TempCleaner is implemented by stores that keep uncommitted blobs in a
// staging area (the filesystem store's tmp/). Sweep calls it so a crash
// mid-write leaves nothing behind for long.
type TempCleaner interface {
	// CleanTemp removes uncommitted blobs last written before olderThan.
	CleanTemp(ctx context.Context, olderThan time.Time) (int, error)
}

// Sweep deletes orphan blobs: committed before olderThan and not referenced
// by the metadata. referenced is normally meta.Store.BlobReferenced and is
// called with at most SweepBatch IDs at a time.
//
// olderThan must leave a grace period (an hour is plenty) for writes in
// flight: a blob is committed before the metadata row that references it,
// and Sweep must not delete it in between. Blobs that vanish while Sweep
// runs are ignored. It returns how many blobs it deleted (tmp files
// included); log may be nil.
func Sweep(ctx context.Context, s Store, referenced func(ctx context.Context, ids []string) (map[string]bool, error), olderThan time.Time, log *slog.Logger) (removed int, err error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if tc, ok := s.(TempCleaner); ok {
		n, err := tc.CleanTemp(ctx, olderThan)
		removed += n
		if err != nil {
			return removed, fmt.Errorf("blob: sweep: %w", err)
		}
	}
	batch := make([]string, 0, SweepBatch)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		refs, err := referenced(ctx, batch)
		if err != nil {
			return err
		}
		for _, id := range batch {
			if refs[id] {
				continue
			}
			if err := s.Delete(ctx, id); err != nil && !errors.Is(err, ErrNotFound) {
				return err
			}
			removed++
			log.InfoContext(ctx, "sweep: removed orphan blob", "blob", id)
		}
		batch = batch[:0]
		return nil
	}
	err = s.Walk(ctx, func(id string, created time.Time) error {
		if !created.Before(olderThan) {
			return nil
		}
		batch = append(batch, id)
		if len(batch) == SweepBatch {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return removed, fmt.Errorf("blob: sweep: %w", err)
	}
	return removed, nil
}

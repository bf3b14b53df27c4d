package sqlmeta

import (
	"context"

	"github.com/outpost-s3/outpost/internal/meta"
)

// rewrapBatch is how many rows RewrapSealedKeys reads and updates per
// transaction: small enough that writers wait at most a few milliseconds.
const rewrapBatch = 256

// RewrapSealedKeys implements meta.ObjectStore. Object versions are walked
// by seq, upload parts by (upload_id, part_number); each batch is read,
// re-wrapped outside any transaction, then written back with a
// compare-and-set on the old value, so a row rewritten meanwhile (a
// tagging update, a lifecycle delete) is left as its writer made it.
func (s *Store) RewrapSealedKeys(ctx context.Context, rewrap func(string) (string, bool, error)) (int, error) {
	n, err := s.rewrapObjects(ctx, rewrap)
	if err != nil {
		return n, err
	}
	m, err := s.rewrapParts(ctx, rewrap)
	return n + m, err
}

func (s *Store) rewrapObjects(ctx context.Context, rewrap func(string) (string, bool, error)) (int, error) {
	type row struct {
		seq      int64
		old, new string
		keys     int // keys re-wrapped in the row
	}
	total := 0
	for after := int64(0); ; {
		var rows []row
		err := s.read(ctx, "rewrap objects", func(c conn) error {
			rs, err := c.query("SELECT seq, segments FROM objects WHERE sse = ? AND seq > ? ORDER BY seq LIMIT ?", meta.SSES3, after, rewrapBatch)
			if err != nil {
				return err
			}
			defer rs.Close()
			for rs.Next() {
				var r row
				if err := rs.Scan(&r.seq, &r.old); err != nil {
					return err
				}
				rows = append(rows, r)
			}
			return rs.Err()
		})
		if err != nil || len(rows) == 0 {
			return total, err
		}
		after = rows[len(rows)-1].seq
		changed := rows[:0]
		for _, r := range rows {
			segs, err := decodeSegments(r.old)
			if err != nil {
				return total, s.fail("rewrap objects", err)
			}
			dirty := false
			for i := range segs {
				if segs[i].SealedKey == "" {
					continue
				}
				nk, ch, err := rewrap(segs[i].SealedKey)
				if err != nil {
					return total, err
				}
				if ch {
					segs[i].SealedKey, dirty = nk, true
					r.keys++
				}
			}
			if dirty {
				r.new = encodeSegments(segs)
				changed = append(changed, r)
			}
		}
		if len(changed) == 0 {
			continue
		}
		ups := make([]casUpdate, len(changed))
		for i, r := range changed {
			ups[i] = casUpdate{"UPDATE objects SET segments = ? WHERE seq = ? AND segments = ?", []any{r.new, r.seq, r.old}, r.keys}
		}
		done, err := s.applyCAS(ctx, "rewrap objects", ups)
		total += done
		if err != nil {
			return total, err
		}
	}
}

func (s *Store) rewrapParts(ctx context.Context, rewrap func(string) (string, bool, error)) (int, error) {
	type row struct {
		upload   string
		part     int
		old, new string
	}
	total := 0
	for afterUpload, afterPart := "", 0; ; {
		var rows []row
		err := s.read(ctx, "rewrap parts", func(c conn) error {
			rs, err := c.query(`SELECT p.upload_id, p.part_number, p.sealed_key FROM upload_parts p JOIN uploads u ON u.upload_id = p.upload_id
				WHERE u.sse = ? AND p.sealed_key <> '' AND (p.upload_id > ? OR (p.upload_id = ? AND p.part_number > ?))
				ORDER BY p.upload_id, p.part_number LIMIT ?`, meta.SSES3, afterUpload, afterUpload, afterPart, rewrapBatch)
			if err != nil {
				return err
			}
			defer rs.Close()
			for rs.Next() {
				var r row
				if err := rs.Scan(&r.upload, &r.part, &r.old); err != nil {
					return err
				}
				rows = append(rows, r)
			}
			return rs.Err()
		})
		if err != nil || len(rows) == 0 {
			return total, err
		}
		afterUpload, afterPart = rows[len(rows)-1].upload, rows[len(rows)-1].part
		changed := rows[:0]
		for _, r := range rows {
			nk, ch, err := rewrap(r.old)
			if err != nil {
				return total, err
			}
			if ch {
				r.new = nk
				changed = append(changed, r)
			}
		}
		if len(changed) == 0 {
			continue
		}
		ups := make([]casUpdate, len(changed))
		for i, r := range changed {
			ups[i] = casUpdate{"UPDATE upload_parts SET sealed_key = ? WHERE upload_id = ? AND part_number = ? AND sealed_key = ?", []any{r.new, r.upload, r.part, r.old}, 1}
		}
		done, err := s.applyCAS(ctx, "rewrap parts", ups)
		total += done
		if err != nil {
			return total, err
		}
	}
}

// casUpdate is one compare-and-set UPDATE of a re-wrap batch and the
// number of keys it replaces when it matches its row.
type casUpdate struct {
	query string
	args  []any
	keys  int
}

// applyCAS runs a batch of compare-and-set updates in one transaction and
// returns how many keys the updates that matched replaced (counted per
// attempt: a retried transaction starts over).
func (s *Store) applyCAS(ctx context.Context, op string, ups []casUpdate) (int, error) {
	done := 0
	err := s.writeObjects(ctx, op, func(c conn) error {
		done = 0
		for _, u := range ups {
			res, err := c.exec(u.query, u.args...)
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			done += int(n) * u.keys
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return done, nil
}

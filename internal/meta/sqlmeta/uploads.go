package sqlmeta

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/outpost-s3/outpost/internal/meta"
)

const uploadCols = "upload_id, bucket, key, initiated, headers, metadata, tags, acl, storage_class, checksum_algorithm, checksum_type, initiator, sse"

// uploadRow is an upload with its exact initiation time, which orders
// uploads of one key.
type uploadRow struct {
	u         meta.Upload
	initiated int64
	// sub says the position inside the key, (initiated, u.ID), is known:
	// true for every row read, false for a cursor made from a bare key marker.
	sub bool
}

func scanUpload(sc interface{ Scan(...any) error }) (uploadRow, error) {
	var r uploadRow
	var headers, md, tags, sse string
	err := sc.Scan(&r.u.ID, &r.u.Bucket, &r.u.Key, &r.initiated, &headers, &md, &tags, &r.u.ACL,
		&r.u.StorageClass, &r.u.ChecksumAlgorithm, &r.u.ChecksumType, &r.u.Initiator, &sse)
	if err != nil {
		return r, err
	}
	if r.u.Encryption, err = decodeEncryption(sse); err != nil {
		return r, err
	}
	r.u.Initiated = fromNanos(r.initiated)
	r.sub = true
	if r.u.Headers, err = decodeMap(headers); err != nil {
		return r, err
	}
	if r.u.Metadata, err = decodeMap(md); err != nil {
		return r, err
	}
	r.u.Tags, err = decodeMap(tags)
	return r, err
}

// CreateUpload records a new multipart upload. u.ID must be set (see
// meta.NewID); a zero Initiated is set to now. The bucket must exist.
func (s *Store) CreateUpload(ctx context.Context, u meta.Upload) error {
	if u.ID == "" {
		return errors.New("sqlmeta: create upload: empty upload ID")
	}
	if u.Initiated.IsZero() {
		u.Initiated = time.Now()
	}
	return s.writeObjects(ctx, "create upload", func(c conn) error {
		if _, err := c.lockBucket(u.Bucket); err != nil {
			return err
		}
		res, err := c.exec("INSERT INTO uploads ("+uploadCols+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (upload_id) DO NOTHING",
			u.ID, u.Bucket, u.Key, u.Initiated.UnixNano(), encodeMap(u.Headers), encodeMap(u.Metadata), encodeMap(u.Tags),
			u.ACL, u.StorageClass, u.ChecksumAlgorithm, u.ChecksumType, u.Initiator, encodeEncryption(u.Encryption))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return meta.ErrConflict
		}
		return nil
	})
}

// getUpload loads an upload (optionally locking it) and checks that it
// belongs to bucket and key when those are not "".
func (c conn) getUpload(bucket, key, uploadID, lock string) (uploadRow, error) {
	r, err := scanUpload(c.queryRow("SELECT "+uploadCols+" FROM uploads WHERE upload_id = ?"+lock, uploadID))
	if errors.Is(err, sql.ErrNoRows) || err == nil && (bucket != "" && r.u.Bucket != bucket || key != "" && r.u.Key != key) {
		return r, meta.ErrNoSuchUpload
	}
	return r, err
}

// GetUpload returns an upload of bucket and key; meta.ErrNoSuchUpload if it
// does not exist (or ended, or belongs to another key).
func (s *Store) GetUpload(ctx context.Context, bucket, key, uploadID string) (meta.Upload, error) {
	r, err := s.pool(ctx).getUpload(bucket, key, uploadID, "")
	return r.u, s.fail("get upload", err)
}

// PutPart stores or replaces a part and returns the replaced part's blob if
// nothing else references it.
func (s *Store) PutPart(ctx context.Context, uploadID string, p meta.Part) ([]string, error) {
	if p.LastModified.IsZero() {
		p.LastModified = time.Now()
	}
	var freed []string
	err := s.writeObjects(ctx, fmt.Sprintf("put part %d", p.Number), func(c conn) error {
		freed = nil
		// The share lock makes CompleteUpload and AbortUpload wait for us.
		if _, err := c.getUpload("", "", uploadID, c.d.forShare); err != nil {
			return err
		}
		if err := c.ref([]string{p.BlobID}); err != nil {
			return err
		}
		var old string
		err := c.queryRow("SELECT blob_id FROM upload_parts WHERE upload_id = ? AND part_number = ?", uploadID, p.Number).Scan(&old)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return err
		default:
			if _, err := c.exec("DELETE FROM upload_parts WHERE upload_id = ? AND part_number = ?", uploadID, p.Number); err != nil {
				return err
			}
			if err := c.unref([]string{old}, &freed); err != nil {
				return err
			}
		}
		_, err = c.exec("INSERT INTO upload_parts (upload_id, part_number, blob_id, size, etag, last_modified, checksums, sealed_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			uploadID, p.Number, p.BlobID, p.Size, p.ETag, p.LastModified.UnixNano(), encodeMap(p.Checksums), p.SealedKey)
		return err
	})
	return freed, err
}

// ListParts lists up to max parts numbered above marker, in order.
func (s *Store) ListParts(ctx context.Context, uploadID string, marker, max int) ([]meta.Part, bool, error) {
	var parts []meta.Part
	var truncated bool
	err := s.read(ctx, "list parts", func(c conn) error {
		parts, truncated = nil, false
		if _, err := c.getUpload("", "", uploadID, ""); err != nil {
			return err
		}
		rows, err := c.query("SELECT part_number, blob_id, size, etag, last_modified, checksums, sealed_key FROM upload_parts WHERE upload_id = ? AND part_number > ? ORDER BY part_number LIMIT ?",
			uploadID, marker, max+1)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var p meta.Part
			var lm int64
			var cks string
			if err := rows.Scan(&p.Number, &p.BlobID, &p.Size, &p.ETag, &lm, &cks, &p.SealedKey); err != nil {
				return err
			}
			p.LastModified = fromNanos(lm)
			if p.Checksums, err = decodeMap(cks); err != nil {
				return err
			}
			parts = append(parts, p)
		}
		if len(parts) > max {
			parts, truncated = parts[:max], true
		}
		return rows.Err()
	})
	return parts, truncated, err
}

// ListUploads lists uploads in progress by key, then initiation time.
func (s *Store) ListUploads(ctx context.Context, bucket string, opts meta.UploadListOptions) (meta.UploadListResult, error) {
	var res meta.UploadListResult
	err := s.read(ctx, "list uploads", func(c conn) error {
		res = meta.UploadListResult{}
		if err := c.bucketExists(bucket); err != nil {
			return err
		}
		collect := func(out []uploadRow, q string, args ...any) ([]uploadRow, error) {
			rows, err := c.query(q, args...)
			if err != nil {
				return out, err
			}
			defer rows.Close()
			for rows.Next() {
				r, err := scanUpload(rows)
				if err != nil {
					return out, err
				}
				out = append(out, r)
			}
			return out, rows.Err()
		}
		l := &lister[uploadRow]{
			prefix: opts.Prefix, delim: opts.Delimiter, marker: opts.KeyMarker, max: max(opts.MaxUploads, 0),
			key: func(r *uploadRow) string { return r.u.Key },
			fetch: func(cur cursor[uploadRow], upper string, hasUpper bool, n int) ([]uploadRow, error) {
				var out []uploadRow
				op, lower := ">=", cur.from
				if cur.after != nil {
					op, lower = ">", cur.after.u.Key
					if cur.after.sub {
						var err error
						out, err = collect(out, "SELECT "+uploadCols+" FROM uploads WHERE bucket = ? AND key = ? AND (initiated > ? OR initiated = ? AND upload_id > ?) ORDER BY initiated, upload_id LIMIT ?",
							bucket, lower, cur.after.initiated, cur.after.initiated, cur.after.u.ID, n)
						if err != nil || len(out) == n {
							return out, err
						}
					}
				} else if lower == "" {
					op = ""
				}
				where, args := keyRange("bucket = ?", []any{bucket}, op, lower, upper, hasUpper)
				q := "SELECT " + uploadCols + " FROM uploads WHERE " + where + " ORDER BY key, initiated, upload_id LIMIT ?"
				return collect(out, q, append(args, n-len(out))...)
			},
			emit: func(r *uploadRow) {
				res.Uploads = append(res.Uploads, r.u)
				res.NextKeyMarker, res.NextUploadIDMarker = r.u.Key, r.u.ID
			},
			emitPrefix: func(p string) {
				res.CommonPrefixes = append(res.CommonPrefixes, p)
				res.NextKeyMarker, res.NextUploadIDMarker = p, ""
			},
		}
		start := cursor[uploadRow]{}
		if opts.KeyMarker != "" {
			start.after = &uploadRow{u: meta.Upload{Key: opts.KeyMarker}}
			if opts.UploadIDMarker != "" {
				err := c.queryRow("SELECT initiated FROM uploads WHERE bucket = ? AND key = ? AND upload_id = ?",
					bucket, opts.KeyMarker, opts.UploadIDMarker).Scan(&start.after.initiated)
				if err == nil {
					start.after.sub = true
					start.after.u.ID = opts.UploadIDMarker
				} else if !errors.Is(err, sql.ErrNoRows) {
					return err
				}
			}
		}
		var err error
		res.IsTruncated, err = l.run(start)
		return err
	})
	return res, err
}

// endUpload deletes an upload and its parts, dropping the parts' blob
// references into freed.
func (c conn) endUpload(uploadID string, freed *[]string) error {
	rows, err := c.query("SELECT blob_id FROM upload_parts WHERE upload_id = ?", uploadID)
	if err != nil {
		return err
	}
	var blobs []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		blobs = append(blobs, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if _, err := c.exec("DELETE FROM upload_parts WHERE upload_id = ?", uploadID); err != nil {
		return err
	}
	if _, err := c.exec("DELETE FROM uploads WHERE upload_id = ?", uploadID); err != nil {
		return err
	}
	return c.unref(blobs, freed)
}

// CompleteUpload ends the upload and commits o in one transaction: the
// object's segments take their blob references before the parts drop
// theirs, so only blobs of unused parts (and of a replaced null version)
// are freed. Of two racing completions exactly one succeeds; the other gets
// meta.ErrNoSuchUpload. o.Bucket and o.Key default to the upload's.
func (s *Store) CompleteUpload(ctx context.Context, uploadID string, o *meta.Object) ([]string, error) {
	var freed []string
	err := s.writeObjects(ctx, "complete upload", func(c conn) error {
		freed = nil
		// Lock order bucket → upload → key, as everywhere.
		if o.Bucket != "" {
			if _, err := c.lockBucket(o.Bucket); err != nil {
				return err
			}
		}
		u, err := c.getUpload(o.Bucket, o.Key, uploadID, c.d.forUpdate)
		if err != nil {
			return err
		}
		o.Bucket, o.Key = u.u.Bucket, u.u.Key
		o.DeleteMarker = false
		f, err := c.putObject(o)
		if err != nil {
			return err
		}
		freed = f
		return c.endUpload(uploadID, &freed)
	})
	return freed, err
}

// AbortUpload ends an upload of bucket and key, returning its parts' blobs.
func (s *Store) AbortUpload(ctx context.Context, bucket, key, uploadID string) ([]string, error) {
	var freed []string
	err := s.writeObjects(ctx, "abort upload", func(c conn) error {
		freed = nil
		if _, err := c.getUpload(bucket, key, uploadID, c.d.forUpdate); err != nil {
			return err
		}
		return c.endUpload(uploadID, &freed)
	})
	return freed, err
}

package sqlmeta

import (
	"context"
	"database/sql"
	"errors"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/outpost-s3/outpost/internal/meta"
)

const objectCols = "bucket, key, version_id, is_latest, delete_marker, size, etag, last_modified, headers, metadata, tags, checksums, checksum_type, acl, storage_class, segments, sse"

// objectRow is an object version with its position in the version order.
type objectRow struct {
	seq int64
	o   meta.Object
}

// scanObject reads objectCols, then seq and inline_data.
func scanObject(sc interface{ Scan(...any) error }) (objectRow, error) {
	var r objectRow
	var latest, marker int
	var lm int64
	var headers, md, tags, cks, segs, sse string
	if err := sc.Scan(&r.o.Bucket, &r.o.Key, &r.o.VersionID, &latest, &marker, &r.o.Size, &r.o.ETag, &lm,
		&headers, &md, &tags, &cks, &r.o.ChecksumType, &r.o.ACL, &r.o.StorageClass, &segs, &sse, &r.seq, &r.o.Inline); err != nil {
		return r, err
	}
	var err error
	if r.o.Encryption, err = decodeEncryption(sse); err != nil {
		return r, err
	}
	r.o.IsLatest = latest == 1
	r.o.DeleteMarker = marker == 1
	r.o.LastModified = fromNanos(lm)
	if r.o.Headers, err = decodeMap(headers); err != nil {
		return r, err
	}
	if r.o.Metadata, err = decodeMap(md); err != nil {
		return r, err
	}
	if r.o.Tags, err = decodeMap(tags); err != nil {
		return r, err
	}
	if r.o.Checksums, err = decodeMap(cks); err != nil {
		return r, err
	}
	r.o.Segments, err = decodeSegments(segs)
	return r, err
}

// lockKey serialises writers of one key on PostgreSQL, so that sequence
// numbers (assigned at insert) follow commit order per key and "last
// commit wins" holds. SQLite has one writer already.
func (c conn) lockKey(bucket, key string) error {
	if c.d.lockKey == "" {
		return nil
	}
	_, err := c.exec(c.d.lockKey, bucket+"/"+key) // bucket names hold no "/"
	return err
}

func (c conn) insertObject(o *meta.Object) error {
	var inline any // NULL unless the object is inline
	if o.Inline != nil {
		inline = o.Inline
	}
	_, err := c.exec("INSERT INTO objects ("+objectCols+", listing, inline_data) VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		o.Bucket, o.Key, o.VersionID, b2i(o.DeleteMarker), o.Size, o.ETag, o.LastModified.UnixNano(),
		encodeMap(o.Headers), encodeMap(o.Metadata), encodeMap(o.Tags), encodeMap(o.Checksums),
		o.ChecksumType, o.ACL, o.StorageClass, encodeSegments(o.Segments), encodeEncryption(o.Encryption), encodeListing(o), inline)
	return err
}

// The listing column repeats, in one string, the fields ListObjects
// returns: size, last-modified nanoseconds, ETag, storage class, checksum
// type, then the checksums as ALG:base64 pairs, separated by 0x1f. With
// the partial index objects_list (bucket, key, listing) a page of
// ListObjects is read from the index alone, two columns a row: a 1000-key
// page costs a third of reading the same fields from the table. These
// fields never change after the insert (UpdateObject edits tags and ACL).
const listingSep = "\x1f"

func encodeListing(o *meta.Object) string {
	var b strings.Builder
	b.WriteString(strconv.FormatInt(o.Size, 10))
	b.WriteString(listingSep)
	b.WriteString(strconv.FormatInt(o.LastModified.UnixNano(), 10))
	for _, f := range []string{o.ETag, o.StorageClass, o.ChecksumType} {
		b.WriteString(listingSep)
		b.WriteString(f)
	}
	algs := make([]string, 0, len(o.Checksums))
	for alg := range o.Checksums {
		algs = append(algs, alg)
	}
	sort.Strings(algs)
	for _, alg := range algs {
		b.WriteString(listingSep)
		b.WriteString(alg)
		b.WriteByte(':')
		b.WriteString(o.Checksums[alg])
	}
	return b.String()
}

// removeVersion deletes one version, dropping its blob references into
// freed; it reports whether the version existed and whether it was the
// latest.
func (c conn) removeVersion(bucket, key, versionID string, freed *[]string) (found, wasLatest, wasMarker bool, err error) {
	var seq int64
	var latest, marker int
	var segs string
	err = c.queryRow("SELECT seq, is_latest, delete_marker, segments FROM objects WHERE bucket = ? AND key = ? AND version_id = ?",
		bucket, key, versionID).Scan(&seq, &latest, &marker, &segs)
	if errors.Is(err, sql.ErrNoRows) {
		return false, false, false, nil
	}
	if err != nil {
		return false, false, false, err
	}
	if _, err := c.exec("DELETE FROM objects WHERE seq = ?", seq); err != nil {
		return false, false, false, err
	}
	sg, err := decodeSegments(segs)
	if err != nil {
		return false, false, false, err
	}
	if err := c.unref(segmentBlobs(sg), freed); err != nil {
		return false, false, false, err
	}
	return true, latest == 1, marker == 1, nil
}

// promoteLatest makes the newest remaining version of key the latest.
func (c conn) promoteLatest(bucket, key string) error {
	_, err := c.exec(`UPDATE objects SET is_latest = 1 WHERE seq = (
	SELECT MAX(seq) FROM objects WHERE bucket = ? AND key = ?)`, bucket, key)
	return err
}

// putObject is PutObject inside a transaction (also used by CompleteUpload).
// New references are taken before old ones are dropped, so a blob shared by
// the old and the new version is never reported freed.
func (c conn) putObject(o *meta.Object) ([]string, error) {
	versioning, err := c.lockBucket(o.Bucket)
	if err != nil {
		return nil, err
	}
	if err := c.lockKey(o.Bucket, o.Key); err != nil {
		return nil, err
	}
	if o.Condition != nil {
		if err := c.checkCondition(o.Bucket, o.Key, o.Condition); err != nil {
			return nil, err
		}
	}
	if o.LastModified.IsZero() {
		o.LastModified = time.Now().UTC()
	}
	if err := c.ref(segmentBlobs(o.Segments)); err != nil {
		return nil, err
	}
	var freed []string
	if versioning == "Enabled" {
		o.VersionID = meta.NewID()
	} else {
		o.VersionID = meta.NullVersion
		if _, _, _, err := c.removeVersion(o.Bucket, o.Key, meta.NullVersion, &freed); err != nil {
			return nil, err
		}
	}
	if _, err := c.exec("UPDATE objects SET is_latest = 0 WHERE bucket = ? AND key = ? AND is_latest = 1", o.Bucket, o.Key); err != nil {
		return nil, err
	}
	o.IsLatest = true
	if err := c.insertObject(o); err != nil {
		return nil, err
	}
	return freed, nil
}

// checkCondition tests a conditional write against the key's current
// version; the caller holds the key's lock, so no writer can slip between
// the check and the commit.
func (c conn) checkCondition(bucket, key string, cond *meta.WriteCondition) error {
	var etag string
	var marker int
	err := c.queryRow("SELECT etag, delete_marker FROM objects WHERE bucket = ? AND key = ? AND is_latest = 1", bucket, key).Scan(&etag, &marker)
	exists := err == nil && marker == 0
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	switch {
	case cond.IfNoneMatch && exists:
		return meta.ErrPreconditionFailed
	case cond.IfMatch != "" && !exists:
		return meta.ErrNoSuchKey
	case cond.IfMatch != "" && cond.IfMatch != "*" && etag != cond.IfMatch:
		return meta.ErrPreconditionFailed
	}
	return nil
}

// PutObject commits a new version of o.Key (see meta.Store). It sets
// o.VersionID, o.IsLatest and, if zero, o.LastModified.
func (s *Store) PutObject(ctx context.Context, o *meta.Object) ([]string, error) {
	var freed []string
	o.DeleteMarker = false
	fn := func(c conn) error {
		var err error
		freed, err = c.putObject(o)
		return err
	}
	var err error
	if s.group != nil {
		// Concurrent PUTs share one durable commit (groupcommit.go).
		err = s.group.write(ctx, "put object "+o.Key, fn)
	} else {
		err = s.writeObjects(ctx, "put object "+o.Key, fn)
	}
	return freed, err
}

// getObject implements GetObject's rules on any conn.
func (c conn) getObject(bucket, key, versionID string) (objectRow, error) {
	var row *sql.Row
	if versionID == "" {
		row = c.queryRow("SELECT "+objectCols+", seq, inline_data FROM objects WHERE bucket = ? AND key = ? AND is_latest = 1", bucket, key)
	} else {
		row = c.queryRow("SELECT "+objectCols+", seq, inline_data FROM objects WHERE bucket = ? AND key = ? AND version_id = ?", bucket, key, versionID)
	}
	r, err := scanObject(row)
	if errors.Is(err, sql.ErrNoRows) {
		var n int
		if err := c.queryRow("SELECT COUNT(*) FROM buckets WHERE name = ?", bucket).Scan(&n); err != nil {
			return r, err
		}
		switch {
		case n == 0:
			return r, meta.ErrNoSuchBucket
		case versionID == "":
			return r, meta.ErrNoSuchKey
		default:
			return r, meta.ErrNoSuchVersion
		}
	}
	if err != nil {
		return r, err
	}
	if r.o.DeleteMarker {
		if versionID == "" {
			return r, meta.ErrNoSuchKey
		}
		return r, meta.ErrMethodNotAllowed
	}
	return r, nil
}

// GetObject returns a version; see meta.Store for the delete-marker rules.
func (s *Store) GetObject(ctx context.Context, bucket, key, versionID string) (meta.Object, error) {
	return cached(s.cache, cacheKey{kind: cacheObject, a: bucket, b: key, c: versionID}, true, func() (meta.Object, error) {
		r, err := s.pool(ctx).getObject(bucket, key, versionID)
		return r.o, s.fail("get object "+key, err)
	})
}

// DeleteObject deletes a key or one version (see meta.Store). On a bucket
// that was never versioned the result's VersionID is "" (S3 sends no
// x-amz-version-id there); with versioning Suspended, deleting the key
// replaces the null version with a null delete marker.
func (s *Store) DeleteObject(ctx context.Context, bucket, key, versionID string) (meta.DeleteResult, []string, error) {
	return s.deleteObject(ctx, bucket, key, versionID, nil)
}

// DeleteObjectIf deletes the key as DeleteObject does when cond holds for
// its current version, checked under the key's lock (see meta.Store).
func (s *Store) DeleteObjectIf(ctx context.Context, bucket, key string, cond meta.WriteCondition) (meta.DeleteResult, []string, error) {
	return s.deleteObject(ctx, bucket, key, "", &cond)
}

func (s *Store) deleteObject(ctx context.Context, bucket, key, versionID string, cond *meta.WriteCondition) (meta.DeleteResult, []string, error) {
	var res meta.DeleteResult
	var freed []string
	err := s.writeObjects(ctx, "delete object "+key, func(c conn) error {
		res, freed = meta.DeleteResult{}, nil
		versioning, err := c.lockBucket(bucket)
		if err != nil {
			return err
		}
		if err := c.lockKey(bucket, key); err != nil {
			return err
		}
		if cond != nil {
			if err := c.checkCondition(bucket, key, cond); err != nil {
				return err
			}
		}
		if versionID != "" {
			found, wasLatest, wasMarker, err := c.removeVersion(bucket, key, versionID, &freed)
			if err != nil {
				return err
			}
			res = meta.DeleteResult{VersionID: versionID, DeleteMarker: wasMarker}
			if found && wasLatest {
				return c.promoteLatest(bucket, key)
			}
			return nil
		}
		switch versioning {
		case "Enabled", "Suspended":
			m := &meta.Object{Bucket: bucket, Key: key, DeleteMarker: true, LastModified: time.Now().UTC(), VersionID: meta.NewID()}
			if versioning == "Suspended" {
				m.VersionID = meta.NullVersion
				if _, _, _, err := c.removeVersion(bucket, key, meta.NullVersion, &freed); err != nil {
					return err
				}
			}
			if _, err := c.exec("UPDATE objects SET is_latest = 0 WHERE bucket = ? AND key = ? AND is_latest = 1", bucket, key); err != nil {
				return err
			}
			res = meta.DeleteResult{VersionID: m.VersionID, DeleteMarker: true}
			return c.insertObject(m)
		default:
			found, wasLatest, _, err := c.removeVersion(bucket, key, meta.NullVersion, &freed)
			if err != nil {
				return err
			}
			if found && wasLatest {
				return c.promoteLatest(bucket, key)
			}
			return nil
		}
	})
	return res, freed, err
}

// UpdateObject lets fn edit a version's tags and ACL; other changes fn
// makes are ignored. Errors are GetObject's.
func (s *Store) UpdateObject(ctx context.Context, bucket, key, versionID string, fn func(o *meta.Object) error) error {
	return s.writeObjects(ctx, "update object "+key, func(c conn) error {
		r, err := c.getObject(bucket, key, versionID)
		if err != nil {
			return err
		}
		if err := fn(&r.o); err != nil {
			return err
		}
		_, err = c.exec("UPDATE objects SET tags = ?, acl = ? WHERE seq = ?", encodeMap(r.o.Tags), r.o.ACL, r.seq)
		return err
	})
}

// listCols are the columns ListObjectVersions returns: it fills Bucket,
// Key, VersionID, IsLatest, DeleteMarker, Size, ETag, LastModified,
// Checksums, ChecksumType and StorageClass, not Headers, Metadata, Tags,
// ACL or Segments (GetObject has those), which keeps a 1000-key page cheap.
// ListObjects fills the same fields but VersionID (from the listing column).
const listCols = "key, version_id, is_latest, delete_marker, size, etag, last_modified, checksums, checksum_type, storage_class, seq"

func scanListRow(rows *sql.Rows, bucket string) (objectRow, error) {
	var r objectRow
	var latest, marker int
	var lm int64
	var cks string
	if err := rows.Scan(&r.o.Key, &r.o.VersionID, &latest, &marker, &r.o.Size, &r.o.ETag, &lm, &cks, &r.o.ChecksumType, &r.o.StorageClass, &r.seq); err != nil {
		return r, err
	}
	r.o.Bucket = bucket
	r.o.IsLatest = latest == 1
	r.o.DeleteMarker = marker == 1
	r.o.LastModified = fromNanos(lm)
	var err error
	r.o.Checksums, err = decodeMap(cks)
	return r, err
}

func collectListRows(c conn, bucket string, out []objectRow, q string, args ...any) ([]objectRow, error) {
	rows, err := c.query(q, args...)
	if err != nil {
		return out, err
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanListRow(rows, bucket)
		if err != nil {
			return out, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// keyRange appends the lower bound of cursor c (for keys only) and the
// upper bound to a WHERE clause.
func keyRange(where string, args []any, lowerOp, lower string, upper string, hasUpper bool) (string, []any) {
	if lowerOp != "" {
		where += " AND key " + lowerOp + " ?"
		args = append(args, lower)
	}
	if hasUpper {
		where += " AND key < ?"
		args = append(args, upper)
	}
	return where, args
}

// ListObjects lists the latest versions that are not delete markers, in
// key order, rolling keys up into common prefixes. See listCols for the
// fields filled.
func (s *Store) ListObjects(ctx context.Context, bucket string, opts meta.ListOptions) (meta.ListResult, error) {
	return s.listObjects(ctx, bucket, opts)
}

func (c conn) bucketExists(bucket string) error {
	var n int
	if err := c.queryRow("SELECT COUNT(*) FROM buckets WHERE name = ?", bucket).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return meta.ErrNoSuchBucket
	}
	return nil
}

// ListObjectVersions lists versions and delete markers: key ascending, then
// newest first. See listCols for the fields filled.
func (s *Store) ListObjectVersions(ctx context.Context, bucket string, opts meta.VersionListOptions) (meta.VersionListResult, error) {
	var res meta.VersionListResult
	err := s.read(ctx, "list object versions", func(c conn) error {
		res = meta.VersionListResult{}
		if err := c.bucketExists(bucket); err != nil {
			return err
		}
		l := &lister[objectRow]{
			prefix: opts.Prefix, delim: opts.Delimiter, marker: opts.KeyMarker, max: max(opts.MaxKeys, 0),
			key: func(r *objectRow) string { return r.o.Key },
			fetch: func(cur cursor[objectRow], upper string, hasUpper bool, n int) ([]objectRow, error) {
				var out []objectRow
				op, lower := ">=", cur.from
				if cur.after != nil {
					op, lower = ">", cur.after.o.Key
					if cur.after.seq > 0 {
						// The rest of the key the page stopped in.
						var err error
						out, err = collectListRows(c, bucket, out,
							"SELECT "+listCols+" FROM objects WHERE bucket = ? AND key = ? AND seq < ? ORDER BY seq DESC LIMIT ?",
							bucket, lower, cur.after.seq, n)
						if err != nil || len(out) == n {
							return out, err
						}
					}
				} else if lower == "" {
					op = ""
				}
				where, args := keyRange("bucket = ?", []any{bucket}, op, lower, upper, hasUpper)
				q := "SELECT " + listCols + " FROM objects WHERE " + where + " ORDER BY key, seq DESC LIMIT ?"
				return collectListRows(c, bucket, out, q, append(args, n-len(out))...)
			},
			emit: func(r *objectRow) {
				res.Versions = append(res.Versions, r.o)
				res.NextKeyMarker, res.NextVersionIDMarker = r.o.Key, r.o.VersionID
			},
			emitPrefix: func(p string) {
				res.CommonPrefixes = append(res.CommonPrefixes, p)
				res.NextKeyMarker, res.NextVersionIDMarker = p, ""
			},
		}
		start := cursor[objectRow]{}
		if opts.KeyMarker != "" {
			start.after = &objectRow{o: meta.Object{Key: opts.KeyMarker}}
			if opts.VersionIDMarker != "" {
				err := c.queryRow("SELECT seq FROM objects WHERE bucket = ? AND key = ? AND version_id = ?",
					bucket, opts.KeyMarker, opts.VersionIDMarker).Scan(&start.after.seq)
				if err != nil && !errors.Is(err, sql.ErrNoRows) {
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

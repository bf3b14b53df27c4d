package sqlmeta

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/outpost-s3/outpost/internal/meta"
)

// listObjects is ListObjects: the latest versions that are not delete
// markers, in key order, rolled up into common prefixes, with the fields
// the listing column holds (see encodeListing) plus Bucket, Key and
// IsLatest.
//
// A first page of 1000 keys used to cost more in the driver than in
// SQLite: modernc's rows.Next and Scan per row, a strings.Split and a
// meta.Object copy per key. Here a batch is fetched as (key, listing)
// string pairs — on SQLite in a single aggregated value (fetchPacked) —
// and a listing is decoded only when its key is listed, straight into the
// result, not when the key is rolled up into a common prefix.
func (s *Store) listObjects(ctx context.Context, bucket string, opts meta.ListOptions) (meta.ListResult, error) {
	var res meta.ListResult
	err := s.read(ctx, "list objects", func(c conn) error {
		res = meta.ListResult{}
		if err := c.bucketExists(bucket); err != nil {
			return err
		}
		var decodeErr error
		l := &lister[listRow]{
			prefix: opts.Prefix, delim: opts.Delimiter, marker: opts.StartAfter, max: max(opts.MaxKeys, 0),
			key: func(r *listRow) string { return r.key },
			emitPrefix: func(p string) {
				res.CommonPrefixes = append(res.CommonPrefixes, p)
				res.NextMarker = p
			},
		}
		l.fetch = func(cur cursor[listRow], upper string, hasUpper bool, n int) ([]listRow, error) {
			op, lower := ">=", cur.from
			if cur.after != nil {
				op, lower = ">", cur.after.key
			} else if lower == "" {
				op = ""
			}
			// A latest delete marker hides its key: it is neither
			// listed nor rolled up into a common prefix.
			where, args := keyRange("bucket = ? AND is_latest = 1 AND delete_marker = 0", []any{bucket}, op, lower, upper, hasUpper)
			rows, err := c.fetchListRows(where, append(args, n))
			if res.Objects == nil && opts.Delimiter == "" && min(len(rows), l.max) > 0 {
				// Without a delimiter every row up to max is listed.
				res.Objects = make([]meta.Object, 0, min(len(rows), l.max))
			}
			return rows, err
		}
		l.emit = func(r *listRow) {
			res.Objects = append(res.Objects, meta.Object{})
			o := &res.Objects[len(res.Objects)-1]
			o.Bucket, o.Key, o.IsLatest = bucket, r.key, true
			if err := decodeListingInto(r.listing, o); err != nil && decodeErr == nil {
				decodeErr = err
			}
			res.NextMarker = r.key
		}
		start := cursor[listRow]{}
		if opts.StartAfter != "" {
			start.after = &listRow{key: opts.StartAfter}
		}
		var err error
		res.IsTruncated, err = l.run(start)
		if err == nil {
			err = decodeErr
		}
		return err
	})
	return res, err
}

// listRow is a key and its listing column.
type listRow struct{ key, listing string }

// fetchListRows returns key and listing of the objects rows matching
// where (args end with the LIMIT), ordered by key.
func (c conn) fetchListRows(where string, args []any) ([]listRow, error) {
	if c.d.name == "sqlite" {
		if rows, ok, err := c.fetchPacked(where, args); err != nil || ok {
			return rows, err
		}
	}
	return c.fetchRowByRow(where, args)
}

func (c conn) fetchRowByRow(where string, args []any) ([]listRow, error) {
	rows, err := c.query("SELECT key, listing FROM objects WHERE "+where+" ORDER BY key LIMIT ?", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []listRow
	for rows.Next() {
		var r listRow
		if err := rows.Scan(&r.key, &r.listing); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// fetchPacked is fetchRowByRow in one driver row: SQLite concatenates the
// batch into key NUL listing NUL key NUL listing …, and the pairs are
// sliced out of that one string without copying. For 1000 rows that is
// about half the CPU of stepping them through modernc's driver (≈ 260 vs
// 550 µs), and 35 allocations instead of 6 000; for a handful of rows the
// two cost the same.
//
// NUL is a legal byte in a key, so the split is checked: the batch must
// hold exactly 2×count−1 NULs, one per separator. A key (or listing)
// holding a NUL adds one, and then ok is false and the caller reads the
// batch row by row. Rows are re-sorted if the aggregate did not keep the
// subquery's order (SQLite does not promise it does).
func (c conn) fetchPacked(where string, args []any) (rows []listRow, ok bool, err error) {
	var count int
	var packed sql.NullString
	err = c.queryRow("SELECT count(*), group_concat(key || x'00' || listing, x'00') FROM (SELECT key, listing FROM objects WHERE "+
		where+" ORDER BY key LIMIT ?)", args...).Scan(&count, &packed)
	if err != nil || count == 0 {
		return nil, err == nil, err
	}
	if !packed.Valid {
		return nil, false, nil
	}
	rows, ok = splitPacked(packed.String, count)
	return rows, ok, nil
}

// splitPacked splits count pairs out of s (see fetchPacked), sorted by
// key; ok is false unless s holds exactly 2×count−1 NULs.
func splitPacked(s string, count int) (rows []listRow, ok bool) {
	if count <= 0 || strings.Count(s, "\x00") != 2*count-1 {
		return nil, false
	}
	rows = make([]listRow, count)
	for i := range rows {
		r := &rows[i]
		j := strings.IndexByte(s, 0)
		r.key, s = s[:j], s[j+1:]
		if j = strings.IndexByte(s, 0); j < 0 {
			j = len(s) // the last listing
		}
		r.listing = s[:j]
		s = s[min(j+1, len(s)):]
	}
	sorted := true
	for i := 1; i < len(rows) && sorted; i++ {
		sorted = rows[i-1].key < rows[i].key
	}
	if !sorted {
		slices.SortFunc(rows, func(a, b listRow) int { return strings.Compare(a.key, b.key) })
	}
	return rows, true
}

// decodeListingInto is decodeListing without allocating a slice of
// fields: it fills Size, LastModified, ETag, StorageClass, ChecksumType
// and Checksums of o from a listing column.
func decodeListingInto(s string, o *meta.Object) error {
	bad := func() error { return fmt.Errorf("bad listing column %q", s) }
	var f [5]string
	rest, more := s, true
	for i := range f {
		if !more {
			return bad()
		}
		f[i], rest, more = strings.Cut(rest, listingSep)
	}
	size, err := parseDecimal(f[0])
	if err != nil {
		return bad()
	}
	lm, err := parseDecimal(f[1])
	if err != nil {
		return bad()
	}
	o.Size, o.LastModified = size, fromNanos(lm)
	o.ETag, o.StorageClass, o.ChecksumType = f[2], f[3], f[4]
	if more {
		o.Checksums = make(map[string]string, strings.Count(rest, listingSep)+1)
		for more {
			var kv string
			kv, rest, more = strings.Cut(rest, listingSep)
			alg, v, _ := strings.Cut(kv, ":")
			o.Checksums[alg] = v
		}
	}
	return nil
}

// parseDecimal is strconv.ParseInt(s, 10, 64), faster for the common case
// of at most 19 digits and nothing else.
func parseDecimal(s string) (int64, error) {
	if len(s) == 0 || len(s) > 19 {
		return strconv.ParseInt(s, 10, 64)
	}
	var n uint64 // 19 digits do not overflow it
	for i := 0; i < len(s); i++ {
		d := s[i] - '0'
		if d > 9 {
			return strconv.ParseInt(s, 10, 64)
		}
		n = n*10 + uint64(d)
	}
	if n > math.MaxInt64 {
		return strconv.ParseInt(s, 10, 64)
	}
	return int64(n), nil
}

package sqlmeta

import (
	"context"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/outpost-s3/outpost/internal/meta"
	"github.com/outpost-s3/outpost/internal/meta/metatest"
)

// packedLister is a Store whose ListObjects is listObjects, so that the
// conformance suite covers it.
type packedLister struct{ *Store }

func (p packedLister) ListObjects(ctx context.Context, bucket string, opts meta.ListOptions) (meta.ListResult, error) {
	return p.listObjects(ctx, bucket, opts)
}

func TestSQLiteListObjectsConformance(t *testing.T) {
	metatest.Run(t, func(t *testing.T) meta.Store { return packedLister{openSQLite(t)} })
}

func TestPostgresListObjectsConformance(t *testing.T) {
	if os.Getenv(postgresEnv) == "" {
		t.Skip(postgresEnv + " not set")
	}
	metatest.Run(t, func(t *testing.T) meta.Store { return packedLister{openPostgres(t)} })
}

// awkwardKeys are keys an encoding of a page into one value could get
// wrong: NULs (the packed separator), the listing separator, digits and
// colons, separators, every width of UTF-8, bytes that are not UTF-8,
// the longest key, keys that are prefixes of each other.
var awkwardKeys = []string{
	" ", "\x01", "\x1f", "\x1e", "\x7f", "a", "a\x01", "a/", "a/b", "a//b", "a/b/c", "/", "//", "/x",
	"12:34", "3:abc", "0:", ":", "x\x1fy", "é", "é/è", "日本/語", "日本語", "🙂", "🙂/🙃", "\uFFFD", "\uFFFF", "\U0010FFFF",
	"\xff", "a\xfe/b", "\xc3", "a\xc3/", strings.Repeat("k", 1024), strings.Repeat("é", 512), strings.Repeat("/", 1024),
	"z&<>\"'", "tab\tnl\ncr\r", "%2F", "+ +",
}

// nulKeys hold NUL bytes: a page holding one is read row by row.
var nulKeys = []string{"\x00", "a\x00", "a\x00b", "a\x00/", "z\x00\x00"}

func putKeys(t testing.TB, s *Store, bucket string, keys []string) {
	t.Helper()
	ctx := context.Background()
	for i, k := range keys {
		o := &meta.Object{Bucket: bucket, Key: k, Size: int64(i), ETag: fmt.Sprintf("%032x", i),
			LastModified: time.Unix(1700000000, int64(i)*1234567), StorageClass: []string{"", "STANDARD", "OUTPOSTS"}[i%3],
			Segments: []meta.Segment{{BlobID: fmt.Sprintf("b%031x", i), Size: int64(i)}}}
		switch i % 4 {
		case 1:
			o.Checksums, o.ChecksumType = map[string]string{"CRC32": "AAAAAA=="}, "FULL_OBJECT"
		case 2:
			o.Checksums, o.ChecksumType = map[string]string{"CRC32C": "abc=", "SHA256": "x:y"}, "COMPOSITE"
		}
		if _, err := s.PutObject(ctx, o); err != nil {
			t.Fatalf("put %q: %v", k, err)
		}
	}
}

func listOptionsToTry(keys []string) []meta.ListOptions {
	var out []meta.ListOptions
	for _, prefix := range []string{"", "a", "a/", "é", "日本", "\xff", "🙂", "z\x00", "k"} {
		for _, delim := range []string{"", "/", "\x00", "é", "a", "//"} {
			for _, max := range []int{0, 1, 2, 3, 1000} {
				out = append(out, meta.ListOptions{Prefix: prefix, Delimiter: delim, MaxKeys: max})
			}
		}
	}
	for _, k := range keys {
		out = append(out, meta.ListOptions{StartAfter: k, MaxKeys: 1000}, meta.ListOptions{StartAfter: k, Delimiter: "/", MaxKeys: 4})
	}
	return out
}

// listObjectsRowByRow is ListObjects as it was before listObjects: one
// driver row and one decodeListing per key. It is the reference the
// tests below hold listObjects to, field by field.
func (s *Store) listObjectsRowByRow(ctx context.Context, bucket string, opts meta.ListOptions) (meta.ListResult, error) {
	var res meta.ListResult
	err := s.read(ctx, "list objects", func(c conn) error {
		res = meta.ListResult{}
		if err := c.bucketExists(bucket); err != nil {
			return err
		}
		l := &lister[objectRow]{
			prefix: opts.Prefix, delim: opts.Delimiter, marker: opts.StartAfter, max: max(opts.MaxKeys, 0),
			key: func(r *objectRow) string { return r.o.Key },
			fetch: func(cur cursor[objectRow], upper string, hasUpper bool, n int) ([]objectRow, error) {
				op, lower := ">=", cur.from
				if cur.after != nil {
					op, lower = ">", cur.after.o.Key
				} else if lower == "" {
					op = ""
				}
				where, args := keyRange("bucket = ? AND is_latest = 1 AND delete_marker = 0", []any{bucket}, op, lower, upper, hasUpper)
				rows, err := c.query("SELECT key, listing FROM objects WHERE "+where+" ORDER BY key LIMIT ?", append(args, n)...)
				if err != nil {
					return nil, err
				}
				defer rows.Close()
				var out []objectRow
				for rows.Next() {
					var r objectRow
					var listing string
					if err := rows.Scan(&r.o.Key, &listing); err != nil {
						return nil, err
					}
					if err := decodeListing(listing, &r.o); err != nil {
						return nil, err
					}
					r.o.Bucket, r.o.IsLatest = bucket, true
					out = append(out, r)
				}
				return out, rows.Err()
			},
			emit: func(r *objectRow) {
				res.Objects = append(res.Objects, r.o)
				res.NextMarker = r.o.Key
			},
			emitPrefix: func(p string) {
				res.CommonPrefixes = append(res.CommonPrefixes, p)
				res.NextMarker = p
			},
		}
		start := cursor[objectRow]{}
		if opts.StartAfter != "" {
			start.after = &objectRow{o: meta.Object{Key: opts.StartAfter}}
		}
		var err error
		res.IsTruncated, err = l.run(start)
		return err
	})
	return res, err
}

// TestListObjectsMatchesRowByRow compares listObjects (packed pages) with
// listObjectsRowByRow field by field over awkward keys.
func TestListObjectsMatchesRowByRow(t *testing.T) {
	for _, tc := range []struct {
		name string
		keys []string
	}{
		{"awkward", awkwardKeys},
		{"awkward and NUL", append(slices.Clone(awkwardKeys), nulKeys...)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := openSQLite(t)
			ctx := context.Background()
			if err := s.CreateBucket(ctx, meta.Bucket{Name: "b", Account: "111122223333"}); err != nil {
				t.Fatal(err)
			}
			putKeys(t, s, "b", tc.keys)
			// A delete marker hides its key.
			if _, _, err := s.DeleteObject(ctx, "b", "a/b", ""); err != nil {
				t.Fatal(err)
			}
			for _, o := range listOptionsToTry(tc.keys) {
				want, err := s.listObjectsRowByRow(ctx, "b", o)
				if err != nil {
					t.Fatal(err)
				}
				got, err := s.listObjects(ctx, "b", o)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("prefix=%q delim=%q after=%q max=%d:\n got %+v\nwant %+v", o.Prefix, o.Delimiter, o.StartAfter, o.MaxKeys, got, want)
				}
			}
		})
	}
}

// TestFetchPacked checks that a page is split exactly, that a NUL in a
// key sends the page row by row, and that unordered aggregates are sorted.
func TestFetchPacked(t *testing.T) {
	s := openSQLite(t)
	ctx := context.Background()
	for _, b := range []string{"plain", "nul"} {
		if err := s.CreateBucket(ctx, meta.Bucket{Name: b, Account: "111122223333"}); err != nil {
			t.Fatal(err)
		}
	}
	putKeys(t, s, "plain", awkwardKeys)
	putKeys(t, s, "nul", append(slices.Clone(awkwardKeys), nulKeys...))
	const where = "bucket = ? AND is_latest = 1 AND delete_marker = 0"
	err := s.read(ctx, "test", func(c conn) error {
		for _, tc := range []struct {
			bucket   string
			n        int
			packedOK bool
		}{
			{"plain", 1000, true}, {"plain", 1, true}, {"plain", 7, true}, {"nul", 1000, false}, {"nul", 1, false}, {"nobucket", 10, true},
		} {
			want, err := c.fetchRowByRow(where, []any{tc.bucket, tc.n})
			if err != nil {
				return err
			}
			got, ok, err := c.fetchPacked(where, []any{tc.bucket, tc.n})
			if err != nil {
				return err
			}
			if ok != tc.packedOK {
				t.Errorf("%s limit %d: packed ok = %v, want %v", tc.bucket, tc.n, ok, tc.packedOK)
			}
			if ok && !slices.Equal(got, want) {
				t.Errorf("%s limit %d: packed\n %q\nrow by row\n %q", tc.bucket, tc.n, got, want)
			}
			if got, err = c.fetchListRows(where, []any{tc.bucket, tc.n}); err != nil || !slices.Equal(got, want) {
				t.Errorf("%s limit %d: fetchListRows %q, %v; want %q", tc.bucket, tc.n, got, err, want)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestDecodeListingInto(t *testing.T) {
	inputs := []string{
		"", "1", "1\x1f2", "1\x1f2\x1fe\x1fs", "1\x1f2\x1fe\x1fs\x1f", "1\x1f2\x1fe\x1fs\x1fFULL_OBJECT",
		"10\x1f-5\x1fetag\x1fSTANDARD\x1fCOMPOSITE\x1fCRC32:AAAA\x1fSHA256:a:b\x1f", "x\x1f2\x1fe\x1fs\x1ft", "1\x1fy\x1fe\x1fs\x1ft",
		"+7\x1f1700000000123456789\x1f\x1f\x1f\x1fnocolon", "1\x1f2\x1f\x1f\x1f\x1fA:1\x1fA:2", "99999999999999999999\x1f1\x1fe\x1fs\x1ft",
	}
	for _, o := range []*meta.Object{
		{Size: 5, ETag: "e", StorageClass: "OUTPOSTS", LastModified: time.Unix(1, 2)},
		{Size: 1 << 40, ETag: "abc-3", LastModified: time.Unix(1700000000, 999999999), Checksums: map[string]string{"CRC32": "x==", "CRC64NVME": "y"}, ChecksumType: "FULL_OBJECT"},
	} {
		inputs = append(inputs, encodeListing(o))
	}
	for _, in := range inputs {
		var want, got meta.Object
		werr := decodeListing(in, &want)
		gerr := decodeListingInto(in, &got)
		if (werr == nil) != (gerr == nil) || werr == nil && !reflect.DeepEqual(got, want) {
			t.Errorf("%q: got %+v, %v; want %+v, %v", in, got, gerr, want, werr)
		}
	}
}

func TestSplitPacked(t *testing.T) {
	for _, tc := range []struct {
		s     string
		count int
		want  []listRow
		ok    bool
	}{
		{"k\x00l", 1, []listRow{{"k", "l"}}, true},
		{"\x00", 1, []listRow{{"", ""}}, true},
		{"b\x001\x00a\x002\x00c\x00", 3, []listRow{{"a", "2"}, {"b", "1"}, {"c", ""}}, true}, // re-sorted
		{"a\x001\x00b\x002", 2, []listRow{{"a", "1"}, {"b", "2"}}, true},
		{"a\x00b\x001\x00b\x002", 2, nil, false}, // a NUL in a key
		{"a\x001", 2, nil, false},
		{"", 0, nil, false},
		{"a\x001\x00b\x002", 0, nil, false},
	} {
		got, ok := splitPacked(tc.s, tc.count)
		if ok != tc.ok || !slices.Equal(got, tc.want) {
			t.Errorf("splitPacked(%q, %d) = %q, %v; want %q, %v", tc.s, tc.count, got, ok, tc.want, tc.ok)
		}
	}
}

// BenchmarkListObjectsPacked is BenchmarkListObjectsFirstPage for
// listObjects.
func BenchmarkListObjectsPacked(b *testing.B) {
	s := openSQLite(b)
	fillBucket(b, s, 100_000)
	ctx := context.Background()
	b.Run("flat", func(b *testing.B) {
		for b.Loop() {
			r, err := s.listObjects(ctx, "bench", meta.ListOptions{MaxKeys: 1000})
			if err != nil || len(r.Objects) != 1000 || !r.IsTruncated {
				b.Fatalf("%d objects, %v", len(r.Objects), err)
			}
		}
	})
	b.Run("delimiter", func(b *testing.B) {
		for b.Loop() {
			r, err := s.listObjects(ctx, "bench", meta.ListOptions{Delimiter: "/", MaxKeys: 1000})
			if err != nil || len(r.CommonPrefixes) != 1000 || r.IsTruncated {
				b.Fatalf("%d prefixes, %v", len(r.CommonPrefixes), err)
			}
		}
	})
}

func TestParseDecimal(t *testing.T) {
	for _, s := range []string{"", "0", "7", "007", "-1", "+1", "1a", "a", " 1", "1_000", "1700000000123456789", "9223372036854775807",
		"9223372036854775808", "9999999999999999999", "10000000000000000000", "00000000000000000001", "-9223372036854775808", "\xff1"} {
		got, gerr := parseDecimal(s)
		want, werr := strconv.ParseInt(s, 10, 64)
		if got != want || (gerr == nil) != (werr == nil) {
			t.Errorf("parseDecimal(%q) = %d, %v; want %d, %v", s, got, gerr, want, werr)
		}
	}
}

// TestListObjectsPagesMatchRowByRow walks a bucket of a few thousand keys
// (several batches, directories of uneven sizes, a NUL key in one batch)
// page by page with both implementations.
func TestListObjectsPagesMatchRowByRow(t *testing.T) {
	s := openSQLite(t)
	ctx := context.Background()
	if err := s.CreateBucket(ctx, meta.Bucket{Name: "b", Account: "111122223333"}); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for d := range 40 {
		for i := range d * d {
			keys = append(keys, fmt.Sprintf("dir%02d/obj%05d", d, i))
		}
		keys = append(keys, fmt.Sprintf("top%02d", d))
	}
	keys = append(keys, "dir30/obj\x00x", "dir31\x00/y")
	err := s.write(ctx, "fill", func(c conn) error {
		for i, k := range keys {
			o := &meta.Object{Bucket: "b", Key: k, VersionID: meta.NullVersion, Size: int64(i), ETag: "e", LastModified: time.Unix(0, int64(i))}
			if err := c.insertObject(o); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, base := range []meta.ListOptions{{MaxKeys: 1000}, {MaxKeys: 7}, {Delimiter: "/", MaxKeys: 1000}, {Delimiter: "/", MaxKeys: 3},
		{Prefix: "dir3", MaxKeys: 1000}, {Prefix: "dir3", Delimiter: "/", MaxKeys: 5}, {Delimiter: "0", MaxKeys: 1000}} {
		o := base
		for page := 0; ; page++ {
			want, err := s.listObjectsRowByRow(ctx, "b", o)
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.listObjects(ctx, "b", o)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%+v page %d:\n got %+v\nwant %+v", base, page, got, want)
			}
			if !want.IsTruncated {
				break
			}
			o.StartAfter = want.NextMarker
		}
	}
}

// decodeListing is the plain decoder of the listing column that
// decodeListingInto replaced; the reference of the tests above.
func decodeListing(s string, o *meta.Object) error {
	f := strings.Split(s, listingSep)
	if len(f) < 5 {
		return fmt.Errorf("bad listing column %q", s)
	}
	var err error
	if o.Size, err = strconv.ParseInt(f[0], 10, 64); err != nil {
		return fmt.Errorf("bad listing column %q", s)
	}
	lm, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return fmt.Errorf("bad listing column %q", s)
	}
	o.LastModified = fromNanos(lm)
	o.ETag, o.StorageClass, o.ChecksumType = f[2], f[3], f[4]
	for _, kv := range f[5:] {
		alg, v, _ := strings.Cut(kv, ":")
		if o.Checksums == nil {
			o.Checksums = make(map[string]string, len(f)-5)
		}
		o.Checksums[alg] = v
	}
	return nil
}

package sqlmeta

import (
	"context"
	"testing"
)

func BenchmarkExp(b *testing.B) {
	s := openSQLite(b)
	fillBucket(b, s, 100_000)
	ctx := context.Background()
	for _, q := range []string{
		"SELECT key FROM objects WHERE bucket = ? AND is_latest = 1 AND delete_marker = 0 ORDER BY key LIMIT 1001",
		"SELECT key FROM objects WHERE bucket = ? AND is_latest = 1 ORDER BY key LIMIT 1001",
		"SELECT key, size, etag, last_modified, storage_class FROM objects WHERE bucket = ? AND is_latest = 1 AND delete_marker = 0 ORDER BY key LIMIT 1001",
		"SELECT " + listCols + " FROM objects WHERE bucket = ? AND is_latest = 1 AND delete_marker = 0 ORDER BY key LIMIT 1001",
	} {
		b.Run(q[:40], func(b *testing.B) {
			for b.Loop() {
				rows, err := s.r.QueryContext(ctx, q, "bench")
				if err != nil {
					b.Fatal(err)
				}
				cols, _ := rows.Columns()
				dest := make([]any, len(cols))
				for i := range dest {
					dest[i] = new(any)
				}
				n := 0
				for rows.Next() {
					rows.Scan(dest...)
					n++
				}
				rows.Close()
				if n != 1001 {
					b.Fatal(n)
				}
			}
		})
	}
	var plan string
	rows, _ := s.r.Query("EXPLAIN QUERY PLAN SELECT " + listCols + " FROM objects WHERE bucket = 'bench' AND is_latest = 1 AND delete_marker = 0 AND key > 'a' ORDER BY key LIMIT 1001")
	for rows.Next() {
		var a, b2, c any
		rows.Scan(&a, &b2, &c, &plan)
		b.Log(plan)
	}
	rows.Close()
}

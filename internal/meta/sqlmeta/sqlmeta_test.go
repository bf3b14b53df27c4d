package sqlmeta

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/outpost-s3/outpost/internal/meta"
	"github.com/outpost-s3/outpost/internal/meta/metatest"
)

func openSQLite(t testing.TB) *Store {
	t.Helper()
	s, err := OpenSQLite(filepath.Join(t.TempDir(), "meta.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestSQLiteConformance(t *testing.T) {
	metatest.Run(t, func(t *testing.T) meta.Store { return openSQLite(t) })
}

// postgresDSN is the DSN of a database the tests may create schemas in;
// scripts/postgres-test.sh starts a throwaway one.
const postgresEnv = "OUTPOST_TEST_POSTGRES_DSN"

// openPostgres opens a Store in a fresh schema of the test database.
func openPostgres(t testing.TB) *Store {
	t.Helper()
	s, err := OpenPostgres(postgresSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// postgresSchema returns the DSN of a fresh schema of the test database,
// dropped when the test ends.
func postgresSchema(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(postgresEnv)
	if dsn == "" {
		t.Skipf("PostgreSQL tests skipped: set %s (eval \"$(scripts/postgres-test.sh start /tmp/outpost-pg)\" starts a throwaway server)", postgresEnv)
	}
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	var b [6]byte
	rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", dsn)
		if err == nil {
			db.Exec("DROP SCHEMA " + schema + " CASCADE")
			db.Close()
		}
	})
	return withSearchPath(dsn, schema)
}

func withSearchPath(dsn, schema string) string {
	if strings.Contains(dsn, "://") {
		u, err := url.Parse(dsn)
		if err == nil {
			q := u.Query()
			q.Set("search_path", schema)
			u.RawQuery = q.Encode()
			return u.String()
		}
	}
	return dsn + " search_path=" + schema
}

func TestPostgresConformance(t *testing.T) {
	openPostgres(t) // skips without a server
	metatest.Run(t, func(t *testing.T) meta.Store { return openPostgres(t) })
}

func TestMigrationsAreIdempotent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "meta.db")
	for range 2 {
		s, err := OpenSQLite(path)
		if err != nil {
			t.Fatal(err)
		}
		v, err := s.SchemaVersion(context.Background())
		if err != nil || v != len(migrations) {
			t.Fatalf("SchemaVersion = %d, %v; want %d", v, err, len(migrations))
		}
		s.Close()
	}
}

func TestBusyMapsToUnavailable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "meta.db")
	s, err := OpenSQLite(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// Another process holds the write lock past our busy timeout.
	other, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(0)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	other.SetMaxOpenConns(1)
	ctx := context.Background()
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN EXCLUSIVE"); err != nil {
		t.Fatal(err)
	}
	defer conn.ExecContext(ctx, "ROLLBACK")
	if _, err := s.w.Exec("PRAGMA busy_timeout = 50"); err != nil {
		t.Fatal(err)
	}
	err = s.PutSetting(ctx, "x", "y")
	if !errors.Is(err, meta.ErrUnavailable) {
		t.Fatalf("PutSetting under a foreign lock: %v, want ErrUnavailable", err)
	}
}

func TestSuccessor(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"a/", "a0", true},
		{"abc", "abd", true},
		{"é", "ê", true},
		{"a\U0010FFFF", "b", true},
		{"\U0010FFFF", "", false},
		{"\ud7ff", "\ue000", true},
		{"a\xff", "b", true},
		{"a\xfe", "a\xff", true},
		{"", "", false},
	} {
		got, ok := successor(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("successor(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestRebind(t *testing.T) {
	d := newPostgresDialect()
	if got := d.rebind("SELECT a FROM t WHERE b = ? AND c IN (?, ?)"); got != "SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)" {
		t.Fatal(got)
	}
}

// fillBucket puts n keys "dir%03d/obj%06d" (100 per directory) directly in
// one transaction, for the benchmarks.
func fillBucket(b testing.TB, s *Store, n int) {
	ctx := context.Background()
	if err := s.CreateBucket(ctx, meta.Bucket{Name: "bench", Account: "111122223333"}); err != nil {
		b.Fatal(err)
	}
	err := s.write(ctx, "fill", func(c conn) error {
		for i := range n {
			o := &meta.Object{Bucket: "bench", Key: fmt.Sprintf("dir%03d/obj%06d", i/100, i), VersionID: meta.NullVersion,
				Size: 1024, ETag: "d41d8cd98f00b204e9800998ecf8427e", StorageClass: "OUTPOSTS",
				Segments: []meta.Segment{{BlobID: fmt.Sprintf("%032x", i), Size: 1024}}}
			o.LastModified = o.LastModified.Add(1)
			if err := c.insertObject(o); err != nil {
				return err
			}
			if err := c.ref(segmentBlobs(o.Segments)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

func BenchmarkListObjectsFirstPage(b *testing.B) {
	s := openSQLite(b)
	fillBucket(b, s, 100_000)
	ctx := context.Background()
	b.Run("flat", func(b *testing.B) {
		for b.Loop() {
			r, err := s.ListObjects(ctx, "bench", meta.ListOptions{MaxKeys: 1000})
			if err != nil || len(r.Objects) != 1000 || !r.IsTruncated {
				b.Fatalf("%d objects, %v", len(r.Objects), err)
			}
		}
	})
	b.Run("delimiter", func(b *testing.B) {
		for b.Loop() {
			r, err := s.ListObjects(ctx, "bench", meta.ListOptions{Delimiter: "/", MaxKeys: 1000})
			if err != nil || len(r.CommonPrefixes) != 1000 || r.IsTruncated {
				b.Fatalf("%d prefixes, %v", len(r.CommonPrefixes), err)
			}
		}
	})
}

func BenchmarkPutObject(b *testing.B) {
	s := openSQLite(b)
	ctx := context.Background()
	if err := s.CreateBucket(ctx, meta.Bucket{Name: "bench", Account: "111122223333"}); err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		i++
		o := &meta.Object{Bucket: "bench", Key: fmt.Sprintf("obj%08d", i), Size: 1024, ETag: "d41d8cd98f00b204e9800998ecf8427e",
			Headers:  map[string]string{"Content-Type": "application/octet-stream"},
			Segments: []meta.Segment{{BlobID: fmt.Sprintf("%032x", i), Size: 1024}}}
		if _, err := s.PutObject(ctx, o); err != nil {
			b.Fatal(err)
		}
	}
}

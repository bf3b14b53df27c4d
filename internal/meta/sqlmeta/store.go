// Package sqlmeta implements meta.Store over database/sql for SQLite
// (modernc.org/sqlite, the embedded default) and PostgreSQL (pgx).
//
// One schema (schema.go) and one set of queries serve both engines; the
// differences live in dialect.go. Every Store method is one transaction.
// Errors are meta's sentinels wrapped with context; failures of the engine
// itself (locked, down, unreachable, disk full) wrap meta.ErrUnavailable.
package sqlmeta

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/outpost-s3/outpost/internal/meta"
)

var metaErrUnavailable = meta.ErrUnavailable

// Store is a meta.Store on a SQL database. It is safe for concurrent use.
type Store struct {
	d *dialect
	w *sql.DB // transactions that write
	r *sql.DB // reads; the same pool as w on PostgreSQL

	lock  *os.File   // SQLite: the exclusive lock on the file (nil read-only)
	cache *readCache // SQLite: point-read answers (nil on PostgreSQL)

	// Prepared statements of w and r (SQLite only).
	wStmts, rStmts *stmtCache
	// group batches concurrent PutObject commits (SQLite only).
	group *groupCommitter
}

// Both engines (OpenSQLite, OpenPostgres) return a *Store: the whole
// contract, objects, IAM and S3 on Outposts.
var _ meta.Store = (*Store)(nil)

// conn runs rebound queries on a transaction or pool.
type conn struct {
	ctx   context.Context
	d     *dialect
	stmts *stmtCache // nil: no caching
	q     interface {
		ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
		QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
		QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	}
}

func (c conn) exec(q string, args ...any) (sql.Result, error) {
	if st := c.stmt(q); st != nil {
		return st.ExecContext(c.ctx, args...)
	}
	return c.q.ExecContext(c.ctx, c.d.rebind(q), args...)
}

func (c conn) query(q string, args ...any) (*sql.Rows, error) {
	if st := c.stmt(q); st != nil {
		return st.QueryContext(c.ctx, args...)
	}
	return c.q.QueryContext(c.ctx, c.d.rebind(q), args...)
}

func (c conn) queryRow(q string, args ...any) *sql.Row {
	if st := c.stmt(q); st != nil {
		return st.QueryRowContext(c.ctx, args...)
	}
	return c.q.QueryRowContext(c.ctx, c.d.rebind(q), args...)
}

// stmt returns q prepared for this conn's transaction when the conn has a
// statement cache (SQLite, where compiling a statement costs more than
// running most of ours; pgx caches prepared statements itself), else nil.
//
// On the read pool (pool()), the cached statement is used directly: each
// GetObject, GetBucket and access-key lookup used to be compiled anew by
// SQLite, a sixth of the server's CPU on a 4 KiB GET. A miss there is
// prepared in the background, since preparing needs a connection and the
// caller may be holding one.
func (c conn) stmt(q string) *sql.Stmt {
	if c.stmts == nil {
		return nil
	}
	tx, ok := c.q.(*sql.Tx)
	st := c.stmts.get(c.ctx, q)
	if st == nil {
		if !ok {
			go c.stmts.prepare(context.Background())
		}
		return nil
	}
	if !ok {
		return st
	}
	return tx.StmtContext(c.ctx, st)
}

// stmtCache holds prepared statements of one pool by query text. Query
// texts come from a bounded set of templates in this package.
//
// A statement is never prepared inside a transaction: with the one-
// connection write pool, db.Prepare would wait forever for a connection
// the transaction holds. A miss runs unprepared and is queued; runTx
// prepares the queue once the transaction has released its connection.
// Tx.Stmt then re-prepares a cached statement on each pool connection once.
type stmtCache struct {
	db      *sql.DB
	mu      sync.Mutex
	m       map[string]*sql.Stmt
	pending map[string]bool
}

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, m: make(map[string]*sql.Stmt), pending: make(map[string]bool)}
}

// get returns the prepared statement, or nil on a miss.
func (sc *stmtCache) get(ctx context.Context, q string) *sql.Stmt {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if st, ok := sc.m[q]; ok {
		return st
	}
	if sc.m != nil && len(sc.m)+len(sc.pending) < 1000 {
		sc.pending[q] = true
	}
	return nil
}

// prepare prepares the queued misses. Call it holding no connection.
func (sc *stmtCache) prepare(ctx context.Context) {
	if sc == nil {
		return
	}
	sc.mu.Lock()
	var qs []string
	for q := range sc.pending {
		qs = append(qs, q)
	}
	clear(sc.pending)
	sc.mu.Unlock()
	for _, q := range qs {
		st, err := sc.db.PrepareContext(ctx, q)
		if err != nil {
			continue // runs unprepared; the error shows when it runs
		}
		sc.mu.Lock()
		if _, dup := sc.m[q]; dup || sc.m == nil {
			st.Close()
		} else {
			sc.m[q] = st
		}
		sc.mu.Unlock()
	}
}

func (sc *stmtCache) close() {
	if sc == nil {
		return
	}
	sc.mu.Lock()
	defer sc.mu.Unlock()
	for _, st := range sc.m {
		st.Close()
	}
	sc.m = nil
}

// write runs fn in a read-write transaction, retrying serialization
// failures, and wraps any error with op.
func (s *Store) write(ctx context.Context, op string, fn func(c conn) error) error {
	return s.writeTx(ctx, op, false, fn)
}

// writeObjects is write for transactions that change only objects and
// multipart uploads (not buckets, keys, policies or configuration), so that
// cached configuration answers stay valid across them.
func (s *Store) writeObjects(ctx context.Context, op string, fn func(c conn) error) error {
	return s.writeTx(ctx, op, true, fn)
}

func (s *Store) writeTx(ctx context.Context, op string, objectsOnly bool, fn func(c conn) error) error {
	for attempt := 0; ; attempt++ {
		err := s.runTx(ctx, s.w, s.wStmts, nil, fn)
		s.cache.bump(objectsOnly)
		if err != nil && s.d.retryable(err) && attempt < 8 && ctx.Err() == nil {
			time.Sleep(time.Duration(attempt+1) * 5 * time.Millisecond)
			continue
		}
		return s.fail(op, err)
	}
}

// read runs fn in a read-only transaction (a consistent snapshot).
func (s *Store) read(ctx context.Context, op string, fn func(c conn) error) error {
	return s.fail(op, s.runTx(ctx, s.r, s.rStmts, s.d.readTx, fn))
}

func (s *Store) runTx(ctx context.Context, db *sql.DB, stmts *stmtCache, opts *sql.TxOptions, fn func(c conn) error) error {
	tx, err := db.BeginTx(ctx, opts)
	if err != nil {
		return err
	}
	defer stmts.prepare(ctx)
	if err := fn(conn{ctx: ctx, d: s.d, stmts: stmts, q: tx}); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// pool returns a conn for single statements outside a transaction.
func (s *Store) pool(ctx context.Context) conn {
	return conn{ctx: ctx, d: s.d, stmts: s.rStmts, q: s.r}
}

// fail wraps err with the operation name, marking engine failures as
// meta.ErrUnavailable.
func (s *Store) fail(op string, err error) error {
	if err == nil {
		return nil
	}
	if s.d.unavailable(err) && !errors.Is(err, meta.ErrUnavailable) {
		return fmt.Errorf("sqlmeta: %s: %w: %w", op, meta.ErrUnavailable, err)
	}
	return fmt.Errorf("sqlmeta: %s: %w", op, err)
}

// Close closes the database pools.
func (s *Store) Close() error {
	if s.group != nil {
		s.group.close()
	}
	s.wStmts.close()
	s.rStmts.close()
	err := s.w.Close()
	if s.r != s.w {
		if rerr := s.r.Close(); err == nil {
			err = rerr
		}
	}
	if s.lock != nil {
		s.lock.Close() // releases the flock
	}
	return err
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	err := s.r.QueryRowContext(ctx, "SELECT 1").Scan(&one)
	return s.fail("ping", err)
}

// ---- settings ----

// GetSetting returns a setting's value, or meta.ErrNotFound.
func (s *Store) GetSetting(ctx context.Context, name string) (string, error) {
	var v string
	err := s.pool(ctx).queryRow("SELECT value FROM settings WHERE name = ?", name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		err = meta.ErrNotFound
	}
	return v, s.fail("get setting "+name, err)
}

// PutSettingIfAbsent stores value unless name is set, and returns what is stored.
func (s *Store) PutSettingIfAbsent(ctx context.Context, name, value string) (string, error) {
	var stored string
	err := s.write(ctx, "put setting "+name, func(c conn) error {
		if _, err := c.exec("INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING", name, value); err != nil {
			return err
		}
		return c.queryRow("SELECT value FROM settings WHERE name = ?", name).Scan(&stored)
	})
	return stored, err
}

// PutSetting stores value under name, replacing any previous value.
func (s *Store) PutSetting(ctx context.Context, name, value string) error {
	return s.write(ctx, "put setting "+name, func(c conn) error {
		_, err := c.exec("INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value", name, value)
		return err
	})
}

// ---- access keys ----

// PutAccessKey stores a new key; meta.ErrConflict if the ID exists.
func (s *Store) PutAccessKey(ctx context.Context, k meta.AccessKey) error {
	if k.CreatedAt.IsZero() {
		k.CreatedAt = time.Now()
	}
	if k.Status == "" {
		k.Status = "Active"
	}
	return s.write(ctx, "put access key", func(c conn) error {
		if k.UserName != "" {
			// Bind the key to the user as it is in this transaction, so a
			// user deleted and re-created meanwhile cannot inherit it.
			u, err := c.getEntity(k.Account, meta.KindUser, k.UserName)
			switch {
			case err == nil && (k.UserID == "" || k.UserID == u.ID):
				k.UserID = u.ID
			case err == nil || errors.Is(err, meta.ErrNotFound) && k.UserID != "":
				return meta.ErrNotFound
			case !errors.Is(err, meta.ErrNotFound):
				return err
			}
		}
		res, err := c.exec(`INSERT INTO access_keys (access_key_id, secret, account, user_name, user_id, status, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (access_key_id) DO NOTHING`,
			k.AccessKeyID, k.Secret, k.Account, k.UserName, k.UserID, k.Status, k.CreatedAt.UnixNano())
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return meta.ErrConflict
		}
		return nil
	})
}

const accessKeyCols = "access_key_id, secret, account, user_name, user_id, status, created_at"

func scanAccessKey(sc interface{ Scan(...any) error }) (meta.AccessKey, error) {
	var k meta.AccessKey
	var created int64
	err := sc.Scan(&k.AccessKeyID, &k.Secret, &k.Account, &k.UserName, &k.UserID, &k.Status, &created)
	k.CreatedAt = fromNanos(created)
	return k, err
}

// GetAccessKey returns a key, or meta.ErrNotFound.
func (s *Store) GetAccessKey(ctx context.Context, id string) (meta.AccessKey, error) {
	return cached(s.cache, cacheKey{kind: cacheAccessKey, a: id}, false, func() (meta.AccessKey, error) {
		k, err := scanAccessKey(s.pool(ctx).queryRow("SELECT "+accessKeyCols+" FROM access_keys WHERE access_key_id = ?", id))
		if errors.Is(err, sql.ErrNoRows) {
			err = meta.ErrNotFound
		}
		return k, s.fail("get access key", err)
	})
}

// UpdateAccessKeyStatus sets a key's status; meta.ErrNotFound if missing.
func (s *Store) UpdateAccessKeyStatus(ctx context.Context, id, status string) error {
	return s.write(ctx, "update access key", func(c conn) error {
		return mustAffect(c.exec("UPDATE access_keys SET status = ? WHERE access_key_id = ?", status, id))
	})
}

// DeleteAccessKey removes a key; meta.ErrNotFound if missing.
func (s *Store) DeleteAccessKey(ctx context.Context, id string) error {
	return s.write(ctx, "delete access key", func(c conn) error {
		return mustAffect(c.exec("DELETE FROM access_keys WHERE access_key_id = ?", id))
	})
}

// ListAccessKeys lists the keys of one user of an account ("" for the
// account root) by ID. userName "*" lists every user's keys; account ""
// lists every account's.
func (s *Store) ListAccessKeys(ctx context.Context, account, userName string) ([]meta.AccessKey, error) {
	q := "SELECT " + accessKeyCols + " FROM access_keys WHERE 1 = 1"
	var args []any
	if account != "" {
		q += " AND account = ?"
		args = append(args, account)
	}
	if userName != "*" {
		q += " AND user_name = ?"
		args = append(args, userName)
	}
	q += " ORDER BY access_key_id"
	var out []meta.AccessKey
	err := s.read(ctx, "list access keys", func(c conn) error {
		rows, err := c.query(q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			k, err := scanAccessKey(rows)
			if err != nil {
				return err
			}
			out = append(out, k)
		}
		return rows.Err()
	})
	return out, err
}

// migration007KeyLastUsed records each access key's last use (IAM's
// GetAccessKeyLastUsed): when (0: never), the signing service and region.
// The columns live on the key's row, so a use recorded after the key was
// deleted finds no row and is dropped.
const migration007KeyLastUsed = `
ALTER TABLE access_keys ADD COLUMN last_used_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE access_keys ADD COLUMN last_used_service TEXT NOT NULL DEFAULT '';
ALTER TABLE access_keys ADD COLUMN last_used_region TEXT NOT NULL DEFAULT '';
`

// RecordAccessKeyUses stores the uses in one transaction; a use older than
// the stored one, or of a deleted key, changes nothing.
func (s *Store) RecordAccessKeyUses(ctx context.Context, uses []meta.AccessKeyUse) error {
	if len(uses) == 0 {
		return nil
	}
	return s.write(ctx, "record access key uses", func(c conn) error {
		for _, u := range uses {
			at := u.At.UnixNano()
			if _, err := c.exec("UPDATE access_keys SET last_used_at = ?, last_used_service = ?, last_used_region = ? WHERE access_key_id = ? AND last_used_at < ?",
				at, u.Service, u.Region, u.AccessKeyID, at); err != nil {
				return err
			}
		}
		return nil
	})
}

// GetAccessKeyLastUsed returns a key's last recorded use, or
// meta.ErrNotFound. It is not cached: the answer changes with every flush.
func (s *Store) GetAccessKeyLastUsed(ctx context.Context, id string) (meta.AccessKeyUse, error) {
	u := meta.AccessKeyUse{AccessKeyID: id}
	var at int64
	err := s.pool(ctx).queryRow("SELECT last_used_at, last_used_service, last_used_region FROM access_keys WHERE access_key_id = ?", id).Scan(&at, &u.Service, &u.Region)
	if errors.Is(err, sql.ErrNoRows) {
		err = meta.ErrNotFound
	}
	if at != 0 {
		u.At = fromNanos(at)
	}
	return u, s.fail("get access key last used", err)
}

// mustAffect turns "no row changed" into meta.ErrNotFound.
func mustAffect(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return meta.ErrNotFound
	}
	return nil
}

// ---- buckets ----

const bucketCols = "name, account, outpost_id, created_at, versioning, acl"

func scanBucket(sc interface{ Scan(...any) error }) (meta.Bucket, error) {
	var b meta.Bucket
	var created int64
	err := sc.Scan(&b.Name, &b.Account, &b.OutpostID, &created, &b.Versioning, &b.ACL)
	b.CreatedAt = fromNanos(created)
	return b, err
}

// CreateBucket creates a bucket; meta.ErrBucketExists if the name is taken
// (by anyone). An empty ACL is stored as "private".
func (s *Store) CreateBucket(ctx context.Context, b meta.Bucket) error {
	return s.CreateBucketWithin(ctx, b, 0)
}

// CreateBucketWithin: see meta.Store.
func (s *Store) CreateBucketWithin(ctx context.Context, b meta.Bucket, max int) error {
	if b.CreatedAt.IsZero() {
		b.CreatedAt = time.Now()
	}
	if b.ACL == "" {
		b.ACL = "private"
	}
	return s.write(ctx, "create bucket "+b.Name, func(c conn) error {
		if err := c.within(max, "buckets/"+b.Account+"/"+b.OutpostID,
			"SELECT COUNT(*) FROM buckets WHERE account = ? AND outpost_id = ?", b.Account, b.OutpostID); err != nil {
			return err
		}
		res, err := c.exec("INSERT INTO buckets ("+bucketCols+") VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING",
			b.Name, b.Account, b.OutpostID, b.CreatedAt.UnixNano(), b.Versioning, b.ACL)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return meta.ErrBucketExists
		}
		return nil
	})
}

// within returns meta.ErrLimitExceeded when the count query answers max or
// more (max <= 0: no limit). On PostgreSQL an advisory lock on the quota
// name serialises the transactions that count it; SQLite has one writer.
func (c conn) within(max int, quota, countQuery string, args ...any) error {
	if max <= 0 {
		return nil
	}
	if err := c.lockKey("~quota", quota); err != nil {
		return err
	}
	var n int
	if err := c.queryRow(countQuery, args...).Scan(&n); err != nil {
		return err
	}
	if n >= max {
		return meta.ErrLimitExceeded
	}
	return nil
}

// GetBucket returns a bucket, or meta.ErrNoSuchBucket.
func (s *Store) GetBucket(ctx context.Context, name string) (meta.Bucket, error) {
	return cached(s.cache, cacheKey{kind: cacheBucket, a: name}, false, func() (meta.Bucket, error) {
		b, err := scanBucket(s.pool(ctx).queryRow("SELECT "+bucketCols+" FROM buckets WHERE name = ?", name))
		if errors.Is(err, sql.ErrNoRows) {
			err = meta.ErrNoSuchBucket
		}
		return b, s.fail("get bucket "+name, err)
	})
}

// ListBuckets lists an account's buckets by name; outpostID "" lists plain
// buckets, "*" all. account "" lists every account's.
func (s *Store) ListBuckets(ctx context.Context, account, outpostID string) ([]meta.Bucket, error) {
	q := "SELECT " + bucketCols + " FROM buckets WHERE 1 = 1"
	var args []any
	if account != "" {
		q += " AND account = ?"
		args = append(args, account)
	}
	if outpostID != "*" {
		q += " AND outpost_id = ?"
		args = append(args, outpostID)
	}
	q += " ORDER BY name"
	var out []meta.Bucket
	err := s.read(ctx, "list buckets", func(c conn) error {
		rows, err := c.query(q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			b, err := scanBucket(rows)
			if err != nil {
				return err
			}
			out = append(out, b)
		}
		return rows.Err()
	})
	return out, err
}

// lockBucket returns the bucket's versioning status, holding a share lock on
// its row until commit so DeleteBucket cannot run concurrently.
func (c conn) lockBucket(name string) (versioning string, err error) {
	err = c.queryRow("SELECT versioning FROM buckets WHERE name = ?"+c.d.forShare, name).Scan(&versioning)
	if errors.Is(err, sql.ErrNoRows) {
		err = meta.ErrNoSuchBucket
	}
	return versioning, err
}

// DeleteBucket deletes a bucket that holds no object version, with its
// configuration documents and the multipart uploads still in progress in it
// (S3 deletes those with the bucket); freed lists the blobs of their parts.
func (s *Store) DeleteBucket(ctx context.Context, name string) ([]string, error) {
	var freed []string
	err := s.write(ctx, "delete bucket "+name, func(c conn) error {
		freed = nil
		var got string
		err := c.queryRow("SELECT name FROM buckets WHERE name = ?"+c.d.forUpdate, name).Scan(&got)
		if errors.Is(err, sql.ErrNoRows) {
			return meta.ErrNoSuchBucket
		} else if err != nil {
			return err
		}
		var n int
		if err := c.queryRow("SELECT COUNT(*) FROM (SELECT 1 FROM objects WHERE bucket = ? LIMIT 1) AS t", name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return meta.ErrBucketNotEmpty
		}
		uploads, err := c.strings("SELECT upload_id FROM uploads WHERE bucket = ?", name)
		if err != nil {
			return err
		}
		for _, id := range uploads {
			if err := c.endUpload(id, &freed); err != nil {
				return err
			}
		}
		if _, err := c.exec("DELETE FROM bucket_configs WHERE bucket = ?", name); err != nil {
			return err
		}
		_, err = c.exec("DELETE FROM buckets WHERE name = ?", name)
		return err
	})
	return freed, err
}

// SetBucketVersioning sets the versioning status ("Enabled", "Suspended").
func (s *Store) SetBucketVersioning(ctx context.Context, name, status string) error {
	return s.setBucketColumn(ctx, "versioning", name, status)
}

// SetBucketACL sets a bucket's canned ACL.
func (s *Store) SetBucketACL(ctx context.Context, name, acl string) error {
	return s.setBucketColumn(ctx, "acl", name, acl)
}

func (s *Store) setBucketColumn(ctx context.Context, col, name, value string) error {
	return s.write(ctx, "set bucket "+col, func(c conn) error {
		err := mustAffect(c.exec("UPDATE buckets SET "+col+" = ? WHERE name = ?", value, name))
		if errors.Is(err, meta.ErrNotFound) {
			err = meta.ErrNoSuchBucket
		}
		return err
	})
}

// GetBucketConfig returns a configuration document; meta.ErrNotFound if
// unset, meta.ErrNoSuchBucket if the bucket is missing.
func (s *Store) GetBucketConfig(ctx context.Context, bucket, kind string) (string, error) {
	return cached(s.cache, cacheKey{kind: cacheBucketConfig, a: bucket, b: kind}, false, func() (string, error) {
		return s.getBucketConfig(ctx, bucket, kind)
	})
}

func (s *Store) getBucketConfig(ctx context.Context, bucket, kind string) (string, error) {
	var doc string
	err := s.read(ctx, "get bucket config "+kind, func(c conn) error {
		err := c.queryRow("SELECT doc FROM bucket_configs WHERE bucket = ? AND kind = ?", bucket, kind).Scan(&doc)
		if errors.Is(err, sql.ErrNoRows) {
			if err := c.bucketExists(bucket); err != nil {
				return err
			}
			return meta.ErrNotFound
		}
		return err
	})
	return doc, err
}

// PutBucketConfig stores or replaces a configuration document.
func (s *Store) PutBucketConfig(ctx context.Context, bucket, kind, doc string) error {
	return s.write(ctx, "put bucket config "+kind, func(c conn) error {
		if _, err := c.lockBucket(bucket); err != nil {
			return err
		}
		_, err := c.exec("INSERT INTO bucket_configs (bucket, kind, doc) VALUES (?, ?, ?) ON CONFLICT (bucket, kind) DO UPDATE SET doc = excluded.doc",
			bucket, kind, doc)
		return err
	})
}

// DeleteBucketConfig removes a configuration document; removing one that is
// not set succeeds.
func (s *Store) DeleteBucketConfig(ctx context.Context, bucket, kind string) error {
	return s.write(ctx, "delete bucket config "+kind, func(c conn) error {
		if _, err := c.lockBucket(bucket); err != nil {
			return err
		}
		_, err := c.exec("DELETE FROM bucket_configs WHERE bucket = ? AND kind = ?", bucket, kind)
		return err
	})
}

// ---- blob references ----

// ref records one more reference to each blob.
func (c conn) ref(ids []string) error {
	for _, id := range ids {
		if _, err := c.exec("INSERT INTO blob_refs (blob_id, refs) VALUES (?, 1) ON CONFLICT (blob_id) DO UPDATE SET refs = blob_refs.refs + 1", id); err != nil {
			return err
		}
	}
	return nil
}

// unref drops one reference to each blob and appends to freed those left
// with none.
func (c conn) unref(ids []string, freed *[]string) error {
	for _, id := range ids {
		var n int64
		err := c.queryRow("UPDATE blob_refs SET refs = refs - 1 WHERE blob_id = ? RETURNING refs", id).Scan(&n)
		if errors.Is(err, sql.ErrNoRows) {
			continue // not tracked: nothing references it
		}
		if err != nil {
			return err
		}
		if n <= 0 {
			if _, err := c.exec("DELETE FROM blob_refs WHERE blob_id = ?", id); err != nil {
				return err
			}
			*freed = append(*freed, id)
		}
	}
	return nil
}

// BlobReferenced reports which of ids are referenced by an object version
// or an upload part.
func (s *Store) BlobReferenced(ctx context.Context, ids []string) (map[string]bool, error) {
	out := make(map[string]bool)
	const chunk = 500
	for len(ids) > 0 {
		n := min(chunk, len(ids))
		part := ids[:n]
		ids = ids[n:]
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = id
		}
		q := "SELECT blob_id FROM blob_refs WHERE blob_id IN (?" + strings.Repeat(", ?", len(part)-1) + ")"
		err := s.read(ctx, "blob referenced", func(c conn) error {
			rows, err := c.query(q, args...)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var id string
				if err := rows.Scan(&id); err != nil {
					return err
				}
				out[id] = true
			}
			return rows.Err()
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// IntegrityCheck runs SQLite's PRAGMA integrity_check (PostgreSQL checks its
// own pages; there it only checks that the database answers), then checks
// that blob_refs counts exactly the references held by object versions and
// upload parts.
func (s *Store) IntegrityCheck(ctx context.Context) error {
	return s.read(ctx, "integrity check", func(c conn) error {
		if s.d.name == "sqlite" {
			rows, err := c.query("PRAGMA integrity_check")
			if err != nil {
				return err
			}
			var msgs []string
			for rows.Next() {
				var m string
				if err := rows.Scan(&m); err != nil {
					rows.Close()
					return err
				}
				msgs = append(msgs, m)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			if len(msgs) != 1 || msgs[0] != "ok" {
				return fmt.Errorf("integrity_check: %s", strings.Join(msgs, "; "))
			}
		} else {
			var n int
			if err := c.queryRow("SELECT COUNT(*) FROM schema_migrations").Scan(&n); err != nil {
				return err
			}
		}
		want := map[string]int64{}
		rows, err := c.query("SELECT segments FROM objects")
		if err != nil {
			return err
		}
		for rows.Next() {
			var js string
			if err := rows.Scan(&js); err != nil {
				rows.Close()
				return err
			}
			segs, err := decodeSegments(js)
			if err != nil {
				rows.Close()
				return err
			}
			for _, id := range segmentBlobs(segs) {
				want[id]++
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if err := scanCounts(c, "SELECT blob_id, 1 FROM upload_parts", want, 1); err != nil {
			return err
		}
		if err := scanCounts(c, "SELECT blob_id, refs FROM blob_refs", want, -1); err != nil {
			return err
		}
		var bad []string
		for id, n := range want {
			if n != 0 {
				bad = append(bad, fmt.Sprintf("%s (%+d)", id, n))
			}
		}
		if len(bad) > 0 {
			return fmt.Errorf("blob_refs out of step with objects and parts for %d blobs: %s", len(bad), strings.Join(bad[:min(10, len(bad))], ", "))
		}
		return nil
	})
}

func scanCounts(c conn, q string, m map[string]int64, sign int64) error {
	rows, err := c.query(q)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var n int64
		if err := rows.Scan(&id, &n); err != nil {
			return err
		}
		m[id] += sign * n
	}
	return rows.Err()
}

// ---- encoding helpers ----

func fromNanos(n int64) time.Time { return time.Unix(0, n).UTC() }

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// encodeMap stores an empty map as "" so the common case costs nothing to
// decode.
func encodeMap(m map[string]string) string {
	if len(m) == 0 {
		return ""
	}
	b, _ := json.Marshal(m)
	return string(b)
}

func decodeMap(s string) (map[string]string, error) {
	if s == "" {
		return nil, nil
	}
	var m map[string]string
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return nil, fmt.Errorf("decode %q: %w", s, err)
	}
	return m, nil
}

func encodeSegments(segs []meta.Segment) string {
	if len(segs) == 0 {
		return ""
	}
	b, _ := json.Marshal(segs)
	return string(b)
}

func decodeSegments(s string) ([]meta.Segment, error) {
	if s == "" {
		return nil, nil
	}
	var segs []meta.Segment
	if err := json.Unmarshal([]byte(s), &segs); err != nil {
		return nil, fmt.Errorf("decode segments: %w", err)
	}
	return segs, nil
}

// encodeEncryption stores a meta.Encryption as "" (plain), "AES256"
// (SSE-S3) or "SSE-C:" and the base64 key check.
func encodeEncryption(e meta.Encryption) string {
	if e.Mode == meta.SSEC {
		return meta.SSEC + ":" + base64.StdEncoding.EncodeToString(e.KeyCheck)
	}
	return e.Mode
}

func decodeEncryption(s string) (meta.Encryption, error) {
	switch {
	case s == "" || s == meta.SSES3:
		return meta.Encryption{Mode: s}, nil
	case strings.HasPrefix(s, meta.SSEC+":"):
		check, err := base64.StdEncoding.DecodeString(s[len(meta.SSEC)+1:])
		if err != nil {
			return meta.Encryption{}, fmt.Errorf("decode encryption: %w", err)
		}
		return meta.Encryption{Mode: meta.SSEC, KeyCheck: check}, nil
	}
	return meta.Encryption{}, fmt.Errorf("decode encryption: unknown mode %q", s)
}

func segmentBlobs(segs []meta.Segment) []string {
	ids := make([]string, 0, len(segs))
	for _, sg := range segs {
		if sg.BlobID != "" {
			ids = append(ids, sg.BlobID)
		}
	}
	return ids
}

package sqlmeta

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// migrations is the schema history, oldest first; migration i (0-based) is
// schema version i+1, recorded in schema_migrations once applied.
//
// To change the schema, append ONE entry at the end (a const holding the
// SQL, declared next to the code that uses it):
//
//	var migrations = []string{
//		migration001Initial,
//		migration002AccessPoints, // ← the one line you add
//	}
//
// Never edit, reorder or remove an entry that has shipped: databases in the
// field have applied it. Migration text is a series of statements, each
// ending with ";" at the end of a line; it runs in one transaction, and may
// use the dialect tokens {{KEY}} (text compared bytewise: TEXT on SQLite,
// TEXT COLLATE "C" on PostgreSQL) and {{SEQ}} (an auto-increasing BIGINT
// primary key). Otherwise write SQL both engines accept: TEXT, BIGINT,
// SMALLINT (booleans are 0/1), INTEGER; no engine-specific functions.
var migrations = []string{
	migration001Initial,
	migration002IAM,
	migration003Outposts,
	migration004InlineData,
	migration005KeyUserID,
	migration006UploadInitiator,
	migration007KeyLastUsed,
	migration008Encryption,
}

// migration008Encryption records how an object's or upload's bytes are
// sealed at rest (meta.Encryption, encoded by encodeEncryption), and each
// part's wrapped data key (meta.Part.SealedKey). Objects keep theirs in
// the segments column.
const migration008Encryption = `
ALTER TABLE objects ADD COLUMN sse TEXT NOT NULL DEFAULT '';
ALTER TABLE uploads ADD COLUMN sse TEXT NOT NULL DEFAULT '';
ALTER TABLE upload_parts ADD COLUMN sealed_key TEXT NOT NULL DEFAULT '';
`

// migration006UploadInitiator records who created a multipart upload, for
// the Initiator of ListMultipartUploads and ListParts.
const migration006UploadInitiator = `
ALTER TABLE uploads ADD COLUMN initiator TEXT NOT NULL DEFAULT '';
`

// migration004InlineData lets a small object's bytes live in its row
// (meta.Object.Inline); NULL for objects stored in blobs.
const migration004InlineData = `
ALTER TABLE objects ADD COLUMN inline_data {{BYTES}};
`

const migration001Initial = `
CREATE TABLE settings (
	name {{KEY}} PRIMARY KEY,
	value TEXT NOT NULL
);
CREATE TABLE access_keys (
	access_key_id {{KEY}} PRIMARY KEY,
	secret TEXT NOT NULL,
	account {{KEY}} NOT NULL,
	user_name {{KEY}} NOT NULL,
	status TEXT NOT NULL,
	created_at BIGINT NOT NULL
);
CREATE INDEX access_keys_user ON access_keys (account, user_name);
CREATE TABLE buckets (
	name {{KEY}} PRIMARY KEY,
	account {{KEY}} NOT NULL,
	outpost_id {{KEY}} NOT NULL,
	created_at BIGINT NOT NULL,
	versioning TEXT NOT NULL,
	acl TEXT NOT NULL
);
CREATE INDEX buckets_account ON buckets (account, outpost_id, name);
CREATE TABLE bucket_configs (
	bucket {{KEY}} NOT NULL REFERENCES buckets (name) ON DELETE CASCADE,
	kind {{KEY}} NOT NULL,
	doc TEXT NOT NULL,
	PRIMARY KEY (bucket, kind)
);
CREATE TABLE objects (
	seq {{SEQ}},
	bucket {{KEY}} NOT NULL REFERENCES buckets (name),
	key {{KEY}} NOT NULL,
	version_id {{KEY}} NOT NULL,
	is_latest SMALLINT NOT NULL,
	delete_marker SMALLINT NOT NULL,
	size BIGINT NOT NULL,
	etag TEXT NOT NULL,
	last_modified BIGINT NOT NULL,
	headers TEXT NOT NULL,
	metadata TEXT NOT NULL,
	tags TEXT NOT NULL,
	checksums TEXT NOT NULL,
	checksum_type TEXT NOT NULL,
	acl TEXT NOT NULL,
	storage_class TEXT NOT NULL,
	segments TEXT NOT NULL,
	listing TEXT NOT NULL
);
CREATE UNIQUE INDEX objects_version ON objects (bucket, key, version_id);
CREATE INDEX objects_key_seq ON objects (bucket, key, seq DESC);
CREATE UNIQUE INDEX objects_latest ON objects (bucket, key) WHERE is_latest = 1;
CREATE INDEX objects_list ON objects (bucket, key, listing) WHERE is_latest = 1 AND delete_marker = 0;
CREATE TABLE uploads (
	upload_id {{KEY}} PRIMARY KEY,
	bucket {{KEY}} NOT NULL REFERENCES buckets (name),
	key {{KEY}} NOT NULL,
	initiated BIGINT NOT NULL,
	headers TEXT NOT NULL,
	metadata TEXT NOT NULL,
	tags TEXT NOT NULL,
	acl TEXT NOT NULL,
	storage_class TEXT NOT NULL,
	checksum_algorithm TEXT NOT NULL,
	checksum_type TEXT NOT NULL
);
CREATE INDEX uploads_key ON uploads (bucket, key, initiated, upload_id);
CREATE TABLE upload_parts (
	upload_id {{KEY}} NOT NULL REFERENCES uploads (upload_id),
	part_number INTEGER NOT NULL,
	blob_id {{KEY}} NOT NULL,
	size BIGINT NOT NULL,
	etag TEXT NOT NULL,
	last_modified BIGINT NOT NULL,
	checksums TEXT NOT NULL,
	PRIMARY KEY (upload_id, part_number)
);
CREATE TABLE blob_refs (
	blob_id {{KEY}} PRIMARY KEY,
	refs BIGINT NOT NULL
);
`

// migrate applies the migrations the database has not seen, each in its own
// transaction. On PostgreSQL an advisory lock keeps two servers starting at
// once from applying the same migration twice.
func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
	version INTEGER PRIMARY KEY,
	applied_at BIGINT NOT NULL
)`); err != nil {
		return fmt.Errorf("sqlmeta: migrate: %w", wrapUnavailable(s.d, err))
	}
	for i, m := range migrations {
		version := i + 1
		err := s.write(ctx, "migrate", func(c conn) error {
			if s.d.name == "postgres" {
				if _, err := c.exec("SELECT pg_advisory_xact_lock(7242553200851)"); err != nil {
					return err
				}
			}
			var n int
			if err := c.queryRow("SELECT COUNT(*) FROM schema_migrations WHERE version = ?", version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			for _, stmt := range splitStatements(s.d.ddl.Replace(m)) {
				if _, err := c.exec(stmt); err != nil {
					return fmt.Errorf("migration %d: %w", version, err)
				}
			}
			_, err := c.exec("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)", version, time.Now().UnixNano())
			return err
		})
		if err != nil {
			return err
		}
	}
	return s.assignMissingIDs(ctx)
}

// SchemaVersion returns the number of migrations applied to the database.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, "SELECT COUNT(*) FROM schema_migrations").Scan(&n)
	return n, s.fail("schema version", err)
}

// splitStatements splits migration text at semicolons that end a line.
func splitStatements(text string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.SplitAfter(text, "\n") {
		cur.WriteString(line)
		if strings.HasSuffix(strings.TrimSpace(line), ";") {
			if stmt := strings.TrimSpace(cur.String()); stmt != ";" {
				out = append(out, strings.TrimSuffix(stmt, ";"))
			}
			cur.Reset()
		}
	}
	if stmt := strings.TrimSpace(cur.String()); stmt != "" {
		out = append(out, stmt)
	}
	return out
}

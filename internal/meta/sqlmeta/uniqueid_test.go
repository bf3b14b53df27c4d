package sqlmeta

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/outpost-s3/outpost/internal/meta"
)

// TestSQLiteUpgradeGivesEntitiesUniqueIDs and its PostgreSQL twin open a
// database an earlier version wrote (schema version 4, entities stored
// without an ID, keys not bound to a user ID) and check that opening it
// gives every entity an AWS-shaped ID, binds each user's keys to it, and
// that a second open changes nothing.
func TestSQLiteUpgradeGivesEntitiesUniqueIDs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "meta.db")
	testUpgradeGivesEntitiesUniqueIDs(t, func() (*Store, error) { return OpenSQLite(path) })
}

func TestPostgresUpgradeGivesEntitiesUniqueIDs(t *testing.T) {
	dsn := postgresSchema(t) // skips without a server
	testUpgradeGivesEntitiesUniqueIDs(t, func() (*Store, error) { return OpenPostgres(dsn) })
}

func testUpgradeGivesEntitiesUniqueIDs(t *testing.T, open func() (*Store, error)) {
	ctx := context.Background()
	const acct = "111122223333"
	all := migrations
	migrations = all[:4] // the schema before access keys carried user IDs
	old, err := open()
	migrations = all
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO iam_users (account, lname, name, id, path, created_at) VALUES ('` + acct + `', 'alice', 'Alice', '', '/', 1)`,
		`INSERT INTO iam_users (account, lname, name, id, path, created_at) VALUES ('` + acct + `', 'bob', 'bob', 'AIDABOBBOBBOBBOBBOB22', '/', 1)`,
		`INSERT INTO iam_groups (account, lname, name, id, path, created_at) VALUES ('` + acct + `', 'devs', 'devs', '', '/', 1)`,
		`INSERT INTO iam_roles (account, lname, name, id, path, created_at, trust_policy, max_session_duration, description) VALUES ('` + acct + `', 'reader', 'reader', '', '/', 1, '{}', 3600, '')`,
		`INSERT INTO access_keys (access_key_id, secret, account, user_name, status, created_at) VALUES ('AKALICE', 's', '` + acct + `', 'Alice', 'Active', 1)`,
		`INSERT INTO access_keys (access_key_id, secret, account, user_name, status, created_at) VALUES ('AKBOB', 's', '` + acct + `', 'bob', 'Active', 1)`,
		`INSERT INTO access_keys (access_key_id, secret, account, user_name, status, created_at) VALUES ('AKGONE', 's', '` + acct + `', 'gone', 'Active', 1)`,
		`INSERT INTO access_keys (access_key_id, secret, account, user_name, status, created_at) VALUES ('AKROOT', 's', '` + acct + `', '', 'Active', 1)`,
	} {
		if _, err := old.w.ExecContext(ctx, old.d.rebind(q)); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	old.Close()

	ids := map[string]string{}
	for round := range 2 {
		s, err := open()
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range []struct {
			kind meta.EntityKind
			name string
		}{{meta.KindUser, "alice"}, {meta.KindUser, "bob"}, {meta.KindGroup, "devs"}, {meta.KindRole, "reader"}} {
			got, err := s.GetIAMEntity(ctx, acct, e.kind, e.name)
			if err != nil {
				t.Fatal(err)
			}
			if len(got.ID) != meta.UniqueIDLen || got.ID[:4] != e.kind.IDPrefix() {
				t.Fatalf("round %d: %s %s has ID %q", round, e.kind, e.name, got.ID)
			}
			if prev, ok := ids[e.name]; ok && prev != got.ID {
				t.Fatalf("%s %s: ID changed across opens, %s then %s", e.kind, e.name, prev, got.ID)
			}
			ids[e.name] = got.ID
		}
		if ids["bob"] != "AIDABOBBOBBOBBOBBOB22" {
			t.Fatalf("bob's existing ID was replaced by %s", ids["bob"])
		}
		for key, want := range map[string]string{"AKALICE": ids["alice"], "AKBOB": ids["bob"], "AKGONE": "", "AKROOT": ""} {
			k, err := s.GetAccessKey(ctx, key)
			if err != nil {
				t.Fatal(err)
			}
			if k.UserID != want {
				t.Fatalf("round %d: key %s bound to %q, want %q", round, key, k.UserID, want)
			}
		}
		// A user created later under the name of an unbound key's user
		// does not pick the key up at the next open.
		if round == 0 {
			if err := s.CreateIAMEntity(ctx, meta.IAMEntity{Account: acct, Kind: meta.KindUser, Name: "gone"}); err != nil {
				t.Fatal(err)
			}
		}
		s.Close()
	}
}

package sqlmeta

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/outpost-s3/outpost/internal/meta"
)

// migration002IAM adds accounts and IAM identities. Names are unique per
// account regardless of case (IAM's rule), so each entity table is keyed by
// the lower-cased name and keeps the name as created beside it. Access keys
// stay in access_keys (user_name "" is an account's root user).
const migration002IAM = `
CREATE TABLE accounts (
	account_id {{KEY}} PRIMARY KEY,
	name TEXT NOT NULL,
	email TEXT NOT NULL,
	created_at BIGINT NOT NULL
);
CREATE TABLE iam_users (
	account {{KEY}} NOT NULL,
	lname {{KEY}} NOT NULL,
	name TEXT NOT NULL,
	id {{KEY}} NOT NULL,
	path TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	PRIMARY KEY (account, lname)
);
CREATE TABLE iam_groups (
	account {{KEY}} NOT NULL,
	lname {{KEY}} NOT NULL,
	name TEXT NOT NULL,
	id {{KEY}} NOT NULL,
	path TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	PRIMARY KEY (account, lname)
);
CREATE TABLE group_members (
	account {{KEY}} NOT NULL,
	group_lname {{KEY}} NOT NULL,
	user_lname {{KEY}} NOT NULL,
	PRIMARY KEY (account, group_lname, user_lname)
);
CREATE INDEX group_members_user ON group_members (account, user_lname);
CREATE TABLE iam_roles (
	account {{KEY}} NOT NULL,
	lname {{KEY}} NOT NULL,
	name TEXT NOT NULL,
	id {{KEY}} NOT NULL,
	path TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	trust_policy TEXT NOT NULL,
	max_session_duration INTEGER NOT NULL,
	description TEXT NOT NULL,
	PRIMARY KEY (account, lname)
);
CREATE TABLE iam_inline_policies (
	account {{KEY}} NOT NULL,
	kind {{KEY}} NOT NULL,
	entity_lname {{KEY}} NOT NULL,
	policy_name {{KEY}} NOT NULL,
	document TEXT NOT NULL,
	PRIMARY KEY (account, kind, entity_lname, policy_name)
);
CREATE TABLE iam_managed_policies (
	arn {{KEY}} PRIMARY KEY,
	account {{KEY}} NOT NULL,
	lname {{KEY}} NOT NULL,
	name TEXT NOT NULL,
	id {{KEY}} NOT NULL,
	path TEXT NOT NULL,
	document TEXT NOT NULL,
	description TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX iam_managed_policies_name ON iam_managed_policies (account, lname);
CREATE TABLE iam_policy_attachments (
	account {{KEY}} NOT NULL,
	kind {{KEY}} NOT NULL,
	entity_lname {{KEY}} NOT NULL,
	policy_arn {{KEY}} NOT NULL,
	PRIMARY KEY (account, kind, entity_lname, policy_arn)
);
CREATE INDEX iam_policy_attachments_arn ON iam_policy_attachments (policy_arn);
`

// migration005KeyUserID binds each access key of a user to the user's
// unique ID (meta.AccessKey.UserID), so that a key outlives neither its
// user nor a later user of the same name. Keys of users stored without an
// ID are bound when assignMissingIDs gives those users one.
const migration005KeyUserID = `
ALTER TABLE access_keys ADD COLUMN user_id {{KEY}} NOT NULL DEFAULT '';
UPDATE access_keys SET user_id = COALESCE((SELECT u.id FROM iam_users u
	WHERE u.account = access_keys.account AND u.lname = LOWER(access_keys.user_name)), '')
WHERE user_name <> '';
`

// assignMissingIDs gives a unique ID to every user, group and role stored
// without one (an entity's ID column was once allowed to be empty), and
// binds the keys of each such user to its new ID. It runs at every open;
// entities that have an ID keep it, so IDs are stable across restarts.
func (s *Store) assignMissingIDs(ctx context.Context) error {
	for _, k := range []meta.EntityKind{meta.KindUser, meta.KindGroup, meta.KindRole} {
		t, _ := entityTable(k)
		err := s.write(ctx, "assign unique IDs", func(c conn) error {
			rows, err := c.query("SELECT account, lname FROM " + t + " WHERE id = ''")
			if err != nil {
				return err
			}
			type key struct{ account, lname string }
			var missing []key
			for rows.Next() {
				var e key
				if err := rows.Scan(&e.account, &e.lname); err != nil {
					rows.Close()
					return err
				}
				missing = append(missing, e)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			for _, e := range missing {
				id := meta.NewUniqueID(k.IDPrefix())
				if _, err := c.exec("UPDATE "+t+" SET id = ? WHERE account = ? AND lname = ? AND id = ''", id, e.account, e.lname); err != nil {
					return err
				}
				if k != meta.KindUser {
					continue
				}
				if _, err := c.exec("UPDATE access_keys SET user_id = ? WHERE account = ? AND LOWER(user_name) = ? AND user_name <> '' AND user_id = ''", id, e.account, e.lname); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("sqlmeta: assign unique IDs: %w", err)
		}
	}
	return nil
}

// SetAccessKeySecret replaces a key's stored secret; meta.ErrNotFound if missing.
func (s *Store) SetAccessKeySecret(ctx context.Context, id, secret string) error {
	return s.write(ctx, "set access key secret", func(c conn) error {
		return mustAffect(c.exec("UPDATE access_keys SET secret = ? WHERE access_key_id = ?", secret, id))
	})
}

// ---- accounts ----

// CreateAccount adds an account; meta.ErrConflict if the ID exists.
func (s *Store) CreateAccount(ctx context.Context, a meta.Account) error {
	if a.CreatedAt.IsZero() {
		a.CreatedAt = time.Now()
	}
	return s.write(ctx, "create account", func(c conn) error {
		return insertOnce(c.exec(`INSERT INTO accounts (account_id, name, email, created_at) VALUES (?, ?, ?, ?)
ON CONFLICT (account_id) DO NOTHING`, a.ID, a.Name, a.Email, a.CreatedAt.UnixNano()))
	})
}

func scanAccount(sc interface{ Scan(...any) error }) (meta.Account, error) {
	var a meta.Account
	var created int64
	err := sc.Scan(&a.ID, &a.Name, &a.Email, &created)
	a.CreatedAt = fromNanos(created)
	return a, err
}

// GetAccount returns an account or meta.ErrNotFound.
func (s *Store) GetAccount(ctx context.Context, id string) (meta.Account, error) {
	return cached(s.cache, cacheKey{kind: cacheAccount, a: id}, false, func() (meta.Account, error) {
		a, err := scanAccount(s.pool(ctx).queryRow("SELECT account_id, name, email, created_at FROM accounts WHERE account_id = ?", id))
		if errors.Is(err, sql.ErrNoRows) {
			err = meta.ErrNotFound
		}
		return a, s.fail("get account", err)
	})
}

// ListAccounts lists every account by ID.
func (s *Store) ListAccounts(ctx context.Context) ([]meta.Account, error) {
	var out []meta.Account
	err := s.read(ctx, "list accounts", func(c conn) error {
		rows, err := c.query("SELECT account_id, name, email, created_at FROM accounts ORDER BY account_id")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			a, err := scanAccount(rows)
			if err != nil {
				return err
			}
			out = append(out, a)
		}
		return rows.Err()
	})
	return out, err
}

// ---- users, groups, roles ----

func entityTable(k meta.EntityKind) (string, error) {
	switch k {
	case meta.KindUser:
		return "iam_users", nil
	case meta.KindGroup:
		return "iam_groups", nil
	case meta.KindRole:
		return "iam_roles", nil
	}
	return "", fmt.Errorf("unknown IAM entity kind %q", k)
}

// entityCols selects the columns of meta.IAMEntity from an entity table.
func entityCols(k meta.EntityKind) string {
	if k == meta.KindRole {
		return "account, name, id, path, created_at, trust_policy, max_session_duration, description"
	}
	return "account, name, id, path, created_at, '', 0, ''"
}

func scanEntity(sc interface{ Scan(...any) error }, k meta.EntityKind) (meta.IAMEntity, error) {
	e := meta.IAMEntity{Kind: k}
	var created int64
	err := sc.Scan(&e.Account, &e.Name, &e.ID, &e.Path, &created, &e.TrustPolicy, &e.MaxSessionDuration, &e.Description)
	e.CreatedAt = fromNanos(created)
	return e, err
}

func lower(s string) string { return strings.ToLower(s) }

// insertOnce turns "no row inserted" (ON CONFLICT DO NOTHING) into meta.ErrConflict.
func insertOnce(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return meta.ErrConflict
	}
	return nil
}

// CreateIAMEntity adds a user, group or role; meta.ErrConflict if the name is taken.
func (s *Store) CreateIAMEntity(ctx context.Context, e meta.IAMEntity) error {
	t, err := entityTable(e.Kind)
	if err != nil {
		return err
	}
	if e.CreatedAt.IsZero() {
		e.CreatedAt = time.Now()
	}
	if e.Path == "" {
		e.Path = "/"
	}
	if e.ID == "" {
		e.ID = meta.NewUniqueID(e.Kind.IDPrefix())
	}
	return s.write(ctx, "create "+string(e.Kind), func(c conn) error {
		if e.Kind == meta.KindRole {
			return insertOnce(c.exec(`INSERT INTO iam_roles (account, lname, name, id, path, created_at, trust_policy, max_session_duration, description)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (account, lname) DO NOTHING`,
				e.Account, lower(e.Name), e.Name, e.ID, e.Path, e.CreatedAt.UnixNano(), e.TrustPolicy, e.MaxSessionDuration, e.Description))
		}
		return insertOnce(c.exec(`INSERT INTO `+t+` (account, lname, name, id, path, created_at)
VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (account, lname) DO NOTHING`,
			e.Account, lower(e.Name), e.Name, e.ID, e.Path, e.CreatedAt.UnixNano()))
	})
}

func (c conn) getEntity(account string, k meta.EntityKind, name string) (meta.IAMEntity, error) {
	t, err := entityTable(k)
	if err != nil {
		return meta.IAMEntity{}, err
	}
	e, err := scanEntity(c.queryRow("SELECT "+entityCols(k)+" FROM "+t+" WHERE account = ? AND lname = ?", account, lower(name)), k)
	if errors.Is(err, sql.ErrNoRows) {
		err = meta.ErrNotFound
	}
	return e, err
}

// GetIAMEntity finds an entity by name regardless of case; meta.ErrNotFound.
func (s *Store) GetIAMEntity(ctx context.Context, account string, k meta.EntityKind, name string) (meta.IAMEntity, error) {
	return cached(s.cache, cacheKey{kind: cacheIAMEntity, a: account, b: string(k), c: name}, false, func() (meta.IAMEntity, error) {
		e, err := s.pool(ctx).getEntity(account, k, name)
		return e, s.fail("get "+string(k), err)
	})
}

// ListIAMEntities lists entities of a kind by name, optionally under a path prefix.
func (s *Store) ListIAMEntities(ctx context.Context, account string, k meta.EntityKind, pathPrefix string) ([]meta.IAMEntity, error) {
	t, err := entityTable(k)
	if err != nil {
		return nil, err
	}
	var out []meta.IAMEntity
	err = s.read(ctx, "list "+string(k)+"s", func(c conn) error {
		out, err = c.entities("SELECT "+entityCols(k)+" FROM "+t+" WHERE account = ? ORDER BY lname", k, account)
		return err
	})
	if pathPrefix != "" {
		kept := out[:0]
		for _, e := range out {
			if strings.HasPrefix(e.Path, pathPrefix) {
				kept = append(kept, e)
			}
		}
		out = kept
	}
	return out, err
}

func (c conn) entities(q string, k meta.EntityKind, args ...any) ([]meta.IAMEntity, error) {
	rows, err := c.query(q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []meta.IAMEntity
	for rows.Next() {
		e, err := scanEntity(rows, k)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// UpdateIAMEntity edits an entity's mutable fields through fn.
func (s *Store) UpdateIAMEntity(ctx context.Context, account string, k meta.EntityKind, name string, fn func(e *meta.IAMEntity) error) error {
	t, err := entityTable(k)
	if err != nil {
		return err
	}
	return s.write(ctx, "update "+string(k), func(c conn) error {
		e, err := c.getEntity(account, k, name)
		if err != nil {
			return err
		}
		if err := fn(&e); err != nil {
			return err
		}
		if k == meta.KindRole {
			_, err = c.exec("UPDATE iam_roles SET path = ?, trust_policy = ?, max_session_duration = ?, description = ? WHERE account = ? AND lname = ?",
				e.Path, e.TrustPolicy, e.MaxSessionDuration, e.Description, account, lower(name))
			return err
		}
		_, err = c.exec("UPDATE "+t+" SET path = ? WHERE account = ? AND lname = ?", e.Path, account, lower(name))
		return err
	})
}

func (c conn) count(q string, args ...any) (int, error) {
	var n int
	err := c.queryRow(q, args...).Scan(&n)
	return n, err
}

// DeleteIAMEntity removes an entity once nothing depends on it.
func (s *Store) DeleteIAMEntity(ctx context.Context, account string, k meta.EntityKind, name string) error {
	t, err := entityTable(k)
	if err != nil {
		return err
	}
	return s.write(ctx, "delete "+string(k), func(c conn) error {
		e, err := c.getEntity(account, k, name)
		if err != nil {
			return err
		}
		ln := lower(name)
		checks := []struct{ q, msg string }{
			{"SELECT COUNT(*) FROM iam_inline_policies WHERE account = ? AND kind = '" + string(k) + "' AND entity_lname = ?", "Cannot delete entity, must delete policies first."},
			{"SELECT COUNT(*) FROM iam_policy_attachments WHERE account = ? AND kind = '" + string(k) + "' AND entity_lname = ?", "Cannot delete entity, must detach all policies first."},
		}
		switch k {
		case meta.KindUser:
			checks = append(checks,
				struct{ q, msg string }{"SELECT COUNT(*) FROM group_members WHERE account = ? AND user_lname = ?", "Cannot delete entity, must remove users from group first."})
			n, err := c.count("SELECT COUNT(*) FROM access_keys WHERE account = ? AND user_name = ?", account, e.Name)
			if err != nil {
				return err
			}
			if n > 0 {
				return &meta.DeleteConflictError{Message: "Cannot delete entity, must delete access keys first."}
			}
		case meta.KindGroup:
			checks = append(checks,
				struct{ q, msg string }{"SELECT COUNT(*) FROM group_members WHERE account = ? AND group_lname = ?", "Cannot delete entity, must remove users from group first."})
		}
		for _, ch := range checks {
			n, err := c.count(ch.q, account, ln)
			if err != nil {
				return err
			}
			if n > 0 {
				return &meta.DeleteConflictError{Message: ch.msg}
			}
		}
		return mustAffect(c.exec("DELETE FROM "+t+" WHERE account = ? AND lname = ?", account, ln))
	})
}

// ---- groups ----

// AddUserToGroup makes user a member of group (idempotent).
func (s *Store) AddUserToGroup(ctx context.Context, account, group, user string) error {
	return s.write(ctx, "add user to group", func(c conn) error {
		if _, err := c.getEntity(account, meta.KindGroup, group); err != nil {
			return err
		}
		if _, err := c.getEntity(account, meta.KindUser, user); err != nil {
			return err
		}
		_, err := c.exec(`INSERT INTO group_members (account, group_lname, user_lname) VALUES (?, ?, ?)
ON CONFLICT (account, group_lname, user_lname) DO NOTHING`, account, lower(group), lower(user))
		return err
	})
}

// RemoveUserFromGroup ends a membership; meta.ErrNotFound if there is none.
func (s *Store) RemoveUserFromGroup(ctx context.Context, account, group, user string) error {
	return s.write(ctx, "remove user from group", func(c conn) error {
		return mustAffect(c.exec("DELETE FROM group_members WHERE account = ? AND group_lname = ? AND user_lname = ?", account, lower(group), lower(user)))
	})
}

// ListGroupsForUser lists the groups a user belongs to.
func (s *Store) ListGroupsForUser(ctx context.Context, account, user string) ([]meta.IAMEntity, error) {
	var out []meta.IAMEntity
	err := s.read(ctx, "list groups for user", func(c conn) (err error) {
		out, err = c.entities(`SELECT g.account, g.name, g.id, g.path, g.created_at, '', 0, '' FROM iam_groups g
JOIN group_members m ON m.account = g.account AND m.group_lname = g.lname
WHERE m.account = ? AND m.user_lname = ? ORDER BY g.lname`, meta.KindGroup, account, lower(user))
		return err
	})
	return out, err
}

// ListGroupMembers lists a group's users.
func (s *Store) ListGroupMembers(ctx context.Context, account, group string) ([]meta.IAMEntity, error) {
	var out []meta.IAMEntity
	err := s.read(ctx, "list group members", func(c conn) (err error) {
		if _, err := c.getEntity(account, meta.KindGroup, group); err != nil {
			return err
		}
		out, err = c.entities(`SELECT u.account, u.name, u.id, u.path, u.created_at, '', 0, '' FROM iam_users u
JOIN group_members m ON m.account = u.account AND m.user_lname = u.lname
WHERE m.account = ? AND m.group_lname = ? ORDER BY u.lname`, meta.KindUser, account, lower(group))
		return err
	})
	return out, err
}

// ---- inline policies ----

// PutInlinePolicy creates or replaces an entity's inline policy.
func (s *Store) PutInlinePolicy(ctx context.Context, account string, k meta.EntityKind, entity string, p meta.InlinePolicy) error {
	return s.write(ctx, "put inline policy", func(c conn) error {
		if _, err := c.getEntity(account, k, entity); err != nil {
			return err
		}
		_, err := c.exec(`INSERT INTO iam_inline_policies (account, kind, entity_lname, policy_name, document) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (account, kind, entity_lname, policy_name) DO UPDATE SET document = excluded.document`,
			account, string(k), lower(entity), p.Name, p.Document)
		return err
	})
}

// GetInlinePolicy returns an inline policy or meta.ErrNotFound.
func (s *Store) GetInlinePolicy(ctx context.Context, account string, k meta.EntityKind, entity, name string) (meta.InlinePolicy, error) {
	p := meta.InlinePolicy{Name: name}
	err := s.read(ctx, "get inline policy", func(c conn) error {
		if _, err := c.getEntity(account, k, entity); err != nil {
			return err
		}
		err := c.queryRow("SELECT document FROM iam_inline_policies WHERE account = ? AND kind = ? AND entity_lname = ? AND policy_name = ?",
			account, string(k), lower(entity), name).Scan(&p.Document)
		if errors.Is(err, sql.ErrNoRows) {
			return meta.ErrNotFound
		}
		return err
	})
	return p, err
}

// ListInlinePolicies lists an entity's inline policies by name.
func (s *Store) ListInlinePolicies(ctx context.Context, account string, k meta.EntityKind, entity string) ([]meta.InlinePolicy, error) {
	var out []meta.InlinePolicy
	err := s.read(ctx, "list inline policies", func(c conn) error {
		if _, err := c.getEntity(account, k, entity); err != nil {
			return err
		}
		rows, err := c.query("SELECT policy_name, document FROM iam_inline_policies WHERE account = ? AND kind = ? AND entity_lname = ? ORDER BY policy_name",
			account, string(k), lower(entity))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var p meta.InlinePolicy
			if err := rows.Scan(&p.Name, &p.Document); err != nil {
				return err
			}
			out = append(out, p)
		}
		return rows.Err()
	})
	return out, err
}

// DeleteInlinePolicy removes an inline policy; meta.ErrNotFound.
func (s *Store) DeleteInlinePolicy(ctx context.Context, account string, k meta.EntityKind, entity, name string) error {
	return s.write(ctx, "delete inline policy", func(c conn) error {
		if _, err := c.getEntity(account, k, entity); err != nil {
			return err
		}
		return mustAffect(c.exec("DELETE FROM iam_inline_policies WHERE account = ? AND kind = ? AND entity_lname = ? AND policy_name = ?",
			account, string(k), lower(entity), name))
	})
}

// ---- managed policies ----

const managedCols = "arn, account, name, id, path, document, description, created_at, updated_at"

func scanManaged(sc interface{ Scan(...any) error }) (meta.ManagedPolicy, error) {
	var p meta.ManagedPolicy
	var created, updated int64
	err := sc.Scan(&p.ARN, &p.Account, &p.Name, &p.ID, &p.Path, &p.Document, &p.Description, &created, &updated)
	p.CreatedAt, p.UpdatedAt = fromNanos(created), fromNanos(updated)
	return p, err
}

// CreateManagedPolicy stores a customer managed policy; meta.ErrConflict if
// the account has one of that name.
func (s *Store) CreateManagedPolicy(ctx context.Context, p meta.ManagedPolicy) error {
	if p.CreatedAt.IsZero() {
		p.CreatedAt = time.Now()
	}
	if p.UpdatedAt.IsZero() {
		p.UpdatedAt = p.CreatedAt
	}
	return s.write(ctx, "create policy", func(c conn) error {
		n, err := c.count("SELECT COUNT(*) FROM iam_managed_policies WHERE account = ? AND lname = ?", p.Account, lower(p.Name))
		if err != nil {
			return err
		}
		if n > 0 {
			return meta.ErrConflict
		}
		return insertOnce(c.exec(`INSERT INTO iam_managed_policies (`+managedCols+`, lname) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (arn) DO NOTHING`, p.ARN, p.Account, p.Name, p.ID, p.Path, p.Document, p.Description,
			p.CreatedAt.UnixNano(), p.UpdatedAt.UnixNano(), lower(p.Name)))
	})
}

// GetManagedPolicy returns a policy with its attachment count, or meta.ErrNotFound.
func (s *Store) GetManagedPolicy(ctx context.Context, arn string) (meta.ManagedPolicy, error) {
	var p meta.ManagedPolicy
	err := s.read(ctx, "get policy", func(c conn) error {
		var err error
		p, err = scanManaged(c.queryRow("SELECT "+managedCols+" FROM iam_managed_policies WHERE arn = ?", arn))
		if errors.Is(err, sql.ErrNoRows) {
			return meta.ErrNotFound
		}
		if err != nil {
			return err
		}
		p.AttachmentCount, err = c.count("SELECT COUNT(*) FROM iam_policy_attachments WHERE policy_arn = ?", arn)
		return err
	})
	return p, err
}

// ListManagedPolicies lists an account's customer managed policies by name.
func (s *Store) ListManagedPolicies(ctx context.Context, account string) ([]meta.ManagedPolicy, error) {
	var out []meta.ManagedPolicy
	err := s.read(ctx, "list policies", func(c conn) error {
		rows, err := c.query("SELECT "+managedCols+" FROM iam_managed_policies WHERE account = ? ORDER BY lname", account)
		if err != nil {
			return err
		}
		for rows.Next() {
			p, err := scanManaged(rows)
			if err != nil {
				rows.Close()
				return err
			}
			out = append(out, p)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for i := range out {
			if out[i].AttachmentCount, err = c.count("SELECT COUNT(*) FROM iam_policy_attachments WHERE policy_arn = ?", out[i].ARN); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// DeleteManagedPolicy removes a policy that is attached to nothing.
func (s *Store) DeleteManagedPolicy(ctx context.Context, arn string) error {
	return s.write(ctx, "delete policy", func(c conn) error {
		n, err := c.count("SELECT COUNT(*) FROM iam_policy_attachments WHERE policy_arn = ?", arn)
		if err != nil {
			return err
		}
		if n > 0 {
			return &meta.DeleteConflictError{Message: "Cannot delete a policy attached to entities."}
		}
		return mustAffect(c.exec("DELETE FROM iam_managed_policies WHERE arn = ?", arn))
	})
}

// AttachPolicy attaches policyARN to an entity (idempotent).
func (s *Store) AttachPolicy(ctx context.Context, account string, k meta.EntityKind, entity, policyARN string) error {
	return s.write(ctx, "attach policy", func(c conn) error {
		if _, err := c.getEntity(account, k, entity); err != nil {
			return err
		}
		_, err := c.exec(`INSERT INTO iam_policy_attachments (account, kind, entity_lname, policy_arn) VALUES (?, ?, ?, ?)
ON CONFLICT (account, kind, entity_lname, policy_arn) DO NOTHING`, account, string(k), lower(entity), policyARN)
		return err
	})
}

// DetachPolicy removes an attachment; meta.ErrNotFound if there is none.
func (s *Store) DetachPolicy(ctx context.Context, account string, k meta.EntityKind, entity, policyARN string) error {
	return s.write(ctx, "detach policy", func(c conn) error {
		return mustAffect(c.exec("DELETE FROM iam_policy_attachments WHERE account = ? AND kind = ? AND entity_lname = ? AND policy_arn = ?",
			account, string(k), lower(entity), policyARN))
	})
}

// ListAttachedPolicies lists the ARNs attached to an entity.
func (s *Store) ListAttachedPolicies(ctx context.Context, account string, k meta.EntityKind, entity string) ([]string, error) {
	var out []string
	err := s.read(ctx, "list attached policies", func(c conn) error {
		if _, err := c.getEntity(account, k, entity); err != nil {
			return err
		}
		var err error
		out, err = c.strings("SELECT policy_arn FROM iam_policy_attachments WHERE account = ? AND kind = ? AND entity_lname = ? ORDER BY policy_arn",
			account, string(k), lower(entity))
		return err
	})
	return out, err
}

func (c conn) strings(q string, args ...any) ([]string, error) {
	rows, err := c.query(q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// IdentityPolicies returns every policy document that applies to a user or
// role, read in one snapshot, plus attached ARNs the store does not hold.
// It runs on every authorized request, so it is two queries: the entity,
// then every inline and attached policy of it and (for users) its groups.
// The entity must have the unique ID id: credentials of a deleted entity
// get nothing from a later one of the same name.
func (s *Store) IdentityPolicies(ctx context.Context, account string, k meta.EntityKind, entity, id string) (docs, foreign []string, err error) {
	type answer struct {
		id            string
		docs, foreign []string
	}
	a, err := cached(s.cache, cacheKey{kind: cacheIdentityPolicies, a: account, b: string(k), c: entity}, false, func() (answer, error) {
		id, d, f, err := s.identityPolicies(ctx, account, k, entity)
		return answer{id, d, f}, err
	})
	if err == nil && a.id != id {
		return nil, nil, meta.ErrNotFound
	}
	return a.docs, a.foreign, err
}

func (s *Store) identityPolicies(ctx context.Context, account string, k meta.EntityKind, entity string) (id string, docs, foreign []string, err error) {
	err = s.read(ctx, "identity policies", func(c conn) error {
		docs, foreign = nil, nil
		e, err := c.getEntity(account, k, entity)
		if err != nil {
			return err
		}
		id = e.ID
		ln := lower(entity)
		rows, err := c.query(`SELECT i.document, '' FROM iam_inline_policies i
WHERE i.account = ? AND ((i.kind = ? AND i.entity_lname = ?) OR (i.kind = 'group' AND ? = 'user' AND i.entity_lname IN
	(SELECT m.group_lname FROM group_members m WHERE m.account = ? AND m.user_lname = ?)))
UNION ALL
SELECT COALESCE(p.document, ''), a.policy_arn FROM iam_policy_attachments a
LEFT JOIN iam_managed_policies p ON p.arn = a.policy_arn
WHERE a.account = ? AND ((a.kind = ? AND a.entity_lname = ?) OR (a.kind = 'group' AND ? = 'user' AND a.entity_lname IN
	(SELECT m.group_lname FROM group_members m WHERE m.account = ? AND m.user_lname = ?)))`,
			account, string(k), ln, string(k), account, ln,
			account, string(k), ln, string(k), account, ln)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var doc, arn string
			if err := rows.Scan(&doc, &arn); err != nil {
				return err
			}
			if doc == "" {
				foreign = append(foreign, arn)
			} else {
				docs = append(docs, doc)
			}
		}
		return rows.Err()
	})
	return id, docs, foreign, err
}

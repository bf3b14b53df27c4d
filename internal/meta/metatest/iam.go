package metatest

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/outpost-s3/outpost/internal/meta"
)

// RunIAM runs the conformance suite of the IAM part of meta.Store. open
// must return an empty store.
func RunIAM(t *testing.T, open func(t *testing.T) meta.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s meta.Store)
	}{
		{"accounts are created once", testAccounts},
		{"entity names are unique per account and kind regardless of case", testEntities},
		{"entities with dependents cannot be deleted", testDeleteConflicts},
		{"identity policies gather inline, managed and group policies", testIdentityPolicies},
		{"managed policies attach, detach and refuse deletion while attached", testManaged},
		{"access key secrets can be rewritten", testSecretRewrite},
		{"a re-created entity has a new unique ID that old credentials do not name", testUniqueIDs},
		{"access keys are bound to their user's unique ID", testKeyUserID},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, open(t))
		})
	}
}

const iamAcct, iamOther = "111122223333", "444455556666"

func testAccounts(t *testing.T, s meta.Store) {
	must(t, s.CreateAccount(ctx, meta.Account{ID: iamAcct, Name: "owner"}))
	wantErr(t, "duplicate account", s.CreateAccount(ctx, meta.Account{ID: iamAcct}), meta.ErrConflict)
	must(t, s.CreateAccount(ctx, meta.Account{ID: iamOther, Name: "partner", Email: "p@example.com"}))
	a, err := s.GetAccount(ctx, iamOther)
	must(t, err)
	if a.Name != "partner" || a.Email != "p@example.com" {
		t.Fatalf("GetAccount = %+v", a)
	}
	_, err = s.GetAccount(ctx, "999999999999")
	wantErr(t, "unknown account", err, meta.ErrNotFound)
	as, err := s.ListAccounts(ctx)
	must(t, err)
	if len(as) != 2 || as[0].ID != iamAcct || as[1].ID != iamOther {
		t.Fatalf("ListAccounts = %+v", as)
	}
}

func testEntities(t *testing.T, s meta.Store) {
	for _, k := range []meta.EntityKind{meta.KindUser, meta.KindGroup, meta.KindRole} {
		e := meta.IAMEntity{Account: iamAcct, Kind: k, Name: "Alice", ID: "ID" + string(k), Path: "/team/", TrustPolicy: "{}", MaxSessionDuration: 3600}
		must(t, s.CreateIAMEntity(ctx, e))
		wantErr(t, "same name in another case", s.CreateIAMEntity(ctx, meta.IAMEntity{Account: iamAcct, Kind: k, Name: "ALICE", ID: "x"}), meta.ErrConflict)
		must(t, s.CreateIAMEntity(ctx, meta.IAMEntity{Account: iamOther, Kind: k, Name: "alice", ID: "y"}))
		got, err := s.GetIAMEntity(ctx, iamAcct, k, "alice")
		must(t, err)
		if got.Name != "Alice" || got.Path != "/team/" || got.ID != "ID"+string(k) {
			t.Fatalf("%s: GetIAMEntity = %+v", k, got)
		}
		if k == meta.KindRole && (got.TrustPolicy != "{}" || got.MaxSessionDuration != 3600) {
			t.Fatalf("role fields lost: %+v", got)
		}
		list, err := s.ListIAMEntities(ctx, iamAcct, k, "/team/")
		must(t, err)
		if len(list) != 1 {
			t.Fatalf("%s: list under /team/ = %+v", k, list)
		}
		list, err = s.ListIAMEntities(ctx, iamAcct, k, "/other/")
		must(t, err)
		if len(list) != 0 {
			t.Fatalf("%s: list under /other/ = %+v", k, list)
		}
		must(t, s.UpdateIAMEntity(ctx, iamAcct, k, "alice", func(e *meta.IAMEntity) error {
			e.TrustPolicy, e.MaxSessionDuration = `{"v":2}`, 7200
			return nil
		}))
		if k == meta.KindRole {
			got, _ = s.GetIAMEntity(ctx, iamAcct, k, "Alice")
			if got.TrustPolicy != `{"v":2}` || got.MaxSessionDuration != 7200 {
				t.Fatalf("update lost: %+v", got)
			}
		}
		must(t, s.DeleteIAMEntity(ctx, iamAcct, k, "ALICE"))
		_, err = s.GetIAMEntity(ctx, iamAcct, k, "alice")
		wantErr(t, "deleted entity", err, meta.ErrNotFound)
		wantErr(t, "delete twice", s.DeleteIAMEntity(ctx, iamAcct, k, "alice"), meta.ErrNotFound)
	}
}

func testDeleteConflicts(t *testing.T, s meta.Store) {
	must(t, s.CreateIAMEntity(ctx, meta.IAMEntity{Account: iamAcct, Kind: meta.KindUser, Name: "bob", ID: "u"}))
	must(t, s.CreateIAMEntity(ctx, meta.IAMEntity{Account: iamAcct, Kind: meta.KindGroup, Name: "devs", ID: "g"}))
	must(t, s.PutAccessKey(ctx, meta.AccessKey{AccessKeyID: "AKBOB", Secret: "s", Account: iamAcct, UserName: "bob"}))
	wantErr(t, "user with a key", s.DeleteIAMEntity(ctx, iamAcct, meta.KindUser, "bob"), meta.ErrDeleteConflict)
	must(t, s.DeleteAccessKey(ctx, "AKBOB"))
	must(t, s.AddUserToGroup(ctx, iamAcct, "devs", "BOB"))
	must(t, s.AddUserToGroup(ctx, iamAcct, "devs", "bob")) // idempotent
	wantErr(t, "user in a group", s.DeleteIAMEntity(ctx, iamAcct, meta.KindUser, "bob"), meta.ErrDeleteConflict)
	wantErr(t, "group with members", s.DeleteIAMEntity(ctx, iamAcct, meta.KindGroup, "devs"), meta.ErrDeleteConflict)
	members, err := s.ListGroupMembers(ctx, iamAcct, "devs")
	must(t, err)
	if len(members) != 1 || members[0].Name != "bob" {
		t.Fatalf("members = %+v", members)
	}
	must(t, s.RemoveUserFromGroup(ctx, iamAcct, "devs", "bob"))
	wantErr(t, "remove twice", s.RemoveUserFromGroup(ctx, iamAcct, "devs", "bob"), meta.ErrNotFound)
	must(t, s.PutInlinePolicy(ctx, iamAcct, meta.KindUser, "bob", meta.InlinePolicy{Name: "p", Document: "{}"}))
	err = s.DeleteIAMEntity(ctx, iamAcct, meta.KindUser, "bob")
	var dc *meta.DeleteConflictError
	if !errors.As(err, &dc) || dc.Message == "" {
		t.Fatalf("user with a policy: %v", err)
	}
	must(t, s.DeleteInlinePolicy(ctx, iamAcct, meta.KindUser, "bob", "p"))
	must(t, s.DeleteIAMEntity(ctx, iamAcct, meta.KindUser, "bob"))
	must(t, s.DeleteIAMEntity(ctx, iamAcct, meta.KindGroup, "devs"))
	wantErr(t, "add to missing group", s.AddUserToGroup(ctx, iamAcct, "devs", "bob"), meta.ErrNotFound)
}

func testIdentityPolicies(t *testing.T, s meta.Store) {
	_, _, err := s.IdentityPolicies(ctx, iamAcct, meta.KindUser, "carol", "u")
	wantErr(t, "missing user", err, meta.ErrNotFound)
	must(t, s.CreateIAMEntity(ctx, meta.IAMEntity{Account: iamAcct, Kind: meta.KindUser, Name: "carol", ID: "u"}))
	must(t, s.CreateIAMEntity(ctx, meta.IAMEntity{Account: iamAcct, Kind: meta.KindGroup, Name: "g1", ID: "g"}))
	must(t, s.CreateManagedPolicy(ctx, meta.ManagedPolicy{Account: iamAcct, Name: "m", ARN: "arn:aws:iam::" + iamAcct + ":policy/m", ID: "p", Path: "/", Document: "managed"}))
	must(t, s.PutInlinePolicy(ctx, iamAcct, meta.KindUser, "carol", meta.InlinePolicy{Name: "a", Document: "user-inline"}))
	must(t, s.PutInlinePolicy(ctx, iamAcct, meta.KindUser, "carol", meta.InlinePolicy{Name: "a", Document: "user-inline-2"})) // replaces
	must(t, s.PutInlinePolicy(ctx, iamAcct, meta.KindGroup, "g1", meta.InlinePolicy{Name: "b", Document: "group-inline"}))
	must(t, s.AttachPolicy(ctx, iamAcct, meta.KindGroup, "g1", "arn:aws:iam::"+iamAcct+":policy/m"))
	must(t, s.AttachPolicy(ctx, iamAcct, meta.KindUser, "carol", "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"))
	must(t, s.AddUserToGroup(ctx, iamAcct, "g1", "carol"))
	_, _, err = s.IdentityPolicies(ctx, iamAcct, meta.KindUser, "Carol", "another")
	wantErr(t, "user of another ID", err, meta.ErrNotFound)
	docs, foreign, err := s.IdentityPolicies(ctx, iamAcct, meta.KindUser, "Carol", "u")
	must(t, err)
	slices.Sort(docs)
	if !slices.Equal(docs, []string{"group-inline", "managed", "user-inline-2"}) {
		t.Fatalf("docs = %q", docs)
	}
	if !slices.Equal(foreign, []string{"arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"}) {
		t.Fatalf("foreign = %q", foreign)
	}
	ps, err := s.ListInlinePolicies(ctx, iamAcct, meta.KindUser, "carol")
	must(t, err)
	if len(ps) != 1 || ps[0].Document != "user-inline-2" {
		t.Fatalf("inline = %+v", ps)
	}
	_, err = s.GetInlinePolicy(ctx, iamAcct, meta.KindUser, "carol", "nope")
	wantErr(t, "missing inline policy", err, meta.ErrNotFound)
}

func testManaged(t *testing.T, s meta.Store) {
	arn := "arn:aws:iam::" + iamAcct + ":policy/ops/readers"
	must(t, s.CreateIAMEntity(ctx, meta.IAMEntity{Account: iamAcct, Kind: meta.KindRole, Name: "r", ID: "r", TrustPolicy: "{}", MaxSessionDuration: 3600}))
	must(t, s.CreateManagedPolicy(ctx, meta.ManagedPolicy{Account: iamAcct, Name: "readers", ARN: arn, ID: "p", Path: "/ops/", Document: "d"}))
	wantErr(t, "duplicate policy name", s.CreateManagedPolicy(ctx, meta.ManagedPolicy{Account: iamAcct, Name: "Readers", ARN: "arn:aws:iam::" + iamAcct + ":policy/Readers", ID: "q", Path: "/", Document: "d"}), meta.ErrConflict)
	must(t, s.AttachPolicy(ctx, iamAcct, meta.KindRole, "r", arn))
	p, err := s.GetManagedPolicy(ctx, arn)
	must(t, err)
	if p.AttachmentCount != 1 || p.Path != "/ops/" {
		t.Fatalf("policy = %+v", p)
	}
	wantErr(t, "delete attached", s.DeleteManagedPolicy(ctx, arn), meta.ErrDeleteConflict)
	wantErr(t, "delete role with attachment", s.DeleteIAMEntity(ctx, iamAcct, meta.KindRole, "r"), meta.ErrDeleteConflict)
	arns, err := s.ListAttachedPolicies(ctx, iamAcct, meta.KindRole, "r")
	must(t, err)
	if !slices.Equal(arns, []string{arn}) {
		t.Fatalf("attached = %q", arns)
	}
	must(t, s.DetachPolicy(ctx, iamAcct, meta.KindRole, "r", arn))
	wantErr(t, "detach twice", s.DetachPolicy(ctx, iamAcct, meta.KindRole, "r", arn), meta.ErrNotFound)
	must(t, s.DeleteManagedPolicy(ctx, arn))
	_, err = s.GetManagedPolicy(ctx, arn)
	wantErr(t, "deleted policy", err, meta.ErrNotFound)
	ps, err := s.ListManagedPolicies(ctx, iamAcct)
	must(t, err)
	if len(ps) != 0 {
		t.Fatalf("policies left: %+v", ps)
	}
}

func testSecretRewrite(t *testing.T, s meta.Store) {
	must(t, s.PutAccessKey(ctx, meta.AccessKey{AccessKeyID: "AKX", Secret: "plain", Account: iamAcct}))
	must(t, s.SetAccessKeySecret(ctx, "AKX", "enc:v1:xyz"))
	k, err := s.GetAccessKey(ctx, "AKX")
	must(t, err)
	if k.Secret != "enc:v1:xyz" {
		t.Fatalf("secret = %q", k.Secret)
	}
	wantErr(t, "missing key", s.SetAccessKeySecret(ctx, "AKNONE", "x"), meta.ErrNotFound)
}

// wantUniqueID fails unless id has the shape of an AWS unique ID: the
// kind's prefix and 17 base32 characters.
func wantUniqueID(t *testing.T, k meta.EntityKind, id string) {
	t.Helper()
	ok := len(id) == meta.UniqueIDLen && strings.HasPrefix(id, k.IDPrefix())
	for _, c := range id[min(4, len(id)):] {
		ok = ok && (c >= 'A' && c <= 'Z' || c >= '2' && c <= '7')
	}
	if !ok {
		t.Fatalf("%s ID %q is not %s + 17 base32 characters", k, id, k.IDPrefix())
	}
}

func testUniqueIDs(t *testing.T, s meta.Store) {
	for _, k := range []meta.EntityKind{meta.KindUser, meta.KindGroup, meta.KindRole} {
		e := meta.IAMEntity{Account: iamAcct, Kind: k, Name: "dana", TrustPolicy: "{}", MaxSessionDuration: 3600}
		must(t, s.CreateIAMEntity(ctx, e))
		first, err := s.GetIAMEntity(ctx, iamAcct, k, "dana")
		must(t, err)
		wantUniqueID(t, k, first.ID)
		if k != meta.KindGroup {
			must(t, s.PutInlinePolicy(ctx, iamAcct, k, "dana", meta.InlinePolicy{Name: "p", Document: "old"}))
			docs, _, err := s.IdentityPolicies(ctx, iamAcct, k, "dana", first.ID)
			must(t, err)
			if !slices.Equal(docs, []string{"old"}) {
				t.Fatalf("%s: docs = %q", k, docs)
			}
			must(t, s.DeleteInlinePolicy(ctx, iamAcct, k, "dana", "p"))
		}
		must(t, s.DeleteIAMEntity(ctx, iamAcct, k, "dana"))
		must(t, s.CreateIAMEntity(ctx, e))
		second, err := s.GetIAMEntity(ctx, iamAcct, k, "DANA")
		must(t, err)
		wantUniqueID(t, k, second.ID)
		if second.ID == first.ID {
			t.Fatalf("%s re-created under its name kept ID %s", k, first.ID)
		}
		if k != meta.KindGroup {
			must(t, s.PutInlinePolicy(ctx, iamAcct, k, "dana", meta.InlinePolicy{Name: "p", Document: "new"}))
			_, _, err = s.IdentityPolicies(ctx, iamAcct, k, "dana", first.ID)
			wantErr(t, string(k)+" policies by the deleted entity's ID", err, meta.ErrNotFound)
			docs, _, err := s.IdentityPolicies(ctx, iamAcct, k, "dana", second.ID)
			must(t, err)
			if !slices.Equal(docs, []string{"new"}) {
				t.Fatalf("%s: docs = %q", k, docs)
			}
		}
	}
}

func testKeyUserID(t *testing.T, s meta.Store) {
	must(t, s.CreateIAMEntity(ctx, meta.IAMEntity{Account: iamAcct, Kind: meta.KindUser, Name: "erin"}))
	u, err := s.GetIAMEntity(ctx, iamAcct, meta.KindUser, "erin")
	must(t, err)
	must(t, s.PutAccessKey(ctx, meta.AccessKey{AccessKeyID: "AKERIN1", Secret: "s", Account: iamAcct, UserName: "erin"}))
	must(t, s.PutAccessKey(ctx, meta.AccessKey{AccessKeyID: "AKERIN2", Secret: "s", Account: iamAcct, UserName: "erin", UserID: u.ID}))
	for _, id := range []string{"AKERIN1", "AKERIN2"} {
		k, err := s.GetAccessKey(ctx, id)
		must(t, err)
		if k.UserID != u.ID {
			t.Fatalf("%s: UserID = %q, want %q", id, k.UserID, u.ID)
		}
	}
	wantErr(t, "key for a user of another ID", s.PutAccessKey(ctx, meta.AccessKey{AccessKeyID: "AKERIN3", Secret: "s", Account: iamAcct, UserName: "erin", UserID: "AIDAGONE"}), meta.ErrNotFound)
	wantErr(t, "key for a missing user of a given ID", s.PutAccessKey(ctx, meta.AccessKey{AccessKeyID: "AKERIN3", Secret: "s", Account: iamAcct, UserName: "nobody", UserID: "AIDAGONE"}), meta.ErrNotFound)
	if _, err := s.GetAccessKey(ctx, "AKERIN3"); !errors.Is(err, meta.ErrNotFound) {
		t.Fatalf("refused key stored: %v", err)
	}
	must(t, s.PutAccessKey(ctx, meta.AccessKey{AccessKeyID: "AKROOT", Secret: "s", Account: iamAcct}))
	k, err := s.GetAccessKey(ctx, "AKROOT")
	must(t, err)
	if k.UserID != "" {
		t.Fatalf("root key UserID = %q", k.UserID)
	}
}

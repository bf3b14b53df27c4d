package iam_test

import (
	"bytes"
	"database/sql"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/outpost-s3/outpost/internal/app"
	outpostiam "github.com/outpost-s3/outpost/internal/iam"
	_ "github.com/outpost-s3/outpost/internal/meta/sqlmeta" // the "sqlite" driver, to plant a stale key row
	"github.com/outpost-s3/outpost/internal/testserver"
	"github.com/outpost-s3/outpost/sigv4"
)

// Unique IDs as AWS shapes them: a 4-letter prefix and 17 base32 characters
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids).
var (
	userIDShape  = regexp.MustCompile(`^AIDA[A-Z2-7]{17}$`)
	groupIDShape = regexp.MustCompile(`^AGPA[A-Z2-7]{17}$`)
	roleIDShape  = regexp.MustCompile(`^AROA[A-Z2-7]{17}$`)
)

// linkPair is what a holder of credentials shares: a GET link to an
// existing object and a PUT link to a new key.
type linkPair struct{ get, put string }

func links(t *testing.T, srv *testserver.Server, c sigv4.Credentials, putKey string) linkPair {
	t.Helper()
	return linkPair{
		get: presign(t, srv, c, http.MethodGet, "/shared/doc.txt", "s3", time.Now(), 24*time.Hour),
		put: presign(t, srv, c, http.MethodPut, "/shared/"+putKey, "s3", time.Now(), 24*time.Hour),
	}
}

// wantDead checks that both links are refused with code and that the PUT
// stored nothing (listed back with the root user's credentials).
func (l linkPair) wantDead(t *testing.T, srv *testserver.Server, what, code, putKey string) {
	t.Helper()
	wantURL(t, what+": GET link", http.MethodGet, l.get, http.StatusForbidden, code)
	wantURL(t, what+": PUT link", http.MethodPut, l.put, http.StatusForbidden, code)
	out := ok(s3Client(srv, rootCreds).ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("shared"), Prefix: aws.String(putKey)}))(t, "ListObjectsV2")
	if len(out.Contents) != 0 {
		t.Fatalf("%s: the refused PUT link stored %s", what, aws.ToString(out.Contents[0].Key))
	}
}

// sharedBucket makes the bucket the links point into, with doc.txt in it.
func sharedBucket(t *testing.T, srv *testserver.Server) {
	t.Helper()
	srv.MustBucket(t, "shared")
	ok(s3Client(srv, rootCreds).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("shared"), Key: aws.String("doc.txt"), Body: bytes.NewReader([]byte("doc"))}))(t, "PutObject doc.txt")
}

func TestDeletedRoleSessionStaysDeadWhenRoleRecreated(t *testing.T) {
	srv, _ := start(t)
	sharedBucket(t, srv)
	ic := iamClient(srv, rootCreds)
	gina := newUser(t, srv, rootCreds, "gina")
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:user/gina"},"Action":"sts:AssumeRole"}]}`
	roleARN := "arn:aws:iam::" + account + ":role/rw"
	createRole := func() string {
		out := ok(ic.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("rw"), AssumeRolePolicyDocument: aws.String(trust)}))(t, "CreateRole")
		ok(ic.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("rw"), PolicyName: aws.String("rw"), PolicyDocument: aws.String(getPutPolicy)}))(t, "PutRolePolicy")
		return aws.ToString(out.Role.RoleId)
	}
	assume := func(session string) sigv4.Credentials {
		out := ok(stsClient(srv, gina).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String(session)}))(t, "AssumeRole")
		return stsCreds(out.Credentials)
	}
	firstID := createRole()
	oldSession := assume("first")
	old := links(t, srv, oldSession, "by-old-session.txt")
	wantURL(t, "GET link of a live role session", http.MethodGet, old.get, 200, "")

	ok(ic.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("rw"), PolicyName: aws.String("rw")}))(t, "DeleteRolePolicy")
	ok(ic.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("rw")}))(t, "DeleteRole")
	old.wantDead(t, srv, "role deleted", "AccessDenied", "by-old-session.txt")

	// A new role of the same name, trust and policy is another role: the
	// old session's links stay dead, the new role's sessions work.
	if secondID := createRole(); secondID == firstID || !roleIDShape.MatchString(secondID) {
		t.Fatalf("re-created role has ID %q (the first had %q)", secondID, firstID)
	}
	old.wantDead(t, srv, "role re-created under the same name", "AccessDenied", "by-old-session.txt")
	// GetCallerIdentity needs no permission (as on AWS): it still names
	// the old role by its old ID, never the new one.
	who := ok(stsClient(srv, oldSession).GetCallerIdentity(ctx, nil))(t, "GetCallerIdentity with the old session")
	if aws.ToString(who.UserId) != firstID+":first" {
		t.Fatalf("old session's UserId = %s, want %s:first", aws.ToString(who.UserId), firstID)
	}
	fresh := links(t, srv, assume("second"), "by-new-session.txt")
	wantURL(t, "GET link of the new role's session", http.MethodGet, fresh.get, 200, "")
}

func TestDeletedUserSessionStaysDeadWhenUserRecreated(t *testing.T) {
	srv, _ := start(t)
	sharedBucket(t, srv)
	ic := iamClient(srv, rootCreds)
	createFrank := func() (sigv4.Credentials, string) {
		k := newUser(t, srv, rootCreds, "frank")
		putUserPolicy(t, srv, "frank", "rw", getPutPolicy)
		u := ok(ic.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("frank")}))(t, "GetUser")
		return k, aws.ToString(u.User.UserId)
	}
	session := func(k sigv4.Credentials) sigv4.Credentials {
		return stsCreds(ok(stsClient(srv, k).GetSessionToken(ctx, &sts.GetSessionTokenInput{}))(t, "GetSessionToken").Credentials)
	}
	key, firstID := createFrank()
	old := links(t, srv, session(key), "by-old-session.txt")
	wantURL(t, "GET link of a live user session", http.MethodGet, old.get, 200, "")

	ok(ic.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("frank"), AccessKeyId: aws.String(key.AccessKeyID)}))(t, "DeleteAccessKey")
	ok(ic.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("frank"), PolicyName: aws.String("rw")}))(t, "DeleteUserPolicy")
	ok(ic.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("frank")}))(t, "DeleteUser")
	old.wantDead(t, srv, "user deleted", "AccessDenied", "by-old-session.txt")

	key2, secondID := createFrank()
	if secondID == firstID || !userIDShape.MatchString(secondID) {
		t.Fatalf("re-created user has ID %q (the first had %q)", secondID, firstID)
	}
	old.wantDead(t, srv, "user re-created under the same name", "AccessDenied", "by-old-session.txt")
	fresh := links(t, srv, session(key2), "by-new-session.txt")
	wantURL(t, "GET link of the new user's session", http.MethodGet, fresh.get, 200, "")
}

func TestDeletedUserKeyStaysDeadWhenUserRecreated(t *testing.T) {
	srv, _ := start(t)
	sharedBucket(t, srv)
	ic := iamClient(srv, rootCreds)
	key := newUser(t, srv, rootCreds, "ivy")
	putUserPolicy(t, srv, "ivy", "rw", getPutPolicy)
	old := links(t, srv, key, "by-old-key.txt")
	wantURL(t, "GET link of a live key", http.MethodGet, old.get, 200, "")

	ok(ic.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("ivy"), AccessKeyId: aws.String(key.AccessKeyID)}))(t, "DeleteAccessKey")
	ok(ic.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("ivy"), PolicyName: aws.String("rw")}))(t, "DeleteUserPolicy")
	ok(ic.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("ivy")}))(t, "DeleteUser")
	old.wantDead(t, srv, "user deleted", "InvalidAccessKeyId", "by-old-key.txt")

	key2 := newUser(t, srv, rootCreds, "ivy")
	putUserPolicy(t, srv, "ivy", "rw", getPutPolicy)
	old.wantDead(t, srv, "user re-created under the same name", "InvalidAccessKeyId", "by-old-key.txt")
	if key2.AccessKeyID == key.AccessKeyID {
		t.Fatal("the re-created user got the old access key ID")
	}
	wantURL(t, "GET link of the new user's key", http.MethodGet, links(t, srv, key2, "by-new-key.txt").get, 200, "")
}

// TestKeyBoundToAnEarlierUserOfTheNameIsRefused plants, in the data
// directory, a key row naming the current user "ivy" but bound to the
// unique ID of an earlier ivy (a row an IAM bug, a restored backup or a
// hand edit could leave): the key must not work for the later ivy.
func TestKeyBoundToAnEarlierUserOfTheNameIsRefused(t *testing.T) {
	if os.Getenv("OUTPOST_TEST_SERVER_POSTGRES_DSN") != "" {
		t.Skip("this test edits the SQLite file of the data directory")
	}
	dir := t.TempDir()
	srv := testserver.Start(t, testserver.Options{DataDir: dir})
	sharedBucket(t, srv)
	key := newUser(t, srv, rootCreds, "ivy")
	putUserPolicy(t, srv, "ivy", "rw", getPutPolicy)
	wantURL(t, "GET link of ivy's key", http.MethodGet, links(t, srv, key, "x.txt").get, 200, "")
	srv.Stop()

	db, err := sql.Open("sqlite", filepath.Join(dir, "meta.db"))
	must(t, "open meta.db", err)
	stale := sigv4.Credentials{AccessKeyID: "AKIDSTALEIVY00000001", SecretAccessKey: "stale-secret"}
	_, err = db.Exec(`INSERT INTO access_keys (access_key_id, secret, account, user_name, user_id, status, created_at)
VALUES (?, ?, ?, 'ivy', 'AIDAEARLIERIVY2345672', 'Active', 1)`, stale.AccessKeyID, stale.SecretAccessKey, account)
	must(t, "plant a stale key", err)
	db.Close()

	srv = testserver.Start(t, testserver.Options{DataDir: dir})
	wantURL(t, "GET link of ivy's own key after restart", http.MethodGet, links(t, srv, key, "y.txt").get, 200, "")
	l := links(t, srv, stale, "by-stale-key.txt")
	l.wantDead(t, srv, "key bound to an earlier ivy", "InvalidAccessKeyId", "by-stale-key.txt")
	_, err = stsClient(srv, stale).GetCallerIdentity(ctx, nil)
	wantCode(t, "STS with the stale key", err, "InvalidClientTokenId")
}

func TestUniqueIDsHaveAWSShapeAndSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	dsn := freshPostgresSchema(t)
	cfg := func(c *app.Config) {
		if dsn != "" {
			c.PostgresDSN = dsn
		}
	}
	srv := testserver.Start(t, testserver.Options{DataDir: dir, Config: cfg})
	ic := iamClient(srv, rootCreds)
	seen := map[string]string{}
	unique := func(what, id string, shape *regexp.Regexp) {
		t.Helper()
		if !shape.MatchString(id) {
			t.Fatalf("%s has ID %q, want %s", what, id, shape)
		}
		if other, dup := seen[id]; dup && other != what {
			t.Fatalf("%s and %s share ID %s", what, other, id)
		}
		seen[id] = what
	}
	users := map[string]string{}
	for _, n := range []string{"u1", "u2", "u3"} {
		out := ok(ic.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(n)}))(t, "CreateUser")
		users[n] = aws.ToString(out.User.UserId)
		unique("user "+n, users[n], userIDShape)
	}
	groups := map[string]string{}
	for _, n := range []string{"g1", "g2"} {
		out := ok(ic.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String(n)}))(t, "CreateGroup")
		groups[n] = aws.ToString(out.Group.GroupId)
		unique("group "+n, groups[n], groupIDShape)
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"sts:AssumeRole"}]}`
	roles := map[string]string{}
	for _, n := range []string{"r1", "r2"} {
		out := ok(ic.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(n), AssumeRolePolicyDocument: aws.String(trust)}))(t, "CreateRole")
		roles[n] = aws.ToString(out.Role.RoleId)
		unique("role "+n, roles[n], roleIDShape)
	}
	k := ok(ic.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("u1")}))(t, "CreateAccessKey")
	u1 := sigv4Creds(k.AccessKey)
	putUserPolicy(t, srv, "u1", "assume", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)
	as := ok(stsClient(srv, u1).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + account + ":role/r1"), RoleSessionName: aws.String("s1")}))(t, "AssumeRole")
	if got := aws.ToString(as.AssumedRoleUser.AssumedRoleId); got != roles["r1"]+":s1" {
		t.Fatalf("AssumedRoleId = %q, want %s:s1", got, roles["r1"])
	}
	roleSession := stsCreds(as.Credentials)

	check := func(when string) {
		t.Helper()
		ic := iamClient(srv, rootCreds)
		same := func(api string, want map[string]string, name, id *string) {
			t.Helper()
			if aws.ToString(id) != want[aws.ToString(name)] {
				t.Fatalf("%s: %s gives %s the ID %s, want %s", when, api, aws.ToString(name), aws.ToString(id), want[aws.ToString(name)])
			}
		}
		for n := range users {
			u := ok(ic.GetUser(ctx, &iam.GetUserInput{UserName: aws.String(n)}))(t, "GetUser").User
			same("GetUser", users, u.UserName, u.UserId)
		}
		listUsers := ok(ic.ListUsers(ctx, &iam.ListUsersInput{}))(t, "ListUsers").Users
		if len(listUsers) != len(users) {
			t.Fatalf("%s: ListUsers lists %d, want %d", when, len(listUsers), len(users))
		}
		for _, u := range listUsers {
			same("ListUsers", users, u.UserName, u.UserId)
		}
		for n := range groups {
			g := ok(ic.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String(n)}))(t, "GetGroup").Group
			same("GetGroup", groups, g.GroupName, g.GroupId)
		}
		listGroups := ok(ic.ListGroups(ctx, &iam.ListGroupsInput{}))(t, "ListGroups").Groups
		if len(listGroups) != len(groups) {
			t.Fatalf("%s: ListGroups lists %d, want %d", when, len(listGroups), len(groups))
		}
		for _, g := range listGroups {
			same("ListGroups", groups, g.GroupName, g.GroupId)
		}
		for n := range roles {
			r := ok(ic.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(n)}))(t, "GetRole").Role
			same("GetRole", roles, r.RoleName, r.RoleId)
		}
		listRoles := ok(ic.ListRoles(ctx, &iam.ListRolesInput{}))(t, "ListRoles").Roles
		if len(listRoles) != len(roles) {
			t.Fatalf("%s: ListRoles lists %d, want %d", when, len(listRoles), len(roles))
		}
		for _, r := range listRoles {
			same("ListRoles", roles, r.RoleName, r.RoleId)
		}
		// GetCallerIdentity's UserId is aws:userid: the user's ID, or the
		// role's ID and the session name.
		if got := aws.ToString(ok(stsClient(srv, u1).GetCallerIdentity(ctx, nil))(t, "GetCallerIdentity as u1").UserId); got != users["u1"] {
			t.Fatalf("%s: GetCallerIdentity as u1: UserId = %s, want %s", when, got, users["u1"])
		}
		if got := aws.ToString(ok(stsClient(srv, roleSession).GetCallerIdentity(ctx, nil))(t, "GetCallerIdentity as r1/s1").UserId); got != roles["r1"]+":s1" {
			t.Fatalf("%s: GetCallerIdentity as the role session: UserId = %s, want %s:s1", when, got, roles["r1"])
		}
	}
	check("before restart")
	srv.Stop()
	srv = testserver.Start(t, testserver.Options{DataDir: dir, Config: cfg})
	check("after restart")
}

// TestSessionTokenWithoutUniqueIDIsRefused seals, with the server's own
// master key, user and role session tokens that carry no unique ID: they
// are refused, never matched to the user or role by name.
func TestSessionTokenWithoutUniqueIDIsRefused(t *testing.T) {
	srv, _ := start(t)
	sharedBucket(t, srv)
	newUser(t, srv, rootCreds, "frank")
	putUserPolicy(t, srv, "frank", "rw", getPutPolicy)
	ic := iamClient(srv, rootCreds)
	ok(ic.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("rw"), AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"sts:AssumeRole"}]}`)}))(t, "CreateRole")
	ok(ic.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("rw"), PolicyName: aws.String("rw"), PolicyDocument: aws.String(getPutPolicy)}))(t, "PutRolePolicy")
	now := time.Now()
	for _, s := range []*outpostiam.Session{
		{Type: "User", UserName: "frank", Path: "/"},
		{Type: "AssumedRole", RoleName: "rw", SessionName: "s", Path: "/"},
	} {
		s.AccessKeyID, s.Secret, s.Account = outpostiam.NewTemporaryAccessKeyID(), outpostiam.NewSecret(), account
		s.Issued, s.Expires = now.Unix(), now.Add(time.Hour).Unix()
		tok, err := srv.App.Keyring.SealSession(s)
		must(t, "SealSession", err)
		l := links(t, srv, sigv4.Credentials{AccessKeyID: s.AccessKeyID, SecretAccessKey: s.Secret, SessionToken: tok}, "by-id-less-"+s.Type+".txt")
		l.wantDead(t, srv, s.Type+" session without a unique ID", "AccessDenied", "by-id-less-"+s.Type+".txt")
	}
}

package iam_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

const readOnlyPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":"*"}]}`

func TestUsersAndAccessKeys(t *testing.T) {
	srv, _ := start(t)
	ic := iamClient(srv, rootCreds)

	u := ok(ic.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice"), Path: aws.String("/staff/")}))(t, "CreateUser").User
	if aws.ToString(u.Arn) != "arn:aws:iam::"+account+":user/staff/alice" || !strings.HasPrefix(aws.ToString(u.UserId), "AIDA") || u.CreateDate == nil {
		t.Fatalf("CreateUser = %+v", u)
	}
	_, err := ic.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("ALICE")})
	wantCode(t, "CreateUser of an existing name (other case)", err, "EntityAlreadyExists")
	_, err = ic.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bad name!")})
	wantCode(t, "CreateUser with a bad name", err, "ValidationError")

	g := ok(ic.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("alice")}))(t, "GetUser").User
	if aws.ToString(g.UserId) != aws.ToString(u.UserId) || aws.ToString(g.Path) != "/staff/" {
		t.Fatalf("GetUser = %+v", g)
	}
	_, err = ic.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("nobody")})
	wantCode(t, "GetUser of a missing user", err, "NoSuchEntity")
	root := ok(ic.GetUser(ctx, &iam.GetUserInput{}))(t, "GetUser of the root user").User
	if aws.ToString(root.Arn) != "arn:aws:iam::"+account+":root" {
		t.Fatalf("GetUser(root) = %+v", root)
	}

	ok(ic.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bob")}))(t, "CreateUser bob")
	users := ok(ic.ListUsers(ctx, &iam.ListUsersInput{}))(t, "ListUsers").Users
	if len(users) != 2 || aws.ToString(users[0].UserName) != "alice" || aws.ToString(users[1].UserName) != "bob" {
		t.Fatalf("ListUsers = %+v", users)
	}
	staff := ok(ic.ListUsers(ctx, &iam.ListUsersInput{PathPrefix: aws.String("/staff/")}))(t, "ListUsers /staff/").Users
	if len(staff) != 1 {
		t.Fatalf("ListUsers(/staff/) = %+v", staff)
	}

	// Access keys: at most two per user.
	k1 := ok(ic.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")}))(t, "CreateAccessKey").AccessKey
	if len(aws.ToString(k1.SecretAccessKey)) != 40 || k1.Status != types.StatusTypeActive || aws.ToString(k1.UserName) != "alice" {
		t.Fatalf("CreateAccessKey = %+v", k1)
	}
	k2 := ok(ic.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")}))(t, "second CreateAccessKey").AccessKey
	_, err = ic.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")})
	wantCode(t, "third access key", err, "LimitExceeded")
	keys := ok(ic.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("alice")}))(t, "ListAccessKeys").AccessKeyMetadata
	if len(keys) != 2 {
		t.Fatalf("ListAccessKeys = %+v", keys)
	}
	ok(ic.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: k2.AccessKeyId, Status: types.StatusTypeInactive}))(t, "UpdateAccessKey")
	keys = ok(ic.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("alice")}))(t, "ListAccessKeys").AccessKeyMetadata
	for _, k := range keys {
		want := types.StatusTypeActive
		if aws.ToString(k.AccessKeyId) == aws.ToString(k2.AccessKeyId) {
			want = types.StatusTypeInactive
		}
		if k.Status != want {
			t.Fatalf("key %s status %s, want %s", aws.ToString(k.AccessKeyId), k.Status, want)
		}
	}
	_, err = ic.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("bob"), AccessKeyId: k2.AccessKeyId, Status: types.StatusTypeActive})
	wantCode(t, "UpdateAccessKey of another user's key", err, "NoSuchEntity")

	// A user's key signs as that user; the user manages its own keys
	// only with permission.
	alice := sigv4Creds(k1)
	who := ok(stsClient(srv, alice).GetCallerIdentity(ctx, nil))(t, "GetCallerIdentity as alice")
	if aws.ToString(who.Arn) != "arn:aws:iam::"+account+":user/staff/alice" || aws.ToString(who.UserId) != aws.ToString(u.UserId) {
		t.Fatalf("GetCallerIdentity = %+v", who)
	}
	_, err = iamClient(srv, alice).ListUsers(ctx, &iam.ListUsersInput{})
	wantCode(t, "ListUsers without permission", err, "AccessDenied")

	// Deleting a user needs its keys gone first.
	_, err = ic.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("alice")})
	wantCode(t, "DeleteUser with keys", err, "DeleteConflict")
	ok(ic.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: k1.AccessKeyId}))(t, "DeleteAccessKey")
	ok(ic.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: k2.AccessKeyId}))(t, "DeleteAccessKey")
	_, err = ic.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: k2.AccessKeyId})
	wantCode(t, "DeleteAccessKey twice", err, "NoSuchEntity")
	ok(ic.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("alice")}))(t, "DeleteUser")
	_, err = ic.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("alice")})
	wantCode(t, "DeleteUser twice", err, "NoSuchEntity")

	// The root user's own keys (no UserName).
	rootKeys := ok(ic.ListAccessKeys(ctx, &iam.ListAccessKeysInput{}))(t, "ListAccessKeys of root").AccessKeyMetadata
	if len(rootKeys) != 1 || aws.ToString(rootKeys[0].AccessKeyId) != rootCreds.AccessKeyID {
		t.Fatalf("root keys = %+v", rootKeys)
	}
}

func TestInlinePolicies(t *testing.T) {
	srv, _ := start(t)
	ic := iamClient(srv, rootCreds)
	ok(ic.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("carol")}))(t, "CreateUser")

	ok(ic.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("carol"), PolicyName: aws.String("read"), PolicyDocument: aws.String(readOnlyPolicy)}))(t, "PutUserPolicy")
	got := ok(ic.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: aws.String("carol"), PolicyName: aws.String("read")}))(t, "GetUserPolicy")
	// IAM returns documents URL-encoded (RFC 3986).
	if doc, _ := url.QueryUnescape(aws.ToString(got.PolicyDocument)); doc != readOnlyPolicy {
		t.Fatalf("GetUserPolicy document = %q", aws.ToString(got.PolicyDocument))
	}
	names := ok(ic.ListUserPolicies(ctx, &iam.ListUserPoliciesInput{UserName: aws.String("carol")}))(t, "ListUserPolicies").PolicyNames
	if len(names) != 1 || names[0] != "read" {
		t.Fatalf("ListUserPolicies = %q", names)
	}
	_, err := ic.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("carol"), PolicyName: aws.String("bad"), PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject"}]}`)})
	wantCode(t, "PutUserPolicy without Resource", err, "MalformedPolicyDocument")
	_, err = ic.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("carol"), PolicyName: aws.String("p"), PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}`)})
	wantCode(t, "PutUserPolicy with a Principal", err, "MalformedPolicyDocument")
	big := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":[` + strings.Repeat(`"arn:aws:s3:::bucket/some/long/prefix/*",`, 60) + `"*"]}]}`
	_, err = ic.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("carol"), PolicyName: aws.String("big"), PolicyDocument: aws.String(big)})
	wantCode(t, "PutUserPolicy over 2048 characters", err, "LimitExceeded")
	_, err = ic.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("nobody"), PolicyName: aws.String("p"), PolicyDocument: aws.String(readOnlyPolicy)})
	wantCode(t, "PutUserPolicy of a missing user", err, "NoSuchEntity")
	_, err = ic.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("carol")})
	wantCode(t, "DeleteUser with a policy", err, "DeleteConflict")
	ok(ic.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("carol"), PolicyName: aws.String("read")}))(t, "DeleteUserPolicy")
	_, err = ic.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: aws.String("carol"), PolicyName: aws.String("read")})
	wantCode(t, "GetUserPolicy after delete", err, "NoSuchEntity")
	_, err = ic.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("carol"), PolicyName: aws.String("read")})
	wantCode(t, "DeleteUserPolicy twice", err, "NoSuchEntity")
}

func TestGroups(t *testing.T) {
	srv, _ := start(t)
	ic := iamClient(srv, rootCreds)
	dave := newUser(t, srv, rootCreds, "dave")
	srv.MustBucket(t, "team")

	grp := ok(ic.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("readers")}))(t, "CreateGroup").Group
	if aws.ToString(grp.Arn) != "arn:aws:iam::"+account+":group/readers" || !strings.HasPrefix(aws.ToString(grp.GroupId), "AGPA") {
		t.Fatalf("CreateGroup = %+v", grp)
	}
	_, err := ic.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("readers")})
	wantCode(t, "CreateGroup twice", err, "EntityAlreadyExists")
	ok(ic.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("readers"), UserName: aws.String("dave")}))(t, "AddUserToGroup")
	_, err = ic.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("readers"), UserName: aws.String("nobody")})
	wantCode(t, "AddUserToGroup of a missing user", err, "NoSuchEntity")
	got := ok(ic.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("readers")}))(t, "GetGroup")
	if len(got.Users) != 1 || aws.ToString(got.Users[0].UserName) != "dave" {
		t.Fatalf("GetGroup users = %+v", got.Users)
	}
	groups := ok(ic.ListGroups(ctx, &iam.ListGroupsInput{}))(t, "ListGroups").Groups
	if len(groups) != 1 {
		t.Fatalf("ListGroups = %+v", groups)
	}
	forUser := ok(ic.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: aws.String("dave")}))(t, "ListGroupsForUser").Groups
	if len(forUser) != 1 {
		t.Fatalf("ListGroupsForUser = %+v", forUser)
	}

	// A group's policy applies to its members.
	code := func() string {
		_, c := signedDo(t, dave, "s3", "GET", srv.URL+"/team?list-type=2", nil, nil)
		return c
	}
	if c := code(); c != "AccessDenied" {
		t.Fatalf("list before the group policy: %q", c)
	}
	ok(ic.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("readers"), PolicyName: aws.String("read"), PolicyDocument: aws.String(readOnlyPolicy)}))(t, "PutGroupPolicy")
	if c := code(); c != "" {
		t.Fatalf("list with the group policy: %q", c)
	}
	_, err = ic.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String("readers")})
	wantCode(t, "DeleteGroup with members", err, "DeleteConflict")
	ok(ic.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: aws.String("readers"), UserName: aws.String("dave")}))(t, "RemoveUserFromGroup")
	if c := code(); c != "AccessDenied" {
		t.Fatalf("list after leaving the group: %q", c)
	}
	_, err = ic.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: aws.String("readers"), UserName: aws.String("dave")})
	wantCode(t, "RemoveUserFromGroup twice", err, "NoSuchEntity")
	ok(ic.DeleteGroupPolicy(ctx, &iam.DeleteGroupPolicyInput{GroupName: aws.String("readers"), PolicyName: aws.String("read")}))(t, "DeleteGroupPolicy")
	ok(ic.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String("readers")}))(t, "DeleteGroup")
	_, err = ic.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("readers")})
	wantCode(t, "GetGroup after delete", err, "NoSuchEntity")
}

const trustAccount = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"sts:AssumeRole"}]}`

func TestRoles(t *testing.T) {
	srv, _ := start(t)
	ic := iamClient(srv, rootCreds)
	r := ok(ic.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("reader"), AssumeRolePolicyDocument: aws.String(trustAccount),
		MaxSessionDuration: aws.Int32(7200), Description: aws.String("reads things")}))(t, "CreateRole").Role
	if aws.ToString(r.Arn) != "arn:aws:iam::"+account+":role/reader" || aws.ToInt32(r.MaxSessionDuration) != 7200 || !strings.HasPrefix(aws.ToString(r.RoleId), "AROA") {
		t.Fatalf("CreateRole = %+v", r)
	}
	_, err := ic.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("reader"), AssumeRolePolicyDocument: aws.String(trustAccount)})
	wantCode(t, "CreateRole twice", err, "EntityAlreadyExists")
	_, err = ic.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r2"), AssumeRolePolicyDocument: aws.String(trustAccount), MaxSessionDuration: aws.Int32(50000)})
	wantCode(t, "CreateRole with MaxSessionDuration over 43200", err, "ValidationError")
	_, err = ic.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r3"), AssumeRolePolicyDocument: aws.String(readOnlyPolicy)})
	wantCode(t, "CreateRole with a trust policy without Principal", err, "MalformedPolicyDocument")

	got := ok(ic.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("reader")}))(t, "GetRole").Role
	if doc, _ := url.QueryUnescape(aws.ToString(got.AssumeRolePolicyDocument)); doc != trustAccount {
		t.Fatalf("GetRole trust policy = %q", aws.ToString(got.AssumeRolePolicyDocument))
	}
	newTrust := strings.Replace(trustAccount, ":root", ":user/someone", 1)
	ok(ic.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("someone")}))(t, "CreateUser")
	ok(ic.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("reader"), PolicyDocument: aws.String(newTrust)}))(t, "UpdateAssumeRolePolicy")
	got = ok(ic.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("reader")}))(t, "GetRole").Role
	if doc, _ := url.QueryUnescape(aws.ToString(got.AssumeRolePolicyDocument)); doc != newTrust {
		t.Fatalf("trust policy after update = %q", doc)
	}

	ok(ic.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("reader"), PolicyName: aws.String("read"), PolicyDocument: aws.String(readOnlyPolicy)}))(t, "PutRolePolicy")
	rp := ok(ic.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String("reader"), PolicyName: aws.String("read")}))(t, "GetRolePolicy")
	if aws.ToString(rp.RoleName) != "reader" {
		t.Fatalf("GetRolePolicy = %+v", rp)
	}
	_, err = ic.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("reader")})
	wantCode(t, "DeleteRole with a policy", err, "DeleteConflict")
	ok(ic.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("reader"), PolicyName: aws.String("read")}))(t, "DeleteRolePolicy")
	roles := ok(ic.ListRoles(ctx, &iam.ListRolesInput{}))(t, "ListRoles").Roles
	if len(roles) != 1 {
		t.Fatalf("ListRoles = %+v", roles)
	}
	ok(ic.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("reader")}))(t, "DeleteRole")
	_, err = ic.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("reader")})
	wantCode(t, "GetRole after delete", err, "NoSuchEntity")
}

func TestManagedPolicies(t *testing.T) {
	srv, _ := start(t)
	ic := iamClient(srv, rootCreds)
	erin := newUser(t, srv, rootCreds, "erin")
	ok(ic.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("ops")}))(t, "CreateGroup")
	ok(ic.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("svc"), AssumeRolePolicyDocument: aws.String(trustAccount)}))(t, "CreateRole")
	srv.MustBucket(t, "data")

	p := ok(ic.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("read-data"), Path: aws.String("/outpost/"), PolicyDocument: aws.String(readOnlyPolicy)}))(t, "CreatePolicy").Policy
	arn := aws.ToString(p.Arn)
	if arn != "arn:aws:iam::"+account+":policy/outpost/read-data" || aws.ToString(p.DefaultVersionId) != "v1" {
		t.Fatalf("CreatePolicy = %+v", p)
	}
	_, err := ic.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("read-data"), PolicyDocument: aws.String(readOnlyPolicy)})
	wantCode(t, "CreatePolicy twice", err, "EntityAlreadyExists")
	_, err = ic.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("broken"), PolicyDocument: aws.String(`{"Statement":`)})
	wantCode(t, "CreatePolicy with broken JSON", err, "MalformedPolicyDocument")

	list := func() string {
		_, c := signedDo(t, erin, "s3", "GET", srv.URL+"/data?list-type=2", nil, nil)
		return c
	}
	if c := list(); c != "AccessDenied" {
		t.Fatalf("before attaching: %q", c)
	}
	ok(ic.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("erin"), PolicyArn: aws.String(arn)}))(t, "AttachUserPolicy")
	if c := list(); c != "" {
		t.Fatalf("after attaching: %q", c)
	}
	ok(ic.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("ops"), PolicyArn: aws.String(arn)}))(t, "AttachGroupPolicy")
	ok(ic.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("svc"), PolicyArn: aws.String("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")}))(t, "AttachRolePolicy (AWS managed)")
	_, err = ic.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("erin"), PolicyArn: aws.String("arn:aws:iam::" + account + ":policy/nope")})
	wantCode(t, "AttachUserPolicy of a missing policy", err, "NoSuchEntity")

	for name, attached := range map[string][]types.AttachedPolicy{
		"user":  ok(ic.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: aws.String("erin")}))(t, "ListAttachedUserPolicies").AttachedPolicies,
		"group": ok(ic.ListAttachedGroupPolicies(ctx, &iam.ListAttachedGroupPoliciesInput{GroupName: aws.String("ops")}))(t, "ListAttachedGroupPolicies").AttachedPolicies,
		"role":  ok(ic.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("svc")}))(t, "ListAttachedRolePolicies").AttachedPolicies,
	} {
		if len(attached) != 1 {
			t.Fatalf("%s attached policies = %+v", name, attached)
		}
	}
	got := ok(ic.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)}))(t, "GetPolicy").Policy
	if aws.ToInt32(got.AttachmentCount) != 2 {
		t.Fatalf("AttachmentCount = %d", aws.ToInt32(got.AttachmentCount))
	}
	v := ok(ic.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v1")}))(t, "GetPolicyVersion").PolicyVersion
	if doc, _ := url.QueryUnescape(aws.ToString(v.Document)); doc != readOnlyPolicy {
		t.Fatalf("GetPolicyVersion document = %q", doc)
	}
	all := ok(ic.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal}))(t, "ListPolicies").Policies
	if len(all) != 1 {
		t.Fatalf("ListPolicies(Local) = %+v", all)
	}
	_, err = ic.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(arn)})
	wantCode(t, "DeletePolicy while attached", err, "DeleteConflict")

	ok(ic.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: aws.String("erin"), PolicyArn: aws.String(arn)}))(t, "DetachUserPolicy")
	if c := list(); c != "AccessDenied" {
		t.Fatalf("after detaching: %q", c)
	}
	_, err = ic.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: aws.String("erin"), PolicyArn: aws.String(arn)})
	wantCode(t, "DetachUserPolicy twice", err, "NoSuchEntity")
	ok(ic.DetachGroupPolicy(ctx, &iam.DetachGroupPolicyInput{GroupName: aws.String("ops"), PolicyArn: aws.String(arn)}))(t, "DetachGroupPolicy")
	ok(ic.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String("svc"), PolicyArn: aws.String("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")}))(t, "DetachRolePolicy")
	ok(ic.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(arn)}))(t, "DeletePolicy")
	_, err = ic.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
	wantCode(t, "GetPolicy after delete", err, "NoSuchEntity")
}

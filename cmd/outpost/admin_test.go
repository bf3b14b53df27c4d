package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/outpost-s3/outpost/internal/testserver"
)

// admin runs `outpost admin ARGS` against srv with the root credentials.
func adminRun(t *testing.T, srv *testserver.Server, args ...string) (string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), append([]string{"admin"}, append(args, "--endpoint-url", srv.URL)...), &out, &errb)
	return out.String() + errb.String(), code
}

func TestAdminCommand(t *testing.T) {
	srv := testserver.Start(t)
	t.Setenv("AWS_ACCESS_KEY_ID", testserver.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", testserver.SecretKey)
	t.Setenv("AWS_REGION", testserver.Region)
	t.Setenv("AWS_CONFIG_FILE", "/dev/null")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")

	steps := []struct {
		args []string
		want string
	}{
		{[]string{"whoami"}, "arn:aws:iam::" + testserver.AccountID + ":root"},
		{[]string{"account", "create", "--account-id", "444455556666", "--name", "partner"}, "account ID:  444455556666"},
		{[]string{"account", "list"}, "444455556666"},
		{[]string{"user", "create", "alice"}, "arn:aws:iam::" + testserver.AccountID + ":user/alice"},
		{[]string{"user", "list"}, "alice"},
		{[]string{"key", "create", "--user", "alice"}, "secret key:"},
		{[]string{"group", "create", "readers"}, ":group/readers"},
		{[]string{"group", "add-user", "readers", "alice"}, ""},
		{[]string{"policy", "put", "--group", "readers", "--name", "read", `{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`}, ""},
		{[]string{"policy", "list", "--group", "readers"}, "inline\tread"},
		{[]string{"policy", "create", "deny-put", `{"Version":"2012-10-17","Statement":[{"Sid":"NoPut","Effect":"Deny","Action":"s3:PutObject","Resource":"*"}]}`}, ":policy/deny-put"},
		{[]string{"policy", "attach", "arn:aws:iam::" + testserver.AccountID + ":policy/deny-put", "--user", "alice"}, ""},
		{[]string{"role", "create", "ops", "--trust", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + testserver.AccountID + `"},"Action":"sts:AssumeRole"}]}`, "--max-session-duration", "7200"}, ":role/ops"},
		{[]string{"policy", "explain", "--principal", "arn:aws:iam::" + testserver.AccountID + ":user/alice", "--action", "s3:GetObject", "--resource", "arn:aws:s3:::b/k"}, "ALLOW"},
		{[]string{"policy", "explain", "--principal", "arn:aws:iam::" + testserver.AccountID + ":user/alice", "--action", "s3:PutObject", "--resource", "arn:aws:s3:::b/k"}, "Sid NoPut"},
		{[]string{"network", "put", "vpc-lab", `{"name":"lab","cidrs":["10.20.0.0/16"],"subnets":[{"subnetId":"subnet-0a1b2c3d","cidr":"10.20.1.0/24"}]}`}, `"vpcId": "vpc-lab"`},
		{[]string{"network", "get", "vpc-lab"}, `"10.20.1.0/24"`},
		{[]string{"network", "list"}, "vpc-lab\tlab\t10.20.0.0/16\t1 subnets"},
		{[]string{"network", "origin"}, `"sourceIp": "127.0.0.1"`},
		{[]string{"network", "delete", "vpc-lab"}, ""},
	}
	for _, s := range steps {
		out, code := adminRun(t, srv, s.args...)
		if code != 0 || !strings.Contains(out, s.want) {
			t.Fatalf("outpost admin %s: exit %d, output:\n%s\nwant %q", strings.Join(s.args, " "), code, out, s.want)
		}
	}
	out, code := adminRun(t, srv, "user", "delete", "alice")
	if code != 1 || !strings.Contains(out, "DeleteConflict") {
		t.Fatalf("deleting a user with keys: exit %d: %s", code, out)
	}
	out, code = adminRun(t, srv, "network", "get", "vpc-lab")
	if code != 1 || !strings.Contains(out, "NoSuchNetwork") {
		t.Fatalf("network get after delete: exit %d: %s", code, out)
	}
	out, code = adminRun(t, srv, "network", "put", "vpc-bad", `{"cidrs":["not-a-cidr"]}`)
	if code != 1 || !strings.Contains(out, "InvalidNetwork") {
		t.Fatalf("network put with a bad CIDR: exit %d: %s", code, out)
	}
	if _, code := adminRun(t, srv, "frobnicate"); code != 2 {
		t.Fatalf("unknown resource: exit %d", code)
	}
}

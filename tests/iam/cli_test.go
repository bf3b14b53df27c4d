package iam_test

import (
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/outpost-s3/outpost/internal/testserver"
)

// awsCLI runs the AWS CLI (v1) against srv with root credentials and
// returns its standard output.
func awsCLI(t *testing.T, srv *testserver.Server, args ...string) []byte {
	t.Helper()
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("the AWS CLI is not installed")
	}
	cmd := exec.Command("aws", append(args, "--endpoint-url", srv.URL, "--output", "json")...)
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID="+testserver.AccessKey, "AWS_SECRET_ACCESS_KEY="+testserver.SecretKey,
		"AWS_DEFAULT_REGION="+region, "AWS_EC2_METADATA_DISABLED=true", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	out, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	return out
}

func TestAWSCLI(t *testing.T) {
	srv, _ := start(t)
	var user struct {
		User struct{ UserName, Arn, UserId string }
	}
	must(t, "parse create-user", json.Unmarshal(awsCLI(t, srv, "iam", "create-user", "--user-name", "cli-user"), &user))
	if user.User.Arn != "arn:aws:iam::"+account+":user/cli-user" || !strings.HasPrefix(user.User.UserId, "AIDA") {
		t.Fatalf("aws iam create-user = %+v", user)
	}
	awsCLI(t, srv, "iam", "put-user-policy", "--user-name", "cli-user", "--policy-name", "read", "--policy-document", readOnlyPolicy)
	var pol struct{ PolicyDocument json.RawMessage }
	must(t, "parse get-user-policy", json.Unmarshal(awsCLI(t, srv, "iam", "get-user-policy", "--user-name", "cli-user", "--policy-name", "read"), &pol))
	// The CLI decodes the URL-encoded document IAM returns into JSON.
	doc := string(pol.PolicyDocument)
	if s, err := url.QueryUnescape(strings.Trim(doc, `"`)); err == nil && strings.HasPrefix(doc, `"`) {
		doc = s
	}
	if !strings.Contains(doc, "s3:GetObject") {
		t.Fatalf("aws iam get-user-policy document = %s", pol.PolicyDocument)
	}
	var key struct {
		AccessKey struct{ AccessKeyId, SecretAccessKey string }
	}
	must(t, "parse create-access-key", json.Unmarshal(awsCLI(t, srv, "iam", "create-access-key", "--user-name", "cli-user"), &key))
	if len(key.AccessKey.SecretAccessKey) != 40 {
		t.Fatalf("aws iam create-access-key = %+v", key)
	}
	var who struct{ Account, Arn string }
	must(t, "parse get-caller-identity", json.Unmarshal(awsCLI(t, srv, "sts", "get-caller-identity"), &who))
	if who.Account != account {
		t.Fatalf("aws sts get-caller-identity = %+v", who)
	}
	var users struct{ Users []struct{ UserName string } }
	must(t, "parse list-users", json.Unmarshal(awsCLI(t, srv, "iam", "list-users"), &users))
	if len(users.Users) != 1 || users.Users[0].UserName != "cli-user" {
		t.Fatalf("aws iam list-users = %+v", users)
	}
}

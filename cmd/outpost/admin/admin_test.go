package admin

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/outpost-s3/outpost/internal/testserver"
	"github.com/outpost-s3/outpost/sigv4"
)

// useCredentials makes the AWS configuration admin loads hold exactly
// these credentials, whatever the machine has in ~/.aws.
func useCredentials(t *testing.T, akid, secret, token string) {
	t.Setenv("AWS_ACCESS_KEY_ID", akid)
	t.Setenv("AWS_SECRET_ACCESS_KEY", secret)
	t.Setenv("AWS_SESSION_TOKEN", token)
	t.Setenv("AWS_REGION", testserver.Region)
	t.Setenv("AWS_CONFIG_FILE", "/dev/null")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_ENDPOINT_URL", "")
	t.Setenv("AWS_ENDPOINT_URL_IAM", "")
}

func runAdmin(t *testing.T, endpoint string, args ...string) (string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(context.Background(), append(args, "--endpoint-url", endpoint), &out, &errb)
	return out.String() + errb.String(), code
}

// TestTemporaryCredentialsSignTheSessionToken runs admin with the
// credentials of a role session: sigv4 must send and sign
// X-Amz-Security-Token, and the server must see the session (its ARN, its
// lack of IAM permissions), not the user who assumed the role.
func TestTemporaryCredentialsSignTheSessionToken(t *testing.T) {
	srv := testserver.Start(t)
	useCredentials(t, testserver.AccessKey, testserver.SecretKey, "")
	acct := testserver.AccountID
	for _, args := range [][]string{
		{"user", "create", "bob"},
		{"policy", "put", "--user", "bob", "--name", "assume", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`},
		{"role", "create", "ops", "--trust", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:user/bob"},"Action":"sts:AssumeRole"}]}`},
	} {
		if out, code := runAdmin(t, srv.URL, args...); code != 0 {
			t.Fatalf("outpost admin %s: exit %d: %s", strings.Join(args, " "), code, out)
		}
	}
	out, code := runAdmin(t, srv.URL, "key", "create", "--user", "bob")
	m := regexp.MustCompile(`access key:  (\S+)\nsecret key:  (\S+)`).FindStringSubmatch(out)
	if code != 0 || m == nil {
		t.Fatalf("key create --user bob: exit %d: %s", code, out)
	}
	stsc := sts.New(sts.Options{Region: testserver.Region, BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider(m[1], m[2], "")})
	as, err := stsc.AssumeRole(context.Background(), &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::" + acct + ":role/ops"), RoleSessionName: aws.String("s1")})
	if err != nil {
		t.Fatalf("bob assumes ops: %v", err)
	}
	c := as.Credentials
	useCredentials(t, aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))

	out, code = runAdmin(t, srv.URL, "whoami")
	if want := "arn     arn:aws:sts::" + acct + ":assumed-role/ops/s1\n"; code != 0 || !strings.Contains(out, want) {
		t.Fatalf("whoami with the role session: exit %d, output:\n%s\nwant %q", code, out, want)
	}
	out, code = runAdmin(t, srv.URL, "user", "list")
	if code != 1 || !strings.Contains(out, "outpost admin: AccessDenied: ") {
		t.Fatalf("user list by a session without IAM permissions: exit %d, output:\n%s\nwant AccessDenied", code, out)
	}
	useCredentials(t, aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken)+"x")
	out, code = runAdmin(t, srv.URL, "whoami")
	if code != 1 || strings.Contains(out, "assumed-role") {
		t.Fatalf("whoami with a tampered session token: exit %d, output:\n%s\nwant a refusal", code, out)
	}
}

// signedRequest is what the recording endpoint saw of one request.
type signedRequest struct {
	method, path, service, contentSHA256 string
}

// TestEachAPIIsSignedForItsService checks the wire of each API admin
// speaks against the project's verifier: STS actions signed for sts, IAM
// and Outpost's admin actions for iam (the server tells IAM from STS by
// the scope's service), the networks admin API for s3 with
// X-Amz-Content-Sha256; the body matches its signed hash and the session
// token is signed.
func TestEachAPIIsSignedForItsService(t *testing.T) {
	const akid, secret, token = "AKIDADMINWIRE0000001", "admin/wire/secret", "session-token-of-the-test"
	useCredentials(t, akid, secret, token)
	v := sigv4.NewVerifier(sigv4.VerifierConfig{Keys: staticKey{sigv4.Key{AccessKeyID: akid, Secret: secret, SessionToken: token}},
		Region: testserver.Region, Services: []string{"iam", "sts", "s3", "s3-outposts"}})
	var mu sync.Mutex
	var seen []signedRequest
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sent := r.Header.Get("X-Amz-Content-Sha256")
		if sent == "" {
			// As the server does for IAM and STS, whose signers sign the
			// body's hash without sending the header.
			body, _ := io.ReadAll(r.Body)
			sum := sha256.Sum256(body)
			r.Header.Set("X-Amz-Content-Sha256", hex.EncodeToString(sum[:]))
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		vd, err := v.Verify(r.Context(), r, sigv4.VerifyOptions{})
		if err == nil {
			_, err = io.Copy(io.Discard, vd.Body)
		}
		if err != nil {
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, "<ErrorResponse><Error><Code>WireTest</Code><Message>"+err.Error()+"</Message></Error></ErrorResponse>")
			return
		}
		mu.Lock()
		seen = append(seen, signedRequest{r.Method, r.URL.Path, vd.Service, sent})
		mu.Unlock()
		if strings.HasPrefix(r.URL.Path, "/outpost/admin/networks") {
			io.WriteString(w, `{"networks":[]}`)
			return
		}
		io.WriteString(w, "<Response/>")
	}))
	defer ts.Close()

	doc := `{"cidrs":["10.0.0.0/8"]}`
	docSum := sha256.Sum256([]byte(doc))
	for _, tc := range []struct {
		args []string
		want signedRequest
	}{
		{[]string{"whoami"}, signedRequest{"POST", "/", "sts", ""}},
		{[]string{"user", "list"}, signedRequest{"POST", "/", "iam", ""}},
		{[]string{"account", "list"}, signedRequest{"POST", "/", "iam", ""}},
		{[]string{"policy", "explain", "--principal", "arn:aws:iam::111122223333:user/a", "--action", "s3:GetObject", "--resource", "arn:aws:s3:::b/k"}, signedRequest{"POST", "/", "iam", ""}},
		{[]string{"network", "list"}, signedRequest{"GET", "/outpost/admin/networks", "s3", sigv4.EmptySHA256}},
		{[]string{"network", "put", "vpc-1", doc}, signedRequest{"PUT", "/outpost/admin/networks/vpc-1", "s3", hex.EncodeToString(docSum[:])}},
	} {
		seen = nil
		out, code := runAdmin(t, ts.URL, tc.args...)
		if code != 0 {
			t.Errorf("outpost admin %s: exit %d: %s", strings.Join(tc.args, " "), code, out)
			continue
		}
		if len(seen) != 1 || seen[0] != tc.want {
			t.Errorf("outpost admin %s sent %+v, want one request %+v", strings.Join(tc.args, " "), seen, tc.want)
		}
	}
}

type staticKey struct{ k sigv4.Key }

func (s staticKey) LookupKey(_ context.Context, akid, _ string) (sigv4.Key, error) {
	if akid != s.k.AccessKeyID {
		return sigv4.Key{}, &sigv4.Error{Code: "InvalidAccessKeyId", Status: http.StatusForbidden, Message: "unknown key " + akid}
	}
	return s.k, nil
}

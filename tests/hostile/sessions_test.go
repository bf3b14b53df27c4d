package hostile_test

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awscreds "github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/outpost-s3/outpost/internal/testserver"
	"github.com/outpost-s3/outpost/sigv4"
)

// sessionCreds are the credentials of one incarnation of the user
// "mallory" and the role "rw": a long-term key, a GetSessionToken session
// and an AssumeRole session.
type sessionCreds struct{ key, user, role sigv4.Credentials }

// mallory creates the user mallory (allowed everything on the hostile
// bucket, and to assume rw) and the role rw (same permission), and
// returns their credentials.
func mallory(t *testing.T, srv *testserver.Server) sessionCreds {
	t.Helper()
	cfg := func(c sigv4.Credentials) aws.Config {
		return aws.Config{Region: testserver.Region, BaseEndpoint: aws.String(srv.URL), HTTPClient: http.DefaultClient,
			Credentials: awscreds.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, c.SessionToken)}
	}
	ic := iam.NewFromConfig(cfg(creds))
	allow := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*","sts:AssumeRole"],"Resource":"*"}]}`
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + testserver.AccountID + `:user/mallory"},"Action":"sts:AssumeRole"}]}`
	steps := []func() error{
		func() error {
			_, err := ic.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("mallory")})
			return err
		},
		func() error {
			_, err := ic.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("mallory"), PolicyName: aws.String("all"), PolicyDocument: aws.String(allow)})
			return err
		},
		func() error {
			_, err := ic.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("rw"), AssumeRolePolicyDocument: aws.String(trust)})
			return err
		},
		func() error {
			_, err := ic.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("rw"), PolicyName: aws.String("all"), PolicyDocument: aws.String(allow)})
			return err
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	k, err := ic.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("mallory")})
	if err != nil {
		t.Fatal(err)
	}
	var sc sessionCreds
	sc.key = sigv4.Credentials{AccessKeyID: aws.ToString(k.AccessKey.AccessKeyId), SecretAccessKey: aws.ToString(k.AccessKey.SecretAccessKey)}
	fromSTS := func(c *ststypes.Credentials) sigv4.Credentials {
		return sigv4.Credentials{AccessKeyID: aws.ToString(c.AccessKeyId), SecretAccessKey: aws.ToString(c.SecretAccessKey), SessionToken: aws.ToString(c.SessionToken)}
	}
	sc2 := sts.NewFromConfig(cfg(sc.key))
	us, err := sc2.GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	if err != nil {
		t.Fatal(err)
	}
	sc.user = fromSTS(us.Credentials)
	rs, err := sc2.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + testserver.AccountID + ":role/rw"), RoleSessionName: aws.String("mallory-session")})
	if err != nil {
		t.Fatal(err)
	}
	sc.role = fromSTS(rs.Credentials)
	return sc
}

// deleteMallory removes mallory (key, policy, user) and rw (policy, role).
func deleteMallory(t *testing.T, srv *testserver.Server, key string) {
	t.Helper()
	ic := iam.NewFromConfig(aws.Config{Region: testserver.Region, BaseEndpoint: aws.String(srv.URL), HTTPClient: http.DefaultClient,
		Credentials: awscreds.NewStaticCredentialsProvider(creds.AccessKeyID, creds.SecretAccessKey, "")})
	steps := []func() error{
		func() error {
			_, err := ic.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("mallory"), AccessKeyId: aws.String(key)})
			return err
		},
		func() error {
			_, err := ic.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("mallory"), PolicyName: aws.String("all")})
			return err
		},
		func() error {
			_, err := ic.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("mallory")})
			return err
		},
		func() error {
			_, err := ic.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("rw"), PolicyName: aws.String("all")})
			return err
		},
		func() error {
			_, err := ic.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("rw")})
			return err
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
}

// headerPut signs a PUT of "x" to key with c in the Authorization header
// (the session token, if any, in X-Amz-Security-Token).
func headerPut(c sigv4.Credentials, key string) func(*env) *http.Request {
	return func(e *env) *http.Request {
		r, _ := http.NewRequest("PUT", e.url("/"+bucket+"/"+key), strings.NewReader("x"))
		if err := sigv4.SignRequest(r, c, testserver.Region, "s3", sha([]byte("x")), time.Now()); err != nil {
			panic(err)
		}
		return r
	}
}

// presignedPut presigns a PUT of key with c (the token in the query).
func presignedPut(c sigv4.Credentials, key string) func(*env) *http.Request {
	return func(e *env) *http.Request {
		u, _ := url.Parse(e.url("/" + bucket + "/" + key))
		s, err := sigv4.Presign(sigv4.PresignParams{Method: "PUT", URL: u, Credentials: c, Region: testserver.Region, Service: "s3", Time: time.Now(), Expires: time.Hour})
		if err != nil {
			panic(err)
		}
		r, _ := http.NewRequest("PUT", s, strings.NewReader("x"))
		return r
	}
}

// TestHostileSessions replays, over raw HTTP, the credentials of a user
// and a role that were deleted and created again under the same names
// with the same policies: every old credential, however presented or
// spliced with a new one, is refused and stores nothing, while the new
// incarnation's credentials work.
func TestHostileSessions(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.S3(t)
	srv.MustBucket(t, bucket)
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("existing"), Body: bytes.NewReader([]byte("existing"))}); err != nil {
		t.Fatal(err)
	}
	old := mallory(t, srv)
	deleteMallory(t, srv, old.key.AccessKeyID)
	cur := mallory(t, srv)
	splice := func(keyOf, tokenOf sigv4.Credentials) sigv4.Credentials {
		return sigv4.Credentials{AccessKeyID: keyOf.AccessKeyID, SecretAccessKey: keyOf.SecretAccessKey, SessionToken: tokenOf.SessionToken}
	}
	rows := []row{
		{name: "old role session, presigned", req: presignedPut(old.role, "s-old-role-q"), status: 403, code: "AccessDenied", key: "s-old-role-q"},
		{name: "old role session, header-signed", req: headerPut(old.role, "s-old-role-h"), status: 403, code: "AccessDenied", key: "s-old-role-h"},
		{name: "old user session, presigned", req: presignedPut(old.user, "s-old-user-q"), status: 403, code: "AccessDenied", key: "s-old-user-q"},
		{name: "old user session, header-signed", req: headerPut(old.user, "s-old-user-h"), status: 403, code: "AccessDenied", key: "s-old-user-h"},
		{name: "old user key, presigned", req: presignedPut(old.key, "s-old-key-q"), status: 403, code: "InvalidAccessKeyId", key: "s-old-key-q"},
		{name: "old user key, header-signed", req: headerPut(old.key, "s-old-key-h"), status: 403, code: "InvalidAccessKeyId", key: "s-old-key-h"},
		// A token opens only for the access key ID sealed in it.
		{name: "new role token with the old role session's key", req: presignedPut(splice(old.role, cur.role), "s-splice-1"), status: 400, code: "InvalidToken", key: "s-splice-1"},
		{name: "old role token with the new role session's key", req: headerPut(splice(cur.role, old.role), "s-splice-2"), status: 400, code: "InvalidToken", key: "s-splice-2"},
		{name: "old user token with the new user session's key", req: presignedPut(splice(cur.user, old.user), "s-splice-3"), status: 400, code: "InvalidToken", key: "s-splice-3"},
		{name: "old role token on the new user's long-term key", req: headerPut(splice(cur.key, old.role), "s-splice-4"), status: 400, code: "InvalidToken", key: "s-splice-4"},
		// The new incarnation's credentials work: the rows above are refused
		// for naming the old one, not for some unrelated reason.
		{name: "new role session, presigned", req: presignedPut(cur.role, "s-new-role"), status: 200, key: "s-new-role", stores: true, body: []byte("x")},
		{name: "new user session, header-signed", req: headerPut(cur.user, "s-new-user"), status: 200, key: "s-new-user", stores: true, body: []byte("x")},
	}
	e := &env{srv: srv, c: c}
	for _, rw := range rows {
		t.Run(rw.name, func(t *testing.T) {
			before := e.snapshot(t)
			resp, body, err := e.send(t, rw)
			if err != nil {
				t.Fatalf("no response: %v", err)
			}
			var doc errorDoc
			xml.Unmarshal(body, &doc)
			code := doc.Code
			if resp.StatusCode != rw.status || code != rw.code {
				t.Fatalf("%d %s, want %d %s; body %.300s", resp.StatusCode, code, rw.status, rw.code, body)
			}
			if rw.stores {
				if !e.exists(rw.key) {
					t.Fatalf("legal row stored no %q", rw.key)
				}
				if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(rw.key)}); err != nil {
					t.Fatal(err)
				}
			} else if e.exists(rw.key) {
				t.Fatalf("refused request stored %q", rw.key)
			}
			if after := e.snapshot(t); after != before {
				t.Fatalf("state changed:\nbefore:\n%s\nafter:\n%s", before, after)
			}
		})
	}
}

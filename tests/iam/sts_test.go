package iam_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/outpost-s3/outpost/sigv4"
)

func stsCreds(c *ststypes.Credentials) sigv4.Credentials {
	return sigv4.Credentials{AccessKeyID: aws.ToString(c.AccessKeyId), SecretAccessKey: aws.ToString(c.SecretAccessKey), SessionToken: aws.ToString(c.SessionToken)}
}

const getPutPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::shared/*"}]}`

func TestGetCallerIdentity(t *testing.T) {
	srv, _ := start(t)
	who := ok(stsClient(srv, rootCreds).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))(t, "GetCallerIdentity")
	if aws.ToString(who.Account) != account || aws.ToString(who.Arn) != "arn:aws:iam::"+account+":root" || aws.ToString(who.UserId) != account {
		t.Fatalf("root identity = %+v", who)
	}
	bad := rootCreds
	bad.SecretAccessKey = "wrong"
	_, err := stsClient(srv, bad).GetCallerIdentity(ctx, nil)
	wantCode(t, "wrong secret", err, "SignatureDoesNotMatch")
	_, err = stsClient(srv, sigv4.Credentials{AccessKeyID: "AKIDUNKNOWN000000000", SecretAccessKey: "x"}).GetCallerIdentity(ctx, nil)
	wantCode(t, "unknown key", err, "InvalidClientTokenId")
}

func TestGetSessionToken(t *testing.T) {
	srv, clk := start(t)
	srv.MustBucket(t, "shared")
	frank := newUser(t, srv, rootCreds, "frank")
	putUserPolicy(t, srv, "frank", "rw", getPutPolicy)

	out := ok(stsClient(srv, frank).GetSessionToken(ctx, &sts.GetSessionTokenInput{}))(t, "GetSessionToken")
	c := out.Credentials
	if !strings.HasPrefix(aws.ToString(c.AccessKeyId), "ASIA") || aws.ToString(c.SessionToken) == "" {
		t.Fatalf("credentials = %+v", c)
	}
	if d := time.Until(aws.ToTime(c.Expiration)); d < 11*time.Hour+50*time.Minute || d > 12*time.Hour+time.Minute {
		t.Fatalf("default session lasts %v, want 12h", d)
	}
	sess := stsCreds(c)
	who := ok(stsClient(srv, sess).GetCallerIdentity(ctx, nil))(t, "GetCallerIdentity with session credentials")
	if aws.ToString(who.Arn) != "arn:aws:iam::"+account+":user/frank" {
		t.Fatalf("session identity = %+v", who)
	}
	// The session has the user's permissions.
	s3c := s3Client(srv, sess)
	ok(s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("shared"), Key: aws.String("a.txt"), Body: bytes.NewReader([]byte("hi"))}))(t, "PutObject with session credentials")
	_, err := s3c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("shared")})
	wantCode(t, "ListObjectsV2 beyond the user's policy", err, "AccessDenied")

	_, err = stsClient(srv, sess).GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	wantCode(t, "GetSessionToken with session credentials", err, "AccessDenied")
	_, err = stsClient(srv, frank).GetSessionToken(ctx, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(899)})
	wantCode(t, "DurationSeconds below 900", err, "ValidationError")
	_, err = stsClient(srv, frank).GetSessionToken(ctx, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(129601)})
	wantCode(t, "DurationSeconds above 129600", err, "ValidationError")

	// A tampered token is refused, by S3 and by STS, each in its own words.
	tampered := sess
	tok := []byte(sess.SessionToken)
	tok[len(tok)/2] ^= 1 // a different base64 letter, in the middle
	tampered.SessionToken = string(tok)
	_, err = s3Client(srv, tampered).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("shared"), Key: aws.String("a.txt")})
	wantCode(t, "S3 with a tampered token", err, "InvalidToken")
	_, err = stsClient(srv, tampered).GetCallerIdentity(ctx, nil)
	wantCode(t, "STS with a tampered token", err, "InvalidClientTokenId")
	// The token belongs to its access key ID.
	swapped := sess
	swapped.AccessKeyID = "ASIAAAAAAAAAAAAAAAAA"
	_, err = s3Client(srv, swapped).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("shared"), Key: aws.String("a.txt")})
	wantCode(t, "token with another access key ID", err, "InvalidToken")

	// A URL presigned with session credentials for longer than the session
	// works until the session ends, then fails with ExpiredToken.
	short := stsCreds(ok(stsClient(srv, frank).GetSessionToken(ctx, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(900)}))(t, "GetSessionToken 900s").Credentials)
	u := presign(t, srv, short, "GET", "/shared/a.txt", "s3", time.Now(), 7*24*time.Hour)
	wantURL(t, "URL within the session", "GET", u, 200, "")
	clk.Add(901 * time.Second)
	wantURL(t, "URL after the session ended", "GET", u, 400, "ExpiredToken")
	// A URL of the 12-hour session still works.
	long := presign(t, srv, sess, "GET", "/shared/a.txt", "s3", time.Now(), 7*24*time.Hour)
	wantURL(t, "URL of a live session", "GET", long, 200, "")
	clk.Add(12 * time.Hour)
	wantURL(t, "URL of the 12-hour session after 12 hours", "GET", long, 400, "ExpiredToken")
}

func TestAssumeRole(t *testing.T) {
	srv, clk := start(t)
	srv.MustBucket(t, "shared")
	ok(s3Client(srv, rootCreds).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("shared"), Key: aws.String("doc.txt"), Body: bytes.NewReader([]byte("doc"))}))(t, "PutObject")
	ic := iamClient(srv, rootCreds)
	gina := newUser(t, srv, rootCreds, "gina")
	hank := newUser(t, srv, rootCreds, "hank")

	// The trust policy names gina: she may assume the role without an
	// identity policy; hank may not.
	trustGina := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:user/gina"},"Action":"sts:AssumeRole"}]}`
	ok(ic.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("rw"), AssumeRolePolicyDocument: aws.String(trustGina), MaxSessionDuration: aws.Int32(7200)}))(t, "CreateRole")
	ok(ic.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("rw"), PolicyName: aws.String("rw"), PolicyDocument: aws.String(getPutPolicy)}))(t, "PutRolePolicy")
	roleARN := "arn:aws:iam::" + account + ":role/rw"

	out := ok(stsClient(srv, gina).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("gina-session"), SourceIdentity: aws.String("gina@example.com")}))(t, "AssumeRole")
	if aws.ToString(out.AssumedRoleUser.Arn) != "arn:aws:sts::"+account+":assumed-role/rw/gina-session" || !strings.HasSuffix(aws.ToString(out.AssumedRoleUser.AssumedRoleId), ":gina-session") {
		t.Fatalf("AssumedRoleUser = %+v", out.AssumedRoleUser)
	}
	if aws.ToString(out.SourceIdentity) != "gina@example.com" {
		t.Fatalf("SourceIdentity = %q", aws.ToString(out.SourceIdentity))
	}
	if d := time.Until(aws.ToTime(out.Credentials.Expiration)); d < 59*time.Minute || d > 61*time.Minute {
		t.Fatalf("default role session lasts %v, want 1h", d)
	}
	role := stsCreds(out.Credentials)
	who := ok(stsClient(srv, role).GetCallerIdentity(ctx, nil))(t, "GetCallerIdentity as the role")
	if aws.ToString(who.Arn) != aws.ToString(out.AssumedRoleUser.Arn) {
		t.Fatalf("role identity = %+v", who)
	}
	ok(s3Client(srv, role).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("shared"), Key: aws.String("by-role.txt"), Body: bytes.NewReader([]byte("x"))}))(t, "PutObject as the role")

	_, err := stsClient(srv, hank).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("hank")})
	wantCode(t, "AssumeRole by a user the trust policy does not name", err, "AccessDenied")
	_, err = stsClient(srv, rootCreds).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("root")})
	wantCode(t, "AssumeRole by the root user", err, "AccessDenied")
	_, err = stsClient(srv, gina).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("x"), DurationSeconds: aws.Int32(7201)})
	wantCode(t, "DurationSeconds above MaxSessionDuration", err, "ValidationError")
	_, err = stsClient(srv, gina).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("bad name")})
	wantCode(t, "bad RoleSessionName", err, "ValidationError")
	_, err = stsClient(srv, gina).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + account + ":role/nope"), RoleSessionName: aws.String("x1")})
	wantCode(t, "AssumeRole of a missing role", err, "AccessDenied")

	// A trust policy naming the account delegates to identity policies:
	// hank needs sts:AssumeRole in his own policy.
	ok(ic.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("rw"), PolicyDocument: aws.String(trustAccount)}))(t, "UpdateAssumeRolePolicy")
	_, err = stsClient(srv, hank).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("hank")})
	wantCode(t, "account trust without an identity policy", err, "AccessDenied")
	putUserPolicy(t, srv, "hank", "assume", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"`+roleARN+`"}]}`)
	// A session policy narrows the role: only GetObject.
	narrow := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	hout := ok(stsClient(srv, hank).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("hank"), Policy: aws.String(narrow), DurationSeconds: aws.Int32(900)}))(t, "AssumeRole with a session policy")
	hs := s3Client(srv, stsCreds(hout.Credentials))
	ok(hs.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("shared"), Key: aws.String("doc.txt")}))(t, "GetObject within the session policy")
	_, err = hs.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("shared"), Key: aws.String("no.txt"), Body: bytes.NewReader([]byte("x"))})
	wantCode(t, "PutObject outside the session policy", err, "AccessDenied")
	_, err = stsClient(srv, hank).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("hank"), Policy: aws.String(`{"Statement":`)})
	wantCode(t, "malformed session policy", err, "MalformedPolicyDocument")

	// Managed session policies (PolicyArns) narrow the role too, read at
	// each request: an allow in any session policy counts.
	readOnly := ok(ic.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("session-read"), PolicyDocument: aws.String(narrow)}))(t, "CreatePolicy")
	mout := ok(stsClient(srv, hank).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("hank-managed"),
		PolicyArns: []ststypes.PolicyDescriptorType{{Arn: readOnly.Policy.Arn}}}))(t, "AssumeRole with PolicyArns")
	if aws.ToInt32(mout.PackedPolicySize) == 0 {
		t.Fatal("PackedPolicySize missing for managed session policies")
	}
	ms := s3Client(srv, stsCreds(mout.Credentials))
	ok(ms.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("shared"), Key: aws.String("doc.txt")}))(t, "GetObject within the managed session policy")
	_, err = ms.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("shared"), Key: aws.String("no.txt"), Body: bytes.NewReader([]byte("x"))})
	wantCode(t, "PutObject outside the managed session policy", err, "AccessDenied")
	// Inline and managed session policies together: either may allow.
	putOnly := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"*"}]}`
	bout := ok(stsClient(srv, hank).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("hank-both"),
		Policy: aws.String(putOnly), PolicyArns: []ststypes.PolicyDescriptorType{{Arn: readOnly.Policy.Arn}}}))(t, "AssumeRole with both")
	bs := s3Client(srv, stsCreds(bout.Credentials))
	ok(bs.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("shared"), Key: aws.String("doc.txt")}))(t, "GetObject allowed by the managed session policy")
	ok(bs.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("shared"), Key: aws.String("both.txt"), Body: bytes.NewReader([]byte("x"))}))(t, "PutObject allowed by the inline session policy")
	// Deleting the managed policy takes its allow away from live sessions.
	ok(ic.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: readOnly.Policy.Arn}))(t, "DeletePolicy")
	_, err = ms.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("shared"), Key: aws.String("doc.txt")})
	wantCode(t, "GetObject after the managed session policy was deleted", err, "AccessDenied")
	_, err = stsClient(srv, hank).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("hank-gone"),
		PolicyArns: []ststypes.PolicyDescriptorType{{Arn: readOnly.Policy.Arn}}})
	wantCode(t, "PolicyArns naming a missing policy", err, "MalformedPolicyDocument")
	var eleven []ststypes.PolicyDescriptorType
	for range 11 {
		eleven = append(eleven, ststypes.PolicyDescriptorType{Arn: aws.String("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")})
	}
	_, err = stsClient(srv, hank).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("hank-11"), PolicyArns: eleven})
	wantCode(t, "11 PolicyArns", err, "ValidationError")

	// Role chaining is limited to one hour.
	_, err = stsClient(srv, role).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("chain"), DurationSeconds: aws.Int32(3601)})
	wantCode(t, "role chaining over an hour", err, "ValidationError")

	// A URL presigned by the role session for a week dies with the session.
	u := presign(t, srv, stsCreds(hout.Credentials), "GET", "/shared/doc.txt", "s3", time.Now(), 7*24*time.Hour)
	wantURL(t, "role URL within the session", "GET", u, 200, "")
	clk.Add(15*time.Minute + time.Second)
	wantURL(t, "role URL after the session", "GET", u, 400, "ExpiredToken")
	clk.Add(-(15*time.Minute + time.Second))

	// Deleting the role's permissions stops its live sessions.
	ru := presign(t, srv, role, "GET", "/shared/doc.txt", "s3", time.Now(), time.Hour)
	wantURL(t, "role URL", "GET", ru, 200, "")
	ok(ic.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("rw"), PolicyName: aws.String("rw")}))(t, "DeleteRolePolicy")
	wantURL(t, "role URL after its policy went", "GET", ru, 403, "AccessDenied")
	ok(ic.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("rw")}))(t, "DeleteRole")
	wantURL(t, "role URL after the role went", "GET", ru, 403, "AccessDenied")
	status, _ := do(t, http.MethodGet, ru, nil)
	if status != 403 {
		t.Fatalf("status %d", status)
	}
}

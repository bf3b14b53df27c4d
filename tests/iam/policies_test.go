package iam_test

import (
	"bytes"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/outpost-s3/outpost/internal/testserver"
	"github.com/outpost-s3/outpost/sigv4"
)

// A presigned URL carries its signer's permissions, evaluated at every
// use: it stops when the permission, the key or the user goes, and works
// again when the permission comes back.
func TestURLFollowsSignerPermissions(t *testing.T) {
	srv, _ := start(t)
	srv.MustBucket(t, "links")
	ok(s3Client(srv, rootCreds).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("links"), Key: aws.String("report.pdf"), Body: bytes.NewReader([]byte("pdf"))}))(t, "PutObject")
	ivy := newUser(t, srv, rootCreds, "ivy")
	readReport := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::links/report.pdf"}]}`
	ic := iamClient(srv, rootCreds)

	u := presign(t, srv, ivy, "GET", "/links/report.pdf", "s3", time.Now(), time.Hour)
	wantURL(t, "URL of a user without permission", "GET", u, 403, "AccessDenied")
	putUserPolicy(t, srv, "ivy", "read", readReport)
	wantURL(t, "URL once the user may read", "GET", u, 200, "")
	other := presign(t, srv, ivy, "GET", "/links/other.pdf", "s3", time.Now(), time.Hour)
	wantURL(t, "URL for a key the policy does not name", "GET", other, 403, "AccessDenied")
	put := presign(t, srv, ivy, "PUT", "/links/report.pdf", "s3", time.Now(), time.Hour)
	wantURL(t, "PUT URL of a reader", "PUT", put, 403, "AccessDenied")

	ok(ic.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("ivy"), PolicyName: aws.String("read")}))(t, "DeleteUserPolicy")
	wantURL(t, "URL after the policy was removed", "GET", u, 403, "AccessDenied")
	putUserPolicy(t, srv, "ivy", "read", readReport)
	wantURL(t, "URL after the policy was restored", "GET", u, 200, "")

	ok(ic.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("ivy"), AccessKeyId: aws.String(ivy.AccessKeyID), Status: types.StatusTypeInactive}))(t, "deactivate key")
	wantURL(t, "URL of an inactive key", "GET", u, 403, "InvalidAccessKeyId")
	ok(ic.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("ivy"), AccessKeyId: aws.String(ivy.AccessKeyID), Status: types.StatusTypeActive}))(t, "reactivate key")
	wantURL(t, "URL of a reactivated key", "GET", u, 200, "")

	// Header-signed requests follow the same rules.
	if status, code := signedDo(t, ivy, "s3", "GET", srv.URL+"/links/report.pdf", nil, nil); status != 200 {
		t.Fatalf("header-signed GET: %d %s", status, code)
	}
	ok(ic.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("ivy"), PolicyName: aws.String("read")}))(t, "DeleteUserPolicy")
	if _, code := signedDo(t, ivy, "s3", "GET", srv.URL+"/links/report.pdf", nil, nil); code != "AccessDenied" {
		t.Fatalf("header-signed GET without policy: %s", code)
	}
	ok(ic.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("ivy"), AccessKeyId: aws.String(ivy.AccessKeyID)}))(t, "DeleteAccessKey")
	ok(ic.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("ivy")}))(t, "DeleteUser")
	wantURL(t, "URL of a deleted user", "GET", u, 403, "InvalidAccessKeyId")
}

// seedBucket is the bucket of the AWS examples (S3 on Outposts user guide,
// s3-outposts-bucket-policy-s3-sigv4-conditions.md), on this server's
// outpost and account, which are the examples' own.
const seedBucket = "example-outpost-bucket"

const seedObjects = "arn:aws:s3-outposts:us-east-1:111122223333:outpost/op-01ac5d28a6a232904/bucket/example-outpost-bucket/object/*"

// The example policies, verbatim but for the bucket-granting statement
// the cross-account example needs.
const (
	policySignatureAge = `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "Allow the partner account to read and write objects",
            "Effect": "Allow",
            "Principal": {"AWS":"444455556666"},
            "Action": ["s3-outposts:GetObject", "s3-outposts:PutObject"],
            "Resource": "` + seedObjects + `"
        },
        {
            "Sid": "Deny a presigned URL request if the signature is more than 10 minutes old",
            "Effect": "Deny",
            "Principal": {"AWS":"444455556666"},
            "Action": "s3-outposts:*",
            "Resource": "` + seedObjects + `",
            "Condition": {
                "NumericGreaterThan": {"s3-outposts:signatureAge": 600000},
                "StringEquals": {"s3-outposts:authType": "REST-QUERY-STRING"}
            }
        }
    ]
}`
	policyHeaderOnly = `{
   "Version": "2012-10-17",
   "Statement": [
         {
               "Sid": "Allow only requests that use the Authorization header for request authentication. Deny presigned URL requests.",
               "Effect": "Deny",
               "Principal": {"AWS":"111122223333"},
               "Action": "s3-outposts:*",
               "Resource": "` + seedObjects + `",
               "Condition": {
                     "StringNotEquals": {
                           "s3-outposts:authType": "REST-HEADER"
                     }
               }
         }
   ]
}`
	policyNoUnsignedPayload = `{
   "Version": "2012-10-17",
   "Statement": [
         {
               "Sid": "Deny uploads with unsigned payloads.",
               "Effect": "Deny",
               "Principal": {"AWS":"111122223333"},
               "Action": "s3-outposts:*",
               "Resource": "` + seedObjects + `",
               "Condition": {
                     "StringEquals": {
                           "s3-outposts:x-amz-content-sha256": "UNSIGNED-PAYLOAD"
                     }
               }
         }
   ]
}`
)

// outpostsObjectURL is the path-style URL of an object of the seed bucket
// through its access point's alias: an Outposts bucket is reached only
// through an access point.
func outpostsObjectURL(srv *testserver.Server, alias, key string) string {
	return srv.URL + "/" + alias + "/" + key
}

// seedSetup makes the seed bucket, its access point in the loopback VPC
// and one object; it returns the bucket's ARN and the access point's alias.
func seedSetup(t *testing.T, srv *testserver.Server) (bucketARN, alias string) {
	t.Helper()
	bucketARN = outpostsBucket(t, srv, seedBucket)
	alias = accessPoint(t, srv)
	if status, code := signedDo(t, rootCreds, "s3-outposts", "PUT", outpostsObjectURL(srv, alias, "doc.txt"), []byte("outposts doc"), nil); status != 200 {
		t.Fatalf("PutObject into the Outposts bucket: %d %s", status, code)
	}
	return bucketARN, alias
}

// apAdmitsPartner is an access point policy that leaves the partner
// account's object requests to the bucket policy: through an access point
// a cross-account caller needs both policies.
const apAdmitsPartner = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"444455556666"},
 "Action":"s3-outposts:*","Resource":"` + apARN + `/object/*"}]}`

func TestSeedPolicySignatureAge(t *testing.T) {
	srv, clk := start(t)
	arn, alias := seedSetup(t, srv)
	partnerRoot := createAccount(t, srv, partner)
	pat := newUser(t, srv, partnerRoot, "pat")
	_, err := iamClient(srv, partnerRoot).PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("pat"), PolicyName: aws.String("outposts"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3-outposts:*","Resource":"*"}]}`)})
	must(t, "partner PutUserPolicy", err)
	putAccessPointPolicy(t, srv, apAdmitsPartner)

	u := presign(t, srv, pat, "GET", "/"+alias+"/doc.txt", "s3-outposts", time.Now(), time.Hour)
	wantURL(t, "cross-account URL before the bucket policy", "GET", u, 403, "AccessDenied")
	putOutpostsBucketPolicy(t, srv, arn, policySignatureAge)
	wantURL(t, "fresh cross-account URL", "GET", u, 200, "")
	if status, code := signedDo(t, pat, "s3-outposts", "GET", outpostsObjectURL(srv, alias, "doc.txt"), nil, nil); status != 200 {
		t.Fatalf("header-signed cross-account GET: %d %s", status, code)
	}
	old := presign(t, srv, pat, "GET", "/"+alias+"/doc.txt", "s3-outposts", time.Now().Add(-11*time.Minute), time.Hour)
	wantURL(t, "URL signed 11 minutes ago", "GET", old, 403, "AccessDenied")
	rootOld := presign(t, srv, rootCreds, "GET", "/"+alias+"/doc.txt", "s3-outposts", time.Now().Add(-11*time.Minute), time.Hour)
	wantURL(t, "the owner's old URL (the statement names the partner)", "GET", rootOld, 200, "")

	// On the server's clock: the fresh URL turns old after 10 minutes.
	clk.Add(9 * time.Minute)
	wantURL(t, "URL at 9 minutes", "GET", u, 200, "")
	clk.Add(2 * time.Minute)
	wantURL(t, "URL at 11 minutes", "GET", u, 403, "AccessDenied")
	// Header-signed requests carry no signatureAge and stay allowed.
	if status, code := signedDo(t, pat, "s3-outposts", "GET", outpostsObjectURL(srv, alias, "doc.txt"), nil, nil); status != 200 {
		t.Fatalf("header-signed GET at 11 minutes: %d %s", status, code)
	}
}

func TestSeedPolicyHeaderOnly(t *testing.T) {
	srv, _ := start(t)
	arn, alias := seedSetup(t, srv)
	u := presign(t, srv, rootCreds, "GET", "/"+alias+"/doc.txt", "s3-outposts", time.Now(), time.Hour)
	wantURL(t, "URL before the policy", "GET", u, 200, "")
	putOutpostsBucketPolicy(t, srv, arn, policyHeaderOnly)
	wantURL(t, "URL under the header-only policy", "GET", u, 403, "AccessDenied")
	// SigV2 never reaches the policy on an access point: it is refused
	// first (tests/presigned TestSigV2RefusedOnAccessPoints).
	v2 := presignV2(t, srv, "/"+alias+"/doc.txt")
	wantURL(t, "SigV2 URL on an access point alias", "GET", v2, 400, "InvalidRequest")
	if status, code := signedDo(t, rootCreds, "s3-outposts", "GET", outpostsObjectURL(srv, alias, "doc.txt"), nil, nil); status != 200 {
		t.Fatalf("header-signed GET: %d %s", status, code)
	}
}

func presignV2(t *testing.T, srv *testserver.Server, path string) string {
	t.Helper()
	u, _ := url.Parse(srv.URL + path)
	s, err := sigv4.Presign(sigv4.PresignParams{Method: "GET", URL: u, Credentials: rootCreds, Algorithm: sigv4.AlgorithmV2, Expires: time.Hour})
	must(t, "presign v2", err)
	return s
}

func TestSeedPolicyNoUnsignedPayload(t *testing.T) {
	srv, _ := start(t)
	arn, alias := seedSetup(t, srv)
	putOutpostsBucketPolicy(t, srv, arn, policyNoUnsignedPayload)
	put := presign(t, srv, rootCreds, "PUT", "/"+alias+"/upload.txt", "s3-outposts", time.Now(), time.Hour)
	wantURL(t, "presigned PUT (always UNSIGNED-PAYLOAD)", "PUT", put, 403, "AccessDenied")
	if status, code := signedDo(t, rootCreds, "s3-outposts", "PUT", outpostsObjectURL(srv, alias, "upload.txt"), []byte("signed body"), nil); status != 200 {
		t.Fatalf("PUT with a signed payload: %d %s", status, code)
	}
	// A header-signed PUT that leaves its payload unsigned is denied too.
	req, _ := http.NewRequest("PUT", outpostsObjectURL(srv, alias, "unsigned.txt"), bytes.NewReader([]byte("unsigned body")))
	must(t, "sign", sigv4.Sign(req, rootCreds, sigv4.SignOptions{Region: region, Service: "s3-outposts", PayloadHash: sigv4.UnsignedPayload, ContentSHA256Header: true}))
	resp, err := http.DefaultClient.Do(req)
	must(t, "unsigned PUT", err)
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Fatalf("header-signed PUT with UNSIGNED-PAYLOAD: %d", resp.StatusCode)
	}
	// Reads are not uploads: GET stays allowed.
	get := presign(t, srv, rootCreds, "GET", "/"+alias+"/doc.txt", "s3-outposts", time.Now(), time.Hour)
	wantURL(t, "presigned GET", "GET", get, 403, "AccessDenied") // presigned GET is UNSIGNED-PAYLOAD as well
}

// The network-path restriction of S3OutpostsPresignedURL.md on the IAM
// principal: every request, presigned or not, must come from the range.
func TestSeedNetworkRestrictionOnPrincipal(t *testing.T) {
	srv, _ := start(t)
	_, alias := seedSetup(t, srv)
	jay := newUser(t, srv, rootCreds, "jay")
	restrict := func(cidr string) string {
		return `{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Action":"s3-outposts:*","Resource":"*"},
 {"Sid":"NetworkRestrictionForIAMPrincipal","Effect":"Deny","Action":"*","Resource":"*",
  "Condition":{"NotIpAddressIfExists":{"aws:SourceIp":"` + cidr + `"},"BoolIfExists":{"aws:ViaAWSService":"false"}}}]}`
	}
	putUserPolicy(t, srv, "jay", "net", restrict("10.0.0.0/8"))
	u := presign(t, srv, jay, "GET", "/"+alias+"/doc.txt", "s3-outposts", time.Now(), time.Hour)
	wantURL(t, "URL used from outside the range", "GET", u, 403, "AccessDenied")
	if _, code := signedDo(t, jay, "s3-outposts", "GET", outpostsObjectURL(srv, alias, "doc.txt"), nil, nil); code != "AccessDenied" {
		t.Fatalf("header-signed GET from outside the range: %q", code)
	}
	putUserPolicy(t, srv, "jay", "net", restrict("127.0.0.0/8"))
	wantURL(t, "URL used from inside the range", "GET", u, 200, "")
	if status, code := signedDo(t, jay, "s3-outposts", "GET", outpostsObjectURL(srv, alias, "doc.txt"), nil, nil); status != 200 {
		t.Fatalf("header-signed GET from inside the range: %d %s", status, code)
	}
}

// The bucket policy of S3OutpostsIAM.md: a wildcard principal limited to
// an IP range.
func TestSeedWildcardPrincipalWithSourceIP(t *testing.T) {
	srv, _ := start(t)
	arn, alias := seedSetup(t, srv)
	partnerRoot := createAccount(t, srv, partner)
	pat := newUser(t, srv, partnerRoot, "pat")
	_, err := iamClient(srv, partnerRoot).PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("pat"), PolicyName: aws.String("outposts"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3-outposts:*","Resource":"*"}]}`)})
	must(t, "PutUserPolicy", err)
	wildcard := func(allow, deny string) string {
		return `{"Version":"2012-10-17","Id":"ExampleBucketPolicy2","Statement":[{"Sid":"statement1","Effect":"Allow","Principal":{"AWS":"*"},
 "Action":"s3-outposts:*","Resource":"` + seedObjects + `",
 "Condition":{"IpAddress":{"aws:SourceIp":"` + allow + `"},"NotIpAddress":{"aws:SourceIp":"` + deny + `"}}}]}`
	}
	putAccessPointPolicy(t, srv, apAdmitsPartner)
	u := presign(t, srv, pat, "GET", "/"+alias+"/doc.txt", "s3-outposts", time.Now(), time.Hour)
	putOutpostsBucketPolicy(t, srv, arn, wildcard("192.0.2.0/24", "198.51.100.0/24"))
	wantURL(t, "URL from outside the allowed range", "GET", u, 403, "AccessDenied")
	putOutpostsBucketPolicy(t, srv, arn, wildcard("127.0.0.0/8", "198.51.100.0/24"))
	wantURL(t, "URL from inside the allowed range", "GET", u, 200, "")
	putOutpostsBucketPolicy(t, srv, arn, wildcard("127.0.0.0/8", "127.0.0.1/32"))
	wantURL(t, "URL from an excluded address", "GET", u, 403, "AccessDenied")
}

func TestCrossAccountBucketPolicy(t *testing.T) {
	srv, _ := start(t)
	srv.MustBucket(t, "xacct")
	ok(s3Client(srv, rootCreds).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("xacct"), Key: aws.String("f.txt"), Body: bytes.NewReader([]byte("f"))}))(t, "PutObject")
	partnerRoot := createAccount(t, srv, partner)
	quinn := newUser(t, srv, partnerRoot, "quinn")
	pc := iamClient(srv, partnerRoot)
	read := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	_, err := pc.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("quinn"), PolicyName: aws.String("read"), PolicyDocument: aws.String(read)})
	must(t, "PutUserPolicy", err)

	get := func(c sigv4.Credentials) string {
		_, code := signedDo(t, c, "s3", "GET", srv.URL+"/xacct/f.txt", nil, nil)
		return code
	}
	if c := get(quinn); c != "AccessDenied" {
		t.Fatalf("cross-account GET without a bucket policy: %q", c)
	}
	if c := get(partnerRoot); c != "AccessDenied" {
		t.Fatalf("partner root without a bucket policy: %q", c)
	}
	sc := s3Client(srv, rootCreds)
	_, err = sc.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("xacct"), Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::other-bucket/*"}]}`)})
	wantCode(t, "bucket policy naming another bucket", err, "MalformedPolicy")
	_, err = sc.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("xacct"), Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::xacct/*"}]}`)})
	wantCode(t, "bucket policy without Principal", err, "MalformedPolicy")
	ok(sc.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("xacct"), Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::xacct/*"}]}`)}))(t, "PutBucketPolicy")
	if c := get(quinn); c != "" {
		t.Fatalf("cross-account GET with both policies: %q", c)
	}
	if c := get(partnerRoot); c != "" {
		t.Fatalf("partner root with the bucket policy: %q", c)
	}
	u := presign(t, srv, quinn, "GET", "/xacct/f.txt", "s3", time.Now(), time.Hour)
	wantURL(t, "cross-account presigned URL", "GET", u, 200, "")
	// Both sides are needed: without the identity policy the bucket
	// policy alone does not admit another account's user.
	_, err = pc.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("quinn"), PolicyName: aws.String("read")})
	must(t, "DeleteUserPolicy", err)
	wantURL(t, "cross-account URL without the identity policy", "GET", u, 403, "AccessDenied")
	// Writing was never granted.
	if _, code := signedDo(t, partnerRoot, "s3", "PUT", srv.URL+"/xacct/g.txt", []byte("g"), nil); code != "AccessDenied" {
		t.Fatalf("cross-account PUT: %q", code)
	}
}

// Canned ACLs still admit readers on plain buckets, and an explicit Deny
// in the bucket policy beats them.
func TestACLsAndExplicitDeny(t *testing.T) {
	srv, _ := start(t)
	sc := s3Client(srv, rootCreds)
	ok(sc.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("pub"), ACL: "public-read"}))(t, "CreateBucket public-read")
	ok(sc.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("pub"), Key: aws.String("o"), Body: bytes.NewReader([]byte("o")), ACL: "public-read"}))(t, "PutObject public-read")
	status, _ := do(t, "GET", srv.URL+"/pub/o", nil)
	if status != 200 {
		t.Fatalf("anonymous GET of a public-read object: %d", status)
	}
	ok(sc.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("pub"), Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::pub/*"}]}`)}))(t, "PutBucketPolicy deny")
	if status, _ := do(t, "GET", srv.URL+"/pub/o", nil); status != 403 {
		t.Fatalf("anonymous GET under an explicit deny: %d", status)
	}
	_, err := sc.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("pub"), Key: aws.String("o")})
	wantCode(t, "the owner under an explicit deny", err, "AccessDenied")
}

func TestExplainPolicy(t *testing.T) {
	srv, _ := start(t)
	arn, _ := seedSetup(t, srv)
	putOutpostsBucketPolicy(t, srv, arn, policyHeaderOnly)
	newUser(t, srv, rootCreds, "kim")
	putUserPolicy(t, srv, "kim", "all", `{"Version":"2012-10-17","Statement":[{"Sid":"ReadAll","Effect":"Allow","Action":"s3-outposts:GetObject","Resource":"*"}]}`)
	explain := func(authType string) (string, string) {
		status, body := adminCall(t, srv, rootCreds, url.Values{"Action": {"ExplainPolicy"},
			"PrincipalArn": {"arn:aws:iam::" + account + ":user/kim"}, "ActionName": {"s3-outposts:GetObject"},
			"ResourceArn":          {strings.Replace(seedObjects, "*", "doc.txt", 1)},
			"Context.member.1.Key": {"s3-outposts:authType"}, "Context.member.1.Value": {authType}})
		if status != 200 {
			t.Fatalf("ExplainPolicy: %d %s", status, body)
		}
		var res struct {
			Decision string `xml:"ExplainPolicyResult>Decision"`
			Text     string `xml:"ExplainPolicyResult>Text"`
		}
		must(t, "parse", xml.Unmarshal(body, &res))
		return res.Decision, res.Text
	}
	d, text := explain("REST-QUERY-STRING")
	if d != "DENY" || !strings.Contains(text, "Deny presigned URL requests") || !strings.Contains(text, "explicitly denied by a bucket policy") {
		t.Fatalf("explain presigned: %s\n%s", d, text)
	}
	d, text = explain("REST-HEADER")
	if d != "ALLOW" || !strings.Contains(text, "ReadAll") {
		t.Fatalf("explain header: %s\n%s", d, text)
	}
	// Only the operator (or an account's root, for its own account) may explain.
	kim := newUser(t, srv, rootCreds, "lee")
	status, _ := adminCall(t, srv, kim, url.Values{"Action": {"ExplainPolicy"}, "PrincipalArn": {"arn:aws:iam::" + account + ":user/kim"},
		"ActionName": {"s3-outposts:GetObject"}, "ResourceArn": {seedObjects}})
	if status != 403 {
		t.Fatalf("ExplainPolicy by a user: %d", status)
	}
}

func TestCreateAccountIsForTheOperator(t *testing.T) {
	srv, _ := start(t)
	partnerRoot := createAccount(t, srv, partner)
	who := ok(stsClient(srv, partnerRoot).GetCallerIdentity(ctx, nil))(t, "GetCallerIdentity of the new root")
	if aws.ToString(who.Account) != partner {
		t.Fatalf("new account identity = %+v", who)
	}
	status, body := adminCall(t, srv, partnerRoot, url.Values{"Action": {"CreateAccount"}})
	if status != 403 || !bytes.Contains(body, []byte("<Code>AccessDenied</Code>")) {
		t.Fatalf("CreateAccount by another account's root: %d %s", status, body)
	}
	status, _ = adminCall(t, srv, rootCreds, url.Values{"Action": {"CreateAccount"}, "AccountId": {partner}})
	if status != 409 {
		t.Fatalf("CreateAccount of an existing ID: %d", status)
	}
	status, body = adminCall(t, srv, rootCreds, url.Values{"Action": {"ListAccounts"}})
	if status != 200 || !bytes.Contains(body, []byte(partner)) || !bytes.Contains(body, []byte(account)) {
		t.Fatalf("ListAccounts: %d %s", status, body)
	}
	// Accounts are separate: the partner's root sees none of the owner's users or buckets.
	newUser(t, srv, rootCreds, "owneruser")
	users := ok(iamClient(srv, partnerRoot).ListUsers(ctx, &iam.ListUsersInput{}))(t, "ListUsers as the partner").Users
	if len(users) != 0 {
		t.Fatalf("partner sees users %+v", users)
	}
	srv.MustBucket(t, "owners")
	out := ok(s3Client(srv, partnerRoot).ListBuckets(ctx, &s3.ListBucketsInput{}))(t, "ListBuckets as the partner")
	if len(out.Buckets) != 0 {
		t.Fatalf("partner lists buckets %+v", out.Buckets)
	}
	_, err := s3Client(srv, partnerRoot).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("owners"), Key: aws.String("x")})
	wantCode(t, "partner reads the owner's bucket", err, "AccessDenied")
}

var _ = io.Discard

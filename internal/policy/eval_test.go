package policy

import (
	"strings"
	"testing"
)

const (
	owner     = "111122223333"
	other     = "444455556666"
	outpost   = "arn:aws:s3-outposts:us-east-1:111122223333:outpost/op-01ac5d28a6a232904"
	bucketARN = outpost + "/bucket/example-outpost-bucket"
	objARN    = bucketARN + "/object/photos/cat.jpg"
	apARN     = outpost + "/accesspoint/ap1"
	apObjARN  = apARN + "/object/photos/cat.jpg"
)

// doc wraps statements in a 2012-10-17 policy document.
func doc(stmts ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
}

func mustIdentity(t testing.TB, s string) *Policy {
	t.Helper()
	p, err := ParseIdentityPolicy([]byte(s), 0)
	if err != nil {
		t.Fatalf("ParseIdentityPolicy(%s): %v", s, err)
	}
	return p
}

func mustResource(t testing.TB, s string) *Policy {
	t.Helper()
	p, err := ParseResourcePolicy([]byte(s), 0)
	if err != nil {
		t.Fatalf("ParseResourcePolicy(%s): %v", s, err)
	}
	return p
}

func user(acct, name string) Principal {
	return Principal{ARN: "arn:aws:iam::" + acct + ":user/" + name, Account: acct, Type: PrincipalUser, Username: name, UserID: "AIDA" + strings.ToUpper(name)}
}

func session(acct, role, sess string) Principal {
	return Principal{ARN: "arn:aws:sts::" + acct + ":assumed-role/" + role + "/" + sess, Account: acct, Type: PrincipalAssumedRole, UserID: "AROAEXAMPLE:" + sess}
}

func root(acct string) Principal {
	return Principal{ARN: "arn:aws:iam::" + acct + ":root", Account: acct, Type: PrincipalAccount, UserID: acct}
}

var anonymous = Principal{Type: PrincipalAnonymous}

const allowAllIdentity = `{"Effect":"Allow","Action":"s3-outposts:*","Resource":"*"}`

// tc is one evaluation case. Policies are JSON strings ("" = none) so the
// table reads like the documents an operator would write.
type tc struct {
	name      string
	principal Principal
	action    string
	resource  string
	ctx       map[string][]string
	identity  string
	session   string // session policy; "" = none
	bucket    string
	ap        string // access point policy
	viaAP     bool
	ownerRoot bool
	want      bool
	wantDeny  bool // explicit deny expected
}

// condCase builds a same-account case where an identity policy allows the
// request only if cond (a Condition element) holds.
func condCase(name, cond string, ctx map[string][]string, want bool) tc {
	return tc{
		name:      name,
		principal: user(owner, "alice"),
		identity:  doc(`{"Effect":"Allow","Action":"s3-outposts:GetObject","Resource":"*","Condition":` + cond + `}`),
		ctx:       ctx,
		want:      want,
	}
}

func ctx(kv ...string) map[string][]string {
	m := map[string][]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = append(m[kv[i]], kv[i+1])
	}
	return m
}

func multi(key string, vals ...string) map[string][]string {
	return map[string][]string{key: vals}
}

var evalCases = []tc{
	// --- The S3 on Outposts documentation examples (wire-behaviour §1.3). ---
	{name: "a presigned request older than ten minutes is denied by the signatureAge policy", principal: user(other, "bob"), action: "s3-outposts:GetObject",
		identity: doc(allowAllIdentity),
		bucket: doc(`{"Sid":"allow","Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":"s3-outposts:*","Resource":"`+bucketARN+`/object/*"}`,
			`{"Sid":"Deny a presigned URL request if the signature is more than 10 minutes old","Effect":"Deny","Principal":{"AWS":"444455556666"},"Action":"s3-outposts:*","Resource":"`+bucketARN+`/object/*","Condition":{"NumericGreaterThan":{"s3-outposts:signatureAge":600000},"StringEquals":{"s3-outposts:authType":"REST-QUERY-STRING"}}}`),
		ctx: ctx("s3-outposts:signatureage", "700000", "s3-outposts:authtype", "REST-QUERY-STRING"), wantDeny: true},
	{name: "a presigned request younger than ten minutes passes the signatureAge policy", principal: user(other, "bob"), action: "s3-outposts:GetObject",
		identity: doc(allowAllIdentity),
		bucket: doc(`{"Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":"s3-outposts:*","Resource":"`+bucketARN+`/object/*"}`,
			`{"Effect":"Deny","Principal":{"AWS":"444455556666"},"Action":"s3-outposts:*","Resource":"`+bucketARN+`/object/*","Condition":{"NumericGreaterThan":{"s3-outposts:signatureAge":600000},"StringEquals":{"s3-outposts:authType":"REST-QUERY-STRING"}}}`),
		ctx: ctx("s3-outposts:signatureage", "599999", "s3-outposts:authtype", "REST-QUERY-STRING"), want: true},
	{name: "a header-signed request is not affected by the signatureAge deny", principal: user(other, "bob"), action: "s3-outposts:GetObject",
		identity: doc(allowAllIdentity),
		bucket: doc(`{"Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":"s3-outposts:*","Resource":"`+bucketARN+`/object/*"}`,
			`{"Effect":"Deny","Principal":{"AWS":"444455556666"},"Action":"s3-outposts:*","Resource":"`+bucketARN+`/object/*","Condition":{"NumericGreaterThan":{"s3-outposts:signatureAge":600000},"StringEquals":{"s3-outposts:authType":"REST-QUERY-STRING"}}}`),
		ctx: ctx("s3-outposts:signatureage", "700000", "s3-outposts:authtype", "REST-HEADER"), want: true},
	{name: "a signatureAge deny does not apply when the key is absent", principal: user(other, "bob"), action: "s3-outposts:GetObject",
		identity: doc(allowAllIdentity),
		bucket: doc(`{"Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":"s3-outposts:*","Resource":"`+bucketARN+`/object/*"}`,
			`{"Effect":"Deny","Principal":{"AWS":"444455556666"},"Action":"s3-outposts:*","Resource":"`+bucketARN+`/object/*","Condition":{"NumericGreaterThan":{"s3-outposts:signatureAge":600000}}}`),
		ctx: ctx("s3-outposts:authtype", "REST-QUERY-STRING"), want: true},
	{name: "the signatureAge deny for another account does not touch the owner's users", principal: user(owner, "alice"), action: "s3-outposts:GetObject", identity: doc(allowAllIdentity),
		bucket: doc(`{"Effect":"Deny","Principal":{"AWS":"444455556666"},"Action":"s3-outposts:*","Resource":"` + bucketARN + `/object/*","Condition":{"NumericGreaterThan":{"s3-outposts:signatureAge":600000}}}`),
		ctx:    ctx("s3-outposts:signatureage", "900000"), want: true},
	{name: "a presigned URL is denied when the bucket policy requires REST-HEADER", principal: user(owner, "alice"), action: "s3-outposts:GetObject", identity: doc(allowAllIdentity),
		bucket: doc(`{"Effect":"Deny","Principal":{"AWS":"111122223333"},"Action":"s3-outposts:*","Resource":"` + bucketARN + `/object/*","Condition":{"StringNotEquals":{"s3-outposts:authType":"REST-HEADER"}}}`),
		ctx:    ctx("s3-outposts:authtype", "REST-QUERY-STRING"), wantDeny: true},
	{name: "a header-signed request passes the REST-HEADER-only policy", principal: user(owner, "alice"), action: "s3-outposts:GetObject", identity: doc(allowAllIdentity),
		bucket: doc(`{"Effect":"Deny","Principal":{"AWS":"111122223333"},"Action":"s3-outposts:*","Resource":"` + bucketARN + `/object/*","Condition":{"StringNotEquals":{"s3-outposts:authType":"REST-HEADER"}}}`),
		ctx:    ctx("s3-outposts:authtype", "REST-HEADER"), want: true},
	{name: "a request without authType is denied by StringNotEquals because a missing key makes a negated operator true", principal: user(owner, "alice"), action: "s3-outposts:GetObject", identity: doc(allowAllIdentity),
		bucket:   doc(`{"Effect":"Deny","Principal":{"AWS":"111122223333"},"Action":"s3-outposts:*","Resource":"` + bucketARN + `/object/*","Condition":{"StringNotEquals":{"s3-outposts:authType":"REST-HEADER"}}}`),
		wantDeny: true},
	{name: "an unsigned-payload upload is denied", principal: user(owner, "alice"), action: "s3-outposts:PutObject", identity: doc(allowAllIdentity),
		bucket: doc(`{"Sid":"Deny uploads with unsigned payloads.","Effect":"Deny","Principal":{"AWS":"111122223333"},"Action":"s3-outposts:*","Resource":"` + bucketARN + `/object/*","Condition":{"StringEquals":{"s3-outposts:x-amz-content-sha256":"UNSIGNED-PAYLOAD"}}}`),
		ctx:    ctx("s3-outposts:x-amz-content-sha256", "UNSIGNED-PAYLOAD"), wantDeny: true},
	{name: "a signed-payload upload passes the unsigned-payload deny", principal: user(owner, "alice"), action: "s3-outposts:PutObject", identity: doc(allowAllIdentity),
		bucket: doc(`{"Effect":"Deny","Principal":{"AWS":"111122223333"},"Action":"s3-outposts:*","Resource":"` + bucketARN + `/object/*","Condition":{"StringEquals":{"s3-outposts:x-amz-content-sha256":"UNSIGNED-PAYLOAD"}}}`),
		ctx:    ctx("s3-outposts:x-amz-content-sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"), want: true},
	{name: "the network-path identity deny blocks a request from outside the range", principal: user(owner, "alice"), action: "s3-outposts:GetObject",
		identity: doc(allowAllIdentity, `{"Sid":"NetworkRestrictionForIAMPrincipal","Effect":"Deny","Action":"*","Resource":"*","Condition":{"NotIpAddressIfExists":{"aws:SourceIp":"192.0.2.0/24"},"BoolIfExists":{"aws:ViaAWSService":"false"}}}`),
		ctx:      ctx("aws:sourceip", "198.51.100.7"), wantDeny: true},
	{name: "the network-path identity deny lets a request from inside the range through", principal: user(owner, "alice"), action: "s3-outposts:GetObject",
		identity: doc(allowAllIdentity, `{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"NotIpAddressIfExists":{"aws:SourceIp":"192.0.2.0/24"},"BoolIfExists":{"aws:ViaAWSService":"false"}}}`),
		ctx:      ctx("aws:sourceip", "192.0.2.44"), want: true},
	{name: "the network-path identity deny applies when the source IP is absent because both IfExists conditions are true", principal: user(owner, "alice"), action: "s3-outposts:GetObject",
		identity: doc(allowAllIdentity, `{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"NotIpAddressIfExists":{"aws:SourceIp":"192.0.2.0/24"},"BoolIfExists":{"aws:ViaAWSService":"false"}}}`),
		wantDeny: true},
	{name: "the network-path identity deny exempts calls made via an AWS service", principal: user(owner, "alice"), action: "s3-outposts:GetObject",
		identity: doc(allowAllIdentity, `{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"NotIpAddressIfExists":{"aws:SourceIp":"192.0.2.0/24"},"BoolIfExists":{"aws:ViaAWSService":"false"}}}`),
		ctx:      ctx("aws:sourceip", "198.51.100.7", "aws:viaawsservice", "true"), want: true},
	{name: "an access point policy allowing only one VPC admits a request from that VPC", principal: user(owner, "alice"), action: "s3-outposts:GetObject", resource: apObjARN, viaAP: true,
		ap:     doc(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"s3-outposts:GetObject","Resource":"` + apARN + `/object/*","Condition":{"StringEquals":{"aws:SourceVpc":"vpc-1a2b3c4d"}}}`),
		bucket: doc(`{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"s3-outposts:*","Resource":"*"}`),
		ctx:    ctx("aws:sourcevpc", "vpc-1a2b3c4d"), want: true},
	{name: "an access point policy allowing only one VPC does not admit another VPC", principal: user(owner, "alice"), action: "s3-outposts:GetObject", resource: apObjARN, viaAP: true,
		ap:     doc(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"s3-outposts:GetObject","Resource":"` + apARN + `/object/*","Condition":{"StringEquals":{"aws:SourceVpc":"vpc-1a2b3c4d"}}}`),
		bucket: doc(`{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"s3-outposts:*","Resource":"*"}`),
		ctx:    ctx("aws:sourcevpc", "vpc-99999999"), want: false},
	{name: "an access point deny outside the VPC overrides identity permission", principal: user(owner, "alice"), action: "s3-outposts:GetObject", resource: apObjARN, viaAP: true,
		identity: doc(allowAllIdentity),
		ap:       doc(`{"Effect":"Deny","Principal":"*","Action":"s3-outposts:*","Resource":"` + apARN + `/object/*","Condition":{"StringNotEquals":{"aws:SourceVpc":"vpc-1a2b3c4d"}}}`),
		ctx:      ctx("aws:sourcevpc", "vpc-99999999"), wantDeny: true},
	{name: "the documented wildcard-principal bucket policy admits anyone inside the allowed range", principal: anonymous, action: "s3-outposts:GetObject", resource: bucketARN,
		bucket: `{"Version":"2012-10-17","Id":"ExampleBucketPolicy2","Statement":[{"Sid":"statement1","Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3-outposts:*","Resource":"` + bucketARN + `","Condition":{"IpAddress":{"aws:SourceIp":"192.0.2.0/24"},"NotIpAddress":{"aws:SourceIp":"198.51.100.0/24"}}}]}`,
		ctx:    ctx("aws:sourceip", "192.0.2.9"), want: true},
	{name: "the documented wildcard-principal bucket policy rejects callers outside the range", principal: anonymous, action: "s3-outposts:GetObject", resource: bucketARN,
		bucket: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3-outposts:*","Resource":"` + bucketARN + `","Condition":{"IpAddress":{"aws:SourceIp":"192.0.2.0/24"}}}]}`,
		ctx:    ctx("aws:sourceip", "203.0.113.1"), want: false},
	{name: "the documented account-principal bucket policy grants the account's users", principal: user(owner, "carol"), action: "s3-outposts:ListBucket", resource: bucketARN,
		bucket: `{"Version":"2012-10-17","Id":"ExampleBucketPolicy1","Statement":[{"Sid":"statement1","Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"s3-outposts:*","Resource":"` + bucketARN + `"}]}`, want: true},

	// --- Same account, cross account, resource owner. ---
	{name: "a same-account user with an identity allow and no bucket policy is allowed", principal: user(owner, "alice"), identity: doc(allowAllIdentity), want: true},
	{name: "a same-account user with no policies at all is implicitly denied", principal: user(owner, "alice"), want: false},
	{name: "a same-account user named in the bucket policy is allowed without identity policies", principal: user(owner, "alice"),
		bucket: doc(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"s3-outposts:GetObject","Resource":"` + bucketARN + `/object/*"}`), want: true},
	{name: "a bucket policy naming another user does not allow alice", principal: user(owner, "alice"),
		bucket: doc(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/bob"},"Action":"s3-outposts:GetObject","Resource":"` + bucketARN + `/object/*"}`), want: false},
	{name: "a cross-account user with identity and bucket policy allows is allowed", principal: user(other, "bob"), identity: doc(allowAllIdentity),
		bucket: doc(`{"Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":"s3-outposts:GetObject","Resource":"` + bucketARN + `/object/*"}`), want: true},
	{name: "a cross-account user with only an identity allow is denied", principal: user(other, "bob"), identity: doc(allowAllIdentity), want: false},
	{name: "a cross-account user with only a bucket policy allow is denied", principal: user(other, "bob"),
		bucket: doc(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"s3-outposts:GetObject","Resource":"` + bucketARN + `/object/*"}`), want: false},
	{name: "a cross-account bucket policy for the account root ARN covers the account's users", principal: user(other, "bob"), identity: doc(allowAllIdentity),
		bucket: doc(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"s3-outposts:GetObject","Resource":"` + bucketARN + `/object/*"}`), want: true},
	{name: "the resource owner's root user is implicitly allowed", principal: root(owner), want: true},
	{name: "the resource owner's root user flagged by the caller is implicitly allowed", principal: user(owner, "admin"), ownerRoot: true, want: true},
	{name: "another account's root user is not implicitly allowed", principal: root(other), want: false},
	{name: "a bucket policy deny applies even to the owner's root user", principal: root(owner),
		bucket: doc(`{"Effect":"Deny","Principal":{"AWS":"111122223333"},"Action":"s3-outposts:DeleteObject","Resource":"*"}`), action: "s3-outposts:DeleteObject", wantDeny: true},
	{name: "an identity deny overrides a bucket policy allow", principal: user(owner, "alice"),
		identity: doc(`{"Effect":"Deny","Action":"s3-outposts:GetObject","Resource":"*"}`),
		bucket:   doc(`{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"s3-outposts:*","Resource":"*"}`), wantDeny: true},
	{name: "a bucket policy deny overrides an identity allow", principal: user(owner, "alice"), identity: doc(allowAllIdentity),
		bucket: doc(`{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"s3-outposts:*","Resource":"*"}`), wantDeny: true},
	{name: "a deny in one of several identity policies wins", principal: user(owner, "alice"),
		identity: doc(allowAllIdentity) + "\x00" + doc(`{"Effect":"Deny","Action":"s3-outposts:Get*","Resource":"*"}`), wantDeny: true},
	{name: "an allow in a second identity policy suffices", principal: user(owner, "alice"),
		identity: doc(`{"Effect":"Allow","Action":"s3-outposts:PutObject","Resource":"*"}`) + "\x00" + doc(`{"Effect":"Allow","Action":"s3-outposts:GetObject","Resource":"*"}`), want: true},

	// --- Access points. ---
	{name: "an access point that allows is not enough when the bucket policy denies", principal: user(other, "bob"), resource: apObjARN, viaAP: true, identity: doc(allowAllIdentity),
		ap:     doc(`{"Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":"s3-outposts:GetObject","Resource":"` + apARN + `/object/*"}`),
		bucket: doc(`{"Effect":"Deny","Principal":{"AWS":"444455556666"},"Action":"s3-outposts:*","Resource":"*"}`), wantDeny: true},
	{name: "a cross-account request through an access point needs the bucket policy too", principal: user(other, "bob"), resource: apObjARN, viaAP: true, identity: doc(allowAllIdentity),
		ap: doc(`{"Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":"s3-outposts:GetObject","Resource":"` + apARN + `/object/*"}`), want: false},
	{name: "a cross-account request through an access point with both policies and identity is allowed", principal: user(other, "bob"), resource: apObjARN, viaAP: true, identity: doc(allowAllIdentity),
		ap:     doc(`{"Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":"s3-outposts:GetObject","Resource":"` + apARN + `/object/*"}`),
		bucket: doc(`{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3-outposts:*","Resource":"*","Condition":{"StringEquals":{"s3-outposts:DataAccessPointAccount":"111122223333"}}}`),
		ctx:    ctx("s3-outposts:dataaccesspointaccount", owner), want: true},
	{name: "a cross-account request through an access point without identity permission is denied", principal: user(other, "bob"), resource: apObjARN, viaAP: true,
		ap:     doc(`{"Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":"s3-outposts:GetObject","Resource":"` + apARN + `/object/*"}`),
		bucket: doc(`{"Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":"s3-outposts:*","Resource":"*"}`), want: false},
	{name: "a same-account user with identity permission may use an access point without policies", principal: user(owner, "alice"), resource: apObjARN, viaAP: true, identity: doc(allowAllIdentity), want: true},
	{name: "a same-account user allowed only by the access point policy is denied on the bucket side", principal: user(owner, "alice"), resource: apObjARN, viaAP: true,
		ap: doc(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"s3-outposts:GetObject","Resource":"` + apARN + `/object/*"}`), want: false},
	{name: "a same-account user allowed by both access point and bucket policies needs no identity policy", principal: user(owner, "alice"), resource: apObjARN, viaAP: true,
		ap:     doc(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"s3-outposts:GetObject","Resource":"` + apARN + `/object/*"}`),
		bucket: doc(`{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"s3-outposts:*","Resource":"*"}`), want: true},
	{name: "an access point policy does not apply to requests made directly to the bucket", principal: user(owner, "alice"), identity: doc(allowAllIdentity),
		ap: doc(`{"Effect":"Deny","Principal":"*","Action":"s3-outposts:*","Resource":"*"}`), want: true},
	{name: "an anonymous request through an access point needs wildcard allows on both sides", principal: anonymous, resource: apObjARN, viaAP: true, ctx: ctx("aws:sourceip", "10.0.0.1"),
		ap:     doc(`{"Effect":"Allow","Principal":"*","Action":"s3-outposts:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}`),
		bucket: doc(`{"Effect":"Allow","Principal":"*","Action":"s3-outposts:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}`), want: true},
	{name: "an anonymous request through an access point is denied when only the access point allows", principal: anonymous, resource: apObjARN, viaAP: true, ctx: ctx("aws:sourceip", "10.0.0.1"),
		ap: doc(`{"Effect":"Allow","Principal":"*","Action":"s3-outposts:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}`), want: false},

	// --- Anonymous. ---
	{name: "an anonymous request is denied without a wildcard bucket policy", principal: anonymous, identity: doc(allowAllIdentity), want: false},
	{name: "an anonymous request is not matched by an account principal", principal: anonymous,
		bucket: doc(`{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"s3-outposts:*","Resource":"*"}`), want: false},
	{name: "an anonymous request is allowed by a Principal star statement", principal: anonymous,
		bucket: doc(`{"Effect":"Allow","Principal":"*","Action":"s3-outposts:GetObject","Resource":"*"}`), want: true},
	{name: "aws:PrincipalAccount is absent for anonymous callers so a Null check sees it missing", principal: anonymous,
		bucket: doc(`{"Effect":"Allow","Principal":"*","Action":"s3-outposts:GetObject","Resource":"*","Condition":{"Null":{"aws:PrincipalAccount":"true"}}}`), want: true},

	// --- Principals. ---
	{name: "a role ARN principal matches a session of that role", principal: session(owner, "reader", "s1"),
		bucket: doc(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/reader"},"Action":"s3-outposts:GetObject","Resource":"*"}`), want: true},
	{name: "a role ARN with a path matches a session whose ARN omits the path", principal: session(owner, "reader", "s1"),
		bucket: doc(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/team/reader"},"Action":"s3-outposts:GetObject","Resource":"*"}`), want: true},
	{name: "a role ARN principal does not match a session of another role", principal: session(owner, "writer", "s1"),
		bucket: doc(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/reader"},"Action":"s3-outposts:GetObject","Resource":"*"}`), want: false},
	{name: "a role ARN principal in another account does not match", principal: session(other, "reader", "s1"), identity: doc(allowAllIdentity),
		bucket: doc(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/reader"},"Action":"s3-outposts:GetObject","Resource":"*"}`), want: false},
	{name: "a session ARN principal matches that session exactly", principal: session(owner, "reader", "s1"),
		bucket: doc(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:sts::111122223333:assumed-role/reader/s1"},"Action":"s3-outposts:GetObject","Resource":"*"}`), want: true},
	{name: "a session ARN principal does not match another session of the role", principal: session(owner, "reader", "s2"),
		bucket: doc(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:sts::111122223333:assumed-role/reader/s1"},"Action":"s3-outposts:GetObject","Resource":"*"}`), want: false},
	{name: "a NotPrincipal deny exempts the listed user", principal: user(owner, "admin"), identity: doc(allowAllIdentity),
		bucket: doc(`{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:user/admin"},"Action":"s3-outposts:*","Resource":"*"}`), want: true},
	{name: "a NotPrincipal deny hits everyone else", principal: user(owner, "alice"), identity: doc(allowAllIdentity),
		bucket: doc(`{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:user/admin"},"Action":"s3-outposts:*","Resource":"*"}`), wantDeny: true},
	{name: "a service principal matches its service", principal: Principal{Type: PrincipalService, ARN: "cloudtrail.amazonaws.com"},
		bucket: doc(`{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3-outposts:PutObject","Resource":"*"}`), action: "s3-outposts:PutObject", want: true},
	{name: "a user is not matched by a service principal", principal: user(owner, "alice"),
		bucket: doc(`{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3-outposts:*","Resource":"*"}`), want: false},
	{name: "a principal in a list of several matches", principal: user(other, "bob"), identity: doc(allowAllIdentity),
		bucket: doc(`{"Effect":"Allow","Principal":{"AWS":["999988887777","arn:aws:iam::444455556666:user/bob"]},"Action":"s3-outposts:*","Resource":"*"}`), want: true},

	// --- Session policies. ---
	{name: "a session policy that does not allow the action limits an identity allow", principal: session(owner, "reader", "s1"), identity: doc(allowAllIdentity),
		session: doc(`{"Effect":"Allow","Action":"s3-outposts:PutObject","Resource":"*"}`), want: false},
	{name: "a session policy that allows the action keeps the identity allow", principal: session(owner, "reader", "s1"), identity: doc(allowAllIdentity),
		session: doc(`{"Effect":"Allow","Action":"s3-outposts:Get*","Resource":"*"}`), want: true},
	{name: "a session policy deny is an explicit deny", principal: session(owner, "reader", "s1"), identity: doc(allowAllIdentity),
		session: doc(allowAllIdentity, `{"Effect":"Deny","Action":"s3-outposts:GetObject","Resource":"*"}`), wantDeny: true},
	{name: "a bucket policy naming the session ARN is not limited by the session policy", principal: session(owner, "reader", "s1"),
		session: doc(`{"Effect":"Allow","Action":"s3-outposts:PutObject","Resource":"*"}`),
		bucket:  doc(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:sts::111122223333:assumed-role/reader/s1"},"Action":"s3-outposts:GetObject","Resource":"*"}`), want: true},
	{name: "a bucket policy naming only the role is limited by the session policy", principal: session(owner, "reader", "s1"),
		session: doc(`{"Effect":"Allow","Action":"s3-outposts:PutObject","Resource":"*"}`),
		bucket:  doc(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/reader"},"Action":"s3-outposts:GetObject","Resource":"*"}`), want: false},

	// --- Actions and resources. ---
	{name: "actions match case-insensitively", principal: user(owner, "alice"), action: "S3-OUTPOSTS:getobject", identity: doc(`{"Effect":"Allow","Action":"s3-outposts:GetObject","Resource":"*"}`), want: true},
	{name: "a Get* action pattern matches GetObject", principal: user(owner, "alice"), identity: doc(`{"Effect":"Allow","Action":"s3-outposts:Get*","Resource":"*"}`), want: true},
	{name: "a Get* action pattern does not match PutObject", principal: user(owner, "alice"), action: "s3-outposts:PutObject", identity: doc(`{"Effect":"Allow","Action":"s3-outposts:Get*","Resource":"*"}`), want: false},
	{name: "a question mark in an action matches one character", principal: user(owner, "alice"), identity: doc(`{"Effect":"Allow","Action":"s3-outposts:GetObjec?","Resource":"*"}`), want: true},
	{name: "the s3 namespace does not cover s3-outposts actions", principal: user(owner, "alice"), identity: doc(`{"Effect":"Allow","Action":"s3:*","Resource":"*"}`), want: false},
	{name: "a bare star action matches every action", principal: user(owner, "alice"), identity: doc(`{"Effect":"Allow","Action":"*","Resource":"*"}`), want: true},
	{name: "a NotAction allow covers actions outside the list", principal: user(owner, "alice"), identity: doc(`{"Effect":"Allow","NotAction":"s3-outposts:Delete*","Resource":"*"}`), want: true},
	{name: "a NotAction allow excludes the listed actions", principal: user(owner, "alice"), action: "s3-outposts:DeleteObject", identity: doc(`{"Effect":"Allow","NotAction":"s3-outposts:Delete*","Resource":"*"}`), want: false},
	{name: "a resource pattern matches objects under the bucket", principal: user(owner, "alice"), identity: doc(`{"Effect":"Allow","Action":"s3-outposts:*","Resource":"` + bucketARN + `/object/photos/*"}`), want: true},
	{name: "resources match case-sensitively", principal: user(owner, "alice"), identity: doc(`{"Effect":"Allow","Action":"s3-outposts:*","Resource":"` + bucketARN + `/object/Photos/*"}`), want: false},
	{name: "the bucket ARN does not cover its objects", principal: user(owner, "alice"), identity: doc(`{"Effect":"Allow","Action":"s3-outposts:*","Resource":"` + bucketARN + `"}`), want: false},
	{name: "a wildcard region segment matches any region but does not cross a colon", principal: user(owner, "alice"), identity: doc(`{"Effect":"Allow","Action":"s3-outposts:*","Resource":"arn:aws:s3-outposts:*:111122223333:outpost/*"}`), want: true},
	{name: "a wildcard in the region segment cannot swallow the account segment", principal: user(owner, "alice"), identity: doc(`{"Effect":"Allow","Action":"s3-outposts:*","Resource":"arn:aws:s3-outposts:*3333:*:outpost/*"}`), want: false},
	{name: "a NotResource allow covers resources outside the list", principal: user(owner, "alice"), identity: doc(`{"Effect":"Allow","Action":"s3-outposts:*","NotResource":"` + bucketARN + `/object/secret/*"}`), want: true},
	{name: "a NotResource deny protects everything but the listed prefix", principal: user(owner, "alice"), identity: doc(allowAllIdentity, `{"Effect":"Deny","Action":"s3-outposts:*","NotResource":"`+bucketARN+`/object/public/*"}`), wantDeny: true},
	{name: "a resource list matches on any entry", principal: user(owner, "alice"), identity: doc(`{"Effect":"Allow","Action":"s3-outposts:*","Resource":["` + bucketARN + `/object/docs/*","` + bucketARN + `/object/photos/*"]}`), want: true},

	// --- Policy variables. ---
	{name: "aws:username in a Resource matches the user's own prefix", principal: user(owner, "photos"), identity: doc(`{"Effect":"Allow","Action":"s3-outposts:*","Resource":"` + bucketARN + `/object/${aws:username}/*"}`), want: true},
	{name: "aws:username in a Resource does not match another user's prefix", principal: user(owner, "alice"), identity: doc(`{"Effect":"Allow","Action":"s3-outposts:*","Resource":"` + bucketARN + `/object/${aws:username}/*"}`), want: false},
	{name: "aws:username is undefined for role sessions so the statement does not match", principal: session(owner, "photos", "s1"), identity: doc(`{"Effect":"Allow","Action":"s3-outposts:*","Resource":"` + bucketARN + `/object/${aws:username}/*"}`), want: false},
	{name: "an unresolvable variable in a deny statement makes the deny not apply", principal: session(owner, "photos", "s1"), identity: doc(allowAllIdentity, `{"Effect":"Deny","Action":"s3-outposts:*","Resource":"`+bucketARN+`/object/${aws:username}/*"}`), want: true},
	{name: "a variable default value is used when the key is missing", principal: session(owner, "photos", "s1"), identity: doc(`{"Effect":"Allow","Action":"s3-outposts:*","Resource":"` + bucketARN + `/object/${aws:username, 'photos'}/*"}`), want: true},
	{name: "variables are literal text in a 2008-10-17 policy", principal: user(owner, "photos"), identity: `{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"s3-outposts:*","Resource":"` + bucketARN + `/object/${aws:username}/*"}]}`, want: false},
	{name: "variables are literal text when Version is absent", principal: user(owner, "photos"), resource: bucketARN + "/object/${aws:username}/x", identity: `{"Statement":[{"Effect":"Allow","Action":"s3-outposts:*","Resource":"` + bucketARN + `/object/${aws:username}/*"}]}`, want: true},
	{name: "the ${*} escape is a literal star", principal: user(owner, "alice"), resource: bucketARN + "/object/a*b", identity: doc(`{"Effect":"Allow","Action":"s3-outposts:*","Resource":"` + bucketARN + `/object/a${*}b"}`), want: true},
	{name: "the ${*} escape does not act as a wildcard", principal: user(owner, "alice"), resource: bucketARN + "/object/aXb", identity: doc(`{"Effect":"Allow","Action":"s3-outposts:*","Resource":"` + bucketARN + `/object/a${*}b"}`), want: false},
	{name: "the ${?} and ${$} escapes are literal characters", principal: user(owner, "alice"), resource: bucketARN + "/object/q?$", identity: doc(`{"Effect":"Allow","Action":"s3-outposts:*","Resource":"` + bucketARN + `/object/q${?}${$}"}`), want: true},
	{name: "a star inside a variable value is not a wildcard", principal: user(owner, "ph*"), identity: doc(`{"Effect":"Allow","Action":"s3-outposts:*","Resource":"` + bucketARN + `/object/${aws:username}/*"}`), want: false},
	{name: "aws:userid of a role session resolves in a Resource", principal: session(owner, "r", "photos"), resource: bucketARN + "/object/AROAEXAMPLE:photos/x", identity: doc(`{"Effect":"Allow","Action":"s3-outposts:*","Resource":"` + bucketARN + `/object/${aws:userid}/*"}`), want: true},
	{name: "aws:PrincipalAccount resolves in a condition value", principal: user(owner, "alice"), ctx: ctx("s3-outposts:dataaccesspointaccount", owner),
		identity: doc(`{"Effect":"Allow","Action":"s3-outposts:*","Resource":"*","Condition":{"StringEquals":{"s3-outposts:DataAccessPointAccount":"${aws:PrincipalAccount}"}}}`), want: true},
	{name: "any request context key can be used as a variable", principal: user(owner, "alice"), ctx: ctx("s3-outposts:prefix", "photos/"),
		identity: doc(`{"Effect":"Allow","Action":"s3-outposts:*","Resource":"` + bucketARN + `/object/${s3-outposts:prefix}*"}`), want: true},
	{name: "a variable in a StringLike condition keeps the policy's own wildcards", principal: user(owner, "alice"), ctx: ctx("s3-outposts:prefix", "alice/docs/"),
		identity: doc(`{"Effect":"Allow","Action":"s3-outposts:*","Resource":"*","Condition":{"StringLike":{"s3-outposts:prefix":"${aws:username}/*"}}}`), want: true},
	{name: "an unresolvable variable in a condition makes the statement not apply", principal: session(owner, "r", "s"), ctx: ctx("s3-outposts:prefix", "alice/"),
		identity: doc(`{"Effect":"Allow","Action":"s3-outposts:*","Resource":"*","Condition":{"StringLike":{"s3-outposts:prefix":"${aws:username}/*"}}}`), want: false},

	// --- String operators. ---
	condCase("StringEquals matches an identical value", `{"StringEquals":{"s3-outposts:authType":"REST-HEADER"}}`, ctx("s3-outposts:authtype", "REST-HEADER"), true),
	condCase("StringEquals is case-sensitive", `{"StringEquals":{"s3-outposts:authType":"rest-header"}}`, ctx("s3-outposts:authtype", "REST-HEADER"), false),
	condCase("StringEquals is false when the key is missing", `{"StringEquals":{"s3-outposts:authType":"REST-HEADER"}}`, nil, false),
	condCase("StringEquals ORs several policy values", `{"StringEquals":{"s3-outposts:authType":["REST-QUERY-STRING","REST-HEADER"]}}`, ctx("s3-outposts:authtype", "REST-HEADER"), true),
	condCase("StringEquals treats a star as a literal", `{"StringEquals":{"s3-outposts:prefix":"a*"}}`, ctx("s3-outposts:prefix", "abc"), false),
	condCase("StringNotEquals is false when the value is listed", `{"StringNotEquals":{"s3-outposts:authType":["REST-HEADER","X"]}}`, ctx("s3-outposts:authtype", "REST-HEADER"), false),
	condCase("StringNotEquals is true when no listed value matches", `{"StringNotEquals":{"s3-outposts:authType":["A","B"]}}`, ctx("s3-outposts:authtype", "REST-HEADER"), true),
	condCase("StringNotEquals is true when the key is missing", `{"StringNotEquals":{"s3-outposts:authType":"REST-HEADER"}}`, nil, true),
	condCase("StringEqualsIgnoreCase ignores case", `{"StringEqualsIgnoreCase":{"s3-outposts:authType":"rest-header"}}`, ctx("s3-outposts:authtype", "REST-HEADER"), true),
	condCase("StringNotEqualsIgnoreCase is false for a case variant", `{"StringNotEqualsIgnoreCase":{"s3-outposts:authType":"rest-header"}}`, ctx("s3-outposts:authtype", "REST-HEADER"), false),
	condCase("StringLike matches a star wildcard", `{"StringLike":{"s3-outposts:prefix":"photos/*"}}`, ctx("s3-outposts:prefix", "photos/2024/"), true),
	condCase("StringLike matches a question-mark wildcard", `{"StringLike":{"s3-outposts:prefix":"photo?"}}`, ctx("s3-outposts:prefix", "photos"), true),
	condCase("StringLike is case-sensitive", `{"StringLike":{"s3-outposts:prefix":"Photos/*"}}`, ctx("s3-outposts:prefix", "photos/x"), false),
	condCase("StringNotLike is false for a matching value", `{"StringNotLike":{"s3-outposts:prefix":"photos/*"}}`, ctx("s3-outposts:prefix", "photos/x"), false),
	condCase("StringNotLike is true when the key is missing", `{"StringNotLike":{"s3-outposts:prefix":"photos/*"}}`, nil, true),
	condCase("StringLikeIfExists is true when the key is missing", `{"StringLikeIfExists":{"s3-outposts:prefix":"photos/*"}}`, nil, true),
	condCase("StringLikeIfExists still checks a present key", `{"StringLikeIfExists":{"s3-outposts:prefix":"photos/*"}}`, ctx("s3-outposts:prefix", "docs/"), false),
	condCase("StringNotEqualsIfExists is true when the key is missing", `{"StringNotEqualsIfExists":{"s3-outposts:authType":"REST-HEADER"}}`, nil, true),
	condCase("condition keys are case-insensitive", `{"StringEquals":{"S3-OUTPOSTS:AUTHTYPE":"REST-HEADER"}}`, ctx("s3-outposts:authtype", "REST-HEADER"), true),
	condCase("a single-valued operator on a multi-valued key matches if any value matches", `{"StringEquals":{"aws:TagKeys":"team"}}`, multi("aws:tagkeys", "env", "team"), true),
	condCase("a negated single-valued operator on a multi-valued key fails if any value matches", `{"StringNotEquals":{"aws:TagKeys":"team"}}`, multi("aws:tagkeys", "env", "team"), false),

	// --- Numeric operators. ---
	condCase("NumericEquals matches equal numbers written differently", `{"NumericEquals":{"s3-outposts:max-keys":"100"}}`, ctx("s3-outposts:max-keys", "100.0"), true),
	condCase("NumericNotEquals is false for an equal number", `{"NumericNotEquals":{"s3-outposts:max-keys":100}}`, ctx("s3-outposts:max-keys", "100"), false),
	condCase("NumericNotEquals is true when the key is missing", `{"NumericNotEquals":{"s3-outposts:max-keys":100}}`, nil, true),
	condCase("NumericLessThan is true below the bound", `{"NumericLessThan":{"s3-outposts:max-keys":100}}`, ctx("s3-outposts:max-keys", "99"), true),
	condCase("NumericLessThan is false at the bound", `{"NumericLessThan":{"s3-outposts:max-keys":100}}`, ctx("s3-outposts:max-keys", "100"), false),
	condCase("NumericLessThanEquals is true at the bound", `{"NumericLessThanEquals":{"s3-outposts:max-keys":100}}`, ctx("s3-outposts:max-keys", "100"), true),
	condCase("NumericGreaterThan compares decimals", `{"NumericGreaterThan":{"s3-outposts:signatureAge":"600000.5"}}`, ctx("s3-outposts:signatureage", "600001"), true),
	condCase("NumericGreaterThanEquals is true at the bound", `{"NumericGreaterThanEquals":{"s3-outposts:signatureAge":600000}}`, ctx("s3-outposts:signatureage", "600000"), true),
	condCase("NumericGreaterThan is false for a non-numeric request value", `{"NumericGreaterThan":{"s3-outposts:signatureAge":1}}`, ctx("s3-outposts:signatureage", "ten"), false),
	condCase("NumericLessThan is false when the key is missing", `{"NumericLessThan":{"s3-outposts:max-keys":100}}`, nil, false),
	condCase("NumericLessThanIfExists is true when the key is missing", `{"NumericLessThanIfExists":{"s3-outposts:max-keys":100}}`, nil, true),

	// --- Date operators. ---
	condCase("DateEquals matches ISO 8601 against epoch seconds", `{"DateEquals":{"aws:CurrentTime":"2024-01-01T00:00:00Z"}}`, ctx("aws:currenttime", "1704067200"), true),
	condCase("DateNotEquals is false for the same instant in another zone", `{"DateNotEquals":{"aws:CurrentTime":"2024-01-01T01:00:00+01:00"}}`, ctx("aws:currenttime", "2024-01-01T00:00:00Z"), false),
	condCase("DateLessThan is true before the date", `{"DateLessThan":{"aws:CurrentTime":"2024-06-30"}}`, ctx("aws:currenttime", "2024-06-29T23:59:59Z"), true),
	condCase("DateLessThanEquals is true at the instant", `{"DateLessThanEquals":{"aws:CurrentTime":"2024-06-30T00:00:00Z"}}`, ctx("aws:currenttime", "2024-06-30T00:00:00Z"), true),
	condCase("DateGreaterThan accepts an epoch policy value", `{"DateGreaterThan":{"aws:EpochTime":1704067200}}`, ctx("aws:epochtime", "1704067201"), true),
	condCase("DateGreaterThanEquals is false before the date", `{"DateGreaterThanEquals":{"aws:CurrentTime":"2024-01-01T00:00:00Z"}}`, ctx("aws:currenttime", "2023-12-31T23:59:59Z"), false),
	condCase("DateLessThan is false for an unparseable request date", `{"DateLessThan":{"aws:CurrentTime":"2024-01-01T00:00:00Z"}}`, ctx("aws:currenttime", "yesterday"), false),
	condCase("DateGreaterThanIfExists is true when the key is missing", `{"DateGreaterThanIfExists":{"aws:TokenIssueTime":"2024-01-01T00:00:00Z"}}`, nil, true),

	// --- Bool, Binary, IP, ARN, Null. ---
	condCase("Bool matches true", `{"Bool":{"aws:SecureTransport":"true"}}`, ctx("aws:securetransport", "true"), true),
	condCase("Bool matches a JSON boolean case-insensitively", `{"Bool":{"aws:SecureTransport":true}}`, ctx("aws:securetransport", "TRUE"), true),
	condCase("Bool is false for the other value", `{"Bool":{"aws:SecureTransport":"true"}}`, ctx("aws:securetransport", "false"), false),
	condCase("Bool is false when the key is missing", `{"Bool":{"aws:SecureTransport":"false"}}`, nil, false),
	condCase("BoolIfExists is true when the key is missing", `{"BoolIfExists":{"aws:MultiFactorAuthPresent":"true"}}`, nil, true),
	condCase("BinaryEquals compares base64-decoded bytes", `{"BinaryEquals":{"s3-outposts:blob":"QmluYXJ5VmFsdWU="}}`, ctx("s3-outposts:blob", "QmluYXJ5VmFsdWU="), true),
	condCase("BinaryEquals is false for different bytes", `{"BinaryEquals":{"s3-outposts:blob":"QmluYXJ5VmFsdWU="}}`, ctx("s3-outposts:blob", "b3RoZXI="), false),
	condCase("IpAddress matches an address in an IPv4 CIDR", `{"IpAddress":{"aws:SourceIp":"192.0.2.0/24"}}`, ctx("aws:sourceip", "192.0.2.200"), true),
	condCase("IpAddress does not match an address outside the CIDR", `{"IpAddress":{"aws:SourceIp":"192.0.2.0/24"}}`, ctx("aws:sourceip", "192.0.3.1"), false),
	condCase("IpAddress matches an IPv6 CIDR", `{"IpAddress":{"aws:SourceIp":"2001:db8::/32"}}`, ctx("aws:sourceip", "2001:db8:1::5"), true),
	condCase("IpAddress matches a single address without a prefix length", `{"IpAddress":{"aws:SourceIp":"203.0.113.9"}}`, ctx("aws:sourceip", "203.0.113.9"), true),
	condCase("IpAddress treats an IPv4-mapped IPv6 address as IPv4", `{"IpAddress":{"aws:SourceIp":"192.0.2.0/24"}}`, ctx("aws:sourceip", "::ffff:192.0.2.1"), true),
	condCase("NotIpAddress is false inside the range", `{"NotIpAddress":{"aws:SourceIp":"192.0.2.0/24"}}`, ctx("aws:sourceip", "192.0.2.1"), false),
	condCase("NotIpAddress is true when the key is missing", `{"NotIpAddress":{"aws:SourceIp":"192.0.2.0/24"}}`, nil, true),
	condCase("IpAddressIfExists is true when the key is missing", `{"IpAddressIfExists":{"aws:SourceIp":"192.0.2.0/24"}}`, nil, true),
	condCase("ArnEquals matches an identical ARN", `{"ArnEquals":{"s3-outposts:DataAccessPointArn":"`+apARN+`"}}`, ctx("s3-outposts:dataaccesspointarn", apARN), true),
	condCase("ArnEquals accepts wildcards per segment like ArnLike", `{"ArnEquals":{"s3-outposts:DataAccessPointArn":"arn:aws:s3-outposts:*:111122223333:outpost/*/accesspoint/ap?"}}`, ctx("s3-outposts:dataaccesspointarn", apARN), true),
	condCase("ArnLike wildcards do not span segments", `{"ArnLike":{"s3-outposts:DataAccessPointArn":"arn:aws:s3-outposts:*/accesspoint/ap1"}}`, ctx("s3-outposts:dataaccesspointarn", apARN), false),
	condCase("ArnNotEquals is false for the same ARN", `{"ArnNotEquals":{"s3-outposts:DataAccessPointArn":"`+apARN+`"}}`, ctx("s3-outposts:dataaccesspointarn", apARN), false),
	condCase("ArnNotLike is true when the key is missing", `{"ArnNotLike":{"aws:SourceArn":"arn:aws:*"}}`, nil, true),
	condCase("ArnLike is case-sensitive", `{"ArnLike":{"aws:SourceArn":"arn:aws:s3-outposts:*:*:outpost/*/ACCESSPOINT/*"}}`, ctx("aws:sourcearn", apARN), false),
	condCase("Null true matches a missing key", `{"Null":{"s3-outposts:signatureAge":"true"}}`, nil, true),
	condCase("Null true does not match a present key", `{"Null":{"s3-outposts:signatureAge":"true"}}`, ctx("s3-outposts:signatureage", "1"), false),
	condCase("Null false matches a present key", `{"Null":{"s3-outposts:signatureAge":"false"}}`, ctx("s3-outposts:signatureage", "1"), true),
	condCase("Null treats an empty value set as missing", `{"Null":{"aws:TagKeys":"true"}}`, multi("aws:tagkeys"), true),

	// --- Set qualifiers. ---
	condCase("ForAllValues is true for an empty value set", `{"ForAllValues:StringEquals":{"aws:TagKeys":["env","team"]}}`, multi("aws:tagkeys"), true),
	condCase("ForAllValues is true when the key is missing", `{"ForAllValues:StringEquals":{"aws:TagKeys":["env","team"]}}`, nil, true),
	condCase("ForAllValues is true when every value is listed", `{"ForAllValues:StringEquals":{"aws:TagKeys":["env","team"]}}`, multi("aws:tagkeys", "team", "env"), true),
	condCase("ForAllValues is false when one value is not listed", `{"ForAllValues:StringEquals":{"aws:TagKeys":["env","team"]}}`, multi("aws:tagkeys", "team", "cost"), false),
	condCase("ForAllValues:StringLike applies wildcards to every value", `{"ForAllValues:StringLike":{"aws:TagKeys":"env*"}}`, multi("aws:tagkeys", "env", "environment"), true),
	condCase("ForAllValues:StringNotEquals requires no value to be listed", `{"ForAllValues:StringNotEquals":{"aws:TagKeys":["secret"]}}`, multi("aws:tagkeys", "env", "secret"), false),
	condCase("ForAnyValue is false for an empty value set", `{"ForAnyValue:StringEquals":{"aws:TagKeys":"team"}}`, multi("aws:tagkeys"), false),
	condCase("ForAnyValue is false when the key is missing", `{"ForAnyValue:StringEquals":{"aws:TagKeys":"team"}}`, nil, false),
	condCase("ForAnyValue is true when one value is listed", `{"ForAnyValue:StringEquals":{"aws:TagKeys":"team"}}`, multi("aws:tagkeys", "env", "team"), true),
	condCase("ForAnyValue:StringNotEquals is true when one value is not listed", `{"ForAnyValue:StringNotEquals":{"aws:TagKeys":"team"}}`, multi("aws:tagkeys", "env", "team"), true),
	condCase("ForAnyValue:StringEqualsIfExists is true when the key is missing", `{"ForAnyValue:StringEqualsIfExists":{"aws:TagKeys":"team"}}`, nil, true),
	condCase("ForAllValues:StringEqualsIfExists still fails for an unlisted value", `{"ForAllValues:StringEqualsIfExists":{"aws:TagKeys":"team"}}`, multi("aws:tagkeys", "cost"), false),

	// --- Combining conditions. ---
	condCase("several keys under one operator are AND'd", `{"StringEquals":{"s3-outposts:authType":"REST-HEADER","aws:SourceVpc":"vpc-1"}}`, ctx("s3-outposts:authtype", "REST-HEADER", "aws:sourcevpc", "vpc-2"), false),
	condCase("several operators are AND'd", `{"StringEquals":{"s3-outposts:authType":"REST-HEADER"},"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, ctx("s3-outposts:authtype", "REST-HEADER", "aws:sourceip", "10.1.2.3"), true),
	condCase("aws:username is derived from the principal for conditions", `{"StringEquals":{"aws:username":"alice"}}`, nil, true),
	condCase("aws:PrincipalType is derived from the principal", `{"StringEquals":{"aws:PrincipalType":"User"}}`, nil, true),
	condCase("aws:PrincipalArn is derived from the principal", `{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::111122223333:user/*"}}`, nil, true),
	{name: "aws:PrincipalArn of a role session is the role ARN", principal: session(owner, "reader", "s1"),
		identity: doc(`{"Effect":"Allow","Action":"s3-outposts:*","Resource":"*","Condition":{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/reader"}}}`), want: true},
}

// splitPolicies parses a "\x00"-separated list of documents.
func splitPolicies(t testing.TB, s string, resource bool) []*Policy {
	if s == "" {
		return nil
	}
	var out []*Policy
	for _, d := range strings.Split(s, "\x00") {
		if resource {
			out = append(out, mustResource(t, d))
		} else {
			out = append(out, mustIdentity(t, d))
		}
	}
	return out
}

func (c tc) input(t testing.TB) EvalInput {
	action, resource := c.action, c.resource
	if action == "" {
		action = "s3-outposts:GetObject"
	}
	if resource == "" {
		resource = objARN
	}
	in := EvalInput{
		Request:                      Request{Action: action, Resource: resource, Principal: c.principal, Context: c.ctx},
		ResourceAccount:              owner,
		IdentityPolicies:             splitPolicies(t, c.identity, false),
		SessionPolicies:              splitPolicies(t, c.session, false),
		ResourcePolicies:             splitPolicies(t, c.bucket, true),
		ViaAccessPoint:               c.viaAP,
		PrincipalIsResourceOwnerRoot: c.ownerRoot,
		Explain:                      true,
	}
	if c.ap != "" {
		in.AccessPointPolicy = mustResource(t, c.ap)
	}
	return in
}

func TestEvaluate(t *testing.T) {
	if len(evalCases) < 100 {
		t.Fatalf("only %d evaluation cases", len(evalCases))
	}
	seen := map[string]bool{}
	for _, c := range evalCases {
		if seen[c.name] {
			t.Fatalf("duplicate case name %q", c.name)
		}
		seen[c.name] = true
		t.Run(c.name, func(t *testing.T) {
			d := Evaluate(c.input(t))
			if d.Allowed != c.want || d.ExplicitDeny != c.wantDeny {
				t.Fatalf("Allowed=%v ExplicitDeny=%v, want Allowed=%v ExplicitDeny=%v\n%s", d.Allowed, d.ExplicitDeny, c.want, c.wantDeny, d)
			}
			if d.Reason == "" {
				t.Fatal("decision has no reason")
			}
			// Without Explain the decision must be the same.
			in := c.input(t)
			in.Explain = false
			if d2 := Evaluate(in); d2.Allowed != d.Allowed || d2.ExplicitDeny != d.ExplicitDeny {
				t.Fatalf("Explain changed the decision: %v vs %v", d2, d)
			}
		})
	}
}

func TestDecisionTraceNamesTheDecidingStatement(t *testing.T) {
	c := evalCases[0]
	d := Evaluate(c.input(t))
	var found bool
	for _, s := range d.Trace {
		if s.Source == SourceBucket && s.Index == 1 && s.Effect == Deny && s.Applies {
			found = true
			if len(s.Conditions) != 2 || !s.Conditions[0].Matched || !s.Conditions[1].Matched {
				t.Errorf("conditions not explained: %+v", s.Conditions)
			}
		}
	}
	if !found {
		t.Fatalf("trace does not show the deny statement:\n%s", d)
	}
	out := d.String()
	for _, want := range []string{"DENY", "Deny a presigned URL request", "NumericGreaterThan", "s3-outposts:signatureAge"} {
		if !strings.Contains(out, want) {
			t.Errorf("explanation lacks %q:\n%s", want, out)
		}
	}
}

package authz_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awscreds "github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	ctltypes "github.com/aws/aws-sdk-go-v2/service/s3control/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/outpost-s3/outpost/internal/app"
	"github.com/outpost-s3/outpost/internal/testserver"
	"github.com/outpost-s3/outpost/sigv4"
)

// The world of TestExplainAgreesWithEnforcement: one plain bucket, one
// Outposts bucket with an Internet and a VPC access point, IAM users with
// one policy each, a role, and a partner account.
const (
	agAccount = testserver.AccountID
	agPartner = "444455556666"
	agBucket  = "agree"
	agOB      = "agree-ob"
	agAP      = "agree-ap"  // Internet access point, with a policy
	agVpcAP   = "agree-vpc" // bound to the loopback VPC, no policy
	agUser    = "arn:aws:iam::" + agAccount + ":user/"
	agOutpost = "arn:aws:s3-outposts:" + testserver.Region + ":" + agAccount + ":outpost/" + testserver.OutpostID
)

var agRoot = sigv4.Credentials{AccessKeyID: testserver.AccessKey, SecretAccessKey: testserver.SecretKey}

// identity policies, by user name.
var agUsers = map[string]string{
	"alice": `{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::agree/public/*"},
		{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::agree","Condition":{"StringEquals":{"s3:prefix":"public/"}}},
		{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"},
		{"Effect":"Allow","Action":"s3-outposts:GetObject","Resource":"*"}`,
	"carol": `{"Effect":"Allow","Action":["s3:GetObject","s3:GetObjectVersion"],"Resource":"arn:aws:s3:::agree/*","Condition":{"StringEquals":{"s3:ExistingObjectTag/project":"blue"}}}`,
	"dave": `{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::agree/uploads/*","Condition":{"StringEquals":{"s3:RequestObjectTag/team":"red"}}},
		{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::agree/rt/*","Condition":{"StringEquals":{"aws:RequestTag/team":"red"}}}`,
	"erin":  `{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::agree/*","Condition":{"StringEquals":{"aws:ResourceTag/project":"blue"}}}`,
	"frank": `{"Effect":"Allow","Action":"s3:GetObjectVersion","Resource":"arn:aws:s3:::agree/*"}`,
	"gina":  `{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::agree/*","Condition":{"IpAddress":{"aws:SourceIp":"127.0.0.1/32"}}}`,
	"hank": `{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::agree/public/*","Condition":{"StringEquals":{"aws:SourceVpc":"` + app.DefaultVpcID + `"}}},
		{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::agree/private.txt","Condition":{"StringEquals":{"aws:SourceVpc":"vpc-0000000000000000f"}}}`,
	"ivan": `{"Effect":"Allow","Action":["iam:ListUsers","s3-outposts:GetBucketPolicy"],"Resource":"*"}`,
}

const agBucketPolicy = `{"Version":"2012-10-17","Statement":[
 {"Sid":"PartnerReadsPublic","Effect":"Allow","Principal":{"AWS":"` + agPartner + `"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::agree/public/*"},
 {"Sid":"NoSecrets","Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::agree/*","Condition":{"StringEquals":{"s3:ExistingObjectTag/classification":"secret"}}},
 {"Sid":"NotAlice","Effect":"Deny","Principal":{"AWS":"` + agUser + `alice"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::agree/public/denied.txt"},
 {"Sid":"AnyoneReadsAnon","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::agree/public/anon.txt"}]}`

const agOBObjects = agOutpost + "/bucket/" + agOB + "/object/"

const agOBPolicy = `{"Version":"2012-10-17","Statement":[
 {"Sid":"PartnerReadsShared","Effect":"Allow","Principal":{"AWS":"` + agPartner + `"},"Action":"s3-outposts:GetObject","Resource":"` + agOBObjects + `shared/*"},
 {"Sid":"VpcOnly","Effect":"Deny","Principal":"*","Action":"s3-outposts:GetObject","Resource":"` + agOBObjects + `vpc-only/*","Condition":{"StringEquals":{"s3-outposts:AccessPointNetworkOrigin":"Internet"}}},
 {"Sid":"NoSecrets","Effect":"Deny","Principal":"*","Action":"s3-outposts:GetObject","Resource":"` + agOBObjects + `*","Condition":{"StringEquals":{"s3-outposts:ExistingObjectTag/classification":"secret"}}}]}`

const agAPPolicy = `{"Version":"2012-10-17","Statement":[
 {"Sid":"PartnerReadsShared","Effect":"Allow","Principal":{"AWS":"` + agPartner + `"},"Action":"s3-outposts:GetObject","Resource":"` + agOutpost + `/accesspoint/` + agAP + `/object/shared/*"},
 {"Sid":"LockedForAlice","Effect":"Deny","Principal":{"AWS":"` + agUser + `alice"},"Action":"s3-outposts:GetObject","Resource":"` + agOutpost + `/accesspoint/` + agAP + `/object/locked.txt"}]}`

// agWorld is the running server and the credentials of its principals.
type agWorld struct {
	srv      *testserver.Server
	creds    map[string]sigv4.Credentials // by user name, "root", "partner", "session"
	alias    map[string]string            // access point name -> alias
	versions map[string]string            // "a.txt", "v.txt#1" -> version ID
	from2    *http.Client                 // connects from 127.0.0.2
}

// agCase is one request: sent for real, and explained.
type agCase struct {
	name      string
	principal string // PrincipalArn for ExplainPolicy
	action    string
	resource  string
	context   []string // extra condition keys, key=value
	send      func(t *testing.T) int
	allow     bool // the decision both must report
}

// TestExplainAgreesWithEnforcement sends each request to a real server and
// asks ExplainPolicy about the same (principal, action, resource, condition
// keys): the decision explained must be the one enforced (2xx for ALLOW,
// 403 for DENY), and both must be the decision the row expects. The rows
// cover IAM users, a role session, another account's root, the owner's
// root and anonymous callers; bucket policy allows and denies; access point
// policies; an Outposts bucket (s3:… explained as the s3-outposts:… it is
// enforced as); s3:ExistingObjectTag (of the version named), s3:RequestObjectTag,
// aws:RequestTag and aws:ResourceTag (which S3 object operations do not
// supply); …Version actions; aws:SourceIp, aws:SourceVpc and the access
// point's network origin; an IAM and an S3 Control action.
func TestExplainAgreesWithEnforcement(t *testing.T) {
	w := newAgWorld(t)
	cases := w.cases()
	if len(cases) < 30 {
		t.Fatalf("only %d cases", len(cases))
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status := c.send(t)
			if status != 403 && status >= 300 {
				t.Fatalf("the request answered %d, neither allowed nor AccessDenied", status)
			}
			enforced := status < 300
			explained, text := w.explain(t, c)
			if explained != enforced {
				t.Errorf("ExplainPolicy says allowed=%v, the request was answered %d\n%s", explained, status, text)
			}
			if enforced != c.allow {
				t.Errorf("allowed=%v (status %d), want %v\n%s", enforced, status, c.allow, text)
			}
		})
	}
}

func (w *agWorld) cases() []agCase {
	obj := func(key string) string { return "arn:aws:s3:::" + agBucket + "/" + key }
	apObj := func(ap, key string) string { return agOutpost + "/accesspoint/" + ap + "/object/" + key }
	user := func(n string) string { return agUser + n }
	const root, partner, session = "arn:aws:iam::" + agAccount + ":root", "arn:aws:iam::" + agPartner + ":root", "arn:aws:sts::" + agAccount + ":assumed-role/reader/s1"
	// get reads a plain bucket's object as who (nil: anonymous).
	get := func(who, key string) func(*testing.T) int {
		return func(t *testing.T) int { return w.do(t, nil, who, "s3", "GET", "/"+agBucket+"/"+key, nil, nil) }
	}
	getFrom2 := func(who, key string) func(*testing.T) int {
		return func(t *testing.T) int { return w.do(t, w.from2, who, "s3", "GET", "/"+agBucket+"/"+key, nil, nil) }
	}
	getVersion := func(who, key, version string) func(*testing.T) int {
		return func(t *testing.T) int {
			return w.do(t, nil, who, "s3", "GET", "/"+agBucket+"/"+key+"?versionId="+url.QueryEscape(w.versions[version]), nil, nil)
		}
	}
	put := func(who, key, tagging string) func(*testing.T) int {
		return func(t *testing.T) int {
			h := http.Header{}
			if tagging != "" {
				h.Set("x-amz-tagging", tagging)
			}
			return w.do(t, nil, who, "s3", "PUT", "/"+agBucket+"/"+key, []byte("upload"), h)
		}
	}
	list := func(who, prefix string) func(*testing.T) int {
		return func(t *testing.T) int {
			return w.do(t, nil, who, "s3", "GET", "/"+agBucket+"?list-type=2&prefix="+url.QueryEscape(prefix), nil, nil)
		}
	}
	viaAP := func(who, ap, key string) func(*testing.T) int {
		return func(t *testing.T) int {
			return w.do(t, nil, who, "s3-outposts", "GET", "/"+w.alias[ap]+"/"+key, nil, nil)
		}
	}
	listUsers := func(who string) func(*testing.T) int {
		return func(t *testing.T) int {
			_, err := w.iam(who).ListUsers(ctx, &iam.ListUsersInput{})
			return sdkStatus(t, err)
		}
	}
	obPolicy := func(who string) func(*testing.T) int {
		return func(t *testing.T) int {
			_, err := w.control(who).GetBucketPolicy(ctx, &s3control.GetBucketPolicyInput{AccountId: aws.String(agAccount), Bucket: aws.String(agOutpost + "/bucket/" + agOB)})
			return sdkStatus(t, err)
		}
	}
	version := func(v string) string { return "s3:versionId=" + w.versions[v] }
	return []agCase{
		// IAM users and the bucket policy of a plain bucket.
		{name: "a user's identity policy allows a public object", principal: user("alice"), action: "s3:GetObject", resource: obj("public/a.txt"), send: get("alice", "public/a.txt"), allow: true},
		{name: "a user's identity policy does not reach a private object", principal: user("alice"), action: "s3:GetObject", resource: obj("private.txt"), send: get("alice", "private.txt")},
		{name: "a bucket policy deny naming the user beats its identity allow", principal: user("alice"), action: "s3:GetObject", resource: obj("public/denied.txt"), send: get("alice", "public/denied.txt")},
		{name: "the owner's root reads a private object", principal: root, action: "s3:GetObject", resource: obj("private.txt"), send: get("root", "private.txt"), allow: true},
		{name: "another account's root reads what the bucket policy grants it", principal: partner, action: "s3:GetObject", resource: obj("public/a.txt"), send: get("partner", "public/a.txt"), allow: true},
		{name: "another account's root reads nothing else", principal: partner, action: "s3:GetObject", resource: obj("private.txt"), send: get("partner", "private.txt")},
		{name: "anonymous reads the object a wildcard bucket policy opens", principal: "anonymous", action: "s3:GetObject", resource: obj("public/anon.txt"), send: get("", "public/anon.txt"), allow: true},
		{name: "anonymous reads nothing else", principal: "anonymous", action: "s3:GetObject", resource: obj("public/a.txt"), send: get("", "public/a.txt")},
		{name: "a role session reads with the role's policy", principal: session, action: "s3:GetObject", resource: obj("private.txt"), send: get("session", "private.txt"), allow: true},
		{name: "s3:prefix allows the listing of the prefix granted", principal: user("alice"), action: "s3:ListBucket", resource: "arn:aws:s3:::" + agBucket, context: []string{"s3:prefix=public/"}, send: list("alice", "public/"), allow: true},
		{name: "s3:prefix denies the listing of another prefix", principal: user("alice"), action: "s3:ListBucket", resource: "arn:aws:s3:::" + agBucket, context: []string{"s3:prefix=private"}, send: list("alice", "private")},

		// Tags.
		{name: "s3:ExistingObjectTag denies a secret object to the user", principal: user("alice"), action: "s3:GetObject", resource: obj("public/secret.txt"), send: get("alice", "public/secret.txt")},
		{name: "s3:ExistingObjectTag denies a secret object to the owner's root", principal: root, action: "s3:GetObject", resource: obj("public/secret.txt"), send: get("root", "public/secret.txt")},
		{name: "s3:ExistingObjectTag denies a secret object to a role session", principal: session, action: "s3:GetObject", resource: obj("public/secret.txt"), send: get("session", "public/secret.txt")},
		{name: "s3:ExistingObjectTag allows the blue object", principal: user("carol"), action: "s3:GetObject", resource: obj("public/blue.txt"), send: get("carol", "public/blue.txt"), allow: true},
		{name: "s3:ExistingObjectTag does not allow an untagged object", principal: user("carol"), action: "s3:GetObject", resource: obj("public/a.txt"), send: get("carol", "public/a.txt")},
		{name: "s3:ExistingObjectTag of the version named allows the blue version", principal: user("carol"), action: "s3:GetObjectVersion", resource: obj("v.txt"), context: []string{version("v.txt#1")}, send: getVersion("carol", "v.txt", "v.txt#1"), allow: true},
		{name: "s3:ExistingObjectTag of the current version denies the red one", principal: user("carol"), action: "s3:GetObject", resource: obj("v.txt"), send: get("carol", "v.txt")},
		{name: "s3:RequestObjectTag allows an upload with the tag", principal: user("dave"), action: "s3:PutObject", resource: obj("uploads/red.txt"), context: []string{"s3:RequestObjectTag/team=red", "s3:RequestObjectTagKeys=team"}, send: put("dave", "uploads/red.txt", "team=red"), allow: true},
		{name: "s3:RequestObjectTag denies an upload with another value", principal: user("dave"), action: "s3:PutObject", resource: obj("uploads/blue.txt"), context: []string{"s3:RequestObjectTag/team=blue", "s3:RequestObjectTagKeys=team"}, send: put("dave", "uploads/blue.txt", "team=blue")},
		{name: "s3:RequestObjectTag denies an upload without tags", principal: user("dave"), action: "s3:PutObject", resource: obj("uploads/none.txt"), send: put("dave", "uploads/none.txt", "")},
		{name: "aws:RequestTag is not a key of object uploads", principal: user("dave"), action: "s3:PutObject", resource: obj("rt/red.txt"), context: []string{"s3:RequestObjectTag/team=red", "s3:RequestObjectTagKeys=team"}, send: put("dave", "rt/red.txt", "team=red")},
		{name: "aws:ResourceTag is not a key of object reads", principal: user("erin"), action: "s3:GetObject", resource: obj("public/blue.txt"), send: get("erin", "public/blue.txt")},

		// …Version actions.
		{name: "s3:GetObject does not read a version", principal: user("alice"), action: "s3:GetObjectVersion", resource: obj("public/a.txt"), context: []string{version("a.txt")}, send: getVersion("alice", "public/a.txt", "a.txt")},
		{name: "s3:GetObjectVersion reads a version", principal: user("frank"), action: "s3:GetObjectVersion", resource: obj("public/a.txt"), context: []string{version("a.txt")}, send: getVersion("frank", "public/a.txt", "a.txt"), allow: true},
		{name: "s3:GetObjectVersion does not read the current version", principal: user("frank"), action: "s3:GetObject", resource: obj("public/a.txt"), send: get("frank", "public/a.txt")},

		// Network.
		{name: "aws:SourceIp allows the address granted", principal: user("gina"), action: "s3:GetObject", resource: obj("private.txt"), send: get("gina", "private.txt"), allow: true},
		{name: "aws:SourceIp denies another address", principal: user("gina"), action: "s3:GetObject", resource: obj("private.txt"), context: []string{"aws:SourceIp=127.0.0.2"}, send: getFrom2("gina", "private.txt")},
		{name: "aws:SourceVpc allows the VPC the request comes from", principal: user("hank"), action: "s3:GetObject", resource: obj("public/a.txt"), send: get("hank", "public/a.txt"), allow: true},
		{name: "aws:SourceVpc denies another VPC", principal: user("hank"), action: "s3:GetObject", resource: obj("private.txt"), send: get("hank", "private.txt")},

		// An Outposts bucket, through its access points.
		{name: "the owner's root reads through the access point", principal: root, action: "s3-outposts:GetObject", resource: apObj(agAP, "doc.txt"), send: viaAP("root", agAP, "doc.txt"), allow: true},
		{name: "s3:GetObject is decided as s3-outposts:GetObject", principal: user("alice"), action: "s3:GetObject", resource: apObj(agAP, "doc.txt"), send: viaAP("alice", agAP, "doc.txt"), allow: true},
		{name: "an access point policy deny beats the identity allow", principal: user("alice"), action: "s3-outposts:GetObject", resource: apObj(agAP, "locked.txt"), send: viaAP("alice", agAP, "locked.txt")},
		{name: "another access point's policy does not apply", principal: user("alice"), action: "s3-outposts:GetObject", resource: apObj(agVpcAP, "locked.txt"), send: viaAP("alice", agVpcAP, "locked.txt"), allow: true},
		{name: "another account reads what the bucket and access point policies grant", principal: partner, action: "s3-outposts:GetObject", resource: apObj(agAP, "shared/s.txt"), send: viaAP("partner", agAP, "shared/s.txt"), allow: true},
		{name: "another account reads nothing the access point policy does not grant", principal: partner, action: "s3-outposts:GetObject", resource: apObj(agAP, "doc.txt"), send: viaAP("partner", agAP, "doc.txt")},
		{name: "another account needs the access point's policy too", principal: partner, action: "s3-outposts:GetObject", resource: apObj(agVpcAP, "shared/s.txt"), send: viaAP("partner", agVpcAP, "shared/s.txt")},
		{name: "s3-outposts:AccessPointNetworkOrigin denies the Internet access point", principal: user("alice"), action: "s3-outposts:GetObject", resource: apObj(agAP, "vpc-only/v.txt"), send: viaAP("alice", agAP, "vpc-only/v.txt")},
		{name: "s3-outposts:AccessPointNetworkOrigin lets the VPC access point through", principal: user("alice"), action: "s3-outposts:GetObject", resource: apObj(agVpcAP, "vpc-only/v.txt"), send: viaAP("alice", agVpcAP, "vpc-only/v.txt"), allow: true},
		{name: "s3-outposts:ExistingObjectTag denies a secret object", principal: user("alice"), action: "s3:GetObject", resource: apObj(agVpcAP, "secret.txt"), send: viaAP("alice", agVpcAP, "secret.txt")},

		// IAM and S3 Control.
		{name: "an IAM action without permission", principal: user("alice"), action: "iam:ListUsers", resource: user("*"), send: listUsers("alice")},
		{name: "an IAM action with permission", principal: user("ivan"), action: "iam:ListUsers", resource: user("*"), send: listUsers("ivan"), allow: true},
		{name: "an S3 Control action on an Outposts bucket without permission", principal: user("alice"), action: "s3-outposts:GetBucketPolicy", resource: agOutpost + "/bucket/" + agOB, send: obPolicy("alice")},
		{name: "an S3 Control action on an Outposts bucket with permission", principal: user("ivan"), action: "s3-outposts:GetBucketPolicy", resource: agOutpost + "/bucket/" + agOB, send: obPolicy("ivan"), allow: true},
	}
}

var ctx = context.Background()

func newAgWorld(t *testing.T) *agWorld {
	srv := testserver.Start(t)
	w := &agWorld{srv: srv, creds: map[string]sigv4.Credentials{"root": agRoot}, alias: map[string]string{}, versions: map[string]string{}}
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.2")}}
	w.from2 = &http.Client{Transport: &http.Transport{DialContext: dialer.DialContext}}
	var err error

	// The partner account, made by the operator.
	status, body := w.query(t, agRoot, url.Values{"Action": {"CreateAccount"}, "AccountId": {agPartner}})
	var acct struct {
		ID     string `xml:"CreateAccountResult>AccessKey>AccessKeyId"`
		Secret string `xml:"CreateAccountResult>AccessKey>SecretAccessKey"`
	}
	if status != 200 || xml.Unmarshal(body, &acct) != nil {
		t.Fatalf("CreateAccount: %d %s", status, body)
	}
	w.creds["partner"] = sigv4.Credentials{AccessKeyID: acct.ID, SecretAccessKey: acct.Secret}

	ic := w.iam("root")
	for name, doc := range agUsers {
		_, err = ic.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)})
		must(t, "CreateUser "+name, err)
		_, err = ic.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("p"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[` + doc + `]}`)})
		must(t, "PutUserPolicy "+name, err)
		k, err := ic.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})
		must(t, "CreateAccessKey "+name, err)
		w.creds[name] = sigv4.Credentials{AccessKeyID: aws.ToString(k.AccessKey.AccessKeyId), SecretAccessKey: aws.ToString(k.AccessKey.SecretAccessKey)}
	}
	_, err = ic.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("reader"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + agAccount + `:root"},"Action":"sts:AssumeRole"}]}`)})
	must(t, "CreateRole", err)
	_, err = ic.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("reader"), PolicyName: aws.String("p"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::agree/*"}]}`)})
	must(t, "PutRolePolicy", err)
	sc := sts.New(sts.Options{Region: testserver.Region, BaseEndpoint: aws.String(srv.URL), Credentials: provider(w.creds["alice"]), HTTPClient: http.DefaultClient})
	as, err := sc.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + agAccount + ":role/reader"), RoleSessionName: aws.String("s1")})
	must(t, "AssumeRole", err)
	w.creds["session"] = sigv4.Credentials{AccessKeyID: aws.ToString(as.Credentials.AccessKeyId), SecretAccessKey: aws.ToString(as.Credentials.SecretAccessKey),
		SessionToken: aws.ToString(as.Credentials.SessionToken)}

	// The plain bucket: versioned, tagged objects, a bucket policy.
	s3c := s3.New(s3.Options{Region: testserver.Region, BaseEndpoint: aws.String(srv.URL), UsePathStyle: true, Credentials: provider(agRoot), HTTPClient: http.DefaultClient})
	_, err = s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(agBucket)})
	must(t, "CreateBucket", err)
	_, err = s3c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(agBucket),
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}})
	must(t, "PutBucketVersioning", err)
	for _, o := range []struct{ key, tagging, version string }{
		{"public/a.txt", "", "a.txt"}, {"public/secret.txt", "classification=secret", ""}, {"public/blue.txt", "project=blue", ""},
		{"public/denied.txt", "", ""}, {"public/anon.txt", "", ""}, {"private.txt", "", ""},
		{"v.txt", "project=blue", "v.txt#1"}, {"v.txt", "project=red", ""},
	} {
		in := &s3.PutObjectInput{Bucket: aws.String(agBucket), Key: aws.String(o.key), Body: strings.NewReader(o.key)}
		if o.tagging != "" {
			in.Tagging = aws.String(o.tagging)
		}
		out, err := s3c.PutObject(ctx, in)
		must(t, "PutObject "+o.key, err)
		if o.version != "" {
			w.versions[o.version] = aws.ToString(out.VersionId)
		}
	}
	_, err = s3c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(agBucket), Policy: aws.String(agBucketPolicy)})
	must(t, "PutBucketPolicy", err)

	// The Outposts bucket, its access points and their policies.
	cc := w.control("root")
	cb, err := cc.CreateBucket(ctx, &s3control.CreateBucketInput{Bucket: aws.String(agOB), OutpostId: aws.String(testserver.OutpostID)})
	must(t, "CreateBucket (Outposts)", err)
	obARN := aws.ToString(cb.BucketArn)
	for _, ap := range []struct {
		name string
		vpc  *ctltypes.VpcConfiguration
	}{{agAP, nil}, {agVpcAP, &ctltypes.VpcConfiguration{VpcId: aws.String(app.DefaultVpcID)}}} {
		out, err := cc.CreateAccessPoint(ctx, &s3control.CreateAccessPointInput{AccountId: aws.String(agAccount), Name: aws.String(ap.name),
			Bucket: aws.String(obARN), VpcConfiguration: ap.vpc})
		must(t, "CreateAccessPoint "+ap.name, err)
		w.alias[ap.name] = aws.ToString(out.Alias)
	}
	_, err = cc.PutBucketPolicy(ctx, &s3control.PutBucketPolicyInput{AccountId: aws.String(agAccount), Bucket: aws.String(obARN), Policy: aws.String(agOBPolicy)})
	must(t, "PutBucketPolicy (Outposts)", err)
	_, err = cc.PutAccessPointPolicy(ctx, &s3control.PutAccessPointPolicyInput{AccountId: aws.String(agAccount),
		Name: aws.String(agOutpost + "/accesspoint/" + agAP), Policy: aws.String(agAPPolicy)})
	must(t, "PutAccessPointPolicy", err)
	for _, o := range []struct{ key, tagging string }{{"doc.txt", ""}, {"locked.txt", ""}, {"shared/s.txt", ""}, {"vpc-only/v.txt", ""}, {"secret.txt", "classification=secret"}} {
		h := http.Header{}
		if o.tagging != "" {
			h.Set("x-amz-tagging", o.tagging)
		}
		if status := w.do(t, nil, "root", "s3-outposts", "PUT", "/"+w.alias[agVpcAP]+"/"+o.key, []byte(o.key), h); status != 200 {
			t.Fatalf("PUT %s through %s: %d", o.key, agVpcAP, status)
		}
	}
	return w
}

// explain asks ExplainPolicy, as the operator, about c with the condition
// keys the real request carries that the policies test (aws:SourceIp,
// aws:SourceVpc) and c's own, and returns whether it allows and its text.
func (w *agWorld) explain(t *testing.T, c agCase) (bool, string) {
	t.Helper()
	p := url.Values{"Action": {"ExplainPolicy"}, "PrincipalArn": {c.principal}, "ActionName": {c.action}, "ResourceArn": {c.resource}}
	keys := append([]string{"aws:SourceIp=127.0.0.1", "aws:SourceVpc=" + app.DefaultVpcID}, c.context...)
	seen := map[string]bool{}
	n := 0
	for i := len(keys) - 1; i >= 0; i-- { // a case's own value replaces the default
		k, v, _ := strings.Cut(keys[i], "=")
		if seen[strings.ToLower(k)] {
			continue
		}
		seen[strings.ToLower(k)] = true
		n++
		p.Set("Context.member."+strconv.Itoa(n)+".Key", k)
		p.Set("Context.member."+strconv.Itoa(n)+".Value", v)
	}
	status, body := w.query(t, agRoot, p)
	var res struct {
		Decision string `xml:"ExplainPolicyResult>Decision"`
		Text     string `xml:"ExplainPolicyResult>Text"`
	}
	if status != 200 || xml.Unmarshal(body, &res) != nil || (res.Decision != "ALLOW" && res.Decision != "DENY") {
		t.Fatalf("ExplainPolicy: %d %s", status, body)
	}
	return res.Decision == "ALLOW", res.Text
}

// do sends a SigV4 header-signed request as who ("" sends it unsigned)
// through hc (nil: the default client) and returns the status.
func (w *agWorld) do(t *testing.T, hc *http.Client, who, service, method, path string, body []byte, hdr http.Header) int {
	t.Helper()
	req, err := http.NewRequest(method, w.srv.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range hdr {
		req.Header[k] = vs
	}
	var c *sigv4.Credentials
	if who != "" {
		cr, found := w.creds[who]
		if !found {
			t.Fatalf("no credentials for %q", who)
		}
		c = &cr
	}
	status, b := w.send(t, hc, req, c, service, body)
	if status == 403 && !bytes.Contains(b, []byte("<Code>AccessDenied</Code>")) {
		t.Fatalf("%s %s: 403 without AccessDenied: %s", method, path, b)
	}
	return status
}

// query runs an action of the IAM query protocol (Outpost's admin actions
// included), signed as IAM.
func (w *agWorld) query(t *testing.T, c sigv4.Credentials, params url.Values) (int, []byte) {
	t.Helper()
	params.Set("Version", "2010-05-08")
	body := []byte(params.Encode())
	req, _ := http.NewRequest(http.MethodPost, w.srv.URL+"/", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	return w.send(t, nil, req, &c, "iam", body)
}

// send signs req with c (nil: not at all) for service, sends it through hc
// (nil: the default client) and returns the status and body.
func (w *agWorld) send(t *testing.T, hc *http.Client, req *http.Request, c *sigv4.Credentials, service string, body []byte) (int, []byte) {
	t.Helper()
	if c != nil {
		sum := sha256.Sum256(body)
		if err := sigv4.SignRequest(req, *c, testserver.Region, service, hex.EncodeToString(sum[:]), time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

func (w *agWorld) iam(who string) *iam.Client {
	return iam.New(iam.Options{Region: testserver.Region, BaseEndpoint: aws.String(w.srv.URL), Credentials: provider(w.creds[who]), HTTPClient: http.DefaultClient})
}

func (w *agWorld) control(who string) *s3control.Client {
	return s3control.New(s3control.Options{Region: testserver.Region, BaseEndpoint: aws.String(w.srv.URL), Credentials: provider(w.creds[who]), HTTPClient: http.DefaultClient})
}

func provider(c sigv4.Credentials) aws.CredentialsProvider {
	return awscreds.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, c.SessionToken)
}

// sdkStatus is 200 for a successful SDK call, 403 for AccessDenied; any
// other error fails the test.
func sdkStatus(t *testing.T, err error) int {
	t.Helper()
	var ae smithy.APIError
	switch {
	case err == nil:
		return 200
	case errors.As(err, &ae) && ae.ErrorCode() == "AccessDenied":
		return 403
	}
	t.Fatalf("unexpected error: %v", err)
	return 0
}

// must fails the test (with what) on err.
func must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

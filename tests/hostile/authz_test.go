package hostile_test

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awscreds "github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	"github.com/aws/aws-sdk-go-v2/service/s3control/types"

	"github.com/outpost-s3/outpost/internal/app"
	"github.com/outpost-s3/outpost/internal/testserver"
	"github.com/outpost-s3/outpost/sigv4"
)

// Authorization attacks (issue 10, holes 7, 8 and 10), each sent over raw
// HTTP: reaching an Outposts bucket by its own name instead of its
// VPC-bound access point, reading or deleting an object version with only
// the plain object permissions, and reading another account's policies
// through ExplainPolicy. Every row checks the status and code, that its
// key was not stored, and that the hostile bucket (and the Outposts
// bucket, listed through an access point) are unchanged.

const (
	authzDomain  = "s3.hostile.test"
	authzOB      = "hostile-ob" // the Outposts bucket
	authzPartner = "444455556666"
	// authzSecret is in the hostile bucket's policy; no row may reveal it.
	authzSecret = "HostileSecretSid"
)

// authzEnv is the world the rows attack.
type authzEnv struct {
	*env
	bob, partner sigv4.Credentials // bob: plain actions, …Version denied
	v1, obARN    string            // the first version of "existing"; the Outposts bucket's ARN
	vpcAlias     string            // the Outposts bucket's only data access point, bound to a VPC no client is in
	apClient     *s3.Client        // the owner, through an Internet access point (for snapshots)
	apAlias      string
}

// signedBy signs a request (SigV4 header, service svc) with c; a "Host"
// pair in hdr is sent as the request's host.
func signedBy(c sigv4.Credentials, svc, method, path string, body []byte, hdr ...string) func(*authzEnv) *http.Request {
	return func(e *authzEnv) *http.Request {
		r, err := http.NewRequest(method, e.url(path), bytes.NewReader(body))
		if err != nil {
			panic(err)
		}
		for i := 0; i+1 < len(hdr); i += 2 {
			if hdr[i] == "Host" {
				r.Host = hdr[i+1]
				continue
			}
			r.Header.Set(hdr[i], hdr[i+1])
		}
		if err := sigv4.SignRequest(r, c, testserver.Region, svc, sha(body), time.Now()); err != nil {
			panic(err)
		}
		return r
	}
}

// presignedBy is a presigned link by c for method and path (query
// included), with extra appended to the query after signing.
func presignedBy(c sigv4.Credentials, method, path, extra string) func(*authzEnv) *http.Request {
	return func(e *authzEnv) *http.Request {
		u, _ := url.Parse(e.url(path))
		s, err := sigv4.Presign(sigv4.PresignParams{Method: method, URL: u, Credentials: c, Region: testserver.Region, Service: "s3", Time: time.Now(), Expires: time.Hour})
		if err != nil {
			panic(err)
		}
		r, _ := http.NewRequest(method, s+extra, nil)
		return r
	}
}

// iamCall is a call of the IAM query API (and Outpost's admin actions)
// by c: a form body, signed for the service iam.
func iamCall(c sigv4.Credentials, params url.Values) func(*env) *http.Request {
	return func(e *env) *http.Request {
		params.Set("Version", "2010-05-08")
		body := []byte(params.Encode())
		r, _ := http.NewRequest("POST", e.url("/"), bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
		if err := sigv4.SignRequest(r, c, "us-east-1", "iam", sha(body), time.Now()); err != nil {
			panic(err)
		}
		return r
	}
}

// explainBy is an ExplainPolicy call by c.
func explainBy(c sigv4.Credentials, principal, action, resource string) func(*authzEnv) *http.Request {
	call := iamCall(c, url.Values{"Action": {"ExplainPolicy"}, "PrincipalArn": {principal}, "ActionName": {action}, "ResourceArn": {resource}})
	return func(e *authzEnv) *http.Request { return call(e.env) }
}

type authzRow struct {
	name   string
	req    func(*authzEnv) *http.Request
	status int
	code   string
	key    string // in the hostile bucket; must not exist afterwards
	check  func(t *testing.T, body []byte)
}

func noSecret(t *testing.T, body []byte) {
	if bytes.Contains(body, []byte(authzSecret)) || bytes.Contains(body, []byte("203.0.113.")) {
		t.Errorf("the answer reveals the bucket policy: %.400s", body)
	}
}

func authzRows(e *authzEnv) []authzRow {
	root, bob, partner := creds, e.bob, e.partner
	ob := "/" + authzOB
	arnPath := "/" + url.PathEscape(e.obARN)
	vhost := authzOB + "." + authzDomain
	ver := "versionId=" + e.v1
	tagXML := []byte(`<Tagging><TagSet><Tag><Key>t</Key><Value>x</Value></Tag></TagSet></Tagging>`)
	partnerRoot := "arn:aws:iam::" + authzPartner + ":root"
	obObject := "arn:aws:s3-outposts:" + testserver.Region + ":" + testserver.AccountID + ":outpost/" + testserver.OutpostID + "/bucket/" + authzOB + "/object/k"
	return []authzRow{
		// --- hole 7: an Outposts bucket by its own name ---
		{name: "outposts name: owner GET path-style", req: signedBy(root, "s3-outposts", "GET", ob+"/k", nil), status: 400, code: "InvalidRequest"},
		{name: "outposts name: owner GET signed for s3", req: signedBy(root, "s3", "GET", ob+"/k", nil), status: 400, code: "InvalidRequest"},
		{name: "outposts name: bob (s3-outposts:*) GET path-style", req: signedBy(bob, "s3-outposts", "GET", ob+"/k", nil), status: 400, code: "InvalidRequest"},
		{name: "outposts name: owner PUT path-style", req: signedBy(root, "s3-outposts", "PUT", ob+"/new", []byte("x")), status: 400, code: "InvalidRequest"},
		{name: "outposts name: owner DELETE path-style", req: signedBy(root, "s3-outposts", "DELETE", ob+"/k", nil), status: 400, code: "InvalidRequest"},
		{name: "outposts name: owner PUT tagging", req: signedBy(root, "s3-outposts", "PUT", ob+"/k?tagging", tagXML), status: 400, code: "InvalidRequest"},
		{name: "outposts name: owner CreateMultipartUpload", req: signedBy(root, "s3-outposts", "POST", ob+"/new?uploads", nil), status: 400, code: "InvalidRequest"},
		{name: "outposts name: owner ListObjectsV2", req: signedBy(root, "s3-outposts", "GET", ob+"?list-type=2", nil), status: 400, code: "InvalidRequest"},
		{name: "outposts name: owner ListObjectVersions", req: signedBy(root, "s3-outposts", "GET", ob+"?versions", nil), status: 400, code: "InvalidRequest"},
		{name: "outposts name: owner ListMultipartUploads", req: signedBy(root, "s3-outposts", "GET", ob+"?uploads", nil), status: 400, code: "InvalidRequest"},
		{name: "outposts name: owner DeleteObjects", req: signedBy(root, "s3-outposts", "POST", ob+"?delete", []byte(`<Delete><Object><Key>k</Key></Object></Delete>`)), status: 400, code: "InvalidRequest"},
		{name: "outposts name: owner key with dot segment", req: signedBy(root, "s3-outposts", "GET", ob+"/./k", nil), status: 400, code: "InvalidRequest"},
		{name: "outposts name: anonymous GET", req: func(e *authzEnv) *http.Request { r, _ := http.NewRequest("GET", e.url(ob+"/k"), nil); return r }, status: 400, code: "InvalidRequest"},
		{name: "outposts name: owner presigned GET", req: presignedBy(root, "GET", ob+"/k", ""), status: 400, code: "InvalidRequest"},
		{name: "outposts name: bob presigned DELETE", req: presignedBy(bob, "DELETE", ob+"/k", ""), status: 400, code: "InvalidRequest"},
		{name: "outposts name: virtual-hosted GET", req: signedBy(root, "s3-outposts", "GET", "/k", nil, "Host", vhost), status: 400, code: "InvalidRequest"},
		{name: "outposts name: virtual-hosted upper-case host", req: signedBy(root, "s3-outposts", "GET", "/k", nil, "Host", strings.ToUpper(vhost)), status: 400, code: "InvalidRequest"},
		{name: "outposts name: virtual-hosted ListObjects", req: signedBy(root, "s3-outposts", "GET", "/", nil, "Host", vhost), status: 400, code: "InvalidRequest"},
		{name: "outposts name: bucket ARN path GET", req: signedBy(root, "s3-outposts", "GET", arnPath+"/k", nil), status: 400, code: "InvalidRequest"},
		{name: "outposts name: bucket ARN path DELETE", req: signedBy(root, "s3-outposts", "DELETE", arnPath+"/k", nil), status: 400, code: "InvalidRequest"},
		{name: "outposts name: bucket ARN path lower-case escapes", req: signedBy(root, "s3-outposts", "GET", strings.ReplaceAll(strings.ReplaceAll(arnPath, "%3A", "%3a"), "%2F", "%2f")+"/k", nil), status: 400, code: "InvalidRequest"},
		{name: "outposts name: copy source by bucket name", req: signedBy(root, "s3", "PUT", "/"+bucket+"/row-ob-copy", nil, "x-amz-copy-source", authzOB+"/k"), status: 400, code: "InvalidRequest", key: "row-ob-copy"},
		{name: "outposts name: copy source percent-encoded name", req: signedBy(root, "s3", "PUT", "/"+bucket+"/row-ob-copy2", nil, "x-amz-copy-source", "/hostile%2Dob/k"), status: 400, code: "InvalidRequest", key: "row-ob-copy2"},
		{name: "outposts name: copy source by bucket ARN", req: signedBy(root, "s3", "PUT", "/"+bucket+"/row-ob-copy3", nil, "x-amz-copy-source", url.PathEscape(e.obARN+"/object/k")), status: 400, code: "InvalidRequest", key: "row-ob-copy3"},
		{name: "outposts name: upload part copy from bucket name", req: signedBy(root, "s3", "PUT", "/"+bucket+"/mp?partNumber=1&uploadId="+url.QueryEscape(e.uploadID), nil, "x-amz-copy-source", authzOB+"/k"), status: 400, code: "InvalidRequest"},
		{name: "outposts name: the VPC-bound access point refuses bob", req: signedBy(bob, "s3-outposts", "GET", "/"+e.vpcAlias+"/k", nil), status: 403, code: "AccessDenied"},

		// --- hole 8: versions need the …Version actions ---
		{name: "version: bob GET versionId", req: signedBy(bob, "s3", "GET", "/"+bucket+"/existing?"+ver, nil), status: 403, code: "AccessDenied"},
		{name: "version: bob HEAD versionId", req: signedBy(bob, "s3", "HEAD", "/"+bucket+"/existing?"+ver, nil), status: 403},
		{name: "version: bob GET empty versionId", req: signedBy(bob, "s3", "GET", "/"+bucket+"/existing?versionId=", nil), status: 403, code: "AccessDenied"},
		{name: "version: bob GET versionId twice", req: signedBy(bob, "s3", "GET", "/"+bucket+"/existing?versionId=&"+ver, nil), status: 403, code: "AccessDenied"},
		{name: "version: bob GET versionId null", req: signedBy(bob, "s3", "GET", "/"+bucket+"/existing?versionId=null", nil), status: 403, code: "AccessDenied"},
		{name: "version: bob GET versionId with partNumber", req: signedBy(bob, "s3", "GET", "/"+bucket+"/existing?partNumber=1&"+ver, nil), status: 403, code: "AccessDenied"},
		{name: "version: bob DELETE versionId", req: signedBy(bob, "s3", "DELETE", "/"+bucket+"/existing?"+ver, nil), status: 403, code: "AccessDenied"},
		{name: "version: bob GET tagging versionId", req: signedBy(bob, "s3", "GET", "/"+bucket+"/existing?tagging&"+ver, nil), status: 403, code: "AccessDenied"},
		{name: "version: bob PUT tagging versionId", req: signedBy(bob, "s3", "PUT", "/"+bucket+"/existing?tagging&"+ver, tagXML), status: 403, code: "AccessDenied"},
		{name: "version: bob DELETE tagging versionId", req: signedBy(bob, "s3", "DELETE", "/"+bucket+"/existing?tagging&"+ver, nil), status: 403, code: "AccessDenied"},
		{name: "version: bob GET acl versionId", req: signedBy(bob, "s3", "GET", "/"+bucket+"/existing?acl&"+ver, nil), status: 403, code: "AccessDenied"},
		{name: "version: bob PUT acl versionId", req: signedBy(bob, "s3", "PUT", "/"+bucket+"/existing?acl&"+ver, nil, "x-amz-acl", "public-read"), status: 403, code: "AccessDenied"},
		{name: "version: bob presigned GET versionId", req: presignedBy(bob, "GET", "/"+bucket+"/existing?"+ver, ""), status: 403, code: "AccessDenied"},
		{name: "version: bob presigned DELETE versionId", req: presignedBy(bob, "DELETE", "/"+bucket+"/existing?"+ver, ""), status: 403, code: "AccessDenied"},
		{name: "version: versionId appended to bob's GET link", req: presignedBy(bob, "GET", "/"+bucket+"/existing", "&"+ver), status: 403, code: "SignatureDoesNotMatch"},
		{name: "version: bob DeleteObjects entry with VersionId", req: signedBy(bob, "s3", "POST", "/"+bucket+"?delete",
			[]byte(`<Delete><Object><Key>existing</Key><VersionId>`+e.v1+`</VersionId></Object></Delete>`)), status: 200,
			check: func(t *testing.T, body []byte) {
				if !bytes.Contains(body, []byte("<Code>AccessDenied</Code>")) || bytes.Contains(body, []byte("<Deleted>")) {
					t.Errorf("DeleteObjects answer: %.400s", body)
				}
			}},
		{name: "version: bob copy from a versioned source", req: signedBy(bob, "s3", "PUT", "/"+bucket+"/row-ver-copy", nil, "x-amz-copy-source", bucket+"/existing?"+ver), status: 403, code: "AccessDenied", key: "row-ver-copy"},
		{name: "version: bob upload part copy from a versioned source", req: signedBy(bob, "s3", "PUT", "/"+bucket+"/mp?partNumber=1&uploadId="+url.QueryEscape(e.uploadID), nil, "x-amz-copy-source", bucket+"/existing?"+ver), status: 403, code: "AccessDenied"},
		{name: "version: bob copy, versionId percent-encoded into the key", req: signedBy(bob, "s3", "PUT", "/"+bucket+"/row-ver-copy2", nil, "x-amz-copy-source", bucket+"/existing%3F"+ver), status: 404, code: "NoSuchKey", key: "row-ver-copy2"},

		// --- hole 10: ExplainPolicy of another account's resources ---
		{name: "explain: partner on the owner's object", req: explainBy(partner, partnerRoot, "s3:GetObject", "arn:aws:s3:::"+bucket+"/existing"), status: 403, code: "AccessDenied", check: noSecret},
		{name: "explain: partner on the owner's bucket", req: explainBy(partner, partnerRoot, "s3:GetBucketPolicy", "arn:aws:s3:::"+bucket), status: 403, code: "AccessDenied", check: noSecret},
		{name: "explain: partner on the Outposts bucket", req: explainBy(partner, partnerRoot, "s3-outposts:GetObject", obObject), status: 403, code: "AccessDenied", check: noSecret},
		{name: "explain: partner, Outposts ARN naming its own account", req: explainBy(partner, partnerRoot, "s3-outposts:GetObject", strings.Replace(obObject, testserver.AccountID, authzPartner, 1)), status: 403, code: "AccessDenied", check: noSecret},
		{name: "explain: partner on the owner's access point", req: explainBy(partner, partnerRoot, "s3-outposts:GetObject",
			"arn:aws:s3-outposts:"+testserver.Region+":"+testserver.AccountID+":outpost/"+testserver.OutpostID+"/accesspoint/hostile-vpc/object/k"), status: 403, code: "AccessDenied", check: noSecret},
		{name: "explain: partner, bucket name in another case", req: explainBy(partner, partnerRoot, "s3:GetObject", "arn:aws:s3:::"+strings.ToUpper(bucket)+"/existing"), status: 200, check: noSecret},
		{name: "explain: bob may not explain", req: explainBy(bob, "arn:aws:iam::"+testserver.AccountID+":user/bob", "s3:GetObject", "arn:aws:s3:::"+bucket+"/existing"), status: 403, code: "AccessDenied", check: noSecret},
	}
}

func TestHostileAuthorization(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{Config: func(c *app.Config) { c.Domain = authzDomain }})
	c := srv.S3(t)
	srv.MustBucket(t, bucket)
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	_, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(bucket),
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}})
	must("PutBucketVersioning", err)
	e := &authzEnv{env: &env{srv: srv, c: c}}
	for i, body := range []string{"first", "second"} {
		out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("existing"), Body: strings.NewReader(body)})
		must("PutObject", err)
		if i == 0 {
			e.v1 = aws.ToString(out.VersionId)
		}
	}
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("mp")})
	must("CreateMultipartUpload", err)
	e.uploadID = aws.ToString(up.UploadId)
	_, err = c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Sid":"` + authzSecret + `",
 "Effect":"Allow","Principal":{"AWS":"` + authzPartner + `"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::` + bucket + `/*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.9/32"}}}]}`)})
	must("PutBucketPolicy", err)

	// The Outposts bucket: k behind an Internet access point (the owner's
	// window for the snapshot) and a VPC-bound one.
	root := awscreds.NewStaticCredentialsProvider(testserver.AccessKey, testserver.SecretKey, "")
	cc := s3control.New(s3control.Options{Region: testserver.Region, BaseEndpoint: aws.String(srv.URL), Credentials: root, HTTPClient: http.DefaultClient})
	bo, err := cc.CreateBucket(ctx, &s3control.CreateBucketInput{Bucket: aws.String(authzOB), OutpostId: aws.String(testserver.OutpostID)})
	must("CreateBucket (Outposts)", err)
	e.obARN = aws.ToString(bo.BucketArn)
	for _, ap := range []struct {
		name, vpc string
		alias     *string
	}{{"hostile-open", "", &e.apAlias}, {"hostile-vpc", "vpc-0000000000000beef", &e.vpcAlias}} {
		in := &s3control.CreateAccessPointInput{AccountId: aws.String(testserver.AccountID), Name: aws.String(ap.name), Bucket: aws.String(e.obARN)}
		if ap.vpc != "" {
			in.VpcConfiguration = &types.VpcConfiguration{VpcId: aws.String(ap.vpc)}
		}
		out, err := cc.CreateAccessPoint(ctx, in)
		must("CreateAccessPoint", err)
		*ap.alias = aws.ToString(out.Alias)
	}
	e.apClient = srv.S3AccessPoint(t)
	_, err = e.apClient.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(e.apAlias), Key: aws.String("k"), Body: strings.NewReader("outposts k")})
	must("PutObject (Outposts)", err)

	// bob: s3-outposts:* and the plain s3 object actions; the …Version ones denied.
	ic := iam.New(iam.Options{Region: testserver.Region, BaseEndpoint: aws.String(srv.URL), Credentials: root, HTTPClient: http.DefaultClient})
	_, err = ic.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bob")})
	must("CreateUser", err)
	k, err := ic.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("bob")})
	must("CreateAccessKey", err)
	e.bob = sigv4.Credentials{AccessKeyID: aws.ToString(k.AccessKey.AccessKeyId), SecretAccessKey: aws.ToString(k.AccessKey.SecretAccessKey)}
	_, err = ic.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("p"), PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Action":["s3-outposts:*","s3:GetObject","s3:PutObject","s3:DeleteObject","s3:GetObjectTagging","s3:PutObjectTagging","s3:DeleteObjectTagging","s3:GetObjectAcl","s3:PutObjectAcl","s3:ListBucket"],"Resource":"*"},
 {"Effect":"Deny","Action":["s3:GetObjectVersion","s3:DeleteObjectVersion","s3:GetObjectVersionTagging","s3:PutObjectVersionTagging","s3:DeleteObjectVersionTagging","s3:GetObjectVersionAcl","s3:PutObjectVersionAcl"],"Resource":"*"}]}`)})
	must("PutUserPolicy", err)
	e.partner = createPartner(t, srv)

	snapshot := func(t *testing.T) string {
		s := e.snapshot(t)
		vs, err := e.apClient.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(e.apAlias)})
		must("ListObjectVersions (Outposts)", err)
		for _, v := range vs.Versions {
			s += fmt.Sprintf("outposts object %q %s\n", aws.ToString(v.Key), aws.ToString(v.ETag))
		}
		for _, m := range vs.DeleteMarkers {
			s += fmt.Sprintf("outposts marker %q\n", aws.ToString(m.Key))
		}
		tags, err := c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String("existing"), VersionId: aws.String(e.v1)})
		must("GetObjectTagging", err)
		acl, err := c.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String(bucket), Key: aws.String("existing"), VersionId: aws.String(e.v1)})
		must("GetObjectAcl", err)
		return s + fmt.Sprintf("v1 tags %d, grants %d\n", len(tags.TagSet), len(acl.Grants))
	}
	for _, rw := range authzRows(e) {
		t.Run(rw.name, func(t *testing.T) {
			before := snapshot(t)
			resp, body, err := e.send(t, row{req: func(*env) *http.Request { return rw.req(e) }})
			if err != nil {
				t.Fatalf("no response: %v", err)
			}
			var doc struct {
				Code    string
				Message string
				Error   errorDoc // the query API's ErrorResponse
			}
			xml.Unmarshal(body, &doc)
			code := doc.Code + doc.Error.Code
			if resp.StatusCode != rw.status || (rw.code != "" && code != rw.code) {
				t.Errorf("%d %s (%s%s), want %d %s", resp.StatusCode, code, doc.Message, doc.Error.Message, rw.status, rw.code)
			}
			if rw.check != nil {
				rw.check(t, body)
			}
			if rw.key != "" && e.exists(rw.key) {
				t.Errorf("refused request stored %q", rw.key)
			}
			if after := snapshot(t); after != before {
				t.Errorf("state changed:\nbefore:\n%s\nafter:\n%s", before, after)
			}
		})
	}
}

// createPartner makes the second account with the admin action and
// returns its root's credentials.
func createPartner(t *testing.T, srv *testserver.Server) sigv4.Credentials {
	t.Helper()
	resp, body, err := (&env{srv: srv}).send(t, row{req: iamCall(creds, url.Values{"Action": {"CreateAccount"}, "AccountId": {authzPartner}})})
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("CreateAccount: %v %s", err, body)
	}
	var res struct {
		ID     string `xml:"CreateAccountResult>AccessKey>AccessKeyId"`
		Secret string `xml:"CreateAccountResult>AccessKey>SecretAccessKey"`
	}
	if err := xml.Unmarshal(body, &res); err != nil || res.ID == "" {
		t.Fatalf("CreateAccount answer: %s", body)
	}
	return sigv4.Credentials{AccessKeyID: res.ID, SecretAccessKey: res.Secret}
}

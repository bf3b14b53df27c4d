package presigned_test

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awscreds "github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/s3control"

	"github.com/outpost-s3/outpost/internal/testserver"
	"github.com/outpost-s3/outpost/presign"
	"github.com/outpost-s3/outpost/sigv4"
)

// The SigV2 rules (docs/presigned-urls.md, "SigV2 rules"), each held by a
// test through the links boto3 makes with Config(signature_version='s3'),
// tampered with over raw HTTP.

// boto3Link is one URL to ask boto3 for.
type boto3Link struct {
	Method  string            // get_object, put_object
	Bucket  string            // a bucket name or an access point ARN
	Key     string            //
	Params  map[string]string // more parameters, e.g. VersionId
	Expires int               // seconds
}

const boto3LinksScript = `
import json, sys, boto3
from botocore.config import Config
ep, sv, reqs = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
s3 = boto3.client("s3", endpoint_url=ep, region_name="us-east-1", config=Config(signature_version=sv),
    aws_access_key_id="` + testserver.AccessKey + `", aws_secret_access_key="` + testserver.SecretKey + `")
out = []
for r in reqs:
    p = dict(r["Params"] or {})
    p["Bucket"], p["Key"] = r["Bucket"], r["Key"]
    out.append(s3.generate_presigned_url(ClientMethod=r["Method"], Params=p, ExpiresIn=r["Expires"]))
print(json.dumps(out))
`

// boto3URLs returns the presigned URLs boto3 makes against endpoint,
// signed with signature version sv ("s3" is SigV2, "s3v4" SigV4).
func boto3URLs(t *testing.T, endpoint, sv string, links ...boto3Link) []string {
	t.Helper()
	in, _ := json.Marshal(links)
	out, err := exec.Command("python3", "-c", boto3LinksScript, endpoint, sv, string(in)).Output()
	if err != nil {
		t.Fatalf("boto3: %v %s", err, out)
	}
	var urls []string
	if err := json.Unmarshal(out, &urls); err != nil {
		t.Fatalf("boto3 output %s: %v", out, err)
	}
	for _, u := range urls {
		if sv == "s3" && !strings.Contains(u, "AWSAccessKeyId=") {
			t.Fatalf("boto3 did not sign SigV2: %s", u)
		}
	}
	return urls
}

// objectState describes everything a request on bucket/key could have
// changed, read with the owner's credentials: the versions, and the
// current version's ACL and tags.
func objectState(t *testing.T, c *s3.Client, bucket, key string) string {
	t.Helper()
	var b strings.Builder
	vs, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(bucket)})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs.Versions {
		fmt.Fprintf(&b, "version %s %s %s %d\n", aws.ToString(v.Key), aws.ToString(v.VersionId), aws.ToString(v.ETag), aws.ToInt64(v.Size))
	}
	acl, err := c.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range acl.Grants {
		fmt.Fprintf(&b, "grant %s %s %s\n", g.Permission, aws.ToString(g.Grantee.ID), aws.ToString(g.Grantee.URI))
	}
	tags, err := c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	for _, tg := range tags.TagSet {
		fmt.Fprintf(&b, "tag %s=%s\n", aws.ToString(tg.Key), aws.ToString(tg.Value))
	}
	return b.String()
}

const publicReadACL = `<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Owner><ID>` + testserver.AccountID + `</ID></Owner>` +
	`<AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>http://acs.amazonaws.com/groups/global/AllUsers</URI></Grantee>` +
	`<Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>`

// TestSigV2SmuggledSubresourceRefused: a boto3 SigV2 link for an object,
// with a subresource or response-* parameter appended percent-encoded
// (which the router decodes), no longer runs another operation.
func TestSigV2SmuggledSubresourceRefused(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.S3(t)
	const bkt, key = "v2-photos", "photos/cat.jpg"
	srv.MustBucket(t, bkt)
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(bkt),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	put(t, srv, bkt, key, []byte("old cat"))
	vs, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(bkt)})
	if err != nil || len(vs.Versions) != 1 {
		t.Fatalf("versions: %+v %v", vs, err)
	}
	old := aws.ToString(vs.Versions[0].VersionId)
	put(t, srv, bkt, key, []byte("new cat"))
	if _, err := c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String(bkt), Key: aws.String(key),
		Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("owner-only"), Value: aws.String("secret")}}}}); err != nil {
		t.Fatal(err)
	}
	links := boto3URLs(t, srv.URL, "s3",
		boto3Link{Method: "put_object", Bucket: bkt, Key: key, Expires: 3600},
		boto3Link{Method: "get_object", Bucket: bkt, Key: key, Expires: 3600},
		boto3Link{Method: "get_object", Bucket: bkt, Key: key, Expires: 3600, Params: map[string]string{"VersionId": old}})
	putURL, getURL, oldURL := links[0], links[1], links[2]

	before := objectState(t, c, bkt, key)
	for _, tc := range []struct {
		name, method, url, body string
	}{
		{"PutObjectAcl through %61cl", "PUT", putURL + "&%61cl", publicReadACL},
		{"PutObjectTagging through %74agging", "PUT", putURL + "&%74agging", `<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>`},
		{"UploadPart through %75ploadId", "PUT", putURL + "&%75ploadId=u&%70artNumber=1", "part"},
		{"GetObjectTagging through %74agging", "GET", getURL + "&%74agging", ""},
		{"GetObjectAcl through %61cl", "GET", getURL + "&%61cl", ""},
		{"the old version through %76ersionId", "GET", getURL + "&%76ersionId=" + url.QueryEscape(old), ""},
		{"a response header through %72esponse-content-type", "GET", getURL + "&%72esponse-content-type=text%2Fhtml", ""},
		{"a second versionId on a version link", "GET", oldURL + "&%76ersionId=null", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var body []byte
			if tc.body != "" {
				body = []byte(tc.body)
			}
			st, b, _ := fetch(t, tc.method, tc.url, body, nil)
			wantError(t, st, b, 403, "SignatureDoesNotMatch")
			if strings.Contains(string(b), "secret") || strings.Contains(string(b), "old cat") {
				t.Fatalf("refused request leaked data: %s", b)
			}
		})
	}
	if after := objectState(t, c, bkt, key); after != before {
		t.Fatalf("state changed:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	if st, _, _ := fetch(t, "GET", srv.URL+"/"+bkt+"/"+key, nil, nil); st != 403 {
		t.Fatalf("anonymous GET after the refused ACL: %d, the object became public", st)
	}
	// The links as boto3 made them, subresources included, still work.
	if st, b, _ := fetch(t, "GET", getURL, nil, nil); st != 200 || string(b) != "new cat" {
		t.Fatalf("GET link: %d %s", st, b)
	}
	if st, b, _ := fetch(t, "GET", oldURL, nil, nil); st != 200 || string(b) != "old cat" {
		t.Fatalf("versionId link: %d %s", st, b)
	}
}

// TestSigV2RefusedOnAccessPoints: a SigV2 signature does not name the
// access point, so SigV2 (query or header) is refused on access point
// hosts, aliases, ARN paths, Outposts buckets, S3 Control and s3outposts,
// whether or not the signature is valid; plain buckets keep SigV2.
func TestSigV2RefusedOnAccessPoints(t *testing.T) {
	o := newOutpostsSetup(t)
	cc := s3control.New(s3control.Options{Region: testserver.Region, BaseEndpoint: aws.String(o.srv.URL),
		Credentials: awscreds.NewStaticCredentialsProvider(testserver.AccessKey, testserver.SecretKey, ""), HTTPClient: http.DefaultClient})
	if _, err := cc.CreateAccessPoint(ctx, &s3control.CreateAccessPointInput{AccountId: aws.String(testserver.AccountID), Name: aws.String("ap-two"),
		Bucket: aws.String("arn:aws:s3-outposts:us-east-1:111122223333:outpost/op-01ac5d28a6a232904/bucket/shared-docs")}); err != nil {
		t.Fatal(err)
	}
	const key = "report.txt"
	body := []byte("shared through an access point")
	if st, b, _ := o.do(t, "PUT", mustURL(t, presign.Request{Method: "PUT", Resource: o.apARN, Key: key, Expires: time.Minute, Endpoint: o.endpoint}), body, nil); st != 200 {
		t.Fatalf("SigV4 PUT: %d %s", st, b)
	}
	viaAP := s3.New(s3.Options{Region: testserver.Region, BaseEndpoint: aws.String(o.endpoint), HTTPClient: o.client,
		Credentials: awscreds.NewStaticCredentialsProvider(testserver.AccessKey, testserver.SecretKey, "")})
	listing := func() []string {
		t.Helper()
		out, err := viaAP.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(o.apARN)})
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, c := range out.Contents {
			keys = append(keys, fmt.Sprintf("%s %s", aws.ToString(c.Key), aws.ToString(c.ETag)))
		}
		return keys
	}
	before := listing()

	links := boto3URLs(t, o.endpoint, "s3",
		boto3Link{Method: "get_object", Bucket: o.apARN, Key: key, Expires: 3600},
		boto3Link{Method: "put_object", Bucket: o.apARN, Key: "planted.txt", Expires: 3600})
	get, _ := url.Parse(links[0])
	if !strings.HasPrefix(get.Host, "example-outpost-access-point-111122223333.op-01ac5d28a6a232904.localhost:") {
		t.Fatalf("boto3 access point host: %s", links[0])
	}
	_, port, _ := strings.Cut(get.Host, "localhost:")
	q := get.RawQuery
	forged := strings.Replace(q, "Signature=", "Signature=AAAA", 1)
	outpostsReq := func(method, path string) *http.Request {
		r, _ := http.NewRequest(method, o.endpoint+path, nil)
		r.Header.Set("x-amz-account-id", testserver.AccountID)
		r.Header.Set("x-amz-outpost-id", testserver.OutpostID)
		if err := sigv4.SignRequestV2(r, sigv4.Credentials{AccessKeyID: testserver.AccessKey, SecretAccessKey: testserver.SecretKey}, "", time.Now()); err != nil {
			t.Fatal(err)
		}
		return r
	}
	headerPut := func() *http.Request {
		r, _ := http.NewRequest("PUT", "https://example-outpost-access-point-111122223333.op-01ac5d28a6a232904.localhost:"+port+"/planted.txt", strings.NewReader("planted"))
		if err := sigv4.SignRequestV2(r, sigv4.Credentials{AccessKeyID: testserver.AccessKey, SecretAccessKey: testserver.SecretKey}, "/planted.txt", time.Now()); err != nil {
			t.Fatal(err)
		}
		return r
	}
	for _, tc := range []struct {
		name string
		req  func() *http.Request
		body string
	}{
		{name: "boto3's GET link on its access point", req: rawReq("GET", links[0])},
		{name: "boto3's PUT link on its access point", req: rawReq("PUT", links[1]), body: "planted"},
		{name: "the link moved to another access point", req: rawReq("GET", "https://ap-two-111122223333.op-01ac5d28a6a232904.localhost:"+port+"/"+key+"?"+q)},
		{name: "the link on the alias host", req: rawReq("GET", "https://"+o.alias+".op-01ac5d28a6a232904.localhost:"+port+"/"+key+"?"+q)},
		{name: "the link path-style on the alias", req: rawReq("GET", o.endpoint+"/"+o.alias+"/"+key+"?"+q)},
		{name: "the link on the ARN path", req: rawReq("GET", o.endpoint+"/"+url.PathEscape(o.apARN)+"/"+key+"?"+q)},
		{name: "the link on the Outposts bucket's name", req: rawReq("GET", o.endpoint+"/shared-docs/"+key+"?"+q)},
		{name: "a forged signature is refused the same way", req: rawReq("GET", "https://example-outpost-access-point-111122223333.op-01ac5d28a6a232904.localhost:"+port+"/"+key+"?"+forged)},
		{name: "a SigV2 Authorization header on the access point", req: headerPut, body: "planted"},
		{name: "S3 Control with a SigV2 header", req: func() *http.Request { return outpostsReq("GET", "/v20180820/accesspoint?bucket=shared-docs") }},
		{name: "s3outposts with a SigV2 header", req: func() *http.Request { return outpostsReq("GET", "/S3Outposts/ListEndpoints") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.req()
			if tc.body != "" && r.Body == nil {
				r.Body, r.ContentLength = io.NopCloser(strings.NewReader(tc.body)), int64(len(tc.body))
			}
			resp, err := o.client.Do(r)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			code, msg := errorOf(resp, b)
			if resp.StatusCode != 400 || code != "InvalidRequest" {
				t.Fatalf("got %d %s, want 400 InvalidRequest: %s", resp.StatusCode, code, b)
			}
			for _, want := range []string{"The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.",
				"Config(signature_version='s3v4')", "aws configure set default.s3.signature_version s3v4"} {
				if !strings.Contains(msg, want) {
					t.Errorf("message %q lacks %q", msg, want)
				}
			}
		})
	}
	if after := listing(); !slices.Equal(after, before) {
		t.Fatalf("objects changed: %v, were %v", after, before)
	}
	st, b, _ := o.do(t, "GET", mustURL(t, presign.Request{Resource: o.apARN, Key: key, Expires: time.Minute, Endpoint: o.endpoint}), nil, nil)
	if st != 200 || string(b) != string(body) {
		t.Fatalf("object after: %d %s", st, b)
	}

	// Plain buckets keep SigV2: the resource names the bucket.
	o.srv.MustBucket(t, "plain-v2")
	put(t, o.srv, "plain-v2", key, []byte("plain"))
	plain := boto3URLs(t, o.srv.URL, "s3", boto3Link{Method: "get_object", Bucket: "plain-v2", Key: key, Expires: 3600})
	if st, b, _ := fetch(t, "GET", plain[0], nil, nil); st != 200 || string(b) != "plain" {
		t.Fatalf("SigV2 on a plain bucket: %d %s", st, b)
	}
}

// errorOf reads an error in any of the forms the APIs send: S3's
// <Error>, S3 Control's <ErrorResponse><Error>, s3outposts' JSON.
func errorOf(resp *http.Response, body []byte) (code, msg string) {
	if c := resp.Header.Get("x-amzn-ErrorType"); c != "" {
		var j struct{ Message string }
		json.Unmarshal(body, &j)
		return c, j.Message
	}
	var e struct {
		Code, Message string
		Error         struct{ Code, Message string }
	}
	xml.Unmarshal(body, &e)
	if e.Code == "" {
		return e.Error.Code, e.Error.Message
	}
	return e.Code, e.Message
}

// rawReq builds the request a holder of the URL sends.
func rawReq(method, u string) func() *http.Request {
	return func() *http.Request {
		r, err := http.NewRequest(method, u, nil)
		if err != nil {
			panic(err)
		}
		return r
	}
}

// TestSigV2LinkLifetimeBound: a SigV2 link carries only its end, so it is
// refused when that end lies more than 604800 s after the moment of use,
// whoever signed it.
func TestSigV2LinkLifetimeBound(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.S3(t)
	const bkt = "v2-life"
	srv.MustBucket(t, bkt)
	put(t, srv, bkt, "k.txt", []byte("seven days at most"))
	const week = 604800
	links := boto3URLs(t, srv.URL, "s3",
		boto3Link{Method: "get_object", Bucket: bkt, Key: "k.txt", Expires: week},
		boto3Link{Method: "get_object", Bucket: bkt, Key: "k.txt", Expires: week + 600},
		boto3Link{Method: "put_object", Bucket: bkt, Key: "planted.txt", Expires: 10 * 365 * 24 * 3600})
	if st, b, _ := fetch(t, "GET", links[0], nil, nil); st != 200 || string(b) != "seven days at most" {
		t.Fatalf("7-day SigV2 link: %d %s", st, b)
	}
	u, _ := url.Parse(links[0])
	q := u.Query()
	q.Set("Expires", "4102444800") // 2100-01-01
	u.RawQuery = q.Encode()
	for _, tc := range []struct{ name, method, url string }{
		{"boto3's link for 7 days and 10 minutes", "GET", links[1]},
		{"boto3's PUT link for 10 years", "PUT", links[2]},
		{"a link whose Expires was moved to 2100", "GET", u.String()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, b, _ := fetch(t, tc.method, tc.url, []byte("planted"), nil)
			e := wantError(t, st, b, 400, "AuthorizationQueryParametersError")
			if !strings.Contains(e.Message, "604800 seconds") || e.Expires == "" || e.ServerTime == "" {
				t.Errorf("error %+v", e)
			}
		})
	}
	if keys := listKeys(t, c, bkt); !slices.Equal(keys, []string{"k.txt"}) {
		t.Fatalf("bucket after: %v", keys)
	}
}

// listKeys lists a bucket with the owner's credentials.
func listKeys(t *testing.T, c *s3.Client, bucket string) []string {
	t.Helper()
	out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, o := range out.Contents {
		keys = append(keys, aws.ToString(o.Key))
	}
	return keys
}

// TestSigV2LinkMissingSignatureRefused: a SigV2 link without Signature
// (or AWSAccessKeyId, or Expires) gets AWS's answer, 403 AccessDenied
// naming the three parameters, and is never served as anonymous.
func TestSigV2LinkMissingSignatureRefused(t *testing.T) {
	srv := testserver.Start(t)
	const bkt = "v2-missing"
	srv.MustBucket(t, bkt)
	links := boto3URLs(t, srv.URL, "s3", boto3Link{Method: "put_object", Bucket: bkt, Key: "planted.txt", Expires: 3600})
	for _, drop := range []string{"Signature", "AWSAccessKeyId", "Expires"} {
		u, _ := url.Parse(links[0])
		q := u.Query()
		q.Del(drop)
		u.RawQuery = q.Encode()
		st, b, _ := fetch(t, "PUT", u.String(), []byte("planted"), nil)
		e := wantError(t, st, b, 403, "AccessDenied")
		if e.Message != "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters" {
			t.Errorf("without %s: %q", drop, e.Message)
		}
	}
	if keys := listKeys(t, srv.S3(t), bkt); len(keys) != 0 {
		t.Fatalf("bucket after: %v", keys)
	}
}

// TestSigV2SignatureVersionCondition: SigV2 links carry no signing time,
// so s3:signatureAge is 0 for them and an age policy alone lets them
// through; requiring s3:signatureversion = AWS4-HMAC-SHA256 refuses them.
func TestSigV2SignatureVersionCondition(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.S3(t)
	const bkt = "v2-policy"
	srv.MustBucket(t, bkt)
	put(t, srv, bkt, "k.txt", []byte("policy"))
	setPolicy := func(stmts ...string) {
		t.Helper()
		doc := `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
		if _, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(bkt), Policy: aws.String(doc)}); err != nil {
			t.Fatal(err)
		}
	}
	const deny = `{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::` + bkt + `/*","Condition":`
	ageOnly := deny + `{"NumericGreaterThan":{"s3:signatureAge":600000},"StringEquals":{"s3:authType":"REST-QUERY-STRING"}}}`
	v4Only := deny + `{"StringNotEquals":{"s3:signatureversion":"AWS4-HMAC-SHA256"},"StringEquals":{"s3:authType":"REST-QUERY-STRING"}}}`

	v2 := boto3URLs(t, srv.URL, "s3", boto3Link{Method: "get_object", Bucket: bkt, Key: "k.txt", Expires: 3600})[0]
	v4 := boto3URLs(t, srv.URL, "s3v4", boto3Link{Method: "get_object", Bucket: bkt, Key: "k.txt", Expires: 3600})[0]
	setPolicy(ageOnly)
	if st, b, _ := fetch(t, "GET", v2, nil, nil); st != 200 {
		t.Fatalf("SigV2 link under an age-only policy (age 0): %d %s", st, b)
	}
	setPolicy(ageOnly, v4Only)
	st, b, _ := fetch(t, "GET", v2, nil, nil)
	wantError(t, st, b, 403, "AccessDenied")
	if st, b, _ := fetch(t, "GET", v4, nil, nil); st != 200 || string(b) != "policy" {
		t.Fatalf("SigV4 link under the signatureversion policy: %d %s", st, b)
	}
}

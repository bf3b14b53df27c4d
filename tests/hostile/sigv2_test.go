package hostile_test

import (
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awscreds "github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3control"

	"github.com/outpost-s3/outpost/internal/testserver"
	"github.com/outpost-s3/outpost/sigv4"
)

// SigV2 attacks by a holder of one link (docs/presigned-urls.md, "SigV2
// rules"): subresources smuggled percent-encoded, links moved to access
// points, links that never end. Each row states status and code, and the
// plain bucket, the Outposts bucket behind the access point and the
// existing object's ACL are the same afterwards.

const (
	v2OutpostsBucket = "hostile-ob"
	v2AccessPoint    = "hostile-ap"
	v2APHost         = v2AccessPoint + "-" + testserver.AccountID + "." + testserver.OutpostID + ".localhost"
)

// v2Env is env plus the access point's alias.
type v2Env struct {
	*env
	alias string
}

// v2Link presigns a SigV2 request for path (query included) on host, as
// botocore does: resource is the CanonicalizedResource path.
func (e *v2Env) v2Link(method, host, path, resource string, expires time.Duration, at time.Time) string {
	u, err := url.Parse("http://" + host + path)
	if err != nil {
		panic(err)
	}
	s, err := sigv4.Presign(sigv4.PresignParams{Method: method, URL: u, Credentials: creds, Algorithm: sigv4.AlgorithmV2,
		Expires: expires, Time: at, V2Resource: resource})
	if err != nil {
		panic(err)
	}
	return s
}

// to sends a link (made for any host) to the server with that Host.
func (e *v2Env) to(method, link, extra string, body string) *http.Request {
	u, _ := url.Parse(link)
	r, _ := http.NewRequest(method, e.srv.URL+u.EscapedPath()+"?"+u.RawQuery+extra, strings.NewReader(body))
	r.Host = u.Host
	return r
}

// v2Header signs a request with a SigV2 Authorization header, then
// appends extra to its query.
func (e *v2Env) v2Header(method, host, path, resource, extra, body string, hdr ...string) *http.Request {
	r, _ := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	r.Host = host
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	if err := sigv4.SignRequestV2(r, creds, resource, time.Now()); err != nil {
		panic(err)
	}
	if extra != "" {
		r.URL.RawQuery += extra
	}
	return r
}

// aclPublic grants AllUsers READ: what an attacker would make of a PUT link.
const aclPublic = `<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Owner><ID>` + testserver.AccountID + `</ID></Owner>` +
	`<AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>http://acs.amazonaws.com/groups/global/AllUsers</URI></Grantee>` +
	`<Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>`

func sigv2Rows(e *v2Env) []row {
	now := time.Now()
	plain := e.srv.Addr
	obj := "/" + bucket + "/existing"
	getLink := e.v2Link("GET", plain, obj, "", time.Hour, now)
	putLink := e.v2Link("PUT", plain, obj, "", time.Hour, now)
	apGet := e.v2Link("GET", v2APHost, "/existing", "/existing", time.Hour, now)
	apPut := e.v2Link("PUT", v2APHost, "/row-sigv2-ap-put", "/row-sigv2-ap-put", time.Hour, now)
	forged := strings.Replace(apGet, "Signature=", "Signature=AAAA", 1)
	refused := func(r row) row { r.status, r.code = 400, "InvalidRequest"; return r }
	req := func(f func() *http.Request) func(*env) *http.Request { return func(*env) *http.Request { return f() } }
	rows := []row{
		// Subresources and response-* parameters appended percent-encoded.
		{name: "sigv2: PUT link replayed as PutObjectAcl via %61cl", req: req(func() *http.Request { return e.to("PUT", putLink, "&%61cl", aclPublic) }), status: 403, code: "SignatureDoesNotMatch"},
		{name: "sigv2: PUT link replayed as PutObjectTagging via %74agging", req: req(func() *http.Request {
			return e.to("PUT", putLink, "&%74agging", "<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet></Tagging>")
		}), status: 403, code: "SignatureDoesNotMatch"},
		{name: "sigv2: PUT link replayed as UploadPart via %75ploadId", req: req(func() *http.Request {
			return e.to("PUT", putLink, "&%75ploadId="+url.QueryEscape(e.uploadID)+"&%70artNumber=1", "part")
		}), status: 403, code: "SignatureDoesNotMatch"},
		{name: "sigv2: GET link replayed as GetObjectTagging via %74agging", req: req(func() *http.Request { return e.to("GET", getLink, "&%74agging", "") }), status: 403, code: "SignatureDoesNotMatch"},
		{name: "sigv2: GET link replayed as GetObjectAcl via %61CL mixed escape", req: req(func() *http.Request { return e.to("GET", getLink, "&%61%63l", "") }), status: 403, code: "SignatureDoesNotMatch"},
		{name: "sigv2: GET link with a smuggled %76ersionId", req: req(func() *http.Request { return e.to("GET", getLink, "&%76ersionId=null", "") }), status: 403, code: "SignatureDoesNotMatch"},
		{name: "sigv2: GET link with a smuggled response-content-type", req: req(func() *http.Request {
			return e.to("GET", getLink, "&%72esponse-content-type=text%2Fhtml", "")
		}), status: 403, code: "SignatureDoesNotMatch"},
		{name: "sigv2: signed %2B sent as a plus (read as a space)", req: req(func() *http.Request {
			l := e.v2Link("GET", plain, obj+"?response-content-type=a%2Bb", "", time.Hour, now)
			return e.to("GET", strings.Replace(l, "a%2Bb", "a+b", 1), "", "")
		}), status: 403, code: "SignatureDoesNotMatch"},
		{name: "sigv2: header-signed PUT with %61cl added", req: req(func() *http.Request {
			return e.v2Header("PUT", plain, obj, obj, "%61cl", aclPublic)
		}), status: 403, code: "SignatureDoesNotMatch"},
		{name: "sigv2: an escaped x-amz parameter added", req: req(func() *http.Request {
			return e.to("PUT", e.v2Link("PUT", plain, "/"+bucket+"/row-sigv2-amz", "", time.Hour, now), "&%78-amz-checksum-crc32=AAAAAA%3D%3D", "x")
		}), status: 403, code: "SignatureDoesNotMatch", key: "row-sigv2-amz"},
		// Lifetime.
		{name: "sigv2: Expires in the year 2100", req: req(func() *http.Request {
			l := e.v2Link("PUT", plain, "/"+bucket+"/row-sigv2-2100", "", time.Hour, now)
			u, _ := url.Parse(l)
			q := u.Query()
			q.Set("Expires", "4102444800")
			u.RawQuery = q.Encode()
			return e.to("PUT", u.String(), "", "x")
		}), status: 400, code: "AuthorizationQueryParametersError", key: "row-sigv2-2100"},
		{name: "sigv2: validly signed, ending 7 days and 2 seconds after use", req: req(func() *http.Request {
			return e.to("PUT", e.v2Link("PUT", plain, "/"+bucket+"/row-sigv2-week", "", 7*24*time.Hour, now.Add(2*time.Second)), "", "x")
		}), status: 400, code: "AuthorizationQueryParametersError", key: "row-sigv2-week"},
		{name: "sigv2: Expires as a huge number", req: req(func() *http.Request {
			l := e.v2Link("PUT", plain, "/"+bucket+"/row-sigv2-huge", "", time.Hour, now)
			return e.to("PUT", strings.Replace(l, "Expires="+strconv.FormatInt(now.Add(time.Hour).Unix(), 10), "Expires=9223372036854775807", 1), "", "x")
		}), status: 400, code: "AuthorizationQueryParametersError", key: "row-sigv2-huge"},
		// Missing parameters: AWS's 403, never anonymous.
		{name: "sigv2: PUT link without AWSAccessKeyId", req: req(func() *http.Request {
			l := e.v2Link("PUT", plain, "/"+bucket+"/row-sigv2-noakid", "", time.Hour, now)
			u, _ := url.Parse(l)
			q := u.Query()
			q.Del("AWSAccessKeyId")
			u.RawQuery = q.Encode()
			return e.to("PUT", u.String(), "", "x")
		}), status: 403, code: "AccessDenied", key: "row-sigv2-noakid"},
		// Access points, aliases, ARN paths, Outposts buckets: refused
		// whether or not the signature is valid.
		refused(row{name: "sigv2: GET link on an access point host", req: req(func() *http.Request { return e.to("GET", apGet, "", "") })}),
		refused(row{name: "sigv2: PUT link on an access point host", req: req(func() *http.Request { return e.to("PUT", apPut, "", "planted") })}),
		refused(row{name: "sigv2: link on an access point host behind an escaped X-Amz-Algorithm", req: req(func() *http.Request {
			return e.to("GET", apGet, "&%58-Amz-Algorithm=AWS4-HMAC-SHA256", "")
		})}),
		refused(row{name: "sigv2: forged signature on an access point host", req: req(func() *http.Request { return e.to("GET", forged, "", "") })}),
		refused(row{name: "sigv2: link on an unknown access point", req: req(func() *http.Request {
			return e.to("GET", strings.Replace(apGet, v2AccessPoint+"-", "no-such-ap-", 1), "", "")
		})}),
		refused(row{name: "sigv2: link on the access point's alias", req: req(func() *http.Request {
			return e.to("GET", strings.Replace(apGet, v2AccessPoint+"-"+testserver.AccountID, e.alias, 1), "", "")
		})}),
		refused(row{name: "sigv2: link path-style on the alias", req: req(func() *http.Request {
			return e.to("PUT", e.v2Link("PUT", plain, "/"+e.alias+"/row-sigv2-alias", "", time.Hour, now), "", "planted")
		})}),
		refused(row{name: "sigv2: link on the access point ARN path", req: req(func() *http.Request {
			arn := "arn:aws:s3-outposts:" + testserver.Region + ":" + testserver.AccountID + ":outpost/" + testserver.OutpostID + "/accesspoint/" + v2AccessPoint
			return e.to("PUT", e.v2Link("PUT", plain, "/"+url.PathEscape(arn)+"/row-sigv2-arn", "", time.Hour, now), "", "planted")
		})}),
		refused(row{name: "sigv2: link on the bucket ARN path", req: req(func() *http.Request {
			arn := "arn:aws:s3-outposts:" + testserver.Region + ":" + testserver.AccountID + ":outpost/" + testserver.OutpostID + "/bucket/" + v2OutpostsBucket
			return e.to("GET", e.v2Link("GET", plain, "/"+url.PathEscape(arn)+"/existing", "", time.Hour, now), "", "")
		})}),
		refused(row{name: "sigv2: link on the Outposts bucket's name", req: req(func() *http.Request {
			return e.to("PUT", e.v2Link("PUT", plain, "/"+v2OutpostsBucket+"/row-sigv2-ob", "", time.Hour, now), "", "planted")
		})}),
		refused(row{name: "sigv2: header-signed PUT on an access point host", req: req(func() *http.Request {
			return e.v2Header("PUT", v2APHost, "/row-sigv2-hdr", "/row-sigv2-hdr", "", "planted")
		})}),
		refused(row{name: "sigv2: header-signed copy from the access point's alias", req: req(func() *http.Request {
			return e.v2Header("PUT", plain, "/"+bucket+"/row-sigv2-copy", "/"+bucket+"/row-sigv2-copy", "", "", "x-amz-copy-source", e.alias+"/existing")
		}), key: "row-sigv2-copy"}),
		refused(row{name: "sigv2: S3 Control request", req: req(func() *http.Request {
			return e.v2Header("GET", plain, "/v20180820/accesspoint?bucket="+v2OutpostsBucket, "", "", "", "x-amz-account-id", testserver.AccountID)
		})}),
		refused(row{name: "sigv2: s3outposts request", req: req(func() *http.Request {
			return e.v2Header("GET", plain, "/S3Outposts/ListEndpoints", "", "", "")
		})}),
	}
	return rows
}

// TestHostileSigV2 runs the SigV2 rows against a server with a plain
// bucket (an object, an upload) and an Outposts bucket behind an access
// point.
func TestHostileSigV2(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.S3(t)
	srv.MustBucket(t, bucket)
	e := &env{srv: srv, c: c}
	mustOK := func(r *http.Request, what string) []byte {
		t.Helper()
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", what, resp.StatusCode, b)
		}
		return b
	}
	mustOK(e.signed("PUT", "/"+bucket+"/existing", []byte("existing")), "PUT existing")
	var up struct{ UploadId string }
	xml.Unmarshal(mustOK(e.signed("POST", "/"+bucket+"/mp?uploads", nil), "CreateMultipartUpload"), &up)
	e.uploadID = up.UploadId
	cc := s3control.New(s3control.Options{Region: testserver.Region, BaseEndpoint: aws.String(srv.URL),
		Credentials: awscreds.NewStaticCredentialsProvider(testserver.AccessKey, testserver.SecretKey, ""), HTTPClient: http.DefaultClient})
	if _, err := cc.CreateBucket(ctx, &s3control.CreateBucketInput{Bucket: aws.String(v2OutpostsBucket), OutpostId: aws.String(testserver.OutpostID)}); err != nil {
		t.Fatal(err)
	}
	ap, err := cc.CreateAccessPoint(ctx, &s3control.CreateAccessPointInput{AccountId: aws.String(testserver.AccountID), Name: aws.String(v2AccessPoint),
		Bucket: aws.String("arn:aws:s3-outposts:us-east-1:111122223333:outpost/op-01ac5d28a6a232904/bucket/" + v2OutpostsBucket)})
	if err != nil {
		t.Fatal(err)
	}
	ve := &v2Env{env: e, alias: aws.ToString(ap.Alias)}
	mustOK(e.signed("PUT", "/"+ve.alias+"/existing", []byte("behind the access point")), "PUT through the alias")
	state := func() string {
		t.Helper()
		return e.snapshot(t) + string(mustOK(e.signed("GET", "/"+ve.alias+"?list-type=2", nil), "list through the alias")) +
			string(mustOK(e.signed("GET", "/"+bucket+"/existing?acl", nil), "GetObjectAcl")) +
			string(mustOK(e.signed("GET", "/"+bucket+"/existing?tagging", nil), "GetObjectTagging")) +
			string(mustOK(e.signed("GET", "/"+bucket+"/mp?uploadId="+url.QueryEscape(e.uploadID), nil), "ListParts"))
	}
	for _, rw := range sigv2Rows(ve) {
		t.Run(rw.name, func(t *testing.T) {
			before := state()
			resp, body, err := e.send(t, rw)
			if err != nil {
				t.Fatalf("no response: %v", err)
			}
			code := resp.Header.Get("x-amzn-ErrorType") // s3outposts answers JSON
			if code == "" {
				var doc struct {
					Code  string
					Error struct{ Code string } // S3 Control's <ErrorResponse>
				}
				xml.Unmarshal(body, &doc)
				code = doc.Code + doc.Error.Code
			}
			if resp.StatusCode != rw.status || code != rw.code {
				t.Errorf("got %d %s, want %d %s: %.400s", resp.StatusCode, code, rw.status, rw.code, body)
			}
			if rw.key != "" && e.exists(rw.key) {
				t.Errorf("refused request stored %q", rw.key)
			}
			if after := state(); after != before {
				t.Errorf("state changed:\nbefore:\n%s\nafter:\n%s", before, after)
			}
		})
	}
}

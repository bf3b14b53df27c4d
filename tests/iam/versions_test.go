package iam_test

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	"github.com/aws/aws-sdk-go-v2/service/s3control/types"

	"github.com/outpost-s3/outpost/internal/testserver"
	"github.com/outpost-s3/outpost/sigv4"
)

// versionedBucket is one namespace of TestVersionActionsEnforced: a plain
// bucket (actions s3:…) or an Outposts bucket reached through its access
// point (s3-outposts:…), each holding k.txt in two versions.
type versionedBucket struct {
	name    string // the service, for messages
	service string // signing service and action prefix
	path    string // "/{bucket or alias}"
	owner   *s3.Client
	client  func(sigv4.Credentials) *s3.Client
	v1, v2  string
}

func newVersionedBuckets(t *testing.T, srv *testserver.Server) []*versionedBucket {
	t.Helper()
	srv.MustBucket(t, "vers")
	root := s3Client(srv, rootCreds)
	ok(root.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("vers"),
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}}))(t, "PutBucketVersioning")
	plain := &versionedBucket{name: "plain bucket", service: "s3", path: "/vers", owner: root,
		client: func(c sigv4.Credentials) *s3.Client { return s3Client(srv, c) }}

	cc := controlClient(srv, rootCreds)
	bARN := outpostsBucket(t, srv, "overs")
	ok(cc.PutBucketVersioning(ctx, &s3control.PutBucketVersioningInput{AccountId: aws.String(account), Bucket: aws.String(bARN),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}))(t, "PutBucketVersioning (Outposts)")
	ap := ok(cc.CreateAccessPoint(ctx, &s3control.CreateAccessPointInput{AccountId: aws.String(account), Name: aws.String("overs-ap"), Bucket: aws.String(bARN)}))(t, "CreateAccessPoint")
	viaAP := func(c sigv4.Credentials) *s3.Client {
		return srv.S3AccessPoint(t, func(o *s3.Options) { o.Credentials = provider(c) })
	}
	outposts := &versionedBucket{name: "Outposts bucket", service: "s3-outposts", path: "/" + aws.ToString(ap.Alias), owner: viaAP(rootCreds), client: viaAP}

	for _, b := range []*versionedBucket{plain, outposts} {
		bucket := aws.String(b.path[1:])
		for i, body := range []string{"one", "two"} {
			out := ok(b.owner.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("k.txt"), Body: strings.NewReader(body), Tagging: aws.String("v=" + body)}))(t, "PutObject "+body)
			if i == 0 {
				b.v1 = aws.ToString(out.VersionId)
			} else {
				b.v2 = aws.ToString(out.VersionId)
			}
		}
	}
	return []*versionedBucket{plain, outposts}
}

// versionRequest is one operation that names a version.
type versionRequest struct {
	op, method, sub string // sub: the subresource before versionId ("tagging&")
	body            string
	write           bool
	plainOnly       bool // ACLs: S3 on Outposts has none
}

var versionRequests = []versionRequest{
	{op: "GetObject", method: "GET"},
	{op: "HeadObject", method: "HEAD"},
	{op: "DeleteObject", method: "DELETE", write: true},
	{op: "GetObjectTagging", method: "GET", sub: "tagging&"},
	{op: "PutObjectTagging", method: "PUT", sub: "tagging&", body: `<Tagging><TagSet><Tag><Key>v</Key><Value>changed</Value></Tag></TagSet></Tagging>`, write: true},
	{op: "DeleteObjectTagging", method: "DELETE", sub: "tagging&", write: true},
	{op: "GetObjectAcl", method: "GET", sub: "acl&", plainOnly: true},
	{op: "PutObjectAcl", method: "PUT", sub: "acl&", write: true, plainOnly: true},
}

// Requests that name a version (versionId) need the …Version actions of
// the Service Authorization Reference — s3:GetObjectVersion for GET and
// HEAD, s3:DeleteObjectVersion, s3:{Get,Put,Delete}ObjectVersionTagging,
// s3:{Get,Put}ObjectVersionAcl, the same names under s3-outposts: — with
// the header signature and in a presigned link, per entry of
// DeleteObjects and for a copy's versioned source.
func TestVersionActionsEnforced(t *testing.T) {
	srv, _ := start(t)
	buckets := newVersionedBuckets(t, srv)

	// bob: the plain actions, the …Version ones explicitly denied.
	bob := newUser(t, srv, rootCreds, "bob")
	var allow, deny []string
	for _, svc := range []string{"s3", "s3-outposts"} {
		for _, a := range []string{"GetObject", "DeleteObject", "PutObject", "GetObjectTagging", "PutObjectTagging", "DeleteObjectTagging", "GetObjectAcl", "PutObjectAcl", "ListBucket", "ListBucketVersions"} {
			allow = append(allow, `"`+svc+":"+a+`"`)
		}
		for _, a := range []string{"GetObjectVersion", "DeleteObjectVersion", "GetObjectVersionTagging", "PutObjectVersionTagging", "DeleteObjectVersionTagging", "GetObjectVersionAcl", "PutObjectVersionAcl"} {
			deny = append(deny, `"`+svc+":"+a+`"`)
		}
	}
	putUserPolicy(t, srv, "bob", "versions", `{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Action":[`+strings.Join(allow, ",")+`],"Resource":"*"},
 {"Effect":"Deny","Action":[`+strings.Join(deny, ",")+`],"Resource":"*"}]}`)
	// carol: only the …Version read actions.
	carol := newUser(t, srv, rootCreds, "carol")
	putUserPolicy(t, srv, "carol", "versions", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[
 "s3:GetObjectVersion","s3:GetObjectVersionTagging","s3:GetObjectVersionAcl",
 "s3-outposts:GetObjectVersion","s3-outposts:GetObjectVersionTagging"],"Resource":"*"}]}`)

	for _, b := range buckets {
		for _, rq := range versionRequests {
			if rq.plainOnly && b.service != "s3" {
				continue
			}
			path := b.path + "/k.txt?" + rq.sub + "versionId=" + b.v1
			what := b.name + " " + rq.op + " with versionId"
			status, code := signedDo(t, bob, b.service, rq.method, srv.URL+path, []byte(rq.body), nil)
			if status != 403 || (rq.method != "HEAD" && code != "AccessDenied") {
				t.Errorf("%s, header-signed by bob: %d %q, want 403 AccessDenied", what, status, code)
			}
			u := presign(t, srv, bob, rq.method, path, b.service, time.Now(), time.Hour)
			if status, code := do(t, rq.method, u, []byte(rq.body)); status != 403 || (rq.method != "HEAD" && code != "AccessDenied") {
				t.Errorf("%s, presigned by bob: %d %q, want 403 AccessDenied", what, status, code)
			}
			if rq.write {
				continue
			}
			// The …Version action is what grants it: carol has only those.
			if status, code := signedDo(t, carol, b.service, rq.method, srv.URL+path, nil, nil); status != 200 {
				t.Errorf("%s, header-signed by carol: %d %q, want 200", what, status, code)
			}
			if status, code := do(t, rq.method, presign(t, srv, carol, rq.method, path, b.service, time.Now(), time.Hour), nil); status != 200 {
				t.Errorf("%s, presigned by carol: %d %q, want 200", what, status, code)
			}
			if status, code := signedDo(t, carol, b.service, rq.method, srv.URL+b.path+"/k.txt?"+strings.TrimSuffix(rq.sub, "&"), nil, nil); status != 403 {
				t.Errorf("%s without versionId, by carol: %d %q, want 403", b.name+" "+rq.op, status, code)
			}
		}
		// Without versionId bob reads the current version.
		if status, code := signedDo(t, bob, b.service, "GET", srv.URL+b.path+"/k.txt", nil, nil); status != 200 {
			t.Errorf("%s GetObject without versionId, by bob: %d %q", b.name, status, code)
		}

		bc := b.client(bob)
		bucket := aws.String(b.path[1:])
		// DeleteObjects: each entry with a VersionId needs DeleteObjectVersion.
		out := ok(bc.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: bucket, Delete: &s3types.Delete{Objects: []s3types.ObjectIdentifier{
			{Key: aws.String("k.txt"), VersionId: aws.String(b.v1)}, {Key: aws.String("k.txt"), VersionId: aws.String(b.v2)}}}}))(t, b.name+" DeleteObjects")
		if len(out.Deleted) != 0 || len(out.Errors) != 2 || aws.ToString(out.Errors[0].Code) != "AccessDenied" || aws.ToString(out.Errors[1].Code) != "AccessDenied" {
			t.Errorf("%s DeleteObjects with VersionIds by bob: %d deleted, errors %+v", b.name, len(out.Deleted), out.Errors)
		}
		// CopyObject from a versioned source needs GetObjectVersion on it.
		_, err := bc.CopyObject(ctx, &s3.CopyObjectInput{Bucket: bucket, Key: aws.String("copy.txt"), CopySource: aws.String(b.path[1:] + "/k.txt?versionId=" + b.v1)})
		wantCode(t, b.name+" CopyObject from a versioned source by bob", err, "AccessDenied")

		// Nothing changed: both versions, their bodies and tags, no copy.
		vs := ok(b.owner.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: bucket}))(t, b.name+" ListObjectVersions")
		if len(vs.Versions) != 2 || len(vs.DeleteMarkers) != 0 {
			t.Fatalf("%s after bob's refused requests: %d versions, %d delete markers", b.name, len(vs.Versions), len(vs.DeleteMarkers))
		}
		for v, want := range map[string]string{b.v1: "one", b.v2: "two"} {
			o := ok(b.owner.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("k.txt"), VersionId: aws.String(v)}))(t, b.name+" GetObject "+v)
			body, _ := io.ReadAll(o.Body)
			o.Body.Close()
			tags := ok(b.owner.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: bucket, Key: aws.String("k.txt"), VersionId: aws.String(v)}))(t, b.name+" GetObjectTagging "+v)
			if string(body) != want || len(tags.TagSet) != 1 || aws.ToString(tags.TagSet[0].Value) != want {
				t.Fatalf("%s version %s: body %q, tags %+v; want %q", b.name, v, body, tags.TagSet, want)
			}
		}
		if b.service == "s3" {
			acl := ok(b.owner.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: bucket, Key: aws.String("k.txt"), VersionId: aws.String(b.v1)}))(t, "GetObjectAcl")
			for _, g := range acl.Grants {
				if g.Grantee != nil && g.Grantee.Type == s3types.TypeGroup {
					t.Fatalf("version %s gained a group grant: %+v", b.v1, g.Grantee)
				}
			}
		}
		_, err = b.owner.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bucket, Key: aws.String("copy.txt")})
		if err == nil {
			t.Fatalf("%s: the refused copy was stored", b.name)
		}
	}
}

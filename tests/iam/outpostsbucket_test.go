package iam_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	"github.com/aws/aws-sdk-go-v2/service/s3control/types"
	"github.com/aws/smithy-go"

	"github.com/outpost-s3/outpost/internal/app"
	"github.com/outpost-s3/outpost/internal/testserver"
	"github.com/outpost-s3/outpost/sigv4"
)

// An Outposts bucket is reached only through its access points ("Outposts
// buckets can be accessed only by using access points and endpoints",
// S3OnOutpostsRestrictionsLimitations): naming the bucket itself —
// path-style, virtual-hosted-style, by its bucket ARN, or as a copy
// source — is a 400 InvalidRequest for every caller, the owner's root
// included, so an access point's VPC binding cannot be stepped around.
// S3 Control bucket operations by the bucket ARN are unaffected.
func TestOutpostsBucketNameRefusedForObjectRequests(t *testing.T) {
	const domain = "s3.outpost.test"
	srv := testserver.Start(t, testserver.Options{Config: func(c *app.Config) { c.Domain = domain }})
	cc := controlClient(srv, rootCreds)
	bARN := outpostsBucket(t, srv, "ob3")
	srv.MustBucket(t, "plain-dest")

	// The owner writes k.txt through a temporary Internet access point,
	// then leaves the bucket one access point, bound to a VPC no loopback
	// client is in.
	open := ok(cc.CreateAccessPoint(ctx, &s3control.CreateAccessPointInput{AccountId: aws.String(account), Name: aws.String("ob3-open"), Bucket: aws.String(bARN)}))(t, "CreateAccessPoint open")
	ownerAP := srv.S3AccessPoint(t)
	ok(ownerAP.PutObject(ctx, &s3.PutObjectInput{Bucket: open.Alias, Key: aws.String("k.txt"), Body: bytes.NewReader([]byte("original"))}))(t, "PutObject through the access point")
	ok(cc.DeleteAccessPoint(ctx, &s3control.DeleteAccessPointInput{AccountId: aws.String(account), Name: aws.String(accessPointARNOf("ob3-open"))}))(t, "DeleteAccessPoint open")
	vpcAP := ok(cc.CreateAccessPoint(ctx, &s3control.CreateAccessPointInput{AccountId: aws.String(account), Name: aws.String("ob3-vpc"), Bucket: aws.String(bARN),
		VpcConfiguration: &types.VpcConfiguration{VpcId: aws.String("vpc-0000000000000beef")}}))(t, "CreateAccessPoint vpc")

	alice := newUser(t, srv, rootCreds, "alice")
	putUserPolicy(t, srv, "alice", "outposts", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3-outposts:*","Resource":"*"}]}`)

	// Through its access point alice is refused by the network binding.
	if status, code := signedDo(t, alice, "s3-outposts", "GET", srv.URL+"/"+aws.ToString(vpcAP.Alias)+"/k.txt", nil, nil); status != 403 || code != "AccessDenied" {
		t.Fatalf("GET through the VPC-bound access point: %d %s, want 403 AccessDenied", status, code)
	}

	escapedARN := url.PathEscape(bARN)
	for _, who := range []struct {
		name  string
		creds sigv4.Credentials
	}{{"alice", alice}, {"the owner's root", rootCreds}} {
		for _, rq := range []struct {
			what, method, path, host string
			body                     []byte
		}{
			{"GetObject path-style", "GET", "/ob3/k.txt", "", nil},
			{"HeadObject path-style", "HEAD", "/ob3/k.txt", "", nil},
			{"GetObject with versionId", "GET", "/ob3/k.txt?versionId=null", "", nil},
			{"GetObjectTagging", "GET", "/ob3/k.txt?tagging", "", nil},
			{"PutObject path-style", "PUT", "/ob3/new.txt", "", []byte("new")},
			{"DeleteObject path-style", "DELETE", "/ob3/k.txt", "", nil},
			{"CreateMultipartUpload", "POST", "/ob3/new.txt?uploads", "", nil},
			{"ListObjects", "GET", "/ob3", "", nil},
			{"ListObjectsV2", "GET", "/ob3?list-type=2", "", nil},
			{"ListObjectVersions", "GET", "/ob3?versions", "", nil},
			{"HeadBucket", "HEAD", "/ob3", "", nil},
			{"DeleteObjects", "POST", "/ob3?delete", "", []byte(`<Delete><Object><Key>k.txt</Key></Object></Delete>`)},
			{"GetObject virtual-hosted-style", "GET", "/k.txt", "ob3." + domain, nil},
			{"DeleteObject virtual-hosted-style", "DELETE", "/k.txt", "ob3." + domain, nil},
			{"ListObjects virtual-hosted-style", "GET", "/", "ob3." + domain, nil},
			{"GetObject by bucket ARN", "GET", "/" + escapedARN + "/k.txt", "", nil},
			{"DeleteObject by bucket ARN", "DELETE", "/" + escapedARN + "/k.txt", "", nil},
		} {
			var hdr http.Header
			if rq.host != "" {
				hdr = http.Header{"Host": {rq.host}}
			}
			status, code := signedDo(t, who.creds, "s3-outposts", rq.method, srv.URL+rq.path, rq.body, hdr)
			if status != 400 || (rq.method != "HEAD" && code != "InvalidRequest") {
				t.Errorf("%s, %s: %d %q, want 400 InvalidRequest", who.name, rq.what, status, code)
			}
		}
		// A presigned link to the bucket's name is refused the same way.
		for _, method := range []string{"GET", "PUT", "DELETE"} {
			u := presign(t, srv, who.creds, method, "/ob3/k.txt", "s3-outposts", time.Now(), time.Hour)
			wantURL(t, who.name+" presigned "+method+" by bucket name", method, u, 400, "InvalidRequest")
		}
		// The SDK, path-style by bucket name.
		sc := s3Client(srv, who.creds)
		_, err := sc.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ob3"), Key: aws.String("k.txt")})
		wantCode(t, who.name+" SDK GetObject by bucket name", err, "InvalidRequest")
		var ae smithy.APIError
		if errors.As(err, &ae) && !strings.Contains(ae.ErrorMessage(), "access point ARN") {
			t.Errorf("message %q does not say to use an access point", ae.ErrorMessage())
		}
		_, err = sc.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("ob3")})
		wantCode(t, who.name+" SDK ListObjectsV2 by bucket name", err, "InvalidRequest")
		_, err = sc.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("ob3"), Key: aws.String("k.txt")})
		wantCode(t, who.name+" SDK DeleteObject by bucket name", err, "InvalidRequest")
	}

	// Anonymous callers get the same answer.
	wantURL(t, "anonymous GET by bucket name", "GET", srv.URL+"/ob3/k.txt", 400, "InvalidRequest")

	// A copy whose source names the Outposts bucket (by name or bucket
	// ARN) is refused too, and writes nothing.
	sc := s3Client(srv, rootCreds)
	for _, src := range []string{"ob3/k.txt", url.PathEscape(bARN + "/object/k.txt")} {
		_, err := sc.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("plain-dest"), Key: aws.String("copy.txt"), CopySource: aws.String(src)})
		wantCode(t, "CopyObject from "+src, err, "InvalidRequest")
	}
	if out := ok(sc.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("plain-dest")}))(t, "list plain-dest"); len(out.Contents) != 0 {
		t.Fatalf("plain-dest holds %d objects after refused copies", len(out.Contents))
	}

	// S3 Control by the bucket ARN still works.
	ok(cc.GetBucket(ctx, &s3control.GetBucketInput{AccountId: aws.String(account), Bucket: aws.String(bARN)}))(t, "S3 Control GetBucket by ARN")

	// Nothing changed: listed back by the owner through a new Internet access point.
	check := ok(cc.CreateAccessPoint(ctx, &s3control.CreateAccessPointInput{AccountId: aws.String(account), Name: aws.String("ob3-check"), Bucket: aws.String(bARN)}))(t, "CreateAccessPoint check")
	list := ok(ownerAP.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: check.Alias}))(t, "ListObjectVersions through the access point")
	if len(list.Versions) != 1 || aws.ToString(list.Versions[0].Key) != "k.txt" || len(list.DeleteMarkers) != 0 {
		t.Fatalf("bucket after the refused requests: %d versions, %d delete markers", len(list.Versions), len(list.DeleteMarkers))
	}
	o := ok(ownerAP.GetObject(ctx, &s3.GetObjectInput{Bucket: check.Alias, Key: aws.String("k.txt")}))(t, "GetObject through the access point")
	b, _ := io.ReadAll(o.Body)
	o.Body.Close()
	if string(b) != "original" {
		t.Fatalf("k.txt = %q", b)
	}
	ups := ok(ownerAP.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: check.Alias}))(t, "ListMultipartUploads")
	if len(ups.Uploads) != 0 {
		t.Fatalf("%d multipart uploads were started", len(ups.Uploads))
	}
}

func accessPointARNOf(name string) string {
	return "arn:aws:s3-outposts:" + region + ":" + account + ":outpost/" + outpost + "/accesspoint/" + name
}

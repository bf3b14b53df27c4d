package server

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	fsblob "github.com/outpost-s3/outpost/internal/blob/fs"
	"github.com/outpost-s3/outpost/internal/meta"
)

// TestClassifyRequestShapes holds the front door's classification to the
// request shapes of the AWS API references (S3, S3 Control, s3outposts,
// IAM, STS) and Outpost's admin API: for each (method, host, path, query,
// headers, body) the API, the operation and the resource it addresses. A
// mis-routed shape fails here before any handler runs.
func TestClassifyRequestShapes(t *testing.T) {
	const (
		outpost = "op-01ac5d28a6a232904"
		account = "111122223333"
		alias   = "example-outp-o01ac5d28a6a232904e8xz5w8ijx1qzlbp3i3kuse10--op-s3"
		apARN   = "arn:aws:s3-outposts:us-east-1:111122223333:outpost/op-01ac5d28a6a232904/accesspoint/my-ap"
		bktARN  = "arn:aws:s3-outposts:us-east-1:111122223333:outpost/op-01ac5d28a6a232904/bucket/ob1"
		apHost  = "my-ap-111122223333.op-01ac5d28a6a232904.s3-outposts.us-east-1.amazonaws.com"
	)
	s, err := New(Config{Meta: struct{ meta.Store }{}, Blobs: &fsblob.Store{}, OutpostID: outpost, AccountID: account, Domain: "s3.example.internal"})
	if err != nil {
		t.Fatal(err)
	}
	named := &apAddress{name: "my-ap", account: account, outpost: outpost}
	byAlias := &apAddress{alias: alias}
	type shape struct {
		method, host, path, query string
		header                    http.Header
		body                      string
		api                       API
		operation                 string
		bucket, key               string
		ap                        *apAddress
	}
	copySrc := http.Header{"X-Amz-Copy-Source": {"/src/k"}}
	form := func(s string) string { return s + "&Version=2010-05-08" }
	const h = "127.0.0.1:9000"
	shapes := []shape{
		// S3: service and bucket level.
		{"GET", h, "/", "", nil, "", APIS3, "ListBuckets", "", "", nil},
		{"GET", h, "/", "max-buckets=10&prefix=a", nil, "", APIS3, "ListBuckets", "", "", nil},
		{"PUT", h, "/b1", "", nil, "", APIS3, "CreateBucket", "b1", "", nil},
		{"HEAD", h, "/b1", "", nil, "", APIS3, "HeadBucket", "b1", "", nil},
		{"DELETE", h, "/b1", "", nil, "", APIS3, "DeleteBucket", "b1", "", nil},
		{"GET", h, "/b1", "location", nil, "", APIS3, "GetBucketLocation", "b1", "", nil},
		{"GET", h, "/b1", "list-type=2&prefix=p%2F", nil, "", APIS3, "ListObjectsV2", "b1", "", nil},
		{"GET", h, "/b1", "prefix=p&marker=m", nil, "", APIS3, "ListObjects", "b1", "", nil},
		{"GET", h, "/b1", "versions", nil, "", APIS3, "ListObjectVersions", "b1", "", nil},
		{"GET", h, "/b1", "uploads", nil, "", APIS3, "ListMultipartUploads", "b1", "", nil},
		{"GET", h, "/b1", "versioning", nil, "", APIS3, "GetBucketVersioning", "b1", "", nil},
		{"PUT", h, "/b1", "versioning", nil, "", APIS3, "PutBucketVersioning", "b1", "", nil},
		{"GET", h, "/b1", "tagging", nil, "", APIS3, "GetBucketTagging", "b1", "", nil},
		{"PUT", h, "/b1", "tagging", nil, "", APIS3, "PutBucketTagging", "b1", "", nil},
		{"DELETE", h, "/b1", "tagging", nil, "", APIS3, "DeleteBucketTagging", "b1", "", nil},
		{"GET", h, "/b1", "policy", nil, "", APIS3, "GetBucketPolicy", "b1", "", nil},
		{"PUT", h, "/b1", "policy", nil, "", APIS3, "PutBucketPolicy", "b1", "", nil},
		{"DELETE", h, "/b1", "policy", nil, "", APIS3, "DeleteBucketPolicy", "b1", "", nil},
		{"GET", h, "/b1", "lifecycle", nil, "", APIS3, "GetBucketLifecycleConfiguration", "b1", "", nil},
		{"PUT", h, "/b1", "lifecycle", nil, "", APIS3, "PutBucketLifecycleConfiguration", "b1", "", nil},
		{"DELETE", h, "/b1", "lifecycle", nil, "", APIS3, "DeleteBucketLifecycle", "b1", "", nil},
		{"GET", h, "/b1", "acl", nil, "", APIS3, "GetBucketAcl", "b1", "", nil},
		{"PUT", h, "/b1", "acl", nil, "", APIS3, "PutBucketAcl", "b1", "", nil},
		{"POST", h, "/b1", "delete", nil, "", APIS3, "DeleteObjects", "b1", "", nil},
		{"GET", h, "/b1", "cors", nil, "", APIS3, "Unsupported:cors", "b1", "", nil},
		{"PUT", h, "/b1", "object-lock", nil, "", APIS3, "Unsupported:object-lock", "b1", "", nil},
		{"POST", h, "/b1", "", nil, "", APIS3, "PostObject", "b1", "", nil},
		{"OPTIONS", h, "/b1/k", "", nil, "", APIS3, "PreflightRequest", "b1", "k", nil},
		// S3: object level.
		{"GET", h, "/b1/photos/cat.jpg", "", nil, "", APIS3, "GetObject", "b1", "photos/cat.jpg", nil},
		{"GET", h, "/b1/a%20b", "versionId=v1&response-content-type=text%2Fplain", nil, "", APIS3, "GetObject", "b1", "a b", nil},
		{"HEAD", h, "/b1/k", "partNumber=1", nil, "", APIS3, "HeadObject", "b1", "k", nil},
		{"PUT", h, "/b1/k", "", nil, "", APIS3, "PutObject", "b1", "k", nil},
		{"PUT", h, "/b1/k", "", copySrc, "", APIS3, "CopyObject", "b1", "k", nil},
		{"DELETE", h, "/b1/k", "versionId=v1", nil, "", APIS3, "DeleteObject", "b1", "k", nil},
		{"GET", h, "/b1/k", "tagging", nil, "", APIS3, "GetObjectTagging", "b1", "k", nil},
		{"PUT", h, "/b1/k", "tagging", nil, "", APIS3, "PutObjectTagging", "b1", "k", nil},
		{"DELETE", h, "/b1/k", "tagging", nil, "", APIS3, "DeleteObjectTagging", "b1", "k", nil},
		{"GET", h, "/b1/k", "acl", nil, "", APIS3, "GetObjectAcl", "b1", "k", nil},
		{"PUT", h, "/b1/k", "acl", nil, "", APIS3, "PutObjectAcl", "b1", "k", nil},
		{"POST", h, "/b1/k", "uploads", nil, "", APIS3, "CreateMultipartUpload", "b1", "k", nil},
		{"PUT", h, "/b1/k", "partNumber=2&uploadId=u1", nil, "", APIS3, "UploadPart", "b1", "k", nil},
		{"PUT", h, "/b1/k", "partNumber=2&uploadId=u1", copySrc, "", APIS3, "UploadPartCopy", "b1", "k", nil},
		{"GET", h, "/b1/k", "uploadId=u1", nil, "", APIS3, "ListParts", "b1", "k", nil},
		{"POST", h, "/b1/k", "uploadId=u1", nil, "", APIS3, "CompleteMultipartUpload", "b1", "k", nil},
		{"DELETE", h, "/b1/k", "uploadId=u1", nil, "", APIS3, "AbortMultipartUpload", "b1", "k", nil},
		{"GET", h, "/b1/k", "attributes", nil, "", APIS3, "Unsupported:attributes", "b1", "k", nil},
		{"POST", h, "/b1/k", "restore", nil, "", APIS3, "Unsupported:restore", "b1", "k", nil},
		// S3: virtual-hosted buckets.
		{"GET", "b1.s3.example.internal", "/k/x", "", nil, "", APIS3, "GetObject", "b1", "k/x", nil},
		{"GET", "b1.s3.example.internal:9000", "/", "list-type=2", nil, "", APIS3, "ListObjectsV2", "b1", "", nil},
		{"GET", "v20180820.s3.example.internal", "/bucket", "", nil, "", APIS3, "GetObject", "v20180820", "bucket", nil},
		// S3 on Outposts data plane: access points by host, alias and ARN.
		{"GET", apHost, "/k", "", nil, "", APIS3, "GetObject", "my-ap", "k", named},
		{"PUT", apHost, "/dir/k", "", nil, "", APIS3, "PutObject", "my-ap", "dir/k", named},
		{"GET", apHost, "/", "list-type=2", nil, "", APIS3, "ListObjectsV2", "my-ap", "", named},
		{"GET", apHost, "/v20180820/bucket", "", nil, "", APIS3, "GetObject", "my-ap", "v20180820/bucket", named},
		{"GET", alias + "." + outpost + ".s3-outposts.us-east-1.amazonaws.com", "/k", "", nil, "", APIS3, "GetObject", alias, "k",
			&apAddress{alias: alias, outpost: outpost}},
		{"GET", h, "/" + alias + "/k", "", nil, "", APIS3, "GetObject", alias, "k", byAlias},
		{"DELETE", h, "/" + alias + "/k", "", nil, "", APIS3, "DeleteObject", alias, "k", byAlias},
		{"GET", h, "/" + url.PathEscape(apARN) + "/k", "", nil, "", APIS3, "GetObject", "my-ap", "k", named},
		{"GET", h, "/" + url.PathEscape(apARN), "list-type=2", nil, "", APIS3, "ListObjectsV2", "my-ap", "", named},
		{"GET", h, "/" + url.PathEscape(bktARN) + "/k", "", nil, "", APIS3, "GetObject", "ob1", "k", nil},
		// S3 Control.
		{"PUT", h, "/v20180820/bucket/ob1", "", nil, "", APIControl, "CreateBucket", "ob1", "", nil},
		{"GET", h, "/v20180820/bucket", "", nil, "", APIControl, "ListRegionalBuckets", "", "", nil},
		{"GET", h, "/v20180820/bucket/" + url.PathEscape(bktARN), "", nil, "", APIControl, "GetBucket", bktARN, "", nil},
		{"GET", h, "/v20180820/bucket/" + bktARN, "", nil, "", APIControl, "GetBucket", bktARN, "", nil},
		{"GET", h, "/v20180820/bucket/" + bktARN + "/policy", "", nil, "", APIControl, "GetBucketPolicy", bktARN, "", nil},
		{"DELETE", h, "/v20180820/bucket/" + url.PathEscape(bktARN), "", nil, "", APIControl, "DeleteBucket", bktARN, "", nil},
		{"PUT", h, "/v20180820/bucket/" + url.PathEscape(bktARN) + "/policy", "", nil, "", APIControl, "PutBucketPolicy", bktARN, "", nil},
		{"GET", h, "/v20180820/bucket/" + url.PathEscape(bktARN) + "/tagging", "", nil, "", APIControl, "GetBucketTagging", bktARN, "", nil},
		{"DELETE", h, "/v20180820/bucket/" + url.PathEscape(bktARN) + "/tagging", "", nil, "", APIControl, "DeleteBucketTagging", bktARN, "", nil},
		{"PUT", h, "/v20180820/bucket/" + url.PathEscape(bktARN) + "/versioning", "", nil, "", APIControl, "PutBucketVersioning", bktARN, "", nil},
		{"GET", h, "/v20180820/bucket/" + url.PathEscape(bktARN) + "/lifecycleconfiguration", "", nil, "", APIControl, "GetBucketLifecycleConfiguration", bktARN, "", nil},
		{"PUT", h, "/v20180820/bucket/" + url.PathEscape(bktARN) + "/replication", "", nil, "", APIControl, "PutBucketReplication", bktARN, "", nil},
		{"PUT", h, "/v20180820/accesspoint/" + url.PathEscape(apARN), "", nil, "", APIControl, "CreateAccessPoint", apARN, "", nil},
		{"GET", h, "/v20180820/accesspoint", "bucket=" + url.QueryEscape(bktARN), nil, "", APIControl, "ListAccessPoints", "", "", nil},
		{"GET", h, "/v20180820/accesspoint/" + url.PathEscape(apARN), "", nil, "", APIControl, "GetAccessPoint", apARN, "", nil},
		{"DELETE", h, "/v20180820/accesspoint/" + url.PathEscape(apARN), "", nil, "", APIControl, "DeleteAccessPoint", apARN, "", nil},
		{"PUT", h, "/v20180820/accesspoint/" + url.PathEscape(apARN) + "/policy", "", nil, "", APIControl, "PutAccessPointPolicy", apARN, "", nil},
		{"GET", h, "/v20180820/accesspoint/" + url.PathEscape(apARN) + "/policy", "", nil, "", APIControl, "GetAccessPointPolicy", apARN, "", nil},
		{"GET", h, "/v20180820/jobs", "", nil, "", APIControl, "Control:Unsupported", "", "", nil},
		{"GET", h, "/v20180820/storagelens/x", "", nil, "", APIControl, "Control:Unsupported", "x", "", nil},
		// s3outposts.
		{"POST", h, "/S3Outposts/CreateEndpoint", "", nil, "", APIS3Outposts, "CreateEndpoint", "", "", nil},
		{"DELETE", h, "/S3Outposts/DeleteEndpoint", "endpointId=e1&outpostId=" + outpost, nil, "", APIS3Outposts, "DeleteEndpoint", "", "", nil},
		{"GET", h, "/S3Outposts/ListEndpoints", "maxResults=5", nil, "", APIS3Outposts, "ListEndpoints", "", "", nil},
		{"GET", h, "/S3Outposts/ListOutpostsWithS3", "", nil, "", APIS3Outposts, "ListOutpostsWithS3", "", "", nil},
		{"GET", h, "/S3Outposts/ListSharedEndpoints", "outpostId=" + outpost, nil, "", APIS3Outposts, "ListSharedEndpoints", "", "", nil},
		// IAM and STS (query protocol), with the action in the body or the URL.
		{"POST", h, "/", "", nil, form("Action=CreateUser&UserName=alice"), APIQuery, "CreateUser", "", "", nil},
		{"POST", h, "/", "", nil, form("Action=ListUsers&MaxItems=10"), APIQuery, "ListUsers", "", "", nil},
		{"POST", h, "/", "", nil, form("Action=CreateAccessKey&UserName=alice"), APIQuery, "CreateAccessKey", "", "", nil},
		{"POST", h, "/", "", nil, form("Action=PutUserPolicy&UserName=alice&PolicyName=p"), APIQuery, "PutUserPolicy", "", "", nil},
		{"POST", h, "/", "", nil, form("Action=CreateRole&RoleName=r"), APIQuery, "CreateRole", "", "", nil},
		{"POST", h, "/", "", nil, "Action=GetCallerIdentity&Version=2011-06-15", APIQuery, "GetCallerIdentity", "", "", nil},
		{"POST", h, "/", "", nil, "Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fr&RoleSessionName=s&Version=2011-06-15", APIQuery, "AssumeRole", "", "", nil},
		{"POST", h, "/", "", nil, "Action=GetSessionToken&DurationSeconds=900&Version=2011-06-15", APIQuery, "GetSessionToken", "", "", nil},
		{"POST", h, "/", "Action=GetCallerIdentity&Version=2011-06-15", nil, "", APIQuery, "GetCallerIdentity", "", "", nil},
		{"POST", h, "/", "", nil, "Action=ExplainPolicy&Version=2010-05-08", APIQuery, "ExplainPolicy", "", "", nil},
		{"GET", h, "/", "Action=ListUsers", nil, "", APIS3, "ListBuckets", "", "", nil},
		// Outpost's networks admin API, and what only looks like it.
		{"GET", h, "/outpost/admin/networks", "", nil, "", APIAdminNetworks, "Admin:Networks", "", "", nil},
		{"PUT", h, "/outpost/admin/networks/vpc-1", "", nil, "", APIAdminNetworks, "Admin:Networks", "", "", nil},
		{"GET", h, "/outpost/admin/networks/origin", "", nil, "", APIAdminNetworks, "Admin:Networks", "", "", nil},
		{"GET", apHost, "/outpost/admin/networks", "", nil, "", APIS3, "GetObject", "my-ap", "outpost/admin/networks", named},
		{"GET", "outpost.s3.example.internal", "/admin/networks", "", nil, "", APIS3, "GetObject", "outpost", "admin/networks", nil},
		{"GET", h, "/outpost/admin/other", "", nil, "", APIS3, "GetObject", "outpost", "admin/other", nil},
	}
	if len(shapes) < 60 {
		t.Fatalf("only %d shapes", len(shapes))
	}
	for _, sh := range shapes {
		name := sh.method + " " + sh.host + " " + sh.path + "?" + sh.query
		t.Run(name, func(t *testing.T) {
			u, err := url.Parse("http://" + sh.host + sh.path)
			if err != nil {
				t.Fatal(err)
			}
			u.RawQuery = sh.query
			hdr := http.Header{}
			for k, v := range sh.header {
				hdr[k] = v
			}
			r := &http.Request{Method: sh.method, Host: sh.host, URL: u, Header: hdr, Body: http.NoBody}
			if sh.body != "" {
				r.Body = nopBody{strings.NewReader(sh.body)}
			}
			rc := &reqCtx{s: s, r: r}
			rc.class.API = s.apiOf(rc)
			if err := s.classify(rc); err != nil {
				t.Fatalf("classify: %v", err)
			}
			c := rc.class
			if c.API != sh.api || c.Operation != sh.operation || c.Bucket != sh.bucket || c.Key != sh.key {
				t.Errorf("got %v %q bucket %q key %q; want %v %q bucket %q key %q",
					c.API, c.Operation, c.Bucket, c.Key, sh.api, sh.operation, sh.bucket, sh.key)
			}
			switch {
			case (c.AccessPoint == nil) != (sh.ap == nil):
				t.Errorf("access point %+v, want %+v", c.AccessPoint, sh.ap)
			case c.AccessPoint != nil && *c.AccessPoint != *sh.ap:
				t.Errorf("access point %+v, want %+v", *c.AccessPoint, *sh.ap)
			}
		})
	}
}

type nopBody struct{ *strings.Reader }

func (nopBody) Close() error { return nil }

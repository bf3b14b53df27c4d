package iam_test

import (
	"net/http"
	"testing"
	"time"
)

// TestMissingKeyIsHiddenWithoutListBucket: a user allowed s3:GetObject but
// not s3:ListBucket gets 403 AccessDenied for a key that does not exist, so
// keys cannot be probed; once allowed to list, the answer is 404 NoSuchKey.
func TestMissingKeyIsHiddenWithoutListBucket(t *testing.T) {
	srv, clk := start(t)
	srv.MustBucket(t, "probe")
	bob := newUser(t, srv, rootCreds, "bob")
	putUserPolicy(t, srv, "bob", "get", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::probe/*"}]}`)
	u := presign(t, srv, bob, http.MethodGet, "/probe/missing", "s3", clk.Now(), time.Hour)
	wantURL(t, "GET a missing key without ListBucket", http.MethodGet, u, 403, "AccessDenied")
	putUserPolicy(t, srv, "bob", "list", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::probe"}]}`)
	wantURL(t, "GET a missing key with ListBucket", http.MethodGet, u, 404, "NoSuchKey")
}

// TestMissingKeyListBucketByPrefix: s3:ListBucket granted only for the
// prefix public/* (an s3:prefix condition) reveals a missing key under
// that prefix (404 NoSuchKey) and hides one elsewhere (403 AccessDenied),
// as S3 does (ceph/s3-tests test_head_object_404_with_policy_prefix).
func TestMissingKeyListBucketByPrefix(t *testing.T) {
	srv, clk := start(t)
	srv.MustBucket(t, "probe")
	bob := newUser(t, srv, rootCreds, "bob")
	putUserPolicy(t, srv, "bob", "get", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::probe/*"},
		{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::probe","Condition":{"StringLike":{"s3:prefix":"public/*"}}}]}`)
	for _, c := range []struct {
		path   string
		status int
		code   string
	}{
		{"/probe/public/object", 404, "NoSuchKey"},
		{"/probe/private/object", 403, "AccessDenied"},
		{"/probe/publicity", 403, "AccessDenied"},
	} {
		for _, m := range []string{http.MethodGet, http.MethodHead} {
			code := c.code
			if m == http.MethodHead {
				code = "" // a HEAD error has no body
			}
			u := presign(t, srv, bob, m, c.path, "s3", clk.Now(), time.Hour)
			wantURL(t, m+" "+c.path, m, u, c.status, code)
		}
	}
}

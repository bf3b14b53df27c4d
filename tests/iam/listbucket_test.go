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

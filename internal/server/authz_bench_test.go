package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	fsblob "github.com/outpost-s3/outpost/internal/blob/fs"
	"github.com/outpost-s3/outpost/internal/iam"
	"github.com/outpost-s3/outpost/internal/meta"
	"github.com/outpost-s3/outpost/internal/meta/sqlmeta"
	"github.com/outpost-s3/outpost/sigv4"
)

// BenchmarkAuthorize measures a HEAD of an object through the whole
// request path, signed by the account root (no policy to load: the
// baseline) and by an IAM user whose permission comes from a group's
// managed policy, next to an inline policy and a bucket policy with
// conditions (the full evaluation: identity policies read from the store
// at every request, bucket policy, context keys). The difference is the
// cost of authorization.
func BenchmarkAuthorize(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	ms, err := sqlmeta.OpenSQLite(filepath.Join(dir, "meta.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer ms.Close()
	blobs, err := fsblob.Open(filepath.Join(dir, "blobs"))
	if err != nil {
		b.Fatal(err)
	}
	kr := iam.NewRandomKeyring()
	const acct = "111122223333"
	root := sigv4.Credentials{AccessKeyID: "AKIDROOT000000000001", SecretAccessKey: "rootsecret"}
	user := sigv4.Credentials{AccessKeyID: "AKIDUSER000000000001", SecretAccessKey: "usersecret"}
	must := func(err error) {
		if err != nil {
			b.Fatal(err)
		}
	}
	must(ms.PutAccessKey(ctx, meta.AccessKey{AccessKeyID: root.AccessKeyID, Secret: kr.EncryptSecret(root.AccessKeyID, root.SecretAccessKey), Account: acct, Status: "Active"}))
	must(ms.CreateIAMEntity(ctx, meta.IAMEntity{Account: acct, Kind: meta.KindUser, Name: "u", ID: iam.NewUserID()}))
	must(ms.CreateIAMEntity(ctx, meta.IAMEntity{Account: acct, Kind: meta.KindGroup, Name: "g", ID: iam.NewGroupID()}))
	must(ms.AddUserToGroup(ctx, acct, "g", "u"))
	must(ms.PutAccessKey(ctx, meta.AccessKey{AccessKeyID: user.AccessKeyID, Secret: kr.EncryptSecret(user.AccessKeyID, user.SecretAccessKey), Account: acct, UserName: "u", Status: "Active"}))
	must(ms.PutInlinePolicy(ctx, acct, meta.KindUser, "u", meta.InlinePolicy{Name: "deny-delete", Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:DeleteObject","Resource":"*"}]}`}))
	parn := iam.PolicyARN(acct, "/", "read")
	must(ms.CreateManagedPolicy(ctx, meta.ManagedPolicy{Account: acct, Name: "read", ARN: parn, ID: iam.NewPolicyID(), Path: "/",
		Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":"arn:aws:s3:::bench/*"}]}`}))
	must(ms.AttachPolicy(ctx, acct, meta.KindGroup, "g", parn))
	must(ms.CreateBucket(ctx, meta.Bucket{Name: "bench", Account: acct, ACL: "private"}))
	must(ms.PutBucketConfig(ctx, "bench", "policy", `{"Version":"2012-10-17","Statement":[{"Sid":"OldLinks","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::bench/*",
"Condition":{"NumericGreaterThan":{"s3:signatureAge":600000},"StringEquals":{"s3:authType":"REST-QUERY-STRING"}}}]}`))
	if _, err := ms.PutObject(ctx, &meta.Object{Bucket: "bench", Key: "k", VersionID: meta.NullVersion, ETag: "d41d8cd98f00b204e9800998ecf8427e", LastModified: time.Now()}); err != nil {
		b.Fatal(err)
	}
	s, err := New(Config{Meta: ms, Blobs: blobs, Keyring: kr, AccountID: acct})
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		creds sigv4.Credentials
	}{{"root", root}, {"iam-user", user}} {
		b.Run(c.name, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodHead, "http://127.0.0.1:9000/bench/k", nil)
			must(sigv4.SignRequest(req, c.creds, "us-east-1", "s3", "", time.Now()))
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				s.ServeHTTP(w, req)
				if w.Code != 200 {
					b.Fatalf("status %d", w.Code)
				}
			}
		})
	}
}

package iam_test

import (
	"crypto/rand"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/outpost-s3/outpost/internal/app"
	"github.com/outpost-s3/outpost/internal/iam"
	"github.com/outpost-s3/outpost/internal/meta"
	"github.com/outpost-s3/outpost/internal/meta/sqlmeta"
	"github.com/outpost-s3/outpost/internal/testserver"
)

// storedSecret reads a key's secret as the metadata store holds it.
func storedSecret(t *testing.T, srv *testserver.Server, id string) string {
	t.Helper()
	k, err := srv.App.Meta.GetAccessKey(ctx, id)
	must(t, "GetAccessKey", err)
	return k.Secret
}

func TestSecretsAreEncryptedAtRest(t *testing.T) {
	if os.Getenv("OUTPOST_TEST_SERVER_POSTGRES_DSN") != "" {
		t.Skip("this test reads the SQLite file of the data directory")
	}
	dir := t.TempDir()
	fileKey := func(c *app.Config) { c.MasterKey = "" } // DATA/master.key
	srv := testserver.Start(t, testserver.Options{DataDir: dir, Config: fileKey})
	alice := newUser(t, srv, rootCreds, "alice")
	for id, secret := range map[string]string{rootCreds.AccessKeyID: rootCreds.SecretAccessKey, alice.AccessKeyID: alice.SecretAccessKey} {
		if s := storedSecret(t, srv, id); !iam.IsEncrypted(s) || strings.Contains(s, secret) {
			t.Fatalf("secret of %s stored as %q", id, s)
		}
	}
	fi, err := os.Stat(filepath.Join(dir, iam.MasterKeyFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("master key file: %v %v", fi, err)
	}
	srv.Stop()

	// A key stored in plaintext by an earlier version is encrypted at the
	// next start and keeps working.
	ms, err := sqlmeta.OpenSQLite(filepath.Join(dir, "meta.db"))
	must(t, "open meta", err)
	legacy := "AKIDLEGACY0000000001"
	must(t, "put legacy key", ms.PutAccessKey(ctx, meta.AccessKey{AccessKeyID: legacy, Secret: "legacy-plaintext-secret", Account: account, UserName: "alice", Status: "Active"}))
	ms.Close()
	srv = testserver.Start(t, testserver.Options{DataDir: dir, Config: fileKey})
	if s := storedSecret(t, srv, legacy); !iam.IsEncrypted(s) {
		t.Fatalf("legacy secret still stored as %q", s)
	}
	old := storedSecret(t, srv, alice.AccessKeyID)
	ok(stsClient(srv, sigv4Creds2(legacy, "legacy-plaintext-secret")).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))(t, "legacy key after migration")
	srv.Stop()

	// Rotation: a new OUTPOST_MASTER_KEY with the old one as previous
	// re-encrypts everything; afterwards the old key is not needed.
	oldKey, err := os.ReadFile(filepath.Join(dir, iam.MasterKeyFile))
	must(t, "read master key", err)
	b := make([]byte, 32)
	rand.Read(b)
	newKey := base64.StdEncoding.EncodeToString(b)
	srv = testserver.Start(t, testserver.Options{DataDir: dir, Config: func(c *app.Config) {
		c.MasterKey, c.MasterKeyPrevious = newKey, strings.TrimSpace(string(oldKey))
	}})
	if s := storedSecret(t, srv, alice.AccessKeyID); s == old || !iam.IsEncrypted(s) {
		t.Fatalf("secret not re-encrypted under the new key: %q", s)
	}
	ok(stsClient(srv, alice).GetCallerIdentity(ctx, nil))(t, "alice after rotation")
	srv.Stop()
	srv = testserver.Start(t, testserver.Options{DataDir: dir, Config: func(c *app.Config) { c.MasterKey = newKey }})
	ok(stsClient(srv, alice).GetCallerIdentity(ctx, nil))(t, "alice with only the new key")
	ok(stsClient(srv, rootCreds).GetCallerIdentity(ctx, nil))(t, "root with only the new key")
	srv.Stop()

	// Without the key that encrypted the secrets the server refuses to start.
	c := app.Config{DataDir: dir, Region: region, OutpostID: outpost, AccountID: account, RootAccessKeyID: testserver.AccessKey, RootSecretAccessKey: testserver.SecretKey}
	if a, err := app.Open(ctx, c); err == nil {
		a.Shutdown(ctx)
		t.Fatal("started with the wrong master key")
	} else if !strings.Contains(err.Error(), "OUTPOST_MASTER_KEY_PREVIOUS") && !strings.Contains(err.Error(), "master key") {
		t.Fatalf("error does not say what to do: %v", err)
	}
}

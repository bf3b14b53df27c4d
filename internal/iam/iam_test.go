package iam

import (
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestSecretsRoundTripAndBindToTheirKeyID(t *testing.T) {
	k := NewRandomKeyring()
	enc := k.EncryptSecret("AKID1", "s3cr3t")
	if !IsEncrypted(enc) || strings.Contains(enc, "s3cr3t") {
		t.Fatalf("stored form %q", enc)
	}
	got, err := k.DecryptSecret("AKID1", enc)
	if err != nil || got != "s3cr3t" {
		t.Fatalf("decrypt = %q, %v", got, err)
	}
	if _, err := k.DecryptSecret("AKID2", enc); err == nil {
		t.Fatal("a secret copied onto another key ID decrypted")
	}
	if got, _ := k.DecryptSecret("AKID1", "legacy-plain"); got != "legacy-plain" {
		t.Fatalf("plaintext rows are read as they are: %q", got)
	}
	if !k.NeedsReencrypt("legacy-plain") || k.NeedsReencrypt(enc) {
		t.Fatal("NeedsReencrypt")
	}
}

func TestRotationKeepsOldCiphertextsReadable(t *testing.T) {
	oldKey, newKey := make([]byte, 32), make([]byte, 32)
	newKey[0] = 1
	old, _ := NewKeyring(oldKey)
	enc := old.EncryptSecret("AK", "x")
	rotated, err := NewKeyring(newKey, oldKey)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := rotated.DecryptSecret("AK", enc); err != nil || got != "x" {
		t.Fatalf("decrypt with previous key = %q, %v", got, err)
	}
	if !rotated.NeedsReencrypt(enc) {
		t.Fatal("a ciphertext of the previous key needs re-encryption")
	}
	only, _ := NewKeyring(newKey)
	if _, err := only.DecryptSecret("AK", enc); err == nil {
		t.Fatal("decrypted without the key that made it")
	}
}

func TestSessionTokens(t *testing.T) {
	k := NewRandomKeyring()
	s := &Session{AccessKeyID: "ASIAX", Secret: "sec", Account: "111122223333", Type: "AssumedRole", RoleName: "r", SessionName: "s",
		Policy: `{"Version":"2012-10-17","Statement":[]}`, PolicyArns: []string{"arn:aws:iam::111122223333:policy/p"}, Issued: 100, Expires: 200}
	tok, err := k.SealSession(s)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(tok, "sec") {
		t.Fatal("token shows the secret")
	}
	got, err := k.OpenSession(tok)
	if err != nil || !reflect.DeepEqual(got, s) {
		t.Fatalf("OpenSession = %+v, %v", got, err)
	}
	for name, bad := range map[string]string{
		"altered": flipMiddle(tok),
		"foreign": "FQoGZXIvYXdzEJr//////////wEaDM",
		"empty":   "",
	} {
		if _, err := k.OpenSession(bad); !errors.Is(err, ErrBadToken) {
			t.Errorf("%s token: %v", name, err)
		}
	}
	if _, err := NewRandomKeyring().OpenSession(tok); !errors.Is(err, ErrBadToken) {
		t.Fatal("another master key opened the token")
	}
}

func TestLoadKeyringCreatesAPrivateKeyFile(t *testing.T) {
	dir := t.TempDir()
	k1, created, err := LoadKeyring(dir, "", "")
	if err != nil || !created {
		t.Fatalf("first load: %v, created=%v", err, created)
	}
	fi, err := os.Stat(filepath.Join(dir, MasterKeyFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, %v", fi.Mode(), err)
	}
	k2, created, err := LoadKeyring(dir, "", "")
	if err != nil || created || k2.KeyID() != k1.KeyID() {
		t.Fatalf("second load: %v, created=%v, same=%v", err, created, k2.KeyID() == k1.KeyID())
	}
	os.Chmod(filepath.Join(dir, MasterKeyFile), 0o644)
	if _, _, err := LoadKeyring(dir, "", ""); err == nil {
		t.Fatal("a world-readable key file was accepted")
	}
	env := base64.StdEncoding.EncodeToString(make([]byte, 32))
	if _, _, err := LoadKeyring(t.TempDir(), env, ""); err != nil {
		t.Fatalf("OUTPOST_MASTER_KEY: %v", err)
	}
	if _, _, err := LoadKeyring(t.TempDir(), "c2hvcnQ=", ""); err == nil {
		t.Fatal("a 5-byte key was accepted")
	}
}

func TestParsePolicyARN(t *testing.T) {
	acct, path, name, ok := ParsePolicyARN("arn:aws:iam::111122223333:policy/a/b/readers")
	if !ok || acct != "111122223333" || path != "/a/b/" || name != "readers" {
		t.Fatalf("= %q %q %q %v", acct, path, name, ok)
	}
	if _, _, _, ok := ParsePolicyARN("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"); !ok {
		t.Fatal("AWS managed ARN")
	}
	if _, _, _, ok := ParsePolicyARN("arn:aws:iam::1:user/x"); ok {
		t.Fatal("user ARN parsed as a policy")
	}
	for n := range AWSManagedPolicies {
		if _, err := (&PolicyCache{}).Identity(AWSManagedPolicies[n]); err != nil {
			t.Errorf("%s: %v", n, err)
		}
	}
}

// flipMiddle changes one character in the middle of a token (the last
// characters of unpadded base64 may carry ignored bits).
func flipMiddle(tok string) string {
	b := []byte(tok)
	i := len(b) / 2
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

// Package iam holds Outpost's identity machinery that is not HTTP: the
// master key that encrypts secrets at rest and seals session tokens, the
// STS session token format, ID and key generation, the AWS managed
// policies Outpost knows, and loading the identity policies of a principal.
package iam

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// MasterKeySize is the length of the master key: AES-256.
const MasterKeySize = 32

// MasterKeyFile is the name of the key file created in the data directory
// when OUTPOST_MASTER_KEY is not set.
const MasterKeyFile = "master.key"

// secretPrefix marks an encrypted secret in the store: "enc:v1:KEYID:" and
// base64(nonce || ciphertext). Secrets without it are plaintext rows from
// versions before encryption at rest, re-encrypted at the next start.
const secretPrefix = "enc:v1:"

// Keyring encrypts with the current master key and decrypts with it or any
// previous key (rotation). Every ciphertext names the key that made it by
// an 8-hex-digit ID (the start of SHA-256 of the key), so old ciphertexts
// stay readable while previous keys are configured. Safe for concurrent use.
type Keyring struct {
	current string // key ID
	keys    map[string]cipher.AEAD
}

// NewKeyring builds a keyring from the current key and any previous keys.
func NewKeyring(current []byte, previous ...[]byte) (*Keyring, error) {
	k := &Keyring{keys: map[string]cipher.AEAD{}}
	add := func(key []byte) (string, error) {
		if len(key) != MasterKeySize {
			return "", fmt.Errorf("master key is %d bytes, want %d (base64 of 32 random bytes)", len(key), MasterKeySize)
		}
		block, err := aes.NewCipher(key)
		if err != nil {
			return "", err
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return "", err
		}
		sum := sha256.Sum256(key)
		id := hex.EncodeToString(sum[:4])
		k.keys[id] = aead
		return id, nil
	}
	id, err := add(current)
	if err != nil {
		return nil, err
	}
	k.current = id
	for _, p := range previous {
		if _, err := add(p); err != nil {
			return nil, fmt.Errorf("previous %w", err)
		}
	}
	return k, nil
}

// NewRandomKeyring returns a keyring with a fresh random key (tests, and
// servers built without a configured key: their secrets die with them).
func NewRandomKeyring() *Keyring {
	b := make([]byte, MasterKeySize)
	rand.Read(b)
	k, _ := NewKeyring(b)
	return k
}

// KeyID is the ID of the current master key (safe to log).
func (k *Keyring) KeyID() string { return k.current }

// ParseMasterKey decodes a base64 (standard or URL, padded or not) master key.
func ParseMasterKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			if len(b) != MasterKeySize {
				return nil, fmt.Errorf("master key decodes to %d bytes, want %d", len(b), MasterKeySize)
			}
			return b, nil
		}
	}
	return nil, errors.New("master key is not valid base64 (generate one with: head -c 32 /dev/urandom | base64)")
}

// LoadKeyring returns the keyring of a server: the current key is envKey
// (base64) when set, else the key file DATA/master.key, created with mode
// 0600 at first start. previous holds base64 keys still accepted for
// decryption (comma-separated), for rotation. created reports whether the
// key file was just made.
func LoadKeyring(dataDir, envKey, previous string) (k *Keyring, created bool, err error) {
	var cur []byte
	if envKey != "" {
		if cur, err = ParseMasterKey(envKey); err != nil {
			return nil, false, fmt.Errorf("OUTPOST_MASTER_KEY: %w", err)
		}
	} else {
		path := filepath.Join(dataDir, MasterKeyFile)
		b, rerr := os.ReadFile(path)
		switch {
		case rerr == nil:
			if cur, err = ParseMasterKey(string(b)); err != nil {
				return nil, false, fmt.Errorf("%s: %w", path, err)
			}
			if fi, serr := os.Stat(path); serr == nil && fi.Mode().Perm()&0o077 != 0 {
				return nil, false, fmt.Errorf("%s is readable by other users (mode %v); chmod 600 it", path, fi.Mode().Perm())
			}
		case errors.Is(rerr, fs.ErrNotExist):
			cur = make([]byte, MasterKeySize)
			rand.Read(cur)
			f, oerr := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
			if oerr != nil {
				return nil, false, fmt.Errorf("create master key: %w", oerr)
			}
			_, werr := f.WriteString(base64.StdEncoding.EncodeToString(cur) + "\n")
			if err := errors.Join(werr, f.Sync(), f.Close()); err != nil {
				os.Remove(path)
				return nil, false, fmt.Errorf("write master key: %w", err)
			}
			created = true
		default:
			return nil, false, fmt.Errorf("read master key: %w", rerr)
		}
	}
	var prev [][]byte
	for _, p := range strings.Split(previous, ",") {
		if strings.TrimSpace(p) == "" {
			continue
		}
		b, err := ParseMasterKey(p)
		if err != nil {
			return nil, false, fmt.Errorf("OUTPOST_MASTER_KEY_PREVIOUS: %w", err)
		}
		prev = append(prev, b)
	}
	k, err = NewKeyring(cur, prev...)
	return k, created, err
}

// seal encrypts plaintext bound to aad, returning KEYID:base64(nonce||ct).
func (k *Keyring) seal(plaintext, aad []byte, enc *base64.Encoding) string {
	aead := k.keys[k.current]
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plaintext)+aead.Overhead())
	rand.Read(nonce)
	out := aead.Seal(nonce, nonce, plaintext, aad)
	return k.current + ":" + enc.EncodeToString(out)
}

var errUndecryptable = errors.New("iam: ciphertext cannot be decrypted with the configured master keys")

// open reverses seal.
func (k *Keyring) open(s string, aad []byte, enc *base64.Encoding) ([]byte, error) {
	id, body, ok := strings.Cut(s, ":")
	if !ok {
		return nil, errUndecryptable
	}
	aead, ok := k.keys[id]
	if !ok {
		return nil, fmt.Errorf("%w (made with master key %s, which is not configured)", errUndecryptable, id)
	}
	raw, err := enc.DecodeString(body)
	if err != nil || len(raw) < aead.NonceSize()+aead.Overhead() {
		return nil, errUndecryptable
	}
	pt, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], aad)
	if err != nil {
		return nil, errUndecryptable
	}
	return pt, nil
}

// EncryptSecret encrypts a secret access key for storage, bound to its
// access key ID (a row copied onto another key ID does not decrypt).
func (k *Keyring) EncryptSecret(accessKeyID, secret string) string {
	return secretPrefix + k.seal([]byte(secret), []byte("secret:"+accessKeyID), base64.StdEncoding)
}

// IsEncrypted reports whether a stored secret is encrypted.
func IsEncrypted(stored string) bool { return strings.HasPrefix(stored, secretPrefix) }

// NeedsReencrypt reports whether a stored secret is plaintext or was
// encrypted with a key other than the current one.
func (k *Keyring) NeedsReencrypt(stored string) bool {
	rest, ok := strings.CutPrefix(stored, secretPrefix)
	if !ok {
		return true
	}
	id, _, _ := strings.Cut(rest, ":")
	return id != k.current
}

// DecryptSecret returns the plaintext of a stored secret. Plaintext rows
// (from before encryption at rest) are returned as they are.
func (k *Keyring) DecryptSecret(accessKeyID, stored string) (string, error) {
	rest, ok := strings.CutPrefix(stored, secretPrefix)
	if !ok {
		return stored, nil
	}
	pt, err := k.open(rest, []byte("secret:"+accessKeyID), base64.StdEncoding)
	if err != nil {
		return "", fmt.Errorf("secret of %s: %w", accessKeyID, err)
	}
	return string(pt), nil
}

// dataKeyAAD binds a wrapped object data key to its use: a sealed secret
// or session token pasted into a segment does not unwrap.
var dataKeyAAD = []byte("object data key v1")

// WrapDataKey seals an object's data key (package sse) under the current
// master key, as KEYID:base64(nonce||ct). Rotation works as for secrets:
// keys wrapped by a previous master key unwrap while it is configured.
func (k *Keyring) WrapDataKey(dataKey []byte) string {
	return k.seal(dataKey, dataKeyAAD, base64.StdEncoding)
}

// UnwrapDataKey reverses WrapDataKey.
func (k *Keyring) UnwrapDataKey(wrapped string) ([]byte, error) {
	dk, err := k.open(wrapped, dataKeyAAD, base64.StdEncoding)
	if err != nil {
		return nil, fmt.Errorf("object data key: %w", err)
	}
	return dk, nil
}

// HasPrevious reports whether the keyring holds keys other than the
// current one (a rotation is under way).
func (k *Keyring) HasPrevious() bool { return len(k.keys) > 1 }

// RewrapDataKey re-wraps a data key wrapped by a previous master key under
// the current one; one already wrapped by the current key comes back as
// it is, with changed false. The object bytes are not touched: only the
// small wrapped key changes.
func (k *Keyring) RewrapDataKey(wrapped string) (rewrapped string, changed bool, err error) {
	if id, _, _ := strings.Cut(wrapped, ":"); id == k.current {
		return wrapped, false, nil
	}
	dk, err := k.UnwrapDataKey(wrapped)
	if err != nil {
		return "", false, err
	}
	return k.WrapDataKey(dk), true, nil
}

package iam

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"time"
)

// Session is what an STS session token carries. The token is the session
// itself, sealed with AES-256-GCM under the master key: any node holding
// the key can verify and read it without shared session state, and nobody
// without the key can forge or alter one.
type Session struct {
	// AccessKeyID is the temporary access key ID (ASIA…) the token belongs to.
	AccessKeyID string `json:"k"`
	// Secret is the temporary secret access key.
	Secret  string `json:"s"`
	Account string `json:"a"`
	// Type is "User" (GetSessionToken by an IAM user), "Account"
	// (GetSessionToken by the root user) or "AssumedRole".
	Type string `json:"t"`
	// UserName is the IAM user (Type User).
	UserName string `json:"u,omitempty"`
	// UserID is the unique ID of the user (AIDA…) or role (AROA…).
	UserID string `json:"i,omitempty"`
	// Path is the IAM path of the user or role.
	Path string `json:"pa,omitempty"`
	// RoleName and SessionName describe a role session.
	RoleName    string `json:"r,omitempty"`
	SessionName string `json:"n,omitempty"`
	// Policy is the session policy JSON passed to AssumeRole ("" for none).
	Policy string `json:"p,omitempty"`
	// PolicyArns are the managed session policies passed to AssumeRole;
	// with Policy they form the session policies (an allow of any counts).
	PolicyArns []string `json:"pl,omitempty"`
	// SourceIdentity is sts:SourceIdentity, fixed for the session.
	SourceIdentity string `json:"si,omitempty"`
	// Issued and Expires are Unix seconds.
	Issued  int64 `json:"iat"`
	Expires int64 `json:"exp"`
	// SourceKey is the long-term access key that obtained the session.
	SourceKey string `json:"sk,omitempty"`
}

// IssuedAt and ExpiresAt return the times as time.Time (UTC).
func (s *Session) IssuedAt() time.Time  { return time.Unix(s.Issued, 0).UTC() }
func (s *Session) ExpiresAt() time.Time { return time.Unix(s.Expires, 0).UTC() }

// tokenPrefix starts every Outpost session token, so a token from another
// system fails fast as malformed.
const tokenPrefix = "OPST1."

// tokenAAD binds the ciphertext to its purpose.
var tokenAAD = []byte("outpost-session-token-v1")

// ErrBadToken means a session token is malformed, was not made with a
// configured master key, or has been altered.
var ErrBadToken = errors.New("iam: invalid session token")

// SealSession returns the session token for s.
func (k *Keyring) SealSession(s *Session) (string, error) {
	raw, err := json.Marshal(s)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	zw, _ := flate.NewWriter(&buf, flate.BestCompression)
	zw.Write(raw)
	zw.Close()
	return tokenPrefix + k.seal(buf.Bytes(), tokenAAD, base64.RawURLEncoding), nil
}

// maxTokenLen bounds what OpenSession will try to decrypt.
const maxTokenLen = 16 << 10

// OpenSession decrypts and decodes a session token. It does not check
// expiry: the caller compares Expires with its clock.
func (k *Keyring) OpenSession(token string) (*Session, error) {
	body, ok := strings.CutPrefix(token, tokenPrefix)
	if !ok || len(token) > maxTokenLen {
		return nil, ErrBadToken
	}
	z, err := k.open(body, tokenAAD, base64.RawURLEncoding)
	if err != nil {
		return nil, ErrBadToken
	}
	raw, err := io.ReadAll(io.LimitReader(flate.NewReader(bytes.NewReader(z)), 64<<10))
	if err != nil {
		return nil, ErrBadToken
	}
	var s Session
	if err := json.Unmarshal(raw, &s); err != nil || s.AccessKeyID == "" || s.Secret == "" || s.Account == "" {
		return nil, ErrBadToken
	}
	return &s, nil
}

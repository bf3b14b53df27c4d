// Package auth connects signature verification to Outpost's identities: it
// looks up access keys in the metadata store (decrypting their secrets),
// opens STS session tokens, and describes who signed a request (the
// principal).
package auth

import (
	"context"
	"errors"

	"github.com/outpost-s3/outpost/internal/iam"
	"github.com/outpost-s3/outpost/internal/meta"
	"github.com/outpost-s3/outpost/internal/policy"
	"github.com/outpost-s3/outpost/sigv4"
)

// Principal is who made a request (iam.Principal, where authorization
// reads it without depending on this package's signature code).
type Principal = iam.Principal

// ARNFor returns the IAM ARN of an account's root or one of its users
// (with the default path).
func ARNFor(account, user string) string {
	if user == "" {
		return "arn:aws:iam::" + account + ":root"
	}
	return "arn:aws:iam::" + account + ":user/" + user
}

// KeyStore implements sigv4.KeyStore over the metadata store. Every lookup
// reads the store, so deactivating or deleting a key stops every request
// and every presigned URL it signed at once. Session tokens are opened
// with the Keyring; they carry their own secret and expiry, so any node
// with the master key verifies them without shared state.
type KeyStore struct {
	// Meta holds the access keys and resolves their users (unique IDs
	// and paths).
	Meta meta.Store
	// Keyring decrypts stored secrets and opens session tokens. Without one,
	// secrets are read as stored and session tokens are refused.
	Keyring *iam.Keyring
}

var errInvalidKey = &sigv4.Error{
	Code:    "InvalidAccessKeyId",
	Message: "The AWS Access Key Id you provided does not exist in our records.",
	Status:  403,
}

var errInvalidToken = &sigv4.Error{Code: "InvalidToken", Status: 400, Message: "The provided token is malformed or otherwise invalid."}

// LookupKey implements sigv4.KeyStore.
func (k *KeyStore) LookupKey(ctx context.Context, id, token string) (sigv4.Key, error) {
	if token != "" {
		return k.lookupSession(id, token)
	}
	ak, err := k.Meta.GetAccessKey(ctx, id)
	if errors.Is(err, meta.ErrNotFound) {
		return sigv4.Key{}, withField(errInvalidKey, id)
	}
	if err != nil {
		return sigv4.Key{}, err
	}
	if ak.Status != "Active" {
		return sigv4.Key{}, withField(errInvalidKey, id)
	}
	secret := ak.Secret
	if k.Keyring != nil {
		if secret, err = k.Keyring.DecryptSecret(ak.AccessKeyID, ak.Secret); err != nil {
			return sigv4.Key{}, err
		}
	}
	p := &Principal{
		Account:     ak.Account,
		UserName:    ak.UserName,
		ARN:         ARNFor(ak.Account, ak.UserName),
		AccessKeyID: ak.AccessKeyID,
		Type:        policy.PrincipalAccount,
		UserID:      ak.Account,
	}
	if ak.UserName != "" {
		p.Type = policy.PrincipalUser
		u, err := k.Meta.GetIAMEntity(ctx, ak.Account, meta.KindUser, ak.UserName)
		if errors.Is(err, meta.ErrNotFound) {
			return sigv4.Key{}, withField(errInvalidKey, id)
		}
		if err != nil {
			return sigv4.Key{}, err
		}
		// A key lives and dies with the user it was made for, not
		// with the name: a later user of the name does not inherit it.
		if u.ID != ak.UserID {
			return sigv4.Key{}, withField(errInvalidKey, id)
		}
		p.UserID, p.UserName = u.ID, u.Name
		p.ARN = iam.EntityARN(u.Account, meta.KindUser, u.Path, u.Name)
	}
	return sigv4.Key{AccessKeyID: ak.AccessKeyID, Secret: secret, Principal: p}, nil
}

// lookupSession opens an STS session token. The access key ID must be the
// one sealed in the token; the verifier then checks the expiry.
func (k *KeyStore) lookupSession(id, token string) (sigv4.Key, error) {
	if k.Keyring == nil {
		return sigv4.Key{}, errInvalidToken
	}
	s, err := k.Keyring.OpenSession(token)
	if err != nil || s.AccessKeyID != id {
		return sigv4.Key{}, errInvalidToken
	}
	p := &Principal{Account: s.Account, AccessKeyID: id, Session: s}
	switch policy.PrincipalType(s.Type) {
	case policy.PrincipalAssumedRole:
		p.Type = policy.PrincipalAssumedRole
		p.RoleName = s.RoleName
		p.RoleARN = iam.EntityARN(s.Account, meta.KindRole, s.Path, s.RoleName)
		p.ARN = iam.AssumedRoleARN(s.Account, s.RoleName, s.SessionName)
		p.UserID = s.UserID + ":" + s.SessionName
	case policy.PrincipalUser:
		p.Type = policy.PrincipalUser
		p.UserName = s.UserName
		p.UserID = s.UserID
		p.ARN = iam.EntityARN(s.Account, meta.KindUser, s.Path, s.UserName)
	default:
		p.Type = policy.PrincipalAccount
		p.ARN = ARNFor(s.Account, "")
		p.UserID = s.Account
	}
	return sigv4.Key{AccessKeyID: id, Secret: s.Secret, SessionToken: token, Expires: s.ExpiresAt(), Principal: p}, nil
}

func withField(e *sigv4.Error, id string) *sigv4.Error {
	c := *e
	c.Fields = []sigv4.Field{{Name: "AWSAccessKeyId", Value: id}}
	return &c
}

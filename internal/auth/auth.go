// Package auth connects signature verification to Outpost's identities: it
// looks up access keys in the metadata store and describes who signed a
// request (the principal).
package auth

import (
	"context"
	"errors"

	"github.com/outpost-s3/outpost/internal/meta"
	"github.com/outpost-s3/outpost/sigv4"
)

// Principal is who made a request.
type Principal struct {
	Account  string // 12-digit account ID; "" for anonymous
	UserName string // IAM user name; "" for the account root
	ARN      string // arn:aws:iam::ACCOUNT:root or …:user/NAME
	// AccessKeyID that signed the request.
	AccessKeyID string
}

// Anonymous reports whether nobody signed the request.
func (p *Principal) Anonymous() bool { return p == nil || p.Account == "" }

// IsRoot reports whether the principal is an account's root user.
func (p *Principal) IsRoot() bool { return p != nil && p.Account != "" && p.UserName == "" }

// ARNFor returns the IAM ARN of an account's root or one of its users.
func ARNFor(account, user string) string {
	if user == "" {
		return "arn:aws:iam::" + account + ":root"
	}
	return "arn:aws:iam::" + account + ":user/" + user
}

// KeyStore implements sigv4.KeyStore over the metadata store. Every lookup
// reads the store, so deactivating or deleting a key stops every request
// and every presigned URL it signed at once.
type KeyStore struct {
	Meta meta.Store
}

var errInvalidKey = &sigv4.Error{
	Code:    "InvalidAccessKeyId",
	Message: "The AWS Access Key Id you provided does not exist in our records.",
	Status:  403,
}

// LookupKey implements sigv4.KeyStore.
func (k *KeyStore) LookupKey(ctx context.Context, id, token string) (sigv4.Key, error) {
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
	if token != "" {
		// Temporary credentials arrive with the access-control work; a
		// long-term key never carries a token.
		return sigv4.Key{}, &sigv4.Error{Code: "InvalidToken", Status: 400, Message: "The provided token is malformed or otherwise invalid."}
	}
	return sigv4.Key{
		AccessKeyID: ak.AccessKeyID,
		Secret:      ak.Secret,
		Principal: &Principal{
			Account:     ak.Account,
			UserName:    ak.UserName,
			ARN:         ARNFor(ak.Account, ak.UserName),
			AccessKeyID: ak.AccessKeyID,
		},
	}, nil
}

func withField(e *sigv4.Error, id string) *sigv4.Error {
	c := *e
	c.Fields = []sigv4.Field{{Name: "AWSAccessKeyId", Value: id}}
	return &c
}

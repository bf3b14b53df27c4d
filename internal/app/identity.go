package app

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/outpost-s3/outpost/internal/iam"
	"github.com/outpost-s3/outpost/internal/meta"
)

// openKeyring loads the master key: OUTPOST_MASTER_KEY, or DATA/master.key
// (created with mode 0600 at first start).
func (a *App) openKeyring() error {
	kr, created, err := iam.LoadKeyring(a.cfg.DataDir, a.cfg.MasterKey, a.cfg.MasterKeyPrevious)
	if err != nil {
		return err
	}
	a.Keyring = kr
	if created {
		a.log.Warn("created a master key; back it up: without it the stored secret keys cannot be read",
			"path", filepath.Join(a.cfg.DataDir, iam.MasterKeyFile), "key_id", kr.KeyID())
	}
	return nil
}

// checkSecret reports whether a stored key's secret is secret, saying
// what to do when it is not.
func (a *App) checkSecret(k meta.AccessKey, secret string) error {
	got, err := a.Keyring.DecryptSecret(k.AccessKeyID, k.Secret)
	if err != nil {
		return fmt.Errorf("%w: the master key (OUTPOST_MASTER_KEY or %s) is not the one the secrets were encrypted with; set OUTPOST_MASTER_KEY to that key, or OUTPOST_MASTER_KEY_PREVIOUS while rotating",
			err, filepath.Join(a.cfg.DataDir, iam.MasterKeyFile))
	}
	if got != secret {
		return fmt.Errorf("access key %s exists with another secret; remove it or use its secret", k.AccessKeyID)
	}
	return nil
}

// secureIdentity records the owning account, and encrypts under the current
// master key every secret stored in plaintext (by versions before
// encryption at rest) or under a previous master key (rotation).
func (a *App) secureIdentity(ctx context.Context) error {
	err := a.Meta.CreateAccount(ctx, meta.Account{ID: a.Identity.AccountID, Name: "owner", CreatedAt: a.cfg.Now().UTC()})
	if err != nil && !errors.Is(err, meta.ErrConflict) {
		return fmt.Errorf("record owning account: %w", err)
	}
	keys, err := a.Meta.ListAccessKeys(ctx, "", "*")
	if err != nil {
		return fmt.Errorf("list access keys: %w", err)
	}
	n := 0
	for _, k := range keys {
		if !a.Keyring.NeedsReencrypt(k.Secret) {
			continue
		}
		plain, err := a.Keyring.DecryptSecret(k.AccessKeyID, k.Secret)
		if err != nil {
			return fmt.Errorf("%w; set OUTPOST_MASTER_KEY_PREVIOUS to the key it was made with", err)
		}
		if err := a.Meta.SetAccessKeySecret(ctx, k.AccessKeyID, a.Keyring.EncryptSecret(k.AccessKeyID, plain)); err != nil {
			return fmt.Errorf("encrypt secret of %s: %w", k.AccessKeyID, err)
		}
		n++
	}
	if n > 0 {
		a.log.Info("encrypted secret access keys under the current master key", "count", n, "key_id", a.Keyring.KeyID())
	}
	return nil
}

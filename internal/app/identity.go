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

// RewrapDataKeys re-wraps under the current master key every object data
// key (SSE-S3) still wrapped by a previous one, so that the previous key
// can be retired once this has run. Only the wrapped keys change, never
// object bytes. A key no configured master key unwraps is left as it is
// and counted in skipped (its object cannot be read either way).
// StartBackground runs it once when OUTPOST_MASTER_KEY_PREVIOUS is set.
func (a *App) RewrapDataKeys(ctx context.Context) (rewrapped, skipped int, err error) {
	rewrapped, err = a.Meta.RewrapSealedKeys(ctx, func(k string) (string, bool, error) {
		nk, changed, err := a.Keyring.RewrapDataKey(k)
		if err != nil {
			skipped++
			return k, false, nil
		}
		return nk, changed, nil
	})
	return rewrapped, skipped, err
}

// rewrapInBackground runs RewrapDataKeys once, logging what it did.
func (a *App) rewrapInBackground() {
	if !a.Keyring.HasPrevious() {
		return
	}
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go func() {
			select {
			case <-a.stop:
				cancel()
			case <-ctx.Done():
			}
		}()
		n, skipped, err := a.RewrapDataKeys(ctx)
		switch {
		case err != nil:
			a.log.Error("re-wrapping object data keys under the current master key stopped; it runs again at the next start", "rewrapped", n, "error", err)
		case skipped > 0:
			a.log.Warn("object data keys re-wrapped under the current master key; some are wrapped by a master key that is not configured", "rewrapped", n, "not_unwrappable", skipped, "key_id", a.Keyring.KeyID())
		default:
			a.log.Info("object data keys re-wrapped under the current master key: the previous keys are no longer needed for objects", "rewrapped", n, "key_id", a.Keyring.KeyID())
		}
	}()
}

// Package metafault wraps a meta.Store so tests can make it unavailable for
// a while, as a PostgreSQL failover or a locked SQLite file would.
package metafault

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/outpost-s3/outpost/internal/meta"
)

// Store passes every call to the wrapped store, except while it is down:
// then every method but Close fails with an error wrapping
// meta.ErrUnavailable and the wrapped store is not touched.
type Store struct {
	meta.Store
	down  atomic.Bool
	only  atomic.Pointer[map[string]bool]
	Fails atomic.Int64 // calls refused while down
}

var _ meta.Store = (*Store)(nil)

// New wraps s.
func New(s meta.Store) *Store { return &Store{Store: s} }

// SetDown makes the store unavailable (true) or available again (false).
// With method names, only those methods fail (e.g. "PutObject", to fail a
// write after its body was stored).
func (s *Store) SetDown(down bool, methods ...string) {
	var only map[string]bool
	if len(methods) > 0 {
		only = map[string]bool{}
		for _, m := range methods {
			only[m] = true
		}
	}
	s.only.Store(&only)
	s.down.Store(down)
}

func (s *Store) fail(op string) error {
	if !s.down.Load() {
		return nil
	}
	if only := s.only.Load(); only != nil && *only != nil && !(*only)[op] {
		return nil
	}
	s.Fails.Add(1)
	return fmt.Errorf("metafault: %s: %w", op, meta.ErrUnavailable)
}

func (s *Store) Ping(ctx context.Context) error {
	if err := s.fail("Ping"); err != nil {
		return err
	}
	return s.Store.Ping(ctx)
}

func (s *Store) GetSetting(ctx context.Context, name string) (string, error) {
	if err := s.fail("GetSetting"); err != nil {
		return "", err
	}
	return s.Store.GetSetting(ctx, name)
}

func (s *Store) PutSettingIfAbsent(ctx context.Context, name, value string) (string, error) {
	if err := s.fail("PutSettingIfAbsent"); err != nil {
		return "", err
	}
	return s.Store.PutSettingIfAbsent(ctx, name, value)
}

func (s *Store) PutSetting(ctx context.Context, name, value string) error {
	if err := s.fail("PutSetting"); err != nil {
		return err
	}
	return s.Store.PutSetting(ctx, name, value)
}

func (s *Store) PutAccessKey(ctx context.Context, k meta.AccessKey) error {
	if err := s.fail("PutAccessKey"); err != nil {
		return err
	}
	return s.Store.PutAccessKey(ctx, k)
}

func (s *Store) GetAccessKey(ctx context.Context, id string) (meta.AccessKey, error) {
	if err := s.fail("GetAccessKey"); err != nil {
		return meta.AccessKey{}, err
	}
	return s.Store.GetAccessKey(ctx, id)
}

func (s *Store) UpdateAccessKeyStatus(ctx context.Context, id, status string) error {
	if err := s.fail("UpdateAccessKeyStatus"); err != nil {
		return err
	}
	return s.Store.UpdateAccessKeyStatus(ctx, id, status)
}

func (s *Store) DeleteAccessKey(ctx context.Context, id string) error {
	if err := s.fail("DeleteAccessKey"); err != nil {
		return err
	}
	return s.Store.DeleteAccessKey(ctx, id)
}

func (s *Store) ListAccessKeys(ctx context.Context, account, userName string) ([]meta.AccessKey, error) {
	if err := s.fail("ListAccessKeys"); err != nil {
		return nil, err
	}
	return s.Store.ListAccessKeys(ctx, account, userName)
}

func (s *Store) RecordAccessKeyUses(ctx context.Context, uses []meta.AccessKeyUse) error {
	if err := s.fail("RecordAccessKeyUses"); err != nil {
		return err
	}
	return s.Store.RecordAccessKeyUses(ctx, uses)
}

func (s *Store) GetAccessKeyLastUsed(ctx context.Context, id string) (meta.AccessKeyUse, error) {
	if err := s.fail("GetAccessKeyLastUsed"); err != nil {
		return meta.AccessKeyUse{}, err
	}
	return s.Store.GetAccessKeyLastUsed(ctx, id)
}

func (s *Store) CreateBucket(ctx context.Context, b meta.Bucket) error {
	if err := s.fail("CreateBucket"); err != nil {
		return err
	}
	return s.Store.CreateBucket(ctx, b)
}

func (s *Store) CreateBucketWithin(ctx context.Context, b meta.Bucket, max int) error {
	if err := s.fail("CreateBucketWithin"); err != nil {
		return err
	}
	return s.Store.CreateBucketWithin(ctx, b, max)
}

func (s *Store) GetBucket(ctx context.Context, name string) (meta.Bucket, error) {
	if err := s.fail("GetBucket"); err != nil {
		return meta.Bucket{}, err
	}
	return s.Store.GetBucket(ctx, name)
}

func (s *Store) ListBuckets(ctx context.Context, account, outpostID string) ([]meta.Bucket, error) {
	if err := s.fail("ListBuckets"); err != nil {
		return nil, err
	}
	return s.Store.ListBuckets(ctx, account, outpostID)
}

func (s *Store) DeleteBucket(ctx context.Context, name string) ([]string, error) {
	if err := s.fail("DeleteBucket"); err != nil {
		return nil, err
	}
	return s.Store.DeleteBucket(ctx, name)
}

func (s *Store) SetBucketVersioning(ctx context.Context, name, status string) error {
	if err := s.fail("SetBucketVersioning"); err != nil {
		return err
	}
	return s.Store.SetBucketVersioning(ctx, name, status)
}

func (s *Store) SetBucketACL(ctx context.Context, name, acl string) error {
	if err := s.fail("SetBucketACL"); err != nil {
		return err
	}
	return s.Store.SetBucketACL(ctx, name, acl)
}

func (s *Store) GetBucketConfig(ctx context.Context, bucket, kind string) (string, error) {
	if err := s.fail("GetBucketConfig"); err != nil {
		return "", err
	}
	return s.Store.GetBucketConfig(ctx, bucket, kind)
}

func (s *Store) PutBucketConfig(ctx context.Context, bucket, kind, doc string) error {
	if err := s.fail("PutBucketConfig"); err != nil {
		return err
	}
	return s.Store.PutBucketConfig(ctx, bucket, kind, doc)
}

func (s *Store) DeleteBucketConfig(ctx context.Context, bucket, kind string) error {
	if err := s.fail("DeleteBucketConfig"); err != nil {
		return err
	}
	return s.Store.DeleteBucketConfig(ctx, bucket, kind)
}

func (s *Store) PutObject(ctx context.Context, o *meta.Object) ([]string, error) {
	if err := s.fail("PutObject"); err != nil {
		return nil, err
	}
	return s.Store.PutObject(ctx, o)
}

func (s *Store) GetObject(ctx context.Context, bucket, key, versionID string) (meta.Object, error) {
	if err := s.fail("GetObject"); err != nil {
		return meta.Object{}, err
	}
	return s.Store.GetObject(ctx, bucket, key, versionID)
}

func (s *Store) DeleteObject(ctx context.Context, bucket, key, versionID string) (meta.DeleteResult, []string, error) {
	if err := s.fail("DeleteObject"); err != nil {
		return meta.DeleteResult{}, nil, err
	}
	return s.Store.DeleteObject(ctx, bucket, key, versionID)
}

func (s *Store) DeleteObjectIf(ctx context.Context, bucket, key string, cond meta.WriteCondition) (meta.DeleteResult, []string, error) {
	if err := s.fail("DeleteObjectIf"); err != nil {
		return meta.DeleteResult{}, nil, err
	}
	return s.Store.DeleteObjectIf(ctx, bucket, key, cond)
}

func (s *Store) UpdateObject(ctx context.Context, bucket, key, versionID string, fn func(o *meta.Object) error) error {
	if err := s.fail("UpdateObject"); err != nil {
		return err
	}
	return s.Store.UpdateObject(ctx, bucket, key, versionID, fn)
}

func (s *Store) ListObjects(ctx context.Context, bucket string, opts meta.ListOptions) (meta.ListResult, error) {
	if err := s.fail("ListObjects"); err != nil {
		return meta.ListResult{}, err
	}
	return s.Store.ListObjects(ctx, bucket, opts)
}

func (s *Store) ListObjectVersions(ctx context.Context, bucket string, opts meta.VersionListOptions) (meta.VersionListResult, error) {
	if err := s.fail("ListObjectVersions"); err != nil {
		return meta.VersionListResult{}, err
	}
	return s.Store.ListObjectVersions(ctx, bucket, opts)
}

func (s *Store) CreateUpload(ctx context.Context, u meta.Upload) error {
	if err := s.fail("CreateUpload"); err != nil {
		return err
	}
	return s.Store.CreateUpload(ctx, u)
}

func (s *Store) GetUpload(ctx context.Context, bucket, key, uploadID string) (meta.Upload, error) {
	if err := s.fail("GetUpload"); err != nil {
		return meta.Upload{}, err
	}
	return s.Store.GetUpload(ctx, bucket, key, uploadID)
}

func (s *Store) PutPart(ctx context.Context, uploadID string, p meta.Part) ([]string, error) {
	if err := s.fail("PutPart"); err != nil {
		return nil, err
	}
	return s.Store.PutPart(ctx, uploadID, p)
}

func (s *Store) ListParts(ctx context.Context, uploadID string, marker, max int) ([]meta.Part, bool, error) {
	if err := s.fail("ListParts"); err != nil {
		return nil, false, err
	}
	return s.Store.ListParts(ctx, uploadID, marker, max)
}

func (s *Store) ListUploads(ctx context.Context, bucket string, opts meta.UploadListOptions) (meta.UploadListResult, error) {
	if err := s.fail("ListUploads"); err != nil {
		return meta.UploadListResult{}, err
	}
	return s.Store.ListUploads(ctx, bucket, opts)
}

func (s *Store) CompleteUpload(ctx context.Context, uploadID string, o *meta.Object) ([]string, error) {
	if err := s.fail("CompleteUpload"); err != nil {
		return nil, err
	}
	return s.Store.CompleteUpload(ctx, uploadID, o)
}

func (s *Store) AbortUpload(ctx context.Context, bucket, key, uploadID string) ([]string, error) {
	if err := s.fail("AbortUpload"); err != nil {
		return nil, err
	}
	return s.Store.AbortUpload(ctx, bucket, key, uploadID)
}

func (s *Store) BlobReferenced(ctx context.Context, ids []string) (map[string]bool, error) {
	if err := s.fail("BlobReferenced"); err != nil {
		return nil, err
	}
	return s.Store.BlobReferenced(ctx, ids)
}

func (s *Store) IntegrityCheck(ctx context.Context) error {
	if err := s.fail("IntegrityCheck"); err != nil {
		return err
	}
	return s.Store.IntegrityCheck(ctx)
}

// Package objects is the operate step of the request path: the object
// operations over the metadata and blob stores — commit a new version,
// commit a part, complete or abort a multipart upload, delete an object or
// a version, expire by lifecycle rules — and the deletion of the blobs a
// commit freed. It knows nothing of HTTP (TestDependencyRules), so the S3
// handlers, a console or a batch job run the same code: a handler parses
// the request, streams the body into a blob, and calls a Service.
//
// Errors are the metadata store's (meta.ErrNoSuchUpload,
// meta.ErrPreconditionFailed, …), passed through for the caller to map to
// its wire form (internal/server/errors.go for S3).
package objects

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/outpost-s3/outpost/internal/blob"
	"github.com/outpost-s3/outpost/internal/meta"
)

// Config is everything a Service needs.
type Config struct {
	Meta  meta.Store
	Blobs blob.Store
	// Logger receives the warnings of failed blob deletions and lifecycle
	// passes; nil discards them.
	Logger *slog.Logger
	// Now is the clock that dates new versions and parts and decides
	// lifecycle expiry; nil means time.Now.
	Now func() time.Time
	// Lifecycle returns the enabled rules of a bucket's lifecycle
	// configuration, or an error wrapping meta.ErrNotFound when it has none
	// (bucketconfig.LifecycleRules). RunLifecycle needs it; nil: no bucket
	// has rules.
	Lifecycle func(ctx context.Context, bucket string) ([]LifecycleRule, error)
}

// Service runs the object operations. It holds no state of its own
// besides its Config, so any number of Services may share the stores.
type Service struct {
	cfg Config
	log *slog.Logger
}

// New builds a Service from cfg; Meta and Blobs are required.
func New(cfg Config) (*Service, error) {
	if cfg.Meta == nil || cfg.Blobs == nil {
		return nil, errors.New("objects: Meta and Blobs are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Lifecycle == nil {
		cfg.Lifecycle = func(context.Context, string) ([]LifecycleRule, error) { return nil, meta.ErrNotFound }
	}
	return &Service{cfg: cfg, log: cfg.Logger}, nil
}

// Attrs are what a write says of the new object besides its bytes: its
// standard headers (Content-Type, …), user metadata (names without the
// x-amz-meta- prefix), tags, canned ACL and storage class.
type Attrs struct {
	Headers, Metadata, Tags map[string]string
	ACL, StorageClass       string
}

// Body is an object's bytes once stored: in a committed blob, or Inline
// in the version's metadata row (BlobID ""). ETag and Checksums (algorithm
// → base64 value) are of the plaintext; SealedKey is the wrapped data key
// the stored bytes are sealed with ("" when stored as sent).
type Body struct {
	BlobID    string
	Inline    []byte
	Size      int64
	ETag      string
	Checksums map[string]string
	SealedKey string
}

// NewVersion is the metadata row of a new version of bucket/key, dated
// now, with attributes a and sealed as enc: what Put and CompleteUpload
// commit. The store gives it its version ID (or the null version) as the
// bucket's versioning says.
func (s *Service) NewVersion(bucket, key string, a Attrs, enc meta.Encryption) *meta.Object {
	return &meta.Object{Bucket: bucket, Key: key, LastModified: s.cfg.Now().UTC(),
		Headers: a.Headers, Metadata: a.Metadata, Tags: a.Tags, ACL: a.ACL, StorageClass: a.StorageClass, Encryption: enc}
}

// Put commits a new version of bucket/key whose bytes are one stored
// body, with its full-object checksums (PutObject, CopyObject). cond, when
// not nil, is checked in the committing transaction (meta.WriteCondition:
// meta.ErrPreconditionFailed, or meta.ErrNoSuchKey for If-Match on a
// missing key). If the commit fails, the body's blob is deleted; once it
// succeeds, the blobs of the version it replaced are.
func (s *Service) Put(ctx context.Context, bucket, key string, a Attrs, b Body, enc meta.Encryption, cond *meta.WriteCondition) (*meta.Object, error) {
	o := s.NewVersion(bucket, key, a, enc)
	o.Size, o.ETag, o.Checksums, o.Condition = b.Size, b.ETag, b.Checksums, cond
	o.Segments = []meta.Segment{{BlobID: b.BlobID, Size: b.Size, ETag: b.ETag, Checksums: b.Checksums, SealedKey: b.SealedKey}}
	o.Inline = b.Inline
	if len(b.Checksums) > 0 {
		o.ChecksumType = "FULL_OBJECT"
	}
	freed, err := s.cfg.Meta.PutObject(ctx, o)
	if err != nil {
		s.DeleteBlobs(b.BlobID)
		return nil, err
	}
	s.DeleteBlobs(freed...)
	return o, nil
}

// CompleteUpload commits o (from NewVersion, with the upload's parts as
// its segments) as the object of multipart upload uploadID, checking
// o.Condition in the transaction, and deletes the blobs of the version it
// replaced and of the parts it left out. If it fails, the parts stay the
// upload's (meta.ErrNoSuchUpload when the upload has ended).
func (s *Service) CompleteUpload(ctx context.Context, uploadID string, o *meta.Object) error {
	freed, err := s.cfg.Meta.CompleteUpload(ctx, uploadID, o)
	if err != nil {
		return err
	}
	s.DeleteBlobs(freed...)
	return nil
}

// PutPart records part p of upload uploadID, dated now (its LastModified
// is set), replacing any part with its number, whose blob is then deleted.
// If it fails (meta.ErrNoSuchUpload when the upload has ended), p's own
// blob is deleted.
func (s *Service) PutPart(ctx context.Context, uploadID string, p *meta.Part) error {
	p.LastModified = s.cfg.Now().UTC()
	freed, err := s.cfg.Meta.PutPart(ctx, uploadID, *p)
	if err != nil {
		s.DeleteBlobs(p.BlobID)
		return err
	}
	s.DeleteBlobs(freed...)
	return nil
}

// AbortUpload ends multipart upload uploadID of bucket/key and deletes its
// parts' blobs (meta.ErrNoSuchUpload when there is no such upload).
func (s *Service) AbortUpload(ctx context.Context, bucket, key, uploadID string) error {
	freed, err := s.cfg.Meta.AbortUpload(ctx, bucket, key, uploadID)
	if err != nil {
		return err
	}
	s.DeleteBlobs(freed...)
	return nil
}

// Delete deletes bucket/key as S3's DeleteObject does: with a versionID,
// that version (a delete marker too); without one, on a versioned bucket
// it adds a delete marker, on an unversioned one it removes the object.
// With cond (If-Match: an ETag or "*"; versionID must be ""), the key's
// current version must match it in the deleting transaction
// (meta.ErrPreconditionFailed). The freed blobs are deleted.
func (s *Service) Delete(ctx context.Context, bucket, key, versionID string, cond *meta.WriteCondition) (meta.DeleteResult, error) {
	var res meta.DeleteResult
	var freed []string
	var err error
	if cond != nil {
		res, freed, err = s.cfg.Meta.DeleteObjectIf(ctx, bucket, key, *cond)
	} else {
		res, freed, err = s.cfg.Meta.DeleteObject(ctx, bucket, key, versionID)
	}
	s.DeleteBlobs(freed...)
	return res, err
}

// DeleteBucket deletes a bucket with no object versions
// (meta.ErrBucketNotEmpty otherwise); multipart uploads in progress go
// with it and their blobs are deleted.
func (s *Service) DeleteBucket(ctx context.Context, bucket string) error {
	freed, err := s.cfg.Meta.DeleteBucket(ctx, bucket)
	if err != nil {
		return err
	}
	s.DeleteBlobs(freed...)
	return nil
}

// DeleteBlobs removes blobs no longer referenced ("" is skipped), even
// when the caller's context has ended: a failure only leaves an orphan
// that the sweep (blob.Sweep) removes later, so it is logged, not
// returned.
func (s *Service) DeleteBlobs(ids ...string) {
	for _, id := range ids {
		if id == "" {
			continue
		}
		if err := s.cfg.Blobs.Delete(context.Background(), id); err != nil {
			s.log.Warn("delete blob failed; the orphan sweep will retry", "blob", id, "error", err)
		}
	}
}

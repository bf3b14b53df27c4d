// Package bucketconfig reads, checks and writes a bucket's configuration:
// its tags, policy, versioning status and lifecycle rules. It is the one
// implementation of those operations behind both the S3 API and the S3
// Control API, which differ only in how a request names the bucket, the
// IAM action it needs and the wire form (internal/s3xml); their handlers
// parse the request, call these functions and write the answer.
//
// Errors are S3 errors (internal/s3err), naming the bucket.
package bucketconfig

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"slices"

	"github.com/outpost-s3/outpost/internal/meta"
	"github.com/outpost-s3/outpost/internal/s3err"
	"github.com/outpost-s3/outpost/internal/s3xml"
)

// Store is what the operations need of the metadata store (meta.Store
// has it): configuration documents by kind, and the versioning status.
type Store interface {
	GetBucketConfig(ctx context.Context, bucket, kind string) (string, error) // meta.ErrNotFound
	PutBucketConfig(ctx context.Context, bucket, kind, doc string) error
	DeleteBucketConfig(ctx context.Context, bucket, kind string) error
	SetBucketVersioning(ctx context.Context, bucket, status string) error
}

// The kinds of configuration document, as stored.
const (
	kindTagging   = "tagging"   // JSON object of tags
	kindPolicy    = "policy"    // the policy JSON as sent
	kindLifecycle = "lifecycle" // the S3 LifecycleConfiguration document
)

// MaxBucketTags is S3's limit on the tags of a bucket.
const MaxBucketTags = 50

// get reads the document of a kind; missing is the error when there is none.
func get(ctx context.Context, st Store, bucket, kind string, missing *s3err.Error) (string, error) {
	doc, err := st.GetBucketConfig(ctx, bucket, kind)
	if errors.Is(err, meta.ErrNotFound) {
		return "", missing.With(s3err.Field{Name: "BucketName", Value: bucket})
	}
	return doc, err
}

// remove deletes the document of a kind; deleting none succeeds, as in S3.
func remove(ctx context.Context, st Store, bucket, kind string) error {
	if err := st.DeleteBucketConfig(ctx, bucket, kind); err != nil && !errors.Is(err, meta.ErrNotFound) {
		return err
	}
	return nil
}

// Tags returns the bucket's tags (GetBucketTagging); NoSuchTagSet when it
// has none.
func Tags(ctx context.Context, st Store, bucket string) (map[string]string, error) {
	doc, err := get(ctx, st, bucket, kindTagging, s3err.NoSuchTagSet)
	if err != nil {
		return nil, err
	}
	var m map[string]string
	if err := json.Unmarshal([]byte(doc), &m); err != nil {
		return nil, err
	}
	return m, nil
}

// PutTags replaces the bucket's tags (PutBucketTagging) after checking
// them against S3's rules (s3xml.ValidateTags, at most MaxBucketTags).
func PutTags(ctx context.Context, st Store, bucket string, tags []s3xml.Tag) error {
	m, err := s3xml.ValidateTags(tags, MaxBucketTags)
	if err != nil {
		return err
	}
	doc, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return st.PutBucketConfig(ctx, bucket, kindTagging, string(doc))
}

// DeleteTags removes the bucket's tags (DeleteBucketTagging).
func DeleteTags(ctx context.Context, st Store, bucket string) error {
	return remove(ctx, st, bucket, kindTagging)
}

// Policy returns the bucket policy (GetBucketPolicy) as it was put;
// NoSuchBucketPolicy when there is none.
func Policy(ctx context.Context, st Store, bucket string) (string, error) {
	return get(ctx, st, bucket, kindPolicy, s3err.NoSuchBucketPolicy)
}

// PutPolicy sets the bucket policy (PutBucketPolicy). The caller has
// checked doc against the rules of the API it came through: S3's bucket
// policy rules or S3 on Outposts' resource policy rules.
func PutPolicy(ctx context.Context, st Store, bucket, doc string) error {
	return st.PutBucketConfig(ctx, bucket, kindPolicy, doc)
}

// DeletePolicy removes the bucket policy (DeleteBucketPolicy).
func DeletePolicy(ctx context.Context, st Store, bucket string) error {
	return remove(ctx, st, bucket, kindPolicy)
}

// ErrMFADelete refuses MFA delete, which S3 on Outposts does not support.
var ErrMFADelete = s3err.NotImplemented.WithMessage("MFA delete is not supported by S3 on Outposts.")

// PutVersioning sets the bucket's versioning status (PutBucketVersioning):
// Enabled or Suspended, with MFA delete at most Disabled.
func PutVersioning(ctx context.Context, st Store, bucket string, v s3xml.VersioningConfiguration) error {
	if v.MFADelete != "" && v.MFADelete != "Disabled" {
		return ErrMFADelete
	}
	if v.Status != "Enabled" && v.Status != "Suspended" {
		return s3err.IllegalVersioningConfiguration
	}
	return st.SetBucketVersioning(ctx, bucket, v.Status)
}

// Lifecycle returns the bucket's lifecycle configuration
// (GetBucketLifecycleConfiguration), in the S3 form;
// NoSuchLifecycleConfiguration when it has none.
func Lifecycle(ctx context.Context, st Store, bucket string) (*s3xml.LifecycleConfiguration, error) {
	doc, err := get(ctx, st, bucket, kindLifecycle, s3err.NoSuchLifecycleConfiguration)
	if err != nil {
		return nil, err
	}
	return ParseLifecycle(doc)
}

// ParseLifecycle reads a stored lifecycle configuration.
func ParseLifecycle(doc string) (*s3xml.LifecycleConfiguration, error) {
	lc := &s3xml.LifecycleConfiguration{Form: s3xml.S3}
	if err := xml.Unmarshal([]byte(doc), lc); err != nil {
		return nil, err
	}
	return lc, nil
}

// PutLifecycle replaces the bucket's lifecycle configuration
// (PutBucketLifecycleConfiguration) once it passes lc.Validate; it is
// stored as its S3 document, whichever form it came in. A rule sent
// without an ID gets one, as S3 gives it (the ID is optional in the API
// and GetBucketLifecycleConfiguration shows the one S3 chose).
func PutLifecycle(ctx context.Context, st Store, bucket string, lc s3xml.LifecycleConfiguration) error {
	if err := lc.Validate(); err != nil {
		return err
	}
	lc.Rules = slices.Clone(lc.Rules)
	taken := map[string]bool{}
	for _, r := range lc.Rules {
		taken[r.ID] = true
	}
	for i := range lc.Rules {
		for lc.Rules[i].ID == "" {
			if id := newRuleID(); !taken[id] {
				lc.Rules[i].ID, taken[id] = id, true
			}
		}
	}
	lc.Form = s3xml.S3
	doc, err := xml.Marshal(lc)
	if err != nil {
		return err
	}
	return st.PutBucketConfig(ctx, bucket, kindLifecycle, xml.Header+string(doc))
}

// newRuleID returns a lifecycle rule ID of the shape S3 generates: the
// base64 of a random (version 4) UUID's text, 48 characters.
func newRuleID() string {
	var u [16]byte
	if _, err := rand.Read(u[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	h := hex.EncodeToString(u[:])
	return base64.StdEncoding.EncodeToString([]byte(h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]))
}

// DeleteLifecycle removes the bucket's lifecycle configuration
// (DeleteBucketLifecycle).
func DeleteLifecycle(ctx context.Context, st Store, bucket string) error {
	return remove(ctx, st, bucket, kindLifecycle)
}

// Package meta is the transactional metadata layer: settings, access keys,
// buckets, bucket configuration, object versions, multipart uploads and the
// references from metadata to blobs. One schema and one query layer serve
// SQLite (the embedded default) and PostgreSQL.
//
// Nothing here knows about HTTP. Errors are the sentinel values below,
// wrapped with context; callers decide with errors.Is.
package meta

import (
	"context"
	"errors"
	"time"
)

// Sentinel errors. The API layer maps each to its S3 error code.
var (
	ErrNoSuchBucket     = errors.New("meta: no such bucket")
	ErrBucketExists     = errors.New("meta: bucket already exists")
	ErrBucketNotEmpty   = errors.New("meta: bucket not empty")
	ErrNoSuchKey        = errors.New("meta: no such key")
	ErrNoSuchVersion    = errors.New("meta: no such version")
	ErrNoSuchUpload     = errors.New("meta: no such upload")
	ErrNotFound         = errors.New("meta: not found") // settings, keys, configs, generic rows
	ErrConflict         = errors.New("meta: conflict")  // unique constraint on generic rows
	ErrUnavailable      = errors.New("meta: store unavailable")
	ErrMethodNotAllowed = errors.New("meta: delete marker") // GET of a specific version that is a delete marker
	ErrLimitExceeded    = errors.New("meta: limit exceeded")
	// ErrPreconditionFailed: a write's Condition did not hold at commit.
	ErrPreconditionFailed = errors.New("meta: precondition failed")
)

// WriteCondition is a conditional write's precondition (If-None-Match: *,
// If-Match: ETAG), checked against the key's current version inside the
// transaction that commits the write, so two racing writers cannot both
// pass it.
type WriteCondition struct {
	// IfNoneMatch: the key must have no current version (a delete marker
	// counts as none), else ErrPreconditionFailed.
	IfNoneMatch bool
	// IfMatch: the current version's ETag (unquoted) must equal this, else
	// ErrPreconditionFailed; with no current version, ErrNoSuchKey. "*"
	// (DeleteObjectIf only) matches any current version.
	IfMatch string
}

// NullVersion is the version ID of objects written while versioning is off or suspended.
const NullVersion = "null"

// Bucket is a bucket's identity. Configuration documents (policy, tagging,
// lifecycle, acl) live beside it, see BucketConfig.
type Bucket struct {
	Name      string
	Account   string // owner account ID, 12 digits
	OutpostID string // "" for a plain S3 bucket
	CreatedAt time.Time
	// Versioning is "", "Enabled" or "Suspended".
	Versioning string
	// ACL is the canned ACL of a plain bucket ("private" by default).
	ACL string
}

// Segment is one stored run of an object's bytes: the whole object for a
// single PUT, one part for a multipart object.
type Segment struct {
	BlobID     string
	Size       int64
	PartNumber int    // 0 for a single PUT
	ETag       string // part ETag, unquoted hex MD5
	// Checksums by algorithm name (CRC32, CRC32C, CRC64NVME, SHA1, SHA256), base64.
	Checksums map[string]string `json:",omitempty"`
	// SealedKey is the wrapped data key the segment's bytes are sealed
	// with (package sse), "" when they are stored as sent: wrapped by the
	// master key for SSE-S3, by the customer's key for SSE-C.
	SealedKey string `json:",omitempty"`
}

// Encryption modes of an object or upload (Encryption.Mode).
const (
	SSES3 = "AES256" // sealed under data keys wrapped by the master key
	SSEC  = "SSE-C"  // sealed under data keys wrapped by the customer's key
)

// Encryption is how an object's (or upload's) bytes are sealed at rest.
type Encryption struct {
	// Mode is "" (stored as sent), SSES3 or SSEC.
	Mode string
	// KeyCheck verifies an SSE-C customer key (sse.KeyCheck: a salt and an
	// HMAC); the key itself is never stored.
	KeyCheck []byte
}

// Object is one version of an object, or a delete marker.
type Object struct {
	Bucket       string
	Key          string
	VersionID    string // NullVersion when unversioned
	IsLatest     bool
	DeleteMarker bool
	Size         int64
	ETag         string // unquoted: hex MD5, or "hex-N" for multipart
	LastModified time.Time
	// Headers holds the stored standard headers by canonical name:
	// Content-Type, Content-Encoding, Content-Disposition, Content-Language,
	// Cache-Control, Expires.
	Headers map[string]string
	// Metadata holds user metadata, keys lower-case without "x-amz-meta-".
	Metadata map[string]string
	Tags     map[string]string
	// Checksums of the whole object by algorithm, base64; ChecksumType is
	// "FULL_OBJECT" or "COMPOSITE" ("" when none).
	Checksums    map[string]string
	ChecksumType string
	ACL          string
	StorageClass string
	Segments     []Segment
	Encryption   Encryption
	// Inline holds the bytes of a small object stored in its metadata row
	// rather than in a blob (the server's inline limit decides); its one
	// segment then has BlobID "". Shared when read: never modify it.
	Inline []byte
	// Condition, when set on PutObject or CompleteUpload, is checked in the
	// committing transaction; it is not stored.
	Condition *WriteCondition
}

// ListOptions selects latest object versions (delete markers excluded) in
// key order (bytewise).
type ListOptions struct {
	Prefix     string
	Delimiter  string
	StartAfter string // exclusive lower bound on key (marker, start-after, continuation)
	MaxKeys    int    // 0 means no objects are returned, only IsTruncated
}

// ListResult is one page. Entries in Objects and CommonPrefixes together
// count towards MaxKeys; NextMarker is the last key or prefix returned.
// Listed objects carry the fields a listing shows (Bucket, Key, IsLatest,
// Size, ETag, LastModified, StorageClass, Checksums, ChecksumType), not
// Headers, Metadata, Tags, ACL or Segments; GetObject returns those.
type ListResult struct {
	Objects        []Object
	CommonPrefixes []string
	IsTruncated    bool
	NextMarker     string
}

// VersionListOptions selects all versions and delete markers: key ascending,
// then newest first.
type VersionListOptions struct {
	Prefix          string
	Delimiter       string
	KeyMarker       string
	VersionIDMarker string
	MaxKeys         int
}

// VersionListResult is one page of versions.
type VersionListResult struct {
	Versions            []Object // includes delete markers
	CommonPrefixes      []string
	IsTruncated         bool
	NextKeyMarker       string
	NextVersionIDMarker string
}

// Upload is a multipart upload in progress.
type Upload struct {
	ID                string
	Bucket            string
	Key               string
	Initiated         time.Time
	Headers           map[string]string
	Metadata          map[string]string
	Tags              map[string]string
	ACL               string
	StorageClass      string
	ChecksumAlgorithm string // "" or CRC32, CRC32C, CRC64NVME, SHA1, SHA256
	ChecksumType      string
	// Initiator is the ARN of the principal that created the upload (""
	// for uploads stored before it was recorded).
	Initiator  string
	Encryption Encryption
}

// Part is an uploaded part of a multipart upload.
type Part struct {
	Number       int
	BlobID       string
	Size         int64
	ETag         string // unquoted hex MD5
	LastModified time.Time
	Checksums    map[string]string
	SealedKey    string // as Segment.SealedKey
}

// UploadListOptions selects multipart uploads in (key, initiated) order.
type UploadListOptions struct {
	Prefix         string
	Delimiter      string
	KeyMarker      string
	UploadIDMarker string
	MaxUploads     int
}

// UploadListResult is one page of uploads.
type UploadListResult struct {
	Uploads            []Upload
	CommonPrefixes     []string
	IsTruncated        bool
	NextKeyMarker      string
	NextUploadIDMarker string
}

// DeleteResult says what a DeleteObject did.
type DeleteResult struct {
	VersionID    string // the version removed, or the delete marker created
	DeleteMarker bool   // a delete marker was created or removed
}

// AccessKey is a credential pair. Secret is stored as given (the IAM layer
// encrypts before it reaches meta).
type AccessKey struct {
	AccessKeyID string
	Secret      string
	Account     string
	UserName    string // "" for the account root
	// UserID is the unique ID (AIDA…) of the user the key was created for,
	// set by PutAccessKey from the user of that name; "" for the root and
	// for a key whose user did not exist. A key authenticates only while
	// the user named has this ID: deleting the user and creating another
	// of the same name does not bring the key back.
	UserID    string
	Status    string // "Active" or "Inactive"
	CreatedAt time.Time
}

// AccessKeyUse is one authenticated use of an access key: what IAM's
// GetAccessKeyLastUsed reports.
type AccessKeyUse struct {
	AccessKeyID string
	At          time.Time // zero: never used
	// Service is the signing service of the request (s3, s3-outposts,
	// iam, sts); Region the region it was signed for.
	Service string
	Region  string
}

// Store is the metadata contract: one engine, one transaction per method,
// serving the objects part, the IAM part and the S3 on Outposts part.
// Every implementation implements all of it, so callers never ask a Store
// which parts it has.
type Store interface {
	ObjectStore
	IAMStore
	OutpostsStore
	// Ping checks that the store answers.
	Ping(ctx context.Context) error
	Close() error
}

// ObjectStore is the part of Store that holds settings, access keys,
// buckets, object versions and multipart uploads. Every method is one
// transaction. Methods that drop references to blobs return the blob IDs
// that are no longer referenced, so the caller can delete them after the
// commit.
type ObjectStore interface {
	// GetSetting returns ErrNotFound when unset.
	GetSetting(ctx context.Context, name string) (string, error)
	// PutSettingIfAbsent stores value unless name is set, and returns what is stored.
	PutSettingIfAbsent(ctx context.Context, name, value string) (string, error)
	PutSetting(ctx context.Context, name, value string) error

	// PutAccessKey stores a new key, ErrConflict if the ID exists. It binds
	// a user's key to the user's unique ID in the same transaction;
	// ErrNotFound when k.UserID is set and is not the ID of the user named.
	PutAccessKey(ctx context.Context, k AccessKey) error
	GetAccessKey(ctx context.Context, id string) (AccessKey, error)
	UpdateAccessKeyStatus(ctx context.Context, id, status string) error
	DeleteAccessKey(ctx context.Context, id string) error
	ListAccessKeys(ctx context.Context, account, userName string) ([]AccessKey, error)
	// RecordAccessKeyUses stores each use as its key's last use, in one
	// transaction, unless the key's stored use is later: servers flushing
	// out of order never move it back. Uses of keys that no longer exist
	// are dropped.
	RecordAccessKeyUses(ctx context.Context, uses []AccessKeyUse) error
	// GetAccessKeyLastUsed returns a key's last recorded use (At zero when
	// none was recorded); ErrNotFound for an unknown key.
	GetAccessKeyLastUsed(ctx context.Context, id string) (AccessKeyUse, error)

	CreateBucket(ctx context.Context, b Bucket) error // ErrBucketExists (returns nothing else on conflict)
	// CreateBucketWithin is CreateBucket, refused with ErrLimitExceeded when
	// b.Account already has max buckets on b.OutpostID (max <= 0: no limit).
	// The count and the insert are one transaction, so concurrent creates
	// cannot pass the limit together.
	CreateBucketWithin(ctx context.Context, b Bucket, max int) error
	GetBucket(ctx context.Context, name string) (Bucket, error)
	// ListBuckets lists an account's buckets; outpostID "" lists plain buckets,
	// "*" lists all.
	ListBuckets(ctx context.Context, account, outpostID string) ([]Bucket, error)
	// DeleteBucket fails with ErrBucketNotEmpty while any object version
	// (a delete marker too) exists. Multipart uploads in progress are deleted
	// with the bucket, as S3 does; freed lists the blobs of their parts.
	DeleteBucket(ctx context.Context, name string) (freed []string, err error)
	SetBucketVersioning(ctx context.Context, name, status string) error
	SetBucketACL(ctx context.Context, name, acl string) error
	// Bucket configuration documents by kind ("policy", "tagging", "lifecycle", …).
	GetBucketConfig(ctx context.Context, bucket, kind string) (string, error) // ErrNotFound
	PutBucketConfig(ctx context.Context, bucket, kind, doc string) error
	DeleteBucketConfig(ctx context.Context, bucket, kind string) error

	// PutObject commits a new object version. When the bucket's versioning is
	// Enabled, a new version ID is assigned (and set in o.VersionID);
	// otherwise the "null" version is replaced. The bucket must exist.
	PutObject(ctx context.Context, o *Object) (freed []string, err error)
	// GetObject returns a version; versionID "" means the latest. A latest
	// version that is a delete marker yields ErrNoSuchKey (with the marker
	// returned as the Object so the caller can set x-amz-delete-marker);
	// a specific version that is a delete marker yields ErrMethodNotAllowed.
	GetObject(ctx context.Context, bucket, key, versionID string) (Object, error)
	// DeleteObject: versionID "" on a versioned bucket adds a delete marker;
	// on an unversioned bucket it removes the null version. A given
	// versionID removes exactly that version. Deleting a missing key succeeds.
	DeleteObject(ctx context.Context, bucket, key, versionID string) (DeleteResult, []string, error)
	// DeleteObjectIf is DeleteObject of the key (versionID "": a delete
	// marker on a versioned bucket) when cond holds for its current
	// version, checked in the deleting transaction so that no write can
	// slip between the check and the delete: ErrNoSuchKey when the key has
	// no current version (none, or a delete marker), ErrPreconditionFailed
	// when its ETag is not cond.IfMatch; nothing is deleted then.
	DeleteObjectIf(ctx context.Context, bucket, key string, cond WriteCondition) (DeleteResult, []string, error)
	// UpdateObject changes tags or ACL of a version in place (fn edits o);
	// data fields must not change.
	UpdateObject(ctx context.Context, bucket, key, versionID string, fn func(o *Object) error) error
	ListObjects(ctx context.Context, bucket string, opts ListOptions) (ListResult, error)
	ListObjectVersions(ctx context.Context, bucket string, opts VersionListOptions) (VersionListResult, error)

	CreateUpload(ctx context.Context, u Upload) error
	GetUpload(ctx context.Context, bucket, key, uploadID string) (Upload, error) // ErrNoSuchUpload
	// PutPart stores or replaces a part; returns the replaced part's blob.
	PutPart(ctx context.Context, uploadID string, p Part) (freed []string, err error)
	ListParts(ctx context.Context, uploadID string, marker, max int) (parts []Part, truncated bool, err error)
	ListUploads(ctx context.Context, bucket string, opts UploadListOptions) (UploadListResult, error)
	// CompleteUpload atomically ends the upload and commits o (built by the
	// caller from the chosen parts) as PutObject does. Blobs of parts not
	// used by o are returned in freed. ErrNoSuchUpload if it already ended.
	CompleteUpload(ctx context.Context, uploadID string, o *Object) (freed []string, err error)
	AbortUpload(ctx context.Context, bucket, key, uploadID string) (freed []string, err error)

	// BlobReferenced reports which of ids are still referenced by an object
	// version or an upload part (used by the orphan sweep).
	BlobReferenced(ctx context.Context, ids []string) (map[string]bool, error)
	// RewrapSealedKeys passes every data key wrapped by the master key
	// (the SealedKey of SSE-S3 object segments and upload parts; SSE-C keys
	// are the customer's and are left alone) to rewrap, and stores what it
	// returns when changed, unless the row changed meanwhile (a concurrent
	// write wins and keeps its own key). It works in small batches, so
	// requests go on while it runs, and returns how many keys it replaced.
	RewrapSealedKeys(ctx context.Context, rewrap func(sealed string) (string, bool, error)) (int, error)
	// IntegrityCheck runs the engine's own consistency check.
	IntegrityCheck(ctx context.Context) error
}

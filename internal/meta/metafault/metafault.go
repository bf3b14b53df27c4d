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
// meta.ErrUnavailable and the wrapped store is not touched. It covers the
// whole meta.Store, its objects, IAM and S3 on Outposts parts alike.
//
// The wrapped store is a named field, not an embedded one, so that a
// method added to meta.Store breaks this package's build until it is
// written here with its fault check; none can reach the wrapped store
// around the fault by promotion.
type Store struct {
	next  meta.Store
	down  atomic.Bool
	only  atomic.Pointer[map[string]bool]
	Fails atomic.Int64 // calls refused while down
}

var _ meta.Store = (*Store)(nil)

// New wraps s.
func New(s meta.Store) *Store { return &Store{next: s} }

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

// call, call1 and call2 run f, the wrapped store's method op, unless op
// fails now.
func call(s *Store, op string, f func() error) error {
	if err := s.fail(op); err != nil {
		return err
	}
	return f()
}

func call1[A any](s *Store, op string, f func() (A, error)) (A, error) {
	if err := s.fail(op); err != nil {
		var a A
		return a, err
	}
	return f()
}

func call2[A, B any](s *Store, op string, f func() (A, B, error)) (A, B, error) {
	if err := s.fail(op); err != nil {
		var a A
		var b B
		return a, b, err
	}
	return f()
}

func (s *Store) Ping(ctx context.Context) error {
	return call(s, "Ping", func() error { return s.next.Ping(ctx) })
}

// Close closes the wrapped store, down or not.
func (s *Store) Close() error { return s.next.Close() }

// meta.ObjectStore

func (s *Store) GetSetting(ctx context.Context, name string) (string, error) {
	return call1(s, "GetSetting", func() (string, error) { return s.next.GetSetting(ctx, name) })
}

func (s *Store) PutSettingIfAbsent(ctx context.Context, name, value string) (string, error) {
	return call1(s, "PutSettingIfAbsent", func() (string, error) { return s.next.PutSettingIfAbsent(ctx, name, value) })
}

func (s *Store) PutSetting(ctx context.Context, name, value string) error {
	return call(s, "PutSetting", func() error { return s.next.PutSetting(ctx, name, value) })
}

func (s *Store) PutAccessKey(ctx context.Context, k meta.AccessKey) error {
	return call(s, "PutAccessKey", func() error { return s.next.PutAccessKey(ctx, k) })
}

func (s *Store) GetAccessKey(ctx context.Context, id string) (meta.AccessKey, error) {
	return call1(s, "GetAccessKey", func() (meta.AccessKey, error) { return s.next.GetAccessKey(ctx, id) })
}

func (s *Store) UpdateAccessKeyStatus(ctx context.Context, id, status string) error {
	return call(s, "UpdateAccessKeyStatus", func() error { return s.next.UpdateAccessKeyStatus(ctx, id, status) })
}

func (s *Store) DeleteAccessKey(ctx context.Context, id string) error {
	return call(s, "DeleteAccessKey", func() error { return s.next.DeleteAccessKey(ctx, id) })
}

func (s *Store) ListAccessKeys(ctx context.Context, account, userName string) ([]meta.AccessKey, error) {
	return call1(s, "ListAccessKeys", func() ([]meta.AccessKey, error) { return s.next.ListAccessKeys(ctx, account, userName) })
}

func (s *Store) RecordAccessKeyUses(ctx context.Context, uses []meta.AccessKeyUse) error {
	return call(s, "RecordAccessKeyUses", func() error { return s.next.RecordAccessKeyUses(ctx, uses) })
}

func (s *Store) GetAccessKeyLastUsed(ctx context.Context, id string) (meta.AccessKeyUse, error) {
	return call1(s, "GetAccessKeyLastUsed", func() (meta.AccessKeyUse, error) { return s.next.GetAccessKeyLastUsed(ctx, id) })
}

func (s *Store) CreateBucket(ctx context.Context, b meta.Bucket) error {
	return call(s, "CreateBucket", func() error { return s.next.CreateBucket(ctx, b) })
}

func (s *Store) CreateBucketWithin(ctx context.Context, b meta.Bucket, max int) error {
	return call(s, "CreateBucketWithin", func() error { return s.next.CreateBucketWithin(ctx, b, max) })
}

func (s *Store) GetBucket(ctx context.Context, name string) (meta.Bucket, error) {
	return call1(s, "GetBucket", func() (meta.Bucket, error) { return s.next.GetBucket(ctx, name) })
}

func (s *Store) ListBuckets(ctx context.Context, account, outpostID string) ([]meta.Bucket, error) {
	return call1(s, "ListBuckets", func() ([]meta.Bucket, error) { return s.next.ListBuckets(ctx, account, outpostID) })
}

func (s *Store) DeleteBucket(ctx context.Context, name string) ([]string, error) {
	return call1(s, "DeleteBucket", func() ([]string, error) { return s.next.DeleteBucket(ctx, name) })
}

func (s *Store) SetBucketVersioning(ctx context.Context, name, status string) error {
	return call(s, "SetBucketVersioning", func() error { return s.next.SetBucketVersioning(ctx, name, status) })
}

func (s *Store) SetBucketACL(ctx context.Context, name, acl string) error {
	return call(s, "SetBucketACL", func() error { return s.next.SetBucketACL(ctx, name, acl) })
}

func (s *Store) GetBucketConfig(ctx context.Context, bucket, kind string) (string, error) {
	return call1(s, "GetBucketConfig", func() (string, error) { return s.next.GetBucketConfig(ctx, bucket, kind) })
}

func (s *Store) PutBucketConfig(ctx context.Context, bucket, kind, doc string) error {
	return call(s, "PutBucketConfig", func() error { return s.next.PutBucketConfig(ctx, bucket, kind, doc) })
}

func (s *Store) DeleteBucketConfig(ctx context.Context, bucket, kind string) error {
	return call(s, "DeleteBucketConfig", func() error { return s.next.DeleteBucketConfig(ctx, bucket, kind) })
}

func (s *Store) PutObject(ctx context.Context, o *meta.Object) ([]string, error) {
	return call1(s, "PutObject", func() ([]string, error) { return s.next.PutObject(ctx, o) })
}

func (s *Store) GetObject(ctx context.Context, bucket, key, versionID string) (meta.Object, error) {
	return call1(s, "GetObject", func() (meta.Object, error) { return s.next.GetObject(ctx, bucket, key, versionID) })
}

func (s *Store) DeleteObject(ctx context.Context, bucket, key, versionID string) (meta.DeleteResult, []string, error) {
	return call2(s, "DeleteObject", func() (meta.DeleteResult, []string, error) { return s.next.DeleteObject(ctx, bucket, key, versionID) })
}

func (s *Store) DeleteObjectIf(ctx context.Context, bucket, key string, cond meta.WriteCondition) (meta.DeleteResult, []string, error) {
	return call2(s, "DeleteObjectIf", func() (meta.DeleteResult, []string, error) { return s.next.DeleteObjectIf(ctx, bucket, key, cond) })
}

func (s *Store) UpdateObject(ctx context.Context, bucket, key, versionID string, fn func(o *meta.Object) error) error {
	return call(s, "UpdateObject", func() error { return s.next.UpdateObject(ctx, bucket, key, versionID, fn) })
}

func (s *Store) ListObjects(ctx context.Context, bucket string, opts meta.ListOptions) (meta.ListResult, error) {
	return call1(s, "ListObjects", func() (meta.ListResult, error) { return s.next.ListObjects(ctx, bucket, opts) })
}

func (s *Store) ListObjectVersions(ctx context.Context, bucket string, opts meta.VersionListOptions) (meta.VersionListResult, error) {
	return call1(s, "ListObjectVersions", func() (meta.VersionListResult, error) { return s.next.ListObjectVersions(ctx, bucket, opts) })
}

func (s *Store) CreateUpload(ctx context.Context, u meta.Upload) error {
	return call(s, "CreateUpload", func() error { return s.next.CreateUpload(ctx, u) })
}

func (s *Store) GetUpload(ctx context.Context, bucket, key, uploadID string) (meta.Upload, error) {
	return call1(s, "GetUpload", func() (meta.Upload, error) { return s.next.GetUpload(ctx, bucket, key, uploadID) })
}

func (s *Store) PutPart(ctx context.Context, uploadID string, p meta.Part) ([]string, error) {
	return call1(s, "PutPart", func() ([]string, error) { return s.next.PutPart(ctx, uploadID, p) })
}

func (s *Store) ListParts(ctx context.Context, uploadID string, marker, max int) ([]meta.Part, bool, error) {
	return call2(s, "ListParts", func() ([]meta.Part, bool, error) { return s.next.ListParts(ctx, uploadID, marker, max) })
}

func (s *Store) ListUploads(ctx context.Context, bucket string, opts meta.UploadListOptions) (meta.UploadListResult, error) {
	return call1(s, "ListUploads", func() (meta.UploadListResult, error) { return s.next.ListUploads(ctx, bucket, opts) })
}

func (s *Store) CompleteUpload(ctx context.Context, uploadID string, o *meta.Object) ([]string, error) {
	return call1(s, "CompleteUpload", func() ([]string, error) { return s.next.CompleteUpload(ctx, uploadID, o) })
}

func (s *Store) AbortUpload(ctx context.Context, bucket, key, uploadID string) ([]string, error) {
	return call1(s, "AbortUpload", func() ([]string, error) { return s.next.AbortUpload(ctx, bucket, key, uploadID) })
}

func (s *Store) RewrapSealedKeys(ctx context.Context, rewrap func(string) (string, bool, error)) (int, error) {
	return call1(s, "RewrapSealedKeys", func() (int, error) { return s.next.RewrapSealedKeys(ctx, rewrap) })
}

func (s *Store) BlobReferenced(ctx context.Context, ids []string) (map[string]bool, error) {
	return call1(s, "BlobReferenced", func() (map[string]bool, error) { return s.next.BlobReferenced(ctx, ids) })
}

func (s *Store) IntegrityCheck(ctx context.Context) error {
	return call(s, "IntegrityCheck", func() error { return s.next.IntegrityCheck(ctx) })
}

// meta.IAMStore

func (s *Store) SetAccessKeySecret(ctx context.Context, id, secret string) error {
	return call(s, "SetAccessKeySecret", func() error { return s.next.SetAccessKeySecret(ctx, id, secret) })
}

func (s *Store) CreateAccount(ctx context.Context, a meta.Account) error {
	return call(s, "CreateAccount", func() error { return s.next.CreateAccount(ctx, a) })
}

func (s *Store) GetAccount(ctx context.Context, id string) (meta.Account, error) {
	return call1(s, "GetAccount", func() (meta.Account, error) { return s.next.GetAccount(ctx, id) })
}

func (s *Store) ListAccounts(ctx context.Context) ([]meta.Account, error) {
	return call1(s, "ListAccounts", func() ([]meta.Account, error) { return s.next.ListAccounts(ctx) })
}

func (s *Store) CreateIAMEntity(ctx context.Context, e meta.IAMEntity) error {
	return call(s, "CreateIAMEntity", func() error { return s.next.CreateIAMEntity(ctx, e) })
}

func (s *Store) GetIAMEntity(ctx context.Context, account string, kind meta.EntityKind, name string) (meta.IAMEntity, error) {
	return call1(s, "GetIAMEntity", func() (meta.IAMEntity, error) { return s.next.GetIAMEntity(ctx, account, kind, name) })
}

func (s *Store) ListIAMEntities(ctx context.Context, account string, kind meta.EntityKind, pathPrefix string) ([]meta.IAMEntity, error) {
	return call1(s, "ListIAMEntities", func() ([]meta.IAMEntity, error) { return s.next.ListIAMEntities(ctx, account, kind, pathPrefix) })
}

func (s *Store) UpdateIAMEntity(ctx context.Context, account string, kind meta.EntityKind, name string, fn func(e *meta.IAMEntity) error) error {
	return call(s, "UpdateIAMEntity", func() error { return s.next.UpdateIAMEntity(ctx, account, kind, name, fn) })
}

func (s *Store) DeleteIAMEntity(ctx context.Context, account string, kind meta.EntityKind, name string) error {
	return call(s, "DeleteIAMEntity", func() error { return s.next.DeleteIAMEntity(ctx, account, kind, name) })
}

func (s *Store) AddUserToGroup(ctx context.Context, account, group, user string) error {
	return call(s, "AddUserToGroup", func() error { return s.next.AddUserToGroup(ctx, account, group, user) })
}

func (s *Store) RemoveUserFromGroup(ctx context.Context, account, group, user string) error {
	return call(s, "RemoveUserFromGroup", func() error { return s.next.RemoveUserFromGroup(ctx, account, group, user) })
}

func (s *Store) ListGroupsForUser(ctx context.Context, account, user string) ([]meta.IAMEntity, error) {
	return call1(s, "ListGroupsForUser", func() ([]meta.IAMEntity, error) { return s.next.ListGroupsForUser(ctx, account, user) })
}

func (s *Store) ListGroupMembers(ctx context.Context, account, group string) ([]meta.IAMEntity, error) {
	return call1(s, "ListGroupMembers", func() ([]meta.IAMEntity, error) { return s.next.ListGroupMembers(ctx, account, group) })
}

func (s *Store) PutInlinePolicy(ctx context.Context, account string, kind meta.EntityKind, entity string, p meta.InlinePolicy) error {
	return call(s, "PutInlinePolicy", func() error { return s.next.PutInlinePolicy(ctx, account, kind, entity, p) })
}

func (s *Store) GetInlinePolicy(ctx context.Context, account string, kind meta.EntityKind, entity, name string) (meta.InlinePolicy, error) {
	return call1(s, "GetInlinePolicy", func() (meta.InlinePolicy, error) { return s.next.GetInlinePolicy(ctx, account, kind, entity, name) })
}

func (s *Store) ListInlinePolicies(ctx context.Context, account string, kind meta.EntityKind, entity string) ([]meta.InlinePolicy, error) {
	return call1(s, "ListInlinePolicies", func() ([]meta.InlinePolicy, error) { return s.next.ListInlinePolicies(ctx, account, kind, entity) })
}

func (s *Store) DeleteInlinePolicy(ctx context.Context, account string, kind meta.EntityKind, entity, name string) error {
	return call(s, "DeleteInlinePolicy", func() error { return s.next.DeleteInlinePolicy(ctx, account, kind, entity, name) })
}

func (s *Store) CreateManagedPolicy(ctx context.Context, p meta.ManagedPolicy) error {
	return call(s, "CreateManagedPolicy", func() error { return s.next.CreateManagedPolicy(ctx, p) })
}

func (s *Store) GetManagedPolicy(ctx context.Context, arn string) (meta.ManagedPolicy, error) {
	return call1(s, "GetManagedPolicy", func() (meta.ManagedPolicy, error) { return s.next.GetManagedPolicy(ctx, arn) })
}

func (s *Store) ListManagedPolicies(ctx context.Context, account string) ([]meta.ManagedPolicy, error) {
	return call1(s, "ListManagedPolicies", func() ([]meta.ManagedPolicy, error) { return s.next.ListManagedPolicies(ctx, account) })
}

func (s *Store) DeleteManagedPolicy(ctx context.Context, arn string) error {
	return call(s, "DeleteManagedPolicy", func() error { return s.next.DeleteManagedPolicy(ctx, arn) })
}

func (s *Store) AttachPolicy(ctx context.Context, account string, kind meta.EntityKind, entity, policyARN string) error {
	return call(s, "AttachPolicy", func() error { return s.next.AttachPolicy(ctx, account, kind, entity, policyARN) })
}

func (s *Store) DetachPolicy(ctx context.Context, account string, kind meta.EntityKind, entity, policyARN string) error {
	return call(s, "DetachPolicy", func() error { return s.next.DetachPolicy(ctx, account, kind, entity, policyARN) })
}

func (s *Store) ListAttachedPolicies(ctx context.Context, account string, kind meta.EntityKind, entity string) ([]string, error) {
	return call1(s, "ListAttachedPolicies", func() ([]string, error) { return s.next.ListAttachedPolicies(ctx, account, kind, entity) })
}

func (s *Store) IdentityPolicies(ctx context.Context, account string, kind meta.EntityKind, entity, id string) ([]string, []string, error) {
	return call2(s, "IdentityPolicies", func() ([]string, []string, error) { return s.next.IdentityPolicies(ctx, account, kind, entity, id) })
}

// meta.OutpostsStore

func (s *Store) CreateAccessPoint(ctx context.Context, ap meta.AccessPoint) error {
	return call(s, "CreateAccessPoint", func() error { return s.next.CreateAccessPoint(ctx, ap) })
}

func (s *Store) CreateAccessPointWithin(ctx context.Context, ap meta.AccessPoint, max int) error {
	return call(s, "CreateAccessPointWithin", func() error { return s.next.CreateAccessPointWithin(ctx, ap, max) })
}

func (s *Store) GetAccessPoint(ctx context.Context, account, outpostID, name string) (meta.AccessPoint, error) {
	return call1(s, "GetAccessPoint", func() (meta.AccessPoint, error) { return s.next.GetAccessPoint(ctx, account, outpostID, name) })
}

func (s *Store) GetAccessPointByAlias(ctx context.Context, alias string) (meta.AccessPoint, error) {
	return call1(s, "GetAccessPointByAlias", func() (meta.AccessPoint, error) { return s.next.GetAccessPointByAlias(ctx, alias) })
}

func (s *Store) ListAccessPoints(ctx context.Context, account, outpostID, bucket, marker string, max int) ([]meta.AccessPoint, error) {
	return call1(s, "ListAccessPoints", func() ([]meta.AccessPoint, error) {
		return s.next.ListAccessPoints(ctx, account, outpostID, bucket, marker, max)
	})
}

func (s *Store) DeleteAccessPoint(ctx context.Context, account, outpostID, name string) error {
	return call(s, "DeleteAccessPoint", func() error { return s.next.DeleteAccessPoint(ctx, account, outpostID, name) })
}

func (s *Store) SetAccessPointPolicy(ctx context.Context, account, outpostID, name, policy string) error {
	return call(s, "SetAccessPointPolicy", func() error { return s.next.SetAccessPointPolicy(ctx, account, outpostID, name, policy) })
}

func (s *Store) PutNetwork(ctx context.Context, n meta.Network) error {
	return call(s, "PutNetwork", func() error { return s.next.PutNetwork(ctx, n) })
}

func (s *Store) GetNetwork(ctx context.Context, vpcID string) (meta.Network, error) {
	return call1(s, "GetNetwork", func() (meta.Network, error) { return s.next.GetNetwork(ctx, vpcID) })
}

func (s *Store) ListNetworks(ctx context.Context) ([]meta.Network, error) {
	return call1(s, "ListNetworks", func() ([]meta.Network, error) { return s.next.ListNetworks(ctx) })
}

func (s *Store) DeleteNetwork(ctx context.Context, vpcID string) error {
	return call(s, "DeleteNetwork", func() error { return s.next.DeleteNetwork(ctx, vpcID) })
}

func (s *Store) CreateEndpoint(ctx context.Context, e meta.Endpoint) error {
	return call(s, "CreateEndpoint", func() error { return s.next.CreateEndpoint(ctx, e) })
}

func (s *Store) CreateEndpointWithin(ctx context.Context, e meta.Endpoint, max int) error {
	return call(s, "CreateEndpointWithin", func() error { return s.next.CreateEndpointWithin(ctx, e, max) })
}

func (s *Store) GetEndpoint(ctx context.Context, id string) (meta.Endpoint, error) {
	return call1(s, "GetEndpoint", func() (meta.Endpoint, error) { return s.next.GetEndpoint(ctx, id) })
}

func (s *Store) ListEndpoints(ctx context.Context, account, outpostID string) ([]meta.Endpoint, error) {
	return call1(s, "ListEndpoints", func() ([]meta.Endpoint, error) { return s.next.ListEndpoints(ctx, account, outpostID) })
}

func (s *Store) DeleteEndpoint(ctx context.Context, id string) error {
	return call(s, "DeleteEndpoint", func() error { return s.next.DeleteEndpoint(ctx, id) })
}

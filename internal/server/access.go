package server

import (
	"context"
	"errors"

	"github.com/outpost-s3/outpost/internal/meta"
	"github.com/outpost-s3/outpost/internal/s3err"
)

// Canned ACLs S3 accepts in x-amz-acl.
var cannedACLs = map[string]bool{
	"private": true, "public-read": true, "public-read-write": true,
	"authenticated-read": true, "bucket-owner-read": true, "bucket-owner-full-control": true,
	"aws-exec-read": true,
}

// aclAllows reports whether a canned ACL grants perm ("read" or "write")
// to a caller who is not the owner. Anonymous callers match only AllUsers
// grants; signed callers of another account also match AuthenticatedUsers.
func aclAllows(acl string, anonymous bool, perm string) bool {
	switch acl {
	case "public-read":
		return perm == "read"
	case "public-read-write":
		return true
	case "authenticated-read":
		return !anonymous && perm == "read"
	}
	return false
}

// loadBucket fetches the addressed bucket once per request.
func (rc *reqCtx) loadBucket() (*meta.Bucket, error) {
	if rc.bkt != nil {
		return rc.bkt, nil
	}
	b, err := rc.s.cfg.Meta.GetBucket(rc.r.Context(), rc.bucket)
	if err != nil {
		if errors.Is(err, meta.ErrNoSuchBucket) {
			return nil, s3err.NoSuchBucket.With(s3err.Field{Name: "BucketName", Value: rc.bucket})
		}
		return nil, err
	}
	rc.bkt = &b
	return rc.bkt, nil
}

// isOwner reports whether the caller belongs to the bucket owner's account.
func (rc *reqCtx) isOwner() bool {
	return rc.principal != nil && rc.bkt != nil && rc.principal.Account == rc.bkt.Account
}

// authorize decides whether the caller may run the operation. Owners of
// the bucket may do everything; others only what a canned ACL grants.
// Object reads by non-owners are decided in getObject, which knows the
// object's own ACL.
func (s *Server) authorize(rc *reqCtx) error {
	anonymous := rc.principal.Anonymous()
	switch rc.op.name {
	case "ListBuckets", "CreateBucket":
		if anonymous {
			return s3err.AccessDenied
		}
		return nil
	}
	b, err := rc.loadBucket()
	if err != nil {
		return err
	}
	if rc.isOwner() {
		return nil
	}
	switch {
	case rc.op.name == "GetObject" || rc.op.name == "HeadObject":
		return nil // decided with the object's ACL
	case rc.op.read && aclAllows(b.ACL, anonymous, "read"):
		return nil
	case rc.op.write && aclAllows(b.ACL, anonymous, "write"):
		return nil
	}
	return s3err.AccessDenied
}

// objectReadAllowed applies object ACLs to a non-owner's GET or HEAD.
func (rc *reqCtx) objectReadAllowed(o *meta.Object) bool {
	if rc.isOwner() {
		return true
	}
	return aclAllows(o.ACL, rc.principal.Anonymous(), "read")
}

// resolveBucket finds a bucket by the name a request uses for it.
func (s *Server) resolveBucket(ctx context.Context, name string) (meta.Bucket, error) {
	return s.cfg.Meta.GetBucket(ctx, name)
}

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

// isOwner reports whether the policies allowed the operation (authorize):
// such a caller sees what the bucket owner sees (NoSuchKey rather than
// AccessDenied, any object regardless of its ACL).
func (rc *reqCtx) isOwner() bool {
	return rc.authz != nil && rc.authz.allowed
}

// authorize decides whether the caller may run the operation, with the
// AWS policy evaluation logic (authz.go): identity policies, session
// policy, bucket policy, access point policy, and canned ACLs on plain
// buckets. The signer's permissions are read at every request, so taking
// one away stops every URL it signed at once. Object reads allowed by no
// policy are decided in getObject, which knows the object's own ACL.
func (s *Server) authorize(rc *reqCtx) error {
	// Access point existence, operation and network origin (accesspoint.go).
	if err := s.authorizeAccessPoint(rc); err != nil {
		return err
	}
	switch rc.op.name {
	case "ListBuckets", "CreateBucket":
		return s.authorizeService(rc)
	}
	b, err := rc.loadBucket()
	if err != nil {
		return err
	}
	if b.OutpostID != "" && rc.ap == nil && (rc.objectLevel() || accessPointBucketOps[rc.op.name]) {
		return errOutpostsBucketByName(s.cfg.Region, b)
	}
	if err := expectedOwner(rc.r.Header.Get("x-amz-expected-bucket-owner"), b); err != nil {
		return err
	}
	return s.authorizeBucket(rc, b)
}

// expectedOwner is S3's confused-deputy guard: a request carrying
// x-amz-expected-bucket-owner (or, for a copy's source,
// x-amz-source-expected-bucket-owner) names the account it expects to own
// the bucket, and any other owner answers 403 AccessDenied before
// anything is done.
func expectedOwner(want string, b *meta.Bucket) error {
	if want == "" || want == b.Account {
		return nil
	}
	return s3err.AccessDenied.WithMessage("Access Denied: the bucket is not owned by the account in the expected-bucket-owner header.")
}

// errOutpostsBucketByName refuses a data request (an object operation, or
// a bucket-level one an access point serves: ListObjects, DeleteObjects, …)
// that names an Outposts bucket itself (path-style, virtual-hosted-style,
// bucket ARN or copy source) rather than one of its access points, whoever
// signed it, the bucket owner's root included:
// "Outposts buckets can be accessed only by using access points and
// endpoints" (S3OnOutpostsRestrictionsLimitations), so an access point's
// VPC binding and policy cannot be stepped around by the bucket's name.
func errOutpostsBucketByName(region string, b *meta.Bucket) error {
	// The message names no account: the caller may be anyone.
	return s3err.InvalidRequest.WithMessage("Outposts bucket " + b.Name + " can be accessed only through an access point: address the request to an access point ARN (arn:aws:s3-outposts:" +
		region + ":ACCOUNT:outpost/" + b.OutpostID + "/accesspoint/NAME) or its alias.")
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

// mayList reports whether the caller may list the addressed key's name
// (s3:ListBucket by policy, or a canned ACL granting read); S3 hides
// whether a key exists from callers who may not. The question is asked
// with s3:prefix set to the key, so a policy that lets a caller list only
// "public/*" answers 404 for a missing public/x and 403 for private/x.
func (rc *reqCtx) mayList() bool {
	if aclAllows(rc.bkt.ACL, rc.principal.Anonymous(), "read") {
		return true
	}
	d, err := rc.decideWith(rc.bkt, rc.ap, "s3:ListBucket", "", map[string]string{"prefix": rc.key})
	return err == nil && d.Allowed
}

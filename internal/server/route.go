package server

import (
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/outpost-s3/outpost/internal/auth"
	"github.com/outpost-s3/outpost/internal/authn"
	"github.com/outpost-s3/outpost/internal/meta"
	"github.com/outpost-s3/outpost/internal/s3err"
	"github.com/outpost-s3/outpost/sigv4"
)

// reqCtx carries one request along the path route → authenticate →
// authorize → operate.
type reqCtx struct {
	s     *Server
	w     *statusWriter
	r     *http.Request
	id    string
	start time.Time
	query url.Values

	op     op
	bucket string // bucket name as addressed ("" for service-level ops)
	key    string // object key ("" for bucket-level ops)

	// caller is who the request proved to be (authn); verified and
	// principal are its parts, set only by setIdentity.
	caller    *authn.Identity
	verified  *sigv4.Verified
	principal *auth.Principal
	bkt       *meta.Bucket // the bucket, once loaded
	authz     *authzState  // what authorize decided

	clientAddr netip.Addr // cached clientIP()

	// ap is the access point the request came through (accesspoint.go),
	// nil when it addressed a bucket; apErr is why the access point it
	// named could not be used, reported after authentication.
	ap    *meta.AccessPoint
	apErr error
	org   *origin // where the request came from (network.go), once computed

	// class is what classification found (classify.go).
	class Class
	// ctl is the S3 Control operation, for APIControl (control.go).
	ctl ctlOp
	// form and bodyForm are a query-protocol request's parameters (all of
	// them, and the body's alone); q is its state once it runs (query.go).
	form, bodyForm url.Values
	q              *queryCtx
}

// op is one S3 operation: its AWS name, the IAM action it needs, and the
// handler.
type op struct {
	name   string
	action string // s3:GetObject …; "" for operations with their own rule
	fn     func(*reqCtx) error
	// read marks operations that ACL read grants allow.
	read bool
	// write marks operations that ACL write grants allow.
	write bool
}

// target splits a request into bucket and key, path-style or
// virtual-hosted-style.
func (s *Server) target(r *http.Request) (bucket, key string, err error) {
	host := r.Host
	if h, _, ok := strings.Cut(host, ":"); ok && !strings.HasPrefix(host, "[") {
		host = h
	}
	host = strings.ToLower(host)
	path := r.URL.Path
	if !strings.HasPrefix(path, "/") {
		return "", "", s3err.InvalidURI
	}
	if d := s.cfg.Domain; d != "" && strings.HasSuffix(host, "."+d) {
		bucket = strings.TrimSuffix(host, "."+d)
		return bucket, path[1:], nil
	}
	rest := path[1:]
	bucket, key, _ = strings.Cut(rest, "/")
	return bucket, key, nil
}

// has reports whether the query has the sub-resource name (with or without a value).
func has(q url.Values, name string) bool {
	_, ok := q[name]
	return ok
}

// route picks the operation from method, sub-resources, bucket and key.
func (s *Server) route(rc *reqCtx) (op, error) {
	q, m := rc.query, rc.r.Method
	if rc.bucket == "" {
		if m == http.MethodGet {
			return op{name: "ListBuckets", action: "s3:ListAllMyBuckets", fn: (*reqCtx).listBuckets}, nil
		}
		return op{}, s3err.MethodNotAllowed
	}
	if rc.key == "" {
		return s.routeBucket(rc, m, q)
	}
	o, err := s.routeObject(rc, m, q)
	o.action = objectAction(o.action, has(q, "versionId"))
	return o, err
}

// versionActions are the actions an object request needs instead when it
// names a version (versionId), as the Service Authorization Reference lists
// them for s3 and s3-outposts
// (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html):
// an Allow of s3:GetObject alone does not read an old version.
var versionActions = map[string]string{
	"s3:GetObject":           "s3:GetObjectVersion", // GetObject and HeadObject
	"s3:DeleteObject":        "s3:DeleteObjectVersion",
	"s3:GetObjectTagging":    "s3:GetObjectVersionTagging",
	"s3:PutObjectTagging":    "s3:PutObjectVersionTagging",
	"s3:DeleteObjectTagging": "s3:DeleteObjectVersionTagging",
	"s3:GetObjectAcl":        "s3:GetObjectVersionAcl",
	"s3:PutObjectAcl":        "s3:PutObjectVersionAcl",
}

// objectAction is the action an object request needs: its …Version form
// when the request names a version.
func objectAction(action string, version bool) string {
	if v, ok := versionActions[action]; ok && version {
		return v
	}
	return action
}

// unsupportedBucketSubresources are S3 features that S3 on Outposts rejects
// and Outpost does not implement.
var unsupportedBucketSubresources = []string{
	"cors", "website", "logging", "notification", "replication", "encryption",
	"requestPayment", "accelerate", "inventory", "metrics", "analytics",
	"object-lock", "publicAccessBlock", "ownershipControls", "intelligent-tiering",
}

func (s *Server) routeBucket(rc *reqCtx, m string, q url.Values) (op, error) {
	if m == http.MethodGet && has(q, "encryption") {
		// The default encryption can be read; S3 on Outposts does not let
		// it be changed (PUT and DELETE ?encryption answer NotImplemented).
		return op{name: "GetBucketEncryption", action: "s3:GetEncryptionConfiguration", fn: (*reqCtx).getBucketEncryption}, nil
	}
	for _, sub := range unsupportedBucketSubresources {
		if has(q, sub) {
			return op{name: "Unsupported:" + sub}, s3err.NotImplemented.WithMessage("The " + sub + " bucket configuration is not supported by S3 on Outposts or Outpost.")
		}
	}
	switch m {
	case http.MethodGet:
		switch {
		case has(q, "location"):
			return op{name: "GetBucketLocation", action: "s3:GetBucketLocation", fn: (*reqCtx).getBucketLocation}, nil
		case has(q, "acl"):
			return op{name: "GetBucketAcl", action: "s3:GetBucketAcl", fn: (*reqCtx).getBucketACL}, nil
		case has(q, "versioning"):
			return op{name: "GetBucketVersioning", action: "s3:GetBucketVersioning", fn: (*reqCtx).getBucketVersioning}, nil
		case has(q, "tagging"):
			return op{name: "GetBucketTagging", action: "s3:GetBucketTagging", fn: (*reqCtx).getBucketTagging}, nil
		case has(q, "policy"):
			return op{name: "GetBucketPolicy", action: "s3:GetBucketPolicy", fn: (*reqCtx).getBucketPolicy}, nil
		case has(q, "lifecycle"):
			return op{name: "GetBucketLifecycleConfiguration", action: "s3:GetLifecycleConfiguration", fn: (*reqCtx).getBucketLifecycle}, nil
		case has(q, "uploads"):
			return op{name: "ListMultipartUploads", action: "s3:ListBucketMultipartUploads", fn: (*reqCtx).listMultipartUploads, read: true}, nil
		case has(q, "versions"):
			return op{name: "ListObjectVersions", action: "s3:ListBucketVersions", fn: (*reqCtx).listObjectVersions, read: true}, nil
		case q.Get("list-type") == "2":
			return op{name: "ListObjectsV2", action: "s3:ListBucket", fn: (*reqCtx).listObjectsV2, read: true}, nil
		default:
			return op{name: "ListObjects", action: "s3:ListBucket", fn: (*reqCtx).listObjectsV1, read: true}, nil
		}
	case http.MethodHead:
		return op{name: "HeadBucket", action: "s3:ListBucket", fn: (*reqCtx).headBucket, read: true}, nil
	case http.MethodPut:
		switch {
		case has(q, "acl"):
			return op{name: "PutBucketAcl", action: "s3:PutBucketAcl", fn: (*reqCtx).putBucketACL}, nil
		case has(q, "versioning"):
			return op{name: "PutBucketVersioning", action: "s3:PutBucketVersioning", fn: (*reqCtx).putBucketVersioning}, nil
		case has(q, "tagging"):
			return op{name: "PutBucketTagging", action: "s3:PutBucketTagging", fn: (*reqCtx).putBucketTagging}, nil
		case has(q, "policy"):
			return op{name: "PutBucketPolicy", action: "s3:PutBucketPolicy", fn: (*reqCtx).putBucketPolicy}, nil
		case has(q, "lifecycle"):
			return op{name: "PutBucketLifecycleConfiguration", action: "s3:PutLifecycleConfiguration", fn: (*reqCtx).putBucketLifecycle}, nil
		case len(q) == 0 || onlyPresignParams(q):
			return op{name: "CreateBucket", action: "s3:CreateBucket", fn: (*reqCtx).createBucket}, nil
		}
	case http.MethodDelete:
		switch {
		case has(q, "tagging"):
			return op{name: "DeleteBucketTagging", action: "s3:PutBucketTagging", fn: (*reqCtx).deleteBucketTagging}, nil
		case has(q, "policy"):
			return op{name: "DeleteBucketPolicy", action: "s3:DeleteBucketPolicy", fn: (*reqCtx).deleteBucketPolicy}, nil
		case has(q, "lifecycle"):
			return op{name: "DeleteBucketLifecycle", action: "s3:PutLifecycleConfiguration", fn: (*reqCtx).deleteBucketLifecycle}, nil
		case len(q) == 0 || onlyPresignParams(q):
			return op{name: "DeleteBucket", action: "s3:DeleteBucket", fn: (*reqCtx).deleteBucket}, nil
		}
	case http.MethodPost:
		if has(q, "delete") {
			return op{name: "DeleteObjects", action: "s3:DeleteObject", fn: (*reqCtx).deleteObjects, write: true}, nil
		}
		return op{name: "PostObject"}, s3err.NotImplemented.WithMessage("POST object uploads (browser forms) are not supported by S3 on Outposts.")
	}
	return op{name: "Unknown"}, s3err.NotImplemented.WithMessage("This bucket operation is not supported.")
}

func (s *Server) routeObject(rc *reqCtx, m string, q url.Values) (op, error) {
	for _, sub := range []string{"retention", "legal-hold", "restore", "torrent", "select", "attributes"} {
		if has(q, sub) {
			return op{name: "Unsupported:" + sub}, s3err.NotImplemented.WithMessage("The " + sub + " object operation is not supported by S3 on Outposts or Outpost.")
		}
	}
	switch m {
	case http.MethodGet:
		switch {
		case has(q, "acl"):
			return op{name: "GetObjectAcl", action: "s3:GetObjectAcl", fn: (*reqCtx).getObjectACL}, nil
		case has(q, "tagging"):
			return op{name: "GetObjectTagging", action: "s3:GetObjectTagging", fn: (*reqCtx).getObjectTagging}, nil
		case has(q, "uploadId"):
			return op{name: "ListParts", action: "s3:ListMultipartUploadParts", fn: (*reqCtx).listParts, write: true}, nil
		default:
			return op{name: "GetObject", action: "s3:GetObject", fn: (*reqCtx).getObject, read: true}, nil
		}
	case http.MethodHead:
		return op{name: "HeadObject", action: "s3:GetObject", fn: (*reqCtx).getObject, read: true}, nil
	case http.MethodPut:
		switch {
		case has(q, "acl"):
			return op{name: "PutObjectAcl", action: "s3:PutObjectAcl", fn: (*reqCtx).putObjectACL}, nil
		case has(q, "tagging"):
			return op{name: "PutObjectTagging", action: "s3:PutObjectTagging", fn: (*reqCtx).putObjectTagging}, nil
		case has(q, "uploadId") || has(q, "partNumber"):
			if rc.r.Header.Get("x-amz-copy-source") != "" {
				return op{name: "UploadPartCopy", action: "s3:PutObject", fn: (*reqCtx).uploadPartCopy, write: true}, nil
			}
			return op{name: "UploadPart", action: "s3:PutObject", fn: (*reqCtx).uploadPart, write: true}, nil
		case rc.r.Header.Get("x-amz-copy-source") != "":
			return op{name: "CopyObject", action: "s3:PutObject", fn: (*reqCtx).copyObject, write: true}, nil
		default:
			return op{name: "PutObject", action: "s3:PutObject", fn: (*reqCtx).putObject, write: true}, nil
		}
	case http.MethodDelete:
		switch {
		case has(q, "tagging"):
			return op{name: "DeleteObjectTagging", action: "s3:DeleteObjectTagging", fn: (*reqCtx).deleteObjectTagging}, nil
		case has(q, "uploadId"):
			return op{name: "AbortMultipartUpload", action: "s3:AbortMultipartUpload", fn: (*reqCtx).abortMultipartUpload, write: true}, nil
		default:
			return op{name: "DeleteObject", action: "s3:DeleteObject", fn: (*reqCtx).deleteObject, write: true}, nil
		}
	case http.MethodPost:
		switch {
		case has(q, "uploads"):
			return op{name: "CreateMultipartUpload", action: "s3:PutObject", fn: (*reqCtx).createMultipartUpload, write: true}, nil
		case has(q, "uploadId"):
			return op{name: "CompleteMultipartUpload", action: "s3:PutObject", fn: (*reqCtx).completeMultipartUpload, write: true}, nil
		}
	}
	return op{name: "Unknown"}, s3err.NotImplemented.WithMessage("This object operation is not supported.")
}

// onlyPresignParams reports whether every query parameter belongs to
// query-string authentication (so a presigned CreateBucket still routes).
func onlyPresignParams(q url.Values) bool {
	for k := range q {
		if !strings.HasPrefix(strings.ToLower(k), "x-amz-") && k != "AWSAccessKeyId" && k != "Signature" && k != "Expires" && k != "x-id" {
			return false
		}
	}
	return true
}

// handle runs a request through the whole path: classify (once, here),
// then the API's own pipeline; for the S3 data plane authenticate, decide
// and operate.
func (s *Server) handle(rc *reqCtx) error {
	r := rc.r
	rc.class.API = s.apiOf(rc)
	if headerBytes(r.Header) > maxHeaderBytes {
		return s3err.RequestHeaderSectionTooLarge.With(s3err.Field{Name: "MaxSizeAllowed", Value: itoa(maxHeaderBytes)})
	}
	if err := s.classify(rc); err != nil {
		return err
	}
	switch rc.class.API {
	case APIAdminNetworks:
		return s.adminNetworks(rc) // admin_networks.go
	case APIControl:
		return s.serveControl(rc) // control.go
	case APIS3Outposts:
		return s.serveS3Outposts(rc) // s3outposts.go
	case APIQuery:
		return s.serveQueryAPI(rc) // IAM, STS and the admin actions (query.go)
	}
	if rc.op.name == "PreflightRequest" {
		// No bucket has CORS rules yet, so no origin is allowed.
		if r.Header.Get("Origin") == "" {
			return s3err.PreflightWithoutOrigin
		}
		return s3err.CORSNotEnabled
	}
	// Authenticate before reporting routing errors, as S3 does, so an
	// unauthenticated caller learns nothing about what is supported.
	if err := s.authenticate(rc); err != nil {
		return err
	}
	if err := rc.class.RouteErr; err != nil {
		return err
	}
	// Only now, for an authenticated caller, is the access point read.
	s.lookupRequestAccessPoint(rc) // accesspoint.go
	if len(rc.key) > 1024 {
		return s3err.KeyTooLong.With(s3err.Field{Name: "Size", Value: itoa(len(rc.key))}, s3err.Field{Name: "MaxSizeAllowed", Value: "1024"})
	}
	if err := s.authorize(rc); err != nil {
		return err
	}
	if !rc.caller.Valid() {
		return errNoIdentity
	}
	return rc.op.fn(rc)
}

// authenticate runs authn for an S3 request and records its Identity.
func (s *Server) authenticate(rc *reqCtx) error {
	res := []string{"/" + rc.bucket + "/" + rc.key}
	if rc.bucket == "" {
		res = []string{"/"}
	} else if rc.key == "" {
		res = []string{"/" + rc.bucket + "/", "/" + rc.bucket}
	}
	id, err := s.authn.Authenticate(rc.r.Context(), authn.Request{R: rc.r, Addresses: rc.addresses(rc.publicPath()), V2Resources: res})
	// SigV2 where it is refused (sigv2.go) gets that answer whether its
	// signature verified or not; checked here, SigV4 requests pay nothing.
	if err != nil || id.Verified().Algorithm == sigv4.AlgorithmV2 {
		if rerr := s.refuseSigV2(rc); rerr != nil {
			return rerr
		}
	}
	if err != nil {
		return err
	}
	rc.setIdentity(id)
	s.recordKeyUse(rc.verified)
	return nil
}

// addresses are the host and path the client may have signed: the ones it
// saw in front of a trusted proxy (publicHost and the given path), then,
// if they differ, the ones that reached the server (a client that came
// directly signed what it sent).
func (rc *reqCtx) addresses(publicPath string) []authn.Address {
	public := authn.Address{Host: rc.publicHost(), Path: publicPath}
	direct := authn.Address{Host: rc.r.Host, Path: rc.r.URL.EscapedPath()}
	if public == direct {
		return []authn.Address{direct}
	}
	return []authn.Address{public, direct}
}

// setIdentity records who the request proved to be. It is the only place
// rc.verified and rc.principal are set, and only from an authn.Identity.
func (rc *reqCtx) setIdentity(id *authn.Identity) {
	rc.caller = id
	rc.verified = id.Verified()
	rc.principal = id.Principal()
}

// errNoIdentity would mean a handler was reached without authentication: a
// bug, refused rather than run.
var errNoIdentity = s3err.InternalError.WithMessage("The request reached an operation without an authenticated identity.")

// maxHeaderBytes is S3's limit on the request header section (8 KB).
const maxHeaderBytes = 8 << 10

func headerBytes(h http.Header) int {
	n := 0
	for k, vs := range h {
		for _, v := range vs {
			n += len(k) + len(v) + 4
		}
	}
	return n
}

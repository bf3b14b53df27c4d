package server

import (
	"context"
	"errors"
	"strings"

	"github.com/outpost-s3/outpost/arn"
	"github.com/outpost-s3/outpost/internal/meta"
	"github.com/outpost-s3/outpost/internal/s3err"
)

// The data plane through S3 on Outposts access points
// (https://docs.aws.amazon.com/AmazonS3/latest/s3-outposts/S3OutpostsAccessPoints.html).
// A request names an access point in one of four ways:
//
//	https://{ap}-{account}.{outpost-id}.{any host}/{key}   the SDKs, given an access point ARN
//	https://{alias}.op-{outpost}.{any host}/{key}          the SDKs, given an alias (Outposts rack)
//	https://{alias}.ec2.{any host}/{key}                   the SDKs, given an alias (Outposts server)
//	/{alias}/{key}, /{url-encoded ARN}/{key}               path style, custom resolvers, minio-go
//
// An alias may stand wherever a bucket name does, x-amz-copy-source
// included. The request then acts on the access point's bucket; rc.ap
// records the access point for authorization: its policy
// (authz.go, viaAccessPoint) and its network origin (authorizeAccessPoint).

// apAddress is how a request names an access point: by alias, or by name
// with its account and outpost.
type apAddress struct {
	alias                  string
	name, account, outpost string
}

// parseAccessPointHost recognises the host names the AWS SDKs build for an
// access point (host in lower case, without port). The first label is
// {ap}-{account} or an alias; access point names may contain '-', so the
// account is what follows the last '-'. The second label is the outpost
// ID (op-… or ec2); at least one more label (the endpoint host) follows.
func parseAccessPointHost(host string) (apAddress, bool) {
	first, rest, ok := strings.Cut(host, ".")
	if !ok {
		return apAddress{}, false
	}
	second, base, ok := strings.Cut(rest, ".")
	if !ok || base == "" || !arn.ValidOutpostID(second) {
		return apAddress{}, false
	}
	if arn.IsAlias(first) {
		return apAddress{alias: first, outpost: second}, true
	}
	i := strings.LastIndexByte(first, '-')
	if i < 0 {
		return apAddress{}, false
	}
	name, account := first[:i], first[i+1:]
	if !arn.ValidAccountID(account) || !arn.ValidAccessPointName(name) {
		return apAddress{}, false
	}
	return apAddress{name: name, account: account, outpost: second}, true
}

// parseAccessPointARNPath recognises a path-style request whose bucket is
// a URL-encoded S3 on Outposts ARN: target has split the decoded path at
// its first '/', inside the ARN. It returns the access point (or, for a
// bucket ARN, the bucket name) and the key.
func parseAccessPointARNPath(bucket, key string) (addr apAddress, bucketName, objectKey string, ok bool) {
	if !strings.HasPrefix(bucket, "arn:") {
		return apAddress{}, "", "", false
	}
	segs := strings.SplitN(bucket+"/"+key, "/", 5)
	if len(segs) < 4 {
		return apAddress{}, "", "", false
	}
	res, err := arn.ParseOutposts(strings.Join(segs[:4], "/"))
	if err != nil {
		return apAddress{}, "", "", false
	}
	if len(segs) == 5 {
		objectKey = segs[4]
	}
	switch res.Kind {
	case arn.KindAccessPoint:
		return apAddress{name: res.AccessPoint, account: res.AccountID, outpost: res.OutpostID}, "", objectKey, true
	case arn.KindBucket:
		return apAddress{}, res.Bucket, objectKey, true
	}
	return apAddress{}, "", "", false
}

// lookupRequestAccessPoint finds the access point classification found in
// the request's address (addressAccessPoint, classify.go), maps the request
// onto its bucket and records it in rc.ap. An unknown access point is
// remembered in rc.apErr and reported after authentication (by
// authorizeAccessPoint), as an unknown bucket is, so an unauthenticated
// caller learns nothing.
func (s *Server) lookupRequestAccessPoint(rc *reqCtx) {
	if a := rc.class.AccessPoint; a != nil {
		s.useAccessPoint(rc, *a)
	}
}

func (s *Server) useAccessPoint(rc *reqCtx, a apAddress) {
	ap, err := s.lookupAccessPoint(rc.r.Context(), a)
	if err != nil {
		rc.apErr = err
		return
	}
	rc.ap = &ap
	rc.bucket = ap.Bucket
}

// lookupAccessPoint finds the access point an address names.
func (s *Server) lookupAccessPoint(ctx context.Context, a apAddress) (meta.AccessPoint, error) {
	name := a.name
	if a.alias != "" {
		name = a.alias
	}
	notFound := s3err.NoSuchAccessPoint.With(s3err.Field{Name: "AccessPointName", Value: name})
	st := s.cfg.Meta
	var ap meta.AccessPoint
	var err error
	if a.alias != "" {
		ap, err = st.GetAccessPointByAlias(ctx, a.alias)
	} else {
		outpost := a.outpost
		if outpost == "ec2" {
			outpost = s.cfg.OutpostID // an Outposts server names itself ec2
		}
		ap, err = st.GetAccessPoint(ctx, a.account, outpost, a.name)
	}
	if errors.Is(err, meta.ErrNoSuchAccessPoint) || errors.Is(err, meta.ErrNotFound) {
		return meta.AccessPoint{}, notFound
	}
	return ap, err
}

// accessPointBucketOps are the bucket-level operations of the S3 on
// Outposts object API, the only ones an access point serves
// (https://docs.aws.amazon.com/AmazonS3/latest/s3-outposts/S3OutpostsAPI.html).
var accessPointBucketOps = map[string]bool{
	"HeadBucket": true, "ListObjects": true, "ListObjectsV2": true, "ListObjectVersions": true,
	"ListMultipartUploads": true, "DeleteObjects": true,
}

// authorizeAccessPoint is the access point's part of authorization, run
// before the policies: the access point must exist, serve the operation,
// and the request must come from its network. The access point's policy
// is evaluated with the others (authz.go).
func (s *Server) authorizeAccessPoint(rc *reqCtx) error {
	if rc.apErr != nil {
		return rc.apErr
	}
	if rc.ap == nil {
		return nil
	}
	if rc.key == "" && !accessPointBucketOps[rc.op.name] {
		return s3err.InvalidRequest.WithMessage("The " + rc.op.name + " operation cannot be sent to an access point; manage Outposts buckets with the S3 Control API.")
	}
	return rc.checkNetworkOrigin(rc.ap)
}

// checkNetworkOrigin enforces an access point's VPC binding: a request
// reaches an access point bound to a VPC only through an endpoint of that
// VPC on this outpost — from an address in the VPC's CIDRs, or in its
// on-premises ranges when the endpoint is of type CustomerOwnedIp
// (S3OutpostsNetworking.md: "An access point for the VPC" and "An
// endpoint for the same VPC").
func (rc *reqCtx) checkNetworkOrigin(ap *meta.AccessPoint) error {
	if ap.VpcID == "" {
		return nil
	}
	o := rc.origin()
	if o.vpc == ap.VpcID && o.endpoint != nil {
		return nil
	}
	return s3err.AccessDenied.WithMessage("The request did not come from the access point's network (" + ap.VpcID + ").")
}

// resolveCopySource finds the bucket an x-amz-copy-source names: a
// bucket, an access point alias, or an access point or bucket ARN. For an
// access point it checks the request's network against it and returns it,
// so the read of the source is authorized through it.
func (rc *reqCtx) resolveCopySource(name string) (meta.Bucket, *meta.AccessPoint, error) {
	ctx := rc.r.Context()
	var a apAddress
	switch {
	case arn.IsAlias(name):
		a.alias = name
	case strings.HasPrefix(name, "arn:"):
		res, err := arn.ParseOutposts(name)
		if err != nil {
			return meta.Bucket{}, nil, s3err.InvalidArgument.WithMessage("Copy Source ARN: " + err.Error()).With(s3err.Field{Name: "ArgumentName", Value: "x-amz-copy-source"})
		}
		switch res.Kind {
		case arn.KindAccessPoint:
			a = apAddress{name: res.AccessPoint, account: res.AccountID, outpost: res.OutpostID}
		case arn.KindBucket:
			return rc.copySourceBucket(res.Bucket)
		default:
			return meta.Bucket{}, nil, s3err.InvalidArgument.WithMessage("Copy Source ARN must name a bucket or an access point.").With(s3err.Field{Name: "ArgumentName", Value: "x-amz-copy-source"})
		}
	default:
		return rc.copySourceBucket(name)
	}
	ap, err := rc.s.lookupAccessPoint(ctx, a)
	if err != nil {
		return meta.Bucket{}, nil, err
	}
	if err := rc.checkNetworkOrigin(&ap); err != nil {
		return meta.Bucket{}, nil, err
	}
	b, err := rc.s.resolveBucket(ctx, ap.Bucket)
	return b, &ap, err
}

// copySourceBucket is a copy source named by its bucket: a plain bucket;
// an Outposts bucket is read only through an access point.
func (rc *reqCtx) copySourceBucket(name string) (meta.Bucket, *meta.AccessPoint, error) {
	b, err := rc.s.resolveBucket(rc.r.Context(), name)
	if err == nil && b.OutpostID != "" {
		return meta.Bucket{}, nil, errOutpostsBucketByName(rc.s.cfg.Region, &b)
	}
	return b, nil, err
}

package server

import (
	"strings"

	"github.com/outpost-s3/outpost/internal/meta"
	"github.com/outpost-s3/outpost/internal/s3err"
	"github.com/outpost-s3/outpost/sigv4"
)

// Signature Version 2 is accepted only where its signature names the
// bucket: plain buckets, path-style or virtual-hosted. Its
// CanonicalizedResource for an access point is "/{key}" (botocore signs
// neither the access point nor the Host), so a SigV2 link made for one
// access point would work on every other one and on their aliases.
// Access points, aliases, ARN paths, Outposts buckets, S3 Control and
// s3outposts therefore refuse SigV2, as AWS refuses it wherever it
// requires SigV4, whether or not the signature is valid.

// errSigV2NotSupported is AWS's answer to SigV2 where SigV4 is required,
// with how to make the common clients sign SigV4.
var errSigV2NotSupported = s3err.InvalidRequest.WithMessage(
	"The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256. " +
		"Access points, access point aliases and Outposts buckets accept Signature Version 4 only: " +
		"with boto3, create the client with Config(signature_version='s3v4'); " +
		"with AWS CLI v1, run `aws configure set default.s3.signature_version s3v4`; " +
		"AWS CLI v2 and `outpost presign` sign with SigV4 already.")

// refuseSigV2 refuses a SigV2 request (header or query) that addresses an
// access point (host, alias or ARN path) or an Outposts bucket. authenticate
// calls it for every request that verified as SigV2 and every request that
// failed verification, so a valid signature gets no further than a forged
// one, and no operation runs.
func (s *Server) refuseSigV2(rc *reqCtx) error {
	if !sigv4.IsSigV2(rc.r) {
		return nil
	}
	if rc.class.AccessPoint != nil || addressedByARN(rc) {
		return errSigV2NotSupported
	}
	if rc.bucket == "" {
		return nil
	}
	// An unknown bucket is reported after authentication, as usual.
	if b, err := rc.loadBucket(); err == nil && b.OutpostID != "" {
		return errSigV2NotSupported
	}
	return nil
}

// addressedByARN reports whether the request named its bucket or access
// point by an ARN path (/arn:aws:s3-outposts:…/key).
func addressedByARN(rc *reqCtx) bool {
	return strings.HasPrefix(rc.r.URL.Path, "/arn:")
}

// refuseSigV2CopySource refuses a SigV2 copy whose x-amz-copy-source is
// an access point or an Outposts bucket, for the same reason.
func (rc *reqCtx) refuseSigV2CopySource(b *meta.Bucket, ap *meta.AccessPoint) error {
	if v := rc.verified; v != nil && v.Algorithm == sigv4.AlgorithmV2 && (ap != nil || b.OutpostID != "") {
		return errSigV2NotSupported
	}
	return nil
}

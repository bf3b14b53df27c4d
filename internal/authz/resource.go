package authz

import (
	"strings"

	"github.com/outpost-s3/outpost/arn"
	"github.com/outpost-s3/outpost/internal/meta"
)

// Partition is the ARN partition of every resource Outpost serves.
const Partition = "aws"

// Service is the namespace of the actions and condition keys that apply to
// b: s3-outposts for an Outposts bucket, s3 for a plain one (and for no
// bucket).
func Service(b *meta.Bucket) string {
	if b != nil && b.OutpostID != "" {
		return arn.ServiceOutposts
	}
	return "s3"
}

// ActionFor maps an s3: action to b's namespace: s3:GetObject is
// s3-outposts:GetObject on an Outposts bucket. Other actions are returned
// unchanged.
func ActionFor(b *meta.Bucket, action string) string {
	if b != nil && b.OutpostID != "" {
		if name, ok := strings.CutPrefix(action, "s3:"); ok {
			return arn.ServiceOutposts + ":" + name
		}
	}
	return action
}

// S3ARN is the ARN of a plain bucket, or with a key of one of its objects:
// arn:aws:s3:::BUCKET[/KEY]. bucket may be a pattern ("*").
func S3ARN(bucket, key string) string {
	return arn.S3Resource{Partition: Partition, Bucket: bucket, Key: key}.String()
}

// OutpostsARN is the ARN of an S3 on Outposts resource of account on
// outpostID: the outpost itself (kind arn.KindOutpost, name ignored), or its
// bucket, access point or endpoint called name (which may be a pattern, "*").
func OutpostsARN(region, account, outpostID string, kind arn.Kind, name string) string {
	r := arn.OutpostsResource{Partition: Partition, Region: region, AccountID: account, OutpostID: outpostID, Kind: kind}
	switch kind {
	case arn.KindBucket:
		r.Bucket = name
	case arn.KindAccessPoint:
		r.AccessPoint = name
	case arn.KindEndpoint:
		r.Endpoint = name
	}
	return r.String()
}

// BucketARN is the policy resource of b, or with a key of one of its
// objects: arn:aws:s3:::B[/K] for a plain bucket,
// arn:aws:s3-outposts:REGION:ACCOUNT:outpost/OP/bucket/B[/object/K] for an
// Outposts bucket.
func BucketARN(region string, b *meta.Bucket, key string) string {
	if b.OutpostID == "" {
		return S3ARN(b.Name, key)
	}
	r := arn.OutpostsResource{Partition: Partition, Region: region, AccountID: b.Account, OutpostID: b.OutpostID, Kind: arn.KindBucket, Bucket: b.Name}
	if key != "" {
		r = r.ObjectARN(key)
	}
	return r.String()
}

// AccessPointARN is ap's ARN, or with a key the ARN of that object through
// it (…/accesspoint/NAME/object/KEY).
func AccessPointARN(region string, ap *meta.AccessPoint, key string) string {
	r := arn.OutpostsResource{Partition: Partition, Region: region, AccountID: ap.Account, OutpostID: ap.OutpostID, Kind: arn.KindAccessPoint, AccessPoint: ap.Name}
	if key != "" {
		r = r.ObjectARN(key)
	}
	return r.String()
}

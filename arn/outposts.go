package arn

import (
	"strings"
	"unicode/utf8"
)

// ServiceOutposts is the ARN service name of Amazon S3 on Outposts.
const ServiceOutposts = "s3-outposts"

// Kind identifies which S3 on Outposts resource an [OutpostsResource] names.
type Kind uint8

// The S3 on Outposts resource kinds, as listed in "Resource ARNs for S3 on
// Outposts" (https://docs.aws.amazon.com/AmazonS3/latest/s3-outposts/S3OutpostsIAM.html#S3OutpostsARN).
const (
	KindOutpost     Kind = iota + 1 // outpost/OUTPOST_ID
	KindBucket                      // outpost/OUTPOST_ID/bucket/NAME
	KindAccessPoint                 // outpost/OUTPOST_ID/accesspoint/NAME
	KindEndpoint                    // outpost/OUTPOST_ID/endpoint/ID
	KindObject                      // outpost/OUTPOST_ID/{bucket|accesspoint}/NAME/object/KEY
)

// String returns the lower-case name of k as used in ARNs ("outpost",
// "bucket", "accesspoint", "endpoint", "object"), or "" for the zero Kind.
func (k Kind) String() string {
	switch k {
	case KindOutpost:
		return "outpost"
	case KindBucket:
		return "bucket"
	case KindAccessPoint:
		return "accesspoint"
	case KindEndpoint:
		return "endpoint"
	case KindObject:
		return "object"
	}
	return ""
}

// OutpostsResource is a validated S3 on Outposts ARN.
//
// Exactly the fields that matter for Kind are set: OutpostID always;
// Bucket for KindBucket; AccessPoint for KindAccessPoint; Endpoint for
// KindEndpoint; for KindObject, Key and one of Bucket or AccessPoint, with
// ObjectParent saying which (KindBucket or KindAccessPoint).
type OutpostsResource struct {
	Partition string
	Region    string // the Region the Outpost is homed to
	AccountID string // 12 digits

	Kind         Kind
	OutpostID    string // "op-" + 17 hex digits, or "ec2"
	Bucket       string
	AccessPoint  string
	Endpoint     string
	Key          string // object key, may contain '/', ':' and, in policies, '*'
	ObjectParent Kind   // KindBucket or KindAccessPoint when Kind == KindObject
}

// maxKeyLength is the S3 limit on object key length, in bytes of UTF-8.
const maxKeyLength = 1024

// nextComponent splits s at the first '/' or ':'. The AWS SDK ARN parsers
// split Outposts resources on both delimiters, which is why
// "outpost:op-…:accesspoint:name" is accepted as well as the slash form.
func nextComponent(s string) (comp, rest string, more bool) {
	i := strings.IndexAny(s, "/:")
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+1:], true
}

// ParseOutposts parses and validates an S3 on Outposts ARN of any form:
//
//	arn:PARTITION:s3-outposts:REGION:ACCOUNT:outpost/OUTPOST_ID
//	…:outpost/OUTPOST_ID/bucket/NAME
//	…:outpost/OUTPOST_ID/accesspoint/NAME
//	…:outpost/OUTPOST_ID/endpoint/ID
//	…:outpost/OUTPOST_ID/bucket/NAME/object/KEY
//	…:outpost/OUTPOST_ID/accesspoint/NAME/object/KEY
//
// Resource components may be separated by ':' instead of '/', as the AWS SDKs
// accept (outpost:op-01ac5d28a6a232904:accesspoint:name); the object key is
// everything after "object/" and is kept verbatim. Errors are *[Error] with
// SDK-style messages.
func ParseOutposts(s string) (OutpostsResource, error) {
	a, err := Parse(s)
	if err != nil {
		return OutpostsResource{}, err
	}
	if a.Service != ServiceOutposts {
		return OutpostsResource{}, errorf(s, "service", "Invalid ARN: The ARN was not for the S3 on Outposts service, found: "+a.Service)
	}
	if !ValidPartition(a.Partition) {
		return OutpostsResource{}, errorf(s, "partition", "Invalid ARN: Unknown partition `"+a.Partition+"`; expected aws, aws-cn, aws-us-gov, aws-iso or aws-iso-b")
	}
	if !validRegion(a.Region) {
		if a.Region == "" {
			return OutpostsResource{}, errorf(s, "region", "Invalid ARN: The ARN is missing a region")
		}
		return OutpostsResource{}, errorf(s, "region", "Invalid region in ARN: `"+a.Region+"` (invalid DNS name)")
	}
	if !ValidAccountID(a.AccountID) {
		if a.AccountID == "" {
			return OutpostsResource{}, errorf(s, "account", "Invalid ARN: Missing account id")
		}
		if !isHostLabel(a.AccountID) {
			return OutpostsResource{}, errorf(s, "account", "Invalid ARN: The account id may only contain a-z, A-Z, 0-9 and `-`. Found: `"+a.AccountID+"`")
		}
		return OutpostsResource{}, errorf(s, "account", "Invalid ARN: The account id must be 12 digits. Found: `"+a.AccountID+"`")
	}
	r := OutpostsResource{Partition: a.Partition, Region: a.Region, AccountID: a.AccountID}

	typ, rest, more := nextComponent(a.Resource)
	if typ != "outpost" {
		if typ == "" {
			return OutpostsResource{}, errorf(s, "resource", "Invalid ARN: No ARN type specified")
		}
		return OutpostsResource{}, errorf(s, "resource", "Invalid ARN: Unrecognized format: "+s+" (type: "+typ+")")
	}
	id, rest, more2 := nextComponent(rest)
	if !more || id == "" {
		return OutpostsResource{}, errorf(s, "outpost", "Invalid ARN: The Outpost Id was not set")
	}
	if !isHostLabel(id) {
		return OutpostsResource{}, errorf(s, "outpost", "Invalid ARN: The outpost Id may only contain a-z, A-Z, 0-9 and `-`. Found: `"+id+"`")
	}
	if !ValidOutpostID(id) {
		return OutpostsResource{}, errorf(s, "outpost", "Invalid ARN: The outpost Id must be `op-` followed by 17 lowercase hexadecimal digits, or `ec2`. Found: `"+id+"`")
	}
	r.OutpostID = id
	if !more2 {
		r.Kind = KindOutpost
		return r, nil
	}

	sub, rest, more := nextComponent(rest)
	name, rest, more2 := nextComponent(rest)
	switch sub {
	case "bucket", "accesspoint", "endpoint":
	default:
		return OutpostsResource{}, errorf(s, "resource", "Invalid ARN: Expected an outpost type `bucket`, `accesspoint` or `endpoint`, found "+sub)
	}
	if !more || name == "" {
		switch sub {
		case "accesspoint":
			return OutpostsResource{}, errorf(s, "accesspoint", "Invalid ARN: expected an access point name")
		case "bucket":
			return OutpostsResource{}, errorf(s, "bucket", "Invalid ARN: expected a bucket name")
		default:
			return OutpostsResource{}, errorf(s, "endpoint", "Invalid ARN: expected an endpoint id")
		}
	}
	switch sub {
	case "bucket":
		if !ValidBucketName(name) {
			return OutpostsResource{}, errorf(s, "bucket", "Invalid ARN: The bucket name must be 3-63 characters of a-z, 0-9, `.` and `-`, beginning and ending with a letter or number. Found: `"+name+"`")
		}
		r.Kind, r.Bucket = KindBucket, name
	case "accesspoint":
		if !isHostLabel(name) {
			return OutpostsResource{}, errorf(s, "accesspoint", "Invalid ARN: The access point name may only contain a-z, A-Z, 0-9 and `-`. Found: `"+name+"`")
		}
		if !ValidAccessPointName(name) {
			return OutpostsResource{}, errorf(s, "accesspoint", "Invalid ARN: The access point name must be 3-50 characters of a-z, 0-9 and `-`, beginning and ending with a letter or number. Found: `"+name+"`")
		}
		r.Kind, r.AccessPoint = KindAccessPoint, name
	case "endpoint":
		if more2 {
			return OutpostsResource{}, errorf(s, "endpoint", "Invalid Arn: Outpost Endpoint ARN contains sub resources")
		}
		if !ValidEndpointID(name) {
			return OutpostsResource{}, errorf(s, "endpoint", "Invalid ARN: The endpoint id must be 19 characters of a-z, A-Z and 0-9. Found: `"+name+"`")
		}
		r.Kind, r.Endpoint = KindEndpoint, name
		return r, nil
	}
	if !more2 {
		return r, nil
	}

	// Only ".../object/KEY" may follow a bucket or access point.
	obj, key, more := nextComponent(rest)
	if obj != "object" {
		if r.Kind == KindAccessPoint {
			return OutpostsResource{}, errorf(s, "resource", "Invalid Arn: Outpost Access Point ARN contains sub resources")
		}
		return OutpostsResource{}, errorf(s, "resource", "Invalid Arn: Outpost Bucket ARN contains sub resources")
	}
	if !more || key == "" {
		return OutpostsResource{}, errorf(s, "object", "Invalid ARN: expected an object key after `object/`")
	}
	if len(key) > maxKeyLength || !utf8.ValidString(key) {
		return OutpostsResource{}, errorf(s, "object", "Invalid ARN: The object key must be valid UTF-8 of at most 1024 bytes")
	}
	r.ObjectParent, r.Kind, r.Key = r.Kind, KindObject, key
	return r, nil
}

// MustParseOutposts is like [ParseOutposts] but panics on error. It is meant
// for constants in tests and examples.
func MustParseOutposts(s string) OutpostsResource {
	r, err := ParseOutposts(s)
	if err != nil {
		panic(err)
	}
	return r
}

// Resource returns the resource part of the ARN in the canonical,
// slash-delimited form, e.g. "outpost/op-01ac5d28a6a232904/bucket/b".
func (r OutpostsResource) Resource() string {
	var b strings.Builder
	b.WriteString("outpost/")
	b.WriteString(r.OutpostID)
	kind := r.Kind
	if kind == KindObject {
		kind = r.ObjectParent
	}
	switch kind {
	case KindBucket:
		b.WriteString("/bucket/")
		b.WriteString(r.Bucket)
	case KindAccessPoint:
		b.WriteString("/accesspoint/")
		b.WriteString(r.AccessPoint)
	case KindEndpoint:
		b.WriteString("/endpoint/")
		b.WriteString(r.Endpoint)
	}
	if r.Kind == KindObject {
		b.WriteString("/object/")
		b.WriteString(r.Key)
	}
	return b.String()
}

// ARN returns r as a generic [ARN] with service "s3-outposts".
func (r OutpostsResource) ARN() ARN {
	return ARN{Partition: r.Partition, Service: ServiceOutposts, Region: r.Region, AccountID: r.AccountID, Resource: r.Resource()}
}

// String formats r in the canonical slash-delimited form. Parsing the result
// with [ParseOutposts] yields r again, so the colon-delimited input form is
// normalised to slashes.
func (r OutpostsResource) String() string {
	// One concatenation, so one allocation: servers format ARNs for every
	// request they authorize.
	kind := r.Kind
	if kind == KindObject {
		kind = r.ObjectParent
	}
	var sub, name, obj string
	switch kind {
	case KindBucket:
		sub, name = "/bucket/", r.Bucket
	case KindAccessPoint:
		sub, name = "/accesspoint/", r.AccessPoint
	case KindEndpoint:
		sub, name = "/endpoint/", r.Endpoint
	}
	if r.Kind == KindObject {
		obj = "/object/"
	}
	return "arn:" + r.Partition + ":" + ServiceOutposts + ":" + r.Region + ":" + r.AccountID + ":outpost/" + r.OutpostID + sub + name + obj + r.Key
}

// Parent returns the resource that contains r: the bucket or access point of
// an object, the outpost of a bucket, access point or endpoint. The parent of
// an outpost is itself.
func (r OutpostsResource) Parent() OutpostsResource {
	p := OutpostsResource{Partition: r.Partition, Region: r.Region, AccountID: r.AccountID, OutpostID: r.OutpostID, Kind: KindOutpost}
	switch r.Kind {
	case KindObject:
		p.Kind = r.ObjectParent
		p.Bucket, p.AccessPoint = r.Bucket, r.AccessPoint
	case KindOutpost:
		return r
	}
	return p
}

// ObjectARN returns the ARN of the object key inside the bucket or access
// point r. It panics if r is not a bucket or access point.
func (r OutpostsResource) ObjectARN(key string) OutpostsResource {
	if r.Kind != KindBucket && r.Kind != KindAccessPoint {
		panic("arn: ObjectARN on a " + r.Kind.String() + " ARN")
	}
	o := r
	o.ObjectParent, o.Kind, o.Key = r.Kind, KindObject, key
	return o
}

// Package arn parses, validates and formats Amazon Resource Names (ARNs),
// with first-class support for Amazon S3 on Outposts.
//
// Three levels are offered:
//
//   - [Parse] splits any ARN, arn:partition:service:region:account-id:resource,
//     without judging its contents (as the AWS SDKs' generic ARN parsers do).
//   - [ParseOutposts] parses and validates every s3-outposts resource form
//     (outpost, bucket, access point, endpoint and the two object forms) with
//     the rules and messages of the AWS SDK endpoint rules.
//   - [ParseS3] handles plain S3 bucket and object ARNs, arn:aws:s3:::bucket/key.
//
// Access point aliases (the bucket-style names ending in "--op-s3") are built
// by [NewAlias] and decoded by [ParseAlias].
//
// See https://docs.aws.amazon.com/AmazonS3/latest/s3-outposts/S3OutpostsIAM.html#S3OutpostsARN
// and https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html.
//
// The package depends only on the Go standard library.
package arn

import (
	"strings"
)

// ARN is a generic Amazon Resource Name split into its six fields.
// Resource holds everything after the fifth colon, colons included.
type ARN struct {
	Partition string // "aws", "aws-cn", ...
	Service   string // "s3", "s3-outposts", "iam", ...
	Region    string // empty for global services and plain S3 buckets
	AccountID string // empty for plain S3 buckets
	Resource  string // service-specific, may contain ':' and '/'
}

// Error is the error returned by every parser in this package. Its message
// follows the wording of the AWS SDK endpoint rules (for example
// "Invalid ARN: The outpost Id may only contain a-z, A-Z, 0-9 and `-`. Found: `op_1`")
// so that clients see the text they would see from AWS tooling.
type Error struct {
	Input   string // the string that was being parsed
	Field   string // the offending part: "arn", "partition", "service", "region", "account", "outpost", "bucket", "accesspoint", "endpoint", "object", "resource", "alias"
	Message string // human-readable, SDK-style message
}

// Error returns e.Message.
func (e *Error) Error() string { return e.Message }

func errorf(input, field, msg string) *Error {
	return &Error{Input: input, Field: field, Message: msg}
}

// Parse splits s into the fields of an ARN. It checks only the structure:
// the "arn" prefix, six colon-separated fields, and non-empty partition,
// service and resource. Region and account may be empty (IAM and plain S3
// ARNs leave them empty).
func Parse(s string) (ARN, error) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" || parts[2] == "" || parts[5] == "" {
		return ARN{}, errorf(s, "arn", "Invalid ARN: `"+s+"` was not a valid ARN")
	}
	return ARN{Partition: parts[1], Service: parts[2], Region: parts[3], AccountID: parts[4], Resource: parts[5]}, nil
}

// IsARN reports whether s has the structure of an ARN (see [Parse]).
func IsARN(s string) bool {
	_, err := Parse(s)
	return err == nil
}

// String formats a as arn:partition:service:region:account-id:resource.
func (a ARN) String() string {
	return "arn:" + a.Partition + ":" + a.Service + ":" + a.Region + ":" + a.AccountID + ":" + a.Resource
}

// Partitions lists the partitions in which S3 on Outposts ARNs are valid,
// as in the s3outposts API model's endpoint ARN pattern
// ^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b):s3-outposts:...
var partitions = map[string]bool{"aws": true, "aws-cn": true, "aws-us-gov": true, "aws-iso": true, "aws-iso-b": true}

// ValidPartition reports whether p is one of the partitions S3 on Outposts
// accepts: aws, aws-cn, aws-us-gov, aws-iso and aws-iso-b.
func ValidPartition(p string) bool { return partitions[p] }

// ValidAccountID reports whether s is a 12-digit AWS account ID (^\d{12}$).
func ValidAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isHostLabel mirrors the SDK rules function isValidHostLabel(s, false):
// 1 to 63 characters of a-z, A-Z, 0-9 and '-', not starting with '-'.
func isHostLabel(s string) bool {
	if len(s) == 0 || len(s) > 63 || s[0] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func isLowerHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' }

func isLowerAlnum(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' }

// ValidOutpostID reports whether s is an Outpost ID: "op-" followed by 17
// lowercase hex digits (Outposts racks, e.g. op-01ac5d28a6a232904) or the
// literal "ec2" used by Outposts servers in access point ARNs.
func ValidOutpostID(s string) bool {
	if s == "ec2" {
		return true
	}
	if len(s) != 20 || !strings.HasPrefix(s, "op-") {
		return false
	}
	for i := 3; i < len(s); i++ {
		if !isLowerHex(s[i]) {
			return false
		}
	}
	return true
}

// ValidAccessPointName reports whether s is a valid S3 on Outposts access
// point name: 3 to 50 characters matching ^[a-z0-9]([a-z0-9-]*[a-z0-9])?$
// (the AWS::S3Outposts::AccessPoint CloudFormation pattern).
func ValidAccessPointName(s string) bool {
	if len(s) < 3 || len(s) > 50 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isLowerAlnum(s[i]) && s[i] != '-' {
			return false
		}
	}
	return true
}

// ValidEndpointID reports whether s is an S3 on Outposts endpoint ID:
// exactly 19 characters of a-z, A-Z and 0-9.
func ValidEndpointID(s string) bool {
	if len(s) != 19 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// ValidBucketName reports whether s follows the general-purpose S3 bucket
// naming rules, which S3 on Outposts applies too
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html):
// 3 to 63 characters of a-z, 0-9, '.' and '-'; beginning and ending with a
// letter or digit; no two adjacent periods; not formatted as an IPv4 address;
// not starting with "xn--" or "sthree-"; and not ending with the reserved
// suffixes "-s3alias", "--ol-s3", "--x-s3" or "--op-s3" (the last one is
// reserved for S3 on Outposts access point aliases, which share the bucket
// namespace).
func ValidBucketName(s string) bool {
	if len(s) < 3 || len(s) > 63 || !isLowerAlnum(s[0]) || !isLowerAlnum(s[len(s)-1]) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isLowerAlnum(c) && c != '-' && c != '.' {
			return false
		}
		if c == '.' && i > 0 && s[i-1] == '.' {
			return false
		}
	}
	if looksLikeIPv4(s) {
		return false
	}
	for _, p := range []string{"xn--", "sthree-"} {
		if strings.HasPrefix(s, p) {
			return false
		}
	}
	for _, suf := range []string{"-s3alias", "--ol-s3", "--x-s3", "--op-s3"} {
		if strings.HasSuffix(s, suf) {
			return false
		}
	}
	return true
}

func looksLikeIPv4(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return false
	}
	for _, p := range parts {
		if p == "" || len(p) > 3 {
			return false
		}
		for i := 0; i < len(p); i++ {
			if p[i] < '0' || p[i] > '9' {
				return false
			}
		}
	}
	return true
}

// validRegion accepts a non-empty DNS host label of lowercase letters,
// digits and hyphens, as the s3outposts model pattern [a-z\-0-9]* and the
// SDK's "Invalid region in ARN" rule require together.
func validRegion(s string) bool {
	if !isHostLabel(s) {
		return false
	}
	return strings.ToLower(s) == s
}

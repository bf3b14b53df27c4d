package arn

import (
	"strings"
	"unicode/utf8"
)

// S3Resource is a plain (non-Outposts) Amazon S3 bucket or object ARN,
// arn:PARTITION:s3:::BUCKET or arn:PARTITION:s3:::BUCKET/KEY. Such ARNs carry
// neither Region nor account ID
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-arn-format.html).
type S3Resource struct {
	Partition string
	Bucket    string
	Key       string // empty for a bucket ARN
}

// ParseS3 parses a plain S3 bucket or object ARN. The bucket name must follow
// [ValidBucketName]; the key, if present, is kept verbatim.
func ParseS3(s string) (S3Resource, error) {
	a, err := Parse(s)
	if err != nil {
		return S3Resource{}, err
	}
	if a.Service != "s3" {
		return S3Resource{}, errorf(s, "service", "Invalid ARN: The ARN was not for the S3 service, found: "+a.Service)
	}
	if !ValidPartition(a.Partition) {
		return S3Resource{}, errorf(s, "partition", "Invalid ARN: Unknown partition `"+a.Partition+"`; expected aws, aws-cn, aws-us-gov, aws-iso or aws-iso-b")
	}
	if a.Region != "" || a.AccountID != "" {
		return S3Resource{}, errorf(s, "resource", "Invalid ARN: S3 bucket and object ARNs must not contain a region or account id")
	}
	bucket, key, hasKey := strings.Cut(a.Resource, "/")
	if !ValidBucketName(bucket) {
		return S3Resource{}, errorf(s, "bucket", "Invalid ARN: The bucket name must be 3-63 characters of a-z, 0-9, `.` and `-`, beginning and ending with a letter or number. Found: `"+bucket+"`")
	}
	if hasKey && key == "" {
		return S3Resource{}, errorf(s, "object", "Invalid ARN: expected an object key after `"+bucket+"/`")
	}
	if len(key) > maxKeyLength || !utf8.ValidString(key) {
		return S3Resource{}, errorf(s, "object", "Invalid ARN: The object key must be valid UTF-8 of at most 1024 bytes")
	}
	return S3Resource{Partition: a.Partition, Bucket: bucket, Key: key}, nil
}

// String formats r as arn:PARTITION:s3:::BUCKET[/KEY].
func (r S3Resource) String() string {
	if r.Key == "" {
		return "arn:" + r.Partition + ":s3:::" + r.Bucket
	}
	return "arn:" + r.Partition + ":s3:::" + r.Bucket + "/" + r.Key // one allocation
}

package server

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/outpost-s3/outpost/internal/bucketconfig"
	"github.com/outpost-s3/outpost/internal/meta"
	"github.com/outpost-s3/outpost/internal/s3err"
	"github.com/outpost-s3/outpost/internal/s3xml"
)

// validBucketName applies the S3 bucket naming rules
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html).
func validBucketName(name string) bool {
	if len(name) < 3 || len(name) > 63 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '-' || c == '.':
			if i == 0 || i == len(name)-1 {
				return false
			}
		default:
			return false
		}
	}
	if strings.Contains(name, "..") || strings.Contains(name, ".-") || strings.Contains(name, "-.") {
		return false
	}
	if net.ParseIP(name) != nil {
		return false
	}
	for _, p := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(name, p) {
			return false
		}
	}
	for _, sfx := range []string{"-s3alias", "--ol-s3", "--op-s3", ".mrap", "--x-s3"} {
		if strings.HasSuffix(name, sfx) {
			return false
		}
	}
	return true
}

type createBucketConfiguration struct {
	XMLName            xml.Name `xml:"CreateBucketConfiguration"`
	LocationConstraint string   `xml:"LocationConstraint"`
}

func (rc *reqCtx) createBucket() error {
	if !validBucketName(rc.bucket) {
		return s3err.InvalidBucketName.With(s3err.Field{Name: "BucketName", Value: rc.bucket})
	}
	if err := refuseGrantHeaders(rc.r.Header); err != nil {
		return err
	}
	acl := rc.r.Header.Get("x-amz-acl")
	if acl == "" {
		acl = "private"
	}
	if !cannedACLs[acl] {
		return s3err.InvalidArgument.WithMessage("Invalid canned ACL: " + acl)
	}
	if rc.r.ContentLength != 0 || rc.verified.DecodedLength > 0 {
		var cfg createBucketConfiguration
		if err := rc.readXML(&cfg); err != nil {
			return err
		}
		lc := cfg.LocationConstraint
		if lc != "" && lc != rc.s.cfg.Region && !(lc == "US" && rc.s.cfg.Region == "us-east-1") {
			return s3err.InvalidArgument.WithMessage("The specified location-constraint is not valid").With(s3err.Field{Name: "LocationConstraint", Value: lc})
		}
	}
	err := rc.s.cfg.Meta.CreateBucket(rc.r.Context(), meta.Bucket{
		Name:      rc.bucket,
		Account:   rc.principal.Account,
		CreatedAt: rc.start,
		ACL:       acl,
	})
	if errors.Is(err, meta.ErrBucketExists) {
		b, gerr := rc.s.cfg.Meta.GetBucket(rc.r.Context(), rc.bucket)
		if gerr == nil && b.Account == rc.principal.Account {
			return s3err.BucketAlreadyOwnedByYou.With(s3err.Field{Name: "BucketName", Value: rc.bucket})
		}
		return s3err.BucketAlreadyExists.With(s3err.Field{Name: "BucketName", Value: rc.bucket})
	}
	if err != nil {
		return err
	}
	rc.w.Header().Set("Location", "/"+rc.bucket)
	return rc.ok()
}

func (rc *reqCtx) headBucket() error {
	rc.w.Header().Set("x-amz-bucket-region", rc.s.cfg.Region)
	rc.w.Header().Set("x-amz-access-point-alias", "false")
	return rc.ok()
}

func (rc *reqCtx) deleteBucket() error {
	if err := rc.s.deleteBucket(rc.r.Context(), rc.bucket); err != nil {
		return err
	}
	return rc.noContent()
}

// deleteBucket deletes a bucket with no object versions, S3's and S3
// Control's DeleteBucket alike. Multipart uploads in progress go with it, as
// in S3 (a bucket whose only content is an unfinished upload can be deleted).
func (s *Server) deleteBucket(ctx context.Context, bucket string) error {
	err := s.objects.DeleteBucket(ctx, bucket)
	if errors.Is(err, meta.ErrBucketNotEmpty) {
		return s3err.BucketNotEmpty.With(s3err.Field{Name: "BucketName", Value: bucket})
	}
	return err
}

type listAllMyBucketsResult struct {
	XMLName xml.Name `xml:"ListAllMyBucketsResult"`
	NS      string   `xml:"xmlns,attr"`
	Owner   owner    `xml:"Owner"`
	Buckets []struct {
		Name         string `xml:"Name"`
		CreationDate string `xml:"CreationDate"`
		BucketRegion string `xml:"BucketRegion"`
	} `xml:"Buckets>Bucket"`
	// ContinuationToken is where the next page starts; absent on the last.
	ContinuationToken string `xml:"ContinuationToken,omitempty"`
	Prefix            string `xml:"Prefix,omitempty"`
}

// listBuckets lists the caller's buckets by name, paged as S3 has paged
// them since 2024 (max-buckets 1 to 10000, continuation-token, prefix,
// bucket-region), so the SDK paginators walk long lists.
func (rc *reqCtx) listBuckets() error {
	q := rc.query
	limit := 10000
	if v := q.Get("max-buckets"); v != "" || has(q, "max-buckets") {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			return s3err.InvalidArgument.WithMessage("Argument max-buckets must be an integer between 1 and 10000.").With(s3err.Field{Name: "ArgumentName", Value: "max-buckets"}, s3err.Field{Name: "ArgumentValue", Value: v})
		}
		limit = n
	}
	after := ""
	if has(q, "continuation-token") {
		t, err := decodeToken(q.Get("continuation-token"))
		if err != nil {
			return err
		}
		after = t
	}
	prefix := q.Get("prefix")
	res := listAllMyBucketsResult{NS: s3NS, Owner: ownerOf(rc.principal.Account), Prefix: prefix}
	if r := q.Get("bucket-region"); r != "" && r != rc.s.cfg.Region {
		return rc.writeXML(200, res) // every bucket lives in the outpost's region
	}
	bs, err := rc.s.cfg.Meta.ListBuckets(rc.r.Context(), rc.principal.Account, "")
	if err != nil {
		return err
	}
	slices.SortFunc(bs, func(a, b meta.Bucket) int { return strings.Compare(a.Name, b.Name) })
	for _, b := range bs {
		if b.Name <= after || !strings.HasPrefix(b.Name, prefix) {
			continue
		}
		if len(res.Buckets) == limit {
			res.ContinuationToken = encodeToken(res.Buckets[limit-1].Name)
			break
		}
		res.Buckets = append(res.Buckets, struct {
			Name         string `xml:"Name"`
			CreationDate string `xml:"CreationDate"`
			BucketRegion string `xml:"BucketRegion"`
		}{b.Name, iso8601(b.CreatedAt), rc.s.cfg.Region})
	}
	return rc.writeXML(200, res)
}

func (rc *reqCtx) getBucketLocation() error {
	type loc struct {
		XMLName xml.Name `xml:"LocationConstraint"`
		NS      string   `xml:"xmlns,attr"`
		Value   string   `xml:",chardata"`
	}
	v := rc.s.cfg.Region
	if v == "us-east-1" {
		v = "" // S3 answers an empty constraint for us-east-1
	}
	return rc.writeXML(200, loc{NS: s3NS, Value: v})
}

func (rc *reqCtx) getBucketVersioning() error {
	return rc.writeXML(200, s3xml.BucketVersioning(s3xml.S3, rc.bkt.Versioning))
}

// encryptionConfiguration is GetBucketEncryption's answer: the one
// default rule, SSE-S3, that S3 on Outposts applies to every bucket.
type encryptionConfiguration struct {
	XMLName   xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ServerSideEncryptionConfiguration"`
	Algorithm string   `xml:"Rule>ApplyServerSideEncryptionByDefault>SSEAlgorithm"`
	BucketKey bool     `xml:"Rule>BucketKeyEnabled"`
}

// getBucketEncryption answers with the bucket's default encryption: SSE-S3
// (AES256), as on S3 on Outposts, or, on a server started with
// --encrypt-at-rest=false, no default (404, as S3 answered for a bucket
// without one).
func (rc *reqCtx) getBucketEncryption() error {
	if rc.s.cfg.PlaintextAtRest {
		return s3err.NoEncryptionConfiguration.With(s3err.Field{Name: "BucketName", Value: rc.bucket})
	}
	return rc.writeXML(200, encryptionConfiguration{Algorithm: "AES256"})
}

func (rc *reqCtx) putBucketVersioning() error {
	var v s3xml.VersioningConfiguration
	if err := rc.readXML(&v); err != nil {
		return err
	}
	if err := bucketconfig.PutVersioning(rc.r.Context(), rc.s.cfg.Meta, rc.bucket, v); err != nil {
		return err
	}
	return rc.ok()
}

func (rc *reqCtx) getBucketTagging() error {
	m, err := bucketconfig.Tags(rc.r.Context(), rc.s.cfg.Meta, rc.bucket)
	if err != nil {
		return err
	}
	return rc.writeXML(200, s3xml.Tagging{Form: s3xml.S3, TagSet: s3xml.SortedTags(m)})
}

func (rc *reqCtx) putBucketTagging() error {
	t := s3xml.Tagging{Form: s3xml.S3}
	if err := rc.readXML(&t); err != nil {
		return err
	}
	if err := bucketconfig.PutTags(rc.r.Context(), rc.s.cfg.Meta, rc.bucket, t.TagSet); err != nil {
		return err
	}
	return rc.noContent()
}

func (rc *reqCtx) deleteBucketTagging() error {
	if err := bucketconfig.DeleteTags(rc.r.Context(), rc.s.cfg.Meta, rc.bucket); err != nil {
		return err
	}
	return rc.noContent()
}

// maxPolicySize is S3's bucket policy limit (20 KB).
const maxPolicySize = 20 * 1024

func (rc *reqCtx) getBucketPolicy() error {
	doc, err := bucketconfig.Policy(rc.r.Context(), rc.s.cfg.Meta, rc.bucket)
	if err != nil {
		return err
	}
	rc.w.Header().Set("Content-Type", "application/json")
	rc.w.Header().Set("Content-Length", itoa(len(doc)))
	rc.w.WriteHeader(200)
	io.WriteString(rc.w, doc)
	return nil
}

func (rc *reqCtx) putBucketPolicy() error {
	lr := &io.LimitedReader{R: rc.body(), N: maxPolicySize + 1}
	doc, err := io.ReadAll(lr)
	if err != nil {
		return err
	}
	if len(doc) > maxPolicySize {
		return s3err.MalformedPolicy.WithMessage("Policy exceeds the maximum allowed document size.")
	}
	if err := validateBucketPolicy(rc.bucket, doc); err != nil {
		return err
	}
	if err := bucketconfig.PutPolicy(rc.r.Context(), rc.s.cfg.Meta, rc.bucket, string(doc)); err != nil {
		return err
	}
	return rc.noContent()
}

// validateBucketPolicy applies S3's rules to a bucket policy (authz.go).
func validateBucketPolicy(bucket string, doc []byte) error {
	trimmed := strings.TrimSpace(string(doc))
	if !strings.HasPrefix(trimmed, "{") || !json.Valid(doc) {
		return s3err.MalformedPolicy
	}
	return checkBucketPolicy(bucket, doc)
}

func (rc *reqCtx) deleteBucketPolicy() error {
	if err := bucketconfig.DeletePolicy(rc.r.Context(), rc.s.cfg.Meta, rc.bucket); err != nil {
		return err
	}
	return rc.noContent()
}

func (rc *reqCtx) getBucketLifecycle() error {
	lc, err := bucketconfig.Lifecycle(rc.r.Context(), rc.s.cfg.Meta, rc.bucket)
	if err != nil {
		return err
	}
	return rc.writeXML(200, lc)
}

func (rc *reqCtx) putBucketLifecycle() error {
	lc := s3xml.LifecycleConfiguration{Form: s3xml.S3}
	if err := rc.readXML(&lc); err != nil {
		return err
	}
	if err := bucketconfig.PutLifecycle(rc.r.Context(), rc.s.cfg.Meta, rc.bucket, lc); err != nil {
		return err
	}
	return rc.ok()
}

func (rc *reqCtx) deleteBucketLifecycle() error {
	if err := bucketconfig.DeleteLifecycle(rc.r.Context(), rc.s.cfg.Meta, rc.bucket); err != nil {
		return err
	}
	return rc.noContent()
}

var _ = http.StatusOK

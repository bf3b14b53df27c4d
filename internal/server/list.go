package server

import (
	"encoding/base64"
	"encoding/xml"
	"net/url"
	"strconv"
	"strings"

	"github.com/outpost-s3/outpost/internal/meta"
	"github.com/outpost-s3/outpost/internal/s3err"
)

// maxKeys reads max-keys (default and cap 1000).
func (rc *reqCtx) maxKeys(name string) (int, error) {
	v := rc.query.Get(name)
	if v == "" {
		return 1000, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, s3err.InvalidArgument.WithMessage("Provided "+name+" not an integer or within integer range").With(s3err.Field{Name: "ArgumentName", Value: name}, s3err.Field{Name: "ArgumentValue", Value: v})
	}
	if n > 1000 {
		n = 1000
	}
	return n, nil
}

// listObjects lists the request's bucket. max-keys=0 asks for nothing, and
// S3 answers an empty, untruncated page (IsTruncated false, no next
// marker or token) whatever the bucket holds.
func (rc *reqCtx) listObjects(o meta.ListOptions) (meta.ListResult, error) {
	if o.MaxKeys == 0 {
		return meta.ListResult{}, nil
	}
	return rc.s.cfg.Meta.ListObjects(rc.r.Context(), rc.bucket, o)
}

// encoder returns the function that encodes keys in a listing: identity,
// or URL encoding when encoding-type=url.
func (rc *reqCtx) encoder() (func(string) string, string, error) {
	switch et := rc.query.Get("encoding-type"); et {
	case "":
		return func(s string) string { return s }, "", nil
	case "url":
		return urlEncodeKey, "url", nil
	default:
		return nil, "", s3err.InvalidArgument.WithMessage("Invalid Encoding Method specified in Request").With(s3err.Field{Name: "ArgumentName", Value: "encoding-type"}, s3err.Field{Name: "ArgumentValue", Value: et})
	}
}

// urlEncodeKey encodes a key as S3 does for encoding-type=url: like a
// query value, but '/' kept.
func urlEncodeKey(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "%2F", "/")
}

type listEntry struct {
	Key               string `xml:"Key"`
	LastModified      string `xml:"LastModified"`
	ETag              string `xml:"ETag"`
	ChecksumAlgorithm string `xml:"ChecksumAlgorithm,omitempty"`
	ChecksumType      string `xml:"ChecksumType,omitempty"`
	Size              int64  `xml:"Size"`
	Owner             *owner `xml:"Owner,omitempty"`
	StorageClass      string `xml:"StorageClass"`
}

type commonPrefix struct {
	Prefix string `xml:"Prefix"`
}

func storageClassOf(o *meta.Object) string {
	if o.StorageClass == "" {
		return "STANDARD"
	}
	return o.StorageClass
}

func prefixes(ps []string, enc func(string) string) []commonPrefix {
	out := make([]commonPrefix, len(ps))
	for i, p := range ps {
		out[i] = commonPrefix{enc(p)}
	}
	return out
}

type listBucketResult struct {
	XMLName        xml.Name       `xml:"ListBucketResult"`
	NS             string         `xml:"xmlns,attr"`
	Name           string         `xml:"Name"`
	Prefix         string         `xml:"Prefix"`
	Marker         *string        `xml:"Marker,omitempty"`
	NextMarker     string         `xml:"NextMarker,omitempty"`
	ContToken      *string        `xml:"ContinuationToken,omitempty"`
	NextContToken  string         `xml:"NextContinuationToken,omitempty"`
	StartAfter     string         `xml:"StartAfter,omitempty"`
	KeyCount       *int           `xml:"KeyCount,omitempty"`
	MaxKeys        int            `xml:"MaxKeys"`
	Delimiter      string         `xml:"Delimiter,omitempty"`
	EncodingType   string         `xml:"EncodingType,omitempty"`
	IsTruncated    bool           `xml:"IsTruncated"`
	Contents       []listEntry    `xml:"Contents"`
	CommonPrefixes []commonPrefix `xml:"CommonPrefixes"`

	// objects are more Contents, written after Contents straight from the
	// listing (appendObjectEntry), without a listEntry each: enc encodes
	// their keys, and owner, when set, is the Owner of every one.
	objects []meta.Object
	enc     func(string) string
	owner   *owner
}

func (rc *reqCtx) listObjectsV1() error {
	q := rc.query
	n, err := rc.maxKeys("max-keys")
	if err != nil {
		return err
	}
	enc, et, err := rc.encoder()
	if err != nil {
		return err
	}
	marker := q.Get("marker")
	res, err := rc.listObjects(meta.ListOptions{
		Prefix: q.Get("prefix"), Delimiter: q.Get("delimiter"), StartAfter: marker, MaxKeys: n})
	if err != nil {
		return err
	}
	ow := ownerOf(rc.bkt.Account)
	out := listBucketResult{NS: s3NS, Name: rc.bucket, Prefix: enc(q.Get("prefix")), Marker: ptr(enc(marker)), MaxKeys: n,
		Delimiter: enc(q.Get("delimiter")), EncodingType: et, IsTruncated: res.IsTruncated,
		objects: res.Objects, enc: enc, owner: &ow}
	out.CommonPrefixes = prefixes(res.CommonPrefixes, enc)
	if res.IsTruncated && q.Get("delimiter") != "" {
		out.NextMarker = enc(res.NextMarker)
	}
	return rc.writeListBucketResult(&out)
}

func ptr[T any](v T) *T { return &v }

// Continuation tokens are opaque to clients: base64 of the last key.
func encodeToken(key string) string { return base64.RawURLEncoding.EncodeToString([]byte(key)) }

// decodeToken reads a continuation token. An empty one is refused as S3
// refuses it (400 InvalidArgument, ArgumentName continuation-token), not
// taken for the first page: minio/minio#5931 shows boto3's
// list_objects_v2(ContinuationToken=”) failing against S3.
func decodeToken(tok string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(b) == 0 {
		return "", s3err.InvalidArgument.WithMessage("The continuation token provided is incorrect").With(s3err.Field{Name: "ArgumentName", Value: "continuation-token"})
	}
	return string(b), nil
}

func (rc *reqCtx) listObjectsV2() error {
	q := rc.query
	n, err := rc.maxKeys("max-keys")
	if err != nil {
		return err
	}
	enc, et, err := rc.encoder()
	if err != nil {
		return err
	}
	start := q.Get("start-after")
	var tok *string
	if has(q, "continuation-token") {
		t := q.Get("continuation-token")
		tok = &t
		k, err := decodeToken(t)
		if err != nil {
			return err
		}
		if k > start {
			start = k
		}
	}
	res, err := rc.listObjects(meta.ListOptions{
		Prefix: q.Get("prefix"), Delimiter: q.Get("delimiter"), StartAfter: start, MaxKeys: n})
	if err != nil {
		return err
	}
	count := len(res.Objects) + len(res.CommonPrefixes)
	out := listBucketResult{NS: s3NS, Name: rc.bucket, Prefix: enc(q.Get("prefix")), ContToken: tok, MaxKeys: n,
		StartAfter: enc(q.Get("start-after")), KeyCount: &count, Delimiter: enc(q.Get("delimiter")), EncodingType: et, IsTruncated: res.IsTruncated,
		objects: res.Objects, enc: enc}
	if q.Get("fetch-owner") == "true" {
		ow := ownerOf(rc.bkt.Account)
		out.owner = &ow
	}
	out.CommonPrefixes = prefixes(res.CommonPrefixes, enc)
	if res.IsTruncated {
		out.NextContToken = encodeToken(res.NextMarker)
	}
	return rc.writeListBucketResult(&out)
}

type versionEntry struct {
	XMLName      xml.Name
	Key          string `xml:"Key"`
	VersionID    string `xml:"VersionId"`
	IsLatest     bool   `xml:"IsLatest"`
	LastModified string `xml:"LastModified"`
	ETag         string `xml:"ETag,omitempty"`
	Size         *int64 `xml:"Size,omitempty"`
	StorageClass string `xml:"StorageClass,omitempty"`
	Owner        owner  `xml:"Owner"`
}

type listVersionsResult struct {
	XMLName             xml.Name       `xml:"ListVersionsResult"`
	NS                  string         `xml:"xmlns,attr"`
	Name                string         `xml:"Name"`
	Prefix              string         `xml:"Prefix"`
	KeyMarker           string         `xml:"KeyMarker"`
	VersionIDMarker     string         `xml:"VersionIdMarker"`
	NextKeyMarker       string         `xml:"NextKeyMarker,omitempty"`
	NextVersionIDMarker string         `xml:"NextVersionIdMarker,omitempty"`
	MaxKeys             int            `xml:"MaxKeys"`
	Delimiter           string         `xml:"Delimiter,omitempty"`
	EncodingType        string         `xml:"EncodingType,omitempty"`
	IsTruncated         bool           `xml:"IsTruncated"`
	Entries             []versionEntry `xml:",any"`
	CommonPrefixes      []commonPrefix `xml:"CommonPrefixes"`
}

func (rc *reqCtx) listObjectVersions() error {
	q := rc.query
	n, err := rc.maxKeys("max-keys")
	if err != nil {
		return err
	}
	enc, et, err := rc.encoder()
	if err != nil {
		return err
	}
	if q.Get("version-id-marker") != "" && q.Get("key-marker") == "" {
		return s3err.InvalidArgument.WithMessage("A version-id marker cannot be specified without a key marker.")
	}
	res, err := rc.s.cfg.Meta.ListObjectVersions(rc.r.Context(), rc.bucket, meta.VersionListOptions{
		Prefix: q.Get("prefix"), Delimiter: q.Get("delimiter"), KeyMarker: q.Get("key-marker"),
		VersionIDMarker: q.Get("version-id-marker"), MaxKeys: n})
	if err != nil {
		return err
	}
	out := listVersionsResult{NS: s3NS, Name: rc.bucket, Prefix: enc(q.Get("prefix")), KeyMarker: enc(q.Get("key-marker")),
		VersionIDMarker: q.Get("version-id-marker"), MaxKeys: n, Delimiter: enc(q.Get("delimiter")), EncodingType: et,
		IsTruncated: res.IsTruncated, NextKeyMarker: enc(res.NextKeyMarker), NextVersionIDMarker: res.NextVersionIDMarker}
	for i := range res.Versions {
		v := &res.Versions[i]
		e := versionEntry{Key: enc(v.Key), VersionID: v.VersionID, IsLatest: v.IsLatest, LastModified: iso8601(v.LastModified), Owner: ownerOf(rc.bkt.Account)}
		if v.DeleteMarker {
			e.XMLName = xml.Name{Local: "DeleteMarker"}
		} else {
			e.XMLName = xml.Name{Local: "Version"}
			e.ETag = quote(v.ETag)
			e.Size = &v.Size
			e.StorageClass = storageClassOf(v)
		}
		out.Entries = append(out.Entries, e)
	}
	out.CommonPrefixes = prefixes(res.CommonPrefixes, enc)
	return rc.writeXML(200, out)
}

package server

import (
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/outpost-s3/outpost/arn"
	"github.com/outpost-s3/outpost/internal/meta"
	"github.com/outpost-s3/outpost/internal/s3err"
)

// copySource is a parsed x-amz-copy-source header.
type copySource struct {
	bucket, key, versionID string
}

func parseCopySource(v string) (copySource, error) {
	src, err := url.PathUnescape(v)
	if err != nil {
		return copySource{}, s3err.InvalidArgument.WithMessage("Copy Source must mention the source bucket and key: sourcebucket/sourcekey").With(s3err.Field{Name: "ArgumentName", Value: "x-amz-copy-source"})
	}
	var cs copySource
	if i := strings.Index(v, "?"); i >= 0 {
		q, _ := url.ParseQuery(v[i+1:])
		cs.versionID = q.Get("versionId")
		src, _ = url.PathUnescape(v[:i])
	}
	src = strings.TrimPrefix(src, "/")
	if strings.HasPrefix(src, "arn:") {
		// arn:…:outpost/OP/accesspoint/NAME/object/KEY (or …/bucket/NAME/object/KEY).
		if res, err := arn.ParseOutposts(src); err == nil && res.Kind == arn.KindObject && res.Key != "" {
			cs.bucket, cs.key = res.Parent().String(), res.Key
			return cs, nil
		}
	}
	b, k, ok := strings.Cut(src, "/")
	if !ok || b == "" || k == "" {
		return copySource{}, s3err.InvalidArgument.WithMessage("Copy Source must mention the source bucket and key: sourcebucket/sourcekey").With(s3err.Field{Name: "ArgumentName", Value: "x-amz-copy-source"})
	}
	cs.bucket, cs.key = b, k
	return cs, nil
}

// openCopySource resolves and authorizes the source of a copy and checks
// the x-amz-copy-source-if-* conditions.
func (rc *reqCtx) openCopySource() (*meta.Object, *meta.Bucket, error) {
	cs, err := parseCopySource(rc.r.Header.Get("x-amz-copy-source"))
	if err != nil {
		return nil, nil, err
	}
	ctx := rc.r.Context()
	sb, sap, err := rc.resolveCopySource(cs.bucket) // a bucket, an alias or an ARN (accesspoint.go)
	if err != nil {
		if errors.Is(err, meta.ErrNoSuchBucket) {
			return nil, nil, s3err.NoSuchBucket.With(s3err.Field{Name: "BucketName", Value: cs.bucket})
		}
		return nil, nil, err
	}
	if err := rc.refuseSigV2CopySource(&sb, sap); err != nil { // sigv2.go
		return nil, nil, err
	}
	if err := expectedOwner(rc.r.Header.Get("x-amz-source-expected-bucket-owner"), &sb); err != nil {
		return nil, nil, err
	}
	o, err := rc.s.cfg.Meta.GetObject(ctx, sb.Name, cs.key, cs.versionID)
	// The source is read through its own access point (or none), not the
	// destination's.
	owner, denied := rc.mayReadSource(&sb, sap, cs.key, cs.versionID)
	if denied {
		return nil, nil, s3err.AccessDenied
	}
	if err != nil {
		if !owner {
			return nil, nil, s3err.AccessDenied
		}
		switch {
		case errors.Is(err, meta.ErrNoSuchKey):
			return nil, nil, s3err.NoSuchKey.With(s3err.Field{Name: "Key", Value: cs.key})
		case errors.Is(err, meta.ErrNoSuchVersion):
			return nil, nil, s3err.NoSuchVersion.With(s3err.Field{Name: "Key", Value: cs.key}, s3err.Field{Name: "VersionId", Value: cs.versionID})
		case errors.Is(err, meta.ErrMethodNotAllowed):
			return nil, nil, s3err.InvalidRequest.WithMessage("The source of a copy request may not specifically refer to a delete marker by version id.")
		}
		return nil, nil, err
	}
	if !owner && !aclAllows(o.ACL, rc.principal.Anonymous(), "read") {
		return nil, nil, s3err.AccessDenied
	}
	h := rc.r.Header
	if err := evalConditions(&o, h.Get("x-amz-copy-source-if-match"), h.Get("x-amz-copy-source-if-none-match"),
		h.Get("x-amz-copy-source-if-modified-since"), h.Get("x-amz-copy-source-if-unmodified-since"),
		s3err.PreconditionFailed); err != nil {
		return nil, nil, err
	}
	return &o, &sb, nil
}

// copyInto streams [start, start+n) of src (read with the customer key
// srcKey when it is SSE-C) into a new blob (or, with inlineOK, inline
// bytes) sealed as sl says, the same way ingest stores a request body.
func (rc *reqCtx) copyInto(src *meta.Object, srcKey *customerKey, start, n int64, checksumAlgorithm string, inlineOK bool, sl sealing) (*ingested, error) {
	pr, pw := io.Pipe()
	go func() {
		pw.CloseWithError(rc.s.readObjectRange(rc, src, srcKey, start, n, pw))
	}()
	defer pr.Close()
	// Copies carry no request checksums or Content-MD5 of their own; a
	// requested algorithm is computed over the copied bytes.
	decl := http.Header{}
	if checksumAlgorithm != "" {
		decl.Set("x-amz-sdk-checksum-algorithm", checksumAlgorithm)
	}
	return rc.ingest(pr, n, decl, inlineOK, sl)
}

// readObjectRange writes a byte range of an object's segments to w.
func (s *Server) readObjectRange(rc *reqCtx, o *meta.Object, ck *customerKey, start, length int64, w io.Writer) error {
	for _, p := range rangePieces(o, start, length) {
		f, err := s.openPiece(rc.r.Context(), p, o.Encryption.Mode, ck)
		if err != nil {
			return err
		}
		_, err = io.Copy(w, f)
		f.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

type copyObjectResult struct {
	XMLName           xml.Name `xml:"CopyObjectResult"`
	NS                string   `xml:"xmlns,attr"`
	LastModified      string   `xml:"LastModified"`
	ETag              string   `xml:"ETag"`
	ChecksumCRC32     string   `xml:"ChecksumCRC32,omitempty"`
	ChecksumCRC32C    string   `xml:"ChecksumCRC32C,omitempty"`
	ChecksumCRC64NVME string   `xml:"ChecksumCRC64NVME,omitempty"`
	ChecksumSHA1      string   `xml:"ChecksumSHA1,omitempty"`
	ChecksumSHA256    string   `xml:"ChecksumSHA256,omitempty"`
}

func (rc *reqCtx) copyObject() error {
	src, sb, err := rc.openCopySource()
	if err != nil {
		return err
	}
	attrs, err := rc.readObjectAttrs()
	if err != nil {
		return err
	}
	srcKey, err := rc.readKey(src, sseCopyCustomr)
	if err != nil {
		return err
	}
	sl, err := rc.writeSealing()
	if err != nil {
		return err
	}
	directive := rc.r.Header.Get("x-amz-metadata-directive")
	switch directive {
	case "", "COPY":
		attrs.Headers, attrs.Metadata = src.Headers, src.Metadata
	case "REPLACE":
	default:
		return s3err.InvalidArgument.WithMessage("Unknown metadata directive.").With(s3err.Field{Name: "ArgumentName", Value: "x-amz-metadata-directive"}, s3err.Field{Name: "ArgumentValue", Value: directive})
	}
	switch td := rc.r.Header.Get("x-amz-tagging-directive"); td {
	case "", "COPY":
		attrs.Tags = src.Tags
	case "REPLACE":
	default:
		return s3err.InvalidArgument.WithMessage("Unknown tagging directive.")
	}
	if sb.Name == rc.bucket && src.Key == rc.key && directive != "REPLACE" && rc.r.Header.Get("x-amz-storage-class") == "" &&
		rc.r.Header.Get(sseHeader) == "" && sl.ck == nil &&
		rc.r.Header.Get("x-amz-copy-source") != "" && !strings.Contains(rc.r.Header.Get("x-amz-copy-source"), "versionId") {
		return s3err.InvalidRequest.WithMessage("This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.")
	}
	if src.Size > rc.s.cfg.MaxObjectSize {
		return s3err.InvalidRequest.WithMessage("The specified copy source is larger than the maximum allowable size for a copy source: " + itoa64(rc.s.cfg.MaxObjectSize))
	}
	if rc.r.ContentLength > 0 {
		return s3err.InvalidRequest.WithMessage("This copy request may not have a body.")
	}
	in, err := rc.copyInto(src, srcKey, 0, src.Size, rc.r.Header.Get("x-amz-checksum-algorithm"), true, sl)
	if err != nil {
		return err
	}
	o, err := rc.commitBody(attrs, in, sl.encryption(), nil)
	if err != nil {
		return err
	}
	if src.VersionID != "" && src.VersionID != meta.NullVersion {
		rc.w.Header().Set("x-amz-copy-source-version-id", src.VersionID)
	}
	setEncryptionHeaders(rc.w.Header(), o.Encryption, sl.ck)
	rc.setWrittenVersionHeader(o.VersionID)
	res := copyObjectResult{NS: s3NS, LastModified: iso8601(o.LastModified), ETag: quote(o.ETag)}
	setResultChecksums(in.checksums, &res.ChecksumCRC32, &res.ChecksumCRC32C, &res.ChecksumCRC64NVME, &res.ChecksumSHA1, &res.ChecksumSHA256)
	return rc.writeXML(200, res)
}

func setResultChecksums(m map[string]string, crc32, crc32c, crc64, sha1, sha256 *string) {
	*crc32, *crc32c, *crc64, *sha1, *sha256 = m["CRC32"], m["CRC32C"], m["CRC64NVME"], m["SHA1"], m["SHA256"]
}

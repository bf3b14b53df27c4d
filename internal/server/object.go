package server

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/outpost-s3/outpost/internal/meta"
	"github.com/outpost-s3/outpost/internal/objects"
	"github.com/outpost-s3/outpost/internal/s3err"
	"github.com/outpost-s3/outpost/internal/s3xml"
	"github.com/outpost-s3/outpost/internal/sse"
)

// storedHeaders are the standard headers kept with an object and returned on GET.
var storedHeaders = []string{"Content-Type", "Content-Encoding", "Content-Disposition", "Content-Language", "Cache-Control", "Expires"}

// maxMetadataSize is S3's limit on user metadata (names plus values), in bytes.
const maxMetadataSize = 2048

// readObjectAttrs reads the object's attributes from a PutObject,
// CreateMultipartUpload or CopyObject request.
func (rc *reqCtx) readObjectAttrs() (objects.Attrs, error) {
	h := rc.r.Header
	headers := map[string]string{}
	for _, name := range storedHeaders {
		if v := h.Get(name); v != "" {
			headers[name] = v
		}
	}
	if ce := headers["Content-Encoding"]; ce != "" {
		// aws-chunked is transfer framing, not the object's encoding.
		var keep []string
		for _, p := range strings.Split(ce, ",") {
			if p = strings.TrimSpace(p); p != "" && !strings.EqualFold(p, "aws-chunked") {
				keep = append(keep, p)
			}
		}
		if len(keep) == 0 {
			delete(headers, "Content-Encoding")
		} else {
			headers["Content-Encoding"] = strings.Join(keep, ",")
		}
	}
	metadata := map[string]string{}
	size := 0
	for k, vs := range h {
		lk := strings.ToLower(k)
		if !strings.HasPrefix(lk, "x-amz-meta-") {
			continue
		}
		name := lk[len("x-amz-meta-"):]
		v := strings.Join(vs, ",")
		if strings.ContainsAny(v, "\r\n") || strings.ContainsAny(name, "\r\n") {
			return objects.Attrs{}, s3err.InvalidArgument.WithMessage("Metadata values cannot contain line breaks.")
		}
		metadata[name] = v
		size += len(name) + len(v)
	}
	if size > maxMetadataSize {
		return objects.Attrs{}, s3err.MetadataTooLarge.With(s3err.Field{Name: "Size", Value: itoa(size)}, s3err.Field{Name: "MaxSizeAllowed", Value: itoa(maxMetadataSize)})
	}
	var tags map[string]string
	if t := h.Get("x-amz-tagging"); t != "" {
		var err error
		if tags, err = parseTagQuery(t); err != nil {
			return objects.Attrs{}, err
		}
	}
	if err := refuseGrantHeaders(h); err != nil {
		return objects.Attrs{}, err
	}
	acl := h.Get("x-amz-acl")
	if acl != "" {
		if rc.bkt != nil && rc.bkt.OutpostID != "" {
			return objects.Attrs{}, s3err.NotImplemented.WithMessage("S3 on Outposts does not support access control lists (ACLs).")
		}
		if !cannedACLs[acl] {
			return objects.Attrs{}, s3err.InvalidArgument.WithMessage("Invalid canned ACL: " + acl)
		}
	}
	class := h.Get("x-amz-storage-class")
	switch class {
	case "", "STANDARD":
		class = "STANDARD"
		if rc.bkt != nil && rc.bkt.OutpostID != "" {
			class = "OUTPOSTS"
		}
	case "OUTPOSTS":
	default:
		return objects.Attrs{}, s3err.InvalidStorageClass.With(s3err.Field{Name: "StorageClassRequested", Value: class})
	}
	return objects.Attrs{Headers: headers, Metadata: metadata, Tags: tags, ACL: acl, StorageClass: class}, nil
}

// maxObjectTags is S3's limit on the tags of an object.
const maxObjectTags = 10

// parseTagQuery parses x-amz-tagging (URL query encoding).
func parseTagQuery(s string) (map[string]string, error) {
	q, err := url.ParseQuery(s)
	if err != nil {
		return nil, s3err.InvalidArgument.WithMessage("The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.")
	}
	var tags []s3xml.Tag
	for k, vs := range q {
		if len(vs) != 1 {
			return nil, s3err.InvalidTag.WithMessage("Cannot provide multiple Tags with the same key")
		}
		tags = append(tags, s3xml.Tag{Key: k, Value: vs[0]})
	}
	return s3xml.ValidateTags(tags, maxObjectTags)
}

func (rc *reqCtx) putObject() error {
	attrs, err := rc.readObjectAttrs()
	if err != nil {
		return err
	}
	cond, err := rc.writeCondition() // refuse a bad precondition before the body
	if err != nil {
		return err
	}
	sl, err := rc.writeSealing()
	if err != nil {
		return err
	}
	size, err := rc.payloadLength()
	if err != nil {
		return err
	}
	in, err := rc.ingest(rc.body(), size, rc.checksumHeaders(), true, sl)
	if err != nil {
		return err
	}
	o, err := rc.commitBody(attrs, in, sl.encryption(), cond)
	if err != nil {
		return err
	}
	h := rc.w.Header()
	h.Set("ETag", quote(o.ETag))
	for alg, v := range o.Checksums {
		h.Set(checksumHeader(alg), v)
	}
	if o.ChecksumType != "" {
		h.Set("x-amz-checksum-type", o.ChecksumType)
	}
	setEncryptionHeaders(h, o.Encryption, sl.ck)
	rc.setWrittenVersionHeader(o.VersionID)
	return rc.ok()
}

// commitBody commits a new version of the addressed object whose bytes
// are one ingested body (PutObject, CopyObject) through the objects
// service. cond is the write's precondition (nil: read from the request
// now). If the commit fails, the body's blob is deleted.
func (rc *reqCtx) commitBody(a objects.Attrs, in *ingested, enc meta.Encryption, cond *meta.WriteCondition) (*meta.Object, error) {
	if cond == nil {
		var err error
		if cond, err = rc.writeCondition(); err != nil {
			rc.s.objects.DeleteBlobs(in.blobID)
			return nil, err
		}
	}
	return rc.s.objects.Put(rc.commitCtx(), rc.bucket, rc.key, a, in.body(), enc, cond)
}

// writeCondition reads a conditional write's precondition (If-None-Match:
// *, If-Match: ETAG), checked when the write commits (meta.WriteCondition):
// a failed one answers 412 PreconditionFailed (If-Match on a missing key:
// 404 NoSuchKey) and stores nothing. If-None-Match takes only "*", as in
// S3; anything else is not implemented rather than ignored.
func (rc *reqCtx) writeCondition() (*meta.WriteCondition, error) {
	h := rc.r.Header
	inm, hasINM := h["If-None-Match"]
	im, hasIM := h["If-Match"]
	if !hasINM && !hasIM {
		return nil, nil
	}
	var c meta.WriteCondition
	if hasINM {
		if len(inm) != 1 || strings.TrimSpace(inm[0]) != "*" {
			return nil, s3err.NotImplemented.WithMessage("A header you provided implies functionality that is not implemented: If-None-Match on a write takes only *.").With(s3err.Field{Name: "Header", Value: "If-None-Match"})
		}
		c.IfNoneMatch = true
	}
	if hasIM {
		v := ifMatchETag(im)
		if v == "" || v == "*" {
			return nil, s3err.NotImplemented.WithMessage("A header you provided implies functionality that is not implemented: If-Match on a write takes one ETag.").With(s3err.Field{Name: "Header", Value: "If-Match"})
		}
		c.IfMatch = v
	}
	return &c, nil
}

// ifMatchETag is the ETag (unquoted) or "*" of If-Match header values.
func ifMatchETag(values []string) string {
	return strings.Trim(strings.TrimSpace(strings.Join(values, ",")), `"`)
}

// errDeleteCondition refuses a delete precondition S3 refuses on general
// purpose buckets (and so on Outposts ones): with a version ID, or the
// size and modification-time conditions of directory buckets. Answering
// rather than ignoring it keeps a caller from believing a condition
// guarded a delete that nothing guarded.
func errDeleteCondition(what, header string) *s3err.Error {
	return s3err.NotImplemented.WithMessage("A header you provided implies functionality that is not implemented: " + what).With(s3err.Field{Name: "Header", Value: header})
}

// deleteCondition reads DeleteObject's precondition: If-Match with an ETag
// or "*" (S3's conditional deletes, 2025), checked against the key's
// current version in the deleting transaction (meta.Store.DeleteObjectIf).
// An ETag needs s3:GetObject as well as s3:DeleteObject, as in S3 (the
// answer tells whether the object changed); "*" only asks that it exist.
// nil when the request has none.
func (rc *reqCtx) deleteCondition(hasVersion bool) (*meta.WriteCondition, error) {
	h := rc.r.Header
	for _, name := range []string{"X-Amz-If-Match-Size", "X-Amz-If-Match-Last-Modified-Time"} {
		if _, ok := h[name]; ok {
			return nil, errDeleteCondition(name+" is supported only by directory buckets.", strings.ToLower(name))
		}
	}
	im, ok := h["If-Match"]
	if !ok {
		return nil, nil
	}
	if hasVersion {
		return nil, errDeleteCondition("If-Match cannot be combined with a versionId; conditional deletes apply to the current version.", "If-Match")
	}
	v := ifMatchETag(im)
	if v == "" {
		return nil, errDeleteCondition("If-Match on a delete takes one ETag or *.", "If-Match")
	}
	if v != "*" && !rc.mayReadForDelete(rc.key) {
		return nil, s3err.AccessDenied
	}
	return &meta.WriteCondition{IfMatch: v}, nil
}

// setWrittenVersionHeader names the version a write (PutObject, CopyObject,
// CompleteMultipartUpload) created. A write to a versioning-suspended
// bucket creates the null version and, as in S3 (PutObject's "versioning
// suspended" example), answers without x-amz-version-id; reads of that
// version still name it "null" (setVersionHeader).
func (rc *reqCtx) setWrittenVersionHeader(v string) {
	if v != meta.NullVersion {
		rc.setVersionHeader(v)
	}
}

func (rc *reqCtx) setVersionHeader(v string) {
	if v != "" && (v != meta.NullVersion || (rc.bkt != nil && rc.bkt.Versioning != "")) {
		rc.w.Header().Set("x-amz-version-id", v)
	}
}

func quote(etag string) string { return "\"" + etag + "\"" }

// lookupObject loads the addressed version (versionId query), mapping
// missing keys and delete markers to S3 errors.
func (rc *reqCtx) lookupObject() (*meta.Object, error) {
	vid := rc.query.Get("versionId")
	o, err := rc.s.cfg.Meta.GetObject(rc.r.Context(), rc.bucket, rc.key, vid)
	if err != nil {
		if errors.Is(err, meta.ErrNoSuchKey) && o.DeleteMarker {
			e := s3err.NoSuchKey.With(s3err.Field{Name: "Key", Value: rc.key}).WithHeader("x-amz-delete-marker", "true")
			if o.VersionID != "" {
				e = e.WithHeader("x-amz-version-id", o.VersionID)
			}
			return nil, e
		}
		if errors.Is(err, meta.ErrMethodNotAllowed) {
			return nil, s3err.MethodNotAllowed.WithMessage("The specified method is not allowed against this resource.").
				WithHeader("x-amz-delete-marker", "true").WithHeader("x-amz-version-id", vid).
				With(s3err.Field{Name: "Method", Value: rc.r.Method}, s3err.Field{Name: "ResourceType", Value: "DeleteMarker"})
		}
		return nil, rc.objectError(err)
	}
	return &o, nil
}

// objectError maps metadata errors on an object to S3 errors naming it.
func (rc *reqCtx) objectError(err error) error {
	switch {
	case errors.Is(err, meta.ErrNoSuchKey):
		return s3err.NoSuchKey.With(s3err.Field{Name: "Key", Value: rc.key})
	case errors.Is(err, meta.ErrNoSuchVersion):
		if v := rc.query.Get("versionId"); v != "" && v != meta.NullVersion && !validVersionID(v) {
			return s3err.InvalidArgument.WithMessage("Invalid version id specified").With(s3err.Field{Name: "ArgumentName", Value: "versionId"}, s3err.Field{Name: "ArgumentValue", Value: v})
		}
		return s3err.NoSuchVersion.With(s3err.Field{Name: "Key", Value: rc.key}, s3err.Field{Name: "VersionId", Value: rc.query.Get("versionId")})
	}
	return err
}

func validVersionID(v string) bool {
	if len(v) == 0 || len(v) > 1024 {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// responseOverrides are the GET query parameters that override response headers.
var responseOverrides = map[string]string{
	"response-content-type":        "Content-Type",
	"response-content-language":    "Content-Language",
	"response-expires":             "Expires",
	"response-cache-control":       "Cache-Control",
	"response-content-disposition": "Content-Disposition",
	"response-content-encoding":    "Content-Encoding",
}

// getObject serves GetObject and HeadObject.
func (rc *reqCtx) getObject() error {
	for p := range responseOverrides {
		if has(rc.query, p) && rc.principal.Anonymous() {
			return s3err.InvalidRequest.WithMessage("Request specific response headers cannot be used for anonymous GET requests.")
		}
	}
	o, err := rc.lookupObject()
	if err != nil {
		// A caller who may not list the bucket must not learn whether a
		// key exists, so S3 answers AccessDenied instead of NoSuchKey.
		if !rc.mayList() {
			return s3err.AccessDenied
		}
		return err
	}
	if !rc.objectReadAllowed(o) {
		return s3err.AccessDenied
	}
	ck, err := rc.readKey(o, sseCustomer) // an SSE-C object needs its key (sse.go)
	if err != nil {
		return err
	}
	if err := checkConditions(rc.r.Header, o); err != nil {
		return err
	}
	h := rc.w.Header()
	rc.setObjectHeaders(o)
	setEncryptionHeaders(h, o.Encryption, ck)

	start, length := int64(0), o.Size
	status := http.StatusOK
	partCount := 0
	if pn := rc.query.Get("partNumber"); pn != "" {
		n, err := strconv.Atoi(pn)
		if err != nil || n < 1 || n > 10000 {
			return s3err.InvalidArgument.WithMessage("Part number must be an integer between 1 and 10000, inclusive").With(s3err.Field{Name: "ArgumentName", Value: "partNumber"}, s3err.Field{Name: "ArgumentValue", Value: pn})
		}
		partCount = len(o.Segments)
		if o.Segments[0].PartNumber == 0 {
			if n != 1 {
				return s3err.InvalidPart.WithMessage("The requested partnumber is not satisfiable").WithHeader("Content-Range", "bytes */"+itoa64(o.Size))
			}
			partCount = 0
		} else {
			if n > len(o.Segments) {
				return s3err.InvalidRange.WithMessage("The requested partnumber is not satisfiable").With(s3err.Field{Name: "ActualPartCount", Value: itoa(len(o.Segments))}, s3err.Field{Name: "PartNumberRequested", Value: pn})
			}
			for _, sg := range o.Segments[:n-1] {
				start += sg.Size
			}
			length = o.Segments[n-1].Size
			status = http.StatusPartialContent
			h.Set("Content-Range", "bytes "+itoa64(start)+"-"+itoa64(start+length-1)+"/"+itoa64(o.Size))
		}
		if partCount > 0 {
			h.Set("x-amz-mp-parts-count", itoa(partCount))
		}
	} else if rg := rc.r.Header.Get("Range"); rg != "" {
		s, l, ok, err := parseRange(rg, o.Size)
		if err != nil {
			return err.(*s3err.Error).With(s3err.Field{Name: "RangeRequested", Value: rg}, s3err.Field{Name: "ActualObjectSize", Value: itoa64(o.Size)}).WithHeader("Content-Range", "bytes */"+itoa64(o.Size))
		}
		if ok {
			start, length, status = s, l, http.StatusPartialContent
			h.Set("Content-Range", "bytes "+itoa64(start)+"-"+itoa64(start+length-1)+"/"+itoa64(o.Size))
		}
	}
	if status == http.StatusOK && strings.EqualFold(rc.r.Header.Get("x-amz-checksum-mode"), "ENABLED") {
		for alg, v := range o.Checksums {
			h.Set(checksumHeader(alg), v)
		}
		if o.ChecksumType != "" {
			h.Set("x-amz-checksum-type", o.ChecksumType)
		}
	}
	for p, name := range responseOverrides {
		if v := rc.query.Get(p); v != "" {
			h.Set(name, v)
		}
	}
	h.Set("Content-Length", itoa64(length))
	if rc.r.Method == http.MethodHead {
		rc.w.WriteHeader(status)
		return nil
	}
	return rc.s.streamObject(rc, o, ck, start, length, status)
}

// setObjectHeaders writes the stored attributes of o as response headers.
func (rc *reqCtx) setObjectHeaders(o *meta.Object) {
	h := rc.w.Header()
	h.Set("ETag", quote(o.ETag))
	h.Set("Last-Modified", o.LastModified.UTC().Format(http.TimeFormat))
	h.Set("Accept-Ranges", "bytes")
	if _, ok := o.Headers["Content-Type"]; !ok {
		h.Set("Content-Type", "binary/octet-stream")
	}
	for k, v := range o.Headers {
		h.Set(k, v)
	}
	for k, v := range o.Metadata {
		// As stored: lower-case, as S3 returns user metadata names
		// (boto3 shows Metadata['meta1'], not ['Meta1']).
		h["x-amz-meta-"+k] = []string{v}
	}
	if len(o.Tags) > 0 {
		h.Set("x-amz-tagging-count", itoa(len(o.Tags)))
	}
	if o.StorageClass != "" && o.StorageClass != "STANDARD" {
		h.Set("x-amz-storage-class", o.StorageClass)
	}
	rc.setVersionHeader(o.VersionID)
}

// streamObject copies [start, start+length) of o's segments to the client.
// Each segment's range is opened from the blob store and copied with
// io.Copy, so the store's reader chooses how the bytes reach the
// connection (the filesystem store: sendfile, when the connection allows).
func (s *Server) streamObject(rc *reqCtx, o *meta.Object, ck *customerKey, start, length int64, status int) error {
	// Open the first blob before sending headers so a missing blob is an
	// error response rather than a truncated body.
	pieces := rangePieces(o, start, length)
	ctx := rc.r.Context()
	if len(pieces) == 1 && pieces[0].id == "" && pieces[0].sealedKey == "" {
		// An inline object: its bytes came with the metadata.
		b, err := pieces[0].inlineRange()
		if err != nil {
			return fmt.Errorf("object %s: %w", o.Key, err)
		}
		rc.w.WriteHeader(status)
		rc.w.Write(b)
		return nil
	}
	var first io.ReadCloser
	if len(pieces) > 0 {
		f, err := s.openPiece(ctx, pieces[0], o.Encryption.Mode, ck)
		if err != nil {
			return err
		}
		first = f
	}
	// A small single-blob range is read into a pooled buffer and written
	// with the headers in one write; sendfile would flush the headers
	// first and cost an extra system call per response.
	if len(pieces) == 1 && pieces[0].n <= smallObject {
		bufp := copyBufPool.Get().(*[]byte)
		defer copyBufPool.Put(bufp)
		buf := (*bufp)[:pieces[0].n]
		_, err := io.ReadFull(first, buf)
		first.Close()
		if err != nil {
			return err
		}
		rc.w.WriteHeader(status)
		rc.w.Write(buf)
		return nil
	}
	rc.w.WriteHeader(status)
	for i, p := range pieces {
		rd := first
		if i > 0 {
			f, err := s.openPiece(ctx, p, o.Encryption.Mode, ck)
			if err != nil {
				s.log.Error("open blob mid-stream", "request_id", rc.id, "blob", p.id, "error", err)
				return nil // headers are sent; the short body tells the client
			}
			rd = f
		}
		_, err := io.Copy(rc.w, rd)
		rd.Close()
		if err != nil {
			return nil // client went away; nothing more to send
		}
	}
	return nil
}

// piece is the part of one stored blob that falls in a requested range.
type piece struct {
	id     string // "" for an inline object's bytes
	offset int64  // within the blob's plaintext
	n      int64
	inline []byte // the object's bytes when id is ""
	// sealedKey is the segment's wrapped data key ("" when stored as
	// sent) and size its plaintext length.
	sealedKey string
	size      int64
}

// inlineRange returns the bytes of an inline piece (id ""), or an error
// when the stored bytes are shorter than the metadata says.
func (p piece) inlineRange() ([]byte, error) { return p.storedInline(p.offset, p.n) }

// storedInline returns the stored bytes [off, off+n) of an inline piece.
func (p piece) storedInline(off, n int64) ([]byte, error) {
	if off+n > int64(len(p.inline)) {
		return nil, fmt.Errorf("inline object holds %d bytes, range ends at %d", len(p.inline), off+n)
	}
	return p.inline[off : off+n], nil
}

// openPiece opens a reader of exactly a piece's bytes: the range of its
// blob (or of the inline bytes) that holds them, decrypted when sealed.
// mode is the object's encryption and ck the customer key an SSE-C read
// carried. A sealed piece opens the whole chunks around its range.
func (s *Server) openPiece(ctx context.Context, p piece, mode string, ck *customerKey) (io.ReadCloser, error) {
	off, n := p.offset, p.n
	if p.sealedKey != "" {
		off, n = sse.SealedRange(p.size, p.offset, p.n)
	}
	var stored io.ReadCloser
	if p.id == "" {
		b, err := p.storedInline(off, n)
		if err != nil {
			return nil, err
		}
		stored = io.NopCloser(bytes.NewReader(b))
	} else {
		f, err := s.cfg.Blobs.Open(ctx, p.id, off, n)
		if err != nil {
			return nil, err
		}
		stored = f
	}
	if p.sealedKey == "" {
		return stored, nil
	}
	dk, err := s.unwrapKey(mode, p.sealedKey, ck)
	if err == nil {
		var r *sse.Reader
		if r, err = sse.NewReader(stored, dk, p.size, p.offset, p.n); err == nil {
			return r, nil
		}
	}
	stored.Close()
	return nil, fmt.Errorf("blob %q: %w", p.id, err)
}

// rangePieces maps the byte range [start, start+length) of an object onto
// its segments' blobs, in order.
func rangePieces(o *meta.Object, start, length int64) []piece {
	var pieces []piece
	pos := int64(0)
	for _, sg := range o.Segments {
		segStart, segEnd := pos, pos+sg.Size
		pos = segEnd
		if segEnd <= start || segStart >= start+length {
			continue
		}
		from := max(start, segStart) - segStart
		to := min(start+length, segEnd) - segStart
		p := piece{id: sg.BlobID, offset: from, n: to - from, sealedKey: sg.SealedKey, size: sg.Size}
		if sg.BlobID == "" {
			p.inline = o.Inline
		}
		pieces = append(pieces, p)
	}
	return pieces
}

// smallObject is the largest range sent from a buffer instead of with
// sendfile; it must not exceed the copy buffer's size.
const smallObject = 128 << 10

// parseRange parses a single-range Range header. ok is false when the
// header is ignored (as S3 ignores malformed or multi-range values).
func parseRange(h string, size int64) (start, length int64, ok bool, err error) {
	spec, found := strings.CutPrefix(h, "bytes=")
	if !found || strings.Contains(spec, ",") {
		return 0, 0, false, nil
	}
	a, b, found := strings.Cut(strings.TrimSpace(spec), "-")
	if !found {
		return 0, 0, false, nil
	}
	if a == "" {
		n, perr := strconv.ParseInt(b, 10, 64)
		if perr != nil || n < 0 {
			return 0, 0, false, nil
		}
		if n == 0 {
			return 0, 0, false, s3err.InvalidRange
		}
		if n > size {
			n = size
		}
		if size == 0 {
			return 0, 0, false, nil
		}
		return size - n, n, true, nil
	}
	s, perr := strconv.ParseInt(a, 10, 64)
	if perr != nil || s < 0 {
		return 0, 0, false, nil
	}
	e := size - 1
	if b != "" {
		e, perr = strconv.ParseInt(b, 10, 64)
		if perr != nil || e < s {
			return 0, 0, false, nil
		}
		if e >= size {
			e = size - 1
		}
	}
	if s >= size {
		return 0, 0, false, s3err.InvalidRange
	}
	return s, e - s + 1, true, nil
}

// checkConditions applies If-Match, If-None-Match, If-Modified-Since and
// If-Unmodified-Since with S3's precedence rules
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html).
func checkConditions(h http.Header, o *meta.Object) error {
	return evalConditions(o, h.Get("If-Match"), h.Get("If-None-Match"), h.Get("If-Modified-Since"), h.Get("If-Unmodified-Since"), s3err.NotModified)
}

func evalConditions(o *meta.Object, ifMatch, ifNoneMatch, ifModSince, ifUnmodSince string, notModified *s3err.Error) error {
	lm := o.LastModified.Truncate(time.Second)
	if ifMatch != "" {
		if !etagMatches(ifMatch, o.ETag) {
			return s3err.PreconditionFailed.With(s3err.Field{Name: "Condition", Value: "If-Match"})
		}
	} else if ifUnmodSince != "" {
		if t, err := http.ParseTime(ifUnmodSince); err == nil && lm.After(t) {
			return s3err.PreconditionFailed.With(s3err.Field{Name: "Condition", Value: "If-Unmodified-Since"})
		}
	}
	if ifNoneMatch != "" {
		if etagMatches(ifNoneMatch, o.ETag) {
			return notModified.WithHeader("ETag", quote(o.ETag))
		}
	} else if ifModSince != "" {
		if t, err := http.ParseTime(ifModSince); err == nil && !lm.After(t) {
			return notModified.WithHeader("ETag", quote(o.ETag))
		}
	}
	return nil
}

func etagMatches(header, etag string) bool {
	for _, p := range strings.Split(header, ",") {
		p = strings.TrimSpace(p)
		p = strings.TrimPrefix(p, "W/")
		if p == "*" || strings.Trim(p, "\"") == etag {
			return true
		}
	}
	return false
}

func (rc *reqCtx) deleteObject() error {
	if v := rc.query.Get("versionId"); has(rc.query, "versionId") && v != meta.NullVersion && !validVersionID(v) {
		return s3err.InvalidArgument.WithMessage("Invalid version id specified").With(s3err.Field{Name: "ArgumentName", Value: "versionId"}, s3err.Field{Name: "ArgumentValue", Value: v})
	}
	cond, err := rc.deleteCondition(has(rc.query, "versionId"))
	if err != nil {
		return err
	}
	res, err := rc.s.objects.Delete(rc.r.Context(), rc.bucket, rc.key, rc.query.Get("versionId"), cond)
	if errors.Is(err, meta.ErrPreconditionFailed) {
		return s3err.PreconditionFailed.With(s3err.Field{Name: "Condition", Value: "If-Match"})
	}
	if err != nil {
		return rc.objectError(err)
	}
	if res.DeleteMarker {
		rc.w.Header().Set("x-amz-delete-marker", "true")
	}
	if res.VersionID != "" && (rc.bkt.Versioning != "" || rc.query.Get("versionId") != "") {
		rc.w.Header().Set("x-amz-version-id", res.VersionID)
	}
	return rc.noContent()
}

type deleteRequest struct {
	XMLName xml.Name `xml:"Delete"`
	Quiet   bool     `xml:"Quiet"`
	Objects []struct {
		Key       string `xml:"Key"`
		VersionID string `xml:"VersionId"`
		// ETag is the entry's If-Match (an ETag or "*"); LastModifiedTime
		// and Size are directory-bucket conditions, refused.
		ETag             *string `xml:"ETag"`
		LastModifiedTime *string `xml:"LastModifiedTime"`
		Size             *string `xml:"Size"`
	} `xml:"Object"`
}

type deleteResult struct {
	XMLName xml.Name `xml:"DeleteResult"`
	NS      string   `xml:"xmlns,attr"`
	Deleted []struct {
		Key                   string `xml:"Key"`
		VersionID             string `xml:"VersionId,omitempty"`
		DeleteMarker          bool   `xml:"DeleteMarker,omitempty"`
		DeleteMarkerVersionID string `xml:"DeleteMarkerVersionId,omitempty"`
	} `xml:"Deleted"`
	Errors []struct {
		Key       string `xml:"Key"`
		VersionID string `xml:"VersionId,omitempty"`
		Code      string `xml:"Code"`
		Message   string `xml:"Message"`
	} `xml:"Error"`
}

func (rc *reqCtx) deleteObjects() error {
	var req deleteRequest
	if err := rc.readXML(&req); err != nil {
		return err
	}
	if len(req.Objects) == 0 || len(req.Objects) > 1000 {
		return s3err.MalformedXML
	}
	res := deleteResult{NS: s3NS}
	for _, ob := range req.Objects {
		fail := func(e *s3err.Error) {
			res.Errors = append(res.Errors, struct {
				Key       string `xml:"Key"`
				VersionID string `xml:"VersionId,omitempty"`
				Code      string `xml:"Code"`
				Message   string `xml:"Message"`
			}{ob.Key, ob.VersionID, e.Code, e.Message})
		}
		if ob.Key == "" || len(ob.Key) > 1024 {
			fail(s3err.KeyTooLong)
			continue
		}
		if !rc.mayDeleteKey(ob.Key, ob.VersionID) {
			fail(s3err.AccessDenied)
			continue
		}
		if ob.LastModifiedTime != nil || ob.Size != nil {
			fail(errDeleteCondition("LastModifiedTime and Size conditions are supported only by directory buckets.", "LastModifiedTime"))
			continue
		}
		var cond *meta.WriteCondition
		if ob.ETag != nil {
			// The entry's ETag is DeleteObject's If-Match, with its rules.
			v := ifMatchETag([]string{*ob.ETag})
			switch {
			case ob.VersionID != "":
				fail(errDeleteCondition("an ETag condition cannot be combined with a VersionId; conditional deletes apply to the current version.", "If-Match"))
				continue
			case v == "":
				fail(errDeleteCondition("an ETag condition takes one ETag or *.", "If-Match"))
				continue
			case v != "*" && !rc.mayReadForDelete(ob.Key):
				fail(s3err.AccessDenied)
				continue
			}
			cond = &meta.WriteCondition{IfMatch: v}
		}
		r, err := rc.s.objects.Delete(rc.r.Context(), rc.bucket, ob.Key, ob.VersionID, cond)
		if err != nil && !errors.Is(err, meta.ErrNoSuchVersion) {
			fail(toS3Error(err))
			continue
		}
		if req.Quiet {
			continue
		}
		d := struct {
			Key                   string `xml:"Key"`
			VersionID             string `xml:"VersionId,omitempty"`
			DeleteMarker          bool   `xml:"DeleteMarker,omitempty"`
			DeleteMarkerVersionID string `xml:"DeleteMarkerVersionId,omitempty"`
		}{Key: ob.Key, VersionID: ob.VersionID}
		if r.DeleteMarker {
			d.DeleteMarker = true
			d.DeleteMarkerVersionID = r.VersionID
		}
		res.Deleted = append(res.Deleted, d)
	}
	return rc.writeXML(200, res)
}

func (rc *reqCtx) getObjectTagging() error {
	o, err := rc.lookupObject()
	if err != nil {
		return err
	}
	rc.setVersionHeader(o.VersionID)
	return rc.writeXML(200, s3xml.Tagging{Form: s3xml.S3, TagSet: s3xml.SortedTags(o.Tags)})
}

func (rc *reqCtx) putObjectTagging() error {
	t := s3xml.Tagging{Form: s3xml.S3}
	if err := rc.readXML(&t); err != nil {
		return err
	}
	m, err := s3xml.ValidateTags(t.TagSet, maxObjectTags)
	if err != nil {
		return err
	}
	return rc.updateTags(m)
}

func (rc *reqCtx) deleteObjectTagging() error {
	if err := rc.updateTags(nil); err != nil {
		return err
	}
	rc.w.WriteHeader(http.StatusNoContent)
	return nil
}

func (rc *reqCtx) updateTags(m map[string]string) error {
	var vid string
	err := rc.s.cfg.Meta.UpdateObject(rc.r.Context(), rc.bucket, rc.key, rc.query.Get("versionId"), func(o *meta.Object) error {
		if o.DeleteMarker {
			return meta.ErrMethodNotAllowed
		}
		o.Tags = m
		vid = o.VersionID
		return nil
	})
	if err != nil {
		return rc.objectError(err)
	}
	rc.setVersionHeader(vid)
	if m == nil {
		return nil
	}
	return rc.ok()
}

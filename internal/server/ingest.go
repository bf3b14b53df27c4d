package server

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/outpost-s3/outpost/internal/blob"
	"github.com/outpost-s3/outpost/internal/meta"
	"github.com/outpost-s3/outpost/internal/objects"
	"github.com/outpost-s3/outpost/internal/s3err"
	"github.com/outpost-s3/outpost/internal/sse"
)

// ingested is a body stored in a committed blob, or kept in memory to be
// stored inline in the object's metadata row.
type ingested struct {
	blobID    string // "" when inline
	inline    []byte
	size      int64
	md5       []byte
	checksums map[string]string // algorithm → base64 value
	// sealedKey is the wrapped data key the bytes are sealed with ("" when
	// stored as sent); etag is the body's ETag: its hex MD5, or for SSE-C
	// a value derived from the data key (sse.ETag).
	sealedKey string
	etag      string
}

// body is the ingested body as the objects service commits it.
func (in *ingested) body() objects.Body {
	return objects.Body{BlobID: in.blobID, Inline: in.inline, Size: in.size, ETag: in.etag, Checksums: in.checksums, SealedKey: in.sealedKey}
}

// inlineWriter collects a small body in memory (see Config.InlineMax); it
// becomes durable with the metadata transaction that stores it.
type inlineWriter struct{ buf []byte }

func (w *inlineWriter) Write(p []byte) (int, error) {
	if len(w.buf)+len(p) > cap(w.buf) {
		return 0, errors.New("inline body longer than declared")
	}
	w.buf = append(w.buf, p...)
	return len(p), nil
}
func (w *inlineWriter) ID() string    { return "" }
func (w *inlineWriter) Commit() error { return nil }
func (w *inlineWriter) Abort() error  { w.buf = nil; return nil }

// maxDrainAfterStoreError is how much of a request body is still read
// (and discarded) after the blob store failed, so the error reaches the client.
const maxDrainAfterStoreError = 64 << 20

var copyBufPool = sync.Pool{New: func() any { b := make([]byte, 256<<10); return &b }}

// hashingWriter feeds every byte to the blob and the hashes.
type hashingWriter struct {
	dst    io.Writer
	hashes []hash.Hash
}

func (w *hashingWriter) Write(p []byte) (int, error) {
	for _, h := range w.hashes {
		h.Write(p)
	}
	n, err := w.dst.Write(p)
	if err != nil {
		return n, &storeWriteError{err}
	}
	return n, nil
}

// storeWriteError marks a failure to write the blob (as opposed to a
// failure to read the client's body).
type storeWriteError struct{ err error }

func (e *storeWriteError) Error() string { return "write blob: " + e.err.Error() }
func (e *storeWriteError) Unwrap() error { return e.err }

// payloadLength is the number of body bytes a PUT carries, or an error when
// it is missing or too large.
func (rc *reqCtx) payloadLength() (int64, error) {
	n := rc.r.ContentLength
	if rc.verified != nil && rc.verified.DecodedLength >= 0 && rc.r.Header.Get("x-amz-decoded-content-length") != "" {
		n = rc.verified.DecodedLength
	}
	if n < 0 {
		return 0, s3err.MissingContentLength
	}
	if n > rc.s.cfg.MaxObjectSize {
		return 0, s3err.EntityTooLarge.With(
			s3err.Field{Name: "ProposedSize", Value: itoa64(n)},
			s3err.Field{Name: "MaxSizeAllowed", Value: itoa64(rc.s.cfg.MaxObjectSize)})
	}
	return n, nil
}

// ingest streams exactly size bytes of the verified body into a new blob
// while computing MD5 and any declared checksum, checks Content-MD5 and the
// checksum, and commits the blob. Nothing is visible to readers until the
// caller commits metadata referencing the blob. On any error the blob is
// discarded. decl holds what the client declared about the bytes
// (Content-MD5, x-amz-checksum-*, x-amz-trailer, x-amz-sdk-checksum-algorithm).
// With inlineOK, a body of at most Config.InlineMax bytes is kept in memory
// for the caller to store in the object's metadata row instead of a blob.
// The bytes are stored sealed as sl says (sse.go), inline ones too.
func (rc *reqCtx) ingest(body io.Reader, size int64, decl http.Header, inlineOK bool, sl sealing) (*ingested, error) {
	var wantMD5 []byte
	if vs := decl.Values("Content-MD5"); len(vs) > 0 {
		// An empty Content-MD5 is a bad digest, not a missing one.
		b, err := base64.StdEncoding.DecodeString(vs[0])
		if err != nil || len(b) != md5.Size {
			return nil, s3err.InvalidDigest
		}
		wantMD5 = b
	}
	alg, wantSum, trailer, err := requestChecksum(decl)
	if err != nil {
		return nil, err
	}
	var w blob.Writer
	var inline *inlineWriter
	stored := size
	if sl.mode != "" {
		stored = sse.SealedSize(size)
	}
	if inlineOK && size <= rc.s.cfg.InlineMax {
		inline = &inlineWriter{buf: make([]byte, 0, stored)}
		w = inline
	} else if w, err = rc.s.cfg.Blobs.Create(rc.r.Context()); err != nil {
		return nil, err
	}
	committed := false
	defer func() {
		if !committed {
			w.Abort()
		}
	}()
	md := md5.New()
	hw := &hashingWriter{dst: w, hashes: []hash.Hash{md}}
	var sealer *sse.Writer
	var dataKey []byte
	if sl.mode != "" {
		dataKey = sse.NewDataKey()
		if sealer, err = sse.NewWriter(w, dataKey, size); err != nil {
			return nil, err
		}
		hw.dst = sealer
	}
	var sum hash.Hash
	if alg != "" {
		sum = newChecksum(alg)
		hw.hashes = append(hw.hashes, sum)
	}
	bufp := copyBufPool.Get().(*[]byte)
	n, err := io.CopyBuffer(hw, io.LimitReader(body, size), *bufp)
	copyBufPool.Put(bufp)
	if err != nil {
		var we *storeWriteError
		if errors.As(err, &we) {
			// The client is still sending: read and drop a bounded rest of
			// the body so it receives this error (503 for a full disk)
			// rather than a connection reset it can only retry blindly.
			io.CopyN(io.Discard, body, min(size-n, maxDrainAfterStoreError))
			return nil, err
		}
		return nil, bodyError(err)
	}
	if n < size {
		return nil, s3err.IncompleteBody
	}
	// Read to EOF so the payload hash, chunk signatures and trailers are
	// verified before anything is committed.
	var one [1]byte
	for {
		m, err := body.Read(one[:])
		if m > 0 {
			return nil, s3err.IncompleteBody.WithMessage("The request body is longer than the declared length.")
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, bodyError(err)
		}
	}
	res := &ingested{size: n, md5: md.Sum(nil)}
	res.etag = hexString(res.md5)
	if wantMD5 != nil && !equalBytes(wantMD5, res.md5) {
		return nil, s3err.BadDigest.With(
			s3err.Field{Name: "ExpectedDigest", Value: hex.EncodeToString(wantMD5)},
			s3err.Field{Name: "CalculatedDigest", Value: base64.StdEncoding.EncodeToString(res.md5)})
	}
	if sum != nil {
		got := b64(sum.Sum(nil))
		if trailer {
			if rc.verified != nil && rc.verified.Trailers != nil {
				wantSum = rc.verified.Trailers.Get(checksumHeader(alg))
			}
			if wantSum == "" {
				return nil, s3err.InvalidRequest.WithMessage("The x-amz-trailer header declares " + checksumHeader(alg) + " but the trailer was not sent.")
			}
		}
		if wantSum != "" && wantSum != got {
			return nil, checksumMismatch(alg)
		}
		res.checksums = map[string]string{alg: got}
	}
	if sealer != nil {
		if err := sealer.Close(); err != nil {
			return nil, &storeWriteError{err}
		}
		if res.sealedKey, err = rc.s.wrapKey(sl, dataKey); err != nil {
			return nil, err
		}
		if sl.mode == meta.SSEC {
			res.etag = hexString(sse.ETag(dataKey, res.md5))
		}
	}
	if err := w.Commit(); err != nil {
		return nil, err
	}
	committed = true
	res.blobID = w.ID()
	if inline != nil {
		res.inline = inline.buf
	}
	return res, nil
}

// bodyError turns a body read failure into the S3 error: verification
// errors pass through, a short body is IncompleteBody.
func bodyError(err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return s3err.IncompleteBody
	}
	var maxErr *http.MaxBytesError
	if errors.As(err, &maxErr) {
		return s3err.EntityTooLarge
	}
	e := toS3Error(err)
	if e.Code == "InternalError" {
		// The client went away or the connection broke mid-body.
		return s3err.IncompleteBody.WithCause(err)
	}
	return e
}

func equalBytes(a, b []byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

// checksumHeaders are the request headers that declare checksums. For a
// presigned request, x-amz-checksum-* and x-amz-sdk-checksum-algorithm may
// also come as (signed) query parameters, and S3 honours them there.
func (rc *reqCtx) checksumHeaders() http.Header {
	h := rc.r.Header
	if rc.verified == nil || rc.verified.AuthType != "REST-QUERY-STRING" {
		return h
	}
	var merged http.Header
	for k, vs := range rc.query {
		lk := strings.ToLower(k)
		if strings.HasPrefix(lk, "x-amz-checksum-") || lk == "x-amz-sdk-checksum-algorithm" {
			if merged == nil {
				merged = h.Clone()
			}
			if merged.Get(k) == "" {
				merged.Set(k, vs[0])
			}
		}
	}
	if merged == nil {
		return h
	}
	return merged
}

// readSmallBody reads a bounded request body whole (IAM/STS forms,
// s3outposts JSON, network documents) and puts it back on r for the
// verifier. tooLarge reports a body over limit bytes.
func readSmallBody(r *http.Request, limit int) (body []byte, tooLarge bool, err error) {
	if r.Body != nil {
		if body, err = io.ReadAll(io.LimitReader(r.Body, int64(limit)+1)); err != nil {
			return nil, false, err
		}
	}
	if len(body) > limit {
		return nil, true, nil
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return body, false, nil
}

// supplyPayloadHash sets X-Amz-Content-Sha256 to the hash of the body
// received when the client signed the body without sending the header
// (the IAM, STS and s3outposts SDKs, curl --aws-sigv4 before 8.3), so the
// signature is checked against the bytes that actually arrived.
func supplyPayloadHash(r *http.Request, body []byte) {
	if r.Header.Get("X-Amz-Content-Sha256") == "" {
		sum := sha256.Sum256(body)
		r.Header.Set("X-Amz-Content-Sha256", hex.EncodeToString(sum[:]))
	}
}

// Package sse seals object bytes at rest, as S3 on Outposts does: every
// object is encrypted (SSE-S3) unless the operator turned it off for disks
// that are already encrypted, and a caller may choose a key of its own
// (SSE-C).
//
// Each stored body (a blob, or the bytes of an inline object) has its own
// random 256-bit data key. The bytes are cut into chunks of ChunkSize, and
// each chunk is sealed with AES-256-GCM under the data key; the nonce is the
// chunk's index plus a flag for the last chunk, so chunks cannot be
// reordered, dropped or cut short without failing authentication. A ranged
// read decrypts only the chunks it covers. The data key itself is stored
// wrapped: by the server's master key for SSE-S3 (iam.Keyring), or by the
// customer's key for SSE-C (WrapWithCustomerKey), which is never stored; a
// salted HMAC (KeyCheck) tells a wrong customer key from the right one.
package sse

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"
)

// KeySize is the length of data keys and customer keys: AES-256.
const KeySize = 32

// ChunkSize is the plaintext length of every chunk but the last.
const ChunkSize = 64 << 10

// tagSize is what sealing adds to each chunk.
const tagSize = 16

// sealedChunk is the stored length of a full chunk.
const sealedChunk = ChunkSize + tagSize

// ErrAuth is returned when stored bytes fail authentication: they were
// changed, cut short or sealed under another key.
var ErrAuth = errors.New("sse: sealed data fails authentication")

// NewDataKey returns a fresh random data key.
func NewDataKey() []byte {
	k := make([]byte, KeySize)
	rand.Read(k)
	return k
}

// SealedSize is the stored length of n plaintext bytes.
func SealedSize(n int64) int64 {
	chunks := (n + ChunkSize - 1) / ChunkSize
	return n + chunks*tagSize
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("sse: key is %d bytes, want %d", len(key), KeySize)
	}
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}

// nonce is chunk index i (big-endian) and, in its ninth byte, 1 for the
// last chunk. A data key seals one body only, so nonces never repeat.
func nonce(dst *[12]byte, i int64, last bool) []byte {
	*dst = [12]byte{}
	binary.BigEndian.PutUint64(dst[:8], uint64(i))
	if last {
		dst[8] = 1
	}
	return dst[:]
}

var chunkPool = sync.Pool{New: func() any { b := make([]byte, 0, sealedChunk); return &b }}

// Writer seals plaintext written to it onto dst. Close seals the last
// chunk; the caller must know the plaintext length to read it back
// (NewReader), as the object's metadata does.
type Writer struct {
	dst  io.Writer
	aead cipher.AEAD
	buf  *[]byte // plaintext of the current chunk; sealed in place
	idx  int64
	size int64 // plaintext length declared at creation
	seen int64
	err  error
}

// NewWriter seals exactly size plaintext bytes with key onto dst. Writing
// more than size bytes is an error.
func NewWriter(dst io.Writer, key []byte, size int64) (*Writer, error) {
	aead, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	bp := chunkPool.Get().(*[]byte)
	*bp = (*bp)[:0]
	return &Writer{dst: dst, aead: aead, buf: bp, size: size}, nil
}

func (w *Writer) Write(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	if w.seen+int64(len(p)) > w.size {
		w.err = errors.New("sse: more bytes written than declared")
		return 0, w.err
	}
	n := 0
	for len(p) > 0 {
		b := *w.buf
		k := min(len(p), ChunkSize-len(b))
		b = append(b, p[:k]...)
		*w.buf = b
		p = p[k:]
		n += k
		w.seen += int64(k)
		// A full chunk is sealed as soon as it is full, unless it is the
		// last one (Close seals that, with the last-chunk flag).
		if len(b) == ChunkSize && w.seen < w.size {
			if err := w.flush(false); err != nil {
				return n, err
			}
		}
	}
	return n, nil
}

func (w *Writer) flush(last bool) error {
	var nb [12]byte
	b := *w.buf
	sealed := w.aead.Seal(b[:0], nonce(&nb, w.idx, last), b, nil)
	w.idx++
	_, err := w.dst.Write(sealed)
	*w.buf = sealed[:0]
	if err != nil {
		w.err = err
	}
	return err
}

// Close seals the last chunk. It fails when fewer bytes than declared were
// written. It does not close dst.
func (w *Writer) Close() error {
	if w.err != nil {
		return w.err
	}
	if w.seen != w.size {
		w.err = fmt.Errorf("sse: %d of %d declared bytes written", w.seen, w.size)
		return w.err
	}
	var err error
	if w.size > 0 {
		err = w.flush(true)
	}
	chunkPool.Put(w.buf)
	w.buf = nil
	w.err = errors.New("sse: writer closed")
	return err
}

// SealedRange returns the stored bytes [off, off+n) that hold the
// plaintext bytes [poff, poff+pn) of a body of size plaintext bytes: the
// whole chunks that cover them, which is what NewReader must be given.
// An empty plaintext range needs no stored bytes.
func SealedRange(size, poff, pn int64) (off, n int64) {
	if pn <= 0 {
		return 0, 0
	}
	first, last := poff/ChunkSize, (poff+pn-1)/ChunkSize
	off = first * sealedChunk
	end := min((last+1)*sealedChunk, SealedSize(size))
	return off, end - off
}

// Reader reads the plaintext of a range of a sealed body of a known
// plaintext size, decrypting one chunk at a time (WriteTo: a few at a
// time) as it reads the stored bytes sequentially.
type Reader struct {
	src    io.Reader
	aead   cipher.AEAD
	size   int64  // plaintext length of the whole body
	pos    int64  // plaintext offset of the next byte returned
	end    int64  // plaintext offset where the range ends
	next   int64  // index of the next chunk to read from src
	chunk  []byte // plaintext of the loaded chunk not yet returned
	buf    *[]byte
	closer io.Closer
	err    error // sticky: the first failure to read or open a chunk
}

// NewReader returns a reader of the plaintext bytes [off, off+n) of a body
// of size plaintext bytes sealed with key. src holds the stored bytes
// SealedRange(size, off, n) names, from their first byte; stored bytes
// that are missing, changed or sealed under another key make Read and
// WriteTo fail with ErrAuth. When src is an io.Closer, Close closes it.
func NewReader(src io.Reader, key []byte, size, off, n int64) (*Reader, error) {
	if off < 0 || n < 0 || off > size || n > size-off {
		return nil, fmt.Errorf("sse: range %d+%d outside the body of %d bytes", off, n, size)
	}
	aead, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	r := &Reader{src: src, aead: aead, size: size, pos: off, end: off + n, next: off / ChunkSize, buf: chunkPool.Get().(*[]byte)}
	if c, ok := src.(io.Closer); ok {
		r.closer = c
	}
	return r, nil
}

func (r *Reader) Read(p []byte) (int, error) {
	if r.pos >= r.end {
		return 0, io.EOF
	}
	if len(r.chunk) == 0 {
		plain, err := r.readChunks((*r.buf)[:sealedChunk], (*r.buf)[:0], 1)
		if err != nil {
			return 0, err
		}
		r.chunk = plain
	}
	n := copy(p, r.chunk)
	r.chunk = r.chunk[n:]
	r.pos += int64(n)
	return n, nil
}

// readChunks reads the next k stored chunks into sealed, opens them
// into plain (which may be sealed[:0] when k is 1: opened in place) and
// returns the part of their plaintext inside the range, from pos on.
func (r *Reader) readChunks(sealed, plain []byte, k int64) ([]byte, error) {
	if r.err != nil {
		return nil, r.err
	}
	i := r.next
	// Stored bytes of chunks i..i+k-1 (the body's last chunk is short).
	plainEnd := min((i+k)*ChunkSize, r.size)
	if _, err := io.ReadFull(r.src, sealed[:plainEnd-i*ChunkSize+k*tagSize]); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			err = fmt.Errorf("%w: chunk %d is short", ErrAuth, i)
		}
		r.err = err
		return nil, err
	}
	var nb [12]byte
	for j := int64(0); j < k; j++ {
		c := i + j
		cl := min(ChunkSize, r.size-c*ChunkSize) + tagSize
		var err error
		plain, err = r.aead.Open(plain, nonce(&nb, c, (c+1)*ChunkSize >= r.size), sealed[j*sealedChunk:j*sealedChunk+cl], nil)
		if err != nil {
			r.err = fmt.Errorf("%w: chunk %d", ErrAuth, c)
			return nil, r.err
		}
	}
	r.next = i + k
	return plain[r.pos-i*ChunkSize : min(int64(len(plain)), r.end-i*ChunkSize)], nil
}

// batchChunks is how many chunks WriteTo reads and writes at once: fewer
// system calls on both sides than one chunk at a time.
const batchChunks = 4

type batch struct{ sealed, plain []byte }

var batchPool = sync.Pool{New: func() any {
	return &batch{sealed: make([]byte, batchChunks*sealedChunk), plain: make([]byte, batchChunks*ChunkSize)}
}}

// WriteTo writes the rest of the range to w. It reads and decrypts up to
// four chunks at a time and writes them in one Write, without the copy
// through a caller's buffer that Read needs.
func (r *Reader) WriteTo(w io.Writer) (int64, error) {
	var done int64
	if len(r.chunk) > 0 { // the rest of a chunk Read opened
		m, err := w.Write(r.chunk)
		done += int64(m)
		r.chunk = r.chunk[m:]
		r.pos += int64(m)
		if err != nil {
			return done, err
		}
	}
	if r.pos >= r.end {
		return done, nil
	}
	b := batchPool.Get().(*batch)
	defer batchPool.Put(b)
	last := (r.end - 1) / ChunkSize
	for r.pos < r.end {
		plain, err := r.readChunks(b.sealed, b.plain[:0], min(batchChunks, last-r.next+1))
		if err != nil {
			return done, err
		}
		m, err := w.Write(plain)
		done += int64(m)
		r.pos += int64(m)
		if err != nil {
			return done, err
		}
	}
	return done, nil
}

// Close releases the chunk buffer and closes src when it is a Closer.
func (r *Reader) Close() error {
	if r.buf != nil {
		chunkPool.Put(r.buf)
		r.buf, r.chunk = nil, nil
	}
	if r.closer != nil {
		return r.closer.Close()
	}
	return nil
}

// customerWrapAAD binds a key wrapped by a customer key to its use.
var customerWrapAAD = []byte("outpost sse-c data key v1")

// WrapWithCustomerKey seals a data key under an SSE-C customer key,
// returning base64(nonce || ciphertext).
func WrapWithCustomerKey(customerKey, dataKey []byte) (string, error) {
	aead, err := newAEAD(customerKey)
	if err != nil {
		return "", err
	}
	n := make([]byte, aead.NonceSize(), aead.NonceSize()+len(dataKey)+aead.Overhead())
	rand.Read(n)
	return base64.StdEncoding.EncodeToString(aead.Seal(n, n, dataKey, customerWrapAAD)), nil
}

// UnwrapWithCustomerKey reverses WrapWithCustomerKey; a wrong customer key
// is ErrAuth.
func UnwrapWithCustomerKey(customerKey []byte, wrapped string) ([]byte, error) {
	aead, err := newAEAD(customerKey)
	if err != nil {
		return nil, err
	}
	raw, err := base64.StdEncoding.DecodeString(wrapped)
	if err != nil || len(raw) < aead.NonceSize()+aead.Overhead() {
		return nil, ErrAuth
	}
	k, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], customerWrapAAD)
	if err != nil {
		return nil, ErrAuth
	}
	return k, nil
}

// checkSalt is the salt length of a KeyCheck.
const checkSalt = 16

// KeyCheck returns salt || HMAC-SHA256(customerKey, salt) with a fresh
// salt: stored with an SSE-C object so a request's key can be verified
// without storing the key or an unsalted hash of it.
func KeyCheck(customerKey []byte) []byte {
	out := make([]byte, checkSalt, checkSalt+sha256.Size)
	rand.Read(out)
	m := hmac.New(sha256.New, customerKey)
	m.Write(out)
	return m.Sum(out)
}

// VerifyKeyCheck reports, in constant time, whether customerKey is the key
// check was made from.
func VerifyKeyCheck(check, customerKey []byte) bool {
	if len(check) != checkSalt+sha256.Size {
		return false
	}
	m := hmac.New(sha256.New, customerKey)
	m.Write(check[:checkSalt])
	return subtle.ConstantTimeCompare(m.Sum(nil), check[checkSalt:]) == 1
}

// ETag is the ETag of an SSE-C body: derived from its data key and MD5, so
// it changes with the content but, unlike the MD5 S3 returns for other
// objects, tells nobody without the key anything about the plaintext
// (S3 also returns a non-MD5 ETag for SSE-C objects). Hex, 32 digits.
func ETag(dataKey, md5 []byte) []byte {
	m := hmac.New(sha256.New, dataKey)
	m.Write([]byte("etag"))
	m.Write(md5)
	return m.Sum(nil)[:16]
}

package sigv4

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// aws-chunked payloads, per
// https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html and
// https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming-trailers.html:
//
//	hex-size;chunk-signature=sig\r\n data \r\n ... 0;chunk-signature=sig\r\n
//	[trailer-name:value\r\n ... x-amz-trailer-signature:sig\r\n] \r\n
//
// Each chunk's string to sign chains the previous signature, starting with
// the seed signature of the request.

const (
	maxChunkLine     = 4096     // longest chunk header or trailer line
	maxTrailerBytes  = 16 << 10 // all trailer lines together
	maxTrailerFields = 16
)

// CRC-64/NVME, reflected polynomial, as S3's x-amz-checksum-crc64nvme uses.
var crc64NVME = crc64.MakeTable(0x9a6c9329ac4bc9b5)

func newChecksum(name string) (hash.Hash, bool) {
	switch name {
	case "x-amz-checksum-crc32":
		return crc32.NewIEEE(), true
	case "x-amz-checksum-crc32c":
		return crc32.New(crc32.MakeTable(crc32.Castagnoli)), true
	case "x-amz-checksum-crc64nvme":
		return crc64.New(crc64NVME), true
	case "x-amz-checksum-sha1":
		return sha1.New(), true
	case "x-amz-checksum-sha256":
		return sha256.New(), true
	}
	return nil, false
}

type chunkConfig struct {
	payload       string
	decodedLength int64
	amzDate       string
	scope         string
	seed          string
	trailer       string // declared x-amz-trailer
	hmacKey       [32]byte
	ecdsaKey      *ecdsa.PublicKey
}

func (c *chunkConfig) signed() bool { return c.payload != StreamingUnsignedPayloadTrailer }
func (c *chunkConfig) hasTrailer() bool {
	return c.payload == StreamingPayloadTrailer || c.payload == StreamingUnsignedPayloadTrailer ||
		c.payload == StreamingECDSAPayloadTrailer
}
func (c *chunkConfig) ecdsa() bool {
	return c.payload == StreamingECDSAPayload || c.payload == StreamingECDSAPayloadTrailer
}

// chunkedReader decodes and verifies an aws-chunked body as it is read.
type chunkedReader struct {
	cfg      chunkConfig
	br       *bufio.Reader
	prevSig  string
	remain   int64 // bytes left in the current chunk
	total    int64 // decoded bytes so far
	chunkSig string
	chunkH   hash.Hash // sha256 of the current chunk
	sum      hash.Hash // declared trailer checksum
	sumName  string
	ws       workspace
	err      error
	done     bool
	trailers http.Header
}

func newChunkedReader(body io.Reader, cfg chunkConfig) (*chunkedReader, error) {
	d := &chunkedReader{
		cfg:      cfg,
		br:       bufio.NewReaderSize(body, 32<<10),
		prevSig:  strings.TrimRight(cfg.seed, "*"),
		chunkH:   sha256.New(),
		trailers: make(http.Header),
	}
	d.ws.h = sha256.New()
	if cfg.hasTrailer() {
		name := strings.ToLower(strings.TrimSpace(cfg.trailer))
		if name == "" {
			return nil, newErr(CodeInvalidRequest, http.StatusBadRequest,
				"The value specified in the x-amz-trailer header is not supported")
		}
		if strings.Contains(name, ",") {
			return nil, newErr(CodeInvalidRequest, http.StatusBadRequest,
				"Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
		}
		h, ok := newChecksum(name)
		if !ok {
			return nil, newErr(CodeInvalidRequest, http.StatusBadRequest,
				"The value specified in the x-amz-trailer header is not supported")
		}
		d.sum, d.sumName = h, name
	}
	return d, nil
}

func (d *chunkedReader) fail(err error) (int, error) {
	d.err = err
	return 0, err
}

// readLine reads one line ending in "\n" (a preceding "\r" is removed),
// bounded to maxChunkLine bytes.
func (d *chunkedReader) readLine() (string, error) {
	line, err := d.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull || len(line) > maxChunkLine {
		return "", errChunkFraming("chunk header line too long")
	}
	if err != nil {
		if err == io.EOF {
			return "", errIncompleteBody()
		}
		return "", err
	}
	line = line[:len(line)-1]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return string(line), nil
}

func (d *chunkedReader) Read(p []byte) (int, error) {
	if d.err != nil {
		return 0, d.err
	}
	for d.remain == 0 {
		if d.done {
			return 0, io.EOF
		}
		if err := d.nextChunk(); err != nil {
			return d.fail(err)
		}
	}
	if int64(len(p)) > d.remain {
		p = p[:d.remain]
	}
	n, err := d.br.Read(p)
	d.remain -= int64(n)
	d.total += int64(n)
	if d.cfg.signed() {
		d.chunkH.Write(p[:n])
	}
	if d.sum != nil {
		d.sum.Write(p[:n])
	}
	if err == io.EOF || (err == nil && n == 0) {
		if d.remain > 0 {
			return n, d.setErr(errIncompleteBody())
		}
		err = nil
	}
	if err != nil {
		return n, d.setErr(err)
	}
	if d.remain == 0 {
		if err := d.endChunk(); err != nil {
			return n, d.setErr(err)
		}
	}
	return n, nil
}

func (d *chunkedReader) setErr(err error) error { d.err = err; return err }

// nextChunk reads a chunk header; a zero-size chunk ends the body.
func (d *chunkedReader) nextChunk() error {
	line, err := d.readLine()
	if err != nil {
		return err
	}
	sizeStr, ext, hasExt := strings.Cut(line, ";")
	if sizeStr == "" || len(sizeStr) > 16 {
		return errChunkFraming("invalid chunk size")
	}
	size, err := strconv.ParseInt(sizeStr, 16, 64)
	if err != nil || size < 0 {
		return errChunkFraming("invalid chunk size")
	}
	d.chunkSig = ""
	if hasExt {
		k, v, _ := strings.Cut(ext, "=")
		if k != "chunk-signature" {
			return errChunkFraming("unknown chunk extension")
		}
		d.chunkSig = v
	}
	if d.cfg.signed() && d.chunkSig == "" {
		return errChunkFraming("missing chunk-signature")
	}
	if !d.cfg.signed() && hasExt {
		return errChunkFraming("unexpected chunk-signature in an unsigned payload")
	}
	if d.total+size > d.cfg.decodedLength {
		return errChunkFraming("chunks exceed x-amz-decoded-content-length")
	}
	d.chunkH.Reset()
	if size == 0 {
		return d.finish()
	}
	d.remain = size
	return nil
}

// endChunk verifies a chunk's signature and reads its trailing CRLF.
func (d *chunkedReader) endChunk() error {
	if err := d.verifyChunk(); err != nil {
		return err
	}
	var crlf [2]byte
	if _, err := io.ReadFull(d.br, crlf[:]); err != nil {
		return errIncompleteBody()
	}
	if crlf != [2]byte{'\r', '\n'} {
		return errChunkFraming("chunk data not followed by CRLF")
	}
	return nil
}

func (d *chunkedReader) chunkStringToSign(kind string, hashHex []byte, withEmpty bool) []byte {
	b := d.ws.sts[:0]
	alg := AlgorithmV4
	if d.cfg.ecdsa() {
		alg = AlgorithmV4A
	}
	b = append(b, alg...)
	b = append(b, kind...)
	b = append(b, '\n')
	b = append(b, d.cfg.amzDate...)
	b = append(b, '\n')
	b = append(b, d.cfg.scope...)
	b = append(b, '\n')
	b = append(b, d.prevSig...)
	b = append(b, '\n')
	if withEmpty {
		b = append(b, EmptySHA256...)
		b = append(b, '\n')
	}
	b = append(b, hashHex...)
	d.ws.sts = b
	return b
}

func (d *chunkedReader) checkSig(sts []byte, provided string) error {
	provided = strings.TrimRight(provided, "*")
	ok := false
	if d.cfg.ecdsa() {
		ok = verifyECDSA(d.cfg.ecdsaKey, sts, provided)
	} else {
		var sum, got [32]byte
		d.ws.hmacSHA256(d.cfg.hmacKey[:], sts, &sum)
		ok = decodeHex32(provided, &got) && sum == got
	}
	if !ok {
		return newErr(CodeSignatureDoesNotMatch, http.StatusForbidden, MsgSignatureDoesNotMatch,
			Field{"StringToSign", string(sts)}, Field{"SignatureProvided", provided},
			Field{"StringToSignBytes", hexBytes(string(sts))})
	}
	d.prevSig = provided
	return nil
}

func (d *chunkedReader) verifyChunk() error {
	if !d.cfg.signed() {
		return nil
	}
	var sum [32]byte
	var hx [64]byte
	d.chunkH.Sum(sum[:0])
	return d.checkSig(d.chunkStringToSign("-PAYLOAD", appendHex(hx[:0], sum[:]), true), d.chunkSig)
}

// finish handles the final zero-size chunk and the trailer.
func (d *chunkedReader) finish() error {
	if err := d.verifyChunk(); err != nil {
		return err
	}
	if d.total != d.cfg.decodedLength {
		return errIncompleteBody()
	}
	if !d.cfg.hasTrailer() {
		line, err := d.readLine()
		if err != nil {
			return err
		}
		if line != "" {
			return errChunkFraming("data after the final chunk")
		}
		d.done = true
		return d.expectEOF()
	}
	var canon []byte
	var trailerSig string
	size, fields := 0, 0
	for {
		line, err := d.br.ReadSlice('\n')
		if err == io.EOF && len(line) == 0 {
			break
		}
		if err != nil && err != io.EOF {
			if err == bufio.ErrBufferFull {
				return malformedTrailer()
			}
			return err
		}
		size += len(line)
		if size > maxTrailerBytes {
			return malformedTrailer()
		}
		s := strings.TrimRight(string(line), "\r\n")
		if s == "" {
			if err == io.EOF {
				break
			}
			continue
		}
		name, value, ok := strings.Cut(s, ":")
		if !ok {
			return malformedTrailer()
		}
		name = strings.ToLower(strings.TrimSpace(name))
		value = strings.TrimSpace(value)
		if name == "x-amz-trailer-signature" {
			trailerSig = value
		} else {
			if fields++; fields > maxTrailerFields {
				return malformedTrailer()
			}
			if trailerSig != "" {
				return malformedTrailer()
			}
			d.trailers.Add(name, value)
			canon = append(canon, name...)
			canon = append(canon, ':')
			canon = append(canon, value...)
			canon = append(canon, '\n')
		}
		if err == io.EOF {
			break
		}
	}
	if len(d.trailers) != 1 || d.trailers.Get(d.sumName) == "" {
		return malformedTrailer()
	}
	if d.cfg.signed() {
		if trailerSig == "" {
			return malformedTrailer()
		}
		ts := sha256.Sum256(canon)
		var hx [64]byte
		if err := d.checkSig(d.chunkStringToSign("-TRAILER", appendHex(hx[:0], ts[:]), false), trailerSig); err != nil {
			return err
		}
	} else if trailerSig != "" {
		return malformedTrailer()
	}
	got := base64.StdEncoding.EncodeToString(d.sum.Sum(nil))
	if sent := d.trailers.Get(d.sumName); sent != got {
		alg := strings.ToUpper(strings.TrimPrefix(d.sumName, "x-amz-checksum-"))
		return newErr(CodeBadDigest, http.StatusBadRequest,
			"The "+alg+" you specified did not match the calculated checksum.")
	}
	d.done = true
	return nil
}

func (d *chunkedReader) expectEOF() error {
	var b [1]byte
	n, err := d.br.Read(b[:])
	if n > 0 {
		return errChunkFraming("data after the final chunk")
	}
	if err != nil && err != io.EOF {
		return err
	}
	return nil
}

func malformedTrailer() *Error {
	return newErr("MalformedTrailerError", http.StatusBadRequest,
		"The request contained trailing data that was not well-formed or did not conform to our published schema.")
}

// ChunkedWriterConfig configures NewChunkedWriter.
type ChunkedWriterConfig struct {
	Credentials Credentials
	// Region is the scope region (SigV4; unused by SigV4A), Service the
	// scope service.
	Region, Service string
	// Time is the request's X-Amz-Date.
	Time time.Time
	// SeedSignature is the Signature of the request's Authorization header.
	SeedSignature string
	// Payload is the x-amz-content-sha256 of the request: one of the
	// STREAMING-* constants.
	Payload string
	// Trailer names the trailing checksum (e.g. "x-amz-checksum-crc32") for
	// the -TRAILER payloads; its value is computed from the data.
	Trailer string
	// ChunkSize is the data size of each chunk (default 64 KiB).
	ChunkSize int
}

// ChunkedWriter encodes an aws-chunked body: Write buffers data into
// chunks, Close writes the final chunk and the trailer.
type ChunkedWriter struct {
	cfg     ChunkedWriterConfig
	w       io.Writer
	buf     []byte
	prevSig string
	sum     hash.Hash
	ws      workspace
	key     [32]byte
	priv    *ecdsa.PrivateKey
	err     error
}

// NewChunkedWriter returns a writer encoding data as cfg describes to w.
func NewChunkedWriter(w io.Writer, cfg ChunkedWriterConfig) (*ChunkedWriter, error) {
	if cfg.ChunkSize <= 0 {
		cfg.ChunkSize = 64 << 10
	}
	cw := &ChunkedWriter{cfg: cfg, w: w, prevSig: cfg.SeedSignature}
	cw.ws.h = sha256.New()
	cc := chunkConfig{payload: cfg.Payload}
	if !validPayloadHash(cfg.Payload) || !strings.HasPrefix(cfg.Payload, "STREAMING-") {
		return nil, errors.New("sigv4: ChunkedWriter needs a STREAMING-* payload")
	}
	if cc.hasTrailer() {
		h, ok := newChecksum(strings.ToLower(cfg.Trailer))
		if !ok {
			return nil, errors.New("sigv4: unsupported trailer " + cfg.Trailer)
		}
		cw.sum = h
	}
	date := cfg.Time.UTC().Format("20060102")
	switch {
	case cc.ecdsa():
		priv, err := signerCache.ecdsaKey(cfg.Credentials.AccessKeyID, cfg.Credentials.SecretAccessKey)
		if err != nil {
			return nil, err
		}
		cw.priv = priv
	case cc.signed():
		cw.key = cw.ws.deriveSigningKey(cfg.Credentials.SecretAccessKey, date, cfg.Region, cfg.Service)
	}
	return cw, nil
}

func (cw *ChunkedWriter) scope() string {
	alg := AlgorithmV4
	if cw.priv != nil {
		alg = AlgorithmV4A
	}
	return credentialScope(cw.cfg.Time, alg, cw.cfg.Region, cw.cfg.Service)
}

// Write buffers p, emitting full chunks.
func (cw *ChunkedWriter) Write(p []byte) (int, error) {
	if cw.err != nil {
		return 0, cw.err
	}
	n := len(p)
	for len(p) > 0 {
		room := cw.cfg.ChunkSize - len(cw.buf)
		k := min(room, len(p))
		cw.buf = append(cw.buf, p[:k]...)
		p = p[k:]
		if len(cw.buf) == cw.cfg.ChunkSize {
			if err := cw.emit(cw.buf); err != nil {
				cw.err = err
				return n - len(p), err
			}
			cw.buf = cw.buf[:0]
		}
	}
	return n, nil
}

func (cw *ChunkedWriter) sign(kind string, hashHex string, withEmpty bool) (string, error) {
	alg := AlgorithmV4
	if cw.priv != nil {
		alg = AlgorithmV4A
	}
	sts := alg + kind + "\n" + cw.cfg.Time.UTC().Format(amzDateFormat) + "\n" + cw.scope() + "\n" + cw.prevSig + "\n"
	if withEmpty {
		sts += EmptySHA256 + "\n"
	}
	sts += hashHex
	var sig string
	if cw.priv != nil {
		s, err := signECDSA(cw.priv, []byte(sts))
		if err != nil {
			return "", err
		}
		sig = s
	} else {
		var sum [32]byte
		cw.ws.hmacSHA256(cw.key[:], []byte(sts), &sum)
		sig = hex.EncodeToString(sum[:])
	}
	cw.prevSig = sig
	return sig, nil
}

func (cw *ChunkedWriter) emit(data []byte) error {
	if cw.sum != nil {
		cw.sum.Write(data)
	}
	hdr := strconv.FormatInt(int64(len(data)), 16)
	if cw.cfg.Payload != StreamingUnsignedPayloadTrailer {
		h := sha256.Sum256(data)
		sig, err := cw.sign("-PAYLOAD", hex.EncodeToString(h[:]), true)
		if err != nil {
			return err
		}
		hdr += ";chunk-signature=" + sig
	}
	out := make([]byte, 0, len(hdr)+len(data)+4)
	out = append(out, hdr...)
	out = append(out, "\r\n"...)
	out = append(out, data...)
	if len(data) > 0 || cw.sum == nil {
		out = append(out, "\r\n"...)
	}
	_, err := cw.w.Write(out)
	return err
}

// Close writes the remaining data, the final chunk and the trailer; it does
// not close the underlying writer.
func (cw *ChunkedWriter) Close() error {
	if cw.err != nil {
		return cw.err
	}
	if len(cw.buf) > 0 {
		if err := cw.emit(cw.buf); err != nil {
			return err
		}
	}
	if err := cw.emit(nil); err != nil {
		return err
	}
	if cw.sum == nil {
		return nil
	}
	name := strings.ToLower(cw.cfg.Trailer)
	line := name + ":" + base64.StdEncoding.EncodeToString(cw.sum.Sum(nil))
	out := line + "\r\n"
	if cw.cfg.Payload != StreamingUnsignedPayloadTrailer {
		h := sha256.Sum256([]byte(line + "\n"))
		sig, err := cw.sign("-TRAILER", hex.EncodeToString(h[:]), false)
		if err != nil {
			return err
		}
		out += "x-amz-trailer-signature:" + sig + "\r\n"
	}
	out += "\r\n"
	_, err := io.WriteString(cw.w, out)
	return err
}

// ChunkedLength returns the encoded length of an aws-chunked body written
// by a ChunkedWriter with cfg for dataLen bytes of data, for Content-Length.
// SigV4A chunk signatures vary in length, so it returns -1 for them.
func ChunkedLength(dataLen int64, cfg ChunkedWriterConfig) int64 {
	cc := chunkConfig{payload: cfg.Payload}
	if cc.ecdsa() {
		return -1
	}
	size := int64(cfg.ChunkSize)
	if size <= 0 {
		size = 64 << 10
	}
	chunk := func(n int64, crlf bool) int64 {
		l := int64(len(strconv.FormatInt(n, 16))) + 2 + n
		if crlf {
			l += 2
		}
		if cc.signed() {
			l += int64(len(";chunk-signature=")) + 64
		}
		return l
	}
	var total int64
	full := dataLen / size
	total += full * chunk(size, true)
	if rem := dataLen % size; rem > 0 {
		total += chunk(rem, true)
	}
	total += chunk(0, !cc.hasTrailer())
	if cc.hasTrailer() {
		h, ok := newChecksum(strings.ToLower(cfg.Trailer))
		if !ok {
			return -1
		}
		total += int64(len(cfg.Trailer)+1+base64.StdEncoding.EncodedLen(h.Size())) + 2
		if cc.signed() {
			total += int64(len("x-amz-trailer-signature:")) + 64 + 2
		}
		total += 2
	}
	return total
}

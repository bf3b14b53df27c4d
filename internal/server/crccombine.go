package server

import "encoding/base64"

// Full-object checksums of multipart uploads.
//
// A reflected CRC with all-ones init and xorout (CRC-32, CRC-32C,
// CRC-64/NVME) is affine in its input: for any A and B,
//
//	crc(A||B) = shift(crc(A), len(B)) xor crc(B)
//
// where shift multiplies by x^(8*len(B)) modulo the polynomial, a linear map
// of the CRC register that does not depend on the bytes of B. So the CRC of
// the whole object follows from each part's CRC and length, without reading
// the data again.

// crcSpec describes a reflected CRC: its width in bits and its polynomial in
// reflected (LSB-first) form, as hash/crc32 and hash/crc64 take it.
type crcSpec struct {
	width uint
	poly  uint64
	// pow8[k] is x^(8*2^k) mod poly, for fast shifting by byte counts.
	pow8 [64]uint64
}

func newCRCSpec(width uint, poly uint64) *crcSpec {
	s := &crcSpec{width: width, poly: poly}
	// x^8: shift one (x^0) left eight times.
	p := s.one()
	for i := 0; i < 8; i++ {
		p = s.mulx(p)
	}
	for k := range s.pow8 {
		s.pow8[k] = p
		p = s.mulmod(p, p)
	}
	return s
}

var (
	crc32Spec     = newCRCSpec(32, 0xEDB88320)         // CRC-32 (IEEE)
	crc32cSpec    = newCRCSpec(32, 0x82F63B78)         // CRC-32C (Castagnoli)
	crc64nvmeSpec = newCRCSpec(64, 0x9A6C9329AC4BC9B5) // CRC-64/NVME
)

// crcSpecFor is the CRC behind an S3 checksum algorithm, or nil when the
// algorithm is not a CRC (SHA1, SHA256) and cannot be combined.
func crcSpecFor(alg string) *crcSpec {
	switch alg {
	case "CRC32":
		return crc32Spec
	case "CRC32C":
		return crc32cSpec
	case "CRC64NVME":
		return crc64nvmeSpec
	}
	return nil
}

// one is the polynomial 1 in reflected form: the top bit of the register.
func (s *crcSpec) one() uint64 { return 1 << (s.width - 1) }

// mulx multiplies a by x modulo the polynomial (reflected form).
func (s *crcSpec) mulx(a uint64) uint64 {
	if a&1 != 0 {
		return a>>1 ^ s.poly
	}
	return a >> 1
}

// mulmod multiplies a and b modulo the polynomial (reflected form).
func (s *crcSpec) mulmod(a, b uint64) uint64 {
	var p uint64
	for m := s.one(); m != 0 && a != 0; m >>= 1 {
		if a&m != 0 {
			p ^= b
			a &^= m
		}
		b = s.mulx(b)
	}
	return p
}

// shift returns x^(8n) mod the polynomial: the operator that appends n zero
// bytes to a CRC register.
func (s *crcSpec) shift(n uint64) uint64 {
	r := s.one()
	for k := 0; n != 0; k++ {
		if n&1 != 0 {
			r = s.mulmod(r, s.pow8[k])
		}
		n >>= 1
	}
	return r
}

// combine returns crc(A||B) from crcA = crc(A), crcB = crc(B) and len(B).
func (s *crcSpec) combine(crcA, crcB uint64, lenB uint64) uint64 {
	if lenB == 0 {
		return crcA ^ crcB // crcB is the CRC of nothing, 0
	}
	return s.mulmod(s.shift(lenB), crcA) ^ crcB
}

// decode reads a base64 checksum value as S3 sends it (big-endian).
func (s *crcSpec) decode(v string) (uint64, bool) {
	raw, err := base64.StdEncoding.DecodeString(v)
	if err != nil || uint(len(raw))*8 != s.width {
		return 0, false
	}
	var x uint64
	for _, b := range raw {
		x = x<<8 | uint64(b)
	}
	return x, true
}

// encode writes a CRC value as S3's base64 of its big-endian bytes.
func (s *crcSpec) encode(x uint64) string {
	n := s.width / 8
	raw := make([]byte, n)
	for i := int(n) - 1; i >= 0; i-- {
		raw[i] = byte(x)
		x >>= 8
	}
	return base64.StdEncoding.EncodeToString(raw)
}

// crcPart is one part's stored checksum (base64) and its length in bytes.
type crcPart struct {
	sum  string
	size int64
}

// fullObjectChecksum is the CRC of the concatenation of parts, computed
// from the parts' own CRCs and lengths. ok is false when alg is not a CRC
// or a part's checksum is missing or malformed.
func fullObjectChecksum(alg string, parts []crcPart) (string, bool) {
	s := crcSpecFor(alg)
	if s == nil {
		return "", false
	}
	var crc uint64 // the CRC of no bytes
	for _, p := range parts {
		c, ok := s.decode(p.sum)
		if !ok || p.size < 0 {
			return "", false
		}
		crc = s.combine(crc, c, uint64(p.size))
	}
	return s.encode(crc), true
}

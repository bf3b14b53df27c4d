package server

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"net/http"
	"strings"

	"github.com/outpost-s3/outpost/internal/s3err"
)

// Checksum algorithms S3 supports, by their wire names.
var checksumAlgorithms = []string{"CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"}

var (
	crc32cTable = crc32.MakeTable(crc32.Castagnoli)
	// CRC-64/NVME: reflected polynomial 0x9A6C9329AC4BC9B5, init and
	// xorout all ones, which is how hash/crc64 computes.
	crc64nvmeTable = crc64.MakeTable(0x9A6C9329AC4BC9B5)
)

func newChecksum(alg string) hash.Hash {
	switch alg {
	case "CRC32":
		return crc32.NewIEEE()
	case "CRC32C":
		return crc32.New(crc32cTable)
	case "CRC64NVME":
		return crc64.New(crc64nvmeTable)
	case "SHA1":
		return sha1.New()
	case "SHA256":
		return sha256.New()
	}
	return nil
}

// checksumHeader is the request/response header carrying alg's value.
func checksumHeader(alg string) string { return "x-amz-checksum-" + strings.ToLower(alg) }

// requestChecksum finds the checksum a request declares: a value in an
// x-amz-checksum-* header, or an algorithm whose value follows in a trailer
// (x-amz-trailer), or only an algorithm (x-amz-sdk-checksum-algorithm).
func requestChecksum(h http.Header) (alg, value string, trailer bool, err error) {
	for _, a := range checksumAlgorithms {
		if v := h.Get(checksumHeader(a)); v != "" {
			if alg != "" {
				return "", "", false, s3err.InvalidRequest.WithMessage("Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
			}
			alg, value = a, v
		}
	}
	if t := h.Get("x-amz-trailer"); t != "" {
		if alg != "" {
			return "", "", false, s3err.InvalidRequest.WithMessage("Expecting a single x-amz-checksum- header")
		}
		t = strings.ToLower(strings.TrimSpace(t))
		for _, a := range checksumAlgorithms {
			if t == checksumHeader(a) {
				return a, "", true, nil
			}
		}
		return "", "", false, s3err.InvalidRequest.WithMessage("The value specified in the x-amz-trailer header is not supported")
	}
	if alg == "" {
		if a := strings.ToUpper(h.Get("x-amz-sdk-checksum-algorithm")); a != "" {
			if newChecksum(a) == nil {
				return "", "", false, s3err.InvalidRequest.WithMessage("Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]")
			}
			alg = a
		}
	}
	return alg, value, false, nil
}

// checksumMismatch is the error S3 sends when a declared checksum is wrong.
func checksumMismatch(alg string) *s3err.Error {
	return s3err.BadChecksum.WithMessage("The " + alg + " you specified did not match the calculated checksum.")
}

func b64(sum []byte) string { return base64.StdEncoding.EncodeToString(sum) }

// compositeChecksum is S3's checksum of a multipart object: the checksum
// of the concatenated binary part checksums, suffixed with -N.
func compositeChecksum(alg string, parts []string) (string, bool) {
	h := newChecksum(alg)
	if h == nil {
		return "", false
	}
	for _, p := range parts {
		raw, err := base64.StdEncoding.DecodeString(p)
		if err != nil || p == "" {
			return "", false
		}
		h.Write(raw)
	}
	return b64(h.Sum(nil)) + "-" + itoa(len(parts)), true
}

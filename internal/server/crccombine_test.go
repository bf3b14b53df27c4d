package server

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"hash/crc64"
	"math/rand"
	"testing"

	"github.com/outpost-s3/outpost/internal/s3err"
)

var crcAlgorithms = []string{"CRC32", "CRC32C", "CRC64NVME"}

// crcOf computes alg over data the way uploads do (newChecksum), as an
// integer.
func crcOf(t testing.TB, alg string, data []byte) uint64 {
	h := newChecksum(alg)
	h.Write(data)
	sum := h.Sum(nil)
	switch len(sum) {
	case 4:
		return uint64(binary.BigEndian.Uint32(sum))
	case 8:
		return binary.BigEndian.Uint64(sum)
	}
	t.Fatalf("%s: %d-byte sum", alg, len(sum))
	return 0
}

// crcB64 is alg over data in S3's base64 form.
func crcB64(alg string, data []byte) string {
	h := newChecksum(alg)
	h.Write(data)
	return b64(h.Sum(nil))
}

// TestCRCSpecsMatchStandardLibrary checks each spec against hash/crc32 and
// hash/crc64 directly (not through newChecksum), and the catalogued check
// values of "123456789".
func TestCRCSpecsMatchStandardLibrary(t *testing.T) {
	check := []byte("123456789")
	for _, tc := range []struct {
		alg   string
		whole func([]byte) uint64
		want  uint64
	}{
		{"CRC32", func(b []byte) uint64 { return uint64(crc32.ChecksumIEEE(b)) }, 0xCBF43926},
		{"CRC32C", func(b []byte) uint64 { return uint64(crc32.Checksum(b, crc32.MakeTable(crc32.Castagnoli))) }, 0xE3069283},
		{"CRC64NVME", func(b []byte) uint64 { return crc64.Checksum(b, crc64.MakeTable(0x9A6C9329AC4BC9B5)) }, 0xAE8B14860A799888},
	} {
		s := crcSpecFor(tc.alg)
		if got := tc.whole(check); got != tc.want {
			t.Fatalf("%s check value %#x, want %#x", tc.alg, got, tc.want)
		}
		if got := crcOf(t, tc.alg, check); got != tc.want {
			t.Fatalf("%s via newChecksum %#x, want %#x", tc.alg, got, tc.want)
		}
		// Every split of the check string, including empty halves.
		for i := 0; i <= len(check); i++ {
			a, b := check[:i], check[i:]
			if got := s.combine(tc.whole(a), tc.whole(b), uint64(len(b))); got != tc.want {
				t.Errorf("%s split at %d: %#x, want %#x", tc.alg, i, got, tc.want)
			}
		}
		rng := rand.New(rand.NewSource(int64(len(tc.alg))))
		for n := 0; n < 200; n++ {
			data := make([]byte, rng.Intn(3000))
			rng.Read(data)
			i := 0
			if len(data) > 0 {
				i = rng.Intn(len(data) + 1)
			}
			want := tc.whole(data)
			if got := s.combine(tc.whole(data[:i]), tc.whole(data[i:]), uint64(len(data)-i)); got != want {
				t.Fatalf("%s random split %d/%d: %#x, want %#x", tc.alg, i, len(data), got, want)
			}
		}
	}
}

// TestFullObjectChecksumRandomParts splits random data into random parts
// (some empty, some large) and compares the combined value with the CRC of
// the whole.
func TestFullObjectChecksumRandomParts(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	data := make([]byte, 3<<20)
	rng.Read(data)
	for _, alg := range crcAlgorithms {
		for round := 0; round < 40; round++ {
			n := rng.Intn(len(data) + 1)
			whole := data[:n]
			var parts []crcPart
			for off := 0; off < n || len(parts) == 0; {
				var l int
				switch rng.Intn(4) {
				case 0:
					l = 0 // empty part
				case 1:
					l = rng.Intn(16)
				default:
					l = rng.Intn(n/3 + 1)
				}
				l = min(l, n-off)
				parts = append(parts, crcPart{sum: crcB64(alg, whole[off:off+l]), size: int64(l)})
				off += l
				if off == n && rng.Intn(3) == 0 {
					parts = append(parts, crcPart{sum: crcB64(alg, nil), size: 0}) // trailing empty part
				}
			}
			got, ok := fullObjectChecksum(alg, parts)
			if want := crcB64(alg, whole); !ok || got != want {
				t.Fatalf("%s round %d (%d bytes, %d parts): %q %v, want %q", alg, round, n, len(parts), got, ok, want)
			}
		}
	}
}

func TestFullObjectChecksumTable(t *testing.T) {
	five := bytes.Repeat([]byte("outpost!"), 5<<20/8)
	tail := []byte("a short last part")
	whole := append(append(append([]byte{}, five...), five...), tail...)
	for _, alg := range crcAlgorithms {
		for _, tc := range []struct {
			name  string
			parts [][]byte
			want  []byte
		}{
			{"one part", [][]byte{tail}, tail},
			{"empty object", [][]byte{nil}, nil},
			{"two empty parts", [][]byte{nil, nil}, nil},
			{"empty then data", [][]byte{nil, tail}, tail},
			{"data then empty", [][]byte{tail, nil}, tail},
			{"single bytes", [][]byte{{1}, {2}, {3}}, []byte{1, 2, 3}},
			{"5 MiB, 5 MiB, short", [][]byte{five, five, tail}, whole},
		} {
			var parts []crcPart
			for _, p := range tc.parts {
				parts = append(parts, crcPart{sum: crcB64(alg, p), size: int64(len(p))})
			}
			got, ok := fullObjectChecksum(alg, parts)
			if want := crcB64(alg, tc.want); !ok || got != want {
				t.Errorf("%s %s: %q %v, want %q", alg, tc.name, got, ok, want)
			}
		}
	}
	// Not combinable: hashes, missing or malformed values, wrong widths.
	for _, tc := range []struct {
		alg   string
		parts []crcPart
	}{
		{"SHA256", []crcPart{{sum: crcB64("SHA256", tail), size: int64(len(tail))}}},
		{"SHA1", nil},
		{"CRC32", []crcPart{{sum: "", size: 1}}},
		{"CRC32", []crcPart{{sum: "not base64!", size: 1}}},
		{"CRC32", []crcPart{{sum: crcB64("CRC64NVME", tail), size: int64(len(tail))}}},
		{"CRC64NVME", []crcPart{{sum: crcB64("CRC32C", tail), size: int64(len(tail))}}},
		{"CRC32C", []crcPart{{sum: crcB64("CRC32C", tail), size: -1}}},
	} {
		if v, ok := fullObjectChecksum(tc.alg, tc.parts); ok {
			t.Errorf("%s %+v combined to %q", tc.alg, tc.parts, v)
		}
	}
}

// TestCRCShiftLargeLengths checks the zero-byte shift operator for lengths
// far beyond what can be hashed in a test: against repeated multiplication
// by x for small n, and by x^(8(a+b)) = x^(8a) * x^(8b) for large ones.
func TestCRCShiftLargeLengths(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	for _, alg := range crcAlgorithms {
		s := crcSpecFor(alg)
		p := s.one()
		for n := uint64(0); n < 300; n++ {
			if got := s.shift(n); got != p {
				t.Fatalf("%s shift(%d) = %#x, want %#x", alg, n, got, p)
			}
			for i := 0; i < 8; i++ {
				p = s.mulx(p)
			}
		}
		for i := 0; i < 200; i++ {
			a, b := uint64(rng.Int63n(5<<40)), uint64(rng.Int63n(5<<40))
			if got, want := s.mulmod(s.shift(a), s.shift(b)), s.shift(a+b); got != want {
				t.Fatalf("%s shift(%d)*shift(%d) = %#x, shift of sum %#x", alg, a, b, got, want)
			}
		}
		// Appending 1 MiB of zeros, hashed for real.
		zeros := make([]byte, 1<<20)
		head := []byte("some data before the zeros")
		want := crcOf(t, alg, append(append([]byte{}, head...), zeros...))
		if got := s.combine(crcOf(t, alg, head), crcOf(t, alg, zeros), uint64(len(zeros))); got != want {
			t.Fatalf("%s over 1 MiB of zeros: %#x, want %#x", alg, got, want)
		}
	}
}

func TestUploadChecksumType(t *testing.T) {
	for _, tc := range []struct {
		alg, requested, want, errMsg string
	}{
		{"", "", "", ""},
		{"CRC32", "", "COMPOSITE", ""},
		{"CRC32C", "", "COMPOSITE", ""},
		{"SHA1", "", "COMPOSITE", ""},
		{"SHA256", "", "COMPOSITE", ""},
		{"CRC64NVME", "", "FULL_OBJECT", ""},
		{"CRC32", "FULL_OBJECT", "FULL_OBJECT", ""},
		{"CRC32C", "full_object", "FULL_OBJECT", ""},
		{"CRC64NVME", "FULL_OBJECT", "FULL_OBJECT", ""},
		{"CRC32", "COMPOSITE", "COMPOSITE", ""},
		{"SHA256", "COMPOSITE", "COMPOSITE", ""},
		{"SHA256", "FULL_OBJECT", "", "The FULL_OBJECT checksum type cannot be used with the sha256 checksum algorithm."},
		{"SHA1", "FULL_OBJECT", "", "The FULL_OBJECT checksum type cannot be used with the sha1 checksum algorithm."},
		{"CRC64NVME", "COMPOSITE", "", "The COMPOSITE checksum type cannot be used with the crc64nvme checksum algorithm."},
		{"", "FULL_OBJECT", "", "The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header."},
		{"CRC32", "LINEAR", "", "Value for x-amz-checksum-type header is invalid."},
	} {
		got, err := uploadChecksumType(tc.alg, tc.requested)
		if tc.errMsg == "" {
			if err != nil || got != tc.want {
				t.Errorf("%q/%q: %q %v, want %q", tc.alg, tc.requested, got, err, tc.want)
			}
			continue
		}
		e, ok := err.(*s3err.Error)
		if !ok || e.Code != "InvalidRequest" || e.Message != tc.errMsg {
			t.Errorf("%q/%q: %q %#v, want InvalidRequest %q", tc.alg, tc.requested, got, err, tc.errMsg)
		}
	}
}

// FuzzCRCCombine compares combine(crc(a), crc(b), len(b)) with crc(a||b)
// for CRC32, CRC32C and CRC64NVME.
func FuzzCRCCombine(f *testing.F) {
	f.Add([]byte("1234"), []byte("56789"))
	f.Add([]byte{}, []byte{})
	f.Add([]byte{}, []byte("x"))
	f.Add([]byte("x"), []byte{})
	f.Add(bytes.Repeat([]byte{0}, 100), bytes.Repeat([]byte{0xff}, 257))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		ab := append(append([]byte{}, a...), b...)
		for _, alg := range crcAlgorithms {
			s := crcSpecFor(alg)
			want := crcOf(t, alg, ab)
			if got := s.combine(crcOf(t, alg, a), crcOf(t, alg, b), uint64(len(b))); got != want {
				t.Fatalf("%s: combine %#x, crc(a||b) %#x (len a %d, len b %d)", alg, got, want, len(a), len(b))
			}
			// And through the base64 form the server stores.
			got, ok := fullObjectChecksum(alg, []crcPart{{crcB64(alg, a), int64(len(a))}, {crcB64(alg, b), int64(len(b))}})
			if w := crcB64(alg, ab); !ok || got != w {
				t.Fatalf("%s: fullObjectChecksum %q %v, want %q", alg, got, ok, w)
			}
		}
	})
}

package sse

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"testing"
)

func seal(t testing.TB, key, plain []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	w, err := NewWriter(&out, key, int64(len(plain)))
	if err != nil {
		t.Fatal(err)
	}
	// Odd write sizes cross chunk boundaries at every offset.
	for p := plain; len(p) > 0; {
		n := min(len(p), 1+rand.IntN(3*ChunkSize/2))
		if _, err := w.Write(p[:n]); err != nil {
			t.Fatal(err)
		}
		p = p[n:]
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func TestRoundTripAndRanges(t *testing.T) {
	key := NewDataKey()
	for _, n := range []int{0, 1, 100, ChunkSize - 1, ChunkSize, ChunkSize + 1, 3*ChunkSize + 5, 4 * ChunkSize} {
		plain := make([]byte, n)
		for i := range plain {
			plain[i] = byte(rand.IntN(256))
		}
		sealed := seal(t, key, plain)
		if int64(len(sealed)) != SealedSize(int64(n)) {
			t.Fatalf("n=%d: sealed %d bytes, SealedSize says %d", n, len(sealed), SealedSize(int64(n)))
		}
		if n >= 16 && bytes.Contains(sealed, plain[:16]) {
			t.Fatalf("n=%d: plaintext visible in the sealed bytes", n)
		}
		r, err := NewReader(bytes.NewReader(sealed), key, int64(n))
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(r)
		if err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("n=%d: round trip: err %v, equal %v", n, err, bytes.Equal(got, plain))
		}
		for range 20 {
			if n == 0 {
				break
			}
			off := rand.IntN(n)
			ln := rand.IntN(n - off + 1)
			if _, err := r.Seek(int64(off), io.SeekStart); err != nil {
				t.Fatal(err)
			}
			part := make([]byte, ln)
			if _, err := io.ReadFull(r, part); err != nil || !bytes.Equal(part, plain[off:off+ln]) {
				t.Fatalf("n=%d range %d+%d: err %v", n, off, ln, err)
			}
		}
		r.Close()
	}
}

func TestTamperingIsDetected(t *testing.T) {
	key := NewDataKey()
	plain := bytes.Repeat([]byte("outpost "), 3*ChunkSize/8+100)
	good := seal(t, key, plain)
	n := int64(len(plain))
	flip := func(b []byte, i int) []byte { c := bytes.Clone(b); c[i] ^= 1; return c }
	swapped := bytes.Clone(good)
	copy(swapped[:sealedChunk], good[sealedChunk:2*sealedChunk])
	copy(swapped[sealedChunk:2*sealedChunk], good[:sealedChunk])
	// Drop the last chunk and mark the one before as last: the metadata
	// size no longer matches.
	short := good[:3*sealedChunk]
	cases := map[string]struct {
		data []byte
		key  []byte
	}{
		"flipped first byte":  {flip(good, 0), key},
		"flipped tag":         {flip(good, sealedChunk-1), key},
		"flipped last chunk":  {flip(good, len(good)-1), key},
		"chunks swapped":      {swapped, key},
		"last chunk dropped":  {short, key},
		"wrong key":           {good, NewDataKey()},
		"truncated by a byte": {good[:len(good)-1], key},
	}
	for name, c := range cases {
		r, err := NewReader(bytes.NewReader(c.data), c.key, n)
		if err != nil {
			t.Fatal(err)
		}
		_, err = io.ReadAll(r)
		if !errors.Is(err, ErrAuth) {
			t.Errorf("%s: read error %v, want ErrAuth", name, err)
		}
		if _, err := r.WriteRangeTo(io.Discard, 0, n); !errors.Is(err, ErrAuth) {
			t.Errorf("%s: WriteRangeTo error %v, want ErrAuth", name, err)
		}
	}
}

func TestWriterHoldsToTheDeclaredSize(t *testing.T) {
	key := NewDataKey()
	w, _ := NewWriter(io.Discard, key, 3)
	if _, err := w.Write([]byte("four")); err == nil {
		t.Fatal("writing more than declared succeeded")
	}
	w, _ = NewWriter(io.Discard, key, 3)
	w.Write([]byte("ab"))
	if err := w.Close(); err == nil {
		t.Fatal("closing short of the declared size succeeded")
	}
}

func TestCustomerKeyWrapAndCheck(t *testing.T) {
	ck, other, dk := NewDataKey(), NewDataKey(), NewDataKey()
	wrapped, err := WrapWithCustomerKey(ck, dk)
	if err != nil {
		t.Fatal(err)
	}
	got, err := UnwrapWithCustomerKey(ck, wrapped)
	if err != nil || !bytes.Equal(got, dk) {
		t.Fatalf("unwrap with the right key: %v", err)
	}
	if _, err := UnwrapWithCustomerKey(other, wrapped); !errors.Is(err, ErrAuth) {
		t.Fatalf("unwrap with another key: %v, want ErrAuth", err)
	}
	check := KeyCheck(ck)
	if !VerifyKeyCheck(check, ck) || VerifyKeyCheck(check, other) {
		t.Fatal("key check does not tell the keys apart")
	}
	if bytes.Equal(KeyCheck(ck), check) {
		t.Fatal("two key checks of one key are equal: no salt")
	}
	if bytes.Contains(check, ck) {
		t.Fatal("the key check holds the key")
	}
}

// FuzzReader feeds arbitrary stored bytes and sizes to the reader: it
// never panics and never returns bytes that did not authenticate.
func FuzzReader(f *testing.F) {
	key := bytes.Repeat([]byte{7}, KeySize)
	f.Add(seal(f, key, []byte("hello")), int64(5), int64(0))
	f.Add(seal(f, key, bytes.Repeat([]byte{1}, ChunkSize+3)), int64(ChunkSize+3), int64(ChunkSize))
	f.Add([]byte{}, int64(0), int64(0))
	f.Fuzz(func(t *testing.T, data []byte, size, off int64) {
		if size < 0 || size > 4*ChunkSize || off < 0 {
			return
		}
		r, err := NewReader(bytes.NewReader(data), key, size)
		if err != nil {
			t.Fatal(err)
		}
		r.Seek(off, io.SeekStart)
		got, err := io.ReadAll(r)
		if err == nil && int64(len(got)) != max(0, size-off) {
			t.Fatalf("read %d bytes without error, want %d", len(got), max(0, size-off))
		}
		if err != nil && !errors.Is(err, ErrAuth) {
			t.Fatalf("error %v is not ErrAuth", err)
		}
		if off <= size {
			var out bytes.Buffer
			n, err := r.WriteRangeTo(&out, off, size-off)
			if err != nil && !errors.Is(err, ErrAuth) {
				t.Fatalf("WriteRangeTo error %v is not ErrAuth", err)
			}
			if err == nil && (n != size-off || int64(out.Len()) != n) {
				t.Fatalf("WriteRangeTo wrote %d (%d) bytes without error, want %d", n, out.Len(), size-off)
			}
		}
		r.Close()
	})
}

// BenchmarkReader measures reading a sealed 1 MiB body (decryption and
// copying), against BenchmarkCopyPlain, the same copy of plaintext.
func BenchmarkReader(b *testing.B) {
	key := NewDataKey()
	plain := make([]byte, 1<<20)
	sealed := seal(b, key, plain)
	buf := make([]byte, 256<<10)
	b.SetBytes(int64(len(plain)))
	for b.Loop() {
		r, _ := NewReader(bytes.NewReader(sealed), key, int64(len(plain)))
		io.CopyBuffer(io.Discard, struct{ io.Reader }{r}, buf)
		r.Close()
	}
}

func BenchmarkCopyPlain(b *testing.B) {
	plain := make([]byte, 1<<20)
	buf := make([]byte, 256<<10)
	b.SetBytes(int64(len(plain)))
	for b.Loop() {
		io.CopyBuffer(io.Discard, struct{ io.Reader }{bytes.NewReader(plain)}, buf)
	}
}

func BenchmarkWriter(b *testing.B) {
	key := NewDataKey()
	plain := make([]byte, 1<<20)
	b.SetBytes(int64(len(plain)))
	for b.Loop() {
		w, _ := NewWriter(io.Discard, key, int64(len(plain)))
		w.Write(plain)
		w.Close()
	}
}

func TestWriteRangeTo(t *testing.T) {
	key := NewDataKey()
	plain := make([]byte, 3*ChunkSize+77)
	for i := range plain {
		plain[i] = byte(i * 7)
	}
	r, _ := NewReader(bytes.NewReader(seal(t, key, plain)), key, int64(len(plain)))
	defer r.Close()
	for _, c := range [][2]int64{{0, int64(len(plain))}, {5, 10}, {ChunkSize - 3, 6}, {2*ChunkSize + 1, ChunkSize + 76}, {int64(len(plain)), 0}} {
		var out bytes.Buffer
		n, err := r.WriteRangeTo(&out, c[0], c[1])
		if err != nil || n != c[1] || !bytes.Equal(out.Bytes(), plain[c[0]:c[0]+c[1]]) {
			t.Fatalf("range %v: n %d err %v", c, n, err)
		}
	}
	if _, err := r.WriteRangeTo(io.Discard, 1, int64(len(plain))); err == nil {
		t.Fatal("a range past the end was written")
	}
}

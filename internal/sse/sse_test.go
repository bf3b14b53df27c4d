package sse

import (
	"bytes"
	"errors"
	"fmt"
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
		r, err := NewReader(bytes.NewReader(sealed), key, int64(n), 0, int64(n))
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(r)
		if err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("n=%d: round trip: err %v, equal %v", n, err, bytes.Equal(got, plain))
		}
		r.Close()
		for range 20 {
			if n == 0 {
				break
			}
			off := rand.IntN(n)
			ln := rand.IntN(n - off + 1)
			part, err := readRange(sealed, key, int64(n), int64(off), int64(ln))
			if err != nil || !bytes.Equal(part, plain[off:off+ln]) {
				t.Fatalf("n=%d range %d+%d: %d bytes, err %v", n, off, ln, len(part), err)
			}
		}
	}
}

// readRange reads plaintext [off, off+n) of a body of size bytes from the
// stored bytes SealedRange names, as a ranged blob read returns them.
func readRange(sealed, key []byte, size, off, n int64) ([]byte, error) {
	so, sn := SealedRange(size, off, n)
	if so < 0 || sn < 0 || so+sn > int64(len(sealed)) {
		return nil, fmt.Errorf("SealedRange(%d, %d, %d) = %d+%d, outside %d stored bytes", size, off, n, so, sn, len(sealed))
	}
	r, err := NewReader(bytes.NewReader(sealed[so:so+sn]), key, size, off, n)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
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
		r, err := NewReader(bytes.NewReader(c.data), c.key, n, 0, n)
		if err != nil {
			t.Fatal(err)
		}
		_, err = io.ReadAll(r)
		if !errors.Is(err, ErrAuth) {
			t.Errorf("%s: read error %v, want ErrAuth", name, err)
		}
		r.Close()
		r, _ = NewReader(bytes.NewReader(c.data), c.key, n, 0, n)
		if _, err := r.WriteTo(io.Discard); !errors.Is(err, ErrAuth) {
			t.Errorf("%s: WriteTo error %v, want ErrAuth", name, err)
		}
		r.Close()
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
		if off > size {
			if _, err := NewReader(bytes.NewReader(data), key, size, off, 0); err == nil {
				t.Fatalf("NewReader accepted offset %d of a %d-byte body", off, size)
			}
			return
		}
		// The stored bytes a ranged blob read of SealedRange returns (or
		// fewer, when data is short).
		so, sn := SealedRange(size, off, size-off)
		stored := data[min(so, int64(len(data))):min(so+sn, int64(len(data)))]
		r, err := NewReader(bytes.NewReader(stored), key, size, off, size-off)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(r)
		if err == nil && int64(len(got)) != size-off {
			t.Fatalf("read %d bytes without error, want %d", len(got), size-off)
		}
		if err != nil && !errors.Is(err, ErrAuth) {
			t.Fatalf("error %v is not ErrAuth", err)
		}
		r.Close()
		r, _ = NewReader(bytes.NewReader(stored), key, size, off, size-off)
		var out bytes.Buffer
		n, err := r.WriteTo(&out)
		if err != nil && !errors.Is(err, ErrAuth) {
			t.Fatalf("WriteTo error %v is not ErrAuth", err)
		}
		if err == nil && (n != size-off || int64(out.Len()) != n) {
			t.Fatalf("WriteTo wrote %d (%d) bytes without error, want %d", n, out.Len(), size-off)
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
		r, _ := NewReader(bytes.NewReader(sealed), key, int64(len(plain)), 0, int64(len(plain)))
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

func TestWriteTo(t *testing.T) {
	key := NewDataKey()
	plain := make([]byte, 3*ChunkSize+77)
	for i := range plain {
		plain[i] = byte(i * 7)
	}
	sealed := seal(t, key, plain)
	size := int64(len(plain))
	for _, c := range [][2]int64{{0, size}, {5, 10}, {ChunkSize - 3, 6}, {2*ChunkSize + 1, ChunkSize + 76}, {size, 0}} {
		for _, readFirst := range []int64{0, 3} {
			readFirst = min(readFirst, c[1])
			so, sn := SealedRange(size, c[0], c[1])
			r, err := NewReader(bytes.NewReader(sealed[so:so+sn]), key, size, c[0], c[1])
			if err != nil {
				t.Fatalf("range %v: %v", c, err)
			}
			// A reader Read in part writes the rest.
			out := bytes.NewBuffer(make([]byte, readFirst))
			if _, err := io.ReadFull(r, out.Bytes()); err != nil {
				t.Fatalf("range %v: reading the first %d bytes: %v", c, readFirst, err)
			}
			n, err := r.WriteTo(out)
			r.Close()
			if err != nil || n != c[1]-readFirst || !bytes.Equal(out.Bytes(), plain[c[0]:c[0]+c[1]]) {
				t.Fatalf("range %v after reading %d: n %d err %v", c, readFirst, n, err)
			}
		}
	}
	if _, err := NewReader(bytes.NewReader(sealed), key, size, 1, size); err == nil {
		t.Fatal("a range past the end was accepted")
	}
}

func TestSealedRange(t *testing.T) {
	size := int64(3*ChunkSize + 77)
	for _, c := range []struct{ off, n, wantOff, wantN int64 }{
		{0, size, 0, SealedSize(size)},
		{0, 1, 0, sealedChunk},
		{ChunkSize - 1, 2, 0, 2 * sealedChunk},
		{ChunkSize, ChunkSize, sealedChunk, sealedChunk},
		{3 * ChunkSize, 77, 3 * sealedChunk, 77 + tagSize},
		{size - 1, 1, 3 * sealedChunk, 77 + tagSize},
		{5, 0, 0, 0},
	} {
		if off, n := SealedRange(size, c.off, c.n); off != c.wantOff || n != c.wantN {
			t.Errorf("SealedRange(%d, %d, %d) = %d+%d, want %d+%d", size, c.off, c.n, off, n, c.wantOff, c.wantN)
		}
	}
}

package sigv4

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// streamingRequest signs a PUT with an aws-chunked body made by ChunkedWriter.
func streamingRequest(t testing.TB, payload, trailer string, data []byte, chunk int) (*http.Request, []byte) {
	r, _ := http.NewRequest("PUT", "https://s3.example.internal/bucket/obj", nil)
	r.Header.Set("X-Amz-Decoded-Content-Length", strconv.Itoa(len(data)))
	r.Header.Set("Content-Encoding", "aws-chunked")
	if trailer != "" {
		r.Header.Set("X-Amz-Trailer", trailer)
	}
	alg := AlgorithmV4
	if strings.Contains(payload, "ECDSA") {
		alg = AlgorithmV4A
	}
	res, err := signHeader(r, creds, SignOptions{Algorithm: alg, Region: "us-east-1", Service: "s3",
		PayloadHash: payload, Time: t0, ContentSHA256Header: true})
	if alg == AlgorithmV4A {
		res, err = signHeader(r, creds, SignOptions{Algorithm: alg, Region: "*", Service: "s3",
			PayloadHash: payload, Time: t0, ContentSHA256Header: true})
	}
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	cfg := ChunkedWriterConfig{Credentials: creds, Region: "us-east-1", Service: "s3", Time: t0,
		SeedSignature: res.signature, Payload: payload, Trailer: trailer, ChunkSize: chunk}
	cw, err := NewChunkedWriter(&buf, cfg)
	if err != nil {
		t.Fatal(err)
	}
	// Odd write sizes exercise the chunk buffering.
	for rest := data; len(rest) > 0; {
		n := min(len(rest), 7777)
		cw.Write(rest[:n])
		rest = rest[n:]
	}
	if err := cw.Close(); err != nil {
		t.Fatal(err)
	}
	if l := ChunkedLength(int64(len(data)), cfg); l >= 0 && l != int64(buf.Len()) {
		t.Errorf("ChunkedLength = %d, encoded %d", l, buf.Len())
	}
	wire := buf.Bytes()
	r.Body = io.NopCloser(bytes.NewReader(wire))
	r.ContentLength = int64(len(wire))
	return r, wire
}

func TestChunkedRoundTrip(t *testing.T) {
	data := bytes.Repeat([]byte("The quick brown fox. "), 5000)
	for _, tc := range []struct{ payload, trailer string }{
		{StreamingPayload, ""},
		{StreamingPayloadTrailer, "x-amz-checksum-crc32"},
		{StreamingPayloadTrailer, "x-amz-checksum-crc32c"},
		{StreamingPayloadTrailer, "x-amz-checksum-crc64nvme"},
		{StreamingPayloadTrailer, "x-amz-checksum-sha256"},
		{StreamingUnsignedPayloadTrailer, "x-amz-checksum-sha1"},
		{StreamingECDSAPayload, ""},
		{StreamingECDSAPayloadTrailer, "x-amz-checksum-crc32"},
	} {
		for _, size := range []int{0, 1, 8192, len(data)} {
			t.Run(tc.payload+"/"+tc.trailer+"/"+strconv.Itoa(size), func(t *testing.T) {
				r, _ := streamingRequest(t, tc.payload, tc.trailer, data[:size], 8192)
				vd := mustVerify(t, verifierAt(t0, nil), r, VerifyOptions{})
				got, err := io.ReadAll(vd.Body)
				if err != nil {
					t.Fatalf("%v %v", err, errFields(err))
				}
				if !bytes.Equal(got, data[:size]) || vd.DecodedLength != int64(size) {
					t.Fatalf("decoded %d bytes", len(got))
				}
				if tc.trailer != "" && vd.Trailers.Get(tc.trailer) == "" {
					t.Errorf("trailers %v", vd.Trailers)
				}
			})
		}
	}
}

func TestChunkedTampering(t *testing.T) {
	data := bytes.Repeat([]byte("abcdefgh"), 3000)
	decode := func(r *http.Request, wire []byte) error {
		r.Body = io.NopCloser(bytes.NewReader(wire))
		vd, err := verifierAt(t0, nil).Verify(context.Background(), r, VerifyOptions{})
		if err != nil {
			return err
		}
		_, err = io.Copy(io.Discard, vd.Body)
		return err
	}
	r, wire := streamingRequest(t, StreamingPayloadTrailer, "x-amz-checksum-crc32", data, 4096)
	mod := func(f func([]byte) []byte) []byte { return f(bytes.Clone(wire)) }
	for _, tc := range []struct {
		name string
		wire []byte
		code string
	}{
		{"a flipped data byte", mod(func(b []byte) []byte { b[100] ^= 1; return b }), CodeSignatureDoesNotMatch},
		{"a flipped chunk signature", mod(func(b []byte) []byte {
			i := bytes.Index(b, []byte("chunk-signature=")) + 16
			b[i] ^= 1
			return b
		}), CodeSignatureDoesNotMatch},
		{"a changed trailer checksum", mod(func(b []byte) []byte {
			i := bytes.Index(b, []byte("x-amz-checksum-crc32:")) + 21
			b[i] ^= 1
			return b
		}), CodeSignatureDoesNotMatch},
		{"a changed trailer signature", mod(func(b []byte) []byte {
			i := bytes.Index(b, []byte("x-amz-trailer-signature:")) + 24
			b[i] ^= 1
			return b
		}), CodeSignatureDoesNotMatch},
		{"a missing trailer", mod(func(b []byte) []byte {
			i := bytes.Index(b, []byte("x-amz-checksum-crc32:"))
			return append(b[:i], "\r\n"...)
		}), "MalformedTrailerError"},
		{"a truncated body", wire[:len(wire)/2], CodeIncompleteBody},
		{"a body cut after the last chunk", wire[:bytes.LastIndex(wire, []byte("0;chunk-signature"))], CodeIncompleteBody},
		{"a chunk size that is not hex", mod(func(b []byte) []byte { b[0] = 'z'; return b }), CodeInvalidArgument},
		{"a huge chunk header line", append([]byte(strings.Repeat("1", 8000)), wire...), CodeInvalidArgument},
		{"a chunk larger than the decoded length", mod(func(b []byte) []byte { return append([]byte("fffff"), b[4:]...) }), CodeInvalidArgument},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantCode(t, decode(r, tc.wire), tc.code)
		})
	}
	// A signed header removed after signing.
	r3, _ := streamingRequest(t, StreamingPayload, "", data, 4096)
	r3.Header.Del("X-Amz-Decoded-Content-Length")
	_, err := verifierAt(t0, nil).Verify(context.Background(), r3, VerifyOptions{})
	wantCode(t, err, CodeSignatureDoesNotMatch)
	// A streaming request signed without x-amz-decoded-content-length.
	r4, _ := http.NewRequest("PUT", "https://s3.example.internal/bucket/obj", strings.NewReader("0;chunk-signature=x\r\n\r\n"))
	SignRequest(r4, creds, "us-east-1", "s3", StreamingPayload, t0)
	_, err = verifierAt(t0, nil).Verify(context.Background(), r4, VerifyOptions{})
	wantCode(t, err, CodeMissingContentLength)
}

func TestChunkedDeclaredTrailerMismatch(t *testing.T) {
	data := []byte("hello")
	// Encode with crc32 but declare sha256 in the (signed) x-amz-trailer header.
	r, _ := http.NewRequest("PUT", "https://s3.example.internal/bucket/obj", nil)
	r.Header.Set("X-Amz-Decoded-Content-Length", "5")
	r.Header.Set("X-Amz-Trailer", "x-amz-checksum-sha256")
	res, err := signHeader(r, creds, SignOptions{Region: "us-east-1", Service: "s3",
		PayloadHash: StreamingPayloadTrailer, Time: t0, ContentSHA256Header: true})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	cw, _ := NewChunkedWriter(&buf, ChunkedWriterConfig{Credentials: creds, Region: "us-east-1", Service: "s3",
		Time: t0, SeedSignature: res.signature, Payload: StreamingPayloadTrailer, Trailer: "x-amz-checksum-crc32"})
	cw.Write(data)
	cw.Close()
	r.Body = io.NopCloser(&buf)
	vd := mustVerify(t, verifierAt(t0, nil), r, VerifyOptions{})
	_, err = io.ReadAll(vd.Body)
	wantCode(t, err, "MalformedTrailerError")
}

func FuzzChunkedDecoder(f *testing.F) {
	data := []byte("fuzz me please, fuzz me")
	for _, p := range []struct{ payload, trailer string }{
		{StreamingPayload, ""}, {StreamingPayloadTrailer, "x-amz-checksum-crc32"}, {StreamingUnsignedPayloadTrailer, "x-amz-checksum-crc32c"},
	} {
		_, wire := streamingRequest(f, p.payload, p.trailer, data, 8)
		f.Add(wire, p.payload, p.trailer)
	}
	f.Add([]byte("0\r\n\r\n"), StreamingUnsignedPayloadTrailer, "x-amz-checksum-crc32")
	f.Add([]byte("ffffffffffffffff;chunk-signature=00\r\n"), StreamingPayload, "")
	f.Fuzz(func(t *testing.T, wire []byte, payload, trailer string) {
		if !validPayloadHash(payload) || !strings.HasPrefix(payload, "STREAMING-") || strings.Contains(payload, "ECDSA") {
			return
		}
		cfg := chunkConfig{payload: payload, decodedLength: int64(len(data)), amzDate: "20261129T003048Z",
			scope: "20261129/us-east-1/s3/aws4_request", seed: EmptySHA256, trailer: trailer}
		d, err := newChunkedReader(bytes.NewReader(wire), cfg)
		if err != nil {
			return
		}
		n, _ := io.Copy(io.Discard, io.LimitReader(d, 1<<20))
		if n > int64(len(data)) {
			t.Fatalf("decoded %d bytes, more than the declared %d", n, len(data))
		}
	})
}

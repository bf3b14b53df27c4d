package sigv4

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"
)

var (
	benchCreds = Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}
	benchTime  = time.Date(2026, 11, 29, 0, 30, 48, 0, time.UTC)
	benchHost  = "my-ap-123456789012.op-01ac5d28a6a232904.s3-outposts.us-east-1.amazonaws.com"
)

// fixedKeyStore returns one key for any access key ID, without allocating.
type fixedKeyStore struct{ k Key }

func (s fixedKeyStore) LookupKey(context.Context, string, string) (Key, error) { return s.k, nil }

func benchVerifier() *Verifier {
	return NewVerifier(VerifierConfig{
		Keys:     fixedKeyStore{Key{AccessKeyID: benchCreds.AccessKeyID, Secret: benchCreds.SecretAccessKey}},
		Region:   "us-east-1",
		Services: []string{"s3", "s3-outposts"},
		Now:      func() time.Time { return benchTime.Add(time.Minute) },
	})
}

func benchPresignedRequest(b testing.TB, alg string) *http.Request {
	u := &url.URL{Scheme: "https", Host: benchHost, Path: "/dir/a b+c%~é.txt", RawQuery: "x-id=GetObject"}
	p := PresignParams{Method: "GET", URL: u, Credentials: benchCreds, Region: "us-east-1",
		Service: "s3-outposts", Time: benchTime, Expires: time.Hour, Algorithm: alg}
	if alg == AlgorithmV2 {
		p.Region = ""
	}
	s, err := Presign(p)
	if err != nil {
		b.Fatal(err)
	}
	r, err := http.NewRequest("GET", s, nil)
	if err != nil {
		b.Fatal(err)
	}
	return r
}

func runVerifyBench(b *testing.B, r *http.Request) {
	v := benchVerifier()
	ctx := context.Background()
	if _, err := v.Verify(ctx, r, VerifyOptions{}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := v.Verify(ctx, r, VerifyOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyHeaderV4(b *testing.B) {
	r, _ := http.NewRequest("GET", "https://"+benchHost+"/dir/a%20b%2Bc%25~%C3%A9.txt?x-id=GetObject", nil)
	if err := SignRequest(r, benchCreds, "us-east-1", "s3-outposts", EmptySHA256, benchTime); err != nil {
		b.Fatal(err)
	}
	runVerifyBench(b, r)
}

func BenchmarkVerifyPresignV4(b *testing.B) { runVerifyBench(b, benchPresignedRequest(b, AlgorithmV4)) }
func BenchmarkVerifyPresignV4A(b *testing.B) {
	runVerifyBench(b, benchPresignedRequest(b, AlgorithmV4A))
}
func BenchmarkVerifyPresignV2(b *testing.B) { runVerifyBench(b, benchPresignedRequest(b, AlgorithmV2)) }

func BenchmarkPresign(b *testing.B) {
	u := &url.URL{Scheme: "https", Host: benchHost, Path: "/dir/a b+c%~é.txt", RawQuery: "x-id=GetObject"}
	p := PresignParams{Method: "GET", URL: u, Credentials: benchCreds, Region: "us-east-1",
		Service: "s3-outposts", Time: benchTime, Expires: time.Hour}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Presign(p); err != nil {
			b.Fatal(err)
		}
	}
}

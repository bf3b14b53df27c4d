package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awscreds "github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/outpost-s3/outpost/presign"
	"github.com/outpost-s3/outpost/sigv4"
)

// microResult turns a testing.Benchmark result into a table row: req/s is
// operations per second, p50 the mean time per operation.
func microResult(target string, br testing.BenchmarkResult) result {
	ns := time.Duration(br.NsPerOp())
	return result{Target: target, Conc: 1, N: int64(br.N), Elapsed: br.T, P50: ns, P99: ns,
		Note: fmt.Sprintf("%d ns/op, %d allocs/op, %d B/op", br.NsPerOp(), br.AllocsPerOp(), br.AllocedBytesPerOp())}
}

func presignMicro() []result {
	creds := presign.Credentials{AccessKeyID: accessKey, SecretAccessKey: secretKey}
	sdk := s3.NewPresignClient(s3.New(s3.Options{Region: region, BaseEndpoint: aws.String("http://127.0.0.1:9000"), UsePathStyle: true,
		Credentials: awscreds.NewStaticCredentialsProvider(accessKey, secretKey, "")}))
	ctx := context.Background()
	sdkRow := microResult("aws-sdk-go-v2 PresignClient", testing.Benchmark(func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := sdk.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bucket"), Key: aws.String("reports/2026/q3.pdf")},
				s3.WithPresignExpires(time.Hour)); err != nil {
				b.Fatal(err)
			}
		}
	}))
	ours := microResult("presign.URL", testing.Benchmark(func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := presign.URL(creds, presign.Request{Resource: "bucket", Key: "reports/2026/q3.pdf", Expires: time.Hour, Endpoint: "http://127.0.0.1:9000"}); err != nil {
				b.Fatal(err)
			}
		}
	}))
	ours.Note += fmt.Sprintf("; target ≥ 10× PresignClient: %s", metOrMissed(ours.ReqPerSec() >= 10*sdkRow.ReqPerSec()))
	return []result{sdkRow, ours}
}

type oneKey struct{ k sigv4.Key }

func (s oneKey) LookupKey(context.Context, string, string) (sigv4.Key, error) { return s.k, nil }

// verifyMicro measures sigv4.Verifier.Verify on the same requests as
// sigv4/bench_test.go (an Outposts access-point host, a key that needs
// URI encoding), with the signing key cached as in the server.
func verifyMicro() []result {
	creds := sigv4.Credentials{AccessKeyID: accessKey, SecretAccessKey: secretKey}
	t0 := time.Date(2026, 11, 29, 0, 30, 48, 0, time.UTC)
	host := "my-ap-123456789012.op-01ac5d28a6a232904.s3-outposts.us-east-1.amazonaws.com"
	v := sigv4.NewVerifier(sigv4.VerifierConfig{
		Keys:     oneKey{sigv4.Key{AccessKeyID: accessKey, Secret: secretKey}},
		Region:   region,
		Services: []string{"s3", "s3-outposts"},
		Now:      func() time.Time { return t0.Add(time.Minute) },
	})
	presigned := func(alg string) *http.Request {
		u := &url.URL{Scheme: "https", Host: host, Path: "/dir/a b+c%~é.txt", RawQuery: "x-id=GetObject"}
		p := sigv4.PresignParams{Method: "GET", URL: u, Credentials: creds, Region: region, Service: "s3-outposts", Time: t0, Expires: time.Hour, Algorithm: alg}
		if alg == sigv4.AlgorithmV2 {
			p.Region = ""
		}
		s, err := sigv4.Presign(p)
		if err != nil {
			panic(err)
		}
		r, _ := http.NewRequest("GET", s, nil)
		return r
	}
	header, _ := http.NewRequest("GET", "https://"+host+"/dir/a%20b%2Bc%25~%C3%A9.txt?x-id=GetObject", nil)
	if err := sigv4.SignRequest(header, creds, region, "s3-outposts", sigv4.EmptySHA256, t0); err != nil {
		panic(err)
	}
	bench := func(name string, r *http.Request, target bool) result {
		ctx := context.Background()
		row := microResult(name, testing.Benchmark(func(b *testing.B) {
			if _, err := v.Verify(ctx, r, sigv4.VerifyOptions{}); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := v.Verify(ctx, r, sigv4.VerifyOptions{}); err != nil {
					b.Fatal(err)
				}
			}
		}))
		if target {
			br := row.P50
			row.Note += fmt.Sprintf("; target ≤ 1.5 µs: %s", metOrMissed(br <= 1500*time.Nanosecond))
		}
		return row
	}
	return []result{
		bench("SigV4 header", header, true),
		bench("SigV4 presigned", presigned(sigv4.AlgorithmV4), true),
		bench("SigV4A presigned", presigned(sigv4.AlgorithmV4A), false),
		bench("SigV2 presigned", presigned(sigv4.AlgorithmV2), false),
	}
}

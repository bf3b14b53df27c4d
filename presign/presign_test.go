package presign_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awscreds "github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/outpost-s3/outpost/presign"
)

const apARN = "arn:aws:s3-outposts:us-east-1:123456789012:outpost/op-01ac5d28a6a232904/accesspoint/my-ap"

var creds = presign.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}

func Example() {
	u, err := presign.URL(creds, presign.Request{
		Method:   "GET",
		Resource: apARN,
		Key:      "reports/q3 summary.pdf",
		Expires:  time.Hour,
		Endpoint: "https://outpost.example.internal:9443",
		Time:     time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC),
	})
	if err != nil {
		panic(err)
	}
	p, _ := url.Parse(u)
	fmt.Println(p.Host)
	fmt.Println(p.EscapedPath())
	fmt.Println(p.Query().Get("X-Amz-Credential"))
	// Output:
	// my-ap-123456789012.op-01ac5d28a6a232904.outpost.example.internal:9443
	// /reports/q3%20summary.pdf
	// AKIDEXAMPLE/20261129/us-east-1/s3-outposts/aws4_request
}

func TestResolveFollowsTheSDKRules(t *testing.T) {
	for _, tc := range []struct {
		resource, endpoint, host, prefix, service string
	}{
		{apARN, "", "my-ap-123456789012.op-01ac5d28a6a232904.s3-outposts.us-east-1.amazonaws.com", "", "s3-outposts"},
		{apARN, "http://127.0.0.1:9000/ignored", "my-ap-123456789012.op-01ac5d28a6a232904.127.0.0.1:9000", "", "s3-outposts"},
		{"photos", "http://127.0.0.1:9000", "127.0.0.1:9000", "/photos", "s3"},
		{"photos", "https://files.example.com/s3/", "files.example.com", "/s3/photos", "s3"},
		{"example-outp-o01ac5d28a6a232904e8xz5w8ijx1qzlbp3i3kuse10--op-s3", "http://localhost:9000", "localhost:9000", "/example-outp-o01ac5d28a6a232904e8xz5w8ijx1qzlbp3i3kuse10--op-s3", "s3-outposts"},
	} {
		got, err := presign.Resolve(tc.resource, tc.endpoint, "")
		if err != nil {
			t.Fatalf("%s: %v", tc.resource, err)
		}
		if got.Host != tc.host || got.PathPrefix != tc.prefix || got.Service != tc.service {
			t.Errorf("Resolve(%s, %s) = %+v", tc.resource, tc.endpoint, got)
		}
	}
	if _, err := presign.Resolve("arn:aws:s3-outposts:us-east-1:123456789012:outpost/op-01ac5d28a6a232904/bucket/b", "", ""); err == nil {
		t.Error("a bucket ARN was accepted; presigned URLs need an access point ARN")
	}
}

func TestExpiresLimits(t *testing.T) {
	for _, d := range []time.Duration{0, 500 * time.Millisecond, presign.MaxExpires + time.Second} {
		if _, err := presign.URL(creds, presign.Request{Resource: "b", Key: "k", Expires: d}); err != presign.ErrExpires {
			t.Errorf("Expires %v: err %v", d, err)
		}
	}
	u, err := presign.URL(creds, presign.Request{Resource: "b", Key: "k", Expires: presign.MaxExpires})
	if err != nil || !strings.Contains(u, "X-Amz-Expires=604800") {
		t.Fatalf("7 days: %s %v", u, err)
	}
}

// TestSameURLAsTheSDK: for the same request, the presign package and
// aws-sdk-go-v2's PresignClient produce the same URL apart from the
// signing time and signature.
func TestSameURLAsTheSDK(t *testing.T) {
	c := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://127.0.0.1:9000"), UsePathStyle: true,
		Credentials: awscreds.NewStaticCredentialsProvider(creds.AccessKeyID, creds.SecretAccessKey, "")})
	want, err := s3.NewPresignClient(c).PresignGetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("bucket"), Key: aws.String("a b/c+d~é.txt")}, s3.WithPresignExpires(15*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	got, err := presign.URL(creds, presign.Request{Resource: "bucket", Key: "a b/c+d~é.txt", Expires: 15 * time.Minute, Endpoint: "http://127.0.0.1:9000",
		Query: url.Values{"x-id": {"GetObject"}}})
	if err != nil {
		t.Fatal(err)
	}
	wu, _ := url.Parse(want.URL)
	gu, _ := url.Parse(got)
	if wu.Scheme != gu.Scheme || wu.Host != gu.Host || wu.EscapedPath() != gu.EscapedPath() {
		t.Fatalf("SDK: %s\nours: %s", want.URL, got)
	}
	wq, gq := wu.Query(), gu.Query()
	for _, k := range []string{"X-Amz-Date", "X-Amz-Signature"} {
		if len(wq.Get(k)) != len(gq.Get(k)) {
			t.Errorf("%s: SDK %q, ours %q", k, wq.Get(k), gq.Get(k))
		}
		wq.Del(k)
		gq.Del(k)
	}
	if wq.Encode() != gq.Encode() {
		t.Fatalf("query differs:\nSDK:  %s\nours: %s", wq.Encode(), gq.Encode())
	}
}

// BenchmarkPresign compares URLs per second of the presign package with
// aws-sdk-go-v2's PresignClient for the same GET on a path-style bucket.
func BenchmarkPresign(b *testing.B) {
	b.Run("package=presign", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if _, err := presign.URL(creds, presign.Request{Resource: "bucket", Key: "reports/2026/q3.pdf", Expires: time.Hour, Endpoint: "http://127.0.0.1:9000"}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("package=aws-sdk-go-v2", func(b *testing.B) {
		pc := s3.NewPresignClient(s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://127.0.0.1:9000"), UsePathStyle: true,
			Credentials: awscreds.NewStaticCredentialsProvider(creds.AccessKeyID, creds.SecretAccessKey, "")}))
		in := &s3.GetObjectInput{Bucket: aws.String("bucket"), Key: aws.String("reports/2026/q3.pdf")}
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if _, err := pc.PresignGetObject(context.Background(), in, s3.WithPresignExpires(time.Hour)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func TestSigV2IsRefusedForAccessPoints(t *testing.T) {
	for _, res := range []string{apARN, "example-outp-o01ac5d28a6a232904e8xz5w8ijx1qzlbp3i3kuse10--op-s3"} {
		_, err := presign.URL(creds, presign.Request{Resource: res, Key: "k", Expires: time.Hour, Endpoint: "https://o.example", Algorithm: presign.SigV2})
		if !errors.Is(err, presign.ErrSigV2AccessPoint) {
			t.Errorf("%s: %v, want ErrSigV2AccessPoint", res, err)
		}
	}
	if _, err := presign.URL(creds, presign.Request{Resource: "plain-bucket", Key: "k", Expires: time.Hour, Endpoint: "https://o.example", Algorithm: presign.SigV2}); err != nil {
		t.Errorf("plain bucket: %v", err)
	}
}

package testserver

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awscreds "github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	smithyauth "github.com/aws/smithy-go/auth"
	smithyendpoints "github.com/aws/smithy-go/endpoints"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/minio/minio-go/v7"
	miniocreds "github.com/minio/minio-go/v7/pkg/credentials"
)

// S3 returns an AWS SDK for Go v2 client for the server: path-style, the
// SDK's default checksum behaviour, root credentials.
func (s *Server) S3(t testing.TB, optFns ...func(*s3.Options)) *s3.Client {
	t.Helper()
	return s3.New(s3.Options{
		Region:       Region,
		BaseEndpoint: aws.String(s.URL),
		UsePathStyle: true,
		Credentials:  awscreds.NewStaticCredentialsProvider(AccessKey, SecretKey, ""),
		HTTPClient:   http.DefaultClient,
	}, optFns...)
}

// S3AccessPoint returns an AWS SDK for Go v2 client that addresses every
// bucket — an access point alias or ARN, the only way to reach an Outposts
// bucket — path-style at the server's plain HTTP endpoint, as a custom
// endpoint resolver does, with root credentials. (Left to its endpoint
// rules, the SDK sends an alias to *.s3-outposts.REGION.amazonaws.com.)
func (s *Server) S3AccessPoint(t testing.TB, optFns ...func(*s3.Options)) *s3.Client {
	t.Helper()
	return s3.New(s3.Options{
		Region:             Region,
		Credentials:        awscreds.NewStaticCredentialsProvider(AccessKey, SecretKey, ""),
		HTTPClient:         http.DefaultClient,
		EndpointResolverV2: pathStyle{s.URL},
	}, optFns...)
}

// pathStyle resolves every bucket to {base}/{bucket}, signed with SigV4 for
// the service s3 with S3's single encoding of the path (without that
// property the SDK double-encodes the canonical URI of a custom endpoint).
type pathStyle struct{ base string }

func (p pathStyle) ResolveEndpoint(_ context.Context, params s3.EndpointParameters) (smithyendpoints.Endpoint, error) {
	u, err := url.Parse(p.base)
	if err != nil {
		return smithyendpoints.Endpoint{}, err
	}
	b := aws.ToString(params.Bucket)
	u.Path = "/" + b
	u.RawPath = "/" + uriEncode(b)
	var props smithy.Properties
	smithyauth.SetAuthOptions(&props, []*smithyauth.Option{{
		SchemeID: "aws.auth#sigv4",
		SignerProperties: func() smithy.Properties {
			var sp smithy.Properties
			smithyhttp.SetDisableDoubleEncoding(&sp, true)
			smithyhttp.SetSigV4SigningName(&sp, "s3")
			smithyhttp.SetSigV4SigningRegion(&sp, Region)
			return sp
		}(),
	}})
	return smithyendpoints.Endpoint{URI: *u, Properties: props}, nil
}

// uriEncode is AWS's UriEncode of one path segment: everything but
// A-Z a-z 0-9 - . _ ~ as %XX (url.PathEscape leaves ':' alone).
func uriEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// Minio returns a minio-go client for the server with root credentials.
func (s *Server) Minio(t testing.TB) *minio.Client {
	t.Helper()
	c, err := minio.New(s.Addr, &minio.Options{
		Creds:  miniocreds.NewStaticV4(AccessKey, SecretKey, ""),
		Region: Region,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// MustBucket creates a bucket with the SDK or fails the test.
func (s *Server) MustBucket(t testing.TB, name string) {
	t.Helper()
	if _, err := s.S3(t).CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatalf("create bucket %s: %v", name, err)
	}
}

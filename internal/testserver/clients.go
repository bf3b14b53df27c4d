package testserver

import (
	"context"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awscreds "github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
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

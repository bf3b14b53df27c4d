package dataplane_test

import (
	"bytes"
	"crypto/rand"
	"io"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/s3outposts"
	"github.com/minio/minio-go/v7"

	"github.com/outpost-s3/outpost/internal/app"
)

// The SDK given an access point ARN and a custom endpoint builds
// https://{ap}-{account}.{outpost}.{endpoint host}/{key} and signs it for
// s3-outposts: with SigV4A by default, with SigV4 on request. The loopback
// network, declared at first start with its endpoint, serves an access
// point bound to it with no setup.
func TestAccessPointARNOverHTTPS(t *testing.T) {
	srv := start(t, "")
	accessPoint(t, srv, "dp-bucket", "my-ap", app.DefaultVpcID)
	ap := accessPointARN("my-ap")

	eps, err := outpostsClient(srv).ListEndpoints(ctx, &s3outposts.ListEndpointsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(eps.Endpoints) != 1 || aws.ToString(eps.Endpoints[0].VpcId) != app.DefaultVpcID {
		t.Fatalf("a fresh install has endpoints %+v, want one for the loopback VPC", eps.Endpoints)
	}

	for _, tc := range []struct {
		name, algorithm string
		opt             func(*s3.Options)
	}{
		{"SigV4A, the SDK default", "AWS4-ECDSA-P256-SHA256", func(*s3.Options) {}},
		{"SigV4", "AWS4-HMAC-SHA256", func(o *s3.Options) { o.AuthSchemePreference = []string{"sigv4"} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hc, rec := httpsClient(srv)
			c := s3.New(s3.Options{Region: region, BaseEndpoint: aws.String(srv.TLSURL), Credentials: creds, HTTPClient: hc}, tc.opt)
			key := "dir/a b+c%~é " + tc.algorithm + ".txt"

			put(t, c, ap, key, "hello through an access point")
			if got := get(t, c, ap, key); got != "hello through an access point" {
				t.Fatalf("GetObject = %q", got)
			}
			// A presigned GET of the same object (SigV4A presigning
			// double-encodes the canonical path; the server accepts it).
			ps, err := s3.NewPresignClient(c).PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(ap), Key: aws.String(key)})
			if err != nil {
				t.Fatalf("PresignGetObject: %v", err)
			}
			if !strings.Contains(ps.URL, "X-Amz-Algorithm="+tc.algorithm) {
				t.Fatalf("presigned URL %s is not %s", ps.URL, tc.algorithm)
			}
			plain, _ := httpsClient(srv)
			resp, err := plain.Get(ps.URL)
			if err != nil {
				t.Fatal(err)
			}
			pb, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || string(pb) != "hello through an access point" {
				t.Fatalf("presigned GET = %d %s", resp.StatusCode, pb)
			}

			list, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(ap), Prefix: aws.String("dir/")})
			if err != nil {
				t.Fatalf("ListObjectsV2: %v", err)
			}
			found := false
			for _, o := range list.Contents {
				found = found || aws.ToString(o.Key) == key
			}
			if !found {
				t.Fatalf("ListObjectsV2 lacks %q", key)
			}

			// Multipart: two parts of 5 MiB and a short last one.
			mkey := "big/" + tc.algorithm
			up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(ap), Key: aws.String(mkey)})
			if err != nil {
				t.Fatalf("CreateMultipartUpload: %v", err)
			}
			var whole []byte
			var parts []s3types.CompletedPart
			for i, size := range []int{5 << 20, 5 << 20, 1234} {
				data := make([]byte, size)
				rand.Read(data)
				whole = append(whole, data...)
				n := int32(i + 1)
				out, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(ap), Key: aws.String(mkey), UploadId: up.UploadId, PartNumber: aws.Int32(n), Body: bytes.NewReader(data)})
				if err != nil {
					t.Fatalf("UploadPart %d: %v", n, err)
				}
				parts = append(parts, s3types.CompletedPart{ETag: out.ETag, PartNumber: aws.Int32(n)})
			}
			if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(ap), Key: aws.String(mkey), UploadId: up.UploadId,
				MultipartUpload: &s3types.CompletedMultipartUpload{Parts: parts}}); err != nil {
				t.Fatalf("CompleteMultipartUpload: %v", err)
			}
			if got := get(t, c, ap, mkey); got != string(whole) {
				t.Fatalf("multipart object: %d bytes back, want %d", len(got), len(whole))
			}

			for _, k := range []string{key, mkey} {
				if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(ap), Key: aws.String(k)}); err != nil {
					t.Fatalf("DeleteObject: %v", err)
				}
			}
			_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(ap), Key: aws.String(key)})
			wantCode(t, "GetObject after DeleteObject", err, "NoSuchKey")

			// Every request went to the access point's host, signed as asked.
			_, port, _ := strings.Cut(strings.TrimPrefix(srv.TLSURL, "https://"), ":")
			wantHost := "my-ap-" + account + "." + outpost + ".localhost:" + port
			for _, r := range rec.seen() {
				if r != wantHost+" "+tc.algorithm {
					t.Fatalf("request %q, want %q", r, wantHost+" "+tc.algorithm)
				}
			}
		})
	}

	// The bucket behind the access point is not reachable by its own
	// name, not even by its owner: only through an access point.
	hc, _ := httpsClient(srv)
	c := s3.New(s3.Options{Region: region, BaseEndpoint: aws.String(srv.TLSURL), Credentials: creds, HTTPClient: hc})
	put(t, c, ap, "shared.txt", "one bucket")
	_, err = srv.S3(t).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("dp-bucket"), Key: aws.String("shared.txt")})
	wantCode(t, "GetObject by bucket name", err, "InvalidRequest")
	if got := get(t, c, ap, "shared.txt"); got != "one bucket" {
		t.Fatalf("through the access point: %q", got)
	}

	// An access point that does not exist.
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(accessPointARN("missing-ap")), Key: aws.String("x")})
	wantCode(t, "GetObject through a missing access point", err, "NoSuchAccessPoint")
}

// An alias stands wherever a bucket name does: path-style with minio-go
// and with the AWS SDK (custom resolver), and in x-amz-copy-source.
func TestAliasPathStyle(t *testing.T) {
	srv := start(t, "")
	alias := accessPoint(t, srv, "alias-bucket", "alias-ap", "")

	t.Run("minio-go", func(t *testing.T) {
		mc := srv.Minio(t)
		body := "from minio through an alias"
		if _, err := mc.PutObject(ctx, alias, "m/one.txt", strings.NewReader(body), int64(len(body)), minio.PutObjectOptions{}); err != nil {
			t.Fatalf("PutObject: %v", err)
		}
		obj, err := mc.GetObject(ctx, alias, "m/one.txt", minio.GetObjectOptions{})
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(obj)
		if err != nil || string(got) != body {
			t.Fatalf("GetObject = %q, %v", got, err)
		}
		var keys []string
		for o := range mc.ListObjects(ctx, alias, minio.ListObjectsOptions{Prefix: "m/", Recursive: true}) {
			if o.Err != nil {
				t.Fatal(o.Err)
			}
			keys = append(keys, o.Key)
		}
		if len(keys) != 1 || keys[0] != "m/one.txt" {
			t.Fatalf("ListObjects = %v", keys)
		}
		if err := mc.RemoveObject(ctx, alias, "m/one.txt", minio.RemoveObjectOptions{}); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("aws-sdk-go-v2", func(t *testing.T) {
		c := aliasClient(t, srv, nil)
		put(t, c, alias, "s/a b.txt", "from the SDK")
		if got := get(t, c, alias, "s/a b.txt"); got != "from the SDK" {
			t.Fatalf("GetObject = %q", got)
		}
		// Copy with the alias as the source bucket, and an ARN source.
		if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(alias), Key: aws.String("s/copy.txt"),
			CopySource: aws.String(alias + "/" + url.PathEscape("s/a b.txt"))}); err != nil {
			t.Fatalf("CopyObject from an alias: %v", err)
		}
		if got := get(t, c, alias, "s/copy.txt"); got != "from the SDK" {
			t.Fatalf("copy = %q", got)
		}
		if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(alias), Key: aws.String("s/copy2.txt"),
			CopySource: aws.String(url.PathEscape(accessPointARN("alias-ap") + "/object/s/a b.txt"))}); err != nil {
			t.Fatalf("CopyObject from an access point ARN: %v", err)
		}
		// The same objects through the URL-encoded ARN, path-style.
		if got := get(t, c, accessPointARN("alias-ap"), "s/copy2.txt"); got != "from the SDK" {
			t.Fatalf("through the ARN path = %q", got)
		}
		// The bucket by its own name is refused, as a copy source too.
		_, err := srv.S3(t).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("alias-bucket"), Key: aws.String("s/copy.txt")})
		wantCode(t, "GetObject by bucket name", err, "InvalidRequest")
		_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(alias), Key: aws.String("s/copy3.txt"),
			CopySource: aws.String("alias-bucket/" + url.PathEscape("s/a b.txt"))})
		wantCode(t, "CopyObject from the bucket by name", err, "InvalidRequest")
		// Bucket management through an access point is refused.
		_, err = c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String(alias),
			Tagging: &s3types.Tagging{TagSet: []s3types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}})
		wantCode(t, "PutBucketTagging through an alias", err, "InvalidRequest")
		_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("nosuch-o01ac5d28a6a232904e8xz5w8ijx1qzlbp3i3kuse10--op-s3"), Key: aws.String("x")})
		wantCode(t, "GetObject through an unknown alias", err, "NoSuchAccessPoint")
	})
}

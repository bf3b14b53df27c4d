package s3api_test

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/outpost-s3/outpost/internal/app"
	"github.com/outpost-s3/outpost/internal/server"
	"github.com/outpost-s3/outpost/internal/testserver"
)

// blobFileCount counts committed blob files (temporary files excluded).
func blobFileCount(t *testing.T, dataDir string) int {
	t.Helper()
	n := 0
	root := filepath.Join(dataDir, "blobs")
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if d.Type().IsRegular() && !strings.HasPrefix(rel, "tmp") {
			n++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func getBytes(t *testing.T, c *s3.Client, in *s3.GetObjectInput) []byte {
	t.Helper()
	out, err := c.GetObject(ctx, in)
	if err != nil {
		t.Fatalf("GetObject %s %v: %v", aws.ToString(in.Key), aws.ToString(in.Range), err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestInlineObjects: objects up to the inline limit live in their metadata
// row (no blob file), everything an object can do works on them, and they
// survive a restart.
func TestInlineObjects(t *testing.T) {
	dir := t.TempDir()
	srv := testserver.Start(t, testserver.Options{DataDir: dir})
	c := srv.S3(t)
	srv.MustBucket(t, "inline")
	body := func(n int) []byte { return bytes.Repeat([]byte("0123456789abcdef"), n/16+1)[:n] }
	limit := server.DefaultInlineMax
	sizes := map[string]int{"empty": 0, "one": 1, "small": 4096, "at-limit": limit, "over-limit": limit + 1, "large": 300 << 10}
	put := func(key string, n int) (*s3.PutObjectOutput, error) {
		return c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("inline"), Key: aws.String(key), Body: bytes.NewReader(body(n)),
			ChecksumAlgorithm: types.ChecksumAlgorithmCrc32c, Metadata: map[string]string{"size": fmt.Sprint(n)}})
	}
	for key, n := range sizes {
		before := blobFileCount(t, dir)
		out, err := put(key, n)
		if err != nil {
			t.Fatalf("PUT %s: %v", key, err)
		}
		sum := md5.Sum(body(n))
		if aws.ToString(out.ETag) != `"`+hex.EncodeToString(sum[:])+`"` {
			t.Fatalf("PUT %s ETag %s", key, aws.ToString(out.ETag))
		}
		wantFiles := before
		if n > limit {
			wantFiles++
		}
		if got := blobFileCount(t, dir); got != wantFiles {
			t.Fatalf("PUT %s (%d bytes): %d blob files, want %d", key, n, got, wantFiles)
		}
	}
	check := func(srv *testserver.Server) {
		t.Helper()
		c := srv.S3(t)
		for key, n := range sizes {
			if got := getBytes(t, c, &s3.GetObjectInput{Bucket: aws.String("inline"), Key: aws.String(key)}); !bytes.Equal(got, body(n)) {
				t.Fatalf("GET %s: %d bytes, want %d", key, len(got), n)
			}
			h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("inline"), Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled})
			if err != nil || aws.ToInt64(h.ContentLength) != int64(n) || h.Metadata["size"] != fmt.Sprint(n) || aws.ToString(h.ChecksumCRC32C) == "" {
				t.Fatalf("HEAD %s: %+v %v", key, h, err)
			}
			if n < 10 {
				continue
			}
			for _, r := range []struct {
				hdr      string
				from, to int
			}{{"bytes=1-3", 1, 4}, {fmt.Sprintf("bytes=%d-", n-5), n - 5, n}, {"bytes=-7", n - 7, n}} {
				got := getBytes(t, c, &s3.GetObjectInput{Bucket: aws.String("inline"), Key: aws.String(key), Range: aws.String(r.hdr)})
				if !bytes.Equal(got, body(n)[r.from:r.to]) {
					t.Fatalf("GET %s %s = %q", key, r.hdr, got)
				}
			}
		}
	}
	check(srv)

	// Copies of an inline object: to an inline object, and into a part.
	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("inline"), Key: aws.String("copy"), CopySource: aws.String("inline/small")}); err != nil {
		t.Fatal(err)
	}
	if got := getBytes(t, c, &s3.GetObjectInput{Bucket: aws.String("inline"), Key: aws.String("copy")}); !bytes.Equal(got, body(4096)) {
		t.Fatalf("copy of an inline object: %d bytes", len(got))
	}
	// Every part but the last is at least 5 MiB.
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("inline"), Key: aws.String("five-mib"), Body: bytes.NewReader(body(5 << 20))}); err != nil {
		t.Fatal(err)
	}
	mpu, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("inline"), Key: aws.String("assembled")})
	if err != nil {
		t.Fatal(err)
	}
	p1, err := c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("inline"), Key: aws.String("assembled"), UploadId: mpu.UploadId,
		PartNumber: aws.Int32(1), CopySource: aws.String("inline/five-mib")})
	if err != nil {
		t.Fatal(err)
	}
	p2, err := c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("inline"), Key: aws.String("assembled"), UploadId: mpu.UploadId,
		PartNumber: aws.Int32(2), CopySource: aws.String("inline/small"), CopySourceRange: aws.String("bytes=16-31")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("inline"), Key: aws.String("assembled"), UploadId: mpu.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{
			{PartNumber: aws.Int32(1), ETag: p1.CopyPartResult.ETag}, {PartNumber: aws.Int32(2), ETag: p2.CopyPartResult.ETag}}}}); err != nil {
		t.Fatal(err)
	}
	want := append(body(5<<20), body(4096)[16:32]...)
	if got := getBytes(t, c, &s3.GetObjectInput{Bucket: aws.String("inline"), Key: aws.String("assembled")}); !bytes.Equal(got, want) {
		t.Fatalf("multipart object with a part copied from an inline object: %d bytes", len(got))
	}

	// Overwrites between inline and blob storage free the replaced blob.
	files := blobFileCount(t, dir)
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("inline"), Key: aws.String("large"), Body: strings.NewReader("now small")}); err != nil {
		t.Fatal(err)
	}
	if got := blobFileCount(t, dir); got != files-1 {
		t.Fatalf("overwriting a blob object with an inline one left %d blob files, want %d", got, files-1)
	}
	if got := getBytes(t, c, &s3.GetObjectInput{Bucket: aws.String("inline"), Key: aws.String("large")}); string(got) != "now small" {
		t.Fatalf("after overwrite: %q", got)
	}
	if _, err := put("large", sizes["large"]); err != nil {
		t.Fatal(err)
	}

	// Versions of an inline object keep their own bytes.
	srv.MustBucket(t, "inline-versions")
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("inline-versions"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, v := range []string{"first", "second"} {
		out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("inline-versions"), Key: aws.String("k"), Body: strings.NewReader(v)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, aws.ToString(out.VersionId))
	}
	if got := getBytes(t, c, &s3.GetObjectInput{Bucket: aws.String("inline-versions"), Key: aws.String("k"), VersionId: aws.String(ids[0])}); string(got) != "first" {
		t.Fatalf("first version: %q", got)
	}

	// Deleted inline objects are gone.
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("inline"), Key: aws.String("copy")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("inline"), Key: aws.String("copy")}); err == nil || !strings.Contains(err.Error(), "NoSuchKey") {
		t.Fatalf("GET after delete: %v", err)
	}

	// Everything reads back the same after a restart.
	srv.Stop()
	srv = testserver.Start(t, testserver.Options{DataDir: dir})
	check(srv)
	if got := getBytes(t, srv.S3(t), &s3.GetObjectInput{Bucket: aws.String("inline-versions"), Key: aws.String("k")}); string(got) != "second" {
		t.Fatalf("latest version after restart: %q", got)
	}
}

// TestInlineDisabled: --inline-max -1 keeps every object in a blob file.
func TestInlineDisabled(t *testing.T) {
	dir := t.TempDir()
	srv := testserver.Start(t, testserver.Options{DataDir: dir, Config: func(c *app.Config) { c.InlineMax = -1 }})
	c := srv.S3(t)
	srv.MustBucket(t, "blobs-only")
	for i := range 3 {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("blobs-only"), Key: aws.String(fmt.Sprint(i)), Body: strings.NewReader("tiny")}); err != nil {
			t.Fatal(err)
		}
	}
	if got := blobFileCount(t, dir); got != 3 {
		t.Fatalf("%d blob files for 3 objects with inline storage off", got)
	}
	if got := getBytes(t, c, &s3.GetObjectInput{Bucket: aws.String("blobs-only"), Key: aws.String("2")}); string(got) != "tiny" {
		t.Fatalf("GET: %q", got)
	}
}

package s3api_test

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/outpost-s3/outpost/internal/testserver"
)

// TestMultipart64MiBThroughSDK uploads 64 MiB in 8 MiB parts with a CRC32
// checksum per part, lists parts and uploads, completes, and reads back
// whole and by range.
func TestMultipart64MiBThroughSDK(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.S3(t)
	srv.MustBucket(t, "mp-bucket")
	const partSize = 8 << 20
	data := randBytes(64 << 20)
	cr, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("mp-bucket"), Key: aws.String("big.bin"),
		ContentType: aws.String("application/x-big"), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32, Metadata: map[string]string{"k": "v"}})
	if err != nil {
		t.Fatal(err)
	}
	ups, _ := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("mp-bucket")})
	if len(ups.Uploads) != 1 || *ups.Uploads[0].UploadId != *cr.UploadId {
		t.Fatalf("ListMultipartUploads: %+v", ups.Uploads)
	}
	var parts []types.CompletedPart
	var etags []byte
	for i := 0; i*partSize < len(data); i++ {
		chunk := data[i*partSize : (i+1)*partSize]
		up, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mp-bucket"), Key: aws.String("big.bin"), UploadId: cr.UploadId,
			PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(chunk), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
		if err != nil {
			t.Fatalf("part %d: %v", i+1, err)
		}
		sum := md5.Sum(chunk)
		etags = append(etags, sum[:]...)
		parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: up.ETag, ChecksumCRC32: up.ChecksumCRC32})
	}
	lp, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("mp-bucket"), Key: aws.String("big.bin"), UploadId: cr.UploadId, MaxParts: aws.Int32(5)})
	if err != nil || len(lp.Parts) != 5 || !aws.ToBool(lp.IsTruncated) {
		t.Fatalf("ListParts page: %d parts, truncated %v, %v", len(lp.Parts), aws.ToBool(lp.IsTruncated), err)
	}
	done, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mp-bucket"), Key: aws.String("big.bin"), UploadId: cr.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	if err != nil {
		t.Fatal(err)
	}
	all := md5.Sum(etags)
	want := fmt.Sprintf(`"%s-%d"`, hex.EncodeToString(all[:]), len(parts))
	if aws.ToString(done.ETag) != want {
		t.Fatalf("multipart ETag %s, want %s", aws.ToString(done.ETag), want)
	}
	if done.ChecksumCRC32 == nil || !strings.HasSuffix(*done.ChecksumCRC32, "-8") {
		t.Fatalf("composite checksum %v", done.ChecksumCRC32)
	}
	get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("mp-bucket"), Key: aws.String("big.bin")})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(get.Body)
	if !bytes.Equal(got, data) || aws.ToString(get.ContentType) != "application/x-big" || get.Metadata["k"] != "v" {
		t.Fatal("multipart object read back differs")
	}
	// A range that spans a part boundary.
	rg, _ := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("mp-bucket"), Key: aws.String("big.bin"), Range: aws.String(fmt.Sprintf("bytes=%d-%d", partSize-10, partSize+9))})
	b, _ := io.ReadAll(rg.Body)
	if !bytes.Equal(b, data[partSize-10:partSize+10]) {
		t.Fatal("range across parts differs")
	}
	pn, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("mp-bucket"), Key: aws.String("big.bin"), PartNumber: aws.Int32(3)})
	if err != nil || aws.ToInt32(pn.PartsCount) != 8 {
		t.Fatalf("GET partNumber=3: %v", err)
	}
	b, _ = io.ReadAll(pn.Body)
	if !bytes.Equal(b, data[2*partSize:3*partSize]) {
		t.Fatal("part 3 differs")
	}
	// Completing again with the same parts is a retry: the same answer, as
	// from S3 (it used to be NoSuchUpload); with other parts, NoSuchUpload.
	again, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mp-bucket"), Key: aws.String("big.bin"), UploadId: cr.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	if err != nil || aws.ToString(again.ETag) != aws.ToString(done.ETag) {
		t.Fatalf("repeated Complete: %v, ETag %s want %s", err, aws.ToString(again.ETag), aws.ToString(done.ETag))
	}
	_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mp-bucket"), Key: aws.String("big.bin"), UploadId: cr.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts[:len(parts)-1]}})
	mustCode(t, err, "NoSuchUpload")
}

func TestMultipartErrorsThroughSDK(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.S3(t)
	srv.MustBucket(t, "mpe")
	cr, _ := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("mpe"), Key: aws.String("k")})
	small := []byte("too small")
	var parts []types.CompletedPart
	for i := 1; i <= 2; i++ {
		up, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpe"), Key: aws.String("k"), UploadId: cr.UploadId, PartNumber: aws.Int32(int32(i)), Body: bytes.NewReader(small)})
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(int32(i)), ETag: up.ETag})
	}
	complete := func(ps []types.CompletedPart) error {
		_, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpe"), Key: aws.String("k"), UploadId: cr.UploadId,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: ps}})
		return err
	}
	mustCode(t, complete(parts), "EntityTooSmall")
	mustCode(t, complete([]types.CompletedPart{parts[1], parts[0]}), "InvalidPartOrder")
	mustCode(t, complete([]types.CompletedPart{{PartNumber: aws.Int32(1), ETag: aws.String(`"0000"`)}}), "InvalidPart")
	mustCode(t, complete([]types.CompletedPart{{PartNumber: aws.Int32(7), ETag: parts[0].ETag}}), "InvalidPart")
	// A single small part is a valid last part.
	if err := complete(parts[:1]); err != nil {
		t.Fatal(err)
	}
	_, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpe"), Key: aws.String("k"), UploadId: aws.String("nope"), PartNumber: aws.Int32(1), Body: bytes.NewReader(small)})
	mustCode(t, err, "NoSuchUpload")

	cr2, _ := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("mpe"), Key: aws.String("k2")})
	c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpe"), Key: aws.String("k2"), UploadId: cr2.UploadId, PartNumber: aws.Int32(1), Body: bytes.NewReader(small)})
	if _, err := c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("mpe"), Key: aws.String("k2"), UploadId: cr2.UploadId}); err != nil {
		t.Fatal(err)
	}
	_, err = c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("mpe"), Key: aws.String("k2"), UploadId: cr2.UploadId})
	mustCode(t, err, "NoSuchUpload")
	_, err = c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpe"), Key: aws.String("k"), UploadId: cr.UploadId, PartNumber: aws.Int32(10001), Body: bytes.NewReader(small)})
	if err == nil {
		t.Fatal("part number 10001 accepted")
	}
}

func TestUploadPartCopyThroughSDK(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.S3(t)
	srv.MustBucket(t, "upc")
	src := randBytes(12 << 20)
	c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("upc"), Key: aws.String("src"), Body: bytes.NewReader(src)})
	cr, _ := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("upc"), Key: aws.String("dst")})
	p1, err := c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("upc"), Key: aws.String("dst"), UploadId: cr.UploadId, PartNumber: aws.Int32(1),
		CopySource: aws.String("upc/src"), CopySourceRange: aws.String("bytes=0-6291455")})
	if err != nil {
		t.Fatal(err)
	}
	p2, err := c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("upc"), Key: aws.String("dst"), UploadId: cr.UploadId, PartNumber: aws.Int32(2),
		CopySource: aws.String("upc/src"), CopySourceRange: aws.String("bytes=6291456-12582911")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("upc"), Key: aws.String("dst"), UploadId: cr.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: p1.CopyPartResult.ETag}, {PartNumber: aws.Int32(2), ETag: p2.CopyPartResult.ETag}}}})
	if err != nil {
		t.Fatal(err)
	}
	get, _ := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("upc"), Key: aws.String("dst")})
	b, _ := io.ReadAll(get.Body)
	if !bytes.Equal(b, src) {
		t.Fatal("UploadPartCopy result differs from source")
	}
}

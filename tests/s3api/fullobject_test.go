package s3api_test

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"hash/crc64"
	"io"
	"os/exec"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/outpost-s3/outpost/internal/testserver"
)

// localCRC is alg over data, computed here with the standard library and
// encoded as S3 does (base64 of the big-endian value).
func localCRC(t *testing.T, alg types.ChecksumAlgorithm, data []byte) string {
	t.Helper()
	var raw []byte
	switch alg {
	case types.ChecksumAlgorithmCrc32:
		raw = binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE(data))
	case types.ChecksumAlgorithmCrc32c:
		raw = binary.BigEndian.AppendUint32(nil, crc32.Checksum(data, crc32.MakeTable(crc32.Castagnoli)))
	case types.ChecksumAlgorithmCrc64nvme:
		raw = binary.BigEndian.AppendUint64(nil, crc64.Checksum(data, crc64.MakeTable(0x9A6C9329AC4BC9B5)))
	default:
		t.Fatalf("no local CRC for %s", alg)
	}
	return base64.StdEncoding.EncodeToString(raw)
}

// checksumOf picks alg's value out of the Checksum* fields of an output.
func checksumOf(alg types.ChecksumAlgorithm, crc32v, crc32cv, crc64v *string) string {
	switch alg {
	case types.ChecksumAlgorithmCrc32:
		return aws.ToString(crc32v)
	case types.ChecksumAlgorithmCrc32c:
		return aws.ToString(crc32cv)
	case types.ChecksumAlgorithmCrc64nvme:
		return aws.ToString(crc64v)
	}
	return ""
}

// withFullChecksum sets alg's full-object value on a Complete request.
func withFullChecksum(in *s3.CompleteMultipartUploadInput, alg types.ChecksumAlgorithm, v string) *s3.CompleteMultipartUploadInput {
	switch alg {
	case types.ChecksumAlgorithmCrc32:
		in.ChecksumCRC32 = aws.String(v)
	case types.ChecksumAlgorithmCrc32c:
		in.ChecksumCRC32C = aws.String(v)
	case types.ChecksumAlgorithmCrc64nvme:
		in.ChecksumCRC64NVME = aws.String(v)
	}
	return in
}

func mustMessage(t *testing.T, err error, code, msg string) {
	t.Helper()
	mustCode(t, err, code)
	var ae smithy.APIError
	if errors.As(err, &ae); ae.ErrorMessage() != msg {
		t.Fatalf("%s message %q, want %q", code, ae.ErrorMessage(), msg)
	}
}

// TestFullObjectMultipartChecksumsThroughSDK uploads 5 MiB, 5 MiB and a
// short last part with a FULL_OBJECT checksum for each CRC S3 allows, and
// checks that the object's checksum is the CRC of all its bytes, as
// Complete, HeadObject, GetObject and ListParts report it.
func TestFullObjectMultipartChecksumsThroughSDK(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.S3(t)
	srv.MustBucket(t, "fullsum")
	for _, alg := range []types.ChecksumAlgorithm{types.ChecksumAlgorithmCrc32, types.ChecksumAlgorithmCrc32c, types.ChecksumAlgorithmCrc64nvme} {
		t.Run(string(alg), func(t *testing.T) {
			key := aws.String("obj-" + string(alg))
			bucket := aws.String("fullsum")
			sizes := []int{5 << 20, 5 << 20, 12345}
			var data []byte
			var chunks [][]byte
			for _, n := range sizes {
				b := randBytes(n)
				chunks = append(chunks, b)
				data = append(data, b...)
			}
			want := localCRC(t, alg, data)

			cr, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: bucket, Key: key,
				ChecksumAlgorithm: alg, ChecksumType: types.ChecksumTypeFullObject})
			if err != nil {
				t.Fatal(err)
			}
			if cr.ChecksumType != types.ChecksumTypeFullObject || cr.ChecksumAlgorithm != alg {
				t.Fatalf("CreateMultipartUpload: type %q algorithm %q", cr.ChecksumType, cr.ChecksumAlgorithm)
			}
			var parts []types.CompletedPart
			for i, chunk := range chunks {
				in := &s3.UploadPartInput{Bucket: bucket, Key: key, UploadId: cr.UploadId, PartNumber: aws.Int32(int32(i + 1)),
					Body: bytes.NewReader(chunk), ChecksumAlgorithm: alg}
				if i == 1 {
					// A precomputed part value goes in the x-amz-checksum-* header.
					switch alg {
					case types.ChecksumAlgorithmCrc32:
						in.ChecksumCRC32 = aws.String(localCRC(t, alg, chunk))
					case types.ChecksumAlgorithmCrc32c:
						in.ChecksumCRC32C = aws.String(localCRC(t, alg, chunk))
					case types.ChecksumAlgorithmCrc64nvme:
						in.ChecksumCRC64NVME = aws.String(localCRC(t, alg, chunk))
					}
				}
				up, err := c.UploadPart(ctx, in)
				if err != nil {
					t.Fatalf("part %d: %v", i+1, err)
				}
				got := checksumOf(alg, up.ChecksumCRC32, up.ChecksumCRC32C, up.ChecksumCRC64NVME)
				if got != localCRC(t, alg, chunk) {
					t.Fatalf("part %d checksum %q, want %q", i+1, got, localCRC(t, alg, chunk))
				}
				cp := types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: up.ETag,
					ChecksumCRC32: up.ChecksumCRC32, ChecksumCRC32C: up.ChecksumCRC32C, ChecksumCRC64NVME: up.ChecksumCRC64NVME}
				parts = append(parts, cp)
			}
			lp, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: bucket, Key: key, UploadId: cr.UploadId})
			if err != nil || lp.ChecksumType != types.ChecksumTypeFullObject || lp.ChecksumAlgorithm != alg || len(lp.Parts) != 3 {
				t.Fatalf("ListParts: %v type %q algorithm %q parts %d", err, lp.ChecksumType, lp.ChecksumAlgorithm, len(lp.Parts))
			}
			for i, p := range lp.Parts {
				if got := checksumOf(alg, p.ChecksumCRC32, p.ChecksumCRC32C, p.ChecksumCRC64NVME); got != localCRC(t, alg, chunks[i]) {
					t.Fatalf("ListParts part %d checksum %q", i+1, got)
				}
			}
			lu, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: bucket, Prefix: key})
			if err != nil || len(lu.Uploads) != 1 || lu.Uploads[0].ChecksumType != types.ChecksumTypeFullObject || lu.Uploads[0].ChecksumAlgorithm != alg {
				t.Fatalf("ListMultipartUploads: %v %+v", err, lu.Uploads)
			}

			complete := func() *s3.CompleteMultipartUploadInput {
				return &s3.CompleteMultipartUploadInput{Bucket: bucket, Key: key, UploadId: cr.UploadId,
					MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}}
			}
			badDigest := "The " + strings.ToLower(string(alg)) + " you specified did not match the calculated checksum."
			// The CRC of only the first part, and the last one: close but wrong.
			in := withFullChecksum(complete(), alg, localCRC(t, alg, chunks[0]))
			in.ChecksumType = types.ChecksumTypeFullObject
			_, err = c.CompleteMultipartUpload(ctx, in)
			mustMessage(t, err, "BadDigest", badDigest)
			in = withFullChecksum(complete(), alg, localCRC(t, alg, data[:len(data)-1]))
			in.ChecksumType = types.ChecksumTypeFullObject
			_, err = c.CompleteMultipartUpload(ctx, in)
			mustMessage(t, err, "BadDigest", badDigest)
			// S3 takes a full-object value only together with the type.
			_, err = c.CompleteMultipartUpload(ctx, withFullChecksum(complete(), alg, want))
			mustMessage(t, err, "BadDigest", badDigest)
			// A value of another algorithm cannot be checked.
			other := types.ChecksumAlgorithmCrc32c
			if alg == other {
				other = types.ChecksumAlgorithmCrc32
			}
			in = withFullChecksum(complete(), other, localCRC(t, other, data))
			in.ChecksumType = types.ChecksumTypeFullObject
			_, err = c.CompleteMultipartUpload(ctx, in)
			mustMessage(t, err, "BadDigest", badDigest)
			// The type must be the upload's.
			in = complete()
			in.ChecksumType = types.ChecksumTypeComposite
			_, err = c.CompleteMultipartUpload(ctx, in)
			mustMessage(t, err, "InvalidRequest", "The upload was created using the FULL_OBJECT checksum mode. The complete request must use the same checksum mode.")
			// A part checksum in the body must be the stored one.
			in = complete()
			in.MultipartUpload.Parts = append([]types.CompletedPart{}, parts...)
			in.MultipartUpload.Parts[1].ChecksumCRC32, in.MultipartUpload.Parts[1].ChecksumCRC32C, in.MultipartUpload.Parts[1].ChecksumCRC64NVME = nil, nil, nil
			in = withPartChecksum(in, 1, alg, localCRC(t, alg, chunks[0]))
			_, err = c.CompleteMultipartUpload(ctx, in)
			mustCode(t, err, "InvalidPart")
			// None of that created the object, and the upload is still there.
			_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bucket, Key: key})
			mustCode(t, err, "NotFound")
			if _, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: bucket, Key: key, UploadId: cr.UploadId}); err != nil {
				t.Fatalf("upload gone after refused completions: %v", err)
			}

			in = withFullChecksum(complete(), alg, want)
			in.ChecksumType = types.ChecksumTypeFullObject
			done, err := c.CompleteMultipartUpload(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			if got := checksumOf(alg, done.ChecksumCRC32, done.ChecksumCRC32C, done.ChecksumCRC64NVME); got != want || done.ChecksumType != types.ChecksumTypeFullObject {
				t.Fatalf("CompleteMultipartUpload: checksum %q type %q, want %q FULL_OBJECT", got, done.ChecksumType, want)
			}
			if !strings.HasSuffix(aws.ToString(done.ETag), `-3"`) {
				t.Fatalf("ETag %s", aws.ToString(done.ETag))
			}

			head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bucket, Key: key, ChecksumMode: types.ChecksumModeEnabled})
			if err != nil {
				t.Fatal(err)
			}
			if got := checksumOf(alg, head.ChecksumCRC32, head.ChecksumCRC32C, head.ChecksumCRC64NVME); got != want || head.ChecksumType != types.ChecksumTypeFullObject {
				t.Fatalf("HeadObject: checksum %q type %q, want %q FULL_OBJECT", got, head.ChecksumType, want)
			}
			get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: key, ChecksumMode: types.ChecksumModeEnabled})
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(get.Body) // the SDK checks the whole-object CRC as it reads
			get.Body.Close()
			if err != nil || !bytes.Equal(b, data) {
				t.Fatalf("GetObject body: %v (%d bytes)", err, len(b))
			}
			if got := checksumOf(alg, get.ChecksumCRC32, get.ChecksumCRC32C, get.ChecksumCRC64NVME); got != want || get.ChecksumType != types.ChecksumTypeFullObject {
				t.Fatalf("GetObject: checksum %q type %q, want %q FULL_OBJECT", got, get.ChecksumType, want)
			}
			plain, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bucket, Key: key})
			if err != nil || plain.ChecksumCRC32 != nil || plain.ChecksumCRC32C != nil || plain.ChecksumCRC64NVME != nil {
				t.Fatalf("HeadObject without checksum mode: %v %+v", err, plain)
			}
		})
	}
}

func withPartChecksum(in *s3.CompleteMultipartUploadInput, i int, alg types.ChecksumAlgorithm, v string) *s3.CompleteMultipartUploadInput {
	p := &in.MultipartUpload.Parts[i]
	switch alg {
	case types.ChecksumAlgorithmCrc32:
		p.ChecksumCRC32 = aws.String(v)
	case types.ChecksumAlgorithmCrc32c:
		p.ChecksumCRC32C = aws.String(v)
	case types.ChecksumAlgorithmCrc64nvme:
		p.ChecksumCRC64NVME = aws.String(v)
	}
	return in
}

// TestFullObjectMultipartServerComputedParts: CRC64NVME defaults to
// FULL_OBJECT, and parts sent without checksums (one copied from another
// object) get theirs computed by the server, which combines them.
func TestFullObjectMultipartServerComputedParts(t *testing.T) {
	srv := testserver.Start(t)
	// Only checksums the operation requires: the parts go without any.
	c := srv.S3(t, func(o *s3.Options) { o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired })
	srv.MustBucket(t, "nvme")
	bucket, key := aws.String("nvme"), aws.String("obj")
	src := randBytes(6 << 20)
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("src"), Body: bytes.NewReader(src)}); err != nil {
		t.Fatal(err)
	}
	cr, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: bucket, Key: key, ChecksumAlgorithm: types.ChecksumAlgorithmCrc64nvme})
	if err != nil {
		t.Fatal(err)
	}
	if cr.ChecksumType != types.ChecksumTypeFullObject {
		t.Fatalf("CRC64NVME upload type %q, want FULL_OBJECT", cr.ChecksumType)
	}
	cp, err := c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: bucket, Key: key, UploadId: cr.UploadId, PartNumber: aws.Int32(1),
		CopySource: aws.String("nvme/src"), CopySourceRange: aws.String("bytes=0-5242879")})
	if err != nil {
		t.Fatal(err)
	}
	tail := randBytes(777)
	up, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: bucket, Key: key, UploadId: cr.UploadId, PartNumber: aws.Int32(2), Body: bytes.NewReader(tail)})
	if err != nil {
		t.Fatal(err)
	}
	data := append(append([]byte{}, src[:5<<20]...), tail...)
	done, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: bucket, Key: key, UploadId: cr.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{
			{PartNumber: aws.Int32(1), ETag: cp.CopyPartResult.ETag}, {PartNumber: aws.Int32(2), ETag: up.ETag}}}})
	if err != nil {
		t.Fatal(err)
	}
	want := localCRC(t, types.ChecksumAlgorithmCrc64nvme, data)
	if aws.ToString(done.ChecksumCRC64NVME) != want || done.ChecksumType != types.ChecksumTypeFullObject {
		t.Fatalf("Complete: %q %q, want %q FULL_OBJECT", aws.ToString(done.ChecksumCRC64NVME), done.ChecksumType, want)
	}
	get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: key, ChecksumMode: types.ChecksumModeEnabled})
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(get.Body)
	get.Body.Close()
	if err != nil || !bytes.Equal(b, data) || aws.ToString(get.ChecksumCRC64NVME) != want {
		t.Fatalf("GetObject: %v %q", err, aws.ToString(get.ChecksumCRC64NVME))
	}
}

// TestMultipartChecksumTypeCombinations: what CreateMultipartUpload accepts
// and refuses, with S3's messages; COMPOSITE stays the default for CRC32.
func TestMultipartChecksumTypeCombinations(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.S3(t)
	srv.MustBucket(t, "combos")
	create := func(alg types.ChecksumAlgorithm, typ types.ChecksumType) (*s3.CreateMultipartUploadOutput, error) {
		return c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("combos"), Key: aws.String("k"), ChecksumAlgorithm: alg, ChecksumType: typ})
	}
	_, err := create(types.ChecksumAlgorithmSha256, types.ChecksumTypeFullObject)
	mustMessage(t, err, "InvalidRequest", "The FULL_OBJECT checksum type cannot be used with the sha256 checksum algorithm.")
	_, err = create(types.ChecksumAlgorithmSha1, types.ChecksumTypeFullObject)
	mustMessage(t, err, "InvalidRequest", "The FULL_OBJECT checksum type cannot be used with the sha1 checksum algorithm.")
	_, err = create(types.ChecksumAlgorithmCrc64nvme, types.ChecksumTypeComposite)
	mustMessage(t, err, "InvalidRequest", "The COMPOSITE checksum type cannot be used with the crc64nvme checksum algorithm.")
	_, err = create("", types.ChecksumTypeFullObject)
	mustMessage(t, err, "InvalidRequest", "The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.")
	_, err = create(types.ChecksumAlgorithmCrc32, "LINEAR")
	mustMessage(t, err, "InvalidRequest", "Value for x-amz-checksum-type header is invalid.")
	for _, tc := range []struct {
		alg  types.ChecksumAlgorithm
		typ  types.ChecksumType
		want types.ChecksumType
	}{
		{types.ChecksumAlgorithmCrc32, "", types.ChecksumTypeComposite},
		{types.ChecksumAlgorithmCrc32c, types.ChecksumTypeComposite, types.ChecksumTypeComposite},
		{types.ChecksumAlgorithmSha256, "", types.ChecksumTypeComposite},
		{types.ChecksumAlgorithmCrc64nvme, "", types.ChecksumTypeFullObject},
		{types.ChecksumAlgorithmCrc32c, types.ChecksumTypeFullObject, types.ChecksumTypeFullObject},
	} {
		out, err := create(tc.alg, tc.typ)
		if err != nil || out.ChecksumType != tc.want {
			t.Fatalf("%s/%q: %v type %q, want %q", tc.alg, tc.typ, err, out.ChecksumType, tc.want)
		}
	}
	// COMPOSITE as before: checksum of the part checksums, with -N.
	cr, err := create(types.ChecksumAlgorithmCrc32c, types.ChecksumTypeComposite)
	if err != nil {
		t.Fatal(err)
	}
	body := randBytes(1000)
	up, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("combos"), Key: aws.String("k"), UploadId: cr.UploadId, PartNumber: aws.Int32(1),
		Body: bytes.NewReader(body), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32c})
	if err != nil {
		t.Fatal(err)
	}
	done, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("combos"), Key: aws.String("k"), UploadId: cr.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: up.ETag, ChecksumCRC32C: up.ChecksumCRC32C}}}})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.StdEncoding.DecodeString(aws.ToString(up.ChecksumCRC32C))
	if want := localCRC(t, types.ChecksumAlgorithmCrc32c, raw) + "-1"; aws.ToString(done.ChecksumCRC32C) != want || done.ChecksumType != types.ChecksumTypeComposite {
		t.Fatalf("composite: %q %q, want %q COMPOSITE", aws.ToString(done.ChecksumCRC32C), done.ChecksumType, want)
	}
}

// TestFullObjectMultipartThroughBoto3 runs a FULL_OBJECT CRC32 upload with
// boto3: parts with their CRC32s, Complete with the whole-object CRC32, and
// a GET that botocore validates.
func TestFullObjectMultipartThroughBoto3(t *testing.T) {
	if out, err := exec.Command("python3", "-c", "import boto3").CombinedOutput(); err != nil {
		t.Fatalf("python3 with boto3 is needed (scripts/test.sh checks for it): %v %s", err, out)
	}
	srv := testserver.Start(t)
	srv.MustBucket(t, "py-full")
	script := `
import base64, os, sys, zlib, boto3
from botocore.config import Config
endpoint = sys.argv[1]
# botocore retries BadDigest; one attempt is enough here.
s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", config=Config(retries={"total_max_attempts": 1}),
    aws_access_key_id="` + testserver.AccessKey + `", aws_secret_access_key="` + testserver.SecretKey + `")
def crc(b):
    return base64.b64encode(zlib.crc32(b).to_bytes(4, "big")).decode()
chunks = [os.urandom(5 << 20), os.urandom(4321)]
data = b"".join(chunks)
up = s3.create_multipart_upload(Bucket="py-full", Key="k", ChecksumAlgorithm="CRC32", ChecksumType="FULL_OBJECT")
assert up["ChecksumType"] == "FULL_OBJECT", up
parts = []
for i, c in enumerate(chunks):
    r = s3.upload_part(Bucket="py-full", Key="k", UploadId=up["UploadId"], PartNumber=i + 1, Body=c, ChecksumAlgorithm="CRC32")
    assert r["ChecksumCRC32"] == crc(c), (r["ChecksumCRC32"], crc(c))
    parts.append({"PartNumber": i + 1, "ETag": r["ETag"], "ChecksumCRC32": r["ChecksumCRC32"]})
try:
    s3.complete_multipart_upload(Bucket="py-full", Key="k", UploadId=up["UploadId"], MultipartUpload={"Parts": parts},
        ChecksumType="FULL_OBJECT", ChecksumCRC32=crc(b"not the data"))
    raise SystemExit("wrong full-object checksum accepted")
except s3.exceptions.ClientError as e:
    assert e.response["Error"]["Code"] == "BadDigest", e.response
done = s3.complete_multipart_upload(Bucket="py-full", Key="k", UploadId=up["UploadId"], MultipartUpload={"Parts": parts},
    ChecksumType="FULL_OBJECT", ChecksumCRC32=crc(data))
assert done["ChecksumCRC32"] == crc(data) and done["ChecksumType"] == "FULL_OBJECT", done
got = s3.get_object(Bucket="py-full", Key="k", ChecksumMode="ENABLED")
assert got["ChecksumCRC32"] == crc(data) and got["ChecksumType"] == "FULL_OBJECT", got
assert got["Body"].read() == data
print("ok", crc(data))
`
	out, err := exec.Command("python3", "-c", script, srv.URL).CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "ok ") {
		t.Fatalf("boto3: %v\n%s", err, out)
	}
}

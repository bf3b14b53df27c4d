// Package s3api_test drives a real Outpost on 127.0.0.1 through the AWS SDK
// for Go v2, minio-go and raw HTTP, and checks what S3 clients see.
package s3api_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/outpost-s3/outpost/internal/testserver"
)

var ctx = context.Background()

// apiCode returns the S3 error code of an SDK error.
func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func mustCode(t *testing.T, err error, code string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want error %s, got success", code)
	}
	if got := apiCode(err); got != code {
		t.Fatalf("want error %s, got %q (%v)", code, got, err)
	}
}

func randBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

func md5hex(b []byte) string { s := md5.Sum(b); return hex.EncodeToString(s[:]) }

func TestBucketLifecycleThroughSDK(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.S3(t)

	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("alpha")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("alpha")})
	mustCode(t, err, "BucketAlreadyOwnedByYou")
	for _, bad := range []string{"ab", "Upper", "-dash", "a..b", "192.168.1.1", strings.Repeat("a", 64), "under_score", "xn--abc", "bucket--op-s3"} {
		_, err = c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bad)})
		mustCode(t, err, "InvalidBucketName")
	}
	if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("alpha")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("missing-bucket")})
	var nf *types.NotFound
	if !errors.As(err, &nf) {
		t.Fatalf("HeadBucket on a missing bucket: want NotFound, got %v", err)
	}
	loc, err := c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("alpha")})
	if err != nil || loc.LocationConstraint != "" {
		t.Fatalf("GetBucketLocation = %q, %v; want empty constraint for us-east-1", loc.LocationConstraint, err)
	}
	list, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil || len(list.Buckets) != 1 || *list.Buckets[0].Name != "alpha" {
		t.Fatalf("ListBuckets = %+v, %v", list, err)
	}
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("alpha"), Key: aws.String("k"), Body: strings.NewReader("x")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("alpha")})
	mustCode(t, err, "BucketNotEmpty")
	c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("alpha"), Key: aws.String("k")})
	if _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("alpha")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("alpha")})
	mustCode(t, err, "NoSuchBucket")
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("alpha"), Key: aws.String("k"), Body: strings.NewReader("x")})
	mustCode(t, err, "NoSuchBucket")
}

func TestPutGetHeadObjectThroughSDK(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.S3(t)
	srv.MustBucket(t, "photos")
	body := randBytes(300 << 10)
	put, err := c.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String("photos"), Key: aws.String("dir/cat photo+1.jpg"), Body: bytes.NewReader(body),
		ContentType: aws.String("image/jpeg"), CacheControl: aws.String("max-age=60"),
		ContentDisposition: aws.String(`attachment; filename="cat.jpg"`), ContentLanguage: aws.String("en"),
		Metadata: map[string]string{"colour": "tabby", "Owner-Name": "Ada"}, Tagging: aws.String("a=1&b=two"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Trim(aws.ToString(put.ETag), `"`); got != md5hex(body) {
		t.Fatalf("ETag = %s, want MD5 %s", got, md5hex(body))
	}
	get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("photos"), Key: aws.String("dir/cat photo+1.jpg"), ChecksumMode: types.ChecksumModeEnabled})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(get.Body)
	get.Body.Close()
	if !bytes.Equal(got, body) {
		t.Fatal("GetObject returned other bytes")
	}
	if aws.ToString(get.ContentType) != "image/jpeg" || aws.ToString(get.CacheControl) != "max-age=60" ||
		aws.ToString(get.ContentLanguage) != "en" || get.Metadata["colour"] != "tabby" || get.Metadata["owner-name"] != "Ada" {
		t.Fatalf("stored headers not returned: %+v %v", get, get.Metadata)
	}
	if aws.ToInt32(get.TagCount) != 2 {
		t.Fatalf("TagCount = %d, want 2", aws.ToInt32(get.TagCount))
	}
	if aws.ToString(get.ChecksumCRC32) != aws.ToString(put.ChecksumCRC32) {
		t.Fatalf("checksum mode: CRC32 %v, want what PutObject answered, %v", aws.ToString(get.ChecksumCRC32), aws.ToString(put.ChecksumCRC32))
	}
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("photos"), Key: aws.String("dir/cat photo+1.jpg")})
	if err != nil || aws.ToInt64(head.ContentLength) != int64(len(body)) {
		t.Fatalf("HeadObject = %v, %v", head, err)
	}
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("photos"), Key: aws.String("nope")})
	var nf *types.NotFound
	if !errors.As(err, &nf) {
		t.Fatalf("HeadObject on a missing key: %v", err)
	}
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("photos"), Key: aws.String("nope")})
	mustCode(t, err, "NoSuchKey")

	// Overwrite: the last write wins.
	c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("photos"), Key: aws.String("dir/cat photo+1.jpg"), Body: strings.NewReader("short")})
	get, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("photos"), Key: aws.String("dir/cat photo+1.jpg")})
	if err != nil {
		t.Fatal(err)
	}
	got, _ = io.ReadAll(get.Body)
	if string(got) != "short" || get.Metadata["colour"] != "" {
		t.Fatalf("overwrite: got %q meta %v", got, get.Metadata)
	}
}

func TestChecksumAlgorithmsThroughSDK(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.S3(t)
	srv.MustBucket(t, "sums")
	for _, alg := range []types.ChecksumAlgorithm{types.ChecksumAlgorithmCrc32, types.ChecksumAlgorithmCrc32c, types.ChecksumAlgorithmCrc64nvme, types.ChecksumAlgorithmSha1, types.ChecksumAlgorithmSha256} {
		t.Run(string(alg), func(t *testing.T) {
			body := randBytes(70 << 10)
			out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("sums"), Key: aws.String(string(alg)), Body: bytes.NewReader(body), ChecksumAlgorithm: alg})
			if err != nil {
				t.Fatal(err)
			}
			get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("sums"), Key: aws.String(string(alg)), ChecksumMode: types.ChecksumModeEnabled})
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(get.Body) // the SDK validates the checksum while reading
			if err != nil || !bytes.Equal(b, body) {
				t.Fatalf("read back: %v", err)
			}
			sent := map[types.ChecksumAlgorithm]*string{types.ChecksumAlgorithmCrc32: out.ChecksumCRC32, types.ChecksumAlgorithmCrc32c: out.ChecksumCRC32C,
				types.ChecksumAlgorithmCrc64nvme: out.ChecksumCRC64NVME, types.ChecksumAlgorithmSha1: out.ChecksumSHA1, types.ChecksumAlgorithmSha256: out.ChecksumSHA256}[alg]
			if sent == nil {
				t.Fatalf("PutObject response lacks the %s checksum", alg)
			}
		})
	}
}

func TestRangesAndConditionsThroughSDK(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.S3(t)
	srv.MustBucket(t, "ranges")
	body := []byte("0123456789abcdefghij")
	put, _ := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("ranges"), Key: aws.String("k"), Body: bytes.NewReader(body)})
	for _, tc := range []struct{ rng, want string }{
		{"bytes=0-4", "01234"}, {"bytes=5-", "56789abcdefghij"}, {"bytes=-3", "hij"}, {"bytes=15-100", "fghij"}, {"bytes=-100", string(body)},
	} {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ranges"), Key: aws.String("k"), Range: aws.String(tc.rng)})
		if err != nil {
			t.Fatalf("%s: %v", tc.rng, err)
		}
		b, _ := io.ReadAll(out.Body)
		if string(b) != tc.want {
			t.Errorf("Range %s = %q, want %q", tc.rng, b, tc.want)
		}
	}
	_, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ranges"), Key: aws.String("k"), Range: aws.String("bytes=50-60")})
	mustCode(t, err, "InvalidRange")

	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ranges"), Key: aws.String("k"), IfMatch: aws.String(`"nope"`)})
	mustCode(t, err, "PreconditionFailed")
	if _, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ranges"), Key: aws.String("k"), IfMatch: put.ETag}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ranges"), Key: aws.String("k"), IfNoneMatch: put.ETag})
	if apiCode(err) != "NotModified" && !strings.Contains(err.Error(), "304") {
		t.Fatalf("If-None-Match with the current ETag: want 304, got %v", err)
	}
	future := time.Now().Add(time.Hour)
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ranges"), Key: aws.String("k"), IfModifiedSince: &future})
	if err == nil || !strings.Contains(err.Error(), "304") {
		t.Fatalf("If-Modified-Since in the future: want 304, got %v", err)
	}
	past := time.Now().Add(-time.Hour)
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ranges"), Key: aws.String("k"), IfUnmodifiedSince: &past})
	mustCode(t, err, "PreconditionFailed")
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ranges"), Key: aws.String("k"),
		ResponseContentType: aws.String("text/plain"), ResponseContentDisposition: aws.String(`attachment; filename*=UTF-8''caf%C3%A9.txt`)})
	if err != nil || aws.ToString(out.ContentType) != "text/plain" || !strings.Contains(aws.ToString(out.ContentDisposition), "caf") {
		t.Fatalf("response overrides: %v %v", out, err)
	}
}

func TestCopyObjectThroughSDK(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.S3(t)
	srv.MustBucket(t, "src")
	srv.MustBucket(t, "dst")
	body := randBytes(100 << 10)
	put, _ := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("src"), Key: aws.String("a b"), Body: bytes.NewReader(body),
		ContentType: aws.String("text/x-a"), Metadata: map[string]string{"m": "1"}})
	cp, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("copy"), CopySource: aws.String("src/a%20b")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(cp.CopyObjectResult.ETag) != aws.ToString(put.ETag) {
		t.Fatalf("copy ETag %s, want %s", aws.ToString(cp.CopyObjectResult.ETag), aws.ToString(put.ETag))
	}
	h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("dst"), Key: aws.String("copy")})
	if err != nil || h.Metadata["m"] != "1" || aws.ToString(h.ContentType) != "text/x-a" {
		t.Fatalf("COPY directive kept metadata? %v %v", h, err)
	}
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("copy2"), CopySource: aws.String("src/a%20b"),
		MetadataDirective: types.MetadataDirectiveReplace, Metadata: map[string]string{"n": "2"}, ContentType: aws.String("text/x-b")})
	if err != nil {
		t.Fatal(err)
	}
	h, _ = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("dst"), Key: aws.String("copy2")})
	if h.Metadata["m"] != "" || h.Metadata["n"] != "2" || aws.ToString(h.ContentType) != "text/x-b" {
		t.Fatalf("REPLACE directive: %v", h.Metadata)
	}
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("c3"), CopySource: aws.String("src/a%20b"), CopySourceIfMatch: aws.String(`"bad"`)})
	mustCode(t, err, "PreconditionFailed")
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("src"), Key: aws.String("a b"), CopySource: aws.String("src/a%20b")})
	mustCode(t, err, "InvalidRequest")
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("c4"), CopySource: aws.String("src/missing")})
	mustCode(t, err, "NoSuchKey")
	get, _ := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("dst"), Key: aws.String("copy2")})
	b, _ := io.ReadAll(get.Body)
	if !bytes.Equal(b, body) {
		t.Fatal("copied bytes differ")
	}
}

func TestListingThroughSDK(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.S3(t)
	srv.MustBucket(t, "list")
	keys := []string{"a/1", "a/2", "a/b/3", "b/4", "c", "d+e", "f g", "é/x"}
	for _, k := range keys {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("list"), Key: aws.String(k), Body: strings.NewReader(k)}); err != nil {
			t.Fatal(err)
		}
	}
	// V2 pagination with max-keys 3 walks every key once, in order.
	var walked []string
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String("list"), MaxKeys: aws.Int32(3)})
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, o := range out.Contents {
			walked = append(walked, *o.Key)
		}
	}
	if strings.Join(walked, ",") != strings.Join(keys, ",") || pages != 3 {
		t.Fatalf("walked %v in %d pages", walked, pages)
	}
	out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("list"), Delimiter: aws.String("/")})
	if err != nil {
		t.Fatal(err)
	}
	var cps []string
	for _, cp := range out.CommonPrefixes {
		cps = append(cps, *cp.Prefix)
	}
	if strings.Join(cps, ",") != "a/,b/,é/" || len(out.Contents) != 3 || aws.ToInt32(out.KeyCount) != 6 {
		t.Fatalf("delimiter listing: prefixes %v contents %d keycount %d", cps, len(out.Contents), aws.ToInt32(out.KeyCount))
	}
	out, _ = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("list"), Prefix: aws.String("a/"), Delimiter: aws.String("/"), StartAfter: aws.String("a/1"), FetchOwner: aws.Bool(true)})
	if len(out.Contents) != 1 || *out.Contents[0].Key != "a/2" || out.Contents[0].Owner == nil || len(out.CommonPrefixes) != 1 {
		t.Fatalf("prefix+start-after listing: %+v", out)
	}
	// The SDK asks for encoding-type=url by default and decodes keys.
	out, _ = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("list"), Prefix: aws.String("d")})
	if len(out.Contents) != 1 || *out.Contents[0].Key != "d+e" {
		t.Fatalf("key with + came back as %v", out.Contents)
	}
	v1, err := c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("list"), MaxKeys: aws.Int32(2), Delimiter: aws.String("/")})
	if err != nil || !aws.ToBool(v1.IsTruncated) || aws.ToString(v1.NextMarker) == "" {
		t.Fatalf("ListObjects v1: %+v %v", v1, err)
	}
	v1b, _ := c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("list"), Marker: v1.NextMarker, Delimiter: aws.String("/")})
	if len(v1b.Contents)+len(v1b.CommonPrefixes)+2 != 6 {
		t.Fatalf("v1 second page: %d entries", len(v1b.Contents)+len(v1b.CommonPrefixes))
	}
	vers, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("list")})
	if err != nil || len(vers.Versions) != len(keys) || aws.ToString(vers.Versions[0].VersionId) != "null" {
		t.Fatalf("ListObjectVersions on an unversioned bucket: %+v %v", vers, err)
	}
	_, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("list"), ContinuationToken: aws.String("!!!")})
	mustCode(t, err, "InvalidArgument")
}

func TestDeleteObjectsThroughSDK(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.S3(t)
	srv.MustBucket(t, "del")
	var ids []types.ObjectIdentifier
	for i := 0; i < 5; i++ {
		k := "k" + string(rune('0'+i))
		c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("del"), Key: aws.String(k), Body: strings.NewReader(k)})
		ids = append(ids, types.ObjectIdentifier{Key: aws.String(k)})
	}
	ids = append(ids, types.ObjectIdentifier{Key: aws.String("never-existed")})
	out, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("del"), Delete: &types.Delete{Objects: ids}})
	if err != nil || len(out.Deleted) != 6 || len(out.Errors) != 0 {
		t.Fatalf("DeleteObjects: %+v %v", out, err)
	}
	list, _ := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("del")})
	if len(list.Contents) != 0 {
		t.Fatalf("%d objects left", len(list.Contents))
	}
	c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("del"), Key: aws.String("q"), Body: strings.NewReader("q")})
	out, err = c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("del"), Delete: &types.Delete{Quiet: aws.Bool(true), Objects: []types.ObjectIdentifier{{Key: aws.String("q")}}}})
	if err != nil || len(out.Deleted) != 0 {
		t.Fatalf("quiet mode reports nothing on success: %+v %v", out, err)
	}
	many := make([]types.ObjectIdentifier, 1001)
	for i := range many {
		many[i] = types.ObjectIdentifier{Key: aws.String("x")}
	}
	_, err = c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("del"), Delete: &types.Delete{Objects: many}})
	mustCode(t, err, "MalformedXML")
}

func TestTaggingThroughSDK(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.S3(t)
	srv.MustBucket(t, "tags")
	c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("tags"), Key: aws.String("k"), Body: strings.NewReader("x"), Tagging: aws.String("env=prod")})
	got, err := c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("tags"), Key: aws.String("k")})
	if err != nil || len(got.TagSet) != 1 || *got.TagSet[0].Key != "env" {
		t.Fatalf("GetObjectTagging: %+v %v", got, err)
	}
	_, err = c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("tags"), Key: aws.String("k"), Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("b"), Value: aws.String("2")}}}})
	if err != nil {
		t.Fatal(err)
	}
	got, _ = c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("tags"), Key: aws.String("k")})
	if len(got.TagSet) != 2 {
		t.Fatalf("after PutObjectTagging: %v", got.TagSet)
	}
	if _, err := c.DeleteObjectTagging(ctx, &s3.DeleteObjectTaggingInput{Bucket: aws.String("tags"), Key: aws.String("k")}); err != nil {
		t.Fatal(err)
	}
	got, _ = c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("tags"), Key: aws.String("k")})
	if len(got.TagSet) != 0 {
		t.Fatalf("after DeleteObjectTagging: %v", got.TagSet)
	}
	var eleven []types.Tag
	for i := 0; i < 11; i++ {
		eleven = append(eleven, types.Tag{Key: aws.String(string(rune('a' + i))), Value: aws.String("versioned")})
	}
	_, err = c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("tags"), Key: aws.String("k"), Tagging: &types.Tagging{TagSet: eleven}})
	mustCode(t, err, "InvalidTag")
	_, err = c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String("tags")})
	mustCode(t, err, "NoSuchTagSet")
	_, err = c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String("tags"), Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("team"), Value: aws.String("blue")}}}})
	if err != nil {
		t.Fatal(err)
	}
	bt, err := c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String("tags")})
	if err != nil || len(bt.TagSet) != 1 {
		t.Fatalf("GetBucketTagging: %v %v", bt, err)
	}
}

func TestVersioningAndPolicyDocumentsThroughSDK(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.S3(t)
	srv.MustBucket(t, "versioned")
	_, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("versioned"), VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}})
	if err != nil {
		t.Fatal(err)
	}
	gv, _ := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String("versioned")})
	if gv.Status != types.BucketVersioningStatusEnabled {
		t.Fatalf("versioning status %q", gv.Status)
	}
	p1, _ := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("versioned"), Key: aws.String("k"), Body: strings.NewReader("one")})
	p2, _ := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("versioned"), Key: aws.String("k"), Body: strings.NewReader("two")})
	if p1.VersionId == nil || p2.VersionId == nil || *p1.VersionId == *p2.VersionId {
		t.Fatalf("version IDs %v %v", p1.VersionId, p2.VersionId)
	}
	old, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("versioned"), Key: aws.String("k"), VersionId: p1.VersionId})
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(old.Body); string(b) != "one" {
		t.Fatalf("old version = %q", b)
	}
	del, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("versioned"), Key: aws.String("k")})
	if err != nil || !aws.ToBool(del.DeleteMarker) {
		t.Fatalf("delete on a versioned bucket should add a marker: %+v %v", del, err)
	}
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("versioned"), Key: aws.String("k")})
	mustCode(t, err, "NoSuchKey")
	vs, _ := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("versioned")})
	if len(vs.Versions) != 2 || len(vs.DeleteMarkers) != 1 {
		t.Fatalf("versions %d markers %d", len(vs.Versions), len(vs.DeleteMarkers))
	}
	// Removing the marker brings the object back.
	c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("versioned"), Key: aws.String("k"), VersionId: del.VersionId})
	cur, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("versioned"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(cur.Body); string(b) != "two" {
		t.Fatalf("after removing the marker: %q", b)
	}

	_, err = c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("versioned")})
	mustCode(t, err, "NoSuchBucketPolicy")
	_, err = c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("versioned"), Policy: aws.String("not json")})
	mustCode(t, err, "MalformedPolicy")
	_, err = c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: aws.String("versioned"), LifecycleConfiguration: &types.BucketLifecycleConfiguration{
		Rules: []types.LifecycleRule{{ID: aws.String("exp"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("logs/")}, Expiration: &types.LifecycleExpiration{Days: aws.Int32(30)}}}}})
	if err != nil {
		t.Fatal(err)
	}
	lc, err := c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String("versioned")})
	if err != nil || len(lc.Rules) != 1 || aws.ToInt32(lc.Rules[0].Expiration.Days) != 30 {
		t.Fatalf("lifecycle round trip: %+v %v", lc, err)
	}
}

package s3api_test

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/tags"

	"github.com/outpost-s3/outpost/internal/testserver"
)

func TestMinioGoClient(t *testing.T) {
	srv := testserver.Start(t)
	mc := srv.Minio(t)
	if err := mc.MakeBucket(ctx, "minio-bucket", minio.MakeBucketOptions{Region: testserver.Region}); err != nil {
		t.Fatal(err)
	}
	ok, err := mc.BucketExists(ctx, "minio-bucket")
	if err != nil || !ok {
		t.Fatalf("BucketExists: %v %v", ok, err)
	}
	small := randBytes(10 << 10)
	info, err := mc.PutObject(ctx, "minio-bucket", "small.bin", bytes.NewReader(small), int64(len(small)), minio.PutObjectOptions{
		ContentType: "application/x-small", UserMetadata: map[string]string{"origin": "minio"}, UserTags: map[string]string{"t": "1"}})
	if err != nil {
		t.Fatal(err)
	}
	if info.ETag != md5hex(small) {
		t.Fatalf("minio ETag %s", info.ETag)
	}
	// minio-go switches to multipart above its part size; force it with a
	// 20 MiB object and 5 MiB parts, streamed with an unknown length.
	big := randBytes(20 << 20)
	_, err = mc.PutObject(ctx, "minio-bucket", "big.bin", bytes.NewReader(big), -1, minio.PutObjectOptions{PartSize: 5 << 20})
	if err != nil {
		t.Fatal(err)
	}
	obj, err := mc.GetObject(ctx, "minio-bucket", "big.bin", minio.GetObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(obj)
	if err != nil || !bytes.Equal(got, big) {
		t.Fatalf("big object read back: %v", err)
	}
	st, err := mc.StatObject(ctx, "minio-bucket", "small.bin", minio.StatObjectOptions{})
	if err != nil || st.ContentType != "application/x-small" || st.UserMetadata["Origin"] != "minio" {
		t.Fatalf("StatObject: %+v %v", st, err)
	}
	opts := minio.GetObjectOptions{}
	opts.SetRange(100, 199)
	rg, _ := mc.GetObject(ctx, "minio-bucket", "small.bin", opts)
	part, _ := io.ReadAll(rg)
	if !bytes.Equal(part, small[100:200]) {
		t.Fatal("minio ranged read differs")
	}
	tg, err := mc.GetObjectTagging(ctx, "minio-bucket", "small.bin", minio.GetObjectTaggingOptions{})
	if err != nil || tg.ToMap()["t"] != "1" {
		t.Fatalf("GetObjectTagging: %v %v", tg, err)
	}
	nt, _ := tags.NewTags(map[string]string{"x": "y"}, true)
	if err := mc.PutObjectTagging(ctx, "minio-bucket", "small.bin", nt, minio.PutObjectTaggingOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := mc.CopyObject(ctx, minio.CopyDestOptions{Bucket: "minio-bucket", Object: "copy.bin"}, minio.CopySrcOptions{Bucket: "minio-bucket", Object: "small.bin"}); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for o := range mc.ListObjects(ctx, "minio-bucket", minio.ListObjectsOptions{Recursive: true}) {
		if o.Err != nil {
			t.Fatal(o.Err)
		}
		keys = append(keys, o.Key)
	}
	if len(keys) != 3 {
		t.Fatalf("ListObjects: %v", keys)
	}
	// A presigned GET made by minio-go works with no credentials.
	u, err := mc.PresignedGetObject(ctx, "minio-bucket", "small.bin", time.Minute, url.Values{})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(u.String())
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Equal(b, small) {
		t.Fatalf("minio presigned GET: %d", resp.StatusCode)
	}
	errCh := mc.RemoveObjects(ctx, "minio-bucket", func() <-chan minio.ObjectInfo {
		ch := make(chan minio.ObjectInfo, len(keys))
		for _, k := range keys {
			ch <- minio.ObjectInfo{Key: k}
		}
		close(ch)
		return ch
	}(), minio.RemoveObjectsOptions{})
	for e := range errCh {
		t.Fatal(e.Err)
	}
	if err := mc.RemoveBucket(ctx, "minio-bucket"); err != nil {
		t.Fatal(err)
	}
}

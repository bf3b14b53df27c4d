package s3api_test

import (
	"bytes"
	"crypto/sha256"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/outpost-s3/outpost/internal/testserver"
)

// TestAWSCLICommandsFromTheREADME runs the README's AWS CLI commands
// against a real server, including a multipart cp (the CLI switches to
// multipart above 8 MiB).
func TestAWSCLICommandsFromTheREADME(t *testing.T) {
	if _, err := exec.LookPath("aws"); err != nil {
		t.Fatal("the AWS CLI is required for this test")
	}
	srv := testserver.Start(t)
	dir := t.TempDir()
	aws := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("aws", append([]string{"--endpoint-url", srv.URL}, args...)...)
		cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID="+testserver.AccessKey, "AWS_SECRET_ACCESS_KEY="+testserver.SecretKey,
			"AWS_DEFAULT_REGION=us-east-1", "AWS_EC2_METADATA_DISABLED=true", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("aws %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	small := filepath.Join(dir, "cat.jpg")
	os.WriteFile(small, []byte("meow"), 0o644)
	big := filepath.Join(dir, "big.bin")
	data := randBytes(20 << 20)
	os.WriteFile(big, data, 0o644)

	aws("s3", "mb", "s3://photos")
	aws("s3", "cp", small, "s3://photos/cat.jpg")
	aws("s3", "cp", big, "s3://photos/big.bin")
	ls := aws("s3", "ls", "s3://photos")
	if !strings.Contains(ls, "cat.jpg") || !strings.Contains(ls, "big.bin") {
		t.Fatalf("aws s3 ls: %s", ls)
	}
	back := filepath.Join(dir, "back.bin")
	aws("s3", "cp", "s3://photos/big.bin", back)
	got, _ := os.ReadFile(back)
	if !bytes.Equal(got, data) {
		t.Fatal("aws s3 cp round trip differs")
	}
	aws("s3", "rm", "s3://photos/cat.jpg")
	aws("s3api", "put-object-tagging", "--bucket", "photos", "--key", "big.bin", "--tagging", "TagSet=[{Key=k,Value=v}]")
	if out := aws("s3api", "get-object-tagging", "--bucket", "photos", "--key", "big.bin"); !strings.Contains(out, `"Value": "v"`) {
		t.Fatalf("get-object-tagging: %s", out)
	}
	aws("s3", "rb", "s3://photos", "--force")
	if out := aws("s3", "ls"); strings.Contains(out, "photos") {
		t.Fatalf("bucket still listed: %s", out)
	}
}

// TestConcurrentWritersOneKeyNeverTorn has 8 writers overwrite one key
// with distinct bodies while 8 readers read it: every read returns one of
// the written bodies whole, and the final object is one of them.
func TestConcurrentWritersOneKeyNeverTorn(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.S3(t)
	srv.MustBucket(t, "race")
	bodies := map[[32]byte]bool{}
	var payloads [][]byte
	for i := 0; i < 8; i++ {
		b := bytes.Repeat([]byte{byte('a' + i)}, 256<<10+i)
		payloads = append(payloads, b)
		bodies[sha256.Sum256(b)] = true
	}
	c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("race"), Key: aws.String("k"), Body: bytes.NewReader(payloads[0])})
	var wg sync.WaitGroup
	errs := make(chan string, 1000)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("race"), Key: aws.String("k"), Body: bytes.NewReader(payloads[w])}); err != nil {
					errs <- err.Error()
				}
			}
		}(w)
	}
	for r := 0; r < 8; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 15; i++ {
				out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("race"), Key: aws.String("k")})
				if err != nil {
					errs <- err.Error()
					continue
				}
				b, err := io.ReadAll(out.Body)
				out.Body.Close()
				if err != nil {
					errs <- err.Error()
					continue
				}
				if !bodies[sha256.Sum256(b)] {
					errs <- "a read returned a torn or mixed body"
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("race"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(out.Body)
	if !bodies[sha256.Sum256(b)] {
		t.Fatal("final object is not one of the written bodies")
	}
	// Every overwritten blob was removed: one blob file remains.
	n := 0
	root := filepath.Join(srv.DataDir, "blobs")
	filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
		rel, _ := filepath.Rel(root, p)
		if err == nil && !fi.IsDir() && !strings.Contains("/"+rel, "/tmp/") {
			n++
		}
		return nil
	})
	if n != 1 {
		t.Fatalf("%d blob files after overwrites, want 1", n)
	}
}

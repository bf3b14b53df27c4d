// Package faults_test injects storage faults under a real server — a full
// disk, failed writes and fsyncs in the blob store, an unavailable metadata
// store — and checks that clients get clean S3 errors, that nothing partial
// becomes visible, and that the server recovers without a restart.
package faults_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awscreds "github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/outpost-s3/outpost/internal/app"
	"github.com/outpost-s3/outpost/internal/blob"
	"github.com/outpost-s3/outpost/internal/blob/blobtest"
	fsblob "github.com/outpost-s3/outpost/internal/blob/fs"
	"github.com/outpost-s3/outpost/internal/meta"
	"github.com/outpost-s3/outpost/internal/meta/metafault"
	"github.com/outpost-s3/outpost/internal/testserver"
	"github.com/outpost-s3/outpost/sigv4"
)

var (
	ctx   = context.Background()
	creds = sigv4.Credentials{AccessKeyID: testserver.AccessKey, SecretAccessKey: testserver.SecretKey}
)

type s3Error struct {
	Code    string
	Message string
}

// put sends a signed PUT with an unsigned payload through net/http and
// returns status, S3 error code and message ("" on success).
func put(t *testing.T, srv *testserver.Server, path string, body []byte) (int, s3Error) {
	t.Helper()
	return signed(t, srv, creds, "PUT", path, body)
}

// signed sends a request signed with c, with an unsigned payload, as put
// does.
func signed(t *testing.T, srv *testserver.Server, c sigv4.Credentials, method, path string, body []byte) (int, s3Error) {
	t.Helper()
	r, _ := http.NewRequest(method, srv.URL+path, bytes.NewReader(body))
	sigv4.SignRequest(r, c, testserver.Region, "s3", sigv4.UnsignedPayload, time.Now())
	return send(t, r)
}

// is503 is the answer to a request while the metadata store is down:
// 503, never a 500 nor a 403 that would make a client think its key is
// wrong.
func is503(status int, e s3Error) bool {
	return status == 503 && (e.Code == "ServiceUnavailable" || e.Code == "SlowDown")
}

func send(t *testing.T, r *http.Request) (int, s3Error) {
	t.Helper()
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: time.Minute}
	resp, err := c.Do(r)
	if err != nil {
		t.Fatalf("%s %s: %v", r.Method, r.URL.Path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var e s3Error
	if resp.StatusCode >= 300 && r.Method != "HEAD" {
		if err := xml.Unmarshal(b, &e); err != nil {
			t.Fatalf("%s %s: status %d with a body that is not S3 XML: %q", r.Method, r.URL.Path, resp.StatusCode, b)
		}
	}
	return resp.StatusCode, e
}

func randBytes(n int) []byte { b := make([]byte, n); rand.Read(b); return b }

// blobState counts committed blob files and tmp files under DATA/blobs.
func blobState(t *testing.T, data string) (ids []string, tmp int) {
	t.Helper()
	root := filepath.Join(data, "blobs")
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if filepath.Base(filepath.Dir(p)) == "tmp" { // uncommitted blob
			tmp++
		} else if fsblob.ValidID(d.Name()) {
			ids = append(ids, d.Name())
		}
		return nil
	})
	return ids, tmp
}

// noOrphans checks every blob file is referenced and no tmp file is left.
func noOrphans(t *testing.T, srv *testserver.Server, ms meta.Store) {
	t.Helper()
	ids, tmp := blobState(t, srv.DataDir)
	if tmp != 0 {
		t.Errorf("%d partial blobs left in blobs/tmp", tmp)
	}
	refs, err := ms.BlobReferenced(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if !refs[id] {
			t.Errorf("orphan blob %s left behind", id)
		}
	}
	if err := ms.IntegrityCheck(ctx); err != nil {
		t.Errorf("integrity check: %v", err)
	}
}

func getSum(t *testing.T, c *s3.Client, bucket, key string) (string, error) {
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return "", err
	}
	defer out.Body.Close()
	h := sha256.New()
	io.Copy(h, out.Body)
	return hex.EncodeToString(h.Sum(nil)), nil
}

func sum(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

// smallFS mounts a filesystem of size MiB that the test owns: tmpfs, or a
// loop-mounted ext4 image when tmpfs cannot be mounted. It fails the test,
// loudly, when neither works: a skipped disk-full test proves nothing.
func smallFS(t *testing.T, sizeMiB int) string {
	t.Helper()
	dir := t.TempDir()
	mnt := filepath.Join(dir, "mnt")
	os.Mkdir(mnt, 0o755)
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%dm", sizeMiB), "tmpfs", mnt).CombinedOutput()
	if err == nil {
		t.Cleanup(func() { exec.Command("umount", "-l", mnt).Run() })
		return mnt
	}
	tmpfsErr := fmt.Sprintf("mount tmpfs: %v: %s", err, out)
	img := filepath.Join(dir, "fs.img")
	steps := [][]string{
		{"truncate", "-s", fmt.Sprintf("%dM", sizeMiB), img},
		{"mkfs.ext4", "-q", "-F", img},
		{"mount", "-o", "loop", img, mnt},
	}
	for _, s := range steps {
		if out, err := exec.Command(s[0], s[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("cannot make a small filesystem for the disk-full test (run as root, or in a container with CAP_SYS_ADMIN):\n  %s\n  %s: %v: %s", tmpfsErr, strings.Join(s, " "), err, out)
		}
	}
	t.Cleanup(func() { exec.Command("umount", "-l", mnt).Run() })
	return mnt
}

// TestDiskFull puts the data directory on a 16 MiB filesystem: a PUT that
// does not fit gets 503 ServiceUnavailable "out of storage space", leaves
// no partial blob, corrupts nothing, and once objects are deleted writes
// succeed again without a restart.
func TestDiskFull(t *testing.T) {
	mnt := smallFS(t, 16)
	srv := testserver.Start(t, testserver.Options{DataDir: filepath.Join(mnt, "data")})
	srv.MustBucket(t, "full")
	c := srv.S3(t)

	// One PUT bigger than the whole disk.
	status, e := put(t, srv, "/full/huge", randBytes(32<<20))
	if status != 503 || e.Code != "ServiceUnavailable" || !strings.Contains(e.Message, "out of storage space") {
		t.Fatalf("PUT larger than the disk: %d %+v, want 503 ServiceUnavailable out of storage space", status, e)
	}
	if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("full"), Key: aws.String("huge")}); err == nil {
		t.Fatal("a PUT that ran out of space is visible")
	}
	noOrphans(t, srv, srv.App.Meta)

	// Fill the disk with 1 MiB objects until the server says it is full.
	stored := map[string]string{}
	full := false
	for i := 0; i < 64 && !full; i++ {
		body := randBytes(1 << 20)
		key := fmt.Sprintf("fill-%02d", i)
		status, e := put(t, srv, "/full/"+key, body)
		switch {
		case status == 200:
			stored[key] = sum(body)
		case status == 503 && (e.Code == "ServiceUnavailable" || e.Code == "SlowDown"):
			full = true
		default:
			t.Fatalf("PUT on a filling disk: %d %+v, want 200 or 503", status, e)
		}
	}
	if !full || len(stored) < 5 {
		t.Fatalf("disk never filled (stored %d objects)", len(stored))
	}
	t.Logf("stored %d MiB before the disk was full", len(stored))
	noOrphans(t, srv, srv.App.Meta)
	for k, want := range stored {
		if got, err := getSum(t, c, "full", k); err != nil || got != want {
			t.Fatalf("%s after the disk filled: %v (sum match %v)", k, err, got == want)
		}
	}
	// Free space by deleting objects: writes work again, no restart.
	n := 0
	for k := range stored {
		if n == len(stored)/2 {
			break
		}
		if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("full"), Key: aws.String(k)}); err != nil {
			t.Fatalf("DeleteObject on a full disk: %v", err)
		}
		delete(stored, k)
		n++
	}
	body := randBytes(1 << 20)
	if status, e := put(t, srv, "/full/after", body); status != 200 {
		t.Fatalf("PUT after freeing space: %d %+v", status, e)
	}
	stored["after"] = sum(body)
	for k, want := range stored {
		if got, err := getSum(t, c, "full", k); err != nil || got != want {
			t.Fatalf("%s after recovery: %v", k, err)
		}
	}
	noOrphans(t, srv, srv.App.Meta)
}

// faultyServer starts a server whose blob store fails on demand.
func faultyServer(t *testing.T) (*testserver.Server, *blobtest.Faulty, *atomic.Pointer[error], *atomic.Pointer[error]) {
	var failWrite, failCommit atomic.Pointer[error]
	var f *blobtest.Faulty
	srv := testserver.Start(t, testserver.Options{Config: func(c *app.Config) {
		c.WrapBlobs = func(s blob.Store) blob.Store {
			f = &blobtest.Faulty{Store: s,
				FailWrite: func() error {
					if p := failWrite.Load(); p != nil {
						return *p
					}
					return nil
				},
				FailCommit: func() error {
					if p := failCommit.Load(); p != nil {
						return *p
					}
					return nil
				},
			}
			return f
		}
	}})
	return srv, f, &failWrite, &failCommit
}

// TestBlobWriteAndFsyncErrors injects I/O errors into blob writes and
// fsyncs: every affected request answers a clean InternalError (no
// internal text leaks), an overwritten object keeps its old bytes, no
// partial blob remains, and the next request after the fault succeeds.
func TestBlobWriteAndFsyncErrors(t *testing.T) {
	srv, _, failWrite, failCommit := faultyServer(t)
	srv.MustBucket(t, "iofault")
	c := srv.S3(t)
	old := randBytes(300 << 10)
	if status, e := put(t, srv, "/iofault/keep", old); status != 200 {
		t.Fatalf("setup PUT: %d %+v", status, e)
	}
	eio := fmt.Errorf("injected fsync failure: %w", syscall.EIO)
	enospc := fmt.Errorf("injected: %w", syscall.ENOSPC)
	for _, tc := range []struct {
		name       string
		hook       *atomic.Pointer[error]
		err        error
		status     int
		code       string
		key, check string
	}{
		{"fsync fails on a new object", failCommit, eio, 500, "InternalError", "new", ""},
		{"write fails on a new object", failWrite, eio, 500, "InternalError", "new", ""},
		{"fsync fails on an overwrite", failCommit, eio, 500, "InternalError", "keep", "old"},
		{"write fails on an overwrite", failWrite, eio, 500, "InternalError", "keep", "old"},
		{"disk fills at fsync", failCommit, enospc, 503, "ServiceUnavailable", "keep", "old"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.hook.Store(&tc.err)
			status, e := put(t, srv, "/iofault/"+tc.key, randBytes(200<<10))
			tc.hook.Store(nil)
			if status != tc.status || e.Code != tc.code {
				t.Fatalf("PUT under fault: %d %+v, want %d %s", status, e, tc.status, tc.code)
			}
			if strings.Contains(e.Message, "injected") || strings.Contains(e.Message, "fsblob") {
				t.Fatalf("internal error text reached the client: %q", e.Message)
			}
			if tc.check == "old" {
				if got, err := getSum(t, c, "iofault", tc.key); err != nil || got != sum(old) {
					t.Fatalf("overwritten object changed under a failed PUT: %v", err)
				}
			} else if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("iofault"), Key: aws.String(tc.key)}); err == nil {
				t.Fatal("a failed PUT is visible")
			}
			noOrphans(t, srv, srv.App.Meta)
		})
	}

	t.Run("copy and upload part fail cleanly", func(t *testing.T) {
		failCommit.Store(&eio)
		_, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("iofault"), Key: aws.String("copy"), CopySource: aws.String("iofault/keep")})
		var ae interface{ ErrorCode() string }
		if !errors.As(err, &ae) || ae.ErrorCode() != "InternalError" {
			t.Fatalf("CopyObject under fault: %v", err)
		}
		failCommit.Store(nil)
		up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("iofault"), Key: aws.String("mp")})
		if err != nil {
			t.Fatal(err)
		}
		failWrite.Store(&eio)
		_, err = c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("iofault"), Key: aws.String("mp"), UploadId: up.UploadId, PartNumber: aws.Int32(1), Body: bytes.NewReader(randBytes(100 << 10))})
		failWrite.Store(nil)
		if !errors.As(err, &ae) || ae.ErrorCode() != "InternalError" {
			t.Fatalf("UploadPart under fault: %v", err)
		}
		parts, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("iofault"), Key: aws.String("mp"), UploadId: up.UploadId})
		if err != nil || len(parts.Parts) != 0 {
			t.Fatalf("a failed part is listed: %+v %v", parts, err)
		}
		// Retrying the part without the fault completes the upload.
		body := randBytes(100 << 10)
		p, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("iofault"), Key: aws.String("mp"), UploadId: up.UploadId, PartNumber: aws.Int32(1), Body: bytes.NewReader(body)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("iofault"), Key: aws.String("mp"), UploadId: up.UploadId,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: p.ETag}}}}); err != nil {
			t.Fatal(err)
		}
		if got, err := getSum(t, c, "iofault", "mp"); err != nil || got != sum(body) {
			t.Fatalf("multipart after a failed part: %v", err)
		}
		noOrphans(t, srv, srv.App.Meta)
	})
	if strings.Contains(srv.Logs.String(), `"level":"ERROR"`) == false {
		t.Error("InternalErrors were not logged for the operator")
	}
}

// TestMetadataUnavailable makes the metadata store refuse every call for a
// while: requests get 503 (never 500, never a 403 that would make a
// client think its key is wrong), a PUT whose commit failed leaves no
// blob behind, and service resumes without a restart when the store does.
func TestMetadataUnavailable(t *testing.T) {
	var mf *metafault.Store
	srv := testserver.Start(t, testserver.Options{Config: func(c *app.Config) {
		c.WrapMeta = func(s meta.Store) meta.Store { mf = metafault.New(s); return mf }
	}})
	srv.MustBucket(t, "dbfault")
	c := srv.S3(t)
	body := randBytes(100 << 10)
	if status, e := put(t, srv, "/dbfault/a", body); status != 200 {
		t.Fatalf("setup: %d %+v", status, e)
	}

	// Only the commit fails: the body was stored, then thrown away.
	mf.SetDown(true, "PutObject")
	if status, e := put(t, srv, "/dbfault/b", randBytes(300<<10)); !is503(status, e) {
		t.Fatalf("PUT whose metadata commit failed: %d %+v, want 503", status, e)
	}
	mf.SetDown(false)
	noOrphans(t, srv, mf)

	// Everything fails, authentication included.
	mf.SetDown(true)
	for _, req := range []struct{ method, path string }{
		{"GET", "/dbfault/a"}, {"HEAD", "/dbfault/a"}, {"GET", "/dbfault?list-type=2"}, {"DELETE", "/dbfault/a"}, {"GET", "/"},
	} {
		r, _ := http.NewRequest(req.method, srv.URL+req.path, nil)
		sigv4.SignRequest(r, creds, testserver.Region, "s3", sigv4.EmptySHA256, time.Now())
		status, e := send(t, r)
		if req.method == "HEAD" {
			if status != 503 {
				t.Errorf("HEAD while the store is down: %d", status)
			}
			continue
		}
		if !is503(status, e) {
			t.Errorf("%s %s while the store is down: %d %+v, want 503", req.method, req.path, status, e)
		}
	}
	if status, e := put(t, srv, "/dbfault/c", randBytes(10<<10)); !is503(status, e) {
		t.Errorf("PUT while the store is down: %d %+v", status, e)
	}
	if mf.Fails.Load() == 0 {
		t.Fatal("the fault was never hit")
	}
	time.Sleep(200 * time.Millisecond)
	mf.SetDown(false)

	// Recovery without restart: old data intact, new writes work.
	if got, err := getSum(t, c, "dbfault", "a"); err != nil || got != sum(body) {
		t.Fatalf("object after the outage: %v", err)
	}
	if status, e := put(t, srv, "/dbfault/c", body); status != 200 {
		t.Fatalf("PUT after the outage: %d %+v", status, e)
	}
	for _, k := range []string{"b"} {
		if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("dbfault"), Key: aws.String(k)}); err == nil {
			t.Fatalf("%s, refused during the outage, exists", k)
		}
	}
	noOrphans(t, srv, mf)
}

// TestIAMMetadataUnavailable: a request signed by an IAM user reads the
// IAM part of the metadata store twice, to resolve the key's user
// (authentication) and to load the user's policies (authorization).
// While that part fails, and only it, the user gets 503 (never a 200 its
// policies were not read for, nor a 403 that would make it think its key
// or its permissions are wrong), the root, whose requests need no IAM
// read, is served, and the user's requests succeed again when the store
// is back.
func TestIAMMetadataUnavailable(t *testing.T) {
	var mf *metafault.Store
	srv := testserver.Start(t, testserver.Options{Config: func(c *app.Config) {
		c.WrapMeta = func(s meta.Store) meta.Store { mf = metafault.New(s); return mf }
	}})
	srv.MustBucket(t, "iamfault")
	root := awscreds.NewStaticCredentialsProvider(testserver.AccessKey, testserver.SecretKey, "")
	ic := iam.New(iam.Options{Region: testserver.Region, BaseEndpoint: aws.String(srv.URL), Credentials: root, HTTPClient: http.DefaultClient})
	if _, err := ic.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("carol")}); err != nil {
		t.Fatal(err)
	}
	if _, err := ic.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("carol"), PolicyName: aws.String("objects"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::iamfault/*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	k, err := ic.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("carol")})
	if err != nil {
		t.Fatal(err)
	}
	carol := sigv4.Credentials{AccessKeyID: aws.ToString(k.AccessKey.AccessKeyId), SecretAccessKey: aws.ToString(k.AccessKey.SecretAccessKey)}
	body := randBytes(10 << 10)
	if status, e := signed(t, srv, carol, "PUT", "/iamfault/a", body); status != 200 {
		t.Fatalf("setup: PUT as carol: %d %+v", status, e)
	}

	var iamMethods []string
	for m := range reflect.TypeFor[meta.IAMStore]().Methods() {
		iamMethods = append(iamMethods, m.Name)
	}
	for i, tc := range []struct {
		name string
		down []string
	}{
		{"every IAM read fails: the key's user cannot be resolved", iamMethods},
		{"the user's policies cannot be read", []string{"IdentityPolicies"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reqs := []struct{ method, path string }{{"GET", "/iamfault/a"}, {"PUT", fmt.Sprintf("/iamfault/b%d", i)}}
			mf.SetDown(true, tc.down...)
			fails := mf.Fails.Load()
			for _, req := range reqs {
				if status, e := signed(t, srv, carol, req.method, req.path, body); !is503(status, e) {
					t.Errorf("%s %s as an IAM user while IAM is down: %d %+v, want 503", req.method, req.path, status, e)
				}
			}
			if mf.Fails.Load() == fails {
				t.Error("the fault was never hit")
			}
			if status, e := signed(t, srv, creds, "GET", "/iamfault/a", nil); status != 200 {
				t.Errorf("GET as the root while only IAM is down: %d %+v, want 200", status, e)
			}
			if status, _ := signed(t, srv, creds, "HEAD", reqs[1].path, nil); status != 404 {
				t.Errorf("HEAD %s, refused while IAM is down: %d, want 404", reqs[1].path, status)
			}
			mf.SetDown(false)
			for _, req := range reqs {
				if status, e := signed(t, srv, carol, req.method, req.path, body); status != 200 {
					t.Errorf("%s %s as the IAM user once IAM is back: %d %+v, want 200", req.method, req.path, status, e)
				}
			}
		})
	}
	noOrphans(t, srv, mf)
}

package crash

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awscreds "github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	fsblob "github.com/outpost-s3/outpost/internal/blob/fs"
	"github.com/outpost-s3/outpost/internal/meta/sqlmeta"
)

var (
	cycles  = flag.Int("crash.cycles", 20, "kill/restart cycles of TestCrashConsistency")
	workers = flag.Int("crash.workers", 6, "concurrent clients writing during each cycle")
)

const (
	accessKey = "AKIDCRASHTEST0000001"
	secretKey = "crash/test/secret/0123456789abcdefghijk"
	bucket    = "crash"
	keysPer   = 6 // keys owned by each worker
)

var bin string

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "outpost-crash-bin")
	if err != nil {
		panic(err)
	}
	bin, err = Build("../..", dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// version is one state a key can be in.
type version struct {
	deleted bool
	sha     [32]byte
	size    int64
	etag    string // expected ETag, unquoted
	seed    string // x-amz-meta-seed
}

func (v version) String() string {
	if v.deleted {
		return "deleted"
	}
	return fmt.Sprintf("seed=%s size=%d etag=%s", v.seed, v.size, v.etag)
}

// keyState is what a key may hold: the last acknowledged version, or the
// version of an operation that was in flight at the kill.
type keyState struct {
	acked   version
	pending *version
}

// model is the acknowledged state of every key. Each worker owns its own
// keys, so per key there is at most one operation in flight.
type model struct {
	mu   sync.Mutex
	keys map[string]*keyState
}

func (m *model) get(k string) *keyState {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.keys[k]
	if !ok {
		s = &keyState{acked: version{deleted: true}}
		m.keys[k] = s
	}
	return s
}

// fill writes deterministic bytes for seed into b.
func fill(seed string, b []byte) {
	h := sha256.Sum256([]byte(seed))
	r := rand.NewChaCha8(h)
	r.Read(b)
}

type stats struct {
	acked, puts, multiparts, copies, deletes   atomic.Int64
	inflightOld, inflightNew, verified, orphan atomic.Int64
	swept, tmpLeft                             atomic.Int64
}

func client(endpoint string) *s3.Client {
	return s3.New(s3.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(endpoint),
		UsePathStyle:     true,
		Credentials:      awscreds.NewStaticCredentialsProvider(accessKey, secretKey, ""),
		RetryMaxAttempts: 1,
		HTTPClient:       &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}, Timeout: 60 * time.Second},
	})
}

// TestCrashConsistency drives concurrent writes, SIGKILLs the server at a
// random moment, restarts it and checks that nothing acknowledged was lost,
// nothing in flight became partial, the metadata passes its integrity
// check, and orphan blobs left by the kill are swept.
func TestCrashConsistency(t *testing.T) {
	if testing.Short() {
		t.Skip("crash cycles: run without -short")
	}
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	node := &Node{
		Bin: bin, DataDir: data,
		Args: []string{"--orphan-grace", "2s", "--sweep-every", "200ms", "--log-level", "info"},
		Env:  []string{"OUTPOST_ROOT_ACCESS_KEY_ID=" + accessKey, "OUTPOST_ROOT_SECRET_ACCESS_KEY=" + secretKey},
	}
	if err := node.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { node.Kill() })
	ctx := context.Background()
	if _, err := client(node.Endpoint()).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	m := &model{keys: map[string]*keyState{}}
	var st stats
	seedRand := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	t.Logf("seed base %d", seedRand.Uint64())
	for cycle := 1; cycle <= *cycles; cycle++ {
		runCycle(t, node, m, &st, cycle, seedRand)
		if t.Failed() {
			t.Logf("server log tail:\n%s", tail(node.LogPath))
			return
		}
	}
	t.Logf("crash cycles survived: %d; acknowledged writes: %d (puts %d, multipart %d, copies %d, deletes %d); "+
		"in flight at kill resolved old %d / new %d; object reads verified %d; orphan blobs after kills %d, swept %d; lost acknowledged writes: 0",
		*cycles, st.acked.Load(), st.puts.Load(), st.multiparts.Load(), st.copies.Load(), st.deletes.Load(),
		st.inflightOld.Load(), st.inflightNew.Load(), st.verified.Load(), st.orphan.Load(), st.swept.Load())
}

func runCycle(t *testing.T, node *Node, m *model, st *stats, cycle int, seedRand *rand.Rand) {
	c := client(node.Endpoint())
	ctx, cancel := context.WithCancel(context.Background())
	var killed atomic.Bool
	var wg sync.WaitGroup
	for w := 0; w < *workers; w++ {
		wg.Add(1)
		wr := rand.New(rand.NewPCG(seedRand.Uint64(), uint64(w)))
		go func() {
			defer wg.Done()
			worker(ctx, t, c, m, st, w, cycle, wr, &killed)
		}()
	}
	// Kill at a random moment: early (mid first requests) to late.
	time.Sleep(time.Duration(100+seedRand.IntN(1400)) * time.Millisecond)
	killed.Store(true)
	if err := node.Kill(); err != nil {
		t.Fatal(err)
	}
	cancel()
	wg.Wait()

	// The process is dead: check the files it left behind.
	files, tmp := blobFiles(t, node.DataDir)
	ms, err := sqlmeta.OpenSQLiteReadOnly(filepath.Join(node.DataDir, "meta.db"))
	if err != nil {
		t.Fatalf("cycle %d: open metadata after kill: %v", cycle, err)
	}
	if err := ms.IntegrityCheck(context.Background()); err != nil {
		t.Fatalf("cycle %d: integrity check after kill: %v", cycle, err)
	}
	refs, err := ms.BlobReferenced(context.Background(), files)
	if err != nil {
		t.Fatal(err)
	}
	ms.Close()
	orphans := 0
	for _, id := range files {
		if !refs[id] {
			orphans++
		}
	}
	st.orphan.Add(int64(orphans + tmp))

	if err := node.Start(); err != nil {
		t.Fatalf("cycle %d: restart: %v", cycle, err)
	}
	c = client(node.Endpoint())
	verify(t, c, m, st, cycle)
	if t.Failed() {
		return
	}
	// Multipart uploads interrupted by the kill can be listed and aborted.
	ups, err := c.ListMultipartUploads(context.Background(), &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket)})
	if err != nil {
		t.Fatalf("cycle %d: ListMultipartUploads: %v", cycle, err)
	}
	for _, u := range ups.Uploads {
		if _, err := c.AbortMultipartUpload(context.Background(), &s3.AbortMultipartUploadInput{Bucket: aws.String(bucket), Key: u.Key, UploadId: u.UploadId}); err != nil {
			t.Fatalf("cycle %d: abort interrupted upload: %v", cycle, err)
		}
	}
	// The server's own sweep (grace 2s, every 200ms) must bring the blob
	// files down to exactly the referenced ones, tmp files included.
	wctx, wcancel := context.WithTimeout(context.Background(), 60*time.Second) // generous: CI runs other packages beside this one
	defer wcancel()
	var last string
	err = WaitReady(wctx, func() error {
		files, tmp := blobFiles(t, node.DataDir)
		ms, err := sqlmeta.OpenSQLiteReadOnly(filepath.Join(node.DataDir, "meta.db"))
		if err != nil {
			return err
		}
		defer ms.Close()
		refs, err := ms.BlobReferenced(context.Background(), files)
		if err != nil {
			return err
		}
		unref := 0
		for _, id := range files {
			if !refs[id] {
				unref++
			}
		}
		last = fmt.Sprintf("%d blob files, %d referenced, %d tmp files", len(files), len(files)-unref, tmp)
		if unref != 0 || tmp != 0 {
			return errors.New(last)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("cycle %d: orphans not swept: %s", cycle, last)
	}
	st.swept.Add(int64(orphans + tmp))
}

// blobFiles lists committed blob IDs under DATA/blobs and counts tmp files.
func blobFiles(t *testing.T, data string) (ids []string, tmp int) {
	root := filepath.Join(data, "blobs")
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if filepath.Base(filepath.Dir(p)) == "tmp" { // uncommitted blob
			tmp++
			return nil
		}
		if !fsblob.ValidID(d.Name()) {
			t.Errorf("unexpected file in blob store: %s", p)
			return nil
		}
		ids = append(ids, d.Name())
		return nil
	})
	return ids, tmp
}

func worker(ctx context.Context, t *testing.T, c *s3.Client, m *model, st *stats, w, cycle int, r *rand.Rand, killed *atomic.Bool) {
	for n := 0; ctx.Err() == nil; n++ {
		key := fmt.Sprintf("w%d/k%d", w, r.IntN(keysPer))
		ks := m.get(key)
		seed := fmt.Sprintf("c%d-w%d-n%d-%x", cycle, w, n, r.Uint32())
		var next version
		var do func() (string, error) // returns the acknowledged ETag
		var counter *atomic.Int64
		switch p := r.IntN(100); {
		case p < 45:
			size := pickSize(r)
			body := make([]byte, size)
			fill(seed, body)
			next = version{sha: sha256.Sum256(body), size: int64(size), seed: seed, etag: md5hex(body)}
			counter = &st.puts
			do = func() (string, error) {
				out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key),
					Body: bytes.NewReader(body), Metadata: map[string]string{"seed": seed}, ContentType: aws.String("application/x-" + seed)})
				if err != nil {
					return "", err
				}
				return aws.ToString(out.ETag), nil
			}
		case p < 60:
			parts := [][]byte{make([]byte, 5<<20), make([]byte, 1+r.IntN(700<<10))}
			whole := sha256.New()
			etags := md5.New()
			for i, pb := range parts {
				fill(fmt.Sprintf("%s/%d", seed, i), pb)
				whole.Write(pb)
				s := md5.Sum(pb)
				etags.Write(s[:])
			}
			next = version{size: int64(len(parts[0]) + len(parts[1])), seed: seed, etag: hex.EncodeToString(etags.Sum(nil)) + "-2"}
			copy(next.sha[:], whole.Sum(nil))
			counter = &st.multiparts
			do = func() (string, error) { return multipart(ctx, c, key, seed, parts) }
		case p < 75:
			src := fmt.Sprintf("w%d/k%d", w, r.IntN(keysPer))
			ss := m.get(src)
			if src == key || ss.acked.deleted || ss.pending != nil {
				continue
			}
			next = ss.acked
			next.etag = "" // filled below: a copy is stored as one blob, ETag = MD5 of the bytes
			var err error
			if next.etag, err = md5Of(ctx, c, src); err != nil {
				if !killed.Load() {
					t.Errorf("read copy source %s: %v", src, err)
				}
				return
			}
			counter = &st.copies
			do = func() (string, error) {
				out, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), CopySource: aws.String(bucket + "/" + src)})
				if err != nil {
					return "", err
				}
				return aws.ToString(out.CopyObjectResult.ETag), nil
			}
		default:
			next = version{deleted: true}
			counter = &st.deletes
			do = func() (string, error) {
				_, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
				return "", err
			}
		}
		m.mu.Lock()
		ks.pending = &next
		m.mu.Unlock()
		etag, err := do()
		if err != nil {
			if !killed.Load() {
				t.Errorf("cycle %d: %s on %s failed before the kill: %v", cycle, next, key, err)
			}
			return // stays pending: the kill may or may not have let it land
		}
		if !next.deleted && strings.Trim(etag, `"`) != next.etag {
			t.Errorf("cycle %d: %s acknowledged with ETag %s, want %s", cycle, key, etag, next.etag)
		}
		m.mu.Lock()
		ks.acked, ks.pending = next, nil
		m.mu.Unlock()
		st.acked.Add(1)
		counter.Add(1)
	}
}

func pickSize(r *rand.Rand) int {
	switch r.IntN(10) {
	case 0:
		return 0
	case 1, 2, 3, 4:
		return 1 + r.IntN(64<<10)
	case 5, 6, 7:
		return 1<<20 + r.IntN(1<<20)
	default:
		return 3<<20 + r.IntN(5<<20)
	}
}

func md5hex(b []byte) string { s := md5.Sum(b); return hex.EncodeToString(s[:]) }

func md5Of(ctx context.Context, c *s3.Client, key string) (string, error) {
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return "", err
	}
	defer out.Body.Close()
	h := md5.New()
	if _, err := io.Copy(h, out.Body); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func multipart(ctx context.Context, c *s3.Client, key, seed string, parts [][]byte) (string, error) {
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key),
		Metadata: map[string]string{"seed": seed}, ContentType: aws.String("application/x-" + seed)})
	if err != nil {
		return "", err
	}
	var done []types.CompletedPart
	for i, pb := range parts {
		n := int32(i + 1)
		out, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: up.UploadId, PartNumber: aws.Int32(n), Body: bytes.NewReader(pb)})
		if err != nil {
			return "", err
		}
		done = append(done, types.CompletedPart{PartNumber: aws.Int32(n), ETag: out.ETag})
	}
	out, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: done}})
	if err != nil {
		return "", err
	}
	return aws.ToString(out.ETag), nil
}

// verify reads every key and checks it holds its acknowledged version or,
// if an operation on it was in flight at the kill, that operation's
// version: whole, never partial or mixed.
func verify(t *testing.T, c *s3.Client, m *model, st *stats, cycle int) {
	ctx := context.Background()
	m.mu.Lock()
	keys := make([]string, 0, len(m.keys))
	for k := range m.keys {
		keys = append(keys, k)
	}
	m.mu.Unlock()
	sort.Strings(keys)
	for _, k := range keys {
		ks := m.keys[k]
		got, err := observe(ctx, c, k)
		if err != nil {
			t.Errorf("cycle %d: read %s: %v", cycle, k, err)
			continue
		}
		st.verified.Add(1)
		switch {
		case got == ks.acked:
			if ks.pending != nil {
				st.inflightOld.Add(1)
			}
		case ks.pending != nil && got == *ks.pending:
			st.inflightNew.Add(1)
		default:
			want := ks.acked.String()
			if ks.pending != nil {
				want += " or (in flight) " + ks.pending.String()
			}
			t.Errorf("cycle %d: LOST OR CORRUPT: %s holds %s; want %s", cycle, k, got, want)
		}
		ks.acked, ks.pending = got, nil
	}
	// The listing agrees with the objects.
	var listed []string
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Errorf("cycle %d: list: %v", cycle, err)
			return
		}
		for _, o := range page.Contents {
			listed = append(listed, aws.ToString(o.Key))
		}
	}
	var live []string
	for _, k := range keys {
		if !m.keys[k].acked.deleted {
			live = append(live, k)
		}
	}
	if strings.Join(listed, ",") != strings.Join(live, ",") {
		t.Errorf("cycle %d: listing %v, want %v", cycle, listed, live)
	}
}

func observe(ctx context.Context, c *s3.Client, key string) (version, error) {
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		var nk *types.NoSuchKey
		if errors.As(err, &nk) {
			return version{deleted: true}, nil
		}
		return version{}, err
	}
	defer out.Body.Close()
	h := sha256.New()
	n, err := io.Copy(h, out.Body)
	if err != nil {
		return version{}, err
	}
	v := version{size: n, etag: strings.Trim(aws.ToString(out.ETag), `"`), seed: out.Metadata["seed"]}
	copy(v.sha[:], h.Sum(nil))
	if ct := aws.ToString(out.ContentType); ct != "application/x-"+v.seed {
		return version{}, fmt.Errorf("Content-Type %q does not belong to seed %q: metadata from another version", ct, v.seed)
	}
	return v, nil
}

package main

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awscreds "github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/outpost-s3/outpost/internal/meta"
	"github.com/outpost-s3/outpost/presign"
	"github.com/outpost-s3/outpost/sigv4"
)

const (
	bucket     = "bench"
	listBucket = "benchlist"
	kib        = 1 << 10
	mib        = 1 << 20
	gib        = 1 << 30
)

// env is what every workload runs against.
type env struct {
	conc     int
	dur      time.Duration
	warm     time.Duration
	keys     int
	idle     int
	mpuSize  int64
	client   *http.Client
	base     *baseline
	targets  []*s3Target // Outpost first, then peers
	listed   map[string]bool
	uploaded map[string]bool
}

// workload is one line group of the table. quick ones make up the default run.
type workload struct {
	name  string
	quick bool
	about string
	run   func(e *env) []result
}

var workloads = []workload{
	{"get-4k", true, "presigned GET, 4 KiB object", func(e *env) []result { return e.get(4 * kib) }},
	{"get-64k", false, "presigned GET, 64 KiB object", func(e *env) []result { return e.get(64 * kib) }},
	{"get-1m", true, "presigned GET, 1 MiB object", func(e *env) []result { return e.get(mib) }},
	{"get-64m", false, "presigned GET, 64 MiB object", func(e *env) []result { return e.get(64 * mib) }},
	{"put-4k", true, "presigned PUT, 4 KiB, durable", func(e *env) []result { return e.put(4 * kib) }},
	{"put-1m", false, "presigned PUT, 1 MiB, durable", func(e *env) []result { return e.put(mib) }},
	{"head", true, "presigned HEAD, 4 KiB object", func(e *env) []result { return e.head() }},
	{"sdk-get-4k", false, "aws-sdk-go-v2 GetObject (header-signed), 4 KiB", func(e *env) []result { return e.sdkGet(4 * kib) }},
	{"sdk-put-4k", false, "aws-sdk-go-v2 PutObject (header-signed), 4 KiB", func(e *env) []result { return e.sdkPut(4 * kib) }},
	{"list-first", true, "ListObjectsV2 first page (1000 keys) of a bucket of -keys keys", func(e *env) []result { return e.listFirst() }},
	{"list-walk", false, "ListObjectsV2 full walk of -keys keys, 1000 a page", func(e *env) []result { return e.listWalk() }},
	{"mpu-1g", false, "multipart upload of -mpu-size bytes, 64 MiB presigned UploadParts, 4 at a time", func(e *env) []result { return e.multipart() }},
	{"mem-1g", false, "peak heap during one 1 GiB presigned PUT, then GET (Outpost in-process)", func(e *env) []result { return e.memTransfer() }},
	{"idle", true, "heap and RSS per idle keep-alive connection (-idle connections)", func(e *env) []result { return e.idleConns() }},
	{"presign", true, "presigned URL generation: presign.URL vs aws-sdk-go-v2 PresignClient", func(e *env) []result { return presignMicro() }},
	{"verify", true, "signature verification per request: sigv4.Verifier.Verify", func(e *env) []result { return verifyMicro() }},
}

func (t *s3Target) presignURL(method, bkt, key string, q url.Values) string {
	u, err := presign.URL(presign.Credentials{AccessKeyID: t.ak, SecretAccessKey: t.sk}, presign.Request{
		Method: method, Resource: bkt, Key: key, Expires: time.Hour, Endpoint: t.endpoint, Region: region, Query: q})
	if err != nil {
		panic(err)
	}
	return u
}

func (t *s3Target) sdk(c *http.Client) *s3.Client {
	return s3.New(s3.Options{Region: region, BaseEndpoint: aws.String(t.endpoint), UsePathStyle: true, HTTPClient: c,
		Credentials: awscreds.NewStaticCredentialsProvider(t.ak, t.sk, "")})
}

func newReq(method, rawURL string, body []byte) *http.Request {
	u, err := url.Parse(rawURL)
	if err != nil {
		panic(err)
	}
	r := &http.Request{Method: method, URL: u, Host: u.Host, Header: http.Header{}, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1}
	if body != nil {
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
	}
	return r
}

// prepare creates the buckets and the objects GET workloads read.
func (e *env) prepare(t *s3Target) error {
	ctx := context.Background()
	for _, b := range []string{bucket, listBucket} {
		if _, err := t.sdk(e.client).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil &&
			!strings.Contains(err.Error(), "BucketAlreadyOwnedByYou") {
			return fmt.Errorf("%s: create bucket %s: %w", t.name, b, err)
		}
	}
	return nil
}

// object makes sure obj-N exists on t.
func (e *env) object(t *s3Target, size int64) (string, error) {
	key := "obj-" + strconv.FormatInt(size, 10)
	if e.uploaded[t.name+key] {
		return key, nil
	}
	req, _ := http.NewRequest("PUT", t.presignURL("PUT", bucket, key, nil), &patternReader{n: size})
	req.ContentLength = size
	if _, err := doHTTP(e.client, req, 200); err != nil {
		return "", fmt.Errorf("%s: upload %s: %w", t.name, key, err)
	}
	e.uploaded[t.name+key] = true
	return key, nil
}

func (e *env) loop(do op) result { return closedLoop(e.conc, e.warm, e.dur, do) }

func (e *env) fixedGET(method, u string, want int) op {
	return func(ctx context.Context, w, i int) (int64, error) {
		return doHTTP(e.client, newReq(method, u, nil), want)
	}
}

func (e *env) get(size int) []result {
	var out []result
	r := e.loop(e.fixedGET("GET", e.base.endpoint+"/mem/"+strconv.Itoa(size), 200))
	r.Target = "net/http (memory)"
	out = append(out, r)
	r = e.loop(e.fixedGET("GET", e.base.endpoint+"/file/"+strconv.Itoa(size), 200))
	r.Target = "net/http (ServeContent file)"
	out = append(out, r)
	for _, t := range e.targets {
		key, err := e.object(t, int64(size))
		if err != nil {
			out = append(out, result{Target: t.name, FirstErr: err.Error()})
			continue
		}
		r := e.loop(e.fixedGET("GET", t.presignURL("GET", bucket, key, nil), 200))
		r.Target = t.name
		out = append(out, r)
	}
	return out
}

func (e *env) head() []result {
	var out []result
	r := e.loop(e.fixedGET("HEAD", e.base.endpoint+"/mem/4096", 200))
	r.Target = "net/http (memory)"
	out = append(out, r)
	for _, t := range e.targets {
		key, err := e.object(t, 4*kib)
		if err != nil {
			out = append(out, result{Target: t.name, FirstErr: err.Error()})
			continue
		}
		r := e.loop(e.fixedGET("HEAD", t.presignURL("HEAD", bucket, key, nil), 200))
		r.Target = t.name
		out = append(out, r)
	}
	return out
}

func (e *env) put(size int) []result {
	body := pattern(size)
	var out []result
	putTo := func(u string) op {
		return func(ctx context.Context, w, i int) (int64, error) {
			_, err := doHTTP(e.client, newReq("PUT", u, body), 200)
			return int64(size), err
		}
	}
	r := e.loop(putTo(e.base.endpoint + "/durable"))
	r.Target = "net/http (file+fsync, no batching)"
	out = append(out, r)
	r = e.loop(putTo(e.base.endpoint + "/discard"))
	r.Target = "net/http (discard body)"
	out = append(out, r)
	for _, t := range e.targets {
		// A new key per request, presigned by the client as it goes
		// (presign.URL costs ~2 µs, well under 1% of a PUT).
		r := e.loop(func(ctx context.Context, w, i int) (int64, error) {
			key := "put/" + strconv.Itoa(size) + "/" + strconv.Itoa(w) + "/" + strconv.Itoa(i)
			_, err := doHTTP(e.client, newReq("PUT", t.presignURL("PUT", bucket, key, nil), body), 200)
			return int64(size), err
		})
		r.Target = t.name
		out = append(out, r)
	}
	return out
}

func (e *env) sdkGet(size int) []result {
	var out []result
	r := e.loop(e.fixedGET("GET", e.base.endpoint+"/mem/"+strconv.Itoa(size), 200))
	r.Target = "net/http (memory), raw client"
	out = append(out, r)
	for _, t := range e.targets {
		key, err := e.object(t, int64(size))
		if err != nil {
			out = append(out, result{Target: t.name, FirstErr: err.Error()})
			continue
		}
		c := t.sdk(e.client)
		r := e.loop(func(ctx context.Context, w, i int) (int64, error) {
			o, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
			if err != nil {
				return 0, err
			}
			defer o.Body.Close()
			return io.Copy(io.Discard, o.Body)
		})
		r.Target = t.name + " (SDK client)"
		out = append(out, r)
	}
	return out
}

func (e *env) sdkPut(size int) []result {
	body := pattern(size)
	var out []result
	r := e.loop(func(ctx context.Context, w, i int) (int64, error) {
		_, err := doHTTP(e.client, newReq("PUT", e.base.endpoint+"/durable", body), 200)
		return int64(size), err
	})
	r.Target = "net/http (file+fsync), raw client"
	out = append(out, r)
	for _, t := range e.targets {
		c := t.sdk(e.client)
		r := e.loop(func(ctx context.Context, w, i int) (int64, error) {
			key := "sdkput/" + strconv.Itoa(w) + "/" + strconv.Itoa(i)
			_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body)})
			return int64(size), err
		})
		r.Target = t.name + " (SDK client)"
		out = append(out, r)
	}
	return out
}

// bulkPutter is implemented by sqlmeta.Store: many object rows in few
// transactions, to load a listing bucket in seconds.
type bulkPutter interface {
	PutObjectsBulk(ctx context.Context, objs []*meta.Object) error
}

func listKey(i int) string { return fmt.Sprintf("k/%07d", i) }

// loadKeys fills listBucket with e.keys empty objects: direct metadata
// inserts for Outpost, concurrent PUTs for peers.
func (e *env) loadKeys(t *s3Target) error {
	if e.listed[t.name] {
		return nil
	}
	t0 := time.Now()
	var bp bulkPutter
	if t.app != nil {
		bp, _ = t.app.Meta.(bulkPutter)
	}
	if bp != nil {
		objs := make([]*meta.Object, e.keys)
		now := time.Now().UTC()
		etag := hex.EncodeToString(md5.New().Sum(nil))
		for i := range objs {
			objs[i] = &meta.Object{Bucket: listBucket, Key: listKey(i), ETag: etag, LastModified: now, StorageClass: "STANDARD"}
		}
		if err := bp.PutObjectsBulk(context.Background(), objs); err != nil {
			return err
		}
	} else {
		var wg sync.WaitGroup
		errc := make(chan error, 64)
		next := make(chan int)
		for w := 0; w < 64; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range next {
					if _, err := doHTTP(e.client, newReq("PUT", t.presignURL("PUT", listBucket, listKey(i), nil), []byte("x")), 200); err != nil {
						select {
						case errc <- err:
						default:
						}
					}
				}
			}()
		}
		for i := 0; i < e.keys; i++ {
			next <- i
		}
		close(next)
		wg.Wait()
		select {
		case err := <-errc:
			return err
		default:
		}
	}
	logf("%s: loaded %d keys in %v", t.name, e.keys, time.Since(t0).Round(time.Millisecond))
	e.listed[t.name] = true
	return nil
}

// listURL presigns ListObjectsV2 on listBucket (presign.URL wants a key).
func (t *s3Target) listURL(token string) string {
	q := "list-type=2"
	if token != "" {
		q += "&continuation-token=" + url.QueryEscape(token)
	}
	u := &url.URL{Scheme: "http", Host: strings.TrimPrefix(t.endpoint, "http://"), Path: "/" + listBucket, RawQuery: q}
	s, err := sigv4.Presign(sigv4.PresignParams{Method: "GET", URL: u, Credentials: sigv4.Credentials{AccessKeyID: t.ak, SecretAccessKey: t.sk},
		Region: region, Service: "s3", Time: time.Now(), Expires: time.Hour})
	if err != nil {
		panic(err)
	}
	return s
}

func (e *env) listFirst() []result {
	var out []result
	for _, t := range e.targets {
		if err := e.loadKeys(t); err != nil {
			out = append(out, result{Target: t.name, FirstErr: err.Error()})
			continue
		}
		r := e.loop(e.fixedGET("GET", t.listURL(""), 200))
		r.Target = t.name
		r.Note = fmt.Sprintf("target ≥ 2000 pages/s: %s", metOrMissed(r.ReqPerSec() >= 2000))
		out = append(out, r)
	}
	return out
}

// nextToken pulls NextContinuationToken out of a ListBucketResult
// without an XML decoder (the load generator must stay cheap).
func nextToken(body []byte) string {
	const open, close = "<NextContinuationToken>", "</NextContinuationToken>"
	i := bytes.Index(body, []byte(open))
	if i < 0 {
		return ""
	}
	rest := body[i+len(open):]
	j := bytes.Index(rest, []byte(close))
	if j < 0 {
		return ""
	}
	s := string(rest[:j])
	s = strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">", "&#34;", `"`, "&quot;", `"`, "&#39;", "'").Replace(s)
	return s
}

func (e *env) listWalk() []result {
	var out []result
	for _, t := range e.targets {
		if err := e.loadKeys(t); err != nil {
			out = append(out, result{Target: t.name, FirstErr: err.Error()})
			continue
		}
		pages := 0
		walk := func() (int64, error) {
			token, n := "", int64(0)
			for {
				resp, err := e.client.Do(newReq("GET", t.listURL(token), nil))
				if err != nil {
					return n, err
				}
				body, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil || resp.StatusCode != 200 {
					return n, fmt.Errorf("list page %d: status %d %v", pages, resp.StatusCode, err)
				}
				n += int64(len(body))
				pages++
				if token = nextToken(body); token == "" {
					return n, nil
				}
			}
		}
		r := timedOnce(walk)
		r.Target = t.name
		r.Note = fmt.Sprintf("%d pages, %.0f pages/s, %.0f keys/s", pages, float64(pages)/r.Elapsed.Seconds(), float64(e.keys)/r.Elapsed.Seconds())
		out = append(out, r)
	}
	return out
}

func (e *env) multipart() []result {
	var out []result
	const partSize = 64 * mib
	for _, t := range e.targets {
		c := t.sdk(e.client)
		ctx := context.Background()
		key := "mpu-" + strconv.FormatInt(e.mpuSize, 10)
		r := timedOnce(func() (int64, error) {
			cr, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key)})
			if err != nil {
				return 0, err
			}
			n := int((e.mpuSize + partSize - 1) / partSize)
			parts := make([]s3types.CompletedPart, n)
			errs := make([]error, n)
			sem := make(chan struct{}, 4)
			var wg sync.WaitGroup
			for p := 0; p < n; p++ {
				wg.Add(1)
				sem <- struct{}{}
				go func(p int) {
					defer wg.Done()
					defer func() { <-sem }()
					size := min(partSize, e.mpuSize-int64(p)*partSize)
					u := t.presignURL("PUT", bucket, key, url.Values{"partNumber": {strconv.Itoa(p + 1)}, "uploadId": {*cr.UploadId}})
					req, _ := http.NewRequest("PUT", u, &patternReader{n: size})
					req.ContentLength = size
					resp, err := e.client.Do(req)
					if err != nil {
						errs[p] = err
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 {
						errs[p] = fmt.Errorf("part %d: status %d", p+1, resp.StatusCode)
						return
					}
					parts[p] = s3types.CompletedPart{PartNumber: aws.Int32(int32(p + 1)), ETag: aws.String(resp.Header.Get("ETag"))}
				}(p)
			}
			wg.Wait()
			for _, err := range errs {
				if err != nil {
					return 0, err
				}
			}
			_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: cr.UploadId,
				MultipartUpload: &s3types.CompletedMultipartUpload{Parts: parts}})
			return e.mpuSize, err
		})
		r.Target = t.name
		out = append(out, r)
	}
	return out
}

func metOrMissed(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
}

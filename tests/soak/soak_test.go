// Package soak_test runs a real server under sustained mixed traffic —
// header-signed and presigned (sigv4.Presign) PUT, GET, HEAD, LIST and
// DELETE — and checks that every response is the expected one, every
// object read back has the right bytes, and memory, goroutines and file
// descriptors stay flat.
package soak_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/outpost-s3/outpost/internal/app"
	"github.com/outpost-s3/outpost/internal/testserver"
	"github.com/outpost-s3/outpost/sigv4"
)

var (
	duration = flag.Duration("soak.duration", 60*time.Second, "how long TestSoak runs (e.g. 10m for the long version)")
	clients  = flag.Int("soak.clients", 16, "concurrent clients in TestSoak")
)

var creds = sigv4.Credentials{AccessKeyID: testserver.AccessKey, SecretAccessKey: testserver.SecretKey}

type counters struct {
	requests, presigned, bytesIn, bytesOut, unexpected atomic.Int64
}

// fdSlack is how many more descriptors may be open after the soak than
// before without a leak: a few for the listener and the client, plus the
// SQLite read pool, which grows to 8 connections (3 descriptors each:
// database, WAL, shared memory) only as far as the load's concurrency
// needs, so a busier machine keeps more of them. A leak over the soak's
// 100 000+ requests is far beyond this.
const fdSlack = 5 + 8*3

func openFDs() int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return len(ents)
}

func heapAfterGC() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

func TestSoak(t *testing.T) {
	if testing.Short() {
		t.Skip("soak: run without -short")
	}
	// Logs go through the JSON handler at debug level, as in production,
	// but to io.Discard: the test server's default in-memory log buffer
	// would grow with every request and hide a real leak.
	srv := testserver.Start(t, testserver.Options{Config: func(c *app.Config) {
		c.Logger = slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}})
	srv.MustBucket(t, "soak")
	tr := &http.Transport{MaxIdleConnsPerHost: *clients * 2}
	hc := &http.Client{Transport: tr, Timeout: 60 * time.Second}
	var c counters
	var mu sync.Mutex
	var errs []string
	fail := func(format string, args ...any) {
		c.unexpected.Add(1)
		mu.Lock()
		if len(errs) < 20 {
			errs = append(errs, fmt.Sprintf(format, args...))
		}
		mu.Unlock()
	}

	haves := make([]map[string][32]byte, *clients) // per client: its keys and their content hash
	for i := range haves {
		haves[i] = map[string][32]byte{}
	}
	run := func(ctx context.Context, w int) {
		r := rand.New(rand.NewPCG(uint64(w), uint64(time.Now().UnixNano())))
		have := haves[w]
		buf := make([]byte, 256<<10)
		for n := 0; ctx.Err() == nil; n++ {
			key := fmt.Sprintf("c%d/k%d", w, r.IntN(20))
			want, exists := have[key]
			presign := r.IntN(2) == 0
			var method string
			switch p := r.IntN(100); {
			case p < 35:
				method = "PUT"
			case p < 75:
				method = "GET"
			case p < 85:
				method = "HEAD"
			case p < 93:
				method = "LIST"
			default:
				method = "DELETE"
			}
			var body []byte
			if method == "PUT" {
				size := r.IntN(64 << 10)
				if r.IntN(20) == 0 {
					size = r.IntN(len(buf))
				}
				body = buf[:size]
				for i := 0; i < size; i += 64 {
					body[i] = byte(r.Uint32())
				}
			}
			path := "/soak/" + key
			if method == "LIST" {
				path = fmt.Sprintf("/soak?list-type=2&prefix=c%d/&max-keys=5", w)
			}
			req, err := buildRequest(srv.URL, method, path, body, presign)
			if err != nil {
				t.Error(err)
				return
			}
			resp, err := hc.Do(req.WithContext(context.WithoutCancel(ctx)))
			c.requests.Add(1)
			if presign {
				c.presigned.Add(1)
			}
			if err != nil {
				fail("%s %s: %v", method, path, err)
				continue
			}
			h := sha256.New()
			nb, _ := io.Copy(h, resp.Body)
			resp.Body.Close()
			c.bytesOut.Add(nb)
			var got [32]byte
			copy(got[:], h.Sum(nil))
			switch method {
			case "PUT":
				c.bytesIn.Add(int64(len(body)))
				if resp.StatusCode != 200 {
					fail("PUT %s: %d", key, resp.StatusCode)
					continue
				}
				have[key] = sha256.Sum256(body)
			case "GET":
				if !exists {
					if resp.StatusCode != 404 {
						fail("GET missing %s: %d", key, resp.StatusCode)
					}
				} else if resp.StatusCode != 200 || got != want {
					fail("GET %s: %d, content match %v", key, resp.StatusCode, got == want)
				}
			case "HEAD":
				if (exists && resp.StatusCode != 200) || (!exists && resp.StatusCode != 404) {
					fail("HEAD %s (exists %v): %d", key, exists, resp.StatusCode)
				}
			case "LIST":
				if resp.StatusCode != 200 {
					fail("LIST: %d", resp.StatusCode)
				}
			case "DELETE":
				if resp.StatusCode != 204 {
					fail("DELETE %s: %d", key, resp.StatusCode)
				}
				delete(have, key)
			}
		}
	}

	runFor := func(d time.Duration) {
		ctx, cancel := context.WithTimeout(context.Background(), d)
		defer cancel()
		var wg sync.WaitGroup
		for w := 0; w < *clients; w++ {
			wg.Add(1)
			go func() { defer wg.Done(); run(ctx, w) }()
		}
		wg.Wait()
	}
	// Warm up: pools, caches, SQLite pages and idle connections reach
	// their working size before the baseline is taken.
	warm := min(*duration/6, 10*time.Second)
	runFor(warm)
	tr.CloseIdleConnections()
	time.Sleep(100 * time.Millisecond)
	heap0, gor0, fd0 := heapAfterGC(), runtime.NumGoroutine(), openFDs()
	start := time.Now()
	runFor(*duration - warm)
	elapsed := time.Since(start)
	tr.CloseIdleConnections()
	// Server-side connection goroutines notice the close asynchronously.
	var heap1 uint64
	var gor1, fd1 int
	for i := 0; i < 50; i++ {
		time.Sleep(100 * time.Millisecond)
		heap1, gor1, fd1 = heapAfterGC(), runtime.NumGoroutine(), openFDs()
		if gor1 <= gor0+5 && fd1 <= fd0+fdSlack {
			break
		}
	}
	reqs := c.requests.Load()
	t.Logf("soak %v: %d requests (%d presigned, %.0f/s), %d MiB in, %d MiB out, %d unexpected; heap after GC %.1f MiB -> %.1f MiB; goroutines %d -> %d; fds %d -> %d",
		elapsed.Round(time.Second), reqs, c.presigned.Load(), float64(reqs)/elapsed.Seconds(), c.bytesIn.Load()>>20, c.bytesOut.Load()>>20,
		c.unexpected.Load(), float64(heap0)/(1<<20), float64(heap1)/(1<<20), gor0, gor1, fd0, fd1)
	if n := c.unexpected.Load(); n > 0 {
		t.Errorf("%d unexpected responses, first: %v", n, errs)
	}
	if heap1 > heap0+32<<20 {
		t.Errorf("heap grew from %d to %d bytes", heap0, heap1)
	}
	if gor1 > gor0+5 {
		buf := make([]byte, 1<<20)
		t.Errorf("goroutines grew from %d to %d:\n%s", gor0, gor1, buf[:runtime.Stack(buf, true)])
	}
	if fd1 > fd0+fdSlack {
		t.Errorf("open file descriptors grew from %d to %d (more than %d)", fd0, fd1, fdSlack)
	}
}

// buildRequest signs a request in the header, or presigns its URL (SigV4
// query authentication, as a browser or curl would use it).
func buildRequest(base, method, path string, body []byte, presign bool) (*http.Request, error) {
	m := method
	if m == "LIST" {
		m = "GET"
	}
	if presign {
		u, err := url.Parse(base + path)
		if err != nil {
			return nil, err
		}
		s, err := sigv4.Presign(sigv4.PresignParams{Method: m, URL: u, Credentials: creds, Region: testserver.Region, Service: "s3", Expires: time.Hour})
		if err != nil {
			return nil, err
		}
		return http.NewRequest(m, s, bytes.NewReader(body))
	}
	r, err := http.NewRequest(m, base+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	payload := sigv4.UnsignedPayload
	if len(body) < 16<<10 {
		s := sha256.Sum256(body)
		payload = fmt.Sprintf("%x", s)
	}
	return r, sigv4.SignRequest(r, creds, testserver.Region, "s3", payload, time.Now())
}

package s3api_test

import (
	"crypto/sha256"
	"io"
	"math/rand/v2"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/outpost-s3/outpost/internal/testserver"
	"github.com/outpost-s3/outpost/sigv4"
)

// heapSampler records the peak live heap while running.
type heapSampler struct {
	peak atomic.Uint64
	stop chan struct{}
	wg   sync.WaitGroup
}

func startHeapSampler() *heapSampler {
	h := &heapSampler{stop: make(chan struct{})}
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > h.peak.Load() {
				h.peak.Store(ms.HeapInuse)
			}
			select {
			case <-h.stop:
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}()
	return h
}

func (h *heapSampler) Stop() uint64 {
	close(h.stop)
	h.wg.Wait()
	return h.peak.Load()
}

// TestOneGiBTransferHeapStaysSmall uploads and downloads 1 GiB through a
// real server in this process and checks the process heap (server and
// client together) never exceeds 100 MiB: objects are streamed, never held
// whole in memory. It reports the peak.
func TestOneGiBTransferHeapStaysSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("1 GiB transfer: run without -short")
	}
	const size = 1 << 30
	const limit = 100 << 20
	srv := testserver.Start(t)
	srv.MustBucket(t, "gib")
	runtime.GC()

	src := rand.NewChaCha8([32]byte{7})
	want := sha256.New()
	body := io.TeeReader(io.LimitReader(src, size), want)

	sampler := startHeapSampler()
	r, _ := http.NewRequest("PUT", srv.URL+"/gib/one-gib", body)
	r.ContentLength = size
	sigv4.SignRequest(r, rootCreds, testserver.Region, "s3", sigv4.UnsignedPayload, time.Now())
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("PUT 1 GiB: %d", resp.StatusCode)
	}
	upPeak := sampler.Stop()

	sampler = startHeapSampler()
	g, _ := http.NewRequest("GET", srv.URL+"/gib/one-gib", nil)
	sigv4.SignRequest(g, rootCreds, testserver.Region, "s3", sigv4.EmptySHA256, time.Now())
	resp, err = http.DefaultClient.Do(g)
	if err != nil {
		t.Fatal(err)
	}
	got := sha256.New()
	n, err := io.Copy(got, resp.Body)
	resp.Body.Close()
	downPeak := sampler.Stop()
	if err != nil || n != size {
		t.Fatalf("GET 1 GiB: %d bytes, %v", n, err)
	}
	if string(got.Sum(nil)) != string(want.Sum(nil)) {
		t.Fatal("downloaded bytes differ from uploaded bytes")
	}
	t.Logf("peak heap in use: upload %.1f MiB, download %.1f MiB", float64(upPeak)/(1<<20), float64(downPeak)/(1<<20))
	if upPeak > limit || downPeak > limit {
		t.Fatalf("peak heap upload %d, download %d bytes; limit %d", upPeak, downPeak, limit)
	}
}

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// newTransport is the load generator's own transport: enough idle
// connections for every worker, no compression, HTTP/1.1 only (every
// server under test speaks plain HTTP/1.1 on loopback).
func newTransport(conns int) *http.Transport {
	return &http.Transport{
		DialContext:           (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:          conns * 2,
		MaxIdleConnsPerHost:   conns * 2,
		IdleConnTimeout:       90 * time.Second,
		DisableCompression:    true,
		ResponseHeaderTimeout: 5 * time.Minute,
		WriteBufferSize:       64 << 10,
		ReadBufferSize:        64 << 10,
	}
}

// op is one request of a workload. It returns the payload bytes moved
// (request body for uploads, response body for downloads).
type op func(ctx context.Context, worker, i int) (int64, error)

// result is one row of the table.
type result struct {
	Workload string
	Target   string
	Conc     int
	N        int64
	Bytes    int64
	Elapsed  time.Duration
	P50, P99 time.Duration
	Errors   int64
	FirstErr string
	Note     string
	// Ratio is filled by the table against the workload's reference row.
	Ratio float64
}

func (r result) ReqPerSec() float64 { return float64(r.N) / r.Elapsed.Seconds() }
func (r result) MBPerSec() float64  { return float64(r.Bytes) / (1 << 20) / r.Elapsed.Seconds() }

// closedLoop runs conc workers, each issuing the next request as soon as
// the previous one answered, for d after a warm-up of warm. Latencies of
// every request after the warm-up are kept (a few hundred thousand
// durations at most) for exact percentiles.
func closedLoop(conc int, warm, d time.Duration, do op) result {
	var (
		wg       sync.WaitGroup
		measure  atomic.Bool
		stop     atomic.Bool
		errs     atomic.Int64
		firstErr atomic.Value
		lats     = make([][]time.Duration, conc)
		bytes    = make([]int64, conc)
	)
	ctx := context.Background()
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			l := make([]time.Duration, 0, 4096)
			for i := 0; !stop.Load(); i++ {
				t0 := time.Now()
				n, err := do(ctx, w, i)
				el := time.Since(t0)
				if err != nil {
					if errs.Add(1) == 1 {
						firstErr.Store(err.Error())
					}
					if errs.Load() > 1000 {
						return // the target is broken; do not spin
					}
					continue
				}
				if measure.Load() {
					l = append(l, el)
					bytes[w] += n
				}
			}
			lats[w] = l
		}(w)
	}
	time.Sleep(warm)
	measure.Store(true)
	start := time.Now()
	time.Sleep(d)
	measure.Store(false)
	elapsed := time.Since(start)
	stop.Store(true)
	wg.Wait()
	var all []time.Duration
	var total int64
	for w := range lats {
		all = append(all, lats[w]...)
		total += bytes[w]
	}
	slices.Sort(all)
	r := result{Conc: conc, N: int64(len(all)), Bytes: total, Elapsed: elapsed, Errors: errs.Load()}
	if len(all) > 0 {
		r.P50 = all[len(all)*50/100]
		r.P99 = all[min(len(all)-1, len(all)*99/100)]
	}
	if s, ok := firstErr.Load().(string); ok {
		r.FirstErr = s
	}
	return r
}

// timedOnce runs fn once and reports it as a one-request result.
func timedOnce(fn func() (int64, error)) result {
	t0 := time.Now()
	n, err := fn()
	el := time.Since(t0)
	r := result{Conc: 1, N: 1, Bytes: n, Elapsed: el, P50: el, P99: el}
	if err != nil {
		r.N, r.Errors, r.FirstErr = 0, 1, err.Error()
	}
	return r
}

// doHTTP sends req and drains the response body, failing on a status
// other than want.
func doHTTP(c *http.Client, req *http.Request, want int) (int64, error) {
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil {
		return n, err
	}
	if resp.StatusCode != want {
		return n, fmt.Errorf("%s %s: status %d", req.Method, req.URL.Path, resp.StatusCode)
	}
	return n, nil
}

// patternReader yields n bytes of a repeating pattern without holding them.
type patternReader struct {
	n   int64
	off int64
}

var errShort = errors.New("short pattern read")

func (p *patternReader) Read(b []byte) (int, error) {
	if p.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(b)) > p.n {
		b = b[:p.n]
	}
	for i := range b {
		b[i] = byte((p.off + int64(i)) * 31)
	}
	p.off += int64(len(b))
	p.n -= int64(len(b))
	return len(b), nil
}

func pattern(n int) []byte {
	b := make([]byte, n)
	(&patternReader{n: int64(n)}).Read(b)
	return b
}

package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// heapBytes is the heap's live-and-not-yet-collected object bytes plus
// goroutine stacks: what a server's working set is made of.
func heapBytes() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/stacks:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64() + s[1].Value.Uint64()
}

// rssBytes reads the process's resident set from /proc (Linux); 0 elsewhere.
func rssBytes() uint64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseUint(f[1], 10, 64)
	return pages * uint64(os.Getpagesize())
}

// peakHeapDuring samples heapBytes every 2 ms while fn runs and returns the
// peak above the level measured (after a GC) just before.
func peakHeapDuring(fn func() (int64, error)) (result, uint64) {
	runtime.GC()
	base := heapBytes()
	var peak atomic.Uint64
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if h := heapBytes(); h > peak.Load() {
					peak.Store(h)
				}
			}
		}
	}()
	r := timedOnce(fn)
	close(done)
	p := peak.Load()
	if p < base {
		return r, 0
	}
	return r, p - base
}

func (e *env) memTransfer() []result {
	var out []result
	for _, t := range e.targets {
		if t.app == nil {
			continue // a peer's heap is in another process
		}
		const size = gib
		key := "mem-1g"
		put, peakPut := peakHeapDuring(func() (int64, error) {
			req, _ := http.NewRequest("PUT", t.presignURL("PUT", bucket, key, nil), &patternReader{n: size})
			req.ContentLength = size
			_, err := doHTTP(e.client, req, 200)
			return size, err
		})
		put.Target = t.name + " PUT 1 GiB"
		put.Note = fmt.Sprintf("peak heap +%s (target < 100 MiB: %s)", human(peakPut), metOrMissed(peakPut < 100*mib))
		get, peakGet := peakHeapDuring(func() (int64, error) {
			return doHTTP(e.client, newReq("GET", t.presignURL("GET", bucket, key, nil), nil), 200)
		})
		get.Target = t.name + " GET 1 GiB"
		get.Note = fmt.Sprintf("peak heap +%s (target < 100 MiB: %s)", human(peakGet), metOrMissed(peakGet < 100*mib))
		out = append(out, put, get)
	}
	return out
}

// idleConns opens e.idle keep-alive connections, sends one HEAD on each
// with a bare net.Conn (no client-side goroutine or buffer), leaves them
// idle, and divides the heap and RSS growth by their number. Client and
// server share this process; the client's share is one net.Conn (~0.3 KiB).
func (e *env) idleConns() []result {
	var out []result
	measure := func(name, rawURL string) result {
		u, _ := url.Parse(rawURL)
		reqText := "HEAD " + u.RequestURI() + " HTTP/1.1\r\nHost: " + u.Host + "\r\n\r\n"
		runtime.GC()
		runtime.GC()
		h0, r0 := heapBytes(), rssBytes()
		conns := make([]net.Conn, 0, e.idle)
		defer func() {
			for _, c := range conns {
				c.Close()
			}
		}()
		t0 := time.Now()
		buf := make([]byte, 4096)
		for i := 0; i < e.idle; i++ {
			c, err := net.Dial("tcp", u.Host)
			if err != nil {
				return result{Target: name, FirstErr: err.Error()}
			}
			conns = append(conns, c)
			if _, err := io.WriteString(c, reqText); err != nil {
				return result{Target: name, FirstErr: err.Error()}
			}
			var got []byte
			for !bytes.Contains(got, []byte("\r\n\r\n")) {
				n, err := c.Read(buf)
				if err != nil {
					return result{Target: name, FirstErr: err.Error()}
				}
				got = append(got, buf[:n]...)
			}
			if !bytes.HasPrefix(got, []byte("HTTP/1.1 200")) {
				line, _ := bufio.NewReader(bytes.NewReader(got)).ReadString('\n')
				return result{Target: name, FirstErr: "HEAD: " + strings.TrimSpace(line)}
			}
		}
		el := time.Since(t0)
		time.Sleep(200 * time.Millisecond) // let every server goroutine park
		runtime.GC()
		runtime.GC()
		h1, r1 := heapBytes(), rssBytes()
		per := float64(int64(h1)-int64(h0)) / float64(e.idle)
		rss := float64(int64(r1)-int64(r0)) / float64(e.idle)
		return result{Target: name, Conc: 1, N: int64(e.idle), Elapsed: el,
			Note: fmt.Sprintf("%d conns: heap+stacks %.1f KiB/conn, RSS %.1f KiB/conn (target < 20 KiB: %s)", e.idle, per/1024, rss/1024, metOrMissed(per < 20*1024))}
	}
	out = append(out, measure("net/http (memory)", e.base.endpoint+"/mem/4096"))
	for _, t := range e.targets {
		if t.app == nil {
			continue
		}
		if _, err := e.object(t, 4*kib); err != nil {
			out = append(out, result{Target: t.name, FirstErr: err.Error()})
			continue
		}
		out = append(out, measure(t.name, t.presignURL("HEAD", bucket, "obj-4096", nil)))
	}
	return out
}

func human(n uint64) string {
	switch {
	case n >= gib:
		return fmt.Sprintf("%.2f GiB", float64(n)/gib)
	case n >= mib:
		return fmt.Sprintf("%.1f MiB", float64(n)/mib)
	default:
		return fmt.Sprintf("%.1f KiB", float64(n)/kib)
	}
}

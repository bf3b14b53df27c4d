package app

import (
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/outpost-s3/outpost/internal/s3err"
)

// bodyDeadlines gives every request body a read deadline that moves forward
// as bytes arrive: a client that stops sending mid-body (or, with minRate,
// dribbles slower than minRate bytes per second after the first idle
// period) is cut off instead of holding a goroutine, a blob writer and a
// file descriptor forever. http.Server's ReadTimeout cannot do this: it
// bounds the whole request, so it would also cut off honest multi-GiB
// uploads.
func bodyDeadlines(h http.Handler, idle time.Duration, minRate int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if idle > 0 && r.Body != nil && r.Body != http.NoBody {
			b := &deadlineBody{rc: http.NewResponseController(w), body: r.Body, idle: idle, rate: minRate, start: time.Now()}
			if b.extend(b.start) == nil {
				// A shallow copy, never r itself: net/http decides whether
				// the connection may carry another request by looking at
				// r.Body after the handler (an "Expect: 100-continue" body
				// that was not read to its end closes the connection). With
				// r.Body replaced it would keep the connection, and read the
				// unread body of a refused upload as the next request.
				r2 := *r
				r2.Body = b
				r = &r2
			}
		}
		h.ServeHTTP(w, r)
	})
}

// deadlineBody extends the connection's read deadline as the body is read
// and clears it at EOF (so a slow commit after the body never trips it).
type deadlineBody struct {
	rc         *http.ResponseController
	body       io.ReadCloser
	idle       time.Duration
	rate       int64 // bytes per second; 0 = none
	start      time.Time
	lastExtend time.Time
	n          int64
	done       bool
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	n, err := b.body.Read(p)
	b.n += int64(n)
	switch {
	case err == io.EOF:
		if !b.done {
			b.done = true
			b.rc.SetReadDeadline(time.Time{})
		}
	case err != nil:
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return n, s3err.RequestTimeout.WithCause(err)
		}
	case n > 0:
		// Moving a deadline is cheap but not free; a step of idle/8
		// keeps the effective limit within 1/8 of the configured one.
		if now := time.Now(); now.Sub(b.lastExtend) >= b.idle/8 || b.rate > 0 {
			b.extend(now)
		}
	}
	return n, err
}

func (b *deadlineBody) extend(now time.Time) error {
	b.lastExtend = now
	d := now.Add(b.idle)
	if b.rate > 0 {
		if r := b.start.Add(b.idle + time.Duration(float64(b.n)/float64(b.rate)*float64(time.Second))); r.Before(d) {
			d = r
		}
	}
	return b.rc.SetReadDeadline(d)
}

func (b *deadlineBody) Close() error { return b.body.Close() }

// limitListener accepts at most n connections at a time.
type limitListener struct {
	net.Listener
	sem       chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

func newLimitListener(l net.Listener, n int) *limitListener {
	return &limitListener{Listener: l, sem: make(chan struct{}, n), done: make(chan struct{})}
}

func (l *limitListener) Accept() (net.Conn, error) {
	select {
	case l.sem <- struct{}{}:
	case <-l.done:
		return nil, net.ErrClosed
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.sem
		return nil, err
	}
	return &limitConn{Conn: c, release: func() { <-l.sem }}, nil
}

func (l *limitListener) Close() error {
	l.closeOnce.Do(func() { close(l.done) })
	return l.Listener.Close()
}

type limitConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

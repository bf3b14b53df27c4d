// Package limits_test checks the server's connection and request limits:
// header, idle and body timeouts, a minimum body rate, the connection cap,
// and that a slowloris crowd does not starve other clients.
package limits_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/outpost-s3/outpost/internal/app"
	"github.com/outpost-s3/outpost/internal/testserver"
	"github.com/outpost-s3/outpost/sigv4"
)

var creds = sigv4.Credentials{AccessKeyID: testserver.AccessKey, SecretAccessKey: testserver.SecretKey}

// putHead returns the header section of a signed PUT of length bytes.
func putHead(srv *testserver.Server, path string, length int) []byte {
	r, _ := http.NewRequest("PUT", srv.URL+path, nil)
	r.ContentLength = int64(length)
	sigv4.SignRequest(r, creds, testserver.Region, "s3", sigv4.UnsignedPayload, time.Now())
	var b bytes.Buffer
	fmt.Fprintf(&b, "PUT %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n", path, srv.Addr, length)
	for k, v := range r.Header {
		fmt.Fprintf(&b, "%s: %s\r\n", k, v[0])
	}
	b.WriteString("\r\n")
	return b.Bytes()
}

// tmpFiles counts uncommitted blobs (files in a tmp directory under DATA/blobs).
func tmpFiles(t *testing.T, srv *testserver.Server) int {
	n := 0
	filepath.WalkDir(filepath.Join(srv.DataDir, "blobs"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && filepath.Base(filepath.Dir(p)) == "tmp" {
			n++
		}
		return nil
	})
	return n
}

func exists(t *testing.T, srv *testserver.Server, key string) bool {
	_, err := srv.S3(t).HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String("limits"), Key: aws.String(key)})
	return err == nil
}

// readResponse waits up to d for the server's answer on conn.
func readResponse(t *testing.T, conn net.Conn, d time.Duration) (*http.Response, string, time.Duration) {
	t.Helper()
	start := time.Now()
	conn.SetReadDeadline(start.Add(d))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no response within %v: %v", d, err)
	}
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b), time.Since(start)
}

func TestStalledBodyIsCutOff(t *testing.T) {
	// The idle timeout alone (no minimum rate), so the steady 10 B/s
	// upload below shows what the idle rule lets through.
	srv := testserver.Start(t, testserver.Options{Config: func(c *app.Config) {
		c.BodyIdleTimeout = 500 * time.Millisecond
		c.MinBodyRate = -1
	}})
	srv.MustBucket(t, "limits")
	conn, err := net.Dial("tcp", srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.Write(putHead(srv, "/limits/stalled", 1<<20))
	conn.Write(bytes.Repeat([]byte("x"), 100<<10))
	// ...and nothing more.
	resp, body, took := readResponse(t, conn, 5*time.Second)
	if resp.StatusCode != 400 || !strings.Contains(body, "<Code>RequestTimeout</Code>") {
		t.Fatalf("stalled body: %d %s", resp.StatusCode, body)
	}
	if took > 3*time.Second {
		t.Fatalf("a stalled client held the request for %v", took)
	}
	if exists(t, srv, "stalled") {
		t.Fatal("a stalled upload became visible")
	}
	if n := tmpFiles(t, srv); n != 0 {
		t.Fatalf("%d partial blobs left", n)
	}
	// An honest slow-but-steady upload is not cut off: a byte every
	// 100 ms is well inside the idle timeout.
	conn2, err := net.Dial("tcp", srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn2.Close()
	conn2.Write(putHead(srv, "/limits/steady", 12))
	for i := 0; i < 12; i++ {
		time.Sleep(100 * time.Millisecond)
		conn2.Write([]byte{'a' + byte(i)})
	}
	if resp, body, _ := readResponse(t, conn2, 5*time.Second); resp.StatusCode != 200 {
		t.Fatalf("steady upload: %d %s", resp.StatusCode, body)
	}
}

func TestMinimumBodyRate(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{Config: func(c *app.Config) {
		c.BodyIdleTimeout = 500 * time.Millisecond
		c.MinBodyRate = 20 << 10 // 20 KiB/s
	}})
	// 1 KiB every 100 ms = 10 KiB/s: never idle, always too slow.
	took := dribbleIsCutOff(t, srv, "dribble", 1<<10, 100*time.Millisecond)
	t.Logf("a 10 KiB/s client was cut off after %v (minimum 20 KiB/s)", took.Round(10*time.Millisecond))
}

// TestTrickledBodyIsCutOffByDefault is issue 10's hole 9: a body sent a byte
// at a time (never idle) used to hold its connection forever because no
// minimum rate was set. With the default minimum (DefaultMinBodyRate) it is
// cut off with RequestTimeout once the grace period has passed, and nothing
// is stored. The grace period is shortened here; the rule is the default's.
func TestTrickledBodyIsCutOffByDefault(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{Config: func(c *app.Config) {
		c.BodyIdleTimeout = 300 * time.Millisecond
	}})
	// One byte every 50 ms: 20 B/s, never idle for the 300 ms timeout.
	took := dribbleIsCutOff(t, srv, "trickle", 1, 50*time.Millisecond)
	t.Logf("a 20 B/s client was cut off after %v (default minimum %d B/s)", took.Round(10*time.Millisecond), app.DefaultMinBodyRate)
	if n := tmpFiles(t, srv); n != 0 {
		t.Fatalf("%d partial blobs left", n)
	}
}

// dribbleIsCutOff PUTs key with a 1 MiB body sent chunk bytes every period
// and checks that the server answers RequestTimeout and stores nothing; it
// returns how long the server took to cut the client off.
func dribbleIsCutOff(t *testing.T, srv *testserver.Server, key string, chunk int, every time.Duration) time.Duration {
	t.Helper()
	srv.MustBucket(t, "limits")
	conn, err := net.Dial("tcp", srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.Write(putHead(srv, "/limits/"+key, 1<<20))
	stop := make(chan struct{})
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(every):
				if _, err := conn.Write(bytes.Repeat([]byte("d"), chunk)); err != nil {
					return
				}
			}
		}
	}()
	resp, body, took := readResponse(t, conn, 10*time.Second)
	close(stop)
	if resp.StatusCode != 400 || !strings.Contains(body, "<Code>RequestTimeout</Code>") {
		t.Fatalf("dribbling body: %d %s", resp.StatusCode, body)
	}
	if exists(t, srv, key) {
		t.Fatal("a cut-off upload became visible")
	}
	return took
}

func TestHeaderAndIdleTimeouts(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{Config: func(c *app.Config) {
		c.ReadHeaderTimeout = 300 * time.Millisecond
		c.IdleTimeout = 300 * time.Millisecond
	}})
	// Headers that never end: the connection is closed.
	conn, err := net.Dial("tcp", srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\nX-Slow: "))
	start := time.Now()
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	io.Copy(io.Discard, conn)
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("incomplete headers held the connection for %v", d)
	}
	// An idle keep-alive connection is closed after IdleTimeout.
	conn2, err := net.Dial("tcp", srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn2.Close()
	fmt.Fprintf(conn2, "GET / HTTP/1.1\r\nHost: %s\r\n\r\n", srv.Addr)
	br := bufio.NewReader(conn2)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	start = time.Now()
	conn2.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := br.ReadByte(); err != io.EOF {
		t.Fatalf("idle connection: read %v, want EOF", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("idle connection closed after %v", d)
	}
}

func TestEntityTooLargeWithoutReadingTheBody(t *testing.T) {
	srv := testserver.Start(t)
	srv.MustBucket(t, "limits")
	conn, err := net.Dial("tcp", srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.Write(putHead(srv, "/limits/huge", 5<<30+1))
	resp, body, took := readResponse(t, conn, 5*time.Second)
	if resp.StatusCode != 400 || !strings.Contains(body, "<Code>EntityTooLarge</Code>") || !strings.Contains(body, strconv.Itoa(5<<30)) {
		t.Fatalf("5 GiB + 1: %d %s", resp.StatusCode, body)
	}
	if took > time.Second {
		t.Fatalf("EntityTooLarge took %v", took)
	}
}

func TestConnectionCap(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{Config: func(c *app.Config) { c.MaxConns = 4 }})
	// Four connections hold every slot (headers never finish).
	var conns []net.Conn
	for i := 0; i < 4; i++ {
		c, err := net.Dial("tcp", srv.Addr)
		if err != nil {
			t.Fatal(err)
		}
		c.Write([]byte("GET / HTTP/1.1\r\n"))
		conns = append(conns, c)
	}
	time.Sleep(100 * time.Millisecond)
	done := make(chan int, 1)
	go func() {
		resp, err := http.Get(srv.URL + "/")
		if err != nil {
			done <- -1
			return
		}
		resp.Body.Close()
		done <- resp.StatusCode
	}()
	select {
	case s := <-done:
		t.Fatalf("a fifth connection was served (%d) past MaxConns=4", s)
	case <-time.After(300 * time.Millisecond):
	}
	conns[0].Close()
	select {
	case s := <-done:
		if s != 403 {
			t.Fatalf("queued request: %d", s)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a queued connection was not served after a slot freed")
	}
	for _, c := range conns[1:] {
		c.Close()
	}
}

// TestSlowlorisDoesNotStarveOthers opens 200 connections that dribble
// header bytes and checks a normal client is still served quickly.
func TestSlowlorisDoesNotStarveOthers(t *testing.T) {
	srv := testserver.Start(t)
	srv.MustBucket(t, "limits")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	var opened sync.WaitGroup
	for i := 0; i < 200; i++ {
		wg.Add(1)
		opened.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.Dial("tcp", srv.Addr)
			opened.Done()
			if err != nil {
				return
			}
			defer c.Close()
			c.Write([]byte("GET /limits/x HTTP/1.1\r\nHost: " + srv.Addr + "\r\n"))
			for j := 0; ctx.Err() == nil; j++ {
				if _, err := c.Write([]byte("X-A" + strconv.Itoa(j) + ": b\r\n")); err != nil {
					return
				}
				select {
				case <-ctx.Done():
				case <-time.After(100 * time.Millisecond):
				}
			}
		}()
	}
	opened.Wait()
	time.Sleep(300 * time.Millisecond)
	c := srv.S3(t)
	var worst time.Duration
	for i := 0; i < 20; i++ {
		start := time.Now()
		key := "normal-" + strconv.Itoa(i)
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("limits"), Key: aws.String(key), Body: strings.NewReader("hello")}); err != nil {
			t.Fatalf("PUT during slowloris: %v", err)
		}
		if _, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("limits"), Key: aws.String(key)}); err != nil {
			t.Fatalf("GET during slowloris: %v", err)
		}
		worst = max(worst, time.Since(start))
	}
	t.Logf("200 slowloris connections open; worst PUT+GET of a normal client: %v", worst)
	if worst > time.Second {
		t.Fatalf("a normal client waited %v behind slowloris connections", worst)
	}
	cancel()
	wg.Wait()
}

// TestUnreadBodyIsNeverTheNextRequest: a PUT sent with "Expect:
// 100-continue" and refused before its body is read (here: no such
// upload) must not leave the connection open with the body unread, or a
// client that sends the body anyway (curl after its one-second wait,
// SDKs with a short expect timeout) has it parsed as the next request.
// The body here carries a whole request; it must never be answered.
func TestUnreadBodyIsNeverTheNextRequest(t *testing.T) {
	srv := testserver.Start(t)
	srv.MustBucket(t, "smuggle")
	inner := "GET /smuggle?list-type=2 HTTP/1.1\r\nHost: " + srv.Addr + "\r\n\r\n"
	body := strings.Repeat(inner, 20) + strings.Repeat("x", 300<<10)
	r, _ := http.NewRequest("PUT", srv.URL+"/smuggle/k?partNumber=1&uploadId=none", strings.NewReader(body))
	r.Header.Set("Expect", "100-continue")
	sigv4.SignRequest(r, creds, testserver.Region, "s3", sigv4.UnsignedPayload, time.Now())
	conn, err := net.Dial("tcp", srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// Headers and body in one go, without waiting for 100 Continue.
	var req bytes.Buffer
	fmt.Fprintf(&req, "PUT %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n", r.URL.RequestURI(), srv.Addr, len(body))
	for k, vs := range r.Header {
		fmt.Fprintf(&req, "%s: %s\r\n", k, vs[0])
	}
	req.WriteString("\r\n")
	req.WriteString(body)
	go conn.Write(req.Bytes())
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != 404 {
		t.Fatalf("refused upload: %d, want 404 NoSuchUpload", resp.StatusCode)
	}
	if second, err := http.ReadResponse(br, nil); err == nil {
		t.Fatalf("the unread body was served as a request: %s", second.Status)
	}
}

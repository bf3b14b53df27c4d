package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/outpost-s3/outpost/internal/app"
)

// Fixed identity of the Outpost under test.
const (
	region    = "us-east-1"
	outpostID = "op-0123456789abcdef0"
	accountID = "111122223333"
	accessKey = "AKIDOUTPOSTBENCH0001"
	secretKey = "outpost/bench/secret+key/0123456789abcdef"
)

// s3Target is an S3 server under test: Outpost, or a peer (MinIO, versitygw).
type s3Target struct {
	name     string
	endpoint string // http://127.0.0.1:PORT
	ak, sk   string
	app      *app.App // Outpost in-process only
	stop     func()
}

// startOutpost opens Outpost on the embedded default (SQLite metadata,
// filesystem blobs) in dir and serves it on a loopback port, in this
// process, so that heap figures are Outpost's own.
func startOutpost(dir, logMode string, plaintext bool) (*s3Target, error) {
	var logger *slog.Logger
	switch logMode {
	case "off":
		logger = slog.New(slog.DiscardHandler)
	case "stderr":
		logger = slog.New(slog.NewJSONHandler(os.Stderr, nil))
	default: // "discard": format every access line as `outpost serve` does, write nowhere
		logger = slog.New(slog.NewJSONHandler(io.Discard, nil))
	}
	a, err := app.Open(context.Background(), app.Config{
		DataDir: dir, Region: region, OutpostID: outpostID, AccountID: accountID,
		RootAccessKeyID: accessKey, RootSecretAccessKey: secretKey, Logger: logger, PlaintextAtRest: plaintext,
	})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	go a.Serve(ln)
	name := "outpost"
	if plaintext {
		name = "outpost-plaintext"
	}
	return &s3Target{name: name, endpoint: "http://" + ln.Addr().String(), ak: accessKey, sk: secretKey, app: a,
		stop: func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			a.Shutdown(ctx)
		}}, nil
}

// startPeer starts another S3 server from a binary on loopback with a
// temporary data directory, and waits until its port answers.
func startPeer(name, bin, dir string) (*s3Target, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	var cmd *exec.Cmd
	env := os.Environ()
	switch name {
	case "minio":
		cmd = exec.Command(bin, "server", "--quiet", "--address", addr, "--console-address", "127.0.0.1:0", dir)
		env = append(env, "MINIO_ROOT_USER="+accessKey, "MINIO_ROOT_PASSWORD="+secretKey)
	case "versitygw":
		cmd = exec.Command(bin, "--port", addr, "posix", dir)
		env = append(env, "ROOT_ACCESS_KEY="+accessKey, "ROOT_SECRET_KEY="+secretKey)
	case "outpost-process", "outpost-base":
		// An outpost binary as its own process: this build (BENCH_OUTPOST,
		// to compare with the in-process target) or another one
		// (BENCH_OUTPOST_BASE, e.g. built before a change) in the same run.
		cmd = exec.Command(bin, "serve", "--data", dir, "--listen", addr, "--log-level", "warn")
		env = append(env, "OUTPOST_ROOT_ACCESS_KEY_ID="+accessKey, "OUTPOST_ROOT_SECRET_ACCESS_KEY="+secretKey)
	default:
		return nil, fmt.Errorf("unknown peer %s", name)
	}
	cmd.Env = env
	logf, _ := os.Create(filepath.Join(filepath.Dir(dir), name+".log"))
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	stop := func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		logf.Close()
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			stop()
			return nil, fmt.Errorf("%s did not listen on %s within 30s (log: %s)", name, addr, logf.Name())
		}
		time.Sleep(100 * time.Millisecond)
	}
	return &s3Target{name: name, endpoint: "http://" + addr, ak: accessKey, sk: secretKey, stop: stop}, nil
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// baseline is a bare net/http server serving the same bytes as the
// workloads, the reference every ratio divides by:
//
//	GET  /mem/N      N bytes from memory (w.Write)
//	GET  /file/N     N bytes from a file with http.ServeContent (sendfile)
//	HEAD /mem/N      headers only
//	PUT  /discard    read the body, keep nothing
//	PUT  /durable    body → new file, fsync, rename into a directory, fsync
//	                 the directory: the least a durable PUT must do, one
//	                 request at a time, no batching
type baseline struct {
	endpoint string
	dir      string
	data     []byte
	n        atomic.Int64
	srv      *http.Server
}

func startBaseline(dir string, sizes []int) (*baseline, error) {
	b := &baseline{dir: dir}
	maxSize := 0
	for _, s := range sizes {
		maxSize = max(maxSize, s)
	}
	b.data = pattern(maxSize)
	if err := os.MkdirAll(filepath.Join(dir, "put"), 0o755); err != nil {
		return nil, err
	}
	for _, s := range sizes {
		if err := os.WriteFile(filepath.Join(dir, "f"+strconv.Itoa(s)), b.data[:s], 0o644); err != nil {
			return nil, err
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	b.endpoint = "http://" + ln.Addr().String()
	b.srv = &http.Server{Handler: http.HandlerFunc(b.serve), ReadHeaderTimeout: 30 * time.Second, IdleTimeout: 120 * time.Second}
	go b.srv.Serve(ln)
	return b, nil
}

func (b *baseline) serve(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, "/mem/"):
		n, err := strconv.Atoi(p[len("/mem/"):])
		if err != nil || n > len(b.data) {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Length", strconv.Itoa(n))
		w.Header().Set("Content-Type", "application/octet-stream")
		if r.Method == http.MethodHead {
			return
		}
		w.Write(b.data[:n])
	case strings.HasPrefix(p, "/file/"):
		f, err := os.Open(filepath.Join(b.dir, "f"+p[len("/file/"):]))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		defer f.Close()
		fi, _ := f.Stat()
		http.ServeContent(w, r, "", fi.ModTime(), f)
	case p == "/discard":
		io.Copy(io.Discard, r.Body)
	case p == "/durable":
		if err := b.durablePut(r.Body); err != nil {
			http.Error(w, err.Error(), 500)
		}
	default:
		http.NotFound(w, r)
	}
}

func (b *baseline) durablePut(body io.Reader) error {
	id := b.n.Add(1)
	tmp := filepath.Join(b.dir, "put", "tmp"+strconv.FormatInt(id, 10))
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, body); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	f.Close()
	final := filepath.Join(b.dir, "put", strconv.FormatInt(id, 10))
	if err := os.Rename(tmp, final); err != nil {
		return err
	}
	d, err := os.Open(filepath.Join(b.dir, "put"))
	if err != nil {
		return err
	}
	defer d.Close()
	err = d.Sync()
	os.Remove(final) // keep the disk clean; the point was the fsyncs
	return err
}

func (b *baseline) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := b.srv.Shutdown(ctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		b.srv.Close()
	}
}

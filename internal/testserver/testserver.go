// Package testserver starts a real Outpost on 127.0.0.1 with a temporary
// data directory, for integration tests that drive it through real clients.
package testserver

import (
	"context"
	"crypto/x509"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/outpost-s3/outpost/internal/app"
	"github.com/outpost-s3/outpost/internal/tlsutil"
)

// Fixed identity used by tests, so expected ARNs are easy to write.
const (
	Region    = "us-east-1"
	OutpostID = "op-01ac5d28a6a232904"
	AccountID = "111122223333"
	AccessKey = "AKIDOUTPOSTTEST00001"
	SecretKey = "outpost/test/secret+key/0123456789abcdefgh"
	// MasterKey encrypts the test servers' secrets at rest, fixed so that
	// servers sharing one PostgreSQL database read each other's keys.
	MasterKey = "b3V0cG9zdC10ZXN0LW1hc3Rlci1rZXktMDEyMzQ1Njc="
)

// Server is a running Outpost.
type Server struct {
	App      *app.App
	URL      string // http://127.0.0.1:PORT
	Addr     string // 127.0.0.1:PORT
	DataDir  string
	Logs     *LogBuffer
	listener net.Listener
	done     chan struct{}

	// With Options.TLS: the HTTPS listener's address (127.0.0.1:PORT), its
	// URL as the SDKs should be given it (https://localhost:PORT), and the
	// generated CA.
	TLSAddr string
	TLSURL  string
	CAFile  string
	CAPool  *x509.CertPool
	tlsDone chan struct{}
}

// Options adjust a test server.
type Options struct {
	DataDir string // reuse a data directory (restart tests)
	Config  func(*app.Config)
	// TLS adds an HTTPS listener with a generated certificate.
	TLS bool
}

// Start runs a server until the test ends.
func Start(t testing.TB, opts ...Options) *Server {
	t.Helper()
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	dir := o.DataDir
	if dir == "" {
		dir = t.TempDir()
	}
	logs := &LogBuffer{}
	cfg := app.Config{
		DataDir: dir, Region: Region, OutpostID: OutpostID, AccountID: AccountID,
		RootAccessKeyID: AccessKey, RootSecretAccessKey: SecretKey, MasterKey: MasterKey,
		Logger: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	if dsn := os.Getenv("OUTPOST_TEST_SERVER_POSTGRES_DSN"); dsn != "" {
		cfg.PostgresDSN = dsn
	}
	if o.TLS {
		cfg.TLSListen = "127.0.0.1:0"
	}
	if o.Config != nil {
		o.Config(&cfg)
	}
	a, err := app.Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("open outpost: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{App: a, Addr: ln.Addr().String(), URL: "http://" + ln.Addr().String(), DataDir: dir, Logs: logs, listener: ln, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		if err := a.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("serve: %v", err)
		}
	}()
	if a.TLS != nil {
		tln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		s.TLSAddr = tln.Addr().String()
		_, port, _ := net.SplitHostPort(s.TLSAddr)
		s.TLSURL = "https://localhost:" + port
		s.CAFile = a.TLS.CAFile
		if s.CAFile != "" {
			if s.CAPool, err = tlsutil.CertPool(s.CAFile); err != nil {
				t.Fatal(err)
			}
		}
		s.tlsDone = make(chan struct{})
		go func() {
			defer close(s.tlsDone)
			if err := a.ServeTLS(tln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				t.Errorf("serve TLS: %v", err)
			}
		}()
	}
	t.Cleanup(s.Stop)
	return s
}

// Stop shuts the server down (idempotent).
func (s *Server) Stop() {
	select {
	case <-s.done:
		return
	default:
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s.App.Shutdown(ctx)
	<-s.done
	if s.tlsDone != nil {
		<-s.tlsDone
	}
}

// LogBuffer collects the server's log output.
type LogBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (l *LogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// String returns everything logged so far.
func (l *LogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

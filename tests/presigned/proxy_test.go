package presigned_test

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/outpost-s3/outpost/internal/app"
	"github.com/outpost-s3/outpost/internal/testserver"
	"github.com/outpost-s3/outpost/presign"
)

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startNginx runs Debian's nginx with the given server blocks until the test ends.
func startNginx(t *testing.T, servers string) {
	t.Helper()
	bin, err := exec.LookPath("nginx")
	if err != nil {
		bin = "/usr/sbin/nginx"
		if _, err := os.Stat(bin); err != nil {
			t.Fatal("nginx is required (scripts/test.sh installs the Debian package)")
		}
	}
	dir := t.TempDir()
	conf := fmt.Sprintf(`worker_processes 1;
error_log %[1]s/error.log warn;
pid %[1]s/nginx.pid;
events { worker_connections 128; }
http {
  access_log off;
  client_body_temp_path %[1]s/body;
  proxy_temp_path %[1]s/proxy;
  fastcgi_temp_path %[1]s/fastcgi;
  uwsgi_temp_path %[1]s/uwsgi;
  scgi_temp_path %[1]s/scgi;
  client_max_body_size 0;
  proxy_request_buffering off;
  proxy_buffering off;
  %[2]s
}
`, dir, servers)
	path := filepath.Join(dir, "nginx.conf")
	os.WriteFile(path, []byte(conf), 0o644)
	cmd := exec.Command(bin, "-p", dir, "-c", path, "-g", "daemon off; user root; master_process on;")
	out, _ := os.Create(filepath.Join(dir, "stderr"))
	cmd.Stdout, cmd.Stderr = out, out
	// SIGQUIT makes the master stop its workers too; SIGKILL would orphan them.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGQUIT}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGQUIT)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	time.Sleep(300 * time.Millisecond)
	if cmd.ProcessState != nil {
		b, _ := os.ReadFile(filepath.Join(dir, "stderr"))
		t.Fatalf("nginx exited: %s", b)
	}
}

func waitPort(t *testing.T, port int) {
	t.Helper()
	for i := 0; i < 50; i++ {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			c.Close()
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("nothing listens on %d", port)
}

// TestPresignedURLsBehindNginx: a proxy that rewrites Host breaks
// signatures unless the server trusts it and reads X-Forwarded-Host, or
// knows its public URL.
func TestPresignedURLsBehindNginx(t *testing.T) {
	loopback := []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	trusting := testserver.Start(t, testserver.Options{Config: func(c *app.Config) { c.TrustedProxies = loopback }})
	untrusting := testserver.Start(t)
	pubPort := freePort(t)
	prefixed := testserver.Start(t, testserver.Options{Config: func(c *app.Config) {
		c.TrustedProxies = loopback
		c.PublicURL = fmt.Sprintf("http://127.0.0.1:%d/s3", pubPort)
	}})
	fwdPort, plainPort := freePort(t), freePort(t)
	startNginx(t, fmt.Sprintf(`
  server {
    listen 127.0.0.1:%d;
    location / {
      proxy_pass http://%s;
      proxy_set_header X-Forwarded-Host $http_host;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    }
  }
  server {
    listen 127.0.0.1:%d;
    location / {
      proxy_pass http://%s;
      proxy_set_header X-Forwarded-Host $http_host;
    }
  }
  server {
    listen 127.0.0.1:%d;
    location /s3/ {
      proxy_pass http://%s/;
    }
  }`, fwdPort, trusting.Addr, plainPort, untrusting.Addr, pubPort, prefixed.Addr))
	waitPort(t, fwdPort)
	waitPort(t, pubPort)

	for _, s := range []*testserver.Server{trusting, untrusting, prefixed} {
		s.MustBucket(t, "behind-proxy")
		put(t, s, "behind-proxy", "file a+b.txt", []byte("through the proxy"))
		put(t, s, "behind-proxy", "simple.txt", []byte("prefixed"))
	}
	for _, algo := range []string{presign.SigV4, presign.SigV4A, presign.SigV2} {
		u := mustURL(t, presign.Request{Resource: "behind-proxy", Key: "file a+b.txt", Expires: time.Hour, Endpoint: fmt.Sprintf("http://127.0.0.1:%d", fwdPort), Algorithm: algo})
		if st, b, _ := fetch(t, "GET", u, nil, nil); st != 200 || string(b) != "through the proxy" {
			t.Fatalf("%s through a trusted proxy: %d %s", algo, st, b)
		}
		// The same setup without trust: the rewritten Host fails a SigV4
		// signature, and the forwarded headers are ignored. (SigV2 does
		// not sign the host of a path-style URL.)
		if algo != presign.SigV2 {
			u = mustURL(t, presign.Request{Resource: "behind-proxy", Key: "file a+b.txt", Expires: time.Hour, Endpoint: fmt.Sprintf("http://127.0.0.1:%d", plainPort), Algorithm: algo})
			st, b, _ := fetch(t, "GET", u, nil, nil)
			wantError(t, st, b, 403, "SignatureDoesNotMatch")
		}
		// Under a path prefix, with --public-url.
		u = mustURL(t, presign.Request{Resource: "behind-proxy", Key: "simple.txt", Expires: time.Hour, Endpoint: fmt.Sprintf("http://127.0.0.1:%d/s3", pubPort), Algorithm: algo})
		if !strings.Contains(u, "/s3/behind-proxy/simple.txt") {
			t.Fatalf("public URL path: %s", u)
		}
		if st, b, _ := fetch(t, "GET", u, nil, nil); st != 200 || string(b) != "prefixed" {
			t.Fatalf("%s under a path prefix: %d %s", algo, st, b)
		}
	}
	// A client that talks to the server directly cannot borrow a host by
	// sending X-Forwarded-Host itself (it is not a trusted proxy here).
	u := mustURL(t, presign.Request{Resource: "behind-proxy", Key: "simple.txt", Expires: time.Hour, Endpoint: "http://files.example.com"})
	direct := strings.Replace(u, "http://files.example.com", untrusting.URL, 1)
	st, b, _ := fetch(t, "GET", direct, nil, map[string][]string{"X-Forwarded-Host": {"files.example.com"}})
	wantError(t, st, b, 403, "SignatureDoesNotMatch")
}

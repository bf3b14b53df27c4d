// Package crash holds a harness that runs `outpost serve` as a child
// process on a data directory, so tests can SIGKILL it at any moment,
// restart it on the same directory and check what survived. A Node is one
// server process; several Nodes may share a metadata store and blobs once
// Outpost runs as a cluster.
package crash

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Build compiles ./cmd/outpost of the module at moduleDir into dir and
// returns the binary's path.
func Build(moduleDir, dir string) (string, error) {
	bin := filepath.Join(dir, "outpost")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/outpost")
	cmd.Dir = moduleDir
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/outpost: %v\n%s", err, out)
	}
	return bin, nil
}

// Node is one `outpost serve` process. The zero value is not usable; fill
// Bin and DataDir, then call Start.
type Node struct {
	Bin     string   // the outpost binary
	DataDir string   // --data
	Args    []string // extra serve flags
	Env     []string // extra environment (KEY=VALUE), e.g. root credentials
	// LogPath receives the server's stderr, appended across restarts
	// ("" = DataDir + ".log").
	LogPath string

	mu       sync.Mutex
	cmd      *exec.Cmd
	endpoint string
	exited   chan struct{}
	starts   int
}

// Start runs the server and waits until it prints "ready" (at most 30s).
// It listens on a fresh loopback port each time.
func (n *Node) Start() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.cmd != nil {
		return errors.New("node already running")
	}
	if n.LogPath == "" {
		n.LogPath = n.DataDir + ".log"
	}
	logf, err := os.OpenFile(n.LogPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	args := append([]string{"serve", "--data", n.DataDir, "--listen", "127.0.0.1:0", "--log-format", "json"}, n.Args...)
	cmd := exec.Command(n.Bin, args...)
	cmd.Env = append(os.Environ(), n.Env...)
	cmd.Stderr = logf
	dieWithParent(cmd)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		logf.Close()
		return err
	}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return err
	}
	exited := make(chan struct{})
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		endpoint := ""
		for sc.Scan() {
			line := sc.Text()
			if v, ok := strings.CutPrefix(strings.TrimSpace(line), "endpoint:"); ok {
				endpoint = strings.TrimSpace(v)
			}
			if line == "ready" {
				ready <- endpoint
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	go func() {
		cmd.Wait()
		logf.Close()
		close(exited)
	}()
	select {
	case ep := <-ready:
		if ep == "" {
			cmd.Process.Kill()
			<-exited
			return errors.New("server printed ready without an endpoint")
		}
		n.cmd, n.endpoint, n.exited = cmd, ep, exited
		n.starts++
		return nil
	case <-exited:
		return fmt.Errorf("server exited before ready (%v); log %s:\n%s", cmd.ProcessState, n.LogPath, tail(n.LogPath))
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		<-exited
		return fmt.Errorf("server not ready after 30s; log:\n%s", tail(n.LogPath))
	}
}

// Kill sends SIGKILL (no cleanup of any kind runs in the server) and waits
// for the process to be gone.
func (n *Node) Kill() error { return n.signal(syscall.SIGKILL) }

// Stop asks the server to shut down gracefully (SIGTERM) and waits.
func (n *Node) Stop() error { return n.signal(syscall.SIGTERM) }

func (n *Node) signal(sig syscall.Signal) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.cmd == nil {
		return nil
	}
	err := n.cmd.Process.Signal(sig)
	select {
	case <-n.exited:
	case <-time.After(60 * time.Second):
		n.cmd.Process.Kill()
		<-n.exited
		err = fmt.Errorf("server did not exit after %v", sig)
	}
	n.cmd, n.endpoint = nil, ""
	if errors.Is(err, os.ErrProcessDone) {
		err = nil
	}
	return err
}

// Restart kills the server (if running) and starts it again on the same
// data directory.
func (n *Node) Restart() error {
	if err := n.Kill(); err != nil {
		return err
	}
	return n.Start()
}

// Endpoint is the server's URL (http://127.0.0.1:PORT), "" when stopped.
func (n *Node) Endpoint() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.endpoint
}

// Running reports whether the process is alive.
func (n *Node) Running() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.cmd == nil {
		return false
	}
	select {
	case <-n.exited:
		return false
	default:
		return true
	}
}

// Starts is how many times the node has started.
func (n *Node) Starts() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.starts
}

// Logs returns the server's stderr so far.
func (n *Node) Logs() string {
	b, _ := os.ReadFile(n.LogPath)
	return string(b)
}

// WaitReady polls fn until it returns nil or ctx ends.
func WaitReady(ctx context.Context, fn func() error) error {
	for {
		err := fn()
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func tail(path string) string {
	b, _ := os.ReadFile(path)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

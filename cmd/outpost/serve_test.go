package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awscreds "github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/outpost-s3/outpost/sigv4"
)

// buildBinary compiles outpost once per test binary.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "outpost")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("build: %v", err)
	}
	return bin
}

// started is a running `outpost serve` and what its banner said.
type started struct {
	cmd    *exec.Cmd
	banner map[string]string
	stdout *bufio.Reader
}

func startServe(t *testing.T, bin string, env []string, args ...string) *started {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	// The server dies with the test binary, even if the test times out.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	out, _ := cmd.StdoutPipe()
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	s := &started{cmd: cmd, banner: map[string]string{}, stdout: bufio.NewReader(out)}
	for {
		line, err := s.stdout.ReadString('\n')
		if err != nil {
			t.Fatalf("serve exited before its banner: %v", err)
		}
		line = strings.TrimSpace(line)
		if line == "ready" {
			go io.Copy(io.Discard, s.stdout)
			return s
		}
		if k, v, ok := strings.Cut(line, ":"); ok {
			s.banner[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
}

func TestServeFirstStartPrintsIdentityAndKeepsIt(t *testing.T) {
	bin := buildBinary(t)
	data := filepath.Join(t.TempDir(), "data")
	s := startServe(t, bin, nil, "--data", data, "--listen", "127.0.0.1:0")
	for _, k := range []string{"endpoint", "region", "outpost ID", "account ID", "access key", "secret key"} {
		if s.banner[k] == "" {
			t.Fatalf("banner lacks %q: %v", k, s.banner)
		}
	}
	if !strings.HasPrefix(s.banner["outpost ID"], "op-") || len(s.banner["outpost ID"]) != 20 || len(s.banner["account ID"]) != 12 {
		t.Fatalf("identity format: %v", s.banner)
	}
	endpoint := s.banner["endpoint"]
	client := s3.New(s3.Options{Region: s.banner["region"], BaseEndpoint: aws.String(endpoint), UsePathStyle: true,
		Credentials: awscreds.NewStaticCredentialsProvider(s.banner["access key"], s.banner["secret key"], "")})
	ctx := context.Background()
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("persist")}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("persist"), Key: aws.String("k"), Body: strings.NewReader("kept")}); err != nil {
		t.Fatal(err)
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	if err := s.cmd.Wait(); err != nil {
		t.Fatalf("serve did not exit cleanly on SIGTERM: %v", err)
	}

	// Second start: same identity, the secret is not printed again, data kept.
	s2 := startServe(t, bin, nil, "--data", data, "--listen", "127.0.0.1:0")
	for _, k := range []string{"outpost ID", "account ID", "access key"} {
		if s2.banner[k] != s.banner[k] {
			t.Fatalf("%s changed across restarts: %q then %q", k, s.banner[k], s2.banner[k])
		}
	}
	if s2.banner["secret key"] != "" {
		t.Fatal("the secret key was printed again")
	}
	client = s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(s2.banner["endpoint"]), UsePathStyle: true,
		Credentials: awscreds.NewStaticCredentialsProvider(s.banner["access key"], s.banner["secret key"], "")})
	out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("persist"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(out.Body)
	if string(b) != "kept" {
		t.Fatalf("after restart: %q", b)
	}
	// A second server on a data directory in use is refused.
	msg, err := exec.Command(bin, "serve", "--data", data, "--listen", "127.0.0.1:0").CombinedOutput()
	if err == nil || !strings.Contains(string(msg), "in use by another Outpost server") {
		t.Fatalf("second server on one data directory: %v %s", err, msg)
	}
	s2.cmd.Process.Signal(syscall.SIGTERM)
	if err := s2.cmd.Wait(); err != nil {
		t.Fatalf("serve did not exit cleanly on SIGTERM: %v", err)
	}
	// A different outpost ID for the same data directory is refused.
	cmd := exec.Command(bin, "serve", "--data", data, "--listen", "127.0.0.1:0", "--outpost-id", "op-0123456789abcdef0")
	msg, err = cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(msg), "belongs to") {
		t.Fatalf("identity change accepted: %v %s", err, msg)
	}
}

func TestServeFinishesInFlightRequestsOnSIGTERM(t *testing.T) {
	bin := buildBinary(t)
	env := []string{"OUTPOST_ROOT_ACCESS_KEY_ID=AKIDGRACEFUL00000001", "OUTPOST_ROOT_SECRET_ACCESS_KEY=graceful-secret"}
	s := startServe(t, bin, env, "--data", t.TempDir(), "--listen", "127.0.0.1:0")
	if s.banner["access key"] != "AKIDGRACEFUL00000001" || s.banner["secret key"] != "" {
		t.Fatalf("environment credentials: %v", s.banner)
	}
	client := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(s.banner["endpoint"]), UsePathStyle: true,
		Credentials: awscreds.NewStaticCredentialsProvider("AKIDGRACEFUL00000001", "graceful-secret", "")})
	ctx := context.Background()
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("graceful")}); err != nil {
		t.Fatal(err)
	}
	// A slow upload is in flight when SIGTERM arrives; it must complete.
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	req, _ := http.NewRequest("PUT", s.banner["endpoint"]+"/graceful/slow", pr)
	req.ContentLength = 1 << 20
	sigv4.SignRequest(req, sigv4.Credentials{AccessKeyID: "AKIDGRACEFUL00000001", SecretAccessKey: "graceful-secret"}, "us-east-1", "s3", sigv4.UnsignedPayload, time.Now())
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode != 200 {
				err = fmt.Errorf("status %d", resp.StatusCode)
			}
		}
		done <- err
	}()
	chunk := make([]byte, 64<<10)
	pw.Write(chunk)
	time.Sleep(200 * time.Millisecond)
	s.cmd.Process.Signal(syscall.SIGTERM)
	time.Sleep(200 * time.Millisecond)
	for i := 1; i < 16; i++ {
		pw.Write(chunk)
	}
	pw.Close()
	if err := <-done; err != nil {
		t.Fatalf("in-flight upload failed during shutdown: %v", err)
	}
	if err := s.cmd.Wait(); err != nil {
		t.Fatalf("exit: %v", err)
	}
	// New connections are refused after shutdown.
	if _, err := http.Get(s.banner["endpoint"]); err == nil {
		t.Fatal("server still accepting after shutdown")
	}
}

// TestFirstStartThatCannotListenKeepsNothing: a first `outpost serve` whose
// port is taken used to create the identity and master key before failing,
// so the next start printed no secret and the root secret was lost. Now the
// listeners are bound first: the failed start stores nothing and the next
// one prints the secret, which works.
func TestFirstStartThatCannotListenKeepsNothing(t *testing.T) {
	bin := buildBinary(t)
	data := filepath.Join(t.TempDir(), "data")
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	for _, args := range [][]string{
		{"--listen", taken.Addr().String()},
		{"--listen", "127.0.0.1:0", "--tls-listen", taken.Addr().String()},
	} {
		cmd := exec.Command(bin, append([]string{"serve", "--data", data}, args...)...)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err == nil {
			t.Fatalf("serve %v on a taken port exited 0", args)
		}
		if !strings.Contains(stderr.String(), "address already in use") {
			t.Fatalf("serve %v: stderr %q does not say why", args, stderr.String())
		}
		if strings.Contains(string(out), "secret key") {
			t.Fatalf("a start that failed printed a secret: %s", out)
		}
		if entries, _ := os.ReadDir(data); len(entries) > 0 {
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			t.Fatalf("a start that could not listen left %v in the data directory", names)
		}
	}
	s := startServe(t, bin, nil, "--data", data, "--listen", "127.0.0.1:0")
	if s.banner["secret key"] == "" {
		t.Fatalf("the first start that listened printed no secret: %v", s.banner)
	}
	c := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(s.banner["endpoint"]), UsePathStyle: true,
		Credentials: awscreds.NewStaticCredentialsProvider(s.banner["access key"], s.banner["secret key"], "")})
	if _, err := c.ListBuckets(context.Background(), &s3.ListBucketsInput{}); err != nil {
		t.Fatalf("the printed credentials do not work: %v", err)
	}
}

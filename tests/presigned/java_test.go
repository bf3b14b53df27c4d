package presigned_test

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/outpost-s3/outpost/internal/testserver"
)

// javaLink is one line of tests/java's output: a presigned URL and the
// headers its user must send.
type javaLink struct {
	url    string
	header http.Header
}

// requireJava skips the test, loudly, where there is no JVM or Maven.
func requireJava(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"java", "mvn"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("SKIPPED: no %s on PATH, so the AWS SDK for Java presigned URL tests did not run; "+
				"scripts/test.sh installs default-jdk-headless and maven (Debian)", tool)
		}
	}
}

// javaLinks fetches tests/java's dependencies with Maven and runs it once,
// returning its links by "SDK TARGET METHOD" (SDK v1 or v2, TARGET ap or
// bucket).
func javaLinks(t *testing.T, endpoint, apARN, bucket, key string) map[string]javaLink {
	t.Helper()
	dir, _ := filepath.Abs("../java")
	// validate fetches the SDKs and writes the classpath; java runs the
	// source file itself (JEP 330), which is quicker than mvn compile.
	build := exec.Command("mvn", "-q", "-B", "-Dstyle.color=never", "validate")
	build.Dir = dir
	start := time.Now()
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("mvn validate in tests/java: %v\n%s", err, out)
	}
	t.Logf("mvn validate: %v", time.Since(start).Round(time.Millisecond))
	cp, err := os.ReadFile(filepath.Join(dir, "target", "classpath.txt"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("java", "-XX:TieredStopAtLevel=1", "-cp", strings.TrimSpace(string(cp)),
		filepath.Join("src", "main", "java", "Presign.java"), endpoint, apARN, bucket, key)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID="+testserver.AccessKey, "AWS_SECRET_ACCESS_KEY="+testserver.SecretKey,
		"AWS_JAVA_V1_DISABLE_DEPRECATION_ANNOUNCEMENT=true")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start = time.Now()
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("java Presign: %v\n%s", err, stderr.String())
	}
	t.Logf("java Presign: %v", time.Since(start).Round(time.Millisecond))
	links := map[string]javaLink{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Split(line, "\t")
		if len(f) < 4 {
			t.Fatalf("java Presign printed %q", line)
		}
		l := javaLink{url: f[3], header: http.Header{}}
		for _, h := range f[4:] {
			name, value, _ := strings.Cut(h, ": ")
			l.header.Add(name, value)
		}
		links[f[0]+" "+f[1]+" "+f[2]] = l
	}
	return links
}

// TestURLsFromAWSSDKForJava runs the user guide's Java example: links made
// by the AWS SDK for Java v1 (AmazonS3.generatePresignedUrl) and v2
// (S3Presigner) for an access point ARN and for a plain bucket, with the
// server's HTTPS URL as the endpoint, used over HTTPS with no credentials.
// Both SDKs sign SigV4 for the service s3-outposts on an ARN (v2 has no
// SigV4A without the CRT) and address it as
// {ap}-{account}.{outpost}.localhost:PORT.
func TestURLsFromAWSSDKForJava(t *testing.T) {
	requireJava(t)
	o := newOutpostsSetup(t)
	o.srv.MustBucket(t, "java-links")
	key := "from java/ü+1.txt"
	links := javaLinks(t, o.endpoint, o.apARN, "java-links", key)
	if len(links) != 12 {
		t.Fatalf("java Presign printed %d links, want 12: %v", len(links), links)
	}
	for _, target := range []string{"ap", "bucket"} {
		for _, sdk := range []string{"v1", "v2"} {
			link := func(method string) javaLink { return links[sdk+" "+target+" "+method] }
			name := sdk + " " + target
			wantHost, wantScope := "example-outpost-access-point-111122223333.op-01ac5d28a6a232904.localhost:", "%2Fus-east-1%2Fs3-outposts%2Faws4_request"
			client, bucket := o.srv.S3AccessPoint(t), o.apARN
			if target == "bucket" {
				wantHost, wantScope = "localhost:", "%2Fus-east-1%2Fs3%2Faws4_request"
				client, bucket = o.srv.S3(t), "java-links"
			}
			for _, m := range []string{"PUT", "GET", "DELETE"} {
				u := link(m).url
				if !strings.HasPrefix(u, "https://"+wantHost) || !strings.Contains(u, "X-Amz-Algorithm=AWS4-HMAC-SHA256") || !strings.Contains(u, wantScope) {
					t.Fatalf("%s %s link: %s", name, m, u)
				}
			}
			put := link("PUT")
			if put.header.Get("Content-Type") != "text/plain" {
				t.Fatalf("%s PUT link binds %v, want Content-Type text/plain", name, put.header)
			}
			body := []byte("uploaded through a link from the AWS SDK for Java " + name)

			// The PUT link is for one method, one key and its signed header.
			st, b, _ := o.do(t, "GET", put.url, nil, nil)
			wantError(t, st, b, 403, "SignatureDoesNotMatch")
			st, b, _ = o.do(t, "PUT", otherKey(t, put.url, "other.txt"), body, put.header)
			wantError(t, st, b, 403, "SignatureDoesNotMatch")
			st, b, _ = o.do(t, "PUT", put.url, body, http.Header{"Content-Type": {"application/octet-stream"}})
			wantError(t, st, b, 403, "SignatureDoesNotMatch")
			if _, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("from java/other.txt")}); err == nil {
				t.Fatalf("%s: a refused PUT link stored other.txt", name)
			}

			if st, b, _ := o.do(t, "PUT", put.url, body, put.header); st != 200 {
				t.Fatalf("%s presigned PUT: %d %s\n%s", name, st, b, put.url)
			}
			got, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
			if err != nil {
				t.Fatalf("%s: read back with aws-sdk-go-v2: %v", name, err)
			}
			stored, _ := io.ReadAll(got.Body)
			got.Body.Close()
			if !bytes.Equal(stored, body) || aws.ToString(got.ContentType) != "text/plain" {
				t.Fatalf("%s: stored %q as %s", name, stored, aws.ToString(got.ContentType))
			}
			st, b, h := o.do(t, "GET", link("GET").url, nil, nil)
			if st != 200 || !bytes.Equal(b, body) || h.Get("Content-Type") != "text/plain" {
				t.Fatalf("%s presigned GET: %d %s", name, st, b)
			}
			st, b, _ = o.do(t, "DELETE", link("GET").url, nil, nil)
			wantError(t, st, b, 403, "SignatureDoesNotMatch")
			if st, b, _ := o.do(t, "DELETE", link("DELETE").url, nil, nil); st != 204 {
				t.Fatalf("%s presigned DELETE: %d %s", name, st, b)
			}
			st, b, _ = o.do(t, "GET", link("GET").url, nil, nil)
			wantError(t, st, b, 404, "NoSuchKey")
		}
	}
}

// otherKey returns the link u with its key (the last path segment) replaced.
func otherKey(t *testing.T, u, name string) string {
	t.Helper()
	p, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	path := p.EscapedPath()
	other := strings.Replace(u, path, path[:strings.LastIndex(path, "/")+1]+name, 1)
	if other == u {
		t.Fatalf("could not replace the key of %s", u)
	}
	return other
}

package presigned_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/outpost-s3/outpost/internal/testserver"
)

// TestOutpostPresignContentFlags: a GET link made with
// --response-content-disposition / --response-content-type (or
// --content-disposition / --content-type on a GET) is served with those
// headers, so a browser opens it in the tab or downloads it by name; a PUT
// link binds the headers the uploader must send.
func TestOutpostPresignContentFlags(t *testing.T) {
	srv := testserver.Start(t)
	srv.MustBucket(t, "cli-flags")
	put(t, srv, "cli-flags", "report.bin", []byte("%PDF-1.7 report"))
	run := presignCLI(t, nil)
	base := []string{"--endpoint-url", srv.URL, "--profile", "sharing"}
	for _, c := range []struct {
		args             []string
		wantType, wantCD string
	}{
		{[]string{"--response-content-disposition", "inline", "--response-content-type", "application/pdf"}, "application/pdf", "inline"},
		{[]string{"--content-disposition", `attachment; filename="q1 report.pdf"`, "--content-type", "application/pdf"}, "application/pdf", `attachment; filename="q1 report.pdf"`},
	} {
		u, stderr, err := run(append(append([]string{"s3://cli-flags/report.bin"}, base...), c.args...)...)
		if err != nil {
			t.Fatalf("presign %v: %v %s", c.args, err, stderr)
		}
		st, b, h := fetch(t, "GET", u, nil, nil)
		if st != 200 || string(b) != "%PDF-1.7 report" || h.Get("Content-Type") != c.wantType || h.Get("Content-Disposition") != c.wantCD {
			t.Fatalf("GET %v: %d %q Content-Type %q Content-Disposition %q", c.args, st, b, h.Get("Content-Type"), h.Get("Content-Disposition"))
		}
		// The overrides are signed: a holder cannot change them.
		tampered := strings.Replace(u, "response-content-type=application%2Fpdf", "response-content-type=text%2Fhtml", 1)
		if tampered == u {
			t.Fatalf("no response-content-type in %s", u)
		}
		st, b, _ = fetch(t, "GET", tampered, nil, nil)
		wantError(t, st, b, 403, "SignatureDoesNotMatch")
	}

	u, stderr, err := run(append([]string{"s3://cli-flags/up.pdf", "--method", "PUT", "--content-type", "application/pdf", "--content-disposition", "inline"}, base...)...)
	if err != nil {
		t.Fatalf("presign PUT: %v %s", err, stderr)
	}
	st, b, _ := fetch(t, "PUT", u, []byte("up"), http.Header{"Content-Type": {"application/pdf"}})
	wantError(t, st, b, 403, "SignatureDoesNotMatch") // Content-Disposition is bound too
	if st, b, _ := fetch(t, "PUT", u, []byte("up"), http.Header{"Content-Type": {"application/pdf"}, "Content-Disposition": {"inline"}}); st != 200 {
		t.Fatalf("PUT with the bound headers: %d %s", st, b)
	}
	if _, stderr, err := run(append([]string{"s3://cli-flags/up.pdf", "--method", "PUT", "--response-content-type", "text/plain"}, base...)...); err == nil || !strings.Contains(stderr, "GET links") {
		t.Fatalf("--response-content-type on a PUT link: %v %s", err, stderr)
	}
}

// TestOutpostPresignWarnings: `outpost presign` says on stderr (the URL
// alone stays on stdout) when a link will die with its temporary
// credentials, and when an access point ARN cannot be addressed on the
// endpoint given (an IP address, or plain HTTP).
func TestOutpostPresignWarnings(t *testing.T) {
	run := presignCLI(t, nil)
	apARN := "s3://arn:aws:s3-outposts:us-east-1:111122223333:outpost/op-01ac5d28a6a232904/accesspoint/reports/k.txt"
	u, stderr, err := run(apARN, "--endpoint-url", "https://127.0.0.1:9443", "--profile", "sharing")
	if err != nil || !strings.HasPrefix(u, "https://reports-111122223333.op-01ac5d28a6a232904.127.0.0.1:9443/k.txt?") {
		t.Fatalf("ARN on an IP endpoint: %v %q %s", err, u, stderr)
	}
	if !strings.Contains(stderr, "warning:") || !strings.Contains(stderr, "https://localhost:9443") {
		t.Fatalf("no warning about the IP endpoint: %q", stderr)
	}
	_, stderr, _ = run(apARN, "--endpoint-url", "http://localhost:9000", "--profile", "sharing")
	if !strings.Contains(stderr, "over HTTPS") {
		t.Fatalf("no warning about a plain-HTTP endpoint: %q", stderr)
	}
	if _, stderr, _ = run(apARN, "--endpoint-url", "https://localhost:9443", "--profile", "sharing"); stderr != "" {
		t.Fatalf("a good endpoint warned: %q", stderr)
	}
	// Temporary credentials from the environment: the link dies with them.
	runTemp := presignCLI(t, []string{"AWS_ACCESS_KEY_ID=ASIAEXAMPLE000000000", "AWS_SECRET_ACCESS_KEY=secret", "AWS_SESSION_TOKEN=token"})
	u, stderr, err = runTemp("s3://bucket/k.txt", "--endpoint-url", "http://127.0.0.1:9000", "--expires-in", "604800")
	if err != nil || !strings.Contains(u, "X-Amz-Security-Token=token") || !strings.Contains(stderr, "temporary") || strings.Contains(u, "warning") {
		t.Fatalf("temporary credentials: %v %q %q", err, u, stderr)
	}
}

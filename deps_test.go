package outpost_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencyRules enforces the architecture's package boundaries: the
// public packages use only the standard library, and the stores know
// nothing of HTTP or the API layer.
func TestDependencyRules(t *testing.T) {
	deps := func(pkg string) []string {
		out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", pkg).Output()
		if err != nil {
			t.Fatalf("go list %s: %v", pkg, err)
		}
		return strings.Fields(string(out))
	}
	for _, pkg := range []string{"./sigv4", "./arn", "./internal/policy"} {
		for _, d := range deps(pkg) {
			if !strings.HasPrefix(d, "github.com/outpost-s3/outpost/"+strings.TrimPrefix(pkg, "./")) {
				t.Errorf("%s depends on %s; it may use only the standard library", pkg, d)
			}
		}
	}
	for _, pkg := range []string{"./internal/meta/...", "./internal/blob/..."} {
		out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", pkg).Output()
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range strings.Fields(string(out)) {
			if d == "net/http" || strings.HasPrefix(d, "github.com/outpost-s3/outpost/internal/server") || strings.HasPrefix(d, "github.com/outpost-s3/outpost/internal/policy") {
				t.Errorf("%s depends on %s; the stores must know nothing of HTTP or the API", pkg, d)
			}
		}
	}
	// The operate step (objects, with the lifecycle worker) and the one
	// decision point (authz) run for the S3 handlers, a console or a batch
	// job alike: no HTTP, no API layer. What a request carries reaches
	// authz as condition keys.
	for _, pkg := range []string{"./internal/objects", "./internal/authz"} {
		out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", pkg).Output()
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range strings.Fields(string(out)) {
			if d == "net/http" || strings.HasPrefix(d, "github.com/outpost-s3/outpost/internal/server") {
				t.Errorf("%s depends on %s; it must know nothing of HTTP or the API", pkg, d)
			}
		}
	}
}

// TestRequestPathLayers holds the rooms of the request path apart: the
// front door (internal/server) is imported only by what starts a server
// (internal/app, the binary, tests and benchmarks); authentication,
// bucket configuration, the XML model and encryption never reach back
// into it; encryption uses only the standard library.
func TestRequestPathLayers(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", "./...").Output()
	if err != nil {
		t.Fatal(err)
	}
	const mod = "github.com/outpost-s3/outpost/"
	mayImportServer := []string{mod + "internal/app", mod + "cmd/", mod + "internal/testserver", mod + "tests/", mod + "bench", mod + "internal/server"}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		pkg, imports := f[0], f[1:]
		allowed := false
		for _, p := range mayImportServer {
			allowed = allowed || strings.HasPrefix(pkg, p)
		}
		for _, imp := range imports {
			if imp == mod+"internal/server" && !allowed {
				t.Errorf("%s imports the front door internal/server; only internal/app and the binary may", pkg)
			}
		}
	}
	for _, pkg := range []string{"./internal/authn", "./internal/bucketconfig", "./internal/s3xml", "./internal/sse"} {
		out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", pkg).Output()
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range strings.Fields(string(out)) {
			if strings.HasPrefix(d, mod+"internal/server") {
				t.Errorf("%s depends on %s", pkg, d)
			}
			if pkg == "./internal/sse" && strings.HasPrefix(d, mod) && d != mod+"internal/sse" {
				t.Errorf("internal/sse depends on %s; it may use only the standard library", d)
			}
		}
	}
}

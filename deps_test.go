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
	// The one decision point decides from values: what a request carries
	// reaches it as condition keys, so it needs no HTTP.
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", "./internal/authz").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range strings.Fields(string(out)) {
		if d == "net/http" || strings.HasPrefix(d, "github.com/outpost-s3/outpost/internal/server") {
			t.Errorf("./internal/authz depends on %s; it must know nothing of HTTP or the API", d)
		}
	}
}

package sigv4

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

// TestStandardLibraryOnly enforces the dependency rule: sigv4 is a public
// package that imports nothing outside the standard library (tests may).
func TestStandardLibraryOnly(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-json=ImportPath,Standard", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	n := 0
	for dec.More() {
		var p struct {
			ImportPath string
			Standard   bool
		}
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		n++
		if !p.Standard && p.ImportPath != "github.com/outpost-s3/outpost/sigv4" {
			t.Errorf("sigv4 depends on non-standard package %s", p.ImportPath)
		}
	}
	if n == 0 {
		t.Fatal("go list returned no packages")
	}
}

package outpost_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// TestOnlyAuthnMakesAnIdentity holds "one authentication": no code outside
// internal/authn builds an authn.Identity, and in the front door the
// request's identity fields (caller, verified, principal) are assigned in
// one function only, setIdentity, from an authn.Identity. So no handler can
// act for a caller that authn did not authenticate.
func TestOnlyAuthnMakesAnIdentity(t *testing.T) {
	fset := token.NewFileSet()
	checked := 0
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != "." && (d.Name() == "node_modules" || d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		checked++
		inAuthn := filepath.Dir(path) == filepath.Join("internal", "authn")
		inServer := filepath.Dir(path) == filepath.Join("internal", "server")
		for _, decl := range f.Decls {
			fn, _ := decl.(*ast.FuncDecl)
			ast.Inspect(decl, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.CompositeLit:
					if inAuthn {
						return true
					}
					if sel, ok := n.Type.(*ast.SelectorExpr); ok && sel.Sel.Name == "Identity" {
						if x, ok := sel.X.(*ast.Ident); ok && x.Name == "authn" {
							t.Errorf("%s: builds an authn.Identity; only internal/authn may", fset.Position(n.Pos()))
						}
					}
				case *ast.AssignStmt:
					if !inServer || (fn != nil && fn.Name.Name == "setIdentity") {
						return true
					}
					for _, lhs := range n.Lhs {
						sel, ok := lhs.(*ast.SelectorExpr)
						if !ok {
							continue
						}
						switch sel.Sel.Name {
						case "caller", "verified", "principal":
							t.Errorf("%s: assigns .%s outside setIdentity", fset.Position(n.Pos()), sel.Sel.Name)
						}
					}
				}
				return true
			})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 50 {
		t.Fatalf("only %d files checked", checked)
	}
}

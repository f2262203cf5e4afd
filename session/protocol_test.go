package session_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestNoProtocolInSession: package session is the façade of the domain and
// knows no protocol. Its code imports no net/http, no wire format and no
// transport; names no X-GCS header; and holds no decimal literal from 100
// to 599 (an HTTP status: statuses are sderrors.Kind.HTTPStatus's and the
// transports'). Test files may talk about HTTP; the package may not.
func TestNoProtocolInSession(t *testing.T) {
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	files := 0
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		files++
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if p == "net/http" || strings.HasPrefix(p, "net/http/") || p == "google.golang.org/grpc" ||
				strings.HasPrefix(p, "github.com/clientsession/engine/wire") || strings.HasPrefix(p, "github.com/clientsession/engine/transport") {
				t.Errorf("%s imports %s", fset.Position(imp.Pos()), p)
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok {
				return true
			}
			switch lit.Kind {
			case token.STRING:
				if s, err := strconv.Unquote(lit.Value); err == nil && strings.Contains(strings.ToLower(s), "x-gcs") {
					t.Errorf("%s names a protocol header: %s", fset.Position(lit.Pos()), lit.Value)
				}
			case token.INT:
				v, err := strconv.Atoi(strings.ReplaceAll(lit.Value, "_", ""))
				if err == nil && v >= 100 && v <= 599 { // decimal only: 0x7e is a character
					t.Errorf("%s holds %s, an HTTP status", fset.Position(lit.Pos()), lit.Value)
				}
			default: // floats, imaginaries and characters name no protocol
			}
			return true
		})
	}
	if files < 5 {
		t.Fatalf("read %d files of package session; want all of them", files)
	}
}

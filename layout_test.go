package engine_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/clientsession/engine"

// deps returns the non-standard packages pkg compiles (itself included),
// with the module path cut to "." for the project's own.
func deps(t *testing.T, goTool, pkg string) []string {
	t.Helper()
	out, err := exec.CommandContext(t.Context(), goTool, "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", pkg).Output()
	if err != nil {
		t.Fatalf("go list -deps %s: %v", pkg, err)
	}
	var got []string
	for _, p := range strings.Fields(string(out)) {
		if rest, ok := strings.CutPrefix(p, module); ok {
			p = "." + rest
		}
		got = append(got, p)
	}
	return got
}

// TestImportDirections: the facts of the layout (docs/design.md), checked
// on what each package really compiles. errors and storage are leaves;
// wire/auth, the signing side, compiles only errors; a store compiles no
// engine; session compiles no protocol (no wire, no transport, no
// net/http).
func TestImportDirections(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not in PATH:", err)
	}
	only := map[string][]string{ // package: every non-standard package it may compile
		"./errors":           {"./errors"},
		"./storage":          {"./storage"},
		"./wire/auth":        {"./errors", "./wire/auth"},
		"./token":            {"./errors", "./token"},
		"./storage/memstore": {"./errors", "./storage", "./token", "./storage/memstore"},
	}
	for pkg, allowed := range only {
		for _, d := range deps(t, goTool, pkg) {
			if !slices.Contains(allowed, d) {
				t.Errorf("%s compiles %s; it may compile only %v and the standard library", pkg, d, allowed)
			}
		}
	}
	never := map[string][]string{ // package: what it must not compile
		"./session": {"./wire", "./wire/auth", "./transport/connecthttp", "google.golang.org/grpc"},
		"./wire":    {"./transport/connecthttp"},
	}
	for pkg, denied := range never {
		for _, d := range deps(t, goTool, pkg) {
			if slices.Contains(denied, d) {
				t.Errorf("%s compiles %s", pkg, d)
			}
		}
	}
	for _, pkg := range []string{"./session", "./wire", "./wire/auth", "./storage/..."} {
		out, err := exec.CommandContext(t.Context(), goTool, "list", "-deps", "-f", "{{.ImportPath}}", pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		if slices.Contains(strings.Fields(string(out)), "net/http") {
			t.Errorf("%s compiles net/http", pkg)
		}
	}
}

package auth_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportsOnlyErrorsAndStd: a program that imports only this package
// compiles nothing else of the project than its errors package, and no
// third-party module (no session, validator, go-jose or lo), so that a
// merchant's server that only signs stays small.
func TestImportsOnlyErrorsAndStd(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not in PATH:", err)
	}
	cmd := exec.CommandContext(t.Context(), goTool, "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	var got []string
	for _, p := range strings.Fields(string(out)) {
		got = append(got, p)
		switch p {
		case "github.com/clientsession/engine/errors", "github.com/clientsession/engine/wire/auth":
		default:
			t.Errorf("wire/auth depends on %s; want only the errors package and the standard library", p)
		}
	}
	if len(got) != 2 {
		t.Errorf("non-standard dependencies (the package included) = %v; want errors and wire/auth", got)
	}
}

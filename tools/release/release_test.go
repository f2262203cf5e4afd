package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// writeFiles writes files (slash paths relative to dir) under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func git(t *testing.T, dir string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"}, args...)...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

// A released pair as this repository has it: a root module and a nested
// one that requires it at the release version (replace for development).
func goodRepo() map[string]string {
	return map[string]string{
		"go.mod":        "module example.com/lib\n\ngo 1.25.0\n",
		"lib.go":        "package lib\n\nfunc Hello() string { return \"hello\" }\n",
		".gitignore":    "/ignored/\n",
		"sub/go.mod":    "module example.com/lib/sub\n\ngo 1.25.0\n\nrequire example.com/lib v0.2.0\n\nreplace example.com/lib => ../\n",
		"sub/sub.go":    "package sub\n\nimport \"example.com/lib\"\n\nfunc Hello() string { return lib.Hello() + \" from sub\" }\n",
		"helper/go.mod": "module example.com/helper\n\ngo 1.25.0\n",
		"helper/h.go":   "package helper\n\nconst Name = \"helper\"\n",
	}
}

func programs() fstest.MapFS {
	return fstest.MapFS{
		"root/main.go": {Data: []byte("package main\n\nimport \"example.com/lib\"\n\nfunc main() { println(lib.Hello()) }\n")},
		"sub/main.go":  {Data: []byte("package main\n\nimport \"example.com/lib/sub\"\n\nfunc main() { println(sub.Hello()) }\n")},
	}
}

func runCheck(t *testing.T, files map[string]string, progs fstest.MapFS) (string, error) {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command:", err)
	}
	repo := t.TempDir()
	writeFiles(t, repo, files)
	git(t, repo, "init", "-q")
	var out bytes.Buffer
	c := &ConsumerCheck{Repo: repo, Version: "v0.2.0", Modules: []string{".", "sub"}, Programs: progs,
		Work: t.TempDir(), Upstream: "off", Out: &out, Timeout: 2 * time.Minute}
	err := c.Run(t.Context())
	return out.String(), err
}

// TestConsumerCheck: the check passes on modules an outside user can
// consume, and fails, naming the step, on each way they cannot be.
func TestConsumerCheck(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		edit    map[string]string // files added or replaced in goodRepo
		progs   fstest.MapFS      // nil: programs()
		wantErr string            // "" : the check passes
		wantLog string            // in the output when the check fails
	}{
		{name: "consumable"},
		{name: "requires v0.0.0",
			edit:    map[string]string{"sub/go.mod": "module example.com/lib/sub\n\ngo 1.25.0\n\nrequire example.com/lib v0.0.0\n\nreplace example.com/lib => ../\n"},
			wantErr: "go get example.com/lib/sub@v0.2.0", wantLog: "downloading example.com/lib v0.0.0"},
		{name: "a package only in an ignored file",
			edit: map[string]string{"ignored/x.go": "package ignored\n\nconst X = 1\n"},
			progs: fstest.MapFS{
				"root/main.go": {Data: []byte("package main\n\nimport \"example.com/lib/ignored\"\n\nfunc main() { println(ignored.X) }\n")},
				"sub/main.go":  programs()["sub/main.go"],
			},
			wantErr: "go build of the consumer of example.com/lib", wantLog: "example.com/lib/ignored"},
		{name: "a dependency only a replace provides",
			edit: map[string]string{
				"sub/go.mod": "module example.com/lib/sub\n\ngo 1.25.0\n\nrequire (\n\texample.com/lib v0.2.0\n\texample.com/helper v0.0.0\n)\n\nreplace example.com/lib => ../\n\nreplace example.com/helper => ../helper\n",
				"sub/sub.go": "package sub\n\nimport (\n\t\"example.com/helper\"\n\t\"example.com/lib\"\n)\n\nfunc Hello() string { return lib.Hello() + helper.Name }\n",
			},
			wantErr: "go get example.com/lib/sub@v0.2.0", wantLog: "example.com/helper"},
		{name: "a program that fails",
			progs: fstest.MapFS{
				"root/main.go": {Data: []byte("package main\n\nimport (\n\t\"os\"\n\n\t\"example.com/lib\"\n)\n\nfunc main() { println(lib.Hello()); os.Exit(3) }\n")},
				"sub/main.go":  programs()["sub/main.go"],
			},
			wantErr: "consumer program root: exit status 3"},
		{name: "no program for a module",
			progs:   fstest.MapFS{"root/main.go": programs()["root/main.go"]},
			wantErr: "no consumer program for module example.com/lib/sub"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			files := goodRepo()
			for k, v := range tt.edit {
				files[k] = v
			}
			progs := tt.progs
			if progs == nil {
				progs = programs()
			}
			out, err := runCheck(t, files, progs)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("the check failed: %v\n%s", err, out)
			case tt.wantErr != "" && err == nil:
				t.Fatalf("the check passed, want an error with %q\n%s", tt.wantErr, out)
			case tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr):
				t.Fatalf("error %q, want it to contain %q\n%s", err, tt.wantErr, out)
			case !strings.Contains(out, tt.wantLog):
				t.Fatalf("output does not contain %q:\n%s", tt.wantLog, out)
			}
		})
	}
}

const changelog = "# Changelog\n\n## [Unreleased]\n\n## [0.2.0] - unreleased\n\n### Changed\n- `wire.Sign` moved: `auth.Sign`.\n- `PaymentProduct`: `Id`,\n  `Label` are pointers.\n- `Engine`\n\n  `Create` in another paragraph\n\n## [0.1.0]\n- `Other` removed\n"

func TestPolicy(t *testing.T) {
	t.Parallel()
	incompatible := []ModuleDiff{{Path: "m", Incompatible: []string{"./wire.Sign: removed", "./pb.PaymentProduct.Id: changed from int32 to *int32"}}}
	compatible := []ModuleDiff{{Path: "m", Compatible: []string{"Added: added"}}}
	tests := []struct {
		name, base, version, changelog string
		diffs                          []ModuleDiff
		want                           string // a problem's text; "" none
	}{
		{"v0 breaking with a minor bump", "v0.1.0", "v0.2.0", changelog, incompatible, ""},
		{"v0 breaking with a patch", "v0.1.0", "v0.1.1", changelog, incompatible, "need at least a new minor version on v0 (v0.2.0), not v0.1.1"},
		{"v1 breaking with a minor bump", "v1.1.0", "v1.2.0", changelog, incompatible, "need a new major version, not v1.2.0"},
		{"v1 breaking with a major bump", "v1.1.0", "v2.0.0", strings.Replace(changelog, "0.2.0", "2.0.0", 1), incompatible, ""},
		{"additions with a patch", "v0.1.0", "v0.1.1", changelog, compatible, "need at least a new minor version (v0.2.0), not the patch v0.1.1"},
		{"additions with a minor bump", "v0.1.0", "v0.2.0", "", compatible, ""},
		{"no change with a patch", "v0.1.0", "v0.1.1", "", []ModuleDiff{{Path: "m"}}, ""},
		{"breaking without a CHANGELOG section", "v0.1.0", "v0.2.0", "# Changelog\n\n## [0.1.0]\n", incompatible, `CHANGELOG.md has no section "## [0.2.0]"`},
		{"a breaking change the CHANGELOG does not name", "v0.1.0", "v0.2.0", changelog,
			[]ModuleDiff{{Path: "m", Incompatible: []string{"./session.(*Engine).Create: changed from func() to func(int)", "./pb.PaymentProduct.Logo: changed from string to *string"}}},
			"does not name Engine.Create"},
		{"a name only in another version's section", "v0.1.0", "v0.2.0", changelog,
			[]ModuleDiff{{Path: "m", Incompatible: []string{"Other: removed"}}}, "does not name Other"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := strings.Join(Policy(Config{Version: tt.version, BaseVersion: tt.base}, tt.diffs, tt.changelog), "\n")
			if tt.want == "" && got != "" || !strings.Contains(got, tt.want) {
				t.Errorf("Policy(%s over %s) = %q, want %q", tt.version, tt.base, got, tt.want)
			}
		})
	}
}

func TestSubject(t *testing.T) {
	t.Parallel()
	for msg, want := range map[string][3]string{
		"./session.(*Engine).Create: changed from x to y":     {"session", "Engine", "Create"},
		"./wire.Sign: removed":                                {"wire", "", "Sign"},
		"ClientAuthorizationPrefix: removed":                  {"", "", "ClientAuthorizationPrefix"},
		"./clientsessionv1.PaymentProduct.Id: changed from a": {"clientsessionv1", "PaymentProduct", "Id"},
		"package example.com/m/wire: removed":                 {"", "", "wire"},
	} {
		pkg, owner, name := subject(msg)
		if got := [3]string{pkg, owner, name}; got != want {
			t.Errorf("subject(%q) = %q, want %q", msg, got, want)
		}
	}
}

// TestDiffModules: a removal and an addition between two commits of a
// module, a module new since the base, and internal packages left out.
func TestDiffModules(t *testing.T) {
	t.Parallel()
	repo := t.TempDir()
	writeFiles(t, repo, map[string]string{
		"go.mod":            "module example.com/lib\n\ngo 1.25.0\n",
		"lib.go":            "package lib\n\nfunc Old() {}\n",
		"internal/in/in.go": "package in\n\nfunc Gone() {}\n",
	})
	git(t, repo, "init", "-q")
	git(t, repo, "add", ".")
	git(t, repo, "commit", "-q", "-m", "base")
	out, err := exec.Command("git", "-C", repo, "rev-parse", "HEAD").Output()
	if err != nil {
		t.Fatal(err)
	}
	base := strings.TrimSpace(string(out))
	if err := os.RemoveAll(filepath.Join(repo, "internal")); err != nil {
		t.Fatal(err)
	}
	writeFiles(t, repo, map[string]string{
		"lib.go":     "package lib\n\nfunc New() {}\n",
		"sub/go.mod": "module example.com/lib/sub\n\ngo 1.25.0\n",
		"sub/s.go":   "package sub\n\nfunc S() {}\n",
	})
	diffs, err := DiffModules(t.Context(), repo, base, t.TempDir(), []string{".", "sub"})
	if err != nil {
		t.Fatal(err)
	}
	if len(diffs) != 2 {
		t.Fatalf("got %d diffs, want 2", len(diffs))
	}
	if got := strings.Join(diffs[0].Incompatible, "|"); got != "Old: removed" {
		t.Errorf("root incompatible = %q, want Old: removed (and nothing of internal/)", got)
	}
	if got := strings.Join(diffs[0].Compatible, "|"); got != "New: added" {
		t.Errorf("root compatible = %q, want New: added", got)
	}
	if !diffs[1].New || len(diffs[1].Incompatible) != 0 || len(diffs[1].Compatible) != 1 {
		t.Errorf("sub = %+v, want a new module with one package added", diffs[1])
	}
}

// TestReadConfig: the repository's .ci/release.conf is valid, and a bad
// one is refused with the key named.
func TestReadConfig(t *testing.T) {
	t.Parallel()
	cfg, err := ReadConfig(filepath.Join("..", "..", ".ci", "release.conf"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Modules[0] != "." {
		t.Errorf("modules = %v, want the root module first", cfg.Modules)
	}
	bad := filepath.Join(t.TempDir(), "release.conf")
	writeFiles(t, filepath.Dir(bad), map[string]string{"release.conf": "version=v0.1.0\nbase_version=v0.1.0\nbase_commit=abc\nmodules=.\n"})
	_, err = ReadConfig(bad)
	for _, want := range []string{"version v0.1.0 is not above base_version v0.1.0", `base_commit "abc"`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ReadConfig(bad) = %v, want %q", err, want)
		}
	}
}

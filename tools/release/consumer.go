package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/mod/module"
)

// ConsumerCheck packs the released modules into a file-based module proxy
// and builds and runs, in a fresh module outside the repository, one small
// program per released module that `go get`s it at the version, with no
// replace and no workspace: what a team outside the repository does.
type ConsumerCheck struct {
	Repo     string   // repository root
	Version  string   // the version every released module is packed at
	Modules  []string // directories of the released modules, relative to Repo
	Programs fs.FS    // one directory per module, named by programName, holding a main package
	Work     string   // an empty directory for the proxy, the consumer module and its module cache
	// Upstream is what the consumer's GOPROXY falls back to for every other
	// module (after the packed proxy): "off" keeps the check offline.
	Upstream string
	Out      io.Writer
	Timeout  time.Duration // bound of each go command and program run
}

// programName is the directory of the consumer program of the module in
// dir: "root" for ".", else dir with '/' as '-' (storage-redisstore).
func programName(dir string) string {
	if dir == "." {
		return "root"
	}
	return strings.ReplaceAll(filepath.ToSlash(dir), "/", "-")
}

// Run runs the check; an error names the step (and module) that failed.
func (c *ConsumerCheck) Run(ctx context.Context) error {
	proxyDir := filepath.Join(c.Work, "proxy")
	consumerDir := filepath.Join(c.Work, "consumer")
	modCache := filepath.Join(c.Work, "modcache")
	binDir := filepath.Join(c.Work, "bin")
	packed, err := Pack(proxyDir, c.Repo, c.Version, c.Modules)
	if err != nil {
		return err
	}
	_, _ = fmt.Fprintf(c.Out, "packed %d modules at %s into %s\n", len(packed), c.Version, proxyDir)
	root := packed[0].Path
	for _, m := range packed {
		if !strings.HasPrefix(m.Path+"/", root+"/") {
			root = commonPrefix(root, m.Path)
		}
	}
	env := consumerEnv(os.Environ(), map[string]string{
		"GOWORK":      "off",
		"GOFLAGS":     "-mod=mod",
		"GOPROXY":     "file://" + filepath.ToSlash(proxyDir) + "," + c.Upstream,
		"GONOSUMDB":   root, // our modules are in no checksum database before they are published
		"GOPRIVATE":   "",
		"GONOPROXY":   "",
		"GOINSECURE":  "",
		"GOMODCACHE":  modCache,
		"GOTOOLCHAIN": "local",
	})
	defer func() {
		// The module cache is read-only; go clean empties it.
		_ = c.goCmd(context.WithoutCancel(ctx), consumerDir, env, "clean", "-modcache")
	}()
	// One consumer module per released module, each requiring only that
	// module: what a team that adds just one of them to its go.mod meets.
	for i, dir := range c.Modules {
		m, name := packed[i], programName(dir)
		src, err := fs.ReadFile(c.Programs, name+"/main.go")
		if err != nil {
			return fmt.Errorf("no consumer program for module %s (%s): want %s/main.go among the programs: %w", m.Path, dir, name, err)
		}
		mdir := filepath.Join(consumerDir, name)
		if err := os.MkdirAll(mdir, 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(mdir, "go.mod"), []byte("module example.com/consumer/"+name+"\n\ngo 1.25.0\n"), 0o644); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(mdir, "main.go"), src, 0o644); err != nil {
			return err
		}
		_, _ = fmt.Fprintf(c.Out, "== consumer of %s@%s (%s)\n", m.Path, m.Version, name)
		if err := c.goCmd(ctx, mdir, env, "get", m.Path+"@"+m.Version); err != nil {
			return fmt.Errorf("go get %s@%s: %w", m.Path, m.Version, err)
		}
		if err := checkResolved(ctx, mdir, env, packed); err != nil {
			return fmt.Errorf("consumer of %s: %w", m.Path, err)
		}
		bin := filepath.Join(binDir, name)
		if err := c.goCmd(ctx, mdir, env, "build", "-trimpath", "-o", bin, "."); err != nil {
			return fmt.Errorf("go build of the consumer of %s: %w", m.Path, err)
		}
		_, _ = fmt.Fprintf(c.Out, "-- run %s\n", name)
		if err := c.run(ctx, mdir, env, bin); err != nil {
			return fmt.Errorf("consumer program %s: %w", name, err)
		}
	}
	return nil
}

// checkResolved fails unless every packed module in the consumer's build
// list is there at exactly its packed version.
func checkResolved(ctx context.Context, dir string, env []string, packed []module.Version) error {
	cmd := exec.CommandContext(ctx, "go", "list", "-m", "-f", "{{.Path}} {{.Version}}{{with .Replace}} => {{.Path}} {{.Version}}{{end}}", "all")
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("go list -m all in the consumer: %w", err)
	}
	got := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		path, version, _ := strings.Cut(line, " ")
		got[path] = version
	}
	var problems []string
	for _, m := range packed {
		if v, ok := got[m.Path]; ok && v != m.Version {
			problems = append(problems, fmt.Sprintf("%s resolved at %q, want %s", m.Path, got[m.Path], m.Version))
		}
	}
	if len(problems) > 0 {
		return errors.New("the consumer's build list: " + strings.Join(problems, "; "))
	}
	return nil
}

func (c *ConsumerCheck) goCmd(ctx context.Context, dir string, env []string, args ...string) error {
	_, _ = fmt.Fprintf(c.Out, "-- go %s\n", strings.Join(args, " "))
	start := time.Now()
	err := c.run(ctx, dir, env, "go", args...)
	_, _ = fmt.Fprintf(c.Out, "   (%.1fs)\n", time.Since(start).Seconds())
	return err
}

func (c *ConsumerCheck) run(ctx context.Context, dir string, env []string, name string, args ...string) error {
	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = dir, env, c.Out, c.Out
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	if ctx.Err() != nil {
		return fmt.Errorf("%w (bound %s)", ctx.Err(), c.Timeout)
	}
	return err
}

// consumerEnv returns base with the keys of set replaced, and every
// variable that could make the go command read the repository (GOWORK,
// GOFLAGS=-modfile...) overridden by set.
func consumerEnv(base []string, set map[string]string) []string {
	env := slices.DeleteFunc(slices.Clone(base), func(kv string) bool {
		k, _, _ := strings.Cut(kv, "=")
		_, ok := set[k]
		return ok
	})
	for k, v := range set {
		env = append(env, k+"="+v)
	}
	return env
}

func commonPrefix(a, b string) string {
	as, bs := strings.Split(a, "/"), strings.Split(b, "/")
	i := 0
	for i < len(as) && i < len(bs) && as[i] == bs[i] {
		i++
	}
	return strings.Join(as[:i], "/")
}

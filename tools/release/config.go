package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/semver"
)

// Config is .ci/release.conf: the version being released, the previous
// release (version and commit) and the directories of the released modules.
type Config struct {
	Version     string
	BaseVersion string
	BaseCommit  string
	Modules     []string // directories relative to the repository root; "." is the root module
}

var commitHash = regexp.MustCompile(`^[0-9a-f]{40}$`)

// ReadConfig reads a key=value file (# comments, blank lines) and checks
// every value: canonical semantic versions, the new one above the base, a
// full commit hash, at least one module.
func ReadConfig(path string) (Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return Config{}, err
	}
	defer func() { _ = f.Close() }()
	var c Config
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		if !ok {
			return Config{}, fmt.Errorf("%s:%d: want key=value, got %q", path, n, line)
		}
		switch key {
		case "version":
			c.Version = value
		case "base_version":
			c.BaseVersion = value
		case "base_commit":
			c.BaseCommit = value
		case "modules":
			c.Modules = strings.Fields(value)
		default:
			return Config{}, fmt.Errorf("%s:%d: unknown key %q", path, n, key)
		}
	}
	if err := sc.Err(); err != nil {
		return Config{}, err
	}
	var problems []string
	for name, v := range map[string]string{"version": c.Version, "base_version": c.BaseVersion} {
		if !semver.IsValid(v) || semver.Canonical(v) != v || semver.Build(v) != "" {
			problems = append(problems, fmt.Sprintf("%s %q is not a canonical semantic version such as v0.2.0", name, v))
		}
	}
	if len(problems) == 0 && semver.Compare(c.Version, c.BaseVersion) <= 0 {
		problems = append(problems, fmt.Sprintf("version %s is not above base_version %s", c.Version, c.BaseVersion))
	}
	if !commitHash.MatchString(c.BaseCommit) {
		problems = append(problems, fmt.Sprintf("base_commit %q is not a full commit hash (40 lowercase hex digits)", c.BaseCommit))
	}
	if len(c.Modules) == 0 {
		problems = append(problems, "modules lists no module")
	}
	if len(problems) > 0 {
		return Config{}, fmt.Errorf("%s: %s", path, strings.Join(problems, "; "))
	}
	return c, nil
}

// modulePath returns the module path declared by dir/go.mod.
func modulePath(dir string) (string, error) {
	data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return "", err
	}
	p := modfile.ModulePath(data)
	if p == "" {
		return "", fmt.Errorf("%s/go.mod declares no module path", dir)
	}
	return p, nil
}

package main

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/exp/apidiff"
	"golang.org/x/mod/semver"
	"golang.org/x/tools/go/packages"
)

// ModuleDiff is apidiff's report on one released module: its exported API
// at the base commit against the working tree (internal and main packages
// left out: nobody outside can import them).
type ModuleDiff struct {
	Dir, Path    string
	New          bool // the module did not exist at the base commit
	Incompatible []string
	Compatible   []string
}

// DiffModules extracts the base commit of repo into work/base (git
// archive: the repository is not touched) and compares each module.
func DiffModules(ctx context.Context, repo, baseCommit, work string, dirs []string) ([]ModuleDiff, error) {
	base := filepath.Join(work, "base")
	if err := extractCommit(ctx, repo, baseCommit, base); err != nil {
		return nil, err
	}
	var diffs []ModuleDiff
	for _, dir := range dirs {
		path, err := modulePath(filepath.Join(repo, dir))
		if err != nil {
			return nil, err
		}
		d := ModuleDiff{Dir: dir, Path: path}
		newMod, err := loadModule(ctx, filepath.Join(repo, dir), path)
		if err != nil {
			return nil, fmt.Errorf("load %s in the working tree: %w", path, err)
		}
		oldMod := &apidiff.Module{Path: path}
		if _, err := os.Stat(filepath.Join(base, dir, "go.mod")); err == nil {
			if oldMod, err = loadModule(ctx, filepath.Join(base, dir), path); err != nil {
				return nil, fmt.Errorf("load %s at %s: %w", path, baseCommit, err)
			}
		} else {
			d.New = true
		}
		for _, c := range apidiff.ModuleChanges(oldMod, newMod).Changes {
			if c.Compatible {
				d.Compatible = append(d.Compatible, c.Message)
			} else {
				d.Incompatible = append(d.Incompatible, c.Message)
			}
		}
		diffs = append(diffs, d)
	}
	return diffs, nil
}

// loadModule type-checks every importable package of the module in dir.
func loadModule(ctx context.Context, dir, path string) (*apidiff.Module, error) {
	cfg := &packages.Config{
		Context: ctx,
		Dir:     dir,
		Fset:    token.NewFileSet(),
		Mode:    packages.NeedName | packages.NeedTypes | packages.NeedModule,
		Env:     consumerEnv(os.Environ(), map[string]string{"GOWORK": "off", "GOFLAGS": "-mod=mod", "GOTOOLCHAIN": "local"}),
	}
	loaded, err := packages.Load(cfg, "./...")
	if err != nil {
		return nil, err
	}
	m := &apidiff.Module{Path: path}
	var errs []error
	for _, p := range loaded {
		if p.Name == "main" || isInternal(p.PkgPath) {
			continue
		}
		for _, e := range p.Errors {
			errs = append(errs, e)
		}
		m.Packages = append(m.Packages, p.Types)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	slices.SortFunc(m.Packages, func(a, b *types.Package) int { return strings.Compare(a.Path(), b.Path()) })
	return m, nil
}

func isInternal(pkgPath string) bool {
	return slices.Contains(strings.Split(pkgPath, "/"), "internal")
}

// extractCommit writes the tree of commit into dir.
func extractCommit(ctx context.Context, repo, commit, dir string) error {
	cmd := exec.CommandContext(ctx, "git", "-C", repo, "archive", "--format=tar", commit)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	extractErr := untar(out, dir)
	if extractErr != nil {
		_, _ = io.Copy(io.Discard, out)
	}
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("git archive %s: %w: %s", commit, err, strings.TrimSpace(stderr.String()))
	}
	return extractErr
}

func untar(r io.Reader, dir string) error {
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		name := filepath.FromSlash(h.Name)
		if !filepath.IsLocal(name) {
			return fmt.Errorf("git archive: unexpected path %q", h.Name)
		}
		target := filepath.Join(dir, name)
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return err
			}
			mode := os.FileMode(0o644)
			if h.Mode&0o111 != 0 {
				mode = 0o755
			}
			f, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
			if err != nil {
				return err
			}
			_, err = io.Copy(f, tr) //nolint:gosec // a git archive of this repository, sizes bounded by the repository
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
		case tar.TypeSymlink:
			// A symlink in the tree: no Go package depends on one here; skip it.
		}
	}
}

// Policy is the rule docs/releasing.md states, applied to the diffs:
//   - the version is above the base version (ReadConfig checks it);
//   - an incompatible change needs a new major version from v1 on, and on
//     v0 at least a new minor version (v0.1.x -> v0.2.0), never a patch;
//   - a compatible change (an addition) needs at least a new minor version;
//     a patch release changes no exported API;
//   - every incompatible change is named in the version's CHANGELOG
//     section (see covered).
//
// It returns the problems, empty when the release may go ahead.
func Policy(cfg Config, diffs []ModuleDiff, changelog string) []string {
	var incompatible, compatible int
	for _, d := range diffs {
		incompatible += len(d.Incompatible)
		compatible += len(d.Compatible)
	}
	var problems []string
	sameMinor := semver.MajorMinor(cfg.Version) == semver.MajorMinor(cfg.BaseVersion)
	sameMajor := semver.Major(cfg.Version) == semver.Major(cfg.BaseVersion)
	switch {
	case incompatible > 0 && semver.Major(cfg.BaseVersion) != "v0" && sameMajor:
		problems = append(problems, fmt.Sprintf("%d incompatible changes since %s need a new major version, not %s", incompatible, cfg.BaseVersion, cfg.Version))
	case incompatible > 0 && sameMinor:
		problems = append(problems, fmt.Sprintf("%d incompatible changes since %s need at least a new minor version on v0 (%s.0), not %s", incompatible, cfg.BaseVersion, nextMinor(cfg.BaseVersion), cfg.Version))
	case compatible > 0 && sameMinor:
		problems = append(problems, fmt.Sprintf("%d compatible API changes since %s need at least a new minor version (%s.0), not the patch %s", compatible, cfg.BaseVersion, nextMinor(cfg.BaseVersion), cfg.Version))
	}
	if incompatible == 0 {
		return problems
	}
	section, ok := changelogSection(changelog, cfg.Version)
	if !ok {
		return append(problems, fmt.Sprintf("CHANGELOG.md has no section \"## [%s]\" for the incompatible changes", strings.TrimPrefix(cfg.Version, "v")))
	}
	for _, d := range diffs {
		for _, msg := range d.Incompatible {
			if !covered(section, msg) {
				problems = append(problems, fmt.Sprintf("CHANGELOG.md [%s] does not name %s of %s (%s)", strings.TrimPrefix(cfg.Version, "v"), subjectName(msg), d.Path, msg))
			}
		}
	}
	return problems
}

func nextMinor(v string) string {
	var major, minor int
	_, _ = fmt.Sscanf(semver.MajorMinor(v), "v%d.%d", &major, &minor)
	return fmt.Sprintf("v%d.%d", major, minor+1)
}

// changelogSection returns the text of the section "## [X.Y.Z]..." of
// version up to the next "## " heading.
func changelogSection(changelog, version string) (string, bool) {
	head := "## [" + strings.TrimPrefix(version, "v") + "]"
	_, rest, ok := strings.Cut("\n"+changelog, "\n"+head)
	if !ok {
		return "", false
	}
	if i := strings.Index(rest, "\n## "); i >= 0 {
		rest = rest[:i]
	}
	return rest, true
}

// subject splits what an apidiff message is about into the package's last
// path element ("" for a module's root package), the owner (a type, or ""
// for a package-level name) and the name: "./session.(*Engine).Create:
// changed ..." is session, Engine, Create; "./wire.Sign: removed" is wire,
// "", Sign; "package github.com/x/y/wire: removed" is "", "", wire.
func subject(msg string) (pkg, owner, name string) {
	if rest, ok := strings.CutPrefix(msg, "package "); ok {
		p, _, _ := strings.Cut(rest, ":")
		return "", "", p[strings.LastIndex(p, "/")+1:]
	}
	s, _, _ := strings.Cut(msg, ": ")
	if strings.HasPrefix(s, "./") {
		s = s[strings.LastIndex(s, "/")+1:]
		pkg, s, _ = strings.Cut(s, ".")
	}
	s = strings.NewReplacer("(*", "", "(", "", ")", "").Replace(s)
	if o, n, ok := strings.Cut(s, "."); ok {
		return pkg, o, n
	}
	return pkg, "", s
}

func subjectName(msg string) string {
	_, owner, name := subject(msg)
	if owner != "" {
		return owner + "." + name
	}
	return name
}

// covered reports whether the CHANGELOG section names the subject of an
// incompatible change in one entry (a list item with its wrapped lines, or
// a paragraph): for a member (a field or method) an entry naming both its
// type and the member as words (`PaymentProduct.Id`, or a list such as
// "`PaymentProduct`: `Id`, `Label`"); for a package-level name an entry
// naming it as a word (`wire.Sign` -> `auth.Sign` names Sign).
func covered(section, msg string) bool {
	_, owner, name := subject(msg)
	for _, entry := range entries(section) {
		if hasWord(entry, name) && (owner == "" || hasWord(entry, owner)) {
			return true
		}
	}
	return false
}

// entries splits Markdown into list items (each with its continuation
// lines), headings and paragraphs.
func entries(md string) []string {
	var out []string
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, cur.String())
			cur.Reset()
		}
	}
	for line := range strings.SplitSeq(md, "\n") {
		t := strings.TrimSpace(line)
		switch {
		case t == "":
			flush()
			continue
		case strings.HasPrefix(t, "- ") || strings.HasPrefix(t, "* ") || strings.HasPrefix(t, "#"):
			flush()
		}
		cur.WriteString(t)
		cur.WriteByte('\n')
	}
	flush()
	return out
}

// hasWord reports whether s holds w with no identifier character on
// either side.
func hasWord(s, w string) bool {
	isIdent := func(b byte) bool {
		return b == '_' || '0' <= b && b <= '9' || 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z'
	}
	for i := 0; ; {
		j := strings.Index(s[i:], w)
		if j < 0 {
			return false
		}
		j += i
		end := j + len(w)
		if (j == 0 || !isIdent(s[j-1])) && (end == len(s) || !isIdent(s[end])) {
			return true
		}
		i = j + 1
	}
}

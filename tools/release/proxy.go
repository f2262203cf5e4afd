package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/mod/module"
	"golang.org/x/mod/zip"
)

// Pack writes the module in each directory (relative to repo) at version
// into a file-based module proxy rooted at proxyDir: for every module
// <escaped path>/@v/list, <version>.info, <version>.mod and <version>.zip,
// the files `go get` asks a GOPROXY for. The zip holds the module's files
// in the working tree as a commit would: in a git work tree the tracked and
// untracked-but-not-ignored files (git ls-files), elsewhere every file of
// the directory; files of nested modules are left out (golang.org/x/mod/zip).
func Pack(proxyDir, repo, version string, dirs []string) ([]module.Version, error) {
	var packed []module.Version
	for _, dir := range dirs {
		abs := filepath.Join(repo, dir)
		path, err := modulePath(abs)
		if err != nil {
			return nil, err
		}
		m := module.Version{Path: path, Version: version}
		if err := packOne(proxyDir, abs, m); err != nil {
			return nil, fmt.Errorf("pack %s@%s (%s): %w", path, version, dir, err)
		}
		packed = append(packed, m)
	}
	return packed, nil
}

func packOne(proxyDir, dir string, m module.Version) error {
	esc, err := module.EscapePath(m.Path)
	if err != nil {
		return err
	}
	vdir := filepath.Join(proxyDir, esc, "@v")
	if err := os.MkdirAll(vdir, 0o755); err != nil {
		return err
	}
	var zipped bytes.Buffer
	files, err := gitFiles(dir)
	switch {
	case err != nil:
		return err
	case files == nil: // not a git work tree
		err = zip.CreateFromDir(&zipped, m, dir)
	default:
		err = zip.Create(&zipped, m, files)
	}
	if err != nil {
		return err
	}
	gomod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return err
	}
	info, err := json.Marshal(struct {
		Version string
		Time    time.Time
	}{m.Version, time.Now().UTC().Truncate(time.Second)})
	if err != nil {
		return err
	}
	for name, data := range map[string][]byte{
		"list":              []byte(m.Version + "\n"),
		m.Version + ".info": info,
		m.Version + ".mod":  gomod,
		m.Version + ".zip":  zipped.Bytes(),
	} {
		if err := os.WriteFile(filepath.Join(vdir, name), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// gitFiles lists the files of dir that a commit of its git work tree would
// hold (tracked and untracked-not-ignored, deleted ones left out), or nil
// when dir is not in a git work tree.
func gitFiles(dir string) ([]zip.File, error) {
	if err := exec.Command("git", "-C", dir, "rev-parse", "--is-inside-work-tree").Run(); err != nil {
		return nil, nil //nolint:nilerr // not a git work tree: the caller packs the directory
	}
	out, err := exec.Command("git", "-C", dir, "ls-files", "-z", "--cached", "--others", "--exclude-standard").Output()
	if err != nil {
		return nil, fmt.Errorf("git ls-files in %s: %w", dir, err)
	}
	files := []zip.File{}
	seen := map[string]bool{}
	for _, rel := range strings.Split(string(out), "\x00") {
		if rel == "" || seen[rel] {
			continue
		}
		seen[rel] = true
		abs := filepath.Join(dir, filepath.FromSlash(rel))
		info, err := os.Lstat(abs)
		if os.IsNotExist(err) {
			continue // deleted in the work tree: a commit would not hold it
		}
		if err != nil {
			return nil, err
		}
		files = append(files, diskFile{rel: rel, abs: abs, info: info})
	}
	return files, nil
}

type diskFile struct {
	rel, abs string
	info     os.FileInfo
}

func (f diskFile) Path() string                 { return f.rel }
func (f diskFile) Lstat() (os.FileInfo, error)  { return f.info, nil }
func (f diskFile) Open() (io.ReadCloser, error) { return os.Open(f.abs) }

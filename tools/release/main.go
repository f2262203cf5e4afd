// Command release holds the release checks of the repository's modules
// (docs/releasing.md): .ci/consumer-check and .ci/apidiff run it. It is a
// module of its own so that its dependencies (golang.org/x/mod,
// golang.org/x/exp/apidiff, golang.org/x/tools) never enter the released
// modules; it is not released itself.
//
//	go run . [-repo DIR] consumer-check   pack the released modules into a file proxy and build
//	                                      and run a consumer of each, with no replace
//	go run . [-repo DIR] apidiff          compare each released module's API with the base
//	                                      release and apply the version policy
//
// Both read the versions and the module list from DIR/.ci/release.conf.
package main

import (
	"context"
	"embed"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

//go:embed testdata/consumer
var consumerPrograms embed.FS

func main() {
	repo := flag.String("repo", "../..", "the repository root")
	keep := flag.Bool("keep", false, "keep the temporary directory (printed) for inspection")
	flag.Usage = func() {
		_, _ = fmt.Fprintln(flag.CommandLine.Output(), "usage: release [-repo DIR] [-keep] consumer-check|apidiff")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, flag.Arg(0), *repo, *keep); err != nil {
		fmt.Fprintf(os.Stderr, "release %s: %v\n", flag.Arg(0), err)
		os.Exit(1)
	}
}

func run(ctx context.Context, cmd, repo string, keep bool) error {
	repo, err := filepath.Abs(repo)
	if err != nil {
		return err
	}
	cfg, err := ReadConfig(filepath.Join(repo, ".ci", "release.conf"))
	if err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "release-"+cmd+"-")
	if err != nil {
		return err
	}
	if keep {
		fmt.Println("work directory (kept):", work)
	} else {
		defer func() { _ = os.RemoveAll(work) }()
	}
	switch cmd {
	case "consumer-check":
		programs, err := fs.Sub(consumerPrograms, "testdata/consumer")
		if err != nil {
			return err
		}
		upstream := "file://" + filepath.ToSlash(filepath.Join(goEnv("GOMODCACHE"), "cache", "download")) + "," + goEnv("GOPROXY")
		c := &ConsumerCheck{Repo: repo, Version: cfg.Version, Modules: cfg.Modules, Programs: programs,
			Work: work, Upstream: upstream, Out: os.Stdout, Timeout: 5 * time.Minute}
		if err := c.Run(ctx); err != nil {
			return err
		}
		fmt.Printf("consumer-check: every released module builds and runs from a module proxy at %s, with no replace\n", cfg.Version)
		return nil
	case "apidiff":
		return apidiffCmd(ctx, repo, work, cfg)
	default:
		return fmt.Errorf("unknown command %q (consumer-check, apidiff)", cmd)
	}
}

func apidiffCmd(ctx context.Context, repo, work string, cfg Config) error {
	if !hasCommit(ctx, repo, cfg.BaseCommit) {
		fmt.Printf("== SKIPPED apidiff: the base release %s (commit %s) is not in this clone (a shallow clone?); `git fetch --unshallow` brings it\n", cfg.BaseVersion, cfg.BaseCommit)
		return nil
	}
	diffs, err := DiffModules(ctx, repo, cfg.BaseCommit, work, cfg.Modules)
	if err != nil {
		return err
	}
	for _, d := range diffs {
		fmt.Printf("-- %s (%s): %d incompatible, %d compatible changes since %s%s\n", d.Path, d.Dir,
			len(d.Incompatible), len(d.Compatible), cfg.BaseVersion, map[bool]string{true: " (a new module)"}[d.New])
		for _, m := range d.Incompatible {
			fmt.Println("   incompatible:", m)
		}
		for _, m := range d.Compatible {
			fmt.Println("   compatible:  ", m)
		}
	}
	changelog, err := os.ReadFile(filepath.Join(repo, "CHANGELOG.md"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if problems := Policy(cfg, diffs, string(changelog)); len(problems) > 0 {
		return fmt.Errorf("the release policy (docs/releasing.md) is broken:\n  %s", strings.Join(problems, "\n  "))
	}
	fmt.Printf("apidiff: %s over %s follows the release policy\n", cfg.Version, cfg.BaseVersion)
	return nil
}

package main

import (
	"context"
	"os/exec"
	"strings"
)

// goEnv returns `go env name`, or "" when the go command fails.
func goEnv(name string) string {
	out, err := exec.Command("go", "env", name).Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// hasCommit reports whether repo's object store holds commit.
func hasCommit(ctx context.Context, repo, commit string) bool {
	return exec.CommandContext(ctx, "git", "-C", repo, "cat-file", "-e", commit+"^{commit}").Run() == nil
}

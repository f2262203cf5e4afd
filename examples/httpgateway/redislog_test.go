package main

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// mainArgsEnv carries the gateway's arguments to TestHelperMain, which
// runs main in a process of its own.
const mainArgsEnv = "HTTPGATEWAY_TEST_MAIN_ARGS"

// TestHelperMain is not a test: run as a subprocess with mainArgsEnv set,
// it is the gateway's main with those arguments (separated by "\x1f").
func TestHelperMain(t *testing.T) {
	args, ok := os.LookupEnv(mainArgsEnv)
	if !ok {
		t.Skip("runs only as the subprocess of TestUnreachableRedisSaysItOnce")
	}
	os.Args = append([]string{"httpgateway"}, strings.Split(args, "\x1f")...)
	main()
	os.Exit(0)
}

// TestUnreachableRedisSaysItOnce: the gateway started on a Redis that
// refuses connections exits 1 with its own message naming the flag as
// the only line on stderr: no go-redis connection pool lines before it
// (go-redis's global logger is the gateway's gatedLogger, closed until
// the stores answered at start).
func TestUnreachableRedisSaysItOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a subprocess")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close() // nothing listens there now: connections are refused
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestHelperMain$", "-test.count=1")
	cmd.Env = append(os.Environ(), mainArgsEnv+"="+strings.Join([]string{"-redis", "redis://" + addr + "/0", "-addr", "127.0.0.1:0"}, "\x1f"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("the gateway did not exit within 60 s; stderr:\n%s", stderr.String())
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("exit: %v, want status 1; stderr:\n%s", err, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	want := "httpgateway: -redis: dial tcp " + addr + ": connect: connection refused"
	if len(lines) != 1 || lines[0] != want {
		t.Errorf("stderr:\n%s\nwant the one line\n%s", stderr.String(), want)
	}
	if strings.Contains(stderr.String(), "connection pool") {
		t.Errorf("stderr holds go-redis's pool lines:\n%s", stderr.String())
	}
}

// TestGatedLoggerOpens: go-redis's lines are dropped until open, then
// written one per line after "httpgateway: ".
func TestGatedLoggerOpens(t *testing.T) {
	var out syncBuffer
	l := &gatedLogger{w: &out}
	l.Printf(t.Context(), "redis: connection pool: failed to dial after %d attempts: %v", 5, "refused")
	if out.String() != "" {
		t.Fatalf("a closed logger wrote %q", out.String())
	}
	l.open()
	l.Printf(t.Context(), "redis: connection pool: failed to dial after %d attempts: %v", 5, "refused")
	l.Printf(t.Context(), "redis: line with its own newline\n")
	want := "httpgateway: redis: connection pool: failed to dial after 5 attempts: refused\nhttpgateway: redis: line with its own newline\n"
	if out.String() != want {
		t.Errorf("wrote %q, want %q", out.String(), want)
	}
}

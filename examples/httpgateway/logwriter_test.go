package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// countingWriter records what it is given, write by write.
type countingWriter struct {
	mu     sync.Mutex
	b      bytes.Buffer
	writes int
}

func (c *countingWriter) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.writes++
	return c.b.Write(p)
}

func (c *countingWriter) state() (string, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.b.String(), c.writes
}

// TestLineBufferKeepsEveryLine: lines of concurrent writers all arrive,
// whole and each once, in far fewer writes than lines; nothing reaches the
// underlying writer before the buffer fills or is flushed.
func TestLineBufferKeepsEveryLine(t *testing.T) {
	var out countingWriter
	l := newLineBuffer(&out, 1024)
	if _, err := l.Write([]byte("first\n")); err != nil {
		t.Fatal(err)
	}
	if got, _ := out.state(); got != "" {
		t.Fatalf("written before the buffer filled: %q", got)
	}
	const writers, lines = 8, 500
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range lines {
				_, _ = fmt.Fprintf(l, "writer %d line %d\n", w, i)
			}
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("writers did not finish within 30 s")
	}
	if err := l.Flush(); err != nil {
		t.Fatal(err)
	}
	got, writes := out.state()
	seen := map[string]int{}
	for _, line := range strings.Split(strings.TrimSuffix(got, "\n"), "\n") {
		seen[line]++
	}
	if seen["first"] != 1 {
		t.Errorf("the first line arrived %d times", seen["first"])
	}
	for w := range writers {
		for i := range lines {
			if n := seen[fmt.Sprintf("writer %d line %d", w, i)]; n != 1 {
				t.Fatalf("writer %d line %d arrived %d times", w, i, n)
			}
		}
	}
	if want := writers*lines + 1; len(seen) != want {
		t.Errorf("%d distinct lines, want %d", len(seen), want)
	}
	if writes >= writers*lines/10 {
		t.Errorf("%d writes for %d lines: not buffered", writes, writers*lines)
	}
}

// TestLineBufferFlushesOnATimerAndAtTheEnd: a line waits at most about
// the interval, and what is left is written when the context ends.
func TestLineBufferFlushesOnATimerAndAtTheEnd(t *testing.T) {
	var out countingWriter
	l := newLineBuffer(&out, 1<<20)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { defer close(done); l.flushEvery(ctx, 10*time.Millisecond) }()
	_, _ = l.Write([]byte("tick\n"))
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if got, _ := out.state(); got == "tick\n" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the line was not flushed by the timer within 10 s")
		}
	}
	_, _ = l.Write([]byte("last\n"))
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("flushEvery did not return within 10 s of its context's end")
	}
	if got, _ := out.state(); got != "tick\nlast\n" {
		t.Errorf("after the end: %q, want both lines", got)
	}
}

// TestAccessLogLineAllocatesNothing: through slog's JSON handler into the
// line buffer, a request's log line allocates nothing: the cost of the
// access log is formatting the line. And it is the line of
// Logger.LogAttrs with the same attributes.
func TestAccessLogLineAllocatesNothing(t *testing.T) {
	l := newLineBuffer(io.Discard, 32<<10)
	log := slog.New(slog.NewJSONHandler(l, nil))
	ctx := t.Context()
	allocs := testing.AllocsPerRun(1000, func() {
		accessLog(ctx, log, time.Now(), "GET", "/client/v1/{customerId}/products", 200, 1234567, "1234")
	})
	if allocs != 0 {
		t.Errorf("%.1f allocations per access log line, want 0", allocs)
	}

	now := time.Date(2026, 12, 2, 10, 0, 0, 123456789, time.UTC)
	var got, want bytes.Buffer
	accessLog(ctx, slog.New(slog.NewJSONHandler(&got, nil)), now, "GET", "/x/{id}", 404, 1500*time.Microsecond, "")
	slog.New(slog.NewJSONHandler(&want, nil)).LogAttrs(ctx, slog.LevelInfo, "request",
		slog.String("method", "GET"), slog.String("route", "/x/{id}"), slog.Int("status", 404),
		slog.Duration("duration", 1500*time.Microsecond), slog.String("merchant", ""))
	stamp := regexp.MustCompile(`^\{"time":"[^"]*",`)
	if !strings.HasPrefix(got.String(), `{"time":"2026-12-02T10:00:00.123456789Z",`) ||
		stamp.ReplaceAllString(got.String(), "") != stamp.ReplaceAllString(want.String(), "") {
		t.Errorf("access log line\n %s\nwant (as LogAttrs writes it, at 2026-12-02T10:00:00.123456789Z)\n %s", got.String(), want.String())
	}
	// A logger above Info writes nothing.
	var none bytes.Buffer
	accessLog(ctx, slog.New(slog.NewJSONHandler(&none, &slog.HandlerOptions{Level: slog.LevelWarn})), now, "GET", "/", 200, 0, "")
	if none.Len() != 0 {
		t.Errorf("a Warn logger wrote %q", none.String())
	}
}

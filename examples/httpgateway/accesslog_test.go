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

// TestAccessLogLineAllocatesNothing: through jsonLineHandler into the
// line buffer, a request's log line allocates nothing: the cost of the
// access log is formatting the line. And it is the line of
// Logger.LogAttrs with the same attributes.
func TestAccessLogLineAllocatesNothing(t *testing.T) {
	l := newLineBuffer(io.Discard, 32<<10)
	log := slog.New(newJSONLineHandler(l))
	ctx := t.Context()
	allocs := testing.AllocsPerRun(1000, func() {
		accessLog(ctx, log, time.Now(), "GET", "/client/v1/{customerId}/products", 200, 1234567, "1234", "")
	})
	if allocs != 0 && !raceEnabled && testing.CoverMode() == "" { // sync.Pool drops buffers at random under -race
		t.Errorf("%.1f allocations per access log line, want 0", allocs)
	}

	now := time.Date(2026, 12, 2, 10, 0, 0, 123456789, time.UTC)
	var got, want bytes.Buffer
	accessLog(ctx, slog.New(newJSONLineHandler(&got)), now, "GET", "/x/{id}", 404, 1500*time.Microsecond, "", "date_skew")
	slog.New(slog.NewJSONHandler(&want, nil)).LogAttrs(ctx, slog.LevelInfo, "request",
		slog.String("method", "GET"), slog.String("route", "/x/{id}"), slog.Int("status", 404),
		slog.Duration("duration", 1500*time.Microsecond), slog.String("merchant", ""), slog.String("reason", "date_skew"))
	stamp := regexp.MustCompile(`^\{"time":"[^"]*",`)
	if !strings.HasPrefix(got.String(), `{"time":"2026-12-02T10:00:00.123456789Z",`) ||
		stamp.ReplaceAllString(got.String(), "") != stamp.ReplaceAllString(want.String(), "") {
		t.Errorf("access log line\n %s\nwant (as LogAttrs writes it, at 2026-12-02T10:00:00.123456789Z)\n %s", got.String(), want.String())
	}
	// A logger above Info writes nothing.
	var none bytes.Buffer
	accessLog(ctx, slog.New(slog.NewJSONHandler(&none, &slog.HandlerOptions{Level: slog.LevelWarn})), now, "GET", "/", 200, 0, "", "")
	if none.Len() != 0 {
		t.Errorf("a Warn logger wrote %q", none.String())
	}
}

// checkJSONLineHandler: the record gives the same bytes through
// jsonLineHandler as through slog's JSON handler.
func checkJSONLineHandler(t *testing.T, r slog.Record) {
	t.Helper()
	var got, want bytes.Buffer
	errGot := newJSONLineHandler(&got).Handle(t.Context(), r)
	errWant := slog.NewJSONHandler(&want, nil).Handle(t.Context(), r)
	if got.String() != want.String() || (errGot == nil) != (errWant == nil) {
		t.Fatalf("record %v:\n got %q (%v)\nwant %q (%v)", r, got.String(), errGot, want.String(), errWant)
	}
}

// TestJSONLineHandlerMatchesSlog: the access log's records, and others,
// come out as slog's JSON handler writes them.
func TestJSONLineHandlerMatchesSlog(t *testing.T) {
	now := time.Date(2026, 12, 2, 10, 0, 0, 123456789, time.UTC)
	records := []slog.Record{slog.NewRecord(now, slog.LevelInfo, "request", 0)}
	records[0].AddAttrs(slog.String("method", "GET"), slog.String("route", "/client/v1/{customerId}/products"),
		slog.Int("status", 200), slog.Duration("duration", 1234567), slog.String("merchant", "1234"))
	odd := slog.NewRecord(time.Time{}, slog.LevelWarn+1, "a\"b\\c\n\r\t\x00\x1f<>&\u2028\u2029\xff\x7f é", 0)
	odd.AddAttrs(slog.String("k\x01", "v\xc3"), slog.Bool("ok", true), slog.Uint64("u", 1<<63), slog.Int64("neg", -5),
		slog.Duration("d", -time.Second))
	records = append(records, odd)
	nested := slog.NewRecord(now.In(time.FixedZone("X", 3600)), slog.LevelError, "m", 0) // handed on to slog
	nested.AddAttrs(slog.Group("g", slog.Int("a", 1)), slog.Any("any", []int{1}), slog.Float64("f", 1.5), slog.Attr{},
		slog.String("", "no key"), slog.Time("t", now))
	records = append(records, nested)
	far := slog.NewRecord(time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), slog.LevelInfo, "far", 0)
	records = append(records, far, slog.NewRecord(now, slog.LevelDebug-3, "", 0))
	for _, r := range records {
		checkJSONLineHandler(t, r)
	}
	h := newJSONLineHandler(io.Discard)
	if h.Enabled(t.Context(), slog.LevelDebug) || !h.Enabled(t.Context(), slog.LevelInfo) {
		t.Error("the handler must log Info and above, as slog's JSON handler without options")
	}
	var got, want bytes.Buffer
	_ = newJSONLineHandler(&got).WithAttrs([]slog.Attr{slog.Int("a", 1)}).WithGroup("g").Handle(t.Context(), records[0])
	_ = slog.NewJSONHandler(&want, nil).WithAttrs([]slog.Attr{slog.Int("a", 1)}).WithGroup("g").Handle(t.Context(), records[0])
	if got.String() != want.String() {
		t.Errorf("derived handler:\n got %q\nwant %q", got.String(), want.String())
	}
}

// FuzzJSONLineHandler: any message, keys and values of the kinds the
// handler formats itself, and any time, come out as slog writes them.
func FuzzJSONLineHandler(f *testing.F) {
	f.Add("request", "method", "GET", "/client/v1/{customerId}/products", int64(200), int64(1234567), int64(0), false)
	f.Add("a\"\\\n\u2028\xff", "k\x00", "<&>", "\x7f\xed\xa0\x80", int64(-1), int64(-1), int64(1)<<62, true)
	f.Fuzz(func(t *testing.T, msg, key, s1, s2 string, n, d, nanos int64, b bool) {
		r := slog.NewRecord(time.Unix(0, nanos).UTC(), slog.Level(n%13), msg, 0)
		r.AddAttrs(slog.String(key, s1), slog.String("route", s2), slog.Int64("status", n), slog.Duration(key, time.Duration(d)),
			slog.Bool("b", b), slog.Uint64("u", uint64(nanos)))
		checkJSONLineHandler(t, r)
	})
}

// BenchmarkAccessLog is one access log line into a line buffer, through
// slog's JSON handler (the floor: what the gateway used before) and
// through jsonLineHandler.
func BenchmarkAccessLog(b *testing.B) {
	for _, h := range []struct {
		name    string
		handler slog.Handler
	}{
		{"handler=slog", slog.NewJSONHandler(newLineBuffer(io.Discard, 32<<10), nil)},
		{"handler=line", newJSONLineHandler(newLineBuffer(io.Discard, 32<<10))},
	} {
		b.Run(h.name, func(b *testing.B) {
			log := slog.New(h.handler)
			b.ReportAllocs()
			for b.Loop() {
				accessLog(b.Context(), log, time.Now(), "GET", "/client/v1/{customerId}/products", 200, 1234567, "1234", "")
			}
		})
	}
}

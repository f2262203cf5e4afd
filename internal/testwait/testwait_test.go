package testwait_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clientsession/engine/internal/testwait"
)

// recorder is a testing.TB whose Fatalf records the message instead of
// ending the goroutine.
type recorder struct {
	testing.TB
	failed string
}

func (r *recorder) Helper() {}

func (r *recorder) Fatalf(format string, args ...any) { r.failed = fmt.Sprintf(format, args...) }

func TestRecv(t *testing.T) {
	ch := make(chan int, 1)
	ch <- 7
	r := &recorder{TB: t}
	if got := testwait.Recv(r, ch, time.Second, "a value"); got != 7 || r.failed != "" {
		t.Errorf("Recv of a sent value = %d (failure %q), want 7 and no failure", got, r.failed)
	}
	start := time.Now()
	if got := testwait.Recv(r, ch, 20*time.Millisecond, "the second value"); got != 0 {
		t.Errorf("Recv on an empty channel = %d, want the zero value", got)
	}
	if !strings.Contains(r.failed, "the second value") || time.Since(start) < 20*time.Millisecond {
		t.Errorf("Recv past its bound: failure %q after %v, want one naming what it waited for, after 20ms", r.failed, time.Since(start))
	}
}

func TestGroup(t *testing.T) {
	var wg sync.WaitGroup
	release := make(chan struct{})
	wg.Go(func() { <-release })
	r := &recorder{TB: t}
	testwait.Group(r, &wg, 20*time.Millisecond, "the worker")
	if !strings.Contains(r.failed, "the worker") {
		t.Errorf("Group past its bound: failure %q, want one naming the worker", r.failed)
	}
	close(release)
	r.failed = ""
	testwait.Group(r, &wg, 10*time.Second, "the worker")
	if r.failed != "" {
		t.Errorf("Group of a finished worker failed: %q", r.failed)
	}
}

func TestUntil(t *testing.T) {
	r := &recorder{TB: t}
	calls := 0
	testwait.Until(r, 10*time.Second, "three calls", func() bool { calls++; return calls == 3 })
	if calls != 3 || r.failed != "" {
		t.Errorf("Until: %d calls, failure %q; want 3 calls and no failure", calls, r.failed)
	}
	testwait.Until(r, 20*time.Millisecond, "never", func() bool { return false })
	if !strings.Contains(r.failed, "never") {
		t.Errorf("Until past its bound: failure %q, want one naming what it waited for", r.failed)
	}
}

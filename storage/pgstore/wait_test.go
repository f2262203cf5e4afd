package pgstore_test

import (
	"sync"
	"testing"
	"time"
)

// waitGroup waits for wg, or fails tb when it does not finish within d: a
// test of this module never waits without a bound. (The root module's
// tests use internal/testwait, which a module of its own may not import.)
func waitGroup(tb testing.TB, wg *sync.WaitGroup, d time.Duration, what string) {
	tb.Helper()
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
		tb.Fatalf("gave up after %v waiting for %s", d, what)
	}
}

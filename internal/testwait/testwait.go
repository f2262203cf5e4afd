// Package testwait bounds the waits of the repository's tests: a test
// never waits without a deadline. A channel receive, a WaitGroup or a poll
// that does not end within its bound fails the test with a message naming
// what it waited for, instead of hanging until go test's -timeout kills
// the whole package without saying which wait it was.
//
// It is for the tests and test suites of the root module only
// (storage/storagetest, session/sessiontest and the _test files): the
// modules of their own use the root module's exported API only (a
// depguard rule), so each has a small helper of the same shape in its
// test files. Call its functions from the test's own goroutine: they end
// the test with tb.Fatalf.
package testwait

import (
	"sync"
	"testing"
	"time"
)

// Recv returns the next value received from ch, or ends the test when
// none arrives within d. A closed channel gives its zero value at once,
// as a receive does.
func Recv[T any](tb testing.TB, ch <-chan T, d time.Duration, what string) T {
	tb.Helper()
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case v := <-ch:
		return v
	case <-timer.C:
		tb.Fatalf("gave up after %v waiting for %s", d, what)
		var zero T
		return zero
	}
}

// Group waits for wg, or ends the test when wg's count does not reach zero
// within d. The goroutine that waits on wg is left behind on a timeout:
// the test has failed anyway.
func Group(tb testing.TB, wg *sync.WaitGroup, d time.Duration, what string) {
	tb.Helper()
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	Recv(tb, done, d, what)
}

// Until calls cond every few milliseconds until it returns true, or ends
// the test when it has not within d. cond runs on the test's goroutine.
func Until(tb testing.TB, d time.Duration, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(d)
	for pause := time.Millisecond; !cond(); pause = min(2*pause, 50*time.Millisecond) {
		if time.Now().After(deadline) {
			tb.Fatalf("gave up after %v waiting for %s", d, what)
			return
		}
		time.Sleep(pause)
	}
}

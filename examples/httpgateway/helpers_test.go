package main

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"sync"
	"testing"
	"time"

	"github.com/clientsession/engine/encryption"
)

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var (
	testKeyOnce sync.Once
	testKeyRSA  *rsa.PrivateKey
	errTestKey  error
)

// testKeys returns one key set shared by the tests: RSA key generation is
// slow on a small machine.
func testKeys(t *testing.T) *keyFile {
	t.Helper()
	testKeyOnce.Do(func() { testKeyRSA, errTestKey = rsa.GenerateKey(rand.Reader, 2048) })
	if errTestKey != nil {
		t.Fatal(errTestKey)
	}
	return &keyFile{Keys: []encryption.Key{{ID: "test-key", Private: testKeyRSA}}}
}

// waitFor returns the next value from ch, or fails tb when none arrives
// within d: a test of this module never waits without a bound. (The root
// module's tests use internal/testwait, which a module of its own may not
// import.)
func waitFor[T any](tb testing.TB, ch <-chan T, d time.Duration, what string) T {
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

// waitGroup waits for wg, or fails tb when it does not finish within d.
func waitGroup(tb testing.TB, wg *sync.WaitGroup, d time.Duration, what string) {
	tb.Helper()
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	waitFor(tb, done, d, what)
}

// waitUntil calls cond every few milliseconds until it returns true, or
// fails tb when it has not within d.
func waitUntil(tb testing.TB, d time.Duration, what string, cond func() bool) {
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

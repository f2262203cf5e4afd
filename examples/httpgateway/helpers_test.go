package main

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"sync"
	"testing"

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

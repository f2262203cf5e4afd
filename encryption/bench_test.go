package encryption_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"testing"

	"github.com/clientsession/engine/encryption"
)

// BenchmarkOpen opens a blob as the SDK makes it; its cost is dominated by
// one RSA-2048 private-key operation, measured alone by the floor below.
func BenchmarkOpen(b *testing.B) {
	a, _ := testKeys()
	ks, _ := encryption.NewKeySet(a)
	blob := sealFor(b, a, samplePayload)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ks.Open(blob); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecryptOAEPFloor is the floor of Open: a bare RSA-OAEP (SHA-1)
// decryption of a 64-byte content key.
func BenchmarkDecryptOAEPFloor(b *testing.B) {
	a, _ := testKeys()
	cek := make([]byte, 64)
	_, _ = rand.Read(cek)
	enc, err := rsa.EncryptOAEP(sha1.New(), rand.Reader, publicOf(a), cek, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := rsa.DecryptOAEP(sha1.New(), nil, a.Private, enc, nil); err != nil {
			b.Fatal(err)
		}
	}
}

package memstore

import (
	"testing"
	"unsafe"
)

// The memory figure of the package rests on these sizes.
func TestLayout(t *testing.T) {
	if got := unsafe.Sizeof(entry{}); got != 32 {
		t.Errorf("entry is %d bytes, want 32 (a 64-byte map slot with its key)", got)
	}
	if got := unsafe.Sizeof(shard{}); got != 128 {
		t.Errorf("shard is %d bytes, want 128 (no two shards on one cache line)", got)
	}
	// The figures of the account in doc.go ("Memory bound").
	for _, c := range []struct {
		name      string
		got, want int64
	}{
		{"a session's slot", sessionSlot, 128},
		{"a nonce set's slot", nonceSetSlot, 144},
		{"a nonce's slot", nonceSlot, 32},
		{"an idempotency record's slot", idemSlot, 384},
	} {
		if c.got != c.want {
			t.Errorf("%s is charged %d bytes; doc.go says %d: update the account's figures there", c.name, c.got, c.want)
		}
	}
}

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
}

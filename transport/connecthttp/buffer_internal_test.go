package connecthttp

import (
	"net/http"
	"testing"
)

// TestLargeBuffersAreNotPooled: a buffer that grew past maxPooledBytes is
// not given back to the pool, so one large body or answer does not keep
// its memory; a buffer within the bound is reused.
func TestLargeBuffersAreNotPooled(t *testing.T) {
	big := getBuffer()
	big.b = append(big.b, make([]byte, 4*maxPooledBytes)...)
	big.release()
	for i := range 100 {
		bf := getBuffer()
		if cap(bf.b) > maxPooledBytes {
			t.Fatalf("get %d: a pooled buffer of %d bytes, over the bound %d", i, cap(bf.b), maxPooledBytes)
		}
		if len(bf.b) != 0 {
			t.Fatalf("get %d: a pooled buffer holding %d bytes, want it empty", i, len(bf.b))
		}
		bf.b = append(bf.b, "answer"...)
		bf.release()
	}
}

// TestIdempotenceKeyField: the field looked up is the idempotence key
// header as net/http stores it.
func TestIdempotenceKeyField(t *testing.T) {
	if want := http.CanonicalHeaderKey(IdempotenceKeyHeader); idempotenceKeyField != want {
		t.Errorf("idempotenceKeyField = %q, want %q", idempotenceKeyField, want)
	}
}

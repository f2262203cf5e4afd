package storagetest

import (
	"errors"
	"testing"

	"github.com/clientsession/engine/storage"
)

// boundAttempts caps the writes the Bound tests make before they decide
// that the store has no bound.
const boundAttempts = 100_000

// bound: a store with a memory bound refuses writes past it with
// storage.ErrFull and never evicts a live record to make room; what it
// refused is not stored; room comes back when a record is deleted.
func (x suite) bound(t *testing.T) {
	s := x.newStores(t)
	if s.Bounded == nil {
		t.Skip("Stores.Bounded is nil: the adapter has no memory bound")
	}
	sessions := s.Bounded(t)
	ctx := t.Context()
	var saved []storage.Record
	var refused storage.Record
	for i := 0; ; i++ {
		if i == boundAttempts {
			t.Fatalf("%d Saves of 1 KiB payloads were all accepted: the Bounded store has no bound", boundAttempts)
		}
		r := newRecord(t, "1234")
		r.Payload = string(randomBytes(t, 1024))
		err := sessions.Save(ctx, r)
		if errors.Is(err, storage.ErrFull) {
			refused = r
			break
		}
		if err != nil {
			t.Fatalf("Save %d: %v, want nil or an error wrapping storage.ErrFull", i, err)
		}
		saved = append(saved, r)
	}
	if len(saved) < 3 {
		t.Fatalf("the Bounded store refused the Save of session %d; it must hold at least three 1 KiB sessions", len(saved)+1)
	}
	if _, err := sessions.Load(ctx, refused.Key, baseTime()); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Load of the refused session = %v, want storage.ErrNotFound: a refused Save stores nothing", err)
	}
	if err := sessions.Save(ctx, refused); !errors.Is(err, storage.ErrFull) {
		t.Errorf("Save again while full = %v, want storage.ErrFull", err)
	}

	// Nonces fill the rest; a refused nonce is not recorded.
	nr, hasNonces := sessions.(storage.NonceRecorder)
	var refusedNonce string
	if hasNonces {
		for i := 0; refusedNonce == ""; i++ {
			if i == boundAttempts {
				t.Fatalf("%d RecordNonce calls on a full store were all accepted", boundAttempts)
			}
			n := nonce(t)
			switch err := nr.RecordNonce(ctx, saved[0].Key, n, saved[0].ExpiresAt); {
			case errors.Is(err, storage.ErrFull):
				refusedNonce = n
			case err != nil:
				t.Fatalf("RecordNonce %d: %v, want nil or an error wrapping storage.ErrFull", i, err)
			}
		}
	}

	// Nothing live was evicted to make room.
	for i, r := range saved {
		got, err := sessions.Load(ctx, r.Key, baseTime())
		if err != nil {
			t.Fatalf("session %d of %d saved before the store was full: Load = %v; a store at its bound must not evict live sessions", i, len(saved), err)
		}
		if d := diffRecord(got, r); d != "" {
			t.Fatalf("session %d after the store was full: %s", i, d)
		}
	}

	// Room comes back with a Delete: the refused nonce can be recorded
	// then (it was not recorded when refused), and the refused session
	// fits in the room of another of the same size.
	for _, r := range saved[len(saved)-2:] {
		if err := sessions.Delete(ctx, r.Key, r.MerchantID); err != nil {
			t.Fatalf("Delete: %v", err)
		}
	}
	if hasNonces {
		if err := nr.RecordNonce(ctx, saved[0].Key, refusedNonce, saved[0].ExpiresAt); err != nil {
			t.Errorf("RecordNonce of the refused nonce after Deletes made room = %v, want nil: a refused nonce is not recorded", err)
		}
	}
	if err := sessions.Save(ctx, refused); err != nil {
		t.Fatalf("Save after Deletes made room: %v", err)
	}
	if _, err := sessions.Load(ctx, refused.Key, baseTime()); err != nil {
		t.Errorf("Load of the session saved once there was room: %v", err)
	}
}

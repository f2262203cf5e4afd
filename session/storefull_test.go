package session_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/session"
	"github.com/clientsession/engine/storage"
	"github.com/clientsession/engine/storage/memstore"
)

// TestStoreFull: over a memstore at its bound, Create, OpenCustomerInput
// and Idempotent fail with the retryable ErrStoreFull (503): nothing is
// stored, the idempotent run does not run, the nonce is not used up, and
// every session stored before still authenticates. Once revokes made room,
// the same calls succeed.
func TestStoreFull(t *testing.T) {
	ctx := context.Background()
	store, err := memstore.New(memstore.WithMaxBytes(16 << 10))
	if err != nil {
		t.Fatal(err)
	}
	store.PutTokens(testTokens()...)
	ks, _ := sessionKeys()
	f := newFixtureOver(t, store, store, session.WithKeys(ks))
	body := `{"tokens":["` + tokVisa + `"]}`
	var created []session.CreateResponse
	for {
		resp, err := f.tryCreate(merchant, body)
		if err != nil {
			wantError(t, "Create at the bound", err, sderrors.ErrStoreFull.Code(), "")
			if !sderrors.IsRetryable(err) || sderrors.KindOf(err).HTTPStatus() != 503 || !errors.Is(err, storage.ErrFull) {
				t.Errorf("Create at the bound: %v; want retryable, 503, wrapping storage.ErrFull", err)
			}
			break
		}
		created = append(created, resp)
		if len(created) > 10_000 {
			t.Fatal("a 16 KiB store never refused a create")
		}
	}
	stored := store.Len()
	// The slack left by the last session goes to nonces of no session.
	for i := 0; ; i++ {
		err := store.RecordNonce(ctx, storage.Key{1}, strconv.Itoa(i), start.Add(time.Hour))
		if errors.Is(err, storage.ErrFull) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}

	b := blob(t, payload(created[0].ClientSessionID, 1, ""))
	_, err = f.engine.OpenCustomerInput(ctx, merchant, created[0].ClientSessionID, b)
	wantError(t, "OpenCustomerInput at the bound", err, sderrors.ErrStoreFull.Code(), "")
	ran := false
	_, err = f.engine.Idempotent(ctx, merchant, "order-1", []byte(body), func(context.Context) session.Answer {
		ran = true
		return session.Answer{Status: 200}
	})
	wantError(t, "Idempotent at the bound", err, sderrors.ErrStoreFull.Code(), "")
	if ran {
		t.Error("Idempotent ran its create although the store refused the claim")
	}
	if store.Len() != stored || store.IdempotencyLen() != 0 {
		t.Errorf("refused calls stored something: %d sessions (want %d), %d idempotency records", store.Len(), stored, store.IdempotencyLen())
	}
	for _, c := range created {
		f.auth(t, c) // nothing live was evicted
	}

	for _, c := range created[1:6] {
		if err := f.engine.Revoke(ctx, merchant, c.ClientSessionID); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.engine.OpenCustomerInput(ctx, merchant, created[0].ClientSessionID, b); err != nil {
		t.Errorf("OpenCustomerInput of the refused blob after revokes made room: %v (its nonce must not be used up)", err)
	}
	if _, err := f.engine.Idempotent(ctx, merchant, "order-1", []byte(body), func(context.Context) session.Answer {
		ran = true
		return session.Answer{Status: 200}
	}); err != nil || !ran {
		t.Errorf("Idempotent after revokes made room: %v, ran %v; want a run", err, ran)
	}
}

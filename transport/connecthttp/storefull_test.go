package connecthttp_test

import (
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/storage"
	"github.com/clientsession/engine/storage/memstore"
	"github.com/clientsession/engine/transport/connecthttp"
	"github.com/clientsession/engine/transport/connecthttp/connecttest"
	"github.com/clientsession/engine/wire"
)

// TestStoreFullIs503WithRetryAfter: over a session store at its memory
// bound, a create (plain and idempotent) and a decrypt answer 503
// STORE_FULL with Retry-After: 1; sessions created before still serve.
func TestStoreFullIs503WithRetryAfter(t *testing.T) {
	store, err := memstore.New(memstore.WithMaxBytes(16 << 10))
	if err != nil {
		t.Fatal(err)
	}
	store.PutTokens(testTokens()...)
	h, err := connecthttp.New(newEngineOver(t, store, store), apiKeys)
	if err != nil {
		t.Fatal(err)
	}
	g := newGatewayOver(t, h)

	want503 := func(what string, r connecttest.Response) {
		t.Helper()
		r.WantError(t, http.StatusServiceUnavailable, sderrors.ErrStoreFull.Code(), "")
		if got := r.Header.Get("Retry-After"); got != "1" {
			t.Errorf("%s: Retry-After %q, want \"1\"", what, got)
		}
	}
	var created []wire.SessionResponse
	for i := 0; ; i++ {
		r := g.Server(http.MethodPost, "/v1/1234/sessions", `{}`, defaultSigner)
		if r.Status != http.StatusOK {
			want503("create at the bound", r)
			break
		}
		var s wire.SessionResponse
		r.JSON(t, &s)
		created = append(created, s)
		if i > 10_000 {
			t.Fatal("a 16 KiB store never refused a create")
		}
	}
	idem := defaultSigner
	idem.Header = http.Header{connecthttp.IdempotenceKeyHeader: {"order-full"}}
	want503("idempotent create at the bound", g.Server(http.MethodPost, "/v1/1234/sessions", `{}`, idem))

	// The slack left goes to nonces, then a decrypt cannot record its own.
	for i := 0; ; i++ {
		err := store.RecordNonce(t.Context(), storage.Key{1}, strconv.Itoa(i), time.Now().Add(time.Hour))
		if errors.Is(err, storage.ErrFull) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	s := created[0]
	k := g.PublicKey(s)
	blob := connecttest.Seal(t, connecttest.ServedKey(t, k), k.KeyID, connecttest.CardPayload(s.ClientSessionID, connecttest.Nonce(1), nil))
	target := connecttest.DecryptTarget("1234", s.ClientSessionID)
	want503("decrypt at the bound", g.Server(http.MethodPost, target, connecttest.DecryptBody(blob), defaultSigner))

	// Sessions created before serve; a revoke makes room, and the refused
	// blob opens (its nonce was not used up).
	productIDs(t, g.Client(s.CustomerID, s.ClientSessionID, "products"+nlEUR))
	for _, c := range created[1:4] {
		if r := g.Server(http.MethodDelete, "/v1/1234/sessions/"+c.ClientSessionID, "", defaultSigner); r.Status != http.StatusNoContent {
			t.Fatalf("revoke: %d %s", r.Status, r.Body)
		}
	}
	g.Server(http.MethodPost, target, connecttest.DecryptBody(blob), defaultSigner).Decrypted(t)
}

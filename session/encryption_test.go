package session_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/clientsession/engine/encryption"
	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/internal/testwait"
	"github.com/clientsession/engine/session"
	"github.com/clientsession/engine/storage"
	"github.com/clientsession/engine/storage/memstore"
)

var sessionKeys = sync.OnceValues(func() (*encryption.KeySet, encryption.Key) {
	k, err := encryption.GenerateKey("test-key")
	if err != nil {
		panic(err)
	}
	ks, err := encryption.NewKeySet(k)
	if err != nil {
		panic(err)
	}
	return ks, k
})

func newCryptoFixture(t *testing.T) *fixture {
	t.Helper()
	ks, _ := sessionKeys()
	return newFixture(t, session.WithKeys(ks))
}

// strangerKey is a key the engine does not hold.
var strangerKey = func() func(*testing.T) encryption.Key {
	once := sync.OnceValues(func() (encryption.Key, error) { return encryption.GenerateKey("stranger") })
	return func(t *testing.T) encryption.Key {
		t.Helper()
		k, err := once()
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
}()

// blob encrypts a payload the way the client SDK does.
func blob(t *testing.T, payload string) string {
	t.Helper()
	_, k := sessionKeys()
	return blobFor(t, k, payload)
}

// blobFor encrypts a payload for k.
func blobFor(t *testing.T, k encryption.Key, payload string) string {
	t.Helper()
	enc, err := jose.NewEncrypter(jose.A256CBC_HS512, jose.Recipient{Algorithm: jose.RSA_OAEP, Key: &k.Private.PublicKey, KeyID: k.ID}, nil)
	if err != nil {
		t.Fatal(err)
	}
	obj, err := enc.Encrypt([]byte(payload))
	if err != nil {
		t.Fatal(err)
	}
	s, _ := obj.CompactSerialize()
	return s
}

var nonceCounter atomic.Int64

func payload(clientSessionID string, product int, extra string) string {
	nonce := fmt.Sprintf("%032x", nonceCounter.Add(1))
	return `{"clientSessionId":"` + clientSessionID + `","nonce":"` + nonce + `","paymentProductId":` + fmt.Sprint(product) +
		`,"paymentValues":[{"key":"cardNumber","value":"4012000033330026"},{"key":"cvv","value":"123"},{"key":"cardholderName","value":"Jos` + "\xe9" + `"}]` + extra + `}`
}

func TestOpenCustomerInputRoundTripAndReplay(t *testing.T) {
	fx := newCryptoFixture(t)
	resp := fx.create(t, `{"tokens":["`+tokVisa+`"]}`)
	b := blob(t, payload(resp.ClientSessionID, 1, `,"accountOnFileId":1`))
	in, err := fx.engine.OpenCustomerInput(context.Background(), merchant, resp.ClientSessionID, b)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := in.Payload.Value("cardholderName"); got != "José" {
		t.Errorf("cardholderName = %q; want José (Latin-1 decoded)", got)
	}
	if in.TokenID != tokVisa || in.MerchantID != merchant {
		t.Errorf("OpenedInput = token %q merchant %q; want %q %q", in.TokenID, in.MerchantID, tokVisa, merchant)
	}
	if s := fmt.Sprintf("%v %+v %#v %s", in, in, in, in); strings.Contains(s, "4012000033330026") || strings.Contains(s, "123\"") {
		t.Errorf("formatted OpenedInput leaks card data: %s", s)
	}
	_, err = fx.engine.OpenCustomerInput(context.Background(), merchant, resp.ClientSessionID, b)
	if !errors.Is(err, sderrors.ErrDuplicateRequest) || sderrors.KindOf(err).HTTPStatus() != 409 {
		t.Errorf("replay: %v; want ErrDuplicateRequest (409)", err)
	}
	// The session named by the payload alone (no clientSessionID from the caller) works too.
	if _, err := fx.engine.OpenCustomerInput(context.Background(), merchant, "", blob(t, payload(resp.ClientSessionID, 2, ""))); err != nil {
		t.Errorf("open without a named session: %v", err)
	}
}

func TestOpenCustomerInputConcurrentOpensOneWins(t *testing.T) {
	fx := newCryptoFixture(t)
	resp := fx.create(t, `{}`)
	b := blob(t, payload(resp.ClientSessionID, 1, ""))
	var wins, replays atomic.Int32
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			_, err := fx.engine.OpenCustomerInput(context.Background(), merchant, resp.ClientSessionID, b)
			switch {
			case err == nil:
				wins.Add(1)
			case errors.Is(err, sderrors.ErrDuplicateRequest):
				replays.Add(1)
			default:
				t.Errorf("unexpected error: %v", err)
			}
		})
	}
	testwait.Group(t, &wg, time.Minute, "the 16 concurrent opens")
	if wins.Load() != 1 || replays.Load() != 15 {
		t.Errorf("wins %d, replays %d; want 1 and 15", wins.Load(), replays.Load())
	}
}

func TestOpenCustomerInputRejects(t *testing.T) {
	fx := newCryptoFixture(t)
	ctx := context.Background()
	resp := fx.create(t, `{"tokens":["`+tokVisa+`","`+tokAmex+`"],"paymentProductFilters":{"exclude":{"products":[3]}}}`)
	otherResp := fx.create(t, `{}`)
	theirs, err := fx.tryCreate(other, `{}`)
	if err != nil {
		t.Fatal(err)
	}
	sid := resp.ClientSessionID
	tests := []struct {
		name     string
		merchant string
		named    string
		blob     string
		want     *sderrors.Error
		property string
	}{
		{"blob of another session", merchant, sid, blob(t, payload(otherResp.ClientSessionID, 1, "")), sderrors.ErrSessionMismatch, ""},
		{"session of another merchant", merchant, "", blob(t, payload(theirs.ClientSessionID, 1, "")), sderrors.ErrSessionNotFound, ""},
		{"unknown session", merchant, "", blob(t, payload(strings.Repeat("0", 32), 1, "")), sderrors.ErrSessionNotFound, ""},
		{"excluded product", merchant, sid, blob(t, payload(sid, 3, "")), sderrors.ErrUnknownProduct, "paymentProductId"},
		{"unknown product", merchant, sid, blob(t, payload(sid, 4242, "")), sderrors.ErrUnknownProduct, "paymentProductId"},
		{"unknown account on file", merchant, sid, blob(t, payload(sid, 1, `,"accountOnFileId":9`)), sderrors.ErrUnknownAccountOnFile, "accountOnFileId"},
		{"account on file of another product", merchant, sid, blob(t, payload(sid, 1, `,"accountOnFileId":2`)), sderrors.ErrUnknownAccountOnFile, "accountOnFileId"},
		{"bad nonce", merchant, sid, blob(t, `{"clientSessionId":"`+sid+`","nonce":"XYZ","paymentProductId":1}`), sderrors.ErrInvalidPayload, "nonce"},
		{"tampered", merchant, sid, blob(t, payload(sid, 1, ""))[:40] + "A" + blob(t, payload(sid, 1, ""))[41:], sderrors.ErrInvalidEncryptedInput, ""},
		{"not a JWE", merchant, sid, "hello", sderrors.ErrInvalidEncryptedInput, ""},
		{"unknown kid", merchant, sid, blobFor(t, strangerKey(t), payload(sid, 1, "")), sderrors.ErrUnknownKeyID, ""},
	}
	for _, tt := range tests {
		_, err := fx.engine.OpenCustomerInput(ctx, tt.merchant, tt.named, tt.blob)
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: %v; want %s", tt.name, err, tt.want.ID())
			continue
		}
		if e := sderrors.Find(err); e.Property() != tt.property {
			t.Errorf("%s: property %q; want %q", tt.name, e.Property(), tt.property)
		}
		if s := sderrors.KindOf(err).HTTPStatus(); s >= 500 {
			t.Errorf("%s: status %d; want 4xx", tt.name, s)
		}
	}
	// A rejected blob used up no nonce: the same nonce still opens in a valid blob.
	nonce := fmt.Sprintf("%032x", 999999)
	bad := blob(t, `{"clientSessionId":"`+sid+`","nonce":"`+nonce+`","paymentProductId":3}`)
	good := blob(t, `{"clientSessionId":"`+sid+`","nonce":"`+nonce+`","paymentProductId":1}`)
	if _, err := fx.engine.OpenCustomerInput(ctx, merchant, sid, bad); !errors.Is(err, sderrors.ErrUnknownProduct) {
		t.Fatalf("bad blob: %v", err)
	}
	if _, err := fx.engine.OpenCustomerInput(ctx, merchant, sid, good); err != nil {
		t.Errorf("a failed blob burnt its nonce: %v", err)
	}
}

func TestOpenCustomerInputExpiredSession(t *testing.T) {
	fx := newCryptoFixture(t)
	resp := fx.create(t, `{}`)
	b := blob(t, payload(resp.ClientSessionID, 1, ""))
	fx.clock.add(2 * time.Hour)
	if _, err := fx.engine.OpenCustomerInput(context.Background(), merchant, resp.ClientSessionID, b); !errors.Is(err, sderrors.ErrSessionNotFound) {
		t.Errorf("expired session: %v; want ErrSessionNotFound", err)
	}
}

func TestOpenCustomerInputStoreFailureIsRetryable(t *testing.T) {
	ks, _ := sessionKeys()
	mem := newMemstore(t)
	mem.PutTokens(testTokens()...)
	store := failingNonces{&flakySessions{Store: mem}}
	fx := newFixtureOver(t, store, mem, session.WithKeys(ks))
	resp := fx.create(t, `{}`)
	_, err := fx.engine.OpenCustomerInput(context.Background(), merchant, resp.ClientSessionID, blob(t, payload(resp.ClientSessionID, 1, "")))
	if !sderrors.IsRetryable(err) {
		t.Errorf("nonce store failure: %v; want retryable", err)
	}
}

func TestPublicKeyAndKeysNeedNonceStore(t *testing.T) {
	fx := newCryptoFixture(t)
	resp := fx.create(t, `{}`)
	s := fx.auth(t, resp)
	ks, _ := sessionKeys()
	pub, err := fx.engine.PublicKey(s)
	if err != nil || pub != ks.Current() {
		t.Errorf("PublicKey = %+v, %v; want the key set's current key", pub, err)
	}
	plain := newFixture(t)
	if _, err := plain.engine.PublicKey(plain.auth(t, plain.create(t, `{}`))); !errors.Is(err, sderrors.ErrUnknownKeyID) {
		t.Errorf("PublicKey without keys: %v; want ErrUnknownKeyID", err)
	}
	if _, err := session.New(noNonces{}, fx.store, session.WithKeys(ks), session.WithCatalog(testCatalog(t)),
		session.WithDatacenter(session.Datacenter{Origin: origin, Region: "EU"})); !errors.Is(err, sderrors.ErrInvalidConfiguration) {
		t.Errorf("New(WithKeys) over a store without nonces: %v; want ErrInvalidConfiguration", err)
	}
}

// failingNonces is a session store whose nonce record always fails.
type failingNonces struct{ *flakySessions }

func (failingNonces) RecordNonce(context.Context, storage.Key, string, time.Time) error {
	return errors.New("nonce store down")
}

// noNonces is a session store without the NonceRecorder capability.
type noNonces struct{ storage.Repository }

// lostNonceReply is a session store that records a nonce and then loses
// the reply (it answers an error, as a store whose connection broke after
// the write does), once.
type lostNonceReply struct {
	*memstore.Store
	lost atomic.Bool
}

func (s *lostNonceReply) RecordNonce(ctx context.Context, key storage.Key, nonce string, expiresAt time.Time) error {
	if err := s.Store.RecordNonce(ctx, key, nonce, expiresAt); err != nil {
		return err
	}
	if s.lost.CompareAndSwap(false, true) {
		return errors.New("record nonce: connection reset after the write")
	}
	return nil
}

// Nonces are at-most-once: an open whose nonce was recorded but whose
// answer was lost fails retryably, and its retry with the same blob is a
// 409 (the client encrypts again, with a fresh nonce), never a second
// opening of the same payload. A fresh blob for the same session opens.
func TestOpenCustomerInputNoncesAreAtMostOnce(t *testing.T) {
	ks, _ := sessionKeys()
	store := &lostNonceReply{Store: newMemstore(t)}
	store.PutTokens(testTokens()...)
	fx := newFixtureOver(t, store, store, session.WithKeys(ks))
	resp := fx.create(t, `{}`)
	ctx := context.Background()
	b := blob(t, payload(resp.ClientSessionID, 1, ""))
	_, err := fx.engine.OpenCustomerInput(ctx, merchant, resp.ClientSessionID, b)
	if !errors.Is(err, sderrors.ErrUnavailable) || !sderrors.IsRetryable(err) {
		t.Fatalf("open whose nonce reply was lost = %v; want a retryable ErrUnavailable", err)
	}
	_, err = fx.engine.OpenCustomerInput(ctx, merchant, resp.ClientSessionID, b)
	if !errors.Is(err, sderrors.ErrDuplicateRequest) || sderrors.KindOf(err).HTTPStatus() != 409 {
		t.Fatalf("retry of the same blob = %v; want ErrDuplicateRequest (409): the nonce was used", err)
	}
	if _, err := fx.engine.OpenCustomerInput(ctx, merchant, resp.ClientSessionID, blob(t, payload(resp.ClientSessionID, 1, ""))); err != nil {
		t.Errorf("a blob encrypted again with a fresh nonce = %v; want it opened", err)
	}
}

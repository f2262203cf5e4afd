package memstore_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/session/sessiontest"
	"github.com/clientsession/engine/storage"
	"github.com/clientsession/engine/storage/memstore"
	"github.com/clientsession/engine/storage/storagetest"
	"github.com/clientsession/engine/token"
)

// newStore returns a new Store or fails tb.
func newStore(tb testing.TB, opts ...memstore.Option) *memstore.Store {
	tb.Helper()
	s, err := memstore.New(opts...)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func newStores(opts ...memstore.Option) storagetest.Factory {
	return func(t *testing.T) storagetest.Stores {
		t.Helper()
		s := newStore(t, opts...)
		return storagetest.Stores{Sessions: s, Tokens: s, PutTokens: func(_ context.Context, ts ...token.Token) error {
			s.PutTokens(ts...)
			return nil
		}, Require: []storagetest.Capability{storagetest.NonceRecorder, storagetest.Sweeper, storagetest.Idempotency},
			Bounded: func(t *testing.T) storage.Repository {
				t.Helper()
				return newStore(t, append(opts, memstore.WithMaxBytes(64<<10))...)
			}}
	}
}

// TestNewValidatesOptions: a bad option is an error naming it, never
// silently clamped.
func TestNewValidatesOptions(t *testing.T) {
	for _, n := range []int{-3, 0, 3, 100, 512} {
		_, err := memstore.New(memstore.WithShards(n))
		if !errors.Is(err, sderrors.ErrInvalidConfiguration) || sderrors.Find(err).Property() != "shards" {
			t.Errorf("New(WithShards(%d)) = %v; want ErrInvalidConfiguration at shards", n, err)
		}
	}
	for _, n := range []int{1, 2, 64, 256} {
		if _, err := memstore.New(memstore.WithShards(n)); err != nil {
			t.Errorf("New(WithShards(%d)) = %v", n, err)
		}
	}
	if _, err := memstore.New(nil); !errors.Is(err, sderrors.ErrInvalidConfiguration) {
		t.Errorf("New(nil option) = %v; want ErrInvalidConfiguration", err)
	}
}

// TestConformanceCatchesAHiddenCapability: a wrapper that hides
// NonceRecorder fails a suite that requires it (it would only skip
// otherwise).
func TestConformanceCatchesAHiddenCapability(t *testing.T) {
	s := newStore(t)
	both := []storagetest.Capability{storagetest.NonceRecorder, storagetest.Sweeper}
	hidden := struct{ storage.Repository }{s} // embeds the interface: RecordNonce and DeleteExpired are gone
	if got := storagetest.Missing(storagetest.Stores{Sessions: hidden, Require: both}); !slices.Equal(got, both) {
		t.Errorf("Missing(wrapper hiding both) = %v; want %v", got, both)
	}
	kept := struct{ *memstore.Store }{s} // embeds the concrete store: capabilities kept
	if got := storagetest.Missing(storagetest.Stores{Sessions: kept, Require: both}); len(got) != 0 {
		t.Errorf("Missing(wrapper embedding the store) = %v; want none", got)
	}
	if got := storagetest.Missing(storagetest.Stores{Sessions: hidden}); len(got) != 0 {
		t.Errorf("Missing with nothing required = %v; want none", got)
	}
}

func TestConformance(t *testing.T) {
	storagetest.Run(t, newStores())
	storagetest.RunConcurrency(t, newStores())
}

func TestLoadNoLostOrCrossedSessions(t *testing.T) {
	sessiontest.RunLoad(t, newStores()(t), 5000, 8)
}

func TestConformanceOneShard(t *testing.T) {
	storagetest.Run(t, newStores(memstore.WithShards(1)))
	storagetest.RunConcurrency(t, newStores(memstore.WithShards(1)))
}

func key(tb testing.TB) storage.Key {
	tb.Helper()
	var k storage.Key
	if _, err := rand.Read(k[:]); err != nil {
		tb.Fatal(err)
	}
	return k
}

func record(tb testing.TB, expires time.Time) storage.Record {
	tb.Helper()
	return storage.Record{Key: key(tb), MerchantID: "1234", CustomerID: "1234-00112233445566778899aabbccddeeff",
		ExpiresAt: expires, Payload: "payload"}
}

func TestNewStartsNoGoroutine(t *testing.T) {
	before := runtime.NumGoroutine()
	stores := make([]*memstore.Store, 10)
	for i := range stores {
		stores[i] = newStore(t)
	}
	// Other tests' goroutines may end meanwhile: only a rise is a goroutine
	// started by New.
	if got := runtime.NumGoroutine(); got > before {
		t.Errorf("goroutines after 10 New = %d, want at most %d", got, before)
	}
	runtime.KeepAlive(stores)
}

func TestLoadReclaimsExpired(t *testing.T) {
	ctx := t.Context()
	s := newStore(t)
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	r := record(t, now.Add(time.Hour))
	if err := s.Save(ctx, r); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(ctx, r.Key, now.Add(time.Hour-time.Nanosecond)); err != nil {
		t.Fatalf("Load a nanosecond before expiry: %v", err)
	}
	if got := s.Len(); got != 1 {
		t.Fatalf("Len = %d, want 1", got)
	}
	if _, err := s.Load(ctx, r.Key, now.Add(time.Hour)); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("Load at expiry = %v, want ErrNotFound", err)
	}
	if got := s.Len(); got != 0 {
		t.Errorf("Len after a Load found the session expired = %d, want 0 (reclaimed)", got)
	}
}

func TestSaveSweepsExpired(t *testing.T) {
	ctx := t.Context()
	s := newStore(t, memstore.WithShards(1))
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	const n = 1000
	for range n {
		if err := s.Save(ctx, record(t, now.Add(time.Minute))); err != nil {
			t.Fatal(err)
		}
	}
	if got := s.Len(); got != n {
		t.Fatalf("Len = %d, want %d: nothing may be swept before any caller time is known", got, n)
	}
	// A Load tells the store the time; from then on every Save reclaims
	// some expired sessions.
	if _, err := s.Load(ctx, key(t), now.Add(time.Hour)); !errors.Is(err, storage.ErrNotFound) {
		t.Fatal(err)
	}
	for range 100 {
		if err := s.Save(ctx, record(t, now.Add(2*time.Hour))); err != nil {
			t.Fatal(err)
		}
	}
	// 100 Saves examine 4 to 16 sessions each; with most of them expired
	// they remove far more than 100*4/2.
	if got := s.Len(); got > n+100-200 {
		t.Errorf("Len after 100 Saves = %d, want at most %d: Save does not sweep", got, n+100-200)
	}
	for range 200 {
		if err := s.Save(ctx, record(t, now.Add(2*time.Hour))); err != nil {
			t.Fatal(err)
		}
	}
	// The sample is random: allow a few expired sessions to remain.
	if got := s.Len(); got > 300+50 {
		t.Errorf("Len after 300 Saves = %d, want at most 350 (nearly every expired session swept)", got)
	}
	t.Logf("Len after 300 live Saves over 1000 expired: %d", s.Len())
}

func TestDeleteExpiredCount(t *testing.T) {
	ctx := t.Context()
	s := newStore(t)
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	for i := range 300 {
		r := record(t, now.Add(time.Duration(i%3)*time.Hour)) // 100 each at now, +1h, +2h
		if err := s.Save(ctx, r); err != nil {
			t.Fatal(err)
		}
		if i%2 == 0 {
			if err := s.RecordNonce(ctx, r.Key, "00112233445566778899aabbccddeeff", r.ExpiresAt); err != nil {
				t.Fatal(err)
			}
		}
	}
	// A nonce with no session is kept until its own expiry.
	orphan := key(t)
	if err := s.RecordNonce(ctx, orphan, "n", now.Add(90*time.Minute)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		now        time.Time
		want, left int
	}{
		{now.Add(-time.Second), 0, 300},
		{now, 100, 200},
		{now.Add(time.Hour), 100, 100},
		{now.Add(time.Hour), 0, 100},
		{now.Add(3 * time.Hour), 100, 0},
	}
	for _, tc := range tests {
		got, err := s.DeleteExpired(ctx, tc.now)
		if err != nil || got != tc.want {
			t.Errorf("DeleteExpired(%s) = %d, %v; want %d, nil", tc.now, got, err, tc.want)
		}
		if l := s.Len(); l != tc.left {
			t.Errorf("Len after DeleteExpired(%s) = %d, want %d", tc.now, l, tc.left)
		}
	}
	if err := s.RecordNonce(ctx, orphan, "n", now.Add(4*time.Hour)); err != nil {
		t.Errorf("RecordNonce of a nonce whose expiry was swept = %v, want nil", err)
	}
}

func TestExpiresAtRange(t *testing.T) {
	ctx := t.Context()
	s := newStore(t)
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		expires time.Time
		alive   bool
	}{
		{"zero time is always expired", time.Time{}, false},
		{"year 1600 is expired", time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC), false},
		{"year 3000 is alive", time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC), true},
		{"nanoseconds kept", now.Add(time.Nanosecond), true},
	}
	for _, tc := range tests {
		r := record(t, tc.expires)
		if err := s.Save(ctx, r); err != nil {
			t.Fatal(err)
		}
		got, err := s.Load(ctx, r.Key, now)
		if alive := err == nil; alive != tc.alive {
			t.Errorf("%s: Load = %v, want alive %v", tc.name, err, tc.alive)
			continue
		}
		if tc.alive && tc.expires.Year() < 2262 && !got.ExpiresAt.Equal(tc.expires) {
			t.Errorf("%s: ExpiresAt = %s, want %s", tc.name, got.ExpiresAt, tc.expires)
		}
	}
}

func TestSaveTooLarge(t *testing.T) {
	s := newStore(t)
	r := record(t, time.Now().Add(time.Hour))
	r.MerchantID = strings.Repeat("m", 1<<16)
	r.CustomerID = r.MerchantID + "-1"
	err := s.Save(t.Context(), r)
	if err == nil || errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Save with a 64 KiB merchantId = %v, want a size error", err)
	}
	if s.Len() != 0 {
		t.Errorf("Len = %d, want 0", s.Len())
	}
	r.MerchantID = r.MerchantID[1:]
	if err := s.Save(t.Context(), r); err != nil {
		t.Errorf("Save with a merchantId of 64 KiB - 1 = %v, want nil", err)
	}
}

func TestTokensDedupOrder(t *testing.T) {
	s := newStore(t)
	s.PutTokens(token.Token{ID: "a", MerchantID: "1"}, token.Token{ID: "b", MerchantID: "2"})
	ids := []string{"b", "x", "a", "b"}
	for len(ids) < 40 { // also over the small-input threshold
		ids = append(ids, "a", "zz")
	}
	for _, in := range [][]string{ids[:4], ids} {
		got, err := s.Tokens(t.Context(), "1", in)
		if err != nil || len(got) != 2 || got[0].ID != "b" || got[1].ID != "a" {
			t.Errorf("Tokens(%d ids) = %+v, %v; want b then a, once each", len(in), got, err)
		}
	}
	if !s.DeleteToken("a") || s.DeleteToken("a") {
		t.Error("DeleteToken: want true then false")
	}
	if got, _ := s.Tokens(t.Context(), "1", []string{"a"}); len(got) != 0 {
		t.Errorf("Tokens after DeleteToken = %+v, want none", got)
	}
}

func Example() {
	ctx := context.Background()
	store, _ := memstore.New()
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

	var key storage.Key // in the engine: SHA-256 of the clientSessionId
	copy(key[:], "an example key of thirty-two b..")
	_ = store.Save(ctx, storage.Record{
		Key: key, MerchantID: "1234", CustomerID: "1234-9f86d081884c7d659a2feaa0c55ad015",
		ExpiresAt: now.Add(2 * time.Hour), Payload: "opaque",
	})

	r, err := store.Load(ctx, key, now.Add(time.Hour))
	fmt.Println(r.CustomerID, string(r.Payload), err)

	_, err = store.Load(ctx, key, now.Add(2*time.Hour))
	fmt.Println(errors.Is(err, storage.ErrNotFound), store.Len())

	store.PutTokens(token.Token{ID: "tok-1", MerchantID: "1234", PaymentProductID: 1, Status: token.StatusActive})
	ts, _ := store.Tokens(ctx, "1234", []string{"tok-1", "unknown"})
	fmt.Println(len(ts), ts[0].PaymentProductID)
	// Output:
	// 1234-9f86d081884c7d659a2feaa0c55ad015 opaque <nil>
	// true 0
	// 1 1
}

// ObserveTime tells every shard the time, without a Load: the engine calls
// it before each create, so that create-only traffic reclaims too.
func TestObserveTimeDrivesSaveSweep(t *testing.T) {
	ctx := t.Context()
	s := newStore(t) // 32 shards: one Load would tell only one of them
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	const n = 1000
	for range n {
		if err := s.Save(ctx, record(t, now.Add(time.Minute))); err != nil {
			t.Fatal(err)
		}
	}
	s.ObserveTime(now.Add(-time.Hour)) // earlier: ignored later on
	s.ObserveTime(now.Add(time.Hour))
	s.ObserveTime(now) // earlier than seen: ignored
	for range 1000 {
		if err := s.Save(ctx, record(t, now.Add(3*time.Hour))); err != nil {
			t.Fatal(err)
		}
	}
	if got := s.Len(); got > 1000+100 {
		t.Errorf("Len after 1000 live Saves over 1000 expired = %d, want at most 1100: ObserveTime does not reach Save's sweep", got)
	}
}

package storagetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/clientsession/engine/storage"
	"github.com/clientsession/engine/token"
)

// Stores are the stores of one adapter under test.
type Stores struct {
	// Sessions is required. When it also implements storage.NonceRecorder
	// or storage.Sweeper, those are tested too.
	Sessions storage.Repository
	// Tokens is optional: nil skips the token tests.
	Tokens token.Repository
	// PutTokens stores tokens so that Tokens finds them; required when
	// Tokens is set.
	PutTokens func(ctx context.Context, tokens ...token.Token) error
	// Require lists the optional capabilities Sessions must have: the
	// suite fails, rather than skips, the tests of a required capability
	// that Sessions lacks. An adapter requires what it implements, so
	// that a wrapper hiding a capability is caught.
	Require []Capability
	// Bounded is optional, for an adapter with a memory bound: it returns
	// a fresh, empty session store of the adapter bounded to hold at least
	// three and at most a few thousand sessions with 1 KiB payloads (e.g.
	// memstore.WithMaxBytes(64<<10)). nil skips the Bound tests.
	Bounded func(t *testing.T) storage.Repository
}

// Capability names an optional capability of a session store.
type Capability string

// The optional capabilities of package storage.
const (
	NonceRecorder Capability = "storage.NonceRecorder"
	Sweeper       Capability = "storage.Sweeper"
	Idempotency   Capability = "storage.Idempotency"
)

// Missing returns the capabilities s.Require lists that s.Sessions does
// not implement. Run and RunConcurrency fail at once when there are any.
func Missing(s Stores) []Capability {
	var out []Capability
	for _, c := range s.Require {
		has := false
		switch c {
		case NonceRecorder:
			_, has = s.Sessions.(storage.NonceRecorder)
		case Sweeper:
			_, has = s.Sessions.(storage.Sweeper)
		case Idempotency:
			_, has = s.Sessions.(storage.Idempotency)
		}
		if !has {
			out = append(out, c)
		}
	}
	return out
}

// lacks skips t, or fails it when s requires c.
func (s Stores) lacks(t *testing.T, c Capability) {
	t.Helper()
	if slices.Contains(s.Require, c) {
		t.Fatalf("Sessions (%T) does not implement %s, which Stores.Require lists", s.Sessions, c)
	}
	t.Skipf("Sessions (%T) does not implement %s", s.Sessions, c)
}

// Factory returns fresh, empty stores for one subtest. It registers its
// own cleanup with t.Cleanup and may skip t.
type Factory func(t *testing.T) Stores

// suite builds fresh stores for each subtest. Subtest bodies are its
// methods, passed to t.Run directly, so that failures point at them.
type suite struct{ newStores Factory }

// Run runs the conformance suite: subtests Sessions/*, Ctx/*, Nonces/*,
// Sweep/*, Idempotency/*, Bound/* and Tokens/*, each on stores fresh from newStores. Capabilities
// the stores lack are skipped, saying so.
func Run(t *testing.T, newStores Factory) {
	t.Helper()
	x := suite{newStores}
	t.Run("Require", x.require)
	t.Run("Sessions", func(t *testing.T) {
		t.Run("SaveLoad", x.saveLoad)
		t.Run("NotFound", x.notFound)
		t.Run("ExpiryUsesCallerTime", x.expiry)
		t.Run("Delete", x.deleteSession)
		t.Run("Replace", x.replace)
	})
	t.Run("Ctx", func(t *testing.T) {
		t.Run("Canceled", x.canceled)
		t.Run("DeadlineExceeded", x.deadline)
	})
	t.Run("Nonces", func(t *testing.T) {
		t.Run("FirstThenReplay", x.nonceReplay)
		t.Run("ManyInOneSession", x.nonceMany)
		t.Run("OtherSession", x.nonceOtherSession)
		t.Run("GoWithDelete", x.nonceDelete)
		t.Run("GoWithExpiry", x.nonceExpiry)
	})
	t.Run("Sweep", func(t *testing.T) {
		t.Run("DeleteExpired", x.sweep)
		t.Run("Empty", x.sweepEmpty)
	})
	t.Run("Idempotency", func(t *testing.T) {
		t.Run("ClaimFinishReplay", x.idemClaimFinish)
		t.Run("Release", x.idemRelease)
		t.Run("OtherAttemptCannotFinish", x.idemOtherAttempt)
		t.Run("Expiry", x.idemExpiry)
		t.Run("LeaseFreesAnUnfinishedClaim", x.idemLease)
		t.Run("StaleFinishChangesNothing", x.idemStaleFinish)
		t.Run("StaleReleaseChangesNothing", x.idemStaleRelease)
		t.Run("AnswerOutlivesTheLease", x.idemAnswerPastLease)
		t.Run("NoLeaseRunsUntilExpiry", x.idemNoLease)
		t.Run("SweepClaimPastLease", x.idemSweepLease)
	})
	t.Run("Bound", func(t *testing.T) {
		t.Run("RefusesNeverEvicts", x.bound)
	})
	t.Run("Tokens", func(t *testing.T) {
		t.Run("Batch", x.tokensBatch)
		t.Run("OtherMerchant", x.tokensOtherMerchant)
		t.Run("Duplicates", x.tokensDuplicates)
		t.Run("Empty", x.tokensEmpty)
		t.Run("Copies", x.tokensCopies)
		t.Run("Many", x.tokensMany)
	})
}

// stores returns fresh stores for the subtest t.
func (x suite) stores(t *testing.T) Stores {
	t.Helper()
	s := x.newStores(t)
	if s.Sessions == nil {
		t.Fatal("storagetest: the Factory returned Stores without Sessions")
	}
	if s.Tokens != nil && s.PutTokens == nil {
		t.Fatal("storagetest: the Factory returned Tokens without PutTokens")
	}
	return s
}

// require fails when the stores lack a capability they require.
func (x suite) require(t *testing.T) {
	s := x.stores(t)
	if missing := Missing(s); len(missing) > 0 {
		t.Fatalf("Sessions (%T) does not implement %v, which Stores.Require lists", s.Sessions, missing)
	}
}

// nonceStores returns fresh stores whose Sessions record nonces, or skips t.
func (x suite) nonceStores(t *testing.T) (Stores, storage.NonceRecorder) {
	t.Helper()
	s := x.stores(t)
	nr, ok := s.Sessions.(storage.NonceRecorder)
	if !ok {
		s.lacks(t, NonceRecorder)
	}
	return s, nr
}

// sweeperStores returns fresh stores whose Sessions sweep, or skips t.
func (x suite) sweeperStores(t *testing.T) (Stores, storage.Sweeper) {
	t.Helper()
	s := x.stores(t)
	sw, ok := s.Sessions.(storage.Sweeper)
	if !ok {
		s.lacks(t, Sweeper)
	}
	return s, sw
}

// tokenStores returns fresh stores with Tokens, or skips t.
func (x suite) tokenStores(t *testing.T) Stores {
	t.Helper()
	s := x.stores(t)
	if s.Tokens == nil {
		t.Skip("Stores.Tokens is nil")
	}
	return s
}

// --- helpers ---

// baseTime is the real clock truncated to the millisecond, the precision
// adapters must keep.
func baseTime() time.Time { return time.Now().Truncate(time.Millisecond) }

func randomBytes(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("crypto/rand: %v", err)
	}
	return b
}

func newKey(t *testing.T) storage.Key {
	t.Helper()
	return storage.Key(randomBytes(t, len(storage.Key{})))
}

func hexID(t *testing.T) string {
	t.Helper()
	return hex.EncodeToString(randomBytes(t, 16))
}

// newRecord is a session of merchant as the engine makes them: customerId
// "{merchant}-{32 hex}", a 200-byte payload, alive for an hour.
func newRecord(t *testing.T, merchant string) storage.Record {
	t.Helper()
	return storage.Record{
		Key:        newKey(t),
		MerchantID: merchant,
		CustomerID: merchant + "-" + hexID(t),
		ExpiresAt:  baseTime().Add(time.Hour),
		Payload:    string(randomBytes(t, 200)),
	}
}

func save(t *testing.T, s Stores, r storage.Record) {
	t.Helper()
	if err := s.Sessions.Save(t.Context(), r); err != nil {
		t.Fatalf("Save(%s): %v", r.CustomerID, err)
	}
}

func load(t *testing.T, s Stores, key storage.Key, now time.Time) storage.Record {
	t.Helper()
	got, err := s.Sessions.Load(t.Context(), key, now)
	if err != nil {
		t.Fatalf("Load(now %s): %v, want the record", now.Format(time.RFC3339Nano), err)
	}
	return got
}

func loadNotFound(t *testing.T, s Stores, key storage.Key, now time.Time) {
	t.Helper()
	got, err := s.Sessions.Load(t.Context(), key, now)
	if !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("Load(now %s) = %+v, %v; want an error wrapping storage.ErrNotFound",
			now.Format(time.RFC3339Nano), got.CustomerID, err)
	}
}

func diffRecord(got, want storage.Record) string {
	switch {
	case got.Key != want.Key:
		return fmt.Sprintf("Key = %x, want %x", got.Key, want.Key)
	case got.MerchantID != want.MerchantID:
		return fmt.Sprintf("MerchantID = %q, want %q", got.MerchantID, want.MerchantID)
	case got.CustomerID != want.CustomerID:
		return fmt.Sprintf("CustomerID = %q, want %q", got.CustomerID, want.CustomerID)
	case !got.ExpiresAt.Equal(want.ExpiresAt):
		return fmt.Sprintf("ExpiresAt = %s, want %s (equal to the millisecond at least)",
			got.ExpiresAt.Format(time.RFC3339Nano), want.ExpiresAt.Format(time.RFC3339Nano))
	case got.Payload != want.Payload:
		return fmt.Sprintf("Payload = %d bytes %.16x..., want %d bytes %.16x...",
			len(got.Payload), got.Payload, len(want.Payload), want.Payload)
	}
	return ""
}

func checkRecord(t *testing.T, got, want storage.Record) {
	t.Helper()
	if d := diffRecord(got, want); d != "" {
		t.Error(d)
	}
}

// --- Sessions ---

func (x suite) saveLoad(t *testing.T) {
	s := x.stores(t)
	binary := make([]byte, 256)
	for i := range binary {
		binary[i] = byte(i)
	}
	tests := []struct {
		name string
		edit func(r *storage.Record)
	}{
		{"engine ids", func(*storage.Record) {}},
		{"customerId not prefixed by merchantId", func(r *storage.Record) {
			r.MerchantID = "merchant-2"
			r.CustomerID = "cust-" + hex.EncodeToString(r.Key[:8])
		}},
		{"merchantId a strict prefix of another merchant's", func(r *storage.Record) {
			r.MerchantID = "12"
			r.CustomerID = "1234-" + hex.EncodeToString(r.Key[:16])
		}},
		{"customerId equal to merchantId", func(r *storage.Record) { r.CustomerID = r.MerchantID }},
		{"non-ASCII ids", func(r *storage.Record) {
			r.MerchantID = "händler"
			r.CustomerID = "händler-ü-" + hex.EncodeToString(r.Key[:4])
		}},
		{"empty payload", func(r *storage.Record) { r.Payload = "" }},
		{"binary payload", func(r *storage.Record) { r.Payload = string(binary) }},
		{"64 KiB payload", func(r *storage.Record) { r.Payload = strings.Repeat("0123456789abcdef", 4096) }},
		{"ExpiresAt in another zone", func(r *storage.Record) {
			r.ExpiresAt = r.ExpiresAt.In(time.FixedZone("UTC+5", 5*3600))
		}},
		{"ExpiresAt a day ahead", func(r *storage.Record) { r.ExpiresAt = r.ExpiresAt.Add(23 * time.Hour) }},
	}
	var saved []storage.Record
	for _, tc := range tests {
		r := newRecord(t, "1234")
		tc.edit(&r)
		if err := s.Sessions.Save(t.Context(), r); err != nil {
			t.Errorf("%s: Save: %v", tc.name, err)
			continue
		}
		got, err := s.Sessions.Load(t.Context(), r.Key, time.Now())
		if err != nil {
			t.Errorf("%s: Load: %v, want the record", tc.name, err)
			continue
		}
		if d := diffRecord(got, r); d != "" {
			t.Errorf("%s: %s", tc.name, d)
		}
		saved = append(saved, r)
	}
	// Every record is still there and still its own after the others.
	for i, r := range saved {
		got, err := s.Sessions.Load(t.Context(), r.Key, time.Now())
		if err != nil {
			t.Errorf("record %d: second Load: %v", i, err)
			continue
		}
		if d := diffRecord(got, r); d != "" {
			t.Errorf("record %d, second Load: %s", i, d)
		}
	}
}

func (x suite) notFound(t *testing.T) {
	s := x.stores(t)
	loadNotFound(t, s, newKey(t), time.Now())
	save(t, s, newRecord(t, "1234"))
	loadNotFound(t, s, newKey(t), time.Now())
	var zero storage.Key
	loadNotFound(t, s, zero, time.Now())
	_, err := s.Sessions.Load(t.Context(), newKey(t), time.Now())
	if errors.Is(err, storage.ErrAlreadyExists) {
		t.Errorf("Load of a missing key: %v also wraps ErrAlreadyExists", err)
	}
}

func (x suite) expiry(t *testing.T) {
	s := x.stores(t)
	r := newRecord(t, "1234")
	exp := r.ExpiresAt
	save(t, s, r)
	// Long before: the store's own clock plays no part.
	checkRecord(t, load(t, s, r.Key, exp.AddDate(-20, 0, 0)), r)
	checkRecord(t, load(t, s, r.Key, time.Now()), r)
	checkRecord(t, load(t, s, r.Key, exp.Add(-time.Millisecond)), r)
	// At ExpiresAt the session is over; after a Load found it expired the
	// store may have removed it, so later checks only ask for not found.
	loadNotFound(t, s, r.Key, exp)
	loadNotFound(t, s, r.Key, exp.Add(time.Hour))

	r2 := newRecord(t, "1234")
	save(t, s, r2)
	loadNotFound(t, s, r2.Key, r2.ExpiresAt.Add(24*time.Hour))
}

func (x suite) deleteSession(t *testing.T) {
	s := x.stores(t)
	ctx := t.Context()
	r := newRecord(t, "12")
	r.CustomerID = "1234-" + hexID(t) // merchant "12" is a prefix of "1234"
	save(t, s, r)
	for _, other := range []string{"1234", "1", "", "13", "12 "} {
		if err := s.Sessions.Delete(ctx, r.Key, other); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("Delete by merchant %q of merchant %q's session = %v, want an error wrapping ErrNotFound",
				other, r.MerchantID, err)
		}
	}
	checkRecord(t, load(t, s, r.Key, time.Now()), r)

	keep := newRecord(t, "12")
	save(t, s, keep)
	if err := s.Sessions.Delete(ctx, r.Key, r.MerchantID); err != nil {
		t.Fatalf("Delete by the owner = %v, want nil", err)
	}
	loadNotFound(t, s, r.Key, time.Now())
	if err := s.Sessions.Delete(ctx, r.Key, r.MerchantID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("second Delete = %v, want an error wrapping ErrNotFound", err)
	}
	if err := s.Sessions.Delete(ctx, newKey(t), r.MerchantID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Delete of a missing key = %v, want an error wrapping ErrNotFound", err)
	}
	checkRecord(t, load(t, s, keep.Key, time.Now()), keep)
}

func (x suite) replace(t *testing.T) {
	s := x.stores(t)
	r1 := newRecord(t, "1234")
	save(t, s, r1)
	r2 := newRecord(t, "5678")
	r2.Key = r1.Key
	r2.ExpiresAt = r1.ExpiresAt.Add(time.Hour)
	r2.Payload = "short"
	save(t, s, r2)
	checkRecord(t, load(t, s, r1.Key, time.Now()), r2)
	// The replaced expiry counts: alive past r1's.
	checkRecord(t, load(t, s, r1.Key, r1.ExpiresAt.Add(time.Minute)), r2)
	// And back to a shorter one.
	r3 := r1
	r3.Payload = ""
	save(t, s, r3)
	checkRecord(t, load(t, s, r1.Key, time.Now()), r3)
	loadNotFound(t, s, r1.Key, r1.ExpiresAt)
}

// --- Ctx ---

func wantCtxErr(t *testing.T, op string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Errorf("%s with a done context = %v, want an error wrapping %v", op, err, want)
	}
}

func (x suite) canceled(t *testing.T) {
	s := x.stores(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	fresh := newRecord(t, "1234")
	wantCtxErr(t, "Save", s.Sessions.Save(ctx, fresh), context.Canceled)
	loadNotFound(t, s, fresh.Key, time.Now())

	r := newRecord(t, "1234")
	save(t, s, r)
	_, err := s.Sessions.Load(ctx, r.Key, time.Now())
	wantCtxErr(t, "Load", err, context.Canceled)
	wantCtxErr(t, "Delete", s.Sessions.Delete(ctx, r.Key, r.MerchantID), context.Canceled)
	checkRecord(t, load(t, s, r.Key, time.Now()), r)

	if nr, ok := s.Sessions.(storage.NonceRecorder); ok {
		wantCtxErr(t, "RecordNonce", nr.RecordNonce(ctx, r.Key, "00112233445566778899aabbccddeeff", r.ExpiresAt),
			context.Canceled)
		if err := nr.RecordNonce(t.Context(), r.Key, "00112233445566778899aabbccddeeff", r.ExpiresAt); err != nil {
			t.Errorf("RecordNonce after a canceled one = %v, want nil (nothing recorded)", err)
		}
	}
	if sw, ok := s.Sessions.(storage.Sweeper); ok {
		_, err := sw.DeleteExpired(ctx, r.ExpiresAt.Add(time.Hour))
		wantCtxErr(t, "DeleteExpired", err, context.Canceled)
		checkRecord(t, load(t, s, r.Key, time.Now()), r)
	}
	if s.Tokens != nil {
		_, err := s.Tokens.Tokens(ctx, "1234", []string{"tok"})
		wantCtxErr(t, "Tokens", err, context.Canceled)
	}
}

func (x suite) deadline(t *testing.T) {
	s := x.stores(t)
	ctx, cancel := context.WithDeadline(t.Context(), time.Now().Add(-time.Second))
	defer cancel()
	r := newRecord(t, "1234")
	wantCtxErr(t, "Save", s.Sessions.Save(ctx, r), context.DeadlineExceeded)
	save(t, s, r)
	_, err := s.Sessions.Load(ctx, r.Key, time.Now())
	wantCtxErr(t, "Load", err, context.DeadlineExceeded)
	wantCtxErr(t, "Delete", s.Sessions.Delete(ctx, r.Key, r.MerchantID), context.DeadlineExceeded)
}

// --- Nonces ---

func nonce(t *testing.T) string { t.Helper(); return hexID(t) }

func recordOK(t *testing.T, nr storage.NonceRecorder, r storage.Record, n string) {
	t.Helper()
	if err := nr.RecordNonce(t.Context(), r.Key, n, r.ExpiresAt); err != nil {
		t.Fatalf("RecordNonce(%s) = %v, want nil", n, err)
	}
}

func recordReplay(t *testing.T, nr storage.NonceRecorder, r storage.Record, n string) {
	t.Helper()
	if err := nr.RecordNonce(t.Context(), r.Key, n, r.ExpiresAt); !errors.Is(err, storage.ErrAlreadyExists) {
		t.Fatalf("RecordNonce(%s) again = %v, want an error wrapping ErrAlreadyExists", n, err)
	}
}

func (x suite) nonceReplay(t *testing.T) {
	s, nr := x.nonceStores(t)
	r := newRecord(t, "1234")
	save(t, s, r)
	n := nonce(t)
	recordOK(t, nr, r, n)
	recordReplay(t, nr, r, n)
	load(t, s, r.Key, time.Now())
	recordReplay(t, nr, r, n)
	checkRecord(t, load(t, s, r.Key, time.Now()), r)
}

func (x suite) nonceMany(t *testing.T) {
	s, nr := x.nonceStores(t)
	r := newRecord(t, "1234")
	save(t, s, r)
	ns := make([]string, 40)
	for i := range ns {
		ns[i] = nonce(t)
		recordOK(t, nr, r, ns[i])
	}
	for _, n := range ns {
		recordReplay(t, nr, r, n)
	}
}

func (x suite) nonceOtherSession(t *testing.T) {
	s, nr := x.nonceStores(t)
	a, b := newRecord(t, "1234"), newRecord(t, "1234")
	save(t, s, a)
	save(t, s, b)
	n := nonce(t)
	recordOK(t, nr, a, n)
	recordOK(t, nr, b, n)
	recordReplay(t, nr, a, n)
	recordReplay(t, nr, b, n)
}

func (x suite) nonceDelete(t *testing.T) {
	s, nr := x.nonceStores(t)
	r := newRecord(t, "1234")
	save(t, s, r)
	n := nonce(t)
	recordOK(t, nr, r, n)
	if err := s.Sessions.Delete(t.Context(), r.Key, r.MerchantID); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	save(t, s, r)
	recordOK(t, nr, r, n)
}

func (x suite) nonceExpiry(t *testing.T) {
	s, nr := x.nonceStores(t)
	r := newRecord(t, "1234")
	save(t, s, r)
	n := nonce(t)
	recordOK(t, nr, r, n)
	recordReplay(t, nr, r, n)
	loadNotFound(t, s, r.Key, r.ExpiresAt)
	if sw, ok := s.Sessions.(storage.Sweeper); ok {
		if _, err := sw.DeleteExpired(t.Context(), r.ExpiresAt); err != nil {
			t.Fatalf("DeleteExpired: %v", err)
		}
	}
	r.ExpiresAt = r.ExpiresAt.Add(time.Hour)
	save(t, s, r)
	recordOK(t, nr, r, n)
}

// --- Sweep ---

func (x suite) sweep(t *testing.T) {
	s, sw := x.sweeperStores(t)
	base := baseTime()
	rs := make([]storage.Record, 3)
	for i := range rs {
		rs[i] = newRecord(t, "1234")
		rs[i].ExpiresAt = base.Add(time.Duration(i+1) * time.Hour)
		save(t, s, rs[i])
	}
	n, err := sw.DeleteExpired(t.Context(), rs[1].ExpiresAt)
	if err != nil || n != 2 {
		t.Fatalf("DeleteExpired(the second expiry) = %d, %v; want 2, nil (at or before now)", n, err)
	}
	// Removed, though alive by the real clock.
	loadNotFound(t, s, rs[0].Key, time.Now())
	loadNotFound(t, s, rs[1].Key, time.Now())
	checkRecord(t, load(t, s, rs[2].Key, time.Now()), rs[2])
	if n, err := sw.DeleteExpired(t.Context(), rs[1].ExpiresAt); err != nil || n != 0 {
		t.Errorf("DeleteExpired again = %d, %v; want 0, nil", n, err)
	}
	checkRecord(t, load(t, s, rs[2].Key, time.Now()), rs[2])
}

func (x suite) sweepEmpty(t *testing.T) {
	_, sw := x.sweeperStores(t)
	if n, err := sw.DeleteExpired(t.Context(), time.Now()); err != nil || n != 0 {
		t.Errorf("DeleteExpired on an empty store = %d, %v; want 0, nil", n, err)
	}
}

// --- Tokens ---

func demoTokens() []token.Token {
	return []token.Token{
		{ID: "tok-visa-1", MerchantID: "1234", PaymentProductID: 1, Status: token.StatusActive,
			CardExpiry: token.Expiry{Month: time.December, Year: 2031}, Alias: "************0026"},
		{ID: "tok-amex-deleted", MerchantID: "1234", PaymentProductID: 2, Status: token.StatusDeleted,
			CardExpiry: token.Expiry{Month: time.January, Year: 2030}, Alias: "***********0005"},
		{ID: "tok-paypal-revoked", MerchantID: "1234", PaymentProductID: 840, Status: token.StatusRevoked},
		{ID: "tok-other-merchant", MerchantID: "5678", PaymentProductID: 3, Status: token.StatusActive,
			CardExpiry: token.Expiry{Month: time.March, Year: 2032}, Alias: "************4444"},
	}
}

func putTokens(t *testing.T, s Stores, ts ...token.Token) map[string]token.Token {
	t.Helper()
	if err := s.PutTokens(t.Context(), ts...); err != nil {
		t.Fatalf("PutTokens: %v", err)
	}
	m := make(map[string]token.Token, len(ts))
	for _, tk := range ts {
		m[tk.ID] = tk
	}
	return m
}

// lookup calls Tokens and checks every returned token is one of ids with
// the stored value; it returns the ids returned, counted.
func lookup(t *testing.T, s Stores, merchant string, ids []string, stored map[string]token.Token) map[string]int {
	t.Helper()
	in := append([]string(nil), ids...)
	got, err := s.Tokens.Tokens(t.Context(), merchant, ids)
	if err != nil {
		t.Fatalf("Tokens(%q, %d ids): %v", merchant, len(ids), err)
	}
	for i := range ids {
		if ids[i] != in[i] {
			t.Fatalf("Tokens modified ids[%d]: %q, was %q", i, ids[i], in[i])
		}
	}
	asked := make(map[string]bool, len(ids))
	for _, id := range ids {
		asked[id] = true
	}
	seen := make(map[string]int, len(got))
	for _, tk := range got {
		if !asked[tk.ID] {
			t.Errorf("Tokens returned %q, which was not asked for", tk.ID)
			continue
		}
		if want, ok := stored[tk.ID]; !ok || tk != want {
			t.Errorf("Tokens returned %+v, want %+v", tk, want)
		}
		seen[tk.ID]++
	}
	return seen
}

func (x suite) tokensBatch(t *testing.T) {
	s := x.tokenStores(t)
	stored := putTokens(t, s, demoTokens()...)
	ids := []string{"tok-paypal-revoked", "missing", "tok-visa-1", "tok-amex-deleted", "tok-other-unknown"}
	seen := lookup(t, s, "1234", ids, stored)
	for _, id := range []string{"tok-visa-1", "tok-amex-deleted", "tok-paypal-revoked"} {
		if seen[id] != 1 {
			t.Errorf("Tokens returned %q %d times, want once", id, seen[id])
		}
	}
	if len(seen) != 3 {
		t.Errorf("Tokens returned ids %v, want the three stored ones", seen)
	}
}

func (x suite) tokensOtherMerchant(t *testing.T) {
	s := x.tokenStores(t)
	stored := putTokens(t, s, demoTokens()...)
	seen := lookup(t, s, "1234", []string{"tok-other-merchant", "tok-visa-1"}, stored)
	if seen["tok-visa-1"] != 1 {
		t.Errorf("Tokens returned tok-visa-1 %d times, want once", seen["tok-visa-1"])
	}
	if seen["tok-other-merchant"] > 1 {
		t.Errorf("Tokens returned another merchant's token %d times, want at most once", seen["tok-other-merchant"])
	}
}

func (x suite) tokensDuplicates(t *testing.T) {
	s := x.tokenStores(t)
	stored := putTokens(t, s, demoTokens()...)
	seen := lookup(t, s, "1234", []string{"tok-visa-1", "tok-visa-1", "missing", "tok-amex-deleted", "tok-visa-1", "missing"}, stored)
	if seen["tok-visa-1"] < 1 || seen["tok-visa-1"] > 3 || seen["tok-amex-deleted"] != 1 || len(seen) != 2 {
		t.Errorf("Tokens with duplicate ids returned %v, want tok-visa-1 (1 to 3 times) and tok-amex-deleted", seen)
	}
}

func (x suite) tokensEmpty(t *testing.T) {
	s := x.tokenStores(t)
	putTokens(t, s, demoTokens()...)
	for _, ids := range [][]string{nil, {}} {
		got, err := s.Tokens.Tokens(t.Context(), "1234", ids)
		if err != nil || len(got) != 0 {
			t.Errorf("Tokens(%#v) = %v, %v; want no tokens, nil", ids, got, err)
		}
	}
	got, err := s.Tokens.Tokens(t.Context(), "1234", []string{"missing", ""})
	if err != nil || len(got) != 0 {
		t.Errorf("Tokens of unknown ids = %v, %v; want no tokens, nil", got, err)
	}
}

func (x suite) tokensCopies(t *testing.T) {
	s := x.tokenStores(t)
	ts := demoTokens()
	stored := putTokens(t, s, ts...)
	ts[0].Alias, ts[0].Status = "changed", token.StatusRevoked // the caller's slice after PutTokens
	got, err := s.Tokens.Tokens(t.Context(), "1234", []string{"tok-visa-1"})
	if err != nil || len(got) != 1 {
		t.Fatalf("Tokens = %v, %v; want tok-visa-1", got, err)
	}
	got[0].Alias, got[0].Status = "changed", token.StatusDeleted
	lookup(t, s, "1234", []string{"tok-visa-1"}, stored)
}

func (x suite) tokensMany(t *testing.T) {
	s := x.tokenStores(t)
	ts := make([]token.Token, 100)
	ids := make([]string, 0, 150)
	for i := range ts {
		ts[i] = token.Token{ID: fmt.Sprintf("tok-%03d-%s", i, hexID(t)), MerchantID: "1234",
			PaymentProductID: int32(1 + i%3), Status: token.StatusActive,
			CardExpiry: token.Expiry{Month: time.Month(1 + i%12), Year: 2030 + i%5}, Alias: "************1111"}
		ids = append(ids, ts[i].ID)
		if i%2 == 0 {
			ids = append(ids, "missing-"+ts[i].ID)
		}
	}
	stored := putTokens(t, s, ts...)
	seen := lookup(t, s, "1234", ids, stored)
	if len(seen) != len(ts) {
		t.Errorf("Tokens of %d ids found %d distinct tokens, want %d", len(ids), len(seen), len(ts))
	}
}

// Package storagetest is the conformance suite every store adapter runs
// from its own tests, in the manner of testing/fstest and
// golang.org/x/net/nettest:
//
//	func TestConformance(t *testing.T) {
//		newStores := func(t *testing.T) storagetest.Stores {
//			s, err := memstore.New()
//			if err != nil {
//				t.Fatal(err)
//			}
//			return storagetest.Stores{Sessions: s, Tokens: s, PutTokens: ...,
//				Require: []storagetest.Capability{storagetest.NonceRecorder, storagetest.Sweeper}}
//		}
//		storagetest.Run(t, newStores)
//		storagetest.RunConcurrency(t, newStores)
//	}
//
// The Factory is called once per subtest and must return fresh, empty
// stores (a server-backed adapter may use a new key prefix, database or
// schema, and register its cleanup with t.Cleanup). It may call t.Skip
// when its server is not available.
//
// # The contract the suite checks
//
// Sessions (storage.Repository):
//   - Save then Load returns every field: Key, MerchantID, CustomerID,
//     Payload byte for byte (empty, binary and 64 KiB payloads), and
//     ExpiresAt equal (time.Time.Equal) to the millisecond at least: the
//     suite only uses times truncated to the millisecond, so an adapter
//     may store milliseconds. A customerId that does not start with the
//     merchantId round-trips too.
//   - A missing key gives an error wrapping storage.ErrNotFound.
//   - Expiry is judged by the caller's now: Load succeeds with now before
//     ExpiresAt and fails with storage.ErrNotFound at and after it. The
//     suite's expiries lie at least an hour in the future of the real
//     clock, so a store that also expires records by its own clock (Redis)
//     passes; a store may remove a record once a Load found it expired.
//   - Delete by the owning merchant removes; by another merchant it
//     removes nothing and wraps storage.ErrNotFound, as does a missing key.
//   - Payloads are strings, immutable: a store may keep and hand out the
//     same one, and nobody can change what it stores through them.
//   - Save of an existing key replaces the record.
//   - With a context already canceled, every method returns an error
//     wrapping context.Canceled (errors.Is) and changes nothing.
//
// Nonces, when Sessions implements storage.NonceRecorder: the first
// record of a nonce succeeds and a second wraps storage.ErrAlreadyExists;
// the same nonce in another session is fine; loads do not forget nonces;
// nonces go with the session: after Delete, or after a Load at or past
// ExpiresAt (and DeleteExpired, when the store is a Sweeper), a session
// saved again under the same key can record the same nonce. Concurrent
// records of one nonce: exactly one succeeds.
//
// Sweep, when Sessions implements storage.Sweeper: DeleteExpired(now)
// removes exactly the sessions with ExpiresAt at or before now, reports
// how many (with no nonces recorded), and leaves the others loadable.
//
// Idempotency, when Sessions implements storage.Idempotency: the first
// claim of a key gets its own record back and a repeat the first one's,
// running (with its lease and expiry) or done (with its answer, a copy);
// only the claiming attempt finishes or releases the key, and a finish by
// another attempt, or of a key nobody claimed, wraps storage.ErrNotFound
// and changes nothing; a finished record is never released. A running
// claim holds its key until its LeaseUntil (the suite's leases end an
// hour after the claim, its TTLs after 24 hours, in the future of the
// real clock): a claim at the lease's end takes the key over as a new
// attempt, after which the old attempt's finish (storage.ErrNotFound) and
// release change nothing. A finished answer is kept past the lease until
// its ExpiresAt. A claim without a lease (the zero LeaseUntil) runs until
// its expiry. DeleteExpired, when the store is a Sweeper, removes claims
// past their lease and expired answers, and keeps finished answers past
// their lease. Concurrent claims of one key: exactly one wins, and every
// loser sees the winner's record.
//
// Bound, when Stores.Bounded is set: Saves of 1 KiB sessions are
// accepted until one wraps storage.ErrFull; the refused session is not
// stored and a Save again is refused again; when Sessions is a
// NonceRecorder, nonces are recorded until one wraps storage.ErrFull;
// every session saved before is still there, whole (a store at its bound
// evicts nothing live); after two Deletes the refused nonce records (it
// was not recorded when refused) and the refused session saves.
//
// Tokens, when Stores.Tokens is set: one call returns the stored tokens
// among the ids, field for field; ids not stored are absent; duplicate
// ids are tolerated (each token may come back once or once per
// occurrence, always with the same value); no ids gives no tokens and no
// error; tokens of other merchants may be returned or not; the ids slice
// is not modified; the returned tokens are the caller's copies.
//
// RunConcurrency: 16 goroutines each save and load 200 sessions of their
// own with no session lost or crossed; 16 goroutines race to record each
// of 20 nonces with exactly one success each; deletes race loads, and a
// load returns the whole record or storage.ErrNotFound, nothing else;
// token lookups race token puts. It stays within a few seconds on a
// server-backed store.
//
// Stores.Require makes a capability mandatory: an adapter lists what it
// implements, so that a wrapper that hides NonceRecorder or Sweeper fails
// the suite instead of skipping those tests. A wrapper keeps a capability
// by embedding the store (struct{ *memstore.Store }) or by implementing
// the capability's method and forwarding it.
//
// The suite imports no concrete store and no engine. The engine-level
// load test and benchmark that adapters also run (many concurrent creates
// and authentications through a session.Engine) are in package
// session/sessiontest.
package storagetest

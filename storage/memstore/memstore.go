package memstore

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/storage"
	"github.com/clientsession/engine/token"
)

// The interfaces Store implements.
var (
	_ storage.Repository    = (*Store)(nil)
	_ token.Repository      = (*Store)(nil)
	_ storage.Sweeper       = (*Store)(nil)
	_ storage.NonceRecorder = (*Store)(nil)
	_ storage.TimeObserver  = (*Store)(nil)
)

// Errors are built once: a miss on the hot path (an unknown or expired
// clientSessionId) allocates nothing.
var (
	errNoSession = fmt.Errorf("memstore: no live session under this key: %w", storage.ErrNotFound)
	errNonceSeen = fmt.Errorf("memstore: nonce already used in this session: %w", storage.ErrAlreadyExists)
	errTooLarge  = errors.New("memstore: record too large (merchantId over 64 KiB, or merchantId, customerId and payload over 4 GiB)")
)

const (
	// DefaultShards is the number of independently locked parts of a Store
	// unless WithShards says otherwise.
	DefaultShards = 32
	maxShards     = 256

	// sweepSample is how many sessions a Save examines for expiry; every
	// expired one found earns another look, up to sweepMax in all.
	sweepSample = 4
	sweepMax    = 16

	// seenStep: a Load publishes its caller's time for Save's sweep only
	// when it moved on by this much, so that parallel loads rarely write.
	seenStep = int64(time.Millisecond)

	// nonceListMax nonces of a session are kept in a slice; more go to a
	// map, so a session flooded with payloads stays O(1) per record.
	nonceListMax = 8
)

// Store is the in-memory session and token store. The zero value is not
// usable; call New. A Store is safe for concurrent use.
type Store struct {
	shards []shard
	mask   uint32
	// now is the latest caller time (unix nanoseconds) given to
	// ObserveTime, for every shard: Save's sweep judges expiry by the
	// later of it and the shard's own seen.
	now atomic.Int64

	tokMu  sync.RWMutex
	tokens map[string]token.Token

	idem idempotency

	// budget accounts the bytes of sessions, nonces and idempotency
	// records, and bounds them (WithMaxBytes).
	budget budget
}

// shard is an independently locked part of the session key space,
// padded so that two shards never share a cache line.
type shard struct {
	mu       sync.RWMutex
	sessions map[storage.Key]entry
	nonces   map[storage.Key]nonceSet
	// seen is the latest caller time (unix nanoseconds) this shard saw in
	// Load or DeleteExpired. Save has no time of its own: its sweep judges
	// expiry by seen, never by a clock of the store.
	seen atomic.Int64
	_    [128 - 48]byte
}

// entry is one session in 32 bytes (a map slot of 64 with the key): one
// string holds the merchantId (only when it is not a prefix of the
// customerId, as it is for ids the engine mints: "{merchantId}-{hex}"),
// the customerId and the payload.
type entry struct {
	data    string
	expires int64  // unix nanoseconds, clamped to the int64 range
	cend    uint32 // customerID ends at data[cend], payload = data[cend:]
	mlen    uint16 // merchantID = data[:mlen]
	apart   bool   // merchantID stored apart: customerID = data[mlen:cend], else data[:cend]
}

func (e *entry) merchantID() string { return e.data[:e.mlen] }

func (e *entry) customerID() string {
	if e.apart {
		return e.data[e.mlen:e.cend]
	}
	return e.data[:e.cend]
}

// nonceSet holds the nonces recorded for one session key.
type nonceSet struct {
	expires int64 // the latest expiresAt given with them
	list    []string
	set     map[string]struct{} // nil until list is full
}

// New returns an empty Store. It starts no goroutine: expired sessions
// are reclaimed when a Load finds them, by a bounded sample on every Save,
// and by DeleteExpired. Every option is validated: a bad one is an
// sderrors.ErrInvalidConfiguration naming it.
func New(opts ...Option) (*Store, error) {
	c := config{shards: DefaultShards, ConfigProblems: sderrors.ConfigProblems{Prefix: "memstore: "}}
	sderrors.ApplyOptions(&c.ConfigProblems, opts, func(o Option) { o.apply(&c) })
	if err := c.Err(); err != nil {
		return nil, err
	}
	n := c.shards
	s := &Store{
		shards: make([]shard, n),
		mask:   uint32(n - 1), //nolint:gosec // n <= maxShards
		tokens: make(map[string]token.Token),
	}
	for i := range s.shards {
		s.shards[i].sessions = make(map[storage.Key]entry)
		s.shards[i].nonces = make(map[storage.Key]nonceSet)
		s.shards[i].seen.Store(math.MinInt64)
	}
	s.now.Store(math.MinInt64)
	s.budget.max = c.maxBytes
	s.budget.lastReclaim.Store(math.MinInt64)
	return s, nil
}

// ObserveTime tells the store the caller's time, for the sweep of the
// following Saves of every shard: the engine calls it before every create,
// so that create-only traffic reclaims expired sessions without a client
// call or a DeleteExpired. A time earlier than one seen before is ignored.
// It is one atomic load, and a store when now moved on by a millisecond.
func (s *Store) ObserveTime(now time.Time) {
	n := unixNanos(now)
	if seen := s.now.Load(); n > seen && n-seenStep > seen {
		s.now.Store(n) // a lost race only delays a sweep
	}
}

func (s *Store) shard(key storage.Key) *shard {
	// Keys are SHA-256 outputs: any of their bytes is uniform.
	return &s.shards[uint32(key[0])&s.mask]
}

// Save stores a copy of r until r.ExpiresAt, replacing any session under
// r.Key. Nonces recorded for the key are kept. It allocates once: the
// merchantId, customerId and payload are copied into one string.
//
// With WithMaxBytes, a Save that would take the store past its bound
// removes what expired (its shard's sample first, then, once per second of
// caller time, every expired record) and, when that did not make room,
// returns an error wrapping storage.ErrFull: nothing is stored and no live
// session is evicted.
func (s *Store) Save(ctx context.Context, r storage.Record) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memstore: save: %w", err)
	}
	e, err := newEntry(r)
	if err != nil {
		return err
	}
	sh := s.shard(r.Key)
	for retried := false; ; retried = true {
		sh.mu.Lock()
		now := max(sh.seen.Load(), s.now.Load())
		sh.sweep(now, &s.budget)
		delta := sessionCost(e)
		if old, ok := sh.sessions[r.Key]; ok {
			delta -= sessionCost(old)
		}
		if s.budget.charge(delta) {
			sh.sessions[r.Key] = e
			sh.mu.Unlock()
			return nil
		}
		sh.mu.Unlock()
		if retried || !s.reclaim(s.callerTime()) {
			return errFull
		}
	}
}

func newEntry(r storage.Record) (entry, error) {
	m, c := r.MerchantID, r.CustomerID
	if len(m) > math.MaxUint16 || uint64(len(m))+uint64(len(c))+uint64(len(r.Payload)) > math.MaxUint32 {
		return entry{}, errTooLarge
	}
	e := entry{expires: unixNanos(r.ExpiresAt), mlen: uint16(len(m))} //nolint:gosec // bounded above
	e.apart = !strings.HasPrefix(c, m)
	// One allocation of the exact size; the Builder hands its bytes over
	// as the string without a copy.
	var sb strings.Builder
	if e.apart {
		sb.Grow(len(m) + len(c) + len(r.Payload))
		sb.WriteString(m)
	} else {
		sb.Grow(len(c) + len(r.Payload))
	}
	sb.WriteString(c)
	e.cend = uint32(sb.Len()) //nolint:gosec // bounded above
	sb.WriteString(r.Payload)
	e.data = sb.String()
	return e, nil
}

// Load returns the session under key. A session that expired at or before
// now is not returned and is removed, with its nonces. It allocates
// nothing: the record's strings are substrings of the stored one.
func (s *Store) Load(ctx context.Context, key storage.Key, now time.Time) (storage.Record, error) {
	if err := ctx.Err(); err != nil {
		return storage.Record{}, fmt.Errorf("memstore: load: %w", err)
	}
	n := unixNanos(now)
	sh := s.shard(key)
	if seen := sh.seen.Load(); n > seen && n-seenStep > seen {
		sh.seen.Store(n) // a lost race only delays a sweep
	}
	sh.mu.RLock()
	e, ok := sh.sessions[key]
	sh.mu.RUnlock()
	if !ok {
		return storage.Record{}, errNoSession
	}
	if e.expires <= n {
		sh.mu.Lock()
		if e, ok := sh.sessions[key]; ok && e.expires <= n {
			sh.remove(key, e, &s.budget)
		}
		sh.mu.Unlock()
		return storage.Record{}, errNoSession
	}
	r := storage.Record{
		Key:        key,
		MerchantID: e.merchantID(),
		CustomerID: e.customerID(),
		ExpiresAt:  time.Unix(0, e.expires).UTC(),
		Payload:    e.data[e.cend:], // a substring: no copy, no allocation
	}
	return r, nil
}

// Delete removes the session under key, and its nonces, when it belongs
// to merchantID. Otherwise the error wraps storage.ErrNotFound and nothing
// is removed.
func (s *Store) Delete(ctx context.Context, key storage.Key, merchantID string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memstore: delete: %w", err)
	}
	sh := s.shard(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	e, ok := sh.sessions[key]
	if !ok || e.merchantID() != merchantID {
		return errNoSession
	}
	sh.remove(key, e, &s.budget)
	return nil
}

// RecordNonce records nonce for the session under key. The nonces of a
// session are kept as long as the session is stored and removed with it;
// nonces recorded for a key with no session are kept until expiresAt, as
// judged by DeleteExpired or a later Save's sweep. A nonce seen before for
// key gives an error wrapping storage.ErrAlreadyExists; of concurrent
// calls with the same key and nonce exactly one succeeds. Past the bound
// of WithMaxBytes it is refused as Save is (storage.ErrFull), and the
// nonce is not recorded.
func (s *Store) RecordNonce(ctx context.Context, key storage.Key, nonce string, expiresAt time.Time) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memstore: record nonce: %w", err)
	}
	for retried := false; ; retried = true {
		recorded, err := s.recordNonce(key, nonce, unixNanos(expiresAt))
		if recorded || err != nil {
			return err
		}
		if retried || !s.reclaim(s.callerTime()) {
			return errFull
		}
	}
}

// recordNonce is one attempt of RecordNonce: false and no error when the
// bound refused it.
func (s *Store) recordNonce(key storage.Key, nonce string, exp int64) (bool, error) {
	sh := s.shard(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	ns, ok := sh.nonces[key]
	if ns.has(nonce) {
		return false, errNonceSeen
	}
	c := nonceCost(nonce)
	if !ok {
		c += nonceSetSlot
	}
	if !s.budget.charge(c) {
		return false, nil
	}
	// A clone: the caller's nonce may be a slice of a decrypted payload
	// that must not stay reachable.
	ns.add(strings.Clone(nonce))
	if !ok || exp > ns.expires {
		ns.expires = exp
	}
	sh.nonces[key] = ns
	return true, nil
}

func (ns *nonceSet) has(nonce string) bool {
	for _, n := range ns.list {
		if n == nonce {
			return true
		}
	}
	_, ok := ns.set[nonce]
	return ok
}

func (ns *nonceSet) add(nonce string) {
	if len(ns.list) < nonceListMax {
		ns.list = append(ns.list, nonce)
		return
	}
	if ns.set == nil {
		ns.set = make(map[string]struct{})
	}
	ns.set[nonce] = struct{}{}
}

// DeleteExpired removes every session that expired at or before now, with
// its nonces, the nonces of keys with no session whose expiresAt is at
// or before now, and the idempotency records no longer live at now (done
// and expired, or running past their lease). It
// reports the number of sessions and idempotency records removed. It locks one
// shard at a time and stops early, with the count so far, when ctx ends.
func (s *Store) DeleteExpired(ctx context.Context, now time.Time) (int, error) {
	n := unixNanos(now)
	removed := 0
	for i := range s.shards {
		if err := ctx.Err(); err != nil {
			return removed, fmt.Errorf("memstore: delete expired: %w", err)
		}
		sh := &s.shards[i]
		if n > sh.seen.Load() {
			sh.seen.Store(n)
		}
		removed += sh.deleteExpired(n, &s.budget)
	}
	removed += s.deleteExpiredIdempotency(n)
	return removed, nil
}

// deleteExpired is DeleteExpired without a context, for a write refused at
// the bound (reclaim).
func (s *Store) deleteExpired(now int64) {
	for i := range s.shards {
		s.shards[i].deleteExpired(now, &s.budget)
	}
	s.deleteExpiredIdempotency(now)
}

// deleteExpired removes the shard's sessions expired at or before now,
// with their nonces, and the nonces of keys with no session expired at or
// before now; it reports how many sessions it removed.
func (sh *shard) deleteExpired(now int64, b *budget) int {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	removed := 0
	for k, e := range sh.sessions {
		if e.expires <= now {
			sh.remove(k, e, b)
			removed++
		}
	}
	for k, ns := range sh.nonces {
		if ns.expires <= now {
			if _, ok := sh.sessions[k]; !ok {
				b.release(ns.cost())
				delete(sh.nonces, k)
			}
		}
	}
	return removed
}

// Len reports the number of sessions held, including expired ones not
// reclaimed yet.
func (s *Store) Len() int {
	total := 0
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.RLock()
		total += len(sh.sessions)
		sh.mu.RUnlock()
	}
	return total
}

// remove deletes the session e under k and its nonces, and releases
// their bytes. Callers hold mu.
func (sh *shard) remove(k storage.Key, e entry, b *budget) {
	delete(sh.sessions, k)
	c := sessionCost(e)
	if len(sh.nonces) > 0 {
		if ns, ok := sh.nonces[k]; ok {
			c += ns.cost()
			delete(sh.nonces, k)
		}
	}
	b.release(c)
}

// sweep examines a few sessions of the shard, from a random place (Go's
// map iteration order), and removes those expired at or before now: O(1)
// work per Save, which keeps the share of expired sessions held bounded
// without a goroutine. Callers hold mu.
func (sh *shard) sweep(now int64, b *budget) {
	if now == math.MinInt64 {
		return // no caller time seen yet
	}
	look, seen := sweepSample, 0
	for k, e := range sh.sessions {
		seen++
		if e.expires <= now {
			sh.remove(k, e, b)
			look = min(look+1, sweepMax)
		}
		if seen >= look {
			break
		}
	}
	if len(sh.nonces) == 0 {
		return
	}
	seen = 0
	for k, ns := range sh.nonces {
		seen++
		if ns.expires <= now {
			if _, ok := sh.sessions[k]; !ok {
				b.release(ns.cost())
				delete(sh.nonces, k)
			}
		}
		if seen >= sweepSample/2 {
			break
		}
	}
}

// PutTokens stores copies of tokens, replacing any with the same ID. It is
// how a gateway or a test fills the token side of the store.
func (s *Store) PutTokens(tokens ...token.Token) {
	s.tokMu.Lock()
	defer s.tokMu.Unlock()
	for _, t := range tokens {
		t.ID = strings.Clone(t.ID)
		t.MerchantID = strings.Clone(t.MerchantID)
		t.Alias = strings.Clone(t.Alias)
		s.tokens[t.ID] = t
	}
}

// DeleteToken removes the token with id and reports whether there was one.
func (s *Store) DeleteToken(id string) bool {
	s.tokMu.Lock()
	defer s.tokMu.Unlock()
	_, ok := s.tokens[id]
	delete(s.tokens, id)
	return ok
}

// Tokens returns, in one locked pass, the stored tokens whose IDs are
// among ids: each found token once, in the order of its first occurrence
// in ids; ids not found are absent. It returns tokens of every merchant:
// the checker tells a token of another merchant (token.ReasonOtherMerchant)
// from an unknown one. merchantID is not used for the lookup. Tokens
// neither keeps nor modifies ids; the slice returned is the caller's.
func (s *Store) Tokens(ctx context.Context, _ string, ids []string) ([]token.Token, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("memstore: tokens: %w", err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	var dup map[string]struct{}
	if len(ids) > 16 {
		dup = make(map[string]struct{}, len(ids))
	}
	out := make([]token.Token, 0, len(ids))
	s.tokMu.RLock()
	defer s.tokMu.RUnlock()
	for i, id := range ids {
		if dup != nil {
			if _, ok := dup[id]; ok {
				continue
			}
			dup[id] = struct{}{}
		} else if seenBefore(ids[:i], id) {
			continue
		}
		if t, ok := s.tokens[id]; ok {
			out = append(out, t)
		}
	}
	return out, nil
}

func seenBefore(ids []string, id string) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// unixNanos is t.UnixNano clamped to the int64 range (years 1678 to
// 2262), where UnixNano itself is undefined outside it: the zero Time is
// always expired, a time past 2262 never is.
func unixNanos(t time.Time) int64 {
	const limit = math.MaxInt64/int64(time.Second) - 1
	switch sec := t.Unix(); {
	case sec > limit:
		return math.MaxInt64
	case sec < -limit:
		return math.MinInt64
	}
	return t.UnixNano()
}

package memstore

import (
	"fmt"
	"math"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/clientsession/engine/storage"
)

// errFull is built once: a refusal at the bound allocates nothing.
var errFull = fmt.Errorf("memstore: the store holds its bound of bytes (WithMaxBytes); nothing was stored: %w", storage.ErrFull)

// What one byte of the account covers (Store.Bytes, WithMaxBytes). Every
// record is charged the bytes of its own strings plus its share of the map
// that holds it. A map slot is charged twice its size: a Go map doubles
// its slots when they are 7/8 full, so between 7/16 and 7/8 of them hold a
// record, and the free ones cost memory too. Not charged: the rounding of
// each string to the allocator's size class (at most 1/8 of it), the maps'
// control bytes and the store's fixed part (shards, empty maps, tokens).
const (
	// sessionSlot is one session's map slot: its 32-byte key and 32-byte
	// entry. A session is charged sessionSlot plus the length of its one
	// string (merchantId when stored apart, customerId, payload).
	sessionSlot = 2 * int64(unsafe.Sizeof(storage.Key{})+unsafe.Sizeof(entry{}))
	// nonceSetSlot is the map slot of the nonces of one session key,
	// charged with the first nonce of that key.
	nonceSetSlot = 2 * int64(unsafe.Sizeof(storage.Key{})+unsafe.Sizeof(nonceSet{}))
	// nonceSlot is one nonce's string header in its set's list or map; a
	// nonce is charged nonceSlot plus its length.
	nonceSlot = 2 * int64(unsafe.Sizeof(""))
	// idemSlot is the map slot of one idempotency record: its key and the
	// storage.IdempotencyRecord. A record is charged idemSlot plus the
	// length of its answer's body.
	idemSlot = 2 * int64(unsafe.Sizeof(storage.Key{})+unsafe.Sizeof(storage.IdempotencyRecord{}))

	// reclaimEvery is how often, at most, a write refused at the bound
	// scans the whole store for expired records before it gives up, in
	// caller time: the scan is linear in the records held, and a flood of
	// refused writes must not turn into a flood of scans.
	reclaimEvery = int64(time.Second)
)

func sessionCost(e entry) int64 { return sessionSlot + int64(len(e.data)) }

func nonceCost(nonce string) int64 { return nonceSlot + int64(len(nonce)) }

// cost is what the nonces of one session key are charged in all.
func (ns *nonceSet) cost() int64 {
	c := nonceSetSlot
	for _, n := range ns.list {
		c += nonceCost(n)
	}
	for n := range ns.set {
		c += nonceCost(n)
	}
	return c
}

func idemCost(r storage.IdempotencyRecord) int64 { return idemSlot + int64(len(r.Body)) }

// budget is the account of a Store: one atomic counter for the whole
// store, so that the bound is exact across shards (per-shard budgets would
// refuse a save to a full shard while others have room) and costs one
// uncontended-in-the-common-case atomic operation per write.
type budget struct {
	max  int64 // 0: no bound (the account is still kept)
	used atomic.Int64
	// lastReclaim is the caller time (unix nanoseconds) of the latest
	// full reclaim, or MinInt64.
	lastReclaim atomic.Int64
}

// charge adds n bytes to the account. A positive n that would take it past
// max is refused (false) and changes nothing; a negative n (a release)
// always succeeds.
func (b *budget) charge(n int64) bool {
	if n <= 0 || b.max == 0 {
		b.used.Add(n)
		return true
	}
	for {
		u := b.used.Load()
		if u+n > b.max {
			return false
		}
		if b.used.CompareAndSwap(u, u+n) {
			return true
		}
	}
}

func (b *budget) release(n int64) { b.used.Add(-n) }

// Bytes reports the bytes the store's records are charged (see
// WithMaxBytes for what they cover), expired records not reclaimed yet
// included. It is kept with or without a bound.
func (s *Store) Bytes() int64 { return s.budget.used.Load() }

// MaxBytes reports the store's bound (WithMaxBytes); 0 when it has none.
func (s *Store) MaxBytes() int64 { return s.budget.max }

// callerTime is the latest caller time the store was given, by
// ObserveTime or by a Load or DeleteExpired of any shard; MinInt64 when
// none.
func (s *Store) callerTime() int64 {
	t := s.now.Load()
	for i := range s.shards {
		t = max(t, s.shards[i].seen.Load())
	}
	return t
}

// reclaim is what a write refused at the bound does before it gives up:
// it removes every record expired at the latest caller time (as
// DeleteExpired does), at most once per reclaimEvery of caller time and
// by one caller at a time. It reports whether it ran; the caller then
// tries its write once more. It never removes a live record.
func (s *Store) reclaim(now int64) bool {
	if s.budget.max == 0 || now == math.MinInt64 {
		return false
	}
	last := s.budget.lastReclaim.Load()
	if last != math.MinInt64 && now-last < reclaimEvery {
		return false
	}
	if !s.budget.lastReclaim.CompareAndSwap(last, now) {
		return false // another caller reclaims
	}
	s.deleteExpired(now)
	return true
}

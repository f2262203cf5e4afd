package memstore

import (
	"context"
	"fmt"
	"sync"

	"github.com/clientsession/engine/storage"
)

var _ storage.Idempotency = (*Store)(nil)

// idempotency holds the records of idempotent requests, under one mutex:
// each call is a map operation.
type idempotency struct {
	mu      sync.Mutex
	records map[storage.Key]storage.IdempotencyRecord
}

// ClaimIdempotency implements storage.Idempotency. A record no longer live
// at rec.StartedAt (done and expired, or running past its lease) is
// replaced; every claim also removes a few such records (judged by
// rec.StartedAt), as Save does for sessions. A new claim past the bound of
// WithMaxBytes is refused as Save is (storage.ErrFull), and the key stays
// unclaimed.
func (s *Store) ClaimIdempotency(ctx context.Context, key storage.Key, rec storage.IdempotencyRecord) (storage.IdempotencyRecord, error) {
	if err := ctx.Err(); err != nil {
		return storage.IdempotencyRecord{}, fmt.Errorf("memstore: claim idempotency: %w", err)
	}
	now := unixNanos(rec.StartedAt)
	for retried := false; ; retried = true {
		if got, ok := s.claimIdempotency(key, rec, now); ok {
			return got, nil
		}
		if retried || !s.reclaim(max(now, s.callerTime())) {
			return storage.IdempotencyRecord{}, errFull
		}
	}
}

// claimIdempotency is one attempt of ClaimIdempotency: false when the
// bound refused it.
func (s *Store) claimIdempotency(key storage.Key, rec storage.IdempotencyRecord, now int64) (storage.IdempotencyRecord, bool) {
	s.idem.mu.Lock()
	defer s.idem.mu.Unlock()
	if s.idem.records == nil {
		s.idem.records = make(map[storage.Key]storage.IdempotencyRecord)
	}
	if old, ok := s.idem.records[key]; ok && unixNanos(old.LiveUntil()) > now {
		old.Body = append([]byte(nil), old.Body...)
		return old, true
	}
	seen := 0
	for k, r := range s.idem.records {
		if unixNanos(r.LiveUntil()) <= now {
			s.budget.release(idemCost(r))
			delete(s.idem.records, k)
		}
		if seen++; seen >= sweepSample {
			break
		}
	}
	rec.Done, rec.Status = false, 0
	rec.Body = nil
	c := idemCost(rec)
	if old, ok := s.idem.records[key]; ok { // expired, replaced
		c -= idemCost(old)
	}
	if !s.budget.charge(c) {
		return storage.IdempotencyRecord{}, false
	}
	s.idem.records[key] = rec
	return rec, true
}

// FinishIdempotency implements storage.Idempotency. A record whose lease
// ended is still its attempt's until another claim takes it over. When the
// answer does not fit under the bound of WithMaxBytes (after a reclaim of
// what expired), the claim is removed instead, as ReleaseIdempotency does,
// and the error wraps storage.ErrFull: a repeat then runs again, rather
// than answering 409 until the claim's lease ends.
func (s *Store) FinishIdempotency(ctx context.Context, key storage.Key, attempt storage.Attempt, status int, body []byte) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memstore: finish idempotency: %w", err)
	}
	stored, mine := s.finishIdempotency(key, attempt, status, body, false)
	if stored {
		return nil
	}
	if mine {
		s.reclaim(s.callerTime())
		if stored, mine = s.finishIdempotency(key, attempt, status, body, true); stored {
			return nil
		}
	}
	if !mine {
		return fmt.Errorf("memstore: finish idempotency: not this attempt's: %w", storage.ErrNotFound)
	}
	return errFull
}

// finishIdempotency is one attempt of FinishIdempotency: stored when the
// answer is stored; mine when the record under key is attempt's (the
// bound refused the answer when mine and not stored; the claim is then
// removed if last).
func (s *Store) finishIdempotency(key storage.Key, attempt storage.Attempt, status int, body []byte, last bool) (stored, mine bool) {
	s.idem.mu.Lock()
	defer s.idem.mu.Unlock()
	r, ok := s.idem.records[key]
	if !ok || r.Attempt != attempt {
		return false, false
	}
	if !s.budget.charge(int64(len(body)) - int64(len(r.Body))) {
		if last {
			s.budget.release(idemCost(r))
			delete(s.idem.records, key)
		}
		return false, true
	}
	r.Done, r.Status, r.Body = true, status, append([]byte(nil), body...)
	s.idem.records[key] = r
	return true, true
}

// ReleaseIdempotency implements storage.Idempotency.
func (s *Store) ReleaseIdempotency(ctx context.Context, key storage.Key, attempt storage.Attempt) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memstore: release idempotency: %w", err)
	}
	s.idem.mu.Lock()
	defer s.idem.mu.Unlock()
	if r, ok := s.idem.records[key]; ok && r.Attempt == attempt && !r.Done {
		s.budget.release(idemCost(r))
		delete(s.idem.records, key)
	}
	return nil
}

// deleteExpiredIdempotency removes the records no longer live at now (unix
// nanoseconds: done and expired, or running past their lease) and reports
// how many.
func (s *Store) deleteExpiredIdempotency(now int64) int {
	s.idem.mu.Lock()
	defer s.idem.mu.Unlock()
	n := 0
	for k, r := range s.idem.records {
		if unixNanos(r.LiveUntil()) <= now {
			s.budget.release(idemCost(r))
			delete(s.idem.records, k)
			n++
		}
	}
	return n
}

// IdempotencyLen reports the number of idempotency records held,
// including expired ones not reclaimed yet.
func (s *Store) IdempotencyLen() int {
	s.idem.mu.Lock()
	defer s.idem.mu.Unlock()
	return len(s.idem.records)
}

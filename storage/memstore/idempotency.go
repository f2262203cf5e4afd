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
// rec.StartedAt), as Save does for sessions.
func (s *Store) ClaimIdempotency(ctx context.Context, key storage.Key, rec storage.IdempotencyRecord) (storage.IdempotencyRecord, error) {
	if err := ctx.Err(); err != nil {
		return storage.IdempotencyRecord{}, fmt.Errorf("memstore: claim idempotency: %w", err)
	}
	now := unixNanos(rec.StartedAt)
	s.idem.mu.Lock()
	defer s.idem.mu.Unlock()
	if s.idem.records == nil {
		s.idem.records = make(map[storage.Key]storage.IdempotencyRecord)
	}
	if old, ok := s.idem.records[key]; ok && unixNanos(old.LiveUntil()) > now {
		old.Body = append([]byte(nil), old.Body...)
		return old, nil
	}
	seen := 0
	for k, r := range s.idem.records {
		if unixNanos(r.LiveUntil()) <= now {
			delete(s.idem.records, k)
		}
		if seen++; seen >= sweepSample {
			break
		}
	}
	rec.Done, rec.Status = false, 0
	rec.Body = nil
	s.idem.records[key] = rec
	return rec, nil
}

// FinishIdempotency implements storage.Idempotency. A record whose lease
// ended is still its attempt's until another claim takes it over.
func (s *Store) FinishIdempotency(ctx context.Context, key storage.Key, attempt storage.Attempt, status int, body []byte) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memstore: finish idempotency: %w", err)
	}
	s.idem.mu.Lock()
	defer s.idem.mu.Unlock()
	r, ok := s.idem.records[key]
	if !ok || r.Attempt != attempt {
		return fmt.Errorf("memstore: finish idempotency: not this attempt's: %w", storage.ErrNotFound)
	}
	r.Done, r.Status, r.Body = true, status, append([]byte(nil), body...)
	s.idem.records[key] = r
	return nil
}

// ReleaseIdempotency implements storage.Idempotency.
func (s *Store) ReleaseIdempotency(ctx context.Context, key storage.Key, attempt storage.Attempt) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memstore: release idempotency: %w", err)
	}
	s.idem.mu.Lock()
	defer s.idem.mu.Unlock()
	if r, ok := s.idem.records[key]; ok && r.Attempt == attempt && !r.Done {
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

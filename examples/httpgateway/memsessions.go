package main

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/clientsession/engine/session"
	"github.com/clientsession/engine/storage"
)

// memSessions is a stand-in session store until storage/memstore lands.
type memSessions struct {
	mu sync.Mutex
	m  map[storage.Key]session.Record
}

func newMemSessions() *memSessions { return &memSessions{m: map[storage.Key]session.Record{}} }

func (s *memSessions) Save(_ context.Context, r session.Record) error {
	r.Payload = slices.Clone(r.Payload)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[r.Key] = r
	return nil
}

func (s *memSessions) Load(_ context.Context, key storage.Key, now time.Time) (session.Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.m[key]
	if !ok || !r.ExpiresAt.After(now) {
		return session.Record{}, fmt.Errorf("memsessions: %w", storage.ErrNotFound)
	}
	r.Payload = slices.Clone(r.Payload)
	return r, nil
}

func (s *memSessions) Delete(_ context.Context, key storage.Key, merchantID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.m[key]
	if !ok || r.MerchantID != merchantID {
		return fmt.Errorf("memsessions: %w", storage.ErrNotFound)
	}
	delete(s.m, key)
	return nil
}

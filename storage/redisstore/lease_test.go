package redisstore_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/clientsession/engine/storage"
	"github.com/clientsession/engine/storage/redisstore"
)

// A running claim's key expires in Redis at the end of its lease, so that
// a claim whose attempt never finished (its gateway died) leaves Redis by
// itself; the finish moves the expiry to the answer's TTL.
func TestIdempotencyLeaseIsTheKeysExpiry(t *testing.T) {
	client := redis.NewClient(testOptions(t))
	t.Cleanup(func() { _ = client.Close() })
	var b [6]byte
	_, _ = rand.Read(b[:])
	prefix := "cstest:" + hex.EncodeToString(b[:]) + ":"
	s, err := redisstore.New(client, redisstore.WithPrefix(prefix))
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	redisKey := func(k storage.Key) string { return prefix + "{" + hex.EncodeToString(k[:]) + "}:i" }
	t.Cleanup(func() {
		iter := client.Scan(context.Background(), 0, prefix+"*", 100).Iterator()
		for iter.Next(context.Background()) {
			client.Del(context.Background(), iter.Val())
		}
	})
	now := time.Now()
	attempt := func(lease time.Duration) storage.IdempotencyRecord {
		var a storage.Attempt
		_, _ = rand.Read(a[:])
		return storage.IdempotencyRecord{Attempt: a, StartedAt: now, LeaseUntil: now.Add(lease), ExpiresAt: now.Add(24 * time.Hour),
			Fingerprint: sha256.Sum256(a[:])}
	}

	// Abandoned: the key is gone when the lease ends by Redis's clock.
	abandoned := storage.Key(sha256.Sum256([]byte("abandoned")))
	short := attempt(300 * time.Millisecond)
	if got, err := s.ClaimIdempotency(ctx, abandoned, short); err != nil || got.Attempt != short.Attempt {
		t.Fatalf("claim = %+v, %v; want its own", got, err)
	}
	if ttl := client.PTTL(ctx, redisKey(abandoned)).Val(); ttl <= 0 || ttl > 300*time.Millisecond {
		t.Fatalf("PTTL of a running claim with a 300 ms lease = %v; want in (0, 300 ms]", ttl)
	}
	deadline := time.Now().Add(5 * time.Second)
	for client.Exists(ctx, redisKey(abandoned)).Val() != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the abandoned claim was still in Redis 5 s after its lease ended")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := s.FinishIdempotency(ctx, abandoned, short.Attempt, 200, []byte("late")); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("finish after Redis dropped the claim = %v; want an error wrapping storage.ErrNotFound", err)
	}
	// Even a caller whose clock is still inside the lease claims anew:
	// Redis released the key.
	retry := attempt(time.Minute)
	if got, err := s.ClaimIdempotency(ctx, abandoned, retry); err != nil || got.Attempt != retry.Attempt {
		t.Fatalf("claim after the lease = %+v, %v; want its own", got, err)
	}

	// Finished: the answer's key lives until the TTL.
	done := storage.Key(sha256.Sum256([]byte("done")))
	a := attempt(time.Minute)
	if _, err := s.ClaimIdempotency(ctx, done, a); err != nil {
		t.Fatal(err)
	}
	if err := s.FinishIdempotency(ctx, done, a.Attempt, 200, []byte("{}")); err != nil {
		t.Fatal(err)
	}
	if ttl := client.PTTL(ctx, redisKey(done)).Val(); ttl < 23*time.Hour {
		t.Errorf("PTTL of a finished answer with a 24 h TTL = %v; want above 23 h", ttl)
	}
}

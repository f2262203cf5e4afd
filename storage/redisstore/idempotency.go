package redisstore

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/clientsession/engine/storage"
)

var _ storage.Idempotency = (*Store)(nil)

// An idempotency record is a hash under {prefix}{hex key}:i with fields
// a (attempt), s (started, Unix ms), e (expires, Unix ms), f
// (fingerprint), d ("0" running, "1" done), c (status) and b (body),
// expiring at e. Each method is one script: one round trip.

// claimScript answers the stored fields when a live record is there (e
// after the caller's time ARGV[1]); otherwise it stores the new running
// record and answers nil. With replica acknowledgements (ARGV[5] = "1") a
// replay of a finished record writes its done flag again, unchanged: the
// WAIT that follows on this connection then covers the answer it replays,
// which another connection may have written an instant ago and which no
// replica may hold yet.
const claimScriptSource = `
local e = redis.call('HGET', KEYS[1], 'e')
if e and tonumber(e) > tonumber(ARGV[1]) then
  if ARGV[5] == '1' and redis.call('HGET', KEYS[1], 'd') == '1' then
    redis.call('HSET', KEYS[1], 'd', '1')
  end
  return redis.call('HMGET', KEYS[1], 'a', 's', 'e', 'f', 'd', 'c', 'b')
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'a', ARGV[2], 's', ARGV[1], 'e', ARGV[3], 'f', ARGV[4], 'd', '0')
redis.call('PEXPIREAT', KEYS[1], ARGV[3])
return false
`

// finishScript stores the answer when the record is still attempt ARGV[1]'s.
const finishScriptSource = `
if redis.call('HGET', KEYS[1], 'a') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'd', '1', 'c', ARGV[2], 'b', ARGV[3])
return 1
`

// releaseScript removes the record when it is attempt ARGV[1]'s and running.
const releaseScriptSource = `
if redis.call('HGET', KEYS[1], 'a') == ARGV[1] and redis.call('HGET', KEYS[1], 'd') == '0' then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
`

func (s *Store) idemKey(k storage.Key) string {
	return s.prefix + "{" + hex.EncodeToString(k[:]) + "}:i"
}

// ClaimIdempotency implements storage.Idempotency in one round trip.
// Times are kept to the millisecond.
func (s *Store) ClaimIdempotency(ctx context.Context, key storage.Key, rec storage.IdempotencyRecord) (storage.IdempotencyRecord, error) {
	if err := ctx.Err(); err != nil {
		return storage.IdempotencyRecord{}, fmt.Errorf("redisstore: claim idempotency: %w", err)
	}
	now := strconv.FormatInt(rec.StartedAt.UnixMilli(), 10)
	durable := "0"
	if s.acks > 0 {
		durable = "1"
	}
	cmd, err := s.do(ctx, write{op: "claim idempotency", script: s.claimScript, keys: []string{s.idemKey(key)},
		args: []any{now, string(rec.Attempt[:]), expiryMillis(rec.ExpiresAt), string(rec.Fingerprint[:]), durable}})
	if errors.Is(err, ErrNotReplicated) && errors.Is(cmd.Err(), redis.Nil) {
		// Our claim is on the primary, unacknowledged, and the caller gets
		// an error: take it back at once rather than leave the key running
		// until a lease ends. Best effort: this write cannot be
		// acknowledged either, and a failed release leaves the claim to
		// its expiry.
		_ = s.ReleaseIdempotency(context.WithoutCancel(ctx), key, rec.Attempt)
		return storage.IdempotencyRecord{}, err
	}
	if errors.Is(err, redis.Nil) {
		rec.Done, rec.Status, rec.Body = false, 0, nil
		rec.StartedAt = time.UnixMilli(rec.StartedAt.UnixMilli()).UTC()
		return rec, nil
	}
	if err != nil {
		return storage.IdempotencyRecord{}, err
	}
	res, err := cmd.Slice()
	if err != nil {
		return storage.IdempotencyRecord{}, fmt.Errorf("redisstore: claim idempotency: %w", err)
	}
	out, ok := decodeIdem(res)
	if !ok {
		return storage.IdempotencyRecord{}, errors.New("redisstore: claim idempotency: corrupt record")
	}
	return out, nil
}

// decodeIdem decodes the HMGET answer of claimScript.
func decodeIdem(res []any) (storage.IdempotencyRecord, bool) {
	if len(res) != 7 {
		return storage.IdempotencyRecord{}, false
	}
	str := func(i int) string { v, _ := res[i].(string); return v }
	var r storage.IdempotencyRecord
	a, f := str(0), str(3)
	if len(a) != len(r.Attempt) || len(f) != len(r.Fingerprint) {
		return storage.IdempotencyRecord{}, false
	}
	copy(r.Attempt[:], a)
	copy(r.Fingerprint[:], f)
	started, err1 := strconv.ParseInt(str(1), 10, 64)
	expires, err2 := strconv.ParseInt(str(2), 10, 64)
	if err1 != nil || err2 != nil {
		return storage.IdempotencyRecord{}, false
	}
	r.StartedAt, r.ExpiresAt = time.UnixMilli(started).UTC(), time.UnixMilli(expires).UTC()
	if str(4) == "1" {
		status, err := strconv.Atoi(str(5))
		if err != nil {
			return storage.IdempotencyRecord{}, false
		}
		r.Done, r.Status, r.Body = true, status, []byte(str(6))
	}
	return r, true
}

// FinishIdempotency implements storage.Idempotency in one round trip.
func (s *Store) FinishIdempotency(ctx context.Context, key storage.Key, attempt storage.Attempt, status int, body []byte) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("redisstore: finish idempotency: %w", err)
	}
	k := s.idemKey(key)
	_, err := s.do(ctx, write{op: "finish idempotency", script: s.finishScript, keys: []string{k},
		args: []any{string(attempt[:]), strconv.Itoa(status), body}})
	return err
}

// ReleaseIdempotency implements storage.Idempotency in one round trip.
func (s *Store) ReleaseIdempotency(ctx context.Context, key storage.Key, attempt storage.Attempt) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("redisstore: release idempotency: %w", err)
	}
	_, err := s.do(ctx, write{op: "release idempotency", script: s.releaseScript, keys: []string{s.idemKey(key)},
		args: []any{string(attempt[:])}})
	return err
}

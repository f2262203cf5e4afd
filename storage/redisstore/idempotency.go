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
// a (attempt), s (started, Unix ms), l (lease end, Unix ms), e (expires,
// Unix ms), f (fingerprint), d ("0" running, "1" done), c (status) and b
// (body). While it runs the key expires at l, so that Redis drops a claim
// whose attempt never finished when its lease ends; a finish moves the
// expiry to e. Each method is one script: one round trip.

// claimScript answers the stored fields when a live record is there (done
// and e after the caller's time ARGV[1], or running and l after it);
// otherwise it stores the new running record, expiring at its lease end
// ARGV[5], and answers nil. A record without l (written before leases)
// runs until e. With replica acknowledgements (ARGV[6] = "1") a replay of
// a finished record writes its done flag again, unchanged: the WAIT that
// follows on this connection then covers the answer it replays, which
// another connection may have written an instant ago and which no replica
// may hold yet.
const claimScriptSource = `
local v = redis.call('HMGET', KEYS[1], 'e', 'd', 'l')
if v[1] then
  local live = tonumber(v[1])
  if v[2] == '0' and v[3] and tonumber(v[3]) < live then live = tonumber(v[3]) end
  if live > tonumber(ARGV[1]) then
    if ARGV[6] == '1' and v[2] == '1' then
      redis.call('HSET', KEYS[1], 'd', '1')
    end
    return redis.call('HMGET', KEYS[1], 'a', 's', 'e', 'f', 'd', 'c', 'b', 'l')
  end
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'a', ARGV[2], 's', ARGV[1], 'e', ARGV[3], 'f', ARGV[4], 'd', '0', 'l', ARGV[5])
redis.call('PEXPIREAT', KEYS[1], ARGV[5])
return false
`

// finishScript stores the answer, and moves the key's expiry from the
// lease end to e, when the record is still attempt ARGV[1]'s; it answers
// 1 then, else 0.
const finishScriptSource = `
if redis.call('HGET', KEYS[1], 'a') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'd', '1', 'c', ARGV[2], 'b', ARGV[3])
redis.call('PEXPIREAT', KEYS[1], redis.call('HGET', KEYS[1], 'e'))
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
// Times are kept to the millisecond (the lease end and the expiry rounded
// up, so that Redis never drops a record early).
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
		args: []any{now, string(rec.Attempt[:]), expiryMillis(rec.ExpiresAt), string(rec.Fingerprint[:]), expiryMillis(rec.LiveUntil()), durable}})
	if errors.Is(err, ErrNotReplicated) && errors.Is(cmd.Err(), redis.Nil) {
		// Our claim is on the primary, unacknowledged, and the caller gets
		// an error: take it back at once rather than leave the key running
		// until its lease ends. Best effort: this write cannot be
		// acknowledged either, and a failed release leaves the claim to
		// its lease.
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
	if len(res) != 8 {
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
	if l := str(7); l != "" { // absent in records written before leases
		lease, err := strconv.ParseInt(l, 10, 64)
		if err != nil {
			return storage.IdempotencyRecord{}, false
		}
		r.LeaseUntil = time.UnixMilli(lease).UTC()
	}
	if str(4) == "1" {
		status, err := strconv.Atoi(str(5))
		if err != nil {
			return storage.IdempotencyRecord{}, false
		}
		r.Done, r.Status, r.Body = true, status, []byte(str(6))
	}
	return r, true
}

// FinishIdempotency implements storage.Idempotency in one round trip. A
// claim whose lease ended by Redis's clock is gone: its finish wraps
// storage.ErrNotFound, as when another attempt took the key over.
func (s *Store) FinishIdempotency(ctx context.Context, key storage.Key, attempt storage.Attempt, status int, body []byte) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("redisstore: finish idempotency: %w", err)
	}
	cmd, err := s.do(ctx, write{op: "finish idempotency", script: s.finishScript, keys: []string{s.idemKey(key)},
		args: []any{string(attempt[:]), strconv.Itoa(status), body}})
	if err != nil {
		return err
	}
	n, err := cmd.Int()
	if err != nil {
		return fmt.Errorf("redisstore: finish idempotency: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("redisstore: finish idempotency: not this attempt's: %w", storage.ErrNotFound)
	}
	return nil
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

package redisstore

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/storage"
)

// Store keeps sessions and their encryption nonces in Redis. It is safe
// for concurrent use (as the client is) and starts no goroutines.
type Store struct {
	client       redis.UniversalClient
	prefix       string
	deleteScript *script
	nonceScript  *script

	claimScript, finishScript, releaseScript *script

	acks       int // WithReplicaAcks: 0 for none
	ackTimeout time.Duration
}

var (
	_ storage.Repository    = (*Store)(nil)
	_ storage.NonceRecorder = (*Store)(nil)
)

// An Option configures a Store built by New. The set of options is
// closed: only this package defines them. New validates every option.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	prefix     string
	acks       int
	ackTimeout time.Duration
	sderrors.ConfigProblems
}

// DefaultPrefix is the prefix of every key unless WithPrefix says otherwise.
const DefaultPrefix = "cs:"

// WithPrefix sets the prefix of every key (default DefaultPrefix), so that
// several stores, or other data, share one Redis: 1 to 64 printable ASCII
// characters without '{' or '}' (the key's hash tag follows the prefix).
func WithPrefix(prefix string) Option {
	return optionFunc(func(c *config) {
		if prefix == "" || len(prefix) > 64 || strings.ContainsAny(prefix, "{}") ||
			strings.IndexFunc(prefix, func(r rune) bool { return r < 0x21 || r > 0x7e }) >= 0 {
			c.Fail("prefix", "the key prefix must be 1 to 64 printable ASCII characters without '{' or '}'")
			return
		}
		c.prefix = prefix
	})
}

// New returns a store over client: a *redis.Client, *redis.ClusterClient,
// a Sentinel failover client or anything else that implements
// redis.UniversalClient. The caller owns the client and closes it. A nil
// client or a bad option is an sderrors.ErrInvalidConfiguration.
func New(client redis.UniversalClient, opts ...Option) (*Store, error) {
	c := config{prefix: DefaultPrefix, ConfigProblems: sderrors.ConfigProblems{Prefix: "redisstore: "}}
	if client == nil {
		c.Fail("client", "the client must not be nil")
	}
	sderrors.ApplyOptions(&c.ConfigProblems, opts, func(o Option) { o.apply(&c) })
	c.checkAcks(client)
	if err := c.Err(); err != nil {
		return nil, err
	}
	return &Store{client: client, prefix: c.prefix, acks: c.acks, ackTimeout: c.ackTimeout,
		deleteScript: newScript(deleteScriptSource), nonceScript: newScript(nonceScriptSource),
		claimScript: newScript(claimScriptSource), finishScript: newScript(finishScriptSource),
		releaseScript: newScript(releaseScriptSource)}, nil
}

// keys returns the session key and the nonce-set key of k. Both carry the
// hex of k as a hash tag, so that on Cluster they live in one slot.
func (s *Store) keys(k storage.Key) (sessionKey, nonceKey string) {
	tag := s.prefix + "{" + hex.EncodeToString(k[:]) + "}"
	return tag + ":s", tag + ":n"
}

// Save stores r with PXAT at its expiry, so Redis drops it then (one round
// trip). Saving a key that exists replaces the record and keeps its
// nonces.
func (s *Store) Save(ctx context.Context, r storage.Record) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("redisstore: save: %w", err)
	}
	value, err := encode(r)
	if err != nil {
		return err
	}
	sk, _ := s.keys(r.Key)
	_, err = s.do(ctx, write{op: "save", keys: []string{sk}, args: []any{"set", sk, value, "pxat", expiryMillis(r.ExpiresAt)}})
	return err
}

// Load returns the record under key (one round trip). A record that is
// expired by the caller's now is deleted with its nonces (a second round
// trip, only then) and reported as not found.
func (s *Store) Load(ctx context.Context, key storage.Key, now time.Time) (storage.Record, error) {
	if err := ctx.Err(); err != nil {
		return storage.Record{}, fmt.Errorf("redisstore: load: %w", err)
	}
	sk, nk := s.keys(key)
	raw, err := s.client.Get(ctx, sk).Bytes()
	if errors.Is(err, redis.Nil) {
		return storage.Record{}, fmt.Errorf("redisstore: load: %w", storage.ErrNotFound)
	}
	if err != nil {
		s.refresh(ctx, err)
		return storage.Record{}, fmt.Errorf("redisstore: load: %w", err)
	}
	r, err := decode(key, raw)
	if err != nil {
		return storage.Record{}, err
	}
	if !now.Before(r.ExpiresAt) {
		if err := s.client.Del(ctx, sk, nk).Err(); err != nil {
			s.refresh(ctx, err)
			return storage.Record{}, fmt.Errorf("redisstore: load: removing an expired session: %w", err)
		}
		return storage.Record{}, fmt.Errorf("redisstore: load: %w", storage.ErrNotFound)
	}
	return r, nil
}

// deleteScript removes a session and its nonces if the stored merchant id
// (bytes 4.. of the value, after the version byte and a 2-byte length)
// matches; it answers 1 when it removed the session, else 0.
const deleteScriptSource = `
local v = redis.call('GET', KEYS[1])
if not v then return 0 end
local n = string.byte(v, 2) * 256 + string.byte(v, 3)
if string.sub(v, 4, 3 + n) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1], KEYS[2])
return 1
`

// Delete removes the session under key and its nonces if it belongs to
// merchantID, atomically, in one round trip (a Lua script).
func (s *Store) Delete(ctx context.Context, key storage.Key, merchantID string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("redisstore: delete: %w", err)
	}
	sk, nk := s.keys(key)
	cmd, err := s.do(ctx, write{op: "delete", script: s.deleteScript, keys: []string{sk, nk}, args: []any{merchantID}, noRetry: true})
	if err != nil {
		return err
	}
	n, err := cmd.Int()
	if err != nil {
		return fmt.Errorf("redisstore: delete: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("redisstore: delete: %w", storage.ErrNotFound)
	}
	return nil
}

// nonceScript adds a nonce to a session's set and makes the set expire with
// the session; it answers 1 when the nonce is new, 0 when it was there.
const nonceScriptSource = `
local added = redis.call('SADD', KEYS[1], ARGV[1])
redis.call('PEXPIREAT', KEYS[1], ARGV[2])
return added
`

// RecordNonce records nonce for the session under key until expiresAt,
// atomically and in one round trip (a Lua script); a nonce recorded before
// gives an error wrapping storage.ErrAlreadyExists.
func (s *Store) RecordNonce(ctx context.Context, key storage.Key, nonce string, expiresAt time.Time) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("redisstore: record nonce: %w", err)
	}
	_, nk := s.keys(key)
	cmd, err := s.do(ctx, write{op: "record nonce", script: s.nonceScript, keys: []string{nk},
		args: []any{nonce, expiryMillis(expiresAt)}, noRetry: true})
	if err != nil {
		return err
	}
	added, err := cmd.Int()
	if err != nil {
		return fmt.Errorf("redisstore: record nonce: %w", err)
	}
	if added == 0 {
		return fmt.Errorf("redisstore: record nonce: %w", storage.ErrAlreadyExists)
	}
	return nil
}

// expiryMillis is t in Unix milliseconds, rounded up so that Redis never
// drops a record before the engine's expiry, and at least 1 (PXAT needs a
// positive time; a past one makes Redis drop the key at once).
func expiryMillis(t time.Time) string {
	ms := t.UnixMilli()
	if t.Sub(time.UnixMilli(ms)) > 0 {
		ms++
	}
	return strconv.FormatInt(max(ms, 1), 10)
}

// Value layout, version 1:
//
//	[0]      version (1)
//	[1:3]    length of MerchantID, big endian
//	[3:m]    MerchantID
//	[m:m+8]  ExpiresAt, Unix nanoseconds, big endian
//	[..+2]   length of CustomerID, big endian
//	[..]     CustomerID
//	[..]     Payload (the rest)
//
// The merchant comes first so that the delete script can read it.
const version = 1

func encode(r storage.Record) ([]byte, error) {
	if len(r.MerchantID) > 0xffff || len(r.CustomerID) > 0xffff {
		return nil, errors.New("redisstore: merchant or customer id longer than 65535 bytes")
	}
	out := make([]byte, 0, 1+2+len(r.MerchantID)+8+2+len(r.CustomerID)+len(r.Payload))
	out = append(out, version)
	out = binary.BigEndian.AppendUint16(out, uint16(len(r.MerchantID))) //nolint:gosec // checked above
	out = append(out, r.MerchantID...)
	out = binary.BigEndian.AppendUint64(out, uint64(r.ExpiresAt.UnixNano()))
	out = binary.BigEndian.AppendUint16(out, uint16(len(r.CustomerID))) //nolint:gosec // checked above
	out = append(out, r.CustomerID...)
	out = append(out, r.Payload...)
	return out, nil
}

var errCorrupt = errors.New("redisstore: a stored session is corrupt")

func decode(key storage.Key, b []byte) (storage.Record, error) {
	if len(b) < 3 || b[0] != version {
		return storage.Record{}, errCorrupt
	}
	m := int(binary.BigEndian.Uint16(b[1:3]))
	b = b[3:]
	if len(b) < m+8+2 {
		return storage.Record{}, errCorrupt
	}
	merchant := string(b[:m])
	expires := time.Unix(0, int64(binary.BigEndian.Uint64(b[m:m+8]))).UTC() //nolint:gosec // the bits of a time written by encode
	b = b[m+8:]
	c := int(binary.BigEndian.Uint16(b[:2]))
	b = b[2:]
	if len(b) < c {
		return storage.Record{}, errCorrupt
	}
	return storage.Record{
		Key:        key,
		MerchantID: merchant,
		CustomerID: string(b[:c]),
		ExpiresAt:  expires,
		Payload:    string(b[c:]),
	}, nil
}

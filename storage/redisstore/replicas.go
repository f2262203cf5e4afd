package redisstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// ErrNotReplicated is wrapped by the error of a write that fewer replicas
// acknowledged than WithReplicaAcks asks for. The write may still be on
// the primary (see the package documentation for what releases it); the
// engine answers the caller with a retryable error, never a success.
var ErrNotReplicated = errors.New("redisstore: the write was not acknowledged by enough replicas")

// MaxReplicaAckTimeout is the longest acknowledgement timeout
// WithReplicaAcks accepts.
const MaxReplicaAckTimeout = time.Minute

// WithReplicaAcks makes every write that an answer depends on wait until n
// replicas hold it, for at most timeout: a session save, a nonce record, a
// revocation, an idempotency claim and an idempotency finish each send
// WAIT n timeout right after the write, on the same connection, in one
// pipeline (one round trip; on a Cluster, to the primary that owns the
// key). Fewer acknowledgements than n within timeout fail the operation
// with an error wrapping ErrNotReplicated, so the caller never gets a
// success for a write that a failover can lose.
//
// n is 1 or more; timeout is from 1 ms to MaxReplicaAckTimeout, counted in
// whole milliseconds (a fraction is rounded up), and must be shorter than
// the client's ReadTimeout (a pipeline reads with it). The client must be
// a *redis.Client (one node, or Sentinel through redis.NewFailoverClient)
// or a *redis.ClusterClient: New refuses anything else with this option.
//
// The price is a replica's round trip on every write, and availability:
// while fewer than n replicas are attached, every write fails. See the
// package documentation.
func WithReplicaAcks(n int, timeout time.Duration) Option {
	return optionFunc(func(c *config) {
		if n < 1 {
			c.Fail("replicaAcks.n", fmt.Sprintf("the number of replica acknowledgements must be at least 1, got %d", n))
			return
		}
		if timeout < time.Millisecond || timeout > MaxReplicaAckTimeout {
			c.Fail("replicaAcks.timeout", fmt.Sprintf("the acknowledgement timeout must be from 1ms to %s, got %s", MaxReplicaAckTimeout, timeout))
			return
		}
		c.acks, c.ackTimeout = n, timeout
	})
}

// checkAcks checks that the client can run WAIT after a write on the same
// connection within its read deadline.
func (c *config) checkAcks(client redis.UniversalClient) {
	if c.acks == 0 || client == nil {
		return
	}
	var read time.Duration
	switch cl := client.(type) {
	case *redis.Client:
		read = cl.Options().ReadTimeout
	case *redis.ClusterClient:
		read = cl.Options().ReadTimeout
	default:
		c.Fail("replicaAcks", fmt.Sprintf("replica acknowledgements need a *redis.Client (one node or Sentinel) or a *redis.ClusterClient, got %T", client))
		return
	}
	if read > 0 && c.ackTimeout >= read {
		c.Fail("replicaAcks.timeout", fmt.Sprintf("the acknowledgement timeout (%s) must be shorter than the client's ReadTimeout (%s)", c.ackTimeout, read))
	}
}

// ackMillis is the WAIT timeout in milliseconds, rounded up.
func (s *Store) ackMillis() int64 {
	return int64((s.ackTimeout + time.Millisecond - 1) / time.Millisecond)
}

// A script is a Lua script of the store and its SHA-1, as EVALSHA names it.
type script struct{ src, hash string }

func newScript(src string) *script {
	return &script{src: src, hash: redis.NewScript(src).Hash()}
}

// A write is one command, or one script of the store, that changes what
// Redis holds.
type write struct {
	op      string   // for messages, e.g. "save"
	script  *script  // nil: args is the command
	keys    []string // the script's keys; keys[0] routes a Cluster pipeline
	args    []any
	noRetry bool // resending it after an unknown outcome could change its answer
}

// noRetry marks a command that go-redis must not resend after a network
// error: a nonce record or a delete that did run would answer "already
// exists" or "not found" the second time, a false 409 or 404.
type noRetry struct{ *redis.Cmd }

func (noRetry) NoRetry() bool { return true }

// do runs w: a script as EVALSHA, then as EVAL when the server does not
// know it yet (after a restart or a failover to a node that never ran it);
// with replica acknowledgements, followed by WAIT on the same connection.
// A failure other than a reply tells a Cluster client to reload its slot
// map (see refresh). The result is the command's: redis.Nil is a reply.
func (s *Store) do(ctx context.Context, w write) (*redis.Cmd, error) {
	cmd, err := s.exec(ctx, w, true)
	if w.script != nil && redis.HasErrorPrefix(err, "NOSCRIPT") {
		cmd, err = s.exec(ctx, w, false)
	}
	if err != nil && !errors.Is(err, redis.Nil) {
		s.refresh(ctx, err)
		return cmd, fmt.Errorf("redisstore: %s: %w", w.op, err)
	}
	return cmd, err
}

func (s *Store) exec(ctx context.Context, w write, sha bool) (*redis.Cmd, error) {
	args := w.args
	if w.script != nil {
		head := []any{"evalsha", w.script.hash}
		if !sha {
			head = []any{"eval", w.script.src}
		}
		args = make([]any, 0, len(head)+1+len(w.keys)+len(w.args))
		args = append(args, head...)
		args = append(args, len(w.keys))
		for _, k := range w.keys {
			args = append(args, k)
		}
		args = append(args, w.args...)
	}
	cmd := redis.NewCmd(ctx, args...)
	var c redis.Cmder = cmd
	if w.noRetry {
		c = noRetry{cmd}
	}
	if s.acks == 0 {
		_ = s.client.Process(ctx, c)
		return cmd, cmd.Err()
	}
	pipe, err := s.pipeline(ctx, w.keys[0])
	if err != nil {
		return cmd, err
	}
	wait := redis.NewIntCmd(ctx, "wait", s.acks, s.ackMillis())
	_ = pipe.Process(ctx, c)
	_ = pipe.Process(ctx, wait)
	_, _ = pipe.Exec(ctx)
	if err := cmd.Err(); err != nil && !errors.Is(err, redis.Nil) {
		return cmd, err
	}
	if err := wait.Err(); err != nil {
		return cmd, err
	}
	if got := wait.Val(); got < int64(s.acks) {
		return cmd, fmt.Errorf("%w: %d of %d within %s", ErrNotReplicated, got, s.acks, s.ackTimeout)
	}
	return cmd, cmd.Err()
}

// pipeline returns a pipeline whose commands go on one connection of the
// primary that owns key: WAIT has no key, so a Cluster client would send it
// to any node; the node's own client keeps it with the write.
func (s *Store) pipeline(ctx context.Context, key string) (redis.Pipeliner, error) {
	if cc, ok := s.client.(*redis.ClusterClient); ok {
		node, err := cc.MasterForKey(ctx, key)
		if err != nil {
			return nil, err
		}
		return node.Pipeline(), nil
	}
	return s.client.Pipeline(), nil
}

// refresh tells a Cluster client to reload its slot map after a failed
// call. go-redis reloads it by itself on a MOVED reply, but not when the
// primary of a slot is dead or stalled: without this, after a failover it
// keeps sending that slot's keys to the dead node until its periodic
// reload (60 s by default). ReloadState is asynchronous and go-redis runs
// at most one reload at a time, then waits 200 ms before the next, so a
// burst of failures costs one CLUSTER SLOTS a fifth of a second.
func (s *Store) refresh(ctx context.Context, err error) {
	if errors.Is(err, ErrNotReplicated) {
		return // the node answered: the map is right
	}
	if cc, ok := s.client.(*redis.ClusterClient); ok {
		cc.ReloadState(ctx)
	}
}

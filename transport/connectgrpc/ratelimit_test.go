package connectgrpc_test

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/health"
	"google.golang.org/grpc/status"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/transport/connectgrpc"
	pb "github.com/clientsession/engine/transport/connectgrpc/clientsessionv1"
)

// budget is a CreateLimiter that allows n creates in all, then refuses
// with wait, and counts the questions per merchant.
type budget struct {
	mu    sync.Mutex
	left  int
	wait  time.Duration
	asked map[string]int
}

func newBudget(n int, wait time.Duration) *budget {
	return &budget{left: n, wait: wait, asked: map[string]int{}}
}

func (b *budget) AllowCreate(merchantID string) (bool, time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.asked[merchantID]++
	if b.left == 0 {
		return false, b.wait
	}
	b.left--
	return true, 0
}

func (b *budget) count(merchantID string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.asked[merchantID]
}

func (b *budget) refill(n int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.left = n
}

// TestCreateLimiter: a create beyond the merchant's budget is
// ResourceExhausted TOO_MANY_REQUESTS with a RetryInfo of the limiter's
// wait in whole seconds (at least one), as the HTTP transport's
// Retry-After; the merchant is authenticated before the limiter is asked.
func TestCreateLimiter(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		wait, retry time.Duration
	}{
		{1200 * time.Millisecond, 2 * time.Second},
		{10 * time.Millisecond, time.Second},
		{0, time.Second},
		{3 * time.Second, 3 * time.Second},
	} {
		b := newBudget(1, tc.wait)
		c := newClient(serve(t, newEngine(t, engineConfig{}).engine, bearerAuth, connectgrpc.WithCreateLimiter(b)))
		c.create(t, &pb.CreateSessionRequest{})
		_, err := c.sessions.CreateSession(asMerchant(t.Context(), "1234"), &pb.CreateSessionRequest{})
		wantError(t, "over the budget", err, codes.ResourceExhausted, string(sderrors.ErrTooManyRequests.Code()), "")
		if got := detailsOf(status.Convert(err)).retry.GetRetryDelay().AsDuration(); got != tc.retry {
			t.Errorf("wait %v: RetryInfo %v, want %v", tc.wait, got, tc.retry)
		}
		_, err = c.sessions.CreateSession(t.Context(), &pb.CreateSessionRequest{})
		wantError(t, "unauthenticated", err, codes.Unauthenticated, "9002", "")
		if n := b.count("1234"); n != 2 {
			t.Errorf("the limiter was asked %d times, want 2 (never for an unauthenticated call)", n)
		}
	}
}

// TestCreateLimiterSparesReplays: with an idempotence key the limiter is
// asked only when the attempt runs: replays of a finished key (a success
// or a kept 400), a repeat while the first runs and a malformed key are
// not charged; a first attempt that answers 400 is (it ran); a refusal is
// not kept, so a retry with the same key runs once the budget allows.
func TestCreateLimiterSparesReplays(t *testing.T) {
	t.Parallel()
	b := newBudget(1, time.Second)
	e := newEngine(t, engineConfig{})
	c := newClient(serve(t, e.engine, bearerAuth, connectgrpc.WithCreateLimiter(b)))

	first, _, err := createWithKey(t, c, "spare-1", &pb.CreateSessionRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		again, _, err := createWithKey(t, c, "spare-1", &pb.CreateSessionRequest{})
		if err != nil || again.GetClientSessionId() != first.GetClientSessionId() {
			t.Fatalf("replay %d with the budget used up: %v %v", i+1, again, err)
		}
	}
	_, _, err = createWithKey(t, c, strings.Repeat("k", 41), &pb.CreateSessionRequest{})
	wantError(t, "malformed key", err, codes.InvalidArgument, "700105", connectgrpc.IdempotenceKeyMetadata)
	if n := b.count("1234"); n != 1 {
		t.Errorf("the limiter was asked %d times, want 1 (replays and malformed keys are not charged)", n)
	}

	_, _, err = createWithKey(t, c, "spare-2", &pb.CreateSessionRequest{})
	wantError(t, "a new key over the budget", err, codes.ResourceExhausted, "700803", "")
	b.refill(2)
	s, ts, err := createWithKey(t, c, "spare-2", &pb.CreateSessionRequest{})
	if err != nil || ts != "" {
		t.Errorf("after the refusal, the same key runs as a first attempt: %v %v, timestamp %q", s, err, ts)
	}

	bad := &pb.CreateSessionRequest{Tokens: []string{""}}
	_, _, err = createWithKey(t, c, "spare-3", bad)
	wantError(t, "a 400 that ran", err, codes.InvalidArgument, "700301", "tokens[0]")
	_, _, err = createWithKey(t, c, "spare-3", bad)
	wantError(t, "its replay", err, codes.InvalidArgument, "700301", "tokens[0]")
	if n := b.count("1234"); n != 4 {
		t.Errorf("the limiter was asked %d times, want 4 (the 400 that ran is charged, its replay is not)", n)
	}
}

// TestOptions: New takes the service's options only and refuses the
// server's; every bad option is reported at once, by both.
func TestOptions(t *testing.T) {
	t.Parallel()
	e := newEngine(t, engineConfig{})
	_, err := connectgrpc.New(e.engine, bearerAuth, connectgrpc.WithMaxRequestBytes(4096), connectgrpc.WithCreateLimiter(nil),
		connectgrpc.WithHealthServer(health.NewServer()), connectgrpc.WithServerOptions(grpc.MaxRecvMsgSize(4096)))
	if !errors.Is(err, sderrors.ErrInvalidConfiguration) {
		t.Fatalf("New = %v, want ErrInvalidConfiguration", err)
	}
	for _, p := range []string{"maxRequestBytes", "createLimiter", "healthServer", "serverOptions"} {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("New = %v, want a problem at %s", err, p)
		}
	}
	if _, err := connectgrpc.New(e.engine, bearerAuth, connectgrpc.WithCreateLimiter(newBudget(1, 0))); err != nil {
		t.Errorf("New with a limiter: %v", err)
	}
	_, err = connectgrpc.NewServer(e.engine, bearerAuth, connectgrpc.WithCreateLimiter(nil), connectgrpc.WithHealthServer(nil))
	for _, p := range []string{"createLimiter", "healthServer"} {
		if err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("NewServer = %v, want a problem at %s", err, p)
		}
	}
}

// TestRegisteredServiceLimits: a gateway that builds its own server (New,
// Register) gets the limiter too.
func TestRegisteredServiceLimits(t *testing.T) {
	t.Parallel()
	svc, err := connectgrpc.New(newEngine(t, engineConfig{}).engine, bearerAuth, connectgrpc.WithCreateLimiter(newBudget(0, time.Second)))
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer(connectgrpc.ServerCodec(), grpc.ChainUnaryInterceptor(svc.UnaryInterceptor()))
	svc.Register(srv)
	c := newClient(serveOn(t, srv))
	_, err = c.sessions.CreateSession(asMerchant(t.Context(), "1234"), &pb.CreateSessionRequest{})
	wantError(t, "registered service over budget", err, codes.ResourceExhausted, "700803", "")
}

package connectgrpc_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/session"
	"github.com/clientsession/engine/storage"
	"github.com/clientsession/engine/storage/memstore"
	"github.com/clientsession/engine/token"
	"github.com/clientsession/engine/transport/connectgrpc"
	pb "github.com/clientsession/engine/transport/connectgrpc/clientsessionv1"
	"github.com/clientsession/engine/wire"
)

func TestOpenEncryptedCustomerInput(t *testing.T) {
	t.Parallel()
	c := newClient(serve(t, newEngine(t, engineConfig{}).engine, bearerAuth))
	k := key(t)
	pub := &k.Private.PublicKey
	open := func(merchantID, clientSessionID, blob string) (*pb.OpenEncryptedCustomerInputResponse, error) {
		return c.sessions.OpenEncryptedCustomerInput(asMerchant(t.Context(), merchantID),
			&pb.OpenEncryptedCustomerInputRequest{ClientSessionId: clientSessionID, EncryptedCustomerInput: blob})
	}

	t.Run("round trip, then a replay", func(t *testing.T) {
		s := c.create(t, &pb.CreateSessionRequest{})
		blob := seal(t, pub, k.ID, cardInput(s.GetClientSessionId(), ""))
		got, err := open("1234", s.GetClientSessionId(), blob)
		if err != nil {
			t.Fatal(err)
		}
		values := map[string]string{}
		for _, v := range got.GetPaymentValues() {
			values[v.GetKey()] = v.GetValue()
		}
		// Masked as over HTTP: the card number keeps its first six and last
		// four digits, the security code is dropped.
		want := map[string]string{"cardNumber": wire.MaskCardNumber("4012000033330026"), "expiryDate": "1230", "cardholderName": "José Müller"}
		if strings.Contains(fmt.Sprint(values), "4012000033330026") || strings.Contains(fmt.Sprint(values), "123]") {
			t.Errorf("values %v carry card data in clear", values)
		}
		if fmt.Sprint(values) != fmt.Sprint(want) {
			t.Errorf("values %v, want %v", values, want)
		}
		if got.GetClientSessionId() != s.GetClientSessionId() || len(got.GetNonce()) != 32 || got.GetPaymentProductId() != 1 ||
			got.GetTokenize() || got.AccountOnFileId != nil || got.GetTokenId() != "" {
			t.Errorf("opened %v", got)
		}
		if loc := got.GetCollectedDeviceInformation().GetFields()["locale"].GetStringValue(); loc != "en-US" {
			t.Errorf("device information locale %q", loc)
		}
		_, err = open("1234", s.GetClientSessionId(), blob)
		wantError(t, "replay", err, codes.AlreadyExists, "1409", "")
	})
	t.Run("the session named in the input", func(t *testing.T) {
		s := c.create(t, &pb.CreateSessionRequest{})
		if _, err := open("1234", "", seal(t, pub, k.ID, cardInput(s.GetClientSessionId(), ""))); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("account on file", func(t *testing.T) {
		s := c.create(t, &pb.CreateSessionRequest{Tokens: []string{"tok-visa"}})
		got, err := open("1234", s.GetClientSessionId(), seal(t, pub, k.ID, cardInput(s.GetClientSessionId(), `,"accountOnFileId":1`)))
		if err != nil {
			t.Fatal(err)
		}
		if got.GetAccountOnFileId() != 1 || got.GetTokenId() != "tok-visa" {
			t.Errorf("account on file %v, token %q", got.AccountOnFileId, got.GetTokenId())
		}
		_, err = open("1234", s.GetClientSessionId(), seal(t, pub, k.ID, cardInput(s.GetClientSessionId(), `,"accountOnFileId":2`)))
		wantError(t, "unknown account on file", err, codes.InvalidArgument, "700604", "accountOnFileId")
	})
	t.Run("refusals use up no nonce", func(t *testing.T) {
		a := c.create(t, &pb.CreateSessionRequest{})
		b := c.create(t, &pb.CreateSessionRequest{})
		blob := seal(t, pub, k.ID, cardInput(a.GetClientSessionId(), ""))
		_, err := open("1234", b.GetClientSessionId(), blob)
		wantError(t, "another session", err, codes.InvalidArgument, "700603", "")
		_, err = open("5678", a.GetClientSessionId(), blob)
		wantError(t, "another merchant", err, codes.NotFound, "700500", "")
		parts := strings.Split(blob, ".")
		for i := 1; i < 5; i++ {
			tampered := slices.Clone(parts)
			b := []byte(tampered[i])
			b[3] ^= 1
			tampered[i] = string(b)
			_, err := open("1234", a.GetClientSessionId(), strings.Join(tampered, "."))
			if status.Code(err) != codes.InvalidArgument {
				t.Errorf("part %d tampered: %v", i, err)
			}
		}
		_, err = open("1234", a.GetClientSessionId(), "not a JWE")
		wantError(t, "not a JWE", err, codes.InvalidArgument, "700601", "")
		_, err = open("1234", a.GetClientSessionId(), seal(t, pub, "other-key", cardInput(a.GetClientSessionId(), "")))
		wantError(t, "unknown key id", err, codes.InvalidArgument, "700600", "")
		_, err = open("1234", a.GetClientSessionId(), "")
		wantError(t, "empty", err, codes.InvalidArgument, "20000000", "encryptedCustomerInput")
		if _, err := open("1234", a.GetClientSessionId(), blob); err != nil {
			t.Errorf("after the refusals: %v", err)
		}
	})
}

// blockingTokens is a token repository that says it was entered, then
// blocks until the call's context ends (or a minute passes: a bound).
type blockingTokens struct{ entered chan struct{} }

func (b blockingTokens) Tokens(ctx context.Context, _ string, _ []string) ([]token.Token, error) {
	select {
	case b.entered <- struct{}{}:
	default: // entered already said so
	}
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-time.After(time.Minute):
		return nil, errors.New("blockingTokens: the call's context did not end within a minute")
	}
}

// blockedServer serves an engine whose token lookups block (blockingTokens)
// and reports the code of each call's answer on answered.
func blockedServer(t *testing.T) (client, blockingTokens, env, chan codes.Code) {
	t.Helper()
	repo := blockingTokens{entered: make(chan struct{}, 1)}
	e := newEngine(t, engineConfig{tokens: repo})
	answered := make(chan codes.Code, 4)
	observe := grpc.ChainUnaryInterceptor(func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
		resp, err := h(ctx, req)
		answered <- status.Code(err)
		return resp, err
	})
	return newClient(serve(t, e.engine, bearerAuth, connectgrpc.WithServerOptions(observe))), repo, e, answered
}

// TestDeadlineAndCancellation: a call whose deadline passes or that the
// client cancels while the engine waits on a dependency ends with the
// client's code, and stores nothing. Every wait is bounded: on a loaded
// machine a short deadline may pass before the call reaches the token
// lookup (or the server at all); the deadline case then tries again with
// a longer one, and fails with a message when even 5 s were not enough.
func TestDeadlineAndCancellation(t *testing.T) {
	t.Parallel()
	req := &pb.CreateSessionRequest{Tokens: []string{"tok-visa"}}

	t.Run("deadline", func(t *testing.T) {
		for _, d := range []time.Duration{200 * time.Millisecond, time.Second, 5 * time.Second} {
			c, repo, e, answered := blockedServer(t)
			ctx, cancel := context.WithTimeout(asMerchant(t.Context(), "1234"), d)
			_, err := c.sessions.CreateSession(ctx, req)
			cancel()
			if status.Code(err) != codes.DeadlineExceeded {
				t.Fatalf("deadline %v: %v, want DeadlineExceeded", d, err)
			}
			var got codes.Code
			select {
			case got = <-answered:
			case <-time.After(5 * time.Second):
				t.Logf("deadline %v: the call never reached the server; trying a longer deadline", d)
				continue
			}
			select {
			case <-repo.entered:
			default:
				t.Logf("deadline %v: the deadline passed before the engine reached the token lookup (answer %v); trying a longer deadline", d, got)
				continue
			}
			// The server's context ends by its own copy of the deadline (the
			// engine's retryable Unavailable) or by the client's reset of the
			// stream (Canceled), whichever comes first.
			if got != codes.Unavailable && got != codes.Canceled {
				t.Errorf("deadline %v: the server answered %v, want Unavailable or Canceled", d, got)
			}
			if n := e.store.Len(); n != 0 {
				t.Errorf("deadline %v: %d sessions stored by a call that did not finish", d, n)
			}
			return
		}
		t.Fatal("no call reached the token lookup before its deadline, even with a deadline of 5s")
	})

	t.Run("cancel", func(t *testing.T) {
		c, repo, e, answered := blockedServer(t)
		// The minute is a bound only: the call is canceled once the engine
		// waits on the token lookup.
		ctx, cancel := context.WithTimeout(asMerchant(t.Context(), "1234"), time.Minute)
		defer cancel()
		go func() {
			select {
			case <-repo.entered:
			case <-ctx.Done():
			}
			cancel()
		}()
		_, err := c.sessions.CreateSession(ctx, req)
		if status.Code(err) != codes.Canceled {
			t.Errorf("cancel: %v, want Canceled (DeadlineExceeded: the call never reached the token lookup within a minute)", err)
		}
		if got := waitFor(t, answered, 10*time.Second, "the server's answer to the canceled call"); got != codes.Canceled {
			t.Errorf("cancel: the server answered %v, want Canceled", got)
		}
		if n := e.store.Len(); n != 0 {
			t.Errorf("cancel: %d sessions stored by a call that did not finish", n)
		}
	})
}

// TestConcurrentClients: many clients create sessions and list products at
// once (run with -race); no session sees another's accounts on file.
func TestConcurrentClients(t *testing.T) {
	t.Parallel()
	e := newEngine(t, engineConfig{})
	conn := serve(t, e.engine, bearerAuth)
	const workers, rounds = 8, 25
	tokens := map[string]int32{"tok-visa": 1, "tok-mastercard": 3, "tok-no-expiry": 2}
	names := []string{"tok-visa", "tok-mastercard", "tok-no-expiry"}
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			c := newClient(conn) // clients share the connection, as a gateway's would
			for r := range rounds {
				tok := names[(w+r)%len(names)]
				s, err := c.sessions.CreateSession(asMerchant(t.Context(), "1234"), &pb.CreateSessionRequest{Tokens: []string{tok}})
				if err != nil {
					errs <- err
					return
				}
				resp, err := c.clients.GetPaymentProducts(withSession(t.Context(), s.GetClientSessionId()),
					&pb.GetPaymentProductsRequest{CustomerId: s.GetCustomerId(), PaymentContext: nlEUR, HideFields: true})
				if err != nil {
					errs <- err
					return
				}
				var of []int32
				for _, p := range resp.GetPaymentProducts() {
					for _, a := range p.GetAccountsOnFile() {
						of = append(of, a.GetPaymentProductId())
					}
				}
				if !slices.Equal(of, []int32{tokens[tok]}) {
					errs <- fmt.Errorf("session of %s sees accounts on file of products %v", tok, of)
					return
				}
			}
		})
	}
	waitGroup(t, &wg, time.Minute, "the concurrent clients")
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := e.store.Len(); n != workers*rounds {
		t.Errorf("%d sessions stored, want %d", n, workers*rounds)
	}
}

// TestRequestSizeLimit: WithMaxRequestBytes is the one limit of a
// request's size. Set to 1 MiB, a create of about 100 KiB (800 tokens of
// 128 characters, on an engine that takes 1,000) creates a session, and a
// message over 1 MiB is refused by gRPC before it is decoded
// (ResourceExhausted, not the engine's InvalidArgument for too many
// tokens). At the default (wire.DefaultMaxRequestBytes, 64 KiB) the same
// 100 KiB create is refused, and what the engine refuses under it is the
// engine's InvalidArgument. Nothing refused is stored.
func TestRequestSizeLimit(t *testing.T) {
	t.Parallel()
	e := newEngine(t, engineConfig{extra: []session.Option{session.WithMaxTokens(1000)}})
	tokens := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = strings.Repeat("t", 124) + strconv.Itoa(1000+i)
		}
		return out
	}
	hundredKiB := &pb.CreateSessionRequest{Tokens: tokens(800)}
	if n := proto.Size(hundredKiB); n < 100<<10 || n > wire.DefaultMaxRequestBytes*2 {
		t.Fatalf("the create is %d bytes; want about 100 KiB", n)
	}
	over1MiB := &pb.CreateSessionRequest{Tokens: tokens(8200)}
	if n := proto.Size(over1MiB); n <= 1<<20 {
		t.Fatalf("the create is %d bytes; want over 1 MiB", n)
	}

	big := newClient(serve(t, e.engine, bearerAuth, connectgrpc.WithMaxRequestBytes(1<<20)))
	s, err := big.sessions.CreateSession(asMerchant(t.Context(), "1234"), hundredKiB)
	if err != nil || s.GetClientSessionId() == "" || len(s.GetInvalidTokens()) != 800 {
		t.Fatalf("a 100 KiB create under a 1 MiB limit: %v, %d invalid tokens; want a session", err, len(s.GetInvalidTokens()))
	}
	if _, err := big.sessions.CreateSession(asMerchant(t.Context(), "1234"), over1MiB); status.Code(err) != codes.ResourceExhausted {
		t.Errorf("a create over 1 MiB: %v, want ResourceExhausted", err)
	}

	def := newClient(serve(t, e.engine, bearerAuth))
	if _, err := def.sessions.CreateSession(asMerchant(t.Context(), "1234"), hundredKiB); status.Code(err) != codes.ResourceExhausted {
		t.Errorf("a 100 KiB create at the default limit: %v, want ResourceExhausted", err)
	}
	_, err = def.sessions.CreateSession(asMerchant(t.Context(), "1234"), &pb.CreateSessionRequest{Tokens: tokens(1001)})
	if status.Code(err) != codes.ResourceExhausted {
		t.Errorf("1,001 tokens (over 64 KiB): %v, want ResourceExhausted", err)
	}
	_, err = def.sessions.CreateSession(asMerchant(t.Context(), "1234"), &pb.CreateSessionRequest{Tokens: []string{strings.Repeat("x", 129)}})
	if status.Code(err) != codes.InvalidArgument {
		t.Errorf("a malformed token under the limit: %v, want InvalidArgument from the engine", err)
	}
	_, err = def.sessions.OpenEncryptedCustomerInput(asMerchant(t.Context(), "1234"),
		&pb.OpenEncryptedCustomerInputRequest{EncryptedCustomerInput: strings.Repeat("x", 60<<10)})
	if status.Code(err) != codes.InvalidArgument {
		t.Errorf("a 60 KiB input: %v, want InvalidArgument from the engine", err)
	}
	if e.store.Len() != 1 {
		t.Errorf("%d sessions stored, want 1", e.store.Len())
	}
}

// TestNewServerChecksOptions: every bad option is reported at once.
func TestNewServerChecksOptions(t *testing.T) {
	t.Parallel()
	e := newEngine(t, engineConfig{})
	_, err := connectgrpc.NewServer(e.engine, nil, connectgrpc.WithMaxRequestBytes(10), nil, connectgrpc.WithServerOptions(nil))
	if !errors.Is(err, sderrors.ErrInvalidConfiguration) {
		t.Fatalf("NewServer = %v, want ErrInvalidConfiguration", err)
	}
	for _, p := range []string{"auth", "maxRequestBytes", "options[1]", "serverOptions[0]"} {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("NewServer = %v, want a problem at %s", err, p)
		}
	}
}

// TestStoreFullIsUnavailable: over a session store at its memory bound,
// CreateSession and OpenEncryptedCustomerInput are Unavailable with
// STORE_FULL (700902) and a RetryInfo; sessions created before still
// serve, and the refused blob opens once a revoke made room.
func TestStoreFullIsUnavailable(t *testing.T) {
	t.Parallel()
	e := newEngine(t, engineConfig{store: []memstore.Option{memstore.WithMaxBytes(16 << 10)}})
	c := newClient(serve(t, e.engine, bearerAuth))
	wantFull := func(what string, err error) {
		t.Helper()
		wantError(t, what, err, codes.Unavailable, string(sderrors.ErrStoreFull.Code()), "")
		if d := detailsOf(status.Convert(err)); d.retry.GetRetryDelay().AsDuration() != connectgrpc.RetryDelay {
			t.Errorf("%s: RetryInfo %v, want a delay of %v", what, d.retry, connectgrpc.RetryDelay)
		}
	}
	var created []*pb.CreateSessionResponse
	for i := 0; ; i++ {
		s, err := c.sessions.CreateSession(asMerchant(t.Context(), "1234"), &pb.CreateSessionRequest{})
		if err != nil {
			wantFull("CreateSession at the bound", err)
			break
		}
		created = append(created, s)
		if i > 10_000 {
			t.Fatal("a 16 KiB store never refused a create")
		}
	}
	for i := 0; ; i++ { // the slack goes to nonces of no session
		err := e.store.RecordNonce(t.Context(), storage.Key{1}, strconv.Itoa(i), time.Now().Add(time.Hour))
		if errors.Is(err, storage.ErrFull) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	s := created[0]
	k := key(t)
	req := &pb.OpenEncryptedCustomerInputRequest{ClientSessionId: s.GetClientSessionId(),
		EncryptedCustomerInput: seal(t, &k.Private.PublicKey, k.ID, cardInput(s.GetClientSessionId(), ""))}
	_, err := c.sessions.OpenEncryptedCustomerInput(asMerchant(t.Context(), "1234"), req)
	wantFull("OpenEncryptedCustomerInput at the bound", err)

	c.products(t, s, nlEUR) // nothing live was evicted
	for _, r := range created[1:4] {
		if _, err := c.sessions.RevokeSession(asMerchant(t.Context(), "1234"), &pb.RevokeSessionRequest{ClientSessionId: r.GetClientSessionId()}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.sessions.OpenEncryptedCustomerInput(asMerchant(t.Context(), "1234"), req); err != nil {
		t.Errorf("the refused blob after revokes made room: %v (its nonce must not be used up)", err)
	}
}

package connectgrpc_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/session"
	"github.com/clientsession/engine/token"
	"github.com/clientsession/engine/transport/connectgrpc"
	pb "github.com/clientsession/engine/transport/connectgrpc/clientsessionv1"
	"github.com/clientsession/engine/transport/connecthttp"
	"github.com/clientsession/engine/wire"
)

// withKey adds an idempotence key to a merchant call's metadata.
func withKey(ctx context.Context, keys ...string) context.Context {
	for _, k := range keys {
		ctx = metadata.AppendToOutgoingContext(ctx, connectgrpc.IdempotenceKeyMetadata, k)
	}
	return ctx
}

// createWithKey creates a session of merchant 1234 with an idempotence
// key and returns the answer, the timestamp metadata ("" when absent) and
// the error.
func createWithKey(t *testing.T, c client, key string, req *pb.CreateSessionRequest) (*pb.CreateSessionResponse, string, error) {
	t.Helper()
	var hdr metadata.MD
	resp, err := c.sessions.CreateSession(withKey(asMerchant(t.Context(), "1234"), key), req, grpc.Header(&hdr))
	return resp, strings.Join(hdr.Get(connectgrpc.IdempotenceTimestampMetadata), ","), err
}

// TestIdempotenceMetadataNames: the metadata keys are the HTTP headers'
// names in gRPC's lower case.
func TestIdempotenceMetadataNames(t *testing.T) {
	t.Parallel()
	for _, tc := range [][2]string{
		{connectgrpc.IdempotenceKeyMetadata, connecthttp.IdempotenceKeyHeader},
		{connectgrpc.IdempotenceTimestampMetadata, connecthttp.IdempotenceTimestampHeader},
	} {
		if tc[0] != strings.ToLower(tc[1]) {
			t.Errorf("metadata %q, header %q", tc[0], tc[1])
		}
	}
}

// TestIdempotentCreate: the rules of the HTTP transport over gRPC. The
// first attempt runs and answers without the timestamp; every repeat gets
// the first answer (even with another request) and the first attempt's
// time; keys are per merchant; a malformed key is InvalidArgument at the
// key's metadata.
func TestIdempotentCreate(t *testing.T) {
	t.Parallel()
	start := time.Now().Truncate(time.Millisecond)
	var mu sync.Mutex
	now := start
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	e := newEngine(t, engineConfig{now: clock})
	c := newClient(serve(t, e.engine, bearerAuth))

	first, ts, err := createWithKey(t, c, "order-1", &pb.CreateSessionRequest{Tokens: []string{"tok-visa", "unknown-token"}})
	if err != nil {
		t.Fatal(err)
	}
	if ts != "" {
		t.Errorf("first attempt: timestamp %q, want none", ts)
	}
	mu.Lock()
	now = start.Add(time.Minute)
	mu.Unlock()
	again, ts, err := createWithKey(t, c, "order-1", &pb.CreateSessionRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if again.GetClientSessionId() != first.GetClientSessionId() || again.GetCustomerId() != first.GetCustomerId() ||
		strings.Join(again.GetInvalidTokens(), ",") != "unknown-token" {
		t.Errorf("repeat: %v, want the first answer %v", again, first)
	}
	if want := strconv.FormatInt(start.UnixMilli(), 10); ts != want {
		t.Errorf("repeat: timestamp %q, want the first attempt's %q", ts, want)
	}
	if e.store.Len() != 1 {
		t.Errorf("%d sessions stored, want 1", e.store.Len())
	}

	other, err := c.sessions.CreateSession(withKey(asMerchant(t.Context(), "5678"), "order-1"), &pb.CreateSessionRequest{})
	if err != nil || other.GetClientSessionId() == first.GetClientSessionId() {
		t.Errorf("the same key for another merchant: %v %v, want a session of its own", other, err)
	}
	if fresh, _, err := createWithKey(t, c, "order-2", &pb.CreateSessionRequest{}); err != nil || fresh.GetClientSessionId() == first.GetClientSessionId() {
		t.Errorf("another key: %v %v, want a new session", fresh, err)
	}

	for _, tc := range []struct {
		name string
		keys []string
	}{
		{"41 characters", []string{strings.Repeat("k", 41)}},
		{"empty", []string{""}},
		{"two keys", []string{"order-1", "order-1"}},
	} {
		_, err := c.sessions.CreateSession(withKey(asMerchant(t.Context(), "1234"), tc.keys...), &pb.CreateSessionRequest{})
		wantError(t, tc.name, err, codes.InvalidArgument, string(sderrors.ErrInvalidValue.Code()), connectgrpc.IdempotenceKeyMetadata)
	}
	if e.store.Len() != 3 {
		t.Errorf("%d sessions stored, want 3", e.store.Len())
	}
}

// TestIdempotentErrorsAreKept: a first attempt's final error is replayed
// as the same status (code, message, errorId, field violations); a
// retryable one is not kept, and the repeat runs.
func TestIdempotentErrorsAreKept(t *testing.T) {
	t.Parallel()
	failing := &flakyTokens{fail: true}
	e := newEngine(t, engineConfig{tokens: failing})
	c := newClient(serve(t, e.engine, bearerAuth))

	bad := &pb.CreateSessionRequest{PaymentProductFilters: &pb.PaymentProductFiltersClientSession{
		Exclude: &pb.PaymentProductFilter{Groups: []string{"cards", "wallets"}}}}
	_, _, first := createWithKey(t, c, "bad-1", bad)
	wantError(t, "first attempt", first, codes.InvalidArgument, "700200", "paymentProductFilters.exclude.groups[1]")
	_, ts, again := createWithKey(t, c, "bad-1", &pb.CreateSessionRequest{})
	wantError(t, "repeat", again, codes.InvalidArgument, "700200", "paymentProductFilters.exclude.groups[1]")
	if ts == "" {
		t.Error("repeat of a kept error: no timestamp")
	}
	f, a := status.Convert(first), status.Convert(again)
	if f.Message() != a.Message() || detailsOf(f).info.GetMetadata()["errorId"] != detailsOf(a).info.GetMetadata()["errorId"] {
		t.Errorf("repeat %v, want the first answer %v (errorId included)", a.Details(), f.Details())
	}

	_, _, err := createWithKey(t, c, "flaky-1", &pb.CreateSessionRequest{Tokens: []string{"tok-visa"}})
	wantError(t, "token repository down", err, codes.Unavailable, "700900", "")
	failing.set(false)
	s, ts, err := createWithKey(t, c, "flaky-1", &pb.CreateSessionRequest{Tokens: []string{"tok-visa"}})
	if err != nil || ts != "" {
		t.Errorf("after a retryable failure the repeat runs as a first attempt: %v %v, timestamp %q", s, err, ts)
	}
}

// flakyTokens fails every lookup while fail is set; it knows no token.
type flakyTokens struct {
	mu   sync.Mutex
	fail bool
}

func (f *flakyTokens) set(fail bool) { f.mu.Lock(); f.fail = fail; f.mu.Unlock() }

func (f *flakyTokens) Tokens(context.Context, string, []string) ([]token.Token, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail {
		return nil, errors.New("token store down")
	}
	return nil, nil
}

// TestIdempotentRepeatWhileRunning: a repeat while the first attempt runs
// is AlreadyExists DUPLICATE_REQUEST (1409) at the key, with the first
// attempt's time; the first attempt still answers.
func TestIdempotentRepeatWhileRunning(t *testing.T) {
	t.Parallel()
	c, repo, _, _ := blockedServer(t)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	firstDone := make(chan error, 1)
	go func() {
		_, err := c.sessions.CreateSession(withKey(asMerchant(ctx, "1234"), "busy-1"), &pb.CreateSessionRequest{Tokens: []string{"tok-visa"}})
		firstDone <- err
	}()
	waitFor(t, repo.entered, 30*time.Second, "the first attempt to reach the token lookup")
	_, ts, err := createWithKey(t, c, "busy-1", &pb.CreateSessionRequest{})
	wantError(t, "repeat while running", err, codes.AlreadyExists, "1409", connectgrpc.IdempotenceKeyMetadata)
	if ts == "" {
		t.Error("repeat while running: no timestamp")
	}
	cancel()
	if err := waitFor(t, firstDone, 30*time.Second, "the first attempt to end"); status.Code(err) != codes.Canceled {
		t.Errorf("first attempt: %v, want Canceled", err)
	}
}

// TestIdempotenceAcrossTransports: one key is one key on one engine,
// whichever transport carries it. The answer kept is the wire's (HTTP
// status and Connect JSON body): a create over HTTP is replayed over gRPC
// as the same session, a create over gRPC is replayed over HTTP as the
// bytes the HTTP transport would have written, and a kept error keeps its
// errorId and property over both.
func TestIdempotenceAcrossTransports(t *testing.T) {
	t.Parallel()
	e := newEngine(t, engineConfig{})
	c := newClient(serve(t, e.engine, bearerAuth))
	h := benchHTTP(t, e.engine)
	key := func(k string) map[string]string { return map[string]string{connecthttp.IdempotenceKeyHeader: k} }

	t.Run("HTTP first, then gRPC", func(t *testing.T) {
		status, body := httpCall(t, h, http.MethodPost, "/v1/1234/sessions", `{"tokens":["tok-visa","nope"]}`, key("x-1"))
		if status != http.StatusOK {
			t.Fatalf("HTTP: %d %s", status, body)
		}
		got, ts, err := createWithKey(t, c, "x-1", &pb.CreateSessionRequest{})
		if err != nil || ts == "" {
			t.Fatalf("gRPC repeat: %v, timestamp %q", err, ts)
		}
		sameJSONBytes(t, "the HTTP answer over gRPC", mustProtoJSON(t, got), body)
	})
	t.Run("gRPC first, then HTTP", func(t *testing.T) {
		first, _, err := createWithKey(t, c, "x-2", &pb.CreateSessionRequest{Tokens: []string{"tok-visa"}})
		if err != nil {
			t.Fatal(err)
		}
		code, hdr, body := httpCallHeader(t, h, http.MethodPost, "/v1/1234/sessions", `{}`, key("x-2"))
		if code != http.StatusOK || hdr.Get(connecthttp.IdempotenceTimestampHeader) == "" {
			t.Fatalf("HTTP repeat: %d %s, timestamp %q", code, body, hdr.Get(connecthttp.IdempotenceTimestampHeader))
		}
		want := wire.CreateAnswer(session.CreateResponse{
			AssetURL: first.GetAssetUrl(), ClientAPIURL: first.GetClientApiUrl(), ClientSessionID: first.GetClientSessionId(),
			CustomerID: first.GetCustomerId(), Region: first.GetRegion(),
		}, nil)
		if string(body) != string(want.Body) {
			t.Errorf("HTTP repeat of a gRPC create:\n got %s\nwant %s", body, want.Body)
		}
	})
	t.Run("a kept error", func(t *testing.T) {
		code, body := httpCall(t, h, http.MethodPost, "/v1/1234/sessions", `{"tokens":["ok",""]}`, key("x-3"))
		if code != http.StatusBadRequest {
			t.Fatalf("HTTP: %d %s", code, body)
		}
		_, _, err := createWithKey(t, c, "x-3", &pb.CreateSessionRequest{})
		wantError(t, "gRPC repeat of an HTTP 400", err, codes.InvalidArgument, "700301", "tokens[1]")
		if id := detailsOf(status.Convert(err)).info.GetMetadata()["errorId"]; !strings.Contains(string(body), `"errorId":"`+id+`"`) {
			t.Errorf("errorId %q, not the kept answer's: %s", id, body)
		}
		_, _, first := createWithKey(t, c, "x-4", &pb.CreateSessionRequest{Tokens: []string{"ok", ""}})
		code, again := httpCall(t, h, http.MethodPost, "/v1/1234/sessions", `{}`, key("x-4"))
		id := detailsOf(status.Convert(first)).info.GetMetadata()["errorId"]
		if code != http.StatusBadRequest || !strings.Contains(string(again), `"errorId":"`+id+`"`) || !strings.Contains(string(again), `"propertyName":"tokens[1]"`) {
			t.Errorf("HTTP repeat of a gRPC InvalidArgument: %d %s, want errorId %s", code, again, id)
		}
	})
}

func mustProtoJSON(t *testing.T, m *pb.CreateSessionResponse) []byte {
	t.Helper()
	b, err := protojson.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

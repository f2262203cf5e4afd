package connecthttp_test

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/session"
	"github.com/clientsession/engine/transport/connecthttp"
	"github.com/clientsession/engine/wire"
	"github.com/clientsession/engine/wire/auth"
)

// serveReal serves the fixture's handler on a real listener with the given
// read and write timeouts, and returns its address.
func serveReal(t *testing.T, read, write time.Duration) string {
	t.Helper()
	h, err := connecthttp.New(newEngine(t), apiKeys)
	if err != nil {
		t.Fatal(err)
	}
	srv := connecthttp.NewServer("", h)
	srv.ReadTimeout, srv.WriteTimeout = read, write
	if err := connecthttp.CheckServer(srv); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String()
}

// signedHead is the head of a signed create-session request announcing a
// body of contentLength bytes.
func signedHead(contentLength int) string {
	date := time.Now().UTC().Format(http.TimeFormat)
	authorization := auth.Sign("testKeyId", []byte("testSecretApiKey"), auth.Request{
		Method: http.MethodPost, ContentType: "application/json", Date: date, Target: "/v1/1234/sessions",
	})
	return "POST /v1/1234/sessions HTTP/1.1\r\nHost: gateway.test\r\nContent-Type: application/json\r\n" +
		"Date: " + date + "\r\nAuthorization: " + authorization + "\r\nContent-Length: " + fmt.Sprint(contentLength) + "\r\n\r\n"
}

// readAnswer reads one HTTP answer from c.
func readAnswer(t *testing.T, c net.Conn) (*http.Response, []byte) {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("no answer before the connection closed: %v", err)
	}
	defer func() { _ = res.Body.Close() }()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, body
}

func wantJSONError(t *testing.T, res *http.Response, body []byte, status int, code sderrors.Code) {
	t.Helper()
	var er sderrors.ErrorResponse
	if res.StatusCode != status || res.Header.Get("Content-Type") != "application/json" || json.Unmarshal(body, &er) != nil ||
		er.ErrorID == "" || len(er.Errors) != 1 || er.Errors[0].Code != string(code) || er.Errors[0].HTTPStatusCode != status {
		t.Fatalf("answer %d %s %q, want a JSON %d with code %s and an errorId", res.StatusCode, res.Header.Get("Content-Type"), body, status, code)
	}
}

// TestSlowBodyGets408: a body that stops arriving gets a JSON 408 before
// the connection closes, because the write timeout outlasts the read one.
func TestSlowBodyGets408(t *testing.T) {
	addr := serveReal(t, 300*time.Millisecond, 3*time.Second)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.Close() }()
	if _, err := io.WriteString(c, signedHead(100)+`{"tokens":`); err != nil {
		t.Fatal(err)
	}
	// ... and nothing more.
	res, body := readAnswer(t, c)
	wantJSONError(t, res, body, http.StatusRequestTimeout, sderrors.ErrRequestTimeout.Code())
}

// TestTruncatedBodyGets400: a body shorter than its Content-Length (the
// client stopped sending) gets a JSON 400 on the half-closed connection.
func TestTruncatedBodyGets400(t *testing.T) {
	addr := serveReal(t, 5*time.Second, 10*time.Second)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.Close() }()
	if _, err := io.WriteString(c, signedHead(100)+`{"tokens":`); err != nil {
		t.Fatal(err)
	}
	tcp, ok := c.(*net.TCPConn)
	if !ok {
		t.Fatalf("%T is not TCP", c)
	}
	if err := tcp.CloseWrite(); err != nil {
		t.Fatal(err)
	}
	res, body := readAnswer(t, c)
	wantJSONError(t, res, body, http.StatusBadRequest, sderrors.ErrInvalidJSON.Code())
}

func TestCheckServer(t *testing.T) {
	good := func() *http.Server { return connecthttp.NewServer(":0", http.NotFoundHandler()) }
	if err := connecthttp.CheckServer(good()); err != nil {
		t.Fatalf("CheckServer(NewServer) = %v", err)
	}
	if s := good(); s.ReadTimeout >= s.WriteTimeout || s.MaxHeaderBytes <= connecthttp.DefaultMaxHeaderBytes {
		t.Errorf("NewServer: read %v write %v header bytes %d; want read < write and more header bytes than the handler's limit",
			s.ReadTimeout, s.WriteTimeout, s.MaxHeaderBytes)
	}
	for name, change := range map[string]func(*http.Server){
		"equal read and write timeouts": func(s *http.Server) { s.WriteTimeout = s.ReadTimeout },
		"read longer than write":        func(s *http.Server) { s.ReadTimeout = 2 * s.WriteTimeout },
		"no read timeout":               func(s *http.Server) { s.ReadTimeout = 0 },
		"no read header timeout":        func(s *http.Server) { s.ReadHeaderTimeout = 0 },
		"no write timeout":              func(s *http.Server) { s.WriteTimeout = 0 },
		"no header limit":               func(s *http.Server) { s.MaxHeaderBytes = 0 },
	} {
		s := good()
		change(s)
		if err := connecthttp.CheckServer(s); !errors.Is(err, sderrors.ErrInvalidConfiguration) {
			t.Errorf("%s: CheckServer = %v, want ErrInvalidConfiguration", name, err)
		}
	}
}

// TestBodyLimitIsTheTransports: WithMaxBodyBytes is the one limit of a
// body's size, on the transport: set to 1 MiB, a create of 100 KiB (padded
// with JSON white space) creates a session, because the engine decodes the
// bytes it is given; one byte over 1 MiB is a 400 BODY_TOO_LARGE. At the
// default (wire.DefaultMaxRequestBytes, 64 KiB) the same 100 KiB create is
// refused, and a body of exactly 64 KiB is not.
func TestBodyLimitIsTheTransports(t *testing.T) {
	padded := func(n int) string {
		return `{"tokens":["` + strings.Repeat("t", 32) + `"]}` + strings.Repeat(" ", n-47)
	}
	if got := len(padded(100 << 10)); got != 100<<10 {
		t.Fatalf("padded body of %d bytes, want %d", got, 100<<10)
	}
	created := func(g *gateway, n int) {
		t.Helper()
		r := g.Server(http.MethodPost, "/v1/1234/sessions", padded(n), defaultSigner)
		var s wire.SessionResponse
		if r.Status != http.StatusOK {
			t.Fatalf("a create of %d bytes: status %d, %s; want 200", n, r.Status, r.Body)
		}
		r.JSON(t, &s)
		if s.ClientSessionID == "" || len(s.InvalidTokens) != 1 {
			t.Errorf("a create of %d bytes: %s; want a session with the one unknown token invalid", n, r.Body)
		}
	}
	big := newGateway(t, connecthttp.WithMaxBodyBytes(1<<20))
	created(big, 100<<10)
	created(big, 1<<20)
	r := big.Server(http.MethodPost, "/v1/1234/sessions", padded(1<<20+1), defaultSigner)
	r.WantError(t, http.StatusBadRequest, sderrors.ErrBodyTooLarge.Code(), "")
	if !strings.Contains(string(r.Body), "1024 KiB") {
		t.Errorf("body limit message = %s, want the limit", r.Body)
	}

	def := newGateway(t)
	created(def, wire.DefaultMaxRequestBytes)
	def.Server(http.MethodPost, "/v1/1234/sessions", padded(100<<10), defaultSigner).
		WantError(t, http.StatusBadRequest, sderrors.ErrBodyTooLarge.Code(), "")
}

// TestLimits: bodies and headers over the handler's limits are JSON 400s.
func TestLimits(t *testing.T) {
	g := newGateway(t, connecthttp.WithMaxBodyBytes(2048), connecthttp.WithMaxHeaderBytes(4096))
	r := g.Server(http.MethodPost, "/v1/1234/sessions", `{"tokens":["`+strings.Repeat("a", 2048)+`"]}`, defaultSigner)
	r.WantError(t, http.StatusBadRequest, sderrors.ErrBodyTooLarge.Code(), "")
	if !strings.Contains(string(r.Body), "2 KiB") {
		t.Errorf("body limit message = %s, want the limit", r.Body)
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, g.URL+"/client/v1/c/products", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Padding", strings.Repeat("p", 4096))
	g.Do(req).WantError(t, http.StatusBadRequest, sderrors.ErrInvalidValue.Code(), "")
	for name, o := range map[string]connecthttp.Option{
		"tiny body limit":   connecthttp.WithMaxBodyBytes(10),
		"tiny header limit": connecthttp.WithMaxHeaderBytes(10),
		"bad origin":        connecthttp.WithAllowedOrigins("https://shop.example/"),
		"origin with path":  connecthttp.WithAllowedOrigins("https://shop.example/x"),
		"not an origin":     connecthttp.WithAllowedOrigins("*"),
		"bad verifier":      connecthttp.WithVerifierOptions(auth.WithClockSkew(0)),
		"nil option":        nil,
	} {
		if _, err := connecthttp.New(newEngine(t), apiKeys, o); !errors.Is(err, sderrors.ErrInvalidConfiguration) {
			t.Errorf("%s: New = %v, want ErrInvalidConfiguration", name, err)
		}
	}
	if _, err := connecthttp.New(nil, apiKeys); !errors.Is(err, sderrors.ErrInvalidConfiguration) {
		t.Errorf("New(nil engine) = %v", err)
	}
	if _, err := connecthttp.New(newEngine(t), nil); !errors.Is(err, sderrors.ErrInvalidConfiguration) {
		t.Errorf("New(nil keys) = %v", err)
	}
	// Every problem at once.
	_, err = connecthttp.New(nil, nil, connecthttp.WithMaxBodyBytes(1), connecthttp.WithAllowedOrigins("x"))
	for _, p := range []string{"engine", "keys", "maxBodyBytes", "origins[0]"} {
		if err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("New with four problems = %v, want one naming %s", err, p)
		}
	}
}

// TestVerifierUsesTheEnginesClock: one clock per gateway. The v1HMAC
// verifier dates requests with the engine's clock (session.WithClock), so
// a request dated by that clock, a day from the machine's, is accepted;
// an auth.WithClock among WithVerifierOptions replaces it.
func TestVerifierUsesTheEnginesClock(t *testing.T) {
	then := time.Now().Add(-24 * time.Hour).Truncate(time.Second)
	engine := newEngine(t, session.WithClock(func() time.Time { return then }))
	signer := defaultSigner
	signer.Date = then

	h, err := connecthttp.New(engine, apiKeys)
	if err != nil {
		t.Fatal(err)
	}
	if r := newGatewayOver(t, h).Server(http.MethodPost, "/v1/1234/sessions", `{}`, signer); r.Status != http.StatusOK {
		t.Errorf("a request dated by the engine's clock: %d %s; want 200", r.Status, r.Body)
	}
	h, err = connecthttp.New(engine, apiKeys, connecthttp.WithVerifierOptions(auth.WithClock(time.Now)))
	if err != nil {
		t.Fatal(err)
	}
	newGatewayOver(t, h).Server(http.MethodPost, "/v1/1234/sessions", `{}`, signer).
		WantError(t, http.StatusUnauthorized, sderrors.ErrUnauthorized.Code(), "")
}

package connecthttp_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/transport/connecthttp"
	"github.com/clientsession/engine/transport/connecthttp/connecttest"
	"github.com/clientsession/engine/wire/auth"
)

func TestIsJSONContentType(t *testing.T) {
	for v, want := range map[string]bool{
		"application/json":                  true,
		"application/json; charset=utf-8":   true,
		"Application/JSON;charset=UTF-8":    true,
		" application/json ; charset=utf-8": true,
		"":                                  false,
		"text/plain":                        false,
		"text/plain; charset=utf-8":         false,
		"application/x-www-form-urlencoded": false,
		"application/jsonx":                 false,
		"application/problem+json":          false,
		"multipart/form-data; boundary=x":   false,
	} {
		if got := connecthttp.IsJSONContentType(v); got != want {
			t.Errorf("IsJSONContentType(%q) = %v, want %v", v, got, want)
		}
	}
}

// TestPOSTBodiesMustBeJSON: a create, a decrypt or a getIINdetails whose
// body is not sent as application/json is a 415 UNSUPPORTED_MEDIA_TYPE at
// Content-Type, after authentication (an unsigned call is still the 401),
// before the create limiter or the idempotence key: a refused create is
// neither charged nor kept, so the same key then runs.
func TestPOSTBodiesMustBeJSON(t *testing.T) {
	b := &budget{left: map[string]int{"1234": 1}}
	g := newGateway(t, connecthttp.WithCreateLimiter(b))
	plain := defaultSigner
	plain.ContentType = "text/plain"
	idem := plain
	idem.Header = http.Header{connecthttp.IdempotenceKeyHeader: {"k-415"}}
	for _, s := range []connecttest.Signer{plain, idem} {
		r := g.Server(http.MethodPost, "/v1/1234/sessions", `{}`, s)
		r.WantError(t, http.StatusUnsupportedMediaType, sderrors.ErrUnsupportedMediaType.Code(), "Content-Type")
		if r.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Error("a Server API answer has CORS headers")
		}
	}
	if len(b.seen) != 0 {
		t.Errorf("the limiter was asked %d times for refused bodies, want 0", len(b.seen))
	}
	// The key was not kept: the same key as JSON runs (charged once) and answers 200.
	idem.ContentType = ""
	if r := g.Server(http.MethodPost, "/v1/1234/sessions", `{}`, idem); r.Status != http.StatusOK || r.Header.Get(connecthttp.IdempotenceTimestampHeader) != "" {
		t.Fatalf("the key after a 415: %d %s, timestamp %q; want a first attempt", r.Status, r.Body, r.Header.Get(connecthttp.IdempotenceTimestampHeader))
	}
	if len(b.seen) != 1 {
		t.Errorf("the limiter was asked %d times, want once", len(b.seen))
	}
	b.left["1234"] = 10
	// Parameters and case are accepted.
	charset := defaultSigner
	charset.ContentType = "Application/JSON; charset=UTF-8"
	if r := g.Server(http.MethodPost, "/v1/1234/sessions", `{}`, charset); r.Status != http.StatusOK {
		t.Errorf("create with %q: %d %s", charset.ContentType, r.Status, r.Body)
	}
	// No Content-Type at all (signed as such).
	none, err := http.NewRequestWithContext(t.Context(), http.MethodPost, g.URL+"/v1/1234/sessions", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	none.Header.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	none.Header.Set("Authorization", auth.Sign(defaultSigner.KeyID, []byte(defaultSigner.Secret),
		auth.Request{Method: http.MethodPost, Date: none.Header.Get("Date"), Target: "/v1/1234/sessions"}))
	g.Do(none).WantError(t, http.StatusUnsupportedMediaType, sderrors.ErrUnsupportedMediaType.Code(), "Content-Type")
	// Unsigned: the 401 comes first.
	unsigned := plain
	unsigned.Secret = "wrong"
	g.Server(http.MethodPost, "/v1/1234/sessions", `{}`, unsigned).WantError(t, http.StatusUnauthorized, sderrors.ErrUnauthorized.Code(), "")

	s := g.create(`{}`)
	target := connecttest.DecryptTarget("1234", s.ClientSessionID)
	g.Server(http.MethodPost, target, connecttest.DecryptBody("x.y.z.a.b"), plain).
		WantError(t, http.StatusUnsupportedMediaType, sderrors.ErrUnsupportedMediaType.Code(), "Content-Type")

	// getIINdetails: the client SDK sends application/json; text/plain is a 415 with the CORS headers.
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, g.URL+"/client/v1/"+s.CustomerID+"/services/getIINdetails", strings.NewReader(iinBody("41111111")))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "GCS v1Client:"+s.ClientSessionID)
	req.Header.Set("Content-Type", "text/plain;charset=UTF-8") // what fetch sends for a string body without a Content-Type
	req.Header.Set("Origin", "https://shop.example")
	r := g.Do(req)
	r.WantError(t, http.StatusUnsupportedMediaType, sderrors.ErrUnsupportedMediaType.Code(), "Content-Type")
	if r.Header.Get("Access-Control-Allow-Origin") == "" {
		t.Error("the Client API's 415 has no Access-Control-Allow-Origin")
	}
	if r := g.ClientPost(s.CustomerID, s.ClientSessionID, "services/getIINdetails", iinBody("41111111")); r.Status != http.StatusOK {
		t.Errorf("getIINdetails as the SDK sends it: %d %s", r.Status, r.Body)
	}
}

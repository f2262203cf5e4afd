package connecthttp_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/filter"
	"github.com/clientsession/engine/transport/connecthttp"
	"github.com/clientsession/engine/transport/connecthttp/connecttest"
	"github.com/clientsession/engine/wire"
	"github.com/clientsession/engine/wire/auth"
)

// TestAnswersAreEncodingJSONsBytes: every Client API answer and the create
// answer, as served, are byte for byte json.Marshal of the wire package's
// value for the engine's result.
func TestAnswersAreEncodingJSONsBytes(t *testing.T) {
	e := newEngine(t)
	h, err := connecthttp.New(e, apiKeys)
	if err != nil {
		t.Fatal(err)
	}
	g := newGatewayOver(t, h)
	r := g.Server(http.MethodPost, "/v1/1234/sessions", `{"tokens":["tok-visa","tok-mc","tok-expired","nope"],"paymentProductFilters":{"exclude":{"products":[2]}}}`, defaultSigner)
	var created wire.SessionResponse
	r.JSON(t, &created)
	if want, _ := json.Marshal(created); !bytes.Equal(r.Body, want) || len(created.InvalidTokens) != 2 {
		t.Errorf("create:\n got %s\nwant %s with 2 invalid tokens", r.Body, want)
	}
	s, err := e.Authenticate(t.Context(), created.CustomerID, created.ClientSessionID)
	if err != nil {
		t.Fatal(err)
	}
	pc := filter.Context{CountryCode: "NL", CurrencyCode: "EUR", Amount: 1000}
	products, err := e.Products(t.Context(), s, pc)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := e.PublicKey(s)
	if err != nil {
		t.Fatal(err)
	}
	for _, hide := range []bool{false, true} {
		q := nlEUR
		if hide {
			q += "&hide=fields"
		}
		cards, err := wire.NewPaymentProductGroup(products, "cards", !hide)
		if err != nil {
			t.Fatal(err)
		}
		calls := map[string]any{
			"products":            wire.NewPaymentProducts(products, !hide),
			"productgroups":       wire.NewPaymentProductGroups(products, !hide),
			"productgroups/cards": cards,
		}
		for _, p := range products {
			calls["products/"+strconv.Itoa(int(p.ID))] = wire.NewPaymentProduct(p, !hide)
		}
		for rest, v := range calls {
			want, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			if r := g.Client(created.CustomerID, created.ClientSessionID, rest+q); r.Status != http.StatusOK || !bytes.Equal(r.Body, want) {
				t.Errorf("%s, hide fields %v: %d\n got %s\nwant %s", rest, hide, r.Status, r.Body, want)
			}
		}
	}
	want, _ := json.Marshal(wire.NewPublicKey(pub))
	if r := g.Client(created.CustomerID, created.ClientSessionID, "crypto/publickey"); !bytes.Equal(r.Body, want) {
		t.Errorf("public key:\n got %s\nwant %s", r.Body, want)
	}
	d, err := e.IINDetails(t.Context(), s, "41111111", pc)
	if err != nil {
		t.Fatal(err)
	}
	want, _ = json.Marshal(wire.NewIINDetailsResponse(d))
	if r := g.ClientPost(created.CustomerID, created.ClientSessionID, iinPath, iinBody("41111111")); !bytes.Equal(r.Body, want) {
		t.Errorf("IIN details:\n got %s\nwant %s", r.Body, want)
	}
	// An error: the same members in the same order as encoding/json's.
	r = g.Client(created.CustomerID, created.ClientSessionID, "products/2"+nlEUR)
	var er sderrors.ErrorResponse
	r.JSON(t, &er)
	if want, _ := json.Marshal(er); !bytes.Equal(r.Body, want) {
		t.Errorf("error:\n got %s\nwant %s", r.Body, want)
	}
}

// TestEveryAnswerHasContentLength: success and error answers alike are
// sent with Content-Length, never chunked, the large products list
// included; the 204s have no body.
func TestEveryAnswerHasContentLength(t *testing.T) {
	g := newGateway(t)
	idem := defaultSigner
	idem.Header = http.Header{connecthttp.IdempotenceKeyHeader: {"order-1"}}
	s := g.create(`{"tokens":["tok-visa","tok-mc"]}`)
	client := func(method, rest, body string) *http.Request {
		req, err := http.NewRequestWithContext(t.Context(), method, g.URL+"/client/v1/"+s.CustomerID+"/"+rest, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", auth.ClientAuthorization(s.ClientSessionID))
		return req
	}
	raw := func(method, target string) *http.Request {
		req, err := http.NewRequestWithContext(t.Context(), method, g.URL+target, nil)
		if err != nil {
			t.Fatal(err)
		}
		return req
	}
	for name, req := range map[string]*http.Request{
		"products":           client(http.MethodGet, "products"+nlEUR, ""),
		"products, no query": client(http.MethodGet, "products", ""),
		"product":            client(http.MethodGet, "products/1"+nlEUR, ""),
		"unknown product":    client(http.MethodGet, "products/2000"+nlEUR, ""),
		"groups":             client(http.MethodGet, "productgroups"+nlEUR, ""),
		"group":              client(http.MethodGet, "productgroups/cards"+nlEUR, ""),
		"public key":         client(http.MethodGet, "crypto/publickey", ""),
		"iin":                client(http.MethodPost, iinPath, iinBody("41111111")),
		"iin, bad body":      client(http.MethodPost, iinPath, "{"),
		"not served":         client(http.MethodGet, "services/privacypolicy", ""),
		"unknown path":       raw(http.MethodGet, "/nowhere"),
		"method not allowed": raw(http.MethodPut, "/v1/1234/sessions"),
		"unsigned create":    raw(http.MethodPost, "/v1/1234/sessions"),
	} {
		res, err := g.HTTP.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		body, err := io.ReadAll(res.Body)
		_ = res.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		checkContentLength(t, name, res, body)
	}
	for name, r := range map[string]connecttest.Response{
		"create":                g.Server(http.MethodPost, "/v1/1234/sessions", `{"tokens":["tok-visa"]}`, defaultSigner),
		"create, bad body":      g.Server(http.MethodPost, "/v1/1234/sessions", `{"tokens":[1]}`, defaultSigner),
		"idempotent create":     g.Server(http.MethodPost, "/v1/1234/sessions", `{}`, idem),
		"idempotent replay":     g.Server(http.MethodPost, "/v1/1234/sessions", `{}`, idem),
		"explain (reflection)":  g.Server(http.MethodGet, "/v1/1234/sessions/"+s.ClientSessionID+"/explain"+nlEUR, "", defaultSigner),
		"revoke of an unknown ": g.Server(http.MethodDelete, "/v1/1234/sessions/"+strings.Repeat("0", 32), "", defaultSigner),
	} {
		if r.Status == http.StatusOK && name == "create, bad body" {
			t.Errorf("%s: 200", name)
		}
		if got := r.Header.Get("Content-Length"); got != strconv.Itoa(len(r.Body)) {
			t.Errorf("%s: Content-Length %q, body of %d bytes", name, got, len(r.Body))
		}
	}
}

func checkContentLength(t *testing.T, name string, res *http.Response, body []byte) {
	t.Helper()
	if res.ContentLength != int64(len(body)) || len(res.TransferEncoding) > 0 || len(body) == 0 {
		t.Errorf("%s: status %d, Content-Length %d, Transfer-Encoding %v, body of %d bytes; want the body's length, not chunked",
			name, res.StatusCode, res.ContentLength, res.TransferEncoding, len(body))
	}
}

// TestWriteErrorSetsContentLength: the exported WriteError, used by
// gateways outside the handler, sends its length and no-store too.
func TestWriteErrorSetsContentLength(t *testing.T) {
	w := httptest.NewRecorder()
	connecthttp.WriteError(w, sderrors.ErrUnknownResource)
	res := w.Result()
	body := w.Body.Bytes()
	if res.Header.Get("Content-Length") != strconv.Itoa(len(body)) || res.Header.Get("Cache-Control") != "no-store" ||
		res.Header.Get("Content-Type") != "application/json" || res.StatusCode != http.StatusNotFound {
		t.Errorf("WriteError: %d %v %s", res.StatusCode, res.Header, body)
	}
}

// TestBodyLimitWhateverTheLength: the body limit holds for a body of
// unknown length (chunked) and one that says less than it sends, and a
// body of exactly the limit is read whole.
func TestBodyLimitWhateverTheLength(t *testing.T) {
	const limit = 2048
	e := newEngine(t)
	h, err := connecthttp.New(e, apiKeys, connecthttp.WithMaxBodyBytes(limit))
	if err != nil {
		t.Fatal(err)
	}
	g := newGatewayOver(t, h)
	body := `{"tokens":["tok-visa"]}`
	atLimit := body + strings.Repeat(" ", limit-len(body))
	if r := g.Server(http.MethodPost, "/v1/1234/sessions", atLimit, defaultSigner); r.Status != http.StatusOK {
		t.Errorf("a body of exactly the limit: %d %s", r.Status, r.Body)
	}

	// Chunked: the length is not known before the body is read.
	over := atLimit + " "
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, g.URL+"/v1/1234/sessions",
		io.MultiReader(strings.NewReader(over))) // not a *strings.Reader: sent chunked
	if err != nil {
		t.Fatal(err)
	}
	req = signNow(t, req)
	if req.ContentLength > 0 {
		t.Fatal("the request has a length; it must be sent chunked")
	}
	g.Do(req).WantError(t, http.StatusBadRequest, sderrors.ErrBodyTooLarge.Code(), "")

	// Handed to the handler with a Content-Length below the body's.
	req = signNow(t, httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/v1/1234/sessions", strings.NewReader(over)))
	req.ContentLength = 10
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	(connecttest.Response{Status: w.Code, Header: w.Header(), Body: w.Body.Bytes()}).
		WantError(t, http.StatusBadRequest, sderrors.ErrBodyTooLarge.Code(), "")
}

// signNow signs req as merchant 1234's Server API call, dated now.
func signNow(t *testing.T, req *http.Request) *http.Request {
	t.Helper()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	target := req.URL.RequestURI()
	req.Header.Set("Authorization", auth.Sign(defaultSigner.KeyID, []byte(defaultSigner.Secret), auth.Request{
		Method: req.Method, ContentType: "application/json", Date: req.Header.Get("Date"), Header: req.Header, Target: target,
	}))
	return req
}

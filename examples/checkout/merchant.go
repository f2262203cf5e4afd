package main

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/clientsession/engine/wire"
	"github.com/clientsession/engine/wire/auth"
)

// webFiles are the checkout page, its script and its style.
//
//go:embed web/index.html web/checkout.js web/style.css
var webFiles embed.FS

// paymentContext is what the page passes to the client SDK's calls, in
// the SDK's own shape.
type paymentContext struct {
	CountryCode string `json:"countryCode"`
	Currency    string `json:"currency"`
	TotalAmount int64  `json:"totalAmount"`
	IsRecurring bool   `json:"isRecurring"`
}

// merchant is the merchant's backend: it serves the checkout page, creates
// a client session per visit through the gateway's Server API, and opens
// the page's encrypted card data through the gateway's decrypt extension.
// It holds the API key; the browser only ever sees the session.
type merchant struct {
	gatewayURL string // the gateway's origin, for Server API calls
	merchantID string
	keyID      string
	secret     []byte
	createBody string // the session request: the merchant's filters
	context    paymentContext
	sdk        []byte // the official client SDK bundle, from npm
	client     *http.Client

	mu       sync.Mutex
	sessions map[string]bool // created here, not paid yet
}

// maxAPIBody bounds the page's calls to the backend.
const maxAPIBody = 64 << 10

// loadSDK reads the client SDK bundle that `npm ci` installed in web/.
func loadSDK(path string) ([]byte, error) {
	b, err := os.ReadFile(path) //nolint:gosec // the operator names the file
	if err != nil {
		return nil, fmt.Errorf("client SDK bundle: %w (run `npm ci` in examples/checkout/web)", err)
	}
	return b, nil
}

func (m *merchant) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", m.file("web/index.html", "text/html; charset=utf-8"))
	mux.HandleFunc("GET /checkout.js", m.file("web/checkout.js", "text/javascript; charset=utf-8"))
	mux.HandleFunc("GET /style.css", m.file("web/style.css", "text/css; charset=utf-8"))
	mux.HandleFunc("GET /sdk/connect-sdk-client-js.js", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		_, _ = w.Write(m.sdk)
	})
	mux.HandleFunc("POST /api/session", m.createSession)
	mux.HandleFunc("POST /api/pay", m.pay)
	return m.secured(mux)
}

// secured adds the page's security headers: nothing is loaded from
// anywhere but this origin, except the Client API calls and logos of the
// gateway.
func (m *merchant) secured(next http.Handler) http.Handler {
	csp := "default-src 'self'; connect-src 'self' " + m.gatewayURL + "; img-src 'self' " + m.gatewayURL +
		"; script-src 'self'; style-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

func (m *merchant) file(name, contentType string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		b, err := webFiles.ReadFile(name)
		if err != nil {
			http.Error(w, "not found", http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", contentType)
		_, _ = w.Write(b)
	}
}

// sessionAnswer is what the page gets: the session for the client SDK's
// Session constructor and the payment context of the order.
type sessionAnswer struct {
	Session        clientSession  `json:"session"`
	PaymentContext paymentContext `json:"paymentContext"`
}

// clientSession is the part of the create answer the browser needs;
// invalidTokens stays on the server.
type clientSession struct {
	ClientSessionID string `json:"clientSessionId"`
	CustomerID      string `json:"customerId"`
	ClientAPIURL    string `json:"clientApiUrl"`
	AssetURL        string `json:"assetUrl"`
}

// createSession is POST /api/session: a fresh client session for this
// checkout, created with the merchant's filters.
func (m *merchant) createSession(w http.ResponseWriter, r *http.Request) {
	var s wire.SessionResponse
	if err := m.serverCall(r.Context(), http.MethodPost, "/v1/"+m.merchantID+"/sessions", []byte(m.createBody), &s); err != nil {
		apiError(w, http.StatusBadGateway, "the payment service did not create a session: "+err.Error())
		return
	}
	m.mu.Lock()
	m.sessions[s.ClientSessionID] = true
	m.mu.Unlock()
	writeJSON(w, http.StatusOK, sessionAnswer{
		Session: clientSession{
			ClientSessionID: s.ClientSessionID, CustomerID: s.CustomerID, ClientAPIURL: s.ClientAPIURL, AssetURL: s.AssetURL,
		},
		PaymentContext: m.context,
	})
}

// payRequest is the page's POST /api/pay body.
type payRequest struct {
	ClientSessionID        string `json:"clientSessionId"`
	EncryptedCustomerInput string `json:"encryptedCustomerInput"`
}

// Confirmation is the masked summary the page shows after paying.
type Confirmation struct {
	PaymentProductID int32  `json:"paymentProductId"`
	CardNumber       string `json:"cardNumber"` // masked by the gateway
	ExpiryDate       string `json:"expiryDate"` // MMYY
	CardholderName   string `json:"cardholderName"`
	Amount           int64  `json:"amount"`
	Currency         string `json:"currency"`
}

// pay is POST /api/pay: the gateway opens the encrypted card data of one of
// this backend's sessions (once) and answers it masked; a real merchant
// would now create the payment with it.
func (m *merchant) pay(w http.ResponseWriter, r *http.Request) {
	var req payRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxAPIBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil || req.EncryptedCustomerInput == "" {
		apiError(w, http.StatusBadRequest, "expected {clientSessionId, encryptedCustomerInput}")
		return
	}
	m.mu.Lock()
	ok := m.sessions[req.ClientSessionID]
	delete(m.sessions, req.ClientSessionID)
	m.mu.Unlock()
	if !ok {
		apiError(w, http.StatusBadRequest, "not a checkout session of this shop, or already paid")
		return
	}
	body, _ := json.Marshal(wire.DecryptRequest{EncryptedCustomerInput: req.EncryptedCustomerInput}) //nolint:errchkjson // strings only
	var d wire.DecryptResponse
	if err := m.serverCall(r.Context(), http.MethodPost, "/v1/"+m.merchantID+"/sessions/"+req.ClientSessionID+"/decrypt", body, &d); err != nil {
		apiError(w, http.StatusBadGateway, "the payment service could not open the card data: "+err.Error())
		return
	}
	c := Confirmation{PaymentProductID: d.PaymentProductID, Amount: m.context.TotalAmount, Currency: m.context.Currency}
	for _, v := range d.PaymentValues {
		switch v.Key {
		case "cardNumber":
			c.CardNumber = v.Value
		case "expiryDate":
			c.ExpiryDate = v.Value
		case "cardholderName":
			c.CardholderName = v.Value
		}
	}
	writeJSON(w, http.StatusOK, c)
}

// gatewayError is a non-2xx Server API answer, summarised without its body
// beyond the first error's id and message.
type gatewayError struct {
	Status int
	ID     string
	Msg    string
}

func (e *gatewayError) Error() string {
	return fmt.Sprintf("%d %s: %s", e.Status, e.ID, e.Msg)
}

// serverCall sends a v1HMAC-signed Server API call to the gateway, as the
// Connect server SDKs do, and decodes a 2xx answer into out.
func (m *merchant) serverCall(ctx context.Context, method, path string, body []byte, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, m.gatewayURL+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	const contentType = "application/json"
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	req.Header.Set("Authorization", auth.Sign(m.keyID, m.secret, auth.Request{
		Method: method, ContentType: contentType, Date: req.Header.Get("Date"), Header: req.Header, Target: path,
	}))
	res, err := m.client.Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = res.Body.Close() }()
	raw, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return err
	}
	if res.StatusCode/100 != 2 {
		var e struct {
			Errors []struct {
				ID      string `json:"id"`
				Message string `json:"message"`
			} `json:"errors"`
		}
		ge := &gatewayError{Status: res.StatusCode}
		if json.Unmarshal(raw, &e) == nil && len(e.Errors) > 0 {
			ge.ID, ge.Msg = e.Errors[0].ID, e.Errors[0].Message
		}
		return ge
	}
	if out == nil || len(raw) == 0 {
		return nil
	}
	return json.Unmarshal(raw, out)
}

// revoke ends a session at the gateway (DELETE .../sessions/{id}).
func (m *merchant) revoke(ctx context.Context, clientSessionID string) error {
	return m.serverCall(ctx, http.MethodDelete, "/v1/"+m.merchantID+"/sessions/"+clientSessionID, nil, nil)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":"internal error"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func apiError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// Package connecttest calls a Connect client-session gateway from tests the
// way the official SDKs do: Server API calls signed with v1HMAC as the Node
// server SDK signs them, Client API calls with the v1Client header and the
// client SDK's headers, and encrypted customer input sealed as the
// JavaScript client SDK seals it (compact JWE, RSA-OAEP, A256CBC-HS512).
// It is for tests of gateways built on transport/connecthttp; nothing in
// it is fit for production use.
package connecttest

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/wire"
	"github.com/clientsession/engine/wire/auth"
)

// Signer is the API key a Server API call is signed with, and its Date
// (the zero Date means now).
type Signer struct {
	KeyID, Secret string
	Date          time.Time
	// Header holds extra request headers, e.g. X-GCS-Idempotence-Key;
	// the X-GCS ones are signed, as the SDKs sign them.
	Header http.Header
	// ContentType is the Content-Type sent and signed; "" means
	// application/json, as the SDKs send it.
	ContentType string
}

// Gateway calls the gateway at URL (scheme://host:port, no trailing
// slash) with HTTP, e.g. an httptest.Server's URL and Client().
type Gateway struct {
	T    testing.TB
	URL  string
	HTTP *http.Client
}

// Response is a gateway's answer, read whole.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v, failing the test when it is not JSON.
func (r Response) JSON(tb testing.TB, v any) {
	tb.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		tb.Fatalf("body %q: %v", r.Body, err)
	}
}

// WantError checks that r is an ErrorResponse with the given status, and
// that its first error has that status, code and propertyName; that it is
// JSON; and that it has an errorId.
func (r Response) WantError(tb testing.TB, status int, code sderrors.Code, property string) {
	tb.Helper()
	if r.Status != status {
		tb.Fatalf("status = %d, want %d; body %s", r.Status, status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		tb.Errorf("Content-Type = %q, want application/json", ct)
	}
	var er sderrors.ErrorResponse
	r.JSON(tb, &er)
	if len(er.Errors) == 0 || er.ErrorID == "" {
		tb.Fatalf("ErrorResponse = %s, want errorId and one error", r.Body)
	}
	e := er.Errors[0]
	if e.Code != string(code) || e.PropertyName != property || e.HTTPStatusCode != status {
		tb.Errorf("error = code %s property %q status %d, want code %s property %q status %d",
			e.Code, e.PropertyName, e.HTTPStatusCode, code, property, status)
	}
}

// Do sends req and reads the answer.
func (g *Gateway) Do(req *http.Request) Response {
	g.T.Helper()
	c := g.HTTP
	if c == nil {
		c = http.DefaultClient
	}
	res, err := c.Do(req)
	if err != nil {
		g.T.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer func() { _ = res.Body.Close() }()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		g.T.Fatal(err)
	}
	return Response{Status: res.StatusCode, Header: res.Header, Body: body}
}

// Server sends a Server API call to target (path and query, as sent),
// signed as connect-sdk-nodejs signs: Content-Type application/json (or
// s.ContentType), Date, X-GCS-ServerMetaInfo.
func (g *Gateway) Server(method, target, body string, s Signer) Response {
	g.T.Helper()
	req, err := http.NewRequestWithContext(g.T.Context(), method, g.URL+target, strings.NewReader(body))
	if err != nil {
		g.T.Fatal(err)
	}
	if s.Date.IsZero() {
		s.Date = time.Now()
	}
	if s.ContentType == "" {
		s.ContentType = "application/json"
	}
	req.Header.Set("Content-Type", s.ContentType)
	req.Header.Set("Date", s.Date.UTC().Format(http.TimeFormat))
	req.Header.Set("X-GCS-ServerMetaInfo", "eyJzZGtDcmVhdG9yIjoidGVzdCJ9")
	for k, vs := range s.Header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	req.Header.Set("Authorization", auth.Sign(s.KeyID, []byte(s.Secret), auth.Request{
		Method: method, ContentType: s.ContentType, Date: req.Header.Get("Date"), Header: req.Header, Target: target,
	}))
	return g.Do(req)
}

// Create creates a session of merchantID with body, failing the test
// unless the answer is 200.
func (g *Gateway) Create(merchantID, body string, s Signer) wire.SessionResponse {
	g.T.Helper()
	r := g.Server(http.MethodPost, "/v1/"+merchantID+"/sessions", body, s)
	if r.Status != http.StatusOK {
		g.T.Fatalf("create %s: status %d, body %s", body, r.Status, r.Body)
	}
	var out wire.SessionResponse
	r.JSON(g.T, &out)
	return out
}

// Client sends a Client API GET of /client/v1/{customerID}/{rest} in
// session sessionID ("" sends no Authorization), with the headers the
// client SDK sends.
func (g *Gateway) Client(customerID, sessionID, rest string) Response {
	g.T.Helper()
	return g.clientCall(http.MethodGet, customerID, sessionID, rest, nil)
}

// ClientPost sends a Client API POST of body to
// /client/v1/{customerID}/{rest} in session sessionID, as the client SDK
// sends getIINdetails.
func (g *Gateway) ClientPost(customerID, sessionID, rest, body string) Response {
	g.T.Helper()
	return g.clientCall(http.MethodPost, customerID, sessionID, rest, strings.NewReader(body))
}

func (g *Gateway) clientCall(method, customerID, sessionID, rest string, body io.Reader) Response {
	g.T.Helper()
	req, err := http.NewRequestWithContext(g.T.Context(), method, g.URL+"/client/v1/"+customerID+"/"+rest, body)
	if err != nil {
		g.T.Fatal(err)
	}
	if sessionID != "" {
		req.Header.Set("Authorization", auth.ClientAuthorization(sessionID))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-GCS-ClientMetaInfo", "e30=")
	return g.Do(req)
}

// PublicKey fetches the key the client of session s encrypts to.
func (g *Gateway) PublicKey(s wire.SessionResponse) wire.PublicKey {
	g.T.Helper()
	r := g.Client(s.CustomerID, s.ClientSessionID, "crypto/publickey")
	if r.Status != http.StatusOK {
		g.T.Fatalf("publickey: %d %s", r.Status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		g.T.Errorf("publickey Content-Type = %q, want application/json", ct)
	}
	var pub wire.PublicKey
	r.JSON(g.T, &pub)
	return pub
}

// Decrypted decodes a 200 answer of the decrypt extension, with its
// payment values by key.
func (r Response) Decrypted(tb testing.TB) (wire.DecryptResponse, map[string]string) {
	tb.Helper()
	if r.Status != http.StatusOK {
		tb.Fatalf("decrypt: status %d, body %s", r.Status, r.Body)
	}
	var got wire.DecryptResponse
	r.JSON(tb, &got)
	values := map[string]string{}
	for _, v := range got.PaymentValues {
		values[v.Key] = v.Value
	}
	return got, values
}

// Seal encrypts plain for pub under kid as the client SDK does: a compact
// JWE, RSA-OAEP key wrap, A256CBC-HS512.
func Seal(tb testing.TB, pub *rsa.PublicKey, kid string, plain []byte) string {
	tb.Helper()
	enc, err := jose.NewEncrypter(jose.A256CBC_HS512, jose.Recipient{Algorithm: jose.RSA_OAEP, Key: pub, KeyID: kid}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	obj, err := enc.Encrypt(plain)
	if err != nil {
		tb.Fatal(err)
	}
	s, err := obj.CompactSerialize()
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// ServedKey decodes a /crypto/publickey answer into the RSA key it names.
func ServedKey(tb testing.TB, pub wire.PublicKey) *rsa.PublicKey {
	tb.Helper()
	der, err := base64.StdEncoding.DecodeString(pub.PublicKey)
	if err != nil {
		tb.Fatal(err)
	}
	key, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		tb.Fatal(err)
	}
	rk, ok := key.(*rsa.PublicKey)
	if !ok {
		tb.Fatalf("served key is %T, want RSA", key)
	}
	return rk
}

// CardPayload is the JSON a client SDK encrypts: a VISA card (product 1,
// test number 4012000033330026, cvv 123) for session id, with nonce; extra
// members are added or replace the defaults.
func CardPayload(id, nonce string, extra map[string]any) []byte {
	p := map[string]any{
		"clientSessionId":  id,
		"nonce":            nonce,
		"paymentProductId": 1,
		"tokenize":         true,
		"paymentValues": []map[string]string{
			{"key": "cardNumber", "value": "4012000033330026"},
			{"key": "expiryDate", "value": "1230"},
			{"key": "cvv", "value": "123"},
		},
	}
	for k, v := range extra {
		p[k] = v
	}
	b, _ := json.Marshal(p) // maps of strings, ints and bools: cannot fail
	return b
}

// Nonce is a valid nonce (32 lowercase hex), different for each n >= 0.
func Nonce(n int) string {
	s := strconv.Itoa(n)
	return strings.Repeat("0", 32-len(s)) + s
}

// DecryptBody is the body of a decrypt call for blob.
func DecryptBody(blob string) string {
	b, _ := json.Marshal(map[string]string{"encryptedCustomerInput": blob})
	return string(b)
}

// DecryptTarget is the path of the decrypt extension.
func DecryptTarget(merchantID, clientSessionID string) string {
	return "/v1/" + merchantID + "/sessions/" + clientSessionID + "/decrypt"
}

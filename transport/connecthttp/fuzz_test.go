package connecthttp_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/clientsession/engine/transport/connecthttp"
	"github.com/clientsession/engine/transport/connecthttp/connecttest"
	"github.com/clientsession/engine/wire"
	"github.com/clientsession/engine/wire/auth"
)

// FuzzDecryptEndpoint: whatever encryptedCustomerInput a signed caller
// sends for a live session, the decrypt endpoint answers 200, 409 or
// another 4xx with a JSON body; never a 5xx, never a panic, and never the
// card number or security code.
func FuzzDecryptEndpoint(f *testing.F) {
	h, err := connecthttp.New(newEngine(f), apiKeys)
	if err != nil {
		f.Fatal(err)
	}
	signed := func(method, target, body string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, target, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Date", time.Now().UTC().Format(http.TimeFormat))
		r.Header.Set("Authorization", auth.Sign("testKeyId", []byte("testSecretApiKey"), auth.Request{
			Method: method, ContentType: "application/json", Date: r.Header.Get("Date"), Header: r.Header, Target: target,
		}))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	created := signed(http.MethodPost, "/v1/1234/sessions", `{}`)
	var s wire.SessionResponse
	if err := json.Unmarshal(created.Body.Bytes(), &s); err != nil || s.ClientSessionID == "" {
		f.Fatalf("create: %d %s", created.Code, created.Body)
	}
	pub := &testKey(f).Private.PublicKey
	plain := `{"clientSessionId":"` + s.ClientSessionID + `","nonce":"` + strings.Repeat("0", 32) + `","paymentProductId":1,` +
		`"paymentValues":[{"key":"cardNumber","value":"4012000033330026"},{"key":"CVV","value":"987"}]}`
	good := connecttest.Seal(f, pub, "test-key", []byte(plain))
	f.Add(good)                                                                  // opens once, then 409
	f.Add(good[:len(good)-3] + "AAA")                                            // bad tag
	f.Add("a.b.c.d.e")                                                           // five empty-ish parts
	f.Add("eyJhbGciOiJub25lIn0....")                                             // alg none, empty parts
	f.Add(strings.Repeat(".", 4) + "\xff")                                       // not base64url
	f.Add(connecttest.Seal(f, pub, "test-key", []byte("\xe9t\xe9")))             // Latin-1 text, not JSON
	f.Add(connecttest.Seal(f, pub, "other", []byte(plain)))                      // unknown kid
	f.Add(connecttest.Seal(f, pub, "test-key", []byte(`{"clientSessionId":1}`))) // wrong type inside
	f.Fuzz(func(t *testing.T, blob string) {
		b, _ := json.Marshal(map[string]string{"encryptedCustomerInput": blob})
		w := signed(http.MethodPost, connecttest.DecryptTarget("1234", s.ClientSessionID), string(b))
		if w.Code >= 500 || (w.Code != 200 && w.Code < 400) {
			t.Fatalf("blob %q: status %d, body %s", blob, w.Code, w.Body)
		}
		if !json.Valid(w.Body.Bytes()) {
			t.Fatalf("blob %q: body is not JSON: %q", blob, w.Body)
		}
		if strings.Contains(w.Body.String(), "4012000033330026") || strings.Contains(w.Body.String(), `"987"`) {
			t.Fatalf("blob %q: answer holds the card number or the security code: %s", blob, w.Body)
		}
	})
}

// FuzzIdempotentCreate: whatever idempotence key and body a signed caller
// sends, the create answers 200 or a 4xx with a JSON body (an errorId on
// errors); never a 5xx, never a panic; and the answer kept for a finished
// key is never lost: it replays byte for byte after every fuzzed call.
func FuzzIdempotentCreate(f *testing.F) {
	h, err := connecthttp.New(newEngine(f), apiKeys)
	if err != nil {
		f.Fatal(err)
	}
	create := func(key, body string) *httptest.ResponseRecorder {
		const target = "/v1/1234/sessions"
		r := httptest.NewRequest(http.MethodPost, target, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Date", time.Now().UTC().Format(http.TimeFormat))
		r.Header[textproto.CanonicalMIMEHeaderKey(connecthttp.IdempotenceKeyHeader)] = []string{key} // as received, unchecked
		r.Header.Set("Authorization", auth.Sign("testKeyId", []byte("testSecretApiKey"), auth.Request{
			Method: http.MethodPost, ContentType: "application/json", Date: r.Header.Get("Date"), Header: r.Header, Target: target,
		}))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	kept := create("kept", `{"tokens":["tok-visa"]}`)
	if kept.Code != http.StatusOK {
		f.Fatalf("create: %d %s", kept.Code, kept.Body)
	}
	f.Add("kept", `{}`)                            // a repeat with another body: the replay
	f.Add("kept", `{`)                             // a repeat with a broken body: the replay too
	f.Add("k", `{"tokens":""}`)                    // a 400, kept
	f.Add("", `{}`)                                // an empty key
	f.Add(strings.Repeat("k", 41), `{}`)           // too long
	f.Add("k\x7f", `{}`)                           // not printable
	f.Add("kept ", `{"paymentProductFilters":{}}`) // another key
	f.Add("k", `{"tokens":["`+strings.Repeat("x", 129)+`"]}`)
	f.Add("k", strings.Repeat("[", 1000))
	f.Fuzz(func(t *testing.T, key, body string) {
		w := create(key, body)
		if w.Code >= 500 || (w.Code != 200 && w.Code < 400) {
			t.Fatalf("key %q body %q: status %d, body %s", key, body, w.Code, w.Body)
		}
		if !json.Valid(w.Body.Bytes()) {
			t.Fatalf("key %q body %q: body is not JSON: %q", key, body, w.Body)
		}
		if w.Code != 200 && !strings.Contains(w.Body.String(), `"errorId":"`) {
			t.Fatalf("key %q body %q: error without errorId: %s", key, body, w.Body)
		}
		if again := create("kept", `{}`); again.Code != 200 || again.Body.String() != kept.Body.String() {
			t.Fatalf("after key %q body %q the kept answer replays as %d %s; want %s", key, body, again.Code, again.Body, kept.Body)
		}
	})
}

package connecthttp_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
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

package main

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/clientsession/engine/encryption"
	sderrors "github.com/clientsession/engine/errors"
)

// FuzzDecodeDecryptRequest: any body gives a request or a 4xx-kind error,
// never a panic.
func FuzzDecodeDecryptRequest(f *testing.F) {
	f.Add([]byte(`{"encryptedCustomerInput":"a.b.c.d.e"}`))                      // valid
	f.Add([]byte(`{}`))                                                          // missing member
	f.Add([]byte(`{"encryptedCustomerInput":null}`))                             // null
	f.Add([]byte(`{"encryptedCustomerInput":["x"]}`))                            // wrong type
	f.Add([]byte(`{"encryptedCustomerInput":"x","y":1}`))                        // unknown member
	f.Add([]byte(`{"encryptedCustomerInput":"x"}]`))                             // trailing data
	f.Add([]byte("\xff\xfe"))                                                    // not UTF-8
	f.Add([]byte(`{"EncryptedCustomerInput":"x"}`))                              // name in another case
	f.Add([]byte(`{"encryptedCustomerInput":"x","encryptedCustomerInput":"y"}`)) // named twice
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := decodeDecryptRequest(body)
		if err != nil {
			if s := sderrors.ToResponse(err).HTTPStatus(); s < 400 || s > 499 {
				t.Fatalf("body %q: status %d, want 4xx", body, s)
			}
			return
		}
		if req.EncryptedCustomerInput == "" {
			t.Fatalf("body %q: accepted without encryptedCustomerInput", body)
		}
	})
}

// FuzzAuthenticateServer: any Authorization and Date header gives nil only
// for a correct signature, else 401 or 403; never a panic.
func FuzzAuthenticateServer(f *testing.F) {
	now := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	f.Add("GCS v1HMAC:k1:c2ln", now.Format(http.TimeFormat)) // well-formed, wrong signature
	f.Add("GCS v1HMAC::", "")                                // empty key and signature
	f.Add("GCS v1HMAC:k1", "Mon, 02 Jan 2006")               // no signature, bad date
	f.Add("Basic xyz", now.Format(http.TimeFormat))          // other scheme
	f.Add("GCS v1HMAC:k1:a:b:c", "\x00")                     // extra colons
	keys := map[string]apiKey{"k1": {secret: []byte("s1"), merchants: map[string]bool{"1234": true}}}
	f.Fuzz(func(t *testing.T, auth, date string) {
		r := httptest.NewRequest(http.MethodPost, "/v1/1234/sessions", nil)
		r.Header["Authorization"] = []string{auth}
		r.Header["Date"] = []string{date}
		err := authenticateServer(r, keys, "1234", now)
		if err == nil {
			want := v1HMACPrefix + "k1:" + signV1HMAC([]byte("s1"), stringToSign(r.Method, "", date, r.Header, r.RequestURI))
			if auth != want {
				t.Fatalf("accepted %q", auth)
			}
			return
		}
		if s := sderrors.ToResponse(err).HTTPStatus(); s != 401 && s != 403 {
			t.Fatalf("status %d, want 401 or 403", s)
		}
	})
}

// FuzzDecryptEndpoint: whatever encryptedCustomerInput a signed caller
// sends for a live session, the decrypt endpoint answers 200, 409 or
// another 4xx with a JSON body; never a 5xx, never a panic.
func FuzzDecryptEndpoint(f *testing.F) {
	d, err := parseData([]byte(testData))
	if err != nil {
		f.Fatal(err)
	}
	st, err := openStores(f.Context(), "", "", d)
	if err != nil {
		f.Fatal(err)
	}
	kf := &keyFile{Keys: []encryption.Key{{ID: "test-key", Private: testKeyRSAForFuzz(f)}}}
	h, err := newServer(config{PublicURL: publicURL, Data: d, Stores: st, Keys: kf})
	if err != nil {
		f.Fatal(err)
	}
	signed := func(method, target, body string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, target, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Date", time.Now().UTC().Format(http.TimeFormat))
		r.Header.Set("Authorization", v1HMACPrefix+"testKeyId:"+signV1HMAC([]byte("testSecretApiKey"),
			stringToSign(method, "application/json", r.Header.Get("Date"), r.Header, target)))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	created := signed(http.MethodPost, "/v1/1234/sessions", `{}`)
	var s sessionResponse
	if err := json.Unmarshal(created.Body.Bytes(), &s); err != nil || s.ClientSessionID == "" {
		f.Fatalf("create: %d %s", created.Code, created.Body)
	}
	pub := &kf.Keys[0].Private.PublicKey
	plain := `{"clientSessionId":"` + s.ClientSessionID + `","nonce":"` + strings.Repeat("0", 32) + `","paymentProductId":1,` +
		`"paymentValues":[{"key":"cardNumber","value":"4012000033330026"}]}`
	good := sealForFuzz(f, pub, "test-key", plain)
	f.Add(good)                                                     // opens once, then 409
	f.Add(good[:len(good)-3] + "AAA")                               // bad tag
	f.Add("a.b.c.d.e")                                              // five empty-ish parts
	f.Add("eyJhbGciOiJub25lIn0....")                                // alg none, empty parts
	f.Add(strings.Repeat(".", 4) + "\xff")                          // not base64url
	f.Add(sealForFuzz(f, pub, "test-key", "\xe9t\xe9"))             // Latin-1 text, not JSON
	f.Add(sealForFuzz(f, pub, "other", plain))                      // unknown kid
	f.Add(sealForFuzz(f, pub, "test-key", `{"clientSessionId":1}`)) // wrong type inside
	f.Fuzz(func(t *testing.T, blob string) {
		b, _ := json.Marshal(map[string]string{"encryptedCustomerInput": blob})
		w := signed(http.MethodPost, "/v1/1234/sessions/"+s.ClientSessionID+"/decrypt", string(b))
		if w.Code >= 500 || (w.Code != 200 && w.Code < 400) {
			t.Fatalf("blob %q: status %d, body %s", blob, w.Code, w.Body)
		}
		if !json.Valid(w.Body.Bytes()) {
			t.Fatalf("blob %q: body is not JSON: %q", blob, w.Body)
		}
		if w.Code != 200 && strings.Contains(w.Body.String(), "4012000033330026") {
			t.Fatalf("blob %q: error holds the card number: %s", blob, w.Body)
		}
	})
}

func testKeyRSAForFuzz(f *testing.F) *rsa.PrivateKey {
	f.Helper()
	testKeyOnce.Do(func() { testKeyRSA, errTestKey = rsa.GenerateKey(rand.Reader, 2048) })
	if errTestKey != nil {
		f.Fatal(errTestKey)
	}
	return testKeyRSA
}

func sealForFuzz(f *testing.F, pub *rsa.PublicKey, kid, plain string) string {
	f.Helper()
	enc, err := jose.NewEncrypter(jose.A256CBC_HS512, jose.Recipient{Algorithm: jose.RSA_OAEP, Key: pub, KeyID: kid}, nil)
	if err != nil {
		f.Fatal(err)
	}
	obj, err := enc.Encrypt([]byte(plain))
	if err != nil {
		f.Fatal(err)
	}
	out, err := obj.CompactSerialize()
	if err != nil {
		f.Fatal(err)
	}
	return out
}

package main

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	sderrors "github.com/clientsession/engine/errors"
)

// FuzzDecodeDecryptRequest: any body gives a request or a 4xx-kind error,
// never a panic.
func FuzzDecodeDecryptRequest(f *testing.F) {
	f.Add([]byte(`{"encryptedCustomerInput":"a.b.c.d.e"}`)) // valid
	f.Add([]byte(`{}`))                                     // missing member
	f.Add([]byte(`{"encryptedCustomerInput":null}`))        // null
	f.Add([]byte(`{"encryptedCustomerInput":["x"]}`))       // wrong type
	f.Add([]byte(`{"encryptedCustomerInput":"x","y":1}`))   // unknown member
	f.Add([]byte(`{"encryptedCustomerInput":"x"}]`))        // trailing data
	f.Add([]byte("\xff\xfe"))                               // not UTF-8
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

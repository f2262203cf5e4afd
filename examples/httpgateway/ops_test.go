package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/clientsession/engine/storage"
	"github.com/clientsession/engine/transport/connecthttp"
	"github.com/clientsession/engine/transport/connecthttp/connecttest"
	"github.com/clientsession/engine/wire"
	"github.com/clientsession/engine/wire/auth"
)

// opsGateway is a test gateway writing its access log to log.
func opsGateway(t *testing.T, log *syncBuffer) *gateway {
	t.Helper()
	d, err := parseData([]byte(testData))
	if err != nil {
		t.Fatal(err)
	}
	st, err := openStores(t.Context(), "", "", d)
	if err != nil {
		t.Fatal(err)
	}
	h, err := newServer(config{PublicURL: publicURL, Data: d, Stores: st, Keys: testKeys(t),
		Log: slog.New(slog.NewJSONHandler(log, nil))})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &gateway{Gateway: &connecttest.Gateway{T: t, URL: srv.URL, HTTP: srv.Client()}, srv: srv}
}

// A full flow: create (with tokens, one invalid; idempotent, repeated),
// products, public key, an encrypted card opened then replayed, a refused
// client call, revoke. The access log has one line per request with
// method, route template, status, duration and merchant, and holds no
// clientSessionId, customerId, token, key or card data; the metrics moved.
func TestAccessLogAndMetricsOverAFullFlow(t *testing.T) {
	var log syncBuffer
	g := opsGateway(t, &log)
	idem := defaultSigner
	idem.Header = http.Header{connecthttp.IdempotenceKeyHeader: {"order-secret-key-77"}}
	r := g.Server(http.MethodPost, "/v1/1234/sessions", `{"tokens":["tok-visa","tok-revoked"]}`, idem)
	if r.Status != 200 {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	g.Server(http.MethodPost, "/v1/1234/sessions", `{"tokens":["tok-visa","tok-revoked"]}`, idem)
	var s wire.SessionResponse
	r.JSON(t, &s)
	productIDs(t, g.Client(s.CustomerID, s.ClientSessionID, "products"+nlEUR))
	k := g.PublicKey(s)
	blob := connecttest.Seal(t, connecttest.ServedKey(t, k), k.KeyID, connecttest.CardPayload(s.ClientSessionID, connecttest.Nonce(1), nil))
	target := connecttest.DecryptTarget("1234", s.ClientSessionID)
	g.Server(http.MethodPost, target, connecttest.DecryptBody(blob), defaultSigner).Decrypted(t)
	if r := g.Server(http.MethodPost, target, connecttest.DecryptBody(blob), defaultSigner); r.Status != http.StatusConflict {
		t.Errorf("replayed blob: %d", r.Status)
	}
	if r := g.Client(s.CustomerID, strings.Repeat("0", 32), "products"+nlEUR); r.Status != http.StatusUnauthorized {
		t.Errorf("wrong session: %d", r.Status)
	}
	if r := g.Server(http.MethodDelete, "/v1/1234/sessions/"+s.ClientSessionID, "", defaultSigner); r.Status != http.StatusNoContent {
		t.Errorf("revoke: %d", r.Status)
	}
	if r := g.get("/healthz"); r.Status != 200 {
		t.Errorf("/healthz: %d", r.Status)
	}
	if r := g.get("/readyz"); r.Status != 200 {
		t.Errorf("/readyz: %d %s", r.Status, r.Body)
	}
	metricsText := string(g.get("/metrics").Body)

	text := log.String()
	for _, secret := range []string{s.ClientSessionID, s.CustomerID, strings.TrimPrefix(s.CustomerID, "1234-"),
		"tok-visa", "tok-revoked", "order-secret-key-77", "testSecretApiKey", "4012000033330026", "0026", blob[:40]} {
		if strings.Contains(text, secret) {
			t.Errorf("the access log holds %q", secret)
		}
	}
	routes := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(text))
	lines := 0
	for sc.Scan() {
		lines++
		var line struct {
			Msg, Method, Route, Merchant string
			Status                       int
			Duration                     *float64
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("log line %q: %v", sc.Text(), err)
		}
		if line.Method == "" || line.Route == "" || line.Status == 0 || line.Duration == nil {
			t.Errorf("log line lacks a field: %s", sc.Text())
		}
		if strings.HasPrefix(line.Route, "/v1/") || strings.HasPrefix(line.Route, "/client/") {
			if line.Merchant != "1234" {
				t.Errorf("log line without merchant 1234: %s", sc.Text())
			}
		}
		routes[line.Route] = true
		if line.Route == "/metrics" {
			lines-- // written after its answer: may or may not be there yet
		}
	}
	if lines != 10 {
		t.Errorf("%d access log lines before /metrics, want 10 (one per request)", lines)
	}
	for _, want := range []string{"/v1/{merchantId}/sessions", "/client/v1/{customerId}/products", "/v1/{merchantId}/sessions/{clientSessionId}"} {
		if !routes[want] {
			t.Errorf("no log line for route %s; routes %v", want, routes)
		}
	}
	for _, want := range []string{
		`clientsession_sessions_created_total{merchant="1234"} 1`,
		`clientsession_tokens_invalid_total{reason="revoked"} 1`,
		`clientsession_client_auth_refused_total 1`,
		`clientsession_nonce_replays_refused_total 1`,
		`clientsession_idempotent_requests_total{outcome="first"} 1`,
		`clientsession_idempotent_requests_total{outcome="replayed"} 1`,
		`clientsession_store_calls_total{op="save",result="ok"} 1`,
		`clientsession_http_requests_total{method="POST",route="/v1/{merchantId}/sessions",status="200"} 2`,
	} {
		if !strings.Contains(metricsText, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	for _, secret := range []string{s.ClientSessionID, s.CustomerID, "tok-visa"} {
		if strings.Contains(metricsText, secret) {
			t.Errorf("/metrics holds %q", secret)
		}
	}
}

// downSessions is a session store that cannot answer.
type downSessions struct{ storage.Repository }

func (downSessions) Load(context.Context, storage.Key, time.Time) (storage.Record, error) {
	return storage.Record{}, errors.New("connection refused")
}

func TestReadyzFailsWhenAStoreCannotAnswer(t *testing.T) {
	d, err := parseData([]byte(testData))
	if err != nil {
		t.Fatal(err)
	}
	st, err := openStores(t.Context(), "", "", d)
	if err != nil {
		t.Fatal(err)
	}
	st.Sessions = downSessions{st.Sessions}
	h, err := newServer(config{PublicURL: publicURL, Data: d, Stores: st})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	g := &gateway{Gateway: &connecttest.Gateway{T: t, URL: srv.URL, HTTP: srv.Client()}, srv: srv}
	if r := g.get("/readyz"); r.Status != http.StatusServiceUnavailable {
		t.Errorf("/readyz with a failing store = %d, want 503", r.Status)
	}
	if r := g.get("/healthz"); r.Status != http.StatusOK {
		t.Errorf("/healthz = %d, want 200: the process runs", r.Status)
	}
}

// TestMerchantOf: the merchant of a Client API call is read by the
// engine's one reader of the customerId format
// (session.MerchantOfCustomerID): nothing for a malformed customerId; and
// only a merchant of the data file is named (a closed set), for the
// Client and the Server API alike.
func TestMerchantOf(t *testing.T) {
	m := newMetrics([]string{"1234", "a-b"})
	hex := strings.Repeat("0a", 16)
	for id, want := range map[string]string{
		"1234-" + hex: "1234", "a-b-" + hex: "a-b", "1234-" + hex[:31]: "", "1234-notarandompart": "", "x": "",
		"9999-" + hex: "",
	} {
		r := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/client/v1/"+id+"/products", nil)
		r.SetPathValue("customerId", id)
		if got := m.merchantOf(r); got != want {
			t.Errorf("merchantOf(customerId %q) = %q; want %q", id, got, want)
		}
	}
	for id, want := range map[string]string{"1234": "1234", "9999": "", "": ""} {
		r := httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/v1/"+id+"/sessions", nil)
		r.SetPathValue("merchantId", id)
		if got := m.merchantOf(r); got != want {
			t.Errorf("merchantOf(merchantId %q) = %q; want %q", id, got, want)
		}
	}
}

// TestAccessLogSaysWhichSigningCheckFailed: each signing mistake a
// newcomer makes (a wrong secret, a string to sign without its final
// newline, a stale Date, a Content-Type other than the one signed) is the
// same 401 on the wire, byte for byte but the errorId, and the access
// log line says which check failed in its "reason" field.
func TestAccessLogSaysWhichSigningCheckFailed(t *testing.T) {
	var log syncBuffer
	g := opsGateway(t, &log)
	const target, body = "/v1/1234/sessions", `{"tokens":["tok-visa"]}`
	sign := func(contentType, date, end, secret string) string {
		r := auth.Request{Method: http.MethodPost, ContentType: contentType, Date: date, Target: target}
		return auth.V1HMACPrefix + "testKeyId:" + auth.Signature([]byte(secret), strings.TrimSuffix(r.StringToSign(), "\n")+end)
	}
	now := time.Now().UTC()
	date, stale := now.Format(http.TimeFormat), now.Add(-20*time.Minute).Format(http.TimeFormat)
	const ct, secret = "application/json", "testSecretApiKey"
	tests := []struct {
		name, contentType, date, authz, reason string
	}{
		{"wrong secret", ct, date, sign(ct, date, "\n", "testSecretApiKeY"), "signature_mismatch"},
		{"string to sign without its final newline", ct, date, sign(ct, date, "", secret), "signed_without_final_newline"},
		{"stale Date", ct, stale, sign(ct, stale, "\n", secret), "date_skew"},
		{"curl -d without a Content-Type", "application/x-www-form-urlencoded", date, sign(ct, date, "\n", secret), "content_type_not_signed"},
		{"unknown key", ct, date, strings.Replace(sign(ct, date, "\n", secret), "testKeyId", "testKeyID", 1), "unknown_key"},
	}
	errorID := regexp.MustCompile(`"errorId":"[^"]*"`)
	var first string
	for _, tt := range tests {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, g.URL+target, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", tt.contentType)
		req.Header.Set("Date", tt.date)
		req.Header.Set("Authorization", tt.authz)
		before := len(log.String())
		resp, err := g.HTTP.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		answer := resp.Status + " " + resp.Header.Get("Content-Type") + " " + errorID.ReplaceAllString(string(raw), `"errorId":""`)
		if first == "" {
			first = answer
			if !strings.Contains(answer, `"code":"9002"`) || resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("%s: answer %s, want a 401 9002", tt.name, answer)
			}
		}
		if answer != first {
			t.Errorf("%s: answer\n%s\nwant the same as for every signing mistake:\n%s", tt.name, answer, first)
		}
		if strings.Contains(string(raw), tt.reason) {
			t.Errorf("%s: the answer tells the caller the reason: %s", tt.name, raw)
		}
		var line struct{ Route, Reason string }
		var lastLine string
		waitUntil(t, 5*time.Second, "the access log line of "+tt.name, func() bool {
			lines := strings.Split(strings.TrimSpace(log.String()[before:]), "\n")
			lastLine = lines[len(lines)-1]
			return lastLine != ""
		})
		if err := json.Unmarshal([]byte(lastLine), &line); err != nil {
			t.Fatalf("log line %q: %v", lastLine, err)
		}
		if line.Route != "/v1/{merchantId}/sessions" || line.Reason != tt.reason {
			t.Errorf("%s: log line %s, want route /v1/{merchantId}/sessions and reason %q", tt.name, lastLine, tt.reason)
		}
	}
	// A request that is not refused has an empty reason.
	before := len(log.String())
	if r := g.Server(http.MethodPost, target, body, defaultSigner); r.Status != 200 {
		t.Fatalf("signed create: %d %s", r.Status, r.Body)
	}
	if !strings.Contains(log.String()[before:], `"reason":""`) {
		t.Errorf("log line of a good create: %s, want an empty reason", log.String()[before:])
	}
}

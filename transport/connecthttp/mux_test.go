package connecthttp_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/transport/connecthttp"
	"github.com/clientsession/engine/transport/connecthttp/connecttest"
)

// TestMountedInServeMux mounts the handler in a plain http.ServeMux of a
// gateway program, next to routes of its own, as a gateway team would:
// both APIs work through the mux, and the team's routes keep their own
// answers.
func TestMountedInServeMux(t *testing.T) {
	h, err := connecthttp.New(newEngine(t), apiKeys)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/v1/", h)
	mux.Handle("/client/", h)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, "ok")
	})
	mux.HandleFunc("GET /v2/{merchantId}/payments", func(w http.ResponseWriter, r *http.Request) {
		connecthttp.WriteError(w, sderrors.ErrUnknownMerchant.WithProperty("merchantId"))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	g := &gateway{Gateway: &connecttest.Gateway{T: t, URL: srv.URL, HTTP: srv.Client()}, srv: srv}

	// The Server and Client APIs, through the team's mux.
	s := g.create(`{"tokens":["tok-visa","nope"]}`)
	if !slices.Equal(s.InvalidTokens, []string{"nope"}) {
		t.Errorf("invalidTokens = %v", s.InvalidTokens)
	}
	if got := productIDs(t, g.Client(s.CustomerID, s.ClientSessionID, "products"+nlEUR)); !slices.Equal(got, []int32{1, 2, 3, 840, 809}) {
		t.Errorf("products = %v", got)
	}
	if r := g.Server(http.MethodDelete, "/v1/1234/sessions/"+s.ClientSessionID, "", defaultSigner); r.Status != http.StatusNoContent {
		t.Errorf("revoke: %d %s", r.Status, r.Body)
	}
	// A path under the mounted prefixes that the API does not have: the
	// handler's JSON 404.
	get := func(path string) connecttest.Response {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		return g.Do(req)
	}
	get("/v1/1234/nothing").WantError(t, http.StatusNotFound, sderrors.ErrUnknownResource.Code(), "")
	get("/client/v1/c/nothing").WantError(t, http.StatusNotFound, sderrors.ErrUnknownResource.Code(), "")

	// The team's own routes answer as the team wrote them: no CORS, no
	// headers of ours.
	r := get("/healthz")
	if r.Status != http.StatusOK || string(r.Body) != "ok" || r.Header.Get("Cache-Control") != "" || r.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("/healthz = %d %q %v, want the team's plain ok", r.Status, r.Body, r.Header)
	}
	get("/v2/1234/payments").WantError(t, http.StatusNotFound, sderrors.ErrUnknownMerchant.Code(), "merchantId")
	if r := get("/elsewhere"); r.Status != http.StatusNotFound || r.Header.Get("Content-Type") == "application/json" {
		t.Errorf("/elsewhere = %d %s, want the team mux's own 404", r.Status, r.Header.Get("Content-Type"))
	}
}

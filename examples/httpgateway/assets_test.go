package main

import (
	"bytes"
	"image/png"
	"net/http"
	"testing"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/transport/connecthttp/connecttest"
	"github.com/clientsession/engine/wire"
)

// TestAssetsServeEveryLogo: every logo the Client API names for the demo
// data (products and groups) is a PNG served at the assetUrl, so that a
// checkout shows no broken image.
func TestAssetsServeEveryLogo(t *testing.T) {
	d, err := loadData("")
	if err != nil {
		t.Fatal(err)
	}
	logos := map[string]bool{}
	for _, m := range d.merchants {
		for _, p := range m.products {
			logos[p.Logo] = true
		}
	}
	g := newGateway(t)
	s := g.create(`{}`)
	var groups wire.PaymentProductGroups
	g.Client(s.CustomerID, s.ClientSessionID, "productgroups?countryCode=NL&currencyCode=EUR&amount=1000").JSON(t, &groups)
	for _, grp := range groups.PaymentProductGroups {
		logos[grp.DisplayHints.Logo] = true
	}
	if len(logos) < 6 {
		t.Fatalf("logos %v: want the 5 demo products' and the cards group's", logos)
	}
	for logo := range logos {
		r := g.get("/" + logo)
		if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "image/png" {
			t.Errorf("GET /%s: %d %v", logo, r.Status, r.Header)
			continue
		}
		if _, err := png.Decode(bytes.NewReader(r.Body)); err != nil {
			t.Errorf("GET /%s: not a PNG: %v", logo, err)
		}
	}
	// Only the logos: other paths are the handler's JSON 404.
	for _, p := range []string{"/gen.go", "/assets/pp_logo_1.png", "/pp_logo_9.png", "/client/pp_logo_1.png", "/%2e%2e/pp_logo_1.png"} {
		g.get(p).WantError(t, http.StatusNotFound, sderrors.ErrUnknownResource.Code(), "")
	}
}

// get sends a plain GET of path, as an <img> does.
func (g *gateway) get(path string) connecttest.Response {
	g.T.Helper()
	req, err := http.NewRequestWithContext(g.T.Context(), http.MethodGet, g.URL+path, nil)
	if err != nil {
		g.T.Fatal(err)
	}
	return g.Do(req)
}

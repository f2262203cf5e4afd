package main

import (
	"bytes"
	"crypto/rand"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"github.com/clientsession/engine/encryption"
	"github.com/clientsession/engine/filter"
	"github.com/clientsession/engine/session"
	"github.com/clientsession/engine/storage/memstore"
	"github.com/clientsession/engine/transport/connecthttp"
	"github.com/clientsession/engine/wire/auth"
)

// The demo gateway's merchant and API key. The key's secret is drawn at
// start: only this process's merchant backend knows it.
const (
	demoMerchantID = "1234"
	demoAPIKeyID   = "checkout-demo"
)

// demoProducts is the demo gateway's catalog: three card brands (their
// IIN ranges are the brands' defaults) and two redirect methods.
func demoProducts() []filter.Product {
	return []filter.Product{
		{ID: 1, Group: "cards", DisplayOrder: 10, Label: "VISA", Logo: "pp_logo_1.png", PaymentMethod: "card", AllowsTokenization: true},
		{ID: 2, Group: "cards", DisplayOrder: 20, Label: "American Express", Logo: "pp_logo_2.png", PaymentMethod: "card", AllowsTokenization: true},
		{ID: 3, Group: "cards", DisplayOrder: 30, Label: "MasterCard", Logo: "pp_logo_3.png", PaymentMethod: "card", AllowsTokenization: true},
		{ID: 840, DisplayOrder: 40, Label: "PayPal", Logo: "pp_logo_840.png", PaymentMethod: "redirect"},
		{ID: 809, DisplayOrder: 50, Label: "iDEAL", Logo: "pp_logo_809.png", PaymentMethod: "redirect", Countries: []string{"NL"}, Currencies: []string{"EUR"}},
	}
}

// demoGateway is a gateway built on the library: the engine on the
// embedded store, served by transport/connecthttp, plus the logos at its
// assetUrl.
type demoGateway struct {
	Handler http.Handler
	Engine  *session.Engine
	KeyID   string
	Secret  []byte
}

// newDemoGateway builds the demo gateway for origin, the address browsers
// and the merchant backend reach it at (clientApiUrl is origin+"/client").
// Browsers may read its Client API answers from allowedOrigins only.
func newDemoGateway(origin string, allowedOrigins []string) (*demoGateway, error) {
	catalog, err := filter.NewCatalog(demoProducts())
	if err != nil {
		return nil, err
	}
	store, err := memstore.New()
	if err != nil {
		return nil, err
	}
	key, err := encryption.GenerateKey("checkout-demo-key")
	if err != nil {
		return nil, err
	}
	keys, err := encryption.NewKeySet(key)
	if err != nil {
		return nil, err
	}
	engine, err := session.New(store, store,
		session.WithCatalog(catalog),
		session.WithDatacenter(session.Datacenter{Origin: origin, Region: "EU"}),
		session.WithKeys(keys),
	)
	if err != nil {
		return nil, err
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	secret := hex.EncodeToString(raw)
	h, err := connecthttp.New(engine, auth.StaticKeys{demoAPIKeyID: {Secret: secret, Merchants: []string{demoMerchantID}}},
		connecthttp.WithAllowedOrigins(allowedOrigins...))
	if err != nil {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	return &demoGateway{Handler: withLogos(h), Engine: engine, KeyID: demoAPIKeyID, Secret: []byte(secret)}, nil
}

// logoFiles are the logos the catalog names (the reference gateway's, see
// examples/httpgateway/assets).
//
//go:embed assets/*.png
var logoFiles embed.FS

var logoTime = time.Now().UTC().Truncate(time.Second)

// withLogos serves GET /{name}.png from assets/ (the session's assetUrl is
// the gateway's origin + "/"), everything else by next.
func withLogos(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, _ := strings.CutPrefix(r.URL.Path, "/")
		if (r.Method == http.MethodGet || r.Method == http.MethodHead) && strings.HasSuffix(name, ".png") &&
			!strings.Contains(name, "/") && fs.ValidPath(name) {
			if body, err := logoFiles.ReadFile("assets/" + name); err == nil {
				w.Header().Set("Content-Type", "image/png")
				w.Header().Set("Cache-Control", "public, max-age=3600")
				http.ServeContent(w, r, "", logoTime, bytes.NewReader(body))
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

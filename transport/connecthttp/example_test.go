package connecthttp_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/clientsession/engine/filter"
	"github.com/clientsession/engine/session"
	"github.com/clientsession/engine/storage/memstore"
	"github.com/clientsession/engine/transport/connecthttp"
	"github.com/clientsession/engine/wire/auth"
)

// ExampleNew mounts the handler in a gateway's own ServeMux, next to a
// route of the gateway's.
func ExampleNew() {
	cat, _ := filter.NewCatalog([]filter.Product{{ID: 1, Group: "cards", Label: "VISA", Logo: "pp_logo_1.png", PaymentMethod: "card"}})
	store, err := memstore.New()
	if err != nil {
		fmt.Println(err)
		return
	}
	engine, err := session.New(store, store, session.WithCatalog(cat),
		session.WithDatacenter(session.Datacenter{Origin: "https://gateway.example", Region: "EU"}))
	if err != nil {
		fmt.Println(err)
		return
	}
	keys := auth.StaticKeys{"testKeyId": {Secret: "testSecretApiKey", Merchants: []string{"1234"}}}
	h, err := connecthttp.New(engine, keys)
	if err != nil {
		fmt.Println(err)
		return
	}
	mux := http.NewServeMux()
	mux.Handle("/v1/", h)
	mux.Handle("/client/", h)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = fmt.Fprint(w, "ok") })

	// An unsigned create: the Connect 401, as JSON.
	req := httptest.NewRequestWithContext(context.Background(), http.MethodPost, "/v1/1234/sessions", nil)
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, req)
	fmt.Println(w.Code, w.Header().Get("Content-Type"))
	// Output: 401 application/json
}

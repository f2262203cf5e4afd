package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/clientsession/engine/session"
	"github.com/clientsession/engine/transport/connecthttp"
	"github.com/clientsession/engine/wire"
)

// config is everything newServer needs; main fills it from the flags.
type config struct {
	// PublicURL is this server's origin as clients reach it, e.g.
	// "http://127.0.0.1:8080"; used when a merchant's datacenter names no
	// origin.
	PublicURL string
	// Data is the validated data file.
	Data *gatewayData
	// Stores hold sessions (and nonces) and tokens.
	Stores stores
	// Keys are the encryption keys (nil: no client-side encryption).
	Keys *keyFile
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// newServer builds the engine from cfg and returns the gateway's handler:
// connecthttp's, which serves the whole protocol, behind the logos of the
// assetUrl (withAssets).
func newServer(cfg config) (http.Handler, error) {
	if cfg.Data == nil {
		return nil, errors.New("httpgateway: no data")
	}
	if !session.ValidOrigin(cfg.PublicURL) {
		err := fmt.Errorf("%q is not an origin such as https://gateway.example (http or https, host, optional port, no path or trailing slash)", cfg.PublicURL)
		return nil, flagError("httpgateway: -public-url", cfg.PublicURL, err)
	}
	engine, err := newEngine(cfg)
	if err != nil {
		return nil, err
	}
	var opts []connecthttp.Option
	if cfg.Now != nil {
		opts = append(opts, connecthttp.WithVerifierOptions(wire.WithClock(cfg.Now)))
	}
	h, err := connecthttp.New(engine, dataKeys(cfg.Data.apiKeys), opts...)
	if err != nil {
		return nil, err
	}
	return withAssets(h), nil
}

// dataKeys are the data file's API keys, as connecthttp looks them up.
type dataKeys map[string]apiKey

// APIKey implements wire.APIKeys.
func (d dataKeys) APIKey(_ context.Context, keyID, merchantID string) (wire.APIKey, error) {
	k, ok := d[keyID]
	if !ok {
		return wire.APIKey{}, nil
	}
	return wire.APIKey{Secret: k.secret, AllowsMerchant: k.merchants[merchantID]}, nil
}

package main

import (
	"fmt"

	"github.com/clientsession/engine/session"
)

// newEngine builds the session engine over cfg's stores, with one catalog
// and one datacenter per merchant of the data file.
func newEngine(cfg config) (*session.Engine, error) {
	e, err := session.New(cfg.Stores.Sessions, cfg.Stores.Tokens)
	if err != nil {
		return nil, fmt.Errorf("httpgateway: %w", err)
	}
	return e, nil
}

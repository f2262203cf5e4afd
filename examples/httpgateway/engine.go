package main

import (
	"context"
	"fmt"
	"sort"

	"github.com/clientsession/engine/encryption"
	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/filter"
	"github.com/clientsession/engine/session"
)

// newEngine builds the session engine over cfg's stores, with one catalog
// and one datacenter per merchant of the data file. Catalogs and
// datacenters are built and validated once, here.
func newEngine(cfg config, extra ...session.Option) (*session.Engine, error) {
	catalogs := make(map[string]*filter.Catalog, len(cfg.Data.merchants))
	datacenters := make(map[string]session.Datacenter, len(cfg.Data.merchants))
	merchantIDs := make([]string, 0, len(cfg.Data.merchants))
	for id := range cfg.Data.merchants {
		merchantIDs = append(merchantIDs, id)
	}
	sort.Strings(merchantIDs) // deterministic first error
	for _, id := range merchantIDs {
		m := cfg.Data.merchants[id]
		catalogs[id] = m.catalog // validated by the data file's loader
		dc := cfg.Data.datacenters[m.datacenter]
		d := session.Datacenter{Origin: dc.Origin, Region: dc.Region}
		if d.Origin == "" {
			d.Origin = cfg.PublicURL
		}
		if err := d.Validate(); err != nil {
			return nil, fmt.Errorf("httpgateway: datacenter %s of merchant %s: %w", m.datacenter, id, err)
		}
		datacenters[id] = d
	}
	opts := []session.Option{
		session.WithCatalogs(session.CatalogFunc(func(_ context.Context, merchantID string) (*filter.Catalog, error) {
			if c, ok := catalogs[merchantID]; ok {
				return c, nil
			}
			return nil, sderrors.ErrUnknownMerchant
		})),
		session.WithDatacenters(session.DatacenterFunc(func(_ context.Context, merchantID string) (session.Datacenter, error) {
			if d, ok := datacenters[merchantID]; ok {
				return d, nil
			}
			return session.Datacenter{}, sderrors.ErrUnknownMerchant
		})),
	}
	if cfg.Now != nil {
		opts = append(opts, session.WithClock(cfg.Now))
	}
	if cfg.Lifetime != 0 {
		opts = append(opts, session.WithLifetime(cfg.Lifetime))
	}
	if cfg.IdempotenceLease != 0 {
		opts = append(opts, session.WithIdempotenceLease(cfg.IdempotenceLease))
	}
	keyOpts, err := keyOptions(cfg.Keys)
	if err != nil {
		return nil, fmt.Errorf("httpgateway: keys: %w", err)
	}
	opts = append(opts, keyOpts...)
	opts = append(opts, extra...)
	e, err := session.New(cfg.Stores.Sessions, cfg.Stores.Tokens, opts...)
	if err != nil {
		return nil, fmt.Errorf("httpgateway: %w", err)
	}
	return e, nil
}

// keyOptions turns the key file into the engine's key set (client-side
// encryption): the first key is current, the others still open blobs made
// under them. No key file (tests) means no client-side encryption.
func keyOptions(kf *keyFile) ([]session.Option, error) {
	if kf == nil || len(kf.Keys) == 0 {
		return nil, nil
	}
	set, err := encryption.NewKeySet(kf.Keys[0], kf.Keys[1:]...)
	if err != nil {
		return nil, err
	}
	return []session.Option{session.WithKeys(set)}, nil
}

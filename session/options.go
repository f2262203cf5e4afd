package session

import (
	"context"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/clientsession/engine/encryption"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/filter"
	"github.com/clientsession/engine/storage"
	"github.com/clientsession/engine/token"
)

// Defaults and bounds of the options.
const (
	// MaxLifetime is the longest session lifetime: the Connect maximum.
	MaxLifetime = 2 * time.Hour
	// DefaultLifetime is the lifetime of a session when WithLifetime is not given.
	DefaultLifetime = MaxLifetime
)

// An Option configures an Engine. The set of options is closed: only this
// package defines them.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// config is what the options set; New validates it.
type config struct {
	clock                   func() time.Time
	lifetime                time.Duration
	random                  io.Reader // nil: crypto/rand
	datacenters             DatacenterResolver
	catalogs                CatalogSource
	maxTokens               int
	filterLimits            filter.Limits
	keys                    *encryption.KeySet // nil: no client-side encryption
	observer                Observer
	idem                    storage.Idempotency // nil: the session store's, if it has one
	idemTTL                 time.Duration
	idemLease               time.Duration
	idemStrict              bool
	sderrors.ConfigProblems // found while applying options
}

// WithClock sets the clock that dates sessions (default time.Now). Tests
// inject a fixed or stepping clock.
func WithClock(now func() time.Time) Option {
	return optionFunc(func(c *config) {
		if now == nil {
			c.Fail("clock", "the clock must not be nil")
			return
		}
		c.clock = now
	})
}

// WithLifetime sets the absolute lifetime of new sessions: more than zero
// and at most MaxLifetime (2 hours, the Connect maximum; also the default).
// A session is alive strictly before CreatedAt+lifetime.
func WithLifetime(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d <= 0 || d > MaxLifetime {
			c.Fail("lifetime", "the lifetime must be more than 0 and at most 2h, got "+d.String())
			return
		}
		c.lifetime = d
	})
}

// WithRandom sets the source of the clientSessionId and customerId bytes
// (default crypto/rand). The engine reads it under a mutex, so r need not
// be safe for concurrent use. Outside tests leave the default: ids must not
// be guessable.
func WithRandom(r io.Reader) Option {
	return optionFunc(func(c *config) {
		if r == nil {
			c.Fail("random", "the random source must not be nil")
			return
		}
		c.random = r
	})
}

// WithMaxTokens sets the limit of tokens per create request (default
// token.DefaultMaxTokens, 100; at least 1).
func WithMaxTokens(n int) Option {
	return optionFunc(func(c *config) {
		if n < 1 {
			c.Fail("maxTokens", "the token limit must be at least 1, got "+strconv.Itoa(n))
			return
		}
		c.maxTokens = n
	})
}

// WithFilterLimits caps the lists of a request's paymentProductFilters
// (default filter.DefaultLimits: 32 groups and 512 product ids per list;
// each cap at least 1). A longer list is a 400 TOO_MANY_ITEMS at the list,
// e.g. "paymentProductFilters.restrictTo.products". With the token cap
// (WithMaxTokens) this bounds what one session stores.
func WithFilterLimits(l filter.Limits) Option {
	return optionFunc(func(c *config) {
		if !l.Valid() {
			c.Fail("filterLimits", "every filter list cap must be at least 1, got "+strconv.Itoa(l.Groups)+" groups and "+strconv.Itoa(l.Products)+" products")
			return
		}
		c.filterLimits = l
	})
}

// WithIdempotenceStore sets where idempotent answers are kept (default:
// the session store, when it implements storage.Idempotency).
func WithIdempotenceStore(s storage.Idempotency) Option {
	return optionFunc(func(c *config) {
		if s == nil {
			c.Fail("idempotenceStore", "the idempotence store must not be nil")
			return
		}
		c.idem = s
	})
}

// WithIdempotenceTTL sets how long the answer of an idempotent request is
// kept for repeats: more than 0 and at most 7 days (default
// DefaultIdempotenceTTL, 24 hours, as the Connect platform keeps them).
func WithIdempotenceTTL(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d <= 0 || d > 7*24*time.Hour {
			c.Fail("idempotenceTTL", "the idempotence TTL must be more than 0 and at most 168h, got "+d.String())
			return
		}
		c.idemTTL = d
	})
}

// WithIdempotenceLease sets how long the claim of a running idempotent
// attempt holds its key (default DefaultIdempotenceLease, 30 seconds):
// more than 0 and at most the idempotence TTL. A repeat during the lease
// gets sderrors.ErrDuplicateRequest (1409); a repeat after it, when the
// attempt never finished (its process died, its store call failed), runs
// as a new attempt. The attempt runs under a context that ends with the
// lease, and an attempt whose key was taken over cannot store its answer.
// Choose it above the longest a create can take, the store's timeouts
// included, plus the clock skew between gateway instances: an attempt
// still running at the lease's end is cut off (a retryable error).
func WithIdempotenceLease(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d <= 0 {
			c.Fail("idempotenceLease", "the idempotence lease must be more than 0, got "+d.String())
			return
		}
		c.idemLease = d
	})
}

// WithStrictIdempotence refuses a repeat whose request differs from the
// first attempt's (sderrors.ErrInvalidValue, which the transport puts at
// its idempotence key), as Stripe does, instead of replaying the first
// answer, as the Connect platform does (the default).
func WithStrictIdempotence() Option {
	return optionFunc(func(c *config) { c.idemStrict = true })
}

// Datacenter is where a merchant's consumers reach the Client API.
type Datacenter struct {
	// Origin is "scheme://host[:port]": http or https, no path, no trailing
	// slash. clientApiUrl is Origin+"/client" and assetUrl Origin+"/".
	Origin string
	// Region is the deprecated wire region: EU, US, AMS or PAR.
	Region string
}

// Validate checks the origin (ValidOrigin) and the region (ValidRegion).
func (d Datacenter) Validate() error {
	if !ValidOrigin(d.Origin) {
		return sderrors.ErrInvalidConfiguration.WithProperty("origin").
			WithMessage("the origin must be scheme://host[:port] with scheme http or https, without path or trailing slash")
	}
	if !ValidRegion(d.Region) {
		return sderrors.ErrInvalidConfiguration.WithProperty("region").
			WithMessage("the region must be one of " + strings.Join(Regions(), ", "))
	}
	return nil
}

// Regions returns the values of the deprecated wire region, in the order
// the Connect platform lists them: EU, US, AMS, PAR.
func Regions() []string { return []string{"EU", "US", "AMS", "PAR"} }

// ValidRegion reports whether region is one of Regions.
func ValidRegion(region string) bool { return slices.Contains(Regions(), region) }

// ValidOrigin reports whether origin is an origin the engine builds
// clientApiUrl and assetUrl from: http(s)://host[:port], with a host of
// letters, digits, dots and hyphens (or a bracketed IPv6 literal), a port
// from 1 to 65535, and nothing after it (no path, no trailing slash, no
// user info, query or fragment).
func ValidOrigin(origin string) bool {
	rest, ok := strings.CutPrefix(origin, "https://")
	if !ok {
		if rest, ok = strings.CutPrefix(origin, "http://"); !ok {
			return false
		}
	}
	if rest == "" {
		return false
	}
	host, port := rest, ""
	if strings.HasPrefix(rest, "[") {
		end := strings.IndexByte(rest, ']')
		if end < 2 {
			return false
		}
		for i := 1; i < end; i++ {
			if b := rest[i]; !isAlnum(b) && b != ':' && b != '.' {
				return false
			}
		}
		host, port = "", rest[end+1:]
		if port != "" && port[0] != ':' {
			return false
		}
	} else if i := strings.LastIndexByte(rest, ':'); i >= 0 {
		host, port = rest[:i], rest[i:]
	}
	if port != "" {
		n, err := strconv.Atoi(port[1:])
		if err != nil || n < 1 || n > 65535 || port[1] == '+' {
			return false
		}
	}
	for i := range len(host) {
		b := host[i]
		if !isAlnum(b) && b != '.' && b != '-' {
			return false
		}
	}
	return true
}

// DatacenterResolver chooses the datacenter of a merchant. Implementations
// must be safe for concurrent use. An unknown merchant is an error wrapping
// sderrors.ErrUnknownMerchant; any other error that is not an
// *sderrors.Error is taken as a failure of the resolver (retryable
// sderrors.ErrUnavailable). The Datacenter returned must pass Validate.
type DatacenterResolver interface {
	Datacenter(ctx context.Context, merchantID string) (Datacenter, error)
}

// DatacenterFunc adapts a function to DatacenterResolver.
type DatacenterFunc func(ctx context.Context, merchantID string) (Datacenter, error)

// Datacenter calls f.
func (f DatacenterFunc) Datacenter(ctx context.Context, merchantID string) (Datacenter, error) {
	return f(ctx, merchantID)
}

// WithDatacenters sets the per-merchant datacenter resolver. New requires
// it or WithDatacenter.
func WithDatacenters(r DatacenterResolver) Option {
	return optionFunc(func(c *config) {
		if r == nil {
			c.Fail("datacenters", "the datacenter resolver must not be nil")
			return
		}
		c.datacenters = r
	})
}

// WithDatacenter uses one datacenter for every merchant; New validates it.
func WithDatacenter(d Datacenter) Option {
	return optionFunc(func(c *config) {
		if err := d.Validate(); err != nil {
			c.Add(sderrors.Find(err).Prefix("datacenter"))
			return
		}
		c.datacenters = DatacenterFunc(func(context.Context, string) (Datacenter, error) { return d, nil })
	})
}

// CatalogSource gives the payment product catalog of a merchant.
// Implementations must be safe for concurrent use and fast: the engine
// asks on every Create, Products and Explain call (cache catalogs, they are
// immutable). An unknown merchant is an error wrapping
// sderrors.ErrUnknownMerchant; any other error that is not an
// *sderrors.Error is taken as a failure of the source (retryable
// sderrors.ErrUnavailable).
type CatalogSource interface {
	Catalog(ctx context.Context, merchantID string) (*filter.Catalog, error)
}

// CatalogFunc adapts a function to CatalogSource.
type CatalogFunc func(ctx context.Context, merchantID string) (*filter.Catalog, error)

// Catalog calls f.
func (f CatalogFunc) Catalog(ctx context.Context, merchantID string) (*filter.Catalog, error) {
	return f(ctx, merchantID)
}

// WithCatalogs sets the per-merchant catalog source. New requires it or
// WithCatalog.
func WithCatalogs(s CatalogSource) Option {
	return optionFunc(func(c *config) {
		if s == nil {
			c.Fail("catalogs", "the catalog source must not be nil")
			return
		}
		c.catalogs = s
	})
}

// WithCatalog uses one catalog for every merchant.
func WithCatalog(cat *filter.Catalog) Option {
	return optionFunc(func(c *config) {
		if cat == nil {
			c.Fail("catalog", "the catalog must not be nil")
			return
		}
		c.catalogs = CatalogFunc(func(context.Context, string) (*filter.Catalog, error) { return cat, nil })
	})
}

// newConfig applies opts over the defaults and validates the result.
func newConfig(opts []Option) (config, error) {
	c := config{
		clock:        time.Now,
		lifetime:     DefaultLifetime,
		maxTokens:    token.DefaultMaxTokens,
		filterLimits: filter.DefaultLimits(),
		idemTTL:      DefaultIdempotenceTTL,
		idemLease:    DefaultIdempotenceLease,
	}
	sderrors.ApplyOptions(&c.ConfigProblems, opts, func(o Option) { o.apply(&c) })
	if c.idemLease > c.idemTTL { // after every option: their order does not matter
		c.Fail("idempotenceLease", "the idempotence lease must be at most the idempotence TTL ("+c.idemTTL.String()+"), got "+c.idemLease.String())
	}
	if c.catalogs == nil {
		c.Fail("catalogs", "a catalog source is required: use WithCatalogs or WithCatalog")
	}
	if c.datacenters == nil {
		c.Fail("datacenters", "a datacenter resolver is required: use WithDatacenters or WithDatacenter")
	}
	if err := c.Err(); err != nil {
		return config{}, err
	}
	return c, nil
}

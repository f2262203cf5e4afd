package filter_test

import (
	"slices"
	"testing"

	"github.com/clientsession/engine/filter"
)

// FuzzResolve runs untrusted paymentProductFilters JSON through Decode,
// Validate and Resolve on the demo catalog. It never panics, and whatever is
// accepted satisfies exclude wins, result ⊆ bound and result ⊆ context.
// Smoke run: go test -run='^$' -fuzz='^FuzzResolve$' -fuzztime=20s ./filter
func FuzzResolve(f *testing.F) {
	// Accepted shapes.
	f.Add([]byte(`{}`), "NL", "EUR", int64(1000), false)
	f.Add([]byte(`{"restrictTo":{}}`), "NL", "EUR", int64(0), false)                                                     // present, no lists: no bound
	f.Add([]byte(`{"restrictTo":{"groups":[],"products":[]}}`), "DE", "USD", int64(50), true)                            // empty lists: no bound
	f.Add([]byte(`{"restrictTo":{"groups":["cards"]}}`), "NL", "EUR", int64(100), false)                                 // bound by group
	f.Add([]byte(`{"restrictTo":{"products":[809,1]},"exclude":{"groups":["cards"]}}`), "NL", "EUR", int64(1000), false) // exclude wins
	f.Add([]byte(`{"exclude":{"products":[3,4242]}}`), "NL", "EUR", int64(600000), true)                                 // unknown id accepted
	f.Add([]byte(`{"restrictTo":{"products":[2147483647]}}`), "US", "USD", int64(99), false)                             // largest id
	// Refused shapes: every decoder and validation error path.
	f.Add([]byte(`{"restrictTo":{"products":[0]}}`), "NL", "EUR", int64(1), false)          // id 0
	f.Add([]byte(`{"restrictTo":{"products":[-1]}}`), "NL", "EUR", int64(1), false)         // negative id
	f.Add([]byte(`{"restrictTo":{"products":[2147483648]}}`), "NL", "EUR", int64(1), false) // over int32
	f.Add([]byte(`{"exclude":{"products":[1.5,1e3]}}`), "NL", "EUR", int64(1), false)       // fraction, exponent
	f.Add([]byte(`{"exclude":{"groups":["cards","cards"]}}`), "NL", "EUR", int64(1), false) // duplicate group
	f.Add([]byte(`{"exclude":{"products":[1,1]}}`), "NL", "EUR", int64(1), false)           // duplicate id
	f.Add([]byte(`{"exclude":{"groups":["wallets"]}}`), "NL", "EUR", int64(1), false)       // unknown group
	f.Add([]byte(`{"exclude":null}`), "NL", "EUR", int64(1), false)                         // null
	f.Add([]byte(`{"exclude":{"groups":[null]}}`), "NL", "EUR", int64(1), false)            // null element
	f.Add([]byte(`{"include":{}}`), "NL", "EUR", int64(1), false)                           // unknown property
	f.Add([]byte(`{"restrictTo":{"groups":"cards"}}`), "NL", "EUR", int64(1), false)        // wrong type
	f.Add([]byte(`{} []`), "NL", "EUR", int64(1), false)                                    // trailing data
	f.Add([]byte(`{"restrictTo":{"groups":["\u0000"]}}`), "nl", "", int64(-1), false)       // odd strings, bad context
	f.Add([]byte("\xff{"), "NL", "EUR", int64(1), false)                                    // not UTF-8, not JSON

	c := demoCatalog(f)
	m := newModel(demoProducts())
	f.Fuzz(func(t *testing.T, data []byte, country, currency string, amt int64, recurring bool) {
		filters, err := filter.Decode(data)
		if err != nil {
			return
		}
		if err := c.Validate(filters); err != nil {
			return
		}
		pc := filter.Context{CountryCode: country, CurrencyCode: currency, Amount: amt, IsRecurring: recurring}
		_ = pc.Validate() // must not panic; Resolve is total either way
		got := c.Resolve(pc, filters)
		excluded := m.expand(filters.Exclude)
		bound := m.expand(filters.RestrictTo)
		for _, id := range got {
			if excluded[id] {
				t.Fatalf("exclude wins broken: %d in %v for %s", id, got, data)
			}
			if bounded(filters) && !bound[id] {
				t.Fatalf("result ⊆ bound broken: %d in %v for %s", id, got, data)
			}
			p, ok := c.Product(id)
			if !ok || !allowed(p, pc) {
				t.Fatalf("result ⊆ context broken: %d in %v for %+v", id, got, pc)
			}
		}
		if want := m.resolve(pc, filters); !slices.Equal(got, want) {
			t.Fatalf("Resolve = %v, the reference model says %v for %s in %+v", got, want, data, pc)
		}
		_ = c.Explain(pc, filters)
	})
}

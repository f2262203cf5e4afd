package filter_test

import (
	"fmt"
	"testing"

	"github.com/clientsession/engine/filter"
)

// benchProducts returns a deterministic catalog of n products shaped like a
// real one: four products in ten are cards, two wallets, one bnpl; half
// accept every country, the others 5 to 20 of 30; amount bounds on a third.
func benchProducts(n int) []filter.Product {
	countries := []string{"AT", "BE", "BG", "CH", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GB", "GR", "HR",
		"HU", "IE", "IT", "LT", "LU", "LV", "MT", "NL", "NO", "PL", "PT", "RO", "SE", "SI", "US"}
	currencies := []string{"EUR", "USD", "GBP", "CHF", "SEK", "NOK", "DKK", "PLN"}
	groups := []string{"cards", "cards", "cards", "cards", "wallets", "wallets", "bnpl", "", "", ""}
	products := make([]filter.Product, n)
	for i := range products {
		p := filter.Product{
			ID:              int32(i*7 + 1),
			Group:           groups[i%len(groups)],
			DisplayOrder:    (i * 37) % 101,
			Label:           fmt.Sprintf("product %d", i),
			AllowsRecurring: i%3 != 0,
		}
		if i%2 == 1 {
			k := 5 + i%16
			for j := range k {
				p.Countries = append(p.Countries, countries[(i+j*7)%len(countries)])
			}
		}
		if i%4 == 1 {
			p.Currencies = currencies[:1+i%len(currencies)]
		}
		if i%3 == 2 {
			p.MinAmount, p.MaxAmount = amount(int64(i%5)*100), amount(100000+int64(i)*10)
		}
		products[i] = p
	}
	return products
}

// benchFilters restricts to two groups and some products and excludes a
// group and some products, all valid for benchProducts(n).
func benchFilters(n int) filter.Filters {
	var restrict, exclude []int32
	for i := 7; i < n; i += n/8 + 1 {
		restrict = append(restrict, int32(i*7+1))
	}
	for i := 0; i < n; i += n/5 + 1 {
		exclude = append(exclude, int32(i*7+1))
	}
	return filter.Filters{
		RestrictTo: &filter.Selection{Groups: []string{"cards", "wallets"}, Products: restrict},
		Exclude:    &filter.Selection{Groups: []string{"bnpl"}, Products: append(exclude, 999999)},
	}
}

var benchSizes = []int{10, 100, 1000, 10000}

var benchContext = filter.Context{CountryCode: "NL", CurrencyCode: "EUR", Amount: 25000}

// BenchmarkResolve measures Catalog.Resolve; compare with
// BenchmarkResolveNaive (the reference model of the property tests) by
// go test -run='^$' -bench=Resolve -benchmem -count=6 ./filter | tee /tmp/filter-bench.txt
// and benchstat /tmp/filter-bench.txt.
func BenchmarkResolve(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("products=%d", n), func(b *testing.B) {
			c, err := filter.NewCatalog(benchProducts(n))
			if err != nil {
				b.Fatal(err)
			}
			f := benchFilters(n)
			if err := c.Validate(f); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				_ = c.Resolve(benchContext, f)
			}
		})
	}
}

func BenchmarkResolveNaive(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("products=%d", n), func(b *testing.B) {
			m := newModel(benchProducts(n))
			f := benchFilters(n)
			b.ReportAllocs()
			for b.Loop() {
				_ = m.resolve(benchContext, f)
			}
		})
	}
}

// TestBenchmarkInputsAgree keeps the two benchmarks honest: on their
// inputs, Resolve and the model give the same, non-trivial answer.
func TestBenchmarkInputsAgree(t *testing.T) {
	t.Parallel()
	for _, n := range benchSizes {
		c, err := filter.NewCatalog(benchProducts(n))
		if err != nil {
			t.Fatal(err)
		}
		got := c.Resolve(benchContext, benchFilters(n))
		want := newModel(benchProducts(n)).resolve(benchContext, benchFilters(n))
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("n=%d: Resolve = %v, model = %v", n, got, want)
		}
		if len(got) == 0 || (n >= 100 && len(got) < n/10) {
			t.Errorf("n=%d: only %d products resolved: the benchmark measures too little", n, len(got))
		}
	}
}

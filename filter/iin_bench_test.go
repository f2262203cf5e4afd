package filter_test

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/clientsession/engine/filter"
)

// iinBenchProducts returns 250 products with 1,000 IIN ranges between them.
// Shaped like a brand table plus an issuer BIN table when broad is false:
// 10 brands with four prefixes of 1 to 4 digits each, 240 issuer products
// with four ranges of 6 to 8 digits each. With broad true, every product
// has one prefix of 1 or 2 digits and three narrow ranges: a worst case,
// where every bin matches dozens of products.
func iinBenchProducts(broad bool) []filter.Product {
	r := rand.New(rand.NewPCG(13, 13))
	digits := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('0' + r.IntN(10))
		}
		return string(b)
	}
	narrow := func() filter.IINRange {
		low := digits(6 + r.IntN(3))
		high := []byte(low)
		high[len(high)-1] = byte(min(int(high[len(high)-1])+r.IntN(5), '9'))
		return filter.IINRange{Low: low, High: string(high)}
	}
	products := make([]filter.Product, 250)
	for i := range products {
		p := filter.Product{ID: int32(1000 + i), DisplayOrder: i}
		switch {
		case broad:
			p.IINRanges = []filter.IINRange{{Low: digits(1 + i%2)}, narrow(), narrow(), narrow()}
		case i < 10:
			for range 4 {
				p.IINRanges = append(p.IINRanges, filter.IINRange{Low: digits(1 + r.IntN(4))})
			}
		default:
			p.IINRanges = []filter.IINRange{narrow(), narrow(), narrow(), narrow()}
		}
		products[i] = p
	}
	return products
}

// iinBenchBINs returns 1,024 bins of 6 to 16 digits: half start like a
// range of the catalog, half are random.
func iinBenchBINs(tb testing.TB, products []filter.Product) ([]filter.BIN, []string) {
	tb.Helper()
	r := rand.New(rand.NewPCG(7, 7))
	var bins []filter.BIN
	var texts []string
	for i := range 1024 {
		s := ""
		if i%2 == 0 {
			p := products[r.IntN(len(products))]
			s = p.IINRanges[r.IntN(len(p.IINRanges))].Low
		}
		n := 6 + r.IntN(11)
		for len(s) < n {
			s += string(rune('0' + r.IntN(10)))
		}
		b, err := filter.ParseBIN(s)
		if err != nil {
			tb.Fatal(err)
		}
		bins, texts = append(bins, b), append(texts, s)
	}
	return bins, texts
}

// BenchmarkMatchIIN looks up bins in a catalog with 1,000 IIN ranges.
// The floors: a binary search of the standard library over as many sorted
// keys as the catalog has segments (the lookup's one search, nothing else),
// and, for scale, the naive scan of every range (the tests' model).
func BenchmarkMatchIIN(b *testing.B) {
	for _, shape := range []struct {
		name  string
		broad bool
	}{{"brands+issuers", false}, {"broad-worst-case", true}} {
		products := iinBenchProducts(shape.broad)
		c, err := filter.NewCatalog(products)
		if err != nil {
			b.Fatal(err)
		}
		bins, texts := iinBenchBINs(b, products)
		hits, found := 0, 0
		for _, bin := range bins {
			if n := len(c.MatchIIN(bin)); n > 0 {
				hits, found = hits+1, found+n
			}
		}
		b.Logf("%s: %d of %d bins match, %.1f products each", shape.name, hits, len(bins), float64(found)/float64(max(hits, 1)))

		b.Run(shape.name+"/MatchIIN", func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				_ = c.MatchIIN(bins[i%len(bins)])
				i++
			}
		})
		b.Run(shape.name+"/AppendIINMatches", func(b *testing.B) {
			b.ReportAllocs()
			buf := make([]filter.IINMatch, 0, 64)
			i := 0
			for b.Loop() {
				buf = c.AppendIINMatches(buf[:0], bins[i%len(bins)])
				i++
			}
		})
		b.Run(shape.name+"/ParseBIN+MatchIIN", func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				bin, _ := filter.ParseBIN(texts[i%len(texts)])
				_ = c.MatchIIN(bin)
				i++
			}
		})
		b.Run(shape.name+"/naive-scan", func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				_ = iinModel(products, texts[i%len(texts)])
				i++
			}
		})
	}
	b.Run("floor=slices.BinarySearch", func(b *testing.B) {
		r := rand.New(rand.NewPCG(1, 2))
		keys := make([]uint32, 2001) // 1,000 ranges cut the key space into at most 2,001 segments
		for i := range keys {
			keys[i] = r.Uint32N(100_000_000)
		}
		slices.Sort(keys)
		probes := make([]uint32, 1024)
		for i := range probes {
			probes[i] = r.Uint32N(100_000_000)
		}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			_, _ = slices.BinarySearch(keys, probes[i%len(probes)])
			i++
		}
	})
}

// BenchmarkNewCatalogIIN is the cost of building a catalog with 1,000 IIN
// ranges (done once per catalog), against the same products without ranges.
func BenchmarkNewCatalogIIN(b *testing.B) {
	with := iinBenchProducts(false)
	without := slices.Clone(with)
	for i := range without {
		without[i].IINRanges = []filter.IINRange{}
	}
	for _, bc := range []struct {
		name     string
		products []filter.Product
	}{{"1000-ranges", with}, {"no-ranges", without}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := filter.NewCatalog(bc.products); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

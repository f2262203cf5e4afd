package filter_test

// The naive reference model of the filter rules (package doc, # Rules) and the generators of the
// property tests. The model is written the obvious way, with maps and
// scans, independently of the package's bitsets; the benchmarks compare
// against the same model.

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"

	"github.com/leanovate/gopter"

	"github.com/clientsession/engine/filter"
)

// model is the naive reference: products sorted once into display order,
// everything else computed per call with maps.
type model struct {
	products []filter.Product // display order
}

func newModel(products []filter.Product) *model {
	sorted := slices.Clone(products)
	slices.SortFunc(sorted, func(a, b filter.Product) int {
		return cmp.Or(cmp.Compare(a.DisplayOrder, b.DisplayOrder), cmp.Compare(a.ID, b.ID))
	})
	return &model{products: sorted}
}

// allowed reports whether p is in ctx: allowed in the payment context.
func allowed(p filter.Product, pc filter.Context) bool {
	if len(p.Countries) > 0 && !slices.Contains(p.Countries, pc.CountryCode) {
		return false
	}
	if len(p.Currencies) > 0 && !slices.Contains(p.Currencies, pc.CurrencyCode) {
		return false
	}
	if p.MinAmount != nil && pc.Amount < *p.MinAmount {
		return false
	}
	if p.MaxAmount != nil && pc.Amount > *p.MaxAmount {
		return false
	}
	return !pc.IsRecurring || p.AllowsRecurring
}

// expand returns S.products ∪ members(S.groups) as a set; nil S is empty.
func (m *model) expand(s *filter.Selection) map[int32]bool {
	out := map[int32]bool{}
	if s == nil {
		return out
	}
	for _, id := range s.Products {
		out[id] = true
	}
	for _, g := range s.Groups {
		for _, p := range m.products {
			if p.Group == g {
				out[p.ID] = true
			}
		}
	}
	return out
}

// bounded reports whether restrictTo sets a bound.
func bounded(f filter.Filters) bool {
	return f.RestrictTo != nil && (len(f.RestrictTo.Groups) > 0 || len(f.RestrictTo.Products) > 0)
}

// resolve is (ctx ∩ bound) \ expand(exclude), in display order.
func (m *model) resolve(pc filter.Context, f filter.Filters) []int32 {
	bound := m.expand(f.RestrictTo)
	excluded := m.expand(f.Exclude)
	out := []int32{}
	for _, p := range m.products {
		if allowed(p, pc) && (!bounded(f) || bound[p.ID]) && !excluded[p.ID] {
			out = append(out, p.ID)
		}
	}
	return out
}

// The universe of the generators: small, so that lists overlap often.
const (
	maxCatalogID = 6 // catalog ids are drawn from 1..6
	maxFilterID  = 8 // filter ids from 1..8: 7 and 8 are never in a catalog
)

var (
	universeGroups     = []string{"cards", "wallets", "bnpl"}
	universeCountries  = []string{"NL", "BE", "DE"}
	universeCurrencies = []string{"EUR", "USD"}
	universeAmounts    = []int64{0, 50, 100, 500, 1000}
)

// scenario is one generated case: a valid catalog, a payment context,
// filters that pass Validate, and extra items for the monotonicity rules.
type scenario struct {
	products []filter.Product
	catalog  *filter.Catalog
	model    *model
	pc       filter.Context
	f        filter.Filters
	extra    filter.Selection // known groups and ids 1..8, for "adding to ..."
	seed     int64            // for shuffles inside a property
}

func (s *scenario) String() string {
	var ps []string
	for _, p := range s.products {
		lo, hi := "-", "-"
		if p.MinAmount != nil {
			lo = strconv.FormatInt(*p.MinAmount, 10)
		}
		if p.MaxAmount != nil {
			hi = strconv.FormatInt(*p.MaxAmount, 10)
		}
		ps = append(ps, fmt.Sprintf("{%d %q order=%d %v %v %s..%s rec=%v}",
			p.ID, p.Group, p.DisplayOrder, p.Countries, p.Currencies, lo, hi, p.AllowsRecurring))
	}
	return fmt.Sprintf("catalog=%v pc=%+v f=%s extra=%s", ps, s.pc, show(s.f), show(filter.Filters{Exclude: &s.extra}))
}

// genScenario draws scenarios from the small universe. It has no shrinker:
// the universe is small enough for a failing case to be read as it is.
func genScenario() gopter.Gen {
	return func(p *gopter.GenParameters) *gopter.GenResult {
		r := p.Rng
		pick := func(n int) int { return r.Intn(n) }
		subset := func(xs []string) []string {
			var out []string
			for _, x := range xs {
				if pick(3) == 0 {
					out = append(out, x)
				}
			}
			return out
		}
		var products []filter.Product
		for id := int32(1); id <= maxCatalogID; id++ {
			if pick(5) == 0 {
				continue // about one id in five is unknown to the catalog
			}
			prod := filter.Product{ID: id, DisplayOrder: pick(4), AllowsRecurring: pick(2) == 0}
			if g := pick(len(universeGroups) + 1); g < len(universeGroups) {
				prod.Group = universeGroups[g]
			}
			if pick(2) == 0 {
				prod.Countries = subset(universeCountries)
			}
			if pick(2) == 0 {
				prod.Currencies = subset(universeCurrencies)
			}
			lo, hi := universeAmounts[pick(len(universeAmounts))], universeAmounts[pick(len(universeAmounts))]
			if lo > hi {
				lo, hi = hi, lo
			}
			if pick(3) == 0 {
				prod.MinAmount = amount(lo)
			}
			if pick(3) == 0 {
				prod.MaxAmount = amount(hi)
			}
			products = append(products, prod)
		}
		r.Shuffle(len(products), func(i, j int) { products[i], products[j] = products[j], products[i] })
		catalog, err := filter.NewCatalog(products)
		if err != nil {
			panic("genScenario made an invalid catalog: " + err.Error())
		}
		groups := catalog.Groups()
		selection := func() *filter.Selection {
			s := &filter.Selection{}
			switch pick(4) {
			case 0:
				return nil
			case 1:
				if pick(2) == 0 {
					s.Groups, s.Products = []string{}, []int32{}
				}
				return s // present and empty
			}
			for _, i := range r.Perm(len(groups)) {
				if pick(3) == 0 {
					s.Groups = append(s.Groups, groups[i])
				}
			}
			for _, i := range r.Perm(maxFilterID) {
				if pick(4) == 0 {
					s.Products = append(s.Products, int32(i+1))
				}
			}
			return s
		}
		sc := &scenario{
			products: products,
			catalog:  catalog,
			model:    newModel(products),
			pc: filter.Context{
				CountryCode:  universeCountries[pick(len(universeCountries))],
				CurrencyCode: universeCurrencies[pick(len(universeCurrencies))],
				Amount:       universeAmounts[pick(len(universeAmounts))],
				IsRecurring:  pick(4) == 0,
			},
			f:    filter.Filters{RestrictTo: selection(), Exclude: selection()},
			seed: r.Int63(),
		}
		if len(groups) > 0 && pick(2) == 0 {
			sc.extra.Groups = []string{groups[pick(len(groups))]}
		}
		sc.extra.Products = []int32{int32(1 + pick(maxFilterID))}
		return gopter.NewGenResult(sc, gopter.NoShrinker)
	}
}

// members returns the ids of the catalog products in group g, ascending.
func (s *scenario) members(g string) []int32 {
	var out []int32
	for _, p := range s.products {
		if p.Group == g {
			out = append(out, p.ID)
		}
	}
	slices.Sort(out)
	return out
}

// flatten returns sel with every group replaced by its members.
func (s *scenario) flatten(sel *filter.Selection) *filter.Selection {
	if sel == nil {
		return nil
	}
	out := &filter.Selection{Products: slices.Clone(sel.Products)}
	for _, g := range sel.Groups {
		for _, id := range s.members(g) {
			if !slices.Contains(out.Products, id) {
				out.Products = append(out.Products, id)
			}
		}
	}
	if sel.Products == nil && len(out.Products) == 0 {
		out.Products = nil
	}
	return out
}

// with returns a copy of sel with add's groups and ids added (once each).
func with(sel *filter.Selection, add filter.Selection) *filter.Selection {
	out := &filter.Selection{}
	if sel != nil {
		out.Groups, out.Products = slices.Clone(sel.Groups), slices.Clone(sel.Products)
	}
	for _, g := range add.Groups {
		if !slices.Contains(out.Groups, g) {
			out.Groups = append(out.Groups, g)
		}
	}
	for _, id := range add.Products {
		if !slices.Contains(out.Products, id) {
			out.Products = append(out.Products, id)
		}
	}
	return out
}

// subset reports whether every element of a is in b.
func subset(a []int32, b map[int32]bool) bool {
	for _, id := range a {
		if !b[id] {
			return false
		}
	}
	return true
}

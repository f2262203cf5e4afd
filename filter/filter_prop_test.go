package filter_test

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/clientsession/engine/internal/proptest"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/prop"

	"github.com/clientsession/engine/filter"
)

// TestProperties states the filter rules (package doc, # Rules),
// one gopter property each, over small generated universes: catalog ids
// 1..6 (some missing), filter ids 1..8, up to three groups.
func TestProperties(t *testing.T) {
	params := proptest.Parameters(t)
	properties := []struct {
		name string
		rule func(s *scenario) bool
	}{
		{"generated filters pass Validate", func(s *scenario) bool {
			return s.catalog.Validate(s.f) == nil && s.catalog.Validate(filter.Filters{Exclude: &s.extra}) == nil
		}},
		{"exclude wins", func(s *scenario) bool {
			excluded := s.model.expand(s.f.Exclude)
			for _, id := range s.catalog.Resolve(s.pc, s.f) {
				if excluded[id] {
					return false
				}
			}
			return true
		}},
		{"result ⊆ bound", func(s *scenario) bool {
			return !bounded(s.f) || subset(s.catalog.Resolve(s.pc, s.f), s.model.expand(s.f.RestrictTo))
		}},
		{"result ⊆ context", func(s *scenario) bool {
			for _, id := range s.catalog.Resolve(s.pc, s.f) {
				p, ok := s.catalog.Product(id)
				if !ok || !allowed(p, s.pc) {
					return false
				}
			}
			return true
		}},
		{"no filters ⇒ result = context", func(s *scenario) bool {
			want := []int32{}
			for _, p := range s.model.products {
				if allowed(p, s.pc) {
					want = append(want, p.ID)
				}
			}
			empty := filter.Filters{RestrictTo: &filter.Selection{}, Exclude: &filter.Selection{Groups: []string{}, Products: []int32{}}}
			return slices.Equal(s.catalog.Resolve(s.pc, filter.Filters{}), want) &&
				slices.Equal(s.catalog.Resolve(s.pc, empty), want)
		}},
		{"empty restrictTo ≡ absent", func(s *scenario) bool {
			absent := s.catalog.Resolve(s.pc, filter.Filters{Exclude: s.f.Exclude})
			noLists := s.catalog.Resolve(s.pc, filter.Filters{RestrictTo: &filter.Selection{}, Exclude: s.f.Exclude})
			emptyLists := s.catalog.Resolve(s.pc, filter.Filters{
				RestrictTo: &filter.Selection{Groups: []string{}, Products: []int32{}}, Exclude: s.f.Exclude,
			})
			return slices.Equal(absent, noLists) && slices.Equal(absent, emptyLists)
		}},
		{"group ≡ its members listed one by one", func(s *scenario) bool {
			want := s.catalog.Resolve(s.pc, s.f)
			inRestrictTo := filter.Filters{RestrictTo: s.flatten(s.f.RestrictTo), Exclude: s.f.Exclude}
			inExclude := filter.Filters{RestrictTo: s.f.RestrictTo, Exclude: s.flatten(s.f.Exclude)}
			both := filter.Filters{RestrictTo: s.flatten(s.f.RestrictTo), Exclude: s.flatten(s.f.Exclude)}
			return slices.Equal(s.catalog.Resolve(s.pc, inRestrictTo), want) &&
				slices.Equal(s.catalog.Resolve(s.pc, inExclude), want) &&
				slices.Equal(s.catalog.Resolve(s.pc, both), want)
		}},
		{"adding to exclude never adds", func(s *scenario) bool {
			before := s.catalog.Resolve(s.pc, s.f)
			after := s.catalog.Resolve(s.pc, filter.Filters{RestrictTo: s.f.RestrictTo, Exclude: with(s.f.Exclude, s.extra)})
			return subset(after, set(before))
		}},
		{"adding to a set restrictTo never removes", func(s *scenario) bool {
			base := s.f
			if !bounded(base) { // make it set, so that no case is vacuous
				base.RestrictTo = &filter.Selection{Products: []int32{s.extra.Products[0]}}
			}
			more := filter.Selection{Groups: s.extra.Groups, Products: []int32{int32(1 + s.seed%maxFilterID)}}
			before := s.catalog.Resolve(s.pc, base)
			after := s.catalog.Resolve(s.pc, filter.Filters{RestrictTo: with(base.RestrictTo, more), Exclude: base.Exclude})
			return subset(before, set(after))
		}},
		{"idempotent", func(s *scenario) bool {
			// Resolving again over the catalog cut down to the result, in
			// the same context with the same filters, changes nothing.
			result := s.catalog.Resolve(s.pc, s.f)
			var kept []filter.Product
			for _, p := range s.products {
				if slices.Contains(result, p.ID) {
					kept = append(kept, p)
				}
			}
			c, err := filter.NewCatalog(kept)
			return err == nil && slices.Equal(c.Resolve(s.pc, s.f), result)
		}},
		{"order and duplicates of input irrelevant, output in display order", func(s *scenario) bool {
			r := rand.New(rand.NewPCG(uint64(s.seed), 1))
			want := s.catalog.Resolve(s.pc, s.f)
			shuffled := slices.Clone(s.products)
			r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
			c, err := filter.NewCatalog(shuffled)
			if err != nil || !slices.Equal(c.Resolve(s.pc, s.f), want) {
				return false
			}
			messy := filter.Filters{RestrictTo: scramble(r, s.f.RestrictTo), Exclude: scramble(r, s.f.Exclude)}
			if !slices.Equal(s.catalog.Resolve(s.pc, messy), want) || !slices.Equal(s.catalog.Resolve(s.pc, s.f.Normalize()), want) {
				return false
			}
			return slices.IsSortedFunc(want, func(a, b int32) int {
				pa, _ := s.catalog.Product(a)
				pb, _ := s.catalog.Product(b)
				return cmp.Or(cmp.Compare(pa.DisplayOrder, pb.DisplayOrder), cmp.Compare(a, b))
			}) && len(slices.Compact(slices.Clone(want))) == len(want)
		}},
		{"equals the naive reference model", func(s *scenario) bool {
			return slices.Equal(s.catalog.Resolve(s.pc, s.f), s.model.resolve(s.pc, s.f))
		}},
		{"explain agrees with resolve", func(s *scenario) bool {
			result := set(s.catalog.Resolve(s.pc, s.f))
			ex := s.catalog.Explain(s.pc, s.f)
			if len(ex) < len(s.products) {
				return false
			}
			for _, e := range ex {
				if e.Available != result[e.ProductID] || e.Available != (e.Reason == filter.ReasonAvailable) {
					return false
				}
			}
			return true
		}},
		{"permits and context agree with resolve", func(s *scenario) bool {
			result := set(s.catalog.Resolve(s.pc, s.f))
			for id := int32(1); id <= maxFilterID; id++ {
				p, known := s.catalog.Product(id)
				if (known && s.catalog.Permits(s.f, id) && allowed(p, s.pc)) != result[id] {
					return false
				}
			}
			return true
		}},
	}
	for _, p := range properties {
		t.Run(p.name, func(t *testing.T) {
			props := gopter.NewProperties(params)
			props.Property(p.name, prop.ForAll(p.rule, genScenario()))
			props.TestingRun(t)
		})
	}
}

// scramble returns sel with its lists shuffled and some items repeated.
func scramble(r *rand.Rand, sel *filter.Selection) *filter.Selection {
	if sel == nil {
		return nil
	}
	out := &filter.Selection{Groups: slices.Clone(sel.Groups), Products: slices.Clone(sel.Products)}
	if len(out.Groups) > 0 && r.IntN(2) == 0 {
		out.Groups = append(out.Groups, out.Groups[r.IntN(len(out.Groups))])
	}
	if len(out.Products) > 0 && r.IntN(2) == 0 {
		out.Products = append(out.Products, out.Products[r.IntN(len(out.Products))])
	}
	r.Shuffle(len(out.Groups), func(i, j int) { out.Groups[i], out.Groups[j] = out.Groups[j], out.Groups[i] })
	r.Shuffle(len(out.Products), func(i, j int) { out.Products[i], out.Products[j] = out.Products[j], out.Products[i] })
	return out
}

func set(ids []int32) map[int32]bool {
	out := make(map[int32]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out
}

package filter

import (
	"math/bits"
	"slices"
	"strconv"
	"strings"

	"github.com/samber/lo"

	sderrors "github.com/clientsession/engine/errors"
)

// stackWords is the size of the bitsets Resolve keeps on the stack: catalogs
// of up to 64*stackWords products resolve with one allocation, the result.
const stackWords = 32

// Validate checks f against the catalog: the rules of [Filters.Validate]
// (ids, duplicates), then [Catalog.KnownGroups]. Errors are *sderrors.Error
// with paths relative to paymentProductFilters ("exclude.groups[1]").
// Unknown but well-formed product ids are accepted.
func (c *Catalog) Validate(f Filters) error {
	if err := f.Validate(); err != nil {
		return err
	}
	return c.KnownGroups(f)
}

// KnownGroups checks the one filter rule that needs the catalog: every
// group f names is one of the catalog's (ErrUnknownGroup at e.g.
// "exclude.groups[1]"; restrictTo first, then exclude). It is what a
// caller runs after [Filters.Validate] passed at decoding time.
func (c *Catalog) KnownGroups(f Filters) error {
	for _, side := range []struct {
		name string
		s    *Selection
	}{{"restrictTo", f.RestrictTo}, {"exclude", f.Exclude}} {
		if side.s == nil {
			continue
		}
		for i, g := range side.s.Groups {
			if _, ok := c.groupIdx[g]; !ok {
				return sderrors.ErrUnknownGroup.WithProperty(side.name + ".groups[" + strconv.Itoa(i) + "]").
					WithMessage(c.unknownGroupMessage())
			}
		}
	}
	return nil
}

func (c *Catalog) unknownGroupMessage() string {
	if len(c.groups) == 0 {
		return "unknown payment product group: this merchant's catalog has no groups"
	}
	return "unknown payment product group; known groups: " + strings.Join(c.groups, ", ")
}

// Resolve returns the ids of the products available in pc under f, in
// display order: (ctx ∩ bound) \ expand(exclude) (the rules of the package documentation). f must have
// passed Validate; unknown groups and ids in f match nothing.
//
// The result is never nil. Resolve allocates only the result for catalogs
// of up to 2,048 products.
func (c *Catalog) Resolve(pc Context, f Filters) []int32 {
	var keepBuf, boundBuf [stackWords]uint64
	var keep []uint64
	if c.words <= stackWords {
		keep = keepBuf[:c.words]
	} else {
		keep = make([]uint64, c.words)
	}
	c.allowedIn(pc, keep)
	if !f.RestrictTo.empty() {
		var bound []uint64
		if c.words <= stackWords {
			bound = boundBuf[:c.words]
		} else {
			bound = make([]uint64, c.words)
		}
		c.mark(bound, f.RestrictTo)
		for w := range keep {
			keep[w] &= bound[w]
		}
	}
	if f.Exclude != nil {
		c.unmark(keep, f.Exclude)
	}
	out := make([]int32, 0, count(keep))
	for w, word := range keep {
		for word != 0 {
			out = append(out, c.ids[w<<6+bits.TrailingZeros64(word)])
			word &= word - 1
		}
	}
	return out
}

// allowedIn sets keep to the products allowed in pc: ctx of the package documentation.
func (c *Catalog) allowedIn(pc Context, keep []uint64) {
	country, ok := c.byCountry[pc.CountryCode]
	if !ok {
		country = c.anyCountry
	}
	currency, ok := c.byCurrency[pc.CurrencyCode]
	if !ok {
		currency = c.anyCurrency
	}
	recurring := c.all
	if pc.IsRecurring {
		recurring = c.recurring
	}
	for w := range keep {
		keep[w] = country[w] & currency[w] & recurring[w]
	}
	for w := range keep {
		word := keep[w] & c.amountBounds[w]
		for word != 0 {
			t := bits.TrailingZeros64(word)
			word &= word - 1
			if i := w<<6 + t; pc.Amount < c.minAmt[i] || pc.Amount > c.maxAmt[i] {
				keep[w] &^= 1 << uint(t)
			}
		}
	}
}

// mark sets the bits of expand(s).
func (c *Catalog) mark(dst []uint64, s *Selection) {
	for _, g := range s.Groups {
		if gi, ok := c.groupIdx[g]; ok {
			for w, bits := range c.members[gi] {
				dst[w] |= bits
			}
		}
	}
	for _, id := range s.Products {
		if pos, ok := c.byID[id]; ok {
			set(dst, int(pos))
		}
	}
}

// unmark clears the bits of expand(s).
func (c *Catalog) unmark(dst []uint64, s *Selection) {
	for _, g := range s.Groups {
		if gi, ok := c.groupIdx[g]; ok {
			for w, bits := range c.members[gi] {
				dst[w] &^= bits
			}
		}
	}
	for _, id := range s.Products {
		if pos, ok := c.byID[id]; ok {
			clearBit(dst, int(pos))
		}
	}
}

// Permits reports whether f lets product id through, ignoring the payment
// context: the id is in the catalog, within the bound, and not excluded.
func (c *Catalog) Permits(f Filters, id int32) bool {
	pos, ok := c.byID[id]
	if !ok {
		return false
	}
	if !f.RestrictTo.empty() && !c.in(int(pos), f.RestrictTo) {
		return false
	}
	return f.Exclude == nil || !c.in(int(pos), f.Exclude)
}

// in reports whether the product at pos is in expand(s).
func (c *Catalog) in(pos int, s *Selection) bool {
	if slices.Contains(s.Products, c.ids[pos]) {
		return true
	}
	g := c.groupOf[pos]
	return g >= 0 && slices.Contains(s.Groups, c.groups[g])
}

// Explanation says why one product is or is not available.
type Explanation struct {
	ProductID int32
	Known     bool   // in the catalog
	Available bool   // Resolve returns it
	Reason    string // "available", "excluded: exclude.groups contains cards", "not in restrictTo", "currency USD not accepted", ...
}

// Reasons of an [Explanation] that are fixed strings; the others are built
// as the package documentation shows.
const (
	ReasonAvailable       = "available"
	ReasonNotInRestrictTo = "not in restrictTo"
	ReasonRecurring       = "recurring not supported"
	ReasonUnknown         = "unknown product id"
)

// Explain returns one Explanation per catalog product (display order), then
// one per unknown id named in f (ascending). Each gives the first reason
// that applies, in the order of the package documentation: exclude
// (products, then groups), restrictTo, then the payment context (country,
// currency, minimum, maximum, recurring). Available is true exactly for the
// ids Resolve returns.
func (c *Catalog) Explain(pc Context, f Filters) []Explanation {
	// Sets over positions, so that long lists cost one pass each.
	why := explainer{pc: pc, excludedID: make([]uint64, c.words), excludedGroup: make([]bool, len(c.groups))}
	if f.Exclude != nil {
		for _, id := range f.Exclude.Products {
			if pos, ok := c.byID[id]; ok {
				set(why.excludedID, int(pos))
			}
		}
		for _, g := range f.Exclude.Groups {
			if gi, ok := c.groupIdx[g]; ok {
				why.excludedGroup[gi] = true
			}
		}
	}
	if !f.RestrictTo.empty() {
		why.bound = make([]uint64, c.words)
		c.mark(why.bound, f.RestrictTo)
	}
	out := make([]Explanation, 0, len(c.products))
	for i := range c.products {
		reason := c.reason(&why, i)
		out = append(out, Explanation{
			ProductID: c.ids[i],
			Known:     true,
			Available: reason == ReasonAvailable,
			Reason:    reason,
		})
	}
	var named []int32
	for _, s := range []*Selection{f.RestrictTo, f.Exclude} {
		if s != nil {
			named = append(named, s.Products...)
		}
	}
	unknown := lo.Uniq(lo.Reject(named, func(id int32, _ int) bool { _, ok := c.byID[id]; return ok }))
	slices.Sort(unknown)
	for _, id := range unknown {
		out = append(out, Explanation{ProductID: id, Reason: ReasonUnknown})
	}
	return out
}

// explainer holds what Explain computes once per call.
type explainer struct {
	pc            Context
	excludedID    []uint64 // positions named in exclude.products
	excludedGroup []bool   // group index -> named in exclude.groups
	bound         []uint64 // expand(restrictTo); nil when there is no bound
}

func (c *Catalog) reason(why *explainer, pos int) string {
	p, pc := &c.products[pos], why.pc
	switch {
	case has(why.excludedID, pos):
		return "excluded: exclude.products contains " + strconv.Itoa(int(p.ID))
	case c.groupOf[pos] >= 0 && why.excludedGroup[c.groupOf[pos]]:
		return "excluded: exclude.groups contains " + p.Group
	case why.bound != nil && !has(why.bound, pos):
		return ReasonNotInRestrictTo
	}
	switch {
	case len(p.Countries) > 0 && !slices.Contains(p.Countries, pc.CountryCode):
		return "country " + pc.CountryCode + " not accepted"
	case len(p.Currencies) > 0 && !slices.Contains(p.Currencies, pc.CurrencyCode):
		return "currency " + pc.CurrencyCode + " not accepted"
	case pc.Amount < c.minAmt[pos]:
		return "amount " + strconv.FormatInt(pc.Amount, 10) + " below minimum " + strconv.FormatInt(c.minAmt[pos], 10)
	case pc.Amount > c.maxAmt[pos]:
		return "amount " + strconv.FormatInt(pc.Amount, 10) + " above maximum " + strconv.FormatInt(c.maxAmt[pos], 10)
	case pc.IsRecurring && !p.AllowsRecurring:
		return ReasonRecurring
	}
	return ReasonAvailable
}

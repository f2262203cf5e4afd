package filter

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	sderrors "github.com/clientsession/engine/errors"
)

// The IIN (issuer identification number) is the first digits of a card
// number; card brands own ranges of them. A Product's IINRanges say which
// card numbers belong to it, and [Catalog.MatchIIN] finds the products of a
// card number's first 6 to 19 digits (a [BIN]).

// Limits of IIN ranges and bins.
const (
	// MaxIINRangeDigits is the most digits a range bound has: ISO/IEC 7812
	// issuer identification numbers are at most 8 digits long.
	MaxIINRangeDigits = 8
	// MinBINDigits and MaxBINDigits bound the digits of a lookup: the
	// Client API's getIINdetails takes 6 to 19 digits.
	MinBINDigits = 6
	MaxBINDigits = 19
)

// IINRange is a range of issuer identification numbers: the card numbers
// whose first len(Low) digits, read as a number, are between Low and High
// inclusive. Low is 1 to 8 digits; High has as many digits as Low and is
// not below it, or is empty for a prefix (Low alone). Examples: VISA is
// {Low: "4"}, MasterCard {Low: "51", High: "55"} and {Low: "2221", High:
// "2720"}.
//
// A range of k digits decides only for lookups of at least k digits: an
// 8-digit range never matches a 6-digit bin.
type IINRange struct {
	Low  string
	High string
}

// ParseIINRange reads the text form of a range: a prefix ("4", "34") or two
// bounds of the same length joined by a hyphen ("51-55", "2221-2720").
// Errors are ErrInvalidValue with no property; callers add theirs.
func ParseIINRange(s string) (IINRange, error) {
	low, high, _ := strings.Cut(s, "-")
	r := IINRange{Low: low, High: high}
	if strings.Contains(s, "-") && high == "" {
		return IINRange{}, sderrors.ErrInvalidValue.WithMessage(iinRangeRule)
	}
	if err := r.check(); err != nil {
		return IINRange{}, err
	}
	return r, nil
}

const iinRangeRule = `an IIN range is a prefix of 1 to 8 digits ("4") or two bounds of the same number of digits, the first not above the second ("51-55")`

// String returns the text form ParseIINRange reads.
func (r IINRange) String() string {
	if r.High == "" || r.High == r.Low {
		return r.Low
	}
	return r.Low + "-" + r.High
}

// MarshalText returns the text form, so that a range is a JSON string.
func (r IINRange) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText reads the text form with ParseIINRange.
func (r *IINRange) UnmarshalText(b []byte) error {
	v, err := ParseIINRange(string(b))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// check validates r; the error has no property.
func (r IINRange) check() *sderrors.Error {
	high := cmp.Or(r.High, r.Low)
	if len(r.Low) < 1 || len(r.Low) > MaxIINRangeDigits || len(high) != len(r.Low) ||
		!allDigits(r.Low) || !allDigits(high) || high < r.Low {
		return sderrors.ErrInvalidValue.WithMessage(iinRangeRule)
	}
	return nil
}

// bounds returns r as a half-open interval [lo, hi) of 8-digit keys, and
// its number of digits. r must be valid.
func (r IINRange) bounds() (lo, hi uint32, digits uint8) {
	k := len(r.Low)
	scale := pow10[MaxIINRangeDigits-k]
	l, _ := strconv.ParseUint(r.Low, 10, 32)
	h, _ := strconv.ParseUint(cmp.Or(r.High, r.Low), 10, 32)
	return uint32(l) * scale, (uint32(h) + 1) * scale, uint8(k) //nolint:gosec // valid ranges have 1 to 8 digits
}

var pow10 = [...]uint32{ //nolint:gochecknoglobals // a read-only table
	1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000}

func allDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// checkIINRanges validates the ranges of a product; the property is
// relative to the product, e.g. "iinRanges[1]".
func checkIINRanges(ranges []IINRange) *sderrors.Error {
	for j, r := range ranges {
		if err := r.check(); err != nil {
			return sderrors.ErrInvalidConfiguration.WithProperty("iinRanges[" + strconv.Itoa(j) + "]").
				WithMessage(iinRangeRule)
		}
	}
	return nil
}

// BIN is the first 6 to 19 digits of a card number, as [ParseBIN] read
// them. It keeps only what a lookup needs: the first 8 digits and the
// number of digits given, never the rest of the card number.
type BIN struct {
	key    uint32 // the first min(n, 8) digits, padded with zeros to 8
	digits uint8  // n, 6 to 19
}

// ParseBIN checks the bin of a getIINdetails request: 6 to 19 ASCII
// digits. An empty bin is sderrors.ErrParameterNotFound, anything else
// wrong sderrors.ErrInvalidValue, both at "bin"; the message never repeats
// the value (it may be most of a card number).
func ParseBIN(s string) (BIN, error) {
	switch {
	case s == "":
		return BIN{}, sderrors.ErrParameterNotFound.WithProperty("bin")
	case len(s) < MinBINDigits || len(s) > MaxBINDigits || !allDigits(s):
		return BIN{}, sderrors.ErrInvalidValue.WithProperty("bin").
			WithMessage("bin is the first 6 to 19 digits of the card number, digits only")
	}
	var key uint32
	for i := range MaxIINRangeDigits {
		key *= 10
		if i < len(s) {
			key += uint32(s[i] - '0')
		}
	}
	return BIN{key: key, digits: uint8(len(s))}, nil //nolint:gosec // checked: 6 to 19 digits
}

// Digits returns how many digits the bin had, 6 to 19.
func (b BIN) Digits() int { return int(b.digits) }

// IINMatch is a catalog product whose IIN ranges hold a bin, with the most
// specific of its ranges that does.
type IINMatch struct {
	ProductID int32
	Range     IINRange
}

// iinIndex is the lookup structure of a catalog's IIN ranges: the 8-digit
// key space cut into disjoint segments at every range bound, each segment
// listing the ranges that cover it. A lookup is one binary search.
type iinIndex struct {
	starts  []uint32   // segment i is [starts[i], starts[i+1]); starts[0] = 0
	offs    []uint32   // segment i's entries are entries[offs[i]:offs[i+1]]
	entries []iinEntry // per segment: most specific first, then display order
	ranges  []IINRange // entries[i].rng indexes this
}

type iinEntry struct {
	pos    int32  // display position of the product
	rng    int32  // index into ranges
	width  uint32 // keys the range covers: smaller is more specific
	digits uint8  // the range's digits: it needs a bin of at least that many
}

// effectiveIINRanges returns p's ranges: its own when set (even empty),
// else the defaults of its id.
func effectiveIINRanges(p Product) []IINRange {
	if p.IINRanges != nil {
		return p.IINRanges
	}
	return defaultIINRanges[p.ID]
}

// buildIINIndex indexes the effective ranges of products (display order,
// validated).
func buildIINIndex(products []Product) iinIndex {
	type span struct {
		lo, hi uint32
		e      iinEntry
	}
	var spans []span
	var idx iinIndex
	for pos, p := range products {
		for _, r := range effectiveIINRanges(p) {
			lo, hi, digits := r.bounds()
			idx.ranges = append(idx.ranges, r)
			spans = append(spans, span{lo, hi, iinEntry{pos: int32(pos), rng: int32(len(idx.ranges) - 1), width: hi - lo, digits: digits}}) //nolint:gosec // a catalog holds far fewer than 2^31 products and ranges
		}
	}
	cuts := []uint32{0}
	for _, s := range spans {
		cuts = append(cuts, s.lo, s.hi)
	}
	slices.Sort(cuts)
	cuts = slices.Compact(cuts)
	if last := cuts[len(cuts)-1]; last == pow10[MaxIINRangeDigits] {
		cuts = cuts[:len(cuts)-1] // no segment starts past the last key
	}
	// Two passes over the spans: count the entries of each segment, then
	// place them, so that the entries are one allocation.
	firsts := make([]int, len(spans))
	idx.offs = make([]uint32, len(cuts)+1)
	for j, s := range spans {
		firsts[j], _ = slices.BinarySearch(cuts, s.lo)
		for i := firsts[j]; i < len(cuts) && cuts[i] < s.hi; i++ {
			idx.offs[i+1]++
		}
	}
	for i := range cuts {
		idx.offs[i+1] += idx.offs[i]
	}
	idx.entries = make([]iinEntry, idx.offs[len(cuts)])
	fill := slices.Clone(idx.offs[:len(cuts)])
	for j, s := range spans {
		for i := firsts[j]; i < len(cuts) && cuts[i] < s.hi; i++ {
			idx.entries[fill[i]] = s.e
			fill[i]++
		}
	}
	for i := range cuts {
		slices.SortFunc(idx.entries[idx.offs[i]:idx.offs[i+1]], func(a, b iinEntry) int {
			return cmp.Or(cmp.Compare(a.width, b.width), cmp.Compare(a.pos, b.pos), cmp.Compare(a.rng, b.rng))
		})
	}
	idx.starts = cuts
	return idx
}

// MatchIIN returns the products whose IIN ranges hold b, each once with its
// most specific range that does, the most specific first (the narrowest
// range), ties in display order. No match is a nil result: the catalog
// does not know the card. It allocates only the result; AppendIINMatches
// does not allocate when dst has room.
func (c *Catalog) MatchIIN(b BIN) []IINMatch {
	lo, hi := c.iin.segment(b)
	if lo == hi {
		return nil
	}
	out := c.AppendIINMatches(make([]IINMatch, 0, hi-lo), b)
	if len(out) == 0 {
		return nil
	}
	return out
}

// AppendIINMatches appends the matches of MatchIIN to dst and returns the
// extended slice.
func (c *Catalog) AppendIINMatches(dst []IINMatch, b BIN) []IINMatch {
	x := &c.iin
	lo, hi := x.segment(b)
	base := len(dst)
	for _, e := range x.entries[lo:hi] {
		if e.digits > b.digits {
			continue
		}
		id := c.ids[e.pos]
		if slices.ContainsFunc(dst[base:], func(m IINMatch) bool { return m.ProductID == id }) {
			continue
		}
		dst = append(dst, IINMatch{ProductID: id, Range: x.ranges[e.rng]})
	}
	return dst
}

// segment returns the entries of the segment holding b, as bounds into
// x.entries.
func (x *iinIndex) segment(b BIN) (lo, hi uint32) {
	if b.digits == 0 || len(x.starts) == 0 {
		return 0, 0
	}
	seg, found := slices.BinarySearch(x.starts, b.key)
	if !found {
		seg--
	}
	return x.offs[seg], x.offs[seg+1]
}

// IINRanges returns the ranges that the product id holds in this catalog:
// its own, or the defaults of its id (see DefaultIINRanges). Nil for an
// unknown id.
func (c *Catalog) IINRanges(id int32) []IINRange {
	p, ok := c.Product(id)
	if !ok {
		return nil
	}
	return slices.Clone(effectiveIINRanges(p))
}

// DefaultIINRanges returns the public IIN ranges of a well-known card
// product id of the Connect platform (the table in the package
// documentation), or nil. A catalog product with nil IINRanges takes
// these; to add to them, set IINRanges to append(DefaultIINRanges(id),
// ...); to have none, set an empty, non-nil slice.
func DefaultIINRanges(id int32) []IINRange {
	return slices.Clone(defaultIINRanges[id])
}

// DefaultIINProducts returns the product ids that have default IIN ranges,
// ascending.
func DefaultIINProducts() []int32 {
	ids := make([]int32, 0, len(defaultIINRanges))
	for id := range defaultIINRanges {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

func prefixes(ps ...string) []IINRange {
	out := make([]IINRange, len(ps))
	for i, p := range ps {
		r, err := ParseIINRange(p)
		if err != nil {
			panic("filter: bad default IIN range " + p) // caught by the package's tests
		}
		out[i] = r
	}
	return out
}

// defaultIINRanges is the table of the package documentation (# IIN
// ranges), which names the source of each id.
var defaultIINRanges = map[int32][]IINRange{ //nolint:gochecknoglobals // a read-only table, only cloned out
	1:   prefixes("4"),                                                         // VISA
	2:   prefixes("34", "37"),                                                  // American Express
	3:   prefixes("2221-2720", "51-55"),                                        // MasterCard
	56:  prefixes("62"),                                                        // UnionPay International
	114: prefixes("4"),                                                         // Visa Debit
	117: prefixes("5018", "5020", "5038", "5893", "6304", "6759", "6761-6763"), // Maestro
	119: prefixes("2221-2720", "51-55"),                                        // MasterCard Debit
	122: prefixes("4026", "417500", "4405", "4508", "4844", "4913", "4917"),    // Visa Electron
	125: prefixes("3528-3589"),                                                 // JCB
	128: prefixes("6011", "622126-622925", "644-649", "65"),                    // Discover
	132: prefixes("300-305", "3095", "36", "38-39"),                            // Diners Club
}

package filter

import (
	"cmp"
	"math"
	"slices"
	"strconv"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/internal/strictjson"
)

// Selection is one side of the filters: payment product groups and product
// ids. A nil slice is absent, an empty one is present and empty; both mean
// "nothing listed" for the rules.
type Selection struct {
	Groups   []string `json:"groups,omitempty"`
	Products []int32  `json:"products,omitempty"`
}

// empty reports whether s is nil or lists nothing.
func (s *Selection) empty() bool {
	return s == nil || (len(s.Groups) == 0 && len(s.Products) == 0)
}

// Filters is the wire paymentProductFilters object. A nil RestrictTo or
// Exclude is absent.
type Filters struct {
	RestrictTo *Selection `json:"restrictTo,omitempty"`
	Exclude    *Selection `json:"exclude,omitempty"`
}

// Decode decodes the JSON of a paymentProductFilters object strictly (no
// unknown property, no null, integers only, ids in 1..MaxInt32). Error paths
// are relative to the object, e.g. "restrictTo.groups[1]"; the session
// decoder prefixes "paymentProductFilters". Rules that need the catalog
// (known groups, duplicates) are checked by [Catalog.Validate].
//
// An absent member stays nil and a present one is non-nil, also when it is
// empty: `{"restrictTo":{}}` has a non-nil RestrictTo with nil lists, and
// `{"exclude":{"groups":[]}}` a non-nil, empty Exclude.Groups.
func Decode(data []byte) (Filters, error) {
	var f Filters
	err := strictjson.Members(data, func(name, raw []byte) error {
		var err error
		switch string(name) {
		case "restrictTo":
			f.RestrictTo, err = decodeSelection(raw)
		case "exclude":
			f.Exclude, err = decodeSelection(raw)
		default:
			return sderrors.ErrUnknownProperty
		}
		return err
	})
	if err != nil {
		return Filters{}, err
	}
	return f, nil
}

func decodeSelection(raw []byte) (*Selection, error) {
	var s Selection
	err := strictjson.Members(raw, func(name, raw []byte) error {
		switch string(name) {
		case "groups":
			groups, err := strictjson.Strings(raw)
			s.Groups = groups
			return err
		case "products":
			nums, err := strictjson.NumberArray(raw)
			if err != nil {
				return err
			}
			ids := make([]int32, nums.Len())
			err = nums.Each(func(i int, n []byte) error {
				id, ok := parseID(n)
				if !ok {
					return sderrors.ErrInvalidProductID.WithProperty("[" + strconv.Itoa(i) + "]")
				}
				ids[i] = id
				return nil
			})
			if err != nil {
				return err
			}
			s.Products = ids
			return nil
		}
		return sderrors.ErrUnknownProperty
	})
	if err != nil {
		return nil, err
	}
	return &s, nil
}

// parseID accepts a JSON number written as an integer that is a
// ValidProductID: no fraction, no exponent ("1.0" and "1e3" are refused),
// no sign.
func parseID(n []byte) (int32, bool) {
	if len(n) == 0 || len(n) > 10 {
		return 0, false
	}
	var v int64
	for _, c := range n {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	if !ValidProductID(v) {
		return 0, false
	}
	return int32(v), true
}

// ValidProductID reports whether id is a payment product id: an integer
// from 1 to 2147483647 (a positive int32). It is the one definition of the
// rule: decoders, Filters.Validate, NewCatalog and data loaders call it.
func ValidProductID(id int64) bool { return id > 0 && id <= math.MaxInt32 }

// Limits caps the lists of one Filters value, so that what one session
// stores stays bounded: a list longer than its cap is refused at decoding
// time (ErrTooManyItems at the list, e.g. "restrictTo.products"). The same
// caps hold for restrictTo and exclude.
type Limits struct {
	// Groups is the most groups one list may name (at least 1).
	Groups int
	// Products is the most product ids one list may name (at least 1).
	Products int
}

// Default caps of DefaultLimits: a catalog rarely has more than a few
// dozen groups, and a restriction to more than a few hundred named
// products is better expressed with groups.
const (
	DefaultMaxGroups   = 32
	DefaultMaxProducts = 512
)

// DefaultLimits returns the caps Validate applies: DefaultMaxGroups groups
// and DefaultMaxProducts product ids per list.
func DefaultLimits() Limits {
	return Limits{Groups: DefaultMaxGroups, Products: DefaultMaxProducts}
}

// Valid reports whether every cap of l is at least 1.
func (l Limits) Valid() bool { return l.Groups >= 1 && l.Products >= 1 }

// Validate checks f under DefaultLimits; see ValidateWithin.
func (f Filters) Validate() error { return f.ValidateWithin(DefaultLimits()) }

// ValidateWithin checks the rules of f that need no catalog: no list is
// longer than its cap in l (ErrTooManyItems at the list, e.g.
// "restrictTo.products"), every product id
// is a ValidProductID, and no group or product id is listed twice in one
// list (ErrInvalidProductID, ErrDuplicateItem at e.g.
// "exclude.products[2]", the second occurrence). Lists are checked in the
// order restrictTo.groups, restrictTo.products, exclude.groups,
// exclude.products, each from its first element; the first problem found
// is returned. [Catalog.KnownGroups] checks the rest. It is the one owner
// of these rules: decoders, the session engine and data loaders call it.
//
// Limits that are not Valid (a cap under 1, e.g. the zero Limits) are never
// replaced by defaults: they are a bug of the caller, ErrInternal wrapping
// an ErrInvalidConfiguration at "limits", whatever f holds.
func (f Filters) ValidateWithin(l Limits) error {
	if !l.Valid() {
		return sderrors.ErrInternal.WithCause(sderrors.ErrInvalidConfiguration.WithProperty("limits").WithMessage(
			"filter: every cap of the limits must be at least 1, got " + strconv.Itoa(l.Groups) + " groups and " +
				strconv.Itoa(l.Products) + " products"))
	}
	if f.RestrictTo != nil {
		if err := f.RestrictTo.validate(l); err != nil {
			return err.Prefix("restrictTo")
		}
	}
	if f.Exclude != nil {
		if err := f.Exclude.validate(l); err != nil {
			return err.Prefix("exclude")
		}
	}
	return nil
}

// validate checks one selection for Filters.Validate. Long lists use a
// map, so that untrusted input stays linear.
func (s *Selection) validate(l Limits) *sderrors.Error {
	if len(s.Groups) > l.Groups {
		return sderrors.ErrTooManyItems.WithProperty("groups").
			WithMessage("at most " + strconv.Itoa(l.Groups) + " groups are allowed per list")
	}
	if len(s.Products) > l.Products {
		return sderrors.ErrTooManyItems.WithProperty("products").
			WithMessage("at most " + strconv.Itoa(l.Products) + " product ids are allowed per list")
	}
	if i, j := duplicate(s.Groups); i >= 0 {
		return sderrors.ErrDuplicateItem.WithProperty("groups[" + strconv.Itoa(i) + "]").
			WithMessage("the group is also listed at groups[" + strconv.Itoa(j) + "]")
	}
	for i, id := range s.Products {
		if !ValidProductID(int64(id)) {
			return sderrors.ErrInvalidProductID.WithProperty("products[" + strconv.Itoa(i) + "]")
		}
	}
	if i, j := duplicate(s.Products); i >= 0 {
		return sderrors.ErrDuplicateItem.WithProperty("products[" + strconv.Itoa(i) + "]").
			WithMessage("the product id is also listed at products[" + strconv.Itoa(j) + "]")
	}
	return nil
}

// duplicate returns the index of the first element of list that repeats
// an earlier one, and the index of that earlier one; -1, -1 when the
// elements are distinct.
func duplicate[T comparable](list []T) (int, int) {
	if len(list) <= 16 {
		for i := 1; i < len(list); i++ {
			if j := slices.Index(list[:i], list[i]); j >= 0 {
				return i, j
			}
		}
		return -1, -1
	}
	seen := make(map[T]int, len(list))
	for i, v := range list {
		if j, ok := seen[v]; ok {
			return i, j
		}
		seen[v] = i
	}
	return -1, -1
}

// Normalize returns a copy of f in canonical form: an empty or absent
// RestrictTo becomes nil, and so does an empty Exclude; lists are sorted
// and de-duplicated, and an empty list inside a non-empty selection
// becomes nil. Resolve gives the same result for f and f.Normalize().
// The copy shares no memory with f.
func (f Filters) Normalize() Filters {
	return Filters{RestrictTo: normalize(f.RestrictTo), Exclude: normalize(f.Exclude)}
}

// sortedSet returns the members of xs in ascending order without
// duplicates, in one allocation (a copy: xs is the caller's).
func sortedSet[T cmp.Ordered](xs []T) []T {
	out := slices.Clone(xs)
	slices.Sort(out)
	return slices.Compact(out)
}

func normalize(s *Selection) *Selection {
	if s.empty() {
		return nil
	}
	out := &Selection{}
	if len(s.Groups) > 0 {
		out.Groups = sortedSet(s.Groups)
	}
	if len(s.Products) > 0 {
		out.Products = sortedSet(s.Products)
	}
	return out
}

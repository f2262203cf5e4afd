package filter

// Selection is one side of the filters: payment product groups and product
// ids. A nil slice is absent, an empty one is present and empty; both mean
// "nothing listed" for the rules.
type Selection struct {
	Groups   []string `json:"groups,omitempty"`
	Products []int32  `json:"products,omitempty"`
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
func Decode(data []byte) (Filters, error) {
	panic("TODO")
}

// Normalize returns a copy of f in canonical form: an empty or absent
// RestrictTo becomes nil, and so does an empty Exclude; lists are sorted.
// Resolve gives the same result for f and f.Normalize().
func (f Filters) Normalize() Filters {
	panic("TODO")
}

package filter

// Validate checks f against the catalog: every group known, every id in
// 1..MaxInt32, no duplicates within one list. Errors are *sderrors.Error
// with paths relative to paymentProductFilters ("exclude.groups[1]").
// Unknown but well-formed product ids are accepted.
func (c *Catalog) Validate(f Filters) error { panic("TODO") }

// Resolve returns the ids of the products available in pc under f, in
// display order: (ctx ∩ bound) \ expand(exclude), DESIGN §3.1. f must have
// passed Validate.
func (c *Catalog) Resolve(pc Context, f Filters) []int32 { panic("TODO") }

// Permits reports whether f lets product id through, ignoring the payment
// context: the id is in the catalog, within the bound, and not excluded.
func (c *Catalog) Permits(f Filters, id int32) bool { panic("TODO") }

// Explanation says why one product is or is not available.
type Explanation struct {
	ProductID int32
	Known     bool   // in the catalog
	Available bool   // Resolve returns it
	Reason    string // "available", "excluded by exclude.groups[cards]", "not in restrictTo", "currency USD not accepted", ...
}

// Explain returns one Explanation per catalog product (display order), then
// one per unknown id named in f (ascending).
func (c *Catalog) Explain(pc Context, f Filters) []Explanation { panic("TODO") }

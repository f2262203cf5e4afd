package filter

// Product is a payment product of a merchant's catalog.
type Product struct {
	ID                 int32    // positive
	Group              string   // "" when the product is in no group, e.g. "cards"
	DisplayOrder       int      // ascending; ties broken by ID
	Label              string   // display label, e.g. "VISA"
	Logo               string   // logo path, relative to assetUrl, e.g. "pp_logo_1.png"
	PaymentMethod      string   // e.g. "card", "redirect"
	Countries          []string // ISO 3166 alpha-2 accepted; nil or empty: all
	Currencies         []string // ISO 4217 accepted; nil or empty: all
	MinAmount          *int64   // inclusive, minor units; nil: unbounded
	MaxAmount          *int64   // inclusive, minor units; nil: unbounded
	AllowsRecurring    bool
	AllowsTokenization bool
}

// Catalog is an immutable, validated set of payment products, safe for
// concurrent use. Its groups are the groups its products name.
type Catalog struct {
	// TODO(filter): indexes
}

// NewCatalog validates products (unique positive ids, min <= max, well-formed
// country and currency codes) and returns the catalog; errors are
// *sderrors.Error with ErrInvalidConfiguration naming the entry, e.g.
// "products[3].maxAmount". The slice is copied.
func NewCatalog(products []Product) (*Catalog, error) {
	panic("TODO")
}

// Products returns the products in display order. The caller must not
// modify the returned slices inside each Product.
func (c *Catalog) Products() []Product { panic("TODO") }

// Product returns the product with id.
func (c *Catalog) Product(id int32) (Product, bool) { panic("TODO") }

// Groups returns the group names, sorted.
func (c *Catalog) Groups() []string { panic("TODO") }

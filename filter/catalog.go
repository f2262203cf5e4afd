package filter

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"

	sderrors "github.com/clientsession/engine/errors"
)

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
	// IINRanges are the card numbers of the product (see IINRange); nil
	// takes the defaults of a well-known card product id
	// (DefaultIINRanges), an empty non-nil slice means none.
	IINRanges []IINRange
}

// Catalog is an immutable, validated set of payment products, safe for
// concurrent use. Its groups are the groups its products name.
//
// Products are kept in display order and referred to by their position in
// that order; every per-product fact Resolve needs is precomputed as a
// bitset over positions, so that resolving is a few word-wise operations.
type Catalog struct {
	products []Product       // display order, deep copies
	ids      []int32         // ids[i] = products[i].ID
	minAmt   []int64         // inclusive; math.MinInt64 when unbounded
	maxAmt   []int64         // inclusive; math.MaxInt64 when unbounded
	groupOf  []int32         // position -> index into groups, -1 for none
	byID     map[int32]int32 // id -> position
	words    int             // len of every bitset

	groups   []string         // sorted
	groupIdx map[string]int32 // name -> index into groups
	members  [][]uint64       // group index -> bitset of its products

	anyCountry   []uint64            // products accepting every country
	byCountry    map[string][]uint64 // country -> products accepting it (anyCountry included)
	anyCurrency  []uint64
	byCurrency   map[string][]uint64
	recurring    []uint64 // products allowing recurring payments
	all          []uint64 // every product
	amountBounds []uint64 // products with a minimum or a maximum amount

	iin iinIndex // IIN ranges, see iin.go

	derived sync.Map // key -> value, see Derived
}

// NewCatalog validates products (unique positive ids, min <= max, well-formed
// country and currency codes) and returns the catalog; errors are
// *sderrors.Error with ErrInvalidConfiguration naming the entry, e.g.
// "products[3].maxAmount". The slice is copied.
//
// Also refused: a negative minimum or maximum amount, and a group name with
// surrounding white space or control characters ("" means no group), and
// an IIN range that ParseIINRange refuses ("products[3].iinRanges[1]").
// An empty catalog is valid: nothing is ever available in it.
func NewCatalog(products []Product) (*Catalog, error) {
	seen := make(map[int32]int, len(products))
	for i, p := range products {
		if err := checkProduct(p); err != nil {
			return nil, err.Prefix("products[" + strconv.Itoa(i) + "]")
		}
		if j, dup := seen[p.ID]; dup {
			return nil, sderrors.ErrInvalidConfiguration.WithProperty("products[" + strconv.Itoa(i) + "].id").
				WithMessage("the product id " + strconv.Itoa(int(p.ID)) + " is also used by products[" + strconv.Itoa(j) + "]")
		}
		seen[p.ID] = i
	}

	n := len(products)
	c := &Catalog{
		products: make([]Product, n),
		ids:      make([]int32, n),
		minAmt:   make([]int64, n),
		maxAmt:   make([]int64, n),
		groupOf:  make([]int32, n),
		byID:     make(map[int32]int32, n),
		words:    (n + 63) / 64,
		groupIdx: map[string]int32{},
	}
	for i, p := range products {
		c.products[i] = clone(p)
	}
	slices.SortFunc(c.products, func(a, b Product) int {
		return cmp.Or(cmp.Compare(a.DisplayOrder, b.DisplayOrder), cmp.Compare(a.ID, b.ID))
	})

	newSet := func() []uint64 { return make([]uint64, c.words) }
	c.all, c.anyCountry, c.anyCurrency = newSet(), newSet(), newSet()
	c.recurring, c.amountBounds = newSet(), newSet()
	c.byCountry, c.byCurrency = map[string][]uint64{}, map[string][]uint64{}

	for i, p := range c.products {
		pos := int32(i)
		c.ids[i] = p.ID
		c.byID[p.ID] = pos
		set(c.all, i)
		c.minAmt[i], c.maxAmt[i] = math.MinInt64, math.MaxInt64
		if p.MinAmount != nil {
			c.minAmt[i] = *p.MinAmount
			set(c.amountBounds, i)
		}
		if p.MaxAmount != nil {
			c.maxAmt[i] = *p.MaxAmount
			set(c.amountBounds, i)
		}
		if p.AllowsRecurring {
			set(c.recurring, i)
		}
		c.groupOf[i] = -1
		if p.Group != "" {
			if _, ok := c.groupIdx[p.Group]; !ok {
				c.groupIdx[p.Group] = 0
				c.groups = append(c.groups, p.Group)
			}
		}
	}
	slices.Sort(c.groups)
	c.members = make([][]uint64, len(c.groups))
	for g, name := range c.groups {
		c.groupIdx[name] = int32(g)
		c.members[g] = newSet()
	}
	for i, p := range c.products {
		if p.Group != "" {
			g := c.groupIdx[p.Group]
			c.groupOf[i] = g
			set(c.members[g], i)
		}
	}
	indexCodes(c.products, c.words, func(p Product) []string { return p.Countries }, c.anyCountry, c.byCountry)
	indexCodes(c.products, c.words, func(p Product) []string { return p.Currencies }, c.anyCurrency, c.byCurrency)
	c.iin = buildIINIndex(c.products)
	return c, nil
}

// indexCodes fills any with the products whose list is empty and byCode
// with, per code, the products listing it or accepting any code.
func indexCodes(products []Product, words int, list func(Product) []string, anyCode []uint64, byCode map[string][]uint64) {
	for i, p := range products {
		if len(list(p)) == 0 {
			set(anyCode, i)
		}
	}
	for i, p := range products {
		for _, code := range list(p) {
			bits, ok := byCode[code]
			if !ok {
				bits = make([]uint64, words)
				copy(bits, anyCode)
				byCode[code] = bits
			}
			set(bits, i)
		}
	}
}

func checkProduct(p Product) *sderrors.Error {
	bad := func(property, msg string) *sderrors.Error {
		return sderrors.ErrInvalidConfiguration.WithProperty(property).WithMessage(msg)
	}
	if !ValidProductID(int64(p.ID)) {
		return bad("id", "product ids are integers from 1 to 2147483647")
	}
	if p.Group != "" && (strings.TrimSpace(p.Group) != p.Group || strings.IndexFunc(p.Group, unicode.IsControl) >= 0) {
		return bad("group", "a group name has no surrounding white space and no control characters")
	}
	for j, cc := range p.Countries {
		if !isCode(cc, 2) {
			return bad("countries["+strconv.Itoa(j)+"]", strconv.Quote(cc)+" is not a country code: countries are ISO 3166 alpha-2 codes in upper case, e.g. NL")
		}
	}
	for j, cc := range p.Currencies {
		if !isCode(cc, 3) {
			return bad("currencies["+strconv.Itoa(j)+"]", strconv.Quote(cc)+" is not a currency code: currencies are ISO 4217 codes in upper case, e.g. EUR")
		}
	}
	if p.MinAmount != nil && *p.MinAmount < 0 {
		return bad("minAmount", "amounts are zero or more, in minor units")
	}
	if p.MaxAmount != nil && *p.MaxAmount < 0 {
		return bad("maxAmount", "amounts are zero or more, in minor units")
	}
	if p.MinAmount != nil && p.MaxAmount != nil && *p.MinAmount > *p.MaxAmount {
		return bad("maxAmount", "the maximum amount "+strconv.FormatInt(*p.MaxAmount, 10)+" is below the minimum amount "+strconv.FormatInt(*p.MinAmount, 10))
	}
	return checkIINRanges(p.IINRanges)
}

// clone returns a deep copy of p.
func clone(p Product) Product {
	p.Countries = slices.Clone(p.Countries)
	p.Currencies = slices.Clone(p.Currencies)
	p.IINRanges = slices.Clone(p.IINRanges)
	if p.MinAmount != nil {
		v := *p.MinAmount
		p.MinAmount = &v
	}
	if p.MaxAmount != nil {
		v := *p.MaxAmount
		p.MaxAmount = &v
	}
	return p
}

// Products returns the products in display order. The caller must not
// modify the returned slices inside each Product.
func (c *Catalog) Products() []Product { return slices.Clone(c.products) }

// Product returns the product with id.
func (c *Catalog) Product(id int32) (Product, bool) {
	pos, ok := c.byID[id]
	if !ok {
		return Product{}, false
	}
	return c.products[pos], true
}

// Len returns the number of products.
func (c *Catalog) Len() int { return len(c.products) }

// Index returns the position of product id in the display order (the order
// of Products), from 0 to Len()-1.
func (c *Catalog) Index(id int32) (int, bool) {
	pos, ok := c.byID[id]
	return int(pos), ok
}

// Derived returns the value that build makes from c for key, calling build
// at most once per catalog and key that is kept (two concurrent first
// calls may both build; one value wins and is returned to both). It lets
// another package compute something from an immutable catalog once and
// keep it exactly as long as the catalog lives: package wire keeps each
// catalog's products encoded as JSON here. key must be comparable; use a
// value of an unexported type of the calling package, as with
// context.WithValue, so that packages never collide. The value must be
// safe for concurrent use and is never changed by the catalog.
func (c *Catalog) Derived(key any, build func(*Catalog) any) any {
	if v, ok := c.derived.Load(key); ok {
		return v
	}
	v, _ := c.derived.LoadOrStore(key, build(c))
	return v
}

// Groups returns the group names, sorted.
func (c *Catalog) Groups() []string { return slices.Clone(c.groups) }

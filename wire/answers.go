package wire

import (
	"github.com/clientsession/engine/filter"
	"github.com/clientsession/engine/session"
)

// The Client API answers as a transport writes them: the same bytes as
// json.Marshal of NewPaymentProducts, NewPaymentProduct,
// NewPaymentProductGroups and NewPaymentProductGroup, assembled from JSON
// encoded once per catalog (see the package documentation, "Encoding").

// catalogKey is the filter.Catalog.Derived key of a catalog's encoded
// products.
type catalogKey struct{}

// catalogJSON is what the package derives from one catalog: the JSON of
// every product, by position in the catalog's display order.
type catalogJSON struct {
	products []productJSON
}

// productJSON is the JSON of one catalog product that does not depend on
// the session: everything before accountsOnFile.
type productJSON struct {
	src  filter.Product // what head and groupHead were encoded from
	head []byte         // the product's members up to accountsOnFile: {"id":…, no closing brace
	// groupHead is its group's members up to accountsOnFile when it is the
	// group's first available member; nil when it is in no group.
	groupHead []byte
}

// The fields member of products and groups, encoded once: what fieldsOf
// gives, as appendFieldsMember writes it.
var (
	cardFieldsMember  = appendFieldsMember(nil, fieldsOf(true, true))  //nolint:gochecknoglobals // read-only, computed once
	emptyFieldsMember = appendFieldsMember(nil, fieldsOf(false, true)) //nolint:gochecknoglobals // read-only, computed once
)

// appendFieldsOf appends the fields member fieldsOf(card, withFields)
// encodes to.
func appendFieldsOf(b []byte, card, withFields bool) []byte {
	switch {
	case withFields && card:
		return append(b, cardFieldsMember...)
	case withFields:
		return append(b, emptyFieldsMember...)
	}
	return b
}

// encodedCatalog returns c's encoded products, encoding them on the first
// call for c.
func encodedCatalog(c *filter.Catalog) *catalogJSON {
	cj, _ := c.Derived(catalogKey{}, encodeCatalog).(*catalogJSON)
	return cj
}

// encodeCatalog encodes every product of c, in one buffer.
func encodeCatalog(c *filter.Catalog) any {
	products := c.Products()
	cj := &catalogJSON{products: make([]productJSON, len(products))}
	type span struct{ head, group, end int }
	spans := make([]span, len(products))
	var buf []byte
	for i := range products {
		p := &products[i]
		s := span{head: len(buf)}
		h := productHead(p)
		buf = appendProductHead(buf, &h)
		s.group = len(buf)
		if p.Group != "" {
			g := groupHead(p.Group, p.DisplayOrder)
			buf = appendGroupHead(buf, &g)
		}
		s.end = len(buf)
		spans[i] = s
	}
	for i, s := range spans {
		e := &cj.products[i]
		e.src = products[i]
		e.head = buf[s.head:s.group:s.group]
		if s.end > s.group {
			e.groupHead = buf[s.group:s.end:s.end]
		}
	}
	return cj
}

// encoder finds the encoded products of the catalogs of the products it is
// asked for, remembering the last catalog.
type encoder struct {
	catalog *filter.Catalog
	encoded *catalogJSON
}

// lookup returns the encoded form of p, or nil when p names no catalog or
// differs from its catalog's product in a member that is encoded.
func (e *encoder) lookup(p *session.AvailableProduct) *productJSON {
	if p.Catalog == nil {
		return nil
	}
	if p.Catalog != e.catalog {
		e.catalog, e.encoded = p.Catalog, encodedCatalog(p.Catalog)
	}
	i, ok := p.Catalog.Index(p.ID)
	if !ok || i >= len(e.encoded.products) {
		return nil
	}
	pj := &e.encoded.products[i]
	if !sameEncoded(&pj.src, &p.Product) {
		return nil
	}
	return pj
}

// sameEncoded reports whether a and b agree on every member productHead
// and groupHead read.
func sameEncoded(a, b *filter.Product) bool {
	return a.ID == b.ID && a.DisplayOrder == b.DisplayOrder && a.Label == b.Label && a.Logo == b.Logo &&
		a.PaymentMethod == b.PaymentMethod && a.Group == b.Group &&
		a.AllowsRecurring == b.AllowsRecurring && a.AllowsTokenization == b.AllowsTokenization &&
		sameAmount(a.MinAmount, b.MinAmount) && sameAmount(a.MaxAmount, b.MaxAmount)
}

func sameAmount(a, b *int64) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}

// AppendPaymentProducts appends the answer of GET .../products to b:
// json.Marshal(NewPaymentProducts(products, withFields)), byte for byte,
// from each product's JSON encoded once per catalog (products that name
// their catalog, as session.Engine.Products returns them) plus the
// session's accounts on file.
func AppendPaymentProducts(b []byte, products []session.AvailableProduct, withFields bool) []byte {
	var e encoder
	b = append(b, `{"paymentProducts":[`...)
	for i := range products {
		if i > 0 {
			b = append(b, ',')
		}
		b = e.appendProduct(b, &products[i], withFields)
	}
	return append(b, "]}"...)
}

// AppendPaymentProduct appends the answer of GET .../products/{id} to b:
// json.Marshal(NewPaymentProduct(p, withFields)), byte for byte.
func AppendPaymentProduct(b []byte, p session.AvailableProduct, withFields bool) []byte {
	var e encoder
	return e.appendProduct(b, &p, withFields)
}

func (e *encoder) appendProduct(b []byte, p *session.AvailableProduct, withFields bool) []byte {
	if pj := e.lookup(p); pj != nil {
		b = append(b, pj.head...)
	} else {
		h := productHead(&p.Product)
		b = appendProductHead(b, &h)
	}
	if len(p.AccountsOnFile) > 0 {
		b = appendAccountsOf(b, &p.Product, p.AccountsOnFile, true)
		b = append(b, ']')
	}
	b = appendFieldsOf(b, isCard(p.Product), withFields)
	return append(b, '}')
}

// appendAccountsOf appends the accounts on file of product p, as
// NewAccountsOnFile maps them, to the accountsOnFile member: opening it
// with its name when first, else continuing it; the caller closes it. It
// appends nothing for no accounts.
func appendAccountsOf(b []byte, p *filter.Product, accounts []session.AccountOnFile, first bool) []byte {
	for i := range accounts {
		if first && i == 0 {
			b = append(b, `,"accountsOnFile":[`...)
		} else {
			b = append(b, ',')
		}
		var l accountLists
		b = accountOnFile(p, &accounts[i], &l).AppendJSON(b)
	}
	return b
}

// AppendPaymentProductGroups appends the answer of GET .../productgroups
// to b: json.Marshal(NewPaymentProductGroups(products, withFields)), byte
// for byte.
func AppendPaymentProductGroups(b []byte, products []session.AvailableProduct, withFields bool) []byte {
	ids, members := groupsOf(products)
	var e encoder
	b = append(b, `{"paymentProductGroups":[`...)
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = e.appendGroup(b, id, members[id], withFields)
	}
	return append(b, "]}"...)
}

// AppendPaymentProductGroup appends the answer of GET
// .../productgroups/{id} to b: json.Marshal of what NewPaymentProductGroup
// returns, byte for byte, or its error (and b unchanged).
func AppendPaymentProductGroup(b []byte, products []session.AvailableProduct, id string, withFields bool) ([]byte, error) {
	var members []session.AvailableProduct
	for i := range products {
		if products[i].Group == id {
			members = append(members, products[i])
		}
	}
	if id == "" || len(members) == 0 {
		return b, errUnknownGroup
	}
	var e encoder
	return e.appendGroup(b, id, members, withFields), nil
}

// appendGroup appends group id of its available members, as newGroup
// maps it.
func (e *encoder) appendGroup(b []byte, id string, members []session.AvailableProduct, withFields bool) []byte {
	if pj := e.lookup(&members[0]); pj != nil && pj.groupHead != nil && pj.src.Group == id {
		b = append(b, pj.groupHead...)
	} else {
		g := groupHead(id, members[0].DisplayOrder)
		b = appendGroupHead(b, &g)
	}
	card, first := false, true
	for i := range members {
		m := &members[i]
		b = appendAccountsOf(b, &m.Product, m.AccountsOnFile, first)
		first = first && len(m.AccountsOnFile) == 0
		card = card || isCard(m.Product)
	}
	if !first {
		b = append(b, ']')
	}
	b = appendFieldsOf(b, card, withFields)
	return append(b, '}')
}

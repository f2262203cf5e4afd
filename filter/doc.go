// Package filter resolves which payment products a client session may show:
// it holds a merchant's [Catalog], the payment [Context] of a client call and
// the paymentProductFilters ([Filters]) of a session, and implements the
// rules below with [Catalog.Resolve], [Catalog.Permits] and
// [Catalog.Explain]. It is pure: no I/O, no clock, no goroutines; a Catalog
// is immutable and safe for concurrent use.
//
// Untrusted JSON is read by [Decode] (strict: no unknown property, no null,
// ids are integers in 1..2147483647); the rules that need the catalog are
// checked by [Catalog.Validate]. Errors are *sderrors.Error whose property
// path is relative to paymentProductFilters, e.g. exclude.groups[1].
//
// # Rules
//
// Let ctx be the catalog products allowed in the
// payment context: the country and the currency are accepted (an empty
// list accepts all), MinAmount <= amount <= MaxAmount (inclusive, minor
// units, an absent bound is no bound), and AllowsRecurring when the
// payment is recurring. Let expand(S) = S.Products ∪ members(S.Groups),
// where the members of a group are the catalog products naming it.
//
//   - restrictTo absent, or present with both lists empty: no bound.
//     Otherwise bound = expand(restrictTo): an upper bound, never a widening.
//   - exclude always wins, at product and group level: excluding a group
//     removes every member even when it or its members are in restrictTo.
//   - Result = (ctx ∩ bound) \ expand(exclude), in the catalog's display
//     order (DisplayOrder ascending, then ID), deterministic.
//   - Groups are the ones the catalog's products name; an unknown group is
//     ErrUnknownGroup at its path, e.g. restrictTo.groups[1].
//   - Product ids are positive int32: zero, negative, over-range, fractional
//     or exponent ids are ErrInvalidProductID at their index. Unknown but
//     well-formed ids are accepted, never available, and explained.
//   - A value listed twice in one list is ErrDuplicateItem at its second
//     occurrence. Unknown properties, null and wrong JSON types are
//     refused by Decode.
//
// The property tests (filter_prop_test.go) state them one property each:
// exclude wins (result ∩ expand(exclude) = ∅); result ⊆ bound; result ⊆
// ctx; no filters ⇒ result = ctx; an empty restrictTo ≡ an absent one; a
// group ≡ its members listed one by one, in either list; adding to exclude
// never adds; adding to a set restrictTo never removes; idempotence
// (resolving again over the catalog restricted to the result, or with the
// result as restrictTo, gives the result); input order and duplicates do
// not matter and the output follows the display order; the result equals
// a naive reference model; and Explain and Permits agree with Resolve.
//
// # Explanations
//
// [Catalog.Explain] gives one reason per product, the first that applies in
// this order:
//
//	excluded: exclude.products contains <id>   the id is in exclude.products
//	excluded: exclude.groups contains <group>  its group is in exclude.groups
//	not in restrictTo                          restrictTo is set and does not expand to it
//	country <CC> not accepted                  e.g. country NL not accepted
//	currency <CUR> not accepted                e.g. currency USD not accepted
//	amount <a> below minimum <min>             e.g. amount 50 below minimum 100
//	amount <a> above maximum <max>             e.g. amount 600000 above maximum 500000
//	recurring not supported                    a recurring payment, AllowsRecurring false
//	available                                  Resolve returns it
//	unknown product id                         named in the filters, not in the catalog
//
// Reasons name a list and a value ("contains 3"), never "[3]": brackets
// mean an index in a propertyName.
//
// Products are explained in display order, then the unknown ids named in
// either list, ascending.
//
// # Performance
//
// [NewCatalog] precomputes, per country, currency and group, bitsets over
// the display positions, and an id index; [Catalog.Resolve] is then a few
// word-wise operations and allocates only its result for catalogs of up to
// 2,048 products.
package filter

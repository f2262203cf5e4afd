package wire_test

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/filter"
	"github.com/clientsession/engine/session"
	"github.com/clientsession/engine/token"
	"github.com/clientsession/engine/wire"
)

// The encoders of json.go against encoding/json: for any value of each
// wire type, AppendJSON gives exactly json.Marshal's bytes. The values are
// drawn from bytes (gen): the fuzz targets feed them arbitrary bytes, the
// differential tests seeded random ones.

// gen draws values from bytes; when they run out it draws zeros.
type gen struct{ b []byte }

func (g *gen) byte() byte {
	if len(g.b) == 0 {
		return 0
	}
	c := g.b[0]
	g.b = g.b[1:]
	return c
}

func (g *gen) bool() bool { return g.byte()&1 == 1 }

// n returns a number in [0, limit).
func (g *gen) n(limit int) int { return int(g.byte()) % limit }

func (g *gen) int64() int64 {
	var raw [8]byte
	k := copy(raw[:], g.b)
	g.b = g.b[k:]
	v := int64(binary.LittleEndian.Uint64(raw[:]))
	switch g.n(4) { // small numbers, the usual case, as often as wide ones
	case 0:
		return v % 1000
	case 1:
		return -v % 100
	}
	return v
}

func (g *gen) int32() int32 { return int32(g.int64()) }

// tricky are strings whose escaping differs between encoders that are
// almost right.
var tricky = []string{
	"", "VISA", `a"b\c`, "<script>&amp;</script>", "\u2028\u2029", "\x00\x01\x1f\x7f", "\b\f\n\r\t",
	"\xff", "é\xc3", "\xed\xa0\x80", "日本語", "😀", "\xf4\x90\x80\x80", "a\u2027b\u202ac", "{{9999}} {{999}}",
}

func (g *gen) string() string {
	if g.bool() {
		return tricky[g.n(len(tricky))]
	}
	n := min(g.n(24), len(g.b))
	s := string(g.b[:n])
	g.b = g.b[n:]
	return s
}

func (g *gen) strings() []string {
	switch g.n(4) {
	case 0:
		return nil
	case 1:
		return []string{}
	}
	out := make([]string, 1+g.n(4))
	for i := range out {
		out[i] = g.string()
	}
	return out
}

func (g *gen) int64p() *int64 {
	if g.bool() {
		return nil
	}
	v := g.int64()
	return &v
}

func (g *gen) displayHints() wire.DisplayHints {
	return wire.DisplayHints{DisplayOrder: int(g.int64()), Label: g.string(), Logo: g.string()}
}

// count is a list length: -1 for nil, else 0 to max.
func (g *gen) count(limit int) int { return g.n(limit+2) - 1 }

func (g *gen) account() wire.AccountOnFile {
	a := wire.AccountOnFile{ID: int(g.int64()), PaymentProductID: g.int32()}
	if n := g.count(3); n >= 0 {
		a.Attributes = make([]wire.AccountOnFileAttribute, n)
		for i := range a.Attributes {
			a.Attributes[i] = wire.AccountOnFileAttribute{Key: g.string(), Value: g.string(), Status: g.string()}
		}
	}
	if n := g.count(2); n >= 0 {
		a.DisplayHints.LabelTemplate = make([]wire.LabelTemplateElement, n)
		for i := range a.DisplayHints.LabelTemplate {
			a.DisplayHints.LabelTemplate[i] = wire.LabelTemplateElement{AttributeKey: g.string(), Mask: g.string()}
		}
	}
	a.DisplayHints.Logo = g.string()
	return a
}

func (g *gen) accounts() []wire.AccountOnFile {
	n := g.count(3)
	if n < 0 {
		return nil
	}
	out := make([]wire.AccountOnFile, n)
	for i := range out {
		out[i] = g.account()
	}
	return out
}

func (g *gen) field() wire.PaymentProductField {
	f := wire.PaymentProductField{ID: g.string(), Type: g.string()}
	f.DataRestrictions.IsRequired = g.bool()
	v := &f.DataRestrictions.Validators
	if g.bool() {
		v.Length = &wire.LengthValidator{MinLength: int(g.int64()), MaxLength: int(g.int64())}
	}
	if g.bool() {
		v.Luhn = &struct{}{}
	}
	if g.bool() {
		v.ExpirationDate = &struct{}{}
	}
	if g.bool() {
		v.RegularExpr = &wire.RegularExpressionValidator{RegularExpression: g.string()}
	}
	f.DisplayHints = wire.FieldDisplayHints{
		AlwaysShow: g.bool(), DisplayOrder: int(g.int64()), FormElement: wire.FormElement{Type: g.string()},
		Label: g.string(), Mask: g.string(), Obfuscate: g.bool(), PlaceholderLabel: g.string(), PreferredInputType: g.string(),
	}
	return f
}

func (g *gen) fields() []wire.PaymentProductField {
	n := g.count(3)
	if n < 0 {
		return nil
	}
	out := make([]wire.PaymentProductField, n)
	for i := range out {
		out[i] = g.field()
	}
	return out
}

func (g *gen) product() wire.PaymentProduct {
	return wire.PaymentProduct{
		ID: g.int32(), DisplayHints: g.displayHints(), PaymentMethod: g.string(), PaymentProductGroup: g.string(),
		AllowsRecurring: g.bool(), AllowsTokenization: g.bool(), AllowsInstallments: g.bool(), AutoTokenized: g.bool(),
		CanBeIframed: g.bool(), DeviceFingerprintEnabled: g.bool(), IsJavaScriptRequired: g.bool(),
		MobileIntegrationLevel: g.string(), SupportsMandates: g.bool(), UsesRedirectionTo3rdParty: g.bool(),
		MinAmount: g.int64p(), MaxAmount: g.int64p(), AccountsOnFile: g.accounts(), Fields: g.fields(),
	}
}

func (g *gen) products() wire.PaymentProducts {
	n := g.count(3)
	if n < 0 {
		return wire.PaymentProducts{}
	}
	out := wire.PaymentProducts{PaymentProducts: make([]wire.PaymentProduct, n)}
	for i := range out.PaymentProducts {
		out.PaymentProducts[i] = g.product()
	}
	return out
}

func (g *gen) group() wire.PaymentProductGroup {
	return wire.PaymentProductGroup{
		ID: g.string(), DisplayHints: g.displayHints(), AllowsInstallments: g.bool(), DeviceFingerprintEnabled: g.bool(),
		AccountsOnFile: g.accounts(), Fields: g.fields(),
	}
}

func (g *gen) groups() wire.PaymentProductGroups {
	n := g.count(3)
	if n < 0 {
		return wire.PaymentProductGroups{}
	}
	out := wire.PaymentProductGroups{PaymentProductGroups: make([]wire.PaymentProductGroup, n)}
	for i := range out.PaymentProductGroups {
		out.PaymentProductGroups[i] = g.group()
	}
	return out
}

func (g *gen) iinDetails() wire.IINDetailsResponse {
	r := wire.IINDetailsResponse{PaymentProductID: g.int32(), CountryCode: g.string(), IsAllowedInContext: g.bool()}
	if n := g.count(3); n >= 0 {
		r.CoBrands = make([]wire.IINBrand, n)
		for i := range r.CoBrands {
			r.CoBrands[i] = wire.IINBrand{PaymentProductID: g.int32(), IsAllowedInContext: g.bool()}
		}
	}
	return r
}

func (g *gen) sessionResponse() wire.SessionResponse {
	return wire.SessionResponse{AssetURL: g.string(), ClientAPIURL: g.string(), ClientSessionID: g.string(),
		CustomerID: g.string(), InvalidTokens: g.strings(), Region: g.string()}
}

func (g *gen) errorResponse() sderrors.ErrorResponse {
	r := sderrors.ErrorResponse{ErrorID: g.string()}
	if n := g.count(3); n >= 0 {
		r.Errors = make([]sderrors.APIError, n)
		for i := range r.Errors {
			r.Errors[i] = sderrors.APIError{Category: g.string(), Code: g.string(), HTTPStatusCode: int(g.int64()),
				ID: g.string(), Message: g.string(), PropertyName: g.string(), RequestID: g.string()}
		}
	}
	return r
}

// encoders are the types under test: a value drawn from g, and its JSON
// by the package's encoder appended to b.
var encoders = []struct {
	name   string
	encode func(b []byte, g *gen) (v any, got []byte)
}{
	{"PaymentProducts", func(b []byte, g *gen) (any, []byte) { v := g.products(); return v, v.AppendJSON(b) }},
	{"PaymentProduct", func(b []byte, g *gen) (any, []byte) { v := g.product(); return v, v.AppendJSON(b) }},
	{"PaymentProductGroups", func(b []byte, g *gen) (any, []byte) { v := g.groups(); return v, v.AppendJSON(b) }},
	{"PaymentProductGroup", func(b []byte, g *gen) (any, []byte) { v := g.group(); return v, v.AppendJSON(b) }},
	{"AccountOnFile", func(b []byte, g *gen) (any, []byte) { v := g.account(); return v, v.AppendJSON(b) }},
	{"PublicKey", func(b []byte, g *gen) (any, []byte) {
		v := wire.PublicKey{KeyID: g.string(), PublicKey: g.string()}
		return v, v.AppendJSON(b)
	}},
	{"IINDetailsResponse", func(b []byte, g *gen) (any, []byte) { v := g.iinDetails(); return v, v.AppendJSON(b) }},
	{"SessionResponse", func(b []byte, g *gen) (any, []byte) { v := g.sessionResponse(); return v, v.AppendJSON(b) }},
	{"ErrorResponse", func(b []byte, g *gen) (any, []byte) {
		v := g.errorResponse()
		return v, wire.AppendErrorResponse(b, v)
	}},
}

// checkEncoder draws one value of encoder i from data and compares its
// JSON with json.Marshal's, appended to nothing and to a prefix.
func checkEncoder(t *testing.T, i int, data []byte) {
	t.Helper()
	enc := encoders[i]
	v, got := enc.encode(nil, &gen{b: data})
	want, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s %#v:\n got %s\nwant %s", enc.name, v, got, want)
	}
	prefix := []byte("prefix")
	if _, got := enc.encode(prefix[:len(prefix):len(prefix)], &gen{b: data}); !bytes.Equal(got, append(prefix, want...)) {
		t.Fatalf("%s: appended to %q gives %s", enc.name, prefix, got)
	}
}

// TestAppendJSONMatchesEncodingJSON: 3,000 random values of each type.
// The seed is logged; set WIRE_JSON_SEED to replay one.
func TestAppendJSONMatchesEncodingJSON(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if s := testingSeed(t); s != 0 {
		seed = s
	}
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, seed>>1))
	data := make([]byte, 512)
	for i := range encoders {
		t.Run(encoders[i].name, func(t *testing.T) {
			for range 3000 {
				for j := range data {
					data[j] = byte(r.Uint32())
				}
				checkEncoder(t, i, data)
			}
		})
	}
}

func testingSeed(t *testing.T) uint64 {
	t.Helper()
	raw := os.Getenv("WIRE_JSON_SEED")
	if raw == "" {
		return 0
	}
	s, err := strconv.ParseUint(raw, 10, 64)
	if err != nil {
		t.Fatalf("WIRE_JSON_SEED=%q: %v", raw, err)
	}
	return s
}

// fuzzEncoder is the fuzz target of encoder name.
func fuzzEncoder(f *testing.F, name string) {
	f.Helper()
	i := -1
	for j := range encoders {
		if encoders[j].name == name {
			i = j
		}
	}
	if i < 0 {
		f.Fatalf("no encoder %s", name)
	}
	f.Add([]byte{})
	f.Add(bytes.Repeat([]byte{0xff}, 64))
	f.Add(bytes.Repeat([]byte{1}, 200))
	f.Add([]byte("\x02\x01<\x00\x01\x03\xe2\x80\xa8\x01\x05\xffabc\"\\\n"))
	f.Fuzz(func(t *testing.T, data []byte) { checkEncoder(t, i, data) })
}

func FuzzJSONPaymentProducts(f *testing.F)      { fuzzEncoder(f, "PaymentProducts") }
func FuzzJSONPaymentProduct(f *testing.F)       { fuzzEncoder(f, "PaymentProduct") }
func FuzzJSONPaymentProductGroups(f *testing.F) { fuzzEncoder(f, "PaymentProductGroups") }
func FuzzJSONPaymentProductGroup(f *testing.F)  { fuzzEncoder(f, "PaymentProductGroup") }
func FuzzJSONAccountOnFile(f *testing.F)        { fuzzEncoder(f, "AccountOnFile") }
func FuzzJSONPublicKey(f *testing.F)            { fuzzEncoder(f, "PublicKey") }
func FuzzJSONIINDetailsResponse(f *testing.F)   { fuzzEncoder(f, "IINDetailsResponse") }
func FuzzJSONSessionResponse(f *testing.F)      { fuzzEncoder(f, "SessionResponse") }
func FuzzJSONErrorResponse(f *testing.F)        { fuzzEncoder(f, "ErrorResponse") }

// TestStringEscaping: every string goes out as encoding/json writes it,
// HTML escaping and the JavaScript line separators included.
func TestStringEscaping(t *testing.T) {
	cases := append([]string{}, tricky...)
	for b := range 256 {
		cases = append(cases, string([]byte{byte(b)}), "x"+string([]byte{byte(b)})+"y")
	}
	for r := rune(0x2000); r < 0x2100; r++ {
		cases = append(cases, string(r))
	}
	for _, s := range cases {
		checkString(t, s)
	}
}

// FuzzStringEscaping: any bytes as a string, escaped as encoding/json
// escapes them.
func FuzzStringEscaping(f *testing.F) {
	for _, s := range tricky {
		f.Add(s)
	}
	f.Fuzz(checkString)
}

// checkString compares one string through a type whose JSON is just that
// string and a constant frame.
func checkString(t *testing.T, s string) {
	t.Helper()
	v := wire.PublicKey{KeyID: s, PublicKey: s}
	want, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if got := v.AppendJSON(nil); !bytes.Equal(got, want) {
		t.Fatalf("%q:\n got %s\nwant %s", s, got, want)
	}
}

// ---- answers assembled from each catalog's encoded products ----

// catalogCase draws a catalog, a session's view of it and a query.
type catalogCase struct {
	catalog    *filter.Catalog
	available  []session.AvailableProduct
	withFields bool
}

var methods = []string{"card", "redirect", "", "<card>"}

func (g *gen) catalogCase() (catalogCase, bool) {
	n := 1 + g.n(6)
	products := make([]filter.Product, 0, n)
	for i := range n {
		p := filter.Product{
			ID: int32(1 + i + 100*g.n(3)), DisplayOrder: int(g.int64() % 50), Label: g.string(), Logo: g.string(),
			PaymentMethod: methods[g.n(len(methods))], AllowsRecurring: g.bool(), AllowsTokenization: g.bool(),
		}
		switch g.n(3) {
		case 0:
			p.Group = "cards"
		case 1:
			p.Group = g.string()
		}
		if a := g.int64p(); a != nil {
			v := max(0, *a)
			p.MinAmount = &v
		}
		if a := g.int64p(); a != nil {
			v := max(0, *a)
			if p.MinAmount != nil {
				v = max(v, *p.MinAmount)
			}
			p.MaxAmount = &v
		}
		products = append(products, p)
	}
	cat, err := filter.NewCatalog(products)
	if err != nil {
		return catalogCase{}, false // a group name the catalog refuses, a duplicate id
	}
	c := catalogCase{catalog: cat, withFields: g.bool()}
	account := 0
	for _, p := range cat.Products() {
		if g.n(4) == 0 {
			continue // not available to the session
		}
		ap := session.AvailableProduct{Product: p, Catalog: cat}
		for range g.count(2) {
			account++
			ap.AccountsOnFile = append(ap.AccountsOnFile, session.AccountOnFile{ID: account, Token: token.Token{
				ID: "secret", PaymentProductID: p.ID, Alias: g.string(),
				CardExpiry: token.Expiry{Month: time.Month(g.n(13)), Year: 2000 + g.n(100)},
			}})
		}
		switch g.n(8) {
		case 0:
			ap.Catalog = nil // built by hand
		case 1:
			ap.Label += "!" // differs from its catalog's product
		case 2:
			ap.MinAmount = nil
		}
		c.available = append(c.available, ap)
	}
	return c, true
}

// checkAnswers: each Client API answer built from the catalog's encoded
// products equals json.Marshal of the same answer's struct.
func checkAnswers(t *testing.T, data []byte) {
	t.Helper()
	c, ok := (&gen{b: data}).catalogCase()
	if !ok {
		return
	}
	same := func(what string, got []byte, v any) {
		t.Helper()
		want, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("%s, fields %v:\n got %s\nwant %s", what, c.withFields, got, want)
		}
	}
	same("products", wire.AppendPaymentProducts(nil, c.available, c.withFields), wire.NewPaymentProducts(c.available, c.withFields))
	same("groups", wire.AppendPaymentProductGroups(nil, c.available, c.withFields), wire.NewPaymentProductGroups(c.available, c.withFields))
	groups := map[string]bool{"": true, "unknown": true}
	for _, p := range c.available {
		same("product "+strconv.Itoa(int(p.ID)), wire.AppendPaymentProduct(nil, p, c.withFields), wire.NewPaymentProduct(p, c.withFields))
		groups[p.Group] = true
	}
	for id := range groups {
		want, wantErr := wire.NewPaymentProductGroup(c.available, id, c.withFields)
		got, err := wire.AppendPaymentProductGroup([]byte("x"), c.available, id, c.withFields)
		switch {
		case (err == nil) != (wantErr == nil) || (err != nil && err.Error() != wantErr.Error()):
			t.Fatalf("group %q: err %v, want %v", id, err, wantErr)
		case err != nil:
			if string(got) != "x" {
				t.Fatalf("group %q: %s appended with an error", id, got)
			}
		default:
			same("group "+strconv.Quote(id), got[1:], want)
		}
	}
}

// TestAnswersMatchEncodingJSON: 3,000 random catalogs and sessions.
func TestAnswersMatchEncodingJSON(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if s := testingSeed(t); s != 0 {
		seed = s
	}
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, seed>>1))
	data := make([]byte, 512)
	for range 3000 {
		for j := range data {
			data[j] = byte(r.Uint32())
		}
		checkAnswers(t, data)
	}
}

// FuzzAnswers: any catalog, session and query (see catalogCase).
func FuzzAnswers(f *testing.F) {
	f.Add([]byte{})
	f.Add(bytes.Repeat([]byte{1}, 300))
	f.Add(bytes.Repeat([]byte{0xff, 0, 7, 3}, 100))
	f.Fuzz(checkAnswers)
}

// TestAnswersOfTheEngine: Engine.Products names the catalog of its
// products, and the answer built from that catalog's encoded products is
// json.Marshal's bytes, on the first call (which encodes the catalog) and
// the next.
func TestAnswersOfTheEngine(t *testing.T) {
	results, _ := engineResults(t)
	products, ok := results["session.AvailableProduct"].(session.AvailableProduct)
	if !ok {
		t.Fatalf("the fixture has no session.AvailableProduct: %v", results)
	}
	if products.Catalog == nil {
		t.Fatal("Engine.Products returned a product without its catalog")
	}
	for _, withFields := range []bool{true, false} {
		list := []session.AvailableProduct{products}
		want, _ := json.Marshal(wire.NewPaymentProducts(list, withFields))
		for range 2 {
			if got := wire.AppendPaymentProducts(nil, list, withFields); !bytes.Equal(got, want) {
				t.Errorf("fields %v:\n got %s\nwant %s", withFields, got, want)
			}
		}
	}
}

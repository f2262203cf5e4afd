package filter_test

import (
	"cmp"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/filter"
	"github.com/clientsession/engine/internal/proptest"
)

func rng(s string) filter.IINRange {
	r, err := filter.ParseIINRange(s)
	if err != nil {
		panic(fmt.Sprintf("ParseIINRange(%q): %v", s, err))
	}
	return r
}

func TestParseIINRange(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want filter.IINRange
		ok   bool
	}{
		{"4", filter.IINRange{Low: "4"}, true},
		{"34", filter.IINRange{Low: "34"}, true},
		{"51-55", filter.IINRange{Low: "51", High: "55"}, true},
		{"2221-2720", filter.IINRange{Low: "2221", High: "2720"}, true},
		{"55-55", filter.IINRange{Low: "55", High: "55"}, true},
		{"12345678", filter.IINRange{Low: "12345678"}, true},
		{"00-99", filter.IINRange{Low: "00", High: "99"}, true},
		{"", filter.IINRange{}, false},
		{"-", filter.IINRange{}, false},
		{"4-", filter.IINRange{}, false},
		{"-4", filter.IINRange{}, false},
		{"55-51", filter.IINRange{}, false},     // high below low
		{"5-55", filter.IINRange{}, false},      // lengths differ
		{"123456789", filter.IINRange{}, false}, // 9 digits
		{"4a", filter.IINRange{}, false},
		{" 4", filter.IINRange{}, false},
		{"4-5-6", filter.IINRange{}, false},
		{"+4", filter.IINRange{}, false},
		{"٤", filter.IINRange{}, false}, // not ASCII
	}
	for _, tt := range tests {
		got, err := filter.ParseIINRange(tt.in)
		if tt.ok != (err == nil) || got != tt.want {
			t.Errorf("ParseIINRange(%q) = %+v, %v; want %+v, ok %v", tt.in, got, err, tt.want, tt.ok)
			continue
		}
		if !tt.ok {
			checkErr(t, err, sderrors.ErrInvalidValue, "")
			continue
		}
		if again := rng(got.String()); again.String() != got.String() {
			t.Errorf("ParseIINRange(%q).String() = %q does not round-trip", tt.in, got.String())
		}
	}
}

func TestIINRangeText(t *testing.T) {
	t.Parallel()
	var ranges []filter.IINRange
	if err := jsonUnmarshal(`["4","51-55","2221-2720"]`, &ranges); err != nil {
		t.Fatal(err)
	}
	want := []filter.IINRange{{Low: "4"}, {Low: "51", High: "55"}, {Low: "2221", High: "2720"}}
	if !slices.Equal(ranges, want) {
		t.Fatalf("unmarshal = %+v; want %+v", ranges, want)
	}
	b, err := jsonMarshal(ranges)
	if err != nil || b != `["4","51-55","2221-2720"]` {
		t.Fatalf("marshal = %s, %v", b, err)
	}
	if err := jsonUnmarshal(`["5-55"]`, &ranges); err == nil {
		t.Fatalf("unmarshal of a bad range succeeded")
	}
}

func TestParseBIN(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want *sderrors.Error
	}{
		{"411111", nil},
		{"4111111", nil},
		{"41111111", nil},
		{"4111111111111111111", nil}, // 19 digits
		{"000000", nil},
		{"", sderrors.ErrParameterNotFound},
		{"41111", sderrors.ErrInvalidValue},                // 5 digits
		{"41111111111111111111", sderrors.ErrInvalidValue}, // 20 digits
		{"4111 11", sderrors.ErrInvalidValue},
		{"41111a", sderrors.ErrInvalidValue},
		{"-41111", sderrors.ErrInvalidValue},
		{"٤١١١١١", sderrors.ErrInvalidValue}, // Arabic-Indic digits
		{"411111\x00", sderrors.ErrInvalidValue},
	}
	for _, tt := range tests {
		t.Run(strconv.Quote(tt.in), func(t *testing.T) {
			b, err := filter.ParseBIN(tt.in)
			checkErr(t, err, tt.want, map[bool]string{true: "", false: "bin"}[tt.want == nil])
			if err != nil {
				if len(tt.in) >= 4 && strings.Contains(err.Error(), tt.in) {
					t.Errorf("error %q repeats the digits", err)
				}
				return
			}
			if b.Digits() != len(tt.in) {
				t.Errorf("Digits() = %d; want %d", b.Digits(), len(tt.in))
			}
		})
	}
}

func TestNewCatalogRefusesBadIINRanges(t *testing.T) {
	t.Parallel()
	_, err := filter.NewCatalog([]filter.Product{
		{ID: 1, IINRanges: []filter.IINRange{{Low: "4"}}},
		{ID: 3, IINRanges: []filter.IINRange{{Low: "51", High: "55"}, {Low: "55", High: "51"}}},
	})
	checkErr(t, err, sderrors.ErrInvalidConfiguration, "products[1].iinRanges[1]")
	for _, bad := range []filter.IINRange{{}, {Low: "4", High: "45"}, {Low: "123456789"}, {Low: "x"}, {Low: "1", High: "x"}} {
		_, err := filter.NewCatalog([]filter.Product{{ID: 7, IINRanges: []filter.IINRange{bad}}})
		checkErr(t, err, sderrors.ErrInvalidConfiguration, "products[0].iinRanges[0]")
	}
}

// iinCatalog has default ranges (1, 2, 3, 56, 117, 122, 128), an override
// (125 JCB gets only 3528-3530), none at all (132), and custom ranges on
// ids without defaults, one of 8 digits.
func iinCatalog(tb testing.TB) *filter.Catalog {
	tb.Helper()
	c, err := filter.NewCatalog([]filter.Product{
		{ID: 1, Group: "cards", DisplayOrder: 10, Label: "VISA"},
		{ID: 2, Group: "cards", DisplayOrder: 20, Label: "American Express"},
		{ID: 3, Group: "cards", DisplayOrder: 30, Label: "MasterCard"},
		{ID: 122, Group: "cards", DisplayOrder: 40, Label: "Visa Electron"},
		{ID: 117, Group: "cards", DisplayOrder: 50, Label: "Maestro"},
		{ID: 128, Group: "cards", DisplayOrder: 60, Label: "Discover"},
		{ID: 56, Group: "cards", DisplayOrder: 70, Label: "UnionPay"},
		{ID: 125, Group: "cards", DisplayOrder: 80, Label: "JCB", IINRanges: []filter.IINRange{rng("3528-3530")}},
		{ID: 132, Group: "cards", DisplayOrder: 90, Label: "Diners Club", IINRanges: []filter.IINRange{}},
		{ID: 130, Group: "cards", DisplayOrder: 5, Label: "Cartes Bancaires", IINRanges: []filter.IINRange{rng("497010-497019")}},
		{ID: 900, DisplayOrder: 100, Label: "Store card", IINRanges: []filter.IINRange{rng("41111122"), rng("99")}},
		{ID: 840, DisplayOrder: 110, Label: "PayPal"},
	})
	if err != nil {
		tb.Fatalf("NewCatalog: %v", err)
	}
	return c
}

func match(c *filter.Catalog, bin string) string {
	b, err := filter.ParseBIN(bin)
	if err != nil {
		return "error: " + err.Error()
	}
	var parts []string
	for _, m := range c.MatchIIN(b) {
		parts = append(parts, fmt.Sprintf("%d(%s)", m.ProductID, m.Range))
	}
	return strings.Join(parts, " ")
}

func TestMatchIIN(t *testing.T) {
	t.Parallel()
	c := iinCatalog(t)
	tests := []struct{ bin, want string }{
		{"411111", "1(4)"},
		{"4111111111111111", "1(4)"},
		{"402600", "122(4026) 1(4)"},            // Visa Electron is more specific
		{"417500", "122(417500) 1(4)"},          // a 6-digit range
		{"497010", "130(497010-497019) 1(4)"},   // a catalog's own co-brand
		{"41111122", "900(41111122) 1(4)"},      // an 8-digit range, 8 digits given
		{"411111229", "900(41111122) 1(4)"},     // more digits than the range
		{"4111112", "1(4)"},                     // 7 digits: the 8-digit range cannot decide
		{"340000", "2(34)"},                     // Amex
		{"379999", "2(37)"},                     //
		{"350000", ""},                          // 35 is not Amex
		{"510000", "3(51-55)"},                  // MasterCard, both ranges
		{"559999", "3(51-55)"},                  //
		{"560000", ""},                          //
		{"222100", "3(2221-2720)"},              //
		{"272099", "3(2221-2720)"},              //
		{"272100", ""},                          //
		{"222099", ""},                          //
		{"501800", "117(5018)"},                 // Maestro
		{"676300", "117(6761-6763)"},            //
		{"601100", "128(6011)"},                 // Discover
		{"622126", "128(622126-622925) 56(62)"}, // Discover inside UnionPay
		{"622925", "128(622126-622925) 56(62)"},
		{"622926", "56(62)"},
		{"620000", "56(62)"},
		{"352800", "125(3528-3530)"}, // JCB overridden: 3528-3530 only
		{"353100", ""},
		{"360000", ""}, // Diners has no ranges here
		{"990000", "900(99)"},
		{"999999", "900(99)"},
		{"000000", ""},
		{"123456", ""},
	}
	for _, tt := range tests {
		if got := match(c, tt.bin); got != tt.want {
			t.Errorf("MatchIIN(%s) = %q; want %q", tt.bin, got, tt.want)
		}
	}
	if got := c.MatchIIN(filter.BIN{}); got != nil {
		t.Errorf("MatchIIN(zero BIN) = %v; want nil", got)
	}
}

func TestMatchIINEmptyCatalogs(t *testing.T) {
	t.Parallel()
	for _, products := range [][]filter.Product{nil, {{ID: 840}}, {{ID: 1, IINRanges: []filter.IINRange{}}}} {
		c, err := filter.NewCatalog(products)
		if err != nil {
			t.Fatal(err)
		}
		if got := match(c, "411111"); got != "" {
			t.Errorf("MatchIIN over %+v = %q; want nothing", products, got)
		}
	}
}

func TestIINRangesOfCatalog(t *testing.T) {
	t.Parallel()
	c := iinCatalog(t)
	tests := []struct {
		id   int32
		want []filter.IINRange
	}{
		{1, []filter.IINRange{{Low: "4"}}},
		{125, []filter.IINRange{{Low: "3528", High: "3530"}}},
		{132, []filter.IINRange{}},
		{840, nil},
		{4242, nil},
	}
	for _, tt := range tests {
		got := c.IINRanges(tt.id)
		if !slices.Equal(got, tt.want) || (got == nil) != (tt.want == nil) {
			t.Errorf("IINRanges(%d) = %#v; want %#v", tt.id, got, tt.want)
		}
	}
	c.IINRanges(1)[0] = filter.IINRange{Low: "9"}
	filter.DefaultIINRanges(1)[0] = filter.IINRange{Low: "9"}
	if got := match(c, "411111"); got != "1(4)" {
		t.Errorf("changing returned ranges changed the catalog: %q", got)
	}
	if got := filter.DefaultIINRanges(1); !slices.Equal(got, []filter.IINRange{{Low: "4"}}) {
		t.Errorf("changing DefaultIINRanges' result changed the defaults: %v", got)
	}
	// The catalog copies the caller's ranges.
	ranges := []filter.IINRange{{Low: "4"}}
	c2, err := filter.NewCatalog([]filter.Product{{ID: 7, IINRanges: ranges}})
	if err != nil {
		t.Fatal(err)
	}
	ranges[0] = filter.IINRange{Low: "5"}
	if got := match(c2, "411111"); got != "7(4)" {
		t.Errorf("changing the caller's slice changed the catalog: %q", got)
	}
}

// The table of default ranges in doc.go is the one the code uses.
func TestDefaultIINRangesAreDocumented(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile(`(?m)^//\t(\d+)\s+(\S+(?: \S+)*?)\s{2,}(.+?)\s{2,}(.+)$`)
	documented := map[int32][]filter.IINRange{}
	for _, m := range row.FindAllStringSubmatch(string(b), -1) {
		id, _ := strconv.Atoi(m[1])
		text, _, _ := strings.Cut(m[3], " (")
		var ranges []filter.IINRange
		for _, r := range strings.Split(text, ", ") {
			ranges = append(ranges, rng(r))
		}
		documented[int32(id)] = ranges
	}
	ids := filter.DefaultIINProducts()
	if len(documented) != len(ids) {
		t.Errorf("doc.go documents %d ids, the code has %d: %v", len(documented), len(ids), ids)
	}
	for _, id := range ids {
		if got := filter.DefaultIINRanges(id); !slices.Equal(got, documented[id]) {
			t.Errorf("product %d: code has %v, doc.go %v", id, got, documented[id])
		}
	}
	if filter.DefaultIINRanges(130) != nil || filter.DefaultIINRanges(840) != nil {
		t.Errorf("ids without public ranges have defaults")
	}
}

// iinModel is the naive reference of MatchIIN: every range of every
// product scanned, compared as strings.
func iinModel(products []filter.Product, bin string) []filter.IINMatch {
	type hit struct {
		m     filter.IINMatch
		width int
		order filter.Product
	}
	var hits []hit
	for _, p := range products {
		ranges := p.IINRanges
		if ranges == nil {
			ranges = filter.DefaultIINRanges(p.ID)
		}
		best := -1
		var bestRange filter.IINRange
		for _, r := range ranges {
			k := len(r.Low)
			high := cmp.Or(r.High, r.Low)
			if k > len(bin) || bin[:k] < r.Low || bin[:k] > high {
				continue
			}
			lo, _ := strconv.Atoi(r.Low)
			hi, _ := strconv.Atoi(high)
			width := (hi - lo + 1)
			for range filter.MaxIINRangeDigits - k {
				width *= 10
			}
			if best < 0 || width < best {
				best, bestRange = width, r
			}
		}
		if best >= 0 {
			hits = append(hits, hit{filter.IINMatch{ProductID: p.ID, Range: bestRange}, best, p})
		}
	}
	slices.SortStableFunc(hits, func(a, b hit) int {
		return cmp.Or(cmp.Compare(a.width, b.width), cmp.Compare(a.order.DisplayOrder, b.order.DisplayOrder), cmp.Compare(a.m.ProductID, b.m.ProductID))
	})
	var out []filter.IINMatch
	for _, h := range hits {
		out = append(out, h.m)
	}
	return out
}

// genDigits generates strings of n digits over a small alphabet, so that
// generated ranges and bins overlap often.
func genDigits(minLen, maxLen int) gopter.Gen {
	return gen.IntRange(minLen, maxLen).FlatMap(func(v any) gopter.Gen {
		return gen.SliceOfN(v.(int), gen.OneConstOf('0', '4', '5', '9')).Map(func(rs []rune) string { return string(rs) })
	}, nil)
}

// genIINRange generates a valid range: a prefix, or two bounds of one length.
func genIINRange() gopter.Gen {
	return gopter.CombineGens(genDigits(1, filter.MaxIINRangeDigits), gen.Bool(), gen.IntRange(0, 9)).Map(func(v []any) filter.IINRange {
		low, isRange, bump := v[0].(string), v[1].(bool), v[2].(int)
		if !isRange {
			return filter.IINRange{Low: low}
		}
		last := min(int(low[len(low)-1]-'0')+bump, 9)
		return filter.IINRange{Low: low, High: low[:len(low)-1] + strconv.Itoa(last)}
	})
}

type iinScenario struct {
	products []filter.Product
	bins     []string
}

func genIINScenario() gopter.Gen {
	return gopter.CombineGens(
		gen.SliceOfN(8, gen.SliceOfN(3, genIINRange())),
		gen.SliceOfN(8, gen.IntRange(0, 3)),
		gen.SliceOfN(8, gen.IntRange(0, 4)),
		gen.SliceOfN(12, genDigits(filter.MinBINDigits, 10)),
	).Map(func(v []any) iinScenario {
		ranges, counts, orders := v[0].([][]filter.IINRange), v[1].([]int), v[2].([]int)
		ids := []int32{1, 2, 3, 114, 117, 122, 500, 501} // some with defaults
		var s iinScenario
		for i, id := range ids {
			p := filter.Product{ID: id, DisplayOrder: orders[i]}
			switch counts[i] {
			case 0: // defaults (if any)
			case 1:
				p.IINRanges = []filter.IINRange{}
			default:
				p.IINRanges = ranges[i][:counts[i]]
			}
			s.products = append(s.products, p)
		}
		s.bins = v[3].([]string)
		s.bins = append(s.bins, "411111", "402600", "510000", "222100")
		return s
	})
}

func TestIINProperties(t *testing.T) {
	params := proptest.Parameters(t)
	props := gopter.NewProperties(params)
	props.Property("MatchIIN equals the naive model", prop.ForAll(func(s iinScenario) string {
		c, err := filter.NewCatalog(s.products)
		if err != nil {
			return "NewCatalog: " + err.Error()
		}
		for _, bin := range s.bins {
			b, err := filter.ParseBIN(bin)
			if err != nil {
				return "ParseBIN: " + err.Error()
			}
			got, want := c.MatchIIN(b), iinModel(s.products, bin)
			if !slices.Equal(got, want) {
				return fmt.Sprintf("MatchIIN(%s) = %v; model %v", bin, got, want)
			}
		}
		return ""
	}, genIINScenario()))
	props.Property("more digits never lose a match", prop.ForAll(func(s iinScenario, extra string) string {
		c, err := filter.NewCatalog(s.products)
		if err != nil {
			return err.Error()
		}
		for _, bin := range s.bins {
			short, _ := filter.ParseBIN(bin)
			long, _ := filter.ParseBIN((bin + extra)[:min(len(bin)+len(extra), filter.MaxBINDigits)])
			got := c.MatchIIN(long)
			for _, m := range c.MatchIIN(short) {
				if !slices.ContainsFunc(got, func(n filter.IINMatch) bool { return n.ProductID == m.ProductID }) {
					return fmt.Sprintf("%s matches %d, %s%s does not", bin, m.ProductID, bin, extra)
				}
			}
		}
		return ""
	}, genIINScenario(), genDigits(0, 5)))
	props.TestingRun(t)
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

func jsonMarshal(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

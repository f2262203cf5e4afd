package filter_test

import (
	"strings"
	"testing"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/filter"
)

// FuzzParseBIN runs untrusted bins through ParseBIN and MatchIIN. It never
// panics; a bin is accepted exactly when it is 6 to 19 ASCII digits; a
// refusal is at "bin" and never repeats the input; an accepted bin matches
// what the naive model matches.
// Smoke run: go test -run='^$' -fuzz='^FuzzParseBIN$' -fuzztime=20s ./filter
func FuzzParseBIN(f *testing.F) {
	for _, s := range []string{
		"411111", "4111111111111111", "4111111111111111111", "402600", "41111122", "622126", "000000", "999999",
		"", "41111", "41111111111111111111", "4111 11", "41111a", "-41111", "٤١١١١١", "411111\x00", "\xff\xfe\xfd\xfc\xfb\xfa",
	} {
		f.Add(s)
	}
	products := []filter.Product{
		{ID: 1, DisplayOrder: 1}, {ID: 2, DisplayOrder: 2}, {ID: 3, DisplayOrder: 3}, {ID: 122, DisplayOrder: 4},
		{ID: 128, DisplayOrder: 5}, {ID: 56, DisplayOrder: 6},
		{ID: 900, DisplayOrder: 7, IINRanges: []filter.IINRange{{Low: "41111122"}, {Low: "0"}}},
	}
	c, err := filter.NewCatalog(products)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := filter.ParseBIN(s)
		valid := len(s) >= filter.MinBINDigits && len(s) <= filter.MaxBINDigits && strings.Trim(s, "0123456789") == ""
		if valid != (err == nil) {
			t.Fatalf("ParseBIN(%q) err = %v; valid %v", s, err, valid)
		}
		if err != nil {
			e := sderrors.Find(err)
			if e == nil || e.Property() != "bin" {
				t.Fatalf("ParseBIN(%q) = %v; want an error at bin", s, err)
			}
			if len(s) >= 4 && strings.Contains(e.Error(), s) {
				t.Fatalf("error %q repeats the input", e.Error())
			}
			return
		}
		if b.Digits() != len(s) {
			t.Fatalf("Digits() = %d; want %d", b.Digits(), len(s))
		}
		got, want := c.MatchIIN(b), iinModel(products, s)
		if len(got) != len(want) {
			t.Fatalf("MatchIIN(%s) = %v; model %v", s, got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("MatchIIN(%s) = %v; model %v", s, got, want)
			}
		}
	})
}

// FuzzParseIINRange: ParseIINRange never panics, what it accepts prints
// back to the same range, and a catalog accepts it.
// Smoke run: go test -run='^$' -fuzz='^FuzzParseIINRange$' -fuzztime=20s ./filter
func FuzzParseIINRange(f *testing.F) {
	for _, s := range []string{"4", "51-55", "2221-2720", "55-55", "12345678", "", "-", "4-", "-4", "55-51", "5-55", "123456789", "4a", "4-5-6", "٤"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := filter.ParseIINRange(s)
		if err != nil {
			if !sderrors.HasCode(err, sderrors.ErrInvalidValue.Code()) {
				t.Fatalf("ParseIINRange(%q) = %v; want ErrInvalidValue", s, err)
			}
			return
		}
		again, err := filter.ParseIINRange(r.String())
		if err != nil || again.String() != r.String() {
			t.Fatalf("ParseIINRange(%q) = %+v prints %q, which reads back as %+v, %v", s, r, r.String(), again, err)
		}
		if _, err := filter.NewCatalog([]filter.Product{{ID: 1, IINRanges: []filter.IINRange{r}}}); err != nil {
			t.Fatalf("NewCatalog refuses a parsed range %+v: %v", r, err)
		}
	})
}

package token_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	sderrors "github.com/clientsession/engine/errors"

	"github.com/clientsession/engine/token"
)

// FuzzCheck feeds untrusted token ids and expiries: never a panic;
// WellFormed agrees with the test's own statement of the id rule (1 to 128
// bytes 0x21-0x7E); Check reports each distinct id once, whatever the
// bytes; ParseExpiry accepts only what round-trips.
func FuzzCheck(f *testing.F) {
	f.Add("tok-1", "tok-1", "1230")                        // duplicates, valid expiry
	f.Add("", "x", "0000")                                 // empty id, month 00
	f.Add("a b", "\x7f", "13aa")                           // space and DEL, garbage expiry
	f.Add("ok", "\xc3\xa9", "1299")                        // non-ASCII id
	f.Add("0123456789abcdef0123456789abcdef", "t", "0126") // a 32-hex token
	f.Add(strings.Repeat("x", 129), "~!", "12\x00")        // one byte too long; NUL in the expiry
	f.Fuzz(func(t *testing.T, a, b, expiry string) {
		for _, id := range []string{a, b} {
			if token.WellFormed(id) != printableASCII(id) {
				t.Fatalf("WellFormed(%q) = %v; the rule says %v", id, token.WellFormed(id), printableASCII(id))
			}
		}
		c, _ := token.NewChecker(newFakeRepo(token.Token{ID: a, MerchantID: "m", Status: token.StatusActive}))
		res, err := c.Check(context.Background(), "m", []string{a, b, a}, allProducts, now)
		if err != nil {
			t.Fatalf("Check(%q, %q) = %v", a, b, err)
		}
		distinct := slices.Compact([]string{a, b})
		if got := len(res.Valid) + len(res.Invalid); got != len(distinct) {
			t.Fatalf("Check(%q, %q, %q) reported %d tokens; want %d: %+v", a, b, a, got, len(distinct), res)
		}
		if e, err := token.ParseExpiry(expiry); err == nil {
			if e.MMYY() != expiry || e.Month < 1 || e.Month > 12 || e.Year < 2000 || e.Year > 2099 {
				t.Fatalf("ParseExpiry(%q) = %+v (MMYY %q)", expiry, e, e.MMYY())
			}
		} else if !errors.Is(err, sderrors.ErrInvalidValue) {
			t.Fatalf("ParseExpiry(%q) error = %v; want ErrInvalidValue", expiry, err)
		}
	})
}

// printableASCII is the test's own statement of the id rule.
func printableASCII(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for _, r := range []byte(id) {
		if r < '!' || r > '~' {
			return false
		}
	}
	return true
}

package token_test

import (
	"context"
	"testing"

	"github.com/clientsession/engine/token"
)

// FuzzCheck feeds untrusted token lists and expiries: never a panic; an
// accepted list has only well-formed ids; ParseExpiry round-trips.
func FuzzCheck(f *testing.F) {
	f.Add("tok-1", "tok-1", "1230")                        // duplicates, valid expiry
	f.Add("", "x", "0000")                                 // empty id, month 00
	f.Add("a b", "\x7f", "13aa")                           // space and DEL, garbage expiry
	f.Add("ok", "\xc3\xa9", "1299")                        // non-ASCII id
	f.Add("0123456789abcdef0123456789abcdef", "t", "0126") // a 32-hex token
	f.Fuzz(func(t *testing.T, a, b, expiry string) {
		c, _ := token.NewChecker(newFakeRepo(token.Token{ID: a, MerchantID: "m", Status: token.StatusActive}))
		res, err := c.Check(context.Background(), "m", []string{a, b, a}, allProducts, now)
		if err == nil {
			for _, id := range []string{a, b} {
				if !token.WellFormed(id) {
					t.Fatalf("accepted malformed id %q", id)
				}
			}
			if len(res.Valid)+len(res.Invalid) > 2 {
				t.Fatalf("duplicates reported twice: %+v", res)
			}
		}
		if e, err := token.ParseExpiry(expiry); err == nil && e.MMYY() != expiry {
			t.Fatalf("ParseExpiry(%q).MMYY() = %q", expiry, e.MMYY())
		}
	})
}

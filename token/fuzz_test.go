package token_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"

	sderrors "github.com/clientsession/engine/errors"

	"github.com/clientsession/engine/token"
)

// FuzzCheck feeds untrusted token lists and expiries: never a panic; an
// accepted list has only well-formed ids (1 to 128 bytes 0x21-0x7E); a
// rejected one names the first malformed index with a message that does not
// depend on the value; ParseExpiry accepts only what round-trips.
func FuzzCheck(f *testing.F) {
	f.Add("tok-1", "tok-1", "1230")                        // duplicates, valid expiry
	f.Add("", "x", "0000")                                 // empty id, month 00
	f.Add("a b", "\x7f", "13aa")                           // space and DEL, garbage expiry
	f.Add("ok", "\xc3\xa9", "1299")                        // non-ASCII id
	f.Add("0123456789abcdef0123456789abcdef", "t", "0126") // a 32-hex token
	f.Add(strings.Repeat("x", 129), "~!", "12\x00")        // one byte too long; NUL in the expiry
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
		ids := []string{a, b, a}
		verr := c.Validate(ids)
		if (verr == nil) != (err == nil) {
			t.Fatalf("Validate = %v but Check = %v", verr, err)
		}
		first := slices.IndexFunc(ids, func(id string) bool { return !printableASCII(id) })
		switch {
		case first < 0 && verr != nil:
			t.Fatalf("Validate(%q) = %v; want nil", ids, verr)
		case first >= 0:
			e := sderrors.As(verr)
			if e == nil || e.Property() != "tokens["+strconv.Itoa(first)+"]" {
				t.Fatalf("Validate(%q) = %v; want an error at tokens[%d]", ids, verr, first)
			}
			other := slices.Clone(ids)
			other[first] = ""
			if other := c.Validate(other); other == nil || other.Error() != verr.Error() {
				t.Fatalf("the message depends on the token value: %q vs %v", verr, other)
			}
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

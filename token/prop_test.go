package token_test

import (
	"context"
	"slices"
	"testing"

	"github.com/clientsession/engine/internal/proptest"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"

	"github.com/clientsession/engine/token"
)

// universe is small so that generated requests repeat ids often.
var universe = []string{"t1", "t2", "t3", "t4", "t5", "t6"}

// storedIn builds a repository holding, for each universe id, a token whose
// kind is picked by kinds[i]: absent, valid, other merchant, deleted, expired.
func storedIn(kinds []int) *fakeRepo {
	repo := newFakeRepo()
	for i, id := range universe {
		tok := token.Token{ID: id, MerchantID: "1234", PaymentProductID: 1, Status: token.StatusActive}
		switch kinds[i%len(kinds)] % 5 {
		case 0:
			continue
		case 2:
			tok.MerchantID = "other"
		case 3:
			tok.Status = token.StatusDeleted
		case 4:
			tok.CardExpiry = token.Expiry{Month: 1, Year: 2001}
		}
		repo.tokens[id] = tok
	}
	return repo
}

func dedupe(ids []string) []string {
	var out []string
	for _, id := range ids {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

func checkGen() gopter.Gen {
	return gopter.CombineGens(
		gen.SliceOf(gen.IntRange(0, len(universe)-1)).
			Map(func(v []int) []string { return pick(v) }),
		gen.SliceOfN(6, gen.IntRange(0, 4)),
	)
}

func pick(v []int) []string {
	out := make([]string, len(v))
	for i, n := range v {
		out[i] = universe[n]
	}
	return out
}

func runCheck(values []any) (ids []string, repo *fakeRepo, res token.Result, err error) {
	ids = values[0].([]string)
	kinds := values[1].([]int)
	if len(kinds) == 0 {
		kinds = []int{1}
	}
	repo = storedIn(kinds)
	c, _ := token.NewChecker(repo)
	res, err = c.Check(context.Background(), "1234", ids, allProducts, now)
	return ids, repo, res, err
}

func TestPropertiesOfCheck(t *testing.T) {
	properties := gopter.NewProperties(proptest.Parameters(t))

	properties.Property("valid ∪ invalid = de-duplicated input, in request order", prop.ForAll(
		func(values []any) bool {
			ids, _, res, err := runCheck(values)
			if err != nil {
				return false
			}
			// Merge valid and invalid by request position: the result must be the distinct ids.
			var merged []string
			for _, id := range dedupe(ids) {
				inValid := slices.ContainsFunc(res.Valid, func(v token.Token) bool { return v.ID == id })
				inInvalid := slices.Contains(res.InvalidIDs(), id)
				if inValid == inInvalid {
					return false
				}
				merged = append(merged, id)
			}
			var validIDs []string
			for _, v := range res.Valid {
				validIDs = append(validIDs, v.ID)
			}
			return slices.Equal(merged, dedupe(ids)) &&
				len(validIDs)+len(res.Invalid) == len(merged) &&
				isSubsequence(validIDs, merged) && isSubsequence(res.InvalidIDs(), merged)
		}, checkGen()))

	properties.Property("valid and invalid are disjoint", prop.ForAll(
		func(values []any) bool {
			_, _, res, err := runCheck(values)
			for _, v := range res.Valid {
				if slices.Contains(res.InvalidIDs(), v.ID) {
					return false
				}
			}
			return err == nil
		}, checkGen()))

	properties.Property("exactly one repository call, none for no tokens", prop.ForAll(
		func(values []any) bool {
			ids, repo, _, err := runCheck(values)
			want := 1
			if len(ids) == 0 {
				want = 0
			}
			return err == nil && repo.calls == want
		}, checkGen()))

	properties.Property("unknown and other-merchant tokens give the same wire answer", prop.ForAll(
		func(values []any) bool {
			ids := values[0].([]string)
			unknown := newFakeRepo()
			other := newFakeRepo()
			for _, id := range universe {
				other.tokens[id] = token.Token{ID: id, MerchantID: "5678", PaymentProductID: 1, Status: token.StatusActive}
			}
			c1, _ := token.NewChecker(unknown)
			c2, _ := token.NewChecker(other)
			r1, err1 := c1.Check(context.Background(), "1234", ids, allProducts, now)
			r2, err2 := c2.Check(context.Background(), "1234", ids, allProducts, now)
			return err1 == nil && err2 == nil && slices.Equal(r1.InvalidIDs(), r2.InvalidIDs()) && len(r1.Valid) == 0 && len(r2.Valid) == 0
		}, checkGen()))

	properties.TestingRun(t)
}

func isSubsequence(sub, of []string) bool {
	i := 0
	for _, s := range of {
		if i < len(sub) && sub[i] == s {
			i++
		}
	}
	return i == len(sub)
}

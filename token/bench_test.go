package token_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/clientsession/engine/token"
)

// mapRepo is a lean map-backed repository for benchmarks: unlike fakeRepo it
// records nothing and sizes its answer once, so that the figures measure the
// checker rather than the fake.
type mapRepo map[string]token.Token

func newMapRepo(tokens ...token.Token) mapRepo {
	m := make(mapRepo, len(tokens))
	for _, t := range tokens {
		m[t.ID] = t
	}
	return m
}

func (m mapRepo) Tokens(_ context.Context, _ string, ids []string) ([]token.Token, error) {
	out := make([]token.Token, 0, len(ids))
	for _, id := range ids {
		if t, ok := m[id]; ok {
			out = append(out, t)
		}
	}
	return out, nil
}

// BenchmarkCheck measures a request of n distinct, valid tokens (the
// repository's one answer slice is 1 of the allocations).
func BenchmarkCheck(b *testing.B) {
	for _, n := range []int{5, 100} {
		b.Run("tokens="+strconv.Itoa(n), func(b *testing.B) {
			var tokens []token.Token
			var ids []string
			for i := range n {
				id := "0123456789abcdef0123456789ab" + strconv.Itoa(1000+i)
				ids = append(ids, id)
				tokens = append(tokens, token.Token{ID: id, MerchantID: "1234", PaymentProductID: 1, Status: token.StatusActive})
			}
			c, _ := token.NewChecker(newMapRepo(tokens...))
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.Check(ctx, "1234", ids, allProducts, now); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkEvaluate(b *testing.B) {
	tok := &token.Token{ID: "0123456789abcdef0123456789abcdef", MerchantID: "1234", PaymentProductID: 1,
		Status: token.StatusActive, CardExpiry: token.Expiry{Month: 12, Year: 2030}}
	b.ReportAllocs()
	for b.Loop() {
		if token.Evaluate(tok.ID, tok, "1234", allProducts, now) != token.ReasonValid {
			b.Fatal("not valid")
		}
	}
}

package token_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/clientsession/engine/token"
)

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
			c, _ := token.NewChecker(newFakeRepo(tokens...))
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

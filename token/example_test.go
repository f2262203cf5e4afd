package token_test

import (
	"context"
	"fmt"
	"time"

	"github.com/clientsession/engine/token"
)

func ExampleEvaluate() {
	tok := &token.Token{ID: "8a3c", MerchantID: "1234", PaymentProductID: 1, Status: token.StatusActive,
		CardExpiry: token.Expiry{Month: time.February, Year: 2028}}
	lastDay := time.Date(2028, 2, 29, 23, 59, 59, 0, time.UTC)
	fmt.Println(token.Evaluate("8a3c", tok, "1234", nil, lastDay))
	fmt.Println(token.Evaluate("8a3c", tok, "1234", nil, lastDay.Add(time.Second)))
	fmt.Println(token.Evaluate("8a3c", tok, "5678", nil, lastDay))
	// Output:
	// valid
	// card_expired
	// other_merchant
}

func ExampleChecker_Check() {
	repo := newFakeRepo(
		token.Token{ID: "good", MerchantID: "1234", PaymentProductID: 1, Status: token.StatusActive},
		token.Token{ID: "gone", MerchantID: "1234", PaymentProductID: 1, Status: token.StatusRevoked},
	)
	checker, err := token.NewChecker(repo)
	if err != nil {
		panic(err)
	}
	res, err := checker.Check(context.Background(), "1234", []string{"good", "gone", "nope", "good"}, nil, time.Now())
	if err != nil {
		panic(err)
	}
	fmt.Println("valid:", len(res.Valid), res.Valid[0].ID)
	fmt.Println("invalidTokens:", res.InvalidIDs())
	for _, inv := range res.Invalid {
		fmt.Println(inv.ID, inv.Reason)
	}
	fmt.Println("repository calls:", repo.calls)
	// Output:
	// valid: 1 good
	// invalidTokens: [gone nope]
	// gone revoked
	// nope unknown
	// repository calls: 1
}

func ExampleParseExpiry() {
	e, err := token.ParseExpiry("1230")
	fmt.Println(e.Month, e.Year, err)
	_, err = token.ParseExpiry("1330")
	fmt.Println(err)
	// Output:
	// December 2030 <nil>
	// card expiry is MMYY with MM from 01 to 12
}

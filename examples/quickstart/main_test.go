package main

import (
	"context"
	mathrand "math/rand/v2"
	"os"
	"time"
)

// Example runs the quickstart deterministically: a fixed clock, ids from a
// seeded generator (never do this outside tests) and a fixed errorId.
func Example() {
	cfg := config{
		now:     func() time.Time { return time.Date(2026, time.January, 15, 10, 0, 0, 0, time.UTC) },
		random:  mathrand.NewChaCha8([32]byte{'q', 'u', 'i', 'c', 'k'}),
		errorID: func() string { return "00000000-0000-4000-8000-000000000001" },
	}
	if err := run(context.Background(), os.Stdout, cfg); err != nil {
		panic(err)
	}
	// Output:
	// POST /v1/1234/sessions
	// {
	//   "paymentProductFilters": {
	//     "restrictTo": {"groups": ["cards"], "products": [840]},
	//     "exclude": {"products": [3]}
	//   },
	//   "tokens": ["8f2a9c31d6e04b7f9a1c2e3d4f5a6b7c", "1c7e0b5d9a8f4e2d8c6b4a2f0e1d3c5b", "5e4d3c2b1a0f4e9d8c7b6a5f4e3d2c1b", "9b8a7f6e5d4c4b3a2f1e0d9c8b7a6f5e"]
	// }
	//
	// 200 SessionResponse
	// {
	//   "assetUrl": "http://localhost:8080/",
	//   "clientApiUrl": "http://localhost:8080/client",
	//   "clientSessionId": "2606db9bcf0bd50d9ed9bc81d770a8a4",
	//   "customerId": "1234-9899856a8f127858fe62f25ab170bdc2",
	//   "invalidTokens": [
	//     "1c7e0b5d9a8f4e2d8c6b4a2f0e1d3c5b",
	//     "5e4d3c2b1a0f4e9d8c7b6a5f4e3d2c1b"
	//   ],
	//   "region": "EU"
	// }
	//   invalid token 1c7e0b5d9a8f4e2d8c6b4a2f0e1d3c5b: card_expired
	//   invalid token 5e4d3c2b1a0f4e9d8c7b6a5f4e3d2c1b: other_merchant
	//
	// GET http://localhost:8080/client/v1/1234-9899856a8f127858fe62f25ab170bdc2/products?countryCode=NL&currencyCode=EUR&amount=1000
	// Authorization: GCS v1Client:2606db9bcf0bd50d9ed9bc81d770a8a4
	// authenticated: merchant 1234, session alive until 2026-01-15T12:00:00Z
	// products:
	//   1   VISA             card  [account on file 1: ************1111]
	//   2   American Express card
	//   840 PayPal           redirect
	// why:
	//   product 1   available
	//   product 2   available
	//   product 3   excluded: exclude.products contains 3
	//   product 840 available
	//   product 809 not in restrictTo
	//   account on file 1 (token 8f2a9c31d6e04b7f9a1c2e3d4f5a6b7c): shown
	//   account on file 2 (token 9b8a7f6e5d4c4b3a2f1e0d9c8b7a6f5e): product 3 excluded: exclude.products contains 3
	//
	// GET http://localhost:8080/client/v1/1234-9899856a8f127858fe62f25ab170bdc2/crypto/publickey
	// keyId: quickstart-key
	// opened: product 1, card ending 1111, 3 values
	// the same blob again: DUPLICATE_REQUEST
	//
	// DELETE /v1/1234/sessions/2606db9bcf0bd50d9ed9bc81d770a8a4, then a client call: 401 MISSING_OR_INVALID_AUTHORIZATION
	//
	// POST /v1/1234/sessions
	// {"paymentProductFilters": {"exclude": {"groups": ["cards", "wallets"]}}}
	//
	// 400 ErrorResponse
	// {
	//   "errorId": "00000000-0000-4000-8000-000000000001",
	//   "errors": [
	//     {
	//       "category": "CONNECT_PLATFORM_ERROR",
	//       "code": "700200",
	//       "httpStatusCode": 400,
	//       "id": "UNKNOWN_PAYMENT_PRODUCT_GROUP",
	//       "message": "unknown payment product group; known groups: cards",
	//       "propertyName": "paymentProductFilters.exclude.groups[1]"
	//     }
	//   ]
	// }
}

package token

import (
	"context"
	"time"
)

// Status is the lifecycle state of a stored token.
type Status uint8

// The statuses.
const (
	StatusActive Status = iota + 1
	StatusDeleted
	StatusRevoked
)

// Expiry is a card's expiry month. The zero value means "no expiry known".
type Expiry struct {
	Month time.Month
	Year  int // four digits
}

// Token is a stored payment token of one merchant's consumer.
type Token struct {
	ID               string
	MerchantID       string
	PaymentProductID int32
	Status           Status
	CardExpiry       Expiry
	Alias            string // masked display alias, e.g. "************0026"; never the card number
}

// Repository is the card's TokenRepository: the gateway's token store.
//
// Tokens returns the stored tokens among ids for merchantID in one call,
// whatever the number of ids. Ids not found are simply absent from the
// result (not an error); an implementation may also return tokens of other
// merchants, which the checker treats as unknown. A non-nil error means a
// system failure (the store could not be asked) and never "not found".
// Implementations must be safe for concurrent use and must not keep or
// modify ids; the returned slice belongs to the caller.
type Repository interface {
	Tokens(ctx context.Context, merchantID string, ids []string) ([]Token, error)
}

// Reason says why a token is invalid; ReasonValid for a valid one.
type Reason uint8

// The reasons.
const (
	ReasonValid Reason = iota
	ReasonUnknown
	ReasonOtherMerchant
	ReasonDeleted
	ReasonRevoked
	ReasonCardExpired
	ReasonProductGone
	ReasonMalformed
)

// Evaluate is the pure rule for one token: t is the repository's answer
// for id (nil when absent), productExists tells whether a payment product
// is still in the merchant's catalog. A card is valid through the last day
// of its expiry month, UTC.
func Evaluate(id string, t *Token, merchantID string, productExists func(int32) bool, now time.Time) Reason {
	panic("TODO")
}

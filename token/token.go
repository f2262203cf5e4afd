package token

import (
	"context"
	"strconv"
	"time"

	sderrors "github.com/clientsession/engine/errors"
)

// Status is the lifecycle state of a stored token.
type Status uint8

// The statuses. The zero value is not a status: a Token with it is treated
// as unusable (ReasonRevoked) rather than as active.
const (
	StatusActive Status = iota + 1
	StatusDeleted
	StatusRevoked
)

// String returns "active", "deleted", "revoked", or "unknown".
func (s Status) String() string {
	switch s {
	case StatusActive:
		return "active"
	case StatusDeleted:
		return "deleted"
	case StatusRevoked:
		return "revoked"
	}
	return "unknown"
}

// ParseStatus parses "active", "deleted" or "revoked".
func ParseStatus(s string) (Status, error) {
	switch s {
	case "active":
		return StatusActive, nil
	case "deleted":
		return StatusDeleted, nil
	case "revoked":
		return StatusRevoked, nil
	}
	return 0, sderrors.ErrInvalidValue.WithMessage("status is one of active, deleted, revoked")
}

// Expiry is a card's expiry month. The zero value means "no expiry known":
// such a card never counts as expired.
type Expiry struct {
	Month time.Month
	Year  int // four digits
}

// IsZero reports whether e is the zero value (no expiry known).
func (e Expiry) IsZero() bool { return e == Expiry{} }

// ExpiredAt reports whether a card with this expiry is expired at now. A
// card is valid through the last day of its expiry month, UTC: it expires at
// the first instant of the following month, UTC, whatever now's location.
func (e Expiry) ExpiredAt(now time.Time) bool {
	if e.IsZero() {
		return false
	}
	end := time.Date(e.Year, e.Month+1, 1, 0, 0, 0, 0, time.UTC) // Month 13 normalizes to January
	return !now.Before(end)
}

// MMYY returns the expiry as the wire's MMYY ("1230"), or "" for the zero value.
func (e Expiry) MMYY() string {
	if e.IsZero() {
		return ""
	}
	return twoDigits(int(e.Month)) + twoDigits(e.Year%100)
}

func twoDigits(n int) string { return strconv.Itoa(n/10) + strconv.Itoa(n%10) }

// ParseExpiry parses the wire's MMYY ("1230" is December 2030; YY means
// 20YY). Anything else is sderrors.ErrInvalidValue.
func ParseExpiry(mmyy string) (Expiry, error) {
	if len(mmyy) != 4 {
		return Expiry{}, errBadExpiry
	}
	for i := range 4 {
		if mmyy[i] < '0' || mmyy[i] > '9' {
			return Expiry{}, errBadExpiry
		}
	}
	month := int(mmyy[0]-'0')*10 + int(mmyy[1]-'0')
	year := 2000 + int(mmyy[2]-'0')*10 + int(mmyy[3]-'0')
	if month < 1 || month > 12 {
		return Expiry{}, errBadExpiry
	}
	return Expiry{Month: time.Month(month), Year: year}, nil
}

var errBadExpiry = sderrors.ErrInvalidValue.WithMessage("card expiry is MMYY with MM from 01 to 12")

// Token is a stored payment token of one merchant's consumer.
//
// ID is the consumer's credential: it never appears in the JSON form of a
// Token (nor of any engine result holding one).
type Token struct {
	ID               string `json:"-"`
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
// merchants, which the checker treats as invalid exactly like unknown ones.
// A non-nil error means a system failure (the store could not be asked) and
// never "not found". Implementations must be safe for concurrent use and
// must not keep or modify ids; the returned slice belongs to the caller.
type Repository interface {
	Tokens(ctx context.Context, merchantID string, ids []string) ([]Token, error)
}

// Reason says why a token is invalid; ReasonValid for a valid one.
type Reason uint8

// The reasons, in the order Evaluate checks them.
const (
	ReasonValid         Reason = iota
	ReasonMalformed            // the id is not 1 to 128 printable ASCII characters
	ReasonUnknown              // the repository does not have it
	ReasonOtherMerchant        // it belongs to another merchant (same wire answer as unknown)
	ReasonDeleted              // deleted by the merchant
	ReasonRevoked              // revoked (or an unusable status)
	ReasonProductGone          // its payment product left the merchant's catalog
	ReasonCardExpired          // the card's expiry month is over (UTC)
)

// String returns a stable snake_case name, safe to log: "valid",
// "malformed", "unknown", "other_merchant", "deleted", "revoked",
// "product_gone", "card_expired".
func (r Reason) String() string {
	switch r {
	case ReasonValid:
		return "valid"
	case ReasonMalformed:
		return "malformed"
	case ReasonUnknown:
		return "unknown"
	case ReasonOtherMerchant:
		return "other_merchant"
	case ReasonDeleted:
		return "deleted"
	case ReasonRevoked:
		return "revoked"
	case ReasonProductGone:
		return "product_gone"
	case ReasonCardExpired:
		return "card_expired"
	}
	return "invalid"
}

// Evaluate is the pure rule for one token. t is the repository's answer for
// id (nil when absent); productExists tells whether a payment product is
// still in the merchant's catalog (nil: do not check). Checks run in the order of the Reason
// constants and the first that fails is the answer: malformed, unknown,
// other merchant, deleted, revoked, product gone, card expired.
func Evaluate(id string, t *Token, merchantID string, productExists func(int32) bool, now time.Time) Reason {
	switch {
	case !WellFormed(id):
		return ReasonMalformed
	case t == nil || t.ID != id:
		return ReasonUnknown
	case t.MerchantID != merchantID:
		return ReasonOtherMerchant
	case t.Status == StatusDeleted:
		return ReasonDeleted
	case t.Status != StatusActive:
		return ReasonRevoked
	case productExists != nil && !productExists(t.PaymentProductID):
		return ReasonProductGone
	case t.CardExpiry.ExpiredAt(now):
		return ReasonCardExpired
	}
	return ReasonValid
}

// MaxIDLength is the longest token id accepted.
const MaxIDLength = 128

// WellFormed reports whether id is 1 to 128 printable ASCII characters
// (0x21 to 0x7E: spaces are not accepted, since no token scheme uses them and
// a padded id is a client bug to surface, not to match).
func WellFormed(id string) bool {
	if len(id) == 0 || len(id) > MaxIDLength {
		return false
	}
	for i := range len(id) {
		if id[i] < 0x21 || id[i] > 0x7e {
			return false
		}
	}
	return true
}

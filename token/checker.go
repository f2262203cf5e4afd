package token

import (
	"context"
	"time"
)

// DefaultMaxTokens is the default limit of tokens per request.
const DefaultMaxTokens = 100

// Checker validates and checks the tokens of a create request. Safe for
// concurrent use.
type Checker struct {
	// TODO(token)
}

// A CheckerOption configures a Checker.
type CheckerOption interface{ applyChecker(*Checker) }

// WithMaxTokens sets the limit of tokens per request (default 100, > 0).
func WithMaxTokens(n int) CheckerOption { panic("TODO") }

// NewChecker returns a checker over repo.
func NewChecker(repo Repository, opts ...CheckerOption) (*Checker, error) { panic("TODO") }

// Invalid is one invalid token id and why.
type Invalid struct {
	ID     string
	Reason Reason
}

// Result partitions the de-duplicated ids of a request, in request order.
type Result struct {
	Valid   []Token
	Invalid []Invalid
}

// InvalidIDs returns the ids of Invalid, in order: the wire invalidTokens.
func (r Result) InvalidIDs() []string { panic("TODO") }

// Validate checks count and format of ids without calling the repository;
// errors name "tokens[i]" (or "tokens" for the count).
func (c *Checker) Validate(ids []string) error { panic("TODO") }

// Check validates ids, de-duplicates them keeping request order, makes
// exactly one repository call (none for no ids) and partitions the result.
// A repository error becomes a retryable sderrors.ErrUnavailable and never
// yields invalid ids.
func (c *Checker) Check(ctx context.Context, merchantID string, ids []string, productExists func(int32) bool, now time.Time) (Result, error) {
	panic("TODO")
}

package token

import (
	"context"
	"errors"
	"slices"
	"time"

	sderrors "github.com/clientsession/engine/errors"
)

// DefaultMaxTokens is the default limit of tokens per create request
// (session.WithMaxTokens sets another; the session package enforces it
// when it checks the request's shape, before the Checker runs).
const DefaultMaxTokens = 100

// Checker checks the tokens of a create request against the gateway's
// token repository. It is immutable after NewChecker and safe for
// concurrent use. It does the repository part only: the count and format
// of the ids (WellFormed) are the request's shape, checked by its decoder
// before Check runs.
type Checker struct {
	repo Repository
}

// NewChecker returns a checker over repo.
func NewChecker(repo Repository) (*Checker, error) {
	if repo == nil {
		return nil, sderrors.ErrInvalidConfiguration.WithProperty("tokens").WithMessage("token checker: the repository must not be nil")
	}
	return &Checker{repo: repo}, nil
}

// Invalid is one invalid token id and why.
type Invalid struct {
	ID     string `json:"-"` // a token id: never in JSON
	Reason Reason
}

// Result partitions the de-duplicated ids of a request, in request order.
type Result struct {
	Valid   []Token
	Invalid []Invalid
}

// InvalidIDs returns the ids of Invalid, in order: the wire invalidTokens;
// nil when there is none (the wire's [] rather than null is
// wire.NewSessionResponse's rule).
func (r Result) InvalidIDs() []string {
	if len(r.Invalid) == 0 {
		return nil
	}
	out := make([]string, len(r.Invalid))
	for i, inv := range r.Invalid {
		out[i] = inv.ID
	}
	return out
}

// smallBatch is the size up to which de-duplication and matching use linear
// scans instead of maps: cheaper for the usual handful of tokens.
const smallBatch = 16

// Check de-duplicates ids keeping request order, makes
// exactly one repository call with the distinct ids (none for no ids) and
// partitions the result with Evaluate. productExists tells whether a
// payment product is still in the merchant's catalog.
//
// A repository error becomes a retryable sderrors.ErrUnavailable wrapping
// it, and no result: a token is never called invalid because it could not
// be looked up. A ctx already done gives, without calling the repository,
// sderrors.ErrCanceled (context.Canceled) or the retryable ErrUnavailable
// (deadline exceeded), wrapping ctx.Err(); a repository error while ctx is
// done gets the same code and wraps both ctx.Err() and the repository's
// error, so errors.Is(err, context.Canceled) holds either way.
func (c *Checker) Check(ctx context.Context, merchantID string, ids []string, productExists func(int32) bool, now time.Time) (Result, error) {
	if len(ids) == 0 {
		return Result{Valid: []Token{}, Invalid: []Invalid{}}, nil
	}
	if err := ctx.Err(); err != nil {
		return Result{}, sderrors.FromDependency(err)
	}
	distinct := dedupe(ids)
	found, err := c.repo.Tokens(ctx, merchantID, distinct)
	if err != nil {
		if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
			err = errors.Join(cerr, err) // the caller's cancellation shows through
		}
		return Result{}, sderrors.FromDependency(err)
	}
	lookup := index(found)
	res := Result{Valid: make([]Token, 0, len(distinct)), Invalid: []Invalid{}}
	for _, id := range distinct {
		t := lookup(id)
		if r := Evaluate(id, t, merchantID, productExists, now); r != ReasonValid {
			res.Invalid = append(res.Invalid, Invalid{ID: id, Reason: r})
			continue
		}
		res.Valid = append(res.Valid, *t)
	}
	return res, nil
}

// dedupe returns the distinct ids in first-occurrence order. It returns ids
// itself when there are no duplicates.
func dedupe(ids []string) []string {
	var seen map[string]struct{} // only for long lists; short ones scan
	if len(ids) > smallBatch {
		seen = make(map[string]struct{}, len(ids))
	}
	var out []string // nil until the first duplicate: then the distinct ids so far
	for i, id := range ids {
		var dup bool
		if seen != nil {
			_, dup = seen[id]
			seen[id] = struct{}{}
		} else if out == nil {
			dup = slices.Contains(ids[:i], id)
		} else {
			dup = slices.Contains(out, id)
		}
		switch {
		case dup && out == nil:
			out = append(make([]string, 0, len(ids)-1), ids[:i]...)
		case !dup && out != nil:
			out = append(out, id)
		}
	}
	if out == nil {
		return ids
	}
	return out
}

// index returns a lookup of found by id; the first token with an id wins.
func index(found []Token) func(string) *Token {
	if len(found) <= smallBatch {
		return func(id string) *Token {
			for i := range found {
				if found[i].ID == id {
					return &found[i]
				}
			}
			return nil
		}
	}
	m := make(map[string]*Token, len(found))
	for i := range found {
		if _, ok := m[found[i].ID]; !ok {
			m[found[i].ID] = &found[i]
		}
	}
	return func(id string) *Token { return m[id] }
}

package main

import (
	"context"

	"github.com/clientsession/engine/token"
)

// dataTokens is the token repository of the data file: read-only, so safe
// for concurrent use without locks.
type dataTokens struct {
	byID map[string]token.Token
}

func newDataTokens(tokens []token.Token) *dataTokens {
	r := &dataTokens{byID: make(map[string]token.Token, len(tokens))}
	for _, t := range tokens {
		r.byID[t.ID] = t
	}
	return r
}

// Tokens implements token.Repository: one call for all ids; ids not found
// are absent; tokens of other merchants are returned too (the checker
// treats them as unknown).
func (r *dataTokens) Tokens(_ context.Context, _ string, ids []string) ([]token.Token, error) {
	out := make([]token.Token, 0, len(ids))
	for _, id := range ids {
		if t, ok := r.byID[id]; ok {
			out = append(out, t)
		}
	}
	return out, nil
}

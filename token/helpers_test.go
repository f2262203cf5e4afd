package token_test

import (
	"context"
	"sync"

	"github.com/clientsession/engine/token"
)

// fakeRepo is a map-backed token.Repository that counts its calls.
type fakeRepo struct {
	mu     sync.Mutex
	tokens map[string]token.Token
	calls  int
	asked  [][]string
	err    error
}

func newFakeRepo(tokens ...token.Token) *fakeRepo {
	r := &fakeRepo{tokens: map[string]token.Token{}}
	for _, t := range tokens {
		r.tokens[t.ID] = t
	}
	return r
}

func (r *fakeRepo) Tokens(_ context.Context, _ string, ids []string) ([]token.Token, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	r.asked = append(r.asked, append([]string(nil), ids...))
	if r.err != nil {
		return nil, r.err
	}
	var out []token.Token
	for _, id := range ids {
		if t, ok := r.tokens[id]; ok {
			out = append(out, t)
		}
	}
	return out, nil
}

func allProducts(int32) bool { return true }

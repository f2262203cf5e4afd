package pgstore_test

import (
	"testing"

	"github.com/clientsession/engine/session/sessiontest"
	"github.com/clientsession/engine/storage/storagetest"
)

func BenchmarkCreateAndAuthenticate(b *testing.B) {
	s, counter := newStore(b)
	sessiontest.BenchmarkEngine(b, storagetest.Stores{Sessions: s, Tokens: s, PutTokens: s.PutTokens}, counter.n.Load, "queries/op")
}

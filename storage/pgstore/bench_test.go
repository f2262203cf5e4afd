package pgstore_test

import (
	"context"
	"testing"

	"github.com/clientsession/engine/storage/storagetest"

	"github.com/clientsession/engine/session"
)

func BenchmarkCreateAndAuthenticate(b *testing.B) {
	s, counter := newStore(b)
	e := storagetest.NewLoadEngine(b, storagetest.Stores{Sessions: s, Tokens: s, PutTokens: s.PutTokens})
	ctx := context.Background()
	req := session.CreateRequest{Tokens: []string{"tok-1", "tok-2", "tok-3", "tok-4", "tok-5"}}
	b.Run("Create", func(b *testing.B) {
		b.ReportAllocs()
		start, n := counter.n.Load(), 0
		for b.Loop() {
			n++
			if _, err := e.Create(ctx, "1234", req); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(counter.n.Load()-start)/float64(n), "queries/op")
	})
	b.Run("Authenticate", func(b *testing.B) {
		resp, err := e.Create(ctx, "1234", req)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		start, n := counter.n.Load(), 0
		for b.Loop() {
			n++
			if _, err := e.Authenticate(ctx, resp.CustomerID, resp.ClientSessionID); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(counter.n.Load()-start)/float64(n), "queries/op")
	})
}

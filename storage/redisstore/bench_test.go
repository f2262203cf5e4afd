package redisstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/clientsession/engine/storage/storagetest"

	"github.com/clientsession/engine/session"
	"github.com/clientsession/engine/storage"
)

func BenchmarkSave(b *testing.B) {
	s, counter := newStore(b)
	ctx := context.Background()
	rec := session.Record{MerchantID: "1234", CustomerID: "1234-0b67467b30df4c6d8649c8adc568fd0f",
		ExpiresAt: time.Now().Add(time.Hour), Payload: make([]byte, 146)}
	b.ReportAllocs()
	i := 0
	start := counter.n.Load()
	for b.Loop() {
		i++
		rec.Key = storage.Key{byte(i), byte(i >> 8), byte(i >> 16)}
		if err := s.Save(ctx, rec); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(counter.n.Load()-start)/float64(i), "roundtrips/op")
}

func BenchmarkCreateAndAuthenticate(b *testing.B) {
	s, counter := newStore(b)
	storagetest.BenchmarkEngine(b, storagetest.Stores{Sessions: s}, counter.n.Load, "roundtrips/op")
}

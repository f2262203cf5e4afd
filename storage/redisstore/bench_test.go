package redisstore_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/clientsession/engine/session/sessiontest"
	"github.com/clientsession/engine/storage"
	"github.com/clientsession/engine/storage/storagetest"
)

func BenchmarkSave(b *testing.B) {
	s, counter := newStore(b)
	ctx := context.Background()
	rec := storage.Record{MerchantID: "1234", CustomerID: "1234-0b67467b30df4c6d8649c8adc568fd0f",
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
	sessiontest.BenchmarkEngine(b, storagetest.Stores{Sessions: s}, counter.n.Load, "roundtrips/op")
}

func BenchmarkLoad(b *testing.B) {
	s, counter := newStore(b)
	ctx := context.Background()
	now := time.Now()
	const live = 1024
	for i := range live {
		rec := storage.Record{Key: storage.Key{byte(i), byte(i >> 8), 0xbe}, MerchantID: "1234",
			CustomerID: "1234-0b67467b30df4c6d8649c8adc568fd0f", ExpiresAt: now.Add(time.Hour), Payload: make([]byte, 146)}
		if err := s.Save(ctx, rec); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	i := 0
	start := counter.n.Load()
	for b.Loop() {
		i++
		if _, err := s.Load(ctx, storage.Key{byte(i % live), byte(i % live >> 8), 0xbe}, now); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(counter.n.Load()-start)/float64(i), "roundtrips/op")
}

func BenchmarkRecordNonce(b *testing.B) {
	s, counter := newStore(b)
	ctx := context.Background()
	expires := time.Now().Add(time.Hour)
	if err := s.RecordNonce(ctx, storage.Key{0xff}, "warm", expires); err != nil { // loads the script
		b.Fatal(err)
	}
	b.ReportAllocs()
	i := 0
	start := counter.n.Load()
	for b.Loop() {
		i++
		if err := s.RecordNonce(ctx, storage.Key{byte(i % 256)}, strconv.Itoa(i), expires); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(counter.n.Load()-start)/float64(i), "roundtrips/op")
}

package memstore_test

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clientsession/engine/storage"
	"github.com/clientsession/engine/storage/memstore"
)

// liveSessions is the live set of the benchmarks: large enough that
// lookups miss the CPU caches as they do in production.
const liveSessions = 1 << 16

// benchKey is a cheap, well-spread key for the i-th session (splitmix64),
// standing in for a SHA-256.
func benchKey(i uint64) storage.Key {
	var k storage.Key
	for j := range 4 {
		i += 0x9e3779b97f4a7c15
		z := i
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
		z = (z ^ (z >> 27)) * 0x94d049bb133111eb
		binary.LittleEndian.PutUint64(k[8*j:], z^(z>>31))
	}
	return k
}

var benchNow = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

// benchRecord is a session as the engine stores it: customerId
// "{merchantId}-{32 hex}" and a payload of about 200 bytes (filters and 5
// tokens of 32 characters).
func benchRecord(i uint64, payload []byte) storage.Record {
	k := benchKey(i)
	binary.LittleEndian.PutUint64(payload, i)
	return storage.Record{
		Key: k, MerchantID: "1234", CustomerID: "1234-" + hex.EncodeToString(k[16:]),
		ExpiresAt: benchNow.Add(2 * time.Hour), Payload: string(payload),
	}
}

func filled(b *testing.B, n int, opts ...memstore.Option) (*memstore.Store, []storage.Key) {
	b.Helper()
	s := newStore(b, opts...)
	keys := make([]storage.Key, n)
	payload := make([]byte, 200)
	for i := range keys {
		r := benchRecord(uint64(i), payload)
		if err := s.Save(b.Context(), r); err != nil {
			b.Fatal(err)
		}
		keys[i] = r.Key
	}
	return s, keys
}

func BenchmarkLoad(b *testing.B) {
	for _, shards := range []int{1, memstore.DefaultShards} {
		s, keys := filled(b, liveSessions, memstore.WithShards(shards))
		name := "shards=" + map[int]string{1: "1", memstore.DefaultShards: "32"}[shards]
		b.Run(name+"/Sequential", func(b *testing.B) {
			b.ReportAllocs()
			ctx, i := b.Context(), 0
			for b.Loop() {
				if _, err := s.Load(ctx, keys[i%liveSessions], benchNow); err != nil {
					b.Fatal(err)
				}
				i += 7919 // a prime stride: no locality
			}
		})
		b.Run(name+"/Parallel", func(b *testing.B) {
			b.ReportAllocs()
			ctx := b.Context()
			var start atomic.Uint64
			b.RunParallel(func(pb *testing.PB) {
				i := int(start.Add(12345))
				for pb.Next() {
					if _, err := s.Load(ctx, keys[i%liveSessions], benchNow); err != nil {
						b.Error(err)
						return
					}
					i += 7919
				}
			})
		})
	}
	s, _ := filled(b, liveSessions)
	b.Run("Miss", func(b *testing.B) {
		b.ReportAllocs()
		ctx, i := b.Context(), uint64(0)
		for b.Loop() {
			if _, err := s.Load(ctx, benchKey(1<<40+i), benchNow); !errors.Is(err, storage.ErrNotFound) {
				b.Fatal(err)
			}
			i++
		}
	})
}

func BenchmarkSave(b *testing.B) {
	payload := make([]byte, 200)
	b.Run("Replace", func(b *testing.B) {
		s, _ := filled(b, liveSessions)
		recs := make([]storage.Record, liveSessions)
		for i := range recs {
			recs[i] = benchRecord(uint64(i), payload)
		}
		b.ReportAllocs()
		ctx, i := b.Context(), 0
		for b.Loop() {
			if err := s.Save(ctx, recs[i%liveSessions]); err != nil {
				b.Fatal(err)
			}
			i += 7919
		}
	})
	b.Run("New", func(b *testing.B) { benchSaveNew(b) })
	// With a bound the store never reaches: the account's compare-and-swap.
	b.Run("NewBounded", func(b *testing.B) { benchSaveNew(b, memstore.WithMaxBytes(1<<40)) })
}

// benchSaveNew saves fresh sessions into a store of liveSessions.
func benchSaveNew(b *testing.B, opts ...memstore.Option) {
	b.Helper()
	s, _ := filled(b, liveSessions, opts...)
	recs := make([]storage.Record, 4096)
	for i := range recs {
		recs[i] = benchRecord(uint64(i), make([]byte, 200))
	}
	b.ReportAllocs()
	ctx, i := b.Context(), uint64(0)
	for b.Loop() {
		r := recs[i%uint64(len(recs))]
		r.Key = benchKey(1<<40 + i) // a fresh session: the store grows
		if err := s.Save(ctx, r); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkMemory reports the heap bytes per live session over 1,000,000
// sessions of the engine's shape (B/session), map slots, strings and
// shard overhead included.
func BenchmarkMemory(b *testing.B) {
	const n = 1_000_000
	payload := make([]byte, 200)
	for b.Loop() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		s := newStore(b)
		for i := range uint64(n) {
			if err := s.Save(b.Context(), benchRecord(i, payload)); err != nil {
				b.Fatal(err)
			}
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		if s.Len() != n {
			b.Fatalf("Len = %d, want %d", s.Len(), n)
		}
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "B/session")
		runtime.KeepAlive(s)
	}
}

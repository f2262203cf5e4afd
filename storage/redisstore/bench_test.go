package redisstore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/clientsession/engine/session"
	"github.com/clientsession/engine/session/sessiontest"
	"github.com/clientsession/engine/storage"
	"github.com/clientsession/engine/storage/redisstore"
	"github.com/clientsession/engine/storage/storagetest"
)

func BenchmarkSave(b *testing.B) {
	s, counter := newStore(b)
	ctx := context.Background()
	rec := storage.Record{MerchantID: "1234", CustomerID: "1234-0b67467b30df4c6d8649c8adc568fd0f",
		ExpiresAt: time.Now().Add(time.Hour), Payload: string(make([]byte, 146))}
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
			CustomerID: "1234-0b67467b30df4c6d8649c8adc568fd0f", ExpiresAt: now.Add(time.Hour), Payload: string(make([]byte, 146))}
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

// BenchmarkVersusRaw compares, in one run and on one client, the store's
// Save and Load with their floor: a raw SET with an expiry and a raw GET of
// a value of the same size, under a key prefix of the benchmark's own.
// The parallel variants run 32 goroutines on the client's pool; their
// ns/op is wall time per operation, so ops/s = 1e9 / (ns/op).
func BenchmarkVersusRaw(b *testing.B) {
	client := redis.NewClient(testOptions(b))
	var rnd [6]byte
	_, _ = rand.Read(rnd[:])
	prefix := "csbench:" + hex.EncodeToString(rnd[:]) + ":"
	ctx := context.Background()
	b.Cleanup(func() {
		iter := client.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			client.Del(ctx, iter.Val())
		}
		_ = client.Close()
	})
	s, err := redisstore.New(client, redisstore.WithPrefix(prefix))
	if err != nil {
		b.Fatal(err)
	}
	const live = 1024
	now := time.Now()
	rec := func(i int) storage.Record {
		return storage.Record{Key: storage.Key{byte(i), byte(i >> 8), 0xbe}, MerchantID: "1234",
			CustomerID: "1234-0b67467b30df4c6d8649c8adc568fd0f", ExpiresAt: now.Add(time.Hour), Payload: string(make([]byte, 146))}
	}
	for i := range live {
		if err := s.Save(ctx, rec(i)); err != nil {
			b.Fatal(err)
		}
	}
	// The raw value is as long as the store's encoded record.
	keys, err := client.Keys(ctx, prefix+"*").Result()
	if err != nil || len(keys) == 0 {
		b.Fatal(keys, err)
	}
	stored, err := client.Get(ctx, keys[0]).Bytes()
	if err != nil {
		b.Fatal(err)
	}
	value := make([]byte, len(stored))
	rawKey := func(i int) string { return prefix + "raw:" + strconv.Itoa(i%live) }
	for i := range live {
		client.Set(ctx, rawKey(i), value, time.Hour)
	}
	ops := map[string]func(i int) error{
		"Save": func(i int) error { return s.Save(ctx, rec(i%live)) },
		"raw-SET": func(i int) error {
			return client.Do(ctx, "SET", rawKey(i), value, "PXAT", now.Add(time.Hour).UnixMilli()).Err()
		},
		"Load": func(i int) error {
			_, err := s.Load(ctx, storage.Key{byte(i % live), byte(i % live >> 8), 0xbe}, now)
			return err
		},
		"raw-GET": func(i int) error { return client.Get(ctx, rawKey(i)).Err() },
	}
	for _, name := range []string{"Save", "raw-SET", "Load", "raw-GET"} {
		op := ops[name]
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				i++
				if err := op(i); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	for _, name := range []string{"Save", "raw-SET", "Load", "raw-GET"} {
		op := ops[name]
		b.Run(name+"-parallel", func(b *testing.B) {
			b.ReportAllocs()
			b.SetParallelism(16) // 32 goroutines on 2 cores
			var seed atomic.Int64
			b.RunParallel(func(pb *testing.PB) {
				i := int(seed.Add(101))
				for pb.Next() {
					i++
					if err := op(i); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// BenchmarkReplicaAcks measures what WithReplicaAcks(1, …) costs: Save
// from 16 goroutines on a primary with one replica, without and with
// WAIT, the replica on loopback and behind a 5 ms link (a LagProxy on the
// replication link). Its sub-benchmarks alternate within one run, so
// their ratios hold on a loaded machine:
//
//	go test -run '^$' -bench ReplicaAcks -count 6 . | tee /tmp/acks.txt && benchstat -col /acks /tmp/acks.txt
func BenchmarkReplicaAcks(b *testing.B) {
	addr(b) // the same switch as the other tests: CI sets it
	type pair struct {
		name    string
		primary string
	}
	var pairs []pair
	for _, lag := range []time.Duration{0, 5 * time.Millisecond} {
		primary := startOwnServer(b)
		proxy := sessiontest.NewLagProxy(b, "127.0.0.1:0", primary.addr())
		replica := startOwnServer(b, "--replicaof", "127.0.0.1", strconv.Itoa(proxy.Port()))
		waitReplicaLink(b, replica.addr())
		proxy.SetLag(lag)
		name := "loopback"
		if lag > 0 {
			name = "link=5ms"
		}
		pairs = append(pairs, pair{name, primary.addr()})
	}
	rec := storage.Record{MerchantID: "1234", CustomerID: "1234-0b67467b30df4c6d8649c8adc568fd0f",
		ExpiresAt: time.Now().Add(time.Hour), Payload: string(make([]byte, 146))}
	for _, p := range pairs {
		for _, acks := range []int{0, 1} {
			client := redis.NewClient(&redis.Options{Addr: p.primary, ReadTimeout: 2 * time.Second, PoolSize: 32})
			b.Cleanup(func() { _ = client.Close() })
			var opts []redisstore.Option
			if acks > 0 {
				opts = append(opts, redisstore.WithReplicaAcks(acks, time.Second))
			}
			s, err := redisstore.New(client, opts...)
			if err != nil {
				b.Fatal(err)
			}
			b.Run(p.name+"/acks="+strconv.Itoa(acks), func(b *testing.B) {
				var n atomic.Int64
				b.ReportAllocs()
				b.SetParallelism(8) // 16 goroutines on 2 cores
				b.RunParallel(func(pb *testing.PB) {
					r := rec
					for pb.Next() {
						i := n.Add(1)
						r.Key = storage.Key{byte(i), byte(i >> 8), byte(i >> 16), byte(i >> 24), 0xac, byte(acks)}
						if err := s.Save(context.Background(), r); err != nil {
							b.Error(err)
							return
						}
					}
				})
			})
		}
	}
}

// BenchmarkMemoryPerItem reports what Redis holds per session (5 tokens,
// no filters, created through the engine) and per kept idempotent answer
// (a create's answer, about 200 bytes), from used_memory before and after
// each on a server of its own: the figures of docs/failover.md's scale on
// paper.
//
//	go test -run '^$' -bench MemoryPerItem -benchtime 20000x .
func BenchmarkMemoryPerItem(b *testing.B) {
	addr(b) // the same switch as the other tests: CI sets it
	srv := startOwnServer(b)
	client := redis.NewClient(&redis.Options{Addr: srv.addr()})
	b.Cleanup(func() { _ = client.Close() })
	s, err := redisstore.New(client)
	if err != nil {
		b.Fatal(err)
	}
	e := sessiontest.NewLoadEngine(b, storagetest.Stores{Sessions: s})
	ctx := context.Background()
	used := func() float64 {
		b.Helper()
		info, err := client.Info(ctx, "memory").Result()
		if err != nil {
			b.Fatal(err)
		}
		for line := range strings.Lines(info) {
			if v, ok := strings.CutPrefix(strings.TrimSpace(line), "used_memory:"); ok {
				n, err := strconv.ParseFloat(v, 64)
				if err != nil {
					b.Fatal(err)
				}
				return n
			}
		}
		b.Fatal("INFO memory has no used_memory")
		return 0
	}
	req := session.CreateRequest{Tokens: []string{"tok-1", "tok-2", "tok-3", "tok-4", "tok-5"}}
	answer := session.Answer{Status: 200, Body: []byte(`{"assetUrl":"https://pay.example.com/","clientApiUrl":"https://pay.example.com/client",` +
		`"clientSessionId":"0123456789abcdef0123456789abcdef","customerId":"1234-0123456789abcdef0123456789abcdef","invalidTokens":[],"region":"EU"}`)}
	b.Run("session", func(b *testing.B) {
		before, n := used(), 0
		for b.Loop() {
			n++
			if _, err := e.Create(ctx, sessiontest.LoadMerchant, req); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric((used()-before)/float64(n), "bytes/item")
	})
	b.Run("idempotent answer", func(b *testing.B) {
		before, n := used(), 0
		for b.Loop() {
			n++
			if _, err := e.Idempotent(ctx, sessiontest.LoadMerchant, "key-"+strconv.Itoa(n), []byte("{}"),
				func(context.Context) session.Answer { return answer }); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric((used()-before)/float64(n), "bytes/item")
	})
}

package pgstore_test

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/clientsession/engine/session/sessiontest"
	"github.com/clientsession/engine/storage"
	"github.com/clientsession/engine/storage/pgstore"
	"github.com/clientsession/engine/storage/storagetest"
)

func BenchmarkCreateAndAuthenticate(b *testing.B) {
	s, counter := newStore(b)
	sessiontest.BenchmarkEngine(b, storagetest.Stores{Sessions: s, Tokens: s, PutTokens: s.PutTokens}, counter.n.Load, "queries/op")
}

// BenchmarkVersusRaw compares, in one run and on one pool, the store's Save
// and Load with their floor: a bare single-row INSERT and a SELECT by
// primary key on a table of the benchmark's own with the same columns
// (key, merchant_id, customer_id, expires_at, payload) and only the
// primary key. Every Save and INSERT writes a new row. The parallel
// variants run 16 goroutines on the pool; their ns/op is wall time per
// operation, so ops/s = 1e9 / (ns/op).
func BenchmarkVersusRaw(b *testing.B) {
	ctx := context.Background()
	pool := newPool(b, dsn(b), nil)
	var rnd [5]byte
	_, _ = rand.Read(rnd[:])
	sfx := hex.EncodeToString(rnd[:])
	tables := pgstore.Tables{Sessions: "b_sessions_" + sfx, Nonces: "b_nonces_" + sfx, Tokens: "b_tokens_" + sfx}
	floor := "b_floor_" + sfx
	b.Cleanup(func() {
		_, _ = pool.Exec(ctx, "DROP TABLE IF EXISTS "+tables.Sessions+", "+tables.Nonces+", "+tables.Tokens+", "+floor)
	})
	s, err := pgstore.New(pool, pgstore.WithTables(tables))
	if err != nil {
		b.Fatal(err)
	}
	if err := s.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	if _, err := pool.Exec(ctx, "CREATE TABLE "+floor+` (key BYTEA PRIMARY KEY, merchant_id TEXT NOT NULL,
		customer_id TEXT NOT NULL, expires_at TIMESTAMPTZ NOT NULL, payload BYTEA NOT NULL)`); err != nil {
		b.Fatal(err)
	}
	const live = 1024
	now := time.Now()
	expires := now.Add(time.Hour)
	payload := make([]byte, 146)
	var next atomic.Uint64 // keys of new rows, unique across sub-benchmarks
	key := func(n uint64) storage.Key {
		var k storage.Key
		binary.BigEndian.PutUint64(k[:], n)
		copy(k[8:], rnd[:])
		return k
	}
	rec := func(k storage.Key) storage.Record {
		return storage.Record{Key: k, MerchantID: "1234", CustomerID: "1234-0b67467b30df4c6d8649c8adc568fd0f", ExpiresAt: expires, Payload: string(payload)}
	}
	insert := func(k storage.Key) error {
		_, err := pool.Exec(ctx, "INSERT INTO "+floor+" (key, merchant_id, customer_id, expires_at, payload) VALUES ($1, $2, $3, $4, $5)",
			k[:], "1234", "1234-0b67467b30df4c6d8649c8adc568fd0f", expires, payload)
		return err
	}
	for i := range live {
		k := key(uint64(i))
		if err := s.Save(ctx, rec(k)); err != nil {
			b.Fatal(err)
		}
		if err := insert(k); err != nil {
			b.Fatal(err)
		}
	}
	next.Store(live)
	ops := map[string]func(i int) error{
		"Save":       func(int) error { return s.Save(ctx, rec(key(next.Add(1)))) },
		"raw-INSERT": func(int) error { return insert(key(next.Add(1))) },
		"Load": func(i int) error {
			_, err := s.Load(ctx, key(uint64(i%live)), now)
			return err
		},
		"raw-SELECT": func(i int) error {
			k := key(uint64(i % live))
			var p []byte
			return pool.QueryRow(ctx, "SELECT payload FROM "+floor+" WHERE key = $1", k[:]).Scan(&p)
		},
	}
	names := []string{"Save", "raw-INSERT", "Load", "raw-SELECT"}
	for _, name := range names {
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
	for _, name := range names {
		op := ops[name]
		b.Run(name+"-parallel", func(b *testing.B) {
			b.ReportAllocs()
			b.SetParallelism(8) // 16 goroutines on 2 cores
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

// BenchmarkSynchronousReplication measures what synchronous replication
// costs: Save from 16 goroutines on a primary whose standby is
// synchronous (synchronous_standby_names = '*'), with
// synchronous_commit = local (the commit waits for the primary's WAL
// only) and on (it waits for the standby's flush too), the standby on
// loopback and behind a 5 ms link. The sub-benchmarks alternate within
// one run, so their ratios hold on a loaded machine:
//
//	go test -run '^$' -bench SynchronousReplication -count 6 . | tee /tmp/sync.txt && benchstat -col /commit /tmp/sync.txt
func BenchmarkSynchronousReplication(b *testing.B) {
	dsn(b) // the same switch as the other tests: CI sets it
	top := startPGTopology(b, true)
	stores := map[string]*pgstore.Store{}
	for _, commit := range []string{"local", "on"} {
		cfg, err := pgxpool.ParseConfig(top.primary.dsn())
		if err != nil {
			b.Fatal(err)
		}
		cfg.MaxConns = 16
		cfg.ConnConfig.RuntimeParams["synchronous_commit"] = commit
		pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(pool.Close)
		s, err := pgstore.New(pool)
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Migrate(context.Background()); err != nil {
			b.Fatal(err)
		}
		stores[commit] = s
	}
	rec := storage.Record{MerchantID: "1234", CustomerID: "1234-0b67467b30df4c6d8649c8adc568fd0f",
		ExpiresAt: time.Now().Add(time.Hour), Payload: string(make([]byte, 146))}
	var n atomic.Int64
	for _, lag := range []time.Duration{0, 5 * time.Millisecond} {
		name := "loopback"
		if lag > 0 {
			name = "link=5ms"
		}
		for _, commit := range []string{"local", "on"} {
			s := stores[commit]
			b.Run(name+"/commit="+commit, func(b *testing.B) {
				top.proxy.SetLag(lag)
				b.ReportAllocs()
				b.SetParallelism(8) // 16 goroutines on 2 cores
				b.RunParallel(func(pb *testing.PB) {
					r := rec
					for pb.Next() {
						i := n.Add(1)
						r.Key = storage.Key{byte(i), byte(i >> 8), byte(i >> 16), byte(i >> 24), 0x5c}
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

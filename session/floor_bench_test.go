package session_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/clientsession/engine/session"
)

// op is one operation of an interleaved comparison.
type op struct {
	name string
	fn   func()
}

// interleave runs ops in turn, chunk calls of each per round, until b.Loop
// ends, and reports each op's time per call ("<name>-ns/op") and its ratio
// to the first op ("<name>/<first>"). On a shared machine whose load
// changes by the second, timing the operation and its floor in alternation
// keeps their ratio honest where separate benchmarks, seconds apart, do
// not. (The run's own ns/op is the time of one round: ignore it.)
func interleave(b *testing.B, ops ...op) {
	b.Helper()
	const chunk = 32
	total := make([]time.Duration, len(ops))
	calls := 0
	for b.Loop() {
		for k, o := range ops {
			t0 := time.Now()
			for range chunk {
				o.fn()
			}
			total[k] += time.Since(t0)
		}
		calls += chunk
	}
	for k, o := range ops {
		b.ReportMetric(float64(total[k].Nanoseconds())/float64(calls), o.name+"-ns/op")
		if k > 0 {
			b.ReportMetric(float64(total[k])/float64(total[0]), o.name+"/"+ops[0].name)
		}
	}
}

// BenchmarkVersusFloor times each operation in alternation with its floor:
//
//   - decode: encoding/json.Unmarshal of the bench body into plain structs
//     of the same shape (the floor), the strict decode alone, the validator
//     alone, DecodeCreateRequest (the strict decode; the validator runs in
//     Create);
//   - create: the floor of BenchmarkCreateFloor (stdlib decode, two random
//     ids, a batch token lookup, a map insert), DecodeCreateRequest +
//     Create;
//   - authenticate: the floor of BenchmarkAuthenticateFloor (SHA-256, an
//     RWMutex map lookup, a constant-time compare), Authenticate.
//
// Create and Authenticate run over a live set of 65,536 sessions.
func BenchmarkVersusFloor(b *testing.B) {
	ctx := context.Background()
	b.Run("decode", func(b *testing.B) {
		e, _, _ := benchEngine(b, 0)
		req, err := e.DecodeCreateRequest(benchBody)
		if err != nil {
			b.Fatal(err)
		}
		v := session.Validator(e)
		interleave(b,
			op{"stdlib", func() {
				var r stdRequest
				if err := json.Unmarshal(benchBody, &r); err != nil {
					b.Fatal(err)
				}
			}},
			op{"strict", func() {
				if _, err := session.DecodeStrict(benchBody); err != nil {
					b.Fatal(err)
				}
			}},
			op{"validator", func() {
				if err := v.Struct(&req); err != nil {
					b.Fatal(err)
				}
			}},
			op{"DecodeCreateRequest", func() {
				if _, err := e.DecodeCreateRequest(benchBody); err != nil {
					b.Fatal(err)
				}
			}},
		)
	})
	b.Run("create", func(b *testing.B) {
		e, _, _ := benchEngine(b, liveSessions)
		interleave(b,
			op{"floor", newCreateFloor(b)},
			op{"Create", func() {
				req, err := e.DecodeCreateRequest(benchBody)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := e.Create(ctx, merchant, req); err != nil {
					b.Fatal(err)
				}
			}},
		)
	})
	b.Run("authenticate", func(b *testing.B) {
		e, _, resps := benchEngine(b, liveSessions)
		creds := credentials(resps)
		floorCreds, floor := newAuthenticateFloor()
		i, j := 0, 0
		interleave(b,
			op{"floor", func() {
				if !floor(&floorCreds[i&(liveSessions-1)]) {
					b.Fatal("mismatch")
				}
				i += 7919
			}},
			op{"Authenticate", func() {
				r := &creds[j&(liveSessions-1)]
				if _, err := e.Authenticate(ctx, r.customer, r.session); err != nil {
					b.Fatal(err)
				}
				j += 7919
			}},
		)
	})
}

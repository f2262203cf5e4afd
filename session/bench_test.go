package session_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	mathrand "math/rand/v2"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clientsession/engine/filter"
	"github.com/clientsession/engine/session"
	"github.com/clientsession/engine/storage"
	"github.com/clientsession/engine/storage/memstore"
	"github.com/clientsession/engine/token"
)

// liveSessions is the live set the benchmarks run over: large enough that
// lookups miss the CPU caches as they do in production.
const liveSessions = 1 << 16

// benchBody is a create request with filters and 5 tokens of 32 characters.
var benchBody = []byte(`{"paymentProductFilters":{"restrictTo":{"groups":["cards"],"products":[840]},"exclude":{"products":[3]}},` +
	`"tokens":["` + benchToken(0) + `","` + benchToken(1) + `","` + benchToken(2) + `","` + benchToken(3) + `","` + benchToken(4) + `"]}`)

func benchToken(i int) string {
	return "dddddddddddddddddddddddddddddd" + strconv.Itoa(10+i)
}

// benchEngine returns an engine over a memstore holding the 5 bench
// tokens and n sessions created with benchBody, and the responses.
func benchEngine(b *testing.B, n int, opts ...session.Option) (*session.Engine, *memstore.Store, []session.CreateResponse) {
	b.Helper()
	store, err := memstore.New()
	if err != nil {
		b.Fatal(err)
	}
	for i := range 5 {
		store.PutTokens(token.Token{ID: benchToken(i), MerchantID: merchant, PaymentProductID: int32(1 + i%3), Status: token.StatusActive,
			CardExpiry: token.Expiry{Month: time.December, Year: 2030}, Alias: "************4242"})
	}
	clk := newClock(start)
	e, err := session.New(store, store, append([]session.Option{
		session.WithCatalog(testCatalog(b)),
		session.WithDatacenter(session.Datacenter{Origin: origin, Region: "EU"}),
		session.WithClock(clk.now),
	}, opts...)...)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	resps := make([]session.CreateResponse, n)
	req, err := e.DecodeCreateRequest(benchBody)
	if err != nil {
		b.Fatal(err)
	}
	for i := range resps {
		if resps[i], err = e.Create(ctx, merchant, req); err != nil {
			b.Fatal(err)
		}
	}
	return e, store, resps
}

// BenchmarkCreate: decode, validate, check 5 tokens, mint ids, store.
func BenchmarkCreate(b *testing.B) {
	e, _, _ := benchEngine(b, liveSessions)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		req, err := e.DecodeCreateRequest(benchBody)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := e.Create(ctx, merchant, req); err != nil {
			b.Fatal(err)
		}
	}
}

// stdRequest is a create request as plain structs for encoding/json, the
// same shape as session.CreateRequest: the floor of decoding.
type stdRequest struct {
	PaymentProductFilters *struct {
		RestrictTo *stdSelection `json:"restrictTo"`
		Exclude    *stdSelection `json:"exclude"`
	} `json:"paymentProductFilters"`
	Tokens []string `json:"tokens"`
}

type stdSelection struct {
	Groups   []string `json:"groups"`
	Products []int32  `json:"products"`
}

// BenchmarkCreateFloor: what any Create must do — encoding/json.Unmarshal
// of the body, two random ids, one batch lookup of the 5 tokens in a map,
// one map insert — over the same live set.
func BenchmarkCreateFloor(b *testing.B) {
	insert := newCreateFloor(b)
	b.ReportAllocs()
	for b.Loop() {
		insert()
	}
}

// newCreateFloor returns the floor of one Create (see BenchmarkCreateFloor)
// over a live set of liveSessions.
func newCreateFloor(b *testing.B) func() {
	b.Helper()
	type rec struct {
		merchant, customer string
		expires            time.Time
		payload            []byte
	}
	var mu sync.RWMutex
	m := make(map[storage.Key]rec)
	tokens := make(map[string]token.Token)
	for i := range 5 {
		tokens[benchToken(i)] = token.Token{ID: benchToken(i), MerchantID: merchant, PaymentProductID: int32(1 + i%3), Status: token.StatusActive}
	}
	insert := func() {
		var req stdRequest
		if err := json.Unmarshal(benchBody, &req); err != nil {
			b.Fatal(err)
		}
		found := make([]token.Token, 0, len(req.Tokens))
		mu.RLock()
		for _, id := range req.Tokens {
			if t, ok := tokens[id]; ok {
				found = append(found, t)
			}
		}
		mu.RUnlock()
		var raw [32]byte
		_, _ = rand.Read(raw[:])
		id, customer := hex.EncodeToString(raw[:16]), merchant+"-"+hex.EncodeToString(raw[16:])
		key := sha256.Sum256([]byte(id))
		mu.Lock()
		m[key] = rec{merchant: merchant, customer: customer, expires: start, payload: []byte(found[0].ID)}
		mu.Unlock()
	}
	for range liveSessions {
		insert()
	}
	return insert
}

// BenchmarkDecode compares, in one run, the floor of decoding a create
// request (encoding/json.Unmarshal of the same body into plain structs of
// the same shape, which checks neither unknown members, duplicates, null
// nor ids) with the strict walk alone, the go-playground validator alone
// (the engine's), all shape rules (the validator and Filters.Validate,
// which Create runs) and DecodeCreateRequest (the strict walk).
func BenchmarkDecode(b *testing.B) {
	e, _, _ := benchEngine(b, 0)
	req, err := e.DecodeCreateRequest(benchBody)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("stdlib-Unmarshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var r stdRequest
			if err := json.Unmarshal(benchBody, &r); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("strict-decode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := session.DecodeStrict(benchBody); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("validator", func(b *testing.B) {
		v := session.Validator(e)
		b.ReportAllocs()
		for b.Loop() {
			if err := v.Struct(&req); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("shape-rules", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := e.ValidateShape(&req); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("DecodeCreateRequest", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := e.DecodeCreateRequest(benchBody); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkCreateParts splits a create: DecodeCreateRequest (the strict
// walk) and Create on a decoded request (the shape rules and the rest).
func BenchmarkCreateParts(b *testing.B) {
	e, _, _ := benchEngine(b, liveSessions)
	req, err := e.DecodeCreateRequest(benchBody)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("DecodeCreateRequest", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := e.DecodeCreateRequest(benchBody); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Create", func(b *testing.B) {
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			if _, err := e.Create(ctx, merchant, req); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// credential is what a client presents; both Authenticate benchmarks
// read their inputs from a compact array of them, so that they pay the
// same cache misses for the input.
type credential struct{ session, customer string }

func credentials(resps []session.CreateResponse) []credential {
	out := make([]credential, len(resps))
	for i, r := range resps {
		out[i] = credential{strings.Clone(r.ClientSessionID), strings.Clone(r.CustomerID)}
	}
	return out
}

func BenchmarkAuthenticate(b *testing.B) {
	e, _, resps := benchEngine(b, liveSessions)
	creds := credentials(resps)
	ctx := context.Background()
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		r := &creds[i&(liveSessions-1)]
		if _, err := e.Authenticate(ctx, r.customer, r.session); err != nil {
			b.Fatal(err)
		}
		i += 7919 // a prime stride: consecutive calls hit unrelated sessions
	}
}

// BenchmarkAuthenticateFloor: SHA-256 of the id, an RWMutex map lookup and
// a constant-time compare, over the same live set.
func BenchmarkAuthenticateFloor(b *testing.B) {
	creds, auth := newAuthenticateFloor()
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		if !auth(&creds[i&(liveSessions-1)]) {
			b.Fatal("mismatch")
		}
		i += 7919
	}
}

// newAuthenticateFloor returns liveSessions credentials and the floor of
// authenticating one (see BenchmarkAuthenticateFloor).
func newAuthenticateFloor() ([]credential, func(*credential) bool) {
	var mu sync.RWMutex
	m := make(map[storage.Key][]byte, liveSessions)
	creds := make([]credential, liveSessions)
	for i := range creds {
		var raw [32]byte
		_, _ = rand.Read(raw[:])
		creds[i] = credential{hex.EncodeToString(raw[:16]), merchant + "-" + hex.EncodeToString(raw[16:])}
		m[sha256.Sum256([]byte(creds[i].session))] = []byte(creds[i].customer)
	}
	var buf [64]byte
	return creds, func(c *credential) bool {
		key := sha256.Sum256([]byte(c.session))
		mu.RLock()
		stored, ok := m[key]
		mu.RUnlock()
		return ok && subtle.ConstantTimeCompare(stored, append(buf[:0], c.customer...)) == 1
	}
}

func BenchmarkAuthenticateParallel(b *testing.B) {
	e, _, resps := benchEngine(b, liveSessions)
	creds := credentials(resps)
	ctx := context.Background()
	var seed atomic.Int64
	b.ReportAllocs()
	b.ResetTimer() // RunParallel runs this function once per round: leave the setup out
	b.RunParallel(func(pb *testing.PB) {
		i := int(seed.Add(12345))
		for pb.Next() {
			r := &creds[i&(liveSessions-1)]
			if _, err := e.Authenticate(ctx, r.customer, r.session); err != nil {
				b.Error(err)
				return
			}
			i += 7919
		}
	})
}

// BenchmarkProducts: the products of a session with filters and 5 tokens.
func BenchmarkProducts(b *testing.B) {
	e, _, resps := benchEngine(b, liveSessions)
	ctx := context.Background()
	s, err := e.Authenticate(ctx, resps[0].CustomerID, resps[0].ClientSessionID)
	if err != nil {
		b.Fatal(err)
	}
	pc := filter.Context{CountryCode: "NL", CurrencyCode: "EUR", Amount: 1000}
	b.ReportAllocs()
	for b.Loop() {
		ps, err := e.Products(ctx, s, pc)
		if err != nil || len(ps) != 3 {
			b.Fatal(len(ps), err)
		}
	}
}

// BenchmarkMemstoreBytesPerSession measures the heap that 1,000,000 and
// 5,000,000 live sessions (filters + 5 tokens of 32 characters) created
// through the engine hold in memstore, reported as B/session (HeapAlloc
// growth after GC), and times Authenticate over that live set. The ids come
// from a seeded generator, so that the loop can regenerate them and
// authenticate over the live set without keeping them in memory. Skipped
// with -short.
func BenchmarkMemstoreBytesPerSession(b *testing.B) {
	if testing.Short() {
		b.Skip("millions of sessions: not with -short")
	}
	for _, n := range []int{1_000_000, 5_000_000} {
		b.Run("sessions="+strconv.Itoa(n/1_000_000)+"M", func(b *testing.B) { memstoreBytes(b, n) })
	}
}

func memstoreBytes(b *testing.B, n int) {
	b.Helper()
	seed := [32]byte{'m', 'e', 'm'}
	var ms runtime.MemStats
	e, store, _ := benchEngine(b, 0, session.WithRandom(mathrand.NewChaCha8(seed)))
	ctx := context.Background()
	req, err := e.DecodeCreateRequest(benchBody)
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&ms)
	before := ms.HeapAlloc
	for range n {
		if _, err := e.Create(ctx, merchant, req); err != nil {
			b.Fatal(err)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&ms)
	if store.Len() != n {
		b.Fatalf("store holds %d sessions; want %d", store.Len(), n)
	}
	perSession := float64(ms.HeapAlloc-before) / float64(n)

	regen := mathrand.NewChaCha8(seed)
	var raw [32]byte
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		if i == n {
			regen, i = mathrand.NewChaCha8(seed), 0
		}
		_, _ = regen.Read(raw[:])
		id, customer := hex.EncodeToString(raw[:16]), merchant+"-"+hex.EncodeToString(raw[16:])
		if _, err := e.Authenticate(ctx, customer, id); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(perSession, "B/session") // after the loop: b.Loop's timer reset drops metrics reported earlier
	runtime.KeepAlive(store)
}

// benchKeys numbers the idempotence keys of BenchmarkCreateIdempotent.
var benchKeys atomic.Int64

// BenchmarkCreateIdempotent: a create under a fresh idempotence key (claim,
// create, keep the answer) next to the plain Create, on the same engine and
// memstore: the cost of idempotence is the ratio of the two.
func BenchmarkCreateIdempotent(b *testing.B) {
	e, _, _ := benchEngine(b, liveSessions)
	ctx := context.Background()
	run := func(ctx context.Context) session.Answer {
		req, err := e.DecodeCreateRequest(benchBody)
		if err != nil {
			b.Fatal(err)
		}
		resp, err := e.Create(ctx, merchant, req)
		if err != nil {
			b.Fatal(err)
		}
		return session.Answer{Status: 200, Body: []byte(resp.ClientSessionID)}
	}
	b.Run("plain", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			run(ctx)
		}
	})
	b.Run("idempotent", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			key := "k-" + strconv.FormatInt(benchKeys.Add(1), 10) // fresh across runs (-count)
			if r, err := e.Idempotent(ctx, merchant, key, benchBody, run); err != nil || r.Replayed {
				b.Fatal(r, err)
			}
		}
	})
	b.Run("replay", func(b *testing.B) {
		if _, err := e.Idempotent(ctx, merchant, "replayed", benchBody, run); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if r, err := e.Idempotent(ctx, merchant, "replayed", benchBody, run); err != nil || !r.Replayed {
				b.Fatal(r, err)
			}
		}
	})
}

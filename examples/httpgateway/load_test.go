package main

import (
	"context"
	cryptorand "crypto/rand"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clientsession/engine/storage"
	"github.com/clientsession/engine/wire"
	"github.com/clientsession/engine/wire/auth"
)

// loadFlag turns the smoke run of TestLoad into the full bounded load run:
//
//	go test -C examples/httpgateway -run TestLoad -count=1 -v -load
var loadFlag = flag.Bool("load", false, "run TestLoad at full size (10,000 creates + 10,000 client calls)")

// liveFlag runs TestLoadWithLiveSessions: the same load against a gateway
// whose store already holds that many live sessions, and against an empty
// one, in one run, to show how p99 grows with the live set:
//
//	go test -C examples/httpgateway -run TestLoadWithLiveSessions -count=1 -v -live 1000000
var liveFlag = flag.Int("live", 0, "live sessions to put in the store before TestLoadWithLiveSessions (0 skips it)")

// loadData builds a data file with one merchant and n tokens, tok-0..tok-n-1,
// each with an alias that names it: the load test proves from the alias
// that a customer sees exactly its own account on file.
func loadTestData(n int) string {
	var toks []string
	for i := range n {
		toks = append(toks, fmt.Sprintf(`{"id":"tok-%d","merchantId":"1234","paymentProductId":%d,"status":"active","cardExpiry":"1230","alias":"%s"}`,
			i, 1+i%3, aliasOf(i)))
	}
	return strings.Replace(testData, `"tokens": [`, `"tokens": [`+strings.Join(toks, ",")+",", 1)
}

func aliasOf(i int) string { return fmt.Sprintf("************%06d", i) }

// TestLoad drives a real loopback listener from concurrent workers: each
// iteration creates a session (v1HMAC-signed) holding one token chosen at
// random and lists the session's products through the Client API. Every
// answer must be a success and show exactly the session's own account on
// file. Without -load it runs a small smoke size.
func TestLoad(t *testing.T) {
	iterations, workers := 300, 8
	if *loadFlag {
		iterations, workers = 10_000, 32
	} else if testing.Short() {
		t.Skip("TestLoad: skipped with -short")
	}
	runLoad(t, iterations, workers, 0)
}

// TestLoadWithLiveSessions runs the full load twice in one run: on an
// empty store and on a store that already holds -live live sessions (put
// straight into the store, each a realistic record under a random key), so
// that the p99 of both can be compared. It runs only with -live.
func TestLoadWithLiveSessions(t *testing.T) {
	if *liveFlag <= 0 {
		t.Skip("TestLoadWithLiveSessions: run with -live N")
	}
	for _, live := range []int{0, *liveFlag} {
		t.Run(fmt.Sprintf("live=%d", live), func(t *testing.T) { runLoad(t, 10_000, 32, live) })
	}
}

// fillLive saves n live sessions of merchant 1234 into sessions, each with
// a payload the size of a session with filters and one token.
func fillLive(t *testing.T, sessions storage.Repository, n int) {
	t.Helper()
	payload := string(make([]byte, 60))
	expires := time.Now().Add(time.Hour)
	start := time.Now()
	for i := range n {
		var k storage.Key
		_, _ = cryptorand.Read(k[:])
		customer := "1234-" + hex.EncodeToString(k[:16])
		if err := sessions.Save(t.Context(), storage.Record{Key: k, MerchantID: "1234", CustomerID: customer, ExpiresAt: expires, Payload: payload}); err != nil {
			t.Fatalf("filling session %d: %v", i, err)
		}
	}
	t.Logf("filled %d live sessions in %v", n, time.Since(start).Round(time.Millisecond))
}

// runLoad is the body of TestLoad, on a store holding live sessions first.
func runLoad(t *testing.T, iterations, workers, live int) {
	t.Helper()
	const tokens = 1000
	d, err := parseData([]byte(loadTestData(tokens)))
	if err != nil {
		t.Fatal(err)
	}
	st, err := openStores(t.Context(), "", "", d)
	if err != nil {
		t.Fatal(err)
	}
	if live > 0 {
		fillLive(t, st.Sessions, live)
	}
	h, err := newServer(config{PublicURL: publicURL, Data: d, Stores: st, Keys: testKeys(t)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h) // a real listener on 127.0.0.1
	defer srv.Close()
	client := &http.Client{
		Transport: &http.Transport{MaxIdleConns: workers, MaxIdleConnsPerHost: workers},
		Timeout:   10 * time.Second,
	}
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()

	var (
		next      atomic.Int64
		failures  atomic.Int64
		crossed   atomic.Int64
		mu        sync.Mutex
		createLat []time.Duration
		clientLat []time.Duration
		firstErr  atomic.Value
	)
	fail := func(err error) {
		failures.Add(1)
		firstErr.CompareAndSwap(nil, err.Error())
	}
	start := time.Now()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 42))
			var cl, ll []time.Duration
			defer func() {
				mu.Lock()
				createLat = append(createLat, cl...)
				clientLat = append(clientLat, ll...)
				mu.Unlock()
			}()
			for next.Add(1) <= int64(iterations) && ctx.Err() == nil {
				tok := rng.IntN(tokens)
				t0 := time.Now()
				s, err := loadCreate(ctx, client, srv.URL, fmt.Sprintf(`{"tokens":["tok-%d"]}`, tok))
				cl = append(cl, time.Since(t0))
				if err != nil {
					fail(err)
					continue
				}
				t1 := time.Now()
				aliases, err := loadAliases(ctx, client, srv.URL, s)
				ll = append(ll, time.Since(t1))
				if err != nil {
					fail(err)
					continue
				}
				if !slices.Equal(aliases, []string{aliasOf(tok)}) {
					crossed.Add(1)
				}
			}
		})
	}
	// The workers stop at ctx's end; the bound is a minute past it.
	waitGroup(t, &wg, 4*time.Minute, "the load workers")
	elapsed := time.Since(start)
	if ctx.Err() != nil {
		t.Fatalf("load run did not finish within its time bound: %d of %d iterations", len(createLat), iterations)
	}
	if n := failures.Load(); n > 0 {
		t.Errorf("%d failed requests, first: %v", n, firstErr.Load())
	}
	if n := crossed.Load(); n > 0 {
		t.Errorf("%d sessions showed accounts on file that are not their own", n)
	}
	requests := len(createLat) + len(clientLat)
	t.Logf("load (%d live sessions before): %d iterations, %d workers, %d requests in %v: %.0f requests/s; create p50 %v p99 %v; client products p50 %v p99 %v; errors %d, crossed %d",
		live, iterations, workers, requests, elapsed.Round(time.Millisecond), float64(requests)/elapsed.Seconds(),
		percentile(createLat, 50), percentile(createLat, 99), percentile(clientLat, 50), percentile(clientLat, 99),
		failures.Load(), crossed.Load())
}

// percentile returns the p-th percentile (nearest rank) of d.
func percentile(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	return s[max(i-1, 0)].Round(time.Microsecond)
}

func loadCreate(ctx context.Context, client *http.Client, base, body string) (wire.SessionResponse, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/v1/1234/sessions", strings.NewReader(body))
	if err != nil {
		return wire.SessionResponse{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	req.Header.Set("Authorization", auth.Sign("testKeyId", []byte("testSecretApiKey"), auth.Request{
		Method: http.MethodPost, ContentType: "application/json", Date: req.Header.Get("Date"), Header: req.Header, Target: "/v1/1234/sessions",
	}))
	var out wire.SessionResponse
	if err := loadDo(client, req, &out); err != nil {
		return wire.SessionResponse{}, err
	}
	return out, nil
}

func loadAliases(ctx context.Context, client *http.Client, base string, s wire.SessionResponse) ([]string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/client/v1/"+s.CustomerID+"/products"+nlEUR+"&hide=fields", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", auth.ClientAuthorization(s.ClientSessionID))
	var out wire.PaymentProducts
	if err := loadDo(client, req, &out); err != nil {
		return nil, err
	}
	var aliases []string
	for _, p := range out.PaymentProducts {
		for _, a := range p.AccountsOnFile {
			aliases = append(aliases, a.Attributes[0].Value)
		}
	}
	return aliases, nil
}

func loadDo(client *http.Client, req *http.Request, v any) error {
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = res.Body.Close() }()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: status %d: %s", req.Method, req.URL.Path, res.StatusCode, body)
	}
	return json.Unmarshal(body, v)
}

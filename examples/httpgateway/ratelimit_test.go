package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/transport/connecthttp"
	"github.com/clientsession/engine/transport/connecthttp/connecttest"
)

// With -create-rate 1 -create-burst 2, a merchant's third create at once is
// a 429 with a JSON ErrorResponse and Retry-After; a second later it may
// create again; another merchant is not affected. Off by default.
func TestCreateRatePerMerchant(t *testing.T) {
	d, err := parseData([]byte(testData))
	if err != nil {
		t.Fatal(err)
	}
	st, err := openStores(t.Context(), "", "", d)
	if err != nil {
		t.Fatal(err)
	}
	var ns atomic.Int64 // added to the real time, which signatures carry
	now := func() time.Time { return time.Now().Add(time.Duration(ns.Load())) }
	h, err := newServer(config{PublicURL: publicURL, Data: d, Stores: st, CreateRate: 1, CreateBurst: 2, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	g := &connecttest.Gateway{T: t, URL: srv.URL, HTTP: srv.Client()}
	g.Create("1234", `{}`, defaultSigner)
	g.Create("1234", `{}`, defaultSigner)
	r := g.Server(http.MethodPost, "/v1/1234/sessions", `{}`, defaultSigner)
	r.WantError(t, http.StatusTooManyRequests, sderrors.ErrTooManyRequests.Code(), "")
	if s, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || s < 1 {
		t.Errorf("Retry-After = %q, want whole seconds >= 1", r.Header.Get("Retry-After"))
	}
	g.Create("5678", `{}`, otherSigner)
	ns.Add(int64(time.Second))
	g.Create("1234", `{}`, defaultSigner)

	// Off by default.
	free := newGateway(t)
	for range 30 {
		free.create(`{}`)
	}
}

// The reproduction: with a burst of 1 (and a rate too slow to
// refill during the test), replays of a finished idempotent create are
// never charged: the third replay is the first answer, not a 429.
func TestCreateRateSparesIdempotentReplays(t *testing.T) {
	d, err := parseData([]byte(testData))
	if err != nil {
		t.Fatal(err)
	}
	st, err := openStores(t.Context(), "", "", d)
	if err != nil {
		t.Fatal(err)
	}
	h, err := newServer(config{PublicURL: publicURL, Data: d, Stores: st, CreateRate: 0.001, CreateBurst: 1})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	g := &connecttest.Gateway{T: t, URL: srv.URL, HTTP: srv.Client()}
	withKey := defaultSigner
	withKey.Header = http.Header{connecthttp.IdempotenceKeyHeader: {"order-1"}}
	first := g.Server(http.MethodPost, "/v1/1234/sessions", `{}`, withKey)
	if first.Status != http.StatusOK {
		t.Fatalf("first attempt: %d %s", first.Status, first.Body)
	}
	for i := range 3 {
		r := g.Server(http.MethodPost, "/v1/1234/sessions", `{}`, withKey)
		if r.Status != http.StatusOK || !bytes.Equal(r.Body, first.Body) {
			t.Fatalf("replay %d: %d %s; want the first answer, not charged", i+1, r.Status, r.Body)
		}
	}
	// The burst was spent by the one create that ran.
	g.Server(http.MethodPost, "/v1/1234/sessions", `{}`, defaultSigner).
		WantError(t, http.StatusTooManyRequests, sderrors.ErrTooManyRequests.Code(), "")
}

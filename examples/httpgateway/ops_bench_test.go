package main

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// discard is a ResponseWriter that keeps nothing.
type discard struct{ h http.Header }

func (d discard) Header() http.Header       { return d.h }
func (discard) Write(b []byte) (int, error) { return len(b), nil }
func (discard) WriteHeader(int)             {}

// BenchmarkOps measures what the metrics layer adds to a request (no
// access log): a mux that answers 200 on a Client API route, alone
// ("floor") and behind withOps. The labels are pre-resolved: the layer
// allocates only its status recorder.
//
//	go test -C examples/httpgateway -run '^$' -bench Ops -benchmem -count 6
func BenchmarkOps(b *testing.B) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /client/v1/{customerId}/products", func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusOK)
	})
	m := newMetrics([]string{"1234"})
	for _, c := range []struct {
		name string
		h    http.Handler
	}{{"floor", mux}, {"withOps", withOps(mux, nil, m, nil)}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			w := discard{h: http.Header{}}
			r := httptest.NewRequest(http.MethodGet, "/client/v1/1234-00112233445566778899aabbccddeeff/products", nil)
			for b.Loop() {
				c.h.ServeHTTP(w, r)
			}
		})
	}
}

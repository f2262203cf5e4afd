package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/clientsession/engine/transport/connecthttp/connecttest"
)

// series returns the series of a /metrics text (its lines that are not
// comments), by name and labels.
func series(t *testing.T, g *gateway) map[string]bool {
	t.Helper()
	r := g.get("/metrics")
	if r.Status != http.StatusOK {
		t.Fatalf("/metrics: %d", r.Status)
	}
	out := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(string(r.Body)))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, _, _ := strings.Cut(line, " ")
		out[name] = true
	}
	return out
}

// abuse sends n requests with a unique method and a unique path each: the
// Server API of merchants that do not exist (unsigned and signed), Client
// API calls of unknown customers, paths nobody serves, paths not in
// canonical form and logo-like names; every method is new.
func abuse(t *testing.T, client *http.Client, base string, n, offset int) {
	t.Helper()
	for i := range n {
		u := offset + i
		var path string
		switch i % 6 {
		case 0:
			path = fmt.Sprintf("/v1/m%d/sessions", u)
		case 1:
			path = fmt.Sprintf("/client/v1/m%d-%032x/products", u, u)
		case 2:
			path = fmt.Sprintf("/nowhere/%d", u)
		case 3:
			path = fmt.Sprintf("/v1/1234/sessions/%032x/explain", u)
		case 4:
			path = fmt.Sprintf("//x%d/../y", u)
		case 5:
			path = fmt.Sprintf("/pp_logo_%d.png", u)
		}
		method := fmt.Sprintf("M%dX", u)
		if i%10 == 0 {
			method = http.MethodGet // a known method on unknown paths too
		}
		req, err := http.NewRequestWithContext(t.Context(), method, base+path, strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		req.URL.Opaque = path // sent as is, "//" and ".." included
		if i%3 == 0 {
			req.Header.Set("Authorization", "GCS v1HMAC:testKeyId:"+fmt.Sprint(u))
			req.Header.Set("Date", time.Now().UTC().Format(http.TimeFormat))
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		_ = res.Body.Close()
		if res.StatusCode >= 500 {
			t.Fatalf("%s %s: %d", method, path, res.StatusCode)
		}
	}
}

// TestMetricLabelsAreClosed: 10,000 requests with unique methods and
// paths (unknown merchants and customer ids among them) leave the set of
// series on /metrics as it was after a first round of such requests, and
// no label holds a value the requests chose; the access log neither.
func TestMetricLabelsAreClosed(t *testing.T) {
	var log syncBuffer
	d, err := parseData([]byte(testData))
	if err != nil {
		t.Fatal(err)
	}
	st, err := openStores(t.Context(), "", "", d)
	if err != nil {
		t.Fatal(err)
	}
	h, err := newServer(config{PublicURL: publicURL, Data: d, Stores: st, Keys: testKeys(t), Log: slog.New(slog.NewJSONHandler(&log, nil))})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	g := &gateway{Gateway: &connecttest.Gateway{T: t, URL: srv.URL, HTTP: srv.Client()}, srv: srv}
	client := srv.Client()

	// A real flow and a first round of abuse make every series they can.
	s := g.Create("1234", `{"tokens":["tok-visa"]}`, defaultSigner)
	productIDs(t, g.Client(s.CustomerID, s.ClientSessionID, "products"+nlEUR))
	abuse(t, client, srv.URL, 600, 0)
	series(t, g) // a scrape is counted too
	before := series(t, g)

	abuse(t, client, srv.URL, 10_000, 1_000_000)
	after := series(t, g)
	for name := range after {
		if !before[name] {
			t.Errorf("new series after 10,000 unique requests: %s", name)
		}
	}
	if len(after) != len(before) {
		t.Errorf("%d series before, %d after 10,000 unique requests; want the same", len(before), len(after))
	}
	chosen := regexp.MustCompile(`M\d+X|m\d{3,}|nowhere|pp_logo_\d{3,}`)
	for name := range after {
		if chosen.MatchString(name) {
			t.Errorf("a series holds a value a request chose: %s", name)
		}
	}
	if m := chosen.FindString(log.String()); m != "" {
		t.Errorf("the access log holds a value a request chose: %q", m)
	}
	t.Logf("%d series, unchanged by 10,000 requests with unique methods and paths", len(after))
}

// TestOpsAddr: with -ops-addr, /metrics, /healthz and /readyz are served
// there and no longer on -addr (a JSON 404 there).
func TestOpsAddr(t *testing.T) {
	public, stderr := startRunLog(t, "-ops-addr", "127.0.0.1:0")
	m := regexp.MustCompile(`operations endpoints on (http://127\.0\.0\.1:\d+)`).FindStringSubmatch(stderr.String())
	if m == nil {
		t.Fatalf("no ops listener announced: %s", stderr.String())
	}
	g := &gateway{Gateway: public}
	ops := &gateway{Gateway: &connecttest.Gateway{T: t, URL: m[1], HTTP: http.DefaultClient}}
	for _, p := range []string{"/metrics", "/healthz", "/readyz"} {
		if r := g.get(p); r.Status != http.StatusNotFound || !strings.Contains(string(r.Body), "UNKNOWN_RESOURCE") {
			t.Errorf("public %s: %d %s, want a JSON 404", p, r.Status, r.Body)
		}
		if r := ops.get(p); r.Status != http.StatusOK {
			t.Errorf("ops %s: %d %s, want 200", p, r.Status, r.Body)
		}
	}
	g.Create("1234", `{}`, defaultSigner)
	body := string(ops.get("/metrics").Body)
	if !strings.Contains(body, `clientsession_sessions_created_total{merchant="1234"} 1`) {
		t.Errorf("ops /metrics does not count the create:\n%s", body)
	}
	if r := ops.Server(http.MethodPost, "/v1/1234/sessions", "{}", defaultSigner); r.Status != http.StatusNotFound {
		t.Errorf("the API on the ops listener: %d, want 404", r.Status)
	}
}

// TestRunRefusesBadStoreBound: a negative bound, or a bound with the
// sessions elsewhere, stops the gateway at start naming the flag.
func TestRunRefusesBadStoreBound(t *testing.T) {
	var stderr syncBuffer
	for _, args := range [][]string{
		{"-max-store-bytes", "-1"},
		{"-max-store-bytes", "1000000", "-redis", "redis://127.0.0.1:1/0"},
		{"-max-store-bytes", "1000000", "-postgres", "postgres://127.0.0.1:1/x"},
	} {
		err := run(context.Background(), append([]string{"-addr", "127.0.0.1:0"}, args...), &stderr)
		if err == nil || !strings.Contains(err.Error(), "-max-store-bytes") {
			t.Errorf("run %v = %v, want an error naming -max-store-bytes", args, err)
		}
	}
}

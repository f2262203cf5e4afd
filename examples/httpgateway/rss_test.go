package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/wire/auth"
)

// boundRunFlag turns the short run of TestMemoryBoundRSS into the measured
// one of the README: a 64 MiB bound and a minute of max-size creates.
//
//	go test -C examples/httpgateway -run TestMemoryBoundRSS -count=1 -v -bound-run
var boundRunFlag = flag.Bool("bound-run", false, "run TestMemoryBoundRSS for a minute with -max-store-bytes 67108864")

// worstCase is a data file and a create body for the largest session the
// default caps allow (as session's TestWorstCaseStoredSession builds it):
// a merchant id of 64 characters; 32 groups and 512 product ids in each
// of restrictTo and exclude (groups of 32 characters, ids spread over the
// id range); 100 valid tokens of 128 characters with 64-character
// aliases. The body is about 27 KB.
func worstCase(t *testing.T) (data []byte, merchantID, body string) {
	t.Helper()
	merchantID = strings.Repeat("M", 64)
	type product struct {
		ID            int    `json:"id"`
		Group         string `json:"group"`
		DisplayOrder  int    `json:"displayOrder"`
		Label         string `json:"label"`
		Logo          string `json:"logo"`
		PaymentMethod string `json:"paymentMethod"`
	}
	type tok struct {
		ID               string `json:"id"`
		MerchantID       string `json:"merchantId"`
		PaymentProductID int    `json:"paymentProductId"`
		Status           string `json:"status"`
		CardExpiry       string `json:"cardExpiry"`
		Alias            string `json:"alias"`
	}
	groups := make([]string, 64)
	products := make([]product, 64)
	for i := range groups {
		groups[i] = strings.Repeat("g", 30) + strconv.Itoa(10+i)
		products[i] = product{ID: i + 1, Group: groups[i], DisplayOrder: i, Label: "p", Logo: "l.png", PaymentMethod: "card"}
	}
	tokens := make([]tok, 100)
	ids := make([]string, 100)
	for i := range tokens {
		ids[i] = strings.Repeat("T", 125) + strconv.Itoa(100+i)
		tokens[i] = tok{ID: ids[i], MerchantID: merchantID, PaymentProductID: 1, Status: "active", CardExpiry: "1299",
			Alias: strings.Repeat("A", 61) + strconv.Itoa(100+i)}
	}
	file := map[string]any{
		"apiKeys":     []map[string]any{{"keyId": "testKeyId", "secretApiKey": "testSecretApiKey", "merchants": []string{merchantID}}},
		"datacenters": []map[string]any{{"name": "EU", "origin": "", "region": "EU"}},
		"merchants":   []map[string]any{{"id": merchantID, "datacenter": "EU"}},
		"products":    products,
		"tokens":      tokens,
	}
	data, err := json.Marshal(file)
	if err != nil {
		t.Fatal(err)
	}
	spread := func(first int) []int {
		out := make([]int, 512)
		for i := range out {
			out[i] = first + i*4_000_000
		}
		return out
	}
	req, err := json.Marshal(map[string]any{
		"paymentProductFilters": map[string]any{
			"restrictTo": map[string]any{"groups": groups[:32], "products": spread(1_000_000)},
			"exclude":    map[string]any{"groups": groups[32:], "products": spread(1_000_001)},
		},
		"tokens": ids,
	})
	if err != nil {
		t.Fatal(err)
	}
	return data, merchantID, string(req)
}

// buildGateway builds this gateway's binary (no race detector: the
// figures are a production build's) into dir.
func buildGatewayBinary(t *testing.T, dir string) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go command to build the gateway with: %v", err)
	}
	bin := filepath.Join(dir, "httpgateway")
	cmd := exec.Command(goBin, "build", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// vmRSS reads the resident set of process pid, in bytes.
func vmRSS(pid int) (int64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, err
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
}

// scrape reads the values of the series of a /metrics page whose name and
// labels start with each prefix.
func scrape(ctx context.Context, client *http.Client, url string, prefixes ...string) (map[string]float64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	res, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer func() { _ = res.Body.Close() }()
	out := map[string]float64{}
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		for _, p := range prefixes {
			if rest, ok := strings.CutPrefix(sc.Text(), p+" "); ok {
				v, err := strconv.ParseFloat(rest, 64)
				if err != nil {
					return nil, err
				}
				out[p] = v
			}
		}
	}
	return out, sc.Err()
}

// TestMemoryBoundRSS runs the gateway's binary on memstore with
// -max-store-bytes and drives it with max-size creates (worstCase) from
// 32 workers at full speed: the store fills to its bound, and then every
// create is a 503 STORE_FULL with Retry-After: 1, counted as a refused
// save on /metrics (clientsession_store_calls_total{op="save",
// result="full"}, one per 503). The process's resident set (VmRSS,
// sampled from /proc every 100 ms) must stay under twice the bound plus
// 64 MiB, and the account (clientsession_store_bytes) under the bound.
// It logs a table of bytes accounted against RSS.
//
// Without -bound-run: a 32 MiB bound, until 3 s after the first refusal
// (at most a minute). With -bound-run: a 64 MiB bound for one minute.
func TestMemoryBoundRSS(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc/<pid>/status")
	}
	if testing.Short() {
		t.Skip("builds and runs the gateway's binary")
	}
	bound, run, afterFull := int64(32<<20), time.Minute, 3*time.Second
	if *boundRunFlag {
		bound, run, afterFull = 64<<20, time.Minute, time.Minute
	}
	dir := t.TempDir()
	data, merchantID, body := worstCase(t)
	dataFile := filepath.Join(dir, "data.json")
	if err := os.WriteFile(dataFile, data, 0o600); err != nil {
		t.Fatal(err)
	}
	bin := buildGatewayBinary(t, dir)

	var stderr syncBuffer
	cmd := exec.Command(bin, "-addr", "127.0.0.1:0", "-data", dataFile, "-max-store-bytes", strconv.FormatInt(bound, 10))
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			_ = waitFor(t, exited, 10*time.Second, "the killed gateway to exit")
		}
	})
	var base string
	waitUntil(t, 30*time.Second, "the gateway to listen", func() bool {
		m := regexp.MustCompile(`listening on (http://127\.0\.0\.1:\d+)`).FindStringSubmatch(stderr.String())
		if m != nil {
			base = m[1]
		}
		return m != nil
	})
	idleRSS, err := vmRSS(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}

	const workers = 32
	client := &http.Client{Transport: &http.Transport{MaxIdleConns: workers, MaxIdleConnsPerHost: workers}, Timeout: 30 * time.Second}
	ctx, cancel := context.WithTimeout(t.Context(), run+afterFull+30*time.Second)
	defer cancel()
	var (
		created, full atomic.Int64
		firstFull     atomic.Int64 // unix nanoseconds of the first 503
		badMu         sync.Mutex
		bad           []string
	)
	fail := func(s string) {
		badMu.Lock()
		defer badMu.Unlock()
		if len(bad) < 5 {
			bad = append(bad, s)
		}
	}
	target := "/v1/" + merchantID + "/sessions"
	start := time.Now()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+target, strings.NewReader(body))
				if err != nil {
					fail(err.Error())
					return
				}
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Date", time.Now().UTC().Format(http.TimeFormat))
				req.Header.Set("Authorization", auth.Sign("testKeyId", []byte("testSecretApiKey"), auth.Request{
					Method: http.MethodPost, ContentType: "application/json", Date: req.Header.Get("Date"), Header: req.Header, Target: target}))
				res, err := client.Do(req)
				if err != nil {
					if ctx.Err() == nil {
						fail(err.Error())
					}
					return
				}
				answer, _ := io.ReadAll(res.Body)
				_ = res.Body.Close()
				switch {
				case res.StatusCode == http.StatusOK:
					created.Add(1)
				case res.StatusCode == http.StatusServiceUnavailable && res.Header.Get("Retry-After") == "1" &&
					bytes.Contains(answer, []byte(`"code":"`+string(sderrors.ErrStoreFull.Code())+`"`)):
					full.Add(1)
					firstFull.CompareAndSwap(0, time.Now().UnixNano())
				default:
					fail(fmt.Sprintf("status %d, Retry-After %q: %.200s", res.StatusCode, res.Header.Get("Retry-After"), answer))
				}
			}
		})
	}

	// Sample the RSS every 100 ms, the account every second.
	type sample struct {
		at       time.Duration
		rss      int64
		account  float64
		created  int64
		refusals int64
	}
	var samples []sample
	var maxRSS int64
	const accountMetric = "clientsession_store_bytes"
	tick := time.NewTicker(100 * time.Millisecond)
	for i := 0; ; i++ {
		<-tick.C
		rss, err := vmRSS(cmd.Process.Pid)
		if err != nil {
			t.Fatalf("the gateway stopped: %v; stderr: %s", err, stderr.String())
		}
		maxRSS = max(maxRSS, rss)
		if i%10 == 0 {
			v, err := scrape(ctx, client, base, accountMetric)
			if err != nil {
				t.Fatal(err)
			}
			samples = append(samples, sample{time.Since(start), rss, v[accountMetric], created.Load(), full.Load()})
		}
		ff := firstFull.Load()
		if time.Since(start) > run+afterFull || (ff != 0 && time.Since(time.Unix(0, ff)) > afterFull && time.Since(start) > run) ||
			(!*boundRunFlag && ff != 0 && time.Since(time.Unix(0, ff)) > afterFull) {
			break
		}
	}
	tick.Stop()
	close(stop)
	waitGroup(t, &wg, time.Minute, "the load workers to stop")
	elapsed := time.Since(start)

	final, err := scrape(t.Context(), client, base, accountMetric, `clientsession_store_calls_total{op="save",result="full"}`)
	if err != nil {
		t.Fatal(err)
	}
	refusals := final[`clientsession_store_calls_total{op="save",result="full"}`]
	t.Logf("bound %d MiB, %d workers, %v: %d sessions created, %d refused (503 STORE_FULL, metric %v); idle RSS %.1f MiB, max RSS %.1f MiB, limit %.1f MiB",
		bound>>20, workers, elapsed.Round(time.Second), created.Load(), full.Load(), refusals,
		float64(idleRSS)/(1<<20), float64(maxRSS)/(1<<20), float64(2*bound+64<<20)/(1<<20))
	var table strings.Builder
	table.WriteString("\n| time | sessions created | refused | bytes accounted | RSS |\n| --- | --- | --- | --- | --- |\n")
	for i, s := range samples {
		if i%max(1, len(samples)/12) == 0 || i == len(samples)-1 {
			fmt.Fprintf(&table, "| %.0f s | %d | %d | %.1f MiB | %.1f MiB |\n", s.at.Seconds(), s.created, s.refusals, s.account/(1<<20), float64(s.rss)/(1<<20))
		}
	}
	t.Log(table.String())

	if len(bad) > 0 {
		t.Errorf("answers other than 200 and 503 STORE_FULL with Retry-After: 1: %q", bad)
	}
	if full.Load() == 0 {
		t.Fatalf("no create was refused in %v: the store never reached its bound of %d bytes", elapsed.Round(time.Second), bound)
	}
	if int64(refusals) != full.Load() {
		t.Errorf("the metric counts %v refused saves, the clients saw %d 503 STORE_FULL", refusals, full.Load())
	}
	if a := final[accountMetric]; a > float64(bound) || a < float64(bound)/2 {
		t.Errorf("%s = %v at the end, want between half the bound and the bound %d", accountMetric, a, bound)
	}
	if limit := 2*bound + 64<<20; maxRSS > limit {
		t.Errorf("the gateway's RSS reached %.1f MiB, over twice the bound plus 64 MiB (%.1f MiB)", float64(maxRSS)/(1<<20), float64(limit)/(1<<20))
	}
}

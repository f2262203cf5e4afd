package main

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/clientsession/engine/transport/connecthttp/connecttest"
)

// startRun runs the gateway's main with args (and -addr 127.0.0.1:0 and
// the test data file) until the test ends, and returns a client of it.
func startRun(t *testing.T, args ...string) *connecttest.Gateway {
	t.Helper()
	g, _ := startRunLog(t, args...)
	return g
}

// startRunLog is startRun, also returning the gateway's stderr.
func startRunLog(t *testing.T, args ...string) (*connecttest.Gateway, *syncBuffer) {
	t.Helper()
	dataFile := filepath.Join(t.TempDir(), "data.json")
	if err := os.WriteFile(dataFile, []byte(testData), 0o600); err != nil {
		t.Fatal(err)
	}
	stderr := new(syncBuffer)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"-addr", "127.0.0.1:0", "-data", dataFile}, args...), stderr)
	}()
	t.Cleanup(func() {
		cancel()
		if err := waitFor(t, done, 30*time.Second, "run to return after its context ended"); err != nil {
			t.Errorf("run: %v; stderr: %s", err, stderr.String())
		}
	})
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := regexp.MustCompile(`listening on (http://127\.0\.0\.1:\d+)`).FindStringSubmatch(stderr.String()); m != nil {
			return &connecttest.Gateway{T: t, URL: m[1], HTTP: http.DefaultClient}, stderr
		}
		select {
		case err := <-done:
			done <- err
			t.Fatalf("run stopped: %v; stderr: %s", err, stderr.String())
		default:
		}
	}
	t.Fatalf("run did not start: %s", stderr.String())
	return nil, nil
}

// A gateway on PostgreSQL with a short session lifetime and sweep interval
// holds no expired session or nonce row a few seconds after its sessions
// expired, with no client traffic at all.
func TestGatewayOnPostgresSweepsExpiredRows(t *testing.T) {
	dsn := os.Getenv("SD_TEST_POSTGRES_DSN")
	if dsn == "" {
		t.Skip("SD_TEST_POSTGRES_DSN is not set: skipping the gateway-on-PostgreSQL sweep test")
	}
	// A schema of this test's own, so that the default table names do not
	// meet other tests' rows.
	const schema = "sd_gateway_sweep_test"
	admin, err := pgxpool.New(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec(t.Context(), `DROP SCHEMA IF EXISTS `+schema+` CASCADE; CREATE SCHEMA `+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = admin.Exec(context.Background(), `DROP SCHEMA IF EXISTS `+schema+` CASCADE`) })
	sep := "?"
	if regexp.MustCompile(`\?`).MatchString(dsn) {
		sep = "&"
	}
	g := startRun(t, "-postgres", dsn+sep+"search_path="+schema, "-session-lifetime", "2s", "-sweep-every", "1s")

	for i := range 5 {
		s := g.Create("1234", `{"tokens":["tok-visa"]}`, defaultSigner)
		k := g.PublicKey(s)
		blob := connecttest.Seal(t, connecttest.ServedKey(t, k), k.KeyID, connecttest.CardPayload(s.ClientSessionID, connecttest.Nonce(i), nil))
		g.Server(http.MethodPost, connecttest.DecryptTarget("1234", s.ClientSessionID), connecttest.DecryptBody(blob), defaultSigner).Decrypted(t)
	}
	count := func() (sessions, nonces int) {
		t.Helper()
		err := admin.QueryRow(t.Context(), `SELECT (SELECT count(*) FROM `+schema+`.client_sessions), (SELECT count(*) FROM `+schema+`.client_session_nonces)`).Scan(&sessions, &nonces)
		if err != nil {
			t.Fatal(err)
		}
		return sessions, nonces
	}
	if s, n := count(); s != 5 || n != 5 {
		t.Fatalf("after 5 creates and decrypts: %d session and %d nonce rows, want 5 and 5", s, n)
	}
	// Sessions expire 2 s after creation; the sweep runs every second.
	deadline := time.Now().Add(6 * time.Second)
	for {
		s, n := count()
		if s == 0 && n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("6 s after the sessions were created with a 2 s lifetime: %d session and %d nonce rows left, want none", s, n)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestRunRefusesBadSweepAndLifetime(t *testing.T) {
	var stderr syncBuffer
	for _, args := range [][]string{
		{"-sweep-every", "0s"},
		{"-session-lifetime", "3h"},
		{"-session-lifetime", "0s"},
		{"-idempotence-lease", "0s"},
		{"-idempotence-lease", "-1s"},
		{"-idempotence-lease", "25h"}, // over the 24 h TTL: the engine refuses it
	} {
		if err := run(t.Context(), append([]string{"-addr", "127.0.0.1:0"}, args...), &stderr); err == nil {
			t.Errorf("run %v = nil, want an error", args)
		}
	}
}

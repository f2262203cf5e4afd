package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/clientsession/engine/transport/connecthttp"
	"github.com/clientsession/engine/transport/connecthttp/connecttest"
	"github.com/clientsession/engine/wire"
	"github.com/clientsession/engine/wire/auth"
)

// gatewayProcess is the gateway running as a process of its own.
type gatewayProcess struct {
	cmd    *exec.Cmd
	stderr *syncBuffer
	done   chan struct{}
	*connecttest.Gateway
}

// startProcess runs the built gateway with args (and -addr 127.0.0.1:0 and
// the test data file) and waits until it listens; it is killed when t ends
// if still running.
func startProcess(t *testing.T, bin string, args ...string) *gatewayProcess {
	t.Helper()
	dataFile := filepath.Join(t.TempDir(), "data.json")
	if err := os.WriteFile(dataFile, []byte(testData), 0o600); err != nil {
		t.Fatal(err)
	}
	p := &gatewayProcess{stderr: &syncBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(bin, append([]string{"-addr", "127.0.0.1:0", "-data", dataFile}, args...)...)
	p.cmd.Stderr = p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(p.kill)
	listening := regexp.MustCompile(`listening on (http://127\.0\.0\.1:\d+)`)
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := listening.FindStringSubmatch(p.stderr.String()); m != nil {
			p.Gateway = &connecttest.Gateway{T: t, URL: m[1], HTTP: &http.Client{Timeout: 20 * time.Second}}
			return p
		}
		select {
		case <-p.done:
			t.Fatalf("the gateway exited at start: %s", p.stderr.String())
		default:
		}
	}
	t.Fatalf("the gateway did not listen within 20 s: %s", p.stderr.String())
	return nil
}

// kill sends SIGKILL and waits (at most 10 s) for the process to end.
func (p *gatewayProcess) kill() {
	_ = p.cmd.Process.Kill()
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
	}
}

// A gateway killed (SIGKILL) between the claim of an idempotent create and
// its finish leaves the claim in PostgreSQL. Restarted, it answers 409 for
// the key while the lease runs; after the lease the key runs as a new
// attempt (200), and later repeats replay that answer. The create is held
// between claim and finish by a lock on the sessions table, as in the
// issue's reproduction.
func TestKilledGatewayKeyIsFreeAfterTheLease(t *testing.T) {
	dsn := os.Getenv("SD_TEST_POSTGRES_DSN")
	if dsn == "" {
		t.Skip("SD_TEST_POSTGRES_DSN is not set: skipping the killed-gateway lease test")
	}
	bin := buildGatewayBinary(t, t.TempDir())
	var b [4]byte
	_, _ = rand.Read(b[:])
	schema := "sd_gateway_lease_" + hex.EncodeToString(b[:])
	admin, err := pgxpool.New(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(admin.Close)
	if _, err := admin.Exec(t.Context(), `CREATE SCHEMA `+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = admin.Exec(context.Background(), `DROP SCHEMA IF EXISTS `+schema+` CASCADE`) })
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	const lease = 5 * time.Second
	args := []string{"-postgres", dsn + sep + "search_path=" + schema, "-idempotence-lease", lease.String()}
	first := startProcess(t, bin, args...)

	// Hold creates after their claim: lock the sessions table.
	lockConn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = lockConn.Close(context.Background()) })
	lock, err := lockConn.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lock.Exec(t.Context(), `LOCK TABLE `+schema+`.client_sessions IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	withKey := defaultSigner
	withKey.Header = http.Header{connecthttp.IdempotenceKeyHeader: {"order-killed"}}
	held := make(chan error, 1)
	go func() {
		// Signed as connecttest signs, sent without its Fatal on error:
		// this call fails when the gateway dies.
		date := time.Now().UTC().Format(http.TimeFormat)
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, first.URL+"/v1/1234/sessions", strings.NewReader(`{}`))
		if err != nil {
			held <- err
			return
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Date", date)
		req.Header.Set(connecthttp.IdempotenceKeyHeader, "order-killed")
		req.Header.Set("Authorization", auth.Sign(withKey.KeyID, []byte(withKey.Secret), auth.Request{
			Method: http.MethodPost, ContentType: "application/json", Date: date, Header: req.Header, Target: "/v1/1234/sessions",
		}))
		resp, err := first.HTTP.Do(req)
		if err == nil {
			_ = resp.Body.Close()
		}
		held <- err
	}()
	type claimRow struct {
		attempt    []byte
		done       bool
		leaseUntil time.Time
	}
	row := func() (claimRow, bool) {
		t.Helper()
		var r claimRow
		err := admin.QueryRow(t.Context(), `SELECT attempt, done, lease_until FROM `+schema+`.client_session_idempotency`).
			Scan(&r.attempt, &r.done, &r.leaseUntil)
		if errors.Is(err, pgx.ErrNoRows) {
			return r, false
		}
		if err != nil {
			t.Fatal(err)
		}
		return r, true
	}
	var claimed claimRow
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if r, ok := row(); ok {
			claimed = r
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no claim within 10 s; gateway stderr: %s", first.stderr.String())
		}
	}
	if claimed.done {
		t.Fatal("the create finished through the lock on the sessions table")
	}
	// Between claim and finish: kill the process.
	first.kill()
	select {
	case err := <-held:
		if err == nil {
			t.Fatal("the held create got an answer from a killed gateway")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the held create did not fail within 10 s of the kill")
	}
	if err := lock.Rollback(t.Context()); err != nil {
		t.Fatal(err)
	}
	if r, _ := row(); r.done || !bytes.Equal(r.attempt, claimed.attempt) {
		t.Fatalf("after the kill the claim is %+v; want the killed attempt's, running", r)
	}

	second := startProcess(t, bin, args...)
	create := func() connecttest.Response {
		return second.Server(http.MethodPost, "/v1/1234/sessions", `{}`, withKey)
	}
	if !time.Now().Before(claimed.leaseUntil) {
		t.Fatalf("the restart took past the %v lease (until %v): the 409 during the lease cannot be shown", lease, claimed.leaseUntil)
	}
	r := create()
	r.WantError(t, http.StatusConflict, "1409", connecthttp.IdempotenceKeyHeader)
	if r.Header.Get(connecthttp.IdempotenceTimestampHeader) == "" {
		t.Errorf("the 409 carries no %s", connecthttp.IdempotenceTimestampHeader)
	}
	var ran connecttest.Response
	for deadline := claimed.leaseUntil.Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		ran = create()
		if ran.Status != http.StatusConflict {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the key still answered 409 10 s after its lease ended (%v)", claimed.leaseUntil)
		}
	}
	if ran.Status != http.StatusOK || ran.Header.Get(connecthttp.IdempotenceTimestampHeader) != "" {
		t.Fatalf("after the lease: %d %s; want a new attempt's 200 without %s", ran.Status, ran.Body, connecthttp.IdempotenceTimestampHeader)
	}
	if time.Now().Before(claimed.leaseUntil) {
		t.Errorf("the key ran again before its lease ended (%v)", claimed.leaseUntil)
	}
	var s wire.SessionResponse
	ran.JSON(t, &s)
	if s.ClientSessionID == "" {
		t.Fatalf("the new attempt's answer has no session: %s", ran.Body)
	}
	for range 2 {
		again := create()
		if again.Status != http.StatusOK || !bytes.Equal(again.Body, ran.Body) || again.Header.Get(connecthttp.IdempotenceTimestampHeader) == "" {
			t.Fatalf("a later repeat: %d %s; want the new attempt's answer replayed with its time", again.Status, again.Body)
		}
	}
	if r, _ := row(); !r.done || bytes.Equal(r.attempt, claimed.attempt) {
		t.Errorf("the key's record is %+v; want done, by a new attempt", r)
	}
}

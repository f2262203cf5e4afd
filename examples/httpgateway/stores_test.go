package main

import (
	"context"
	"crypto/x509"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"testing"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/transport/connecthttp/connecttest"
	"github.com/clientsession/engine/wire"
)

// gatewayOver is a test server over testData on the given stores.
func gatewayOver(t *testing.T, st stores) *gateway {
	t.Helper()
	return gatewayOverWithKeys(t, st, testKeys(t))
}

// gatewayOverWithKeys is gatewayOver with the given encryption keys.
func gatewayOverWithKeys(t *testing.T, st stores, keys *keyFile) *gateway {
	t.Helper()
	d, err := parseData([]byte(testData))
	if err != nil {
		t.Fatal(err)
	}
	return gatewayOn(t, d, st, keys)
}

func openTestStores(t *testing.T, redisURL, postgresDSN string) stores {
	t.Helper()
	d, err := parseData([]byte(testData))
	if err != nil {
		t.Fatal(err)
	}
	st, err := openStores(context.Background(), redisURL, postgresDSN, d)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// Two gateway processes sharing one Redis serve each other's sessions.
func TestTwoGatewaysShareOneRedis(t *testing.T) {
	redisURL := testRedisURL(t)
	g1 := gatewayOver(t, openTestStores(t, redisURL, ""))
	g2 := gatewayOver(t, openTestStores(t, redisURL, ""))

	s := g1.create(`{"tokens":["tok-visa"]}`)
	r := g2.Client(s.CustomerID, s.ClientSessionID, "products"+nlEUR)
	if got := productIDs(t, r); !slices.Contains(got, 1) {
		t.Fatalf("the second gateway lists %v for a session of the first; want product 1", got)
	}
	var list wire.PaymentProducts
	r.JSON(t, &list)
	if len(list.PaymentProducts[0].AccountsOnFile) != 1 {
		t.Errorf("the second gateway lost the session's account on file: %+v", list.PaymentProducts[0])
	}
	if del := g2.Server(http.MethodDelete, "/v1/1234/sessions/"+s.ClientSessionID, "", defaultSigner); del.Status != http.StatusNoContent {
		t.Fatalf("revoke on the second gateway: %d %s", del.Status, del.Body)
	}
	if r := g1.Client(s.CustomerID, s.ClientSessionID, "products"+nlEUR); r.Status != http.StatusUnauthorized {
		t.Errorf("the first gateway still serves a session revoked on the second: %d", r.Status)
	}
}

// Two gateway processes sharing one Redis and one key file open each
// other's encrypted input, once between them.
func TestTwoGatewaysShareKeysAndNonces(t *testing.T) {
	redisURL := testRedisURL(t)
	path := filepath.Join(t.TempDir(), "keys.pem")
	k := testKey(t, 2048)
	if err := os.WriteFile(path, []byte(pemBlock("RSA PRIVATE KEY", "shared", x509.MarshalPKCS1PrivateKey(k))), 0o600); err != nil {
		t.Fatal(err)
	}
	gateways := make([]*gateway, 2)
	for i := range gateways {
		kf, err := loadKeys(path) // each process reads the file
		if err != nil {
			t.Fatal(err)
		}
		gateways[i] = gatewayOverWithKeys(t, openTestStores(t, redisURL, ""), kf)
	}
	g1, g2 := gateways[0], gateways[1]
	s := g1.create(`{}`)
	pub := g1.PublicKey(s)
	if other := g2.PublicKey(s); other != pub || pub.KeyID != "shared" {
		t.Fatalf("public keys %+v and %+v; want the shared file's key on both", pub, other)
	}
	blob := connecttest.Seal(t, connecttest.ServedKey(t, pub), pub.KeyID, connecttest.CardPayload(s.ClientSessionID, connecttest.Nonce(1), nil))
	target := connecttest.DecryptTarget("1234", s.ClientSessionID)
	g2.Server(http.MethodPost, target, connecttest.DecryptBody(blob), defaultSigner).Decrypted(t)
	g1.Server(http.MethodPost, target, connecttest.DecryptBody(blob), defaultSigner).
		WantError(t, http.StatusConflict, sderrors.ErrDuplicateRequest.Code(), "")
}

// Sessions and tokens in PostgreSQL outlive the gateway process.
func TestGatewayOnPostgresServesSessionsAfterRestart(t *testing.T) {
	dsn := os.Getenv("SD_TEST_POSTGRES_DSN")
	if dsn == "" {
		t.Skip("SD_TEST_POSTGRES_DSN is not set: skipping the gateway-on-PostgreSQL test")
	}
	first := openTestStores(t, "", dsn)
	g1 := gatewayOver(t, first)
	s := g1.create(`{"tokens":["tok-visa","tok-expired"]}`)
	if len(s.InvalidTokens) != 1 || s.InvalidTokens[0] != "tok-expired" {
		t.Errorf("invalidTokens from PostgreSQL = %v; want [tok-expired]", s.InvalidTokens)
	}
	g1.srv.Close()
	_ = first.Close()

	g2 := gatewayOver(t, openTestStores(t, "", dsn)) // a new process on the same database
	if got := productIDs(t, g2.Client(s.CustomerID, s.ClientSessionID, "products"+nlEUR)); !slices.Contains(got, 1) {
		t.Fatalf("after a restart the gateway lists %v; want the session's products", got)
	}
	if del := g2.Server(http.MethodDelete, "/v1/1234/sessions/"+s.ClientSessionID, "", defaultSigner); del.Status != http.StatusNoContent {
		t.Errorf("revoke after restart: %d %s", del.Status, del.Body)
	}
}

// testRedisURL is the -redis URL of the tests' Redis, or skips:
// SD_TEST_REDIS_URL (redis://[:password@]host:port/db, go-redis ParseURL,
// so it can choose a database) when set, else redis://{SD_TEST_REDIS_ADDR}/0.
func testRedisURL(t *testing.T) string {
	t.Helper()
	if u := os.Getenv("SD_TEST_REDIS_URL"); u != "" {
		return u
	}
	addr := os.Getenv("SD_TEST_REDIS_ADDR")
	if addr == "" {
		t.Skip("neither SD_TEST_REDIS_URL (e.g. redis://127.0.0.1:6379/15) nor SD_TEST_REDIS_ADDR (e.g. 127.0.0.1:6379) is set: skipping the gateway-on-Redis test")
	}
	return "redis://" + addr + "/0"
}

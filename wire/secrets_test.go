package wire_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/clientsession/engine/encryption"
	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/filter"
	"github.com/clientsession/engine/session"
	"github.com/clientsession/engine/storage/memstore"
	enginetoken "github.com/clientsession/engine/token"
	"github.com/clientsession/engine/wire"
)

// Secret values the fixture puts into every result; none may reach JSON.
const (
	secretToken1 = "TOKSECRET-visa-0001"
	secretToken2 = "TOKSECRET-mc-0002"
)

var (
	rsaOnce sync.Once
	rsaKey  *rsa.PrivateKey
	errRSA  error
)

func secretsKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	rsaOnce.Do(func() { rsaKey, errRSA = rsa.GenerateKey(rand.Reader, 2048) })
	if errRSA != nil {
		t.Fatal(errRSA)
	}
	return rsaKey
}

// engineResults runs a real engine and returns every exported result type
// of session, token and encryption, filled, keyed by "pkg.Type", plus the
// session's clientSessionId.
func engineResults(t *testing.T) (map[string]any, string) {
	t.Helper()
	cat, err := filter.NewCatalog([]filter.Product{
		{ID: 1, Group: "cards", DisplayOrder: 1, Label: "VISA", Logo: "v.png", PaymentMethod: "card"},
		{ID: 3, Group: "cards", DisplayOrder: 3, Label: "MC", Logo: "m.png", PaymentMethod: "card"},
	})
	if err != nil {
		t.Fatal(err)
	}
	store, err := memstore.New()
	if err != nil {
		t.Fatal(err)
	}
	active := enginetoken.StatusActive
	toks := []enginetoken.Token{
		{ID: secretToken1, MerchantID: "1234", PaymentProductID: 1, Status: active, CardExpiry: enginetoken.Expiry{Month: 12, Year: 2099}, Alias: "************0026"},
		{ID: secretToken2, MerchantID: "1234", PaymentProductID: 3, Status: active, Alias: "************4444"},
	}
	store.PutTokens(toks...)
	key := encryption.Key{ID: "k1", Private: secretsKey(t)}
	keys, err := encryption.NewKeySet(key)
	if err != nil {
		t.Fatal(err)
	}
	e, err := session.New(store, store, session.WithCatalog(cat),
		session.WithDatacenter(session.Datacenter{Origin: "https://gw.example", Region: "EU"}), session.WithKeys(keys))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	created, err := e.Create(ctx, "1234", session.CreateRequest{
		Tokens:                []string{secretToken1, secretToken2, "TOKSECRET-unknown"},
		PaymentProductFilters: &filter.Filters{Exclude: &filter.Selection{Products: []int32{3}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	s, err := e.Authenticate(ctx, created.CustomerID, created.ClientSessionID)
	if err != nil {
		t.Fatal(err)
	}
	pc := filter.Context{CountryCode: "NL", CurrencyCode: "EUR"}
	products, err := e.Products(ctx, s, pc)
	if err != nil || len(products) != 1 || len(products[0].AccountsOnFile) != 1 {
		t.Fatalf("Products = %+v, %v; want VISA with its account on file", products, err)
	}
	explanation, err := e.Explain(ctx, s, pc)
	if err != nil {
		t.Fatal(err)
	}
	iin, err := e.IINDetails(ctx, s, "401200", pc)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := e.PublicKey(s)
	if err != nil {
		t.Fatal(err)
	}
	aof := 1
	opened := session.OpenedInput{
		Payload: encryption.Payload{ClientSessionID: created.ClientSessionID, Nonce: strings.Repeat("0", 32), PaymentProductID: 1,
			PaymentValues: []encryption.PaymentValue{{Key: "cvv", Value: "123"}}, AccountOnFileID: &aof},
		MerchantID: "1234", TokenID: secretToken1,
	}
	checked := enginetoken.Result{Valid: toks, Invalid: []enginetoken.Invalid{{ID: "TOKSECRET-unknown", Reason: enginetoken.ReasonUnknown}}}
	return map[string]any{
		"session.Session":           s,
		"session.AvailableProduct":  products[0],
		"session.AccountOnFile":     products[0].AccountsOnFile[0],
		"session.Explanation":       explanation,
		"session.TokenExplanation":  explanation.Tokens[0],
		"session.OpenedInput":       opened,
		"session.IINDetails":        iin,
		"session.IINCoBrand":        session.IINCoBrand{PaymentProductID: 1, IsAllowedInContext: true},
		"token.Token":               toks[0],
		"token.Invalid":             checked.Invalid[0],
		"token.Result":              checked,
		"encryption.Key":            key,
		"encryption.KeySet":         keys,
		"encryption.Payload":        opened.Payload,
		"encryption.PublicKey":      pub,
		"wire.PaymentProducts":      wire.NewPaymentProducts(products, true),
		"wire.PaymentProductGroups": wire.NewPaymentProductGroups(products, true),
	}, created.ClientSessionID
}

// notResults are the exported struct types of session, token, encryption
// and storage that are not results of the engine, or must carry a secret
// by contract, with the reason.
var notResults = map[string]string{
	"session.Engine":            "the engine itself; no exported fields",
	"session.CreateRequest":     "the merchant's request, decoded; it holds the tokens the merchant sent",
	"session.CreateResponse":    "the engine's answer for the merchant's server, without JSON tags: its clientSessionId and token ids are the contract; its JSON is wire.SessionResponse",
	"session.Datacenter":        "configuration: origin and region",
	"storage.Record":            "the storage contract, not a result: what stores keep (a hash of the clientSessionId, opaque Payload)",
	"token.Checker":             "a service; no exported fields",
	"encryption.PaymentValue":   "one value inside Payload, whose JSON form is redacted",
	"token.Expiry":              "a card expiry month: no secret",
	"session.Answer":            "the transport's own answer (status and body as sent, and its outcome), kept for idempotent replays: the wire SessionResponse by contract",
	"session.IdempotentResult":  "an Answer (see session.Answer) and the first attempt's time",
	"session.Observer":          "configuration: functions, no data",
	"storage.IdempotencyRecord": "the storage contract, not a result: what stores keep for idempotent creates (hashes and the transport's answer)",
}

// exportedStructs lists the exported struct types of the package in dir.
func exportedStructs(t *testing.T, pkg, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var out []string
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, e.Name()), nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok {
				continue
			}
			for _, s := range g.Specs {
				ts, ok := s.(*ast.TypeSpec)
				if !ok || !ts.Name.IsExported() {
					continue
				}
				if _, ok := ts.Type.(*ast.StructType); ok {
					out = append(out, pkg+"."+ts.Name.Name)
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

// TestResultsCarryNoSecretsToJSON marshals every exported result type of
// session, token and encryption (and the Client API types built from
// them): no token id, clientSessionId or key material appears. A new
// exported struct type fails the test until it is listed here.
func TestResultsCarryNoSecretsToJSON(t *testing.T) {
	results, clientSessionID := engineResults(t)
	for _, pd := range [][2]string{{"session", "../session"}, {"token", "../token"}, {"encryption", "../encryption"}, {"storage", "../storage"}} {
		for _, name := range exportedStructs(t, pd[0], pd[1]) {
			_, covered := results[name]
			if _, exempt := notResults[name]; !covered && !exempt {
				t.Errorf("%s: an exported struct type the test does not marshal; add it to engineResults or notResults", name)
			}
		}
	}
	priv := secretsKey(t)
	secrets := []string{
		secretToken1, secretToken2, "TOKSECRET",
		clientSessionID,
		priv.D.String(), priv.Primes[0].String(),
		base64.RawURLEncoding.EncodeToString(priv.D.Bytes()),
		`"Private"`, `"D"`, `"Primes"`,
	}
	for name, v := range results {
		b, err := json.Marshal(v)
		if err != nil {
			t.Errorf("%s: json.Marshal: %v", name, err)
			continue
		}
		for _, s := range secrets {
			if strings.Contains(string(b), s) {
				t.Errorf("%s marshals a secret (%.24s...): %s", name, s, b)
			}
		}
	}
	// The marshalled account on file still shows what a client may see.
	b, _ := json.Marshal(results["wire.PaymentProducts"])
	if !strings.Contains(string(b), `"accountsOnFile":[{"id":1,"paymentProductId":1,`) || !strings.Contains(string(b), "************0026") {
		t.Errorf("wire.PaymentProducts lost its account on file: %s", b)
	}
	// And an error never carries one either.
	er := sderrors.ToResponse(sderrors.ErrUnauthorized)
	if b, _ := json.Marshal(er); strings.Contains(string(b), clientSessionID) {
		t.Errorf("error response holds the session id: %s", b)
	}
}

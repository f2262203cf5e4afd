// Command quickstart runs the whole client-session flow on the embedded
// store, with no setup: go run ./examples/quickstart
//
// It creates a session for the demo merchant with payment product filters
// and four stored tokens (a valid VISA card, an expired card, another
// merchant's card, and a MasterCard whose product the filters exclude),
// prints the wire response, authenticates as a client would, prints the
// products and accounts on file for a payment context with the
// explanation, encrypts card data as the client SDK does and opens it on
// the server (once: a replay is refused), revokes the session, and prints
// the ErrorResponses of a malformed request and of a revoked session.
// Its data (catalog, tokens) is inline in data.go.
package main

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/clientsession/engine/encryption"
	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/filter"
	"github.com/clientsession/engine/session"
	"github.com/clientsession/engine/storage/memstore"
	"github.com/clientsession/engine/wire"
)

func main() {
	cfg := config{now: time.Now, random: rand.Reader, errorID: sderrors.NewErrorID}
	if err := run(context.Background(), os.Stdout, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// config holds what makes a run unique; the Example test fixes all three.
type config struct {
	now     func() time.Time
	random  io.Reader     // ids
	errorID func() string // errorId of ErrorResponses
}

// createBody is the merchant's create request: cards and PayPal only, but
// never MasterCard, and four stored tokens of the consumer.
const createBody = `{
  "paymentProductFilters": {
    "restrictTo": {"groups": ["cards"], "products": [840]},
    "exclude": {"products": [3]}
  },
  "tokens": ["` + visaCardID + `", "` + expiredCardID + `", "` + otherMerchantCardID + `", "` + masterCardID + `"]
}`

// badBody names a group the catalog does not have.
const badBody = `{"paymentProductFilters": {"exclude": {"groups": ["cards", "wallets"]}}}`

func run(ctx context.Context, w io.Writer, cfg config) error {
	p := &printer{w: w}
	// The embedded store keeps both sessions and the gateway's tokens.
	store, err := memstore.New()
	if err != nil {
		return err
	}
	store.PutTokens(tokens()...)
	catalog, err := filter.NewCatalog(products())
	if err != nil {
		return err
	}
	// The gateway's key for client-side encryption (keep it in a key file:
	// see encryption.ParsePEMKeys).
	key, err := encryption.GenerateKey("quickstart-key")
	if err != nil {
		return err
	}
	keys, err := encryption.NewKeySet(key)
	if err != nil {
		return err
	}
	engine, err := session.New(store, store,
		session.WithCatalog(catalog),
		session.WithDatacenter(session.Datacenter{Origin: origin, Region: region}),
		session.WithKeys(keys),
		session.WithClock(cfg.now),
		session.WithRandom(cfg.random),
	)
	if err != nil {
		return err
	}

	// 1. The merchant's server creates a session.
	p.printf("POST /v1/%s/sessions\n%s\n\n", merchantID, createBody)
	req, err := engine.DecodeCreateRequest([]byte(createBody))
	if err != nil {
		return err
	}
	resp, err := engine.Create(ctx, merchantID, req)
	if err != nil {
		return err
	}
	if err := p.json("200 SessionResponse", wire.NewSessionResponse(resp)); err != nil { // the wire JSON
		return err
	}
	for _, inv := range resp.Invalid {
		p.printf("  invalid token %s: %v\n", inv.ID, inv.Reason)
	}

	// 2. The consumer's browser calls the Client API with the session.
	pc := filter.Context{CountryCode: "NL", CurrencyCode: "EUR", Amount: 1000}
	p.printf("\nGET %s/v1/%s/products?countryCode=%s&currencyCode=%s&amount=%d\nAuthorization: GCS v1Client:%s\n",
		resp.ClientAPIURL, resp.CustomerID, pc.CountryCode, pc.CurrencyCode, pc.Amount, resp.ClientSessionID)
	s, err := engine.Authenticate(ctx, resp.CustomerID, resp.ClientSessionID)
	if err != nil {
		return err
	}
	p.printf("authenticated: merchant %s, session alive until %s\n", s.MerchantID(), s.ExpiresAt().UTC().Format(time.RFC3339))
	products, err := engine.Products(ctx, s, pc)
	if err != nil {
		return err
	}
	p.println("products:")
	for _, prod := range products {
		p.printf("  %-3d %-16s %s", prod.ID, prod.Label, prod.PaymentMethod)
		for _, a := range prod.AccountsOnFile {
			p.printf("  [account on file %d: %s]", a.ID, a.Token.Alias)
		}
		p.println()
	}
	ex, err := engine.Explain(ctx, s, pc)
	if err != nil {
		return err
	}
	p.println("why:")
	for _, pe := range ex.Products {
		p.printf("  product %-3d %s\n", pe.ProductID, pe.Reason)
	}
	for _, t := range ex.Tokens {
		p.printf("  account on file %d (token %s): %s\n", t.AccountOnFileID, t.ID, t.Reason)
	}

	// 3. The client encrypts card data for the gateway's public key; the
	// merchant's server hands the blob to the gateway, which opens it once.
	pub, err := engine.PublicKey(s)
	if err != nil {
		return err
	}
	p.printf("\nGET %s/v1/%s/crypto/publickey\nkeyId: %s\n", resp.ClientAPIURL, resp.CustomerID, pub.KeyID)
	blob, err := encryptLikeTheClientSDK(pub, resp.ClientSessionID, cfg.random)
	if err != nil {
		return err
	}
	in, err := engine.OpenCustomerInput(ctx, merchantID, resp.ClientSessionID, blob)
	if err != nil {
		return err
	}
	card, _ := in.Payload.Value("cardNumber")
	p.printf("opened: product %d, card ending %s, %d values\n", in.Payload.PaymentProductID, card[len(card)-4:], len(in.Payload.PaymentValues))
	_, err = engine.OpenCustomerInput(ctx, merchantID, resp.ClientSessionID, blob)
	p.printf("the same blob again: %s\n", sderrors.ToResponse(err).Errors[0].ID)

	// 4. The merchant revokes the session: the client's next call is a 401.
	if err := engine.Revoke(ctx, merchantID, resp.ClientSessionID); err != nil {
		return err
	}
	_, err = engine.Authenticate(ctx, resp.CustomerID, resp.ClientSessionID)
	p.printf("\nDELETE /v1/%s/sessions/%s, then a client call: %d %s\n", merchantID, resp.ClientSessionID,
		sderrors.ToResponse(err).HTTPStatus(), sderrors.ToResponse(err).Errors[0].ID)

	// 5. A malformed request is a 400 naming the property.
	p.printf("\nPOST /v1/%s/sessions\n%s\n\n", merchantID, badBody)
	req, err = engine.DecodeCreateRequest([]byte(badBody))
	if err == nil {
		_, err = engine.Create(ctx, merchantID, req) // the catalog knows no "wallets"
	}
	if err == nil {
		return fmt.Errorf("the malformed request was accepted")
	}
	er := sderrors.ToResponse(err, sderrors.WithErrorID(cfg.errorID))
	return p.json(fmt.Sprintf("%d ErrorResponse", er.HTTPStatus()), er)
}

// encryptLikeTheClientSDK makes the blob the Connect client SDK makes on
// submit: a compact JWE (RSA-OAEP, A256CBC-HS512, kid) of the payload
// naming the session, a fresh nonce, the product and the card fields.
func encryptLikeTheClientSDK(pub encryption.PublicKey, clientSessionID string, random io.Reader) (string, error) {
	der, err := base64.StdEncoding.DecodeString(pub.PublicKey)
	if err != nil {
		return "", err
	}
	rsaKey, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return "", err
	}
	var nonce [16]byte
	if _, err := io.ReadFull(random, nonce[:]); err != nil {
		return "", err
	}
	plain, err := json.Marshal(map[string]any{
		"clientSessionId":  clientSessionID,
		"nonce":            hex.EncodeToString(nonce[:]),
		"paymentProductId": 1,
		"paymentValues": []map[string]string{
			{"key": "cardNumber", "value": "4111111111111111"},
			{"key": "expiryDate", "value": "1230"},
			{"key": "cvv", "value": "123"},
		},
		"tokenize": false,
	})
	if err != nil {
		return "", err
	}
	enc, err := jose.NewEncrypter(jose.A256CBC_HS512,
		jose.Recipient{Algorithm: jose.RSA_OAEP, Key: rsaKey, KeyID: pub.KeyID}, nil)
	if err != nil {
		return "", err
	}
	obj, err := enc.Encrypt(plain)
	if err != nil {
		return "", err
	}
	return obj.CompactSerialize()
}

// printer writes to w and keeps the first write error.
type printer struct {
	w   io.Writer
	err error
}

func (p *printer) printf(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, args...)
	}
}

func (p *printer) println(args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintln(p.w, args...)
	}
}

// json prints v as indented JSON under a title line.
func (p *printer) json(title string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	p.printf("%s\n%s\n", title, b)
	return p.err
}

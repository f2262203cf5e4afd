package main

import (
	_ "embed" // the built-in demo data
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strconv"
	"strings"

	"github.com/samber/lo"

	"github.com/clientsession/engine/filter"
	"github.com/clientsession/engine/session"
	"github.com/clientsession/engine/token"
	"github.com/clientsession/engine/wire/auth"
)

// demoJSON is the data served without -data: the quickstart's catalog,
// merchant, API key and tokens.
//
//go:embed demo.json
var demoJSON []byte

// maxDataFileSize bounds the data file read at start.
const maxDataFileSize = 16 << 20

// dataFile is the gateway's data file, documented in README.md. Decoding is
// strict: an unknown property anywhere is an error.
type dataFile struct {
	APIKeys     []apiKeyEntry     `json:"apiKeys"`
	Datacenters []datacenterEntry `json:"datacenters"`
	Merchants   []merchantEntry   `json:"merchants"`
	Products    []productEntry    `json:"products"`
	Tokens      []tokenEntry      `json:"tokens"`
}

type apiKeyEntry struct {
	KeyID        string   `json:"keyId"`
	SecretAPIKey string   `json:"secretApiKey"`
	Merchants    []string `json:"merchants"`
}

type datacenterEntry struct {
	Name   string `json:"name"`
	Origin string `json:"origin"`
	Region string `json:"region"`
}

type merchantEntry struct {
	ID         string  `json:"id"`
	Datacenter string  `json:"datacenter"`
	Products   []int64 `json:"products"`
}

type productEntry struct {
	ID                 int64    `json:"id"`
	Group              string   `json:"group"`
	DisplayOrder       int      `json:"displayOrder"`
	Label              string   `json:"label"`
	Logo               string   `json:"logo"`
	PaymentMethod      string   `json:"paymentMethod"`
	Countries          []string `json:"countries"`
	Currencies         []string `json:"currencies"`
	MinAmount          *int64   `json:"minAmount"`
	MaxAmount          *int64   `json:"maxAmount"`
	AllowsRecurring    bool     `json:"allowsRecurring"`
	AllowsTokenization bool     `json:"allowsTokenization"`
	// IINRanges are the product's card number ranges ("4", "51-55");
	// absent means the brand's defaults for a well-known card product id,
	// [] means none.
	IINRanges []string `json:"iinRanges"`
}

type tokenEntry struct {
	ID               string `json:"id"`
	MerchantID       string `json:"merchantId"`
	PaymentProductID int64  `json:"paymentProductId"`
	Status           string `json:"status"`
	CardExpiry       string `json:"cardExpiry"`
	Alias            string `json:"alias"`
}

// gatewayData is a validated data file in the shapes the engine takes.
type gatewayData struct {
	apiKeys     map[string]apiKey // by keyId
	datacenters map[string]datacenterEntry
	merchants   map[string]merchant
	tokens      []token.Token
}

type apiKey struct {
	secret    []byte
	merchants map[string]bool
}

type merchant struct {
	id         string
	datacenter string
	products   []filter.Product // the merchant's products, in the file's order
	catalog    *filter.Catalog  // built from products, validated at load
}

// loadData reads and validates the data file at path, or the built-in demo
// data when path is empty.
func loadData(path string) (*gatewayData, error) {
	raw := demoJSON
	name := "built-in demo data"
	if path != "" {
		f, err := os.Open(path) //nolint:gosec // the operator names the file on the command line
		if err != nil {
			return nil, readFileError("data file", path, err)
		}
		defer func() { _ = f.Close() }()
		raw, err = io.ReadAll(io.LimitReader(f, maxDataFileSize+1))
		if err != nil {
			return nil, readFileError("data file", path, err)
		}
		if len(raw) > maxDataFileSize {
			return nil, fmt.Errorf("data file %s: larger than %d bytes", describeFile(path), maxDataFileSize)
		}
		name = describeFile(path)
	}
	d, err := parseData(raw)
	if err != nil {
		return nil, fmt.Errorf("data file %s: %w", name, err)
	}
	return d, nil
}

// parseData decodes raw strictly and validates every entry. Errors name the
// bad entry, e.g. `products[2].currencies[0]: "EURO" is not a currency
// code`; one about the JSON itself (checkShape) names the member's path and
// its line and column, e.g. `merchants[0].colour: unknown member (line 4,
// column 40)`.
func parseData(raw []byte) (*gatewayData, error) {
	if err := checkShape(raw, reflect.TypeFor[dataFile]()); err != nil {
		return nil, err
	}
	var f dataFile
	if err := json.Unmarshal(raw, &f); err != nil { // checkShape checked types and ranges: a bug
		return nil, fmt.Errorf("not a valid data file: %w", err)
	}
	return f.validate()
}

func (f *dataFile) validate() (*gatewayData, error) {
	d := &gatewayData{
		apiKeys:     make(map[string]apiKey, len(f.APIKeys)),
		datacenters: make(map[string]datacenterEntry, len(f.Datacenters)),
		merchants:   make(map[string]merchant, len(f.Merchants)),
	}
	catalog, err := f.validateProducts()
	if err != nil {
		return nil, err
	}
	if err := f.validateDatacenters(d); err != nil {
		return nil, err
	}
	if err := f.validateMerchants(d, catalog); err != nil {
		return nil, err
	}
	if err := f.validateAPIKeys(d); err != nil {
		return nil, err
	}
	if err := f.validateTokens(d); err != nil {
		return nil, err
	}
	return d, nil
}

// validateProducts checks the products of the file. Ids, codes, amounts,
// groups and duplicates are the catalog's rules (filter.ValidProductID,
// filter.NewCatalog), so the gateway refuses at start exactly what the
// engine would; a label and a payment method are the data file's own
// rules, since the Client API shows both.
func (f *dataFile) validateProducts() (map[int64]filter.Product, error) {
	if len(f.Products) == 0 {
		return nil, errors.New("products: at least one product is needed")
	}
	all := make([]filter.Product, len(f.Products))
	for i, p := range f.Products {
		at := "products[" + strconv.Itoa(i) + "]"
		switch {
		case !filter.ValidProductID(p.ID):
			return nil, fmt.Errorf("%s.id: %d is not a payment product id (an integer from 1 to 2147483647)", at, p.ID)
		case p.Label == "":
			return nil, fmt.Errorf("%s.label: missing", at)
		case p.PaymentMethod == "":
			return nil, fmt.Errorf("%s.paymentMethod: missing (e.g. \"card\" or \"redirect\")", at)
		}
		all[i] = filter.Product{
			ID:                 int32(p.ID), //nolint:gosec // checked by filter.ValidProductID
			Group:              p.Group,
			DisplayOrder:       p.DisplayOrder,
			Label:              p.Label,
			Logo:               p.Logo,
			PaymentMethod:      p.PaymentMethod,
			Countries:          p.Countries,
			Currencies:         p.Currencies,
			MinAmount:          p.MinAmount,
			MaxAmount:          p.MaxAmount,
			AllowsRecurring:    p.AllowsRecurring,
			AllowsTokenization: p.AllowsTokenization,
		}
		if p.IINRanges != nil {
			all[i].IINRanges = make([]filter.IINRange, len(p.IINRanges))
			for j, txt := range p.IINRanges {
				r, err := filter.ParseIINRange(txt)
				if err != nil {
					return nil, fmt.Errorf("%s.iinRanges[%d]: %q: %w", at, j, txt, err)
				}
				all[i].IINRanges[j] = r
			}
		}
	}
	if _, err := filter.NewCatalog(all); err != nil {
		return nil, err // names the entry, e.g. products[2].currencies[0]
	}
	return lo.KeyBy(all, func(p filter.Product) int64 { return int64(p.ID) }), nil
}

func (f *dataFile) validateDatacenters(d *gatewayData) error {
	if len(f.Datacenters) == 0 {
		return errors.New("datacenters: at least one datacenter is needed")
	}
	for i, dc := range f.Datacenters {
		at := "datacenters[" + strconv.Itoa(i) + "]"
		if dc.Name == "" {
			return fmt.Errorf("%s.name: missing", at)
		}
		if _, dup := d.datacenters[dc.Name]; dup {
			return fmt.Errorf("%s.name: datacenter %q is listed twice", at, dc.Name)
		}
		if !session.ValidRegion(dc.Region) {
			return fmt.Errorf("%s.region: %q is not one of %s", at, dc.Region, strings.Join(session.Regions(), ", "))
		}
		if dc.Origin != "" && !session.ValidOrigin(dc.Origin) {
			return fmt.Errorf("%s.origin: %q is not an origin such as https://gateway.example (http or https, host, optional port, no path or trailing slash)", at, dc.Origin)
		}
		d.datacenters[dc.Name] = dc
	}
	return nil
}

func (f *dataFile) validateMerchants(d *gatewayData, catalog map[int64]filter.Product) error {
	if len(f.Merchants) == 0 {
		return errors.New("merchants: at least one merchant is needed")
	}
	for i, m := range f.Merchants {
		at := "merchants[" + strconv.Itoa(i) + "]"
		if !session.ValidMerchantID(m.ID) {
			return fmt.Errorf("%s.id: %q is not a merchant id (1 to 64 letters, digits or '-')", at, m.ID)
		}
		if _, dup := d.merchants[m.ID]; dup {
			return fmt.Errorf("%s.id: merchant %q is listed twice", at, m.ID)
		}
		if _, ok := d.datacenters[m.Datacenter]; !ok {
			return fmt.Errorf("%s.datacenter: %q is not one of the datacenters", at, m.Datacenter)
		}
		mer := merchant{id: m.ID, datacenter: m.Datacenter}
		if len(m.Products) == 0 {
			mer.products = lo.Map(f.Products, func(p productEntry, _ int) filter.Product { return catalog[p.ID] })
		}
		seen := make(map[int64]int, len(m.Products))
		for j, id := range m.Products {
			p, ok := catalog[id]
			if !ok {
				return fmt.Errorf("%s.products[%d]: %d is not one of the products", at, j, id)
			}
			if k, dup := seen[id]; dup {
				return fmt.Errorf("%s.products[%d]: product %d is also listed at products[%d]", at, j, id, k)
			}
			seen[id] = j
			mer.products = append(mer.products, p)
		}
		cat, err := filter.NewCatalog(mer.products)
		if err != nil { // the products passed as a whole; a subset cannot fail
			return fmt.Errorf("%s.products: %w", at, err)
		}
		mer.catalog = cat
		d.merchants[m.ID] = mer
	}
	return nil
}

func (f *dataFile) validateAPIKeys(d *gatewayData) error {
	if len(f.APIKeys) == 0 {
		return errors.New("apiKeys: at least one API key is needed")
	}
	for i, k := range f.APIKeys {
		at := "apiKeys[" + strconv.Itoa(i) + "]"
		switch {
		case !auth.ValidKeyID(k.KeyID):
			return fmt.Errorf("%s.keyId: missing, or not printable ASCII without ':'", at)
		case k.SecretAPIKey == "":
			return fmt.Errorf("%s.secretApiKey: missing", at)
		case len(k.Merchants) == 0:
			return fmt.Errorf("%s.merchants: at least one merchant is needed", at)
		}
		if _, dup := d.apiKeys[k.KeyID]; dup {
			return fmt.Errorf("%s.keyId: key %q is listed twice", at, k.KeyID)
		}
		key := apiKey{secret: []byte(k.SecretAPIKey), merchants: make(map[string]bool, len(k.Merchants))}
		for j, m := range k.Merchants {
			if _, ok := d.merchants[m]; !ok {
				return fmt.Errorf("%s.merchants[%d]: %q is not one of the merchants", at, j, m)
			}
			key.merchants[m] = true
		}
		d.apiKeys[k.KeyID] = key
	}
	return nil
}

func (f *dataFile) validateTokens(d *gatewayData) error {
	seen := make(map[string]int, len(f.Tokens))
	for i, t := range f.Tokens {
		at := "tokens[" + strconv.Itoa(i) + "]"
		if !token.WellFormed(t.ID) {
			return fmt.Errorf("%s.id: not a token id (1 to %d printable ASCII characters, no space)", at, token.MaxIDLength)
		}
		if k, dup := seen[t.ID]; dup {
			return fmt.Errorf("%s.id: the token is also listed at tokens[%d]", at, k)
		}
		seen[t.ID] = i
		if _, ok := d.merchants[t.MerchantID]; !ok {
			return fmt.Errorf("%s.merchantId: %q is not one of the merchants", at, t.MerchantID)
		}
		// A token may name a product that is not (or no longer) in the
		// catalog: the engine then reports it as invalid.
		if !filter.ValidProductID(t.PaymentProductID) {
			return fmt.Errorf("%s.paymentProductId: %d is not a payment product id (an integer from 1 to 2147483647)", at, t.PaymentProductID)
		}
		status, err := token.ParseStatus(t.Status)
		if err != nil {
			return fmt.Errorf("%s.status: %q is not one of active, deleted, revoked", at, t.Status)
		}
		var expiry token.Expiry
		if t.CardExpiry != "" {
			e, err := token.ParseExpiry(t.CardExpiry)
			if err != nil {
				return fmt.Errorf("%s.cardExpiry: %q: %w", at, t.CardExpiry, err)
			}
			expiry = e
		}
		d.tokens = append(d.tokens, token.Token{
			ID:               t.ID,
			MerchantID:       t.MerchantID,
			PaymentProductID: int32(t.PaymentProductID), //nolint:gosec // checked by filter.ValidProductID
			Status:           status,
			CardExpiry:       expiry,
			Alias:            t.Alias,
		})
	}
	return nil
}

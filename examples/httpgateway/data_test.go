package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/clientsession/engine/filter"
	"github.com/clientsession/engine/session"
	"github.com/clientsession/engine/token"
	"github.com/clientsession/engine/wire/auth"
)

func TestDemoDataIsValid(t *testing.T) {
	d, err := loadData("")
	if err != nil {
		t.Fatalf("loadData(built-in) = %v", err)
	}
	m, ok := d.merchants["1234"]
	if !ok {
		t.Fatal("merchant 1234 missing")
	}
	var ids []int32
	for _, p := range m.products {
		ids = append(ids, p.ID)
	}
	if got, want := len(ids), 5; got != want { // no products list: the whole catalog
		t.Errorf("merchant 1234 has %d products %v, want %d", got, ids, want)
	}
	if !d.apiKeys["testKeyId"].merchants["1234"] {
		t.Error("testKeyId does not hold merchant 1234")
	}
}

// validData returns a minimal valid data file with one placeholder to
// replace: the test changes one entry at a time.
const validData = `{
  "apiKeys": [{"keyId": "k", "secretApiKey": "s", "merchants": ["m1"]}],
  "datacenters": [{"name": "EU", "origin": "", "region": "EU"}],
  "merchants": [{"id": "m1", "datacenter": "EU"}],
  "products": [
    {"id": 1, "group": "cards", "displayOrder": 10, "label": "VISA", "logo": "l.png", "paymentMethod": "card"},
    {"id": 2, "displayOrder": 20, "label": "X", "logo": "x.png", "paymentMethod": "redirect",
     "countries": ["NL"], "currencies": ["EUR"], "minAmount": 1, "maxAmount": 2}
  ],
  "tokens": [{"id": "t1", "merchantId": "m1", "paymentProductId": 1, "status": "active", "cardExpiry": "1230", "alias": "a"}]
}`

func TestParseDataRejects(t *testing.T) {
	tests := []struct {
		name, old, new, want string
	}{
		{"unknown property", `"region": "EU"}`, `"region": "EU", "zone": 1}`, `datacenters[0].zone: unknown member (line 3, column 64)`},
		{"unknown nested property", `"datacenter": "EU"}`, `"datacenter": "EU", "products": [1], "colour": "red"}`, `merchants[0].colour: unknown member (line 4, column 67)`},
		{"unknown top-level property", `"tokens": [`, `"extra": {}, "tokens": [`, `extra: unknown member (line 10, column 3)`},
		{"member in another case", `"keyId": "k"`, `"KeyId": "k"`, `apiKeys[0].KeyId: unknown member (line 2, column 16)`},
		{"member twice", `"keyId": "k"`, `"keyId": "k", "keyId": "k2"`, `apiKeys[0].keyId: the member is given twice (line 2, column 30)`},
		{"wrong type", `{"id": 2,`, `{"id": "2",`, `products[1].id: a number is expected, not a string (line 7, column 12)`},
		{"not an array", `"countries": ["NL"]`, `"countries": "NL"`, `products[1].countries: an array is expected, not a string (line 8, column 19)`},
		{"not an int", `"minAmount": 1`, `"minAmount": 1.5`, `products[1].minAmount: 1.5 is not an integer of 64 bits (line 8, column 63)`},
		{"syntax error", `"region": "EU"}]`, `"region": "EU",}]`, `invalid JSON at line 3, column 63: invalid character '}'`},
		{"cut short", `"alias": "a"}]`, `"alias": "a"`, `invalid JSON at line 11, column 2: the text ends inside a value`},
		{"trailing data", `"alias": "a"}]`, `"alias": "a"}]}{`, "trailing data after the JSON object (line 10, column 127)"},
		{"not an object", validData, `[]`, "the data file: an object is expected, not an array (line 1, column 1)"},
		{"bad currency", `"currencies": ["EUR"]`, `"currencies": ["EURO"]`, `products[1].currencies[0]: "EURO" is not a currency code`},
		{"bad country", `"countries": ["NL"]`, `"countries": ["nl"]`, `products[1].countries[0]: "nl" is not a country code`},
		{"min above max", `"minAmount": 1`, `"minAmount": 3`, "products[1].maxAmount: the maximum amount 2 is below the minimum amount 3"},
		{"negative min", `"minAmount": 1`, `"minAmount": -1`, "products[1].minAmount: amounts are zero or more"},
		{"product id zero", `{"id": 2,`, `{"id": 0,`, "products[1].id: 0 is not a payment product id"},
		{"product id over int32", `{"id": 2,`, `{"id": 2147483648,`, "products[1].id: 2147483648 is not a payment product id"},
		{"duplicate product", `{"id": 2,`, `{"id": 1,`, "products[1].id: the product id 1 is also used by products[0]"},
		{"no payment method", `"paymentMethod": "redirect"`, `"paymentMethod": ""`, "products[1].paymentMethod: missing"},
		{"bad iin range", `"paymentMethod": "card"}`, `"paymentMethod": "card", "iinRanges": ["4", "55-51"]}`, `products[0].iinRanges[1]: "55-51": an IIN range is`},
		{"iin range not digits", `"paymentMethod": "card"}`, `"paymentMethod": "card", "iinRanges": ["4x"]}`, `products[0].iinRanges[0]: "4x"`},
		{"iin range not a string", `"paymentMethod": "card"}`, `"paymentMethod": "card", "iinRanges": [4]}`, `iinRanges`},
		{"bad region", `"region": "EU"`, `"region": "MARS"`, `datacenters[0].region: "MARS" is not one of`},
		{"origin with path", `"origin": ""`, `"origin": "https://x.example/client"`, "datacenters[0].origin:"},
		{"unknown datacenter", `"datacenter": "EU"`, `"datacenter": "US"`, `merchants[0].datacenter: "US" is not one of the datacenters`},
		{"merchant id with slash", `{"id": "m1", "datacenter"`, `{"id": "m/1", "datacenter"`, `merchants[0].id: "m/1" is not a merchant id`},
		{"unknown merchant product", `"datacenter": "EU"}`, `"datacenter": "EU", "products": [1, 9]}`, "merchants[0].products[1]: 9 is not one of the products"},
		{"duplicate merchant product", `"datacenter": "EU"}`, `"datacenter": "EU", "products": [1, 1]}`, "merchants[0].products[1]: product 1 is also listed at products[0]"},
		{"key without merchants", `"merchants": ["m1"]`, `"merchants": []`, "apiKeys[0].merchants: at least one merchant"},
		{"key for unknown merchant", `"merchants": ["m1"]`, `"merchants": ["m2"]`, `apiKeys[0].merchants[0]: "m2" is not one of the merchants`},
		{"key without secret", `"secretApiKey": "s"`, `"secretApiKey": ""`, "apiKeys[0].secretApiKey: missing"},
		{"key id with colon", `"keyId": "k"`, `"keyId": "k:1"`, "apiKeys[0].keyId:"},
		{"bad status", `"status": "active"`, `"status": "paused"`, `tokens[0].status: "paused" is not one of active, deleted, revoked`},
		{"bad expiry month", `"cardExpiry": "1230"`, `"cardExpiry": "1330"`, `tokens[0].cardExpiry: "1330": card expiry is MMYY`},
		{"bad expiry shape", `"cardExpiry": "1230"`, `"cardExpiry": "12/30"`, `tokens[0].cardExpiry: "12/30": card expiry is MMYY`},
		{"token of unknown merchant", `"merchantId": "m1"`, `"merchantId": "m9"`, `tokens[0].merchantId: "m9" is not one of the merchants`},
		{"token id with space", `{"id": "t1"`, `{"id": "t 1"`, "tokens[0].id: not a token id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := strings.Replace(validData, tt.old, tt.new, 1)
			if raw == validData {
				t.Fatalf("test does not change the data: %q not found", tt.old)
			}
			_, err := parseData([]byte(raw))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("parseData error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestParseDataDefaults(t *testing.T) {
	d, err := parseData([]byte(validData))
	if err != nil {
		t.Fatalf("parseData(valid) = %v", err)
	}
	m := d.merchants["m1"]
	if len(m.products) != 2 {
		t.Errorf("merchant without products has %d products, want the whole catalog (2)", len(m.products))
	}
	p1 := m.products[0]
	if p1.Countries != nil || p1.Currencies != nil || p1.MinAmount != nil || p1.MaxAmount != nil {
		t.Errorf("absent countries/currencies/amounts = %v %v %v %v, want all nil (unbounded)", p1.Countries, p1.Currencies, p1.MinAmount, p1.MaxAmount)
	}
	want := token.Token{ID: "t1", MerchantID: "m1", PaymentProductID: 1, Status: token.StatusActive,
		CardExpiry: token.Expiry{Month: time.December, Year: 2030}, Alias: "a"}
	if len(d.tokens) != 1 || d.tokens[0] != want {
		t.Errorf("tokens = %+v, want [%+v]", d.tokens, want)
	}
}

func TestLoadDataFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	if err := os.WriteFile(good, []byte(validData), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := loadData(good); err != nil {
		t.Errorf("loadData(good) = %v", err)
	}
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(strings.Replace(validData, `"EUR"`, `"EURO"`, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := loadData(bad); err == nil || !strings.Contains(err.Error(), bad) || !strings.Contains(err.Error(), "products[1].currencies[0]") {
		t.Errorf("loadData(bad) = %v, want an error naming the file and the entry", err)
	}
	if _, err := loadData(filepath.Join(dir, "missing.json")); err == nil {
		t.Error("loadData(missing) = nil, want an error")
	}
}

// TestRelativeFileErrorsNameTheResolvedPath: `go run -C
// examples/httpgateway . -data my.json` runs in examples/httpgateway, so a
// relative path is read from there; the errors of -data and -keys name the
// absolute path tried and say that a relative path is taken from the
// working directory, which go run -C changes.
func TestRelativeFileErrorsNameTheResolvedPath(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.WriteFile("bad.json", []byte(`{"apiKeys": [}`), 0o600); err != nil {
		t.Fatal(err)
	}
	wd, err := os.Getwd() // dir, with symbolic links as the process sees them
	if err != nil {
		t.Fatal(err)
	}
	hint := "a relative path is taken from the working directory, which go run -C changes"
	tests := []struct {
		name string
		load func() error
		want []string
	}{
		{"missing data file", func() error { _, err := loadData("my.json"); return err },
			[]string{"data file my.json (resolved to " + filepath.Join(wd, "my.json") + ": " + hint + "): no such file or directory"}},
		{"bad data file", func() error { _, err := loadData("bad.json"); return err },
			[]string{"data file bad.json (resolved to " + filepath.Join(wd, "bad.json") + ": " + hint + "): invalid JSON at line 1, column 14: invalid character '}' looking for beginning of value"}},
		{"missing key file", func() error { _, err := loadKeys("keys.pem"); return err },
			[]string{"key file keys.pem (resolved to " + filepath.Join(wd, "keys.pem") + ": " + hint + "): no such file or directory"}},
		{"absolute path", func() error { _, err := loadData(filepath.Join(wd, "my.json")); return err },
			[]string{"data file " + filepath.Join(wd, "my.json") + ": no such file or directory"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.load()
			if err == nil {
				t.Fatal("load = nil, want an error")
			}
			for _, w := range tt.want {
				if err.Error() != w {
					t.Errorf("error = %q\nwant    %q", err, w)
				}
			}
		})
	}
	// Through run, as the command line gives it.
	var stderr syncBuffer
	err = run(t.Context(), []string{"-data", "my.json"}, &stderr)
	if err == nil || !strings.Contains(err.Error(), filepath.Join(wd, "my.json")) || !strings.Contains(err.Error(), hint) {
		t.Errorf("run -data my.json = %v, want the resolved path and the hint", err)
	}
}

// TestLoaderAndEngineAgree: for each rule the data file shares with the
// library, the loader accepts a value exactly when the library's owner of
// the rule does, so that nothing the gateway loads is refused later
// (regression: merchant "shop_1" loaded, then every create answered 404).
func TestLoaderAndEngineAgree(t *testing.T) {
	tests := []struct {
		rule     string
		old, new string // placeholder in validData and its replacement, %s the value
		values   []string
		library  func(string) bool
	}{
		{"merchant id (session.ValidMerchantID)", `"m1"`, `%q`,
			[]string{"m1", "shop_1", "a-B-9", "", "a/b", "é", strings.Repeat("m", 64), strings.Repeat("m", 65)},
			session.ValidMerchantID},
		{"token id (token.WellFormed)", `{"id": "t1"`, `{"id": %q`,
			[]string{"t1", "a b", "", "~!", strings.Repeat("x", 128), strings.Repeat("x", 129), "\u00e9"},
			token.WellFormed},
		{"origin (session.ValidOrigin)", `"origin": ""`, `"origin": %q`,
			[]string{"https://gw.example", "http://127.0.0.1:8080", "https://gw.example/", "https://gw.example/client",
				"ftp://gw.example", "https://user@gw.example", "https://gw.example:0", "https://[::1]:443", "https://gw.example?x=1"},
			session.ValidOrigin},
		{"region (session.ValidRegion)", `"region": "EU"`, `"region": %q`,
			[]string{"EU", "US", "AMS", "PAR", "eu", "", "MARS"},
			session.ValidRegion},
		{"API key id (auth.ValidKeyID)", `"keyId": "k"`, `"keyId": %q`,
			[]string{"k", "testKeyId", "", "k:1", "k 1", "\u00e9", "~!"},
			auth.ValidKeyID},
		{"country code (filter.IsCountryCode)", `"countries": ["NL"]`, `"countries": [%q]`,
			[]string{"NL", "nl", "NLD", "", "N1"},
			filter.IsCountryCode},
		{"currency code (filter.IsCurrencyCode)", `"currencies": ["EUR"]`, `"currencies": [%q]`,
			[]string{"EUR", "eur", "EURO", "", "E1R"},
			filter.IsCurrencyCode},
	}
	for _, tt := range tests {
		for _, v := range tt.values {
			raw := validData
			if tt.old == `"m1"` { // the merchant id appears in several entries
				raw = strings.ReplaceAll(raw, tt.old, fmt.Sprintf(tt.new, v))
			} else {
				raw = strings.Replace(raw, tt.old, fmt.Sprintf(tt.new, v), 1)
			}
			_, err := parseData([]byte(raw))
			if got, want := err == nil, tt.library(v); got != want {
				t.Errorf("%s: %q loads = %v, the library accepts = %v (load error: %v)", tt.rule, v, got, want, err)
			}
		}
	}
	// Product ids: the loader and filter.ValidProductID agree, also past int32.
	for _, id := range []int64{7, 2147483647, 0, -1, 2147483648} {
		raw := strings.Replace(validData, `{"id": 2,`, fmt.Sprintf(`{"id": %d,`, id), 1)
		_, err := parseData([]byte(raw))
		if got, want := err == nil, filter.ValidProductID(id); got != want {
			t.Errorf("product id %d loads = %v, filter.ValidProductID = %v (%v)", id, got, want, err)
		}
	}
}

// TestShopUnderscoreRefusedAtStart: the data file's merchant "shop_1"
// stops the gateway at start with a message naming the entry, instead of
// loading and failing every create.
func TestShopUnderscoreRefusedAtStart(t *testing.T) {
	raw := strings.ReplaceAll(validData, `"m1"`, `"shop_1"`)
	_, err := parseData([]byte(raw))
	if err == nil || !strings.Contains(err.Error(), `merchants[0].id: "shop_1" is not a merchant id`) {
		t.Fatalf("parseData(shop_1) = %v; want a refusal naming merchants[0].id", err)
	}
}

// TestParseDataIINRanges: a product without iinRanges takes its brand's
// defaults, [] means none, a list replaces them; the catalog answers with
// them.
func TestParseDataIINRanges(t *testing.T) {
	tests := []struct {
		name, ranges string
		want         []filter.IINRange
	}{
		{"absent: the defaults of VISA", ``, filter.DefaultIINRanges(1)},
		{"empty: none", `, "iinRanges": []`, nil},
		{"given", `, "iinRanges": ["4", "2221-2720"]`, []filter.IINRange{{Low: "4"}, {Low: "2221", High: "2720"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := strings.Replace(validData, `"paymentMethod": "card"}`, `"paymentMethod": "card"`+tt.ranges+`}`, 1)
			d, err := parseData([]byte(raw))
			if err != nil {
				t.Fatal(err)
			}
			got := d.merchants["m1"].catalog.IINRanges(1)
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("ranges of product 1 = %v, want %v", got, tt.want)
			}
		})
	}
}

// FuzzCheckShape: for any text, checkShape never panics, and when it
// accepts the text json.Unmarshal into the data file's type succeeds (the
// walker and encoding/json agree on what fits), so parseData's errors
// always come from checkShape (with a path and a line and column) or from
// the rules.
func FuzzCheckShape(f *testing.F) {
	f.Add([]byte(validData))
	f.Add([]byte(demoJSON))
	f.Add([]byte(`{"products":[{"id":1e3}]}`))
	f.Add([]byte(`{"products":[{"minAmount":null,"countries":[null]}]}`))
	f.Add([]byte(`{"apiKeys":[{"keyId":"\u006b"}],"merchants":[{"products":[9223372036854775808]}]}`))
	f.Add([]byte(`{"tokens":[{"id":"a"}]} {}`))
	f.Add([]byte("{\"datacenters\":[{\"name\":\"EU\",\n\"zone\":1}]}"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		if err := checkShape(raw, reflect.TypeFor[dataFile]()); err != nil {
			return
		}
		var d dataFile
		if err := json.Unmarshal(raw, &d); err != nil {
			t.Fatalf("checkShape accepted %q, json.Unmarshal refused it: %v", raw, err)
		}
	})
}

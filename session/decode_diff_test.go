package session

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/go-playground/validator/v10"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/internal/strictjson/legacy"
)

// FuzzDecodeStrictDifferential checks the strict walk of a create request
// against the decoder it replaced (package legacy, over encoding/json's
// Decoder): the same error (code, id, message, property path) or the same
// request; and, when accepted, against encoding/json.Unmarshal into
// CreateRequest: the same values.
// Smoke run: go test -run='^$' -fuzz='^FuzzDecodeStrictDifferential$' -fuzztime=20s ./session
func FuzzDecodeStrictDifferential(f *testing.F) {
	for _, s := range []string{
		`{"paymentProductFilters":{"restrictTo":{"groups":["cards"],"products":[840]},"exclude":{"products":[3]}},"tokens":["a","b","a"]}`,
		`{}`, `{"tokens":[]}`, `{"tokens":["\u00e9","\ud800x","a\"b"]}`, "{\"tokens\":[\"\xff\"]}",
		`{"paymentProductFilters":null}`, `{"tokens":null}`, `{"tokens":"a"}`, `{"tokens":[1]}`, `{"tokens":["a",null]}`,
		`{"paymentProductFilters":{"restrictTo":{"products":[0]}}}`, `{"paymentProductFilters":{"restrictTo":{"products":[1,}}}`,
		`{"paymentProductFilters":{"exclude":{"groups":[null]}},"tokens":[1,}`, `{"tokens":["a"],"tokens":["b"]}`,
		`{"tokens":["a"]} trailing`, `{"extra":1}`, `{"extra":[1,}`, `[1,2]`, `null`, ``, ` `, `{"tokens":["a"]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := decodeStrict(data)
		filters, tokens, wantErr := legacy.CreateRequest(data)
		if (err == nil) != (wantErr == nil) {
			t.Fatalf("%q: error %v, the legacy decoder says %v", data, err, wantErr)
		}
		if err != nil {
			g, w := sderrors.As(err), sderrors.As(wantErr)
			if g == nil || w == nil || g.Code() != w.Code() || g.Message() != w.Message() || g.Property() != w.Property() {
				t.Fatalf("%q: error %v, the legacy decoder says %v", data, err, wantErr)
			}
			return
		}
		if want := (CreateRequest{PaymentProductFilters: filters, Tokens: tokens}); !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: %+v, the legacy decoder %+v", data, got, want)
		}
		var std CreateRequest
		if err := json.Unmarshal(data, &std); err != nil {
			t.Fatalf("%q: accepted, but encoding/json says %v", data, err)
		}
		if !reflect.DeepEqual(got, std) {
			t.Fatalf("%q: %+v, encoding/json %+v", data, got, std)
		}
	})
}

// FuzzTokenFormat checks the one-pass token rule of the validator
// ("tokenformat") against the tags it replaced, min=1,max=128,printascii
// (lengths in runes, a regular expression): the same verdict for any
// string.
// Smoke run: go test -run='^$' -fuzz='^FuzzTokenFormat$' -fuzztime=20s ./session
func FuzzTokenFormat(f *testing.F) {
	v := validator.New()
	for _, s := range []string{"", "a", " ", "a b", "é", "\x7f", "\x1f", "\xff", strings.Repeat("a", 128), strings.Repeat("a", 129), strings.Repeat("é", 64)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := v.Var(s, "min=1,max=128,printascii") == nil
		if got := tokenFormat(s); got != want {
			t.Fatalf("tokenFormat(%q) = %v, min=1,max=128,printascii says %v", s, got, want)
		}
	})
}

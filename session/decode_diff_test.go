package session

import (
	"encoding/json"
	"reflect"
	"testing"

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
			g, w := sderrors.Find(err), sderrors.Find(wantErr)
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

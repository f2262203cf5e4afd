package filter_test

import (
	"encoding/json"
	"reflect"
	"testing"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/filter"
	"github.com/clientsession/engine/internal/strictjson/legacy"
)

// FuzzDecodeDifferential checks Decode against the decoder it replaced
// (package legacy: the same rules over encoding/json's Decoder) — the same
// error (code, id, message, property path) or the same Filters — and, when
// Decode accepts, against encoding/json.Unmarshal into Filters: the same
// values.
// Smoke run: go test -run='^$' -fuzz='^FuzzDecodeDifferential$' -fuzztime=20s ./filter
func FuzzDecodeDifferential(f *testing.F) {
	for _, s := range []string{
		`{"restrictTo":{"groups":["cards","wallets"],"products":[840,1,2147483647]},"exclude":{"products":[3]}}`,
		`{"restrictTo":{}}`, `{"exclude":{"groups":[]}}`, `{}`, ` {"exclude" : { "products" : [ 1 ] } } `,
		`{"restrictTo":{"products":[0,-1,2147483648,1.5,1e3,"2",null]}}`, `{"restrictTo":{"products":[1.5,"x"]}}`,
		`{"restrictTo":{"groups":["\u0063ards","\ud800","é"]}}`, "{\"exclude\":{\"groups\":[\"\xff\"]}}",
		`{"restrictTo":null}`, `{"restrictTo":[]}`, `{"restrictTo":{"groups":null}}`, `{"restrictTo":{"x":1}}`,
		`{"restrictTo":{"groups":[],"groups":[]}}`, `{"restrictTo":{},"restrictTo":{}}`, `{"include":{}}`,
		`{"restrictTo":{"products":[1,]}}`, `{"restrictTo":{"products":[1]} "exclude":{}}`, `{} []`, `null`, `[]`, ``,
		`{"restrictTo":{"products":[01]}}`, `{"restrictTo":{"products":[-0]}}`, `{"restrictTo":{"products":[9999999999]}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := filter.Decode(data)
		want, wantErr := legacy.Filters(data)
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
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: %+v, the legacy decoder %+v", data, got, want)
		}
		var std filter.Filters
		if err := json.Unmarshal(data, &std); err != nil {
			t.Fatalf("%q: accepted, but encoding/json says %v", data, err)
		}
		if !reflect.DeepEqual(got, std) {
			t.Fatalf("%q: %+v, encoding/json %+v", data, got, std)
		}
	})
}

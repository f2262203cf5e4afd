package strictjson_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/internal/strictjson"
	"github.com/clientsession/engine/internal/strictjson/legacy"
)

// legacyMembers is members() over the legacy decoder.
func legacyMembers(got map[string]any) map[string]legacy.Member {
	return map[string]legacy.Member{
		"names": func(raw json.RawMessage) error {
			v, err := legacy.Strings(raw)
			got["names"] = v
			return err
		},
		"ids": func(raw json.RawMessage) error {
			v, err := legacy.Numbers(raw)
			got["ids"] = v
			return err
		},
		"inner": func(raw json.RawMessage) error {
			return legacy.Object(raw, map[string]legacy.Member{
				"names": func(raw json.RawMessage) error {
					v, err := legacy.Strings(raw)
					got["inner.names"] = v
					return err
				},
			})
		},
	}
}

// sameError fails t unless a and b are both nil or both *sderrors.Error
// with the same code, id, message and property.
func sameError(t *testing.T, data []byte, got, want error) {
	t.Helper()
	if (got == nil) != (want == nil) {
		t.Fatalf("%q: error %v, the legacy decoder says %v", data, got, want)
	}
	if got == nil {
		return
	}
	g, w := sderrors.Find(got), sderrors.Find(want)
	if g == nil || w == nil {
		t.Fatalf("%q: errors %v / %v are not *sderrors.Error", data, got, want)
	}
	if g.Code() != w.Code() || g.ID() != w.ID() || g.Message() != w.Message() || g.Property() != w.Property() {
		t.Fatalf("%q: error %s %q at %q, the legacy decoder says %s %q at %q",
			data, g.ID(), g.Message(), g.Property(), w.ID(), w.Message(), w.Property())
	}
}

// differentialSeeds are bodies that reach every branch of both decoders:
// every syntax error position, every type, escapes, invalid UTF-8, depth.
var differentialSeeds = []string{
	`{"names":["a","\u00e9","\ud83d\ude00","\ud800","a\/b\"c"],"ids":[0,-1,1.5e+3,2E-2],"inner":{"names":[]}}`,
	"{\"names\":[\"\xff\xfe\",\"é\",\"\xed\xa0\x80\"]}",
	`{"na\u006des":[]}`, "{\"\xff\":1}", `{"\ud800":1}`,
	`{"a" 1}`, `{"names" 1}`, `{"names":`, `{"names"`, `{"names":[1,]}`, `{"names":[] "ids":[]}`,
	`{,}`, `{"names":[],}`, `{"x":01}`, `{"ids":[01]}`, `{"ids":[-]}`, `{"ids":[1.]}`, `{"ids":[1e]}`, `{"ids":[1e+]}`,
	`{"x":tru}`, `{"x":truex}`, `{"names":["a"]x}`, `{"names":["a"]]`, `{} x`, `{}}`, `{}{}`, `{} `, " \t\r\n{}\n",
	`{"names":["a\u00"]}`, `{"names":["a\x"]}`, "{\"names\":[\"a\tb\"]}", `{"names":["a\`,
	`{"ids":[true,"1",null]}`, `{"names":[null,1]}`, `{"names":[1,null]}`, `{"ids":[[1],{}]}`,
	`{"names":[],"names":1}`, `{"names":[],"names":[}`, `{"x":1,"x":2}`, `{"inner":{"names":[],"names":[]}}`,
	`{"inner":{"x":[1,}}`, `{"inner":null}`, `{"inner":[]}`, `{"inner":"s"}`, `{"names":{}}`, `{"names":"a"}`,
	`null`, ` null `, `nul`, `nullx`, `[1]`, `[1`, `"x"`, `"x`, `1`, `-`, `true`, ``, `   `, "\v{}", "{}\f",
	`{"names":["a"]} trailing`, `{"ids":[1,2] , "names":[]}`, `{"names":[ "a" , "b" ]}`,
	`{"ids":[[[[[1]]]]],"inner":{"names":[[[["a"]]]]}}`, `{"names":[{"a":[{"b":1}]}]}`,
}

// TestLegacyDepth checks the nesting limit (encoding/json's 10,000) against
// the legacy decoder at and past the limit, in a member, an element and at
// the top.
func TestLegacyDepth(t *testing.T) {
	t.Parallel()
	nest := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	for _, data := range []string{
		`{"ids":[` + nest(9999) + `]}`, `{"ids":[` + nest(10000) + `]}`,
		`{"ids":` + nest(10000) + `}`, `{"ids":` + nest(10001) + `}`,
		`{"inner":{"names":` + nest(10000) + `}}`, `{"inner":{"names":` + nest(10001) + `}}`,
		nest(10000), nest(10001), `{"x":` + nest(10001) + `}`,
	} {
		got, want := map[string]any{}, map[string]any{}
		err := strictjson.Object([]byte(data), members(got))
		sameError(t, []byte(data[:20]), err, legacy.Object([]byte(data), legacyMembers(want)))
	}
}

// FuzzLegacy checks the scanner against the decoder it replaced (package
// legacy, a walk over encoding/json's Decoder): for every input the same
// error (code, id, message, property path) or the same decoded values.
// Smoke run: go test -run='^$' -fuzz='^FuzzLegacy$' -fuzztime=20s ./internal/strictjson
func FuzzLegacy(f *testing.F) {
	for _, s := range differentialSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, want := map[string]any{}, map[string]any{}
		err := strictjson.Object(data, members(got))
		wantErr := legacy.Object(data, legacyMembers(want))
		sameError(t, data, err, wantErr)
		if err == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: decoded %#v, the legacy decoder %#v", data, got, want)
		}
	})
}

// FuzzStdlib checks that whatever the scanner accepts, encoding/json
// accepts too and decodes to the same values.
// Smoke run: go test -run='^$' -fuzz='^FuzzStdlib$' -fuzztime=20s ./internal/strictjson
func FuzzStdlib(f *testing.F) {
	for _, s := range differentialSeeds {
		f.Add([]byte(s))
	}
	type inner struct {
		Names []string `json:"names"`
	}
	type body struct {
		Names []string      `json:"names"`
		IDs   []json.Number `json:"ids"`
		Inner *inner        `json:"inner"`
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got := map[string]any{}
		if err := strictjson.Object(data, members(got)); err != nil {
			return
		}
		var std body
		if err := json.Unmarshal(data, &std); err != nil {
			t.Fatalf("%q: accepted, but encoding/json says %v", data, err)
		}
		want := map[string]any{}
		if std.Names != nil {
			want["names"] = std.Names
		}
		if std.IDs != nil {
			want["ids"] = std.IDs
		}
		if std.Inner != nil {
			want["inner.names"] = std.Inner.Names
			if std.Inner.Names == nil {
				delete(want, "inner.names")
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: decoded %#v, encoding/json %#v", data, got, want)
		}
	})
}

// TestMembersCallsInOrder checks that Members hands fn each member's name
// and value as written, trimmed, in document order, and that an error fn
// returns that is not an *sderrors.Error comes back unchanged.
func TestMembersCallsInOrder(t *testing.T) {
	t.Parallel()
	var seen []string
	err := strictjson.Members([]byte(` { "b" : [ 1 ] , "a\u0041":"x" , "c":{"d":null} } `), func(name, raw []byte) error {
		seen = append(seen, string(name)+"="+string(raw))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{`b=[ 1 ]`, `aA="x"`, `c={"d":null}`}; !reflect.DeepEqual(seen, want) {
		t.Errorf("members %q, want %q", seen, want)
	}
	plain := json.Unmarshal([]byte(`x`), new(int))
	if err := strictjson.Members([]byte(`{"a":1}`), func(_, _ []byte) error { return plain }); err != plain { //nolint:errorlint // identity wanted
		t.Errorf("error %v, want fn's own error unchanged", err)
	}
}

// TestNumberArray checks the checks and the walk of NumberArray.
func TestNumberArray(t *testing.T) {
	t.Parallel()
	l, err := strictjson.NumberArray([]byte(` [ 1 , -2.5e3,0 ] `))
	if err != nil {
		t.Fatal(err)
	}
	var nums []string
	_ = l.Each(func(i int, num []byte) error {
		nums = append(nums, string(num))
		return nil
	})
	if l.Len() != 3 || !reflect.DeepEqual(nums, []string{"1", "-2.5e3", "0"}) {
		t.Errorf("Len %d, numbers %q", l.Len(), nums)
	}
	stop := sderrors.ErrInvalidValue
	calls := 0
	if err := l.Each(func(int, []byte) error { calls++; return stop }); err != stop || calls != 1 { //nolint:errorlint // identity wanted
		t.Errorf("Each = %v after %d calls, want fn's first error after 1", err, calls)
	}
	for _, bad := range []string{`null`, `{}`, `[1,"2"]`, `[1,null]`, `[1,]`, `[1] 2`} {
		if _, err := strictjson.NumberArray([]byte(bad)); err == nil {
			t.Errorf("NumberArray(%s) accepted", bad)
		}
	}
}

// TestAllocations pins the allocations of a decode: Members walks without
// allocating, Strings allocates the slice and one block for every plain
// string.
func TestAllocations(t *testing.T) {
	body := []byte(`{"names":["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb","é"],"ids":[1,2]}`)
	var names []string
	walk := func() {
		err := strictjson.Members(body, func(name, raw []byte) error {
			if string(name) == "names" {
				v, err := strictjson.Strings(raw)
				names = v
				return err
			}
			_, err := strictjson.NumberArray(raw)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := testing.AllocsPerRun(100, walk); n > 2 {
		t.Errorf("%v allocations, want 2 (the slice and the strings' block)", n)
	}
	if len(names) != 3 || names[2] != "é" {
		t.Errorf("names = %q", names)
	}
}

package strictjson_test

import (
	"encoding/json"
	"slices"
	"testing"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/internal/strictjson"
)

// members returns the members of a test object: "names" (strings), "ids"
// (numbers) and "inner" (an object with "names"), recording what was seen.
func members(got map[string]any) map[string]strictjson.Member {
	return map[string]strictjson.Member{
		"names": func(raw json.RawMessage) error {
			v, err := strictjson.Strings(raw)
			got["names"] = v
			return err
		},
		"ids": func(raw json.RawMessage) error {
			v, err := strictjson.Numbers(raw)
			got["ids"] = v
			return err
		},
		"inner": func(raw json.RawMessage) error {
			return strictjson.Object(raw, map[string]strictjson.Member{
				"names": func(raw json.RawMessage) error {
					v, err := strictjson.Strings(raw)
					got["inner.names"] = v
					return err
				},
			})
		},
	}
}

func TestObject(t *testing.T) {
	t.Parallel()
	got := map[string]any{}
	err := strictjson.Object([]byte(` {"ids":[1, -2.5e3 ,7],"names":["a","\u00e9"],"inner":{"names":[]}} `), members(got))
	if err != nil {
		t.Fatal(err)
	}
	if names := got["names"].([]string); !slices.Equal(names, []string{"a", "é"}) {
		t.Errorf("names = %q", names)
	}
	if ids := got["ids"].([]json.Number); !slices.Equal(ids, []json.Number{"1", "-2.5e3", "7"}) {
		t.Errorf("ids = %q, want the numbers as written", ids)
	}
	if inner := got["inner.names"].([]string); inner == nil || len(inner) != 0 {
		t.Errorf("inner.names = %#v, want a non-nil empty slice", inner)
	}
	absent := map[string]any{}
	if err := strictjson.Object([]byte(`{}`), members(absent)); err != nil || len(absent) != 0 {
		t.Errorf("{}: err %v, members called %v; want none called", err, absent)
	}
}

func TestObjectErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		json     string
		want     *sderrors.Error
		wantPath string
	}{
		{"empty", ``, sderrors.ErrInvalidJSON, ""},
		{"blank", "  \n", sderrors.ErrInvalidJSON, ""},
		{"null", `null`, sderrors.ErrNullNotAllowed, ""},
		{"array", `[1]`, sderrors.ErrInvalidType, ""},
		{"string", `"x"`, sderrors.ErrInvalidType, ""},
		{"not JSON", `nope`, sderrors.ErrInvalidJSON, ""},
		{"unterminated", `{"names":["a"]`, sderrors.ErrInvalidJSON, ""},
		{"trailing value", `{}{}`, sderrors.ErrInvalidJSON, ""},
		{"trailing garbage", `{} x`, sderrors.ErrInvalidJSON, ""},
		{"unknown member", `{"names":[],"extra":1}`, sderrors.ErrUnknownProperty, "extra"},
		{"member twice", `{"names":[],"names":[]}`, sderrors.ErrInvalidJSON, "names"},
		{"null array", `{"names":null}`, sderrors.ErrNullNotAllowed, "names"},
		{"object for array", `{"ids":{}}`, sderrors.ErrInvalidType, "ids"},
		{"null element", `{"names":["a",null]}`, sderrors.ErrNullNotAllowed, "names[1]"},
		{"number for string", `{"names":["a",1]}`, sderrors.ErrInvalidType, "names[1]"},
		{"string for number", `{"ids":[1,"2"]}`, sderrors.ErrInvalidType, "ids[1]"},
		{"bool for number", `{"ids":[true]}`, sderrors.ErrInvalidType, "ids[0]"},
		{"array for number", `{"ids":[[1]]}`, sderrors.ErrInvalidType, "ids[0]"},
		{"nested unknown member", `{"inner":{"x":[]}}`, sderrors.ErrUnknownProperty, "inner.x"},
		{"nested element", `{"inner":{"names":[null]}}`, sderrors.ErrNullNotAllowed, "inner.names[0]"},
		{"nested null", `{"inner":null}`, sderrors.ErrNullNotAllowed, "inner"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := strictjson.Object([]byte(tt.json), members(map[string]any{}))
			e := sderrors.Find(err)
			if e == nil {
				t.Fatalf("Object(%s) = %v, want %s at %q", tt.json, err, tt.want.ID(), tt.wantPath)
			}
			if e.Code() != tt.want.Code() || e.Property() != tt.wantPath {
				t.Errorf("Object(%s) = %s at %q (%v), want %s at %q", tt.json, e.ID(), e.Property(), e, tt.want.ID(), tt.wantPath)
			}
		})
	}
}

// FuzzObject checks that the walker never panics and that every error it
// returns is one of ours: a 4xx *sderrors.Error.
// Smoke run: go test -run='^$' -fuzz='^FuzzObject$' -fuzztime=20s ./internal/strictjson
func FuzzObject(f *testing.F) {
	f.Add([]byte(`{"names":["a"],"ids":[1,2.5],"inner":{"names":[]}}`)) // accepted
	f.Add([]byte(`{}`))                                                 // empty object
	f.Add([]byte(``))                                                   // empty body
	f.Add([]byte(`null`))                                               // null body
	f.Add([]byte(`{"names":[null]}`))                                   // null element
	f.Add([]byte(`{"ids":["1"]}`))                                      // wrong element type
	f.Add([]byte(`{"x":1}`))                                            // unknown member
	f.Add([]byte(`{"names":[],"names":[]}`))                            // member twice
	f.Add([]byte(`{} trailing`))                                        // trailing data
	f.Add([]byte(`{"inner":{"names":"a"}}`))                            // nested wrong type
	f.Add([]byte("{\"names\":[\"\xff\"]}"))                             // invalid UTF-8
	f.Fuzz(func(t *testing.T, data []byte) {
		err := strictjson.Object(data, members(map[string]any{}))
		if err == nil {
			if !json.Valid(data) {
				t.Fatalf("accepted invalid JSON %q", data)
			}
			return
		}
		e := sderrors.Find(err)
		if e == nil {
			t.Fatalf("error %v (%T) is not an *sderrors.Error", err, err)
		}
		if s := e.Kind().HTTPStatus(); s < 400 || s >= 500 {
			t.Fatalf("error %v has status %d, want a 4xx", e, s)
		}
	})
}

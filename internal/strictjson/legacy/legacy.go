// Package legacy is the strict JSON decoder as it was before the byte-level
// scanner of internal/strictjson: a walk over encoding/json's Decoder, and
// the filter and create-request decoders built on it. It is never used by
// the library; the differential fuzz tests of strictjson, filter and session
// run it as the reference whose errors (code, message, property path) and
// values the scanner must reproduce.
package legacy

import (
	"bytes"
	"encoding/json"
	stderrors "errors"
	"io"
	"strconv"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/filter"
)

// Member decodes the raw value of one object member. Its error should be an
// *sderrors.Error with a path relative to the member; Object prefixes it
// with the member's name.
type Member func(raw json.RawMessage) error

// Object decodes data, which must hold exactly one JSON object, calling the
// function of each member in document order. Members absent from data are
// not called. An unknown member is ErrUnknownProperty at its name.
func Object(data []byte, members map[string]Member) error {
	trimmed := trimSpace(data)
	switch {
	case len(trimmed) == 0:
		return sderrors.ErrInvalidJSON.WithMessage("the body is empty, expected a JSON object")
	case string(trimmed) == "null":
		return sderrors.ErrNullNotAllowed.WithMessage("expected an object, got null")
	case trimmed[0] != '{':
		if !json.Valid(trimmed) {
			return sderrors.ErrInvalidJSON
		}
		return sderrors.ErrInvalidType.WithMessage("expected an object")
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.UseNumber()
	if _, err := dec.Token(); err != nil { // the '{'
		return sderrors.ErrInvalidJSON.WithCause(err)
	}
	seen := make(map[string]bool, len(members))
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return sderrors.ErrInvalidJSON.WithCause(err)
		}
		name, ok := tok.(string)
		if !ok {
			return sderrors.ErrInvalidJSON
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return sderrors.ErrInvalidJSON.WithProperty(name).WithCause(err)
		}
		if seen[name] {
			return sderrors.ErrInvalidJSON.WithProperty(name).WithMessage("the property is given more than once")
		}
		seen[name] = true
		fn, known := members[name]
		if !known {
			return sderrors.ErrUnknownProperty.WithProperty(name)
		}
		if err := fn(raw); err != nil {
			if e := sderrors.Find(err); e != nil {
				return e.Prefix(name)
			}
			return err
		}
	}
	if _, err := dec.Token(); err != nil { // the '}'
		return sderrors.ErrInvalidJSON.WithCause(err)
	}
	if _, err := dec.Token(); !stderrors.Is(err, io.EOF) {
		return sderrors.ErrInvalidJSON.WithMessage("unexpected data after the JSON value")
	}
	return nil
}

// Strings decodes raw, which must be a JSON array of strings.
func Strings(raw json.RawMessage) ([]string, error) {
	elems, err := array(raw)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(elems))
	for i, el := range elems {
		if err := element(el, '"', "a string", i); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(el, &out[i]); err != nil {
			return nil, sderrors.ErrInvalidJSON.WithProperty(index(i)).WithCause(err)
		}
	}
	return out, nil
}

// Numbers decodes raw, which must be a JSON array of numbers. The numbers
// are returned as written (json.Number), so that the caller decides what an
// integer, a range or a fraction means for it.
func Numbers(raw json.RawMessage) ([]json.Number, error) {
	elems, err := array(raw)
	if err != nil {
		return nil, err
	}
	out := make([]json.Number, len(elems))
	for i, el := range elems {
		if err := element(el, '0', "a number", i); err != nil {
			return nil, err
		}
		out[i] = json.Number(el)
	}
	return out, nil
}

func array(raw json.RawMessage) ([]json.RawMessage, error) {
	trimmed := trimSpace(raw)
	switch {
	case string(trimmed) == "null":
		return nil, sderrors.ErrNullNotAllowed.WithMessage("expected an array, got null")
	case len(trimmed) == 0 || trimmed[0] != '[':
		return nil, sderrors.ErrInvalidType.WithMessage("expected an array")
	}
	var elems []json.RawMessage
	if err := json.Unmarshal(trimmed, &elems); err != nil {
		return nil, sderrors.ErrInvalidJSON.WithCause(err)
	}
	for i := range elems {
		elems[i] = trimSpace(elems[i])
	}
	return elems, nil
}

// element checks the JSON type of one array element by its first byte;
// want is '"' for strings and '0' for numbers.
func element(el json.RawMessage, want byte, what string, i int) error {
	if string(el) == "null" {
		return sderrors.ErrNullNotAllowed.WithProperty(index(i)).WithMessage("expected " + what + ", got null")
	}
	first := el[0]
	isNumber := first == '-' || (first >= '0' && first <= '9')
	if (want == '"' && first != '"') || (want == '0' && !isNumber) {
		return sderrors.ErrInvalidType.WithProperty(index(i)).WithMessage("expected " + what)
	}
	return nil
}

func index(i int) string {
	return "[" + strconv.Itoa(i) + "]"
}

// trimSpace trims JSON whitespace (space, tab, LF, CR) and nothing else:
// bytes.TrimSpace would also take \v, \f and Unicode spaces, which JSON
// does not allow around a value.
func trimSpace(b []byte) []byte {
	isSpace := func(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

// Filters is filter.Decode as it was.
func Filters(data []byte) (filter.Filters, error) {
	var f filter.Filters
	err := Object(data, map[string]Member{
		"restrictTo": func(raw json.RawMessage) error {
			s, err := selection(raw)
			f.RestrictTo = s
			return err
		},
		"exclude": func(raw json.RawMessage) error {
			s, err := selection(raw)
			f.Exclude = s
			return err
		},
	})
	if err != nil {
		return filter.Filters{}, err
	}
	return f, nil
}

func selection(raw json.RawMessage) (*filter.Selection, error) {
	s := &filter.Selection{}
	err := Object(raw, map[string]Member{
		"groups": func(raw json.RawMessage) error {
			groups, err := Strings(raw)
			s.Groups = groups
			return err
		},
		"products": func(raw json.RawMessage) error {
			nums, err := Numbers(raw)
			if err != nil {
				return err
			}
			ids := make([]int32, len(nums))
			for i, n := range nums {
				v, err := strconv.ParseInt(string(n), 10, 32)
				if err != nil || v <= 0 {
					return sderrors.ErrInvalidProductID.WithProperty("[" + strconv.Itoa(i) + "]")
				}
				ids[i] = int32(v)
			}
			s.Products = ids
			return nil
		},
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// CreateRequest is the strict walk of a create request as it was: the
// filters and the tokens, without the validator.
func CreateRequest(body []byte) (filters *filter.Filters, tokens []string, err error) {
	err = Object(body, map[string]Member{
		"paymentProductFilters": func(raw json.RawMessage) error {
			f, err := Filters(raw)
			if err != nil {
				return err
			}
			filters = &f
			return nil
		},
		"tokens": func(raw json.RawMessage) error {
			ids, err := Strings(raw)
			tokens = ids
			return err
		},
	})
	if err != nil {
		return nil, nil, err
	}
	return filters, tokens, nil
}

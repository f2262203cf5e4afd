// Package strictjson decodes untrusted JSON strictly and names what is wrong
// the way the wire does. It is the one place where request bytes are
// walked: the filter and session decoders and the reference gateway's
// decrypt body are built from its functions. Every error is an
// *sderrors.Error whose property path is relative to the value decoded (""
// for the value itself, "[2]" for an element, "name" for a member); callers
// prefix it with sderrors.Error.Prefix.
//
// Rules: exactly one JSON value (JSON whitespace around it allowed, nothing
// after it); null is never accepted where an object, array or element is
// expected; an object member the caller does not know is ErrUnknownProperty;
// a member named twice is ErrInvalidJSON at that member.
//
// Order of the checks, which decides the error when a body has several
// problems: members are taken in document order; a member's value is first
// checked to be well-formed JSON as a whole (a syntax error anywhere in it
// is ErrInvalidJSON at the member's name), then the name is checked against
// the names seen before (duplicate) and the names known (unknown), then the
// value is decoded. A syntax error between members (a missing comma or
// brace) or after the object is ErrInvalidJSON without a property. An array
// is checked well-formed as a whole before its elements' types, and every
// element's type before any caller rule on the values (e.g. an id range).
//
// The scanner is hand-written over the bytes (no reflection, no
// encoding/json on the way of a well-formed body): well-formedness follows
// RFC 8259 exactly as encoding/json checks it (the same nesting limit of
// 10,000; invalid UTF-8 inside strings is accepted and decoded to U+FFFD);
// strings that hold escapes or invalid UTF-8 are decoded by encoding/json, so
// that every decoded string equals what encoding/json gives.
package strictjson

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"

	sderrors "github.com/clientsession/engine/errors"
)

// Member decodes the raw value of one object member. Its error should be an
// *sderrors.Error with a path relative to the member; Object prefixes it
// with the member's name.
type Member func(raw json.RawMessage) error

// The errors with a fixed message, built once (errors are immutable).
var (
	errEmpty      = sderrors.ErrInvalidJSON.WithMessage("the body is empty, expected a JSON object")
	errNullObject = sderrors.ErrNullNotAllowed.WithMessage("expected an object, got null")
	errNotObject  = sderrors.ErrInvalidType.WithMessage("expected an object")
	errTrailing   = sderrors.ErrInvalidJSON.WithMessage("unexpected data after the JSON value")
	errNullArray  = sderrors.ErrNullNotAllowed.WithMessage("expected an array, got null")
	errNotArray   = sderrors.ErrInvalidType.WithMessage("expected an array")
	errTwice      = sderrors.ErrInvalidJSON.WithMessage("the property is given more than once")
)

// Object decodes data, which must hold exactly one JSON object, calling the
// function of each member in document order. Members absent from data are
// not called. An unknown member is ErrUnknownProperty at its name.
func Object(data []byte, members map[string]Member) error {
	return Members(data, func(name, raw []byte) error {
		fn, known := members[string(name)]
		if !known {
			return sderrors.ErrUnknownProperty
		}
		return fn(raw)
	})
}

// Members decodes data, which must hold exactly one JSON object, calling fn
// with each member's decoded name and raw value (well-formed, without the
// whitespace around it) in document order. fn returns
// sderrors.ErrUnknownProperty for a name it does not know; an
// *sderrors.Error it returns is prefixed with the member's name, any other
// error is returned as it is. The name is only valid during the call.
//
// Members is Object without the map: a decoder that switches on the name
// allocates nothing for the walk.
func Members(data []byte, fn func(name, raw []byte) error) error {
	d := trimSpace(data)
	switch {
	case len(d) == 0:
		return errEmpty
	case string(d) == "null":
		return errNullObject
	case d[0] != '{':
		if !valid(d) {
			return sderrors.ErrInvalidJSON
		}
		return errNotObject
	}
	// Names seen so far. A name is recorded only once it is known (fn did
	// not refuse it), so there are at most as many as the caller knows.
	var seenBuf [8][]byte
	seen := seenBuf[:0]
	i := skipSpace(d, 1)
	if i < len(d) && d[i] == '}' {
		return end(d, i+1)
	}
	for {
		if i >= len(d) || d[i] != '"' {
			return sderrors.ErrInvalidJSON
		}
		nameEnd, ok := skipString(d, i)
		if !ok {
			return sderrors.ErrInvalidJSON
		}
		name := stringBytes(d[i:nameEnd])
		i = skipSpace(d, nameEnd)
		if i >= len(d) || d[i] != ':' {
			return sderrors.ErrInvalidJSON.WithProperty(string(name))
		}
		i = skipSpace(d, i+1)
		valueEnd, ok := skipValue(d, i, 0)
		if !ok {
			return sderrors.ErrInvalidJSON.WithProperty(string(name))
		}
		for _, s := range seen {
			if string(s) == string(name) {
				return errTwice.WithProperty(string(name))
			}
		}
		if err := fn(name, d[i:valueEnd]); err != nil {
			if e := sderrors.Find(err); e != nil {
				return e.Prefix(string(name))
			}
			return err
		}
		seen = append(seen, name)
		i = skipSpace(d, valueEnd)
		if i >= len(d) {
			return sderrors.ErrInvalidJSON
		}
		switch d[i] {
		case ',':
			i = skipSpace(d, i+1)
		case '}':
			return end(d, i+1)
		default:
			return sderrors.ErrInvalidJSON
		}
	}
}

// end checks that nothing but whitespace follows the value that ends at i.
func end(d []byte, i int) error {
	if skipSpace(d, i) != len(d) {
		return errTrailing
	}
	return nil
}

// Strings decodes raw, which must be a JSON array of strings. The strings
// equal what encoding/json decodes; an empty array gives a non-nil, empty
// slice.
func Strings(raw json.RawMessage) ([]string, error) {
	d, n, total, err := elements(raw, '"', "a string")
	if err != nil {
		return nil, err
	}
	out := make([]string, n)
	if n == 0 {
		return out, nil
	}
	// One allocation holds every plain string; a string with escapes or
	// invalid UTF-8 is decoded by encoding/json on its own.
	var b strings.Builder
	b.Grow(total)
	spans := make([]int, 0, 2*16)
	i := skipSpace(d, 1)
	for k := range n {
		e, _ := skipString(d, i)
		if s := d[i+1 : e-1]; plain(s) {
			spans = append(spans, b.Len(), b.Len()+len(s))
			b.Write(s)
		} else {
			if err := json.Unmarshal(d[i:e], &out[k]); err != nil { // unreachable: checked well-formed
				return nil, sderrors.ErrInvalidJSON.WithProperty(index(k)).WithCause(err)
			}
			spans = append(spans, -1, -1)
		}
		i = skipSpace(d, skipSpace(d, e)+1) // the ',' or ']'
	}
	all := b.String()
	for k := range n {
		if from := spans[2*k]; from >= 0 {
			out[k] = all[from:spans[2*k+1]]
		}
	}
	return out, nil
}

// Numbers decodes raw, which must be a JSON array of numbers. The numbers
// are returned as written (json.Number), so that the caller decides what an
// integer, a range or a fraction means for it.
func Numbers(raw json.RawMessage) ([]json.Number, error) {
	list, err := NumberArray(raw)
	if err != nil {
		return nil, err
	}
	out := make([]json.Number, list.Len())
	_ = list.Each(func(i int, num []byte) error {
		out[i] = json.Number(num)
		return nil
	})
	return out, nil
}

// NumberList is a JSON array whose elements are all numbers, as checked by
// NumberArray.
type NumberList struct {
	d []byte // the array, trimmed
	n int
}

// NumberArray checks raw as Numbers does (a JSON array, every element a
// number) without decoding the numbers.
func NumberArray(raw []byte) (NumberList, error) {
	d, n, _, err := elements(raw, '0', "a number")
	if err != nil {
		return NumberList{}, err
	}
	return NumberList{d: d, n: n}, nil
}

// Len returns the number of elements.
func (l NumberList) Len() int { return l.n }

// Each calls fn with each element's index and bytes as written, in order,
// and stops at fn's first error, which it returns as it is.
func (l NumberList) Each(fn func(i int, num []byte) error) error {
	i := skipSpace(l.d, 1)
	for k := range l.n {
		e := skipNumber(l.d, i)
		if err := fn(k, l.d[i:e]); err != nil {
			return err
		}
		i = skipSpace(l.d, skipSpace(l.d, e)+1)
	}
	return nil
}

// elements checks raw: a JSON array (not null, not another type), well-formed
// as a whole, every element of the JSON type want ('"' for strings, '0' for
// numbers; what names it in messages). It returns the trimmed array, the
// number of elements and the sum of the strings' lengths (quotes excluded).
func elements(raw []byte, want byte, what string) (d []byte, n, total int, err error) {
	d = trimSpace(raw)
	switch {
	case string(d) == "null":
		return nil, 0, 0, errNullArray
	case len(d) == 0 || d[0] != '[':
		return nil, 0, 0, errNotArray
	}
	i := skipSpace(d, 1)
	if i < len(d) && d[i] == ']' {
		return d, 0, 0, end(d, i+1)
	}
	var bad *sderrors.Error // the first element of the wrong type
	for {
		e, ok := skipValue(d, i, 1)
		if !ok {
			return nil, 0, 0, sderrors.ErrInvalidJSON
		}
		if bad == nil {
			switch c := d[i]; {
			case c == 'n':
				bad = sderrors.ErrNullNotAllowed.WithProperty(index(n)).WithMessage("expected " + what + ", got null")
			case want == '"' && c != '"', want == '0' && c != '-' && (c < '0' || c > '9'):
				bad = sderrors.ErrInvalidType.WithProperty(index(n)).WithMessage("expected " + what)
			case want == '"':
				total += e - i - 2
			}
		}
		n++
		i = skipSpace(d, e)
		if i >= len(d) {
			return nil, 0, 0, sderrors.ErrInvalidJSON
		}
		switch d[i] {
		case ',':
			i = skipSpace(d, i+1)
			continue
		case ']':
			i++
		default:
			return nil, 0, 0, sderrors.ErrInvalidJSON
		}
		break
	}
	if skipSpace(d, i) != len(d) {
		return nil, 0, 0, sderrors.ErrInvalidJSON
	}
	if bad != nil {
		return nil, 0, 0, bad
	}
	return d, n, total, nil
}

func index(i int) string {
	return "[" + strconv.Itoa(i) + "]"
}

// stringBytes returns the decoded content of the well-formed JSON string q
// (quotes included): its bytes when they need no decoding, else what
// encoding/json decodes.
func stringBytes(q []byte) []byte {
	if s := q[1 : len(q)-1]; plain(s) {
		return s
	}
	var s string
	_ = json.Unmarshal(q, &s) // well-formed: cannot fail
	return []byte(s)
}

// plain reports whether the content s of a well-formed JSON string decodes
// to itself: no escape, valid UTF-8.
func plain(s []byte) bool {
	for i := range len(s) {
		if c := s[i]; c == '\\' || c >= utf8.RuneSelf {
			return !hasByte(s[i:], '\\') && utf8.Valid(s[i:])
		}
	}
	return true
}

func hasByte(s []byte, b byte) bool {
	for _, c := range s {
		if c == b {
			return true
		}
	}
	return false
}

// trimSpace trims JSON whitespace (space, tab, LF, CR) and nothing else:
// bytes.TrimSpace would also take \v, \f and Unicode spaces, which JSON
// does not allow around a value.
func trimSpace(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

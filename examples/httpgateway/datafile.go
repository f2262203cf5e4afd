package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
)

// describeFile names a file given on the command line (-data, -keys) as
// the process resolves it: the path as given and, when it is relative,
// the absolute path it was resolved to and the reminder that a relative
// path is taken from the working directory, which `go run -C dir` changes
// to dir (so `go run -C examples/httpgateway . -data my.json` reads
// examples/httpgateway/my.json).
func describeFile(path string) string {
	if filepath.IsAbs(path) {
		return path
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return path + " (relative to the working directory, which could not be read)"
	}
	return path + " (resolved to " + abs + ": a relative path is taken from the working directory, which go run -C changes)"
}

// readFileError is the error of reading the file what ("data file", "key
// file") at path: the path as resolved and the system's reason, without
// the os package's repetition of the path.
func readFileError(what, path string, err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return fmt.Errorf("%s %s: %w", what, describeFile(path), err)
}

// checkShape walks the JSON text raw against the Go type t, as
// encoding/json would decode it, and reports the first place where it does
// not fit, naming its JSON path and its line and column:
//
//	merchants[0].products[1].colour: unknown member (line 4, column 52)
//	products[0].id: a number is expected, not a string (line 7, column 12)
//	invalid JSON at line 3, column 5: invalid character '}' looking for beginning of object key string
//
// Struct members are matched by their json tag exactly (encoding/json
// would also take another case), a member may appear once, and nothing may
// follow the top-level value. A nil error means json.Unmarshal into t can
// only fail on a number out of its Go type's range.
func checkShape(raw []byte, t reflect.Type) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	w := shapeWalker{dec: dec, raw: raw}
	if err := w.value(t, ""); err != nil {
		return err
	}
	end := dec.InputOffset()
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fmt.Errorf("trailing data after the JSON object (%s)", w.at(w.skipSpace(end)))
	}
	return nil
}

type shapeWalker struct {
	dec *json.Decoder
	raw []byte
}

// at formats the line and column (1-based, in bytes) of offset.
func (w shapeWalker) at(offset int64) string {
	offset = min(max(offset, 0), int64(len(w.raw)))
	before := w.raw[:offset]
	line := bytes.Count(before, []byte{'\n'}) + 1
	col := int(offset) - bytes.LastIndexByte(before, '\n')
	return "line " + strconv.Itoa(line) + ", column " + strconv.Itoa(col)
}

// syntax turns a decoder error into one with a line and column.
func (w shapeWalker) syntax(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("invalid JSON at %s: %s", w.at(se.Offset), se.Error())
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return fmt.Errorf("invalid JSON at %s: the text ends inside a value", w.at(int64(len(w.raw))))
	}
	return fmt.Errorf("invalid JSON at %s: %w", w.at(w.dec.InputOffset()), err)
}

// token reads the next token and the offset where it starts.
func (w shapeWalker) token() (json.Token, int64, error) {
	start := w.dec.InputOffset()
	tok, err := w.dec.Token()
	if err != nil {
		return nil, start, w.syntax(err)
	}
	return tok, w.skipSpace(start), nil
}

// skipSpace returns the offset of the first byte at or after offset that
// is not white space or a separator: where the decoder's next token starts
// (InputOffset is the end of the previous one).
func (w shapeWalker) skipSpace(offset int64) int64 {
	for offset < int64(len(w.raw)) && strings.IndexByte(" \t\r\n,:", w.raw[offset]) >= 0 {
		offset++
	}
	return offset
}

// kindOf names a token's JSON kind.
func kindOf(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		if v == '{' {
			return "an object"
		}
		return "an array"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	default:
		return "null"
	}
}

// value walks one value of type t at path.
func (w shapeWalker) value(t reflect.Type, path string) error {
	tok, off, err := w.token()
	if err != nil {
		return err
	}
	name := path
	if name == "" {
		name = "the data file"
	}
	wrong := func(want string) error {
		return fmt.Errorf("%s: %s is expected, not %s (%s)", name, want, kindOf(tok), w.at(off))
	}
	if tok == nil { // null: a nil slice or pointer, or the zero value, as encoding/json does
		return nil
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		if d, ok := tok.(json.Delim); !ok || d != '{' {
			return wrong("an object")
		}
		return w.object(t, path)
	case reflect.Slice:
		if d, ok := tok.(json.Delim); !ok || d != '[' {
			return wrong("an array")
		}
		for i := 0; w.dec.More(); i++ {
			if err := w.value(t.Elem(), path+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
		}
		_, _, err := w.token() // ']'
		return err
	case reflect.String:
		if _, ok := tok.(string); !ok {
			return wrong("a string")
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, ok := tok.(json.Number)
		if !ok {
			return wrong("a number")
		}
		if _, err := strconv.ParseInt(n.String(), 10, t.Bits()); err != nil {
			return fmt.Errorf("%s: %s is not an integer of %d bits (%s)", name, n, t.Bits(), w.at(off))
		}
	case reflect.Bool:
		if _, ok := tok.(bool); !ok {
			return wrong("true or false")
		}
	default: // not used by the data file's types
		return fmt.Errorf("%s: cannot check a value of Go type %s", name, t)
	}
	return nil
}

// object walks the members of an object (after its '{') of struct type t.
func (w shapeWalker) object(t reflect.Type, path string) error {
	fields := make(map[string]reflect.Type, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" || !f.IsExported() {
			continue
		}
		fields[name] = f.Type
	}
	seen := make(map[string]bool, len(fields))
	for w.dec.More() {
		tok, off, err := w.token()
		if err != nil {
			return err
		}
		key, _ := tok.(string) // a member name is always a string token
		at := key
		if path != "" {
			at = path + "." + key
		}
		ft, ok := fields[key]
		if !ok {
			return fmt.Errorf("%s: unknown member (%s)", at, w.at(off))
		}
		if seen[key] {
			return fmt.Errorf("%s: the member is given twice (%s)", at, w.at(off))
		}
		seen[key] = true
		if err := w.value(ft, at); err != nil {
			return err
		}
	}
	_, _, err := w.token() // '}'
	return err
}

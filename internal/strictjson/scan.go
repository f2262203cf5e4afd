package strictjson

// maxDepth is encoding/json's nesting limit: a value may hold 10,000 nested
// arrays and objects, not more.
const maxDepth = 10000

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// skipSpace returns the index of the first byte at or after i that is not
// JSON whitespace.
func skipSpace(d []byte, i int) int {
	for i < len(d) && isSpace(d[i]) {
		i++
	}
	return i
}

// valid reports whether d is exactly one well-formed JSON value, with
// whitespace around it allowed (encoding/json.Valid).
func valid(d []byte) bool {
	e, ok := skipValue(d, skipSpace(d, 0), 0)
	return ok && skipSpace(d, e) == len(d)
}

// skipValue checks the well-formed JSON value that starts at d[i] (no
// whitespace before it) and returns the index just after it. depth is the
// number of arrays and objects around it. Like encoding/json, a number or
// literal ends where its grammar ends: what follows is the caller's.
func skipValue(d []byte, i, depth int) (int, bool) {
	if i >= len(d) {
		return i, false
	}
	switch c := d[i]; {
	case c == '"':
		return skipString(d, i)
	case c == '{':
		return skipObject(d, i, depth+1)
	case c == '[':
		return skipArray(d, i, depth+1)
	case c == '-' || (c >= '0' && c <= '9'):
		return skipNumberChecked(d, i)
	case c == 't':
		return literal(d, i, "true")
	case c == 'f':
		return literal(d, i, "false")
	case c == 'n':
		return literal(d, i, "null")
	}
	return i, false
}

func literal(d []byte, i int, lit string) (int, bool) {
	if len(d)-i >= len(lit) && string(d[i:i+len(lit)]) == lit {
		return i + len(lit), true
	}
	return i, false
}

func skipObject(d []byte, i, depth int) (int, bool) {
	if depth > maxDepth {
		return i, false
	}
	i = skipSpace(d, i+1)
	if i < len(d) && d[i] == '}' {
		return i + 1, true
	}
	for {
		if i >= len(d) || d[i] != '"' {
			return i, false
		}
		e, ok := skipString(d, i)
		if !ok {
			return e, false
		}
		i = skipSpace(d, e)
		if i >= len(d) || d[i] != ':' {
			return i, false
		}
		if e, ok = skipValue(d, skipSpace(d, i+1), depth); !ok {
			return e, false
		}
		i = skipSpace(d, e)
		if i >= len(d) {
			return i, false
		}
		switch d[i] {
		case ',':
			i = skipSpace(d, i+1)
		case '}':
			return i + 1, true
		default:
			return i, false
		}
	}
}

func skipArray(d []byte, i, depth int) (int, bool) {
	if depth > maxDepth {
		return i, false
	}
	i = skipSpace(d, i+1)
	if i < len(d) && d[i] == ']' {
		return i + 1, true
	}
	for {
		e, ok := skipValue(d, i, depth)
		if !ok {
			return e, false
		}
		i = skipSpace(d, e)
		if i >= len(d) {
			return i, false
		}
		switch d[i] {
		case ',':
			i = skipSpace(d, i+1)
		case ']':
			return i + 1, true
		default:
			return i, false
		}
	}
}

// skipString checks the JSON string that starts at d[i] (the quote) and
// returns the index just after its closing quote. Control characters must
// be escaped; escapes are \" \\ \/ \b \f \n \r \t and \u with four hex
// digits; other bytes, invalid UTF-8 included, are accepted as
// encoding/json accepts them.
func skipString(d []byte, i int) (int, bool) {
	i++
	for i < len(d) {
		c := d[i]
		switch {
		case c == '"':
			return i + 1, true
		case c < 0x20:
			return i, false
		case c == '\\':
			if i+1 >= len(d) {
				return i, false
			}
			switch d[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if len(d)-i < 6 || !isHex(d[i+2]) || !isHex(d[i+3]) || !isHex(d[i+4]) || !isHex(d[i+5]) {
					return i, false
				}
				i += 6
			default:
				return i, false
			}
		default:
			i++
		}
	}
	return i, false
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// skipNumberChecked checks the JSON number that starts at d[i]:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func skipNumberChecked(d []byte, i int) (int, bool) {
	if d[i] == '-' {
		i++
	}
	switch {
	case i >= len(d) || !isDigit(d[i]):
		return i, false
	case d[i] == '0':
		i++
	default:
		for i < len(d) && isDigit(d[i]) {
			i++
		}
	}
	if i < len(d) && d[i] == '.' {
		i++
		if i >= len(d) || !isDigit(d[i]) {
			return i, false
		}
		for i < len(d) && isDigit(d[i]) {
			i++
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if i >= len(d) || !isDigit(d[i]) {
			return i, false
		}
		for i < len(d) && isDigit(d[i]) {
			i++
		}
	}
	return i, true
}

// skipNumber returns the end of the well-formed number at d[i].
func skipNumber(d []byte, i int) int {
	e, _ := skipNumberChecked(d, i)
	return e
}

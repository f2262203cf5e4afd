// Package sessionpayload is the codec of storage.Record.Payload: the
// engine's compact, versioned binary encoding of a session's normalized
// filters and valid tokens. Stores treat the bytes as opaque; only the
// session package encodes and decodes them. Decode never panics on
// corrupt bytes (FuzzDecode).
package sessionpayload

import (
	"encoding/binary"
	"encoding/hex"
	stderrors "errors"
	"math"
	"strings"
	"time"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/filter"
	"github.com/clientsession/engine/token"
)

// The payload is the engine's compact binary encoding of a session's
// normalized filters and valid tokens, stored as storage.Record.Payload. Version 1:
//
//	payload   = version(0x01) flags selection{0,2} tokens
//	flags     = byte: bit 0 restrictTo present, bit 1 exclude present; other bits 0
//	selection = uvarint(#groups) {uvarint(len) bytes} uvarint(#products) {uvarint(delta)}
//	            (products ascending and distinct: the first delta is the id,
//	            each next one the difference to the previous id, at least 1)
//	tokens    = uvarint(#tokens) token*
//	token     = uvarint(len<<1|packed) bytes     id; packed: the id is the lowercase hex of the bytes
//	            uvarint(productId)
//	            uvarint(month 0..12) varint(year-2000)   card expiry, month 0 when none
//	            uvarint(stars) uvarint(len) bytes         alias: leading '*' count, then the rest
//
// Five tokens of 32 hex characters with masked aliases take about 26 bytes
// each. Merchant and status are not stored: a stored token is the
// session's merchant's and was active when the session was created.
const payloadV1 = 0x01

const (
	flagRestrictTo = 1 << iota
	flagExclude
)

// maxStars bounds the run of leading '*' of an alias kept as a count; a
// longer run is stored as it is.
const maxStars = 1 << 12

// errCorrupt is the cause of every decoding failure.
var errCorrupt = stderrors.New("sessionpayload: corrupt payload")

// Encode encodes normalized filters and the valid tokens.
func Encode(f filter.Filters, toks []token.Token) string {
	size := 3 + selectionSize(f.RestrictTo) + selectionSize(f.Exclude) + 2
	for i := range toks {
		size += 16 + len(toks[i].ID) + len(toks[i].Alias)
	}
	b := make([]byte, 0, size)
	b = append(b, payloadV1)
	var flags byte
	if f.RestrictTo != nil {
		flags |= flagRestrictTo
	}
	if f.Exclude != nil {
		flags |= flagExclude
	}
	b = append(b, flags)
	b = appendSelection(b, f.RestrictTo)
	b = appendSelection(b, f.Exclude)
	b = binary.AppendUvarint(b, uint64(len(toks)))
	for i := range toks {
		b = appendToken(b, &toks[i])
	}
	return string(b)
}

func selectionSize(s *filter.Selection) int {
	if s == nil {
		return 0
	}
	n := 2 + 5*len(s.Products)
	for _, g := range s.Groups {
		n += 2 + len(g)
	}
	return n
}

func appendSelection(b []byte, s *filter.Selection) []byte {
	if s == nil {
		return b
	}
	b = binary.AppendUvarint(b, uint64(len(s.Groups)))
	for _, g := range s.Groups {
		b = appendString(b, g)
	}
	b = binary.AppendUvarint(b, uint64(len(s.Products)))
	prev := int32(0)
	for _, id := range s.Products {
		b = binary.AppendUvarint(b, u64(int(id-prev))) // ascending: never negative
		prev = id
	}
	return b
}

func appendToken(b []byte, t *token.Token) []byte {
	if packable(t.ID) {
		b = binary.AppendUvarint(b, uint64(len(t.ID)/2)<<1|1)
		b, _ = hex.AppendDecode(b, []byte(t.ID)) // packable: valid hex
	} else {
		b = binary.AppendUvarint(b, uint64(len(t.ID))<<1)
		b = append(b, t.ID...)
	}
	b = binary.AppendUvarint(b, u64(int(t.PaymentProductID)))
	b = binary.AppendUvarint(b, u64(int(t.CardExpiry.Month)))
	b = binary.AppendVarint(b, int64(t.CardExpiry.Year)-2000)
	rest := strings.TrimLeft(t.Alias, "*")
	if len(t.Alias)-len(rest) > maxStars {
		rest = t.Alias
	}
	b = binary.AppendUvarint(b, u64(len(t.Alias)-len(rest)))
	return appendString(b, rest)
}

// packable reports whether id is a non-empty, even-length lowercase hex
// string, which packs into half its length and decodes back identically.
func packable(id string) bool {
	if id == "" || len(id)%2 != 0 {
		return false
	}
	for i := range len(id) {
		if c := id[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// hexString is hex.EncodeToString of the bytes of s, in one allocation.
func hexString(s string) string {
	const digits = "0123456789abcdef"
	var b strings.Builder
	b.Grow(2 * len(s))
	for i := range len(s) {
		b.WriteByte(digits[s[i]>>4])
		b.WriteByte(digits[s[i]&0xF])
	}
	return b.String()
}

// u64 converts a non-negative int; negative values (never passed) give 0.
func u64(n int) uint64 {
	if n < 0 {
		return 0
	}
	return uint64(n)
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// payloadReader decodes a payload; the first problem sticks in err and
// every later read returns zero values. It reads the payload string
// itself: the strings it returns that are stored as they are (group
// names, token ids that are not packed, aliases without leading '*') are
// substrings of the payload, which is immutable, so decoding them
// allocates nothing.
type payloadReader struct {
	s   string
	err error
}

func (r *payloadReader) fail(what string) {
	if r.err == nil {
		r.err = sderrors.ErrInternal.WithMessage("the session data is corrupt").WithCause(
			stderrors.Join(errCorrupt, stderrors.New(what)))
	}
	r.s = ""
}

func (r *payloadReader) u8() byte {
	if len(r.s) == 0 {
		r.fail("truncated")
		return 0
	}
	v := r.s[0]
	r.s = r.s[1:]
	return v
}

// uvarintString is binary.Uvarint over a string: the value and the number
// of bytes read; 0 bytes when s ends first, minus the bytes read on an
// overflow of 64 bits.
func uvarintString(s string) (uint64, int) {
	var x uint64
	var shift uint
	for i := range len(s) {
		if i == binary.MaxVarintLen64 {
			return 0, -(i + 1) // overflow
		}
		b := s[i]
		if b < 0x80 {
			if i == binary.MaxVarintLen64-1 && b > 1 {
				return 0, -(i + 1) // overflow
			}
			return x | uint64(b)<<shift, i + 1
		}
		x |= uint64(b&0x7f) << shift
		shift += 7
	}
	return 0, 0
}

func (r *payloadReader) uvarint(max uint64) uint64 {
	v, n := uvarintString(r.s)
	if n <= 0 {
		r.fail("bad uvarint")
		return 0
	}
	r.s = r.s[n:]
	if v > max {
		r.fail("value out of range")
		return 0
	}
	return v
}

func (r *payloadReader) varint(lo, hi int64) int64 {
	ux, n := uvarintString(r.s) // binary.Varint: zig-zag over a uvarint
	if n <= 0 {
		r.fail("bad varint")
		return 0
	}
	r.s = r.s[n:]
	v := int64(ux >> 1)
	if ux&1 != 0 {
		v = ^v
	}
	if v < lo || v > hi {
		r.fail("value out of range")
		return 0
	}
	return v
}

// count reads a number of items, each at least one byte long.
func (r *payloadReader) count() int { return r.length() }

// length reads a length, at most the number of bytes left.
func (r *payloadReader) length() int {
	v := r.uvarint(u64(len(r.s)))
	return int(v) //nolint:gosec // v <= len(r.s)
}

// bytes returns the next n bytes, as a substring of the payload.
func (r *payloadReader) bytes(n int) string {
	if n > len(r.s) {
		r.fail("truncated")
		return ""
	}
	v := r.s[:n]
	r.s = r.s[n:]
	return v
}

func (r *payloadReader) str() string { return r.bytes(r.length()) }

// Decode decodes what Encode wrote. It never panics: corrupt
// bytes give an error wrapping sderrors.ErrInternal. Tokens get merchantID
// and StatusActive.
func Decode(payload string, merchantID string) (filter.Filters, []token.Token, error) {
	r := payloadReader{s: payload}
	if r.u8() != payloadV1 {
		r.fail("unknown version")
		return filter.Filters{}, nil, r.err
	}
	flags := r.u8()
	if flags&^(flagRestrictTo|flagExclude) != 0 {
		r.fail("unknown flags")
	}
	var f filter.Filters
	if flags&flagRestrictTo != 0 {
		f.RestrictTo = r.selection()
	}
	if flags&flagExclude != 0 {
		f.Exclude = r.selection()
	}
	toks := r.tokens(merchantID)
	if r.err == nil && len(r.s) != 0 {
		r.fail("trailing bytes")
	}
	if r.err != nil {
		return filter.Filters{}, nil, r.err
	}
	return f, toks, nil
}

func (r *payloadReader) selection() *filter.Selection {
	s := &filter.Selection{}
	if n := r.count(); n > 0 {
		s.Groups = make([]string, n)
		for i := range s.Groups {
			s.Groups[i] = r.str()
		}
	}
	if n := r.count(); n > 0 {
		s.Products = make([]int32, n)
		prev := uint64(0)
		for i := range s.Products {
			d := r.uvarint(math.MaxInt32)
			if d == 0 || prev+d > math.MaxInt32 {
				r.fail("product ids not ascending or out of range")
				return s
			}
			prev += d
			s.Products[i] = int32(prev) //nolint:gosec // bounded above
		}
	}
	return s
}

func (r *payloadReader) tokens(merchantID string) []token.Token {
	n := r.count()
	if n == 0 {
		return nil
	}
	toks := make([]token.Token, n)
	for i := range toks {
		t := &toks[i]
		t.MerchantID, t.Status = merchantID, token.StatusActive
		head := r.uvarint(uint64(len(r.s)) << 1)
		if head&1 == 1 {
			t.ID = hexString(r.bytes(int(head >> 1)))
		} else {
			t.ID = r.bytes(int(head >> 1))
		}
		t.PaymentProductID = int32(r.uvarint(math.MaxInt32)) //nolint:gosec // bounded above
		t.CardExpiry.Month = time.Month(r.uvarint(12))       //nolint:gosec // bounded above
		t.CardExpiry.Year = int(r.varint(-1<<20, 1<<20) + 2000)
		stars := int(r.uvarint(maxStars)) //nolint:gosec // bounded above
		rest := r.str()
		if r.err != nil {
			return nil
		}
		if stars > 0 {
			var a strings.Builder // one allocation: the stars, then the rest
			a.Grow(stars + len(rest))
			for range stars {
				a.WriteByte('*')
			}
			a.WriteString(rest)
			t.Alias = a.String()
		} else {
			t.Alias = rest
		}
	}
	return toks
}

package sessionpayload

import (
	"encoding/binary"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
	"unsafe"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/filter"
	"github.com/clientsession/engine/token"
)

func samplePayload() (filter.Filters, []token.Token) {
	f := filter.Filters{
		RestrictTo: &filter.Selection{Groups: []string{"cards"}, Products: []int32{840}},
		Exclude:    &filter.Selection{Products: []int32{3}},
	}
	toks := make([]token.Token, 5)
	for i := range toks {
		toks[i] = token.Token{
			ID: strings.Repeat("0123456789abcdef", 2)[:31] + string(rune('a'+i)), MerchantID: "1234",
			PaymentProductID: int32(i + 1), Status: token.StatusActive,
			CardExpiry: token.Expiry{Month: time.Month(i + 8), Year: 2029}, Alias: "************4242",
		}
	}
	return f, toks
}

func TestPayloadRoundTrip(t *testing.T) {
	t.Parallel()
	f, toks := samplePayload()
	odd := []token.Token{
		{ID: "Not-Hex_token 1", MerchantID: "m", PaymentProductID: math.MaxInt32, Status: token.StatusActive, Alias: ""},
		{ID: "abc", MerchantID: "m", PaymentProductID: 1, Status: token.StatusActive, Alias: "no stars"},
		{ID: "ABCDEF", MerchantID: "m", PaymentProductID: 1, Status: token.StatusActive,
			CardExpiry: token.Expiry{Month: time.January, Year: 1999}, Alias: strings.Repeat("*", maxStars+1) + "1"},
		{ID: "ab", MerchantID: "m", PaymentProductID: 2, Status: token.StatusActive, Alias: "**"},
	}
	tests := []struct {
		name string
		f    filter.Filters
		toks []token.Token
		max  int // bytes; 0: no bound
	}{
		{"empty", filter.Filters{}, nil, 3},
		{"filters and 5 tokens of 32 hex characters", f, toks, 200},
		{"groups only", filter.Filters{Exclude: &filter.Selection{Groups: []string{"cards", "wallets"}}}, nil, 0},
		{"large ids", filter.Filters{RestrictTo: &filter.Selection{Products: []int32{1, 2, math.MaxInt32 - 1, math.MaxInt32}}}, nil, 0},
		{"odd tokens", filter.Filters{}, odd, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for i := range tt.toks {
				tt.toks[i].MerchantID = "m"
			}
			b := Encode(tt.f, tt.toks)
			if tt.max > 0 && len(b) > tt.max {
				t.Errorf("len(payload) = %d; want <= %d", len(b), tt.max)
			}
			t.Logf("%s: %d bytes", tt.name, len(b))
			gotF, gotT, err := Decode(string(b), "m")
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if !reflect.DeepEqual(gotF, tt.f) || !reflect.DeepEqual(gotT, tt.toks) {
				t.Errorf("round trip = %+v %+v; want %+v %+v", gotF, gotT, tt.f, tt.toks)
			}
		})
	}
}

func TestDecodePayloadRejectsCorruption(t *testing.T) {
	t.Parallel()
	f, toks := samplePayload()
	good := Encode(f, toks)
	bad := map[string][]byte{
		"empty":            {},
		"unknown version":  {0x02, 0, 0},
		"unknown flag":     {0x01, 0x04, 0},
		"trailing":         append([]byte(good), 0),
		"products not up":  {0x01, 0x01, 0, 2, 5, 0, 0},
		"product over max": {0x01, 0x01, 0, 1, 0x80, 0x80, 0x80, 0x80, 0x08, 0},
		"month 13":         {0x01, 0x00, 1, 2, 'a', 'b', 1, 13, 0, 0, 0},
		"huge count":       {0x01, 0x00, 0xff, 0xff, 0xff, 0xff, 0x0f},
		"truncated varint": {0x01, 0x00, 0x80},
	}
	for i := 1; i < len(good); i++ {
		bad["truncated at "+string(rune('0'+i%10))+"/"+string(rune('a'+i/10))] = []byte(good[:i])
	}
	for name, b := range bad {
		_, _, err := Decode(string(b), "m")
		if !errors.Is(err, sderrors.ErrInternal) || !errors.Is(err, errCorrupt) {
			t.Errorf("Decode(%s %x) error = %v; want ErrInternal wrapping errCorrupt", name, b, err)
		}
	}
}

// FuzzDecodePayload: any bytes decode without panic; what decodes
// re-encodes to the same bytes (the format has one encoding per value).
func FuzzDecode(f *testing.F) {
	filters, toks := samplePayload()
	// Seed corpus: a full payload, the empty payload, a filters-only payload,
	// an unpacked token id, and a few broken ones.
	f.Add([]byte(Encode(filters, toks)))
	f.Add([]byte(Encode(filter.Filters{}, nil)))
	f.Add([]byte(Encode(filter.Filters{Exclude: &filter.Selection{Groups: []string{"cards"}}}, nil)))
	f.Add([]byte(Encode(filter.Filters{}, []token.Token{{ID: "X-1", PaymentProductID: 7, Alias: "*1"}})))
	f.Add([]byte{0x01, 0x03})
	f.Add([]byte{0x01, 0x00, 0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		gotF, gotT, err := Decode(string(b), "m")
		if err != nil {
			if !errors.Is(err, sderrors.ErrInternal) {
				t.Fatalf("error %v does not wrap ErrInternal", err)
			}
			return
		}
		again := Encode(gotF, gotT)
		f2, t2, err := Decode(again, "m")
		if err != nil || !reflect.DeepEqual(f2, gotF) || !reflect.DeepEqual(t2, gotT) {
			t.Fatalf("re-encoding %x gives %x, which decodes to %+v %+v, %v", b, again, f2, t2, err)
		}
	})
}

// TestDecodeAllocations: decoding shares the payload's bytes: of the
// sample (restrictTo with a group and a product, exclude with a product,
// 5 packed token ids with masked aliases) it allocates the two selections
// and their lists (5), the token slice (1) and, per token, its id and its
// alias (10); group names, unpacked token ids and aliases without stars
// are substrings of the payload.
func TestDecodeAllocations(t *testing.T) {
	if testing.CoverMode() != "" {
		t.Skip("coverage counters change allocation counts")
	}
	f, toks := samplePayload()
	payload := Encode(f, toks)
	allocs := testing.AllocsPerRun(200, func() {
		if _, _, err := Decode(payload, "1234"); err != nil {
			t.Fatal(err)
		}
	})
	if want := 16.0; allocs > want {
		t.Errorf("Decode allocates %.0f times, want at most %.0f", allocs, want)
	}
	got, _, err := Decode(payload, "1234")
	if err != nil {
		t.Fatal(err)
	}
	if group := got.RestrictTo.Groups[0]; !within(group, payload) {
		t.Errorf("the group name %q is a copy, not a substring of the payload", group)
	}
	plain := Encode(filter.Filters{}, []token.Token{{ID: "Not-Hex", PaymentProductID: 1, Alias: "no stars"}})
	_, toks, err = Decode(plain, "1234")
	if err != nil {
		t.Fatal(err)
	}
	if !within(toks[0].ID, plain) || !within(toks[0].Alias, plain) {
		t.Errorf("the unpacked id %q and the alias %q are copies, not substrings of the payload", toks[0].ID, toks[0].Alias)
	}
}

// within reports whether s (at least one byte) lies inside the memory of
// payload.
func within(s, payload string) bool {
	if s == "" {
		return false
	}
	i := strings.Index(payload, s)
	return i >= 0 && unsafe.StringData(s) == unsafe.StringData(payload[i:])
}

// FuzzUvarintString: the string reader's varints read as encoding/binary's
// do, value and length, overflow and truncation included.
func FuzzUvarintString(f *testing.F) {
	f.Add([]byte{0x01})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02})
	f.Add([]byte{0x80, 0x80})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		gotV, gotN := uvarintString(string(b))
		wantV, wantN := binary.Uvarint(b)
		if gotV != wantV || gotN != wantN {
			t.Fatalf("%x: uvarint %d, %d; want %d, %d", b, gotV, gotN, wantV, wantN)
		}
		r := payloadReader{s: string(b)}
		v := r.varint(math.MinInt64, math.MaxInt64)
		if wv, wn := binary.Varint(b); (wn > 0) != (r.err == nil) || (wn > 0 && v != wv) {
			t.Fatalf("%x: varint %d (%v); want %d, %d", b, v, r.err, wv, wn)
		}
	})
}

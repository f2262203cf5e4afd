package session_test

import (
	"context"
	"strings"
	"testing"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/session"
)

// TestDecodeCreateRequestRejects: every malformed body is a 400 naming the
// wire property.
func TestDecodeCreateRequestRejects(t *testing.T) {
	t.Parallel()
	f := newFixture(t, session.WithMaxBodyBytes(4096), session.WithMaxTokens(100))
	const pf = "paymentProductFilters"
	tests := []struct {
		name     string
		body     string
		code     sderrors.Code
		property string
	}{
		{"empty body", ``, sderrors.ErrInvalidJSON.Code(), ""},
		{"body null", `null`, sderrors.ErrNullNotAllowed.Code(), ""},
		{"body array", `[]`, sderrors.ErrInvalidType.Code(), ""},
		{"body string", `"x"`, sderrors.ErrInvalidType.Code(), ""},
		{"not JSON", `{"tokens":`, sderrors.ErrInvalidJSON.Code(), "tokens"},
		{"trailing object", `{} {}`, sderrors.ErrInvalidJSON.Code(), ""},
		{"trailing garbage", `{"tokens":[]}x`, sderrors.ErrInvalidJSON.Code(), ""},
		{"unknown top-level property", `{"token":["a"]}`, sderrors.ErrUnknownProperty.Code(), "token"},
		{"unknown property in filters", `{"paymentProductFilters":{"include":{}}}`, sderrors.ErrUnknownProperty.Code(), pf + ".include"},
		{"unknown property in a selection", `{"paymentProductFilters":{"restrictTo":{"groups":[],"ids":[1]}}}`,
			sderrors.ErrUnknownProperty.Code(), pf + ".restrictTo.ids"},
		{"property given twice", `{"tokens":[],"tokens":[]}`, sderrors.ErrInvalidJSON.Code(), "tokens"},
		{"filters null", `{"paymentProductFilters":null}`, sderrors.ErrNullNotAllowed.Code(), pf},
		{"tokens null", `{"tokens":null}`, sderrors.ErrNullNotAllowed.Code(), "tokens"},
		{"token null", `{"tokens":["a",null]}`, sderrors.ErrNullNotAllowed.Code(), "tokens[1]"},
		{"restrictTo null", `{"paymentProductFilters":{"restrictTo":null}}`, sderrors.ErrNullNotAllowed.Code(), pf + ".restrictTo"},
		{"exclude null", `{"paymentProductFilters":{"exclude":null}}`, sderrors.ErrNullNotAllowed.Code(), pf + ".exclude"},
		{"groups null", `{"paymentProductFilters":{"exclude":{"groups":null}}}`, sderrors.ErrNullNotAllowed.Code(), pf + ".exclude.groups"},
		{"group null", `{"paymentProductFilters":{"exclude":{"groups":["cards",null]}}}`, sderrors.ErrNullNotAllowed.Code(), pf + ".exclude.groups[1]"},
		{"products null", `{"paymentProductFilters":{"restrictTo":{"products":null}}}`, sderrors.ErrNullNotAllowed.Code(), pf + ".restrictTo.products"},
		{"product null", `{"paymentProductFilters":{"restrictTo":{"products":[1,null]}}}`, sderrors.ErrNullNotAllowed.Code(), pf + ".restrictTo.products[1]"},
		{"filters an array", `{"paymentProductFilters":[]}`, sderrors.ErrInvalidType.Code(), pf},
		{"tokens a string", `{"tokens":"abc"}`, sderrors.ErrInvalidType.Code(), "tokens"},
		{"token a number", `{"tokens":["a",7]}`, sderrors.ErrInvalidType.Code(), "tokens[1]"},
		{"groups an object", `{"paymentProductFilters":{"restrictTo":{"groups":{}}}}`, sderrors.ErrInvalidType.Code(), pf + ".restrictTo.groups"},
		{"product a string", `{"paymentProductFilters":{"exclude":{"products":["1"]}}}`, sderrors.ErrInvalidType.Code(), pf + ".exclude.products[0]"},
		{"product zero", `{"paymentProductFilters":{"exclude":{"products":[1,0]}}}`, sderrors.ErrInvalidProductID.Code(), pf + ".exclude.products[1]"},
		{"product negative", `{"paymentProductFilters":{"restrictTo":{"products":[-3]}}}`, sderrors.ErrInvalidProductID.Code(), pf + ".restrictTo.products[0]"},
		{"product over int32", `{"paymentProductFilters":{"restrictTo":{"products":[2147483648]}}}`, sderrors.ErrInvalidProductID.Code(), pf + ".restrictTo.products[0]"},
		{"product fraction", `{"paymentProductFilters":{"restrictTo":{"products":[1.5]}}}`, sderrors.ErrInvalidProductID.Code(), pf + ".restrictTo.products[0]"},
		{"product exponent", `{"paymentProductFilters":{"restrictTo":{"products":[1e3]}}}`, sderrors.ErrInvalidProductID.Code(), pf + ".restrictTo.products[0]"},
		{"too many tokens", repeatToken(101), sderrors.ErrTooManyTokens.Code(), "tokens"},
		{"empty token", `{"tokens":["a",""]}`, sderrors.ErrInvalidTokenFormat.Code(), "tokens[1]"},
		{"token of 129 characters", `{"tokens":["` + strings.Repeat("a", 129) + `"]}`, sderrors.ErrInvalidTokenFormat.Code(), "tokens[0]"},
		{"token not ASCII", `{"tokens":["a","é"]}`, sderrors.ErrInvalidTokenFormat.Code(), "tokens[1]"},
		{"token with a control character", `{"tokens":["a\u0001b"]}`, sderrors.ErrInvalidTokenFormat.Code(), "tokens[0]"},
		// Regression: the validator's printascii let a space through, and
		// Create then refused what decoding had accepted.
		{"token with a space", `{"tokens":["a b"]}`, sderrors.ErrInvalidTokenFormat.Code(), "tokens[0]"},
		{"duplicate group", `{"paymentProductFilters":{"restrictTo":{"groups":["cards","cards"]}}}`,
			sderrors.ErrDuplicateItem.Code(), pf + ".restrictTo.groups[1]"},
		{"duplicate product", `{"paymentProductFilters":{"exclude":{"products":[3,840,3]}}}`,
			sderrors.ErrDuplicateItem.Code(), pf + ".exclude.products[2]"},
		{"body over the limit", `{"tokens":["` + strings.Repeat("a", 4096) + `"]}`, sderrors.ErrBodyTooLarge.Code(), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req, err := f.engine.DecodeCreateRequest([]byte(tt.body))
			wantError(t, "DecodeCreateRequest("+tt.body+")", err, tt.code, tt.property)
			if err != nil && (req.PaymentProductFilters != nil || req.Tokens != nil) {
				t.Errorf("DecodeCreateRequest(%s) returned a request with an error: %+v", tt.body, req)
			}
		})
	}
}

func TestDecodeCreateRequestAccepts(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tests := []struct {
		name string
		body string
		want string // the request re-encoded
	}{
		{"empty object", `{}`, `{}`},
		{"white space", " \n{ }\t", `{}`},
		{"empty lists", `{"paymentProductFilters":{"restrictTo":{"groups":[],"products":[]}},"tokens":[]}`,
			`{"paymentProductFilters":{"restrictTo":{}}}`},
		{"spec example", `{"tokens":["126166b16ed04b3ab85fb06da1d7a167","122c5b4d-dd40-49f0-b7c9-3594212167a9"]}`,
			`{"tokens":["126166b16ed04b3ab85fb06da1d7a167","122c5b4d-dd40-49f0-b7c9-3594212167a9"]}`},
		{"duplicate tokens are legal", `{"tokens":["a","a"]}`, `{"tokens":["a","a"]}`},
		{"token of 128 printable characters", `{"tokens":["` + strings.Repeat("~!", 64) + `"]}`,
			`{"tokens":["` + strings.Repeat("~!", 64) + `"]}`},
		{"100 tokens", repeatToken(100), repeatToken(100)},
		{"full filters", `{"paymentProductFilters":{"exclude":{"products":[3]},"restrictTo":{"groups":["cards"],"products":[840,2147483647]}}}`,
			`{"paymentProductFilters":{"restrictTo":{"groups":["cards"],"products":[840,2147483647]},"exclude":{"products":[3]}}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req, err := f.engine.DecodeCreateRequest([]byte(tt.body))
			if err != nil {
				t.Fatalf("DecodeCreateRequest(%s): %v", tt.body, err)
			}
			if got := mustJSON(t, req); got != tt.want {
				t.Errorf("DecodeCreateRequest(%s) = %s; want %s", tt.body, got, tt.want)
			}
		})
	}
}

// TestDecodeReportsEveryTokenProblem: the validator reports each bad token.
func TestDecodeReportsEveryTokenProblem(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	_, err := f.engine.DecodeCreateRequest([]byte(`{"tokens":["", "ok", "é"]}`))
	resp := sderrors.ToResponse(err)
	var got []string
	for _, e := range resp.Errors {
		got = append(got, e.Code+"@"+e.PropertyName)
	}
	want := []string{"700301@tokens[0]", "700301@tokens[2]"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("errors = %v; want %v", got, want)
	}
}

// TestCreateRejects: rules that need the catalog or the merchant, through
// DecodeCreateRequest and Create.
func TestCreateRejects(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const pf = "paymentProductFilters"
	tests := []struct {
		name     string
		merchant string
		body     string
		code     sderrors.Code
		property string
	}{
		{"unknown group in exclude", merchant, `{"paymentProductFilters":{"exclude":{"groups":["cards","wallets"]}}}`,
			sderrors.ErrUnknownGroup.Code(), pf + ".exclude.groups[1]"},
		{"unknown group in restrictTo", merchant, `{"paymentProductFilters":{"restrictTo":{"groups":["Cards"]}}}`,
			sderrors.ErrUnknownGroup.Code(), pf + ".restrictTo.groups[0]"},
		{"empty group name", merchant, `{"paymentProductFilters":{"restrictTo":{"groups":[""]}}}`,
			sderrors.ErrUnknownGroup.Code(), pf + ".restrictTo.groups[0]"},
		{"duplicate group", merchant, `{"paymentProductFilters":{"restrictTo":{"groups":["cards","cards"]}}}`,
			sderrors.ErrDuplicateItem.Code(), pf + ".restrictTo.groups[1]"},
		{"duplicate product", merchant, `{"paymentProductFilters":{"exclude":{"products":[3,840,3]}}}`,
			sderrors.ErrDuplicateItem.Code(), pf + ".exclude.products[2]"},
		{"merchant id empty", "", `{}`, sderrors.ErrUnknownMerchant.Code(), "merchantId"},
		{"merchant id with a slash", "12/34", `{}`, sderrors.ErrUnknownMerchant.Code(), "merchantId"},
		{"merchant id with an underscore", "a_b", `{}`, sderrors.ErrUnknownMerchant.Code(), "merchantId"},
		{"merchant id of 65 characters", strings.Repeat("m", 65), `{}`, sderrors.ErrUnknownMerchant.Code(), "merchantId"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := f.tryCreate(tt.merchant, tt.body)
			wantError(t, "Create("+tt.merchant+", "+tt.body+")", err, tt.code, tt.property)
		})
	}
	if n := f.store.Len(); n != 0 {
		t.Errorf("sessions stored after rejected requests: %d; want 0", n)
	}
}

// TestCreateAcceptsUnknownProductIDs: well-formed but unknown ids are fine,
// and so are merchant ids of 64 characters with hyphens.
func TestCreateAcceptsUnknownProductIDs(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, m := range []string{merchant, strings.Repeat("m", 64), "a-B-9"} {
		if _, err := f.tryCreate(m, `{"paymentProductFilters":{"restrictTo":{"products":[1,99999]}}}`); err != nil {
			t.Errorf("Create(%s) with unknown product id: %v", m, err)
		}
	}
}

// TestCreateWithoutDecode: a Go caller who builds the request directly
// still gets the token checks.
func TestCreateWithoutDecode(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	_, err := f.engine.Create(context.Background(), merchant, session.CreateRequest{Tokens: []string{"ok", ""}})
	wantError(t, "Create with an empty token", err, sderrors.ErrInvalidTokenFormat.Code(), "tokens[1]")
}

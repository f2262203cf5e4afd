package session_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/session"
)

// TestCreateRequestRejects: every malformed body is a 400 naming the wire
// property, through DecodeCreateRequest and Create as a transport calls
// them. What the JSON itself gets wrong (syntax, types, unknown
// properties, null, ids that cannot be represented) is refused by
// DecodeCreateRequest; the shape rules (shape: true) by Create, after a
// successful decode.
func TestCreateRequestRejects(t *testing.T) {
	t.Parallel()
	f := newFixture(t, session.WithMaxTokens(100))
	const pf = "paymentProductFilters"
	const decode, shape = false, true
	tests := []struct {
		name     string
		body     string
		code     sderrors.Code
		property string
		shape    bool // refused by Create's shape rules, not by the decoder
	}{
		{"empty body", ``, sderrors.ErrInvalidJSON.Code(), "", decode},
		{"body null", `null`, sderrors.ErrNullNotAllowed.Code(), "", decode},
		{"body array", `[]`, sderrors.ErrInvalidType.Code(), "", decode},
		{"body string", `"x"`, sderrors.ErrInvalidType.Code(), "", decode},
		{"not JSON", `{"tokens":`, sderrors.ErrInvalidJSON.Code(), "tokens", decode},
		{"trailing object", `{} {}`, sderrors.ErrInvalidJSON.Code(), "", decode},
		{"trailing garbage", `{"tokens":[]}x`, sderrors.ErrInvalidJSON.Code(), "", decode},
		{"unknown top-level property", `{"token":["a"]}`, sderrors.ErrUnknownProperty.Code(), "token", decode},
		{"unknown property in filters", `{"paymentProductFilters":{"include":{}}}`, sderrors.ErrUnknownProperty.Code(), pf + ".include", decode},
		{"unknown property in a selection", `{"paymentProductFilters":{"restrictTo":{"groups":[],"ids":[1]}}}`,
			sderrors.ErrUnknownProperty.Code(), pf + ".restrictTo.ids", decode},
		{"property given twice", `{"tokens":[],"tokens":[]}`, sderrors.ErrInvalidJSON.Code(), "tokens", decode},
		{"filters null", `{"paymentProductFilters":null}`, sderrors.ErrNullNotAllowed.Code(), pf, decode},
		{"tokens null", `{"tokens":null}`, sderrors.ErrNullNotAllowed.Code(), "tokens", decode},
		{"token null", `{"tokens":["a",null]}`, sderrors.ErrNullNotAllowed.Code(), "tokens[1]", decode},
		{"restrictTo null", `{"paymentProductFilters":{"restrictTo":null}}`, sderrors.ErrNullNotAllowed.Code(), pf + ".restrictTo", decode},
		{"exclude null", `{"paymentProductFilters":{"exclude":null}}`, sderrors.ErrNullNotAllowed.Code(), pf + ".exclude", decode},
		{"groups null", `{"paymentProductFilters":{"exclude":{"groups":null}}}`, sderrors.ErrNullNotAllowed.Code(), pf + ".exclude.groups", decode},
		{"group null", `{"paymentProductFilters":{"exclude":{"groups":["cards",null]}}}`, sderrors.ErrNullNotAllowed.Code(), pf + ".exclude.groups[1]", decode},
		{"products null", `{"paymentProductFilters":{"restrictTo":{"products":null}}}`, sderrors.ErrNullNotAllowed.Code(), pf + ".restrictTo.products", decode},
		{"product null", `{"paymentProductFilters":{"restrictTo":{"products":[1,null]}}}`, sderrors.ErrNullNotAllowed.Code(), pf + ".restrictTo.products[1]", decode},
		{"filters an array", `{"paymentProductFilters":[]}`, sderrors.ErrInvalidType.Code(), pf, decode},
		{"tokens a string", `{"tokens":"abc"}`, sderrors.ErrInvalidType.Code(), "tokens", decode},
		{"token a number", `{"tokens":["a",7]}`, sderrors.ErrInvalidType.Code(), "tokens[1]", decode},
		{"groups an object", `{"paymentProductFilters":{"restrictTo":{"groups":{}}}}`, sderrors.ErrInvalidType.Code(), pf + ".restrictTo.groups", decode},
		{"product a string", `{"paymentProductFilters":{"exclude":{"products":["1"]}}}`, sderrors.ErrInvalidType.Code(), pf + ".exclude.products[0]", decode},
		{"product zero", `{"paymentProductFilters":{"exclude":{"products":[1,0]}}}`, sderrors.ErrInvalidProductID.Code(), pf + ".exclude.products[1]", decode},
		{"product negative", `{"paymentProductFilters":{"restrictTo":{"products":[-3]}}}`, sderrors.ErrInvalidProductID.Code(), pf + ".restrictTo.products[0]", decode},
		{"product over int32", `{"paymentProductFilters":{"restrictTo":{"products":[2147483648]}}}`, sderrors.ErrInvalidProductID.Code(), pf + ".restrictTo.products[0]", decode},
		{"product fraction", `{"paymentProductFilters":{"restrictTo":{"products":[1.5]}}}`, sderrors.ErrInvalidProductID.Code(), pf + ".restrictTo.products[0]", decode},
		{"product exponent", `{"paymentProductFilters":{"restrictTo":{"products":[1e3]}}}`, sderrors.ErrInvalidProductID.Code(), pf + ".restrictTo.products[0]", decode},
		{"too many tokens", repeatToken(101), sderrors.ErrTooManyTokens.Code(), "tokens", shape},
		{"empty token", `{"tokens":["a",""]}`, sderrors.ErrInvalidTokenFormat.Code(), "tokens[1]", shape},
		{"token of 129 characters", `{"tokens":["` + strings.Repeat("a", 129) + `"]}`, sderrors.ErrInvalidTokenFormat.Code(), "tokens[0]", shape},
		{"token not ASCII", `{"tokens":["a","é"]}`, sderrors.ErrInvalidTokenFormat.Code(), "tokens[1]", shape},
		{"token with a control character", `{"tokens":["a\u0001b"]}`, sderrors.ErrInvalidTokenFormat.Code(), "tokens[0]", shape},
		// Regression: the validator's printascii once let a space through.
		{"token with a space", `{"tokens":["a b"]}`, sderrors.ErrInvalidTokenFormat.Code(), "tokens[0]", shape},
		{"duplicate group", `{"paymentProductFilters":{"restrictTo":{"groups":["cards","cards"]}}}`,
			sderrors.ErrDuplicateItem.Code(), pf + ".restrictTo.groups[1]", shape},
		{"duplicate product", `{"paymentProductFilters":{"exclude":{"products":[3,840,3]}}}`,
			sderrors.ErrDuplicateItem.Code(), pf + ".exclude.products[2]", shape},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req, err := f.engine.DecodeCreateRequest([]byte(tt.body))
			if tt.shape {
				if err != nil {
					t.Fatalf("DecodeCreateRequest(%s) = %v; want it decoded, for Create to refuse", tt.body, err)
				}
				_, err = f.engine.Create(context.Background(), merchant, req)
				wantError(t, "Create("+tt.body+")", err, tt.code, tt.property)
				return
			}
			wantError(t, "DecodeCreateRequest("+tt.body+")", err, tt.code, tt.property)
			if err != nil && (req.PaymentProductFilters != nil || req.Tokens != nil) {
				t.Errorf("DecodeCreateRequest(%s) returned a request with an error: %+v", tt.body, req)
			}
		})
	}
	if n := f.store.Len(); n != 0 {
		t.Errorf("sessions stored after rejected requests: %d; want 0", n)
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
		// The transport bounds a body's size; the decoder takes what it is given.
		{"1 MiB of white space", strings.Repeat(" ", 1<<20) + `{"tokens":["a"]}` + strings.Repeat("\n", 1<<20), `{"tokens":["a"]}`},
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

// TestCreateReportsEveryTokenProblem: the validator reports each bad token.
func TestCreateReportsEveryTokenProblem(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	_, err := f.tryCreate(merchant, `{"tokens":["", "ok", "é"]}`)
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

// TestCreateChecksEveryRequestsShape: Create runs the shape rules on every
// request. A decoded request edited afterwards (the probe of issue 20:
// 2,000 duplicate product ids appended, the tokens "has space" and ""
// appended) gets exactly the 400 of the same values in a literal, and
// nothing is stored.
func TestCreateChecksEveryRequestsShape(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const pf = "paymentProductFilters"
	tests := []struct {
		name     string
		body     string
		edit     func(*session.CreateRequest)
		code     sderrors.Code
		property string
	}{
		{"2,000 duplicate product ids appended", `{"paymentProductFilters":{"restrictTo":{"products":[1]}}}`,
			func(r *session.CreateRequest) {
				for range 2000 {
					r.PaymentProductFilters.RestrictTo.Products = append(r.PaymentProductFilters.RestrictTo.Products, 1)
				}
			}, sderrors.ErrTooManyItems.Code(), pf + ".restrictTo.products"},
		{"a duplicate product id appended", `{"paymentProductFilters":{"exclude":{"products":[3,840]}}}`,
			func(r *session.CreateRequest) {
				r.PaymentProductFilters.Exclude.Products = append(r.PaymentProductFilters.Exclude.Products, 3)
			}, sderrors.ErrDuplicateItem.Code(), pf + ".exclude.products[2]"},
		{"product id 0 appended", `{"paymentProductFilters":{"exclude":{"products":[3]}}}`,
			func(r *session.CreateRequest) {
				r.PaymentProductFilters.Exclude.Products = append(r.PaymentProductFilters.Exclude.Products, 0)
			}, sderrors.ErrInvalidProductID.Code(), pf + ".exclude.products[1]"},
		{`tokens "has space" and "" appended`, `{"tokens":["` + tokVisa + `"]}`,
			func(r *session.CreateRequest) { r.Tokens = append(r.Tokens, "has space", "") },
			sderrors.ErrInvalidTokenFormat.Code(), "tokens[1]"},
		{"101 tokens", `{}`,
			func(r *session.CreateRequest) {
				for range 101 {
					r.Tokens = append(r.Tokens, tokVisa)
				}
			}, sderrors.ErrTooManyTokens.Code(), "tokens"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			decoded, err := f.engine.DecodeCreateRequest([]byte(tt.body))
			if err != nil {
				t.Fatalf("DecodeCreateRequest(%s): %v", tt.body, err)
			}
			tt.edit(&decoded)
			literal := session.CreateRequest{PaymentProductFilters: decoded.PaymentProductFilters, Tokens: decoded.Tokens}
			_, errDecoded := f.engine.Create(context.Background(), merchant, decoded)
			_, errLiteral := f.engine.Create(context.Background(), merchant, literal)
			wantError(t, "Create(the edited decoded request)", errDecoded, tt.code, tt.property)
			if got, want := problems(errDecoded), problems(errLiteral); got != want {
				t.Errorf("Create(edited decoded request) = %s; Create(literal) = %s; want the same", got, want)
			}
		})
	}
	if n := f.store.Len(); n != 0 {
		t.Errorf("sessions stored: %d; want 0", n)
	}
}

// problems is every entry of err's wire ErrorResponse but its errorId:
// status, code, property and message, in order.
func problems(err error) string {
	var b strings.Builder
	for _, e := range sderrors.ToResponse(err).Errors {
		fmt.Fprintf(&b, "[%d %s %s %q]", e.HTTPStatusCode, e.Code, e.PropertyName, e.Message)
	}
	return b.String()
}

package errors_test

import (
	"context"
	"encoding/json"
	stderrors "errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	sderrors "github.com/clientsession/engine/errors"
)

func TestCatalogueCodesAndIDsAreUnique(t *testing.T) {
	codes := map[sderrors.Code]string{}
	ids := map[string]sderrors.Code{}
	for _, e := range sderrors.Catalogue() {
		if prev, dup := codes[e.Code()]; dup {
			t.Errorf("code %s used by %s and %s", e.Code(), prev, e.ID())
		}
		codes[e.Code()] = e.ID()
		if prev, dup := ids[e.ID()]; dup {
			t.Errorf("id %s used by codes %s and %s", e.ID(), prev, e.Code())
		}
		ids[e.ID()] = e.Code()
		if e.Kind() == sderrors.KindUnknown {
			t.Errorf("%s has KindUnknown", e.Code())
		}
	}
}

// Every code of the catalogue is listed once in doc.go, with its status.
func TestCatalogueIsDocumented(t *testing.T) {
	doc := readDoc(t)
	for _, e := range sderrors.Catalogue() {
		line := regexp.MustCompile(`(?m)^//\s+` + regexp.QuoteMeta(string(e.Code())) + `\s+(\d{3})\s+` + regexp.QuoteMeta(e.ID()) + `\s`)
		m := line.FindAllStringSubmatch(doc, -1)
		if len(m) != 1 {
			t.Errorf("doc.go lists code %s (%s) %d times; want 1", e.Code(), e.ID(), len(m))
			continue
		}
		if got, want := m[0][1], fmt.Sprint(e.Kind().HTTPStatus()); got != want {
			t.Errorf("doc.go says %s is %s; want %s", e.Code(), got, want)
		}
	}
}

func TestUpstreamCodes(t *testing.T) {
	tests := []struct {
		err    *sderrors.Error
		code   string
		id     string
		status int
	}{
		{sderrors.ErrParameterNotFound, "20000000", "PARAMETER_NOT_FOUND_IN_REQUEST", 400},
		{sderrors.ErrUnauthorized, "9002", "MISSING_OR_INVALID_AUTHORIZATION", 401},
		{sderrors.ErrMerchantNotAllowed, "9007", "ACCESS_TO_MERCHANT_NOT_ALLOWED", 403},
		{sderrors.ErrUnknownProduct, "1007", "UNKNOWN_PRODUCT_ID", 404},
		{sderrors.ErrDuplicateRequest, "1409", "DUPLICATE_REQUEST", 409},
		{sderrors.ErrInternal, "9999", "UNKNOWN_SERVER_ERROR", 500},
	}
	for _, tt := range tests {
		if got := string(tt.err.Code()); got != tt.code {
			t.Errorf("%s: code = %s; want %s", tt.id, got, tt.code)
		}
		if got := tt.err.ID(); got != tt.id {
			t.Errorf("%s: id = %s; want %s", tt.code, got, tt.id)
		}
		if got := tt.err.Kind().HTTPStatus(); got != tt.status {
			t.Errorf("%s: status = %d; want %d", tt.code, got, tt.status)
		}
	}
}

func TestWithMethodsCopy(t *testing.T) {
	before := *sderrors.ErrUnknownGroup
	e := sderrors.ErrUnknownGroup.WithProperty("exclude.groups[1]").WithMessage("other").WithCause(stderrors.New("x"))
	if *sderrors.ErrUnknownGroup != before {
		t.Fatalf("With... changed the sentinel: %+v", *sderrors.ErrUnknownGroup)
	}
	if e.Property() != "exclude.groups[1]" || e.Message() != "other" || e.Unwrap() == nil {
		t.Fatalf("copy lost fields: property=%q message=%q cause=%v", e.Property(), e.Message(), e.Unwrap())
	}
}

func TestIsMatchesByCodeThroughWrapping(t *testing.T) {
	cause := context.DeadlineExceeded
	e := sderrors.ErrUnknownGroup.WithProperty("restrictTo.groups[0]").WithCause(cause)
	wrapped := fmt.Errorf("create: %w", e)
	if !stderrors.Is(wrapped, sderrors.ErrUnknownGroup) {
		t.Error("errors.Is(wrapped, ErrUnknownGroup) = false; want true")
	}
	if stderrors.Is(wrapped, sderrors.ErrInvalidProductID) {
		t.Error("errors.Is(wrapped, ErrInvalidProductID) = true; want false")
	}
	if !stderrors.Is(wrapped, context.DeadlineExceeded) {
		t.Error("the cause is not reachable through errors.Is")
	}
	var got *sderrors.Error
	if !stderrors.As(wrapped, &got) || got.Property() != "restrictTo.groups[0]" {
		t.Errorf("errors.As gave %v; want the error with its property", got)
	}
}

func TestFind(t *testing.T) {
	first := sderrors.ErrInvalidTokenFormat.WithProperty("tokens[0]")
	second := sderrors.ErrTooManyTokens.WithProperty("tokens")
	inner := sderrors.ErrUnknownGroup.WithProperty("groups[0]")
	tests := []struct {
		name string
		err  error
		want *sderrors.Error
	}{
		{"nil", nil, nil},
		{"not ours", stderrors.New("boom"), nil},
		{"bare context error", context.Canceled, nil},
		{"itself", first, first},
		{"wrapped", fmt.Errorf("create: %w", first), first},
		{"joined: the first in order", stderrors.Join(stderrors.New("x"), first, second), first},
		{"the outer error, not its cause", sderrors.ErrInternal.WithCause(inner), sderrors.ErrInternal},
	}
	for _, tt := range tests {
		got := sderrors.Find(tt.err)
		if tt.want == nil {
			if got != nil {
				t.Errorf("%s: Find = %v; want nil", tt.name, got)
			}
			continue
		}
		if got == nil || got.Code() != tt.want.Code() || got.Property() != tt.want.Property() {
			t.Errorf("%s: Find = %v; want %v", tt.name, got, tt.want)
		}
	}
}

func TestErrorStringHasNoCause(t *testing.T) {
	e := sderrors.ErrUnavailable.WithCause(stderrors.New("dial tcp 10.0.0.7:6379: secret-host"))
	if strings.Contains(e.Error(), "secret-host") {
		t.Errorf("Error() = %q leaks the cause", e.Error())
	}
	if got, want := sderrors.ErrInvalidTokenFormat.WithProperty("tokens[2]").Error(), "tokens[2]: tokens are 1 to 128 printable ASCII characters"; got != want {
		t.Errorf("Error() = %q; want %q", got, want)
	}
}

func TestPrefix(t *testing.T) {
	tests := []struct{ prefix, property, want string }{
		{"paymentProductFilters", "restrictTo.groups[1]", "paymentProductFilters.restrictTo.groups[1]"},
		{"tokens", "[3]", "tokens[3]"},
		{"tokens", "", "tokens"},
		{"", "tokens[3]", "tokens[3]"},
	}
	for _, tt := range tests {
		if got := sderrors.ErrInvalidValue.WithProperty(tt.property).Prefix(tt.prefix).Property(); got != tt.want {
			t.Errorf("Prefix(%q) of %q = %q; want %q", tt.prefix, tt.property, got, tt.want)
		}
	}
}

func TestCodeKindRetryable(t *testing.T) {
	tests := []struct {
		name      string
		err       error
		code      sderrors.Code
		kind      sderrors.Kind
		retryable bool
	}{
		{"nil", nil, "", sderrors.KindUnknown, false},
		{"ours", fmt.Errorf("x: %w", sderrors.ErrTooManyTokens), "700300", sderrors.KindInvalidArgument, false},
		{"unavailable", sderrors.ErrUnavailable.WithCause(stderrors.New("down")), "700900", sderrors.KindUnavailable, true},
		{"plain", stderrors.New("boom"), "9999", sderrors.KindInternal, false},
		{"canceled", fmt.Errorf("x: %w", context.Canceled), "700901", sderrors.KindCanceled, false},
		{"deadline", context.DeadlineExceeded, "700900", sderrors.KindUnavailable, true},
	}
	for _, tt := range tests {
		if got := sderrors.CodeOf(tt.err); got != tt.code {
			t.Errorf("%s: CodeOf = %q; want %q", tt.name, got, tt.code)
		}
		if got := sderrors.KindOf(tt.err); got != tt.kind {
			t.Errorf("%s: KindOf = %v; want %v", tt.name, got, tt.kind)
		}
		if got := sderrors.IsRetryable(tt.err); got != tt.retryable {
			t.Errorf("%s: IsRetryable = %v; want %v", tt.name, got, tt.retryable)
		}
	}
}

func TestHasCodeThroughJoin(t *testing.T) {
	err := stderrors.Join(sderrors.ErrUnknownGroup, fmt.Errorf("w: %w", sderrors.ErrDuplicateItem))
	if !sderrors.HasCode(err, sderrors.ErrDuplicateItem.Code()) {
		t.Error("HasCode does not see the second joined error")
	}
	if sderrors.HasCode(err, sderrors.ErrInternal.Code()) {
		t.Error("HasCode sees a code that is not there")
	}
}

func TestToResponseOurError(t *testing.T) {
	err := fmt.Errorf("decode: %w", sderrors.ErrUnknownGroup.WithProperty("paymentProductFilters.exclude.groups[1]"))
	resp := sderrors.ToResponse(err, sderrors.WithErrorID(func() string { return "e1" }), sderrors.WithRequestID("r1"))
	got, _ := json.Marshal(resp)
	want := `{"errorId":"e1","errors":[{"category":"CONNECT_PLATFORM_ERROR","code":"700200","httpStatusCode":400,"id":"UNKNOWN_PAYMENT_PRODUCT_GROUP","message":"unknown payment product group","propertyName":"paymentProductFilters.exclude.groups[1]","requestId":"r1"}]}`
	if string(got) != want {
		t.Errorf("ToResponse = %s\nwant         %s", got, want)
	}
	if resp.HTTPStatus() != 400 {
		t.Errorf("HTTPStatus() = %d; want 400", resp.HTTPStatus())
	}
}

func TestToResponseForeignErrorHidesText(t *testing.T) {
	resp := sderrors.ToResponse(stderrors.New("pq: password authentication failed for user admin"))
	if len(resp.Errors) != 1 {
		t.Fatalf("got %d errors; want 1", len(resp.Errors))
	}
	e := resp.Errors[0]
	if e.Code != "9999" || e.HTTPStatusCode != 500 || e.ID != "UNKNOWN_SERVER_ERROR" {
		t.Errorf("got %+v; want 9999/500/UNKNOWN_SERVER_ERROR", e)
	}
	body, _ := json.Marshal(resp)
	if strings.Contains(string(body), "password") {
		t.Errorf("response leaks internal text: %s", body)
	}
}

func TestToResponseJoinedErrors(t *testing.T) {
	err := stderrors.Join(
		sderrors.ErrInvalidTokenFormat.WithProperty("tokens[0]"),
		sderrors.ErrUnknownGroup.WithProperty("paymentProductFilters.restrictTo.groups[0]"),
	)
	resp := sderrors.ToResponse(err)
	if len(resp.Errors) != 2 || resp.Errors[0].PropertyName != "tokens[0]" || resp.Errors[1].Code != "700200" {
		t.Errorf("ToResponse(joined) = %+v; want both errors in order", resp.Errors)
	}
}

func TestErrorIDsAreUniqueAndUUIDShaped(t *testing.T) {
	shape := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	for range 1000 {
		id := sderrors.ToResponse(sderrors.ErrInternal).ErrorID
		if !shape.MatchString(id) {
			t.Fatalf("errorId %q is not UUID-shaped", id)
		}
		if seen[id] {
			t.Fatalf("errorId %q repeated", id)
		}
		seen[id] = true
	}
}

func TestKindStatusTable(t *testing.T) {
	want := map[sderrors.Kind]int{
		sderrors.KindUnknown: 500, sderrors.KindInvalidArgument: 400, sderrors.KindUnauthenticated: 401,
		sderrors.KindPermissionDenied: 403, sderrors.KindNotFound: 404, sderrors.KindConflict: 409,
		sderrors.KindInternal: 500, sderrors.KindUnavailable: 503, sderrors.KindCanceled: 499,
		sderrors.KindUnimplemented: 405, sderrors.KindTimeout: 408, sderrors.KindResourceExhausted: 429,
		sderrors.KindUnsupportedMediaType: 415,
	}
	for k, status := range want {
		if got := k.HTTPStatus(); got != status {
			t.Errorf("%v.HTTPStatus() = %d; want %d", k, got, status)
		}
		if k.String() == "" {
			t.Errorf("Kind(%d).String() is empty", k)
		}
	}
}

// TestToResponseCauseIsNoEntry: an *Error whose cause is another *Error
// (an invalid configuration behind an internal error) is one wire entry,
// and the cause's text shows nowhere.
func TestToResponseCauseIsNoEntry(t *testing.T) {
	inner := sderrors.ErrInvalidConfiguration.WithProperty("origin").WithMessage("internal detail: bad origin")
	err := sderrors.ErrInternal.WithMessage("the resolver is misconfigured").WithCause(inner)
	resp := sderrors.ToResponse(fmt.Errorf("wrapped: %w", err))
	if len(resp.Errors) != 1 {
		t.Fatalf("ToResponse gave %d entries: %+v; want 1", len(resp.Errors), resp.Errors)
	}
	if got := resp.Errors[0]; got.Code != "9999" || got.PropertyName != "" || strings.Contains(got.Message, "internal detail") {
		t.Errorf("entry = %+v; want 9999 without the cause", got)
	}
	// A join still gives one entry per joined error.
	joined := stderrors.Join(err, sderrors.ErrTooManyTokens.WithProperty("tokens"))
	if got := len(sderrors.ToResponse(joined).Errors); got != 2 {
		t.Errorf("joined: %d entries; want 2", got)
	}
}

// TestFromDependency: the one mapping of a dependency's failure.
func TestFromDependency(t *testing.T) {
	down := stderrors.New("connection refused to 10.0.0.1")
	tests := []struct {
		name string
		err  error
		want *sderrors.Error
	}{
		{"failure", down, sderrors.ErrUnavailable},
		{"canceled", fmt.Errorf("query: %w", context.Canceled), sderrors.ErrCanceled},
		{"deadline", fmt.Errorf("query: %w", context.DeadlineExceeded), sderrors.ErrUnavailable},
		{"canceled joined with the store's error", stderrors.Join(context.Canceled, down), sderrors.ErrCanceled},
	}
	for _, tt := range tests {
		got := sderrors.FromDependency(tt.err)
		if !stderrors.Is(got, tt.want) || !stderrors.Is(got, tt.err) {
			t.Errorf("%s: FromDependency = %v; want %v wrapping the cause", tt.name, got, tt.want)
		}
		if msg := sderrors.ToResponse(got).Errors[0].Message; strings.Contains(msg, "10.0.0.1") {
			t.Errorf("%s: the wire message shows the cause: %q", tt.name, msg)
		}
	}
	if !sderrors.IsRetryable(sderrors.FromDependency(down)) || sderrors.IsRetryable(sderrors.FromDependency(context.Canceled)) {
		t.Error("a failure must be retryable and a cancellation not")
	}
}

package token_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/token"
)

var now = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

func TestEvaluateReasons(t *testing.T) {
	active := token.Token{ID: "tok-1", MerchantID: "1234", PaymentProductID: 1, Status: token.StatusActive,
		CardExpiry: token.Expiry{Month: 12, Year: 2030}}
	with := func(f func(*token.Token)) *token.Token { c := active; f(&c); return &c }
	noProduct1 := func(id int32) bool { return id != 1 }
	tests := []struct {
		name   string
		id     string
		tok    *token.Token
		exists func(int32) bool
		want   token.Reason
	}{
		{"valid", "tok-1", &active, allProducts, token.ReasonValid},
		{"valid without known expiry", "tok-1", with(func(t *token.Token) { t.CardExpiry = token.Expiry{} }), allProducts, token.ReasonValid},
		{"nil productExists does not check", "tok-1", &active, nil, token.ReasonValid},
		{"unknown", "tok-1", nil, allProducts, token.ReasonUnknown},
		{"answer for another id", "tok-1", with(func(t *token.Token) { t.ID = "tok-2" }), allProducts, token.ReasonUnknown},
		{"other merchant", "tok-1", with(func(t *token.Token) { t.MerchantID = "9999" }), allProducts, token.ReasonOtherMerchant},
		{"deleted", "tok-1", with(func(t *token.Token) { t.Status = token.StatusDeleted }), allProducts, token.ReasonDeleted},
		{"revoked", "tok-1", with(func(t *token.Token) { t.Status = token.StatusRevoked }), allProducts, token.ReasonRevoked},
		{"zero status is unusable", "tok-1", with(func(t *token.Token) { t.Status = 0 }), allProducts, token.ReasonRevoked},
		{"product gone", "tok-1", &active, noProduct1, token.ReasonProductGone},
		{"card expired", "tok-1", with(func(t *token.Token) { t.CardExpiry = token.Expiry{Month: 10, Year: 2026} }), allProducts, token.ReasonCardExpired},
		{"malformed: empty", "", nil, allProducts, token.ReasonMalformed},
		{"malformed: space", "tok 1", &active, allProducts, token.ReasonMalformed},
		{"malformed: 129 chars", strings.Repeat("a", 129), nil, allProducts, token.ReasonMalformed},
		{"malformed: non-ASCII", "tök", nil, allProducts, token.ReasonMalformed},
		{"precedence: other merchant before deleted", "tok-1", with(func(t *token.Token) { t.MerchantID = "x"; t.Status = token.StatusDeleted }), allProducts, token.ReasonOtherMerchant},
		{"precedence: malformed before unknown", "tok\t1", nil, allProducts, token.ReasonMalformed},
		{"precedence: unknown before anything about the token", "tok-1", with(func(t *token.Token) { t.ID = "tok-2"; t.MerchantID = "x" }), allProducts, token.ReasonUnknown},
		{"precedence: revoked before product gone", "tok-1", with(func(t *token.Token) { t.Status = token.StatusRevoked }), noProduct1, token.ReasonRevoked},
		{"precedence: product gone before card expired", "tok-1", with(func(t *token.Token) { t.CardExpiry = token.Expiry{Month: 1, Year: 2020} }), noProduct1, token.ReasonProductGone},
		{"malformed: DEL", "tok\x7f", nil, allProducts, token.ReasonMalformed},
		{"128 chars is well formed", strings.Repeat("a", 128), with(func(t *token.Token) { t.ID = strings.Repeat("a", 128) }), allProducts, token.ReasonValid},
		{"precedence: deleted before expired", "tok-1", with(func(t *token.Token) {
			t.Status = token.StatusDeleted
			t.CardExpiry = token.Expiry{Month: 1, Year: 2020}
		}), allProducts, token.ReasonDeleted},
	}
	for _, tt := range tests {
		if got := token.Evaluate(tt.id, tt.tok, "1234", tt.exists, now); got != tt.want {
			t.Errorf("%s: Evaluate = %v; want %v", tt.name, got, tt.want)
		}
	}
}

func TestReasonAndStatusNames(t *testing.T) {
	// The names are logged and counted in metrics: they must not change.
	reasons := map[token.Reason]string{
		token.ReasonValid: "valid", token.ReasonMalformed: "malformed", token.ReasonUnknown: "unknown",
		token.ReasonOtherMerchant: "other_merchant", token.ReasonDeleted: "deleted", token.ReasonRevoked: "revoked",
		token.ReasonProductGone: "product_gone", token.ReasonCardExpired: "card_expired", token.Reason(200): "invalid",
	}
	for r, want := range reasons {
		if got := r.String(); got != want {
			t.Errorf("Reason(%d).String() = %q; want %q", uint8(r), got, want)
		}
	}
	statuses := map[token.Status]string{
		token.StatusActive: "active", token.StatusDeleted: "deleted", token.StatusRevoked: "revoked", 0: "unknown",
	}
	for s, want := range statuses {
		if got := s.String(); got != want {
			t.Errorf("Status(%d).String() = %q; want %q", uint8(s), got, want)
		}
	}
}

func TestExpiryBoundariesUTC(t *testing.T) {
	amsterdam := time.FixedZone("CET", 3600)
	tests := []struct {
		name    string
		expiry  token.Expiry
		at      time.Time
		expired bool
	}{
		{"last nanosecond of a leap February", token.Expiry{Month: 2, Year: 2028}, time.Date(2028, 2, 29, 23, 59, 59, 999999999, time.UTC), false},
		{"first instant of March", token.Expiry{Month: 2, Year: 2028}, time.Date(2028, 3, 1, 0, 0, 0, 0, time.UTC), true},
		{"still February locally, March in UTC", token.Expiry{Month: 2, Year: 2028}, time.Date(2028, 2, 29, 23, 30, 0, 0, time.UTC).Add(time.Hour).In(time.FixedZone("W", -2*3600)), true},
		{"already March locally, February in UTC", token.Expiry{Month: 2, Year: 2028}, time.Date(2028, 3, 1, 0, 30, 0, 0, amsterdam), false},
		{"December, last second", token.Expiry{Month: 12, Year: 2030}, time.Date(2030, 12, 31, 23, 59, 59, 0, time.UTC), false},
		{"December rolls over to January", token.Expiry{Month: 12, Year: 2030}, time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC), true},
		{"first day of the month", token.Expiry{Month: 6, Year: 2027}, time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC), false},
		{"zero expiry never expires", token.Expiry{}, time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), false},
	}
	for _, tt := range tests {
		if got := tt.expiry.ExpiredAt(tt.at); got != tt.expired {
			t.Errorf("%s: %+v.ExpiredAt(%v) = %v; want %v", tt.name, tt.expiry, tt.at, got, tt.expired)
		}
	}
}

func TestParseExpiry(t *testing.T) {
	good := map[string]token.Expiry{"1230": {Month: 12, Year: 2030}, "0126": {Month: 1, Year: 2026}, "0900": {Month: 9, Year: 2000}}
	for in, want := range good {
		got, err := token.ParseExpiry(in)
		if err != nil || got != want {
			t.Errorf("ParseExpiry(%q) = %+v, %v; want %+v", in, got, err, want)
		}
		if got.MMYY() != in {
			t.Errorf("%+v.MMYY() = %q; want %q", got, got.MMYY(), in)
		}
	}
	for _, in := range []string{"", "123", "12300", "0030", "1330", "ab30", "12/3", "-130"} {
		if _, err := token.ParseExpiry(in); !errors.Is(err, sderrors.ErrInvalidValue) {
			t.Errorf("ParseExpiry(%q) error = %v; want ErrInvalidValue", in, err)
		}
	}
}

func TestParseStatus(t *testing.T) {
	for _, s := range []token.Status{token.StatusActive, token.StatusDeleted, token.StatusRevoked} {
		got, err := token.ParseStatus(s.String())
		if err != nil || got != s {
			t.Errorf("ParseStatus(%q) = %v, %v; want %v", s.String(), got, err, s)
		}
	}
	if _, err := token.ParseStatus("Active"); !errors.Is(err, sderrors.ErrInvalidValue) {
		t.Errorf("ParseStatus(Active) error = %v; want ErrInvalidValue", err)
	}
}

func TestNewCheckerValidates(t *testing.T) {
	if _, err := token.NewChecker(nil); !errors.Is(err, sderrors.ErrInvalidConfiguration) {
		t.Errorf("NewChecker(nil) error = %v; want ErrInvalidConfiguration", err)
	}
	if _, err := token.NewChecker(newFakeRepo()); err != nil {
		t.Errorf("NewChecker(repo) error = %v", err)
	}
}

// TestWellFormed: the one definition of a token id's format.
func TestWellFormed(t *testing.T) {
	tests := []struct {
		id   string
		want bool
	}{
		{"a", true},
		{"tok-1", true},
		{"!~", true},
		{strings.Repeat("x", 128), true},
		{"", false},
		{strings.Repeat("x", 129), false},
		{"a b", false}, // a space: no token scheme uses one
		{" a", false},
		{"a\x00b", false},
		{"a\x7f", false},
		{"é", false},
		{"bad\n", false},
	}
	for _, tt := range tests {
		if got := token.WellFormed(tt.id); got != tt.want {
			t.Errorf("WellFormed(%q) = %v; want %v", tt.id, got, tt.want)
		}
	}
}

func TestCheckPartitionsInRequestOrder(t *testing.T) {
	repo := newFakeRepo(
		token.Token{ID: "valid-1", MerchantID: "1234", PaymentProductID: 1, Status: token.StatusActive},
		token.Token{ID: "valid-2", MerchantID: "1234", PaymentProductID: 3, Status: token.StatusActive,
			CardExpiry: token.Expiry{Month: 11, Year: 2026}, Alias: "************0026"},
		token.Token{ID: "expired", MerchantID: "1234", PaymentProductID: 1, Status: token.StatusActive, CardExpiry: token.Expiry{Month: 1, Year: 2020}},
		token.Token{ID: "theirs", MerchantID: "5678", PaymentProductID: 1, Status: token.StatusActive},
		token.Token{ID: "deleted", MerchantID: "1234", PaymentProductID: 1, Status: token.StatusDeleted},
	)
	c, _ := token.NewChecker(repo)
	res, err := c.Check(context.Background(), "1234",
		[]string{"valid-2", "unknown", "expired", "valid-2", "theirs", "valid-1", "unknown", "deleted"}, allProducts, now)
	if err != nil {
		t.Fatal(err)
	}
	if repo.calls != 1 {
		t.Errorf("repository calls = %d; want 1", repo.calls)
	}
	if got, want := strings.Join(repo.asked[0], ","), "valid-2,unknown,expired,theirs,valid-1,deleted"; got != want {
		t.Errorf("asked %s; want the distinct ids in order %s", got, want)
	}
	if want := repo.tokens["valid-2"]; len(res.Valid) == 0 || res.Valid[0] != want {
		t.Errorf("Valid[0] = %+v; want the repository's token %+v", res.Valid, want)
	}
	var valid []string
	for _, v := range res.Valid {
		valid = append(valid, v.ID)
	}
	if got, want := strings.Join(valid, ","), "valid-2,valid-1"; got != want {
		t.Errorf("valid = %s; want %s", got, want)
	}
	if got, want := strings.Join(res.InvalidIDs(), ","), "unknown,expired,theirs,deleted"; got != want {
		t.Errorf("invalid = %s; want %s", got, want)
	}
	wantReasons := []token.Reason{token.ReasonUnknown, token.ReasonCardExpired, token.ReasonOtherMerchant, token.ReasonDeleted}
	for i, inv := range res.Invalid {
		if inv.Reason != wantReasons[i] {
			t.Errorf("reason of %s = %v; want %v", inv.ID, inv.Reason, wantReasons[i])
		}
	}
}

func TestCheckNoTokensNoCall(t *testing.T) {
	repo := newFakeRepo()
	c, _ := token.NewChecker(repo)
	res, err := c.Check(context.Background(), "1234", nil, allProducts, now)
	if err != nil || repo.calls != 0 {
		t.Fatalf("Check(nil) = %v, calls %d; want no error and no call", err, repo.calls)
	}
	if len(res.InvalidIDs()) != 0 {
		t.Errorf("InvalidIDs() = %#v; want none", res.InvalidIDs())
	}
}

func TestCheckRepositoryFailureIsRetryableAndReportsNothing(t *testing.T) {
	repo := newFakeRepo()
	repo.err = errors.New("connection refused to db-7.internal")
	c, _ := token.NewChecker(repo)
	res, err := c.Check(context.Background(), "1234", []string{"a", "b"}, allProducts, now)
	if !sderrors.IsRetryable(err) || !errors.Is(err, sderrors.ErrUnavailable) {
		t.Fatalf("error = %v; want retryable ErrUnavailable", err)
	}
	if len(res.Invalid) != 0 || len(res.Valid) != 0 {
		t.Errorf("result %+v; want nothing on failure", res)
	}
	if strings.Contains(err.Error(), "db-7") {
		t.Errorf("error %q leaks the cause", err)
	}
	if !errors.Is(err, repo.err) {
		t.Error("the cause is not wrapped")
	}
}

func TestCheckCanceledContext(t *testing.T) {
	repo := newFakeRepo()
	c, _ := token.NewChecker(repo)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.Check(ctx, "1234", []string{"a"}, allProducts, now)
	if !errors.Is(err, context.Canceled) || repo.calls != 0 {
		t.Errorf("Check(canceled) = %v, calls %d; want context.Canceled and no call", err, repo.calls)
	}
}

func TestCheckManyTokensUsesOneCall(t *testing.T) {
	var tokens []token.Token
	var ids []string
	for i := range 100 {
		id := "tok-" + strings.Repeat("x", i%7) + string(rune('A'+i%26)) + string(rune('a'+i/26))
		tokens = append(tokens, token.Token{ID: id, MerchantID: "1234", PaymentProductID: 1, Status: token.StatusActive})
		ids = append(ids, id)
	}
	repo := newFakeRepo(tokens...)
	c, _ := token.NewChecker(repo)
	res, err := c.Check(context.Background(), "1234", ids, allProducts, now)
	if err != nil || repo.calls != 1 || len(res.Valid) != len(ids) {
		t.Errorf("Check(100) = %d valid, %v, %d calls; want %d valid, one call", len(res.Valid), err, repo.calls, len(ids))
	}
}

func TestCheckContextDone(t *testing.T) {
	tests := []struct {
		name      string
		done      func() (context.Context, context.CancelFunc)
		code      sderrors.Code
		cause     error
		retryable bool
	}{
		{"canceled", func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx, cancel
		}, sderrors.ErrCanceled.Code(), context.Canceled, false},
		{"deadline exceeded", func() (context.Context, context.CancelFunc) {
			return context.WithDeadline(context.Background(), time.Unix(0, 0))
		}, sderrors.ErrUnavailable.Code(), context.DeadlineExceeded, true},
	}
	for _, tt := range tests {
		ctx, cancel := tt.done()
		repo := newFakeRepo()
		c, _ := token.NewChecker(repo)
		res, err := c.Check(ctx, "1234", []string{"a", "b"}, allProducts, now)
		cancel()
		if sderrors.CodeOf(err) != tt.code || !errors.Is(err, tt.cause) || sderrors.IsRetryable(err) != tt.retryable {
			t.Errorf("%s: error = %v (code %s, retryable %v); want code %s wrapping %v, retryable %v",
				tt.name, err, sderrors.CodeOf(err), sderrors.IsRetryable(err), tt.code, tt.cause, tt.retryable)
		}
		if repo.calls != 0 || len(res.Invalid) != 0 || len(res.Valid) != 0 {
			t.Errorf("%s: %d calls, result %+v; want no call and nothing", tt.name, repo.calls, res)
		}
	}
}

// cancelingRepo cancels the request's context during the call and fails
// with an error of its own that does not wrap the context's.
type cancelingRepo struct{ cancel context.CancelFunc }

var errDriver = errors.New("driver: bad connection")

func (r cancelingRepo) Tokens(context.Context, string, []string) ([]token.Token, error) {
	r.cancel()
	return nil, errDriver
}

func TestCheckCanceledDuringTheCall(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c, _ := token.NewChecker(cancelingRepo{cancel})
	res, err := c.Check(ctx, "1234", []string{"a"}, allProducts, now)
	if !errors.Is(err, sderrors.ErrCanceled) || !errors.Is(err, context.Canceled) || !errors.Is(err, errDriver) {
		t.Errorf("error = %v; want ErrCanceled wrapping context.Canceled and the repository's error", err)
	}
	if len(res.Invalid) != 0 || len(res.Valid) != 0 {
		t.Errorf("result %+v; want nothing", res)
	}
}

func TestCheckDuplicatesInLongLists(t *testing.T) {
	// Past the short-list threshold the checker switches to a map: same answer.
	// tok-0..19, a duplicate, tok-20..24 (new ids after a duplicate), then 14 more duplicates.
	var ids, want []string
	var stored []token.Token
	for i := range 25 {
		id := "tok-" + strconv.Itoa(i)
		if i == 20 {
			ids = append(ids, "tok-3")
		}
		ids = append(ids, id)
		want = append(want, id)
		if i%2 == 0 {
			stored = append(stored, token.Token{ID: id, MerchantID: "1234", PaymentProductID: 1, Status: token.StatusActive})
		}
	}
	for i := range 14 {
		ids = append(ids, "tok-"+strconv.Itoa(i))
	}
	repo := newFakeRepo(stored...)
	c, _ := token.NewChecker(repo)
	res, err := c.Check(context.Background(), "1234", ids, allProducts, now)
	if err != nil || repo.calls != 1 {
		t.Fatalf("Check = %v, %d calls; want one call", err, repo.calls)
	}
	if got := strings.Join(repo.asked[0], ","); got != strings.Join(want, ",") {
		t.Errorf("asked %s; want %s", got, strings.Join(want, ","))
	}
	vi, ii := 0, 0
	for _, id := range want {
		switch {
		case vi < len(res.Valid) && res.Valid[vi].ID == id:
			vi++
		case ii < len(res.Invalid) && res.Invalid[ii].ID == id && res.Invalid[ii].Reason == token.ReasonUnknown:
			ii++
		default:
			t.Fatalf("%s is missing or out of order: valid %v, invalid %v", id, res.Valid, res.Invalid)
		}
	}
	if vi != len(res.Valid) || ii != len(res.Invalid) || vi != 13 || ii != 12 {
		t.Errorf("%d valid, %d invalid; want 13 and 12, each id once", len(res.Valid), len(res.Invalid))
	}
}

package wire_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/session"
	"github.com/clientsession/engine/wire"
)

var created = session.CreateResponse{
	ClientSessionID: "000102030405060708090a0b0c0d0e0f", CustomerID: "1234-101112131415161718191a1b1c1d1e1f",
	ClientAPIURL: "https://payment.example.com/client", AssetURL: "https://payment.example.com/", Region: "EU",
}

// TestCreateAnswer: the kept answer of a create is the HTTP status and the
// Connect JSON body the HTTP transport writes (json.Marshal of the
// SessionResponse, or of the ErrorResponse), with the error as outcome;
// reading it back gives the same SessionResponse or ErrorResponse.
func TestCreateAnswer(t *testing.T) {
	t.Parallel()
	ok := wire.CreateAnswer(created, nil)
	want, _ := json.Marshal(wire.NewSessionResponse(created))
	if ok.Status != 200 || string(ok.Body) != string(want) || ok.Err != nil {
		t.Errorf("success: %d %s %v, want 200 %s", ok.Status, ok.Body, ok.Err, want)
	}
	resp, errResp, err := wire.ReadCreateAnswer(ok)
	if err != nil || errResp != nil || !reflect.DeepEqual(resp, wire.NewSessionResponse(created)) {
		t.Errorf("read success: %+v %v %v", resp, errResp, err)
	}

	bad := sderrors.ErrInvalidTokenFormat.WithProperty("tokens[1]")
	failed := wire.CreateAnswer(session.CreateResponse{}, bad)
	var body sderrors.ErrorResponse
	if err := json.Unmarshal(failed.Body, &body); err != nil {
		t.Fatal(err)
	}
	if failed.Status != 400 || !errors.Is(failed.Err, sderrors.ErrInvalidTokenFormat) ||
		body.Errors[0].PropertyName != "tokens[1]" || body.Errors[0].Code != string(bad.Code()) || body.ErrorID == "" {
		t.Errorf("failure: %d %s %v", failed.Status, failed.Body, failed.Err)
	}
	_, errResp, err = wire.ReadCreateAnswer(session.Answer{Status: failed.Status, Body: failed.Body}) // Err is not stored
	if err != nil || errResp == nil || !reflect.DeepEqual(*errResp, body) {
		t.Errorf("read failure: %+v %v, want %+v", errResp, err, body)
	}
	for name, a := range map[string]session.Answer{
		"success that is not JSON": {Status: 200, Body: []byte("{")},
		"failure that is not JSON": {Status: 400, Body: []byte("nope")},
		"failure without errors":   {Status: 400, Body: []byte(`{"errorId":"x","errors":[]}`)},
	} {
		if _, _, err := wire.ReadCreateAnswer(a); !errors.Is(err, sderrors.ErrInternal) {
			t.Errorf("%s: %v, want ErrInternal", name, err)
		}
	}
	resp, _, err = wire.ReadCreateAnswer(session.Answer{Status: 200, Body: []byte(`{"clientSessionId":"x","invalidTokens":null}`)})
	if err != nil || resp.InvalidTokens == nil {
		t.Errorf("invalidTokens null: %+v %v, want []", resp, err)
	}
}

// An idempotent create keeps its answer in the form of the HTTP
// transport, whichever transport ran it; another transport reads it back.
func ExampleCreateAnswer() {
	kept := wire.CreateAnswer(created, nil) // what Engine.Idempotent keeps
	fmt.Println(kept.Status, string(kept.Body))
	resp, _, _ := wire.ReadCreateAnswer(kept) // a gRPC transport renders this
	fmt.Println(resp.ClientSessionID)

	failed := wire.CreateAnswer(session.CreateResponse{}, sderrors.ErrUnknownGroup.WithProperty("paymentProductFilters.exclude.groups[0]"))
	_, e, _ := wire.ReadCreateAnswer(failed)
	fmt.Println(failed.Status, e.Errors[0].ID, e.Errors[0].PropertyName)
	// Output:
	// 200 {"assetUrl":"https://payment.example.com/","clientApiUrl":"https://payment.example.com/client","clientSessionId":"000102030405060708090a0b0c0d0e0f","customerId":"1234-101112131415161718191a1b1c1d1e1f","invalidTokens":[],"region":"EU"}
	// 000102030405060708090a0b0c0d0e0f
	// 400 UNKNOWN_PAYMENT_PRODUCT_GROUP paymentProductFilters.exclude.groups[0]
}

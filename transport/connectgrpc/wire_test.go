package connectgrpc_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/clientsession/engine/filter"
	pb "github.com/clientsession/engine/transport/connectgrpc/clientsessionv1"
	"github.com/clientsession/engine/wire"
)

// TestMessagesCarryTheWire: the products and groups a ClientService call
// answers are, member for member, the JSON the wire package makes of the
// same engine results (what the HTTP transport writes), so that a member
// the wire package gains and the mapping does not copy fails here. Both
// are compared as JSON with zero values left out (proto3 does not send
// them) and numbers as text (proto3 JSON writes int64 as a string).
func TestMessagesCarryTheWire(t *testing.T) {
	t.Parallel()
	env := newEngine(t, engineConfig{})
	c := newClient(serve(t, env.engine, bearerAuth))
	s := c.create(t, &pb.CreateSessionRequest{Tokens: []string{"tok-visa", "tok-mastercard", "tok-no-expiry"}})
	ctx := withSession(t.Context(), s.GetClientSessionId())
	sess, err := env.engine.Authenticate(t.Context(), s.GetCustomerId(), s.GetClientSessionId())
	if err != nil {
		t.Fatal(err)
	}
	pc := filter.Context{CountryCode: "NL", CurrencyCode: "EUR", Amount: 1000}
	available, err := env.engine.Products(t.Context(), sess, pc)
	if err != nil {
		t.Fatal(err)
	}
	for _, hide := range []bool{false, true} {
		products, err := c.clients.GetPaymentProducts(ctx, &pb.GetPaymentProductsRequest{CustomerId: s.GetCustomerId(), PaymentContext: nlEUR, HideFields: hide})
		if err != nil {
			t.Fatal(err)
		}
		sameJSON(t, fmt.Sprintf("products, hide fields %v", hide), products, wire.NewPaymentProducts(available, !hide))
		groups, err := c.clients.GetPaymentProductGroups(ctx, &pb.GetPaymentProductGroupsRequest{CustomerId: s.GetCustomerId(), PaymentContext: nlEUR, HideFields: hide})
		if err != nil {
			t.Fatal(err)
		}
		sameJSON(t, fmt.Sprintf("groups, hide fields %v", hide), groups, wire.NewPaymentProductGroups(available, !hide))
		for _, p := range available {
			one, err := c.clients.GetPaymentProduct(ctx, &pb.GetPaymentProductRequest{CustomerId: s.GetCustomerId(), PaymentProductId: p.ID, PaymentContext: nlEUR, HideFields: hide})
			if err != nil {
				t.Fatal(err)
			}
			sameJSON(t, fmt.Sprintf("product %d, hide fields %v", p.ID, hide), one, wire.NewPaymentProduct(p, !hide))
		}
	}
	k, err := c.clients.GetPublicKey(ctx, &pb.GetPublicKeyRequest{CustomerId: s.GetCustomerId()})
	if err != nil {
		t.Fatal(err)
	}
	pub, err := env.engine.PublicKey(sess)
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "public key", k, wire.NewPublicKey(pub))
}

func sameJSON(t *testing.T, what string, m proto.Message, w any) {
	t.Helper()
	pj, err := protojson.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	wj, err := json.Marshal(w)
	if err != nil {
		t.Fatal(err)
	}
	got, want := nonZero(t, pj), nonZero(t, wj)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n gRPC %s\n wire %s", what, pj, wj)
	}
	if want == nil {
		t.Errorf("%s: nothing compared", what)
	}
}

// nonZero decodes b and leaves out false, "", 0 and [] members, with
// numbers as text. Objects stay, empty or not: an empty validator such as
// luhn {} is a validator that applies.
func nonZero(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	var clean func(any) any
	clean = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			out := map[string]any{}
			for k, e := range x {
				if c := clean(e); c != nil {
					out[k] = c
				}
			}
			return out
		case []any:
			var out []any
			for _, e := range x {
				out = append(out, clean(e))
			}
			if len(out) == 0 {
				return nil
			}
			return out
		case float64:
			if x == 0 {
				return nil
			}
			return strconv.FormatFloat(x, 'f', -1, 64)
		case string:
			if x == "" || x == "0" {
				return nil
			}
			return x
		case bool:
			if !x {
				return nil
			}
			return x
		}
		return v
	}
	return clean(v)
}

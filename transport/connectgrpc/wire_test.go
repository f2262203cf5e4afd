package connectgrpc_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/clientsession/engine/filter"
	pb "github.com/clientsession/engine/transport/connectgrpc/clientsessionv1"
	"github.com/clientsession/engine/wire"
	"github.com/clientsession/engine/wire/auth"
)

// TestMessagesMirrorTheWire walks the wire package's answer types and the
// messages side by side: every JSON member of a wire type is a field of
// the message with the same JSON name, every field of the message is a
// member of the wire type (but the listed extras), and every scalar member
// the wire always sends (no omitempty or omitzero) has presence
// ("optional"), so that false, 0 and "" are sent over gRPC too.
func TestMessagesMirrorTheWire(t *testing.T) {
	t.Parallel()
	// Fields of the messages the wire types do not have, on purpose.
	extras := map[string]bool{
		// The decrypt extension's JSON answer has no device information;
		// the gRPC answer passes on what the client SDK collected.
		"clientsession.v1.OpenEncryptedCustomerInputResponse.collectedDeviceInformation": true,
	}
	for _, tc := range []struct {
		wire any
		msg  proto.Message
	}{
		{wire.SessionResponse{}, &pb.CreateSessionResponse{}},
		{wire.PaymentProducts{}, &pb.GetPaymentProductsResponse{}},
		{wire.PaymentProduct{}, &pb.PaymentProduct{}},
		{wire.PaymentProductGroups{}, &pb.GetPaymentProductGroupsResponse{}},
		{wire.PublicKey{}, &pb.GetPublicKeyResponse{}},
		{wire.IINDetailsResponse{}, &pb.GetIINDetailsResponse{}},
		{wire.DecryptResponse{}, &pb.OpenEncryptedCustomerInputResponse{}},
	} {
		checked := mirror(t, reflect.TypeOf(tc.wire), tc.msg.ProtoReflect().Descriptor(), extras)
		if checked == 0 {
			t.Errorf("%T: nothing compared", tc.wire)
		}
	}
}

// mirror compares a wire struct type with a message descriptor (see
// TestMessagesMirrorTheWire) and returns how many members it compared.
func mirror(t *testing.T, w reflect.Type, md protoreflect.MessageDescriptor, extras map[string]bool) int {
	t.Helper()
	seen := map[string]bool{}
	n := 0
	for i := range w.NumField() {
		f := w.Field(i)
		tag := f.Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" || name == "-" {
			continue
		}
		seen[name] = true
		n++
		fd := md.Fields().ByJSONName(name)
		if fd == nil {
			t.Errorf("wire.%s.%s: message %s has no field %q", w.Name(), f.Name, md.FullName(), name)
			continue
		}
		always := !strings.Contains(opts, "omitempty") && !strings.Contains(opts, "omitzero")
		ft := f.Type
		switch ft.Kind() {
		case reflect.Bool, reflect.String, reflect.Int, reflect.Int32, reflect.Int64:
			if always && !fd.HasPresence() {
				t.Errorf("%s: wire.%s always sends %q, but the field has no presence (make it optional)", fd.FullName(), w.Name(), name)
			}
		case reflect.Pointer:
			if ft.Elem().Kind() == reflect.Struct {
				n += mirror(t, ft.Elem(), fd.Message(), extras)
			} else if !fd.HasPresence() {
				t.Errorf("%s: wire.%s sends %q when set, 0 included, but the field has no presence", fd.FullName(), w.Name(), name)
			}
		case reflect.Struct:
			n += mirror(t, ft, fd.Message(), extras)
		case reflect.Slice:
			if !fd.IsList() {
				t.Errorf("%s: wire.%s.%s is a list, the field is not", fd.FullName(), w.Name(), name)
			}
			if ft.Elem().Kind() == reflect.Struct {
				n += mirror(t, ft.Elem(), fd.Message(), extras)
			}
		default:
			t.Errorf("wire.%s.%s: kind %s not compared", w.Name(), f.Name, ft.Kind())
		}
	}
	for i := range md.Fields().Len() {
		fd := md.Fields().Get(i)
		if !seen[fd.JSONName()] && !extras[string(md.FullName())+"."+fd.JSONName()] {
			t.Errorf("%s: field %q is not a member of wire.%s", md.FullName(), fd.JSONName(), w.Name())
		}
	}
	return n
}

// TestMessagesCarryTheWire: the answers of the ClientService calls, as
// proto3 JSON, are the JSON the wire package makes of the same engine
// results (what the HTTP transport writes), member for member and value
// for value, false, 0 and "" included; only empty lists (proto3 has no
// presence for them) and the int64 members (proto3 JSON writes them as
// strings) are compared loosely.
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

	// IIN details, allowed and not: isAllowedInContext is sent when false.
	noAmex := c.create(t, &pb.CreateSessionRequest{
		PaymentProductFilters: &pb.PaymentProductFiltersClientSession{Exclude: &pb.PaymentProductFilter{Products: []int32{2}}}})
	noAmexSess, err := env.engine.Authenticate(t.Context(), noAmex.GetCustomerId(), noAmex.GetClientSessionId())
	if err != nil {
		t.Fatal(err)
	}
	for _, bin := range []string{"41111111", "371449"} {
		got, err := c.clients.GetIINDetails(withSession(t.Context(), noAmex.GetClientSessionId()),
			&pb.GetIINDetailsRequest{CustomerId: noAmex.GetCustomerId(), Bin: bin, PaymentContext: iinNLEUR})
		if err != nil {
			t.Fatal(err)
		}
		d, err := env.engine.IINDetails(t.Context(), noAmexSess, bin, pc)
		if err != nil {
			t.Fatal(err)
		}
		sameJSON(t, "IIN details "+bin, got, wire.NewIINDetailsResponse(d))
	}
	notAllowed, err := c.clients.GetIINDetails(withSession(t.Context(), noAmex.GetClientSessionId()),
		&pb.GetIINDetailsRequest{CustomerId: noAmex.GetCustomerId(), Bin: "371449", PaymentContext: iinNLEUR})
	if err != nil {
		t.Fatal(err)
	}
	if j, _ := protojson.Marshal(notAllowed); !bytes.Contains(compact(t, j), []byte(`"isAllowedInContext":false`)) {
		t.Errorf("not allowed: %s lacks isAllowedInContext: false", j)
	}
	if notAllowed.IsAllowedInContext == nil {
		t.Error("not allowed: isAllowedInContext was not on the wire (no presence)")
	}
}

// compact is b without insignificant white space (protojson adds some at
// random, so that nobody relies on its bytes).
func compact(t *testing.T, b []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	if err := json.Compact(&out, b); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// sameJSON compares the proto3 JSON of m with the JSON of the wire value
// w, numbers as text and empty lists left out on both sides.
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
	sameJSONBytes(t, what, pj, wj)
}

func sameJSONBytes(t *testing.T, what string, grpcJSON, wireJSON []byte) {
	t.Helper()
	got, want := normalized(t, grpcJSON), normalized(t, wireJSON)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n gRPC %s\n wire %s", what, compact(t, grpcJSON), wireJSON)
	}
	if m, ok := want.(map[string]any); !ok || len(m) == 0 {
		t.Errorf("%s: nothing compared", what)
	}
}

// normalized decodes b with numbers as text and without empty lists.
func normalized(t *testing.T, b []byte) any {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
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
			if len(x) == 0 {
				return nil
			}
			out := make([]any, len(x))
			for i, e := range x {
				out[i] = clean(e)
			}
			return out
		case json.Number:
			return x.String()
		}
		return v
	}
	return clean(v)
}

// sdkBodies are the request bodies of the official SDKs, as captured from
// them (examples/httpgateway/e2e/sdk-bodies.json; the e2e test captures
// them again and fails when they change).
type sdkBodies struct {
	Bodies []struct {
		Name   string `json:"name"`
		Method string `json:"method"`
		Body   string `json:"body"`
	} `json:"bodies"`
}

// TestSDKBodies: every request body an official SDK sends parses, as it
// is, into its request message with protojson (no unknown member, no
// option), and the gRPC answer to it is the HTTP answer to the same body
// on the same engine.
func TestSDKBodies(t *testing.T) {
	t.Parallel()
	var sdk sdkBodies
	readJSON(t, "sdk-bodies.json", &sdk)
	if len(sdk.Bodies) == 0 {
		t.Fatal("sdk-bodies.json: no bodies")
	}
	env := newEngine(t, engineConfig{})
	c := newClient(serve(t, env.engine, bearerAuth))
	h := benchHTTP(t, env.engine)
	methods := map[string]int{}
	for _, b := range sdk.Bodies {
		methods[b.Method]++
		switch b.Method {
		case "GetIINDetails":
			var req pb.GetIINDetailsRequest
			if err := protojson.Unmarshal([]byte(b.Body), &req); err != nil {
				t.Errorf("%s: the SDK's body does not parse into GetIINDetailsRequest: %v", b.Name, err)
				continue
			}
			s := c.create(t, &pb.CreateSessionRequest{Tokens: []string{"tok-visa"}})
			req.CustomerId = s.GetCustomerId()
			got, err := c.clients.GetIINDetails(withSession(t.Context(), s.GetClientSessionId()), &req)
			if err != nil {
				t.Errorf("%s: %v", b.Name, err)
				continue
			}
			status, body := httpCall(t, h, http.MethodPost, "/client/v1/"+s.GetCustomerId()+"/services/getIINdetails", b.Body,
				map[string]string{"Authorization": auth.ClientAuthorization(s.GetClientSessionId())})
			if status != http.StatusOK {
				t.Fatalf("%s over HTTP: %d %s", b.Name, status, body)
			}
			gj, _ := protojson.Marshal(got)
			sameJSONBytes(t, b.Name, gj, body)
		case "CreateSession":
			var req pb.CreateSessionRequest
			if err := protojson.Unmarshal([]byte(b.Body), &req); err != nil {
				t.Errorf("%s: the SDK's body does not parse into CreateSessionRequest: %v", b.Name, err)
				continue
			}
			got := c.create(t, &req)
			status, body := httpCall(t, h, http.MethodPost, "/v1/1234/sessions", b.Body, nil)
			if status != http.StatusOK {
				t.Fatalf("%s over HTTP: %d %s", b.Name, status, body)
			}
			var w wire.SessionResponse
			if err := json.Unmarshal(body, &w); err != nil {
				t.Fatal(err)
			}
			// Two sessions: the same answer but for their ids.
			w.ClientSessionID, w.CustomerID = got.GetClientSessionId(), got.GetCustomerId()
			sameJSON(t, b.Name, got, w)
			// And the same products, the filters applied alike.
			httpProducts := c.products(t, &pb.CreateSessionResponse{ClientSessionId: &w.ClientSessionID, CustomerId: &w.CustomerID}, nlEUR)
			if g, h := ids(c.products(t, got, nlEUR)), ids(httpProducts); !reflect.DeepEqual(g, h) {
				t.Errorf("%s: products %v over gRPC, %v over HTTP", b.Name, g, h)
			}
		default:
			t.Errorf("%s: unknown method %q", b.Name, b.Method)
		}
	}
	if methods["GetIINDetails"] == 0 || methods["CreateSession"] == 0 {
		t.Errorf("bodies per method: %v", methods)
	}
}

// httpCall sends one request to the HTTP transport's handler, without a
// network; a Server API path is v1HMAC-signed with the benchmarks' key.
func httpCall(t *testing.T, h http.Handler, method, target, body string, header map[string]string) (int, []byte) {
	t.Helper()
	status, _, out := httpCallHeader(t, h, method, target, body, header)
	return status, out
}

func httpCallHeader(t *testing.T, h http.Handler, method, target, body string, header map[string]string) (int, http.Header, []byte) {
	t.Helper()
	req := httptest.NewRequestWithContext(t.Context(), method, target, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	if strings.HasPrefix(target, "/v1/") {
		req.Header.Set("Date", time.Now().UTC().Format(http.TimeFormat))
		req.Header.Set("Authorization", auth.Sign(benchKeyID, []byte(benchSecret), auth.Request{
			Method: method, ContentType: "application/json", Date: req.Header.Get("Date"), Header: req.Header, Target: target,
		}))
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	out, err := io.ReadAll(rec.Result().Body)
	if err != nil {
		t.Fatal(err)
	}
	return rec.Code, rec.Result().Header, out
}

package connectgrpc_test

import (
	"context"
	"errors"
	"regexp"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/mem"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/transport/connectgrpc"
	pb "github.com/clientsession/engine/transport/connectgrpc/clientsessionv1"
)

// rawCodec sends []byte as they are and keeps the answer's bytes: a client
// that puts arbitrary bytes in a request frame.
type rawCodec struct{}

func (rawCodec) Marshal(v any) (mem.BufferSlice, error) {
	b, ok := v.([]byte)
	if !ok {
		return nil, errors.New("rawCodec: not []byte")
	}
	return mem.BufferSlice{mem.SliceBuffer(b)}, nil
}

func (rawCodec) Unmarshal(data mem.BufferSlice, v any) error {
	p, ok := v.(*[]byte)
	if !ok {
		return errors.New("rawCodec: not *[]byte")
	}
	*p = data.Materialize()
	return nil
}

func (rawCodec) Name() string { return "proto" }

// rawMethod is one method of the services, with the credentials its calls
// carry and a valid request.
type rawMethod struct {
	name  string
	ctx   func(context.Context) context.Context
	valid proto.Message
}

// rawMethods lists every method of both services (a test checks it against
// the descriptors), with a session's credentials for the Client API.
func rawMethods(s *pb.CreateSessionResponse) []rawMethod {
	merchantCtx := func(ctx context.Context) context.Context { return asMerchant(ctx, "1234") }
	sessionCtx := func(ctx context.Context) context.Context { return withSession(ctx, s.GetClientSessionId()) }
	const sess, cli = "/clientsession.v1.SessionService/", "/clientsession.v1.ClientService/"
	customer := s.GetCustomerId()
	return []rawMethod{
		{sess + "CreateSession", merchantCtx, &pb.CreateSessionRequest{Tokens: []string{"tok-visa"}}},
		{sess + "RevokeSession", merchantCtx, &pb.RevokeSessionRequest{ClientSessionId: "00000000000000000000000000000000"}},
		{sess + "OpenEncryptedCustomerInput", merchantCtx, &pb.OpenEncryptedCustomerInputRequest{ClientSessionId: s.GetClientSessionId(), EncryptedCustomerInput: "a.b.c.d.e"}},
		{cli + "GetPaymentProducts", sessionCtx, &pb.GetPaymentProductsRequest{CustomerId: customer, PaymentContext: nlEUR}},
		{cli + "GetPaymentProduct", sessionCtx, &pb.GetPaymentProductRequest{CustomerId: customer, PaymentProductId: 1, PaymentContext: nlEUR}},
		{cli + "GetPaymentProductGroups", sessionCtx, &pb.GetPaymentProductGroupsRequest{CustomerId: customer, PaymentContext: nlEUR}},
		{cli + "GetPublicKey", sessionCtx, &pb.GetPublicKeyRequest{CustomerId: customer}},
		{cli + "GetIINDetails", sessionCtx, &pb.GetIINDetailsRequest{CustomerId: customer, Bin: "41111111", PaymentContext: iinNLEUR}},
	}
}

// libraryText is text of grpc-go or protobuf that must never reach a caller.
var libraryText = regexp.MustCompile(`(?i)grpc:|proto:|unmarshal|wire ?type|cannot parse|invalid UTF-8|varint|EOF`)

// checkRawAnswer: a call with arbitrary request bytes succeeds or fails
// with one of the service's own statuses: never Internal or Unknown, an
// ErrorInfo of the project, no library text.
func checkRawAnswer(t *testing.T, method string, data []byte, err error) {
	t.Helper()
	if err == nil {
		return
	}
	st := status.Convert(err)
	d := detailsOf(st)
	switch {
	case st.Code() == codes.Internal || st.Code() == codes.Unknown:
		t.Fatalf("%s with %x: %v", method, data, err)
	case d.info.GetDomain() != connectgrpc.ErrorDomain || d.info.GetMetadata()["code"] == "":
		t.Fatalf("%s with %x: no ErrorInfo of the project: %v", method, data, err)
	case libraryText.MatchString(st.Message()):
		t.Fatalf("%s with %x: library text in %q", method, data, st.Message())
	}
}

// TestBadRequestBytes: bytes that are not the request message of a method
// (a truncated field, a string that is not UTF-8, a field of the wrong
// wire type, a bad tag) are InvalidArgument INVALID_MESSAGE (700106) with
// the project's ErrorInfo and no library text, for every method, with and
// without credentials; valid bytes still work.
func TestBadRequestBytes(t *testing.T) {
	t.Parallel()
	e := newEngine(t, engineConfig{})
	conn := serve(t, e.engine, bearerAuth)
	s := newClient(conn).create(t, &pb.CreateSessionRequest{})
	methods := rawMethods(s)
	described := 0
	for _, d := range []grpc.ServiceDesc{pb.SessionService_ServiceDesc, pb.ClientService_ServiceDesc} {
		described += len(d.Methods)
	}
	if described != len(methods) {
		t.Fatalf("the test knows %d methods, the services have %d", len(methods), described)
	}
	bad := map[string][]byte{
		"truncated length":  {0x0a, 0x05, 'a'},
		"truncated varint":  {0x08, 0xff},
		"string not UTF-8":  {0x0a, 0x02, 0xff, 0xfe},
		"wrong wire type":   {0x0d, 0x01, 0x02, 0x03, 0x04, 0x0a, 0x01},
		"field number zero": {0x00, 0x01},
		"end group alone":   {0x0c},
	}
	for _, m := range methods {
		valid, err := proto.Marshal(m.valid)
		if err != nil {
			t.Fatal(err)
		}
		var out []byte
		err = conn.Invoke(m.ctx(t.Context()), m.name, valid, &out, grpc.ForceCodecV2(rawCodec{}))
		checkRawAnswer(t, m.name, valid, err)
		if status.Code(err) == codes.InvalidArgument && detailsOf(status.Convert(err)).info.GetReason() == sderrors.ErrInvalidMessage.ID() {
			t.Errorf("%s: valid bytes refused as INVALID_MESSAGE", m.name)
		}
		for name, data := range bad {
			for _, ctx := range []context.Context{m.ctx(t.Context()), t.Context()} {
				err := conn.Invoke(ctx, m.name, data, &out, grpc.ForceCodecV2(rawCodec{}))
				wantError(t, m.name+" "+name, err, codes.InvalidArgument, string(sderrors.ErrInvalidMessage.Code()), "")
				checkRawAnswer(t, m.name, data, err)
			}
		}
	}
}

// TestRegisterWithoutServerCodec: a gateway's own server that registers
// the service without ServerCodec decodes valid requests as before (the
// default codec decodes the service's decode target as the message it
// holds); bad bytes are then grpc-go's Internal, which ServerCodec avoids.
func TestRegisterWithoutServerCodec(t *testing.T) {
	t.Parallel()
	e := newEngine(t, engineConfig{})
	svc, err := connectgrpc.New(e.engine, bearerAuth)
	if err != nil {
		t.Fatal(err)
	}
	for _, withCodec := range []bool{false, true} {
		opts := []grpc.ServerOption{grpc.ChainUnaryInterceptor(svc.UnaryInterceptor())}
		if withCodec {
			opts = append(opts, connectgrpc.ServerCodec())
		}
		srv := grpc.NewServer(opts...)
		svc.Register(srv)
		conn := serveOn(t, srv)
		c := newClient(conn)
		s := c.create(t, &pb.CreateSessionRequest{Tokens: []string{"tok-visa"}})
		if got := ids(c.products(t, s, nlEUR)); len(got) == 0 {
			t.Errorf("codec %v: no products", withCodec)
		}
		var out []byte
		err := conn.Invoke(asMerchant(t.Context(), "1234"), "/clientsession.v1.SessionService/CreateSession",
			[]byte{0x0a, 0x05, 'a'}, &out, grpc.ForceCodecV2(rawCodec{}))
		want := codes.Internal
		if withCodec {
			want = codes.InvalidArgument
		}
		if status.Code(err) != want {
			t.Errorf("codec %v: bad bytes answered %v, want %v", withCodec, err, want)
		}
	}
}

// FuzzRawRequest sends arbitrary bytes as the request message of each
// method of both services over a loopback connection, with the caller's
// credentials: the answer is a success or one of the service's own
// statuses, never Internal or Unknown, never a library text, never a
// panic (the service's panic guard would answer Internal).
func FuzzRawRequest(f *testing.F) {
	e := newEngine(f, engineConfig{})
	conn := serve(f, e.engine, bearerAuth)
	s, err := pb.NewSessionServiceClient(conn).CreateSession(asMerchant(f.Context(), "1234"), &pb.CreateSessionRequest{})
	if err != nil {
		f.Fatal(err)
	}
	methods := rawMethods(s)
	for i, m := range methods {
		valid, err := proto.Marshal(m.valid)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(i), valid)
		f.Add(uint8(i), valid[:len(valid)/2])
		f.Add(uint8(i), []byte{0x0a, 0x02, 0xff, 0xfe})
		f.Add(uint8(i), []byte{})
	}
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		m := methods[int(which)%len(methods)]
		var out []byte
		ctx := m.ctx(context.Background())
		if which >= 128 { // without credentials
			ctx = metadata.NewOutgoingContext(context.Background(), nil)
		}
		err := conn.Invoke(ctx, m.name, data, &out, grpc.ForceCodecV2(rawCodec{}))
		checkRawAnswer(t, m.name, data, err)
	})
}

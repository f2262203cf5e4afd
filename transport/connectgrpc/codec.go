package connectgrpc

import (
	"context"

	"google.golang.org/grpc"
	"google.golang.org/grpc/encoding"
	grpcproto "google.golang.org/grpc/encoding/proto"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/proto"

	sderrors "github.com/clientsession/engine/errors"
)

// Request bytes that do not unmarshal.
//
// grpc-go decodes a request before any interceptor or handler runs and
// answers bytes that do not unmarshal with Internal and its own text
// ("grpc: failed to unmarshal the received message ..."), which no
// interceptor can change. The service therefore decodes its requests
// through a decodeTarget: its method handlers (Register) hand the codec a
// decodeTarget around the request message, the server's codec (codec,
// installed by NewServer, or by a gateway with ServerCodec) records a
// failure there instead of failing the call, and the method handler
// answers it as InvalidArgument INVALID_MESSAGE (700106) with the
// project's ErrorInfo and no library text. Without the codec, the default
// proto codec decodes a decodeTarget as the message it holds (it is a
// proto.Message), and bad bytes are grpc-go's Internal again.

// decodeTarget holds a request message while the codec decodes it.
type decodeTarget struct {
	proto.Message
	err error // the decoding failed: the cause, never sent
}

// codec is the proto codec, except that a decodeTarget whose bytes do not
// unmarshal gets the error instead of the call.
type codec struct{ base encoding.CodecV2 }

func (c codec) Marshal(v any) (mem.BufferSlice, error) { return c.base.Marshal(v) }

func (c codec) Unmarshal(data mem.BufferSlice, v any) error {
	t, ok := v.(*decodeTarget)
	if !ok {
		return c.base.Unmarshal(data, v)
	}
	if err := c.base.Unmarshal(data, t.Message); err != nil {
		t.err = err
		proto.Reset(t.Message) // nothing half-decoded is used
	}
	return nil
}

func (c codec) Name() string { return c.base.Name() }

// ServerCodec is the server option that lets the service answer request
// bytes that do not unmarshal with InvalidArgument INVALID_MESSAGE
// (700106) instead of grpc-go's Internal: NewServer sets it; a gateway
// that builds its own server and calls Register adds it to the server's
// options. It forces the proto codec for every service of that server
// (grpc.ForceServerCodecV2) and changes nothing else; it changes no global
// registry.
func ServerCodec() grpc.ServerOption {
	return grpc.ForceServerCodecV2(codec{base: encoding.GetCodecV2(grpcproto.Name)})
}

// guardDecode returns a copy of desc whose method handlers decode their
// request through a decodeTarget, and answer one that did not unmarshal
// with InvalidArgument INVALID_MESSAGE, before the interceptors run.
func guardDecode(desc *grpc.ServiceDesc) *grpc.ServiceDesc {
	d := *desc
	d.Methods = make([]grpc.MethodDesc, len(desc.Methods))
	for i, m := range desc.Methods {
		handler := m.Handler
		d.Methods[i] = grpc.MethodDesc{
			MethodName: m.MethodName,
			Handler: func(srv any, ctx context.Context, dec func(any) error, interceptor grpc.UnaryServerInterceptor) (any, error) {
				return handler(srv, ctx, func(v any) error {
					msg, ok := v.(proto.Message)
					if !ok {
						return dec(v)
					}
					t := &decodeTarget{Message: msg}
					if err := dec(t); err != nil {
						return err
					}
					if t.err != nil {
						return statusErr(sderrors.ErrInvalidMessage.WithMessage(
							"the request is not a valid " + string(msg.ProtoReflect().Descriptor().FullName()) + " message"))
					}
					return nil
				}, interceptor)
			},
		}
	}
	return &d
}

package connectgrpc

import (
	"context"

	"google.golang.org/grpc/codes"

	sderrors "github.com/clientsession/engine/errors"
	pb "github.com/clientsession/engine/transport/connectgrpc/clientsessionv1"
)

// KindCode exposes the kind-to-code table with its "listed" flag.
func KindCode(k sderrors.Kind) (codes.Code, bool) { return kindCode(k) }

// SessionServicePrefix is the constant the interceptor matches.
const SessionServicePrefix = sessionServicePrefix

// Handlers returns the service's handlers for calls without a network
// (fuzz targets); ContextWithMerchant stands in for the interceptor.
func Handlers(s *Service) (pb.SessionServiceServer, pb.ClientServiceServer) {
	return sessionServer{s: s}, clientServer{s: s}
}

// ContextWithMerchant is what the interceptor hands a SessionService handler.
func ContextWithMerchant(ctx context.Context, merchantID string) context.Context {
	return context.WithValue(ctx, merchantKey{}, merchantID)
}

package connectgrpc

import (
	"context"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/session"
	"github.com/clientsession/engine/wire/auth"
)

// v1HMAC over gRPC: a merchant signs its SessionService calls with the
// API key (key id and secret) it signs its HTTP Server API calls with,
// the same way (wire/auth), over a string made of the call:
//
//	POST
//	application/grpc
//	{date}
//	x-gcs-idempotence-key:{key}       (when sent; every x-gcs-* metadata, sorted)
//	x-gcs-merchant-id:{merchantId}
//	/clientsession.v1.SessionService/CreateSession
//
// each line followed by "\n", the last one too: auth.Request.StringToSign
// of the method "POST" (every gRPC call is an HTTP/2 POST), the content
// type "application/grpc" (whatever subtype was sent), the "date" metadata
// (RFC 1123, GMT, as the HTTP Date header), the x-gcs-* metadata and the
// call's full method name as the target. The call carries:
//
//	authorization:     GCS v1HMAC:{apiKeyId}:{base64 HMAC-SHA256(secretApiKey, stringToSign)}
//	date:              Tue, 02 Dec 2025 11:50:00 GMT
//	x-gcs-merchant-id: 1234
//
// The merchant is the signed x-gcs-merchant-id, never a request field; the
// key must hold it. Any v1HMAC signer makes the signature (the official
// server SDKs' own helper, e.g. connect-sdk-nodejs's getV1HMACSignature,
// with these lines); HMACSigner does it for a Go client.

// The metadata of the v1HMAC scheme over gRPC, besides "authorization".
const (
	// MerchantIDMetadata names the merchant the call acts for; signed as
	// an x-gcs-* metadata.
	MerchantIDMetadata = "x-gcs-merchant-id"
	// DateMetadata is the call's date (RFC 1123, GMT), signed; the
	// verifier refuses one outside its clock skew (auth.WithClockSkew).
	DateMetadata = "date"
	// HMACContentType is the content type line of the string to sign.
	HMACContentType = "application/grpc"
	// hmacMethod is the method line of the string to sign.
	hmacMethod = "POST"
	// dateLayout is the layout of the date metadata: an HTTP date
	// (net/http.TimeFormat), which auth.ParseDate reads.
	dateLayout = "Mon, 02 Jan 2006 15:04:05 GMT"
)

// HMACRequest is what v1HMAC signs of a gRPC call to fullMethod (e.g.
// "/clientsession.v1.SessionService/CreateSession") made at date with the
// metadata md: the one definition of the scheme, which HMACAuthenticator
// verifies and HMACSigner signs. Only md's x-gcs-* keys are signed.
func HMACRequest(fullMethod, date string, md metadata.MD) auth.Request {
	return auth.Request{Method: hmacMethod, ContentType: HMACContentType, Date: date, Header: md, Target: fullMethod}
}

// HMACAuthenticator returns the MerchantAuthenticator of v1HMAC over gRPC:
// the call must carry exactly one authorization, date and
// x-gcs-merchant-id metadata value, and v (the gateway's verifier over
// its API keys, with its clock skew and optional replay guard) must
// accept the signature of HMACRequest for that merchant. The refusals are
// v's: Unauthenticated 9002 for a missing or wrong signature, a stale
// date or an unknown key, PermissionDenied 9007 for a key that does not
// hold the merchant, Unavailable for a failing key store. Each refusal
// wraps the auth.RefusalError that says which check failed (a missing
// metadata value: auth.ErrMissingAuthorization, ErrMissingDate,
// ErrMissingMerchant), for a gateway that wraps the authenticator to log
// it; the status sent is the same for all.
func HMACAuthenticator(v *auth.Verifier) (MerchantAuthenticator, error) {
	if v == nil {
		return nil, sderrors.ErrInvalidConfiguration.WithProperty("verifier").WithMessage("the verifier must not be nil")
	}
	return func(ctx context.Context) (string, error) {
		md, _ := metadata.FromIncomingContext(ctx)
		merchant, authz, date := md.Get(MerchantIDMetadata), md.Get("authorization"), md.Get(DateMetadata)
		method, ok := grpc.Method(ctx)
		switch {
		case len(authz) != 1:
			return "", sderrors.ErrUnauthorized.WithCause(auth.ErrMissingAuthorization)
		case len(date) != 1:
			return "", sderrors.ErrUnauthorized.WithCause(auth.ErrMissingDate)
		case len(merchant) != 1 || !ok:
			return "", sderrors.ErrUnauthorized.WithCause(auth.ErrMissingMerchant)
		}
		if _, err := v.Verify(ctx, merchant[0], authz[0], HMACRequest(method, date[0], md)); err != nil {
			return "", err
		}
		return merchant[0], nil
	}, nil
}

// HMACSigner returns a client interceptor that signs every SessionService
// call for merchantID with the API key keyID and secret (v1HMAC over
// gRPC): it sets the date, x-gcs-merchant-id and authorization metadata,
// signing the x-gcs-* metadata the call already has (e.g.
// IdempotenceKeyMetadata). Calls of other services (ClientService, whose
// authorization is the session's v1Client credential; health) pass
// unchanged, so that one connection serves both. The
// key id must be auth.ValidKeyID, the secret not empty and the merchant id
// session.ValidMerchantID (sderrors.ErrInvalidConfiguration, all problems
// at once).
func HMACSigner(keyID string, secret []byte, merchantID string) (grpc.UnaryClientInterceptor, error) {
	p := sderrors.ConfigProblems{Prefix: "connectgrpc: "}
	if !auth.ValidKeyID(keyID) {
		p.Fail("keyID", "not an API key id")
	}
	if len(secret) == 0 {
		p.Fail("secret", "the secret must not be empty")
	}
	if !session.ValidMerchantID(merchantID) {
		p.Fail("merchantID", "not a merchant id")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	secret = append([]byte(nil), secret...)
	return func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		if !strings.HasPrefix(method, sessionServicePrefix) {
			return invoker(ctx, method, req, reply, cc, opts...)
		}
		md, _ := metadata.FromOutgoingContext(ctx)
		md = md.Copy()
		date := time.Now().UTC().Format(dateLayout)
		md.Set(MerchantIDMetadata, merchantID)
		md.Set(DateMetadata, date)
		md.Set("authorization", auth.Sign(keyID, secret, HMACRequest(method, date, md)))
		return invoker(metadata.NewOutgoingContext(ctx, md), method, req, reply, cc, opts...)
	}, nil
}

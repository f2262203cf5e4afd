package auth

import "strings"

// V1ClientPrefix starts the Authorization header of a Client API call:
// "GCS v1Client:{clientSessionId}".
const V1ClientPrefix = "GCS v1Client:"

// ClientAuthorization returns the Authorization header value of a Client
// API call made in session clientSessionID.
func ClientAuthorization(clientSessionID string) string { return V1ClientPrefix + clientSessionID }

// ParseClientAuthorization returns the clientSessionId of a Client API
// Authorization header value. Another scheme or an empty id is
// sderrors.ErrUnauthorized, wrapping ErrMissingAuthorization, ErrBadScheme
// or ErrMalformedAuthorization; whether the id names a live session is the
// engine's to say (session.Engine.Authenticate).
func ParseClientAuthorization(header string) (clientSessionID string, err error) {
	id, ok := strings.CutPrefix(header, V1ClientPrefix)
	switch {
	case header == "":
		return "", errRefused(ErrMissingAuthorization)
	case !ok:
		return "", errRefused(ErrBadScheme)
	case id == "":
		return "", errRefused(ErrMalformedAuthorization)
	}
	return id, nil
}

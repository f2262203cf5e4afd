package session

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"io"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/storage"
)

// Id formats (see the package documentation).
const (
	idBytes         = 16          // random bytes behind each id
	idHexLen        = 2 * idBytes // 32 lowercase hex characters
	maxMerchantID   = 64
	customerSuffix  = 1 + idHexLen // "-" and 32 hex
	randomPerCreate = 2 * idBytes
)

// ValidMerchantID reports whether id is a merchant id the engine accepts:
// 1 to 64 characters of [A-Za-z0-9-], so that a customerId built from it
// stays within the characters the client SDKs put in URL paths unescaped.
func ValidMerchantID(id string) bool {
	if len(id) == 0 || len(id) > maxMerchantID {
		return false
	}
	for i := range len(id) {
		if b := id[i]; !isAlnum(b) && b != '-' {
			return false
		}
	}
	return true
}

// validSessionID reports whether id is 32 lowercase hex characters. It
// does not allocate.
func validSessionID(id string) bool {
	if len(id) != idHexLen {
		return false
	}
	for i := range len(id) {
		if !isHex(id[i]) {
			return false
		}
	}
	return true
}

// splitCustomerID returns the merchant id and random part of a well-formed
// customerId ("{merchantId}-{32 hex}"). It does not allocate.
func splitCustomerID(id string) (merchantID, random string, ok bool) {
	if len(id) <= customerSuffix {
		return "", "", false
	}
	cut := len(id) - customerSuffix
	merchantID, random = id[:cut], id[cut+1:]
	if id[cut] != '-' || !ValidMerchantID(merchantID) || !validSessionID(random) {
		return "", "", false
	}
	return merchantID, random, true
}

// sameCustomer compares two well-formed customerIds: the merchant part
// (public) directly, the random part in constant time. It does not
// allocate.
func sameCustomer(a, b string) bool {
	ma, ra, okA := splitCustomerID(a)
	mb, rb, okB := splitCustomerID(b)
	if !okA || !okB || ma != mb {
		return false
	}
	var x, y [idBytes]byte
	_, errA := hex.Decode(x[:], []byte(ra))
	_, errB := hex.Decode(y[:], []byte(rb))
	return errA == nil && errB == nil && subtle.ConstantTimeCompare(x[:], y[:]) == 1
}

// KeyOf returns the storage key of a clientSessionId: its SHA-256.
func KeyOf(clientSessionID string) storage.Key {
	var buf [idHexLen]byte
	if len(clientSessionID) == idHexLen {
		copy(buf[:], clientSessionID)
		return sha256.Sum256(buf[:])
	}
	return sha256.Sum256([]byte(clientSessionID))
}

// ids is the random part of one Create: a clientSessionId and the random
// half of a customerId.
type ids struct {
	session  [idHexLen]byte
	customer [idHexLen]byte
}

// mintIDs reads 32 random bytes from the engine's source.
func (e *Engine) mintIDs() (ids, error) {
	var raw [randomPerCreate]byte
	if e.random == nil {
		// crypto/rand.Read never fails (Go 1.24+); it crashes the program instead.
		_, _ = rand.Read(raw[:])
	} else {
		e.randomMu.Lock()
		_, err := io.ReadFull(e.random, raw[:])
		e.randomMu.Unlock()
		if err != nil {
			return ids{}, sderrors.ErrInternal.WithMessage("the random source failed").WithCause(err)
		}
	}
	var out ids
	hex.Encode(out.session[:], raw[:idBytes])
	hex.Encode(out.customer[:], raw[idBytes:])
	return out, nil
}

func isHex(b byte) bool { return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'f') }

func isAlnum(b byte) bool {
	return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z')
}

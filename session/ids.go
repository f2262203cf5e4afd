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

// Character classes of bytes, indexed by the byte: classHex for
// lowercase hex digits, classMerchant for [A-Za-z0-9-]. A table keeps the
// format checks of Authenticate branch-free.
const (
	classHex      = 1
	classMerchant = 2
)

const charClass = "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x00\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x00\x00\x00\x00\x00\x00" +
	"\x00\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x00\x00\x00\x00\x00" +
	"\x00\x03\x03\x03\x03\x03\x03\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"

// ValidMerchantID reports whether id is a merchant id the engine accepts:
// 1 to 64 characters of [A-Za-z0-9-], so that a customerId built from it
// stays within the characters the client SDKs put in URL paths unescaped.
func ValidMerchantID(id string) bool {
	if len(id) == 0 || len(id) > maxMerchantID {
		return false
	}
	ok := byte(classMerchant)
	for i := range len(id) {
		ok &= charClass[id[i]]
	}
	return ok != 0
}

// validSessionID reports whether id is 32 lowercase hex characters. It
// does not allocate.
func validSessionID(id string) bool {
	if len(id) != idHexLen {
		return false
	}
	ok := byte(classHex)
	for i := range len(id) {
		ok &= charClass[id[i]]
	}
	return ok != 0
}

// MerchantOfCustomerID returns the merchant id of a well-formed customerId
// ("{merchantId}-{32 lowercase hex}", as Create mints them), and false for
// anything else. It is the one reader of the customerId format: a gateway
// that labels a Client API call with its merchant (logs, metrics) calls it
// rather than splitting the id itself. It says nothing about whether a
// session exists (Authenticate does), and it does not allocate.
func MerchantOfCustomerID(customerID string) (merchantID string, ok bool) {
	merchantID, _, ok = splitCustomerID(customerID)
	return merchantID, ok
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

// maxCustomerID is the length of the longest customerId.
const maxCustomerID = maxMerchantID + customerSuffix

// sameCustomer compares a customerId given by a client with the stored
// one in constant time (for ids of the same length; lengths are public:
// every customerId of a merchant has the same). It does not allocate.
func sameCustomer(stored, given string) bool {
	if len(stored) != len(given) || len(given) > maxCustomerID {
		return false
	}
	var a, b [maxCustomerID]byte
	n := copy(a[:], stored)
	copy(b[:], given)
	return subtle.ConstantTimeCompare(a[:n], b[:n]) == 1
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

func isAlnum(b byte) bool { return b != '-' && charClass[b]&classMerchant != 0 }

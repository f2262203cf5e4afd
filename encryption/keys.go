package encryption

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"regexp"
	"strconv"
	"sync"
	"sync/atomic"

	sderrors "github.com/clientsession/engine/errors"
)

// MinKeyBits is the smallest RSA key accepted.
const MinKeyBits = 2048

// Key is an RSA private key with its key id, the JWE "kid" the client
// names and /crypto/publickey serves.
type Key struct {
	ID      string
	Private *rsa.PrivateKey `json:"-"` // never in JSON
}

var keyIDPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

func (k Key) validate() error {
	switch {
	case !keyIDPattern.MatchString(k.ID):
		return sderrors.ErrInvalidConfiguration.WithMessage("encryption: a key id is 1 to 64 characters of [A-Za-z0-9._-]")
	case k.Private == nil:
		return sderrors.ErrInvalidConfiguration.WithMessage("encryption: key " + k.ID + " has no private key")
	case k.Private.N.BitLen() < MinKeyBits:
		return sderrors.ErrInvalidConfiguration.WithMessage("encryption: key " + k.ID + " has " +
			strconv.Itoa(k.Private.N.BitLen()) + " bits; at least 2048 are needed")
	}
	if err := k.Private.Validate(); err != nil {
		return sderrors.ErrInvalidConfiguration.WithMessage("encryption: key " + k.ID + " is not a valid RSA key").WithCause(err)
	}
	return nil
}

// GenerateKey makes a new RSA-2048 key from crypto/rand.
func GenerateKey(id string) (Key, error) {
	priv, err := rsa.GenerateKey(rand.Reader, MinKeyBits)
	if err != nil {
		return Key{}, sderrors.ErrInternal.WithCause(err)
	}
	k := Key{ID: id, Private: priv}
	if err := k.validate(); err != nil {
		return Key{}, err
	}
	return k, nil
}

// PublicKey is the wire answer of GET /crypto/publickey: the key id and the
// public key as standard base64 (no PEM armour, no line breaks) of its DER
// SubjectPublicKeyInfo.
type PublicKey struct {
	KeyID     string `json:"keyId"`
	PublicKey string `json:"publicKey"`
}

// KeySet holds the current key, which clients encrypt to, and older keys
// that still open blobs made under them until they retire. Rotation needs no
// downtime: Rotate and Retire swap an immutable snapshot atomically, so
// Open and Current never block and never see a half-made change. Safe for
// concurrent use.
type KeySet struct {
	mu   sync.Mutex // serializes writers; readers use snap
	snap atomic.Pointer[keySnapshot]
}

type keySnapshot struct {
	current PublicKey
	keys    map[string]*rsa.PrivateKey
}

// NewKeySet returns a key set whose current key is current; older keys
// still open blobs. Ids must be unique.
func NewKeySet(current Key, older ...Key) (*KeySet, error) {
	snap, err := newSnapshot(current, older)
	if err != nil {
		return nil, err
	}
	ks := &KeySet{}
	ks.snap.Store(snap)
	return ks, nil
}

func newSnapshot(current Key, older []Key) (*keySnapshot, error) {
	snap := &keySnapshot{keys: make(map[string]*rsa.PrivateKey, 1+len(older))}
	for _, k := range append([]Key{current}, older...) {
		if err := k.validate(); err != nil {
			return nil, err
		}
		if _, dup := snap.keys[k.ID]; dup {
			return nil, sderrors.ErrInvalidConfiguration.WithMessage("encryption: key id " + k.ID + " is used twice")
		}
		snap.keys[k.ID] = k.Private
	}
	der, err := x509.MarshalPKIXPublicKey(&current.Private.PublicKey)
	if err != nil {
		return nil, sderrors.ErrInvalidConfiguration.WithCause(err)
	}
	snap.current = PublicKey{KeyID: current.ID, PublicKey: base64.StdEncoding.EncodeToString(der)}
	return snap, nil
}

// Current returns the public key clients should encrypt to.
func (ks *KeySet) Current() PublicKey { return ks.snap.Load().current }

// KeyIDs returns the ids of every key that opens blobs, current first.
func (ks *KeySet) KeyIDs() []string {
	snap := ks.snap.Load()
	ids := []string{snap.current.KeyID}
	for id := range snap.keys {
		if id != snap.current.KeyID {
			ids = append(ids, id)
		}
	}
	return ids
}

// Rotate makes next the current key and keeps every other key for opening.
func (ks *KeySet) Rotate(next Key) error {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	old := ks.snap.Load()
	var older []Key
	for id, priv := range old.keys {
		if id != next.ID {
			older = append(older, Key{ID: id, Private: priv})
		}
	}
	snap, err := newSnapshot(next, older)
	if err != nil {
		return err
	}
	ks.snap.Store(snap)
	return nil
}

// Retire drops an older key: blobs made under it no longer open. The
// current key cannot be retired.
func (ks *KeySet) Retire(id string) error {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	old := ks.snap.Load()
	if id == old.current.KeyID {
		return sderrors.ErrInvalidConfiguration.WithMessage("encryption: the current key cannot be retired; rotate first")
	}
	if _, ok := old.keys[id]; !ok {
		return sderrors.ErrInvalidConfiguration.WithMessage("encryption: no key " + id + " to retire")
	}
	snap := &keySnapshot{current: old.current, keys: make(map[string]*rsa.PrivateKey, len(old.keys)-1)}
	for k, v := range old.keys {
		if k != id {
			snap.keys[k] = v
		}
	}
	ks.snap.Store(snap)
	return nil
}

func (ks *KeySet) key(id string) (*rsa.PrivateKey, bool) {
	k, ok := ks.snap.Load().keys[id]
	return k, ok
}

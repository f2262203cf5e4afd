package auth_test

import (
	"errors"
	"testing"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/wire/auth"
)

func TestClientAuthorization(t *testing.T) {
	id := "0123456789abcdef0123456789abcdef"
	if got, err := auth.ParseClientAuthorization(auth.ClientAuthorization(id)); got != id || err != nil {
		t.Errorf("round trip = %q, %v", got, err)
	}
	for _, h := range []string{"", "GCS v1Client:", "GCS v1HMAC:" + id, "Bearer " + id, "gcs v1client:" + id} {
		if _, err := auth.ParseClientAuthorization(h); !errors.Is(err, sderrors.ErrUnauthorized) {
			t.Errorf("ParseClientAuthorization(%q) = %v, want ErrUnauthorized", h, err)
		}
	}
}

// FuzzParseClientAuthorization: any header value gives the id after the
// exact prefix, or ErrUnauthorized; never a panic.
func FuzzParseClientAuthorization(f *testing.F) {
	f.Add("GCS v1Client:0123456789abcdef0123456789abcdef")
	f.Add("GCS v1Client:")
	f.Add("gcs v1client:x")
	f.Add("GCS v1HMAC:k:s")
	f.Add("")
	f.Fuzz(func(t *testing.T, header string) {
		id, err := auth.ParseClientAuthorization(header)
		if err != nil {
			if !errors.Is(err, sderrors.ErrUnauthorized) || id != "" {
				t.Fatalf("%q: %q, %v; want ErrUnauthorized and no id", header, id, err)
			}
			return
		}
		if id == "" || auth.ClientAuthorization(id) != header {
			t.Fatalf("%q: accepted id %q, which does not make the header back", header, id)
		}
	})
}

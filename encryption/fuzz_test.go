package encryption_test

import (
	"strings"
	"testing"

	"github.com/clientsession/engine/encryption"
	sderrors "github.com/clientsession/engine/errors"
)

// FuzzOpen: no input makes Open panic or fail with anything but a 4xx-kind
// error.
func FuzzOpen(f *testing.F) {
	a, _ := testKeys()
	ks, err := encryption.NewKeySet(a)
	if err != nil {
		f.Fatal(err)
	}
	valid := sealFor(f, a, samplePayload)
	f.Add(valid)                                                  // a real blob: opens
	f.Add(valid[:len(valid)-10])                                  // truncated tag
	f.Add(strings.Replace(valid, ".", "..", 1))                   // six parts
	f.Add("eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d")                     // header without enc
	f.Add("eyJhbGciOiJub25lIiwiZW5jIjoiQTI1NkNCQy1IUzUxMiJ9....") // alg none, empty parts
	f.Add("....")                                                 // only dots
	f.Add("\xff\xfe.\x00.\x00.\x00.\x00")                         // binary garbage
	f.Fuzz(func(t *testing.T, in string) {
		_, err := ks.Open(in)
		if err == nil {
			return
		}
		if s := sderrors.KindOf(err).HTTPStatus(); s < 400 || s > 499 {
			t.Fatalf("Open(%q) = %v with status %d; want 4xx", in, err, s)
		}
	})
}

package wire

import (
	"bytes"
	"testing"

	"github.com/clientsession/engine/filter"
	"github.com/clientsession/engine/session"
)

// TestAnswersComeFromTheCatalogsBytes: a catalog's products are encoded
// once (the same encoding on every call) and answers are assembled from
// those bytes: a product whose encoded head is changed shows the change,
// one that differs from its catalog's product is encoded as it is.
func TestAnswersComeFromTheCatalogsBytes(t *testing.T) {
	cat, err := filter.NewCatalog([]filter.Product{
		{ID: 1, Group: "cards", DisplayOrder: 1, Label: "VISA", Logo: "v.png", PaymentMethod: "card"},
		{ID: 840, DisplayOrder: 2, Label: "PayPal", Logo: "p.png", PaymentMethod: "redirect"},
	})
	if err != nil {
		t.Fatal(err)
	}
	cj := encodedCatalog(cat)
	if again := encodedCatalog(cat); again != cj {
		t.Fatal("the catalog was encoded twice")
	}
	visa, _ := cat.Product(1)
	p := session.AvailableProduct{Product: visa, Catalog: cat}
	if got, want := AppendPaymentProduct(nil, p, false), []byte(`{"id":1,`); !bytes.HasPrefix(got, want) {
		t.Fatalf("answer %s, want it to start %s", got, want)
	}
	i, _ := cat.Index(1)
	cj.products[i].head = []byte(`{"id":"from the catalog's bytes"`)
	cj.products[i].groupHead = []byte(`{"id":"the group from the catalog's bytes"`)
	if got := AppendPaymentProducts(nil, []session.AvailableProduct{p}, false); !bytes.Contains(got, []byte("from the catalog's bytes")) {
		t.Errorf("products answer %s was not assembled from the catalog's bytes", got)
	}
	if got := AppendPaymentProductGroups(nil, []session.AvailableProduct{p}, false); !bytes.Contains(got, []byte("the group from the catalog's bytes")) {
		t.Errorf("groups answer %s was not assembled from the catalog's bytes", got)
	}
	p.Label = "changed"
	if got := AppendPaymentProduct(nil, p, false); !bytes.Contains(got, []byte(`"label":"changed"`)) {
		t.Errorf("a changed product was answered from the catalog's bytes: %s", got)
	}
}

package filter_test

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clientsession/engine/filter"
)

// TestIndexFollowsDisplayOrder: Index(id) is the position of id in
// Products, Len their number, and an unknown id has none.
func TestIndexFollowsDisplayOrder(t *testing.T) {
	t.Parallel()
	cat, err := filter.NewCatalog([]filter.Product{{ID: 9, DisplayOrder: 3}, {ID: 4, DisplayOrder: 1}, {ID: 7, DisplayOrder: 1}})
	if err != nil {
		t.Fatal(err)
	}
	products := cat.Products()
	if cat.Len() != len(products) || cat.Len() != 3 {
		t.Fatalf("Len = %d, want %d", cat.Len(), len(products))
	}
	for want, p := range products {
		if got, ok := cat.Index(p.ID); !ok || got != want {
			t.Errorf("Index(%d) = %d, %v; want %d", p.ID, got, ok, want)
		}
	}
	if got, ok := cat.Index(5); ok {
		t.Errorf("Index(5) = %d, true; want no position", got)
	}
}

type keyA struct{}
type keyB struct{}

// TestDerivedIsKeptPerCatalogAndKey: build runs once per catalog and key,
// even when many goroutines ask at once, and every caller gets the value
// kept.
func TestDerivedIsKeptPerCatalogAndKey(t *testing.T) {
	t.Parallel()
	c1, err := filter.NewCatalog([]filter.Product{{ID: 1}})
	if err != nil {
		t.Fatal(err)
	}
	c2, err := filter.NewCatalog([]filter.Product{{ID: 1}})
	if err != nil {
		t.Fatal(err)
	}
	var builds atomic.Int32
	build := func(name string) func(*filter.Catalog) any {
		return func(c *filter.Catalog) any {
			builds.Add(1)
			return &struct{ name string }{name}
		}
	}
	first := c1.Derived(keyA{}, build("a"))
	if got := c1.Derived(keyA{}, build("other")); got != first {
		t.Errorf("second call = %v, want the first value %v", got, first)
	}
	if builds.Load() != 1 {
		t.Errorf("%d builds for one catalog and key, want 1", builds.Load())
	}
	if c1.Derived(keyB{}, build("b")) == first || c2.Derived(keyA{}, build("a")) == first {
		t.Error("another key or another catalog shares the value")
	}

	c3, err := filter.NewCatalog(nil)
	if err != nil {
		t.Fatal(err)
	}
	const n = 16
	got := make([]any, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { got[i] = c3.Derived(keyA{}, build("concurrent")) })
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("concurrent Derived calls did not return within 10 s")
	}
	for i := range got {
		if got[i] != got[0] {
			t.Fatalf("caller %d got %v, caller 0 %v: concurrent callers must get the kept value", i, got[i], got[0])
		}
	}
}

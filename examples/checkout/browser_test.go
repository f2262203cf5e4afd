package main

import (
	"context"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/clientsession/engine/filter"
)

// The checkout in a real browser: Debian's chromium, headless, driven by
// chromedp over the DevTools protocol. The page (the shop's origin) calls
// the gateway's Client API on another origin, so every call is a real
// cross-origin request with its preflight.

// browserFlags are the only flags chromium gets (plus a fresh profile and
// the DevTools port chromedp adds).
func browserFlags(path, profile string) []chromedp.ExecAllocatorOption {
	return []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(820, 1000),
	}
}

// newBrowser starts chromium for the test, or skips it when chromium is
// not installed.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("SKIPPED: browser tests: chromium is not installed (apt-get install -y --no-install-recommends chromium; .ci/run installs it)")
	}
	actx, cancel := chromedp.NewExecAllocator(t.Context(), browserFlags(path, t.TempDir())...)
	t.Cleanup(cancel)
	bctx, cancelB := chromedp.NewContext(actx)
	t.Cleanup(cancelB)
	if err := chromedp.Do(bctx, chromedp.Navigate("about:blank")); err != nil { // starts the browser
		t.Fatalf("starting chromium: %v", err)
	}
	return bctx
}

// newApp starts the shop and the demo gateway on free loopback ports (two
// origins), with sessions that exclude American Express.
func newApp(t *testing.T) *app {
	t.Helper()
	return newAppWith(t, nil)
}

// newAppWith is newApp with the gateway's CORS origins (nil: the shop's).
func newAppWith(t *testing.T, corsOrigins []string) *app {
	t.Helper()
	if _, err := os.Stat(defaultSDKPath); err != nil {
		t.Skip("SKIPPED: browser tests: the client SDK bundle is not installed (run `npm ci` in examples/checkout/web; .ci/test does)")
	}
	a, err := start(config{
		ShopAddr: "127.0.0.1:0", GatewayAddr: "127.0.0.1:0", SDKPath: defaultSDKPath, Exclude: []int32{2},
		Context:     paymentContext{CountryCode: "NL", Currency: "EUR", TotalAmount: 4999},
		CORSOrigins: corsOrigins,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	return a
}

// tab opens a new tab of the browser with a time limit, collecting the
// page's uncaught exceptions for failure messages.
func tab(browser context.Context, t *testing.T) (context.Context, func() []string) {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser)
	t.Cleanup(cancel)
	ctx, cancelT := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(cancelT)
	var mu sync.Mutex
	var exceptions []string
	record := func(d *runtime.ExceptionDetails) {
		mu.Lock()
		exceptions = append(exceptions, (&chromedp.ExceptionError{ExceptionDetails: d}).Error())
		mu.Unlock()
	}
	if err := chromedp.Listen(ctx, func(ev any) {
		switch e := ev.(type) {
		case *runtime.EventExceptionThrown:
			record(e.ExceptionDetails)
		case runtime.EventExceptionThrown:
			record(e.ExceptionDetails)
		}
	}); err != nil {
		t.Fatal(err)
	}
	return ctx, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(exceptions)
	}
}

// open loads the checkout, waits until it has listed the products and
// returns the id of the session the shop created for it.
func open(ctx context.Context, t *testing.T, a *app, exceptions func() []string) string {
	t.Helper()
	before := sessions(a)
	err := chromedp.Do(ctx,
		chromedp.Navigate(a.ShopURL+"/"),
		chromedp.WaitReady(chromedp.CSS(`body[data-ready]`)),
	)
	var ready string
	if err == nil {
		var r chromedp.AttributeResult
		r, err = chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(`body`), "data-ready"))
		ready = r.Value
	}
	if err != nil || ready != "true" {
		msg := text(ctx, "#error")
		t.Fatalf("checkout did not load: %v, ready=%q, error %q, exceptions %v", err, ready, msg, exceptions())
	}
	var created []string
	for _, id := range sessions(a) {
		if !slices.Contains(before, id) {
			created = append(created, id)
		}
	}
	if len(created) != 1 {
		t.Fatalf("loading the page created %d sessions, want 1", len(created))
	}
	return created[0]
}

// text is the text of the element sel, or "" when it cannot be read.
func text(ctx context.Context, sel string) string {
	s, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	return s
}

// sessions are the shop's unpaid sessions.
func sessions(a *app) []string {
	a.Merchant.mu.Lock()
	defer a.Merchant.mu.Unlock()
	var ids []string
	for id := range a.Merchant.sessions {
		ids = append(ids, id)
	}
	return ids
}

func TestBrowserCheckout(t *testing.T) {
	browser := newBrowser(t)
	a := newApp(t)

	t.Run("product list equals the session's resolved products", func(t *testing.T) {
		ctx, exceptions := tab(browser, t)
		id := open(ctx, t, a, exceptions)
		shown, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#products button')].map(b => b.dataset.productId)`))
		if err != nil {
			t.Fatalf("%v (exceptions %v)", err, exceptions())
		}
		logosOK, err := chromedp.Run(ctx, chromedp.Poll[bool](`[...document.images].length > 0 && [...document.images].every(i => i.complete && i.naturalWidth > 0)`, chromedp.WithPollingTimeout(10*time.Second)))
		if err != nil {
			t.Errorf("logos: %v", err)
		}
		s, err := a.Gateway.Engine.Lookup(t.Context(), demoMerchantID, id)
		if err != nil {
			t.Fatal(err)
		}
		available, err := a.Gateway.Engine.Products(t.Context(), s, filter.Context{CountryCode: "NL", CurrencyCode: "EUR", Amount: 4999})
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, p := range available {
			want = append(want, strconv.Itoa(int(p.ID)))
		}
		if !slices.Equal(shown, want) || len(want) == 0 || slices.Contains(shown, "2") {
			t.Errorf("the page lists %v, the engine resolves %v (American Express excluded)", shown, want)
		}
		if !logosOK {
			t.Error("a logo did not load from the gateway's assetUrl")
		}
	})

	t.Run("typing an excluded brand's number shows not allowed", func(t *testing.T) {
		ctx, exceptions := tab(browser, t)
		open(ctx, t, a, exceptions)
		brand := func(number, state string) string {
			t.Helper()
			if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(document.getElementById('field-cardNumber').value = '', true)`)); err != nil {
				t.Fatal(err)
			}
			err := chromedp.Do(ctx,
				chromedp.SendKeys(chromedp.CSS(`#field-cardNumber`), number),
				chromedp.WaitVisible(chromedp.CSS(`#brand[data-state="`+state+`"]`)),
			)
			if err != nil {
				t.Fatalf("%s: brand state %s: %v (brand %q, exceptions %v)", number, state, err, text(ctx, "#brand"), exceptions())
			}
			return text(ctx, "#brand")
		}
		if err := chromedp.Do(ctx,
			chromedp.Click(chromedp.CSS(`#products button[data-product-id="1"]`)),
			chromedp.WaitVisible(chromedp.CSS(`#field-cardNumber`)),
		); err != nil {
			t.Fatal(err)
		}
		if got := brand("3782 822463 10005", "not-allowed"); !strings.Contains(got, "American Express is not allowed") {
			t.Errorf("Amex: brand %q", got)
		}
		if got := brand("5555 5555 5555 4444", "allowed"); got != "MasterCard" {
			t.Errorf("MasterCard: brand %q", got)
		}
		if got := brand("9999 9912 3456", "unknown"); got != "Unknown card number" {
			t.Errorf("unknown digits: brand %q", got)
		}
	})

	t.Run("a full checkout ends in the masked confirmation", func(t *testing.T) {
		ctx, exceptions := tab(browser, t)
		open(ctx, t, a, exceptions)
		err := chromedp.Do(ctx,
			chromedp.Click(chromedp.CSS(`#products button[data-product-id="1"]`)),
			chromedp.WaitVisible(chromedp.CSS(`#field-cardNumber`)),
			chromedp.SendKeys(chromedp.CSS(`#field-cardNumber`), "4012 0000 3333 0026"),
			chromedp.SendKeys(chromedp.CSS(`#field-expiryDate`), "12/30"),
			chromedp.SendKeys(chromedp.CSS(`#field-cvv`), "123"),
			chromedp.SendKeys(chromedp.CSS(`#field-cardholderName`), "José Müller"),
			chromedp.WaitVisible(chromedp.CSS(`#brand[data-state="allowed"]`)),
		)
		if err != nil {
			t.Fatalf("%v (exceptions %v)", err, exceptions())
		}
		if brand := text(ctx, "#brand"); brand != "VISA" {
			t.Errorf("brand %q, want VISA", brand)
		}
		if path := os.Getenv("CHECKOUT_SCREENSHOT"); path != "" {
			png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, png, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		err = chromedp.Do(ctx,
			chromedp.Click(chromedp.CSS(`#pay`)),
			chromedp.WaitVisible(chromedp.CSS(`#confirmation`)),
		)
		if err != nil {
			t.Fatalf("%v (error %q, invalid %q, exceptions %v)", err, text(ctx, "#error"), text(ctx, "#invalid"), exceptions())
		}
		confirmation := text(ctx, "#confirmation")
		for _, want := range []string{"€49.99", "VISA 401200******0026", "expires 12/30", "José Müller"} {
			if !strings.Contains(confirmation, want) {
				t.Errorf("confirmation %q lacks %q", confirmation, want)
			}
		}
		if strings.Contains(confirmation, "4012000033330026") || strings.Contains(confirmation, "123.") {
			t.Errorf("confirmation %q shows card data unmasked", confirmation)
		}
	})

	t.Run("a revoked session shows the SDK's error, not a CORS failure", func(t *testing.T) {
		ctx, exceptions := tab(browser, t)
		id := open(ctx, t, a, exceptions)
		if err := a.Merchant.revoke(t.Context(), id); err != nil {
			t.Fatal(err)
		}
		err := chromedp.Do(ctx,
			chromedp.Click(chromedp.CSS(`#products button[data-product-id="3"]`)),
			chromedp.WaitVisible(chromedp.CSS(`#error`)),
		)
		if err != nil {
			t.Fatalf("%v (exceptions %v)", err, exceptions())
		}
		k, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(`#error`), "data-kind"))
		if err != nil {
			t.Fatal(err)
		}
		kind, msg := k.Value, text(ctx, "#error")
		if kind != "sdk" || !strings.Contains(msg, "401 MISSING_OR_INVALID_AUTHORIZATION") {
			t.Errorf("error %s %q, want the SDK's ResponseError with the 401 (a CORS failure is a network error)", kind, msg)
		}
	})
}

// TestBrowserCORSFailureIsNotTheSDKError is the control of the revoked
// session scenario: when the gateway does not let the shop's origin read
// its answers, the page sees a network error (the browser's TypeError), not
// the SDK's ResponseError. The page tells the two apart, so the revoked
// session's 401 above was readable cross-origin.
func TestBrowserCORSFailureIsNotTheSDKError(t *testing.T) {
	browser := newBrowser(t)
	a := newAppWith(t, []string{"https://elsewhere.example"})
	ctx, exceptions := tab(browser, t)
	err := chromedp.Do(ctx,
		chromedp.Navigate(a.ShopURL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#error`)),
	)
	if err != nil {
		t.Fatalf("%v (exceptions %v)", err, exceptions())
	}
	k, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(`#error`), "data-kind"))
	if err != nil {
		t.Fatal(err)
	}
	if msg := text(ctx, "#error"); k.Value != "network" || !strings.Contains(msg, "Network error") {
		t.Errorf("error %s %q, want the network error of a blocked cross-origin answer", k.Value, msg)
	}
}

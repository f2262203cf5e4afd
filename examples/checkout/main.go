// Command checkout is a merchant's checkout demo on the client-session
// engine: a small merchant backend and a checkout page that uses the
// official Connect client SDK (connect-sdk-client-js, installed from npm,
// served locally), against a gateway built on the library, on another
// origin. See README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/clientsession/engine/filter"
	"github.com/clientsession/engine/transport/connecthttp"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "checkout:", err)
		os.Exit(1)
	}
}

// config is what start needs.
type config struct {
	ShopAddr    string // the merchant's page and backend
	GatewayAddr string // the demo gateway (Server API, Client API, logos)
	SDKPath     string // connect-sdk-client-js's ESM bundle
	Exclude     []int32
	Context     paymentContext
	// CORSOrigins are the origins the gateway lets read its Client API
	// answers; nil means the shop's origin only.
	CORSOrigins []string
}

// defaultSDKPath is where `npm ci` in web/ puts the bundle.
const defaultSDKPath = "web/node_modules/connect-sdk-client-js/dist/connect-sdk-client-js.js"

func run(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("checkout", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := config{}
	fs.StringVar(&cfg.ShopAddr, "addr", "127.0.0.1:8090", "listen address of the shop (page and merchant backend)")
	fs.StringVar(&cfg.GatewayAddr, "gateway-addr", "127.0.0.1:8091", "listen address of the demo gateway")
	fs.StringVar(&cfg.SDKPath, "sdk", defaultSDKPath, "connect-sdk-client-js ESM bundle (from `npm ci` in web/)")
	exclude := fs.String("exclude", "2", "payment product ids the shop's sessions exclude, comma-separated (2: American Express)")
	fs.StringVar(&cfg.Context.CountryCode, "country", "NL", "the order's country")
	fs.StringVar(&cfg.Context.Currency, "currency", "EUR", "the order's currency")
	fs.Int64Var(&cfg.Context.TotalAmount, "amount", 4999, "the order's amount in minor units")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ids, err := parseIDs(*exclude)
	if err != nil {
		return fmt.Errorf("-exclude: %w", err)
	}
	cfg.Exclude = ids

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	a, err := start(cfg)
	if err != nil {
		return err
	}
	_, _ = fmt.Fprintf(stderr, "checkout: shop on %s, gateway on %s\n", a.ShopURL, a.GatewayURL)
	select {
	case err := <-a.errc:
		_ = a.Close()
		return err
	case <-ctx.Done():
	}
	return a.Close()
}

// parseIDs reads "2,3" as product ids (filter.ValidProductID).
func parseIDs(s string) ([]int32, error) {
	var ids []int32
	for f := range strings.SplitSeq(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil || !filter.ValidProductID(n) {
			return nil, fmt.Errorf("%q is not a payment product id", f)
		}
		ids = append(ids, int32(n)) //nolint:gosec // checked by filter.ValidProductID
	}
	return ids, nil
}

// app is a running shop and gateway.
type app struct {
	ShopURL    string
	GatewayURL string
	Gateway    *demoGateway
	Merchant   *merchant
	servers    []*http.Server
	errc       chan error
}

// start listens on both addresses and serves the shop and the gateway.
func start(cfg config) (*app, error) {
	sdk, err := loadSDK(cfg.SDKPath)
	if err != nil {
		return nil, err
	}
	gl, err := net.Listen("tcp", cfg.GatewayAddr)
	if err != nil {
		return nil, err
	}
	sl, err := net.Listen("tcp", cfg.ShopAddr)
	if err != nil {
		_ = gl.Close()
		return nil, err
	}
	a := &app{ShopURL: "http://" + sl.Addr().String(), GatewayURL: "http://" + gl.Addr().String(), errc: make(chan error, 2)}
	origins := cfg.CORSOrigins
	if origins == nil {
		origins = []string{a.ShopURL}
	}
	gw, err := newDemoGateway(a.GatewayURL, origins)
	if err != nil {
		_, _ = gl.Close(), sl.Close()
		return nil, err
	}
	a.Gateway = gw
	a.Merchant = &merchant{
		gatewayURL: a.GatewayURL, merchantID: demoMerchantID, keyID: gw.KeyID, secret: gw.Secret,
		createBody: createBody(cfg.Exclude), context: cfg.Context, sdk: sdk,
		client:   &http.Client{Timeout: 10 * time.Second},
		sessions: map[string]bool{},
	}
	shop := &http.Server{
		Handler: a.Merchant.routes(), ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 15 * time.Second,
		WriteTimeout: 20 * time.Second, IdleTimeout: 60 * time.Second,
	}
	gateway := connecthttp.NewServer("", gw.Handler)
	a.servers = []*http.Server{shop, gateway}
	for srv, ln := range map[*http.Server]net.Listener{shop: sl, gateway: gl} {
		go func() {
			if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
				a.errc <- err
			}
		}()
	}
	return a, nil
}

// createBody is the shop's session request: its filters.
func createBody(exclude []int32) string {
	if len(exclude) == 0 {
		return `{}`
	}
	ids := make([]string, len(exclude))
	for i, id := range exclude {
		ids[i] = strconv.Itoa(int(id))
	}
	return `{"paymentProductFilters":{"exclude":{"products":[` + strings.Join(ids, ",") + `]}}}`
}

// Close shuts both servers down gracefully.
func (a *app) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var errs []error
	for _, s := range a.servers {
		errs = append(errs, s.Shutdown(ctx))
	}
	return errors.Join(errs...)
}

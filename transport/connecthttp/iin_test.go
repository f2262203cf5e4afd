package connecthttp_test

import (
	"net/http"
	"strings"
	"testing"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/transport/connecthttp"
	"github.com/clientsession/engine/transport/connecthttp/connecttest"
)

const iinPath = "services/getIINdetails"

// iinBody is the body connect-sdk-client-js 6.0.6 sends for bin in NL/EUR.
func iinBody(bin string) string {
	return `{"bin":"` + bin + `","paymentContext":{"countryCode":"NL","isRecurring":false,"isInstallments":false,"amountOfMoney":{"amount":1000,"currencyCode":"EUR"}}}`
}

func TestIINDetails(t *testing.T) {
	g := newGateway(t)
	all := g.create(`{}`)
	noAmex := g.create(`{"paymentProductFilters":{"exclude":{"products":[2]}}}`)
	tests := []struct {
		name string
		s    string // which session
		body string
		want string
	}{
		{"visa allowed", "all", iinBody("41111111"), `{"paymentProductId":1,"countryCode":"99","isAllowedInContext":true}`},
		{"six digits", "all", iinBody("555555"), `{"paymentProductId":3,"countryCode":"99","isAllowedInContext":true}`},
		{"amex allowed", "all", iinBody("37828224"), `{"paymentProductId":2,"countryCode":"99","isAllowedInContext":true}`},
		{"amex excluded", "noAmex", iinBody("37828224"), `{"paymentProductId":2,"countryCode":"99","isAllowedInContext":false}`},
		{"visa in the excluding session", "noAmex", iinBody("41111111"), `{"paymentProductId":1,"countryCode":"99","isAllowedInContext":true}`},
		{"account on file and no amount", "all", `{"bin":"411111","accountOnFileId":1,"paymentContext":{"countryCode":"NL","isInstallments":false,"amountOfMoney":{"currencyCode":"EUR"}}}`,
			`{"paymentProductId":1,"countryCode":"99","isAllowedInContext":true}`},
	}
	sessions := map[string]struct{ customer, id string }{
		"all":    {all.CustomerID, all.ClientSessionID},
		"noAmex": {noAmex.CustomerID, noAmex.ClientSessionID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := sessions[tt.s]
			r := g.ClientPost(s.customer, s.id, iinPath, tt.body)
			if r.Status != http.StatusOK || string(r.Body) != tt.want {
				t.Errorf("got %d %s, want 200 %s", r.Status, r.Body, tt.want)
			}
			if r.Header.Get("Content-Type") != "application/json" || r.Header.Get("Access-Control-Allow-Origin") != "*" {
				t.Errorf("headers %v, want JSON readable by any origin", r.Header)
			}
		})
	}
}

// TestIINDetailsUnknown: the Connect platform's answer for digits no product
// holds, which the client SDK reports as UNKNOWN; the digits are not
// repeated.
func TestIINDetailsUnknown(t *testing.T) {
	g := newGateway(t)
	s := g.create(`{}`)
	r := g.ClientPost(s.CustomerID, s.ClientSessionID, iinPath, iinBody("99999912"))
	r.WantError(t, http.StatusNotFound, sderrors.ErrIINNotFound.Code(), "bin")
	if !strings.Contains(string(r.Body), `"id":"IIN_NOT_FOUND"`) || strings.Contains(string(r.Body), "999999") {
		t.Errorf("body %s: want the IIN_NOT_FOUND id and not the digits", r.Body)
	}
}

func TestIINDetailsRejects(t *testing.T) {
	g := newGateway(t)
	s := g.create(`{}`)
	ctx := `"paymentContext":{"countryCode":"NL","amountOfMoney":{"amount":1000,"currencyCode":"EUR"}}`
	tests := []struct {
		name, body string
		code       sderrors.Code
		property   string
	}{
		{"not JSON", `{`, sderrors.ErrInvalidJSON.Code(), ""},
		{"empty body", ``, sderrors.ErrInvalidJSON.Code(), ""},
		{"no bin", `{` + ctx + `}`, sderrors.ErrParameterNotFound.Code(), "bin"},
		{"bin a number", `{"bin":41111111,` + ctx + `}`, sderrors.ErrInvalidType.Code(), "bin"},
		{"bin null", `{"bin":null,` + ctx + `}`, sderrors.ErrNullNotAllowed.Code(), "bin"},
		{"five digits", `{"bin":"41111",` + ctx + `}`, sderrors.ErrInvalidValue.Code(), "bin"},
		{"twenty digits", `{"bin":"41111111111111111111",` + ctx + `}`, sderrors.ErrInvalidValue.Code(), "bin"},
		{"not digits", `{"bin":"4111 1111",` + ctx + `}`, sderrors.ErrInvalidValue.Code(), "bin"},
		{"bad bin before bad context", `{"bin":"x","paymentContext":{}}`, sderrors.ErrInvalidValue.Code(), "bin"},
		{"no context", `{"bin":"411111"}`, sderrors.ErrParameterNotFound.Code(), "paymentContext.countryCode"},
		{"no currency", `{"bin":"411111","paymentContext":{"countryCode":"NL"}}`, sderrors.ErrParameterNotFound.Code(), "paymentContext.amountOfMoney.currencyCode"},
		{"lower-case country", `{"bin":"411111","paymentContext":{"countryCode":"nl","amountOfMoney":{"currencyCode":"EUR"}}}`, sderrors.ErrInvalidPaymentContext.Code(), "paymentContext.countryCode"},
		{"negative amount", `{"bin":"411111","paymentContext":{"countryCode":"NL","amountOfMoney":{"amount":-1,"currencyCode":"EUR"}}}`, sderrors.ErrInvalidPaymentContext.Code(), "paymentContext.amountOfMoney.amount"},
		{"fractional amount", `{"bin":"411111","paymentContext":{"countryCode":"NL","amountOfMoney":{"amount":10.5,"currencyCode":"EUR"}}}`, sderrors.ErrInvalidValue.Code(), "paymentContext.amountOfMoney.amount"},
		{"amount a string", `{"bin":"411111","paymentContext":{"countryCode":"NL","amountOfMoney":{"amount":"10","currencyCode":"EUR"}}}`, sderrors.ErrInvalidType.Code(), "paymentContext.amountOfMoney.amount"},
		{"recurring a string", `{"bin":"411111","paymentContext":{"countryCode":"NL","isRecurring":"no"}}`, sderrors.ErrInvalidType.Code(), "paymentContext.isRecurring"},
		{"unknown member", `{"bin":"411111","card":"x",` + ctx + `}`, sderrors.ErrUnknownProperty.Code(), "card"},
		{"unknown context member", `{"bin":"411111","paymentContext":{"locale":"nl_NL"}}`, sderrors.ErrUnknownProperty.Code(), "paymentContext.locale"},
		{"account on file a string", `{"bin":"411111","accountOnFileId":"1",` + ctx + `}`, sderrors.ErrInvalidType.Code(), "accountOnFileId"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g.ClientPost(s.CustomerID, s.ClientSessionID, iinPath, tt.body).WantError(t, http.StatusBadRequest, tt.code, tt.property)
		})
	}
}

// TestIINDetailsAuthAndCORS: a browser may POST (preflight), and a revoked
// session's 401 is readable cross-origin, so the SDK reports it rather
// than a network error.
func TestIINDetailsAuthAndCORS(t *testing.T) {
	g := newGateway(t)
	s := g.create(`{}`)
	send := func(method, path string, hdr map[string]string) connecttest.Response {
		req, err := http.NewRequestWithContext(t.Context(), method, g.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		return g.Do(req)
	}
	r := send(http.MethodOptions, "/client/v1/"+s.CustomerID+"/"+iinPath, map[string]string{
		"Origin": "http://127.0.0.1:9000", "Access-Control-Request-Method": "POST",
		"Access-Control-Request-Headers": "authorization,content-type,x-gcs-clientmetainfo",
	})
	if r.Status != http.StatusNoContent || r.Header.Get("Access-Control-Allow-Origin") != "http://127.0.0.1:9000" ||
		r.Header.Get("Access-Control-Allow-Methods") != "POST, OPTIONS" || r.Header.Get("Access-Control-Allow-Headers") != connecthttp.CORSAllowHeaders {
		t.Errorf("POST preflight: %d %v", r.Status, r.Header)
	}
	send(http.MethodGet, "/client/v1/"+s.CustomerID+"/"+iinPath, nil).
		WantError(t, http.StatusMethodNotAllowed, sderrors.ErrMethodNotAllowed.Code(), "")

	g.Server(http.MethodDelete, "/v1/1234/sessions/"+s.ClientSessionID, "", defaultSigner)
	r = g.ClientPost(s.CustomerID, s.ClientSessionID, iinPath, iinBody("41111111"))
	r.WantError(t, http.StatusUnauthorized, sderrors.ErrUnauthorized.Code(), "")
	if r.Header.Get("Access-Control-Allow-Origin") == "" {
		t.Errorf("401 without CORS headers: %v", r.Header)
	}
	g.ClientPost(s.CustomerID, "", iinPath, iinBody("41111111")).WantError(t, http.StatusUnauthorized, sderrors.ErrUnauthorized.Code(), "")
}

// TestNotServed: every Client API call of the client SDK the handler has no
// data for is preflighted like a served one and answered with a JSON 404
// (401 without a live session), readable cross-origin.
func TestNotServed(t *testing.T) {
	g := newGateway(t)
	s := g.create(`{}`)
	fill := strings.NewReplacer("{customerId}", s.CustomerID, "{paymentProductId}", "809", "{paymentId}", "000000850010000188180000200001")
	for _, u := range connecthttp.NotServed() {
		path := "/client" + fill.Replace(u.Path)
		t.Run(u.Method+" "+u.Path, func(t *testing.T) {
			pre, err := http.NewRequestWithContext(t.Context(), http.MethodOptions, g.URL+path, nil)
			if err != nil {
				t.Fatal(err)
			}
			pre.Header.Set("Origin", "http://127.0.0.1:9000")
			pre.Header.Set("Access-Control-Request-Method", u.Method)
			if r := g.Do(pre); r.Status != http.StatusNoContent || r.Header.Get("Access-Control-Allow-Methods") != u.Method+", OPTIONS" {
				t.Errorf("preflight: %d %v", r.Status, r.Header)
			}
			for _, c := range []struct {
				session string
				status  int
				code    sderrors.Code
			}{{s.ClientSessionID, http.StatusNotFound, sderrors.ErrUnknownResource.Code()}, {"", http.StatusUnauthorized, sderrors.ErrUnauthorized.Code()}} {
				req, err := http.NewRequestWithContext(t.Context(), u.Method, g.URL+path, strings.NewReader(`{}`))
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("Origin", "http://127.0.0.1:9000")
				if c.session != "" {
					req.Header.Set("Authorization", "GCS v1Client:"+c.session)
				}
				r := g.Do(req)
				r.WantError(t, c.status, c.code, "")
				if r.Header.Get("Access-Control-Allow-Origin") != "http://127.0.0.1:9000" {
					t.Errorf("answer %d without CORS headers: %v", r.Status, r.Header)
				}
				if c.status == http.StatusNotFound && !strings.Contains(string(r.Body), "does not serve "+u.Name) {
					t.Errorf("body %s does not name the service", r.Body)
				}
			}
		})
	}
}

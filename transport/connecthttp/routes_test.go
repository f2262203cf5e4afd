package connecthttp_test

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/clientsession/engine/transport/connecthttp"
)

// TestRoutesAreTheHandlers: each route Routes lists is served by the
// handler under that very pattern (http.Request.Pattern after serving),
// and a path outside them is "/" (404).
func TestRoutesAreTheHandlers(t *testing.T) {
	h, err := connecthttp.New(newEngine(t), apiKeys)
	if err != nil {
		t.Fatal(err)
	}
	wildcard := regexp.MustCompile(`\{[A-Za-z]+\}`)
	routes := connecthttp.Routes()
	if len(routes) < 10 {
		t.Fatalf("Routes() lists %d routes, want the 10 served and those answered 404", len(routes))
	}
	patternOf := func(method, path string) string {
		r := httptest.NewRequest(method, path, strings.NewReader("{}"))
		h.ServeHTTP(httptest.NewRecorder(), r)
		return r.Pattern
	}
	seen := map[string]bool{}
	for _, rt := range routes {
		if seen[rt.Method+" "+rt.Pattern] {
			t.Errorf("%s %s listed twice", rt.Method, rt.Pattern)
		}
		seen[rt.Method+" "+rt.Pattern] = true
		path := wildcard.ReplaceAllString(rt.Pattern, "x1")
		if got, want := patternOf(rt.Method, path), rt.Method+" "+rt.Pattern; got != want {
			t.Errorf("%s %s was served as %q, want %q", rt.Method, path, got, want)
		}
		if got := patternOf("PATCH", path); got != rt.Pattern {
			t.Errorf("PATCH %s was served as %q, want %q (405)", path, got, rt.Pattern)
		}
	}
	if got := patternOf(http.MethodGet, "/nowhere"); got != "/" {
		t.Errorf("GET /nowhere was served as %q, want \"/\" (404)", got)
	}
}

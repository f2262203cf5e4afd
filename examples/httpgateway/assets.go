package main

import (
	"bytes"
	"embed"
	"io/fs"
	"net/http"
	"strings"
	"time"
)

// assetFiles are the logos the Client API names (displayHints.logo of the
// demo products and of the "cards" group), drawn by assets/gen.go.
//
//go:embed assets/*.png
var assetFiles embed.FS

// assetTime is the Last-Modified of every asset: they change only with a
// new build.
var assetTime = time.Now().UTC().Truncate(time.Second)

// withAssets serves the logos at the session's assetUrl ({origin}/): GET or
// HEAD of /{name}.png for a file in assets/, as plain public images (the
// browser loads them with <img>, without the Client API's Authorization).
// Anything else goes to next, whose answer to an unknown path is a JSON 404.
func withAssets(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			if body, ok := asset(r.URL.Path); ok {
				r.Pattern = logoRoute // for the metrics and the access log
				h := w.Header()
				h.Set("Content-Type", "image/png")
				h.Set("Cache-Control", "public, max-age=3600")
				h.Set("X-Content-Type-Options", "nosniff")
				http.ServeContent(w, r, "", assetTime, bytes.NewReader(body))
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// asset returns the file of a request path "/{name}.png".
func asset(path string) ([]byte, bool) {
	name, ok := strings.CutPrefix(path, "/")
	if !ok || strings.Contains(name, "/") || !strings.HasSuffix(name, ".png") || !fs.ValidPath(name) {
		return nil, false
	}
	body, err := assetFiles.ReadFile("assets/" + name)
	return body, err == nil
}

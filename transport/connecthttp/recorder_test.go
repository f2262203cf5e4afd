package connecthttp_test

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/clientsession/engine/transport/connecthttp"
	"github.com/clientsession/engine/wire/auth"
)

// recordingWriter is an access log's ResponseWriter wrapper: it learns the
// error behind an error answer.
type recordingWriter struct {
	http.ResponseWriter
	err error
}

func (w *recordingWriter) RecordError(err error) { w.err = err }

// wrapped hides recordingWriter behind one more wrapper that only
// unwraps, as a middleware between the access log and the handler would.
type wrapped struct{ http.ResponseWriter }

func (w wrapped) Unwrap() http.ResponseWriter { return w.ResponseWriter }

var errorIDPattern = regexp.MustCompile(`"errorId":"[^"]*"`)

// TestErrorRecorderGetsTheRefusal: each signing mistake is the same 401 on
// the wire, byte for byte but the errorId, whether or not the
// ResponseWriter records errors; a recording ResponseWriter, found
// through Unwrap, gets the error, whose auth.RefusalReason says which
// check failed.
func TestErrorRecorderGetsTheRefusal(t *testing.T) {
	h, err := connecthttp.New(newEngine(t), apiKeys)
	if err != nil {
		t.Fatal(err)
	}
	const target, body = "/v1/1234/sessions", `{}`
	sign := func(method, contentType, date, stringEnd string, secret string) string {
		r := auth.Request{Method: method, ContentType: contentType, Date: date, Target: target}
		s := strings.TrimSuffix(r.StringToSign(), "\n") + stringEnd
		return auth.V1HMACPrefix + "testKeyId:" + auth.Signature([]byte(secret), s)
	}
	now := time.Now().UTC()
	date := now.Format(http.TimeFormat)
	stale := now.Add(-time.Hour).Format(http.TimeFormat)
	tests := []struct {
		name, contentType, date, authz, want string
	}{
		{"wrong secret", "application/json", date, sign("POST", "application/json", date, "\n", "wrong"), "signature_mismatch"},
		{"no final newline", "application/json", date, sign("POST", "application/json", date, "", "testSecretApiKey"), "signed_without_final_newline"},
		{"stale Date", "application/json", stale, sign("POST", "application/json", stale, "\n", "testSecretApiKey"), "date_skew"},
		{"wrong Content-Type", "application/x-www-form-urlencoded", date, sign("POST", "application/json", date, "\n", "testSecretApiKey"), "content_type_not_signed"},
		{"no Authorization", "application/json", date, "", "missing_authorization"},
		{"v1Client on the Server API", "application/json", date, auth.ClientAuthorization("x"), "bad_scheme"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			serve := func(record bool) (*httptest.ResponseRecorder, error) {
				req := httptest.NewRequest(http.MethodPost, target, strings.NewReader(body))
				req.Header.Set("Content-Type", tt.contentType)
				req.Header.Set("Date", tt.date)
				if tt.authz != "" {
					req.Header.Set("Authorization", tt.authz)
				}
				rec := httptest.NewRecorder()
				if !record {
					h.ServeHTTP(rec, req)
					return rec, nil
				}
				rw := &recordingWriter{ResponseWriter: rec}
				h.ServeHTTP(wrapped{rw}, req)
				return rec, rw.err
			}
			plain, _ := serve(false)
			rec, err := serve(true)
			if rec.Code != http.StatusUnauthorized || plain.Code != http.StatusUnauthorized {
				t.Fatalf("status %d and %d, want 401", rec.Code, plain.Code)
			}
			got := errorIDPattern.ReplaceAllString(rec.Body.String(), `"errorId":""`)
			want := errorIDPattern.ReplaceAllString(plain.Body.String(), `"errorId":""`)
			if got != want {
				t.Errorf("answer with a recorder:\n%s\nwithout:\n%s", got, want)
			}
			if !strings.Contains(want, `"code":"9002"`) || strings.Contains(want, tt.want) {
				t.Errorf("answer %s: want the usual 9002, without the reason", want)
			}
			if got := auth.RefusalReason(err); got != tt.want {
				t.Errorf("recorded error %v, reason %q; want %q", err, got, tt.want)
			}
		})
	}
}

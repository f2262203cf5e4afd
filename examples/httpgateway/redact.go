package main

import (
	"errors"
	"net/url"
	"strings"
)

// redacted is what a secret of a flag value becomes in a message.
const redacted = "xxxxx"

// flagError names flag and hides every secret of its value (see
// secretsOf) in err's text, so that no message of the gateway prints a
// password given on the command line, whatever the driver put in it.
func flagError(flag, value string, err error) error {
	msg := err.Error()
	for _, s := range secretsOf(value) {
		msg = strings.ReplaceAll(msg, s, redacted)
	}
	return errors.New(flag + ": " + msg)
}

// secretsOf returns the secrets of a connection URL or DSN, raw and
// unescaped: the password of "scheme://user:password@host" (everything
// between the user name and the last "@", even when the URL does not
// parse), and the value of each password= parameter of a query or of a
// key=value DSN.
func secretsOf(value string) []string {
	var out []string
	add := func(s string) {
		if s == "" {
			return
		}
		out = append(out, s)
		if u, err := url.QueryUnescape(s); err == nil && u != s && u != "" {
			out = append(out, u)
		}
	}
	if _, rest, ok := strings.Cut(value, "://"); ok {
		if at := strings.LastIndex(rest, "@"); at >= 0 {
			if _, pass, ok := strings.Cut(rest[:at], ":"); ok {
				add(pass)
			}
		}
	}
	lower := strings.ToLower(value)
	for i := 0; ; {
		j := strings.Index(lower[i:], "password=")
		if j < 0 {
			break
		}
		i += j + len("password=")
		rest := value[i:]
		var secret string
		if q, ok := strings.CutPrefix(rest, "'"); ok {
			secret, _, _ = strings.Cut(q, "'")
		} else {
			end := strings.IndexAny(rest, "& ")
			if end < 0 {
				end = len(rest)
			}
			secret = rest[:end]
		}
		add(secret)
	}
	return out
}

package main

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"
)

// lineBuffer is the access log's writer: each Write (one log line, as
// slog's handlers write them) is appended to a buffer, and the buffer goes
// to the underlying writer in one write when it holds size bytes, when
// Flush is called (every flushInterval by flushEvery, and at shutdown), so
// that a request costs no write system call of its own.
//
// Nothing is dropped and memory stays bounded: a Write that fills the
// buffer writes it out before returning, waiting for a write already under
// way, as an unbuffered writer would; lines of other requests meanwhile go
// to a second buffer, so the two hold at most size plus one line per
// request in flight. What a crash loses is what the buffer holds: at most
// size bytes, or flushInterval of lines.
type lineBuffer struct {
	w    io.Writer
	size int

	mu  sync.Mutex // guards buf
	buf []byte

	flushMu sync.Mutex // serializes writes to w; guards spare
	spare   []byte
}

// flushInterval is how long a line may wait in the buffer.
const flushInterval = 200 * time.Millisecond

func newLineBuffer(w io.Writer, size int) *lineBuffer {
	return &lineBuffer{w: w, size: size, buf: make([]byte, 0, size), spare: make([]byte, 0, size)}
}

// Write appends p, writing the buffer out when it is full. It never fails:
// an error of the underlying writer is Flush's to report.
func (l *lineBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	l.buf = append(l.buf, p...)
	full := len(l.buf) >= l.size
	l.mu.Unlock()
	if full {
		_ = l.Flush()
	}
	return len(p), nil
}

// Flush writes out what the buffer holds.
func (l *lineBuffer) Flush() error {
	l.flushMu.Lock()
	defer l.flushMu.Unlock()
	l.mu.Lock()
	out := l.buf
	l.buf = l.spare[:0]
	l.mu.Unlock()
	if len(out) == 0 {
		l.spare = out
		return nil
	}
	_, err := l.w.Write(out)
	l.spare = out[:0]
	return err
}

// flushEvery flushes every interval until ctx is done, then once more.
func (l *lineBuffer) flushEvery(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			_ = l.Flush()
			return
		case <-t.C:
			_ = l.Flush()
		}
	}
}

// accessLog writes the access log line of one request: method, route
// template, status, duration, merchant and the reason of a refused
// credential ("" for none). It hands the record to the
// logger's handler itself, as Logger.LogAttrs would but without its
// runtime.Callers (the line has no source location), and allocates
// nothing: with the JSON handler and a lineBuffer, the line is all it
// costs.
func accessLog(ctx context.Context, log *slog.Logger, now time.Time, method, route string, status int, took time.Duration, merchant, reason string) {
	h := log.Handler()
	if !h.Enabled(ctx, slog.LevelInfo) {
		return
	}
	rec := slog.NewRecord(now, slog.LevelInfo, "request", 0)
	rec.AddAttrs(
		slog.String("method", method),
		slog.String("route", route),
		slog.Int("status", status),
		slog.Duration("duration", took),
		slog.String("merchant", merchant),
		slog.String("reason", reason))
	_ = h.Handle(ctx, rec)
}

// jsonLineHandler is slog.NewJSONHandler(w, nil), made cheap for the
// access log's records: a record whose attributes are strings, integers,
// durations and booleans, with non-empty keys, is formatted here, byte for
// byte as the JSON handler formats it (TestJSONLineHandlerMatchesSlog,
// FuzzJSONLineHandler), into a pooled buffer and written in one Write;
// any other record, and every logger derived by WithAttrs or WithGroup,
// goes to the JSON handler itself. It logs Info and above, as the JSON
// handler does without options. w must be safe for concurrent use (a
// lineBuffer is), since the records formatted here are written without the
// JSON handler's lock.
type jsonLineHandler struct {
	w    io.Writer
	json slog.Handler
	bufs sync.Pool // *[]byte
}

func newJSONLineHandler(w io.Writer) *jsonLineHandler {
	return &jsonLineHandler{w: w, json: slog.NewJSONHandler(w, nil)}
}

// Enabled implements slog.Handler.
func (h *jsonLineHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.json.Enabled(ctx, l)
}

// WithAttrs implements slog.Handler: the JSON handler's.
func (h *jsonLineHandler) WithAttrs(as []slog.Attr) slog.Handler { return h.json.WithAttrs(as) }

// WithGroup implements slog.Handler: the JSON handler's.
func (h *jsonLineHandler) WithGroup(name string) slog.Handler { return h.json.WithGroup(name) }

// Handle implements slog.Handler.
func (h *jsonLineHandler) Handle(ctx context.Context, r slog.Record) error {
	if !flatRecord(r) {
		return h.json.Handle(ctx, r)
	}
	bp, _ := h.bufs.Get().(*[]byte)
	if bp == nil {
		bp = new([]byte)
	}
	b := (*bp)[:0]
	b = append(b, '{')
	if !r.Time.IsZero() {
		b = append(b, `"time":"`...)
		b = r.Time.AppendFormat(b, time.RFC3339Nano)
		b = append(b, `",`...)
	}
	b = append(b, `"level":`...)
	b = appendLogString(b, r.Level.String())
	b = append(b, `,"msg":`...)
	b = appendLogString(b, r.Message)
	r.Attrs(func(a slog.Attr) bool {
		b = append(b, ',')
		b = appendLogString(b, a.Key)
		b = append(b, ':')
		switch v := a.Value; v.Kind() {
		case slog.KindString:
			b = appendLogString(b, v.String())
		case slog.KindInt64:
			b = strconv.AppendInt(b, v.Int64(), 10)
		case slog.KindUint64:
			b = strconv.AppendUint(b, v.Uint64(), 10)
		case slog.KindDuration:
			b = strconv.AppendInt(b, int64(v.Duration()), 10)
		default: // KindBool, as flatRecord allows
			b = strconv.AppendBool(b, v.Bool())
		}
		return true
	})
	b = append(b, "}\n"...)
	_, err := h.w.Write(b)
	if cap(b) <= 4<<10 {
		*bp = b
		h.bufs.Put(bp)
	}
	return err
}

// flatRecord reports whether jsonLineHandler formats r itself: its time
// has a four-digit year (or is zero), and every attribute has a key and a
// string, integer, duration or boolean value.
func flatRecord(r slog.Record) bool {
	if y := r.Time.Year(); !r.Time.IsZero() && (y < 0 || y >= 10000) {
		return false
	}
	flat := true
	r.Attrs(func(a slog.Attr) bool {
		switch a.Value.Kind() {
		case slog.KindString, slog.KindInt64, slog.KindUint64, slog.KindDuration, slog.KindBool:
			flat = a.Key != ""
		default:
			flat = false
		}
		return flat
	})
	return flat
}

// appendLogString appends s as a JSON string escaped as slog's JSON
// handler escapes it: '"' and '\\' with a backslash, \n, \r and \t by
// name, other bytes below 0x20 as \u00XX, U+2028 and U+2029 as \u2028 and
// \u2029, each byte of invalid UTF-8 as \ufffd; '<', '>' and '&' as they
// are.
func appendLogString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

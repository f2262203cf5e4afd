package main

import (
	"context"
	"io"
	"sync"
	"time"
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

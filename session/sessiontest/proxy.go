package sessiontest

import (
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// LagProxy forwards TCP connections to a target and delivers every byte,
// in both directions, a fixed lag after it read it: a slow network link on
// loopback. Failover tests put one on a replication link (the replica or
// standby connects to its primary through it), so that a replica is
// behind the acknowledgements its primary gives to clients, as across
// hosts.
//
// When either side closes or fails, the proxy closes both at once and
// drops what it has not delivered yet: a primary killed behind a lagging
// proxy loses what was on the wire, as with the loss of its host. Cut does
// the same to every connection and refuses new ones until Restore.
type LagProxy struct {
	l      net.Listener
	target string
	lag    atomic.Int64 // nanoseconds
	down   atomic.Bool
	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	wg     sync.WaitGroup
}

// NewLagProxy listens on listen (e.g. "127.0.0.1:0") and forwards to
// target, without lag until SetLag. It is closed, with every connection,
// when tb ends.
func NewLagProxy(tb testing.TB, listen, target string) *LagProxy {
	tb.Helper()
	l, err := net.Listen("tcp", listen)
	if err != nil {
		tb.Fatalf("lag proxy: %v", err)
	}
	p := &LagProxy{l: l, target: target, conns: map[net.Conn]struct{}{}}
	p.wg.Go(p.serve)
	tb.Cleanup(func() {
		if !p.close(10 * time.Second) {
			tb.Error("lag proxy: its goroutines did not end within 10 s of closing")
		}
	})
	return p
}

// Addr is the proxy's address, host:port.
func (p *LagProxy) Addr() string { return p.l.Addr().String() }

// Port is the proxy's port.
func (p *LagProxy) Port() int {
	_, port, _ := net.SplitHostPort(p.Addr())
	n, _ := strconv.Atoi(port)
	return n
}

// SetLag sets the delay of every byte read from now on, in both directions.
func (p *LagProxy) SetLag(d time.Duration) { p.lag.Store(int64(d)) }

// Cut closes every connection, dropping what was not delivered, and
// refuses new ones until Restore.
func (p *LagProxy) Cut() {
	p.down.Store(true)
	p.closeConns()
}

// Restore accepts connections again after Cut.
func (p *LagProxy) Restore() { p.down.Store(false) }

// close closes the listener and every connection and reports whether
// the proxy's goroutines ended within d.
func (p *LagProxy) close(d time.Duration) bool {
	p.down.Store(true)
	_ = p.l.Close()
	p.closeConns()
	done := make(chan struct{})
	go func() { p.wg.Wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-time.After(d):
		return false
	}
}

func (p *LagProxy) closeConns() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		_ = c.Close()
	}
	clear(p.conns)
}

func (p *LagProxy) serve() {
	for {
		c, err := p.l.Accept()
		if err != nil {
			return
		}
		if p.down.Load() {
			_ = c.Close()
			continue
		}
		up, err := net.DialTimeout("tcp", p.target, 2*time.Second)
		if err != nil {
			_ = c.Close()
			continue
		}
		p.mu.Lock()
		p.conns[c], p.conns[up] = struct{}{}, struct{}{}
		p.mu.Unlock()
		if p.down.Load() {
			// Cut ran while this connection was being dialled: it was not
			// in the set Cut closed, so close it here. (Registered first,
			// checked second: no connection outlives a Cut.)
			p.mu.Lock()
			delete(p.conns, c)
			delete(p.conns, up)
			p.mu.Unlock()
			_ = c.Close()
			_ = up.Close()
			continue
		}
		var once sync.Once
		both := func() {
			once.Do(func() {
				_ = c.Close()
				_ = up.Close()
				p.mu.Lock()
				delete(p.conns, c)
				delete(p.conns, up)
				p.mu.Unlock()
			})
		}
		p.pipe(up, c, both)
		p.pipe(c, up, both)
	}
}

// chunk is bytes read at one time, due at due.
type chunk struct {
	due  time.Time
	data []byte
}

// pipe copies src to dst, each read delivered lag after it was read. On
// the first error of either side it calls both, which closes the two
// connections: the writer then drops what is queued.
func (p *LagProxy) pipe(dst, src net.Conn, both func()) {
	queue := make(chan chunk, 4096)
	p.wg.Go(func() {
		defer close(queue)
		defer both()
		for {
			buf := make([]byte, 32<<10)
			n, err := src.Read(buf)
			if n > 0 {
				queue <- chunk{due: time.Now().Add(time.Duration(p.lag.Load())), data: buf[:n]}
			}
			if err != nil {
				return
			}
		}
	})
	p.wg.Go(func() {
		failed := false
		for c := range queue {
			if failed {
				continue // closed: drop the rest
			}
			if d := time.Until(c.due); d > 0 {
				time.Sleep(d)
			}
			if _, err := dst.Write(c.data); err != nil {
				failed = true
				both()
			}
		}
	})
}

package sessiontest_test

import (
	"bufio"
	"io"
	"net"
	"testing"
	"time"

	"github.com/clientsession/engine/session/sessiontest"
)

// echoServer echoes every connection until the test ends.
func echoServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() { _, _ = io.Copy(c, c); _ = c.Close() }()
		}
	}()
	return l.Addr().String()
}

func roundTrip(t *testing.T, c net.Conn, r *bufio.Reader) (time.Duration, error) {
	t.Helper()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	start := time.Now()
	if _, err := c.Write([]byte("ping\n")); err != nil {
		return 0, err
	}
	line, err := r.ReadString('\n')
	if err == nil && line != "ping\n" {
		t.Fatalf("echo through the proxy = %q; want ping", line)
	}
	return time.Since(start), err
}

// The proxy delays every byte by its lag in each direction, and Cut closes
// its connections and refuses new ones until Restore.
func TestLagProxy(t *testing.T) {
	p := sessiontest.NewLagProxy(t, "127.0.0.1:0", echoServer(t))
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.Close() }()
	r := bufio.NewReader(c)
	if _, err := roundTrip(t, c, r); err != nil {
		t.Fatal(err)
	}
	p.SetLag(50 * time.Millisecond)
	took, err := roundTrip(t, c, r)
	if err != nil {
		t.Fatal(err)
	}
	if took < 100*time.Millisecond {
		t.Errorf("a round trip with 50 ms of lag each way took %s; want at least 100 ms", took)
	}

	p.Cut()
	if _, err := roundTrip(t, c, r); err == nil {
		t.Error("a connection survived Cut")
	}
	if c2, err := net.Dial("tcp", p.Addr()); err == nil {
		_ = c2.SetDeadline(time.Now().Add(5 * time.Second))
		if _, err := c2.Read(make([]byte, 1)); err == nil {
			t.Error("a connection made after Cut stayed open")
		}
		_ = c2.Close()
	}
	p.Restore()
	p.SetLag(0)
	c3, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c3.Close() }()
	if _, err := roundTrip(t, c3, bufio.NewReader(c3)); err != nil {
		t.Errorf("after Restore: %v", err)
	}
}

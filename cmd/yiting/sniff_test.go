package main

import (
	"crypto/tls"
	"errors"
	"net"
	"testing"
	"time"
)

// TestSniffingIsBounded: connections that never send their first byte
// are held, maxSniffing at most; one more is closed at once, and a place
// freed by a silent client that leaves lets a new connection through to
// the server.
func TestSniffingIsBounded(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := newSniffListener(inner, &tls.Config{})
	t.Cleanup(func() { l.Close() })
	accepted := make(chan net.Conn, 1)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			accepted <- c
		}
	}()
	dial := func() net.Conn {
		c, err := net.Dial("tcp", inner.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	silent := make([]net.Conn, maxSniffing)
	for i := range silent {
		silent[i] = dial()
	}
	c := dial()
	c.SetReadDeadline(time.Now().Add(sniffTimeout / 2))
	var ne net.Error
	if _, err := c.Read(make([]byte, 1)); err == nil || errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("a connection past %d silent ones is held (%v)", maxSniffing, err)
	}

	silent[0].Close()
	deadline := time.Now().Add(sniffTimeout / 2)
	for {
		c := dial()
		c.Write([]byte("G"))
		select {
		case got := <-accepted:
			got.Close()
			return
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("the place of a silent client that left is never freed")
		}
	}
}

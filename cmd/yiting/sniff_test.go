package main

import (
	"crypto/tls"
	"net"
	"testing"
	"time"
)

// TestSniffingIsBounded: connections that never send their first byte
// are held, maxSniffing at most; the next one waits in the kernel's
// accept queue, unread, and goes through as soon as a silent client
// leaves.
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
	if _, err := c.Write([]byte("GET / HTTP/1.1\r\n")); err != nil {
		t.Fatal(err)
	}
	select {
	case <-accepted:
		t.Fatalf("a connection past %d silent ones was taken in", maxSniffing)
	case <-time.After(200 * time.Millisecond): // it waits; the next step shows it was only waiting
	}
	silent[0].Close()
	select {
	case got := <-accepted:
		got.Close()
	case <-time.After(sniffTimeout / 2):
		t.Fatal("the place of a silent client that left is never freed")
	}
}

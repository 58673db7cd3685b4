package main

import (
	"bufio"
	"crypto/tls"
	"errors"
	"net"
	"sync"
	"time"
)

// sniffListener serves plain HTTP and TLS on one port: the hall's screens
// (boards, pads, consoles in a browser) keep the http:// address they were
// set up with, and kiosks on other Pis reach the same address over TLS.
// The first byte of a connection decides: 0x16 begins a TLS handshake
// record, which no HTTP request does. Each connection is sniffed on its
// own goroutine, so a client that connects and says nothing holds up no
// one; it is dropped after sniffTimeout. At most maxSniffing wait for
// their first byte at once: this is before the server's connection limit
// (httpapi.Limits) sees them, and a flood of silent connections must not
// hold a goroutine each. The next connections wait in the kernel's
// accept queue, which costs the process nothing, until one is done.
type sniffListener struct {
	net.Listener
	tls      *tls.Config
	conns    chan net.Conn
	done     chan struct{}
	once     sync.Once
	err      error         // why Accept ends; set before done is closed
	sniffing chan struct{} // a place for each connection being sniffed
}

const (
	// sniffTimeout bounds the wait for a connection's first byte.
	sniffTimeout = 10 * time.Second
	// maxSniffing bounds the connections waiting for their first byte.
	// A browser sends its request as soon as it connects, so a place is
	// held for milliseconds: a whole hall reconnecting after a restart
	// goes through them at once, a flood of silent connections holds them
	// for sniffTimeout each.
	maxSniffing = 128
)

func newSniffListener(inner net.Listener, cfg *tls.Config) *sniffListener {
	l := &sniffListener{Listener: inner, tls: cfg, conns: make(chan net.Conn), done: make(chan struct{}), sniffing: make(chan struct{}, maxSniffing)}
	go l.accept()
	return l
}

func (l *sniffListener) accept() {
	for {
		select {
		case l.sniffing <- struct{}{}:
		case <-l.done:
			return
		}
		c, err := l.Listener.Accept()
		if err != nil {
			<-l.sniffing
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			l.stop(err)
			return
		}
		go l.sniff(c)
	}
}

func (l *sniffListener) sniff(c net.Conn) {
	_ = c.SetReadDeadline(time.Now().Add(sniffTimeout))
	// The smallest buffer bufio allows: it is kept for the connection's
	// life (an event stream's day) and only the first byte is peeked;
	// larger reads go around it.
	br := bufio.NewReaderSize(c, 16)
	first, err := br.Peek(1)
	<-l.sniffing
	if err != nil {
		c.Close()
		return
	}
	_ = c.SetReadDeadline(time.Time{})
	var out net.Conn = &peekedConn{Conn: c, r: br}
	if first[0] == 0x16 {
		out = tls.Server(out, l.tls)
	}
	select {
	case l.conns <- out:
	case <-l.done:
		c.Close()
	}
}

// Accept returns the next sniffed connection: a *tls.Conn for TLS, so that
// net/http does the handshake and sets Request.TLS.
func (l *sniffListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, l.err
	}
}

// Close stops accepting.
func (l *sniffListener) Close() error {
	err := l.Listener.Close()
	l.stop(net.ErrClosed)
	return err
}

// stop ends Accept with err, once.
func (l *sniffListener) stop(err error) {
	l.once.Do(func() {
		l.err = err
		close(l.done)
	})
}

// peekedConn reads first what was peeked.
type peekedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *peekedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

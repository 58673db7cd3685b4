package main

import (
	"io"
	"net"
	"sync"
)

// linkProxy forwards a site's leaf link to the hub; blocking it cuts the
// line (open connections closed, new ones refused) as a dropped rural
// line would. For the county's load tool and tests.
type linkProxy struct {
	ln      net.Listener
	to      string
	mu      sync.Mutex
	blocked bool
	conns   []net.Conn
}

// newLinkProxy listens on a free loopback port and forwards to to.
func newLinkProxy(to string) (*linkProxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &linkProxy{ln: ln, to: to}
	go p.serve()
	return p, nil
}

func (p *linkProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.blocked {
			p.mu.Unlock()
			c.Close()
			continue
		}
		up, err := net.Dial("tcp", p.to)
		if err != nil {
			p.mu.Unlock()
			c.Close()
			continue
		}
		p.conns = append(p.conns, c, up)
		p.mu.Unlock()
		go func() { io.Copy(up, c); up.Close() }()
		go func() { io.Copy(c, up); c.Close() }()
	}
}

// addr is where a site dials.
func (p *linkProxy) addr() string { return p.ln.Addr().String() }

func (p *linkProxy) block(b bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.blocked = b
	if b {
		for _, c := range p.conns {
			c.Close()
		}
		p.conns = nil
	}
}

// close stops listening and cuts every forwarded connection.
func (p *linkProxy) close() {
	p.ln.Close()
	p.block(true)
}

package county

import (
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// SiteServer is a site's embedded NATS server: JetStream in the site's own
// domain, its store in the data directory, and, when a hub is named, a
// leaf-node link dialled out to it (no inbound port at the township).
type SiteServer struct {
	srv  *server.Server
	conn *nats.Conn
}

// SiteServerOptions configure a SiteServer.
type SiteServerOptions struct {
	Site     string // the site id: its JetStream domain
	StoreDir string // JetStream's files, inside the site's data directory
	// Hub is the county hub's leaf-node URL (nats-leaf://…:7422, or
	// tls://… with TLS); "" runs the site alone, its stream filling until
	// a hub is named.
	Hub string
	// Credentials is the site's credentials file for the hub (made by the
	// hub's admin); with Hub.
	Credentials string
}

// StartSiteServer starts the server and connects to it in process.
func StartSiteServer(o SiteServerOptions) (*SiteServer, error) {
	if !ValidSite(o.Site) {
		return nil, fmt.Errorf("county: site id %q: letters, digits, '-' and '_' only, at most 32", o.Site)
	}
	if o.StoreDir == "" {
		return nil, errors.New("county: the site server needs a store directory")
	}
	opts := &server.Options{
		ServerName:      "yiting-" + o.Site,
		DontListen:      true, // the hall's own processes connect in process
		JetStream:       true,
		JetStreamDomain: o.Site,
		StoreDir:        o.StoreDir,
		NoSigs:          true,
		NoLog:           true,
	}
	if o.Hub != "" {
		u, err := url.Parse(o.Hub)
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("county: hub %q is not a URL such as nats-leaf://county.example:7422", o.Hub)
		}
		opts.LeafNode.Remotes = []*server.RemoteLeafOpts{{URLs: []*url.URL{u}, Credentials: o.Credentials}}
	}
	srv, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("county: the site's NATS server: %w", err)
	}
	srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		srv.Shutdown()
		return nil, errors.New("county: the site's NATS server did not start in 10 s")
	}
	conn, err := nats.Connect("", nats.InProcessServer(srv), nats.Name("yiting site "+o.Site), nats.MaxReconnects(-1))
	if err != nil {
		srv.Shutdown()
		return nil, fmt.Errorf("county: connect to the site's NATS server: %w", err)
	}
	return &SiteServer{srv: srv, conn: conn}, nil
}

// Conn is the in-process connection to the site's server.
func (s *SiteServer) Conn() *nats.Conn { return s.conn }

// Close stops the server after draining the connection.
func (s *SiteServer) Close() {
	s.conn.Close()
	s.srv.Shutdown()
	s.srv.WaitForShutdown()
}

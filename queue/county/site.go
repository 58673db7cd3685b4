package county

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"time"
	"yiting/queue/sites"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"yiting/tlspin"
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
	// Hub is the county hub's leaf-node URL (tls://county.example.cn:7422;
	// the link is TLS whatever the scheme); "" runs the site alone, its
	// stream filling until a hub is named.
	Hub string
	// Credentials is the site's credentials file for the hub (made by the
	// hub's admin, ReadCredentials); required with Hub.
	Credentials string
	Logger      *slog.Logger // the server's warnings and errors; slog.Default() if nil
}

// StartSiteServer starts the server and connects to it in process.
func StartSiteServer(o SiteServerOptions) (*SiteServer, error) {
	if !sites.ValidID(o.Site) {
		return nil, siteIDError(o.Site)
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
	}
	if o.Hub != "" {
		u, err := url.Parse(o.Hub)
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("county: hub %q is not a URL such as nats-leaf://county.example:7422", o.Hub)
		}
		remote, err := hubRemote(o.Site, u, o.Credentials)
		if err != nil {
			return nil, err
		}
		opts.LeafNode.Remotes = []*server.RemoteLeafOpts{remote}
	}
	srv, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("county: the site's NATS server: %w", err)
	}
	log := o.Logger
	if log == nil {
		log = slog.Default()
	}
	srv.SetLoggerV2(natsLog{log}, false, false, false)
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

// hubRemote is the leaf link to the hub: the site's nkey signs the hub's
// challenge, and TLS trusts exactly the hub's certificate (its pin in the
// credentials file).
func hubRemote(site string, hub *url.URL, credentials string) (*server.RemoteLeafOpts, error) {
	if credentials == "" {
		return nil, errors.New("county: a site linked to a hub needs its credentials file ([county] credentials), made by the county's admin")
	}
	c, err := ReadCredentials(credentials)
	if err != nil {
		return nil, err
	}
	if c.Site != site {
		return nil, fmt.Errorf("county: the credentials file %s is site %q's, this hall is site %q", credentials, c.Site, site)
	}
	tc, err := tlspin.Config(c.HubPin)
	if err != nil {
		return nil, err
	}
	return &server.RemoteLeafOpts{URLs: []*url.URL{hub}, Nkey: c.Seed, TLS: true, TLSConfig: tc, TLSTimeout: 10}, nil
}

// LinkUp reports whether the leaf link to the hub is connected.
func (s *SiteServer) LinkUp() bool { return s.srv.NumLeafNodes() > 0 }

// Conn is the in-process connection to the site's server.
func (s *SiteServer) Conn() *nats.Conn { return s.conn }

// Close stops the server after draining the connection.
func (s *SiteServer) Close() {
	s.conn.Close()
	s.srv.Shutdown()
	s.srv.WaitForShutdown()
}

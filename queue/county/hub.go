package county

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/jwt/v2"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nkeys"

	"yiting/queue/sites"
)

// HubDomain is the county hub's JetStream domain; no site may take it.
const HubDomain = sites.HubDomain

// CountyStream is the hub's stream: it sources every registered site's
// EVENTS stream (see the package doc for what its messages are).
const CountyStream = "COUNTY"

// HubSite is a registered site as the hub's NATS server knows it: its id
// (its JetStream domain and subject token) and the public key of its
// credentials.
type HubSite struct {
	ID        string
	PublicKey string
}

// HubServerOptions configure a HubServer.
type HubServerOptions struct {
	StoreDir string // JetStream's files, inside the hub's data directory
	// LeafAddr is where sites dial in ("0.0.0.0:7422"); port 0 picks a
	// free one (LeafAddr tells which).
	LeafAddr string
	// Certificate is the hub's own, which sites pin (their credentials
	// carry its pin): the leaf listener speaks TLS only.
	Certificate tls.Certificate
	Sites       []HubSite
	// MaxBytes bounds the county stream; 0: no bound (it is the county's
	// record of every site's events, from which the read model can be
	// built again).
	MaxBytes int64
	Logger   *slog.Logger // slog.Default() if nil
}

// HubServer is the county hub's embedded NATS server: JetStream in the
// hub's domain, a TLS leaf-node listener where each registered site logs
// in with its own nkey, and the county stream sourcing every site's.
type HubServer struct {
	srv      *server.Server
	conn     *nats.Conn
	js       jetstream.JetStream
	leafAddr *net.TCPAddr
	build    func(sites []HubSite) *server.Options
	maxBytes int64

	mu    sync.Mutex // orders SetSites
	sites []HubSite
}

// StartHubServer starts the hub's server, connects to it in process and
// creates (or updates) the county stream with a source for each site.
func StartHubServer(ctx context.Context, o HubServerOptions) (*HubServer, error) {
	if o.StoreDir == "" {
		return nil, errors.New("county: the hub's server needs a store directory")
	}
	if len(o.Certificate.Certificate) == 0 {
		return nil, errors.New("county: the hub's leaf listener needs its certificate")
	}
	if err := checkSites(o.Sites); err != nil {
		return nil, err
	}
	log := o.Logger
	if log == nil {
		log = slog.Default()
	}
	leaf, err := reservePort(o.LeafAddr)
	if err != nil {
		return nil, err
	}
	// The hub's own connection logs in with a key made for this run and
	// never written anywhere; it may connect in process only.
	self, err := nkeys.CreateUser()
	if err != nil {
		return nil, err
	}
	selfPub, _ := self.PublicKey()
	tc := &tls.Config{Certificates: []tls.Certificate{o.Certificate}, MinVersion: tls.VersionTLS12}
	build := func(sites []HubSite) *server.Options {
		users := []*server.NkeyUser{{Nkey: selfPub, AllowedConnectionTypes: map[string]struct{}{jwt.ConnectionTypeInProcess: {}}}}
		for _, s := range sites {
			users = append(users, &server.NkeyUser{Nkey: s.PublicKey, Permissions: sitePermissions(s.ID),
				AllowedConnectionTypes: map[string]struct{}{jwt.ConnectionTypeLeafnode: {}}})
		}
		opts := &server.Options{
			ServerName:      "yiting-" + HubDomain,
			DontListen:      true, // no client port: the hub's processes connect in process
			JetStream:       true,
			JetStreamDomain: HubDomain,
			StoreDir:        o.StoreDir,
			NoSigs:          true,
			Nkeys:           users,
		}
		opts.LeafNode.Host, opts.LeafNode.Port = leaf.IP.String(), leaf.Port
		opts.LeafNode.TLSConfig, opts.LeafNode.TLSTimeout = tc, 10
		return opts
	}
	srv, err := server.NewServer(build(o.Sites))
	if err != nil {
		return nil, fmt.Errorf("county: the hub's NATS server: %w", err)
	}
	srv.SetLoggerV2(natsLog{log}, false, false, false)
	srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		srv.Shutdown()
		return nil, fmt.Errorf("county: the hub's NATS server did not start in 10 s (is the leaf port %s free?)", leaf)
	}
	conn, err := nats.Connect("", nats.InProcessServer(srv), nats.Name("yiting hub"), nats.MaxReconnects(-1),
		nats.Nkey(selfPub, func(nonce []byte) ([]byte, error) { return self.Sign(nonce) }))
	if err != nil {
		srv.Shutdown()
		return nil, fmt.Errorf("county: connect to the hub's NATS server: %w", err)
	}
	h := &HubServer{srv: srv, conn: conn, leafAddr: leaf, build: build, maxBytes: o.MaxBytes, sites: slices.Clone(o.Sites)}
	if h.js, err = jetstream.New(conn); err == nil {
		err = h.updateStream(ctx, o.Sites)
	}
	if err != nil {
		h.Close()
		return nil, err
	}
	return h, nil
}

// reservePort checks that the leaf address can be listened on and picks
// the port when it is 0: the NATS server listens on it just after, and
// neither says why it could not nor which port it took.
func reservePort(addr string) (*net.TCPAddr, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("county: the hub's leaf listener: %w", err)
	}
	a := ln.Addr().(*net.TCPAddr)
	ln.Close()
	return a, nil
}

// sitePermissions are what a site's leaf connection may do, from the
// site's side: publish its own subjects only (its events' delivery to
// the county stream goes under them: DeliverPrefix), and receive its own
// subjects (its commands, later) and the JetStream API requests of its
// own domain. A site therefore cannot answer another site's API (which
// would feed the county another site's events), publish into another
// site's delivery, read another site's commands, nor reach the hub's own
// JetStream API.
//
// The answers to the hub's API requests go to "$JSC.R.<random>", the
// reply subject the hub's sourcing chooses: NATS's allow_responses does
// not follow a request across a leaf link, so the site may publish
// there. Another site's answer would need the random token of a request
// it never sees, and even a guessed one only makes the hub wait for a
// delivery under a subject the guesser may not publish.
func sitePermissions(site string) *server.Permissions {
	own := "yiting." + site + ".>"
	return &server.Permissions{
		Publish: &server.SubjectPermission{Allow: []string{own, "$JSC.R.>"}},
		Subscribe: &server.SubjectPermission{Allow: []string{own, "$JS." + site + ".API.>",
			// The hub's answers to the flow control of the site's
			// source consumer (no data; the subject names the site's
			// stream, EVENTS, and its consumer).
			"$JS.FC." + StreamName + ".>"}},
	}
}

// source is the county stream's source of one site's stream. Every
// message of it with a subject of three tokens — the form of every
// site's events subject — is stored under this site's, whatever subject
// the site sent (the site's server chooses what it delivers): a site
// cannot write under another site's events subject. (A transform cannot
// map ">" to one subject; a message of another length keeps its subject
// and is no site's events.)
func source(site string) *jetstream.StreamSource {
	return &jetstream.StreamSource{
		Name:              StreamName,
		External:          &jetstream.ExternalStream{APIPrefix: "$JS." + site + ".API", DeliverPrefix: deliverPrefix(site)},
		SubjectTransforms: []jetstream.SubjectTransformConfig{{Source: "*.*.*", Destination: Subject(site)}},
	}
}

// deliverPrefix is where a site's stream delivers to the hub: under the
// site's own subjects, which only it may publish.
func deliverPrefix(site string) string { return "yiting." + site + ".deliver" }

func (h *HubServer) updateStream(ctx context.Context, sites []HubSite) error {
	cfg := jetstream.StreamConfig{
		Name: CountyStream, Storage: jetstream.FileStorage, Retention: jetstream.LimitsPolicy,
		Discard: jetstream.DiscardOld, MaxBytes: h.maxBytes,
		// No duplicate window: sourcing already brings each message of a
		// site's stream once, and a window would let a site's message
		// id (a header the site chooses) drop another site's message.
		Duplicates: 0,
	}
	if cfg.MaxBytes == 0 {
		cfg.MaxBytes = -1
	}
	for _, s := range sites {
		cfg.Sources = append(cfg.Sources, source(s.ID))
	}
	if _, err := h.js.CreateOrUpdateStream(ctx, cfg); err != nil {
		return fmt.Errorf("county: the county stream: %w", err)
	}
	return nil
}

// SetSites makes the registered sites these: a new site may log in and
// its stream is sourced; a removed one is refused (its link is closed)
// and no longer sourced — what it sent stays in the county stream.
func (h *HubServer) SetSites(ctx context.Context, sites []HubSite) error {
	if err := checkSites(sites); err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.srv.ReloadOptions(h.build(sites)); err != nil {
		return fmt.Errorf("county: the hub's site keys: %w", err)
	}
	if err := h.updateStream(ctx, sites); err != nil {
		return err
	}
	removed := false
	for _, old := range h.sites {
		removed = removed || !slices.Contains(sites, old)
	}
	h.sites = slices.Clone(sites)
	if removed {
		// The server keeps a link that logged in with a key it no longer
		// has, and does not tell which link is whose: close them all.
		// Every other site dials again within a second.
		return h.closeLinks()
	}
	return nil
}

func (h *HubServer) closeLinks() error {
	lz, err := h.srv.Leafz(nil)
	if err != nil {
		return err
	}
	for _, l := range lz.Leafs {
		_ = h.srv.DisconnectClientByID(l.ID) // gone already: fine
	}
	return nil
}

func checkSites(list []HubSite) error {
	seen := map[string]bool{}
	for _, s := range list {
		if !sites.ValidID(s.ID) {
			return siteIDError(s.ID)
		}
		if !nkeys.IsValidPublicUserKey(s.PublicKey) {
			return fmt.Errorf("county: site %s: %q is not a NATS user's public key", s.ID, s.PublicKey)
		}
		if seen[s.ID] || seen[s.PublicKey] {
			return fmt.Errorf("county: site %s: its id or key is another site's", s.ID)
		}
		seen[s.ID], seen[s.PublicKey] = true, true
	}
	return nil
}

// LeafAddr is the address the leaf listener took.
func (h *HubServer) LeafAddr() *net.TCPAddr { return h.leafAddr }

// Conn is the hub's in-process connection, with every permission: the
// read model consumes the county stream through it.
func (h *HubServer) Conn() *nats.Conn { return h.conn }

// Link is how a site's link stands, as the county stream's source of it
// tells.
type Link struct {
	Site string
	// Up: the hub heard from the site's stream (a message or its
	// heartbeat, every second while linked) within the last 10 s.
	Up bool
	// LastEvent is the site's last event in the county stream (its
	// sequence in the site's log); 0: none yet.
	LastEvent uint64
	// Lag is how many messages the site's stream held beyond what the
	// hub had, when the hub last heard from it.
	Lag uint64
	// Seen is how long ago the hub last heard from the site; negative:
	// never since the hub started.
	Seen time.Duration
}

// linkUpWithin is how recently a site must have been heard to count as
// linked: its source consumer beats every second, and the hub's server
// sets a silent source up again after 10 s.
const linkUpWithin = 10 * time.Second

// Links reports each registered site's link, in the order of the sites.
func (h *HubServer) Links(ctx context.Context) ([]Link, error) {
	h.mu.Lock()
	sites := slices.Clone(h.sites)
	h.mu.Unlock()
	st, err := h.js.Stream(ctx, CountyStream)
	if err != nil {
		return nil, err
	}
	info, err := st.Info(ctx)
	if err != nil {
		return nil, err
	}
	bySite := map[string]*jetstream.StreamSourceInfo{}
	for _, si := range info.Sources {
		if si.External != nil {
			bySite[si.External.DeliverPrefix] = si
		}
	}
	links := make([]Link, 0, len(sites))
	for _, s := range sites {
		l := Link{Site: s.ID, Seen: -1}
		if si := bySite[deliverPrefix(s.ID)]; si != nil {
			l.Seen, l.Lag = si.Active, si.Lag
			l.Up = si.Active >= 0 && si.Active < linkUpWithin && si.Error == nil
		}
		m, err := st.GetLastMsgForSubject(ctx, Subject(s.ID))
		switch {
		case errors.Is(err, jetstream.ErrMsgNotFound):
		case err != nil:
			return nil, err
		default:
			l.LastEvent, _ = strconv.ParseUint(m.Header.Get(SeqHeader), 10, 64)
		}
		links = append(links, l)
	}
	return links, nil
}

// Close stops the server after closing the connection.
func (h *HubServer) Close() {
	h.conn.Close()
	h.srv.Shutdown()
	h.srv.WaitForShutdown()
}

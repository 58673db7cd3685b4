package web

import (
	"context"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"time"

	"yiting/queue"
	"yiting/queue/booking"
	"yiting/queue/rota"
)

// Authenticator turns a secret (a session or device token) into a
// principal; *access.Service implements it. It returns an error of code
// queue.EUNAUTH for an unknown, expired or revoked secret, must be fast
// (it runs on every page request) and safe for concurrent use.
type Authenticator interface {
	Authenticate(ctx context.Context, secret string) (queue.Principal, error)
}

// TicketSource reads the tickets of past business days; the bbolt store
// implements it. TicketsBetween calls fn for every ticket of the business
// days from..to (inclusive, "2006-01-02") in id order and stops at fn's
// first error, which it returns. The ticket is fn's to keep. DayStats
// returns the statistics of each day from..to that has tickets, kept by
// the store so a year is not recounted ticket by ticket; the pages ask it
// for closed days only. Safe for concurrent use.
type TicketSource interface {
	TicketsBetween(ctx context.Context, from, to string, fn func(*queue.Ticket) error) error
	DayStats(ctx context.Context, from, to string, loc *time.Location) ([]queue.DayStats, error)
}

// Options configure the pages. Engine and Auth are required.
type Options struct {
	Engine *queue.Engine
	Auth   Authenticator
	// Tickets serves the dashboard and the CSV export; without it they
	// answer 503.
	Tickets TicketSource
	// Cases serves the supervision page (/dashboard/cases): overdue and
	// supervised cases, rectifications, indicators; *cases.Book. Without
	// it the page answers 503.
	Cases CaseBook
	// Rota is the duty rota (/dashboard/rota); without it the page
	// answers 503.
	Rota *rota.Rota
	// Diary is the appointment diary: /dashboard/appointments, the
	// sessions of the case page, the public booking page /book and the
	// dashboard's appointment figures; nil: none of them.
	Diary *booking.Diary
	// Speech renders the board's announcements on the server; nil means
	// the boards speak with the browser's speechSynthesis.
	Speech Synthesizer
	// SpeechName names the server's voice for the log and the board
	// ("espeak-ng cmn-latn-pinyin").
	SpeechName string
	// QR draws the QR code the service desk prints on a ticket in the
	// browser (printer.QRMatrix); without it the desk's ticket shows the
	// case code and no QR code.
	QR QRCoder
	// DeskPrint prints a ticket the service desk issued on the hall
	// server's desk printer (devices.desk_printer), with its case's QR;
	// nil when there is none: the console then prints from the browser.
	// Errors are the printer's, with a Chinese sentence for the clerk.
	DeskPrint func(ctx context.Context, ticketID uint64, caseURL string) error
	// KioskPin is the fingerprint of the server's TLS certificate that a
	// kiosk on another Pi is paired with (the admin page shows it with a
	// kiosk's new token).
	KioskPin string
	// AdminWarnings are what the admin page shows in red until it is
	// fixed: a public_url a visitor's phone cannot reach, …
	AdminWarnings []string
	// ConfigTOML is the effective configuration the admin page shows,
	// read-only (hallconfig's MarshalTOML; never the key file).
	ConfigTOML []byte
	// Version is the server's version; a board whose page came from
	// another version reloads itself.
	Version string
	Logger  *slog.Logger     // slog.Default() if nil
	Now     func() time.Time // time.Now if nil
}

// Pages serves the hall's screens. Create it with New and mount it with
// Register. It is safe for concurrent use.
type Pages struct {
	eng        *queue.Engine
	hall       *queue.Hall
	auth       Authenticator
	tickets    TicketSource
	cases      CaseBook
	rota       *rota.Rota
	diary      *booking.Diary
	qr         QRCoder
	deskPrint  func(ctx context.Context, ticketID uint64, caseURL string) error
	kioskPin   string
	warnings   []string
	voice      *voiceCache // nil without a Synthesizer
	speechName string
	configTOML []byte
	version    string
	log        *slog.Logger
	now        func() time.Time

	tmpl     *template.Template
	assets   *assets
	chime    []byte
	data     pageData // the hall as every page's script reads it
	statsSem chan struct{}
	cop      *http.CrossOriginProtection // the pages' own POST forms
}

// New prepares the templates, the assets and the chime.
func New(opts Options) (*Pages, error) {
	if opts.Engine == nil {
		return nil, errors.New("web: Options.Engine is required")
	}
	if opts.Auth == nil {
		return nil, errors.New("web: Options.Auth is required")
	}
	p := &Pages{
		eng:        opts.Engine,
		hall:       opts.Engine.Hall(),
		auth:       opts.Auth,
		tickets:    opts.Tickets,
		cases:      opts.Cases,
		rota:       opts.Rota,
		diary:      opts.Diary,
		qr:         opts.QR,
		deskPrint:  opts.DeskPrint,
		kioskPin:   opts.KioskPin,
		warnings:   opts.AdminWarnings,
		speechName: opts.SpeechName,
		configTOML: opts.ConfigTOML,
		version:    opts.Version,
		log:        opts.Logger,
		now:        opts.Now,
		statsSem:   make(chan struct{}, 1),
		cop:        http.NewCrossOriginProtection(),
	}
	if p.log == nil {
		p.log = slog.Default()
	}
	if p.now == nil {
		p.now = time.Now
	}
	if opts.Speech != nil {
		p.voice = newVoiceCache(opts.Speech, voiceCacheSize)
	}
	var err error
	if p.tmpl, err = parseTemplates(); err != nil {
		return nil, err
	}
	if p.assets, err = loadAssets(); err != nil {
		return nil, err
	}
	p.chime = Chime()
	p.data = newPageData(p.hall, p.version)
	return p, nil
}

// Register mounts the pages on mux. The patterns are exact paths (/ only
// for itself, and /ui/ for the assets), so the API, the kiosk and others
// may share mux.
func (p *Pages) Register(mux *http.ServeMux) {
	mux.Handle("GET /{$}", p.page(p.index))
	mux.Handle("GET /login", p.page(p.login))
	mux.Handle("GET /password", p.page(p.password))
	mux.Handle("GET /board", p.page(p.board))
	mux.Handle("GET /board/speech", p.page(p.speechInfo))
	mux.Handle("GET /board/voice.wav", p.page(p.voiceWAV))
	mux.Handle("GET /board/chime.wav", p.page(p.chimeWAV))
	mux.Handle("GET /pad", p.page(p.pad))
	mux.Handle("GET /console", p.page(p.console))
	mux.Handle("POST /console/qr", p.page(p.deskQR))
	mux.Handle("POST /console/print", p.page(p.deskPrintTicket))
	mux.Handle("GET /dashboard", p.page(p.dashboard))
	mux.Handle("GET /dashboard/export.csv", p.page(p.export))
	mux.Handle("GET /dashboard/cases", p.page(p.casesPage))
	mux.Handle("GET /cases", p.page(p.worklist))
	mux.Handle("POST /cases", p.page(p.worklist)) // a search by ID number
	mux.Handle("GET /cases/{code}", p.page(p.casePage))
	mux.Handle("GET /cases/{code}/doc/{kind}", p.page(p.casePrint))
	mux.Handle("GET /cases/{code}/files/{name}", p.page(p.caseFile))
	mux.Handle("GET /dashboard/audit", p.page(p.auditPage))
	mux.Handle("GET /dashboard/units", p.page(p.unitsPage))
	mux.Handle("GET /dashboard/rota", p.page(p.rotaPage))
	mux.Handle("GET /dashboard/appointments", p.page(p.appointmentsPage))
	mux.Handle("GET /dashboard/appointments/plans", p.page(p.slotsPage))
	mux.Handle("GET /dashboard/units.csv", p.page(p.unitsCSV))
	for _, f := range []string{"cases.csv", "case-stats.csv", "case-report.html"} {
		mux.Handle("GET /dashboard/"+f, p.page(p.caseExport))
	}
	mux.Handle("GET /admin", p.page(p.admin))
	mux.Handle("GET /ui/{file}", p.page(p.asset))
	mux.Handle("/c/", p.Inquiry(InquiryOptions{})) // the public inquiry page of a case (一件一码): sets its own headers
	book := p.bookHandler()                        // the public booking page: sets its own headers
	mux.Handle("/book", book)
	mux.Handle("/book/mine", book)
}

// page adds the headers every answer of this package carries: no
// framing, no sniffing, no referrer (a board's first URL holds its
// token), and a content security policy that allows only this server's
// scripts, styles and media — the pages need nothing else.
func (p *Pages) page(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; media-src 'self' blob:; "+
			"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "no-referrer")
		h(w, r)
	})
}

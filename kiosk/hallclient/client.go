package hallclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"yiting/kiosk"
	"yiting/queue"
	"yiting/tlspin"
)

// maxAnswer bounds what is read of an answer: a hall's services and
// counters are a few tens of kilobytes.
const maxAnswer = 1 << 20

// Opts configures a Client. A nil *Opts means the defaults.
type Opts struct {
	// Token is the kiosk's device token (role kiosk).
	Token string
	// Pin is the hex SHA-256 of the hall server's own TLS certificate,
	// shown on /admin with the kiosk's token: with an https server URL
	// the client trusts exactly that certificate. Required for https
	// unless HTTP is given.
	Pin string
	// HTTP is the client requests go through; nil: one with a 10 s dial
	// and header timeout. Each request is also bounded by its context.
	HTTP *http.Client
	// Name and Location are the hall's name and time zone from the local
	// configuration: the API does not serve them.
	Name     string
	Region   string // the division code, the head of its case codes
	Location *time.Location
	Logger   *slog.Logger // nil: discard
}

// Client is a kiosk.Desk over the hall server's API. It is safe for
// concurrent use.
type Client struct {
	base   *url.URL
	token  string
	http   *http.Client
	name   string
	region string
	loc    *time.Location
	log    *slog.Logger
}

var _ kiosk.Desk = (*Client)(nil)

// New returns a client of the hall server at baseURL
// ("http://192.168.1.10:8080").
func New(baseURL string, opts *Opts) (*Client, error) {
	if opts == nil {
		opts = &Opts{}
	}
	u, err := url.Parse(strings.TrimRight(baseURL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("hallclient: server URL %q: want https://host:port", baseURL)
	}
	// The kiosk sends what the ID card said: only over TLS, except to a
	// server on this very machine.
	if u.Scheme == "http" && !loopback(u.Hostname()) {
		return nil, fmt.Errorf("hallclient: server URL %q: the kiosk sends card data, so it must be https:// with the certificate's pin (-pin) shown on /admin", baseURL)
	}
	c := &Client{base: u, token: opts.Token, http: opts.HTTP, name: opts.Name, region: opts.Region, loc: opts.Location, log: opts.Logger}
	if c.http == nil {
		tr := &http.Transport{
			Proxy:                 nil, // the hall's own network: never through a proxy
			MaxIdleConnsPerHost:   4,
			IdleConnTimeout:       90 * time.Second,
			ResponseHeaderTimeout: 10 * time.Second,
			TLSHandshakeTimeout:   10 * time.Second,
		}
		if u.Scheme == "https" {
			if tr.TLSClientConfig, err = tlspin.Config(opts.Pin); err != nil {
				return nil, fmt.Errorf("hallclient: %w: the pin is shown on /admin with the kiosk's token", err)
			}
		}
		c.http = &http.Client{Transport: tr}
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	return c, nil
}

type serviceJSON struct {
	ID       string         `json:"id"`
	Name     string         `json:"name"`
	Prefix   string         `json:"prefix"`
	Category queue.Category `json:"category"`
	Group    string         `json:"group"`
	NeedsID  bool           `json:"needs_id"`
	CaseType string         `json:"case_type"`
	Pinyin   string         `json:"pinyin"`
	Waiting  int            `json:"waiting"`
	DutyOnly bool           `json:"duty_only"`
	Today    string         `json:"today"`
}

type servicesJSON struct {
	Day          string        `json:"day"`
	Appointments bool          `json:"appointments"`
	Services     []serviceJSON `json:"services"`
	Duty         []string      `json:"duty"`
	Classes      []struct {
		ID     string `json:"id"`
		Name   string `json:"name"`
		MinAge int    `json:"min_age"`
	} `json:"priority_classes"`
}

type countersJSON struct {
	Counters []struct {
		ID       string            `json:"id"`
		Name     string            `json:"name"`
		Kind     queue.CounterKind `json:"kind"`
		Unit     string            `json:"unit"`
		Location string            `json:"location"`
		Pinyin   string            `json:"pinyin"`
		Services []struct {
			ServiceID string `json:"service"`
			Weight    int    `json:"weight"`
		} `json:"services"`
	} `json:"counters"`
}

// Info reads GET /api/v1/services and GET /api/v1/counters.
func (c *Client) Info(ctx context.Context) (kiosk.HallInfo, error) {
	var sv servicesJSON
	if _, err := c.do(ctx, http.MethodGet, "/api/v1/services", "", nil, &sv); err != nil {
		return kiosk.HallInfo{}, err
	}
	var cv countersJSON
	if _, err := c.do(ctx, http.MethodGet, "/api/v1/counters", "", nil, &cv); err != nil {
		return kiosk.HallInfo{}, err
	}
	info := kiosk.HallInfo{Name: c.name, Region: c.region, Day: sv.Day, Location: c.loc, Duty: sv.Duty, Appointments: sv.Appointments}
	for _, s := range sv.Services {
		info.Services = append(info.Services, kiosk.ServiceInfo{Service: queue.Service{
			ID: s.ID, Name: s.Name, Prefix: s.Prefix, Category: s.Category, Group: s.Group, NeedsID: s.NeedsID,
			CaseType: s.CaseType, Pinyin: s.Pinyin, DutyOnly: s.DutyOnly,
		}, Waiting: s.Waiting, Today: s.Today})
	}
	for _, p := range sv.Classes {
		info.Priority = append(info.Priority, queue.PriorityClass{ID: p.ID, Name: p.Name, MinAge: p.MinAge})
	}
	for _, k := range cv.Counters {
		qc := queue.Counter{ID: k.ID, Name: k.Name, Kind: k.Kind, Unit: k.Unit, Location: k.Location, Pinyin: k.Pinyin}
		for _, s := range k.Services {
			qc.Services = append(qc.Services, queue.CounterService{ServiceID: s.ServiceID, Weight: s.Weight})
		}
		info.Counters = append(info.Counters, qc)
	}
	return info, nil
}

type personJSON struct {
	IDNumber string `json:"id_number,omitempty"`
	Name     string `json:"name"`
	Address  string `json:"address,omitempty"`
	CardType string `json:"card_type,omitempty"`
	Birth    string `json:"birth,omitempty"`
}

// personOf is what a card said, as the API takes it.
func personOf(h kiosk.Holder) personJSON {
	p := personJSON{IDNumber: h.IDNumber, Name: h.Name, Address: h.Address, CardType: h.CardType}
	if !h.Birth.IsZero() {
		p.Birth = h.Birth.Format(time.DateOnly)
	}
	return p
}

type issueJSON struct {
	Service string       `json:"service"`
	Persons []personJSON `json:"persons,omitempty"`
}

type issuedJSON struct {
	Ticket  queue.Ticket `json:"ticket"`
	Ahead   int          `json:"ahead"`
	CaseURL string       `json:"case_url"`
}

// Issue sends POST /api/v1/tickets with the tap's Idempotency-Key and what
// the cards said: the server (the desk) seals it, routes and registers.
// The identities cross the hall's network only inside TLS to the server
// the kiosk was paired with (Opts.HTTP: see Pinned); the kiosk keeps no
// copy and no key.
func (c *Client) Issue(ctx context.Context, req kiosk.Request) (kiosk.Issued, error) {
	body := issueJSON{Service: req.ServiceID}
	for _, h := range req.Holders() {
		body.Persons = append(body.Persons, personOf(h))
	}
	var out issuedJSON
	h, err := c.do(ctx, http.MethodPost, "/api/v1/tickets", req.IdempotencyKey, body, &out)
	if err != nil {
		return kiosk.Issued{}, err
	}
	return kiosk.Issued{Ticket: out.Ticket, Ahead: out.Ahead, Replayed: h.Get("Idempotent-Replayed") == "true", CaseURL: out.CaseURL}, nil
}

type errorJSON struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// do sends a request and decodes a JSON answer into out.
func (c *Client) do(ctx context.Context, method, path, idem string, body, out any) (http.Header, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("hallclient: %w", err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base.String()+path, rd)
	if err != nil {
		return nil, fmt.Errorf("hallclient: %w", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if idem != "" {
		// With this header net/http may also resend the request itself
		// on a connection the server closed while idle.
		req.Header.Set("Idempotency-Key", idem)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("hallclient: %s %s: %w: %w", method, path, kiosk.ErrUnreachable, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return nil, fmt.Errorf("hallclient: %s %s: reading the answer: %w: %w", method, path, kiosk.ErrUnreachable, err)
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if out != nil {
			if err := json.Unmarshal(data, out); err != nil {
				return nil, fmt.Errorf("hallclient: %s %s: the answer is not what the API describes: %w", method, path, err)
			}
		}
		return resp.Header, nil
	}
	var e errorJSON
	_ = json.Unmarshal(data, &e) // a proxy's HTML error page has no code
	if resp.StatusCode == http.StatusTooManyRequests && e.Error.Code == queue.ETOOMANY {
		// Too fast: a tap is retried like an unreachable hall, and a
		// caller that tells the visitor why (查询进度) finds the code.
		return nil, fmt.Errorf("hallclient: %s %s: %w: %w", method, path,
			&queue.Error{Code: e.Error.Code, Message: e.Error.Message}, kiosk.ErrUnreachable)
	}
	if resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests || e.Error.Code == queue.EUNAVAILABLE {
		return nil, fmt.Errorf("hallclient: %s %s: %s %s: %w", method, path, resp.Status, e.Error.Message, kiosk.ErrUnreachable)
	}
	if e.Error.Code == "" {
		return nil, &queue.Error{Code: queue.EINTERNAL, Message: resp.Status, Err: errors.New(string(bytes.TrimSpace(data[:min(len(data), 200)])))}
	}
	return nil, &queue.Error{Code: e.Error.Code, Message: e.Error.Message, Err: fmt.Errorf("hallclient: %s %s: %s", method, path, resp.Status)}
}

// loopback reports whether host is this machine.
func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

var _ kiosk.Inquirer = (*Client)(nil)

// Inquire sends POST /api/v1/kiosk/inquiry (查询进度) with the ID number
// of the card read, or the case code and the ID number's last four,
// inside the same TLS as Issue; the kiosk keeps none of it.
func (c *Client) Inquire(ctx context.Context, q kiosk.Inquiry) ([]kiosk.CaseStatus, error) {
	body := map[string]string{}
	if q.Card != nil {
		body["id_number"] = q.Card.Number
	} else {
		body["case_code"], body["id_last4"] = q.Code, q.IDLast4
	}
	var out struct {
		Cases []kiosk.CaseStatus `json:"cases"`
	}
	if _, err := c.do(ctx, http.MethodPost, "/api/v1/kiosk/inquiry", "", body, &out); err != nil {
		return nil, err
	}
	return out.Cases, nil
}

var _ kiosk.Appointer = (*Client)(nil)

type arriveJSON struct {
	Person *personJSON `json:"person,omitempty"`
	Code   string      `json:"code,omitempty"`
}

type arrivedJSON struct {
	Outcome string        `json:"outcome"`
	Message string        `json:"message"`
	Ticket  *queue.Ticket `json:"ticket"`
	Ahead   int           `json:"ahead"`
	CaseURL string        `json:"case_url"`
}

// Arrive sends POST /api/v1/appointments/arrive (预约签到) with the tap's
// Idempotency-Key and the card read or the code typed, inside the same
// TLS as Issue; the kiosk keeps none of it.
func (c *Client) Arrive(ctx context.Context, a kiosk.Arrival) (kiosk.CheckIn, error) {
	body := arriveJSON{Code: a.Code}
	if a.Card != nil {
		p := personOf(kiosk.Request{Card: a.Card}.Holders()[0])
		body.Person = &p
	}
	var out arrivedJSON
	h, err := c.do(ctx, http.MethodPost, "/api/v1/appointments/arrive", a.IdempotencyKey, body, &out)
	if err != nil {
		return kiosk.CheckIn{}, err
	}
	ci := kiosk.CheckIn{Message: out.Message}
	if out.Ticket != nil {
		ci.Issued = &kiosk.Issued{Ticket: *out.Ticket, Ahead: out.Ahead, CaseURL: out.CaseURL,
			Replayed: h.Get("Idempotent-Replayed") == "true"}
	}
	return ci, nil
}

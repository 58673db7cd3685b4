package httpapi

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"yiting/queue"
)

// Defaults of Limits.
const (
	// DefaultMaxConns bounds the connections a hall server holds open.
	// A hall has dozens of browsers (boards, consoles, pads, kiosks,
	// supervisors), each with at most six connections to a host over
	// HTTP/1.1 and usually one to three; the load tool's 64 kiosks, 30
	// counters and 200 boards use about 300. An idle event stream costs
	// about 12 KB (BenchmarkIdleStreams), 20 KB in a running server with
	// its garbage (README.md, "Measured"): 512 of them stay well inside
	// the memory budget of a Pi, and 2,000 clients do not go over it.
	DefaultMaxConns = 512
	// DefaultBodyTimeout is how long a request may take to send its body
	// before the first byte counts, on top of MinBodyRate. A JSON command
	// is a few hundred bytes on a LAN: ten seconds is an outage, not a
	// slow client.
	DefaultBodyTimeout = 10 * time.Second
	// MinBodyRate is the slowest upload that keeps its request: every
	// MinBodyRate bytes received extend the body's deadline by a second,
	// so a visitor's photos (up to 15 MB) over a poor phone link arrive,
	// while a client that trickles a byte every few seconds is cut off
	// after DefaultBodyTimeout.
	MinBodyRate = 8 << 10
	// DefaultReadHeaderTimeout bounds reading a request's line and
	// headers (http.Server.ReadHeaderTimeout).
	DefaultReadHeaderTimeout = 10 * time.Second
	// maxRefusing bounds the connections over MaxConns held at once to
	// answer them 503 (they wait for their request's headers first);
	// beyond it a connection is closed at once, unanswered, so that a
	// flood of connections costs no memory.
	maxRefusing = 64
)

// LimitOptions configure Limits; the zero value of a field means its
// default.
type LimitOptions struct {
	// MaxConns is the most connections served at once; a connection
	// over it is answered 503 and closed. Negative: no limit.
	MaxConns int
	// BodyTimeout bounds reading a request's body (see MinBodyRate);
	// the request is then answered 408 and its connection closed.
	// Negative: no limit.
	BodyTimeout time.Duration
	Logger      *slog.Logger // slog.Default() if nil
}

// Limits are the server-wide limits on connections and slow clients. They
// bound what the whole server holds (pages and the kiosk included, not
// only the API), so they wrap the server rather than the router: install
// them with Serve. The per-request deadlines keep event streams, which are
// long-lived, out of their way: no http.Server ReadTimeout or
// WriteTimeout, which would cut every stream.
type Limits struct {
	maxConns    int
	bodyTimeout time.Duration
	log         *slog.Logger

	mu       sync.Mutex
	admitted map[net.Conn]bool     // true: claimed by an event stream (claimConn)
	refusing map[net.Conn]struct{} // over the limit, to be answered 503
	refused  int                   // since the last log line
	logged   time.Time             // of the last log line about refusals
}

// NewLimits returns the limits of opts.
func NewLimits(opts LimitOptions) *Limits {
	l := &Limits{maxConns: opts.MaxConns, bodyTimeout: opts.BodyTimeout, log: opts.Logger, admitted: map[net.Conn]bool{}, refusing: map[net.Conn]struct{}{}}
	if l.maxConns == 0 {
		l.maxConns = DefaultMaxConns
	}
	if l.bodyTimeout == 0 {
		l.bodyTimeout = DefaultBodyTimeout
	}
	if l.log == nil {
		l.log = slog.Default()
	}
	return l
}

// Serve sets srv's handler to h within the limits, and its connection
// hooks and header timeout (when srv has none).
func (l *Limits) Serve(srv *http.Server, h http.Handler) {
	srv.Handler = l.handler(h)
	srv.ConnContext = l.connContext
	srv.ConnState = l.connState
	if srv.ReadHeaderTimeout == 0 {
		srv.ReadHeaderTimeout = DefaultReadHeaderTimeout
	}
}

// overKey marks the context of a connection over MaxConns.
type overKey struct{}

// connContext admits a new connection or marks it to be refused.
func (l *Limits) connContext(ctx context.Context, c net.Conn) context.Context {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.maxConns < 0 || len(l.admitted) < l.maxConns {
		l.admitted[c] = false
		return context.WithValue(ctx, slotKey{}, connSlot{l, c})
	}
	l.noteRefusedLocked()
	if len(l.refusing) >= maxRefusing {
		c.Close() // its serving goroutine ends at its first read
		return ctx
	}
	l.refusing[c] = struct{}{}
	return context.WithValue(ctx, overKey{}, true)
}

// connState frees a connection's place when it ends, or when a handler
// takes it from net/http without having claimed it.
func (l *Limits) connState(c net.Conn, s http.ConnState) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case s == http.StateClosed, s == http.StateHijacked && !l.admitted[c]:
		delete(l.admitted, c)
		delete(l.refusing, c)
	}
}

// slotKey marks the context of an admitted connection with its connSlot.
type slotKey struct{}

type connSlot struct {
	l *Limits
	c net.Conn
}

// claimConn keeps the place of the request's connection taken once it is
// hijacked, until the returned release is called: an event stream that
// serves its connection itself (events.go) still counts against
// MaxConns. Without Limits it does nothing.
func claimConn(ctx context.Context) (release func()) {
	s, ok := ctx.Value(slotKey{}).(connSlot)
	if !ok {
		return func() {}
	}
	s.l.mu.Lock()
	defer s.l.mu.Unlock()
	if _, ok := s.l.admitted[s.c]; !ok {
		return func() {}
	}
	s.l.admitted[s.c] = true
	var once sync.Once
	return func() {
		once.Do(func() {
			s.l.mu.Lock()
			defer s.l.mu.Unlock()
			delete(s.l.admitted, s.c)
		})
	}
}

// handler refuses the requests of connections over the limit and puts a
// deadline on reading each request body.
func (l *Limits) handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Context().Value(overKey{}) != nil {
			refuse(w)
			return
		}
		if l.bodyTimeout > 0 && r.Body != nil && r.Body != http.NoBody {
			rc := http.NewResponseController(w)
			start := time.Now()
			if rc.SetReadDeadline(start.Add(l.bodyTimeout)) == nil {
				r.Body = &deadlineBody{ReadCloser: r.Body, rc: rc, start: start, timeout: l.bodyTimeout}
			}
		}
		next.ServeHTTP(w, r)
	})
}

// refuse answers a request of a connection over the limit and closes it.
func refuse(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Connection", "close")
	h.Set("Retry-After", "5")
	writeError(w, http.StatusServiceUnavailable, queue.EUNAVAILABLE, busyMessage)
}

const busyMessage = "服务器连接数已满，请稍后重试 (too many connections, retry later)"

// noteRefusedLocked counts a refused connection and logs the count at
// most every ten seconds: a flood must not flood the journal. It logs no
// address: the count is what an admin acts on.
func (l *Limits) noteRefusedLocked() {
	l.refused++
	if now := time.Now(); now.Sub(l.logged) >= 10*time.Second {
		l.log.Warn("connections refused: the server is at its connection limit (-max-conns)",
			"refused", l.refused, "limit", l.maxConns)
		l.refused, l.logged = 0, now
	}
}

// deadlineBody moves a request's read deadline as its body arrives: the
// body may take timeout plus a second for every MinBodyRate bytes. At the
// end of the body it lifts the deadline, so that net/http's background
// read, which notices a client that goes away while the handler works,
// does not end the request when the deadline passes.
type deadlineBody struct {
	io.ReadCloser
	rc      *http.ResponseController
	start   time.Time
	timeout time.Duration
	read    int64
	done    bool
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if b.done {
		return n, err
	}
	b.read += int64(n)
	switch {
	case err == io.EOF:
		b.done = true
		_ = b.rc.SetReadDeadline(time.Time{})
	case n > 0 && b.read >= MinBodyRate:
		extra := time.Duration(b.read / MinBodyRate * int64(time.Second))
		_ = b.rc.SetReadDeadline(b.start.Add(b.timeout + extra))
	}
	return n, err
}

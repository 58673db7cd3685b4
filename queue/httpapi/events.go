package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"yiting/queue"
)

const (
	routeEvents = "/api/v1/events"
	// eventBatch bounds the events read and written per round: a board
	// coming back after an hour catches up in a few large writes.
	eventBatch = 256
	// writeTimeout bounds each write to a stream: a peer that stopped
	// reading (a board switched off without closing TCP) is dropped
	// instead of holding a goroutine for ever. Set per write, it also
	// lifts any http.Server WriteTimeout for the stream.
	writeTimeout = 30 * time.Second
	// retryMillis is the reconnection delay the stream asks the browser
	// to use.
	retryMillis = 2000
	// idleBuffer is the largest write buffer a stream keeps between
	// sends.
	idleBuffer = 4 << 10
	// eventReset tells a client that the events it missed will not be
	// sent: it reloads GET /api/v1/queue and goes on from the stream.
	eventReset = "reset"
)

// events streams the engine's events as Server-Sent Events:
//
//	id: <seq>
//	event: <type>
//	data: <the event as JSON>
//
// Case steps (case.* events) go only to the principals the case book lets
// watch them (cases.Book.CanWatch): never to a device.
//
// It starts after Last-Event-ID (what a browser sends when it reconnects)
// or ?after=, and otherwise at the latest event. Events older than the
// engine keeps in memory come from the store's event log, so a board that
// lost its network for a while misses no call. A client more than
// MaxReplay events behind, or ahead of the log, gets a "reset" event
// instead and goes on from the latest. A comment line goes out after
// Heartbeat without events. The stream ends when the client goes, when
// Shutdown is called, or when the engine stops.
func (a *API) events(c *gin.Context, p queue.Principal) {
	if !a.canWatch(c, p) {
		return
	}
	feed := a.eng.Events()
	last := feed.Last()
	after, given, err := resumePoint(c.Request)
	if err != nil {
		a.fail(c, err)
		return
	}
	reset := false
	switch {
	case !given:
		after = last
	case after > last:
		// A Last-Event-ID beyond the log came from another server or a
		// database restored from an older backup: start from now rather
		// than wait for a sequence number that may never come.
		after, reset = last, true
	case last-after > a.maxReplay:
		after, reset = last, true
	}
	if !a.beginStream() {
		a.fail(c, queue.Errorf(queue.EUNAVAILABLE, "服务器正在停止，请稍后重连 (server shutting down)"))
		return
	}
	var buf bytes.Buffer
	buf.WriteString("retry: " + strconv.Itoa(retryMillis) + "\n: stream from " + strconv.FormatUint(after, 10) + "\n\n")
	if reset {
		writeReset(&buf, after)
	}
	h := c.Writer.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // tell a proxy in front not to buffer the stream

	// Registered before the client sees the stream open, so that the
	// streams of a principal are ended oldest first as the client opened
	// them. cancel ends the stream: Shutdown, the principal's credentials
	// ended, or it opened too many.
	ctx, cancel := context.WithCancel(a.stopCtx)
	unregister := a.streams.add(p, &cancel)
	conn, release, err := a.hijack(c, &buf)
	switch {
	case err == nil:
		go func() {
			defer a.streamWG.Done()
			defer release()
			defer unregister()
			defer cancel()
			a.serveConn(ctx, cancel, conn, p, after)
		}()
		return
	case !errors.Is(err, errNoHijack):
		// The client went before the stream's head reached it.
		a.streamWG.Done()
		unregister()
		cancel()
		return
	}
	// No hijacking (HTTP/2, a test recorder): the stream holds the
	// request, and ends with it. The request's context: c.Done() never
	// fires unless gin's ContextWithFallback is set (platform-notes.md).
	defer a.streamWG.Done()
	defer unregister()
	defer cancel()
	defer context.AfterFunc(c.Request.Context(), cancel)()
	c.Writer.WriteHeader(http.StatusOK)
	out := &responseSink{rc: http.NewResponseController(c.Writer), w: c.Writer}
	if out.send(&buf) {
		a.stream(ctx, out, p, after)
	}
}

// beginStream counts a stream Shutdown waits for; false once Shutdown
// was called.
func (a *API) beginStream() bool {
	a.stopMu.Lock()
	defer a.stopMu.Unlock()
	if a.stopCtx.Err() != nil {
		return false
	}
	a.streamWG.Add(1)
	return true
}

// hijack takes the stream's connection from net/http and writes the
// answer's head and buf on it. A stream held by net/http keeps its
// request's goroutine, with the stack it grew on the way in, its read and
// write buffers and a background reader: about 37 KB a board
// (BenchmarkIdleStreams). A hijacked one keeps a small goroutine and its
// connection. The answer is delimited by the connection's close, as
// HTTP/1.1 allows, so no chunk framing is needed. release gives the
// connection's place back to Limits once it is closed. It returns
// errNoHijack when the connection cannot be hijacked (HTTP/2, a test
// recorder): nothing was written then and the request is still
// net/http's.
func (a *API) hijack(c *gin.Context, buf *bytes.Buffer) (conn net.Conn, release func(), err error) {
	if c.Request.ProtoMajor != 1 {
		return nil, nil, errNoHijack
	}
	release = claimConn(c.Request.Context())
	h := c.Writer.Header()
	conn, _, err = http.NewResponseController(c.Writer).Hijack()
	if err != nil {
		return nil, nil, errNoHijack // still net/http's: Limits frees it when it closes
	}
	// The head as net/http would write it, but for the framing. Pending
	// input (a pipelined request) is dropped: an event stream reads none.
	h.Set("Connection", "close")
	var head bytes.Buffer
	head.WriteString("HTTP/1.1 200 OK\r\n")
	_ = h.Write(&head)
	head.WriteString("\r\n")
	head.Write(buf.Bytes())
	buf.Reset()
	_ = conn.SetWriteDeadline(time.Now().Add(writeTimeout))
	if _, err := conn.Write(head.Bytes()); err != nil {
		conn.Close()
		release()
		return nil, nil, err
	}
	return conn, release, nil
}

// errNoHijack: the connection cannot be taken from net/http.
var errNoHijack = errors.New("httpapi: the connection cannot be hijacked")

// serveConn streams on a hijacked connection until ctx ends or the
// client goes (then it calls cancel); then it closes the connection.
func (a *API) serveConn(ctx context.Context, cancel context.CancelFunc, conn net.Conn, p queue.Principal, after uint64) {
	stop := context.AfterFunc(ctx, func() { conn.Close() }) // ends a blocked write and the reader
	defer stop()
	// A client that goes away is noticed at once, as net/http's background
	// read does: an event stream's client sends nothing, so any read that
	// returns ends it.
	read := make(chan struct{})
	go func() {
		defer close(read)
		var b [1]byte
		conn.Read(b[:])
		cancel()
	}()
	defer func() { conn.Close(); <-read }()
	a.stream(ctx, &connSink{conn: conn}, p, after)
}

// sink is where a stream's bytes go.
type sink interface {
	// send writes and flushes buf within writeTimeout and empties it;
	// false when the client is gone.
	send(buf *bytes.Buffer) bool
}

// connSink writes to a hijacked connection.
type connSink struct{ conn net.Conn }

func (s *connSink) send(buf *bytes.Buffer) bool {
	_ = s.conn.SetWriteDeadline(time.Now().Add(writeTimeout))
	_, err := s.conn.Write(buf.Bytes())
	buf.Reset()
	return err == nil
}

// responseSink writes to a ResponseWriter.
type responseSink struct {
	rc *http.ResponseController
	w  gin.ResponseWriter
}

func (s *responseSink) send(buf *bytes.Buffer) bool {
	// Not every ResponseWriter supports deadlines (httptest's recorder
	// does not); a stream without one still ends on disconnect.
	_ = s.rc.SetWriteDeadline(time.Now().Add(writeTimeout))
	_, err := s.w.Write(buf.Bytes())
	buf.Reset()
	if err != nil {
		return false
	}
	s.w.Flush()
	return true
}

// stream sends the events after after to out until ctx ends, the client
// is gone, or the engine stops.
func (a *API) stream(ctx context.Context, out sink, p queue.Principal, after uint64) {
	a.metrics.sseClients.Inc()
	defer a.metrics.sseClients.Dec()

	feed := a.eng.Events()
	full := fullView(p)
	var buf bytes.Buffer
	for {
		wctx, wcancel := context.WithTimeout(ctx, a.heartbeat)
		evs, err := feed.Wait(wctx, after, eventBatch)
		wcancel()
		switch {
		case ctx.Err() != nil:
			return // the client went away, or Shutdown
		case errors.Is(err, context.DeadlineExceeded):
			buf.WriteString(": heartbeat\n\n")
		case err != nil:
			// The engine stopped, or the store could not read the log:
			// end the stream; the browser reconnects with Last-Event-ID
			// and loses nothing.
			if queue.ErrorCode(err) != queue.EUNAVAILABLE {
				a.log.Error("event stream: reading the event log failed", "after", after, "err", err)
			}
			return
		case len(evs) == 0:
			// The log has no events where the feed says there are (a
			// pruned log): tell the client to reload rather than spin.
			a.log.Error("event stream: the event log has a gap", "after", after, "last", feed.Last())
			after = feed.Last()
			writeReset(&buf, after)
		default:
			for i := range evs {
				after = evs[i].Seq
				if evs[i].Type.IsCase() && (evs[i].Case == nil || !a.cases.CanWatch(p, evs[i].Case)) {
					continue // a case step this principal may not see
				}
				if evs[i].Type.IsBooking() && (evs[i].Booking == nil || !canWatchBooking(a.eng.Hall(), p, evs[i].Booking)) {
					continue // a booking step: staff of its counter or service and supervisors only
				}
				if evs[i].Type == queue.EventCommandRefused && p.Role != queue.RoleSupervisor && p.Role != queue.RoleAdmin {
					continue // a county command the hall refused: its supervisors' business
				}
				if err := writeEvent(&buf, redactEvent(evs[i], full)); err != nil {
					a.log.Error("event stream: encoding an event failed", "seq", evs[i].Seq, "err", err)
					return
				}
			}
		}
		if !out.send(&buf) {
			return
		}
		if buf.Cap() > idleBuffer {
			buf = bytes.Buffer{} // a board's catch-up of 256 events is not kept for the day
		}
	}
}

// writeEvent appends one event in SSE framing. encoding/json escapes
// newlines inside strings, so the data fits on one line.
func writeEvent(buf *bytes.Buffer, ev queue.Event) error {
	data, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	buf.WriteString("id: ")
	buf.WriteString(strconv.FormatUint(ev.Seq, 10))
	buf.WriteString("\nevent: ")
	buf.WriteString(string(ev.Type))
	buf.WriteString("\ndata: ")
	buf.Write(data)
	buf.WriteString("\n\n")
	return nil
}

// writeReset appends the reset event: the client's view is stale and it
// must reload the state. The id moves its Last-Event-ID to last.
func writeReset(buf *bytes.Buffer, last uint64) {
	n := strconv.FormatUint(last, 10)
	buf.WriteString("id: " + n + "\nevent: " + eventReset + "\ndata: {\"last_event\":" + n + "}\n\n")
}

// resumePoint is the sequence number the client has seen: the
// Last-Event-ID header, else ?after=. given is false when neither is set.
func resumePoint(r *http.Request) (after uint64, given bool, err error) {
	v, what := r.Header.Get("Last-Event-ID"), "Last-Event-ID"
	if v == "" {
		v, what = r.URL.Query().Get("after"), "after"
	}
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false, nil
	}
	n, perr := strconv.ParseUint(v, 10, 64)
	if perr != nil {
		return 0, false, invalid(what + " 应为事件序号 (must be an event sequence number)")
	}
	return n, true, nil
}

package httpapi_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"yiting/queue"
	"yiting/queue/personal"
)

// hang bounds the waits of these tests: a stream that does not deliver
// within it is broken, not slow. It is not a performance assertion.
const hang = 10 * time.Second

type sseEvent struct {
	id, typ, data string
}

// sseStream reads a text/event-stream the way EventSource does.
type sseStream struct {
	t        testing.TB
	resp     *http.Response
	cancel   context.CancelFunc
	events   chan sseEvent
	comments chan string
	done     chan error
}

// openStream connects to url with the header pairs.
func openStream(t testing.TB, url string, hdr ...string) *sseStream {
	t.Helper()
	return openStreamWith(t, http.DefaultClient, url, hdr...)
}

// openStreamWith connects with client.
func openStreamWith(t testing.TB, client *http.Client, url string, hdr ...string) *sseStream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := client.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		cancel()
		t.Fatalf("stream: status %d: %s", resp.StatusCode, b)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
		t.Fatalf("stream Content-Type %q", ct)
	}
	s := &sseStream{t: t, resp: resp, cancel: cancel, events: make(chan sseEvent, 1024), comments: make(chan string, 1024), done: make(chan error, 1)}
	go s.read()
	t.Cleanup(s.close)
	return s
}

func (s *sseStream) read() {
	defer close(s.events)
	br := bufio.NewReader(s.resp.Body)
	var ev sseEvent
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			s.done <- err
			return
		}
		line = strings.TrimSuffix(line, "\n")
		switch {
		case line == "":
			if ev.data != "" || ev.typ != "" {
				s.events <- ev
			}
			ev = sseEvent{}
		case strings.HasPrefix(line, ":"):
			select {
			case s.comments <- line:
			default:
			}
		case strings.HasPrefix(line, "id: "):
			ev.id = line[4:]
		case strings.HasPrefix(line, "event: "):
			ev.typ = line[7:]
		case strings.HasPrefix(line, "data: "):
			ev.data = line[6:]
		}
	}
}

// ended fails the test unless the server ends the stream within d.
func (s *sseStream) ended(d time.Duration) {
	s.t.Helper()
	select {
	case <-s.done:
	case <-time.After(d):
		s.t.Fatalf("the stream is still open %v later", d)
	}
}

func (s *sseStream) close() {
	s.cancel()
	s.resp.Body.Close()
}

// next returns the next event, failing the test after hang.
func (s *sseStream) next() sseEvent {
	s.t.Helper()
	select {
	case ev, ok := <-s.events:
		if !ok {
			s.t.Fatalf("stream ended: %v", <-s.done)
		}
		return ev
	case <-time.After(hang):
		s.t.Fatal("no event within the hang limit")
	}
	return sseEvent{}
}

// nextOf skips events until one of type typ.
func (s *sseStream) nextOf(typ queue.EventType) (sseEvent, queue.Event) {
	s.t.Helper()
	for {
		ev := s.next()
		if ev.typ == string(typ) {
			return ev, decodeEvent(s.t, ev)
		}
	}
}

func decodeEvent(t testing.TB, ev sseEvent) queue.Event {
	t.Helper()
	var e queue.Event
	if err := json.Unmarshal([]byte(ev.data), &e); err != nil {
		t.Fatalf("event data %q: %v", ev.data, err)
	}
	if strconv.FormatUint(e.Seq, 10) != ev.id || string(e.Type) != ev.typ {
		t.Fatalf("event framing id %q event %q does not match its data seq %d type %s", ev.id, ev.typ, e.Seq, e.Type)
	}
	return e
}

func (f *fixture) server() *httptest.Server {
	srv := httptest.NewServer(f.h)
	f.t.Cleanup(func() {
		f.api.Shutdown() // end the streams first, or Close waits for them
		srv.Close()
	})
	return srv
}

// TestStreamCarriesAPICalls: a call made through the API reaches a board
// that is watching (NovoSGA #530: an API call not shown on the panel).
func TestStreamCarriesAPICalls(t *testing.T) {
	f := newFixture(t)
	srv := f.server()
	f.open("w1")
	f.issue("petition")
	board := openStream(t, srv.URL+"/api/v1/events", "Authorization", "Bearer "+secDisplay)
	f.cmd(secStaffW1, "w1", "call-next", nil)
	_, ev := board.nextOf(queue.EventCalled)
	if ev.Ticket == nil || ev.Ticket.Number != "A001" || ev.Counter == nil || ev.Counter.ID != "w1" || ev.Actor != "clerk1" {
		t.Fatalf("called event %+v", ev)
	}

	// The board's browser can only use ?token=; the console its cookie.
	board2 := openStream(t, srv.URL+"/api/v1/events?token="+secDisplay)
	console := openStream(t, srv.URL+"/api/v1/events", "Cookie", "yiting_session="+secStaffW1)
	f.cmd(secStaffW1, "w1", "park", map[string]string{"reason": "去复印身份证"})
	for _, s := range []*sseStream{board, board2} {
		sev, ev := s.nextOf(queue.EventParked)
		if ev.Ticket.Number != "A001" || ev.Reason != "" || ev.Ticket.Note != "" || strings.Contains(sev.data, "复印") {
			t.Errorf("the board got the clerk's reason: %s", sev.data)
		}
	}
	if _, ev := console.nextOf(queue.EventParked); ev.Reason != "去复印身份证" {
		t.Errorf("the console's event lacks the reason: %+v", ev)
	}
	// A person's session secret is never taken from the address.
	for _, secret := range []string{secStaffW1, secSuper} {
		r := httptest.NewRequest("GET", "/api/v1/events?token="+secret, nil)
		w := httptest.NewRecorder()
		f.h.ServeHTTP(w, r)
		wantError(t, w, http.StatusUnauthorized, queue.EUNAUTH, "地址")
	}
}

func TestStreamNeverCarriesTheVisitorKey(t *testing.T) {
	f := newFixture(t)
	srv := f.server()
	console := openStream(t, srv.URL+"/api/v1/events", "Authorization", "Bearer "+secSuper)
	p := synthPerson(3)
	want(t, f.do("POST", "/api/v1/tickets", secKiosk, map[string]any{"service": "petition", "persons": []any{p}}, "Idempotency-Key", "v1"), 201, nil)
	sev, ev := console.nextOf(queue.EventIssued)
	key := f.pkeys.VisitorKey(p["id_number"])
	if ev.Ticket.Visitor.MaskedName != personal.MaskName(p["name"]) || strings.Contains(sev.data, key) ||
		strings.Contains(sev.data, p["id_number"][6:14]) || strings.Contains(sev.data, p["name"]) {
		t.Errorf("issued event %s", sev.data)
	}
}

// TestStreamResumesWithoutGapOrDuplicate: a board that lost its network
// reconnects with Last-Event-ID and gets exactly what it missed, even
// when that is older than the engine keeps in memory.
func TestStreamResumesWithoutGapOrDuplicate(t *testing.T) {
	f := newFixture(t, func(s *setup) { s.engine.FeedSize = 2 }) // memory holds 2–4 events: the rest come from the store
	srv := f.server()
	f.open("w1", "w2")

	board := openStream(t, srv.URL+"/api/v1/events", "Authorization", "Bearer "+secDisplay)
	f.issue("petition")
	f.issue("consult")
	first := decodeEvent(t, board.next())
	second := decodeEvent(t, board.next())
	if first.Type != queue.EventIssued || second.Seq != first.Seq+1 {
		t.Fatalf("first events %+v %+v", first, second)
	}
	seen := second.Seq
	board.close()

	// While the board is away: calls, completions, more tickets.
	f.cmd(secStaffW1, "w1", "call-next", nil)
	f.cmd(secStaffW2, "w2", "call-next", nil)
	f.cmd(secStaffW1, "w1", "complete", nil)
	for range 5 {
		f.issue("petition")
	}
	f.cmd(secStaffW1, "w1", "call-next", nil)
	f.cmd(secStaffW1, "w1", "no-show", nil)
	missed, err := f.store.Events(context.Background(), seen, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(missed) != 10 {
		t.Fatalf("the log holds %d events after %d, want 10", len(missed), seen)
	}

	for _, how := range []struct {
		name string
		url  string
		hdr  []string
	}{
		{"Last-Event-ID", srv.URL + "/api/v1/events", []string{"Authorization", "Bearer " + secDisplay, "Last-Event-ID", strconv.FormatUint(seen, 10)}},
		{"after", srv.URL + "/api/v1/events?after=" + strconv.FormatUint(seen, 10) + "&token=" + secDisplay, nil},
	} {
		t.Run(how.name, func(t *testing.T) {
			back := openStream(t, how.url, how.hdr...)
			for i, m := range missed {
				ev := decodeEvent(t, back.next())
				if ev.Seq != m.Seq || ev.Type != m.Type || ev.Ticket.Number != m.Ticket.Number {
					t.Fatalf("resumed event %d: seq %d %s %s, want seq %d %s %s", i, ev.Seq, ev.Type, ev.Ticket.Number, m.Seq, m.Type, m.Ticket.Number)
				}
			}
			// Then live events, continuing the sequence: nothing twice.
			is := f.issue("consult")
			ev := decodeEvent(t, back.next())
			if ev.Seq != missed[len(missed)-1].Seq+1 || ev.Ticket.Number != is.Ticket.Number {
				t.Fatalf("after catching up got seq %d %s, want seq %d %s", ev.Seq, ev.Ticket.Number, missed[len(missed)-1].Seq+1, is.Ticket.Number)
			}
			missed = append(missed, ev)
		})
	}

	// A Last-Event-ID from the future (a restored backup) resets the
	// client and starts from now instead of waiting for ever.
	future := openStream(t, srv.URL+"/api/v1/events", "Authorization", "Bearer "+secDisplay, "Last-Event-ID", "999999")
	now := f.eng.State().LastSeq
	wantReset(t, future.next(), now)
	is := f.issue("petition")
	if ev := decodeEvent(t, future.next()); ev.Seq != now+1 || ev.Ticket.Number != is.Ticket.Number {
		t.Fatalf("stream from the future got %+v", ev)
	}
	wantError(t, f.do("GET", "/api/v1/events", secDisplay, nil, "Last-Event-ID", "abc"), 400, queue.EINVALID, "Last-Event-ID")
}

func TestStreamHeartbeat(t *testing.T) {
	f := newFixture(t, func(s *setup) { s.api.Heartbeat = 20 * time.Millisecond })
	srv := f.server()
	s := openStream(t, srv.URL+"/api/v1/events", "Authorization", "Bearer "+secDisplay)
	deadline := time.After(hang)
	for {
		select {
		case c := <-s.comments:
			if c == ": heartbeat" {
				return
			}
		case <-deadline:
			t.Fatal("no heartbeat on an idle stream")
		}
	}
}

// TestShutdownEndsStreams: an open stream must not hold
// http.Server.Shutdown until its deadline.
func TestShutdownEndsStreams(t *testing.T) {
	f := newFixture(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: f.h}
	srv.RegisterOnShutdown(f.api.Shutdown)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	url := "http://" + ln.Addr().String() + "/api/v1/events"
	streams := []*sseStream{
		openStream(t, url, "Authorization", "Bearer "+secDisplay),
		openStream(t, url, "Authorization", "Bearer "+secSuper),
	}
	for _, s := range streams {
		select { // the handler is in its loop once the preamble arrived
		case <-s.comments:
		case <-time.After(hang):
			t.Fatal("no stream preamble")
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), hang)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v (an open stream held it)", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		t.Fatalf("Serve: %v", err)
	}
	for _, s := range streams {
		select {
		case _, ok := <-s.events:
			if ok {
				t.Fatal("an event after shutdown")
			}
		case <-time.After(hang):
			t.Fatal("the stream did not end")
		}
	}
	// New streams are refused while the process goes down.
	wantError(t, f.do("GET", "/api/v1/events", secDisplay, nil), http.StatusServiceUnavailable, queue.EUNAVAILABLE, "shutting down")
	wantError(t, f.do("GET", "/healthz", "", nil), http.StatusServiceUnavailable, queue.EUNAVAILABLE)
}

func wantReset(t testing.TB, ev sseEvent, last uint64) {
	t.Helper()
	n := strconv.FormatUint(last, 10)
	if ev.typ != "reset" || ev.id != n || ev.data != `{"last_event":`+n+`}` {
		t.Fatalf("got %+v, want a reset to %d", ev, last)
	}
}

// TestStreamResetsAClientTooFarBehind: a board switched off since
// yesterday is told to reload rather than replay a day of calls.
func TestStreamResetsAClientTooFarBehind(t *testing.T) {
	f := newFixture(t, func(s *setup) { s.api.MaxReplay = 3 })
	srv := f.server()
	f.open("w1") // the day's first command also starts the day: several events
	from := f.eng.State().LastSeq
	for range 3 {
		f.issue("petition")
	}
	// Exactly MaxReplay behind: replayed.
	s := openStream(t, srv.URL+"/api/v1/events?token="+secDisplay+"&after="+strconv.FormatUint(from, 10))
	for i := range uint64(3) {
		if ev := decodeEvent(t, s.next()); ev.Seq != from+1+i {
			t.Fatalf("replayed seq %d, want %d", ev.Seq, from+1+i)
		}
	}
	// One more behind: reset, then live events.
	f.issue("petition")
	s = openStream(t, srv.URL+"/api/v1/events?token="+secDisplay+"&after="+strconv.FormatUint(from, 10))
	now := f.eng.State().LastSeq
	wantReset(t, s.next(), now)
	f.issue("consult")
	if ev := decodeEvent(t, s.next()); ev.Seq != now+1 || ev.Type != queue.EventIssued {
		t.Fatalf("after the reset got %+v", ev)
	}
}

// TestStreamOutlivesWriteTimeout: cmd/ may give the server a
// WriteTimeout against slow clients; a stream sets its own deadline per
// write and lives on.
func TestStreamOutlivesWriteTimeout(t *testing.T) {
	f := newFixture(t, func(s *setup) { s.api.Heartbeat = 30 * time.Millisecond })
	srv := httptest.NewUnstartedServer(f.h)
	srv.Config.WriteTimeout = 150 * time.Millisecond
	srv.Start()
	t.Cleanup(func() {
		f.api.Shutdown()
		srv.Close()
	})
	s := openStream(t, srv.URL+"/api/v1/events", "Authorization", "Bearer "+secDisplay)
	beats := 0
	for beats < 12 { // ≥ 360 ms: more than twice the WriteTimeout
		select {
		case c := <-s.comments:
			if c == ": heartbeat" {
				beats++
			}
		case <-time.After(hang):
			t.Fatalf("the stream died after %d heartbeats", beats)
		}
	}
	is := f.issue("petition")
	if _, ev := s.nextOf(queue.EventIssued); ev.Ticket.Number != is.Ticket.Number {
		t.Fatalf("got %+v", ev)
	}
}

// TestCaseStepsOnTheStream: case steps are events of the stream for those
// who may see them: a supervisor every one, a clerk those of cases that
// are not health matters, a board none.
func TestCaseStepsOnTheStream(t *testing.T) {
	f := newCaseFixture(t)
	srv := f.server()
	console := openStream(t, srv.URL+"/api/v1/events", "Authorization", "Bearer "+secSuper)
	clerk := openStream(t, srv.URL+"/api/v1/events", "Authorization", "Bearer "+secStaffW2)
	board := openStream(t, srv.URL+"/api/v1/events", "Authorization", "Bearer "+secDisplay)
	var med, pet issued
	want(t, f.do("POST", "/api/v1/tickets", secKiosk, ticketBody(f.hall, "medical", 1), "Idempotency-Key", "m"), http.StatusCreated, &med)
	want(t, f.do("POST", "/api/v1/tickets", secKiosk, ticketBody(f.hall, "petition", 2), "Idempotency-Key", "p"), http.StatusCreated, &pet)
	// The supervisor: both registrations, in order, after their tickets.
	for _, code := range []string{med.CaseCode, pet.CaseCode} {
		sev, ev := console.nextOf(queue.CaseEvent("registered"))
		if ev.Case == nil || ev.Case.Code != code || sev.id != strconv.FormatUint(ev.Seq, 10) {
			t.Fatalf("console: %s", sev.data)
		}
	}
	// The clerk of w2: the petition's step, not the medical one's.
	var seen []string
	for len(seen) == 0 || seen[len(seen)-1] != pet.CaseCode {
		sev, ev := clerk.nextOf(queue.CaseEvent("registered"))
		if ev.Case == nil {
			t.Fatalf("clerk: %s", sev.data)
		}
		seen = append(seen, ev.Case.Code)
	}
	if len(seen) != 1 {
		t.Fatalf("the clerk saw the steps of %v", seen)
	}
	// The board: the two tickets and nothing of their cases.
	for n := 0; n < 2; {
		ev := board.next()
		if strings.HasPrefix(ev.typ, "case.") {
			t.Fatalf("the board got %s: %s", ev.typ, ev.data)
		}
		if ev.typ == string(queue.EventIssued) {
			n++
		}
	}
}

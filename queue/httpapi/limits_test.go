package httpapi_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"yiting/queue"
	"yiting/queue/httpapi"
)

// limitedServer serves f's API on a real listener within the limits of
// opts.
func (f *fixture) limitedServer(opts httpapi.LimitOptions) *httptest.Server {
	f.t.Helper()
	opts.Logger = slog.New(slog.NewTextHandler(f.logs, nil))
	srv := httptest.NewUnstartedServer(nil)
	httpapi.NewLimits(opts).Serve(srv.Config, f.h)
	srv.Start()
	f.t.Cleanup(func() {
		f.api.Shutdown()
		srv.Close()
	})
	return srv
}

// dial opens a raw connection to srv, closed at the end of the test.
func dial(t testing.TB, srv *httptest.Server) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// readAnswer reads one HTTP answer from c, failing the test after hang.
func readAnswer(t testing.TB, c net.Conn) (*http.Response, apiError) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(hang))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("no answer: %v", err)
	}
	defer resp.Body.Close()
	var e apiError
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 400 {
		if err := json.Unmarshal(b, &e); err != nil {
			t.Fatalf("status %d, body %q is not the JSON error shape: %v", resp.StatusCode, b, err)
		}
	}
	return resp, e
}

const loginBody = `{"user":"clerk1","password":"right-password"}`

// postHead is the head of a POST of n body bytes to the login route.
func postHead(n int) string {
	return fmt.Sprintf("POST /api/v1/login HTTP/1.1\r\nHost: hall\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", n)
}

// TestSlowBodyTimesOut: a client that sends its body a byte at a time
// (2,000 such POSTs were all held) is answered 408 once the body deadline
// passes, and its connection closed; on the old server it waited as long
// as the client kept trickling.
func TestSlowBodyTimesOut(t *testing.T) {
	f := newFixture(t)
	srv := f.limitedServer(httpapi.LimitOptions{BodyTimeout: 300 * time.Millisecond})
	c := dial(t, srv)
	if _, err := io.WriteString(c, postHead(len(loginBody))); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	stop := make(chan struct{})
	defer close(stop)
	go func() { // a byte every 100 ms: the body would take 4.6 s
		for i := 0; i < len(loginBody); i++ {
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Millisecond):
			}
			if _, err := c.Write([]byte{loginBody[i]}); err != nil {
				return
			}
		}
	}()
	resp, e := readAnswer(t, c)
	if resp.StatusCode != http.StatusRequestTimeout || e.Error.Code != "request_timeout" || !strings.Contains(e.Error.Message, "超时") {
		t.Fatalf("status %d %+v, want 408 request_timeout with a Chinese message", resp.StatusCode, e)
	}
	if took := time.Since(start); took > 4*time.Second {
		t.Errorf("answered after %v: the whole body was waited for", took)
	}
	if !resp.Close {
		t.Error("the connection of a timed-out body stays open")
	}
	c.SetReadDeadline(time.Now().Add(hang))
	if _, err := c.Read(make([]byte, 1)); err == nil || isTimeout(err) {
		t.Errorf("after the 408 the connection read %v, want it closed", err)
	}
	if logs := f.logs.String(); !strings.Contains(logs, "status=408") || strings.Contains(logs, "clerk1") {
		t.Errorf("the 408 is not logged, or logged with the user name:\n%s", logs)
	}
}

// TestSlowButSteadyBodyIsKept: a body arriving slower than the deadline
// allows for its first bytes but at more than MinBodyRate (a photo over a
// poor phone link) is read to the end.
func TestSlowButSteadyBodyIsKept(t *testing.T) {
	f := newFixture(t)
	srv := f.limitedServer(httpapi.LimitOptions{BodyTimeout: 300 * time.Millisecond})
	body := loginBody + strings.Repeat(" ", 5*httpapi.MinBodyRate) // JSON allows the white space
	c := dial(t, srv)
	if _, err := io.WriteString(c, postHead(len(body))); err != nil {
		t.Fatal(err)
	}
	go func() { // one MinBodyRate every 250 ms: four times the minimum rate, 1.25 s in all
		for rest := body; rest != ""; {
			n := min(httpapi.MinBodyRate, len(rest))
			if _, err := io.WriteString(c, rest[:n]); err != nil {
				return
			}
			rest = rest[n:]
			time.Sleep(250 * time.Millisecond)
		}
	}()
	if resp, e := readAnswer(t, c); resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d %+v, want 200", resp.StatusCode, e)
	}
}

// TestStreamOutlivesBodyTimeout: the body deadline is per request; an
// event stream, which has no body, goes on far past it, and a fast POST's
// deadline does not end the keep-alive connection's next request.
func TestStreamOutlivesBodyTimeout(t *testing.T) {
	f := newFixture(t)
	srv := f.limitedServer(httpapi.LimitOptions{BodyTimeout: 100 * time.Millisecond})
	f.open("w1")
	board := openStream(t, srv.URL+"/api/v1/events", "Authorization", "Bearer "+secDisplay)
	time.Sleep(500 * time.Millisecond) // five body timeouts
	f.issue("petition")
	if _, ev := board.nextOf(queue.EventIssued); ev.Ticket == nil {
		t.Fatalf("issued event %+v", ev)
	}

	c := dial(t, srv)
	if _, err := io.WriteString(c, postHead(len(loginBody))+loginBody); err != nil {
		t.Fatal(err)
	}
	if resp, e := readAnswer(t, c); resp.StatusCode != http.StatusOK {
		t.Fatalf("login: %d %+v", resp.StatusCode, e)
	}
	time.Sleep(300 * time.Millisecond) // past the body deadline of the POST
	if _, err := io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: hall\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	if resp, e := readAnswer(t, c); resp.StatusCode != http.StatusOK {
		t.Fatalf("the keep-alive connection's next request: %d %+v", resp.StatusCode, e)
	}
}

// TestConnectionLimit: with MaxConns connections open, silent ones
// included, another is answered 503 with a Chinese message and closed;
// once one ends, a new one is served.
func TestConnectionLimit(t *testing.T) {
	f := newFixture(t)
	srv := f.limitedServer(httpapi.LimitOptions{MaxConns: 3})
	var held []net.Conn
	for i := 0; i < 3; i++ {
		c := dial(t, srv)
		io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: hall\r\n") // headers never finished
		held = append(held, c)
	}
	get := func() (*http.Response, apiError) {
		c := dial(t, srv)
		if _, err := io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: hall\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		return readAnswer(t, c)
	}
	resp, e := get()
	if resp.StatusCode != http.StatusServiceUnavailable || e.Error.Code != queue.EUNAVAILABLE || !strings.Contains(e.Error.Message, "连接数已满") {
		t.Fatalf("a fourth connection: %d %+v, want 503 with a Chinese message", resp.StatusCode, e)
	}
	if !resp.Close || resp.Header.Get("Retry-After") == "" {
		t.Errorf("the refusal keeps its connection open (%v) or has no Retry-After", resp.Close)
	}
	if logs := f.logs.String(); !strings.Contains(logs, "connection limit") || strings.Contains(logs, "127.0.0.1") {
		t.Errorf("the refusal is not logged, or logged with the address:\n%s", logs)
	}

	held[0].Close()
	deadline := time.Now().Add(hang)
	for {
		resp, _ := get()
		if resp.StatusCode == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a closed connection's place is never freed: %d", resp.StatusCode)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestConnectionFloodIsClosed: past the connections held to be answered
// 503, a new one is closed at once, unanswered, so a flood of silent
// connections holds nothing.
func TestConnectionFloodIsClosed(t *testing.T) {
	f := newFixture(t)
	srv := f.limitedServer(httpapi.LimitOptions{MaxConns: 1})
	for i := 0; i < 1+64; i++ { // the admitted one, then the refusing ones
		dial(t, srv)
	}
	c := dial(t, srv)
	c.SetReadDeadline(time.Now().Add(hang))
	if n, err := c.Read(make([]byte, 1)); err == nil || isTimeout(err) {
		t.Fatalf("a connection over the flood bound read %d bytes, %v: it is held", n, err)
	}
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}

// TestStreamsPerPrincipal: a principal's stream over MaxStreams ends its
// oldest, not the new one (a board that reconnects before its dead
// connection is noticed gets in); its others and other principals'
// streams go on.
func TestStreamsPerPrincipal(t *testing.T) {
	f := newFixture(t, func(s *setup) { s.api.MaxStreams = 2 })
	srv := f.server()
	f.open("w1")
	url := srv.URL + "/api/v1/events"
	oldest := openStream(t, url, "Authorization", "Bearer "+secStaffW1)
	second := openStream(t, url, "Authorization", "Bearer "+secStaffW1)
	board := openStream(t, url, "Authorization", "Bearer "+secDisplay)
	board2 := openStream(t, url, "Authorization", "Bearer "+secDisplay)
	third := openStream(t, url, "Authorization", "Bearer "+secStaffW1)
	oldest.ended(hang)
	f.issue("petition")
	for _, s := range []*sseStream{second, third, board, board2} {
		s.nextOf(queue.EventIssued)
	}
	logs := f.logs.String()
	if !strings.Contains(logs, "oldest was closed") || !strings.Contains(logs, "role=staff") || strings.Contains(logs, "clerk1") || strings.Contains(logs, "李") {
		t.Errorf("the closing is not logged, or logged with the clerk's name:\n%s", logs)
	}
}

// TestStreamsCountAgainstConnectionLimit: an event stream serves its
// connection itself (it is hijacked from net/http to save memory) and
// still holds its place under MaxConns; when its client goes, the place
// is free again without waiting for a heartbeat.
func TestStreamsCountAgainstConnectionLimit(t *testing.T) {
	f := newFixture(t, func(s *setup) { s.api.Heartbeat = time.Hour })
	srv := f.limitedServer(httpapi.LimitOptions{MaxConns: 2})
	url := srv.URL + "/api/v1/events"
	// Each stream on a client of its own: no idle connection of the
	// default client's pool takes a place.
	stream := func() *sseStream {
		return openStreamWith(t, &http.Client{Transport: &http.Transport{}}, url, "Authorization", "Bearer "+secDisplay)
	}
	first := stream()
	stream()
	get := func() int {
		c := dial(t, srv)
		io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: hall\r\n\r\n")
		resp, _ := readAnswer(t, c)
		return resp.StatusCode
	}
	if got := get(); got != http.StatusServiceUnavailable {
		t.Fatalf("with two streams open under MaxConns 2 another connection got %d, want 503", got)
	}
	first.close()
	deadline := time.Now().Add(hang) // far below the hour's heartbeat
	for get() != http.StatusOK {
		if time.Now().After(deadline) {
			t.Fatal("a closed stream's place is never freed")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestStreamOverHTTP2: a connection that cannot be hijacked (HTTP/2)
// keeps the stream in its request, and it works the same.
func TestStreamOverHTTP2(t *testing.T) {
	f := newFixture(t)
	srv := httptest.NewUnstartedServer(f.h)
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(func() { f.api.Shutdown(); srv.Close() })
	f.open("w1")
	board := openStreamWith(t, srv.Client(), srv.URL+"/api/v1/events", "Authorization", "Bearer "+secDisplay)
	if board.resp.ProtoMajor != 2 {
		t.Fatalf("the stream is %s, not HTTP/2", board.resp.Proto)
	}
	f.issue("petition")
	board.nextOf(queue.EventIssued)
}

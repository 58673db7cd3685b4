package kioskweb_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"yiting/kiosk"
	"yiting/kiosk/kioskweb"
)

// fakeLoop serves views a test sets and records the inputs.
type fakeLoop struct {
	mu       sync.Mutex
	view     kiosk.View
	changed  chan struct{}
	chosen   []string
	backs    int
	groups   []string
	finishes int
	err      error
	// 查询进度
	inquiries int
	codes     []string
	checkIns  int // 预约签到
}

func newFakeLoop() *fakeLoop {
	return &fakeLoop{view: kiosk.View{Seq: 1, Step: kiosk.StepIdle, Message: kiosk.MsgIdle, Hall: kiosk.HallView{Name: "测试综治中心", OK: true}}, changed: make(chan struct{})}
}

func (f *fakeLoop) View() kiosk.View {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.view
}

func (f *fakeLoop) set(step kiosk.Step) {
	f.mu.Lock()
	f.view.Seq++
	f.view.Step = step
	close(f.changed)
	f.changed = make(chan struct{})
	f.mu.Unlock()
}

func (f *fakeLoop) Wait(ctx context.Context, seq uint64) (kiosk.View, error) {
	for {
		f.mu.Lock()
		v, ch := f.view, f.changed
		f.mu.Unlock()
		if v.Seq > seq {
			return v, nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return v, ctx.Err()
		}
	}
}

func (f *fakeLoop) Choose(ctx context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.chosen = append(f.chosen, id)
	return f.err
}

func (f *fakeLoop) Back(ctx context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.backs++
	return f.err
}

func (f *fakeLoop) GroupVisit(ctx context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.groups = append(f.groups, id)
	return f.err
}

func (f *fakeLoop) Inquire(ctx context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.inquiries++
	return f.err
}

func (f *fakeLoop) InquireCode(ctx context.Context, code, last4 string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.codes = append(f.codes, code+"/"+last4)
	return f.err
}

func (f *fakeLoop) CheckIn(ctx context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.checkIns++
	return f.err
}

func (f *fakeLoop) CheckInCode(ctx context.Context, code string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.codes = append(f.codes, "booking:"+code)
	return f.err
}

func (f *fakeLoop) Finish(ctx context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.finishes++
	return f.err
}

// fakeDemo records the demo panel's actions.
type fakeDemo struct {
	mu     sync.Mutex
	placed []string
	lifted int
}

func (d *fakeDemo) Cards() []kioskweb.DemoCard {
	return []kioskweb.DemoCard{{Label: "resident", Name: "王*明", Note: "居民身份证"}}
}

func (d *fakeDemo) Place(label string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if label != "resident" {
		return errors.New("no such card")
	}
	d.placed = append(d.placed, label)
	return nil
}

func (d *fakeDemo) Remove() { d.mu.Lock(); d.lifted++; d.mu.Unlock() }

func (d *fakeDemo) LastTicket() ([]byte, kioskweb.PrintedTicket, error) {
	return []byte("\x89PNG"), kioskweb.PrintedTicket{Lines: []string{"A001"}, QRs: []string{"http://hall.test/t/1"}, Cut: true}, nil
}

func newHandler(t *testing.T, loop kioskweb.Loop, demo kioskweb.Demo, done <-chan struct{}) *kioskweb.Handler {
	t.Helper()
	h, err := kioskweb.New(kioskweb.Opts{Loop: loop, Demo: demo, Done: done, Heartbeat: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func do(h http.Handler, method, path, body string, mod func(*http.Request)) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	r.RemoteAddr = "127.0.0.1:40000"
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	if mod != nil {
		mod(r)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestPage(t *testing.T) {
	h := newHandler(t, newFakeLoop(), nil, nil)
	for _, path := range []string{"/kiosk", "/kiosk/"} {
		w := do(h, "GET", path, "", nil)
		if w.Code != 200 || !strings.Contains(w.Body.String(), "请选择要办理的事项") || strings.Contains(w.Body.String(), "演示模式") {
			t.Errorf("%s: %d\n%s", path, w.Code, w.Body.String())
		}
		if !strings.Contains(w.Body.String(), `src="/kiosk/static/kiosk.js"`) {
			t.Errorf("%s: no script", path)
		}
	}
	for _, f := range []string{"kiosk.js", "kiosk.css"} {
		w := do(h, "GET", "/kiosk/static/"+f, "", nil)
		if w.Code != 200 || w.Body.Len() < 1000 {
			t.Errorf("%s: %d, %d bytes", f, w.Code, w.Body.Len())
		}
	}
	// Nothing is fetched from elsewhere: the hall has no internet.
	for _, f := range []string{"/kiosk", "/kiosk/static/kiosk.js", "/kiosk/static/kiosk.css"} {
		if b := do(h, "GET", f, "", nil).Body.String(); strings.Contains(b, "http://") || strings.Contains(b, "https://") {
			t.Errorf("%s refers to another site", f)
		}
	}
	demo := newHandler(t, newFakeLoop(), &fakeDemo{}, nil)
	if b := do(demo, "GET", "/kiosk", "", nil).Body.String(); !strings.Contains(b, "演示模式") || !strings.Contains(b, `data-demo="1"`) {
		t.Error("demo page has no demo panel")
	}
}

func TestState(t *testing.T) {
	loop := newFakeLoop()
	h := newHandler(t, loop, nil, nil)
	w := do(h, "GET", "/kiosk/state", "", nil)
	var v struct {
		Step string `json:"step"`
		Seq  int    `json:"seq"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil || v.Step != "idle" || v.Seq != 1 {
		t.Errorf("state %s: %v", w.Body.String(), err)
	}
}

func TestControls(t *testing.T) {
	loop := newFakeLoop()
	h := newHandler(t, loop, nil, nil)
	if w := do(h, "POST", "/kiosk/choose", `{"service":"petition"}`, nil); w.Code != 204 {
		t.Errorf("choose: %d %s", w.Code, w.Body.String())
	}
	if w := do(h, "POST", "/kiosk/back", `{}`, nil); w.Code != 204 {
		t.Errorf("back: %d", w.Code)
	}
	if loop.chosen[0] != "petition" || loop.backs != 1 {
		t.Errorf("loop got %v, %d backs", loop.chosen, loop.backs)
	}
	cases := []struct {
		name string
		err  error
		body string
		mod  func(*http.Request)
		code int
	}{
		{"unknown service", kiosk.ErrUnknownService, `{"service":"x"}`, nil, 400},
		{"busy", kiosk.ErrBusy, `{"service":"x"}`, nil, 409},
		{"stopped", kiosk.ErrStopped, `{"service":"x"}`, nil, 503},
		{"unknown field", nil, `{"service":"x","extra":1}`, nil, 400},
		{"not JSON", nil, `service=x`, nil, 400},
		{"from another machine", nil, `{"service":"x"}`, func(r *http.Request) { r.RemoteAddr = "192.168.1.50:5000" }, 403},
		{"cross-site", nil, `{"service":"x"}`, func(r *http.Request) { r.Header.Set("Sec-Fetch-Site", "cross-site") }, 403},
	}
	for _, c := range cases {
		loop.err = c.err
		w := do(h, "POST", "/kiosk/choose", c.body, c.mod)
		var e struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		json.Unmarshal(w.Body.Bytes(), &e)
		if w.Code != c.code || e.Error.Message == "" {
			t.Errorf("%s: %d %s, want %d with a message", c.name, w.Code, w.Body.String(), c.code)
		}
	}
	if w := do(h, "GET", "/kiosk/choose", "", nil); w.Code != 405 {
		t.Errorf("GET choose: %d", w.Code)
	}
	remote, _ := kioskweb.New(kioskweb.Opts{Loop: loop, AllowRemote: true})
	loop.err = nil
	if w := do(remote, "POST", "/kiosk/choose", `{"service":"x"}`, func(r *http.Request) { r.RemoteAddr = "192.168.1.50:5000" }); w.Code != 204 {
		t.Errorf("AllowRemote: %d", w.Code)
	}
}

// 多人来访 and 完成 reach the loop; its refusals get their statuses.
func TestGroupControls(t *testing.T) {
	loop := newFakeLoop()
	h := newHandler(t, loop, nil, nil)
	if w := do(h, "POST", "/kiosk/group", `{"service":"petition"}`, nil); w.Code != 204 {
		t.Errorf("group: %d %s", w.Code, w.Body.String())
	}
	if w := do(h, "POST", "/kiosk/finish", `{}`, nil); w.Code != 204 {
		t.Errorf("finish: %d %s", w.Code, w.Body.String())
	}
	if len(loop.groups) != 1 || loop.groups[0] != "petition" || loop.finishes != 1 {
		t.Errorf("loop got groups %v, %d finishes", loop.groups, loop.finishes)
	}
	for _, c := range []struct {
		path, body string
		err        error
		code       int
		errCode    string
	}{
		{"/kiosk/group", `{"service":"consult"}`, kiosk.ErrNoGroup, 400, "no_group"},
		{"/kiosk/group", `{"service":"petition"}`, kiosk.ErrBusy, 409, "busy"},
		{"/kiosk/finish", `{}`, kiosk.ErrNoCard, 409, "no_card"},
		{"/kiosk/finish", `{}`, kiosk.ErrBusy, 409, "busy"},
	} {
		loop.err = c.err
		w := do(h, "POST", c.path, c.body, nil)
		var e struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		json.Unmarshal(w.Body.Bytes(), &e)
		if w.Code != c.code || e.Error.Code != c.errCode || e.Error.Message == "" {
			t.Errorf("%s with %v: %d %s, want %d %s", c.path, c.err, w.Code, w.Body.String(), c.code, c.errCode)
		}
	}
	loop.err = nil
	if w := do(h, "POST", "/kiosk/finish", `{}`, func(r *http.Request) { r.RemoteAddr = "192.168.1.50:5000" }); w.Code != 403 {
		t.Errorf("finish from another machine: %d", w.Code)
	}
}

func TestDemoRoutes(t *testing.T) {
	if w := do(newHandler(t, newFakeLoop(), nil, nil), "POST", "/kiosk/demo/place", `{"card":"resident"}`, nil); w.Code != 404 {
		t.Errorf("demo route without demo mode: %d", w.Code)
	}
	d := &fakeDemo{}
	h := newHandler(t, newFakeLoop(), d, nil)
	var cards []kioskweb.DemoCard
	json.Unmarshal(do(h, "GET", "/kiosk/demo/cards", "", nil).Body.Bytes(), &cards)
	if len(cards) != 1 || cards[0].Name != "王*明" {
		t.Errorf("cards %+v", cards)
	}
	if w := do(h, "POST", "/kiosk/demo/place", `{"card":"resident"}`, nil); w.Code != 204 {
		t.Errorf("place: %d", w.Code)
	}
	if w := do(h, "POST", "/kiosk/demo/place", `{"card":"nobody"}`, nil); w.Code != 400 {
		t.Errorf("place an unknown card: %d", w.Code)
	}
	if w := do(h, "POST", "/kiosk/demo/remove", `{}`, nil); w.Code != 204 {
		t.Errorf("remove: %d", w.Code)
	}
	if w := do(h, "POST", "/kiosk/demo/place", `{"card":"resident"}`, func(r *http.Request) { r.RemoteAddr = "10.0.0.9:1" }); w.Code != 403 {
		t.Errorf("place from another machine: %d", w.Code)
	}
	if len(d.placed) != 1 || d.lifted != 1 {
		t.Errorf("demo got %v placed, %d lifted", d.placed, d.lifted)
	}
	if w := do(h, "GET", "/kiosk/demo/ticket.png", "", nil); w.Code != 200 || w.Header().Get("Content-Type") != "image/png" {
		t.Errorf("png: %d %s", w.Code, w.Header().Get("Content-Type"))
	}
	var pt kioskweb.PrintedTicket
	json.Unmarshal(do(h, "GET", "/kiosk/demo/ticket.json", "", nil).Body.Bytes(), &pt)
	if len(pt.QRs) != 1 || !pt.Cut {
		t.Errorf("ticket %+v", pt)
	}
}

// readEvent reads one SSE event's data, skipping comments.
func readEvent(t *testing.T, r *bufio.Reader) (id, data string) {
	t.Helper()
	var event string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("stream ended: %v", err)
		}
		line = strings.TrimRight(line, "\n")
		switch {
		case line == "" && data != "":
			if event != "view" {
				t.Fatalf("event %q", event)
			}
			return id, data
		case strings.HasPrefix(line, "id: "):
			id = line[4:]
		case strings.HasPrefix(line, "event: "):
			event = line[7:]
		case strings.HasPrefix(line, "data: "):
			data = line[6:]
		}
	}
}

// The stream sends the current view, then each new one, keeps itself
// alive, and ends when the server shuts down.
func TestEvents(t *testing.T) {
	loop := newFakeLoop()
	done := make(chan struct{})
	srv := httptest.NewServer(newHandler(t, loop, nil, done))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/kiosk/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Errorf("content type %q", ct)
	}
	r := bufio.NewReader(resp.Body)
	id, data := readEvent(t, r)
	if id != "1" || !strings.Contains(data, `"step":"idle"`) {
		t.Errorf("first event %s %s", id, data)
	}
	loop.set(kiosk.StepWaitCard)
	id, data = readEvent(t, r)
	if id != "2" || !strings.Contains(data, `"step":"wait_card"`) {
		t.Errorf("second event %s %s", id, data)
	}
	// Idle for longer than the heartbeat: a comment keeps it open.
	var sawComment bool
	deadline := time.Now().Add(5 * time.Second)
	for !sawComment && time.Now().Before(deadline) {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		sawComment = strings.HasPrefix(line, ": keepalive")
	}
	if !sawComment {
		t.Error("no heartbeat")
	}
	close(done)
	ended := make(chan error, 1)
	go func() { _, err := io.Copy(io.Discard, r); ended <- err }()
	select {
	case <-ended:
	case <-time.After(5 * time.Second):
		t.Fatal("the stream outlived the server's shutdown")
	}
}

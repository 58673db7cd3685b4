package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	hallconfig "yiting/firmware-config"
	"yiting/kiosk"
	"yiting/kiosk/idcard"
	"yiting/kiosk/idcard/idcardsim"
	"yiting/kiosk/kioskweb"
	"yiting/kiosk/local"
	"yiting/printer/printersim"
	"yiting/printer/spool"
	"yiting/queue"
	"yiting/queue/boltstore"
	"yiting/queue/queuetest"
)

// kioskView is the part of the kiosk's view the tests read.
type kioskView struct {
	Seq      uint64 `json:"seq"`
	Step     string `json:"step"`
	Message  string `json:"message"`
	Retrying bool   `json:"retrying"`
	Ticket   *struct {
		ID       uint64 `json:"id"`
		Number   string `json:"number"`
		Counter  string `json:"counter"`
		Note     string `json:"note"`
		Printed  bool   `json:"printed"`
		Replayed bool   `json:"replayed"`
	} `json:"ticket"`
	Error *struct {
		Code string `json:"code"`
	} `json:"error"`
	Hall struct {
		OK bool `json:"ok"`
	} `json:"hall"`
	Devices struct {
		Reader  struct{ OK bool } `json:"reader"`
		Printer struct {
			OK      bool   `json:"ok"`
			Message string `json:"message"`
			Pending int    `json:"pending"`
		} `json:"printer"`
	} `json:"devices"`
}

// kioskClient drives a kiosk process over its page's routes, as the page
// does.
type kioskClient struct {
	t *testing.T
	c *client
}

func newKioskClient(t *testing.T, base string) *kioskClient {
	return &kioskClient{t: t, c: &client{base: strings.TrimRight(base, "/"), http: &http.Client{Timeout: 10 * time.Second}}}
}

func (k *kioskClient) post(path string, body any) {
	k.t.Helper()
	if _, err := k.c.do(context.Background(), "POST", path, "", body, nil); err != nil {
		k.t.Fatal(err)
	}
}

func (k *kioskClient) view() kioskView {
	k.t.Helper()
	var v kioskView
	if _, err := k.c.do(context.Background(), "GET", "/kiosk/state", "", nil, &v); err != nil {
		k.t.Fatal(err)
	}
	return v
}

// until polls the kiosk's state until ok holds.
func (k *kioskClient) until(what string, ok func(kioskView) bool) kioskView {
	k.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		v := k.view()
		if ok(v) {
			return v
		}
		if time.Now().After(deadline) {
			k.t.Fatalf("waiting for %s: last view %+v", what, v)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (k *kioskClient) step(s string) kioskView {
	k.t.Helper()
	return k.until("step "+s, func(v kioskView) bool { return v.Step == s })
}

// decodeQR reads the QR code of a PNG with zbarimg (Debian zbar-tools).
func decodeQR(t *testing.T, png []byte) string {
	t.Helper()
	if _, err := exec.LookPath("zbarimg"); err != nil {
		t.Fatal("zbarimg not found: apt-get install zbar-tools")
	}
	path := filepath.Join(t.TempDir(), "ticket.png")
	if err := os.WriteFile(path, png, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("zbarimg", "-q", "--raw", "-Sbinary", path).Output()
	if err != nil {
		t.Fatalf("zbarimg: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// The whole way, in the real binary with its simulated devices on
// pseudo-terminals: a service chosen on the page, a card placed on the
// simulated reader, the ticket issued, the printer's bytes decoded. The
// number on paper is the one the API reports, and the QR code opens the
// case's public inquiry page.
func TestKioskEndToEnd(t *testing.T) {
	const pw = "kiosk-e2e-password"
	srv := startServer(t, []string{"YITING_ADMIN_PASSWORD=" + pw}, "-data", t.TempDir(), "-addr", "127.0.0.1:0")
	k := newKioskClient(t, srv.url)
	k.until("the kiosk is ready", func(v kioskView) bool { return v.Hall.OK && v.Devices.Reader.OK })

	k.post("/kiosk/choose", map[string]string{"service": "petition"})
	k.step("wait_card")
	k.post("/kiosk/demo/place", map[string]string{"card": idcardsim.LabelResident})
	v := k.step("ticket")
	if v.Ticket == nil || !v.Ticket.Printed {
		t.Fatalf("ticket %+v", v.Ticket)
	}

	var paper kioskweb.PrintedTicket
	if _, err := k.c.do(context.Background(), "GET", "/kiosk/demo/ticket.json", "", nil, &paper); err != nil {
		t.Fatal(err)
	}
	api, err := login(testCtx(t), srv.url, "admin", pw)
	if err != nil {
		t.Fatal(err)
	}
	var tv queue.TicketView
	if _, err := api.do(testCtx(t), "GET", fmt.Sprint("/api/v1/tickets/", v.Ticket.ID), "", nil, &tv); err != nil {
		t.Fatal(err)
	}
	if tv.Number != v.Ticket.Number || tv.Visitor.MaskedName != "王*明" || tv.ServiceID != "petition" {
		t.Errorf("API ticket %+v, on screen %+v", tv.Ticket, v.Ticket)
	}
	printedNumber := false
	for _, l := range paper.Lines {
		printedNumber = printedNumber || strings.TrimSpace(l) == tv.Number
	}
	if !printedNumber || !paper.Cut {
		t.Errorf("the paper does not show %s (cut %v):\n%s", tv.Number, paper.Cut, strings.Join(paper.Lines, "\n"))
	}
	// A petition opens a case (一件一码): the ticket carries its code and
	// the QR the case's public inquiry page, behind an unguessable token.
	if tv.CaseCode == "" {
		t.Fatalf("the petition ticket carries no case code: %+v", tv.Ticket)
	}
	if len(paper.QRs) != 1 || !strings.HasPrefix(paper.QRs[0], "http://yiting.local/c/") {
		t.Fatalf("QR payloads %q, want the case inquiry URL", paper.QRs)
	}
	wantURL := paper.QRs[0]
	page, err := http.Get(srv.url + strings.TrimPrefix(wantURL, "http://yiting.local"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(page.Body)
	page.Body.Close()
	if page.StatusCode != 200 || !strings.Contains(string(body), tv.CaseCode) || strings.Contains(string(body), "王小明") {
		t.Errorf("inquiry page %d: want the case %s and no full name:\n%.400s", page.StatusCode, tv.CaseCode, body)
	}
	resp, err := http.Get(srv.url + "/kiosk/demo/ticket.png")
	if err != nil {
		t.Fatal(err)
	}
	png, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if got := decodeQR(t, png); got != wantURL {
		t.Errorf("the printed QR decodes to %q, want %s", got, wantURL)
	}
	srv.stop(t)
}

// kioskRig is a kiosk in the test's process over a real engine and bbolt,
// with its simulated devices on pseudo-terminals, so a test can make them
// fail.
type kioskRig struct {
	k     *kioskApp
	eng   *queue.Engine
	store *boltstore.Store
	cfg   *hallconfig.Config
}

func newKioskRig(t testing.TB, o kioskOptions) *kioskRig {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	dir := t.TempDir()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg, err := hallconfig.Default()
	if err != nil {
		t.Fatal(err)
	}
	h := queuetest.NewHall(t, &cfg.Hall, queuetest.HallOptions{Dir: dir, Logger: log, Engine: queue.Options{Now: time.Now}})
	desk, err := local.New(local.Opts{Engine: h.Engine, Cases: h.Book})
	if err != nil {
		t.Fatal(err)
	}
	o.cfg, o.dataDir, o.desk, o.log = cfg, dir, desk, log
	k, err := newKiosk(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	stop := k.start(ctx)
	t.Cleanup(func() {
		cancel()
		stop()
	})
	eng, st := h.Engine, h.Store
	return &kioskRig{k: k, eng: eng, store: st, cfg: cfg}
}

func (p *kioskRig) until(t testing.TB, what string, ok func(kiosk.View) bool) kiosk.View {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	v := p.k.loop.View()
	for !ok(v) {
		var err error
		if v, err = p.k.loop.Wait(ctx, v.Seq); err != nil {
			t.Fatalf("waiting for %s: %v; last view %+v", what, err, v)
		}
	}
	return v
}

func (p *kioskRig) step(t testing.TB, s kiosk.Step) kiosk.View {
	t.Helper()
	return p.until(t, s.String(), func(v kiosk.View) bool { return v.Step == s })
}

func (p *kioskRig) choose(t testing.TB, service string) {
	t.Helper()
	if err := p.k.loop.Choose(context.Background(), service); err != nil {
		t.Fatalf("choose %s: %v", service, err)
	}
}

func (p *kioskRig) place(t testing.TB, label string) {
	t.Helper()
	c, ok := idcardsim.CardByLabel(label)
	if !ok {
		t.Fatalf("no card %s", label)
	}
	p.k.dev.readerSim.Place(c)
}

func (p *kioskRig) back(t testing.TB) {
	t.Helper()
	if err := p.k.loop.Back(context.Background()); err != nil {
		t.Fatal(err)
	}
	p.step(t, kiosk.StepIdle)
}

func (p *kioskRig) nextDoc(t testing.TB) printersim.Document {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	d, err := p.k.dev.printerSim.Next(ctx)
	if err != nil {
		t.Fatalf("nothing printed: %v", err)
	}
	return d
}

func printedHas(d printersim.Document, s string) bool {
	for _, l := range d.Lines() {
		if strings.Contains(l, s) {
			return true
		}
	}
	return false
}

func quickKiosk(o *kioskOptions) {
	o.tuneLoop = func(lo *kiosk.Opts) { lo.PrinterEvery = 50 * time.Millisecond; lo.InfoEvery = 100 * time.Millisecond }
	o.tuneDevices = func(d *deviceTuning) {
		d.spool = spool.Opts{MinBackoff: 20 * time.Millisecond, MaxBackoff: 50 * time.Millisecond}
	}
	o.tuneReader = func(r *idcard.ReaderOpts) { r.Poll = 20 * time.Millisecond }
}

// The failures of the issue, each with its screen and its outcome, through
// the real reader and printer drivers on pseudo-terminals.
func TestKioskFaults(t *testing.T) {
	var o kioskOptions
	quickKiosk(&o)
	p := newKioskRig(t, o)
	p.until(t, "ready", func(v kiosk.View) bool { return v.Hall.OK && v.Devices.Reader.OK && v.Devices.Printer.OK })

	t.Run("paper out", func(t *testing.T) {
		p.k.dev.printerSim.SetState(printersim.State{PaperOut: true})
		p.choose(t, "consult")
		v := p.step(t, kiosk.StepTicket)
		if v.Ticket.Printed || v.Message != kiosk.MsgNotPrinted || v.Ticket.PrintProblem != "打印机缺纸，请装入新纸卷" {
			t.Fatalf("unprinted ticket: %+v %q", v.Ticket, v.Message)
		}
		if _, err := p.eng.TicketByNumber(v.Ticket.Number); err != nil {
			t.Fatalf("the ticket was not kept issued: %v", err)
		}
		if pr := v.Devices.Printer; pr.OK || pr.Pending != 1 {
			t.Errorf("staff see %+v", pr)
		}
		p.k.dev.printerSim.SetState(printersim.State{})
		d := p.nextDoc(t)
		if !printedHas(d, v.Ticket.Number) {
			t.Errorf("the pending ticket printed as:\n%s", d.Text())
		}
		p.until(t, "printer fixed", func(v kiosk.View) bool { return v.Devices.Printer.OK && v.Devices.Printer.Pending == 0 })
		p.back(t)
	})

	t.Run("unreadable card", func(t *testing.T) {
		p.k.dev.readerSim.SetFault(idcardsim.Fault{Kind: idcardsim.FaultStatus, Op: idcard.OpReadBase, Status: idcard.StatusReadFailed, Times: 1})
		p.choose(t, "petition")
		p.step(t, kiosk.StepWaitCard)
		p.place(t, idcardsim.LabelResident)
		v := p.step(t, kiosk.StepError)
		if v.Error.Code != kiosk.ErrCodeUnreadable || v.Message != "请重新放置身份证" {
			t.Fatalf("error %+v", v.Error)
		}
		p.k.dev.readerSim.Remove()
		p.place(t, idcardsim.LabelResident)
		v = p.step(t, kiosk.StepTicket)
		if tv, err := p.eng.TicketByNumber(v.Ticket.Number); err != nil || tv.Visitor.MaskedName != "王*明" || tv.Visitor.Key == "" {
			t.Errorf("ticket after replacing the card: %+v %v", tv, err)
		}
		p.nextDoc(t)
		p.k.dev.readerSim.Remove()
		p.back(t)
	})

	t.Run("expired card", func(t *testing.T) {
		p.choose(t, "petition")
		p.place(t, idcardsim.LabelExpired)
		v := p.step(t, kiosk.StepError)
		if v.Error.Code != kiosk.ErrCodeExpired {
			t.Fatalf("error %+v", v.Error)
		}
		p.k.dev.readerSim.Remove()
		p.back(t)
	})

	t.Run("elderly priority", func(t *testing.T) {
		p.place(t, idcardsim.LabelElderly)
		p.step(t, kiosk.StepChoose)
		p.choose(t, "legal-aid")
		v := p.step(t, kiosk.StepTicket)
		tv, _ := p.eng.TicketByNumber(v.Ticket.Number)
		if tv.Priority != "elderly" || v.Ticket.Priority != "老年人" {
			t.Errorf("priority: %q on screen %q", tv.Priority, v.Ticket.Priority)
		}
		if d := p.nextDoc(t); !printedHas(d, "老年人优先") {
			t.Errorf("printed:\n%s", d.Text())
		}
		p.k.dev.readerSim.Remove()
		p.back(t)
	})

	// 首访负责制: the resident was served at a window for a petition; back
	// for another petition, the ticket goes to that window.
	t.Run("first visit", func(t *testing.T) {
		ctx := context.Background()
		boss := queue.Principal{ID: "boss", Role: queue.RoleSupervisor}
		if _, err := p.eng.OpenCounter(ctx, boss, "win-02"); err != nil {
			t.Fatal(err)
		}
		for {
			tk, err := p.eng.CallNext(ctx, boss, "win-02")
			if err != nil || tk == nil {
				t.Fatalf("the resident's petition was not called: %v", err)
			}
			if _, err := p.eng.Complete(ctx, boss, "win-02"); err != nil {
				t.Fatal(err)
			}
			if tk.ServiceID == "petition" {
				break
			}
		}
		p.choose(t, "petition")
		p.place(t, idcardsim.LabelResident)
		v := p.step(t, kiosk.StepTicket)
		if v.Ticket.Note != "首访负责：请到2号窗口" {
			t.Errorf("on screen: %+v", v.Ticket)
		}
		if tv, _ := p.eng.TicketByNumber(v.Ticket.Number); tv.TargetCounter != "win-02" {
			t.Errorf("ticket bound to %q", tv.TargetCounter)
		}
		if d := p.nextDoc(t); !printedHas(d, "首访负责：请到2号窗口") {
			t.Errorf("printed:\n%s", d.Text())
		}
		p.k.dev.readerSim.Remove()
	})
}

// killProxy stands between a remote kiosk and the hall server. Armed, it
// lets the next ticket request reach the server, waits for the server's
// answer (the ticket is committed), kills the server and drops the answer:
// the kiosk has lost the hall mid-request.
type killProxy struct {
	mu     sync.Mutex
	target string
	kill   func()
	killed chan int // the status the server answered before it was killed
	rt     http.RoundTripper
}

func newKillProxy(target string) *killProxy {
	return &killProxy{target: target, killed: make(chan int, 1), rt: &http.Transport{DisableKeepAlives: true}}
}

func (p *killProxy) arm(kill func()) {
	p.mu.Lock()
	p.kill = kill
	p.mu.Unlock()
}

func (p *killProxy) setTarget(u string) {
	p.mu.Lock()
	p.target = u
	p.mu.Unlock()
}

func (p *killProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	target, kill := p.target, p.kill
	if r.Method == "POST" && r.URL.Path == "/api/v1/tickets" {
		p.kill = nil
	} else {
		kill = nil
	}
	p.mu.Unlock()
	out, err := http.NewRequestWithContext(r.Context(), r.Method, target+r.URL.RequestURI(), r.Body)
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	out.Header = r.Header.Clone()
	resp, err := p.rt.RoundTrip(out)
	if err != nil {
		panic(http.ErrAbortHandler) // the server is down: so is the connection
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if kill != nil {
		kill()
		p.killed <- resp.StatusCode
		panic(http.ErrAbortHandler)
	}
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	w.Write(body)
}

// A kiosk on another machine (-role kiosk) loses the hall server in the
// middle of issuing: the server committed the ticket and died before
// answering. The kiosk says 系统维护中 and retries; after the server's
// restart it gets the same ticket, and the hall has issued exactly one.
func TestRemoteKioskAcrossServerRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three processes: skipped with -short")
	}
	const pw = "remote-kiosk-password"
	env := []string{"YITING_ADMIN_PASSWORD=" + pw}
	dir := t.TempDir()
	hall := startServer(t, env, "-data", dir, "-addr", "127.0.0.1:0")
	ctx := testCtx(t)
	api, err := login(ctx, hall.url, "admin", pw)
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		Secret string `json:"secret"`
	}
	if _, err := api.do(ctx, "POST", "/api/v1/admin/tokens", "", map[string]string{"role": "kiosk", "name": "二楼取号机"}, &tok); err != nil {
		t.Fatal(err)
	}
	proxy := newKillProxy(hall.url)
	ps := httptest.NewServer(proxy)
	defer ps.Close()

	ks := startServer(t, nil, "-role", "kiosk", "-server", ps.URL, "-token", tok.Secret, "-data", t.TempDir(), "-addr", "127.0.0.1:0")
	k := newKioskClient(t, ks.url)
	k.until("the kiosk reaches the hall", func(v kioskView) bool { return v.Hall.OK && v.Devices.Reader.OK })

	proxy.arm(hall.kill)
	k.post("/kiosk/choose", map[string]string{"service": "consult"})
	if status := <-proxy.killed; status != http.StatusCreated {
		t.Fatalf("the server answered %d before it died", status)
	}
	v := k.until("系统维护中", func(v kioskView) bool { return v.Retrying })
	if v.Step != "issuing" || v.Message != kiosk.MsgMaintenance {
		t.Errorf("while the hall is down: %+v", v)
	}

	hall = startServer(t, env, "-data", dir, "-addr", "127.0.0.1:0")
	proxy.setTarget(hall.url)
	v = k.step("ticket")
	if v.Ticket == nil || v.Ticket.Number != "C001" || !v.Ticket.Replayed || !v.Ticket.Printed {
		t.Fatalf("after the restart: %+v", v.Ticket)
	}
	api, err = login(ctx, hall.url, "admin", pw)
	if err != nil {
		t.Fatal(err)
	}
	var qs queue.QueueState
	if _, err := api.do(ctx, "GET", "/api/v1/queue", "", nil, &qs); err != nil {
		t.Fatal(err)
	}
	for _, s := range qs.Services {
		if s.ServiceID == "consult" && (s.Waiting != 1 || s.LastIssued != "C001") {
			t.Errorf("one tap, the hall has %+v", s)
		}
	}
	var paper kioskweb.PrintedTicket
	if _, err := k.c.do(ctx, "GET", "/kiosk/demo/ticket.json", "", nil, &paper); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(paper.Lines, "\n"), "C001") {
		t.Errorf("printed:\n%s", strings.Join(paper.Lines, "\n"))
	}
	ks.stop(t)
}

func TestKioskURL(t *testing.T) {
	for addr, want := range map[string]string{
		"127.0.0.1:8080":  "http://127.0.0.1:8080/kiosk",
		"0.0.0.0:8080":    "http://127.0.0.1:8080/kiosk",
		":9000":           "http://127.0.0.1:9000/kiosk",
		"192.168.1.10:80": "http://192.168.1.10:80/kiosk",
		"[::1]:8080":      "http://[::1]:8080/kiosk",
	} {
		if got := kioskURL(addr); got != want {
			t.Errorf("kioskURL(%q) = %q, want %q", addr, got, want)
		}
	}
}

// On a PC there is no GPIO: the kiosk runs without its panel and says so
// once.
func TestPanelWithoutGPIO(t *testing.T) {
	var logs strings.Builder
	log := slog.New(slog.NewTextHandler(&logs, nil))
	p, err := openPanel(hallconfig.Devices{}, log)
	if p != nil || err != nil || logs.Len() != 0 {
		t.Fatalf("no pins configured: %v %v %q", p, err, logs.String())
	}
	p, err = openPanel(hallconfig.Devices{LED: "GPIO17", Buzzer: "GPIO27", Buttons: map[string]string{"GPIO5": "consult", "GPIO6": "petition"}}, log)
	if err != nil || p != nil {
		t.Fatalf("pins on a machine without GPIO: %v %v", p, err)
	}
	if n := strings.Count(logs.String(), "level=WARN"); n != 1 || !strings.Contains(logs.String(), "GPIO") {
		t.Errorf("want one warning, got:\n%s", logs.String())
	}
}

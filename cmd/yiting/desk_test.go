package main

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	hallconfig "yiting/firmware-config"
	"yiting/kiosk/hallclient"
	"yiting/kiosk/idcard/idcardsim"
	"yiting/kiosk/kioskweb"
	"yiting/queue"
	"yiting/queue/cases"
)

// TestOneDesk: the in-process kiosk (-role hall) and a kiosk on another
// Pi (-role kiosk, over TLS to the pinned server, without a key) give the
// visitor the same: a petition tapped with a card prints a ticket whose QR
// opens its case's page; served, the case is received at that window, and
// the same visitor returning is sent back there; a group of three gets one
// ticket and one case of three 人次; a consultation's ticket has no QR.
func TestOneDesk(t *testing.T) {
	for _, role := range []string{"hall", "kiosk"} {
		t.Run(role, func(t *testing.T) {
			const pw = "one-desk-password"
			env := []string{"YITING_ADMIN_PASSWORD=" + pw}
			serverRole := "hall"
			if role == "kiosk" {
				serverRole = "server"
			}
			srv := startServer(t, env, "-role", serverRole, "-data", t.TempDir(), "-addr", "127.0.0.1:0")
			ctx := testCtx(t)
			api, err := login(ctx, srv.url, "admin", pw)
			if err != nil {
				t.Fatal(err)
			}
			kioskURL := srv.url
			if role == "kiosk" {
				var tok struct {
					Secret string `json:"secret"`
				}
				if _, err := api.do(ctx, "POST", "/api/v1/admin/tokens", "", map[string]string{"role": "kiosk", "name": "二楼取号机"}, &tok); err != nil {
					t.Fatal(err)
				}
				ks := startServer(t, nil, "-role", "kiosk", "-server", strings.Replace(srv.url, "http:", "https:", 1),
					"-pin", srv.pin, "-token", tok.Secret, "-data", t.TempDir(), "-addr", "127.0.0.1:0")
				kioskURL = ks.url
			}
			k := newKioskClient(t, kioskURL)
			k.until("the kiosk is ready", func(v kioskView) bool { return v.Hall.OK && v.Devices.Reader.OK })
			tap := func(service string, cards ...string) (kioskView, kioskweb.PrintedTicket) {
				t.Helper()
				k.post("/kiosk/choose", map[string]string{"service": service})
				switch {
				case len(cards) == 1:
					k.step("wait_card")
					k.post("/kiosk/demo/place", map[string]string{"card": cards[0]})
				case len(cards) > 1:
					k.step("wait_card")
					k.post("/kiosk/group", map[string]string{"service": service})
					for i, c := range cards {
						k.post("/kiosk/demo/place", map[string]string{"card": c})
						k.groupUntil("a representative", func(v groupKioskView) bool { return v.Group != nil && len(v.Group.Names) == i+1 })
						k.post("/kiosk/demo/remove", nil)
					}
					k.post("/kiosk/finish", nil)
				}
				v := k.step("ticket")
				var paper kioskweb.PrintedTicket
				if _, err := k.c.do(ctx, "GET", "/kiosk/demo/ticket.json", "", nil, &paper); err != nil {
					t.Fatal(err)
				}
				if len(cards) == 1 {
					k.post("/kiosk/demo/remove", nil)
				}
				k.post("/kiosk/back", nil)
				k.step("idle")
				return v, paper
			}
			ticket := func(id uint64) queue.TicketView {
				t.Helper()
				var tv queue.TicketView
				if _, err := api.do(ctx, "GET", fmt.Sprint("/api/v1/tickets/", id), "", nil, &tv); err != nil {
					t.Fatal(err)
				}
				return tv
			}
			caseOf := func(code string) cases.View {
				t.Helper()
				var out struct {
					Case cases.View `json:"case"`
				}
				if _, err := api.do(ctx, "GET", "/api/v1/cases/"+code, "", nil, &out); err != nil {
					t.Fatal(err)
				}
				return out.Case
			}

			// A petition with a card: the QR opens the case's page.
			v, paper := tap("petition", idcardsim.LabelResident)
			tv := ticket(v.Ticket.ID)
			if tv.CaseCode == "" || len(paper.QRs) != 1 || !strings.HasPrefix(paper.QRs[0], "http://yiting.local/c/") {
				t.Fatalf("petition: case %q, QR %q", tv.CaseCode, paper.QRs)
			}
			page, err := http.Get(srv.url + strings.TrimPrefix(paper.QRs[0], "http://yiting.local"))
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(page.Body)
			page.Body.Close()
			if page.StatusCode != http.StatusOK || !strings.Contains(string(body), tv.CaseCode) {
				t.Fatalf("the QR's page: %d\n%.300s", page.StatusCode, body)
			}
			// Served at 2号窗口: the case is received there.
			for _, cmd := range []string{"open", "call", "start", "complete"} {
				var b any
				if cmd == "call" {
					b = map[string]string{"number": tv.Number, "reason": "测试"}
				}
				if _, err := api.do(ctx, "POST", "/api/v1/counters/win-02/"+cmd, "", b, nil); err != nil {
					t.Fatalf("%s: %v", cmd, err)
				}
			}
			if c := caseOf(tv.CaseCode); c.Status != cases.StatusReceived || c.Handler.CounterID != "win-02" {
				t.Fatalf("after serving: %s at %q", c.Status, c.Handler.CounterID)
			}
			// A group of three: one ticket, one case of three.
			v, _ = tap("mediation-general", idcardsim.LabelElderly, idcardsim.LabelMinority, idcardsim.LabelHKPermit)
			g := ticket(v.Ticket.ID)
			if c := caseOf(g.CaseCode); len(c.Persons) != 3 || len(c.Visits) != 1 || c.Visits[0].Persons != 3 {
				t.Fatalf("group case %+v", c)
			}
			// A consultation: a ticket without a case prints no QR.
			v, paper = tap("consult")
			if ticket(v.Ticket.ID).CaseCode != "" || len(paper.QRs) != 0 {
				t.Fatalf("consultation: QR %q", paper.QRs)
			}
			// The first visitor returns (after the others: the reader has
			// read other cards since): sent back to 2号窗口, the visit joins
			// the case.
			v, paper = tap("petition", idcardsim.LabelResident)
			back := ticket(v.Ticket.ID)
			if back.TargetCounter != "win-02" || back.CaseCode != tv.CaseCode || len(paper.QRs) != 1 || paper.QRs[0] == "" {
				t.Fatalf("return visit: target %q, case %q (want %s)", back.TargetCounter, back.CaseCode, tv.CaseCode)
			}
			if c := caseOf(tv.CaseCode); len(c.Visits) != 2 {
				t.Fatalf("visits %+v", c.Visits)
			}
		})
	}
}

// TestServerSpeaksTLSOnItsPort: the one port answers http:// and https://;
// the certificate is the one whose pin the server printed; a client that
// pins another refuses it.
func TestServerSpeaksTLSOnItsPort(t *testing.T) {
	srv := startServer(t, []string{"YITING_ADMIN_PASSWORD=tls-test-password"}, "-role", "server", "-data", t.TempDir(), "-addr", "127.0.0.1:0")
	if len(srv.pin) != 64 {
		t.Fatalf("pin %q", srv.pin)
	}
	var seen string
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true,
		VerifyConnection: func(cs tls.ConnectionState) error {
			sum := sha256.Sum256(cs.PeerCertificates[0].Raw)
			seen = hex.EncodeToString(sum[:])
			return nil
		}}}}
	resp, err := client.Get(strings.Replace(srv.url, "http:", "https:", 1) + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.TLS == nil || seen != srv.pin {
		t.Fatalf("https: %d, pin %s (printed %s)", resp.StatusCode, seen, srv.pin)
	}
	if resp, err := http.Get(srv.url + "/healthz"); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("http on the same port: %v", err)
	}
	// A kiosk paired with another server refuses this one.
	other := startServer(t, []string{"YITING_ADMIN_PASSWORD=tls-test-password"}, "-role", "server", "-data", t.TempDir(), "-addr", "127.0.0.1:0")
	if other.pin == srv.pin {
		t.Fatal("two servers made the same certificate")
	}
	for pin, ok := range map[string]bool{srv.pin: true, other.pin: false} {
		c, err := hallclient.New(strings.Replace(srv.url, "http:", "https:", 1), &hallclient.Opts{Pin: pin})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Info(context.Background())
		if got := err == nil || errors.Is(err, queue.ErrUnauth); got != ok {
			t.Errorf("pin %.8s…: %v", pin, err)
		}
	}
	// And a kiosk never sends card data in clear across the network.
	if _, err := hallclient.New("http://192.0.2.10:8080", &hallclient.Opts{}); err == nil {
		t.Error("a kiosk accepted a plain http:// server on another machine")
	}
}

// TestDeskPrinter: with devices.desk_printer set, the console's desk
// ticket prints on that printer through the printer package — the case's
// QR included — and a QR that is not the ticket's own case is refused.
func TestDeskPrinter(t *testing.T) {
	cfg, err := hallconfig.Default()
	if err != nil {
		t.Fatal(err)
	}
	cfg.Devices.DeskPrinter = "sim"
	o, err := parseFlags([]string{"-role", "server", "-data", t.TempDir(), "-addr", "127.0.0.1:0"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx := testCtx(t)
	const pw = "desk-printer-password"
	t.Setenv("YITING_ADMIN_PASSWORD", pw)
	s, err := openServer(ctx, o, cfg, log, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	clerk := queue.Principal{ID: "desk1", Role: queue.RoleStaff, Counters: []string{"win-01"}}
	is, err := s.book.Issue(ctx, clerk, cases.IssueRequest{ServiceID: "petition", Persons: []cases.Person{{Name: "赵测试"}},
		NoID: "身份证遗忘未带", IdempotencyKey: "desk-1"})
	if err != nil {
		t.Fatal(err)
	}
	other, err := s.book.Issue(ctx, clerk, cases.IssueRequest{ServiceID: "petition", Persons: []cases.Person{{Name: "钱测试"}},
		NoID: "身份证过期", IdempotencyKey: "desk-2"})
	if err != nil {
		t.Fatal(err)
	}
	// The console's request, as the page sends it, with a session.
	secret, _, err := s.acc.Login(ctx, "admin", pw, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	printAt := func(id uint64, url string) int {
		body := fmt.Sprintf(`{"ticket":%d,"case_url":%q}`, id, url)
		r := httptest.NewRequest("POST", "/console/print", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Authorization", "Bearer "+secret)
		w := httptest.NewRecorder()
		s.mux.ServeHTTP(w, r)
		return w.Code
	}
	if code := printAt(is.Ticket.ID, other.CaseURL); code != http.StatusBadRequest {
		t.Fatalf("another case's QR: %d", code)
	}
	if code := printAt(is.Ticket.ID, is.CaseURL); code != http.StatusNoContent {
		t.Fatalf("print: %d", code)
	}
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	d, err := s.deskPrinter.sim.Next(dctx)
	if err != nil {
		t.Fatalf("nothing printed: %v", err)
	}
	if !printedHas(d, is.Ticket.Number) || !strings.Contains(d.Text(), "赵*试") || len(d.QRs()) != 1 || d.QRs()[0] != is.CaseURL {
		t.Fatalf("printed:\n%s\nQR %q", d.Text(), d.QRs())
	}
}

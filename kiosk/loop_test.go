package kiosk_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"yiting/kiosk"
	"yiting/kiosk/idcard"
	"yiting/queue"
)

func TestServiceFirstThenCard(t *testing.T) {
	r := newRig(t, nil)
	r.choose(t, "petition")
	v := r.step(t, kiosk.StepWaitCard)
	if v.Message != kiosk.MsgWaitCard || v.Service == nil || v.Service.ID != "petition" {
		t.Fatalf("wait_card view: %+v", v)
	}
	if want := r.clock.Now().Add(60 * time.Second); !v.Deadline.Equal(want) {
		t.Errorf("card wait deadline %v, want %v", v.Deadline, want)
	}
	id := r.placed(t, "resident")
	pt := r.printedTicket(t)
	v = r.step(t, kiosk.StepTicket)

	reqs := r.desk.requests()
	if len(reqs) != 1 {
		t.Fatalf("%d issue requests, want 1", len(reqs))
	}
	req := reqs[0]
	if req.ServiceID != "petition" || req.Card == nil || req.Card.Number != id.Number || !strings.HasPrefix(req.IdempotencyKey, "tap-") {
		t.Errorf("request: %+v", req)
	}
	tv := v.Ticket
	if tv == nil || tv.Number != "A001" || !tv.Printed || tv.Service != "信访接待" || tv.Ahead != 3 {
		t.Fatalf("ticket on screen: %+v", tv)
	}
	if tv.Counter != "1号窗口、2号窗口" || tv.Location != "一楼大厅" {
		t.Errorf("where: %q %q", tv.Counter, tv.Location)
	}
	if v.Message != kiosk.MsgTakeTicket || v.Visitor == nil || v.Visitor.MaskedName != "王*明" {
		t.Errorf("ticket view: message %q visitor %+v", v.Message, v.Visitor)
	}
	if pt.Number != "A001" || pt.Hall != "测试综治中心" || pt.Visitor != "王*明" || pt.Service != "信访接待" ||
		pt.CaseURL != "" || pt.Footer == "" || pt.Counter != tv.Counter {
		t.Errorf("printed ticket: %+v", pt)
	}
	if pt.Issued.Location() != cst || pt.Issued.Hour() != 9 {
		t.Errorf("ticket time %v: want the hall's zone", pt.Issued)
	}
	if _, reads := r.signals.get(); reads != 1 {
		t.Errorf("%d beeps for one card", reads)
	}
	// The screen goes back by itself.
	r.clock.Advance(21 * time.Second)
	r.tick(t)
	v = r.step(t, kiosk.StepIdle)
	if v.Ticket != nil || v.Visitor != nil || v.Service != nil {
		t.Errorf("idle still shows the last visitor: %+v", v)
	}
}

func TestCardFirstThenService(t *testing.T) {
	r := newRig(t, nil)
	r.placed(t, "elderly") // born 1950: 76 at the test's date
	v := r.step(t, kiosk.StepChoose)
	if v.Visitor == nil || v.Visitor.MaskedName != "张*试" || v.Visitor.Priority != "老年人" {
		t.Fatalf("visitor: %+v", v.Visitor)
	}
	if v.Message != "张*试，"+kiosk.MsgChoose {
		t.Errorf("message %q", v.Message)
	}
	r.choose(t, "medical")
	pt := r.printedTicket(t)
	v = r.step(t, kiosk.StepTicket)
	req := r.desk.requests()[0]
	if req.ServiceID != "medical" || req.Card == nil {
		t.Errorf("request %+v", req)
	}
	if v.Ticket.Priority != "老年人" || pt.Priority != "老年人优先" {
		t.Errorf("priority on screen %q, printed %q", v.Ticket.Priority, pt.Priority)
	}
	if v.Ticket.Counter != "医患纠纷调解室" || v.Ticket.Location != "二楼东侧" {
		t.Errorf("where: %+v", v.Ticket)
	}
}

func TestServiceWithoutCard(t *testing.T) {
	r := newRig(t, nil)
	r.choose(t, "consult")
	pt := r.printedTicket(t)
	v := r.step(t, kiosk.StepTicket)
	if req := r.desk.requests()[0]; req.Card != nil || req.ServiceID != "consult" {
		t.Errorf("request %+v", req)
	}
	if pt.Visitor != "" || v.Visitor != nil {
		t.Errorf("anonymous ticket shows a visitor: %q %+v", pt.Visitor, v.Visitor)
	}
	if v.Ticket.Counter != "1号窗口、2号窗口" || v.Ticket.Location != "一楼大厅" {
		t.Errorf("where: %q %q", v.Ticket.Counter, v.Ticket.Location)
	}
}

// A visitor who tapped a card and then chose a service that needs none
// gets an anonymous ticket: the card is not sent.
func TestCardThenServiceWithoutCard(t *testing.T) {
	r := newRig(t, nil)
	r.placed(t, "resident")
	r.step(t, kiosk.StepChoose)
	r.choose(t, "consult")
	r.step(t, kiosk.StepTicket)
	if req := r.desk.requests()[0]; req.Card != nil {
		t.Errorf("the card went to the hall for an anonymous service: %+v", req)
	}
}

func TestTimeoutsReturnToIdle(t *testing.T) {
	r := newRig(t, nil)
	r.choose(t, "petition")
	r.step(t, kiosk.StepWaitCard)
	r.clock.Advance(59 * time.Second)
	r.tick(t)
	if v := r.loop.View(); v.Step != kiosk.StepWaitCard {
		t.Fatalf("left wait_card early: %s", v.Step)
	}
	r.clock.Advance(time.Second)
	r.tick(t)
	r.step(t, kiosk.StepIdle)

	r.placed(t, "resident")
	r.step(t, kiosk.StepChoose)
	r.clock.Advance(60 * time.Second)
	r.tick(t)
	v := r.step(t, kiosk.StepIdle)
	if v.Visitor != nil {
		t.Errorf("the card outlived its timeout: %+v", v.Visitor)
	}
	if n := len(r.desk.requests()); n != 0 {
		t.Errorf("%d tickets issued by timeouts", n)
	}
}

func TestUnreadableCardThenPlacedAgain(t *testing.T) {
	r := newRig(t, nil)
	r.choose(t, "petition")
	r.step(t, kiosk.StepWaitCard)
	r.card(t, idcard.Event{Kind: idcard.EventUnreadable, Err: idcard.ErrRead})
	v := r.step(t, kiosk.StepError)
	if v.Error.Code != kiosk.ErrCodeUnreadable || v.Message != "请重新放置身份证" || v.Service == nil {
		t.Fatalf("error view: %+v, service %+v", v.Error, v.Service)
	}
	r.placed(t, "resident")
	r.step(t, kiosk.StepTicket)
	if req := r.desk.requests(); len(req) != 1 || req[0].ServiceID != "petition" {
		t.Errorf("requests after replacing the card: %+v", req)
	}
}

func TestExpiredCard(t *testing.T) {
	r := newRig(t, nil)
	r.choose(t, "petition")
	r.placed(t, "expired")
	v := r.step(t, kiosk.StepError)
	if v.Error.Code != kiosk.ErrCodeExpired || v.Message != kiosk.MsgExpired {
		t.Fatalf("error: %+v", v.Error)
	}
	if err := r.loop.Back(context.Background()); err != nil {
		t.Fatal(err)
	}
	r.step(t, kiosk.StepIdle)
	if n := len(r.desk.requests()); n != 0 {
		t.Errorf("%d tickets for an expired card", n)
	}
	// The error screen also goes back by itself.
	r.placed(t, "expired")
	r.step(t, kiosk.StepError)
	r.clock.Advance(20 * time.Second)
	r.tick(t)
	r.step(t, kiosk.StepIdle)
}

func TestReaderOffline(t *testing.T) {
	r := newRig(t, nil)
	// The loop tells the signals after it publishes a view: wait for the
	// kiosk's start (no fault) to reach them before counting.
	r.until(t, "no fault", func(v kiosk.View) bool { return !v.Fault() })
	before := r.faultsSettled(t, false)
	r.card(t, idcard.Event{Kind: idcard.EventOffline, Err: idcard.ErrDisconnected})
	v := r.until(t, "reader offline", func(v kiosk.View) bool { return !v.Devices.Reader.OK })
	if !v.Fault() || v.Devices.Reader.Message == "" {
		t.Errorf("offline reader: %+v", v.Devices)
	}
	r.choose(t, "petition")
	v = r.step(t, kiosk.StepError)
	if v.Error.Code != kiosk.ErrCodeReaderOffline || !strings.Contains(v.Message, "服务台") {
		t.Errorf("error: %+v", v.Error)
	}
	// Services that need no card still work.
	r.choose(t, "consult")
	r.step(t, kiosk.StepTicket)
	r.loop.Back(context.Background())
	r.choose(t, "petition")
	r.step(t, kiosk.StepError)
	r.card(t, idcard.Event{Kind: idcard.EventReady, Reconnected: true})
	r.step(t, kiosk.StepIdle)
	faults := r.faultsSettled(t, false)
	if fmt.Sprint(faults[len(before):]) != "[true false]" {
		t.Errorf("LED faults %v after %v, want on then off", faults[len(before):], before)
	}
}

// Paper out: the ticket is issued and shown with its number, staff see the
// fault, and the spool prints it once the printer is fixed.
func TestPrinterOutOfPaper(t *testing.T) {
	// The status check every 10 ms reports what the printer is, as the
	// real one does: first not yet known, then fine, then out of paper.
	var mu sync.Mutex
	checkErr := errors.New("not checked yet")
	setCheck := func(err error) { mu.Lock(); checkErr = err; mu.Unlock() }
	r := newRig(t, func(o *kiosk.Opts) {
		o.PrinterEvery = 10 * time.Millisecond
		o.PrinterCheck = func(ctx context.Context) (kiosk.PrinterCheckResult, error) {
			mu.Lock()
			defer mu.Unlock()
			return kiosk.PrinterCheckResult{Err: checkErr}, nil
		}
	})
	setCheck(nil)
	r.until(t, "printer ok", func(v kiosk.View) bool { return v.Devices.Printer.OK })

	r.dev.setErr(paperOut())
	setCheck(paperOut())
	r.choose(t, "consult")
	v := r.step(t, kiosk.StepTicket)
	if v.Ticket.Printed || v.Ticket.Number != "C001" || v.Message != kiosk.MsgNotPrinted {
		t.Fatalf("unprinted ticket view: %+v message %q", v.Ticket, v.Message)
	}
	if v.Ticket.PrintProblem != "打印机缺纸，请装入新纸卷" {
		t.Errorf("print problem %q", v.Ticket.PrintProblem)
	}
	p := v.Devices.Printer
	if p.OK || p.Message != "打印机缺纸，请装入新纸卷" || p.Pending != 1 {
		t.Errorf("printer status for staff: %+v", p)
	}
	if !v.Fault() {
		t.Error("no fault shown")
	}
	if log := r.log.String(); !containsAll(log, "level=WARN", "not printed", "C001") {
		t.Errorf("no warning for staff in the log:\n%s", log)
	}
	if !v.Deadline.Equal(v.Since.Add(40 * time.Second)) {
		t.Errorf("an unprinted ticket stays %v, want 40 s", v.Deadline.Sub(v.Since))
	}

	// Fixed: the spool prints the pending ticket, the next check clears
	// the fault.
	r.dev.setErr(nil)
	setCheck(nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go r.spool.Run(ctx)
	pt := r.printedTicket(t)
	if pt.Number != "C001" {
		t.Errorf("reprinted %s", pt.Number)
	}
	v = r.until(t, "printer fixed", func(v kiosk.View) bool { return v.Devices.Printer.OK && v.Devices.Printer.Pending == 0 })
	if v.Fault() {
		t.Errorf("still a fault: %+v", v.Devices)
	}
}

func TestPrinterWarningDoesNotStop(t *testing.T) {
	r := newRig(t, func(o *kiosk.Opts) {
		o.PrinterEvery = time.Hour
		o.PrinterCheck = func(ctx context.Context) (kiosk.PrinterCheckResult, error) {
			return kiosk.PrinterCheckResult{Warning: "打印纸即将用完，请及时更换纸卷"}, nil
		}
	})
	v := r.until(t, "warning", func(v kiosk.View) bool { return v.Devices.Printer.Warning != "" })
	if !v.Devices.Printer.OK || v.Fault() {
		t.Errorf("a warning is not a fault: %+v", v.Devices.Printer)
	}
}

// The hall cannot be reached: the kiosk says 系统维护中 and retries the
// same tap with the same key until it answers.
func TestHallUnreachableRetriesWithTheSameKey(t *testing.T) {
	r := newRig(t, func(o *kiosk.Opts) { o.RetryMin, o.RetryMax = 20*time.Millisecond, 20*time.Millisecond })
	release := make(chan struct{})
	r.desk.setFail(func(n int, req kiosk.Request) error {
		select {
		case <-release:
			return nil
		default:
			return fmt.Errorf("hallclient: %w: %w", kiosk.ErrUnreachable, errNet)
		}
	})
	// The first attempt after the hall is back issues the ticket, but its
	// answer is lost; the next finds it.
	lost := 0
	r.desk.lose = func(n int) bool {
		select {
		case <-release:
			lost++
			return lost == 1
		default:
			return false
		}
	}
	r.choose(t, "consult")
	v := r.until(t, "retrying", func(v kiosk.View) bool { return v.Retrying })
	if v.Step != kiosk.StepIssuing || v.Message != kiosk.MsgMaintenance || v.Hall.OK {
		t.Errorf("retrying view: step %s message %q hall %+v", v.Step, v.Message, v.Hall)
	}
	eventually(t, "three attempts", func() bool { return len(r.desk.requests()) >= 3 })
	close(release)
	v = r.step(t, kiosk.StepTicket)
	reqs := r.desk.requests()
	for _, q := range reqs {
		if q.IdempotencyKey != reqs[0].IdempotencyKey {
			t.Fatalf("a retry changed the key: %q then %q", reqs[0].IdempotencyKey, q.IdempotencyKey)
		}
	}
	if !v.Hall.OK || v.Retrying {
		t.Errorf("after the hall came back: %+v retrying %v", v.Hall, v.Retrying)
	}
	if n := r.desk.issuedCount(); n != 1 || v.Ticket.Number != "C001" || !v.Ticket.Replayed {
		t.Errorf("%d tickets issued for one tap; on screen %+v", n, v.Ticket)
	}
	if strings.Count(r.log.String(), "hall unreachable; retrying") != 1 {
		t.Errorf("want one warning for the outage:\n%s", r.log.String())
	}
	// The next tap has a key of its own.
	r.loop.Back(context.Background())
	r.choose(t, "consult")
	r.step(t, kiosk.StepTicket)
	reqs = r.desk.requests()
	if last := reqs[len(reqs)-1]; last.IdempotencyKey == reqs[0].IdempotencyKey {
		t.Error("two taps shared a key")
	}
}

func TestHallUnreachableGivesUp(t *testing.T) {
	r := newRig(t, func(o *kiosk.Opts) { o.IssueGiveUp = time.Minute })
	r.desk.setFail(func(n int, req kiosk.Request) error {
		if n == 3 {
			r.clock.Advance(time.Minute)
		}
		return fmt.Errorf("%w: %w", kiosk.ErrUnreachable, errNet)
	})
	r.choose(t, "consult")
	v := r.step(t, kiosk.StepError)
	if v.Error.Code != kiosk.ErrCodeHallDown || v.Message != kiosk.MsgHallDown {
		t.Errorf("error: %+v", v.Error)
	}
}

func TestHallUnavailableStorageIsRetried(t *testing.T) {
	r := newRig(t, nil)
	r.desk.setFail(func(n int, req kiosk.Request) error {
		if n == 1 {
			return queue.Errorf(queue.EUNAVAILABLE, "系统暂时无法保存")
		}
		return nil
	})
	r.choose(t, "consult")
	r.step(t, kiosk.StepTicket)
	if n := len(r.desk.requests()); n != 2 {
		t.Errorf("%d attempts, want 2", n)
	}
}

func TestHallRefusesIsNotRetried(t *testing.T) {
	r := newRig(t, nil)
	r.desk.setFail(func(n int, req kiosk.Request) error {
		return queue.Errorf(queue.EFORBIDDEN, "无权取号")
	})
	r.choose(t, "consult")
	v := r.step(t, kiosk.StepError)
	if v.Error.Code != kiosk.ErrCodeRefused || len(r.desk.requests()) != 1 {
		t.Errorf("error %+v after %d attempts", v.Error, len(r.desk.requests()))
	}
	if !strings.Contains(r.log.String(), "level=ERROR") {
		t.Error("a refusal is not logged as an error")
	}
}

func TestHallInfoUnreachable(t *testing.T) {
	r := newRig(t, func(o *kiosk.Opts) { o.InfoEvery = 5 * time.Millisecond })
	r.desk.setInfoErr(fmt.Errorf("%w: %w", kiosk.ErrUnreachable, errNet))
	v := r.until(t, "hall down", func(v kiosk.View) bool { return !v.Hall.OK })
	if v.Hall.Message != kiosk.MsgMaintenance || len(v.Menu) == 0 {
		t.Errorf("hall down: %+v, menu kept: %d", v.Hall, len(v.Menu))
	}
	r.desk.setInfoErr(nil)
	r.until(t, "hall back", func(v kiosk.View) bool { return v.Hall.OK })
}

// Back during a retry abandons the tap; back while printing is refused.
func TestBack(t *testing.T) {
	r := newRig(t, nil)
	if err := r.loop.Back(context.Background()); err != nil {
		t.Fatalf("back at idle: %v", err)
	}
	r.desk.setFail(func(n int, req kiosk.Request) error { return fmt.Errorf("%w: %w", kiosk.ErrUnreachable, errNet) })
	r.choose(t, "consult")
	r.until(t, "retrying", func(v kiosk.View) bool { return v.Retrying })
	if err := r.loop.Back(context.Background()); err != nil {
		t.Fatalf("back while retrying: %v", err)
	}
	r.step(t, kiosk.StepIdle)
	// An attempt already under way when the visitor left may still reach
	// the desk (a slow machine, or emulation, shows it); none starts after.
	n := len(r.desk.requests())
	time.Sleep(30 * time.Millisecond) // retries came every few ms
	m := len(r.desk.requests())
	time.Sleep(30 * time.Millisecond)
	if k := len(r.desk.requests()); m > n+1 || k != m {
		t.Errorf("the abandoned tap kept trying: %d, %d, then %d attempts", n, m, k)
	}

	r.desk.setFail(nil)
	r.choose(t, "petition")
	r.step(t, kiosk.StepWaitCard)
	if err := r.loop.Choose(context.Background(), "nope"); !errors.Is(err, kiosk.ErrUnknownService) {
		t.Errorf("unknown service: %v", err)
	}
	if err := r.loop.Back(context.Background()); err != nil {
		t.Fatal(err)
	}
	r.step(t, kiosk.StepIdle)
}

func TestBusyWhilePrinting(t *testing.T) {
	r := newRig(t, nil)
	gate := make(chan struct{})
	r.dev.mu.Lock() // the device blocks in Print until unlocked
	go func() { <-gate; r.dev.mu.Unlock() }()
	r.choose(t, "consult")
	r.step(t, kiosk.StepPrinting)
	if err := r.loop.Back(context.Background()); !errors.Is(err, kiosk.ErrBusy) {
		t.Errorf("back while printing: %v", err)
	}
	if err := r.loop.Choose(context.Background(), "consult"); !errors.Is(err, kiosk.ErrBusy) {
		t.Errorf("choose while printing: %v", err)
	}
	r.placed(t, "resident") // a card now is ignored
	close(gate)
	v := r.step(t, kiosk.StepTicket)
	if v.Visitor != nil || len(r.desk.requests()) != 1 {
		t.Errorf("the card during printing changed the tap: %+v, %d requests", v.Visitor, len(r.desk.requests()))
	}
}

func TestFirstVisitRouting(t *testing.T) {
	r := newRig(t, nil)
	r.desk.issue = func(req kiosk.Request, tk *queue.Ticket) { tk.TargetCounter = "w3" }
	r.choose(t, "petition")
	r.placed(t, "resident")
	pt := r.printedTicket(t)
	v := r.step(t, kiosk.StepTicket)
	if v.Ticket.Note != "首访负责：请到3号窗口" || v.Ticket.Counter != "3号窗口" || v.Ticket.Location != "一楼大厅 3号窗口" {
		t.Errorf("routed ticket on screen: %+v", v.Ticket)
	}
	if pt.Note != "首访负责：请到3号窗口" || pt.Counter != "3号窗口" {
		t.Errorf("routed ticket printed: note %q counter %q", pt.Note, pt.Counter)
	}
}

func TestCaseCodeAndURL(t *testing.T) {
	r := newRig(t, nil)
	r.desk.issue = func(req kiosk.Request, tk *queue.Ticket) { tk.CaseCode = "XF2026-000123" }
	r.choose(t, "consult")
	pt := r.printedTicket(t)
	if pt.CaseCode != "XF2026-000123" || pt.CaseURL != "http://hall.test/c/token-of-XF2026-000123" {
		t.Errorf("case on the ticket: %q %q", pt.CaseCode, pt.CaseURL)
	}
}

func TestReadingShownWhileTheCardIsRead(t *testing.T) {
	r := newRig(t, nil)
	r.choose(t, "petition")
	r.step(t, kiosk.StepWaitCard)
	r.card(t, idcard.Event{Kind: idcard.EventReading})
	v := r.step(t, kiosk.StepReading)
	if v.Message != kiosk.MsgReading {
		t.Errorf("message %q", v.Message)
	}
	r.placed(t, "resident")
	r.step(t, kiosk.StepTicket)
	r.loop.Back(context.Background())

	// A read that never delivers (a clone re-reading a card it delivered)
	// goes back and is ignored for a while.
	r.choose(t, "petition")
	r.card(t, idcard.Event{Kind: idcard.EventReading})
	r.step(t, kiosk.StepReading)
	r.clock.Advance(5 * time.Second)
	r.tick(t)
	r.step(t, kiosk.StepWaitCard)
	r.card(t, idcard.Event{Kind: idcard.EventReading})
	r.tick(t)
	if v := r.loop.View(); v.Step != kiosk.StepWaitCard {
		t.Errorf("a muted reading notice changed the step to %s", v.Step)
	}
}

func TestNewRequiresDeskAndPrinter(t *testing.T) {
	if _, err := kiosk.New(kiosk.Opts{Printer: newRigPrinter(t)}); err == nil {
		t.Error("no desk accepted")
	}
	if _, err := kiosk.New(kiosk.Opts{Desk: newFakeDesk()}); err == nil {
		t.Error("no printer accepted")
	}
}

func newRigPrinter(t *testing.T) kiosk.Printer {
	t.Helper()
	r := newRig(t, nil)
	return r.spool
}

func TestInputsAfterStop(t *testing.T) {
	l, err := kiosk.New(kiosk.Opts{Desk: newFakeDesk(), Printer: newRigPrinter(t)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- l.Run(ctx, nil) }()
	cancel()
	<-done
	if err := l.Choose(context.Background(), "consult"); !errors.Is(err, kiosk.ErrStopped) {
		t.Errorf("choose after stop: %v", err)
	}
	if _, err := l.Wait(context.Background(), l.View().Seq); !errors.Is(err, kiosk.ErrStopped) {
		t.Errorf("wait after stop: %v", err)
	}
	if err := l.Run(context.Background(), nil); err == nil {
		t.Error("Run twice")
	}
}

// A failed read after a ticket belongs to the next visitor: it must not
// inherit the last visitor's service.
func TestUnreadableAfterATicketForgetsTheService(t *testing.T) {
	r := newRig(t, nil)
	r.choose(t, "petition")
	r.placed(t, "resident")
	r.step(t, kiosk.StepTicket)
	r.card(t, idcard.Event{Kind: idcard.EventUnreadable, Err: idcard.ErrRead})
	if v := r.step(t, kiosk.StepError); v.Service != nil {
		t.Errorf("the error keeps the last visitor's service %+v", v.Service)
	}
	r.placed(t, "elderly")
	r.step(t, kiosk.StepChoose)
	if n := len(r.desk.requests()); n != 1 {
		t.Errorf("%d tickets: the next card was issued for the last visitor's service", n)
	}
}

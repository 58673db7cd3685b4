package kiosk_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"yiting/kiosk"
	"yiting/kiosk/idcard"
	"yiting/kiosk/idcard/idcardsim"
)

// groupNames waits for a group view listing n representatives.
func (r *rig) groupNames(t *testing.T, n int) kiosk.View {
	t.Helper()
	return r.until(t, fmt.Sprintf("%d representatives", n), func(v kiosk.View) bool {
		return v.Step == kiosk.StepGroup && v.Group != nil && len(v.Group.Names) == n
	})
}

// groupNote waits for a refusal on the group screen.
func (r *rig) groupNote(t *testing.T, part string) kiosk.View {
	t.Helper()
	return r.until(t, "a note saying "+part, func(v kiosk.View) bool {
		return v.Step == kiosk.StepGroup && v.Group != nil && strings.Contains(v.Group.Note, part)
	})
}

// Two representatives tap their cards one after another; 完成 issues one
// ticket carrying both cards, named after the first, with the elderly
// second one's priority.
func TestGroupVisitTwoCards(t *testing.T) {
	r := newRig(t, nil)
	r.choose(t, "petition")
	v := r.step(t, kiosk.StepWaitCard)
	if v.Service == nil || !v.Service.Group {
		t.Fatalf("wait_card does not offer 多人来访: %+v", v.Service)
	}
	if err := r.loop.GroupVisit(context.Background(), "petition"); err != nil {
		t.Fatal(err)
	}
	v = r.groupNames(t, 0)
	if v.Message != "请第1位代表放置身份证" || v.Group.Max != 5 || v.Service == nil || v.Service.ID != "petition" {
		t.Errorf("group view: message %q, %+v, service %+v", v.Message, v.Group, v.Service)
	}
	if want := r.clock.Now().Add(60 * time.Second); !v.Deadline.Equal(want) {
		t.Errorf("deadline %v, want %v", v.Deadline, want)
	}
	first := r.placed(t, idcardsim.LabelResident)
	v = r.groupNames(t, 1)
	if v.Group.Names[0] != "王*明" || v.Message != "请第2位代表放置身份证，全部放置后请按“完成”" {
		t.Errorf("after one card: message %q, names %q", v.Message, v.Group.Names)
	}
	second := r.placed(t, idcardsim.LabelElderly)
	v = r.groupNames(t, 2)
	if v.Message != "请第3位代表放置身份证，全部放置后请按“完成”" {
		t.Errorf("after two cards: %q", v.Message)
	}
	for _, n := range v.Group.Names {
		if !strings.Contains(n, "*") {
			t.Errorf("name %q is not masked", n)
		}
	}
	if r.desk.issuedCount() != 0 {
		t.Fatal("a ticket was issued before 完成")
	}
	if err := r.loop.Finish(context.Background()); err != nil {
		t.Fatal(err)
	}
	pt := r.printedTicket(t)
	v = r.step(t, kiosk.StepTicket)
	reqs := r.desk.requests()
	if len(reqs) != 1 {
		t.Fatalf("%d issue requests, want 1", len(reqs))
	}
	req := reqs[0]
	if len(req.Cards) != 2 || req.Cards[0].Number != first.Number || req.Cards[1].Number != second.Number ||
		req.Card == nil || req.Card.Number != first.Number {
		t.Errorf("request: card %v, %d cards", req.Card, len(req.Cards))
	}
	if got := req.Persons(); len(got) != 2 {
		t.Errorf("Persons: %d", len(got))
	}
	if pt.Visitor != "王*明等2人" || pt.Priority != "老年人优先" {
		t.Errorf("printed visitor %q, priority %q", pt.Visitor, pt.Priority)
	}
	if v.Visitor == nil || v.Visitor.MaskedName != "王*明等2人" || v.Group != nil || v.Ticket == nil || v.Ticket.Number != "A001" {
		t.Errorf("ticket view: visitor %+v, group %+v, ticket %+v", v.Visitor, v.Group, v.Ticket)
	}
	if _, reads := r.signals.get(); reads != 2 {
		t.Errorf("%d beeps for two cards", reads)
	}
}

// The same card twice is one representative, not two.
func TestGroupVisitRefusesTheSameCard(t *testing.T) {
	r := newRig(t, nil)
	if err := r.loop.GroupVisit(context.Background(), "medical"); err != nil {
		t.Fatal(err)
	}
	r.placed(t, idcardsim.LabelResident)
	r.groupNames(t, 1)
	r.placed(t, idcardsim.LabelResident)
	v := r.groupNote(t, "已经放置过")
	if len(v.Group.Names) != 1 || v.Message != "这张身份证已经放置过，请第2位代表放置身份证" {
		t.Errorf("after the same card: message %q, names %q", v.Message, v.Group.Names)
	}
	// The next card clears the note.
	r.placed(t, idcardsim.LabelMinority)
	v = r.groupNames(t, 2)
	if v.Group.Note != "" {
		t.Errorf("note %q stays after a good card", v.Group.Note)
	}
	if err := r.loop.Finish(context.Background()); err != nil {
		t.Fatal(err)
	}
	r.step(t, kiosk.StepTicket)
	if req := r.desk.requests()[0]; len(req.Cards) != 2 || req.ServiceID != "medical" {
		t.Errorf("request: %d cards for %s", len(req.Cards), req.ServiceID)
	}
}

// Five representatives at most (信访工作条例 Art. 20): a sixth card is
// refused with the rule, and 完成 issues for the five.
func TestGroupVisitStopsAtFive(t *testing.T) {
	r := newRig(t, nil)
	if err := r.loop.GroupVisit(context.Background(), "petition"); err != nil {
		t.Fatal(err)
	}
	labels := []string{idcardsim.LabelResident, idcardsim.LabelElderly, idcardsim.LabelMinority,
		idcardsim.LabelHKPermit, idcardsim.LabelForeign2017, idcardsim.LabelForeign2023}
	for i, l := range labels[:5] {
		r.placed(t, l)
		r.groupNames(t, i+1)
	}
	if v := r.loop.View(); v.Message != kiosk.MsgGroupDone {
		t.Errorf("five cards: %q", v.Message)
	}
	r.placed(t, labels[5])
	v := r.groupNote(t, "最多")
	if len(v.Group.Names) != 5 || !strings.Contains(v.Message, "《信访工作条例》第二十条") || !strings.Contains(v.Message, "完成") {
		t.Errorf("sixth card: message %q, %d names", v.Message, len(v.Group.Names))
	}
	if err := r.loop.Finish(context.Background()); err != nil {
		t.Fatal(err)
	}
	pt := r.printedTicket(t)
	r.step(t, kiosk.StepTicket)
	reqs := r.desk.requests()
	if len(reqs) != 1 || len(reqs[0].Cards) != 5 {
		t.Fatalf("%d requests, cards %d", len(reqs), len(reqs[0].Cards))
	}
	if pt.Visitor != "王*明等5人" {
		t.Errorf("printed visitor %q", pt.Visitor)
	}
}

// Nobody taps for a minute: the kiosk forgets the cards and shows the
// menu; 完成 then has nothing to finish.
func TestGroupVisitTimesOut(t *testing.T) {
	r := newRig(t, nil)
	if err := r.loop.GroupVisit(context.Background(), "petition"); err != nil {
		t.Fatal(err)
	}
	r.placed(t, idcardsim.LabelResident)
	r.groupNames(t, 1)
	r.clock.Advance(59 * time.Second)
	r.tick(t)
	r.placed(t, idcardsim.LabelElderly) // a tap gives the next one another minute
	r.groupNames(t, 2)
	r.clock.Advance(59 * time.Second)
	r.tick(t)
	if v := r.loop.View(); v.Step != kiosk.StepGroup {
		t.Fatalf("left the group visit %s after a card 59 s ago", v.Step)
	}
	r.clock.Advance(2 * time.Second)
	r.tick(t)
	v := r.step(t, kiosk.StepIdle)
	if v.Group != nil || v.Visitor != nil || v.Service != nil {
		t.Errorf("idle still shows the group: %+v", v)
	}
	if err := r.loop.Finish(context.Background()); !errors.Is(err, kiosk.ErrBusy) {
		t.Errorf("Finish after the timeout: %v", err)
	}
	if n := r.desk.issuedCount(); n != 0 {
		t.Errorf("%d tickets issued", n)
	}
}

// 返回 leaves a group visit; an expired or unreadable card is refused
// without losing the cards so far; 完成 needs a card.
func TestGroupVisitRefusals(t *testing.T) {
	r := newRig(t, nil)
	ctx := context.Background()
	if err := r.loop.GroupVisit(ctx, "consult"); !errors.Is(err, kiosk.ErrNoGroup) {
		t.Errorf("group visit for a service that opens no case: %v", err)
	}
	if err := r.loop.GroupVisit(ctx, "nope"); !errors.Is(err, kiosk.ErrUnknownService) {
		t.Errorf("unknown service: %v", err)
	}
	if err := r.loop.GroupVisit(ctx, "law"); err != nil {
		t.Fatal(err)
	}
	if err := r.loop.Finish(ctx); !errors.Is(err, kiosk.ErrNoCard) {
		t.Errorf("Finish without a card: %v", err)
	}
	if err := r.loop.Choose(ctx, "petition"); !errors.Is(err, kiosk.ErrBusy) {
		t.Errorf("Choose during a group visit: %v", err)
	}
	r.placed(t, idcardsim.LabelResident)
	r.groupNames(t, 1)
	r.placed(t, idcardsim.LabelExpired)
	v := r.groupNote(t, "已过期")
	if len(v.Group.Names) != 1 || v.Message != "这张身份证已过期，请第2位代表放置有效身份证" {
		t.Errorf("expired card: %q %q", v.Message, v.Group.Names)
	}
	r.card(t, idcard.Event{Kind: idcard.EventUnreadable, Err: errors.New("bad checksum")})
	v = r.groupNote(t, kiosk.MsgUnreadable)
	if len(v.Group.Names) != 1 {
		t.Errorf("unreadable card: %q", v.Group.Names)
	}
	if err := r.loop.Back(ctx); err != nil {
		t.Fatal(err)
	}
	v = r.step(t, kiosk.StepIdle)
	if v.Group != nil || r.desk.issuedCount() != 0 {
		t.Errorf("after 返回: %+v, %d issued", v.Group, r.desk.issuedCount())
	}
	// A reader going offline ends the group visit with its message.
	if err := r.loop.GroupVisit(ctx, "petition"); err != nil {
		t.Fatal(err)
	}
	r.step(t, kiosk.StepGroup)
	r.card(t, idcard.Event{Kind: idcard.EventOffline, Err: errors.New("unplugged")})
	if v := r.step(t, kiosk.StepError); v.Error == nil || v.Error.Code != kiosk.ErrCodeReaderOffline {
		t.Errorf("offline during a group visit: %+v", v.Error)
	}
	if err := r.loop.GroupVisit(ctx, "petition"); err != nil {
		t.Fatal(err)
	}
	if v := r.step(t, kiosk.StepError); v.Error == nil || v.Error.Code != kiosk.ErrCodeReaderOffline {
		t.Errorf("group visit with the reader offline: %+v", v.Error)
	}
}

// A service that opens no case, or reads no card, offers no group visit.
func TestGroupVisitOnlyForCases(t *testing.T) {
	r := newRig(t, nil)
	if err := r.loop.GroupVisit(context.Background(), "consult"); !errors.Is(err, kiosk.ErrNoGroup) {
		t.Errorf("GroupVisit of a consultation: %v", err)
	}
}

func TestGroupName(t *testing.T) {
	id := func(name string) *idcard.Identity { return &idcard.Identity{Name: name} }
	long := &idcard.Identity{EnglishName: strings.Repeat("ABCDEFGHIJ", 5)}
	for _, c := range []struct {
		cards []*idcard.Identity
		want  string
	}{
		{nil, ""},
		{[]*idcard.Identity{id("王小明")}, "王*明"},
		{[]*idcard.Identity{id("王小明"), id("张三")}, "王*明等2人"},
		{[]*idcard.Identity{id("李四"), id("张三"), id("赵五六")}, "李*等3人"},
	} {
		if got := kiosk.GroupName(c.cards); got != c.want {
			t.Errorf("GroupName(%d cards) = %q, want %q", len(c.cards), got, c.want)
		}
	}
	got := kiosk.GroupName([]*idcard.Identity{long, id("张三"), id("李四")})
	if n := len([]rune(got)); n != 32 || !strings.HasSuffix(got, "等3人") {
		t.Errorf("long name: %q (%d runes)", got, n)
	}
	if n := len([]rune(kiosk.GroupName([]*idcard.Identity{long}))); n > 32 {
		t.Errorf("long single name: %d runes", n)
	}
}

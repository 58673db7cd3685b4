package kiosk_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"yiting/kiosk"
	"yiting/queue"
)

// 预约签到: the tile waits for a card or a code; a card checks in and the
// appointment ticket is shown and printed with its booked time and room;
// the kiosk keeps nothing of the card.
func TestCheckInWithCard(t *testing.T) {
	r := newRig(t, nil)
	if v := r.loop.View(); !v.Hall.Appointments {
		t.Fatal("the menu does not offer 预约签到")
	}
	ctx := context.Background()
	if err := r.loop.CheckIn(ctx); err != nil {
		t.Fatal(err)
	}
	if v := r.step(t, kiosk.StepCheckIn); v.Message != kiosk.MsgCheckIn {
		t.Errorf("message %q", v.Message)
	}
	id := r.placed(t, "resident")
	v := r.step(t, kiosk.StepTicket)
	if v.Ticket == nil || v.Ticket.Number != "Q001" || v.Ticket.Service != "医患纠纷调解" || v.Ticket.Counter != "医患纠纷调解室" {
		t.Fatalf("ticket view %+v", v.Ticket)
	}
	if a := r.desk.arrivals; len(a) != 1 || a[0].Card == nil || a[0].Card.Number != id.Number || a[0].IdempotencyKey == "" {
		t.Fatalf("arrivals %+v", a)
	}
	pt := r.printedTicket(t)
	if pt.Number != "Q001" || !strings.Contains(pt.Note, "预约时间 10:00") || !strings.Contains(pt.Note, "医患纠纷调解室") {
		t.Fatalf("printed %+v", pt)
	}
	if len(r.desk.requests()) != 0 {
		t.Error("a check-in also took a walk-in ticket")
	}
}

// A code typed; a visitor too early or too late is told so and may take a
// walk-in ticket; no booking, a guessing device and a bad code each say
// what to do.
func TestCheckInOutcomes(t *testing.T) {
	r := newRig(t, nil)
	ctx := context.Background()
	if err := r.loop.CheckInCode(ctx, "7KQ2-MX9D"); !errors.Is(err, kiosk.ErrBusy) {
		t.Errorf("a code outside the check-in step: %v", err)
	}
	r.loop.CheckIn(ctx)
	r.step(t, kiosk.StepCheckIn)
	for _, bad := range []string{"7KQ2", "7KQ2-MX9O", "1234-5678"} {
		if err := r.loop.CheckInCode(ctx, bad); !errors.Is(err, kiosk.ErrBadBookingCode) {
			t.Errorf("code %q: %v", bad, err)
		}
	}
	if err := r.loop.CheckInCode(ctx, "7kq2 mx9d"); err != nil {
		t.Fatal(err)
	}
	r.step(t, kiosk.StepTicket)
	if a := r.desk.arrivals; len(a) != 1 || a[0].Code != "7KQ2MX9D" || a[0].Card != nil {
		t.Fatalf("arrivals %+v", a)
	}
	for _, c := range []struct {
		answer func(kiosk.Arrival) (kiosk.CheckIn, error)
		code   string
		msg    string
	}{
		{func(kiosk.Arrival) (kiosk.CheckIn, error) {
			return kiosk.CheckIn{Message: "您预约的是11月20日 10:00，请于09:30以后签到；也可以现在取普通号排队"}, nil
		}, kiosk.ErrCodeCheckIn, "09:30以后签到"},
		{func(kiosk.Arrival) (kiosk.CheckIn, error) {
			return kiosk.CheckIn{Message: "您预约的时间10:00已过（迟到超过15分钟），预约已失效；请取普通号排队"}, nil
		}, kiosk.ErrCodeCheckIn, "预约已失效"},
		{func(kiosk.Arrival) (kiosk.CheckIn, error) {
			return kiosk.CheckIn{}, queue.Errorf(queue.ENOTFOUND, "没有找到 (no booking)")
		}, kiosk.ErrCodeNoBooking, kiosk.MsgNoBooking},
		{func(kiosk.Arrival) (kiosk.CheckIn, error) {
			return kiosk.CheckIn{}, queue.Errorf(queue.ECONFLICT, "您已签到，号码Q001，请留意叫号 (already checked in)")
		}, kiosk.ErrCodeCheckIn, "您已签到，号码Q001，请留意叫号"},
		{func(kiosk.Arrival) (kiosk.CheckIn, error) {
			return kiosk.CheckIn{}, queue.Errorf(queue.ETOOMANY, "太快 (too many)")
		}, kiosk.ErrCodeInquiryLimit, kiosk.MsgCheckInBusy},
	} {
		r.desk.mu.Lock()
		r.desk.arrive = c.answer
		r.desk.mu.Unlock()
		r.loop.CheckIn(ctx)
		r.step(t, kiosk.StepCheckIn)
		r.placed(t, "resident")
		v := r.step(t, kiosk.StepError)
		if v.Error.Code != c.code || !strings.Contains(v.Message, c.msg) || strings.Contains(v.Message, "(") {
			t.Errorf("%s: error %+v, message %q", c.code, v.Error, v.Message)
		}
		r.loop.Back(ctx)
		r.step(t, kiosk.StepIdle)
	}
}

// A desk without appointments offers no check-in.
func TestCheckInNotOffered(t *testing.T) {
	r := newRig(t, func(o *kiosk.Opts) { o.Desk = struct{ kiosk.Desk }{o.Desk} })
	if err := r.loop.CheckIn(context.Background()); !errors.Is(err, kiosk.ErrNoAppointments) {
		t.Errorf("CheckIn: %v", err)
	}
	if r.loop.View().Hall.Appointments {
		t.Error("the menu offers 预约签到 without an Appointer")
	}
}

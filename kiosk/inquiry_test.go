package kiosk_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"yiting/kiosk"
	"yiting/queue"
)

// 查询进度 (issue 13, item 18): the tile waits for a card; the card read
// asks the hall and is not kept; the cases stay on screen until the
// timeout; a code with the ID number's last four asks too; the hall's
// refusals say what to do.
func TestInquiry(t *testing.T) {
	r := newRig(t, nil)
	r.desk.cases = []kiosk.CaseStatus{{Code: "421224-20261120-0001-X", Type: "信访", Status: "已登记", NextStep: "等待受理", MaskedName: "张*试"}}
	if err := r.loop.Inquire(context.Background()); err != nil {
		t.Fatal(err)
	}
	v := r.step(t, kiosk.StepInquiry)
	if v.Message != kiosk.MsgInquiry {
		t.Errorf("message %q", v.Message)
	}
	id := r.placed(t, "resident")
	v = r.step(t, kiosk.StepCases)
	if v.Inquiry == nil || len(v.Inquiry.Cases) != 1 || v.Inquiry.Cases[0].Code != "421224-20261120-0001-X" || v.Message != kiosk.MsgCases {
		t.Fatalf("cases view %+v", v)
	}
	if q := r.desk.inquiries; len(q) != 1 || q[0].Card == nil || q[0].Card.Number != id.Number {
		t.Errorf("inquiries %+v", q)
	}
	if len(r.desk.requests()) != 0 || v.Visitor != nil {
		t.Errorf("an inquiry issued a ticket or kept the visitor: %+v", v.Visitor)
	}
	// The screen returns to the start by itself.
	r.clock.Advance(61 * time.Second)
	r.tick(t)
	if v := r.step(t, kiosk.StepIdle); v.Inquiry != nil {
		t.Errorf("the cases outlived the timeout")
	}
	// A card now is the usual card first: no inquiry.
	r.placed(t, "resident")
	r.step(t, kiosk.StepChoose)
	r.loop.Back(context.Background())
	r.step(t, kiosk.StepIdle)

	// By code.
	ctx := context.Background()
	if err := r.loop.InquireCode(ctx, "421224-20261120-0001-X", "0013"); !errors.Is(err, kiosk.ErrBusy) {
		t.Errorf("a code outside the inquiry step: %v", err)
	}
	r.loop.Inquire(ctx)
	r.step(t, kiosk.StepInquiry)
	for _, c := range []struct{ code, last4 string }{{"421224-2026", "0013"}, {"421224-20261120-0001-X", "13"}, {"421224-20261120-0001-X", "00X3"}} {
		if err := r.loop.InquireCode(ctx, c.code, c.last4); !errors.Is(err, kiosk.ErrBadCode) && !errors.Is(err, kiosk.ErrBadLast4) {
			t.Errorf("%s/%s: %v", c.code, c.last4, err)
		}
	}
	r.desk.mu.Lock()
	r.desk.cases, r.desk.inqErr = nil, queue.Errorf(queue.ENOTFOUND, "no")
	r.desk.mu.Unlock()
	if err := r.loop.InquireCode(ctx, "42122420261120 0001x", "001x"); !errors.Is(err, kiosk.ErrBadCode) {
		t.Errorf("a code with a space: %v", err)
	}
	if err := r.loop.InquireCode(ctx, "421224202611200001x", "001x"); err != nil {
		t.Fatal(err)
	}
	v = r.step(t, kiosk.StepError)
	if v.Error.Code != kiosk.ErrCodeNoCase || v.Message != kiosk.MsgInquiryNoCase {
		t.Errorf("no case: %+v", v.Error)
	}
	if q := r.desk.inquiries[len(r.desk.inquiries)-1]; q.Code != "421224202611200001X" || q.IDLast4 != "001X" || q.Card != nil {
		t.Errorf("asked %+v", q)
	}
	r.desk.mu.Lock()
	r.desk.inqErr = queue.Errorf(queue.ETOOMANY, "slow down")
	r.desk.mu.Unlock()
	r.loop.Inquire(ctx)
	r.step(t, kiosk.StepInquiry)
	r.placed(t, "resident")
	if v := r.step(t, kiosk.StepError); v.Error.Code != kiosk.ErrCodeInquiryLimit {
		t.Errorf("too many: %+v", v.Error)
	}
}

// A desk without 查询进度 says so: the page shows the QR code's way.
func TestInquiryNotOffered(t *testing.T) {
	r := newRig(t, func(o *kiosk.Opts) { o.Desk = struct{ kiosk.Desk }{o.Desk} })
	if err := r.loop.Inquire(context.Background()); !errors.Is(err, kiosk.ErrNoInquiry) {
		t.Errorf("Inquire: %v", err)
	}
}

// A township's case codes have a 9-digit region (issue 14): the page's
// keypad learns the length from the view, and the loop takes such a code.
func TestInquiryTownshipCode(t *testing.T) {
	r := newRig(t, func(o *kiosk.Opts) { o.Desk.(*fakeDesk).info.Region = "421224101" })
	ctx := context.Background()
	r.loop.Inquire(ctx)
	if v := r.step(t, kiosk.StepInquiry); v.Hall.CodeDigits != 22 {
		t.Errorf("a township's code has %d characters, want 22", v.Hall.CodeDigits)
	}
	for _, bad := range []string{"4212241-20261120-0001-X", "42122410-20261120-0001-X", "4212241011-20261120-0001-X"} {
		if err := r.loop.InquireCode(ctx, bad, "0013"); !errors.Is(err, kiosk.ErrBadCode) {
			t.Errorf("%s: %v", bad, err)
		}
	}
	if err := r.loop.InquireCode(ctx, "421224101-20261120-0001-0", "0013"); err != nil {
		t.Fatal(err)
	}
	r.step(t, kiosk.StepCases)
	if q := r.desk.inquiries[len(r.desk.inquiries)-1]; q.Code != "421224101-20261120-0001-0" {
		t.Errorf("asked %+v", q)
	}
}

// A county hall's codes have 19 characters.
func TestInquiryCountyCodeDigits(t *testing.T) {
	r := newRig(t, func(o *kiosk.Opts) { o.Desk.(*fakeDesk).info.Region = "421224" })
	r.loop.Inquire(context.Background())
	if v := r.step(t, kiosk.StepInquiry); v.Hall.CodeDigits != 19 {
		t.Errorf("a county's code has %d characters, want 19", v.Hall.CodeDigits)
	}
}

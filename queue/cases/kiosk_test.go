package cases_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"yiting/queue"
	"yiting/queue/cases"
	"yiting/queue/personal"
)

// 查询进度 at the kiosk (issue 13, item 18): the card shows the visitor's
// own open cases; a case code needs the last four characters of a
// party's ID number (a code is guessable, the QR's token is not); the
// screen gets the public view without the visitor's messages; devices
// count against their card taps.
func TestInquireAtKiosk(t *testing.T) {
	f := newFixture(t)
	ps := synthPerson(31)
	other := synthPerson(32)
	a := f.tap(kiosk, "a", "petition", ps)
	f.clock.Advance(time.Minute)
	b := f.tap(kiosk, "b", "mediation-labour", ps)
	f.tap(kiosk, "c", "petition", other)

	got, err := f.book.InquireAtKiosk(ctx, kiosk, cases.KioskInquiry{IDNumber: ps.IDNumber})
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, v := range got {
		codes = append(codes, v.Code)
		if v.MaskedName != personal.MaskName(ps.Name) || v.StatusName == "" || v.NextStep == "" || v.Messages != nil || v.CanTell {
			t.Errorf("the kiosk shows %+v", v)
		}
	}
	if !slices.Equal(codes, []string{b.CaseCode, a.CaseCode}) {
		t.Errorf("by card: %v, want the visitor's two cases, newest first: %s %s", codes, b.CaseCode, a.CaseCode)
	}
	if got, err := f.book.InquireAtKiosk(ctx, kiosk, cases.KioskInquiry{IDNumber: synthPerson(99).IDNumber}); err != nil || len(got) != 0 {
		t.Errorf("a card without cases: %v %v", got, err)
	}

	last4 := ps.IDNumber[len(ps.IDNumber)-4:]
	got, err = f.book.InquireAtKiosk(ctx, kiosk, cases.KioskInquiry{Code: a.CaseCode, IDLast4: last4})
	if err != nil || len(got) != 1 || got[0].Code != a.CaseCode {
		t.Fatalf("by code: %+v %v", got, err)
	}
	wrong := fmt.Sprintf("%04d", (int(last4[0]-'0')*1000+1)%10000)
	for _, c := range []struct {
		name string
		q    cases.KioskInquiry
		code string
	}{
		{"wrong digits", cases.KioskInquiry{Code: a.CaseCode, IDLast4: wrong}, queue.ENOTFOUND},
		{"another's digits", cases.KioskInquiry{Code: a.CaseCode, IDLast4: other.IDNumber[len(other.IDNumber)-4:]}, queue.ENOTFOUND},
		{"no such case", cases.KioskInquiry{Code: "421224-20200101-0001-" + "X", IDLast4: last4}, ""},
		{"no digits", cases.KioskInquiry{Code: a.CaseCode}, queue.EINVALID},
		{"both", cases.KioskInquiry{IDNumber: ps.IDNumber, Code: a.CaseCode, IDLast4: last4}, queue.EINVALID},
		{"neither", cases.KioskInquiry{}, queue.EINVALID},
	} {
		_, err := f.book.InquireAtKiosk(ctx, kiosk, c.q)
		if c.code == "" { // a malformed or unknown code: refused either way
			if err == nil {
				t.Errorf("%s: answered", c.name)
			}
			continue
		}
		if queue.ErrorCode(err) != c.code {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
	}
	if _, err := f.book.InquireAtKiosk(ctx, pad, cases.KioskInquiry{IDNumber: ps.IDNumber}); queue.ErrorCode(err) != queue.EFORBIDDEN {
		t.Errorf("a pad asks: %v", err)
	}

	// Guessing digits at speed stops like tapping cards at speed.
	k3 := queue.Principal{ID: "k3", Role: queue.RoleKiosk}
	n := 0
	for ; n < 100; n++ {
		_, err = f.book.InquireAtKiosk(ctx, k3, cases.KioskInquiry{Code: a.CaseCode, IDLast4: fmt.Sprintf("%04d", n)})
		if queue.ErrorCode(err) == queue.ETOOMANY {
			break
		}
	}
	if n > 30 {
		t.Errorf("%d guesses before the limit", n)
	}
}

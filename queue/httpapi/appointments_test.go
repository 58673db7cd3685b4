package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"yiting/queue"
	"yiting/queue/booking"
)

func withAppointments(s *setup) {
	s.appointments = &booking.Config{Policy: booking.DefaultPolicy(), Plans: []booking.Plan{
		{ID: "session", Name: "调解预约", ServiceID: "medical", CounterID: "r1", Weekdays: []time.Weekday{time.Thursday, time.Friday},
			Periods: []booking.Period{{From: 9 * time.Hour, To: 12 * time.Hour}}, Length: time.Hour, Capacity: 1},
	}}
}

type bookedAnswer struct {
	Booking booking.View `json:"booking"`
	Codes   []string     `json:"codes"`
}

// Who may do what with appointments: devices only check in; staff book at
// the desk and by phone; admins see plans and slots, not bookings; a full
// slot is 409 "full"; a kiosk's check-in gets the appointment ticket and
// the booking without its parties.
func TestAppointmentRoutes(t *testing.T) {
	f := newFixture(t, withAppointments)
	ten := time.Date(2026, 11, 26, 10, 0, 0, 0, f.hall.Location)
	body := map[string]any{"plan": "session", "start": ten, "channel": "phone", "persons": []any{synthPerson(1)}}
	for _, sec := range []string{secKiosk, secDisplay, secPadW1} {
		wantError(t, f.do("GET", "/api/v1/appointments/plans", sec, nil), http.StatusForbidden, "forbidden")
		wantError(t, f.do("GET", "/api/v1/appointments?day=2026-11-26", sec, nil), http.StatusForbidden, "forbidden")
		wantError(t, f.do("POST", "/api/v1/appointments", sec, body, "Idempotency-Key", "x"), http.StatusForbidden, "forbidden")
	}
	want(t, f.do("GET", "/api/v1/appointments/slots?plan=session&day=2026-11-26", secAdmin, nil), http.StatusOK, nil)
	wantError(t, f.do("GET", "/api/v1/appointments?day=2026-11-26", secAdmin, nil), http.StatusForbidden, "forbidden")
	wantError(t, f.do("POST", "/api/v1/appointments", secSuper, body), http.StatusBadRequest, "invalid", "Idempotency-Key")

	var b bookedAnswer
	want(t, f.do("POST", "/api/v1/appointments", secSuper, body, "Idempotency-Key", "b1"), http.StatusCreated, &b)
	if len(b.Codes) != 1 || len(b.Codes[0]) != 9 || !strings.Contains(b.Booking.Parties[0].MaskedName, "*") {
		t.Fatalf("booked: %+v", b)
	}
	want(t, f.do("POST", "/api/v1/appointments", secSuper, body, "Idempotency-Key", "b1"), http.StatusOK, nil)
	body["persons"] = []any{synthPerson(2)}
	wantError(t, f.do("POST", "/api/v1/appointments", secSuper, body, "Idempotency-Key", "b2"), http.StatusConflict, "full", "已约满")

	var slots struct {
		Slots []booking.Slot `json:"slots"`
	}
	want(t, f.do("GET", "/api/v1/appointments/slots?plan=session&day=2026-11-26", secSuper, nil), http.StatusOK, &slots)
	if len(slots.Slots) != 3 || slots.Slots[1].Free != 0 || slots.Slots[2].Free != 1 {
		t.Fatalf("slots: %+v", slots.Slots)
	}
	// Staff of the room see the day's booking; staff of a window do not.
	var day struct {
		Bookings []booking.View `json:"bookings"`
	}
	want(t, f.do("GET", "/api/v1/appointments?day=2026-11-26", secStaffW1, nil), http.StatusOK, &day)
	if len(day.Bookings) != 0 {
		t.Fatalf("a window's clerk sees the room's bookings: %+v", day.Bookings)
	}
	// The kiosk checks the visitor in by the code at 09:45.
	f.clock.Set(ten.Add(-15 * time.Minute))
	var ar struct {
		Outcome booking.Outcome `json:"outcome"`
		Ticket  *queue.Ticket   `json:"ticket"`
		Booking booking.View    `json:"booking"`
		Message string          `json:"message"`
	}
	wantError(t, f.do("POST", "/api/v1/appointments/arrive", secKiosk, map[string]any{"code": "2345-6789"}, "Idempotency-Key", "a0"),
		http.StatusNotFound, "not_found", "没有找到")
	want(t, f.do("POST", "/api/v1/appointments/arrive", secKiosk, map[string]any{"code": b.Codes[0]}, "Idempotency-Key", "a1"), http.StatusCreated, &ar)
	if ar.Outcome != booking.OutcomeIssued || ar.Ticket == nil || ar.Ticket.Number != "Q001" || ar.Ticket.TargetCounter != "r1" ||
		len(ar.Booking.Parties) != 0 || ar.Booking.Room != "医患纠纷调解室" || !strings.Contains(ar.Message, "Q001") {
		t.Fatalf("check-in: %+v", ar)
	}
	want(t, f.do("POST", "/api/v1/appointments/arrive", secKiosk, map[string]any{"code": b.Codes[0]}, "Idempotency-Key", "a1"), http.StatusOK, &ar)
	if ar.Ticket == nil || ar.Ticket.Number != "Q001" {
		t.Fatalf("retried check-in: %+v", ar)
	}
	wantError(t, f.do("POST", "/api/v1/appointments/"+b.Booking.ID+"/cancel", secSuper, map[string]any{"reason": "来电取消"}),
		http.StatusConflict, "conflict", "签到")
}

// A booking's steps reach the supervisor's stream, never a board's, and
// carry no name, ID number or code.
func TestBookingEventsOnTheStream(t *testing.T) {
	f := newFixture(t, withAppointments)
	srv := f.server()
	board := openStream(t, srv.URL+"/api/v1/events", "Authorization", "Bearer "+secDisplay)
	console := openStream(t, srv.URL+"/api/v1/events", "Authorization", "Bearer "+secSuper)
	p := synthPerson(4)
	var b bookedAnswer
	want(t, f.do("POST", "/api/v1/appointments", secSuper, map[string]any{"plan": "session", "channel": "desk", "persons": []any{p},
		"start": time.Date(2026, 11, 27, 9, 0, 0, 0, f.hall.Location)}, "Idempotency-Key", "e1"), http.StatusCreated, &b)
	sev, ev := console.nextOf(queue.BookingEvent("booked"))
	if ev.Booking == nil || ev.Booking.ID != b.Booking.ID || ev.Booking.Counter != "r1" || ev.Booking.Parties != 1 {
		t.Fatalf("booked event %+v", ev)
	}
	for _, secret := range []string{p["name"], p["id_number"], p["phone"], strings.ReplaceAll(b.Codes[0], "-", "")} {
		if strings.Contains(sev.data, secret) {
			t.Fatalf("the booking event carries %q: %s", secret, sev.data)
		}
	}
	f.issue("consult") // the board gets this ticket, and no booking step before it
	for sev := board.next(); sev.typ != string(queue.EventIssued); sev = board.next() {
		if strings.HasPrefix(sev.typ, "booking.") {
			t.Fatalf("the board got %s", sev.data)
		}
	}
}

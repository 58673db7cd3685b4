package boltstore

import (
	"reflect"
	"testing"
	"time"

	"yiting/queue"
)

// Every field of a ticket and an event survives the file's encoding: a
// field added to queue.Ticket and forgotten here fails this test.
func TestRecordRoundTrip(t *testing.T) {
	at := time.Date(2026, 11, 26, 9, 30, 15, 123456789, time.UTC)
	tk := &queue.Ticket{
		ID: 7, Number: "A007", Seq: 7, Day: "2026-11-26", ServiceID: "petition", Priority: "elderly", Status: queue.StatusDone,
		Visitor: queue.Visitor{Key: "k", MaskedName: "张*三"}, Kiosk: "kiosk:k1", CaseCode: "421224-20261126-0007-K",
		IssuedAt: at, ArrivedAt: at.Add(-time.Hour), CalledAt: at.Add(time.Minute), FirstCall: at.Add(time.Second),
		StartedAt: at.Add(2 * time.Minute), DoneAt: at.Add(3 * time.Minute),
		CounterID: "w1", StaffID: "clerk", TargetCounter: "w2", Recalls: 1, Transfers: 2, Note: "取材料",
		Rating:      &queue.Rating{Level: queue.Dissatisfied, Reasons: []string{"等待太久"}, At: at, By: "pad:p1"},
		Appointment: at.Add(time.Hour), Booking: "b1",
	}
	checkAllFieldsSet(t, reflect.ValueOf(*tk))
	b, err := encodeTicket(tk)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeTicket(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, tk) {
		t.Fatalf("ticket round trip:\n got %+v\nwant %+v", got, tk)
	}
	ev := queue.Event{Seq: 9, Time: at, Type: queue.EventCompleted, Actor: "clerk", Reason: "r", Ticket: tk,
		Counter: &queue.CounterState{ID: "w1", Status: queue.CounterOpen, Served: 3, Day: "2026-11-26"}, Day: "2026-11-26",
		Case: &queue.CaseStep{Code: "421224-20261126-0007-K", Type: "petition", Service: "petition", Step: "received", Status: "received", Unit: "信访局",
			Counter: "w1", Ticket: 7, Persons: 2, Sensitive: true, Restricted: true,
			Facts: &queue.CaseFacts{TypeName: "信访接待", Channel: "in_person", Outcome: "answered", Referral: "litigation",
				Day: "2026-11-26", AcceptDue: "2026-12-11", Accepted: "2026-11-27", HandleDue: "2027-01-26", Handled: "2027-01-20",
				Closed: "2027-01-21", Extended: true, Persons: 2, Visits: 3, VisitPersons: 5, Collective: 1, Routes: 2,
				RouteUnit: "信访局", Objected: true, Risk: "high", Major: true, Meetings: 1, Warnings: 2, ReviewOpen: true,
				Supervisions: 3, AutoSupervisions: 1, LateReplies: 1, Levels: []string{"red"}, Satisfaction: -1,
				TokenHash: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}},
		Booking: &queue.BookingStep{ID: "b1", Step: "arrived", Plan: "p", Service: "petition", Counter: "w1", Start: at,
			Parties: 2, Party: 1, Ticket: "Q001", Case: "421224-20261126-0007-K", Channel: "desk", Change: "名额 8→6"}}
	checkAllFieldsSet(t, reflect.ValueOf(ev))
	checkAllFieldsSet(t, reflect.ValueOf(*ev.Case))
	checkAllFieldsSet(t, reflect.ValueOf(*ev.Case.Facts))
	checkAllFieldsSet(t, reflect.ValueOf(*ev.Booking))
	b, err = encodeEvent(&ev)
	if err != nil {
		t.Fatal(err)
	}
	gotEv, err := decodeEvent(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(gotEv, ev) {
		t.Fatalf("event round trip:\n got %+v\nwant %+v", gotEv, ev)
	}
}

// checkAllFieldsSet fails on an exported field left at its zero value, so
// that the round trip covers every field.
func checkAllFieldsSet(t *testing.T, v reflect.Value) {
	t.Helper()
	for i := 0; i < v.NumField(); i++ {
		f := v.Type().Field(i)
		if f.IsExported() && v.Field(i).IsZero() {
			t.Fatalf("test data leaves %s.%s empty", v.Type().Name(), f.Name)
		}
	}
}

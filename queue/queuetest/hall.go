package queuetest

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"yiting/queue"
	"yiting/queue/boltstore"
	"yiting/queue/booking"
	"yiting/queue/cases"
	"yiting/queue/personal"
	"yiting/queue/rota"
)

// Hall is a running hall server's core for a test: a real bbolt file in a
// temporary directory, the engine, and the case book — the desk every
// ticket is issued by — following the engine's ticket events, on a clock
// the test sets. Cleanup stops the engine, checks the file's consistency
// and closes it.
type Hall struct {
	Config *queue.Hall
	Clock  *Clock
	Store  *boltstore.Store
	Engine *queue.Engine
	Book   *cases.Book
	Keys   *personal.Keys
	Rota   *rota.Rota // the duty rota on the store, the book's Duty
	// Diary is the appointment diary, when HallOptions.Appointments
	// configures one (the hall needs an AppointmentPrefix).
	Diary *booking.Diary
}

// HallOptions change NewHall's defaults; the zero value is usable.
type HallOptions struct {
	Now    time.Time    // the clock's start; 09:00 on Thursday 2026-11-26 in Shanghai if zero
	Dir    string       // the data directory; a temporary one if ""
	Logger *slog.Logger // discard if nil
	Engine queue.Options
	Cases  func(*cases.Options) // adjusts the book's options
	// Appointments, if not nil, opens the appointment diary on them.
	Appointments *booking.Config
	Diary        func(*booking.Options) // adjusts the diary's options
}

// NewHall opens a hall on h.
func NewHall(tb testing.TB, h *queue.Hall, o HallOptions) *Hall {
	tb.Helper()
	if o.Now.IsZero() {
		o.Now = time.Date(2026, 11, 26, 9, 0, 0, 0, Shanghai(tb))
	}
	if o.Dir == "" {
		o.Dir = tb.TempDir()
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	x := &Hall{Config: h, Clock: NewClock(o.Now)}
	st, err := boltstore.Open(o.Dir, o.Logger)
	if err != nil {
		tb.Fatal(err)
	}
	x.Store = st
	eo := o.Engine
	if eo.Now == nil {
		eo.Now = x.Clock.Now
	}
	eo.Logger = o.Logger
	if x.Engine, err = queue.New(context.Background(), h, st, eo); err != nil {
		st.Close()
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		x.Engine.Close()
		if err := st.Check(); err != nil {
			tb.Errorf("bbolt consistency: %v", err)
		}
		st.Close()
	})
	if x.Keys, err = personal.New(bytes.Repeat([]byte{7}, personal.KeySize)); err != nil {
		tb.Fatal(err)
	}
	cal, err := cases.LoadCalendar(cases.DefaultHolidays())
	if err != nil {
		tb.Fatal(err)
	}
	x.Rota = rota.New(h, st, eo.Now, o.Logger)
	co := cases.Options{Hall: h, Engine: x.Engine, Store: st, Keys: x.Keys, PublicURL: "http://yiting.local", Calendar: cal,
		Now: eo.Now, Logger: o.Logger, Duty: x.Rota}
	if o.Cases != nil {
		o.Cases(&co)
	}
	if x.Book, err = cases.New(co); err != nil {
		tb.Fatal(err)
	}
	x.Engine.SetFollower(x.Book)
	if o.Appointments != nil {
		do := booking.Options{Hall: h, Engine: x.Engine, Store: st, Keys: x.Keys, Desk: x.Book, Cases: x.Book,
			Config: *o.Appointments, Calendar: x.Book.Calendar, Duty: x.Rota, Now: eo.Now, Logger: o.Logger}
		if o.Diary != nil {
			o.Diary(&do)
		}
		if x.Diary, err = booking.New(do); err != nil {
			tb.Fatal(err)
		}
	}
	return x
}

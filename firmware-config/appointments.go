package hallconfig

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"yiting/queue"
	"yiting/queue/booking"
)

// The [appointments] section (queue/booking): the appointment tickets'
// prefix, the check-in windows, the cut-off, and one [[appointments.plans]]
// block per service or room that takes bookings. A file without the
// section takes no appointments.

type fileAppointments struct {
	Prefix   *string    `toml:"prefix" hint:"a string of one capital letter such as \"Q\", or \"\" for none"`
	Early    *string    `toml:"early" hint:"a duration string such as \"30m\""`
	Late     *string    `toml:"late" hint:"a duration string such as \"15m\""`
	Cutoff   *string    `toml:"cutoff" hint:"a duration string such as \"2h\""`
	Horizon  *int       `toml:"horizon_days" hint:"a whole number such as 30"`
	RemindAt *string    `toml:"remind_at" hint:"a string \"HH:MM\" such as \"18:00\""`
	Plans    []filePlan `toml:"plans"`
}

type filePlan struct {
	ID       string   `toml:"id"`
	Name     string   `toml:"name"`
	Service  string   `toml:"service"`
	Counter  string   `toml:"counter"`
	Days     []string `toml:"days" hint:"an array of days such as [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"]"`
	Hours    []string `toml:"hours" hint:"an array of periods such as [\"09:00-11:30\", \"14:30-16:30\"]"`
	Length   string   `toml:"length" hint:"a duration string such as \"30m\""`
	Capacity int      `toml:"capacity" hint:"a whole number such as 1"`
	WalkIn   int      `toml:"walk_in" hint:"a whole number such as 0"`
	Duty     bool     `toml:"duty"`
	Public   bool     `toml:"public"`
}

// DefaultAppointmentPrefix is the appointment tickets' prefix when the
// section leaves it out: Q, a letter the default hall's services leave free
// (I and O read as 1 and 0).
const DefaultAppointmentPrefix = "Q"

var weekdayNames = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// appointmentsConfig reads the section and the appointment tickets'
// prefix (the hall's; "" without the section).
func (f *fileAppointments) appointmentsConfig() (booking.Config, string, *Error) {
	if f == nil {
		return booking.Config{}, "", nil
	}
	def := booking.DefaultPolicy()
	pol := booking.Policy{Horizon: deref(f.Horizon, def.Horizon)}
	for _, d := range []struct {
		key  string
		val  *string
		def  time.Duration
		into *time.Duration
	}{{"early", f.Early, def.Early, &pol.Early}, {"late", f.Late, def.Late, &pol.Late}, {"cutoff", f.Cutoff, def.Cutoff, &pol.Cutoff}} {
		*d.into = d.def
		if d.val != nil {
			v, err := parseDuration(*d.val)
			if err != nil {
				return booking.Config{}, "", fieldError("appointments."+d.key, err.Error())
			}
			*d.into = v
		}
	}
	pol.RemindAt = def.RemindAt
	if f.RemindAt != nil {
		v, err := parseClock(*f.RemindAt)
		if err != nil {
			return booking.Config{}, "", fieldError("appointments.remind_at", err.Error())
		}
		pol.RemindAt = v
	}
	c := booking.Config{Policy: pol}
	for i, fp := range f.Plans {
		at := fmt.Sprintf("appointments.plans[%d]", i)
		p := booking.Plan{ID: fp.ID, Name: fp.Name, ServiceID: fp.Service, CounterID: fp.Counter, Capacity: fp.Capacity,
			WalkIn: fp.WalkIn, Duty: fp.Duty, Public: fp.Public}
		for j, d := range fp.Days {
			k := indexOf(weekdayNames, strings.ToLower(d))
			if k < 0 {
				return booking.Config{}, "", fieldError(fmt.Sprintf("%s.days[%d]", at, j), fmt.Sprintf("%q is not one of mon, tue, wed, thu, fri, sat, sun", d))
			}
			p.Weekdays = append(p.Weekdays, time.Weekday(k))
		}
		for j, h := range fp.Hours {
			from, to, ok := strings.Cut(h, "-")
			a, err1 := parseClock(strings.TrimSpace(from))
			b, err2 := parseClock(strings.TrimSpace(to))
			if !ok || err1 != nil || err2 != nil {
				return booking.Config{}, "", fieldError(fmt.Sprintf("%s.hours[%d]", at, j), fmt.Sprintf("%q is not a period \"HH:MM-HH:MM\" such as \"09:00-11:30\"", h))
			}
			p.Periods = append(p.Periods, booking.Period{From: a, To: b})
		}
		var err error
		if p.Length, err = parseDuration(fp.Length); err != nil {
			return booking.Config{}, "", fieldError(at+".length", err.Error())
		}
		c.Plans = append(c.Plans, p)
	}
	return c, deref(f.Prefix, DefaultAppointmentPrefix), nil
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

// checkAppointments runs the diary's own checks against the hall.
func (c *Config) checkAppointments() *Error {
	if err := c.Appointments.Validate(&c.Hall); err != nil {
		var ve *queue.ValidationError
		if errors.As(err, &ve) {
			return fieldError(ve.Field, ve.Reason)
		}
		return fieldError("appointments", err.Error())
	}
	return nil
}

// writeAppointments writes the section for -print-config.
func (w *tomlWriter) writeAppointments(a booking.Config, prefix string) {
	if prefix == "" && len(a.Plans) == 0 {
		w.raw("\n# Appointments 预约: none (add an [appointments] section to take bookings)\n")
		return
	}
	p := a.Policy
	w.raw("\n# Appointments 预约. Check-in from early before the slot to late after its\n# start; the visitor moves or cancels until cutoff before it.\n[appointments]\n")
	w.kv("prefix", quote(prefix), "appointment tickets' prefix letter")
	w.kv("early", quote(formatDuration(p.Early)), "")
	w.kv("late", quote(formatDuration(p.Late)), "")
	w.kv("cutoff", quote(formatDuration(p.Cutoff)), "")
	w.kv("horizon_days", strconv.Itoa(p.Horizon), "")
	w.kv("remind_at", quote(formatClock(p.RemindAt)), "the day before")
	for _, pl := range a.Plans {
		w.raw("\n[[appointments.plans]]\n")
		w.kv("id", quote(pl.ID), "")
		w.kv("name", quote(pl.Name), "")
		w.kv("service", quote(pl.ServiceID), "")
		if pl.CounterID != "" {
			w.kv("counter", quote(pl.CounterID), "")
		}
		days := make([]string, len(pl.Weekdays))
		for i, d := range pl.Weekdays {
			days[i] = quote(weekdayNames[d])
		}
		w.kv("days", "["+strings.Join(days, ", ")+"]", "")
		hours := make([]string, len(pl.Periods))
		for i, pd := range pl.Periods {
			hours[i] = quote(formatClock(pd.From) + "-" + formatClock(pd.To))
		}
		w.kv("hours", "["+strings.Join(hours, ", ")+"]", "")
		w.kv("length", quote(formatDuration(pl.Length)), "")
		w.kv("capacity", strconv.Itoa(pl.Capacity), "")
		w.kv("walk_in", strconv.Itoa(pl.WalkIn), "")
		w.kv("duty", strconv.FormatBool(pl.Duty), "")
		w.kv("public", strconv.FormatBool(pl.Public), "")
	}
}

package hallconfig

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"yiting/queue/booking"
)

// The default hall takes appointments: its plans are valid against it, the
// leader's reception only on duty days, counselling by staff only; a file
// without the section takes none; each mistake is named with its field and
// line.
func TestAppointmentsSection(t *testing.T) {
	c := mustDefault(t)
	a := c.Appointments
	if c.Hall.AppointmentPrefix != "Q" || a.Policy != booking.DefaultPolicy() || len(a.Plans) != 9 {
		t.Fatalf("default appointments: prefix %q, policy %+v, %d plans", c.Hall.AppointmentPrefix, a.Policy, len(a.Plans))
	}
	leader, _ := a.Plan("leader")
	counselling, _ := a.Plan("counselling")
	if !leader.Duty || !leader.Public || leader.Bookable() != 1 || counselling.Public {
		t.Fatalf("leader %+v, counselling %+v", leader, counselling)
	}
	base, err := os.ReadFile(filepath.Join("testdata", "small-hall.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if c, err := Parse("hall.toml", base); err != nil || c.Hall.AppointmentPrefix != "" || len(c.Appointments.Plans) != 0 {
		t.Fatalf("a file without [appointments]: %+v %v", c, err)
	}
	plan := "\n[[appointments.plans]]\nid = \"p\"\nname = \"预约\"\nservice = \"petition\"\ndays = [\"mon\"]\nhours = [\"09:00-10:00\"]\nlength = \"30m\"\ncapacity = 2\n"
	parse := func(section string) (*Config, error) {
		return Parse("hall.toml", append(append([]byte{}, base...), "\n[appointments]\n"+section+"\n"...))
	}
	c, err = parse(`prefix = "Y"` + "\n" + `late = "10m"` + plan)
	if err != nil || c.Hall.AppointmentPrefix != "Y" || c.Appointments.Policy.Late != 10*time.Minute ||
		c.Appointments.Plans[0].Weekdays[0] != time.Monday || c.Appointments.Plans[0].Periods[0].To != 10*time.Hour {
		t.Fatalf("a small hall's plan: %+v, %v", c, err)
	}
	for _, tc := range []struct{ section, field, problem string }{
		{`prefix = "A"` + plan, "appointments.prefix", "already the prefix"},
		{`late = "soon"`, "appointments.late", "not a duration"},
		{`horizon_days = 0`, "appointments.horizon_days", "1 to 366"},
		{plan + `walk_in = 2`, "appointments.plans[0].walk_in", "capacity-1"},
		{strings.Replace(plan, `"mon"`, `"montag"`, 1), "appointments.plans[0].days[0]", "not one of mon"},
		{strings.Replace(plan, `"09:00-10:00"`, `"9-10"`, 1), "appointments.plans[0].hours[0]", "HH:MM-HH:MM"},
		{strings.Replace(plan, `"09:00-10:00"`, `"09:00-09:20"`, 1), "appointments.plans[0].hours[0]", "at least one slot"},
		{strings.Replace(plan, `service = "petition"`, "service = \"petition\"\ncounter = \"win-2\"", 1), "appointments.plans[0].counter", "does not serve"},
		{strings.Replace(plan, `service = "petition"`, `service = "nothing"`, 1), "appointments.plans[0].service", "no service"},
		{plan + "duty = true", "appointments.plans[0].duty", "duty-only"},
	} {
		_, err := parse(tc.section)
		var e *Error
		if !errors.As(err, &e) || e.Field != tc.field || !strings.Contains(e.Problem, tc.problem) || e.Line == 0 {
			t.Errorf("%q: %v", tc.section, err)
		}
	}
}

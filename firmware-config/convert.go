package hallconfig

import (
	"fmt"
	"strings"

	"yiting/queue"
)

// config turns the decoded file into a Config, filling in defaults and
// parsing the values that are strings in the file (clock times,
// durations, the time zone, counters' service lists). Range and
// reference checks are Validate's.
func (f *fileConfig) config() (*Config, *Error) {
	c := &Config{
		Hall: queue.Hall{
			Name:        deref(f.Name, ""),
			RegionCode:  deref(f.RegionCode, ""),
			RecallLimit: deref(f.RecallLimit, DefaultRecallLimit),
		},
		KeyFile:   deref(f.KeyFile, ""),
		PublicURL: trimSlash(deref(f.PublicURL, DefaultPublicURL)),
	}
	h := &c.Hall

	tz := deref(f.Timezone, DefaultTimezone)
	loc, err := loadLocation(tz)
	if err != nil {
		return nil, fieldError("timezone", err.Error())
	}
	h.Location = loc

	var hours fileHours
	if f.Hours != nil {
		hours = *f.Hours
	}
	if h.Hours.Open, err = parseClock(deref(hours.Open, DefaultOpen)); err != nil {
		return nil, fieldError("hours.open", err.Error())
	}
	if h.Hours.Close, err = parseClock(deref(hours.Close, DefaultClose)); err != nil {
		return nil, fieldError("hours.close", err.Error())
	}

	var prio filePriority
	if f.Priority != nil {
		prio = *f.Priority
	}
	h.Priority.Ratio = deref(prio.Ratio, DefaultRatio)
	if h.Priority.AgingAfter, err = parseDuration(deref(prio.AgingAfter, DefaultAgingAfter)); err != nil {
		return nil, fieldError("priority.aging_after", err.Error())
	}
	if prio.Classes == nil {
		h.Priority.Classes = DefaultClasses()
	} else {
		h.Priority.Classes = []queue.PriorityClass{}
		for _, fc := range *prio.Classes {
			h.Priority.Classes = append(h.Priority.Classes, queue.PriorityClass{
				ID: fc.ID, Name: fc.Name, MinAge: deref(fc.MinAge, 0),
			})
		}
	}

	var dev fileDevices
	if f.Devices != nil {
		dev = *f.Devices
	}
	c.Devices = Devices{
		Reader:         deref(dev.Reader, DefaultReader),
		ReaderBaud:     deref(dev.ReaderBaud, DefaultBaud),
		Printer:        deref(dev.Printer, DefaultPrinter),
		PrinterBaud:    deref(dev.PrinterBaud, DefaultBaud),
		PrinterProfile: deref(dev.PrinterProfile, DefaultPrinterProfile),
		DeskPrinter:    deref(dev.DeskPrinter, ""),
		LED:            deref(dev.LED, ""),
		Buzzer:         deref(dev.Buzzer, ""),
	}
	if len(dev.Buttons) > 0 {
		c.Devices.Buttons = dev.Buttons
	}

	for i, fs := range f.Services {
		if fs.NeedsIDCard == nil {
			return nil, fieldError(fmt.Sprintf("services[%d].needs_id_card", i),
				"missing: say true (the kiosk reads an ID card before issuing) or false")
		}
		h.Services = append(h.Services, queue.Service{
			ID:       fs.ID,
			Name:     fs.Name,
			Prefix:   fs.Prefix,
			Category: queue.Category(fs.Category),
			Group:    fs.Group,
			NeedsID:  *fs.NeedsIDCard,
			CaseType: fs.CaseType,
			Pinyin:   fs.Pinyin,
			DutyOnly: fs.DutyOnly,
		})
	}

	for _, fu := range f.Units {
		h.Units = append(h.Units, queue.Unit{Name: fu.Name, Kind: queue.UnitKind(fu.Kind)})
	}

	for i, fc := range f.Counters {
		counter := queue.Counter{
			ID:       fc.ID,
			Name:     fc.Name,
			Kind:     queue.CounterKind(fc.Kind),
			Unit:     fc.Unit,
			Location: fc.Location,
			Pinyin:   fc.Pinyin,
		}
		for j, ref := range fc.Services {
			cs, err := parseServiceRef(ref)
			if err != nil {
				return nil, fieldError(fmt.Sprintf("counters[%d].services[%d]", i, j), err.Error())
			}
			counter.Services = append(counter.Services, cs)
		}
		h.Counters = append(h.Counters, counter)
	}

	var e *Error
	if c.Cases, e = f.Cases.casesConfig(); e != nil {
		return nil, e
	}
	c.County = f.County.countyConfig()
	if c.Appointments, h.AppointmentPrefix, e = f.Appointments.appointmentsConfig(); e != nil {
		return nil, e
	}
	return c, nil
}

// DefaultClasses returns the priority classes a file gets when its
// [priority] section has no classes key: the four with legal grounds.
func DefaultClasses() []queue.PriorityClass {
	return []queue.PriorityClass{
		{ID: "elderly", Name: "老年人", MinAge: 60}, // 老年人权益保障法 Art. 2: 60 and over
		{ID: "disabled", Name: "残疾人"},            // 残疾人保障法
		{ID: "military", Name: "军人"},             // 军人地位和权益保障法: 军人依法优先
		{ID: "pregnant", Name: "孕妇"},
	}
}

func deref[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

// trimSlash removes one trailing slash from a URL ("http://host/"), the
// way installers often write it; "http://" stays for checkURL to refuse.
func trimSlash(u string) string {
	if strings.HasSuffix(u, "/") && !strings.HasSuffix(u, "//") {
		return u[:len(u)-1]
	}
	return u
}

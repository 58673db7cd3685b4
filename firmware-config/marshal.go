package hallconfig

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

const marshalHeader = `# yiting hall configuration — 一厅 综治中心配置
#
# This is the effective configuration: every default is written out.
# Edit it, then start yiting with -config FILE. Every key is explained in
# the documented default (firmware-config/default.toml in the source).
# Indices in error messages count from 0: services[3] is the fourth
# [[services]] block below.
`

// MarshalTOML writes the configuration in the file format Parse reads,
// every default filled in, with a header and short comments, so that an
// installer can start from it (yiting -print-config). Parse of the
// result gives back an equal Config. It returns the *Error of Validate
// for a configuration that could not be read back.
func (c *Config) MarshalTOML() ([]byte, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	h := &c.Hall
	var w tomlWriter
	w.raw(marshalHeader)
	w.raw("\n# The centre. 中心\n")
	w.kv("name", quote(h.Name), "")
	w.kv("region_code", quote(h.RegionCode), "administrative division code 行政区划代码")
	w.kv("timezone", quote(h.Location.String()), "IANA zone; business days start at its midnight")
	w.kv("recall_limit", strconv.Itoa(h.RecallLimit), "recalls before a ticket becomes a no-show; 0 = no limit")
	w.kv("key_file", quote(c.KeyFile), `personal-data key; "" = yiting.key in the data directory`)
	w.kv("public_url", quote(c.PublicURL), "base URL of the QR code printed on tickets")

	w.raw("\n# Opening hours on working days, local time. 办公时间\n[hours]\n")
	w.kv("open", quote(formatClock(h.Hours.Open)), "")
	w.kv("close", quote(formatClock(h.Hours.Close)), "")

	w.raw("\n# Priority service by law. 依法优先\n[priority]\n")
	w.kv("ratio", strconv.Itoa(h.Priority.Ratio), "priority tickets a counter may call in a row before a normal one")
	w.kv("aging_after", quote(formatDuration(h.Priority.AgingAfter)), `priority and weights overtake by less than this; "0s" = off`)
	if len(h.Priority.Classes) == 0 {
		w.kv("classes", "[]", "no priority classes")
	}
	for _, p := range h.Priority.Classes {
		w.raw("\n[[priority.classes]]\n")
		w.kv("id", quote(p.ID), "")
		w.kv("name", quote(p.Name), "")
		if p.MinAge > 0 {
			w.kv("min_age", strconv.Itoa(p.MinAge), "read from the ID card")
		}
	}

	d := &c.Devices
	w.raw("\n# The kiosk's devices. 设备\n[devices]\n")
	w.kv("reader", quote(d.Reader), `ID card reader: "sim" or a serial device`)
	w.kv("reader_baud", strconv.Itoa(d.ReaderBaud), "")
	w.kv("printer", quote(d.Printer), `ticket printer: "sim" or a device`)
	w.kv("printer_baud", strconv.Itoa(d.PrinterBaud), "")
	w.kv("printer_profile", quote(d.PrinterProfile), "")
	w.kv("desk_printer", quote(d.DeskPrinter), `the service desk's printer on the server: "" = print from the browser`)
	w.kv("led", quote(d.LED), `status LED pin; "" = none`)
	w.kv("buzzer", quote(d.Buzzer), `buzzer pin; "" = none`)
	if len(d.Buttons) > 0 {
		w.raw("\n# GPIO pin = the service its button issues a ticket for.\n[devices.buttons]\n")
		for _, pin := range sortedKeys(d.Buttons) {
			w.kv(pin, quote(d.Buttons[pin]), "")
		}
	}

	w.raw("\n# Services: what a visitor chooses at the kiosk. 服务事项\n")
	for _, s := range h.Services {
		w.raw("\n[[services]]\n")
		w.kv("id", quote(s.ID), "")
		w.kv("name", quote(s.Name), "")
		w.kv("prefix", quote(s.Prefix), "")
		w.kv("category", quote(string(s.Category)), "")
		if s.Group != "" {
			w.kv("group", quote(s.Group), "")
		}
		w.kv("needs_id_card", strconv.FormatBool(s.NeedsID), "")
		w.kv("case_type", quote(s.CaseType), "")
		if s.Pinyin != "" {
			w.kv("pinyin", quote(s.Pinyin), "")
		}
		if s.DutyOnly {
			w.kv("duty_only", "true", "offered on the days the duty rota opens it")
		}
	}

	if len(h.Units) > 0 {
		w.raw("\n# Units: who handles matters; a counter's unit is one of them. 入驻单位\n")
		w.raw("# kind: resident (常驻), dispatched (派驻), committee (调解委员会) or other.\n")
	}
	for _, u := range h.Units {
		w.raw("\n[[units]]\n")
		w.kv("name", quote(u.Name), "")
		w.kv("kind", quote(string(u.Kind)), "")
	}

	w.raw("\n# Counters: windows, rooms and the court room. 窗口、调解室、法庭\n")
	w.raw("# services: \"id\" or \"id:weight\"; a higher weight is called first.\n")
	for _, ct := range h.Counters {
		w.raw("\n[[counters]]\n")
		w.kv("id", quote(ct.ID), "")
		w.kv("name", quote(ct.Name), "")
		w.kv("kind", quote(string(ct.Kind)), "")
		if ct.Unit != "" {
			w.kv("unit", quote(ct.Unit), "")
		}
		if ct.Location != "" {
			w.kv("location", quote(ct.Location), "")
		}
		if ct.Pinyin != "" {
			w.kv("pinyin", quote(ct.Pinyin), "")
		}
		refs := make([]string, len(ct.Services))
		for i, cs := range ct.Services {
			refs[i] = quote(formatServiceRef(cs))
		}
		list := "[" + strings.Join(refs, ", ") + "]"
		if len(list) > 80 {
			list = "[\n  " + strings.Join(refs, ",\n  ") + ",\n]"
		}
		w.kv("services", list, "")
	}

	w.raw("\n# The county network. 县综治中心联网 (site \"\": none)\n[county]\n")
	w.kv("site", quote(c.County.Site), "this hall's site id, e.g. the township's region code")
	w.kv("hub", quote(c.County.Hub), `the county hub's leaf-node URL; "" = the stream waits for one`)
	w.kv("credentials", quote(c.County.Credentials), "the site's credentials file from the hub's admin")

	w.writeAppointments(c.Appointments, c.Hall.AppointmentPrefix)

	cs := &c.Cases
	w.raw("\n# The case tracker. 事项办理时限\n")
	w.raw("# Spans: \"N days\" (日), \"N working days\" (工作日) or \"none\".\n[cases]\n")
	w.kv("retention_years", strconv.Itoa(cs.RetentionYears), "closed cases are anonymised this many years after closing; -1 = never")
	w.kv("archive_years", strconv.Itoa(cs.ArchiveYears), "the anonymised record is kept this long, then listed for appraisal; -1 = permanently")
	w.kv("rectify_within", quote(formatSpan(cs.RectifyWithin)), "deadline of the rectification after a bad rating")
	w.raw("\n# Time limits by case type: the statutory table (queue/cases) with this\n")
	w.raw("# file's overrides. A type without an entry takes its parent's:\n")
	w.raw("# petition.housing that of petition. handle_from_accept: handle counts\n")
	w.raw("# from acceptance, not registration; extension: the most one extension adds.\n")
	for _, typ := range slices.Sorted(maps.Keys(cs.Limits)) {
		l := cs.Limits[typ]
		w.raw("\n[cases.limits." + quote(typ) + "]\n")
		w.kv("accept", quote(formatSpan(l.Accept)), "")
		w.kv("handle", quote(formatSpan(l.Handle)), "")
		w.kv("handle_from_accept", strconv.FormatBool(l.HandleFromAccept), "")
		w.kv("extension", quote(formatSpan(l.Extension)), "")
		w.kv("source", quote(l.Source), "")
	}
	return w.buf.Bytes(), nil
}

type tomlWriter struct{ buf bytes.Buffer }

func (w *tomlWriter) raw(s string) { w.buf.WriteString(s) }

// kv writes key = value, with a trailing comment if given. Keys are
// ours or pin names, which Validate restricts to bare-key characters.
func (w *tomlWriter) kv(key, value, comment string) {
	if comment == "" {
		fmt.Fprintf(&w.buf, "%s = %s\n", key, value)
		return
	}
	fmt.Fprintf(&w.buf, "%s = %s  # %s\n", key, value, comment)
}

// quote writes s as a TOML basic string.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04X`, r)
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD"):
			b.WriteString(`\uFFFD`) // invalid UTF-8; Validate keeps it out of names
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

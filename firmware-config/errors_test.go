package hallconfig

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pelletier/go-toml/v2"

	"yiting/queue"
)

func smallHall(tb testing.TB) string {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "small-hall.toml"))
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// lineOf returns the 1-based line of the nth occurrence of marker.
func lineOf(tb testing.TB, doc, marker string, nth int) int {
	tb.Helper()
	off := 0
	for i := 0; i < nth; i++ {
		j := strings.Index(doc[off:], marker)
		if j < 0 {
			tb.Fatalf("marker %q (occurrence %d) not in the document", marker, nth)
		}
		off += j
		if i < nth-1 {
			off += len(marker)
		}
	}
	return strings.Count(doc[:off], "\n") + 1
}

type edit struct{ old, new string }

// withCases appends a [cases] section to testdata/small-hall.toml, after
// its last line.
func withCases(section string) []edit {
	const last = `services = ["consult"]`
	return []edit{{last, last + "\n\n" + section}}
}

// Every kind of bad input stops with an error that names the file, the
// field with the file's key names, the line where there is one, and the
// problem.
func TestBadInput(t *testing.T) {
	var (
		strictErr *toml.StrictMissingError
		decodeErr *toml.DecodeError
		queueErr  *queue.Error
	)
	cases := []struct {
		name    string
		edits   []edit // applied to testdata/small-hall.toml
		doc     string // instead of the edited small hall
		field   string
		at      string // the error's line is this marker's; "" = no line
		nth     int    // occurrence of at; 0 means 1
		problem string // the problem contains this
		as      any    // the error wraps one of these, if set
	}{
		// Syntax, types and unknown keys: go-toml finds them.
		{name: "unknown key in a service", edits: []edit{{"needs_id_card = false", "needs_id_card = false\ncolour = \"red\""}},
			field: "services[1].colour", at: `colour = "red"`, problem: `unknown key "colour" (the keys in services are: id, name, prefix, category,`, as: &strictErr},
		{name: "unknown top-level key", edits: []edit{{`region_code = "421224"`, "region_code = \"421224\"\nrecall_limt = 5"}},
			field: "recall_limt", at: "recall_limt", problem: `unknown key "recall_limt" (the keys at the top level are: name, region_code, timezone, recall_limit,`, as: &strictErr},
		{name: "unknown table", edits: []edit{{"[devices]", "[display]\nsize = 1\n\n[devices]"}},
			field: "display", at: "[display]", problem: `unknown key "display"`, as: &strictErr},
		{name: "misspelt device key", edits: []edit{{`printer_profile = "58mm"`, `printer_profil = "58mm"`}},
			field: "devices.printer_profil", at: "printer_profil", problem: `unknown key "printer_profil" (the keys in devices are: reader, reader_baud, printer,`, as: &strictErr},
		{name: "several unknown keys", edits: []edit{{"ratio = 3", "ratio = 3\nrato = 1\nratoi = 2"}},
			field: "priority.rato", at: "rato = 1", problem: "1 more unknown key(s)", as: &strictErr},
		{name: "prefix of the wrong type", edits: []edit{{`prefix = "A"`, `prefix = 1`}},
			field: "services[0].prefix", at: "prefix = 1", problem: `wrong type: found an integer, expected a string of one capital letter such as "A"`, as: &decodeErr},
		{name: "needs_id_card of the wrong type", edits: []edit{{`needs_id_card = true`, `needs_id_card = "yes"`}},
			field: "services[0].needs_id_card", at: "needs_id_card", problem: "wrong type: found a string, expected true or false", as: &decodeErr},
		{name: "ratio as a string", edits: []edit{{"ratio = 3", `ratio = "3"`}},
			field: "priority.ratio", at: "ratio", problem: "wrong type: found a string, expected a whole number such as 2", as: &decodeErr},
		{name: "ratio as a float", edits: []edit{{"ratio = 3", "ratio = 2.5"}},
			field: "priority.ratio", at: "ratio", problem: "wrong type: found a float", as: &decodeErr},
		{name: "counter services not an array", edits: []edit{{`services = ["consult"]`, `services = "consult"`}},
			field: "counters[1].services", at: `services = "consult"`, problem: "wrong type: found a string, expected an array of strings", as: &decodeErr},
		{name: "counter service not a string", edits: []edit{{`services = ["consult"]`, `services = ["consult", 2]`}},
			field: "counters[1].services[1]", at: `services = ["consult", 2]`, problem: "wrong type: found an integer", as: &decodeErr},
		{name: "table where a string goes", edits: []edit{{`led = "GPIO17"`, `led = {pin = "GPIO17"}`}},
			field: "devices.led", at: "led =", problem: "wrong type: found an inline table, expected a string", as: &decodeErr},
		{name: "number too large", edits: []edit{{"ratio = 3", "ratio = 99999999999999999999"}},
			field: "priority.ratio", at: "ratio", problem: "too large", as: &decodeErr},
		{name: "unterminated string", edits: []edit{{`name = "1号窗口"`, `name = "1号窗口`}},
			at: `name = "1号窗口`, problem: "TOML syntax: ", as: &decodeErr},
		{name: "duplicate key", edits: []edit{{`prefix = "A"`, "prefix = \"A\"\nprefix = \"B\""}},
			field: "services[0].prefix", at: `prefix = "B"`, problem: "TOML syntax: key prefix is already defined", as: &decodeErr},

		// The domain's rules: queue.Hall.Validate finds them, we add the line.
		{name: "bad prefix", edits: []edit{{`prefix = "A"`, `prefix = "AA"`}},
			field: "services[0].prefix", at: `prefix = "AA"`, problem: `"AA" must be one capital letter A-Z`, as: &queueErr},
		{name: "lower-case prefix", edits: []edit{{`prefix = "C"`, `prefix = "c"`}},
			field: "services[1].prefix", at: `prefix = "c"`, problem: `"c" must be one capital letter A-Z`, as: &queueErr},
		{name: "duplicate service id", edits: []edit{{`id = "consult"`, `id = "petition"`}},
			field: "services[1].id", at: `id = "petition"`, nth: 2, problem: `"petition" is used twice`, as: &queueErr},
		{name: "duplicate prefix", edits: []edit{{`prefix = "C"`, `prefix = "A"`}},
			field: "services[1].prefix", at: `prefix = "A"`, nth: 2, problem: `"A" is already the prefix of service "petition"`, as: &queueErr},
		{name: "bad service id", edits: []edit{{`id = "consult"`, `id = "咨询"`}, {`"consult"`, `"咨询"`}, {`services = ["petition:2", "consult"]`, `services = ["petition:2", "咨询"]`}, {`services = ["consult"]`, `services = ["咨询"]`}},
			field: "services[1].id", at: `id = "咨询"`, problem: `"咨询" is not a valid id`, as: &queueErr},
		{name: "duplicate counter id", edits: []edit{{`id = "win-2"`, `id = "win-1"`}},
			field: "counters[1].id", at: `id = "win-1"`, nth: 2, problem: `"win-1" is used twice`, as: &queueErr},
		{name: "counter naming an unknown service", edits: []edit{{`services = ["petition:2", "consult"]`, `services = ["petition:2", "legal"]`}},
			field: "counters[0].services[1]", at: `services = ["petition:2", "legal"]`, problem: `no service "legal"`, as: &queueErr},
		{name: "misspelt service id in a counter", edits: []edit{{`services = ["petition:2", "consult"]`, `services = ["petiton:2", "consult"]`}},
			field: "counters[0].services[0]", at: `services = ["petiton:2", "consult"]`, problem: `no service "petiton"`, as: &queueErr},
		{name: "counter serving a service twice", edits: []edit{{`services = ["consult"]`, `services = ["consult", "consult:3"]`}},
			field: "counters[1].services[1]", at: `services = ["consult", "consult:3"]`, problem: `service "consult" listed twice`, as: &queueErr},
		{name: "counter serving nothing", edits: []edit{{`services = ["consult"]`, `services = []`}},
			field: "counters[1].services", at: `services = []`, problem: "a counter must serve at least one service", as: &queueErr},
		{name: "unknown category", edits: []edit{{`category = "other"`, `category = "complaint"`}},
			field: "services[1].category", at: `category = "complaint"`, problem: `"complaint" is not one of petition, mediation, legal, counselling, litigation, other`, as: &queueErr},
		{name: "unknown kind", edits: []edit{{`kind = "window"`, `kind = "desk"`}},
			field: "counters[0].kind", at: `kind = "desk"`, problem: `"desk" is not one of window, room, court`, as: &queueErr},
		{name: "weight zero", edits: []edit{{`"petition:2"`, `"petition:0"`}},
			field: "counters[0].services[0].weight", at: `"petition:0"`, problem: "0 is outside 1..100", as: &queueErr},
		{name: "weight too high", edits: []edit{{`"petition:2"`, `"petition:101"`}},
			field: "counters[0].services[0].weight", at: `"petition:101"`, problem: "101 is outside 1..100", as: &queueErr},

		// Our own checks.
		{name: "service served by no counter", edits: []edit{{`services = ["petition:2", "consult"]`, `services = ["consult"]`}},
			field: "services[0]", at: "[[services]]", problem: `service "petition" is served by no counter`, as: &queueErr},
		{name: "weight not a number", edits: []edit{{`"petition:2"`, `"petition:x"`}},
			field: "counters[0].services[0]", at: `"petition:x"`, problem: `"petition:x" must be "service" or "service:weight"`},
		{name: "weight with a space", edits: []edit{{`"petition:2"`, `"petition: 2"`}},
			field: "counters[0].services[0]", at: `"petition: 2"`, problem: "(no spaces)"},
		{name: "weight with a sign", edits: []edit{{`"petition:2"`, `"petition:+2"`}},
			field: "counters[0].services[0]", at: `"petition:+2"`, problem: `"petition:+2" must be`},
		{name: "empty service reference", edits: []edit{{`services = ["consult"]`, `services = [":2"]`}},
			field: "counters[1].services[0]", at: `[":2"]`, problem: `":2" must be`},
		{name: "bad time zone", edits: []edit{{`region_code = "421224"`, "region_code = \"421224\"\ntimezone = \"Asia/Shenzhen\""}},
			field: "timezone", at: "timezone", problem: `"Asia/Shenzhen" is not a known IANA time zone`},
		{name: "local time zone", edits: []edit{{`region_code = "421224"`, "region_code = \"421224\"\ntimezone = \"Local\""}},
			field: "timezone", at: "timezone", problem: `"Local" is not allowed`},
		{name: "duration with words", edits: []edit{{"ratio = 3", "ratio = 3\naging_after = \"30 minutes\""}},
			field: "priority.aging_after", at: "aging_after", problem: `"30 minutes" is not a duration such as "30m"`},
		{name: "duration with a fraction", edits: []edit{{"ratio = 3", "ratio = 3\naging_after = \"1.5h\""}},
			field: "priority.aging_after", at: "aging_after", problem: `"1.5h" is not a duration`},
		{name: "negative duration", edits: []edit{{"ratio = 3", "ratio = 3\naging_after = \"-5m\""}},
			field: "priority.aging_after", at: "aging_after", problem: `"-5m" is not a duration`},
		{name: "duration without unit", edits: []edit{{"ratio = 3", "ratio = 3\naging_after = \"30\""}},
			field: "priority.aging_after", at: "aging_after", problem: `"30" is not a duration`},
		{name: "duration in milliseconds", edits: []edit{{"ratio = 3", "ratio = 3\naging_after = \"500ms\""}},
			field: "priority.aging_after", at: "aging_after", problem: `"500ms" is not a duration`},
		{name: "duration too long", edits: []edit{{"ratio = 3", "ratio = 3\naging_after = \"48h\""}},
			field: "priority.aging_after", at: "aging_after", problem: `"48h" is longer than "24h"`},
		{name: "duration overflowing", edits: []edit{{"ratio = 3", "ratio = 3\naging_after = \"9999999999999h\""}},
			field: "priority.aging_after", at: "aging_after", problem: "too long a duration"},
		{name: "clock without leading zero", edits: []edit{{`open = "08:00"`, `open = "8:00"`}},
			field: "hours.open", at: `open = "8:00"`, problem: `"8:00" is not a clock time "HH:MM"`},
		{name: "clock past 24", edits: []edit{{`open = "08:00"`, `open = "25:00"`}},
			field: "hours.open", at: "open", problem: `"25:00" is not a clock time`},
		{name: "clock with seconds", edits: []edit{{`close = "17:00"`, `close = "17:00:00"`}},
			field: "hours.close", at: "close", problem: `"17:00:00" is not a clock time`},
		{name: "clock past midnight", edits: []edit{{`close = "17:00"`, `close = "24:30"`}},
			field: "hours.close", at: "close", problem: `"24:30" is past midnight`},
		{name: "clock as a TOML time", edits: []edit{{`close = "17:00"`, `close = 17:00:00`}},
			field: "hours.close", at: "close", problem: "wrong type: found a local time, expected a string \"HH:MM\"", as: &decodeErr},
		{name: "closing before opening", edits: []edit{{`close = "17:00"`, `close = "07:00"`}},
			field: "hours.close", at: "close", problem: `"07:00" is not after opening "08:00"`},
		{name: "closing at opening", edits: []edit{{`close = "17:00"`, `close = "08:00"`}},
			field: "hours.close", at: "close", problem: `"08:00" is not after opening "08:00"`},
		{name: "negative ratio", edits: []edit{{"ratio = 3", "ratio = -1"}},
			field: "priority.ratio", at: "ratio", problem: "-1 is outside 0..100"},
		{name: "huge ratio", edits: []edit{{"ratio = 3", "ratio = 1000"}},
			field: "priority.ratio", at: "ratio", problem: "1000 is outside 0..100"},
		{name: "negative recall limit", edits: []edit{{`region_code = "421224"`, "region_code = \"421224\"\nrecall_limit = -1"}},
			field: "recall_limit", at: "recall_limit", problem: "-1 is outside 0..99"},
		{name: "priority class without a name", edits: []edit{{"ratio = 3", "ratio = 3\n\n[[priority.classes]]\nid = \"elderly\"\nmin_age = 60"}},
			field: "priority.classes[0].name", at: "[[priority.classes]]", problem: "missing or empty"},
		{name: "priority class age", edits: []edit{{"ratio = 3", "ratio = 3\n\n[[priority.classes]]\nid = \"elderly\"\nname = \"老年人\"\nmin_age = 200"}},
			field: "priority.classes[0].min_age", at: "min_age", problem: "200 is not an age", as: &queueErr},
		{name: "needs_id_card missing", edits: []edit{{"needs_id_card = false\n", ""}},
			field: "services[1].needs_id_card", at: "[[services]]", nth: 2, problem: "missing: say true"},
		{name: "service name missing", edits: []edit{{`name = "咨询"`, ``}},
			field: "services[1].name", at: "[[services]]", nth: 2, problem: "missing or empty"},
		{name: "service name blank", edits: []edit{{`name = "咨询"`, `name = "  "`}},
			field: "services[1].name", at: `name = "  "`, problem: "missing or empty"},
		{name: "service name with a control character", edits: []edit{{`name = "咨询"`, `name = "咨询\u0007"`}},
			field: "services[1].name", at: `name = "咨询\u0007"`, problem: "control characters"},
		{name: "service name too long", edits: []edit{{`name = "咨询"`, `name = "` + strings.Repeat("咨", 41) + `"`}},
			field: "services[1].name", at: `name = "咨咨`, problem: "longer than 40 characters"},
		{name: "hall name missing", edits: []edit{{`name = "通山县南林桥镇综治中心"`, ``}},
			field: "name", problem: "missing or empty"},
		{name: "region code too short", edits: []edit{{`region_code = "421224"`, `region_code = "42122"`}},
			field: "region_code", at: "region_code", problem: `"42122" must be 6 digits`},
		{name: "region code of 7 digits", edits: []edit{{`region_code = "421224"`, `region_code = "4212241"`}},
			field: "region_code", at: "region_code", problem: `"4212241" must be 6 digits (a county, such as "421224") or 9`},
		{name: "region code no province", edits: []edit{{`region_code = "421224"`, `region_code = "991224"`}},
			field: "region_code", at: "region_code", problem: `"991224" does not start with a province code`},
		{name: "region code missing", edits: []edit{{`region_code = "421224"`, ``}},
			field: "region_code", problem: "missing: the administrative division code, 6 digits for a county"},
		{name: "region code as a number", edits: []edit{{`region_code = "421224"`, `region_code = 421224`}},
			field: "region_code", at: "region_code", problem: "wrong type: found an integer, expected a string of 6 digits", as: &decodeErr},
		{name: "pinyin with capitals", edits: []edit{{`pinyin = "yi1 hao4 chuang1 kou3"`, `pinyin = "Yi1 hao4 chuang1 kou3"`}},
			field: "counters[0].pinyin", at: "pinyin", problem: `syllable "Yi1" is not lower-case pinyin with a tone number`},
		{name: "pinyin without tones", edits: []edit{{`pinyin = "er4 hao4 chuang1 kou3"`, `pinyin = "er hao chuang kou"`}},
			field: "counters[1].pinyin", at: `pinyin = "er hao`, problem: `syllable "er" is not`},
		{name: "pinyin with a double space", edits: []edit{{`pinyin = "er4 hao4 chuang1 kou3"`, `pinyin = "er4  hao4"`}},
			field: "counters[1].pinyin", at: `pinyin = "er4  hao4"`, problem: `syllable "" is not`},
		{name: "bad case type", edits: []edit{{`case_type = "petition"`, `case_type = "Petition Case"`}},
			field: "services[0].case_type", at: "case_type", problem: `"Petition Case" must be lower-case words joined by dots`},
		{name: "group in two categories", edits: []edit{{`case_type = "petition"`, "case_type = \"petition\"\ngroup = \"综合\""}, {"needs_id_card = false", "needs_id_card = false\ngroup = \"综合\""}},
			field: "services[1].group", at: `group = "综合"`, nth: 2, problem: `group "综合" is already used by service "petition" of category "petition"`},
		{name: "button for an unknown service", edits: []edit{{`GPIO6 = "petition"`, `GPIO6 = "legal"`}},
			field: "devices.buttons.GPIO6", at: "GPIO6", problem: `no service "legal"`},
		{name: "pin used twice", edits: []edit{{`led = "GPIO17"`, `led = "gpio5"`}},
			field: "devices.led", at: "led", problem: `pin "gpio5" is already used by devices.buttons.GPIO5`},
		{name: "button pin name that needs quotes", edits: []edit{{`GPIO6 = "petition"`, `"GPIO 6" = "petition"`}},
			field: `devices.buttons."GPIO 6"`, at: `"GPIO 6"`, problem: `"GPIO 6" is not a pin name`},
		{name: "bad pin name", edits: []edit{{`buzzer = "GPIO27"`, `buzzer = "17"`}},
			field: "devices.buzzer", at: "buzzer", problem: `"17" is not a pin name`},
		{name: "relative reader path", edits: []edit{{`reader = "/dev/ttyUSB0"`, `reader = "ttyUSB0"`}},
			field: "devices.reader", at: "reader =", problem: `"ttyUSB0" must be "sim" or an absolute device path`},
		{name: "reader and printer on one port", edits: []edit{{`printer = "/dev/usb/lp0"`, `printer = "/dev/ttyUSB0"`}},
			field: "devices.printer", at: "printer =", problem: "is also the card reader's port"},
		{name: "desk printer on the kiosk's printer", edits: []edit{{`printer = "/dev/usb/lp0"`, "printer = \"/dev/usb/lp0\"\ndesk_printer = \"/dev/usb/lp0\""}},
			field: "devices.desk_printer", at: "desk_printer", problem: "is also the kiosk's reader or printer"},
		{name: "relative desk printer path", edits: []edit{{`printer = "/dev/usb/lp0"`, "printer = \"/dev/usb/lp0\"\ndesk_printer = \"lp1\""}},
			field: "devices.desk_printer", at: "desk_printer", problem: `"lp1" must be "", "sim" or an absolute device path`},
		{name: "bad baud rate", edits: []edit{{`reader = "/dev/ttyUSB0"`, "reader = \"/dev/ttyUSB0\"\nreader_baud = 115201"}},
			field: "devices.reader_baud", at: "reader_baud", problem: "115201 is not a standard baud rate"},
		{name: "empty printer profile", edits: []edit{{`printer_profile = "58mm"`, `printer_profile = ""`}},
			field: "devices.printer_profile", at: "printer_profile", problem: `"" must be a profile name`},
		{name: "public URL not http", edits: []edit{{`public_url = "http://192.168.1.10:8080"`, `public_url = "ftp://yiting.local"`}},
			field: "public_url", at: "public_url", problem: "has no http or https scheme"},
		{name: "public URL without host", edits: []edit{{`public_url = "http://192.168.1.10:8080"`, `public_url = "http://"`}},
			field: "public_url", at: "public_url", problem: `"http://" has no host`},
		{name: "public URL ending in two slashes", edits: []edit{{`public_url = "http://192.168.1.10:8080"`, `public_url = "http://yiting.local//"`}},
			field: "public_url", at: "public_url", problem: "ends with /"},
		{name: "public URL with a query", edits: []edit{{`public_url = "http://192.168.1.10:8080"`, `public_url = "http://yiting.local/?a=1"`}},
			field: "public_url", at: "public_url", problem: "has a user, query or fragment"},
		{name: "relative key file", edits: []edit{{`public_url = "http://192.168.1.10:8080"`, "public_url = \"http://192.168.1.10:8080\"\nkey_file = \"yiting.key\""}},
			field: "key_file", at: "key_file", problem: `"yiting.key" must be "" (yiting.key in the data directory) or an absolute file path`},

		// The [cases] section, appended after the last counter.
		{name: "span in an abbreviation", edits: withCases("[cases]\nrectify_within = \"15wd\""),
			field: "cases.rectify_within", at: "rectify_within", problem: `"15wd" is not a time limit: write "15 days" (calendar days, 日), "15 working days" (工作日) or "none"`},
		{name: "span in Chinese", edits: withCases("[cases.limits.\"petition\"]\nhandle = \"60日\""),
			field: "cases.limits.petition.handle", at: "handle =", problem: `"60日" is not a time limit`},
		{name: "span with capitals", edits: withCases("[cases.limits.petition]\naccept = \"7 Working Days\""),
			field: "cases.limits.petition.accept", at: "accept =", problem: `"7 Working Days" is not a time limit`},
		{name: "span of one in the plural", edits: withCases("[cases.limits.petition]\nextension = \"1 days\""),
			field: "cases.limits.petition.extension", at: "extension =", problem: `"1 days": write "1 day"`},
		{name: "span with a leading zero", edits: withCases("[cases.limits.petition]\nhandle = \"060 days\""),
			field: "cases.limits.petition.handle", at: "handle =", problem: `"060 days": write "60 days"`},
		{name: "span of zero days", edits: withCases("[cases.limits.petition]\nextension = \"0 days\""),
			field: "cases.limits.petition.extension", at: "extension =", problem: `"0 days": write "none" for no time limit`},
		{name: "negative days", edits: withCases("[cases.limits.\"petition.review\"]\nhandle = \"-5 days\""),
			field: `cases.limits."petition.review".handle`, at: "handle =", problem: `"-5 days" is negative`},
		{name: "span too long", edits: withCases("[cases.limits.petition]\nhandle = \"4000 days\""),
			field: "cases.limits.petition.handle", at: "handle =", problem: `"4000 days" is longer than 3650 days`},
		{name: "span as a number", edits: withCases("[cases.limits.\"petition.review\"]\nhandle = 30"),
			field: `cases.limits."petition.review".handle`, at: "handle =", problem: `wrong type: found an integer, expected a string such as "60 days", "30 working days" or "none"`, as: &decodeErr},
		{name: "handle_from_accept as a string", edits: withCases("[cases.limits.petition]\nhandle_from_accept = \"yes\""),
			field: "cases.limits.petition.handle_from_accept", at: "handle_from_accept", problem: "wrong type: found a string, expected true or false", as: &decodeErr},
		{name: "limit as a string", edits: withCases("[cases.limits]\npetition = \"60 days\""),
			field: "cases.limits.petition", at: "petition = ", problem: "wrong type: found a string, expected a table", as: &decodeErr},
		{name: "retention as a string", edits: withCases("[cases]\nretention_years = \"5\""),
			field: "cases.retention_years", at: "retention_years", problem: "wrong type: found a string, expected a whole number of years", as: &decodeErr},
		{name: "unknown case type", edits: withCases("[cases.limits.\"petition.houseing\"]\nhandle = \"30 days\""),
			field: `cases.limits."petition.houseing"`, at: "[cases.limits.", problem: `"petition.houseing" is not a case type of the default table nor the case_type of a service; the known types are: complaint.consumer, complaint.labour_security, legal_aid,`},
		{name: "case type of no service", edits: withCases("[cases.limits.\"mediation.family\"]\nhandle = \"20 working days\""),
			field: `cases.limits."mediation.family"`, at: "[cases.limits.", problem: `"mediation.family" is not a case type`},
		{name: "case type with dots unquoted", edits: withCases("[cases.limits.petition.review]\nhandle = \"30 days\""),
			field: "cases.limits.petition.review", at: "[cases.limits.", problem: `unknown key "review" (the keys in cases.limits.petition are: accept, handle, handle_from_accept, extension, source); a case type with dots is written in quotes: [cases.limits."petition.review"]`, as: &strictErr},
		{name: "misspelt limit key", edits: withCases("[cases.limits.petition]\nhandel = \"30 days\""),
			field: "cases.limits.petition.handel", at: "handel", problem: `unknown key "handel" (the keys in cases.limits.petition are: accept, handle,`, as: &strictErr},
		{name: "misspelt cases key", edits: withCases("[cases]\nretention = 5"),
			field: "cases.retention", at: "retention", problem: `unknown key "retention" (the keys in cases are: retention_years, archive_years, rectify_within, limits)`, as: &strictErr},
		{name: "retention of zero years", edits: withCases("[cases]\nretention_years = 0"),
			field: "cases.retention_years", at: "retention_years", problem: "0 is not allowed"},
		{name: "retention negative", edits: withCases("[cases]\nretention_years = -5"),
			field: "cases.retention_years", at: "retention_years", problem: "-5: write -1 to keep"},
		{name: "retention too long", edits: withCases("[cases]\nretention_years = 100"),
			field: "cases.retention_years", at: "retention_years", problem: "100 is outside 1..50"},
		{name: "rectification without deadline", edits: withCases("[cases]\nrectify_within = \"none\""),
			field: "cases.rectify_within", at: "rectify_within", problem: `"none" is not allowed: a rectification needs a deadline`},
		{name: "rectification too long", edits: withCases("[cases]\nrectify_within = \"400 days\""),
			field: "cases.rectify_within", at: "rectify_within", problem: `"400 days" is longer than 365 days`},
		{name: "source with a control character", edits: withCases("[cases.limits.legal_aid]\nsource = \"法律援助法\\u0007\""),
			field: "cases.limits.legal_aid.source", at: "source", problem: "control characters"},
		{name: "source too long", edits: withCases("[cases.limits.legal_aid]\nsource = \"" + strings.Repeat("法", 201) + "\""),
			field: "cases.limits.legal_aid.source", at: "source", problem: "longer than 200 characters"},
		{name: "bad span in an inline table", edits: withCases("[cases.limits]\n\"petition.review\" = {handle = \"3 dys\"}"),
			field: `cases.limits."petition.review".handle`, at: `"petition.review" =`, problem: `"3 dys" is not a time limit`},
		{name: "bad span in a dotted key", edits: withCases("[cases]\nlimits.\"mediation.labour\".accept = \"three days\""),
			field: `cases.limits."mediation.labour".accept`, at: "limits.", problem: `"three days" is not a time limit`},

		// Whole documents.
		{name: "empty file", doc: "", field: "name", problem: "missing or empty"},
		{name: "no services", doc: "name = \"x\"\nregion_code = \"421224\"\n", field: "services", problem: "at least one [[services]] is needed"},
		{name: "no counters", doc: strings.Split(minimalHall, "[[counters]]")[0], field: "counters", problem: "at least one [[counters]] is needed"},
		{name: "services as a number", doc: "name = \"x\"\nregion_code = \"421224\"\nservices = 3\n",
			field: "services", at: "services", problem: "wrong type: found an integer, expected an array of tables", as: &decodeErr},
		{name: "not TOML at all", doc: "{\"name\": \"json\"}\n", at: "{", problem: "TOML syntax: ", as: &decodeErr},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc := tc.doc
			if tc.edits != nil {
				doc = smallHall(t)
				for _, e := range tc.edits {
					if !strings.Contains(doc, e.old) {
						t.Fatalf("edit: %q not in small-hall.toml", e.old)
					}
					doc = strings.Replace(doc, e.old, e.new, 1)
				}
			}
			c, err := Parse("hall.toml", []byte(doc))
			if err == nil {
				t.Fatalf("no error; config %+v", c)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T %v is not an *Error", err, err)
			}
			wantLine := 0
			if tc.at != "" {
				nth := tc.nth
				if nth == 0 {
					nth = 1
				}
				wantLine = lineOf(t, doc, tc.at, nth)
			}
			if e.File != "hall.toml" || e.Field != tc.field || e.Line != wantLine || !strings.Contains(e.Problem, tc.problem) {
				t.Errorf("got  File %q Line %d Field %q Problem %q\nwant File %q Line %d Field %q Problem containing %q",
					e.File, e.Line, e.Field, e.Problem, "hall.toml", wantLine, tc.field, tc.problem)
			}
			prefix := "firmware-config: hall.toml: "
			if wantLine > 0 {
				prefix = fmt.Sprintf("firmware-config: hall.toml:%d:", wantLine)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, prefix) || !strings.Contains(msg, tc.field+": ") || !strings.HasSuffix(msg, e.Problem) {
				t.Errorf("message %q does not read file:line: field: problem", msg)
			}
			if strings.Contains(msg, "hallconfig.") || strings.Contains(msg, "fileService") || strings.Contains(msg, "of type") {
				t.Errorf("message %q names Go types instead of the file's keys", msg)
			}
			if tc.as != nil && !errors.As(err, tc.as) {
				t.Errorf("error does not wrap %T", tc.as)
			}
			if tc.as == &queueErr && !errors.Is(err, queue.ErrInvalid) {
				t.Error("a domain validation error does not match queue.ErrInvalid")
			}
		})
	}
}

func TestErrorMessage(t *testing.T) {
	for _, tc := range []struct {
		e    Error
		want string
	}{
		{Error{File: "/etc/yiting/hall.toml", Line: 42, Column: 10, Field: "services[3].prefix", Problem: `"AA" must be one capital letter A-Z`},
			`firmware-config: /etc/yiting/hall.toml:42:10: services[3].prefix: "AA" must be one capital letter A-Z`},
		{Error{File: "/etc/yiting/hall.toml", Line: 42, Field: "services[3].prefix", Problem: "p"},
			`firmware-config: /etc/yiting/hall.toml:42: services[3].prefix: p`},
		{Error{File: "/etc/yiting/hall.toml", Field: "name", Problem: "missing or empty"},
			`firmware-config: /etc/yiting/hall.toml: name: missing or empty`},
		{Error{Field: "devices.reader", Problem: "p"}, `firmware-config: devices.reader: p`},
		{Error{File: "f", Problem: "cannot read: x"}, `firmware-config: f: cannot read: x`},
	} {
		if got := tc.e.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
}

// Validate on a Config changed in code (a command-line override) reports
// the field without file or line.
func TestValidateInMemory(t *testing.T) {
	c := mustDefault(t)
	c.Devices.Reader = "ttyUSB0"
	err := c.Validate()
	var e *Error
	if !errors.As(err, &e) || e.Field != "devices.reader" || e.File != "" || e.Line != 0 {
		t.Fatalf("Validate = %v", err)
	}
	if !strings.HasPrefix(err.Error(), "firmware-config: devices.reader: ") {
		t.Errorf("message %q", err)
	}
}

// A message from queue.Hall.Validate that does not start with a field
// keeps its whole text as the problem.
func TestHallErrorWithoutField(t *testing.T) {
	e := hallError(queue.Errorf(queue.EINVALID, "something odd happened"))
	if e.Field != "" || e.Problem != "something odd happened" || !errors.Is(e, queue.ErrInvalid) {
		t.Errorf("hallError = %+v", e)
	}
	e = hallError(errors.New("plain"))
	if e.Field != "" || e.Problem != "plain" {
		t.Errorf("hallError(plain) = %+v", e)
	}
}

// Hostile or broken files end in an *Error, quickly, without a panic.
func TestHostileInput(t *testing.T) {
	for name, doc := range map[string]string{
		"deep arrays":        "name = " + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + "\n",
		"too deep arrays":    "name = " + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + "\n",
		"deep inline tables": "name = " + strings.Repeat("{a = ", 3000) + "1" + strings.Repeat("}", 3000) + "\n",
		"NUL bytes":          "name = \"a\x00b\"\n",
		"invalid UTF-8":      "name = \"\xff\xfe\"\nregion_code = \"421224\"\n",
		"binary":             "\x00\x01\x02\x03",
		"CR only":            "name = \"x\"\rregion_code = \"421224\"\r",
		"too large":          strings.Repeat("#", MaxFileSize+1),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse("hostile.toml", []byte(doc))
			var e *Error
			if !errors.As(err, &e) || e.File != "hostile.toml" || e.Problem == "" {
				t.Fatalf("Parse = %v", err)
			}
		})
	}
}

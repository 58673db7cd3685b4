package hallconfig

import (
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"yiting/queue"
)

// Limits of the values Validate accepts. They are generous for a county
// hall and keep nonsense (a ratio of a million) from reaching the engine.
const (
	MaxRatio       = 100
	MaxRecallLimit = 99
	MaxAgingAfter  = 24 * time.Hour
	maxNameLen     = 40 // characters; kiosk buttons, tickets and the board must show it
	maxTextLen     = 80 // characters; unit, location, group
)

// Baud rates Validate accepts for the reader and printer: the standard
// rates tarm/serial maps to termios on Linux that such devices use.
var baudRates = []int{1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600}

var (
	caseTypeRE = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$`)
	pinyinRE   = regexp.MustCompile(`^[a-zü]+[1-5]$`) // "v" spells ü too; 5 is the neutral tone
	pinRE      = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,15}$`)
	profileRE  = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,31}$`)
)

// Validate checks every value of c and names the first bad one with the
// key path of the file (Field), then runs queue.Hall.Validate. Parse
// calls it; call it again after changing a Config in code (a command
// line flag overriding the reader, say). The error is an *Error without
// File or Line.
func (c *Config) Validate() error {
	if e := c.check(); e != nil {
		return e
	}
	if err := c.Hall.Validate(); err != nil {
		e := hallError(err)
		if e.Field == "services" {
			// The domain says "services" for a service no counter serves;
			// name its block, so that the error gets that block's line.
			for i, s := range c.Hall.Services {
				if !served(&c.Hall, s.ID) {
					e.Field = fmt.Sprintf("services[%d]", i)
					e.Problem = fmt.Sprintf("service %q is served by no counter: its tickets would never be called; add it to a counter's services", s.ID)
					break
				}
			}
		}
		return e
	}
	// After the domain's checks, so that a duplicated or invalid service
	// id is reported as such rather than as a button naming no service.
	if e := c.Devices.checkButtons(&c.Hall); e != nil {
		return e
	}
	// After the domain's checks too: a limit's key may be a service's
	// case type.
	if e := c.Cases.check(&c.Hall); e != nil {
		return e
	}
	if e := c.County.check(); e != nil {
		return e
	}
	if e := c.checkAppointments(); e != nil {
		return e
	}
	return nil
}

// hallError turns the domain's invalid field (queue.ValidationError) into
// an *Error, keeping the domain error for errors.Is(err, queue.ErrInvalid).
func hallError(err error) *Error {
	e := &Error{Problem: err.Error(), Err: err}
	var ve *queue.ValidationError
	var qe *queue.Error
	switch {
	case errors.As(err, &ve):
		e.Field, e.Problem = ve.Field, ve.Reason
	case errors.As(err, &qe):
		e.Problem = qe.Message
	}
	return e
}

func (c *Config) check() *Error {
	h := &c.Hall
	if e := checkName("name", h.Name, true); e != nil {
		return e
	}
	if e := checkRegion(h.RegionCode); e != nil {
		return e
	}
	if h.Location == nil {
		return fieldError("timezone", "missing")
	}
	if _, err := loadLocation(h.Location.String()); err != nil {
		return fieldError("timezone", err.Error())
	}
	if e := checkHours(h.Hours); e != nil {
		return e
	}
	if len(h.Services) == 0 {
		return fieldError("services", "at least one [[services]] is needed")
	}
	if len(h.Counters) == 0 {
		return fieldError("counters", "at least one [[counters]] is needed")
	}
	groups := map[string]queue.Service{}
	for i, s := range h.Services {
		f := fmt.Sprintf("services[%d]", i)
		if e := checkName(f+".name", s.Name, true); e != nil {
			return e
		}
		if e := checkText(f+".group", s.Group, maxTextLen); e != nil {
			return e
		}
		if s.Group != "" {
			if first, ok := groups[s.Group]; ok && first.Category != s.Category {
				return fieldError(f+".group", fmt.Sprintf("group %q is already used by service %q of category %q: a kiosk group sits in one category",
					s.Group, first.ID, first.Category))
			}
			groups[s.Group] = s
		}
		if s.CaseType != "" && (len(s.CaseType) > 64 || !caseTypeRE.MatchString(s.CaseType)) {
			return fieldError(f+".case_type", fmt.Sprintf("%q must be lower-case words joined by dots, such as \"mediation.medical\", or \"\" for none", s.CaseType))
		}
		if e := checkPinyin(f+".pinyin", s.Pinyin); e != nil {
			return e
		}
	}
	for i, u := range h.Units {
		if e := checkName(fmt.Sprintf("units[%d].name", i), u.Name, true); e != nil {
			return e
		}
	}
	for i, ct := range h.Counters {
		f := fmt.Sprintf("counters[%d]", i)
		if e := checkName(f+".name", ct.Name, true); e != nil {
			return e
		}
		if e := checkText(f+".unit", ct.Unit, maxTextLen); e != nil {
			return e
		}
		if e := checkText(f+".location", ct.Location, maxTextLen); e != nil {
			return e
		}
		if e := checkPinyin(f+".pinyin", ct.Pinyin); e != nil {
			return e
		}
	}
	for i, p := range h.Priority.Classes {
		if e := checkName(fmt.Sprintf("priority.classes[%d].name", i), p.Name, true); e != nil {
			return e
		}
	}
	if r := h.Priority.Ratio; r < 0 || r > MaxRatio {
		return fieldError("priority.ratio", fmt.Sprintf("%d is outside 0..%d", r, MaxRatio))
	}
	if a := h.Priority.AgingAfter; a < 0 || a%time.Second != 0 {
		return fieldError("priority.aging_after", fmt.Sprintf("%v must be whole seconds, not negative", a))
	} else if a > MaxAgingAfter {
		return fieldError("priority.aging_after", fmt.Sprintf("%q is longer than %q", formatDuration(a), formatDuration(MaxAgingAfter)))
	}
	if r := h.RecallLimit; r < 0 || r > MaxRecallLimit {
		return fieldError("recall_limit", fmt.Sprintf("%d is outside 0..%d (0 = no limit)", r, MaxRecallLimit))
	}
	if e := c.Devices.check(); e != nil {
		return e
	}
	if c.KeyFile != "" && (!filepath.IsAbs(c.KeyFile) || strings.HasSuffix(c.KeyFile, "/") || !cleanText(c.KeyFile)) {
		return fieldError("key_file", fmt.Sprintf("%q must be \"\" (yiting.key in the data directory) or an absolute file path such as \"/etc/yiting/yiting.key\"", c.KeyFile))
	}
	return checkURL(c.PublicURL)
}

func (d *Devices) check() *Error {
	for _, p := range []struct {
		field, path string
		baudField   string
		baud        int
	}{
		{"devices.reader", d.Reader, "devices.reader_baud", d.ReaderBaud},
		{"devices.printer", d.Printer, "devices.printer_baud", d.PrinterBaud},
	} {
		if p.path != "sim" && (!filepath.IsAbs(p.path) || !cleanText(p.path) || strings.ContainsAny(p.path, " \t")) {
			return fieldError(p.field, fmt.Sprintf("%q must be \"sim\" or an absolute device path such as \"/dev/ttyUSB0\"", p.path))
		}
		if !validBaud(p.baud) {
			return fieldError(p.baudField, fmt.Sprintf("%d is not a standard baud rate (%s)", p.baud, baudList()))
		}
	}
	if d.Reader != "sim" && d.Reader == d.Printer {
		return fieldError("devices.printer", fmt.Sprintf("%q is also the card reader's port: each device needs its own", d.Printer))
	}
	if p := d.DeskPrinter; p != "" && p != "sim" {
		if !filepath.IsAbs(p) || !cleanText(p) || strings.ContainsAny(p, " \t") {
			return fieldError("devices.desk_printer", fmt.Sprintf("%q must be \"\", \"sim\" or an absolute device path such as \"/dev/usb/lp0\"", p))
		}
		if p == d.Reader || p == d.Printer {
			return fieldError("devices.desk_printer", fmt.Sprintf("%q is also the kiosk's reader or printer: each device needs its own", p))
		}
	}
	if !profileRE.MatchString(d.PrinterProfile) {
		return fieldError("devices.printer_profile", fmt.Sprintf("%q must be a profile name such as \"80mm\" or \"58mm\"", d.PrinterProfile))
	}
	used := map[string]string{} // upper-cased pin → field using it
	usePin := func(field, pin string) *Error {
		if !pinRE.MatchString(pin) {
			return fieldError(field, fmt.Sprintf("%q is not a pin name such as \"GPIO17\"", pin))
		}
		if other, dup := used[strings.ToUpper(pin)]; dup {
			return fieldError(field, fmt.Sprintf("pin %q is already used by %s", pin, other))
		}
		used[strings.ToUpper(pin)] = field
		return nil
	}
	for _, pin := range sortedKeys(d.Buttons) {
		if e := usePin("devices.buttons."+quoteKey(pin), pin); e != nil {
			return e
		}
	}
	for _, p := range []struct{ field, pin string }{{"devices.led", d.LED}, {"devices.buzzer", d.Buzzer}} {
		if p.pin == "" {
			continue
		}
		if e := usePin(p.field, p.pin); e != nil {
			return e
		}
	}
	return nil
}

// checkButtons checks that every button issues a ticket of a service.
func (d *Devices) checkButtons(h *queue.Hall) *Error {
	for _, pin := range sortedKeys(d.Buttons) {
		if _, ok := h.Service(d.Buttons[pin]); !ok {
			return fieldError("devices.buttons."+quoteKey(pin), fmt.Sprintf("no service %q", d.Buttons[pin]))
		}
	}
	return nil
}

func validBaud(b int) bool {
	for _, r := range baudRates {
		if b == r {
			return true
		}
	}
	return false
}

func baudList() string {
	s := make([]string, len(baudRates))
	for i, r := range baudRates {
		s[i] = fmt.Sprint(r)
	}
	return strings.Join(s, ", ")
}

// checkName checks a name shown to people: not blank, no control
// characters, no surrounding spaces, not longer than a button can show.
func checkName(field, s string, required bool) *Error {
	if strings.TrimSpace(s) == "" {
		if required {
			return fieldError(field, "missing or empty")
		}
		return nil
	}
	return checkText(field, s, maxNameLen)
}

func checkText(field, s string, max int) *Error {
	switch {
	case s == "":
		return nil
	case !cleanText(s):
		return fieldError(field, fmt.Sprintf("%q contains control characters or invalid UTF-8", s))
	case strings.TrimSpace(s) != s:
		return fieldError(field, fmt.Sprintf("%q has spaces at the start or end", s))
	case utf8.RuneCountInString(s) > max:
		return fieldError(field, fmt.Sprintf("%q is longer than %d characters", s, max))
	}
	return nil
}

func cleanText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return false
		}
	}
	return true
}

// checkPinyin checks the syllables the speech engine reads
// (espeak-ng's cmn-latn-pinyin voice, docs/platform-notes.md): lower-case
// pinyin with a tone number, one space between syllables.
func checkPinyin(field, s string) *Error {
	if s == "" {
		return nil
	}
	for _, syl := range strings.Split(s, " ") {
		if !pinyinRE.MatchString(syl) {
			return fieldError(field, fmt.Sprintf("%q: syllable %q is not lower-case pinyin with a tone number 1-5, such as \"san1 hao4 chuang1 kou3\" (one space between syllables)", s, syl))
		}
	}
	return nil
}

// Province-level prefixes of GB/T 2260 administrative division codes.
var provinces = map[string]bool{
	"11": true, "12": true, "13": true, "14": true, "15": true,
	"21": true, "22": true, "23": true,
	"31": true, "32": true, "33": true, "34": true, "35": true, "36": true, "37": true,
	"41": true, "42": true, "43": true, "44": true, "45": true, "46": true,
	"50": true, "51": true, "52": true, "53": true, "54": true,
	"61": true, "62": true, "63": true, "64": true, "65": true,
	"71": true, "81": true, "82": true,
}

func checkRegion(code string) *Error {
	if code == "" {
		return fieldError("region_code", "missing: the administrative division code, 6 digits for a county such as \"421224\" (通山县), 9 for a township such as \"421224101\"")
	}
	if (len(code) != 6 && len(code) != 9) || strings.Trim(code, "0123456789") != "" {
		return fieldError("region_code", fmt.Sprintf("%q must be 6 digits (a county, such as \"421224\") or 9 (a township, such as \"421224101\")", code))
	}
	if !provinces[code[:2]] {
		return fieldError("region_code", fmt.Sprintf("%q does not start with a province code (GB/T 2260: 11 北京 … 65 新疆, 71, 81, 82)", code))
	}
	return nil
}

func checkHours(h queue.Hours) *Error {
	day := 24 * time.Hour
	switch {
	case h.Open < 0 || h.Open > day || h.Open%time.Minute != 0:
		return fieldError("hours.open", fmt.Sprintf("%v is not a time of day in whole minutes", h.Open))
	case h.Close < 0 || h.Close > day || h.Close%time.Minute != 0:
		return fieldError("hours.close", fmt.Sprintf("%v is not a time of day in whole minutes", h.Close))
	case h.Close <= h.Open:
		return fieldError("hours.close", fmt.Sprintf("%q is not after opening %q", formatClock(h.Close), formatClock(h.Open)))
	}
	return nil
}

func checkURL(s string) *Error {
	bad := func(why string) *Error {
		return fieldError("public_url", fmt.Sprintf("%q %s; it must be an http or https URL such as \"http://yiting.local\"", s, why))
	}
	if !cleanText(s) || strings.ContainsAny(s, " \t") {
		return bad("contains spaces or control characters")
	}
	u, err := url.Parse(s)
	if err != nil {
		return bad("is not a URL")
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return bad("has no http or https scheme")
	case u.Host == "" || u.Hostname() == "":
		return bad("has no host")
	case u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" || strings.ContainsAny(s, "?#"):
		return bad("has a user, query or fragment")
	case strings.HasSuffix(s, "/"):
		return bad("ends with /")
	}
	return nil
}

func served(h *queue.Hall, id string) bool {
	for _, c := range h.Counters {
		if _, ok := c.Serves(id); ok {
			return true
		}
	}
	return false
}

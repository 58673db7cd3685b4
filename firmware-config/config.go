package hallconfig

import (
	_ "embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"yiting/queue"
	"yiting/queue/booking"
	"yiting/queue/cases"
)

// Config is the effective configuration of one yiting device: the hall
// the engine serves, the devices the kiosk drives, and where personal
// data is keyed and tickets point to. Parse and Load return it with
// every default filled in.
type Config struct {
	// Hall is the domain's configuration: centre, hours, services,
	// counters, priority policy and recall limit. Hall.Location is
	// loaded from the file's timezone name.
	Hall queue.Hall
	// Devices are the card reader, printer and GPIO pins of the kiosk.
	Devices Devices
	// KeyFile is the path of the key that encrypts personal data at
	// rest; "" means "yiting.key" in the data directory.
	KeyFile string
	// PublicURL is the base URL printed in ticket QR codes, without a
	// trailing slash, e.g. "http://yiting.local".
	PublicURL string
	// Cases are the case tracker's time limits, rectification deadline
	// and retention period, for cases.Options.
	Cases Cases
	// County links the hall to its county hub (queue/county); the zero
	// value: no link.
	County County
	// Appointments are the appointment diary's policy and plans
	// (queue/booking); the zero value takes no appointments. The
	// appointment tickets' prefix is Hall.AppointmentPrefix.
	Appointments booking.Config
}

// County names the hall as a site of the county network: its site id
// (its JetStream domain and subject token), the hub's leaf-node URL and
// the site's credentials file for it. Site "" means no link; a site
// without a hub keeps its stream until a hub is named.
type County struct {
	Site        string
	Hub         string
	Credentials string
}

// Devices configures the kiosk's hardware. "sim" selects the simulated
// device of the package that drives it.
type Devices struct {
	Reader         string // "sim" or the ID card reader's serial device path
	ReaderBaud     int    // e.g. 115200
	Printer        string // "sim" or the ticket printer's device path
	PrinterBaud    int    // e.g. 115200; ignored for /dev/usb/lp*
	PrinterProfile string // printer layout name, e.g. "80mm"; checked by the printer package
	// DeskPrinter is the service desk's ticket printer on the hall
	// server: "" for none (the console prints from the browser), "sim",
	// or a device path. Same baud and profile as Printer.
	DeskPrinter string
	Buttons     map[string]string // GPIO pin name → service id it issues a ticket for; nil when none
	LED         string            // pin name of the status LED; "" = none
	Buzzer      string            // pin name of the buzzer; "" = none
}

// Cases configures the case tracker (queue/cases). Every field holds the
// effective value, defaults filled in, so that it can be passed as is:
//
//	cases.Options{Limits: cfg.Cases.Limits, RectifyWithin: cfg.Cases.RectifyWithin,
//		RetentionYears: cfg.Cases.RetentionYears, …}
type Cases struct {
	// Limits is the whole table of time limits by case type:
	// cases.DefaultLimits() with the file's [cases.limits."type"]
	// overrides applied field by field. It holds every default key.
	Limits cases.Limits
	// RectifyWithin is the deadline of a rectification after a bad
	// rating; 15 working days by default, at least 1 day.
	RectifyWithin cases.Span
	// RetentionYears: closed cases are anonymised this many years after
	// closing (1..MaxRetentionYears); -1 means never. Default 5.
	RetentionYears int
	// ArchiveYears: the anonymised case record is kept this many years
	// after closing (保管期限), then listed for the archive's appraisal;
	// -1 (the default) means permanently (永久). Never destroyed by the
	// system (档案法 Art. 21).
	ArchiveYears int
}

// Defaults that apply when the file leaves a key out.
const (
	DefaultTimezone       = "Asia/Shanghai"
	DefaultOpen           = "08:30"
	DefaultClose          = "17:30"
	DefaultRecallLimit    = 3
	DefaultRatio          = 2
	DefaultAgingAfter     = "30m"
	DefaultReader         = "sim"
	DefaultPrinter        = "sim"
	DefaultBaud           = 115200
	DefaultPrinterProfile = "80mm"
	DefaultPublicURL      = "http://yiting.local"
	DefaultRetentionYears = 5
	DefaultArchiveYears   = -1
	DefaultRectifyWithin  = "15 working days"
)

// MaxFileSize bounds what Parse accepts: a hall file is a few tens of
// kilobytes; anything near a megabyte is not a hall file.
const MaxFileSize = 1 << 20

//go:embed default.toml
var defaultTOML string

// DefaultName is the file name errors of the embedded default carry.
const DefaultName = "default.toml (embedded)"

// DefaultFile returns the embedded default configuration, the Tongshan
// 综治中心, with its comments: it documents every key and is a good
// start for an installer's own file.
func DefaultFile() []byte {
	return []byte(defaultTOML)
}

// Default returns the embedded default configuration, parsed. It fails
// only if the embedded file is broken, which the package tests prevent.
func Default() (*Config, error) {
	return Parse(DefaultName, []byte(defaultTOML))
}

// Load reads and parses the configuration file at path. Errors are
// *Error naming the path; a missing file also matches fs.ErrNotExist.
func Load(path string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &Error{File: path, Problem: "cannot read: " + pathErrorText(err), Err: err}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, &Error{File: path, Problem: "cannot read: " + pathErrorText(err), Err: err}
	}
	return Parse(path, data)
}

// Parse parses a configuration file's contents. name is only used in
// errors (usually the path). It checks syntax and types with go-toml in
// strict mode (an unknown key is an error), fills in the defaults,
// checks every value (Validate), then runs queue.Hall.Validate. Every
// error is an *Error with the name, the line where known, the field
// and the problem.
func Parse(name string, data []byte) (*Config, error) {
	c, err := parse(data)
	if err != nil {
		var e *Error
		if !errors.As(err, &e) {
			e = &Error{Problem: err.Error(), Err: err}
		}
		e.File = name
		return nil, e
	}
	return c, nil
}

func parse(data []byte) (*Config, error) {
	if len(data) > MaxFileSize {
		return nil, &Error{Problem: fmt.Sprintf("the file is larger than %d bytes: not a hall configuration", MaxFileSize)}
	}
	// Windows editors start UTF-8 files with a byte order mark; TOML
	// does not allow one. Replace it by nothing, keeping line numbers.
	if len(data) >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF {
		data = data[3:]
	}
	f, err := decodeFile(data)
	if err != nil {
		return nil, err
	}
	// Only an error needs the key positions.
	withLine := func(e *Error) *Error {
		e.Line, e.Column = scanPositions(data).lookup(e.Field)
		return e
	}
	c, e := f.config()
	if e != nil {
		return nil, withLine(e)
	}
	if err := c.Validate(); err != nil {
		var e *Error
		if errors.As(err, &e) {
			return nil, withLine(e)
		}
		return nil, err
	}
	return c, nil
}

func pathErrorText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

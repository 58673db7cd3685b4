package hallconfig

// The structs below are the TOML file's schema, decoded by go-toml in
// strict mode. They are kept apart from Config so that the file can say
// "absent" (nil: take the default) separately from an explicit zero
// (ratio = 0 means something), and so that clock times and durations are
// parsed by us, with errors in the file's own words.
//
// The hint tag describes the expected value in type-mismatch errors; it
// is the only reflection-driven behaviour (see schema.go).

type fileConfig struct {
	Name        *string       `toml:"name" hint:"a string such as \"通山县综治中心\""`
	RegionCode  *string       `toml:"region_code" hint:"a string of 6 digits such as \"421224\" (a county), or 9 (a township)"`
	Timezone    *string       `toml:"timezone" hint:"a string such as \"Asia/Shanghai\""`
	RecallLimit *int          `toml:"recall_limit" hint:"a whole number such as 3"`
	KeyFile     *string       `toml:"key_file" hint:"a string: \"\" or an absolute path"`
	PublicURL   *string       `toml:"public_url" hint:"a string such as \"http://yiting.local\""`
	Hours       *fileHours    `toml:"hours"`
	Priority    *filePriority `toml:"priority"`
	Devices     *fileDevices  `toml:"devices"`
	Services    []fileService `toml:"services"`
	Units       []fileUnit    `toml:"units"`
	Counters    []fileCounter `toml:"counters"`
	Cases       *fileCases    `toml:"cases"`
	County      *fileCounty   `toml:"county"`
	// Appointments come after the counters: its plans name them.
	Appointments *fileAppointments `toml:"appointments"`
}

type fileCounty struct {
	Site        *string `toml:"site" hint:"a string such as \"421224101\" (letters, digits, - and _), or \"\" for none"`
	Hub         *string `toml:"hub" hint:"a string such as \"tls://county.example.cn:7422\", or \"\""`
	Credentials *string `toml:"credentials" hint:"a string: an absolute path, or \"\""`
}

type fileHours struct {
	Open  *string `toml:"open" hint:"a string \"HH:MM\" such as \"08:30\""`
	Close *string `toml:"close" hint:"a string \"HH:MM\" such as \"17:30\""`
}

type filePriority struct {
	// A pointer so that "classes = []" (no priority classes) differs from
	// no classes key at all (the four legal classes).
	Classes    *[]fileClass `toml:"classes"`
	Ratio      *int         `toml:"ratio" hint:"a whole number such as 2"`
	AgingAfter *string      `toml:"aging_after" hint:"a duration string such as \"30m\""`
}

type fileClass struct {
	ID     string `toml:"id"`
	Name   string `toml:"name"`
	MinAge *int   `toml:"min_age" hint:"a whole number such as 60"`
}

type fileDevices struct {
	Reader         *string           `toml:"reader" hint:"a string: \"sim\" or a device path such as \"/dev/ttyUSB0\""`
	ReaderBaud     *int              `toml:"reader_baud" hint:"a whole number such as 115200"`
	Printer        *string           `toml:"printer" hint:"a string: \"sim\" or a device path such as \"/dev/ttyUSB1\""`
	PrinterBaud    *int              `toml:"printer_baud" hint:"a whole number such as 115200"`
	PrinterProfile *string           `toml:"printer_profile" hint:"a string such as \"80mm\""`
	DeskPrinter    *string           `toml:"desk_printer" hint:"a string: \"\", \"sim\" or a device path such as \"/dev/usb/lp0\""`
	Buttons        map[string]string `toml:"buttons" hint:"a table of pin name = service id, such as GPIO5 = \"consult\""`
	LED            *string           `toml:"led" hint:"a string: a pin name such as \"GPIO17\""`
	Buzzer         *string           `toml:"buzzer" hint:"a string: a pin name such as \"GPIO27\""`
}

type fileService struct {
	ID          string `toml:"id"`
	Name        string `toml:"name"`
	Prefix      string `toml:"prefix" hint:"a string of one capital letter such as \"A\""`
	Category    string `toml:"category" hint:"a string: petition, mediation, legal, counselling, litigation or other"`
	Group       string `toml:"group"`
	NeedsIDCard *bool  `toml:"needs_id_card"`
	CaseType    string `toml:"case_type" hint:"a string such as \"mediation.medical\" or \"\""`
	Pinyin      string `toml:"pinyin" hint:"a string such as \"xin4 fang3 jie1 dai4\""`
	DutyOnly    bool   `toml:"duty_only" hint:"true or false"`
}

type fileUnit struct {
	Name string `toml:"name"`
	Kind string `toml:"kind" hint:"a string: resident, dispatched, committee or other"`
}

type fileCounter struct {
	ID       string   `toml:"id"`
	Name     string   `toml:"name"`
	Kind     string   `toml:"kind" hint:"a string: window, room or court"`
	Unit     string   `toml:"unit"`
	Location string   `toml:"location"`
	Pinyin   string   `toml:"pinyin" hint:"a string such as \"san1 hao4 chuang1 kou3\""`
	Services []string `toml:"services" hint:"an array of strings such as [\"petition:2\", \"consult\"]"`
}

type fileCases struct {
	RetentionYears *int    `toml:"retention_years" hint:"a whole number of years such as 5, or -1 for never"`
	ArchiveYears   *int    `toml:"archive_years" hint:"a whole number of years such as 30, or -1 for permanently"`
	RectifyWithin  *string `toml:"rectify_within" hint:"a string such as \"15 working days\" or \"5 days\""`
	// Keys are case types; values override the default limit of that
	// type field by field, hence all pointers.
	Limits map[string]fileLimit `toml:"limits" hint:"a table per case type, such as [cases.limits.\"petition\"]"`
}

type fileLimit struct {
	Accept           *string `toml:"accept" hint:"a string such as \"15 days\", \"7 working days\" or \"none\""`
	Handle           *string `toml:"handle" hint:"a string such as \"60 days\", \"30 working days\" or \"none\""`
	HandleFromAccept *bool   `toml:"handle_from_accept"`
	Extension        *string `toml:"extension" hint:"a string such as \"30 days\" or \"none\""`
	Source           *string `toml:"source" hint:"a string naming the rule, such as \"信访工作条例 第三十四条\""`
}

// Package hallconfig reads and writes the configuration of a yiting
// device: the hall (centre, opening hours, services, counters, priority
// policy), the kiosk's devices (card reader, printer, GPIO pins), the
// personal-data key file, the public URL printed on tickets, and the case
// tracker's time limits, rectification deadline and retention period
// (the optional [cases] section: overrides of cases.DefaultLimits by case
// type, spans written "60 days", "15 working days" or "none").
//
// The file is TOML (https://toml.io/en/v1.0.0), edited by hand by the
// installer. The embedded default, default.toml, is the Tongshan
// County 综治中心 of the seed article and documents every key; DefaultFile
// returns it. Load and Parse read a file strictly: a misspelt key, a
// value of the wrong type, a bad clock time or duration, a counter
// naming no service, all stop start-up with an *Error that names the
// file, the line, the key path and the problem. MarshalTOML writes the
// effective configuration back in the same format.
//
// The domain rules (unique ids and prefixes, every service served by a
// counter) are queue.Hall.Validate's, run after this package's own
// checks; the hall's conventions are in docs/domain.md, the speech
// pinyin in docs/platform-notes.md.
package hallconfig

package hallconfig

// The hall's time zone must load on any image the binary runs on, with
// or without /usr/share/zoneinfo: a missing zone would stop start-up.
// The embedded database adds about 450 kB.
import _ "time/tzdata"

package hallconfig

import (
	"strconv"
	"strings"
)

// Error is what Load, Parse and Validate return for a configuration that
// cannot be used. It names the file, the line (when known), the field
// with the key names of the TOML file, and the problem, so an installer
// can go straight to the line and fix it:
//
//	firmware-config: /etc/yiting/hall.toml:42:1: services[3].prefix: "AA" must be one capital letter A-Z
//
// Array indices in Field count from 0, as go-toml and queue.Hall.Validate
// count them: services[3] is the fourth [[services]] block. The line
// number removes any doubt.
type Error struct {
	File    string // the name given to Parse or the path given to Load; "" for an in-memory Config
	Line    int    // 1-based line in the file; 0 when unknown
	Column  int    // 1-based column (bytes) in the line; 0 when unknown
	Field   string // the TOML key path, e.g. "services[3].prefix"; "" when the whole file is concerned
	Problem string // what is wrong and, where it helps, what would be right
	// Err is the underlying error, if any: a *toml.DecodeError (syntax,
	// type), *toml.StrictMissingError (unknown key), *queue.Error (from
	// queue.Hall.Validate) or an fs error from Load. Unwrap returns it.
	Err error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("firmware-config: ")
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			b.WriteString(":" + strconv.Itoa(e.Line))
			if e.Column > 0 {
				b.WriteString(":" + strconv.Itoa(e.Column))
			}
		}
		b.WriteString(": ")
	}
	if e.Field != "" {
		b.WriteString(e.Field + ": ")
	}
	b.WriteString(e.Problem)
	return b.String()
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// fieldError is the error of one field, before Parse adds the file and
// the line.
func fieldError(field, problem string) *Error {
	return &Error{Field: field, Problem: problem}
}

package queue

import (
	"errors"
	"fmt"
)

// Error codes. Adapters map them to transport statuses in one table.
const (
	EINVALID     = "invalid"      // the request is malformed or names nothing valid
	ENOTFOUND    = "not_found"    // no such service, counter or ticket
	ECONFLICT    = "conflict"     // the command does not fit the current state
	EUNAUTH      = "unauthorized" // no or bad credentials
	EFORBIDDEN   = "forbidden"    // credentials fine, not allowed to do this
	EUNAVAILABLE = "unavailable"  // storage cannot commit (disk full, I/O error)
	ETOOMANY     = "too_many"     // rate limited
	EFULL        = "full"         // no place left: an appointment slot is fully booked
	EINTERNAL    = "internal"     // a bug; details are in the log only
)

// Error is the domain's error: a code for programs and a message for
// people. Messages are Chinese where a visitor or clerk reads them.
type Error struct {
	Code    string
	Message string
	Err     error // underlying cause, for the log; never shown to users
}

func (e *Error) Error() string {
	if e.Err != nil && e.Err.Error() != e.Message {
		return fmt.Sprintf("queue: %s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("queue: %s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrNotFound) match any error of that code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Message == "" && t.Code == e.Code
}

// Sentinels for errors.Is; they match any *Error of the same code.
var (
	ErrInvalid     = &Error{Code: EINVALID}
	ErrNotFound    = &Error{Code: ENOTFOUND}
	ErrConflict    = &Error{Code: ECONFLICT}
	ErrUnauth      = &Error{Code: EUNAUTH}
	ErrForbidden   = &Error{Code: EFORBIDDEN}
	ErrUnavailable = &Error{Code: EUNAVAILABLE}
	ErrTooMany     = &Error{Code: ETOOMANY}
	ErrFull        = &Error{Code: EFULL}
)

// Errorf returns an *Error with the code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err, EINTERNAL for errors of no code and
// "" for nil.
func ErrorCode(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the human message of err; errors of no code get a
// generic message so internals never reach a user.
func ErrorMessage(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e) && e.Message != "":
		return e.Message
	}
	return "系统内部错误，请联系管理员 (internal error)"
}

// ValidationError names the field of a configuration or a request that is
// invalid, and why. It travels inside an *Error of code EINVALID (Invalid),
// so that an adapter reads the field with errors.As rather than parsing
// it back out of the message.
type ValidationError struct {
	Field  string // e.g. "services[2].prefix"
	Reason string // e.g. "\"a\" must be one capital letter A-Z"
}

func (e *ValidationError) Error() string { return e.Field + ": " + e.Reason }

// Invalid returns the EINVALID error of a field, its ValidationError
// inside.
func Invalid(field, format string, args ...any) *Error {
	ve := &ValidationError{Field: field, Reason: fmt.Sprintf(format, args...)}
	return &Error{Code: EINVALID, Message: ve.Error(), Err: ve}
}

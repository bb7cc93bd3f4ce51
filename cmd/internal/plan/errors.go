package plan

import (
	"errors"
	"fmt"
)

// Kind classifies an error for the API, which maps each kind to one HTTP
// status.
type Kind string

const (
	KindInvalid       Kind = "invalid"       // 400: the request is wrong; Fields say where
	KindUnauthorized  Kind = "unauthorized"  // 401: no valid credentials
	KindForbidden     Kind = "forbidden"     // 403: valid credentials, not allowed
	KindNotFound      Kind = "not_found"     // 404
	KindConflict      Kind = "conflict"      // 409: the state does not allow it (closed round, locked department)
	KindTooLarge      Kind = "too_large"     // 413
	KindUnprocessable Kind = "unprocessable" // 422: a workbook or cycle file that cannot be used
)

// Error is an error a caller can act on: a kind, a message that says what
// to do, and the fields at fault.
type Error struct {
	Kind    Kind
	Message string
	Fields  map[string]string
}

func (e *Error) Error() string { return e.Message }

// Is makes errors.Is(err, ErrNotFound) and the like match by kind.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Message == "" && t.Kind == e.Kind
}

// Sentinels to test an error's kind with errors.Is.
var (
	ErrInvalid      = &Error{Kind: KindInvalid}
	ErrUnauthorized = &Error{Kind: KindUnauthorized}
	ErrForbidden    = &Error{Kind: KindForbidden}
	ErrNotFound     = &Error{Kind: KindNotFound}
	ErrConflict     = &Error{Kind: KindConflict}
)

// Errorf returns an *Error of a kind.
func Errorf(kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// NotFound says that a thing does not exist.
func NotFound(what string, id any) *Error {
	return Errorf(KindNotFound, "%s %v does not exist", what, id)
}

// KindOf returns the kind of an error, "" for errors that are not *Error.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return ""
}

package awscall

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/smithy-go"
)

// ErrInvalidResponse: an AWS call answered outside its contract: no output
// and no error, a pagination token that repeats, more pages than the
// library reads, a required field missing. Package ipamorg exports it as
// its own ErrInvalidResponse (the same value).
var ErrInvalidResponse = errors.New("ipamorg: invalid response from aws")

// ErrNoAnswer is the error of a read that never returned: reads made
// together start with it, so that a read whose goroutine ends without
// returning (a client calling runtime.Goexit) is an error, not a zero
// value taken for a fact.
var ErrNoAnswer = fmt.Errorf("%w: the read did not return", ErrInvalidResponse)

// InvalidResponse is the error for an answer of action outside its
// contract; it wraps ErrInvalidResponse.
func InvalidResponse(action, what string) error {
	return &responseError{action: action, what: what}
}

type responseError struct{ action, what string }

func (e *responseError) Error() string { return e.action + " returned " + e.what }
func (e *responseError) Unwrap() error { return ErrInvalidResponse }

// MaybeApplied marks an error after which a write may have been applied:
// the step that sent it is unconfirmed, not "not done".
type MaybeApplied struct{ Err error }

func (e *MaybeApplied) Error() string { return e.Err.Error() }
func (e *MaybeApplied) Unwrap() error { return e.Err }

// ErrorCode returns the AWS error code of err, or "" when err is not an AWS
// API error.
func ErrorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// The codes with which AWS denies a call: Organizations'
// AccessDeniedException, EC2's UnauthorizedOperation, and IAM's and STS's
// AccessDenied.
const (
	CodeAccessDeniedException = "AccessDeniedException"
	CodeUnauthorizedOperation = "UnauthorizedOperation"
	CodeAccessDenied          = "AccessDenied"
)

// AccessDenied reports whether AWS denied the call that returned err.
func AccessDenied(err error) bool {
	switch ErrorCode(err) {
	case CodeAccessDeniedException, CodeUnauthorizedOperation, CodeAccessDenied:
		return true
	}
	return false
}

// JoinContext returns ctx.Err() joined with last, the last AWS error seen
// before the context ended (nil if none), unless last already carries it.
func JoinContext(ctx context.Context, last error) error {
	if last != nil && errors.Is(last, ctx.Err()) {
		return last
	}
	return errors.Join(ctx.Err(), last)
}

// JoinErrors joins the errors of reads made together. When ctx ended, the
// reads all failed for that one reason: the result is the context's error
// joined with the first error that is not a context error, if any, so
// that it says so once.
func JoinErrors(ctx context.Context, errs ...error) error {
	if ctx.Err() == nil {
		return errors.Join(errs...)
	}
	var first error
	for _, err := range errs {
		switch {
		case err == nil:
		case !IsContextErr(err):
			return JoinContext(ctx, err)
		case first == nil:
			first = err
		}
	}
	if first == nil {
		return nil
	}
	return JoinContext(ctx, first)
}

// IsContextErr reports whether err is, or wraps, the end of a context.
func IsContextErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// Truncate shortens s, read from a response, for an error message.
func Truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

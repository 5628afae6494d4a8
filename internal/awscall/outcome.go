package awscall

import (
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"
)

// Answer is what an answer to a request proves about whether AWS carried
// it out. This is the one place the library decides it; CallWrite acts on
// it, and docs/architecture.md ("What an answer proves") lists the
// classes.
type Answer int

const (
	// AnswerApplied: AWS answered with success.
	AnswerApplied Answer = iota
	// AnswerRefused: AWS answered that it did not act on the request: an
	// AWS error code with an HTTP 4xx status (a client error: validation,
	// constraint, access denied, not found, conflict), a throttle (the SDK's
	// throttle codes, EC2's RequestLimitExceeded whose status is 503
	// included: a throttled request is turned away before it is run), or a
	// success whose content says the change was not made (see Refused).
	AnswerRefused
	// AnswerUnknown: the answer proves nothing: an HTTP 5xx
	// (InternalError, InternalFailure, ServiceUnavailable, ServiceFailure,
	// ServiceException, any other), no answer at all (a connection error,
	// the context ending while the request was in flight), or an answer
	// outside the API's contract (ErrInvalidResponse). The request may have
	// been applied and only its answer lost or spoilt.
	AnswerUnknown
)

func (a Answer) String() string {
	switch a {
	case AnswerApplied:
		return "applied"
	case AnswerRefused:
		return "refused"
	}
	return "unknown"
}

// throttles are the SDK's own throttle codes, as its retryer knows them.
var throttles = retry.IsErrorThrottles{retry.ThrottleErrorCode{Codes: retry.DefaultThrottleErrorCodes}}

// AnswerOf classifies err, the error a request or a call ended with (nil
// is a success). The HTTP status decides, read from the SDK's
// ResponseError (smithyhttp.ResponseError.HTTPStatusCode), not guessed from
// the error code: AWS answers a refusal with a 4xx, and a 5xx whatever
// its code leaves the request's fate unknown. A throttle is a refusal
// whatever its status. An error without an HTTP status (a client that is
// not the SDK's, a fake) is a refusal only when its fault says it is the
// client's (smithy.FaultClient, as the SDK's modeled errors say).
func AnswerOf(err error) Answer {
	if err == nil {
		return AnswerApplied
	}
	var r *refusal
	if errors.As(err, &r) {
		return AnswerRefused
	}
	var ae smithy.APIError
	if IsContextErr(err) || !errors.As(err, &ae) {
		return AnswerUnknown
	}
	if throttles.IsErrorThrottle(err) == aws.TrueTernary {
		return AnswerRefused
	}
	var status interface{ HTTPStatusCode() int }
	if errors.As(err, &status) && status.HTTPStatusCode() != 0 {
		if s := status.HTTPStatusCode(); s >= 400 && s < 500 {
			return AnswerRefused
		}
		return AnswerUnknown
	}
	if ae.ErrorFault() == smithy.FaultClient {
		return AnswerRefused
	}
	return AnswerUnknown
}

// Refused marks err as AWS's answer, in a response that is otherwise a
// success, that it did not make the change (EC2's Success=false): a write's
// fn returns it for CallWrite to treat as a refusal. CallWrite returns err
// itself, without the mark.
func Refused(err error) error { return &refusal{err} }

type refusal struct{ err error }

func (r *refusal) Error() string { return r.err.Error() }
func (r *refusal) Unwrap() error { return r.err }

// unmark returns err without Refused's mark, if it is one.
func unmark(err error) error {
	if r, ok := err.(*refusal); ok {
		return r.err
	}
	return err
}

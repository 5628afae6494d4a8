package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"

	"github.com/aws/smithy-go"

	"github.com/ipamorg/sdk/fsm"
	"github.com/ipamorg/sdk/ipamorg"
)

// exitErr carries an exit code; err, if any, is reported on stderr.
type exitErr struct {
	code int
	err  error
}

func (e *exitErr) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitErr) Unwrap() error { return e.err }

// usageError returns a usage error (exitUsage) with a message made like
// fmt.Errorf's.
func usageError(format string, args ...any) error {
	return &exitErr{code: exitUsage, err: fmt.Errorf(format, args...)}
}

// errChanges ends a command that found changes or drift (exitChanges);
// the output already says what they are.
var errChanges = &exitErr{code: exitChanges}

// signalError is the cause of the context of a command ended by a signal.
type signalError struct{ sig os.Signal }

func (e *signalError) Error() string { return "interrupted by " + signalName(e.sig) }

func signalName(s os.Signal) string {
	switch s {
	case os.Interrupt:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return s.String()
}

// fail reports err on stderr, as text or, with --output json, as one JSON
// object, and returns the exit code.
func (a *app) fail(ctx context.Context, err error) int {
	ee := &exitErr{code: exitError, err: err}
	errors.As(err, &ee)
	code := ee.code
	var sig *signalError
	interrupted := errors.As(context.Cause(ctx), &sig) && ctx.Err() != nil
	switch {
	case interrupted:
		code = exitInterrupt
		if sig.sig == syscall.SIGTERM {
			code = exitTerminated
		}
	case ee.code == exitError && (errors.Is(err, ipamorg.ErrInvalidAccountID) || errors.Is(err, ipamorg.ErrInvalidDesired) ||
		errors.Is(err, ipamorg.ErrInvalidOptions)):
		// Input refused before any AWS write: a usage error too.
		code = exitUsage
	}
	if ee.err == nil {
		return code // the output already said it all (changes, drift)
	}
	if a.jsonOutput() {
		a.writeJSONError(ee.err, code, interrupted)
		return code
	}
	msg := ee.err.Error()
	if interrupted {
		msg = sig.Error() + ": " + msg
		switch o := outcome(ee.err); {
		case !a.wrote:
			msg += "\nnothing was written"
		case o != "":
			msg += "\n" + o
		default:
			msg += "\nwhat was written before the interruption is in the output above"
		}
	}
	fmt.Fprintf(a.stderr, "ipamorgctl: %s\n", msg)
	if code == exitUsage {
		fmt.Fprintln(a.stderr, "Run 'ipamorgctl --help' for usage.")
	}
	return code
}

// jsonError is the JSON form of an error on stderr (--output json).
type jsonError struct {
	Error jsonErrorBody `json:"error"`
}

type jsonErrorBody struct {
	Message string `json:"message"`
	// Kind is "usage", "error" or "interrupted".
	Kind     string `json:"kind"`
	ExitCode int    `json:"exit_code"`
	// Sentinel is the package-qualified name of the sentinel the error
	// matches with errors.Is, e.g. "ipamorg.ErrStalePlan", or "".
	Sentinel string `json:"sentinel,omitempty"`
	// AWSCode and AWSMessage are the AWS error the error wraps, if any.
	AWSCode    string `json:"aws_code,omitempty"`
	AWSMessage string `json:"aws_message,omitempty"`
	// Op, Event, Account and Action are the ipamorg.Error's.
	Op      string    `json:"op,omitempty"`
	Event   fsm.Event `json:"event,omitempty"`
	Account string    `json:"account,omitempty"`
	Action  string    `json:"action,omitempty"`
	// Done, Unconfirmed and NotDone are the lifecycle steps written and
	// confirmed, written (or perhaps written) but not confirmed, and not
	// written; all empty when the failure came before any step.
	Done        []fsm.Event `json:"done"`
	Unconfirmed []fsm.Event `json:"unconfirmed"`
	NotDone     []fsm.Event `json:"not_done"`
}

// writeJSONError writes err as a jsonError line on stderr.
func (a *app) writeJSONError(err error, code int, interrupted bool) {
	body := jsonErrorBody{
		Message:     err.Error(),
		Kind:        "error",
		ExitCode:    code,
		Sentinel:    sentinelName(err),
		Done:        []fsm.Event{},
		Unconfirmed: []fsm.Event{},
		NotDone:     []fsm.Event{},
	}
	switch {
	case interrupted:
		body.Kind = "interrupted"
	case code == exitUsage:
		body.Kind = "usage"
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		body.AWSCode, body.AWSMessage = ae.ErrorCode(), ae.ErrorMessage()
	}
	var e *ipamorg.Error
	if errors.As(err, &e) {
		body.Op, body.Event, body.Account, body.Action = e.Op, e.Event, e.Account, e.Action
		body.Done = append(body.Done, e.Done...)
		body.Unconfirmed = append(body.Unconfirmed, e.Unconfirmed...)
		body.NotDone = append(body.NotDone, e.NotDone...)
	}
	b, jerr := json.Marshal(jsonError{body})
	if jerr != nil {
		fmt.Fprintf(a.stderr, "ipamorgctl: %v\n", err)
		return
	}
	fmt.Fprintf(a.stderr, "%s\n", b)
}

// outcome says, for an error of a command that may have written, which
// steps were written and confirmed, which were written (or may have been)
// but not confirmed, and which were not written: the library's Done,
// Unconfirmed and NotDone.
func outcome(err error) string {
	var e *ipamorg.Error
	if !errors.As(err, &e) || len(e.Done)+len(e.Unconfirmed)+len(e.NotDone) == 0 {
		return ""
	}
	parts := []string{"written and confirmed: " + eventList(e.Done)}
	if len(e.Unconfirmed) > 0 {
		parts = append(parts, "may have been written, not confirmed: "+eventList(e.Unconfirmed))
	}
	parts = append(parts, "not written: "+eventList(e.NotDone))
	return strings.Join(parts, "; ") + "\nRun 'ipamorgctl status' to see where the organization stands."
}

func eventList(events []fsm.Event) string {
	if len(events) == 0 {
		return "none"
	}
	s := make([]string, len(events))
	for i, ev := range events {
		s[i] = string(ev)
	}
	return strings.Join(s, ", ")
}

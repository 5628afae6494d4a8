package main

// This file is the one place where an error becomes what ipamorgctl
// reports: its exit code, its kind, the message in the CLI's terms (its
// flags, not the Go fields they set), the fix on a line of its own, and
// the JSON error of --output json. Commands return errors as they get
// them; explain decides.

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

// fixError is an error of ipamorgctl's own with what to do about it, shown
// on a line of its own.
type fixError struct {
	err error
	fix string
}

func (e *fixError) Error() string { return e.err.Error() }
func (e *fixError) Unwrap() error { return e.err }

// withFix returns err with fix, the command to run or the thing to do.
func withFix(err error, fix string) error { return &fixError{err: err, fix: fix} }

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

// panicError is a panic of ipamorgctl's, recovered: a bug, reported as
// one, without the stack trace.
type panicError struct{ value any }

func (e *panicError) Error() string { return fmt.Sprintf("%v", e.value) }

// The kinds of failure, the "kind" of a JSON error.
const (
	kindUsage       = "usage"
	kindError       = "error"
	kindIncomplete  = "incomplete"
	kindInterrupted = "interrupted"
	kindInternal    = "internal"
)

// failure is how one error is reported.
type failure struct {
	code int
	kind string
	// message says what happened, in the CLI's terms; "" for a failure
	// the output already told (drift, changes).
	message string
	// fix is what to do about it, one or more lines; "" when nothing
	// needs saying.
	fix string
	// err is the error, for its sentinel, AWS code and steps.
	err error
}

// fail reports err on stderr, as text or, with --output json, as one JSON
// object, and returns the exit code.
func (a *app) fail(ctx context.Context, err error) int {
	f := a.explain(ctx, err)
	if f.message == "" {
		return f.code
	}
	if a.jsonOutput() {
		a.writeJSONError(f)
		return f.code
	}
	fmt.Fprintf(a.stderr, "ipamorgctl: %s\n", f.message)
	if f.fix != "" {
		fmt.Fprintln(a.stderr, f.fix)
	}
	return f.code
}

// explain decides how err is reported: the interruption or the panic
// first, then the exit code an *exitErr carries, then what the library's
// sentinels mean for the command that ran.
func (a *app) explain(ctx context.Context, err error) failure {
	f := failure{code: exitError, kind: kindError, err: err}
	var (
		ee  *exitErr
		pe  *panicError
		sig *signalError
	)
	if errors.As(err, &pe) {
		f.code, f.kind = exitInternal, kindInternal
		f.message = fmt.Sprintf("internal error: %v; this is a bug of ipamorgctl's: please report it, with the command line", pe.value)
		f.fix = "Nothing was written."
		if a.wrote {
			f.fix = "It may have written to AWS before it stopped: run 'ipamorgctl status' to see where the organization stands."
		}
		return f
	}
	if errors.As(err, &ee) {
		f.code, f.err = ee.code, ee.err
		if f.code == exitUsage {
			f.kind = kindUsage
		}
	}
	if f.err == nil {
		return f // the output already said it all (changes, drift)
	}
	f.message, f.fix = cliTerms(f.err.Error()), ""
	var fe *fixError
	if errors.As(f.err, &fe) {
		f.fix = fe.fix
	}
	a.explainLibrary(&f)
	if f.code == exitUsage {
		f.kind = kindUsage
		f.fix = joinLines(f.fix, fmt.Sprintf("Run '%s --help' for usage.", a.commandPath()))
	}
	if errors.As(context.Cause(ctx), &sig) && ctx.Err() != nil {
		f.code, f.kind = exitInterrupt, kindInterrupted
		if sig.sig == syscall.SIGTERM {
			f.code = exitTerminated
		}
		f.message = sig.Error() + ": " + f.message
		switch o := outcome(f.err); {
		case !a.wrote:
			f.fix = "nothing was written"
		case o != "":
			f.fix = o
		default:
			f.fix = "what was written before the interruption is in the output above"
		}
	}
	return f
}

// explainLibrary tells the library's errors in the CLI's terms: the exit
// code of each category, its flags and commands rather than the Go fields
// they set, and the fix.
func (a *app) explainLibrary(f *failure) {
	var (
		e   *ipamorg.Error
		ire *ipamorg.IPAMResourcesError
		op  string
	)
	if errors.As(f.err, &e) {
		op = e.Op
	}
	switch {
	case errors.Is(f.err, ipamorg.ErrInvalidDesired) && op == "apply" && a.saved != nil:
		// Apply checks the saved steps against the plan's own status and
		// desired state before any AWS write.
		f.code = exitUsage
		st := a.saved.file
		why := "they differ"
		if e.Err != nil {
			why = cliTerms(e.Err.Error())
		}
		f.message = fmt.Sprintf("%v %s: its steps are not the steps of a plan from %s to %s (%s); was the file edited? nothing was written",
			errPlanFile, a.saved.path, st.Status.State, st.Desired.State, why)
		f.fix = "Make the plan again:\n  " + a.saved.replanCommand(a)

	case errors.Is(f.err, ipamorg.ErrInvalidAccountID), errors.Is(f.err, ipamorg.ErrInvalidDesired),
		errors.Is(f.err, ipamorg.ErrInvalidOptions):
		// Input refused before any AWS write.
		if f.code == exitError {
			f.code = exitUsage
		}

	case errors.As(f.err, &ire):
		ids := make([]string, len(ire.IPAMs))
		commands := make([]string, len(ire.IPAMs))
		for i, ip := range ire.IPAMs {
			ids[i] = fmt.Sprintf("%s in %s (%s)", ip.ID, ip.Region, orDash(ip.State))
			commands[i] = "  " + ip.DeleteCommand()
		}
		f.message = fmt.Sprintf("the IPAM delegated administrator %s still owns IPAMs, which AWS's teardown order deletes first "+
			"(one being deleted counts until it is gone): %s; nothing was written", ire.Admin, strings.Join(ids, ", "))
		f.fix = fmt.Sprintf("Delete each with the credentials of account %s, then run the command again:\n%s\nOr proceed anyway:\n  %s",
			ire.Admin, strings.Join(commands, "\n"), a.commandWith("--allow-ipam-resources"))

	case errors.Is(f.err, ipamorg.ErrAdminUnreachable) && (op == opMonitoring || op == opWaitMonitored):
		f.fix = fmt.Sprintf("The administrator's account is read through the role of --role-name (%s): name one that can be assumed there.", a.roleName)

	case errors.Is(f.err, ipamorg.ErrAdminUnreachable):
		f.message += "; without reading its IPAMs nobody knows whether it still owns any; nothing was written"
		f.fix = fmt.Sprintf("Name a role that can be assumed there with --role-name (now %s), or proceed anyway:\n  %s",
			a.roleName, a.commandWith("--allow-ipam-resources"))

	case errors.Is(f.err, ipamorg.ErrDelegatedAdminConflict) && op == "plan" && e.Last != nil && e.Last.DelegatedAdmin != "":
		f.message = fmt.Sprintf("account %s is IPAM's delegated administrator, not %s: replacing it interrupts IPAM for the whole organization; nothing was written",
			e.Last.DelegatedAdmin, e.Account)
		f.fix = "To replace it anyway, run:\n  " + a.commandWith("--replace")

	case errors.Is(f.err, ipamorg.ErrStalePlan):
		f.message += "; nothing was written"
		if a.saved != nil {
			f.fix = "Plan again from the new state:\n  " + a.saved.replanCommand(a)
		} else {
			f.fix = "Run the command again: it plans from the new state."
		}

	case errors.Is(f.err, ipamorg.ErrNoIPAM):
		f.code, f.kind = exitChanges, kindIncomplete
		admin := "the delegated administrator"
		if e != nil && e.Account != "" {
			admin += " " + e.Account
		}
		f.message = admin + " owns no IPAM, so IPAM monitors nothing"
		f.fix = "Create one with the administrator's credentials, with the Regions to monitor as its operating Regions"
		if _, cmd, ok := strings.Cut(f.err.Error(), "e.g. "); ok {
			f.fix += ", e.g.:\n  " + cmd
		} else {
			f.fix += "."
		}

	case errors.Is(f.err, ipamorg.ErrWaitTimeout) && op == opWaitMonitored:
		f.code, f.kind = exitChanges, kindIncomplete
		within := "--max-wait (default 5m)"
		if a.maxWait > 0 {
			within = "--max-wait " + a.maxWait.String()
		}
		f.message = "not every account was monitored within " + within
		if e.Err != nil {
			f.message += ": " + cliTerms(e.Err.Error())
		}
		if a.commandName() == "apply" {
			f.message = "the apply succeeded, but " + f.message
		}
		f.fix = "Run 'ipamorgctl monitoring' to see each account and how to fix it, or wait longer with --max-wait."

	case errors.Is(f.err, ipamorg.ErrNoDelegatedAdmin) && a.commandName() == "verify":
		f.message = "verify --repair creates AWSServiceRoleForIPAM only while IPAM has a delegated administrator, and none is registered; nothing was written"
		f.fix = "Delegating one creates the role in every account:\n  " + a.globalCommand("apply", "--delegate", "ACCOUNT")

	case errors.Is(f.err, ipamorg.ErrNoDelegatedAdmin):
		f.message = "IPAM monitors the organization only through a delegated administrator's IPAM, and none is registered"
		f.fix = "Delegate one first:\n  " + a.globalCommand("apply", "--delegate", "ACCOUNT")

	case errors.Is(f.err, ipamorg.ErrIntegrationActive):
		f.fix = "Tear it down first:\n  " + a.globalCommand("apply", "--cleanup")

	case errors.Is(f.err, ipamorg.ErrNotManagementAccount):
		f.fix = "Run it with the management account's credentials."

	case e != nil && len(e.Unconfirmed) > 0:
		f.fix = "Run 'ipamorgctl status' to see where the organization stands."
	}
}

// The library's operations that read IPAM's monitoring (ipamorg.Error.Op).
const (
	opMonitoring    = "monitoring"
	opWaitMonitored = "wait-monitored"
)

// commandName is the name of the command that ran, or "".
func (a *app) commandName() string {
	if a.cmd == nil {
		return ""
	}
	return a.cmd.Name()
}

// commandPath is "ipamorgctl" and the command that ran, for --help.
func (a *app) commandPath() string {
	if a.cmd == nil {
		return "ipamorgctl"
	}
	return a.cmd.CommandPath()
}

func joinLines(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "\n" + b
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

// cliTerms rewrites a message of the library's for the command line: the
// flags instead of the Go fields they set, no "ipamorg: " prefix (the
// CLI's own is the one), and IPAM spelt as the CLI spells it. The
// library's messages follow Go's habit of lowercase error strings; people
// read these.
func cliTerms(s string) string {
	s = goTerms.Replace(s)
	return spellIPAM(s)
}

var goTerms = strings.NewReplacer(
	"ipamorg: ", "",
	"(VerifyServiceLinkedRoles with Repair; ipamorgctl verify --repair)", "(ipamorgctl verify --repair)",
	"VerifyServiceLinkedRoles with Repair", "ipamorgctl verify --repair",
	"Reconcile with AllowReplace", "pass --delegate with --replace",
	"set AllowReplace", "pass --replace",
	"set AllowIPAMResources", "pass --allow-ipam-resources",
	"AllowIPAMResources", "--allow-ipam-resources",
	"AllowReplace", "--replace",
	"Options.AccessRole", "--role-name",
	"AccessRole", "--role-name",
)

// spellIPAM writes the words "ipam" and "ipams" as "IPAM" and "IPAMs",
// leaving alone what only contains them: ids (ipam-0abc), service
// principals (ipam.amazonaws.com), ARNs (:ipam/), actions (ec2:CreateIpam).
func spellIPAM(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		n := 0
		switch {
		case strings.HasPrefix(s[i:], "ipams"):
			n = 5
		case strings.HasPrefix(s[i:], "ipam"):
			n = 4
		}
		if n > 0 && !partOfName(s, i-1) && !partOfName(s, i+n) {
			b.WriteString("IPAM" + s[i+4:i+n])
			i += n
			continue
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

// partOfName reports whether the byte at i joins the word next to it into
// a longer name: a letter, a digit, or one of -._:/@.
func partOfName(s string, i int) bool {
	if i < 0 || i >= len(s) {
		return false
	}
	c := s[i]
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._:/@", c) >= 0
}

// jsonError is the JSON form of an error on stderr (--output json).
type jsonError struct {
	Error jsonErrorBody `json:"error"`
}

type jsonErrorBody struct {
	// Message is the error, as text output prints it.
	Message string `json:"message"`
	// Fix is what to do about it, as text output prints it on the lines
	// after the message, or "".
	Fix string `json:"fix,omitempty"`
	// Kind is "usage", "error", "incomplete", "interrupted" or
	// "internal".
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

// writeJSONError writes f as a jsonError line on stderr.
func (a *app) writeJSONError(f failure) {
	body := jsonErrorBody{
		Message:     f.message,
		Fix:         f.fix,
		Kind:        f.kind,
		ExitCode:    f.code,
		Sentinel:    sentinelName(f.err),
		Done:        []fsm.Event{},
		Unconfirmed: []fsm.Event{},
		NotDone:     []fsm.Event{},
	}
	var ae smithy.APIError
	if errors.As(f.err, &ae) {
		body.AWSCode, body.AWSMessage = ae.ErrorCode(), ae.ErrorMessage()
	}
	var e *ipamorg.Error
	if errors.As(f.err, &e) {
		body.Op, body.Event, body.Account, body.Action = e.Op, e.Event, e.Account, e.Action
		body.Done = append(body.Done, e.Done...)
		body.Unconfirmed = append(body.Unconfirmed, e.Unconfirmed...)
		body.NotDone = append(body.NotDone, e.NotDone...)
	}
	b, err := json.Marshal(jsonError{body})
	if err != nil {
		fmt.Fprintf(a.stderr, "ipamorgctl: %s\n", f.message)
		return
	}
	fmt.Fprintf(a.stderr, "%s\n", b)
}

// sentinelName returns the name of the sentinel of package ipamorg (or
// fsm) that err matches, or "". The Kind of an *ipamorg.Error decides
// first: it is the error's category, while its cause may match another
// sentinel too.
func sentinelName(err error) string {
	sentinels := ipamorg.Sentinels()
	var e *ipamorg.Error
	if errors.As(err, &e) && e.Kind != nil {
		for _, s := range sentinels {
			if e.Kind == s.Err {
				return s.Name
			}
		}
	}
	for _, s := range sentinels {
		if errors.Is(err, s.Err) {
			return s.Name
		}
	}
	return ""
}

package ipamorg

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ipamorg/sdk/fsm"
	"github.com/ipamorg/sdk/internal/awscall"
)

// The sentinels below are the categories of every error the package returns.
// They never come back bare: an *Error wraps one of them (as Kind) together
// with its cause (as Err), so match them with errors.Is and reach the cause,
// an AWS SDK error for instance, with errors.As. IsTerminal tells which of
// them a retry cannot cure.
var (
	// ErrNotManagementAccount: the caller is not the organization's
	// management account, which alone may designate or remove the IPAM
	// administrator and disable trusted access.
	ErrNotManagementAccount = errors.New("ipamorg: caller is not the management account")
	// ErrOrganizationNotFound: the caller's account is not in an
	// organization (AWSOrganizationsNotInUseException).
	ErrOrganizationNotFound = errors.New("ipamorg: organization not found")
	// ErrAllFeaturesRequired: the organization's feature set is not ALL,
	// which trusted access requires.
	ErrAllFeaturesRequired = errors.New("ipamorg: organization feature set ALL required")
	// ErrInvalidAccountID: an account id is not exactly 12 ASCII digits.
	// It is detected before any AWS call.
	ErrInvalidAccountID = errors.New("ipamorg: invalid account id")
	// ErrAccountNotInOrganization: the account to delegate to is not an
	// ACTIVE member of the organization.
	ErrAccountNotInOrganization = errors.New("ipamorg: account is not an active member of the organization")
	// ErrManagementAccountAsDelegate: the management account cannot be the
	// IPAM delegated administrator.
	ErrManagementAccountAsDelegate = errors.New("ipamorg: management account cannot be the delegated administrator")
	// ErrDelegatedAdminConflict: another account is already the IPAM
	// delegated administrator and replacing it was not allowed (or AWS
	// refused a second administrator).
	ErrDelegatedAdminConflict = errors.New("ipamorg: another delegated administrator is registered")
	// ErrTrustedAccessRequiresDelegation: trusted access for IPAM can be
	// enabled only by designating a delegated administrator, so a desired
	// state that needs trusted access without an administrator is refused.
	ErrTrustedAccessRequiresDelegation = errors.New("ipamorg: trusted access for ipam can be enabled only by delegating an administrator")
	// ErrAccessDenied: AWS denied the call (AccessDeniedException,
	// UnauthorizedOperation, AccessDenied). See RequiredPermissions.
	ErrAccessDenied = errors.New("ipamorg: access denied")
	// ErrWaitTimeout: a write succeeded but no read confirmed it within
	// WaitOptions.MaxWait; the step is in the *Error's Unconfirmed. Its
	// Last field holds the last observed status: the status before the
	// step with the fact the step changes as the last poll read it (see
	// Result.Status); its message says what that last read returned, and
	// nothing it did not read.
	ErrWaitTimeout = errors.New("ipamorg: timed out waiting for aws to reflect the change")
	// ErrStalePlan: the organization changed between Plan and Apply; nothing
	// was written. Plan again.
	ErrStalePlan = errors.New("ipamorg: plan is stale: organization changed since it was made")
	// ErrMovedElsewhere: while a step waited for the read that confirms
	// it, the read showed the organization where the step cannot lead:
	// another delegated administrator registered while the step delegated
	// or removed its own. Another writer is at work. The wait stops there
	// rather than poll until WaitOptions.MaxWait; the step is in the
	// *Error's Unconfirmed (its write may have been applied, and undone),
	// Last holds the status with what the read returned, and the message
	// says what that was. Not terminal: observe again, or Reconcile, which
	// acts on where the organization now is.
	ErrMovedElsewhere = errors.New("ipamorg: the organization moved where the step cannot lead")
	// ErrInvalidOptions: New was given nil clients or inconsistent Options,
	// or VerifyServiceLinkedRoles inconsistent VerifyOptions.
	ErrInvalidOptions = errors.New("ipamorg: invalid options")
	// ErrInvalidDesired: a Desired (or a Plan handed to Apply) is malformed:
	// an unknown state, a delegated state without an administrator, an
	// administrator with a state that has none, or a plan whose steps are
	// not the ones its Desired and Status lead to.
	ErrInvalidDesired = errors.New("ipamorg: invalid desired state")
	// ErrServiceLinkedRoleDeletionFailed: IAM reported the deletion task of
	// AWSServiceRoleForIPAM as FAILED; the error carries IAM's reason.
	ErrServiceLinkedRoleDeletionFailed = errors.New("ipamorg: service-linked role deletion failed")
	// ErrNoDelegatedAdmin: no IPAM delegated administrator is registered,
	// while the call needs one: Monitoring and WaitMonitored (IPAM's view
	// is the administrator's), or VerifyServiceLinkedRoles asked to
	// repair. AWSServiceRoleForIPAM matters only while IPAM is integrated
	// with the organization, and delegating an administrator creates it
	// in every account anyway; creating it beforehand would, in the
	// management account, turn state none into disabled.
	ErrNoDelegatedAdmin = errors.New("ipamorg: no ipam delegated administrator is registered")
	// ErrAdminUnreachable: the IPAM delegated administrator's account
	// cannot be read: the access role (Options.AccessRole) cannot be
	// assumed there, or EC2 denies the reads of its IPAMs. The AWS error
	// stays wrapped. Monitoring and WaitMonitored fail with it, and so
	// does any plan that removes the administrator, unless
	// Desired.AllowIPAMResources: without the read nobody knows whether
	// IPAMs are left.
	ErrAdminUnreachable = errors.New("ipamorg: the ipam delegated administrator's account cannot be reached")
	// ErrNoIPAM: the IPAM delegated administrator owns no IPAM in the
	// Regions read, so IPAM monitors nothing. WaitMonitored waits for one
	// to be created.
	ErrNoIPAM = errors.New("ipamorg: the ipam delegated administrator owns no ipam")
	// ErrIPAMResourcesExist: a step would remove the IPAM delegated
	// administrator while it still owns IPAMs (any that exists counts,
	// one being deleted included), which AWS's teardown order forbids:
	// the message names each IPAM with the command that deletes it, run
	// as the administrator. Nothing was written. Delete them first, or
	// set Desired.AllowIPAMResources (RemoveOptions.AllowIPAMResources for
	// RemoveDelegate); the library never deletes an IPAM.
	ErrIPAMResourcesExist = errors.New("ipamorg: the ipam delegated administrator still owns ipams")
	// ErrIntegrationActive: VerifyServiceLinkedRoles was asked to purge
	// AWSServiceRoleForIPAM while IPAM is still integrated with the
	// organization (trusted or delegated), where IPAM needs the role.
	// Tear down first.
	ErrIntegrationActive = errors.New("ipamorg: ipam is still integrated with the organization")
	// ErrAnomaly: the organization shows what AWS should not: more than one
	// IPAM delegated administrator, the management account listed as one,
	// an administrator listed without an id, or an empty caller or
	// management account id. Observe reports it as a warning (see
	// Warning.Anomaly); every call that would write refuses with it before
	// writing.
	ErrAnomaly = errors.New("ipamorg: aws shows an anomaly")
	// ErrInvalidResponse: an AWS call answered outside its contract: no
	// output and no error, a pagination token that repeats, more pages than
	// the package reads, a required field missing. A write so answered may
	// have been applied: it is in the *Error's Unconfirmed.
	ErrInvalidResponse = awscall.ErrInvalidResponse
	// ErrWriteFailed: an EC2 write answered Success=false: AWS says it did
	// not make the change, and gives no reason.
	ErrWriteFailed = errors.New("ipamorg: aws reported the write as not successful")
	// ErrInvalidParameter: AWS refused a parameter of the call
	// (InvalidParameterValue) for a reason its message does not let the
	// package name more precisely; the AWS error, wrapped, has the message.
	ErrInvalidParameter = errors.New("ipamorg: aws refused a parameter")
)

// terminal are the categories a retry of the same call cannot cure: the
// guards, malformed input, anomalies and refusals that need a person (or
// another writer) to change something first.
var terminal = []error{
	ErrNotManagementAccount, ErrOrganizationNotFound, ErrAllFeaturesRequired, ErrInvalidAccountID,
	ErrAccountNotInOrganization, ErrManagementAccountAsDelegate, ErrDelegatedAdminConflict,
	ErrTrustedAccessRequiresDelegation, ErrAccessDenied, ErrStalePlan, ErrInvalidOptions, ErrInvalidDesired,
	ErrServiceLinkedRoleDeletionFailed, ErrNoDelegatedAdmin, ErrAnomaly, ErrInvalidResponse, ErrInvalidParameter,
	ErrAdminUnreachable, ErrIPAMResourcesExist, ErrIntegrationActive, fsm.ErrInvalidTransition,
}

// IsTerminal reports whether retrying the same call cannot help: err is a
// guard's refusal, malformed input, an anomaly, or an AWS refusal that
// needs something changed first (ErrAccessDenied, ErrStalePlan: plan again).
// It is false for nil, for throttling and other AWS errors the package does
// not classify, for ErrWaitTimeout, ErrMovedElsewhere (observe again: the
// organization is elsewhere now) and ErrWriteFailed, for ErrNoIPAM (creating
// an IPAM, as a pipeline does right after delegating, cures it), for any error with
// Unconfirmed steps (a retry observes where the write got to), and for the
// end of a context. A controller requeues when it is false.
func IsTerminal(err error) bool {
	if err == nil || awscall.IsContextErr(err) {
		return false
	}
	var e *Error
	if errors.As(err, &e) && len(e.Unconfirmed) > 0 {
		return false
	}
	for _, kind := range terminal {
		if errors.Is(err, kind) {
			return true
		}
	}
	return false
}

// Error is the one error type the package returns. It says which operation
// failed, on which lifecycle step and account, how far a multi-step
// operation got, and why.
//
// Unwrap returns both Kind (a sentinel of this package, or
// fsm.ErrInvalidTransition) and Err (the AWS SDK error or other cause), so
// errors.Is and errors.As see through it to either.
type Error struct {
	// Op is the method that failed: "observe", "plan", "apply", "reconcile",
	// "delegate", "remove-delegate", "disable-trusted-access",
	// "delete-service-linked-role", "verify-service-linked-roles",
	// "monitoring" or "wait-monitored".
	Op string
	// Step is the lifecycle step that failed, if any: its Event, its From
	// and To states, the AWS Action that failed and the Account it acted
	// on. For a delegate step taken with the enable-trusted-access step
	// before it (one AWS call), From is where that call started: the state
	// before both.
	Step
	// Done lists the steps of the operation that completed and were
	// confirmed, in order. Unconfirmed lists the steps whose write was sent
	// and may have been applied, but that no read confirmed: a context that
	// ended, or a wait that timed out, after the write; a write whose
	// answer was lost. NotDone lists the steps not taken. The three never
	// overlap nor share memory, and together they are the operation's
	// steps in order; all are empty when the failure came before the first
	// step.
	Done, Unconfirmed, NotDone []fsm.Event
	// Last is the last status observed before the failure, if any. For
	// ErrWaitTimeout it is what the last poll saw: the status before the
	// step with the fact the poll re-read (the step's own; see
	// Result.Status), or the status before the step if no poll returned.
	Last *Status
	// Kind is the category: one of the sentinels, or nil when the cause
	// maps to none (an unexpected AWS error, say).
	Kind error
	// Err is the cause: an AWS SDK error, a context error joined with the
	// last AWS error, or nil when Kind says it all.
	Err error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("ipamorg: ")
	b.WriteString(e.Op)
	if e.Event != "" && string(e.Event) != e.Op {
		fmt.Fprintf(&b, " %s", e.Event)
	}
	switch {
	case e.Event != "" && e.To != "":
		fmt.Fprintf(&b, " (%s -> %s)", e.From, e.To)
	case e.Event != "":
		fmt.Fprintf(&b, " (from %s)", e.From)
	}
	if e.Account != "" {
		fmt.Fprintf(&b, " account %s", e.Account)
	}
	if e.Kind != nil {
		b.WriteString(": ")
		b.WriteString(strings.TrimPrefix(e.Kind.Error(), "ipamorg: "))
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(strings.ReplaceAll(e.Err.Error(), "\n", "; "))
	}
	if len(e.Done)+len(e.Unconfirmed)+len(e.NotDone) > 0 {
		fmt.Fprintf(&b, " (done: %s;", eventList(e.Done))
		if len(e.Unconfirmed) > 0 {
			fmt.Fprintf(&b, " sent, not confirmed: %s;", eventList(e.Unconfirmed))
		}
		fmt.Fprintf(&b, " not done: %s)", eventList(e.NotDone))
	}
	return b.String()
}

// Unwrap returns Kind and Err, leaving out whichever is nil.
func (e *Error) Unwrap() []error {
	errs := make([]error, 0, 2)
	if e.Kind != nil {
		errs = append(errs, e.Kind)
	}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
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

// orNone renders an account id that may be empty, so that no message shows
// a blank where an account should be.
func orNone(id string) string {
	if id == "" {
		return "none"
	}
	return id
}

// asError returns err as an *Error of op: an *Error keeps its fields (with
// op replacing its Op, since the caller's method is what the user called),
// anything else becomes the cause of a new *Error classified by classify.
func asError(op string, err error) *Error {
	if e, ok := err.(*Error); ok {
		cp := *e
		cp.Op = op
		return &cp
	}
	return &Error{Op: op, Kind: classify(err), Err: err}
}

// progress splits events, the steps of an operation, into the three lists
// of an *Error: the first done were done, the next unconfirmed were sent
// and not confirmed, the rest were not taken. Each list has its own array.
func (e *Error) progress(events []fsm.Event, done, unconfirmed int) {
	e.Done = clone(events[:done])
	e.Unconfirmed = clone(events[done : done+unconfirmed])
	e.NotDone = clone(events[done+unconfirmed:])
}

// clone copies events into an array of its own; nil when empty.
func clone(events []fsm.Event) []fsm.Event {
	if len(events) == 0 {
		return nil
	}
	return append([]fsm.Event(nil), events...)
}

package ipamorg

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ipamorg/sdk/fsm"
)

// The sentinels below are the categories of every error the package returns.
// They never come back bare: an *Error wraps one of them (as Kind) together
// with its cause (as Err), so match them with errors.Is and reach the cause,
// an AWS SDK error for instance, with errors.As.
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
	// WaitOptions.MaxWait. The *Error's Last field holds the last observed
	// status: the status before the step with the fact the step changes as
	// the last poll read it (see Result.Status).
	ErrWaitTimeout = errors.New("ipamorg: timed out waiting for aws to reflect the change")
	// ErrStalePlan: the organization changed between Plan and Apply; nothing
	// was written. Plan again.
	ErrStalePlan = errors.New("ipamorg: plan is stale: organization changed since it was made")
	// ErrInvalidOptions: New was given nil clients or inconsistent Options.
	ErrInvalidOptions = errors.New("ipamorg: invalid options")
	// ErrInvalidDesired: a Desired (or a Plan handed to Apply) is malformed:
	// an unknown state, a delegated state without an administrator, or an
	// administrator with a state that has none.
	ErrInvalidDesired = errors.New("ipamorg: invalid desired state")
	// ErrServiceLinkedRoleDeletionFailed: IAM reported the deletion task of
	// AWSServiceRoleForIPAM as FAILED; the error carries IAM's reason.
	ErrServiceLinkedRoleDeletionFailed = errors.New("ipamorg: service-linked role deletion failed")
)

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
	// "delete-service-linked-role" or "verify-service-linked-roles".
	Op string
	// Event is the lifecycle step that failed, if any; From and To are its
	// states.
	Event    fsm.Event
	From, To fsm.State
	// Account is the account the step acted on (the delegated
	// administrator), if any.
	Account string
	// Action is the AWS API action that failed, e.g.
	// "ec2:EnableIpamOrganizationAdminAccount", if any.
	Action string
	// Done lists the steps of the operation that completed, in order;
	// NotDone the steps that did not, starting with the failed one. Both
	// are empty when the failure came before the first step.
	Done, NotDone []fsm.Event
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
	if e.Kind == ErrWaitTimeout && e.Last != nil {
		fmt.Fprintf(&b, " (last observed state %s, admin %q)", e.Last.State, e.Last.DelegatedAdmin)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(strings.ReplaceAll(e.Err.Error(), "\n", "; "))
	}
	if len(e.Done) > 0 || len(e.NotDone) > 0 {
		fmt.Fprintf(&b, " (done: %s; not done: %s)", eventList(e.Done), eventList(e.NotDone))
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

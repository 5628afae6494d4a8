package ipamorg

import (
	"context"
	"fmt"

	"github.com/ipamorg/sdk/fsm"
)

// The explicit calls below take one lifecycle step each (Delegate from none
// or disabled takes enable-trusted-access and delegate, one AWS call), for
// scripts that say what to do rather than where to be. From a state where
// their step is not allowed they fail with an *Error matching
// fsm.ErrInvalidTransition and write nothing; Reconcile is the call that
// chains steps. Like Apply they run the guards first, wait for AWS to
// confirm, always return a non-nil Result, and are serialised per Client.

// Delegate designates accountID as IPAM's delegated administrator
// (ec2:EnableIpamOrganizationAdminAccount), which also enables trusted
// access for IPAM and creates AWSServiceRoleForIPAM. It works from none,
// disabled and trusted. When accountID already is the administrator it
// writes nothing, unless Observe warns that the delegation was made
// through AWS Organizations (WarnWrongEnablePath): it then takes the
// repair-delegation step, the same call for the same account, which
// creates the missing roles. It fails with ErrDelegatedAdminConflict when
// another account is the administrator. ErrInvalidAccountID comes before any AWS call; the guards add
// ErrNotManagementAccount, ErrAnomaly, ErrAllFeaturesRequired,
// ErrManagementAccountAsDelegate and ErrAccountNotInOrganization.
func (c *Client) Delegate(ctx context.Context, accountID string) (*Result, error) {
	const op = "delegate"
	res := &Result{Transitions: []Transition{}}
	if err := validateAccountID(accountID); err != nil {
		return res, asError(op, err)
	}
	d := Desired{State: fsm.StateDelegated, DelegatedAdmin: accountID}
	st, pre, err := c.lockObserved(ctx, op, res, d)
	if err != nil {
		return res, err
	}
	defer c.writeMu.Unlock()
	if st.State == fsm.StateDelegated {
		if st.DelegatedAdmin == accountID {
			steps, err := planSteps(st, d) // none, or the repair
			if err != nil {
				return res, asError(op, err)
			}
			return c.run(ctx, op, st, steps, d, true, pre)
		}
		return res, &Error{Op: op, Step: Step{Event: fsm.EventDelegate, From: st.State, Account: accountID}, Kind: ErrDelegatedAdminConflict, Last: st,
			Err: fmt.Errorf("account %s is the delegated admin; remove it first, or Reconcile with AllowReplace", st.DelegatedAdmin)}
	}
	events, err := fsm.Path(st.State, fsm.StateDelegated)
	if err != nil {
		return res, asError(op, err)
	}
	steps, err := stepsFor(st, events, d)
	if err != nil {
		return res, asError(op, err)
	}
	return c.run(ctx, op, st, steps, d, true, pre)
}

// RemoveOptions configures RemoveDelegate, which fills them in with its
// functional options.
type RemoveOptions struct {
	// AllowIPAMResources removes the administrator even while it owns
	// IPAMs, or when they cannot be read, as Desired.AllowIPAMResources
	// does for a plan.
	AllowIPAMResources bool
}

// RemoveDelegate removes the delegated administrator
// (ec2:DisableIpamOrganizationAdminAccount), from delegated to trusted.
// Like every step that removes the administrator, it first reads the
// administrator's IPAMs, and refuses with ErrIPAMResourcesExist while any
// exists, or with ErrAdminUnreachable when they cannot be read, before
// any write, unless RemoveOptions.AllowIPAMResources:
//
//	c.RemoveDelegate(ctx, func(o *ipamorg.RemoveOptions) { o.AllowIPAMResources = true })
func (c *Client) RemoveDelegate(ctx context.Context, optFns ...func(*RemoveOptions)) (*Result, error) {
	return c.single(ctx, fsm.EventRemoveDelegate, fill(optFns).AllowIPAMResources)
}

// DisableTrustedAccess disables trusted access for IPAM
// (organizations:DisableAWSServiceAccess), from trusted to disabled.
func (c *Client) DisableTrustedAccess(ctx context.Context) (*Result, error) {
	return c.single(ctx, fsm.EventDisableTrustedAccess, false)
}

// DeleteServiceLinkedRole deletes AWSServiceRoleForIPAM from the management
// account (iam:DeleteServiceLinkedRole, then polling
// iam:GetServiceLinkedRoleDeletionStatus), from disabled to none. A
// deletion that IAM reports as FAILED is an ErrServiceLinkedRoleDeletionFailed
// carrying IAM's reason.
func (c *Client) DeleteServiceLinkedRole(ctx context.Context) (*Result, error) {
	return c.single(ctx, fsm.EventDeleteServiceLinkedRole, false)
}

// single takes the one step ev from the observed state; allowIPAMs is
// Desired.AllowIPAMResources for its guards.
func (c *Client) single(ctx context.Context, ev fsm.Event, allowIPAMs bool) (*Result, error) {
	op := string(ev)
	res := &Result{Transitions: []Transition{}}
	st, _, err := c.lockObserved(ctx, op, res, Desired{})
	if err != nil {
		return res, err
	}
	defer c.writeMu.Unlock()
	if _, ok := fsm.Target(st.State, ev); !ok {
		return res, &Error{Op: op, Step: Step{Event: ev, From: st.State}, Kind: fsm.ErrInvalidTransition, Last: st,
			Err: &fsm.TransitionError{Event: ev, State: st.State}}
	}
	d := Desired{State: st.State, AllowIPAMResources: allowIPAMs}
	steps, err := stepsFor(st, []fsm.Event{ev}, d)
	if err != nil {
		return res, asError(op, err)
	}
	return c.run(ctx, op, st, steps, d, true, nil)
}

// lockObserved takes the write lock, observes, records the status in res
// and checks the status is ground to act on (guardStatus): the start every
// explicit call shares, with the guard reads toward d made alongside (see
// observeFor). On success the caller holds the lock and must release it;
// on error the lock is not held.
func (c *Client) lockObserved(ctx context.Context, op string, res *Result, d Desired) (*Status, *guardReads, error) {
	if err := c.writeMu.lock(ctx); err != nil {
		return nil, nil, &Error{Op: op, Err: err}
	}
	st, pre, err := c.observeFor(ctx, d)
	if err == nil {
		res.Status = st
		err = guardStatus(st)
	}
	if err != nil {
		c.writeMu.Unlock()
		return nil, nil, asError(op, err)
	}
	return st, pre, nil
}

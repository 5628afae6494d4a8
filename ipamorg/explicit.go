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
// disabled and trusted. It writes nothing when accountID already is the
// administrator, and fails with ErrDelegatedAdminConflict when another
// account is. ErrInvalidAccountID comes before any AWS call; the guards add
// ErrNotManagementAccount, ErrAnomaly, ErrAllFeaturesRequired,
// ErrManagementAccountAsDelegate and ErrAccountNotInOrganization.
func (c *Client) Delegate(ctx context.Context, accountID string) (*Result, error) {
	const op = "delegate"
	res := &Result{Transitions: []Transition{}}
	if err := validateAccountID(accountID); err != nil {
		return res, asError(op, err)
	}
	st, err := c.lockObserved(ctx, op, res)
	if err != nil {
		return res, err
	}
	defer c.writeMu.Unlock()
	if st.State == fsm.StateDelegated {
		if st.DelegatedAdmin == accountID {
			return res, nil
		}
		return res, &Error{Op: op, Step: Step{Event: fsm.EventDelegate, From: st.State, Account: accountID}, Kind: ErrDelegatedAdminConflict, Last: st,
			Err: fmt.Errorf("account %s is the delegated admin; remove it first, or Reconcile with AllowReplace", st.DelegatedAdmin)}
	}
	events, err := fsm.Path(st.State, fsm.StateDelegated)
	if err != nil {
		return res, asError(op, err)
	}
	steps, err := stepsFor(st, events, Desired{State: fsm.StateDelegated, DelegatedAdmin: accountID})
	if err != nil {
		return res, asError(op, err)
	}
	return c.run(ctx, op, st, steps, true)
}

// RemoveDelegate removes the delegated administrator
// (ec2:DisableIpamOrganizationAdminAccount), from delegated to trusted.
func (c *Client) RemoveDelegate(ctx context.Context) (*Result, error) {
	return c.single(ctx, fsm.EventRemoveDelegate)
}

// DisableTrustedAccess disables trusted access for IPAM
// (organizations:DisableAWSServiceAccess), from trusted to disabled.
func (c *Client) DisableTrustedAccess(ctx context.Context) (*Result, error) {
	return c.single(ctx, fsm.EventDisableTrustedAccess)
}

// DeleteServiceLinkedRole deletes AWSServiceRoleForIPAM from the management
// account (iam:DeleteServiceLinkedRole, then polling
// iam:GetServiceLinkedRoleDeletionStatus), from disabled to none. A
// deletion that IAM reports as FAILED is an ErrServiceLinkedRoleDeletionFailed
// carrying IAM's reason.
func (c *Client) DeleteServiceLinkedRole(ctx context.Context) (*Result, error) {
	return c.single(ctx, fsm.EventDeleteServiceLinkedRole)
}

// single takes the one step ev from the observed state.
func (c *Client) single(ctx context.Context, ev fsm.Event) (*Result, error) {
	op := string(ev)
	res := &Result{Transitions: []Transition{}}
	st, err := c.lockObserved(ctx, op, res)
	if err != nil {
		return res, err
	}
	defer c.writeMu.Unlock()
	if _, ok := fsm.Target(st.State, ev); !ok {
		return res, &Error{Op: op, Step: Step{Event: ev, From: st.State}, Kind: fsm.ErrInvalidTransition, Last: st,
			Err: &fsm.TransitionError{Event: ev, State: st.State}}
	}
	steps, err := stepsFor(st, []fsm.Event{ev}, Desired{State: st.State})
	if err != nil {
		return res, asError(op, err)
	}
	return c.run(ctx, op, st, steps, true)
}

// lockObserved takes the write lock, observes, records the status in res
// and checks the status is ground to act on (guardStatus): the start every
// explicit call shares. On success the caller holds the lock and must
// release it; on error the lock is not held.
func (c *Client) lockObserved(ctx context.Context, op string, res *Result) (*Status, error) {
	if err := c.writeMu.lock(ctx); err != nil {
		return nil, &Error{Op: op, Err: err}
	}
	st, err := c.observe(ctx)
	if err == nil {
		res.Status = st
		err = guardStatus(st)
	}
	if err != nil {
		c.writeMu.Unlock()
		return nil, asError(op, err)
	}
	return st, nil
}

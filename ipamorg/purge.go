package ipamorg

import (
	"context"
	"errors"
	"fmt"

	"github.com/ipamorg/sdk/awsclient"
	"github.com/ipamorg/sdk/fsm"
	"github.com/ipamorg/sdk/internal/awscall"
)

// guardPurge refuses VerifyOptions.Purge unless IPAM's integration with
// the organization is torn down (none, or disabled: the management
// account's role is the lifecycle's to delete), and the status is ground
// to act on (guardStatus). It reads as Observe does and writes nothing.
func (c *Client) guardPurge(ctx context.Context) error {
	st, err := c.observe(ctx)
	if err != nil {
		return err
	}
	if err := guardStatus(st); err != nil {
		return err
	}
	switch st.State {
	case fsm.StateNone, fsm.StateDisabled:
		return nil
	}
	return &Error{Kind: ErrIntegrationActive, Last: st,
		Err: fmt.Errorf("the organization is %s: ipam needs AWSServiceRoleForIPAM in every account while it is integrated; tear down first (reconcile to none), then purge; nothing was written", st.State)}
}

// purge deletes the role from the member account client acts in, which
// has it, and reports the outcome in ac: RolePurged, or RoleError with
// IAM's reason when the deletion task failed (IPAM resources still in the
// account, say), or when no answer proved the deletion refused and no
// read showed the role gone (its Reason says "sent, not confirmed"). It
// reports false when ctx ended before the outcome was known.
func (v *verifier) purge(ctx context.Context, client awsclient.IAMAPI, ac AccountCheck) (AccountCheck, bool) {
	const action = "iam:DeleteServiceLinkedRole"
	// A lost answer leaves unknown whether IAM accepted the deletion:
	// look first (awscall.CallWrite).
	gone := func(ctx context.Context) bool {
		present, err := v.c.hasServiceLinkedRole(ctx, client)
		return err == nil && !present
	}
	err := v.c.deleteRole(ctx, client, gone)
	switch {
	case err == nil:
		ac.Result = RolePurged
		v.c.opts.Logger.InfoContext(ctx, "ipamorg: deleted service-linked role", "account", ac.AccountID, "role", roleName)
		return ac, true
	case ctx.Err() != nil:
		return ac, false
	}
	ac.Result = RoleError
	ac.Reason = reasonOf(action, err)
	var m *awscall.MaybeApplied
	if errors.As(err, &m) {
		// Sent, and not seen through: neither present nor purged is
		// known (Err keeps the mark).
		ac.Reason = reasonOf(action, m.Err) + " (sent, not confirmed: the role may be gone; verify again)"
	}
	if e := (*Error)(nil); errors.As(err, &e) && e.Kind == ErrServiceLinkedRoleDeletionFailed {
		ac.Reason = fmt.Sprintf("%s: the deletion task failed: %v", action, e.Err)
	}
	ac.Err = &Error{Op: opVerify, Step: Step{Account: ac.AccountID, Action: action}, Kind: classify(err), Err: err}
	return ac, true
}

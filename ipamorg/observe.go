package ipamorg

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ipamorg/sdk/internal/awscall"
)

// Observe reads where the organization stands in the IPAM lifecycle. It
// writes nothing. Its five reads (sts:GetCallerIdentity,
// organizations:DescribeOrganization,
// organizations:ListAWSServiceAccessForOrganization,
// organizations:ListDelegatedAdministrators, iam:GetRole) run concurrently,
// each retried by the SDK as RetryOptions say.
//
// Anomalies are reported in Status.Warnings with the state still set. When
// the caller is not the management account, the reads that AWS denies to
// it are reported as warnings (WarnPartialRead), not errors, and when they
// decide the state, Status.State is fsm.StateUnknown. Errors are *Error:
// ErrOrganizationNotFound when the caller is in no organization,
// ErrAccessDenied when a read is denied to the management account,
// ErrInvalidResponse when AWS answers outside the API's contract (no
// output, a pagination token that repeats).
func (c *Client) Observe(ctx context.Context) (*Status, error) {
	st, err := c.observe(ctx)
	if err != nil {
		return nil, asError("observe", err)
	}
	return st, nil
}

// observe is Observe with raw errors, for callers that add their own
// context.
func (c *Client) observe(ctx context.Context) (*Status, error) {
	var (
		trusted, role       bool
		trustedErr, roleErr = awscall.ErrNoAnswer, awscall.ErrNoAnswer // see identify
	)
	id, err := c.identify(ctx,
		func() { trusted, trustedErr = c.readTrustedAccess(ctx) },
		func() { role, roleErr = c.readServiceLinkedRole(ctx) })
	if err != nil {
		return nil, err
	}
	admins, admErr := id.admins, id.adminsErr

	st := &Status{
		CallerAccountID:     id.caller.account,
		ManagementAccountID: id.management,
		OrganizationID:      aws.ToString(id.org.Id),
		FeatureSet:          string(id.org.FeatureSet),
		partition:           id.partition,
	}
	if !st.isManagement() {
		// GetRole read the caller's own account, not the management
		// account the field is about; and AWS denies the management-only
		// reads to most members, which is not an error for them.
		role, roleErr = false, nil
		st.unread |= factRole
		for _, r := range []struct {
			fact facts
			err  *error
		}{
			{factTrusted, &trustedErr},
			{factAdmins, &admErr},
		} {
			if *r.err != nil && classify(*r.err) == ErrAccessDenied {
				st.unread |= r.fact
				*r.err = nil
			}
		}
	}
	if err := awscall.JoinErrors(ctx, trustedErr, admErr, roleErr); err != nil {
		return nil, err
	}

	st.TrustedAccess = trusted
	st.ServiceLinkedRole = role
	st.settle(admins)
	return st, nil
}

// The confirmation of a step re-reads only the fact the step changes, not
// everything Observe reads: after a write, each poll makes one read (see
// waitFor). What it returns is the status before the step, prev, brought up
// to date with that fact: a copy of prev with the fact replaced, the fields
// the read does not cover keeping the value last observed, and State and
// Warnings recomputed (settle) as Observe would from the same facts.

// rereadAdmins re-reads the delegated administrators of ipam.amazonaws.com
// (organizations:ListDelegatedAdministrators) into prev. implied, if not
// nil, is then applied to the copy with the administrators read: the
// effects, besides the administrator, of a write that admins show.
func (c *Client) rereadAdmins(ctx context.Context, prev *Status, implied func(st *Status, admins []string)) (*Status, error) {
	admins, err := c.readDelegatedAdmins(ctx)
	if err != nil {
		return nil, err
	}
	st := *prev
	if implied != nil {
		implied(&st, admins)
	}
	st.settle(admins)
	return &st, nil
}

// rereadTrustedAccess re-reads whether trusted access for
// ipam.amazonaws.com is enabled
// (organizations:ListAWSServiceAccessForOrganization) into prev.
func (c *Client) rereadTrustedAccess(ctx context.Context, prev *Status) (*Status, error) {
	on, err := c.readTrustedAccess(ctx)
	if err != nil {
		return nil, err
	}
	st := *prev
	st.TrustedAccess = on
	st.settle(prev.admins)
	return &st, nil
}

// rereadServiceLinkedRole re-reads whether AWSServiceRoleForIPAM exists in
// the management account, the caller's (iam:GetRole), into prev.
func (c *Client) rereadServiceLinkedRole(ctx context.Context, prev *Status) (*Status, error) {
	on, err := c.readServiceLinkedRole(ctx)
	if err != nil {
		return nil, err
	}
	st := *prev
	st.ServiceLinkedRole = on
	st.settle(prev.admins)
	return &st, nil
}

package ipamorg

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/ipamorg/sdk/fsm"
)

// do performs the AWS call of step s, taken from prev (the status last
// observed), and waits until a read confirms it, returning the status that
// did: prev brought up to date with what that read found. Each call is
// idempotent against the state it leads to, so a step that AWS had already
// taken is not an error; and when a call's answer is lost (see callWrite),
// a read that already shows the step's result counts as the answer.
//
// The read is the one that shows the step's change, and only it:
// organizations:ListDelegatedAdministrators for delegate and
// remove-delegate, organizations:ListAWSServiceAccessForOrganization for
// disable-trusted-access, iam:GetRole for delete-service-linked-role (after
// its deletion task, see deleteServiceLinkedRole).
func (c *Client) do(ctx context.Context, prev *Status, s Step) (*Status, error) {
	c.opts.Logger.InfoContext(ctx, "ipamorg: write", "event", s.Event, "action", s.Action, "account", s.Account)
	var (
		write func(context.Context, func(context.Context) bool) error
		read  func(context.Context, *Status) (*Status, error)
		done  func(*Status) bool
	)
	switch s.Event {
	case fsm.EventDelegate:
		write = func(ctx context.Context, applied func(context.Context) bool) error {
			return c.enableAdmin(ctx, s.Account, applied)
		}
		read = func(ctx context.Context, prev *Status) (*Status, error) {
			return c.rereadAdmins(ctx, prev, func(st *Status, admins []string) {
				if len(admins) > 0 && admins[0] == s.Account {
					// The call that designated the administrator also
					// enabled trusted access and created
					// AWSServiceRoleForIPAM in the management account
					// (DESIGN.md §4.1): the enable-trusted-access
					// transition is confirmed by this same read, and so
					// are these.
					st.TrustedAccess, st.ServiceLinkedRole = true, true
				}
			})
		}
		done = func(st *Status) bool { return st.DelegatedAdmin == s.Account }
	case fsm.EventRemoveDelegate:
		write = func(ctx context.Context, applied func(context.Context) bool) error {
			return c.disableAdmin(ctx, s.Account, applied)
		}
		read = func(ctx context.Context, prev *Status) (*Status, error) { return c.rereadAdmins(ctx, prev, nil) }
		done = func(st *Status) bool { return st.DelegatedAdmin == "" }
	case fsm.EventDisableTrustedAccess:
		write = c.disableTrustedAccess
		read = c.rereadTrustedAccess
		done = func(st *Status) bool { return !st.TrustedAccess }
	case fsm.EventDeleteServiceLinkedRole:
		write = c.deleteServiceLinkedRole
		read = c.rereadServiceLinkedRole
		done = func(st *Status) bool { return !st.ServiceLinkedRole }
	default:
		// enable-trusted-access is never done alone (see run); anything
		// else is a bug of the planner.
		return nil, fmt.Errorf("ipamorg: no aws call for event %s", s.Event)
	}
	applied := func(ctx context.Context) bool {
		st, err := read(ctx, prev)
		return err == nil && done(st)
	}
	if err := write(ctx, applied); err != nil {
		return nil, err
	}
	return c.waitFor(ctx, prev, read, done)
}

func (c *Client) enableAdmin(ctx context.Context, account string, applied func(context.Context) bool) error {
	out, answered, err := callWrite(ctx, c, "ec2:EnableIpamOrganizationAdminAccount", applied, func(ctx context.Context) (*ec2.EnableIpamOrganizationAdminAccountOutput, error) {
		return c.aws.EC2.EnableIpamOrganizationAdminAccount(ctx, &ec2.EnableIpamOrganizationAdminAccountInput{DelegatedAdminAccountId: aws.String(account)})
	})
	switch {
	case err != nil && errorCode(err) == codeInvalidParameterValue:
		// EC2's answer when the target is unusable, most often the
		// management account; the guard catches that case first, so this
		// is a race or an account EC2 rejects for its own reasons.
		return &Error{Kind: ErrManagementAccountAsDelegate, Err: err}
	case err != nil:
		return err
	case answered && !aws.ToBool(out.Success):
		return errors.New("ec2:EnableIpamOrganizationAdminAccount returned Success=false")
	}
	return nil
}

func (c *Client) disableAdmin(ctx context.Context, account string, applied func(context.Context) bool) error {
	out, answered, err := callWrite(ctx, c, "ec2:DisableIpamOrganizationAdminAccount", applied, func(ctx context.Context) (*ec2.DisableIpamOrganizationAdminAccountOutput, error) {
		return c.aws.EC2.DisableIpamOrganizationAdminAccount(ctx, &ec2.DisableIpamOrganizationAdminAccountInput{DelegatedAdminAccountId: aws.String(account)})
	})
	switch {
	case err != nil && errorCode(err) == codeIpamAccountNotRegistered:
		// Already removed, by us on an earlier attempt or by someone else.
		return nil
	case err != nil:
		return err
	case answered && !aws.ToBool(out.Success):
		return errors.New("ec2:DisableIpamOrganizationAdminAccount returned Success=false")
	}
	return nil
}

func (c *Client) disableTrustedAccess(ctx context.Context, applied func(context.Context) bool) error {
	_, _, err := callWrite(ctx, c, "organizations:DisableAWSServiceAccess", applied, func(ctx context.Context) (*organizations.DisableAWSServiceAccessOutput, error) {
		return c.aws.Organizations.DisableAWSServiceAccess(ctx, &organizations.DisableAWSServiceAccessInput{ServicePrincipal: aws.String(servicePrincipal)})
	})
	return err
}

// deleteServiceLinkedRole deletes AWSServiceRoleForIPAM and polls IAM's
// deletion task, which is asynchronous, until it succeeds or fails.
func (c *Client) deleteServiceLinkedRole(ctx context.Context, applied func(context.Context) bool) error {
	out, answered, err := callWrite(ctx, c, "iam:DeleteServiceLinkedRole", applied, func(ctx context.Context) (*iam.DeleteServiceLinkedRoleOutput, error) {
		return c.aws.IAM.DeleteServiceLinkedRole(ctx, &iam.DeleteServiceLinkedRoleInput{RoleName: aws.String(roleName)})
	})
	switch {
	case err != nil && errorCode(err) == codeNoSuchEntity:
		return nil // already gone
	case err != nil:
		return err
	case !answered:
		// The answer, and with it the deletion task's id, was lost, but
		// the role is already gone: the task succeeded.
		return nil
	}
	task := out.DeletionTaskId
	var failed *iam.GetServiceLinkedRoleDeletionStatusOutput
	err = c.poll(ctx, func(ctx context.Context) (bool, error) {
		st, err := call(ctx, c, "iam:GetServiceLinkedRoleDeletionStatus", func(ctx context.Context) (*iam.GetServiceLinkedRoleDeletionStatusOutput, error) {
			return c.aws.IAM.GetServiceLinkedRoleDeletionStatus(ctx, &iam.GetServiceLinkedRoleDeletionStatusInput{DeletionTaskId: task})
		})
		if err != nil {
			return false, err
		}
		switch st.Status {
		case iamtypes.DeletionTaskStatusTypeSucceeded:
			return true, nil
		case iamtypes.DeletionTaskStatusTypeFailed:
			failed = st
			return true, nil
		}
		return false, nil
	})
	if err != nil {
		return err
	}
	if failed != nil {
		return &Error{Kind: ErrServiceLinkedRoleDeletionFailed, Err: errors.New(deletionFailure(failed.Reason))}
	}
	return nil
}

// deletionFailure renders IAM's reason for a failed deletion, including the
// regions and resources still using the role.
func deletionFailure(r *iamtypes.DeletionTaskFailureReasonType) string {
	if r == nil {
		return "no reason given"
	}
	msg := aws.ToString(r.Reason)
	if msg == "" {
		msg = "no reason given"
	}
	for _, u := range r.RoleUsageList {
		msg += fmt.Sprintf("; used in %s by %v", aws.ToString(u.Region), u.Resources)
	}
	return msg
}

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

	"github.com/ipamorg/sdk/awsclient"
	"github.com/ipamorg/sdk/internal/awscall"
)

// The writes of the table's rows (events.go). Each returns nil when the
// change is made (or was already made), an *awscall.MaybeApplied
// when the change may have been made without an answer saying so, and any
// other error when it was not made.

func enableAdmin(ctx context.Context, c *Client, s Step, applied func(context.Context) bool) error {
	_, _, err := awscall.CallWrite(ctx, c.calls, s.Action, applied, func(ctx context.Context) (*ec2.EnableIpamOrganizationAdminAccountOutput, error) {
		out, err := c.aws.EC2.EnableIpamOrganizationAdminAccount(ctx, &ec2.EnableIpamOrganizationAdminAccountInput{DelegatedAdminAccountId: aws.String(s.Account)}, c.calls.EC2)
		if err != nil || out == nil {
			return out, err
		}
		return out, checkSuccess(s.Action, out.Success)
	})
	return err
}

func disableAdmin(ctx context.Context, c *Client, s Step, applied func(context.Context) bool) error {
	_, _, err := awscall.CallWrite(ctx, c.calls, s.Action, applied, func(ctx context.Context) (*ec2.DisableIpamOrganizationAdminAccountOutput, error) {
		out, err := c.aws.EC2.DisableIpamOrganizationAdminAccount(ctx, &ec2.DisableIpamOrganizationAdminAccountInput{DelegatedAdminAccountId: aws.String(s.Account)}, c.calls.EC2)
		if err != nil || out == nil {
			return out, err
		}
		return out, checkSuccess(s.Action, out.Success)
	})
	if awscall.ErrorCode(err) == codeIpamAccountNotRegistered {
		// Already removed, by us on an earlier attempt or by someone else.
		return nil
	}
	return err
}

// checkSuccess reads the Success of an EC2 write's answer: false is AWS
// saying it did not make the change (a refusal, see awscall.Refused);
// missing is an answer outside the API's contract, after which nobody
// knows. awscall.CallWrite looks with the confirming read after either.
func checkSuccess(action string, success *bool) error {
	switch {
	case success == nil:
		return awscall.InvalidResponse(action, "no Success")
	case !*success:
		return awscall.Refused(&Error{Step: Step{Action: action}, Kind: ErrWriteFailed, Err: fmt.Errorf("%s returned Success=false", action)})
	}
	return nil
}

func disableTrustedAccess(ctx context.Context, c *Client, s Step, applied func(context.Context) bool) error {
	_, _, err := awscall.CallWrite(ctx, c.calls, s.Action, applied, func(ctx context.Context) (*organizations.DisableAWSServiceAccessOutput, error) {
		return c.aws.Organizations.DisableAWSServiceAccess(ctx, &organizations.DisableAWSServiceAccessInput{ServicePrincipal: aws.String(servicePrincipal)}, c.calls.Organizations)
	})
	return err
}

// deleteServiceLinkedRole deletes AWSServiceRoleForIPAM from the management
// account, the caller's (see deleteRole).
func deleteServiceLinkedRole(ctx context.Context, c *Client, s Step, applied func(context.Context) bool) error {
	return c.deleteRole(ctx, c.aws.IAM, applied)
}

// deleteRole deletes AWSServiceRoleForIPAM from the account client acts in
// and polls IAM's deletion task, which is asynchronous, until it succeeds
// or fails. Once IAM has accepted the deletion, a failure to learn how the
// task ended (the context, the wait's bound, a read) leaves the role
// possibly deleted; a task IAM reports as FAILED left it in place.
func (c *Client) deleteRole(ctx context.Context, client awsclient.IAMAPI, applied func(context.Context) bool) error {
	const action = "iam:DeleteServiceLinkedRole"
	out, answered, err := awscall.CallWrite(ctx, c.calls, action, applied, func(ctx context.Context) (*iam.DeleteServiceLinkedRoleOutput, error) {
		return client.DeleteServiceLinkedRole(ctx, &iam.DeleteServiceLinkedRoleInput{RoleName: aws.String(roleName)}, c.calls.IAM)
	})
	switch {
	case err != nil && awscall.ErrorCode(err) == codeNoSuchEntity:
		return nil // already gone
	case err != nil:
		return err
	case !answered:
		// The answer, and with it the deletion task's id, was lost, but
		// the role is already gone: the task succeeded.
		return nil
	case aws.ToString(out.DeletionTaskId) == "":
		return &awscall.MaybeApplied{Err: awscall.InvalidResponse(action, "no DeletionTaskId")}
	}
	const status = "iam:GetServiceLinkedRoleDeletionStatus"
	var (
		failed *iam.GetServiceLinkedRoleDeletionStatusOutput
		last   iamtypes.DeletionTaskStatusType
	)
	err = c.poll(ctx, func(ctx context.Context) (bool, error) {
		st, err := awscall.Call(ctx, c.calls, status, func(ctx context.Context) (*iam.GetServiceLinkedRoleDeletionStatusOutput, error) {
			return client.GetServiceLinkedRoleDeletionStatus(ctx, &iam.GetServiceLinkedRoleDeletionStatusInput{DeletionTaskId: out.DeletionTaskId}, c.calls.IAM)
		})
		if err != nil {
			return false, err
		}
		last = st.Status
		switch st.Status {
		case iamtypes.DeletionTaskStatusTypeSucceeded:
			return true, nil
		case iamtypes.DeletionTaskStatusTypeFailed:
			failed = st
			return true, nil
		}
		return false, nil
	})
	var timeout *Error
	switch {
	case errors.As(err, &timeout) && timeout.Kind == ErrWaitTimeout:
		// Say what the last poll read, not what the status before implies.
		shown := ""
		if last != "" {
			shown = fmt.Sprintf("%s reported the deletion task %s", status, last)
		}
		timeout.Err = lastRead(shown)
		return &awscall.MaybeApplied{Err: err}
	case err != nil:
		return &awscall.MaybeApplied{Err: err}
	case failed != nil:
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

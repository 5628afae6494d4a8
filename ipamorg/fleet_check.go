package ipamorg

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"

	"github.com/ipamorg/sdk/internal/awscall"
	"github.com/ipamorg/sdk/internal/orglist"
)

// check verifies (and repairs) one account. It reports false when ctx
// ended before the account's outcome was known.
func (v *verifier) check(ctx context.Context, t orglist.Account) (AccountCheck, bool) {
	ac := AccountCheck{AccountID: t.ID, Name: t.Name, State: t.State, Management: t.ID == v.management}
	if !t.Active {
		ac.Result = RoleSkipped
		ac.Reason = fmt.Sprintf("account state is %s", orNone(t.State))
		return ac, true
	}
	if ctx.Err() != nil {
		return ac, false
	}
	client := v.c.aws.IAM
	if t.ID != v.caller {
		var err error
		if client, err = v.c.memberIAM(ctx, v.partition, t.ID); err != nil {
			return ac, v.fail(ctx, &ac, "sts:AssumeRole", err)
		}
	}
	has := func(ctx context.Context) (bool, error) { return v.c.hasServiceLinkedRole(ctx, client) }
	present, err := has(ctx)
	switch {
	case err != nil:
		return ac, v.fail(ctx, &ac, "iam:GetRole", err)
	case present && v.o.Purge && t.ID != v.caller:
		return v.purge(ctx, client, ac)
	case present:
		ac.Result = RolePresent
		return ac, true
	}
	ac.Result = RoleMissing
	if !v.o.Repair {
		return ac, true
	}
	// A lost answer leaves unknown whether IAM created the role, and a
	// blind retry would fail because it exists: look first (awscall.CallWrite).
	applied := func(ctx context.Context) bool {
		present, err := has(ctx)
		return err == nil && present
	}
	const action = "iam:CreateServiceLinkedRole"
	_, _, err = awscall.CallWrite(ctx, v.c.calls, action, applied, func(ctx context.Context) (*iam.CreateServiceLinkedRoleOutput, error) {
		return client.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String(servicePrincipal)}, v.c.calls.IAM)
	})
	var maybe *awscall.MaybeApplied
	switch {
	case errors.As(err, &maybe):
		// No answer proved the repair refused and no read showed the
		// role: it may exist now. Saying missing would claim what
		// nobody saw; the account is unverified (Err keeps the mark).
		ac.Result = RoleError
		ac.Reason = reasonOf(action, maybe.Err) + " (sent, not confirmed: the role may exist; verify again)"
		ac.Err = &Error{Op: opVerify, Step: Step{Account: t.ID, Action: action}, Kind: classify(err), Err: err}
		return ac, true
	case err != nil && ctx.Err() != nil && awscall.IsContextErr(err):
		// ctx ended and cut the repair short: before it was sent, or in
		// the SDK's backoff after refusals. The account is left
		// unfinished rather than judged on a cut-short repair.
		return ac, false
	case err != nil:
		// AWS refused the repair: the role is still missing.
		ac.RepairError = reasonOf(action, err)
		ac.Err = &Error{Op: opVerify, Step: Step{Account: t.ID, Action: action}, Kind: classify(err), Err: err}
		return ac, true
	}
	// IAM's answer carries the new role (or, answer lost, GetRole showed
	// it): that is the confirmation. IAM is eventually consistent, so a
	// GetRole elsewhere may lag behind.
	ac.Result = RoleRepaired
	v.c.opts.Logger.InfoContext(ctx, "ipamorg: created service-linked role", "account", t.ID, "role", roleName)
	return ac, true
}

// fail records err from action on ac, mapped as every AWS error of the
// package is, and reports whether the outcome counts (false when ctx ended
// and cut the check short).
func (v *verifier) fail(ctx context.Context, ac *AccountCheck, action string, err error) bool {
	if ctx.Err() != nil && awscall.IsContextErr(err) {
		return false
	}
	kind := classify(err)
	ac.Result = RoleError
	if kind == ErrAccessDenied {
		ac.Result = RoleAccessDenied
	}
	ac.Reason = reasonOf(action, err)
	ac.Err = &Error{Op: opVerify, Step: Step{Account: ac.AccountID, Action: action}, Kind: kind, Err: err}
	v.c.opts.Logger.DebugContext(ctx, "ipamorg: account not verified", "account", ac.AccountID, "action", action, "code", awscall.ErrorCode(err))
	return true
}

// reasonOf renders err from action for people: the AWS error code and
// message when there is one, without the SDK's request details.
func reasonOf(action string, err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return fmt.Sprintf("%s: %s: %s", action, ae.ErrorCode(), ae.ErrorMessage())
	}
	return fmt.Sprintf("%s: %v", action, err)
}

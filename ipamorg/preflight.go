package ipamorg

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/aws/smithy-go"

	"github.com/ipamorg/sdk/awsclient"
	"github.com/ipamorg/sdk/internal/awscall"
)

// PermissionResult is what CheckPermissions found for one step of a plan.
// The values are stable, for scripts.
type PermissionResult string

// The results of a permission check.
const (
	// PermissionAllowed: EC2 answered the step's call, sent with DryRun,
	// with DryRunOperation: the caller may make it.
	PermissionAllowed PermissionResult = "allowed"
	// PermissionDenied: EC2 answered the dry run with
	// UnauthorizedOperation: the step would fail for want of permission.
	PermissionDenied PermissionResult = "denied"
	// PermissionInconclusive: EC2 answered the dry run with another error,
	// which says nothing about permissions; Code and Message hold it. A
	// step that depends on an earlier step of the same plan (the delegate
	// of a replacement, while the old administrator is still registered)
	// can get this, since no dry run changes anything.
	PermissionInconclusive PermissionResult = "inconclusive"
	// PermissionUnchecked: the step's call has no DryRun (only EC2's
	// have), so nothing short of making it checks it; Unverified lists
	// the IAM actions it needs.
	PermissionUnchecked PermissionResult = "unchecked"
	// PermissionNoCall: the step makes no AWS call of its own
	// (enable-trusted-access, which the delegate call after it grants).
	PermissionNoCall PermissionResult = "no-call"
)

// PermissionCheck is the permission check of one step of a plan.
type PermissionCheck struct {
	// Step is the plan's step, as Plan made it.
	Step
	Result PermissionResult `json:"result"`
	// Code and Message are AWS's answer to the dry run (e.g.
	// "DryRunOperation", "UnauthorizedOperation"), or "" when none was
	// sent.
	Code    string `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
	// Unverified are the IAM actions the step needs that the check did not
	// prove, sorted: for an unchecked step, every action of its event in
	// RequiredPermissions; for a dry-run step, the actions beyond Action
	// that AWS takes on the caller's behalf and with the caller's
	// permissions (organizations:RegisterDelegatedAdministrator and others
	// for delegate), which no dry run is documented to check. Never nil.
	Unverified []string `json:"unverified_actions"`
}

// PermissionReport is what CheckPermissions found, one check per step of
// the plan, in the plan's order.
type PermissionReport struct {
	// Checks is never nil, so it encodes as a JSON array.
	Checks []PermissionCheck `json:"checks"`
}

// Denied returns the checks whose dry run was denied, in plan order.
func (r *PermissionReport) Denied() []PermissionCheck {
	if r == nil {
		return nil
	}
	var out []PermissionCheck
	for _, c := range r.Checks {
		if c.Result == PermissionDenied {
			out = append(out, c)
		}
	}
	return out
}

// CheckPermissions checks, without changing anything, whether the caller
// may take the steps of p, which Plan made: it sends each step's EC2 call
// with DryRun set, in plan order, and reads EC2's answer (DryRunOperation:
// allowed; UnauthorizedOperation: denied). Steps whose call has no DryRun
// (Organizations, IAM) are not sent at all; their checks list the IAM
// actions they need, from RequiredPermissions, as unverified, and so do
// the EC2 steps for what AWS does with the caller's permissions. Those
// are not checked: IAM's policy simulation (iam:SimulatePrincipalPolicy)
// sees neither a session's session policy nor the root user, and needs a
// permission of its own, so the package does not use it. It makes no
// other AWS call and does not take the Client's write lock. The caller
// needs the Plan's permissions and the dry runs' EC2 actions
// (PolicyOptions.CheckOnly).
//
// It always returns a non-nil report holding the checks made so far.
// Errors are *Error: ErrInvalidDesired for a nil plan or one without a
// Status; for a dry run that did not get an AWS error answer (the
// connection failed, the context ended), the cause, with the step. A dry
// run that EC2 answers with success instead of DryRunOperation is an error
// too: the endpoint ignored DryRun, and the change may have been made.
func (c *Client) CheckPermissions(ctx context.Context, p *Plan) (*PermissionReport, error) {
	return checkPermissions(ctx, c.aws.EC2, c.opts, p)
}

// opCheckPermissions is the Op of CheckPermissions' errors.
const opCheckPermissions = "check-permissions"

// checkPermissions is CheckPermissions over api.
func checkPermissions(ctx context.Context, api awsclient.EC2API, o Options, p *Plan) (*PermissionReport, error) {
	r := &PermissionReport{Checks: []PermissionCheck{}}
	if p == nil || p.Status == nil {
		return r, &Error{Op: opCheckPermissions, Kind: ErrInvalidDesired, Err: errors.New("plan was not made by Plan")}
	}
	for _, s := range p.Steps {
		sp := specOf(s.Event)
		if sp == nil {
			return r, &Error{Op: opCheckPermissions, Step: s, Kind: ErrInvalidDesired, Err: fmt.Errorf("unknown event %q", s.Event)}
		}
		check := PermissionCheck{Step: s, Unverified: sp.unverified()}
		switch {
		case sp.action == "":
			check.Result = PermissionNoCall
		case sp.dryRun == nil:
			check.Result = PermissionUnchecked
			check.Unverified = append(check.Unverified, sp.action)
			slices.Sort(check.Unverified)
		default:
			err := sp.dryRun(ctx, api, s)
			o.Logger.DebugContext(ctx, "ipamorg: dry run", "action", s.Action, "account", s.Account, "code", awscall.ErrorCode(err))
			var ae smithy.APIError
			switch {
			case err == nil:
				return r, &Error{Op: opCheckPermissions, Step: s,
					Err: fmt.Errorf("%s answered a DryRun request with success, not DryRunOperation: the endpoint ignored DryRun and the change may have been made", s.Action)}
			case !errors.As(err, &ae):
				return r, &Error{Op: opCheckPermissions, Step: s, Err: err}
			}
			check.Code, check.Message = ae.ErrorCode(), ae.ErrorMessage()
			switch check.Code {
			case codeDryRunOperation:
				check.Result = PermissionAllowed
			case awscall.CodeUnauthorizedOperation:
				check.Result = PermissionDenied
			default:
				check.Result = PermissionInconclusive
			}
		}
		r.Checks = append(r.Checks, check)
	}
	return r, nil
}

// unverified returns the IAM actions a step of the event needs beyond its
// own action and the reads, sorted and without duplicates: what AWS does
// on the caller's behalf and with the caller's permissions
// (organizations:RegisterDelegatedAdministrator and others for delegate),
// which no dry run is documented to check. Never nil; empty for an event
// with no call of its own.
func (sp *eventSpec) unverified() []string {
	out := []string{}
	if sp.action == "" {
		return out
	}
	for _, st := range sp.policy() {
		for _, a := range st.Action {
			if a != sp.action {
				out = append(out, a)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

package ipamorg

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/ipamorg/sdk/awsclient"
	"github.com/ipamorg/sdk/fsm"
	"github.com/ipamorg/sdk/internal/awscall"
)

// eventSpec is everything the package knows about one lifecycle event: the
// one place that Plan, Apply, the guards, RequiredPermissions and the
// lifecycle machine's transitions read. Package fsm says where the event
// leads; its row here says how AWS takes it. A new event is a row in fsm's
// lifecycle table and a row in events (see docs/architecture.md).
type eventSpec struct {
	event fsm.Event
	// action is the AWS API action that takes the step, e.g.
	// "ec2:EnableIpamOrganizationAdminAccount"; "" for an event taken by
	// another's call (grantedBy).
	action string
	// grantedBy, when set, is the event whose call also takes this one: a
	// step of this event has no call of its own and must be followed by a
	// step of grantedBy, the two confirmed by that call's confirmation.
	grantedBy fsm.Event
	// account returns the account a step of the event acts on, from the
	// status the plan starts from and the desired state; nil for none.
	account func(st *Status, d Desired) string
	// guard, if set, checks before any write that the step may be taken
	// from st toward d, beyond what every plan that writes is checked for
	// (the caller is the management account, no anomaly). It may read,
	// never write; pre holds reads made alongside Observe's (observeFor).
	guard func(ctx context.Context, c *Client, st *Status, s Step, d Desired, pre *guardReads) error
	// why, if set, tells people why a plan holds the step, where its
	// event alone does not (Plan.String prints it).
	why string
	// write sends the step's call. applied reports whether reads already
	// show the step taken: awscall.CallWrite's look after any failure.
	write func(ctx context.Context, c *Client, s Step, applied func(context.Context) bool) error
	// reread re-reads the one fact the step changes into prev (see
	// rereadAdmins), and done reports whether the status it returns shows
	// the step taken: together, the step's confirmation.
	reread func(ctx context.Context, c *Client, prev *Status, s Step) (*Status, error)
	done   func(st *Status, s Step) bool
	// elsewhere, if set, reports whether the status reread returns shows
	// the organization moved where the step cannot lead: the wait then
	// stops with ErrMovedElsewhere (see waitFor).
	elsewhere func(st *Status, s Step) bool
	// shown says what reread read into the status it returned, for the
	// wait's messages: the read and its result, not a state inferred.
	shown func(st *Status) string
	// writeConfirms, if set, says that a write that returned nil has
	// confirmed the step by itself, and returns prev brought up to date
	// with what AWS answered: no re-read follows.
	writeConfirms func(prev *Status) *Status
	// dryRun, if set, sends the step's call with DryRun (only EC2's calls
	// take it), for CheckPermissions.
	dryRun func(ctx context.Context, api awsclient.EC2API, s Step) error
	// statements are the IAM statements the step's call needs beyond the
	// reads every operation makes (observeActions). An event taken by
	// another's call needs that call's.
	statements []policyStatement
	// adminStatements, if set, are what the step's guard needs of the
	// access role in the delegated administrator's account (the caller
	// then needs sts:AssumeRole on that role).
	adminStatements []policyStatement
}

// events is the table, in lifecycle order.
var events = []eventSpec{
	{
		event:     fsm.EventEnableTrustedAccess,
		grantedBy: fsm.EventDelegate,
		account:   desiredAdmin,
	},
	{
		event:   fsm.EventDelegate,
		action:  "ec2:EnableIpamOrganizationAdminAccount",
		account: desiredAdmin,
		guard:   guardDelegate,
		write:   enableAdmin,
		dryRun:  enableAdminDryRun,
		reread: func(ctx context.Context, c *Client, prev *Status, s Step) (*Status, error) {
			return c.rereadAdmins(ctx, prev, func(st *Status, admins []string) {
				if known := knownIDs(admins); len(known) == 1 && known[0] == s.Account {
					// The call that designated the administrator also
					// enabled trusted access and created
					// AWSServiceRoleForIPAM in the management account
					// (docs/aws-behaviour.md): the enable-trusted-access
					// transition is confirmed by this same read, and so
					// are these.
					st.TrustedAccess, st.ServiceLinkedRole = true, true
				}
			})
		},
		done:       func(st *Status, s Step) bool { return st.DelegatedAdmin == s.Account },
		elsewhere:  anotherAdmin,
		shown:      adminsShown,
		statements: delegateStatements,
	},
	{
		event:   fsm.EventRemoveDelegate,
		action:  "ec2:DisableIpamOrganizationAdminAccount",
		account: observedAdmin,
		guard:   guardIPAMs,
		write:   disableAdmin,
		dryRun: func(ctx context.Context, api awsclient.EC2API, s Step) error {
			_, err := api.DisableIpamOrganizationAdminAccount(ctx, &ec2.DisableIpamOrganizationAdminAccountInput{
				DelegatedAdminAccountId: aws.String(s.Account), DryRun: aws.Bool(true),
			})
			return err
		},
		reread: func(ctx context.Context, c *Client, prev *Status, _ Step) (*Status, error) {
			return c.rereadAdmins(ctx, prev, nil)
		},
		done:      func(st *Status, _ Step) bool { return len(st.admins) == 0 },
		elsewhere: anotherAdmin,
		shown:     adminsShown,
		statements: []policyStatement{{
			Sid: "IpamRemoveDelegate", Effect: "Allow", Resource: "*",
			Action: []string{
				"ec2:DisableIpamOrganizationAdminAccount",
				"organizations:DeregisterDelegatedAdministrator",
			},
		}},
		adminStatements: []policyStatement{readAdminIPAMsStatement},
	},
	{
		event:  fsm.EventDisableTrustedAccess,
		action: "organizations:DisableAWSServiceAccess",
		write:  disableTrustedAccess,
		reread: func(ctx context.Context, c *Client, prev *Status, _ Step) (*Status, error) {
			return c.rereadTrustedAccess(ctx, prev)
		},
		done:  func(st *Status, _ Step) bool { return !st.TrustedAccess },
		shown: trustedAccessShown,
		statements: []policyStatement{{
			Sid: "IpamDisableTrustedAccess", Effect: "Allow", Resource: "*",
			Action: []string{"organizations:DisableAWSServiceAccess"},
		}},
	},
	{
		event:  fsm.EventDeleteServiceLinkedRole,
		action: "iam:DeleteServiceLinkedRole",
		write:  deleteServiceLinkedRole,
		reread: func(ctx context.Context, c *Client, prev *Status, _ Step) (*Status, error) {
			return c.rereadServiceLinkedRole(ctx, prev)
		},
		done:  func(st *Status, _ Step) bool { return !st.ServiceLinkedRole },
		shown: roleShown,
		// deleteRole returns nil only when IAM said the role is gone: its
		// deletion task SUCCEEDED (iam:GetServiceLinkedRoleDeletionStatus,
		// which reports on the same view of the account as iam:GetRole),
		// or the deletion answered NoSuchEntity, or, the answer lost,
		// iam:GetRole showed it gone. Reading it again would tell nothing
		// new.
		writeConfirms: func(prev *Status) *Status {
			st := *prev
			st.ServiceLinkedRole = false
			st.settle(prev.admins)
			return &st
		},
		statements: []policyStatement{deleteServiceLinkedRoleStatement},
	},
	{
		// The planner takes it, from delegated to the same administrator,
		// when Observe warns of the wrong enable path (planSteps).
		event:   fsm.EventRepairDelegation,
		action:  "ec2:EnableIpamOrganizationAdminAccount",
		account: observedAdmin,
		guard:   guardDelegate,
		why: "trusted access and the administrator were registered through AWS Organizations, which creates no AWSServiceRoleForIPAM, " +
			"so IPAM cannot monitor the accounts; enabling the same administrator through IPAM creates the roles without removing it",
		write:  enableAdmin,
		dryRun: enableAdminDryRun,
		// The role in the management account is the one fact the call
		// changes there; its members' roles follow (see Monitoring).
		reread: func(ctx context.Context, c *Client, prev *Status, _ Step) (*Status, error) {
			return c.rereadServiceLinkedRole(ctx, prev)
		},
		done:  func(st *Status, _ Step) bool { return st.ServiceLinkedRole },
		shown: roleShown,
		// The same call as delegate's, with the same permissions.
		statements: delegateStatements,
	},
}

// delegateStatements are what ec2:EnableIpamOrganizationAdminAccount needs.
var delegateStatements = []policyStatement{
	{
		Sid: "IpamDelegate", Effect: "Allow", Resource: "*",
		// EC2 calls the two Organizations actions on the caller's
		// behalf, with the caller's permissions: the library never
		// calls organizations:EnableAWSServiceAccess itself.
		Action: []string{
			"ec2:EnableIpamOrganizationAdminAccount",
			"organizations:EnableAWSServiceAccess",
			"organizations:RegisterDelegatedAdministrator",
		},
	},
	createServiceLinkedRoleStatement,
}

// enableAdminDryRun sends ec2:EnableIpamOrganizationAdminAccount for the
// step's account with DryRun.
func enableAdminDryRun(ctx context.Context, api awsclient.EC2API, s Step) error {
	_, err := api.EnableIpamOrganizationAdminAccount(ctx, &ec2.EnableIpamOrganizationAdminAccountInput{
		DelegatedAdminAccountId: aws.String(s.Account), DryRun: aws.Bool(true),
	})
	return err
}

// createServiceLinkedRoleStatement allows creating AWSServiceRoleForIPAM,
// and no other service-linked role: delegating needs it (EC2 creates the
// role with the caller's permissions), and so does the fleet's repair.
var createServiceLinkedRoleStatement = policyStatement{
	Sid: "IpamCreateServiceLinkedRole", Effect: "Allow", Resource: roleARNPattern,
	Action:    []string{"iam:CreateServiceLinkedRole"},
	Condition: map[string]map[string]string{"StringEquals": {"iam:AWSServiceName": servicePrincipal}},
}

// deleteServiceLinkedRoleStatement allows deleting AWSServiceRoleForIPAM
// and following the deletion task: the last step of a teardown, and the
// fleet's purge.
var deleteServiceLinkedRoleStatement = policyStatement{
	Sid: "IpamDeleteServiceLinkedRole", Effect: "Allow", Resource: roleARNPattern,
	Action: []string{"iam:DeleteServiceLinkedRole", "iam:GetServiceLinkedRoleDeletionStatus"},
	// A plan may delete the role where it is already gone (a teardown of
	// a delegation made through Organizations), which IAM authorizes on
	// the ARN without its path.
	alsoResources: []string{roleARNNoPath},
}

// anotherAdmin reports whether st lists an administrator other than the
// step's account: delegating the step's account cannot lead anywhere then
// (AWS allows one administrator), nor can removing it lead to none.
func anotherAdmin(st *Status, s Step) bool {
	for _, id := range knownIDs(st.admins) {
		if id != s.Account {
			return true
		}
	}
	return false
}

func desiredAdmin(_ *Status, d Desired) string { return d.DelegatedAdmin }

func observedAdmin(st *Status, _ Desired) string { return st.DelegatedAdmin }

// specOf returns the row of ev, or nil for an event the table lacks (one
// fsm does not know either: a test keeps the two tables equal).
func specOf(ev fsm.Event) *eventSpec {
	for i := range events {
		if events[i].event == ev {
			return &events[i]
		}
	}
	return nil
}

// policy returns the statements a step of the event needs: its own, or
// those of the event whose call takes it.
func (sp *eventSpec) policy() []policyStatement {
	if sp.grantedBy != "" {
		return specOf(sp.grantedBy).policy()
	}
	return sp.statements
}

// take performs the AWS call of step s, taken from prev (the status last
// observed), and waits until a read confirms it, returning the status that
// did: prev brought up to date with what that read found. sent reports
// whether the call was answered with success or may have been applied
// (see awscall.MaybeApplied): a failure after it leaves the step unconfirmed, not
// "not done". Each call is idempotent against the state it leads to, so a
// step that AWS had already taken is not an error; and when a call fails
// (see awscall.CallWrite), a read that already shows the step's result
// counts as the answer. A wait that reads the organization moved where
// the step cannot lead ends it with ErrMovedElsewhere (see waitFor).
func (c *Client) take(ctx context.Context, prev *Status, s Step) (confirmed *Status, sent bool, err error) {
	sp := specOf(s.Event)
	if sp == nil || sp.write == nil {
		// An event taken by another's call is never taken alone (see
		// groupAt); anything else is a bug of the planner.
		return nil, false, fmt.Errorf("ipamorg: no aws call for event %s", s.Event)
	}
	c.opts.Logger.InfoContext(ctx, "ipamorg: write", "event", s.Event, "action", s.Action, "account", s.Account)
	reread := func(ctx context.Context, prev *Status) (*Status, error) { return sp.reread(ctx, c, prev, s) }
	done := func(st *Status) bool { return sp.done(st, s) }
	applied := func(ctx context.Context) bool {
		st, err := reread(ctx, prev)
		return err == nil && done(st)
	}
	if err := sp.write(ctx, c, s, applied); err != nil {
		if m, ok := err.(*awscall.MaybeApplied); ok {
			return nil, true, m.Err
		}
		return nil, false, err
	}
	if sp.writeConfirms != nil {
		return sp.writeConfirms(prev), true, nil
	}
	cf := confirmation{read: reread, done: done, shown: sp.shown}
	if sp.elsewhere != nil {
		cf.elsewhere = func(st *Status) bool { return sp.elsewhere(st, s) }
	}
	st, err := c.waitFor(ctx, prev, cf)
	return st, true, err
}

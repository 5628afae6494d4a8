package ipamorg

import (
	"context"
	"fmt"
	"strings"

	"github.com/ipamorg/sdk/fsm"
)

// Desired is where the caller wants the organization to be.
type Desired struct {
	// State is the lifecycle state to reach. Reaching trusted or disabled
	// from none or disabled would need trusted access without an
	// administrator, which IPAM cannot grant: Plan refuses it with
	// ErrTrustedAccessRequiresDelegation.
	State fsm.State `json:"state"`
	// DelegatedAdmin is the account to be IPAM's delegated administrator.
	// Required (12 digits) when State is delegated, and must be empty
	// otherwise.
	DelegatedAdmin string `json:"delegated_admin,omitempty"`
	// AllowReplace permits replacing another delegated administrator
	// (remove-delegate, then delegate), which interrupts IPAM for the
	// whole organization. Without it, Plan fails with
	// ErrDelegatedAdminConflict.
	AllowReplace bool `json:"allow_replace,omitempty"`
}

// Plan is what Apply will do: the steps from the observed status to the
// desired state. Plans are values; Apply refuses one that AWS has overtaken
// (ErrStalePlan).
type Plan struct {
	// Status is the observed status the plan was made from.
	Status *Status `json:"status"`
	// Desired is what the plan was made for.
	Desired Desired `json:"desired"`
	// Steps are the lifecycle steps, in order; none when the organization
	// is already where it should be.
	Steps []Step `json:"steps"`
}

// Step is one lifecycle transition of a Plan.
type Step struct {
	Event fsm.Event `json:"event"`
	From  fsm.State `json:"from"`
	To    fsm.State `json:"to"`
	// Action is the AWS API action the step calls, e.g.
	// "ec2:EnableIpamOrganizationAdminAccount". It is "" for
	// enable-trusted-access, which the next step's call (delegate) grants.
	Action string `json:"action"`
	// Account is the delegated administrator the step designates or
	// removes, or "".
	Account string `json:"account,omitempty"`
}

// Empty reports whether the plan has no steps: the organization already is
// where it should be.
func (p *Plan) Empty() bool { return p == nil || len(p.Steps) == 0 }

// Events returns the plan's events, in order.
func (p *Plan) Events() []fsm.Event {
	if p == nil {
		return nil
	}
	events := make([]fsm.Event, len(p.Steps))
	for i, s := range p.Steps {
		events[i] = s.Event
	}
	return events
}

// String renders the plan for people, in the manner of a Terraform plan.
func (p *Plan) String() string {
	if p == nil {
		return "no plan"
	}
	var b strings.Builder
	if p.Status != nil {
		fmt.Fprintf(&b, "IPAM organization integration: %s", p.Status.State)
		if p.Status.DelegatedAdmin != "" {
			fmt.Fprintf(&b, " (delegated admin %s)", p.Status.DelegatedAdmin)
		}
		fmt.Fprintf(&b, " -> %s", p.Desired.State)
		if p.Desired.DelegatedAdmin != "" {
			fmt.Fprintf(&b, " (delegated admin %s)", p.Desired.DelegatedAdmin)
		}
		b.WriteString("\n")
		for _, w := range p.Status.Warnings {
			fmt.Fprintf(&b, "  ! warning: %s\n", w)
		}
	}
	if p.Empty() {
		b.WriteString("\nNo changes. The organization matches the desired state.\n")
		return b.String()
	}
	b.WriteString("\n")
	for i, s := range p.Steps {
		fmt.Fprintf(&b, "  %d. %-28s %s -> %s\n", i+1, s.Event, s.From, s.To)
		if s.Action != "" {
			fmt.Fprintf(&b, "       call     %s\n", s.Action)
		} else {
			b.WriteString("       call     (none: granted by the next step's call)\n")
		}
		if s.Account != "" {
			fmt.Fprintf(&b, "       account  %s\n", s.Account)
		}
	}
	fmt.Fprintf(&b, "\nPlan: %d step(s).\n", len(p.Steps))
	return b.String()
}

// Plan observes the organization and returns the steps that lead from where
// it stands to d. It writes nothing; its guards (see guards) have run, so a
// plan it returns passed them at the time.
//
// Errors are *Error: ErrInvalidDesired or ErrInvalidAccountID for a
// malformed d (before any AWS call), ErrDelegatedAdminConflict,
// ErrTrustedAccessRequiresDelegation, the guards' sentinels, or an AWS
// error from Observe.
func (c *Client) Plan(ctx context.Context, d Desired) (*Plan, error) {
	p, err := c.plan(ctx, d)
	if err != nil {
		return nil, asError("plan", err)
	}
	return p, nil
}

// plan is Plan with raw errors. On failure after observing, it returns the
// plan as far as it got, for its Status and Steps.
func (c *Client) plan(ctx context.Context, d Desired) (*Plan, error) {
	if err := d.validate(); err != nil {
		return nil, err
	}
	st, err := c.observe(ctx)
	if err != nil {
		return nil, err
	}
	p := &Plan{Status: st, Desired: d}
	// Before planning, not only before writing: a member account's reads
	// are partial (it sees none where IPAM is integrated), so an empty plan
	// made from them would report convergence that nobody checked.
	if err := guardManagement(st); err != nil {
		return p, err
	}
	if p.Steps, err = planSteps(st, d); err != nil {
		return p, err
	}
	if err := c.guard(ctx, st, p.Steps); err != nil {
		return p, err
	}
	return p, nil
}

// validate checks d on its own, before any AWS call.
func (d Desired) validate() error {
	switch {
	case !d.State.Valid():
		return &Error{Kind: ErrInvalidDesired, Err: fmt.Errorf("unknown state %q", d.State)}
	case d.State == fsm.StateDelegated && d.DelegatedAdmin == "":
		return &Error{Kind: ErrInvalidDesired, Err: fmt.Errorf("state %s needs a delegated admin", d.State)}
	case d.State != fsm.StateDelegated && d.DelegatedAdmin != "":
		return &Error{Kind: ErrInvalidDesired, Err: fmt.Errorf("state %s has no delegated admin, got %s", d.State, d.DelegatedAdmin)}
	case d.State == fsm.StateDelegated:
		return validateAccountID(d.DelegatedAdmin)
	}
	return nil
}

// planSteps is the planner proper: it turns the lifecycle path from st to
// d into steps, refusing the moves IPAM's APIs cannot make.
func planSteps(st *Status, d Desired) ([]Step, error) {
	if d.State == fsm.StateDelegated && st.State == fsm.StateDelegated {
		switch {
		case st.DelegatedAdmin == d.DelegatedAdmin:
			return []Step{}, nil
		case !d.AllowReplace:
			return nil, &Error{Kind: ErrDelegatedAdminConflict, Account: d.DelegatedAdmin,
				Err: fmt.Errorf("account %s is the delegated admin; set AllowReplace to replace it", st.DelegatedAdmin)}
		}
		return []Step{
			newStep(fsm.EventRemoveDelegate, fsm.StateDelegated, st.DelegatedAdmin),
			newStep(fsm.EventDelegate, fsm.StateTrusted, d.DelegatedAdmin),
		}, nil
	}
	events, err := fsm.Path(st.State, d.State)
	if err != nil {
		return nil, &Error{Kind: ErrInvalidDesired, Err: err}
	}
	return stepsFor(st, events, d.DelegatedAdmin)
}

// stepsFor turns events, starting from st.State, into steps. admin is the
// account delegate steps designate.
func stepsFor(st *Status, events []fsm.Event, admin string) ([]Step, error) {
	steps := make([]Step, 0, len(events))
	from := st.State
	for i, ev := range events {
		// enable-trusted-access has no call of its own: only a delegate
		// right after it can grant it.
		if ev == fsm.EventEnableTrustedAccess && (i+1 == len(events) || events[i+1] != fsm.EventDelegate) {
			return nil, &Error{Kind: ErrTrustedAccessRequiresDelegation, Event: ev, From: from, To: fsm.StateTrusted}
		}
		account := ""
		switch ev {
		case fsm.EventEnableTrustedAccess, fsm.EventDelegate:
			account = admin
		case fsm.EventRemoveDelegate:
			account = st.DelegatedAdmin
		}
		s := newStep(ev, from, account)
		steps = append(steps, s)
		from = s.To
	}
	return steps, nil
}

// newStep returns the step for ev from from. ev must be allowed in from.
func newStep(ev fsm.Event, from fsm.State, account string) Step {
	to, _ := fsm.Target(from, ev)
	return Step{Event: ev, From: from, To: to, Action: actionOf(ev), Account: account}
}

// actionOf returns the AWS action that performs ev.
func actionOf(ev fsm.Event) string {
	switch ev {
	case fsm.EventDelegate:
		return "ec2:EnableIpamOrganizationAdminAccount"
	case fsm.EventRemoveDelegate:
		return "ec2:DisableIpamOrganizationAdminAccount"
	case fsm.EventDisableTrustedAccess:
		return "organizations:DisableAWSServiceAccess"
	case fsm.EventDeleteServiceLinkedRole:
		return "iam:DeleteServiceLinkedRole"
	}
	return ""
}

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
	// AllowIPAMResources lets a plan remove the delegated administrator
	// (teardown, disabled, trusted, or a replacement) while it still owns
	// IPAMs, or when they cannot be read. Without it, every step that
	// removes the administrator is guarded: it reads the administrator's
	// IPAMs first (through Options.AccessRole), and refuses with
	// ErrIPAMResourcesExist, naming each IPAM and how to delete it, or
	// with ErrAdminUnreachable. AWS's teardown order deletes the IPAMs
	// first; the library never deletes one.
	AllowIPAMResources bool `json:"allow_ipam_resources,omitempty"`
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

// Step is one lifecycle transition of a Plan. Transition and Error embed
// it.
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
	return Events(p.Steps)
}

// Events returns the events of steps, in order: of a plan's Steps, of a
// Result's Transitions, or of the transitions Options.OnTransition was
// told of.
func Events[S interface{ step() Step }](steps []S) []fsm.Event {
	events := make([]fsm.Event, len(steps))
	for i, s := range steps {
		events[i] = s.step().Event
	}
	return events
}

// step is s, for Events (Transition has it through Step).
func (s Step) step() Step { return s }

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
			fmt.Fprintf(&b, "  ! warning: %s\n", w.Message)
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
		if sp := specOf(s.Event); sp != nil && sp.why != "" {
			fmt.Fprintf(&b, "       why      %s\n", sp.why)
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
// malformed d (before any AWS call), ErrNotManagementAccount, ErrAnomaly
// when the organization shows what AWS should not (see Status.Anomalies),
// ErrDelegatedAdminConflict, ErrTrustedAccessRequiresDelegation, the
// steps' guards' sentinels, or an error from Observe; after observing,
// the *Error's Last is the status observed. A plan toward a delegation
// reads the account to delegate to (organizations:DescribeAccount, which
// its guard needs) at the same time as Observe's reads.
func (c *Client) Plan(ctx context.Context, d Desired) (*Plan, error) {
	if err := d.validate(); err != nil {
		return nil, asError("plan", err)
	}
	p, err := c.plan(ctx, d)
	if err != nil {
		e := asError("plan", err)
		if e.Last == nil && p != nil {
			e.Last = p.Status
		}
		return nil, e
	}
	return p, nil
}

// plan is Plan with raw errors, toward d, which the caller validated. On
// failure after observing, it returns the plan as far as it got, for its
// Status and Steps.
func (c *Client) plan(ctx context.Context, d Desired) (*Plan, error) {
	st, pre, err := c.observeFor(ctx, d)
	if err != nil {
		return nil, err
	}
	return c.planFrom(ctx, st, d, pre)
}

// PlanFrom is Plan from st, a status that Observe returned, without
// observing again: for a caller that reads the status first to decide
// where to go. Its guards run as Plan's do, reading what they need
// (organizations:DescribeAccount for a delegation, the administrator's
// IPAMs before removing it) after st was read. Apply still checks the
// plan against a fresh observation. Errors are Plan's; a nil st is
// ErrInvalidDesired.
func (c *Client) PlanFrom(ctx context.Context, st *Status, d Desired) (*Plan, error) {
	if err := d.validate(); err != nil {
		return nil, asError("plan", err)
	}
	if st == nil {
		return nil, asError("plan", &Error{Kind: ErrInvalidDesired, Err: fmt.Errorf("no status to plan from")})
	}
	p, err := c.planFrom(ctx, st, d, nil)
	if err != nil {
		return nil, asError("plan", err)
	}
	return p, nil
}

// planFrom plans toward d, validated, from st, observed with the guard
// reads pre (nil for none): it checks st (guardStatus), finds the steps and
// runs their guards. On failure it returns the plan as far as it got.
func (c *Client) planFrom(ctx context.Context, st *Status, d Desired, pre *guardReads) (*Plan, error) {
	var err error
	p := &Plan{Status: st, Desired: d}
	// Before planning, not only before writing: a member account's reads
	// are partial, and an anomalous status is no ground for any claim, so
	// an empty plan made from either would report convergence that nobody
	// checked.
	if err := guardStatus(st); err != nil {
		return p, err
	}
	if p.Steps, err = planSteps(st, d); err != nil {
		return p, err
	}
	if err := c.guardSteps(ctx, st, p.Steps, d, pre); err != nil {
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
// d into steps, refusing the moves IPAM's APIs cannot make. From delegated
// to delegated, where Path finds nothing to do, two moves are not the
// shortest path: replacing the administrator, and repairing a delegation
// made through Organizations (see fsm.EventRepairDelegation).
func planSteps(st *Status, d Desired) ([]Step, error) {
	if d.State == fsm.StateDelegated && st.State == fsm.StateDelegated {
		switch {
		case st.DelegatedAdmin == d.DelegatedAdmin && st.wrongPath():
			return stepsFor(st, []fsm.Event{fsm.EventRepairDelegation}, d)
		case st.DelegatedAdmin == d.DelegatedAdmin:
			return []Step{}, nil
		case !d.AllowReplace:
			return nil, &Error{Kind: ErrDelegatedAdminConflict, Step: Step{Account: d.DelegatedAdmin}, Last: st,
				Err: fmt.Errorf("account %s is the delegated admin; set AllowReplace to replace it", orNone(st.DelegatedAdmin))}
		}
		return stepsFor(st, []fsm.Event{fsm.EventRemoveDelegate, fsm.EventDelegate}, d)
	}
	events, err := fsm.Path(st.State, d.State)
	if err != nil {
		return nil, &Error{Kind: ErrInvalidDesired, Err: err}
	}
	return stepsFor(st, events, d)
}

// stepsFor turns events, starting from st.State, into steps toward d, each
// naming its action and account as its row in the table says.
func stepsFor(st *Status, events []fsm.Event, d Desired) ([]Step, error) {
	steps := make([]Step, 0, len(events))
	from := st.State
	for _, ev := range events {
		sp := specOf(ev)
		to, ok := fsm.Target(from, ev)
		if sp == nil || !ok {
			return nil, &Error{Kind: ErrInvalidDesired, Step: Step{Event: ev, From: from}, Err: &fsm.TransitionError{Event: ev, State: from}}
		}
		s := Step{Event: ev, From: from, To: to, Action: sp.action}
		if sp.account != nil {
			s.Account = sp.account(st, d)
		}
		steps = append(steps, s)
		from = to
	}
	if err := checkChain(steps); err != nil {
		return nil, err
	}
	return steps, nil
}

// checkChain refuses steps where an event that another's call takes (see
// eventSpec.grantedBy) is not followed by that event: trusted access
// without a delegation, which IPAM cannot grant.
func checkChain(steps []Step) error {
	for i, s := range steps {
		sp := specOf(s.Event)
		if sp == nil || sp.grantedBy == "" {
			continue
		}
		if i+1 == len(steps) || steps[i+1].Event != sp.grantedBy {
			return &Error{Kind: ErrTrustedAccessRequiresDelegation, Step: s}
		}
	}
	return nil
}

// groupAt returns the steps from i that one AWS call takes: steps[i] alone,
// or, for an event that another's call takes, it and the step after it
// (checkChain guarantees there is one).
func groupAt(steps []Step, i int) []Step {
	if sp := specOf(steps[i].Event); sp != nil && sp.grantedBy != "" && i+1 < len(steps) {
		return steps[i : i+2]
	}
	return steps[i : i+1]
}

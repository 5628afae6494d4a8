package ipamorg

import (
	"context"
	"fmt"
	"time"

	"github.com/ipamorg/sdk/fsm"
)

// Transition is one lifecycle step that AWS confirmed.
type Transition struct {
	Event fsm.Event `json:"event"`
	From  fsm.State `json:"from"`
	To    fsm.State `json:"to"`
	// Account is the delegated administrator the step designated or
	// removed, or "".
	Account string `json:"account,omitempty"`
	// Action is the AWS action called, or "" for enable-trusted-access,
	// which the delegate step's call grants.
	Action string `json:"action"`
	// At is when the step's AWS call started.
	At time.Time `json:"at"`
	// Duration runs from the start of the AWS call to the read that
	// confirmed it. It is 0 for enable-trusted-access: the time of the
	// shared call is the delegate transition's.
	Duration time.Duration `json:"duration"`
}

// Result is what a writing method did.
type Result struct {
	// Status is the last status observed: after the last confirmed step,
	// or before the first one. It may be nil when even the first read
	// failed.
	//
	// Before the first step it is what Observe read. A step's
	// confirmation re-reads only the fact the step changes
	// (organizations:ListDelegatedAdministrators for delegate and
	// remove-delegate, organizations:ListAWSServiceAccessForOrganization
	// for disable-trusted-access, iam:GetRole for
	// delete-service-linked-role), so after a step Status is the status
	// before it with that fact as the confirming read found it, State and
	// Warnings recomputed as Observe would, and every other field as last
	// observed. A delegate step also sets TrustedAccess and
	// ServiceLinkedRole: its one call grants both, and its confirmation
	// confirms enable-trusted-access too. Call Observe for a fresh read of
	// everything.
	Status *Status `json:"status"`
	// Transitions are the steps AWS confirmed, in order; empty (not nil)
	// when nothing was done.
	Transitions []Transition `json:"transitions"`
}

// Apply carries out p, which Plan made. It re-observes the organization
// first and, if the state or the delegated administrator changed since the
// plan, fails with ErrStalePlan before writing anything. It then runs the
// guards again and, step by step: makes the AWS call (retried as
// RetryOptions allow), waits until a read confirms it (WaitOptions), and
// reports the transition to Options.OnTransition. An enable-trusted-access
// step and the delegate step after it are one AWS call and two
// transitions.
//
// Apply always returns a non-nil Result holding the transitions that were
// confirmed. On failure the *Error's Done and NotDone list the steps done
// and not done. Writes are serialised per Client.
func (c *Client) Apply(ctx context.Context, p *Plan) (*Result, error) {
	const op = "apply"
	res := &Result{Transitions: []Transition{}}
	if p == nil || p.Status == nil {
		return res, &Error{Op: op, Kind: ErrInvalidDesired, Err: fmt.Errorf("plan was not made by Plan")}
	}
	if err := checkSteps(p.Status.State, p.Steps); err != nil {
		return res, asError(op, err)
	}
	if err := c.writeMu.lock(ctx); err != nil {
		return res, &Error{Op: op, Err: err, NotDone: p.Events()}
	}
	defer c.writeMu.Unlock()

	st, err := c.observe(ctx)
	if err != nil {
		e := asError(op, err)
		e.NotDone = p.Events()
		return res, e
	}
	res.Status = st
	if st.State != p.Status.State || st.DelegatedAdmin != p.Status.DelegatedAdmin {
		return res, &Error{Op: op, Kind: ErrStalePlan, Last: st, NotDone: p.Events(),
			Err: fmt.Errorf("planned from %s (admin %q), now %s (admin %q)", p.Status.State, p.Status.DelegatedAdmin, st.State, st.DelegatedAdmin)}
	}
	return c.run(ctx, op, st, p.Steps, true)
}

// Reconcile moves the organization to d: Plan and Apply as one operation,
// under the Client's write lock, so that it acts on what it just observed.
// It is level-based and idempotent: run again, it finds nothing to do and
// writes nothing. Errors and Result are as for Plan and Apply.
func (c *Client) Reconcile(ctx context.Context, d Desired) (*Result, error) {
	const op = "reconcile"
	res := &Result{Transitions: []Transition{}}
	if err := d.validate(); err != nil {
		return res, asError(op, err)
	}
	if err := c.writeMu.lock(ctx); err != nil {
		return res, &Error{Op: op, Err: err}
	}
	defer c.writeMu.Unlock()

	p, err := c.plan(ctx, d)
	if err != nil {
		e := asError(op, err)
		if p != nil {
			res.Status = p.Status
			e.NotDone = p.Events()
		}
		return res, e
	}
	// plan ran the guards on this very status.
	return c.run(ctx, op, p.Status, p.Steps, false)
}

// checkSteps rejects a plan whose steps do not chain through the lifecycle
// from from, or that enables trusted access without delegating: a plan
// built or edited by hand.
func checkSteps(from fsm.State, steps []Step) error {
	for i, s := range steps {
		to, ok := fsm.Target(from, s.Event)
		if s.From != from || !ok || s.To != to {
			return &Error{Kind: ErrInvalidDesired, Event: s.Event, From: s.From, To: s.To,
				Err: &fsm.TransitionError{Event: s.Event, State: from}}
		}
		if s.Event == fsm.EventEnableTrustedAccess && (i+1 == len(steps) || steps[i+1].Event != fsm.EventDelegate) {
			return &Error{Kind: ErrTrustedAccessRequiresDelegation, Event: s.Event, From: s.From, To: s.To}
		}
		from = to
	}
	return nil
}

// run takes steps from st, which was just observed, with the write lock
// held. guard says whether the guards still have to run.
func (c *Client) run(ctx context.Context, op string, st *Status, steps []Step, guard bool) (*Result, error) {
	res := &Result{Status: st, Transitions: []Transition{}}
	events := make([]fsm.Event, len(steps))
	for i, s := range steps {
		events[i] = s.Event
	}
	if guard {
		if err := c.guard(ctx, st, steps); err != nil {
			e := asError(op, err)
			e.NotDone = events
			return res, e
		}
	}

	m := fsm.New(st.State)
	for i := 0; i < len(steps); i++ {
		group := steps[i : i+1]
		if steps[i].Event == fsm.EventEnableTrustedAccess {
			// Granted by the delegate call that follows it (checkSteps
			// and the planner guarantee there is one).
			group = steps[i : i+2]
		}
		acting := group[len(group)-1]

		start := time.Now()
		confirmed, err := c.do(ctx, res.Status, acting)
		if confirmed != nil {
			res.Status = confirmed
		}
		if err != nil {
			e := asError(op, err)
			e.Event, e.From, e.To, e.Account, e.Action = acting.Event, acting.From, acting.To, acting.Account, acting.Action
			e.Done, e.NotDone = events[:i], events[i:]
			if e.Last == nil {
				e.Last = res.Status
			}
			return res, e
		}
		took := time.Since(start)

		for _, s := range group {
			// Bookkeeping for a change AWS already confirmed: a context
			// cancelled by now must not make us forget it.
			if err := m.Fire(context.WithoutCancel(ctx), s.Event); err != nil {
				return res, &Error{Op: op, Event: s.Event, From: s.From, To: s.To, Err: err,
					Done: events[:i], NotDone: events[i:], Last: res.Status}
			}
			t := Transition{Event: s.Event, From: s.From, To: s.To, Account: s.Account, Action: s.Action, At: start}
			if s.Event == acting.Event {
				t.Duration = took
			}
			res.Transitions = append(res.Transitions, t)
			c.opts.Logger.InfoContext(ctx, "ipamorg: transition", "event", s.Event, "from", s.From, "to", s.To, "account", s.Account, "duration", t.Duration)
			if c.opts.OnTransition != nil {
				c.opts.OnTransition(t)
			}
			i++
		}
		i-- // the loop's own increment
	}
	return res, nil
}

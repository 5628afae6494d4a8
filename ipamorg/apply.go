package ipamorg

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/ipamorg/sdk/fsm"
)

// Transition is one lifecycle step that AWS confirmed: the Step (its event,
// states, AWS action and account) and when and how long. In JSON the Step's
// fields come first, then "at" and "duration_ms" (integer milliseconds).
type Transition struct {
	Step
	// At is when the step's AWS call started.
	At time.Time `json:"at"`
	// Duration runs from the start of the AWS call to the read that
	// confirmed it. It is 0 for enable-trusted-access: the time of the
	// shared call is the delegate transition's.
	Duration time.Duration `json:"-"`
}

// transitionJSON is Transition's JSON form.
type transitionJSON struct {
	Step
	At         time.Time `json:"at"`
	DurationMS int64     `json:"duration_ms"`
}

// MarshalJSON encodes t with its Duration as "duration_ms".
func (t Transition) MarshalJSON() ([]byte, error) {
	return json.Marshal(transitionJSON{t.Step, t.At, t.Duration.Milliseconds()})
}

// UnmarshalJSON decodes what MarshalJSON encodes.
func (t *Transition) UnmarshalJSON(b []byte) error {
	var j transitionJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*t = Transition{Step: j.Step, At: j.At, Duration: time.Duration(j.DurationMS) * time.Millisecond}
	return nil
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
	// for disable-trusted-access; for delete-service-linked-role the
	// deletion task's status, iam:GetServiceLinkedRoleDeletionStatus,
	// SUCCEEDED, with no iam:GetRole after it), so after a step Status is the status
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

// Apply carries out p, which Plan made. It first checks p itself: its
// steps must be exactly those its Desired leads to from its Status (a plan
// edited by hand is refused with ErrInvalidDesired, before any AWS call).
// It then re-observes the organization and, if anything the plan's steps
// rest on changed since (the state, the delegated administrator, or what
// decides the steps, such as a delegation repaired by someone else), fails
// with ErrStalePlan before writing anything. It runs the guards again and, step by step: makes the
// AWS call (retried as RetryOptions say), waits until a read confirms it
// (WaitOptions), and reports the transition to Options.OnTransition. An
// enable-trusted-access step and the delegate step after it are one AWS
// call and two transitions.
//
// Apply always returns a non-nil Result holding the transitions that were
// confirmed. On failure the *Error's Done, Unconfirmed and NotDone say
// which steps were done, sent but not confirmed, and not taken. Writes are
// serialised per Client.
func (c *Client) Apply(ctx context.Context, p *Plan) (*Result, error) {
	const op = "apply"
	res := &Result{Transitions: []Transition{}}
	if p == nil || p.Status == nil {
		return res, &Error{Op: op, Kind: ErrInvalidDesired, Err: fmt.Errorf("plan was not made by Plan")}
	}
	if err := checkPlan(p); err != nil {
		return res, asError(op, err)
	}
	notDone := func(e *Error) *Error {
		e.progress(p.Events(), 0, 0)
		return e
	}
	if err := c.writeMu.lock(ctx); err != nil {
		return res, notDone(&Error{Op: op, Err: err})
	}
	defer c.writeMu.Unlock()

	st, pre, err := c.observeFor(ctx, p.Desired)
	if err != nil {
		return res, notDone(asError(op, err))
	}
	res.Status = st
	if why := staleness(p, st); why != nil {
		return res, notDone(&Error{Op: op, Kind: ErrStalePlan, Last: st, Err: why})
	}
	if len(p.Steps) > 0 {
		// The fresh status is checked as Plan checked its own; a plan
		// with nothing to do has nothing to refuse.
		if err := guardStatus(st); err != nil {
			return res, notDone(asError(op, err))
		}
	}
	return c.run(ctx, op, st, p.Steps, p.Desired, true, pre)
}

// checkPlan refuses a plan whose steps are not exactly those that its
// Desired leads to from its Status: a plan built or edited by hand, with a
// step's account changed, say. The Status is checked against AWS later
// (ErrStalePlan).
func checkPlan(p *Plan) error {
	if err := p.Desired.validate(); err != nil {
		return err
	}
	if !p.Status.State.Valid() {
		return &Error{Kind: ErrInvalidDesired, Err: fmt.Errorf("plan made from state %s", p.Status.State)}
	}
	want, err := planSteps(p.Status, p.Desired)
	if err != nil {
		return err
	}
	for i, s := range p.Steps {
		if i >= len(want) || s != want[i] {
			return &Error{Kind: ErrInvalidDesired, Step: s,
				Err: fmt.Errorf("step %d is not what the plan's desired state leads to from its status", i+1)}
		}
	}
	if len(p.Steps) != len(want) {
		return &Error{Kind: ErrInvalidDesired, Err: fmt.Errorf("plan has %d steps, its desired state needs %d", len(p.Steps), len(want))}
	}
	return nil
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

	p, err := c.plan(ctx, d) // d validated above
	if err != nil {
		e := asError(op, err)
		if p != nil {
			res.Status = p.Status
			e.progress(p.Events(), 0, 0)
		}
		return res, e
	}
	// plan ran the guards on this very status.
	return c.run(ctx, op, p.Status, p.Steps, d, false, nil)
}

// run takes steps toward d from st, which was just observed and checked
// (guardStatus), with the write lock held. guard says whether the steps'
// guards still have to run, with pre the guard reads made alongside the
// observation of st. Each AWS call (one per group, see groupAt) is
// confirmed, then the lifecycle machine makes its transitions, and its
// callback reports each to the logger and Options.OnTransition.
func (c *Client) run(ctx context.Context, op string, st *Status, steps []Step, d Desired, guard bool, pre *guardReads) (*Result, error) {
	res := &Result{Status: st, Transitions: []Transition{}}
	events := Events(steps)
	if guard {
		if err := c.guardSteps(ctx, st, steps, d, pre); err != nil {
			e := asError(op, err)
			e.progress(events, 0, 0)
			return res, e
		}
	}

	m := fsm.New(st.State, func(ctx context.Context, _ fsm.Change, t Transition) {
		res.Transitions = append(res.Transitions, t)
		c.opts.Logger.InfoContext(ctx, "ipamorg: transition", "event", t.Event, "from", t.From, "to", t.To, "account", t.Account, "duration", t.Duration)
		if c.opts.OnTransition != nil {
			c.opts.OnTransition(t)
		}
	})
	for i := 0; i < len(steps); {
		group := groupAt(steps, i)
		acting := group[len(group)-1]

		start := time.Now()
		confirmed, sent, err := c.take(ctx, res.Status, acting)
		if confirmed != nil {
			res.Status = confirmed
		}
		if err != nil {
			e := asError(op, err)
			e.Step = acting
			e.From = group[0].From
			unconfirmed := 0
			if sent {
				unconfirmed = len(group)
			}
			e.progress(events, i, unconfirmed)
			if e.Last == nil {
				e.Last = res.Status
			}
			return res, e
		}
		took := time.Since(start)

		for _, s := range group {
			t := Transition{Step: s, At: start}
			if s.Event == acting.Event {
				t.Duration = took
			}
			// Bookkeeping for a change AWS already confirmed: a context
			// cancelled by now must not make us forget it.
			if err := m.Fire(context.WithoutCancel(ctx), s.Event, t); err != nil {
				e := &Error{Op: op, Step: s, Err: err, Last: res.Status}
				e.progress(events, i, 0)
				return res, e
			}
			i++
		}
	}
	return res, nil
}

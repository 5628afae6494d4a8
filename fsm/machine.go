package fsm

import (
	"context"
	"errors"
	"fmt"

	looplab "github.com/looplab/fsm"
)

// Machine tracks one organization's place in the lifecycle and reports
// each transition it makes, with a detail of type T that the caller gives
// Fire (what the transition was, for the library: its Transition). It is
// safe for concurrent use; Fire calls are serialised.
type Machine[T any] struct {
	m *looplab.FSM
	// onChange is called by looplab's after-event callbacks.
	onChange func(ctx context.Context, c Change, detail T)
}

// Change is one transition the machine made.
type Change struct {
	Event    Event
	From, To State
}

// New returns a machine in the state initial. An unknown initial state is
// kept as it is; every event then fails with ErrInvalidTransition.
//
// onChange, if not nil, is called after each transition, from the
// machine's own after-event callback, before Fire returns: with the change
// and the detail given to Fire. It runs on the goroutine that called Fire
// and must not call Fire itself.
func New[T any](initial State, onChange func(ctx context.Context, c Change, detail T)) *Machine[T] {
	mc := &Machine[T]{onChange: onChange}
	mc.m = looplab.NewFSM(string(initial), looplabEvents(), mc.callbacks())
	return mc
}

// looplabEvents translates the lifecycle table into looplab's form.
func looplabEvents() looplab.Events {
	events := make(looplab.Events, 0, len(table))
	for _, t := range table {
		src := make([]string, len(t.from))
		for i, s := range t.from {
			src[i] = string(s)
		}
		events = append(events, looplab.EventDesc{Name: string(t.event), Src: src, Dst: string(t.to)})
	}
	return events
}

// callbacks returns looplab's callback table, keyed only by our own events:
// a key looplab does not recognise would be dropped without a word. An
// after_<event> callback runs once the event has moved the machine, also
// for a row that leads from a state back to itself, where looplab enters no
// state.
func (mc *Machine[T]) callbacks() looplab.Callbacks {
	if mc.onChange == nil {
		return nil
	}
	cbs := make(looplab.Callbacks, len(table))
	for _, t := range table {
		cbs[afterKey(t.event)] = mc.after
	}
	return cbs
}

func afterKey(e Event) string { return "after_" + string(e) }

func (mc *Machine[T]) after(ctx context.Context, e *looplab.Event) {
	var detail T
	if len(e.Args) == 1 {
		detail, _ = e.Args[0].(T) // Fire passes one, a T
	}
	mc.onChange(ctx, Change{Event: Event(e.Event), From: State(e.Src), To: State(e.Dst)}, detail)
}

// Current returns the machine's state.
func (mc *Machine[T]) Current() State { return State(mc.m.Current()) }

// Fire moves the machine by e, passing detail to the onChange callback. It
// returns a *TransitionError, which wraps ErrInvalidTransition, when e is
// not allowed in the current state, and the context's error when ctx is
// already done; the machine does not move then.
func (mc *Machine[T]) Fire(ctx context.Context, e Event, detail T) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := mc.m.Event(ctx, string(e), detail)
	var (
		invalid  looplab.InvalidEventError
		unknown  looplab.UnknownEventError
		noChange looplab.NoTransitionError
	)
	switch {
	case err == nil:
		return nil
	case errors.As(err, &noChange) && noChange.Err == nil:
		// A row from a state to itself: allowed, and reported by its
		// after_<event> callback like any other.
		return nil
	case errors.As(err, &invalid), errors.As(err, &unknown):
		return &TransitionError{Event: e, State: mc.Current()}
	default:
		return fmt.Errorf("fire %s: %w", e, err)
	}
}

package fsm

import (
	"context"
	"errors"
	"fmt"
	"sync"

	looplab "github.com/looplab/fsm"
)

// Machine tracks one organization's place in the lifecycle. It is safe for
// concurrent use; Fire calls are serialised.
type Machine struct {
	m *looplab.FSM

	mu      sync.Mutex
	history []Change // appended by the enter callbacks, in firing order
}

// Change is one transition the machine made.
type Change struct {
	Event    Event
	From, To State
}

// New returns a machine in the state initial. An unknown initial state is
// kept as it is; every event then fails with ErrInvalidTransition.
func New(initial State) *Machine {
	mc := &Machine{}
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

// callbacks returns looplab's callback table, keyed only by our own states:
// a key looplab does not recognise would be dropped without a word.
func (mc *Machine) callbacks() looplab.Callbacks {
	cbs := make(looplab.Callbacks, len(States()))
	for _, s := range States() {
		cbs[enterKey(s)] = mc.record
	}
	return cbs
}

func enterKey(s State) string { return "enter_" + string(s) }

func (mc *Machine) record(_ context.Context, e *looplab.Event) {
	mc.mu.Lock()
	defer mc.mu.Unlock()
	mc.history = append(mc.history, Change{Event: Event(e.Event), From: State(e.Src), To: State(e.Dst)})
}

// History returns the transitions made by Fire so far, oldest first.
func (mc *Machine) History() []Change {
	mc.mu.Lock()
	defer mc.mu.Unlock()
	return append([]Change(nil), mc.history...)
}

// Current returns the machine's state.
func (mc *Machine) Current() State { return State(mc.m.Current()) }

// Can reports whether e is allowed in the current state.
func (mc *Machine) Can(e Event) bool { return mc.m.Can(string(e)) }

// Fire moves the machine by e. It returns a *TransitionError, which wraps
// ErrInvalidTransition, when e is not allowed in the current state, and the
// context's error when ctx is already done.
func (mc *Machine) Fire(ctx context.Context, e Event) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := mc.m.Event(ctx, string(e))
	var invalid looplab.InvalidEventError
	var unknown looplab.UnknownEventError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &invalid), errors.As(err, &unknown):
		return &TransitionError{Event: e, State: mc.Current()}
	default:
		return fmt.Errorf("fire %s: %w", e, err)
	}
}

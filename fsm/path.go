package fsm

import "fmt"

// Path returns the shortest sequence of events that leads from from to to,
// or an empty slice when they are equal. Among equally short paths it
// prefers events in lifecycle order, so the result is deterministic.
//
// Every state can reach every other, so Path fails only for an unknown
// state, with an error that wraps ErrInvalidTransition.
//
// Path knows only the lifecycle: some paths it returns (none → trusted, for
// one) cannot be walked through IPAM's APIs, and package ipamorg refuses
// them.
func Path(from, to State) ([]Event, error) {
	for _, s := range []State{from, to} {
		if !s.Valid() {
			return nil, fmt.Errorf("%w: unknown state %q", ErrInvalidTransition, s)
		}
	}
	// Breadth-first search; prev records how each state was first reached.
	type step struct {
		from  State
		event Event
	}
	prev := map[State]step{from: {}}
	queue := []State{from}
	for len(queue) > 0 && prev[to] == (step{}) && to != from {
		s := queue[0]
		queue = queue[1:]
		for _, e := range Events() {
			next, ok := Target(s, e)
			if !ok {
				continue
			}
			if _, seen := prev[next]; seen {
				continue
			}
			prev[next] = step{s, e}
			queue = append(queue, next)
		}
	}
	var path []Event
	for s := to; s != from; s = prev[s].from {
		path = append([]Event{prev[s].event}, path...)
	}
	if path == nil {
		path = []Event{}
	}
	return path, nil
}

package ipamorg

import (
	"fmt"
	"slices"
)

// staleness returns why p no longer holds on st, a fresh observation, or
// nil when it does. A plan rests on more than the state and the
// administrator: its steps follow from the whole status (a delegation
// made through Organizations plans a repair-delegation step, a repaired
// one none), so the steps planned from st toward p's Desired must be p's
// own. Someone else's repair, or a role broken since, makes p stale
// rather than wrong.
func staleness(p *Plan, st *Status) error {
	if st.State != p.Status.State || st.DelegatedAdmin != p.Status.DelegatedAdmin {
		return fmt.Errorf("planned from %s (admin %s), now %s (admin %s)",
			p.Status.State, orNone(p.Status.DelegatedAdmin), st.State, orNone(st.DelegatedAdmin))
	}
	now, err := planSteps(st, p.Desired)
	if err != nil {
		return fmt.Errorf("planned from %s (admin %s), from which the same move now fails: %w", st.State, orNone(st.DelegatedAdmin), err)
	}
	if !slices.Equal(now, p.Steps) {
		return fmt.Errorf("planned with steps %s from %s (admin %s); from what the organization shows now the steps are %s",
			eventList(p.Events()), st.State, orNone(st.DelegatedAdmin), eventList(Events(now)))
	}
	return nil
}

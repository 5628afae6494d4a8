package ipamorg

import (
	"testing"

	"github.com/ipamorg/sdk/fsm"
)

// TestEveryEventHasOneRow keeps the package's table of events and fsm's
// lifecycle equal: a new event is a row in both, and a row here for an
// event fsm does not know, or an event without a row, fails.
func TestEveryEventHasOneRow(t *testing.T) {
	rows := map[fsm.Event]int{}
	for _, sp := range events {
		rows[sp.event]++
	}
	for _, ev := range fsm.Events() {
		if rows[ev] != 1 {
			t.Errorf("event %s has %d rows, want 1", ev, rows[ev])
		}
		delete(rows, ev)
	}
	for ev := range rows {
		t.Errorf("row for %s, which fsm does not know", ev)
	}
	for i, sp := range events {
		if fsm.Events()[i] != sp.event {
			t.Errorf("row %d is %s, want lifecycle order (%s)", i, sp.event, fsm.Events()[i])
		}
		switch {
		case sp.grantedBy != "":
			// Taken by another's call: no call, no confirmation of its own,
			// and the other must take a call.
			if sp.action != "" || sp.write != nil || sp.reread != nil || sp.done != nil || len(sp.statements) != 0 {
				t.Errorf("%s is granted by %s but has a call of its own", sp.event, sp.grantedBy)
			}
			if g := specOf(sp.grantedBy); g == nil || g.write == nil {
				t.Errorf("%s is granted by %s, which takes no call", sp.event, sp.grantedBy)
			}
		default:
			if sp.action == "" || sp.write == nil || sp.reread == nil || sp.done == nil || len(sp.statements) == 0 {
				t.Errorf("%s lacks its action, write, confirmation or statements: %+v", sp.event, sp)
			}
		}
		if len(sp.policy()) == 0 {
			t.Errorf("%s needs no permission", sp.event)
		}
	}
}

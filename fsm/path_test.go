package fsm

import (
	"context"
	"errors"
	"slices"
	"testing"
)

func TestPath(t *testing.T) {
	tests := []struct {
		from, to State
		want     []Event
	}{
		{StateNone, StateNone, []Event{}},
		{StateNone, StateTrusted, []Event{EventEnableTrustedAccess}},
		{StateNone, StateDelegated, []Event{EventEnableTrustedAccess, EventDelegate}},
		{StateNone, StateDisabled, []Event{EventEnableTrustedAccess, EventDisableTrustedAccess}},
		{StateDelegated, StateNone, []Event{EventRemoveDelegate, EventDisableTrustedAccess, EventDeleteServiceLinkedRole}},
		{StateDelegated, StateDisabled, []Event{EventRemoveDelegate, EventDisableTrustedAccess}},
		{StateDisabled, StateDelegated, []Event{EventEnableTrustedAccess, EventDelegate}},
		{StateTrusted, StateNone, []Event{EventDisableTrustedAccess, EventDeleteServiceLinkedRole}},
	}
	for _, tt := range tests {
		got, err := Path(tt.from, tt.to)
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("Path(%s, %s) = %v, %v; want %v", tt.from, tt.to, got, err, tt.want)
		}
	}
}

// TestPathWalks checks every path between every pair of states against the
// machine itself: each event fires and the walk ends where it should.
func TestPathWalks(t *testing.T) {
	for _, from := range States() {
		for _, to := range States() {
			path, err := Path(from, to)
			if err != nil {
				t.Fatalf("Path(%s, %s): %v", from, to, err)
			}
			if len(path) > len(States())-1 {
				t.Errorf("Path(%s, %s) = %v is longer than any shortest path can be", from, to, path)
			}
			m := New[struct{}](from, nil)
			for _, e := range path {
				if err := m.Fire(context.Background(), e, struct{}{}); err != nil {
					t.Fatalf("Path(%s, %s) = %v: %v", from, to, path, err)
				}
			}
			if m.Current() != to {
				t.Errorf("Path(%s, %s) ends in %s", from, to, m.Current())
			}
		}
	}
}

func TestPathUnknownState(t *testing.T) {
	for _, pair := range [][2]State{{"bogus", StateNone}, {StateNone, "bogus"}} {
		if _, err := Path(pair[0], pair[1]); !errors.Is(err, ErrInvalidTransition) {
			t.Errorf("Path(%q, %q) = %v, want ErrInvalidTransition", pair[0], pair[1], err)
		}
	}
}

func TestValid(t *testing.T) {
	for _, s := range States() {
		if !s.Valid() {
			t.Errorf("%s not valid", s)
		}
	}
	for _, e := range Events() {
		if !e.Valid() {
			t.Errorf("%s not valid", e)
		}
	}
	if State("bogus").Valid() || Event("bogus").Valid() {
		t.Error("bogus accepted")
	}
}

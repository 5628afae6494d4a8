package fsm

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
)

// want is the lifecycle written out by hand, independent of table, so a
// change to table that is not also made here fails.
var want = map[State]map[Event]State{
	StateNone:      {EventEnableTrustedAccess: StateTrusted},
	StateTrusted:   {EventDelegate: StateDelegated, EventDisableTrustedAccess: StateDisabled},
	StateDelegated: {EventRemoveDelegate: StateTrusted},
	StateDisabled:  {EventEnableTrustedAccess: StateTrusted, EventDeleteServiceLinkedRole: StateNone},
}

func TestFireEveryStateEventPair(t *testing.T) {
	for _, from := range States() {
		for _, e := range Events() {
			t.Run(string(from)+"/"+string(e), func(t *testing.T) {
				m := New(from)
				to, allowed := want[from][e]
				if got := m.Can(e); got != allowed {
					t.Fatalf("Can(%s) in %s = %v, want %v", e, from, got, allowed)
				}
				err := m.Fire(context.Background(), e)
				if !allowed {
					var te *TransitionError
					if !errors.Is(err, ErrInvalidTransition) || !errors.As(err, &te) || te.Event != e || te.State != from {
						t.Fatalf("Fire = %v, want TransitionError{%s, %s}", err, e, from)
					}
					if m.Current() != from {
						t.Fatalf("refused event moved the machine to %s", m.Current())
					}
					return
				}
				if err != nil {
					t.Fatalf("Fire = %v", err)
				}
				if m.Current() != to {
					t.Fatalf("Current = %s, want %s", m.Current(), to)
				}
				if h := m.History(); len(h) != 1 || h[0] != (Change{e, from, to}) {
					t.Fatalf("History = %v", h)
				}
			})
		}
	}
}

func TestTargetMatchesMachine(t *testing.T) {
	for _, from := range States() {
		for _, e := range Events() {
			to, ok := Target(from, e)
			if wantTo, wantOK := want[from][e]; ok != wantOK || to != wantTo {
				t.Errorf("Target(%s, %s) = %q, %v; want %q, %v", from, e, to, ok, wantTo, wantOK)
			}
		}
	}
}

func TestFireUnknownEventAndState(t *testing.T) {
	if err := New(StateNone).Fire(context.Background(), "bogus"); !errors.Is(err, ErrInvalidTransition) {
		t.Errorf("unknown event: %v", err)
	}
	if err := New("bogus").Fire(context.Background(), EventDelegate); !errors.Is(err, ErrInvalidTransition) {
		t.Errorf("unknown state: %v", err)
	}
}

func TestFireCancelledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	m := New(StateNone)
	if err := m.Fire(ctx, EventEnableTrustedAccess); !errors.Is(err, context.Canceled) {
		t.Fatalf("Fire = %v, want context.Canceled", err)
	}
	if m.Current() != StateNone {
		t.Fatalf("cancelled Fire moved the machine to %s", m.Current())
	}
}

// TestCallbackKeys proves every key handed to looplab names one of our
// states or events: looplab drops an unknown key without a word.
func TestCallbackKeys(t *testing.T) {
	known := map[string]bool{}
	for _, s := range States() {
		known[string(s)] = true
	}
	for _, e := range Events() {
		known[string(e)] = true
	}
	cbs := New(StateNone).callbacks()
	if len(cbs) == 0 {
		t.Fatal("no callbacks")
	}
	for key := range cbs {
		_, target, ok := strings.Cut(key, "_")
		if !ok || !known[target] {
			t.Errorf("callback key %q names no state or event", key)
		}
	}
	// And they are live: a full cycle records every transition.
	m := New(StateNone)
	cycle := []Event{EventEnableTrustedAccess, EventDelegate, EventRemoveDelegate, EventDisableTrustedAccess, EventDeleteServiceLinkedRole}
	for _, e := range cycle {
		if err := m.Fire(context.Background(), e); err != nil {
			t.Fatal(err)
		}
	}
	if h := m.History(); len(h) != len(cycle) {
		t.Fatalf("History has %d changes, want %d: %v", len(h), len(cycle), h)
	}
}

func TestMachineConcurrentUse(t *testing.T) {
	m := New(StateTrusted)
	var wg sync.WaitGroup
	var mu sync.Mutex
	won := 0
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = m.Can(EventDelegate)
			_ = m.History()
			if m.Fire(context.Background(), EventDelegate) == nil {
				mu.Lock()
				won++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if won != 1 || m.Current() != StateDelegated {
		t.Fatalf("%d goroutines fired delegate, state %s; want exactly 1, delegated", won, m.Current())
	}
}

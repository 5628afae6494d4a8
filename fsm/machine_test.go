package fsm

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
)

// want is the lifecycle written out by hand, independent of table, so a
// change to table that is not also made here fails.
var want = map[State]map[Event]State{
	StateNone:      {EventEnableTrustedAccess: StateTrusted},
	StateTrusted:   {EventDelegate: StateDelegated, EventDisableTrustedAccess: StateDisabled},
	StateDelegated: {EventRemoveDelegate: StateTrusted, EventRepairDelegation: StateDelegated},
	StateDisabled:  {EventEnableTrustedAccess: StateTrusted, EventDeleteServiceLinkedRole: StateNone},
}

// recorder collects what a machine reports to its onChange callback.
type recorder struct {
	mu      sync.Mutex
	changes []Change
	details []string
}

func (r *recorder) onChange(_ context.Context, c Change, detail string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.changes = append(r.changes, c)
	r.details = append(r.details, detail)
}

func (r *recorder) got() []Change {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Change(nil), r.changes...)
}

func TestFireEveryStateEventPair(t *testing.T) {
	for _, from := range States() {
		for _, e := range Events() {
			t.Run(string(from)+"/"+string(e), func(t *testing.T) {
				var rec recorder
				m := New(from, rec.onChange)
				to, allowed := want[from][e]
				err := m.Fire(context.Background(), e, "detail")
				if !allowed {
					var te *TransitionError
					if !errors.Is(err, ErrInvalidTransition) || !errors.As(err, &te) || te.Event != e || te.State != from {
						t.Fatalf("Fire = %v, want TransitionError{%s, %s}", err, e, from)
					}
					if m.Current() != from || len(rec.got()) != 0 {
						t.Fatalf("refused event moved the machine to %s, reported %v", m.Current(), rec.got())
					}
					return
				}
				if err != nil {
					t.Fatalf("Fire = %v", err)
				}
				if m.Current() != to {
					t.Fatalf("Current = %s, want %s", m.Current(), to)
				}
				if h := rec.got(); len(h) != 1 || h[0] != (Change{e, from, to}) || rec.details[0] != "detail" {
					t.Fatalf("reported %v with details %q", h, rec.details)
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
	if err := New[string](StateNone, nil).Fire(context.Background(), "bogus", ""); !errors.Is(err, ErrInvalidTransition) {
		t.Errorf("unknown event: %v", err)
	}
	if err := New[string]("bogus", nil).Fire(context.Background(), EventDelegate, ""); !errors.Is(err, ErrInvalidTransition) {
		t.Errorf("unknown state: %v", err)
	}
	for _, e := range Events() {
		if err := New[string](StateUnknown, nil).Fire(context.Background(), e, ""); !errors.Is(err, ErrInvalidTransition) {
			t.Errorf("%s from %s: %v", e, StateUnknown, err)
		}
	}
}

func TestFireCancelledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var rec recorder
	m := New(StateNone, rec.onChange)
	if err := m.Fire(ctx, EventEnableTrustedAccess, ""); !errors.Is(err, context.Canceled) {
		t.Fatalf("Fire = %v, want context.Canceled", err)
	}
	if m.Current() != StateNone || len(rec.got()) != 0 {
		t.Fatalf("cancelled Fire moved the machine to %s, reported %v", m.Current(), rec.got())
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
	cbs := New(StateNone, func(context.Context, Change, string) {}).callbacks()
	if len(cbs) == 0 {
		t.Fatal("no callbacks")
	}
	for key := range cbs {
		_, target, ok := strings.Cut(key, "_")
		if !ok || !known[target] {
			t.Errorf("callback key %q names no state or event", key)
		}
	}
	// And they are live: a full cycle reports every transition, in order.
	var rec recorder
	m := New(StateNone, rec.onChange)
	cycle := []Event{EventEnableTrustedAccess, EventDelegate, EventRemoveDelegate, EventDisableTrustedAccess, EventDeleteServiceLinkedRole}
	for _, e := range cycle {
		if err := m.Fire(context.Background(), e, ""); err != nil {
			t.Fatal(err)
		}
	}
	h := rec.got()
	if len(h) != len(cycle) {
		t.Fatalf("reported %d changes, want %d: %v", len(h), len(cycle), h)
	}
	for i, c := range h {
		if c.Event != cycle[i] {
			t.Errorf("change %d is %v, want %s", i, c, cycle[i])
		}
	}
}

// TestSelfLoopRow: a row that leads from a state back to itself (the shape
// of a repair step) is allowed, reported like any transition, and never on
// a path between two states.
func TestSelfLoopRow(t *testing.T) {
	const repair Event = "repair"
	saved := table
	table = append(append([]transition(nil), table...), transition{repair, []State{StateDelegated}, StateDelegated})
	t.Cleanup(func() { table = saved })

	var rec recorder
	m := New(StateDelegated, rec.onChange)
	if err := m.Fire(context.Background(), repair, "1"); err != nil {
		t.Fatal(err)
	}
	if h := rec.got(); m.Current() != StateDelegated || len(h) != 1 || h[0] != (Change{repair, StateDelegated, StateDelegated}) {
		t.Fatalf("state %s, reported %v", m.Current(), h)
	}
	if err := m.Fire(context.Background(), repair, ""); err != nil {
		t.Fatal(err)
	}
	if err := New[string](StateTrusted, nil).Fire(context.Background(), repair, ""); !errors.Is(err, ErrInvalidTransition) {
		t.Errorf("repair from trusted: %v", err)
	}
	for _, from := range States() {
		for _, to := range States() {
			path, err := Path(from, to)
			if err != nil || slices.Contains(path, repair) {
				t.Errorf("Path(%s, %s) = %v, %v", from, to, path, err)
			}
		}
	}
}

func TestUnknownState(t *testing.T) {
	if StateUnknown.Valid() || slices.Contains(States(), StateUnknown) {
		t.Error("StateUnknown is a lifecycle state")
	}
	if _, err := Path(StateUnknown, StateNone); !errors.Is(err, ErrInvalidTransition) {
		t.Errorf("Path from unknown: %v", err)
	}
}

func TestMachineConcurrentUse(t *testing.T) {
	var rec recorder
	m := New(StateTrusted, rec.onChange)
	var wg sync.WaitGroup
	var mu sync.Mutex
	won := 0
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = m.Current()
			if m.Fire(context.Background(), EventDelegate, "") == nil {
				mu.Lock()
				won++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if won != 1 || m.Current() != StateDelegated || len(rec.got()) != 1 {
		t.Fatalf("%d goroutines fired delegate, state %s; want exactly 1, delegated", won, m.Current())
	}
}

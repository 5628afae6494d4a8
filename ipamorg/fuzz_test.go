package ipamorg

// Fuzz targets for the input validation and the planner. They are internal
// tests: the planner proper (planSteps) is a pure function of an observed
// Status and a Desired, which is what is worth fuzzing, and reaching it
// through Plan would fuzz the AWS mocks instead. Seed corpora are under
// testdata/fuzz/; `go test` runs them as ordinary tests.

import (
	"errors"
	"regexp"
	"testing"

	"github.com/ipamorg/sdk/fsm"
)

// accountIDPattern is the oracle, written independently of the code under
// test: exactly 12 ASCII digits.
var accountIDPattern = regexp.MustCompile(`\A[0-9]{12}\z`)

// FuzzAccountID: validation never panics, accepts exactly the ids of 12
// ASCII digits (no Unicode digits, signs or spaces), and refuses everything
// else with an *Error of kind ErrInvalidAccountID, both on its own and
// through Desired's validation (where an empty id is instead a missing
// admin, ErrInvalidDesired).
func FuzzAccountID(f *testing.F) {
	f.Add("222222222222")
	f.Fuzz(func(t *testing.T, id string) {
		want := accountIDPattern.MatchString(id)
		for i, err := range []error{
			validateAccountID(id),
			Desired{State: fsm.StateDelegated, DelegatedAdmin: id}.validate(),
		} {
			if (err == nil) != want {
				t.Fatalf("%q: error %v, want valid=%t", id, err, want)
			}
			if err == nil {
				continue
			}
			_ = err.Error()
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("%q: error %T %v is not an *Error", id, err, err)
			}
			if i == 1 && id == "" {
				if !errors.Is(err, ErrInvalidDesired) {
					t.Fatalf("empty admin: %v, want ErrInvalidDesired", err)
				}
				continue
			}
			if !errors.Is(err, ErrInvalidAccountID) || e.Account != id {
				t.Fatalf("%q: error %v, want ErrInvalidAccountID naming the id", id, err)
			}
		}
	})
}

// FuzzPlan builds plans from arbitrary observed statuses and desired states.
// The status is recognised from its facts as Observe does, or, with
// rawState set, carries an arbitrary state (which Observe never produces) to
// check that the planner fails cleanly on it. The planner must never panic;
// a plan it returns must chain through the lifecycle from the observed
// state to the desired one, pass Apply's check of a plan (checkPlan), name
// the right accounts and actions, and be empty exactly when there is
// nothing to do; an error must be an *Error of a kind that the inputs
// explain.
func FuzzPlan(f *testing.F) {
	f.Add("", true, "222222222222", true, "none", "", false)
	f.Fuzz(func(t *testing.T, rawState string, trusted bool, admin string, role bool, desiredState, desiredAdmin string, allowReplace bool) {
		st := &Status{CallerAccountID: "111111111111", ManagementAccountID: "111111111111", TrustedAccess: trusted, ServiceLinkedRole: role}
		var admins []string
		if admin != "" {
			admins = []string{admin}
		}
		st.settle(admins)
		if rawState != "" {
			st.State = fsm.State(rawState)
		}
		d := Desired{State: fsm.State(desiredState), DelegatedAdmin: desiredAdmin, AllowReplace: allowReplace}

		// Plan validates d before anything else; so does this.
		if err := d.validate(); err != nil {
			if !errors.Is(err, ErrInvalidDesired) && !errors.Is(err, ErrInvalidAccountID) {
				t.Fatalf("validate(%+v): untyped error %v", d, err)
			}
			return
		}

		steps, err := planSteps(st, d)
		p := &Plan{Status: st, Desired: d, Steps: steps}
		_ = p.String()
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("planSteps(%+v, %+v): %T %v is not an *Error", st, d, err, err)
			}
			_ = err.Error()
			switch {
			case errors.Is(err, ErrDelegatedAdminConflict):
				if st.State != fsm.StateDelegated || d.State != fsm.StateDelegated || st.DelegatedAdmin == d.DelegatedAdmin || d.AllowReplace {
					t.Fatalf("conflict from %s (admin %q) toward %+v", st.State, st.DelegatedAdmin, d)
				}
			case errors.Is(err, ErrTrustedAccessRequiresDelegation):
				// Only a path that enables trusted access without
				// delegating right after: toward trusted or disabled from
				// a state without trusted access.
				if d.State != fsm.StateTrusted && d.State != fsm.StateDisabled || st.State != fsm.StateNone && st.State != fsm.StateDisabled {
					t.Fatalf("trusted access refused from %s toward %s", st.State, d.State)
				}
			case errors.Is(err, ErrInvalidDesired):
				if st.State.Valid() {
					t.Fatalf("invalid desired from valid %s toward %+v: %v", st.State, d, err)
				}
			default:
				t.Fatalf("planSteps(%+v, %+v): unexpected error %v", st, d, err)
			}
			return
		}
		if !st.State.Valid() {
			t.Fatalf("plan %v from unknown state %q", steps, st.State)
		}

		if err := checkChain(steps); err != nil {
			t.Fatalf("plan %v from %s enables trusted access alone: %v", steps, st.State, err)
		}
		if err := checkPlan(p); err != nil {
			t.Fatalf("Apply would refuse the plan %v from %s toward %+v: %v", steps, st.State, d, err)
		}
		at := st.State
		for _, s := range steps {
			if to, ok := fsm.Target(at, s.Event); s.From != at || !ok || s.To != to {
				t.Fatalf("plan %v from %s does not chain at %+v", steps, st.State, s)
			}
			at = s.To
			if s.Action != specOf(s.Event).action {
				t.Fatalf("step %+v: action %q, want %q", s, s.Action, specOf(s.Event).action)
			}
			switch s.Event {
			case fsm.EventEnableTrustedAccess, fsm.EventDelegate, fsm.EventRepairDelegation:
				if s.Account != d.DelegatedAdmin {
					t.Fatalf("step %+v designates %q, want %q", s, s.Account, d.DelegatedAdmin)
				}
			case fsm.EventRemoveDelegate:
				if s.Account != st.DelegatedAdmin {
					t.Fatalf("step %+v removes %q, want %q", s, s.Account, st.DelegatedAdmin)
				}
			default:
				if s.Account != "" {
					t.Fatalf("step %+v names an account", s)
				}
			}
		}
		if at != d.State {
			t.Fatalf("plan %v from %s ends in %s, want %s", steps, st.State, at, d.State)
		}
		// Delegated to the same administrator is nothing to do, unless
		// the delegation was made through Organizations (no
		// AWSServiceRoleForIPAM): then the one step is its repair.
		repair := st.State == fsm.StateDelegated && d.State == fsm.StateDelegated && st.DelegatedAdmin == d.DelegatedAdmin && st.wrongPath()
		if repair && (len(steps) != 1 || steps[0].Event != fsm.EventRepairDelegation) {
			t.Fatalf("plan %v for a delegation made through Organizations, want one repair-delegation", steps)
		}
		nothingToDo := !repair && st.State == d.State && (d.State != fsm.StateDelegated || st.DelegatedAdmin == d.DelegatedAdmin)
		if nothingToDo != (len(steps) == 0) {
			t.Fatalf("plan %v from %s (admin %q) toward %+v: empty=%t, want %t", steps, st.State, st.DelegatedAdmin, d, len(steps) == 0, nothingToDo)
		}
		if len(steps) > 4 {
			t.Fatalf("plan of %d steps: %v", len(steps), steps)
		}
	})
}

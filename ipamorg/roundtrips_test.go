package ipamorg_test

// Round trips: the reads a plan's guards need go alongside Observe's, and
// nothing is read twice.

import (
	"errors"
	"maps"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ipamorg/sdk/awsclient/awstest"
	"github.com/ipamorg/sdk/fsm"
	"github.com/ipamorg/sdk/ipamorg"
)

const roundTrip = 100 * time.Millisecond

// observeCounts are the five reads of one Observe, plus extra.
func observeCounts(extra map[string]int) map[string]int {
	want := map[string]int{
		"GetCallerIdentity": 1, "DescribeOrganization": 1, "ListAWSServiceAccessForOrganization": 1,
		"ListDelegatedAdministrators": 1, "GetRole": 1,
	}
	for op, n := range extra {
		want[op] += n
	}
	return want
}

// A delegation's guard read (DescribeAccount) is sent with Observe's
// reads, at the same instant: the write follows one round trip after the
// start, not two.
func TestPlanGuardReadAlongsideObserve(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu := emulatorAt(fsm.StateNone, "")
		emu.InjectFault("*", awstest.Fault{Latency: roundTrip})
		c := memClient(t, emu)
		start := time.Now()
		if _, err := c.Reconcile(t.Context(), ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: memberA}); err != nil {
			t.Fatal(err)
		}
		reqs := emu.Requests()
		for _, r := range reqs {
			switch {
			case r.Operation == "EnableIpamOrganizationAdminAccount":
				if d := r.Time.Sub(start); d != roundTrip {
					t.Errorf("the write was sent %v after the start, want one round trip, %v", d, roundTrip)
				}
			case !r.Write && r.Time.Sub(start) == 0:
			case r.Operation == "ListDelegatedAdministrators":
				// The confirmation, after the write.
			default:
				t.Errorf("%s sent %v after the start, want at once, with Observe's reads", r.Operation, r.Time.Sub(start))
			}
		}
		if got, want := awstest.CountOperations(reqs), observeCounts(map[string]int{
			"DescribeAccount": 1, "EnableIpamOrganizationAdminAccount": 1, "ListDelegatedAdministrators": 1,
		}); !maps.Equal(got, want) {
			t.Errorf("calls %v, want %v", got, want)
		}
	})
}

// The price of reading ahead: a plan toward the administrator already in
// place makes the guard's read for nothing (6 reads, in the time of 5); a
// teardown plan, which has no delegation, makes none.
func TestPlanGuardReadOnlyTowardADelegation(t *testing.T) {
	for _, tc := range []struct {
		name  string
		from  fsm.State
		admin string
		d     ipamorg.Desired
		extra map[string]int
	}{
		{"already delegated", fsm.StateDelegated, memberA, ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: memberA}, map[string]int{"DescribeAccount": 1}},
		{"teardown from disabled", fsm.StateDisabled, "", ipamorg.Desired{State: fsm.StateNone}, nil},
		{"already none", fsm.StateNone, "", ipamorg.Desired{State: fsm.StateNone}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				emu := emulatorAt(tc.from, tc.admin)
				c := memClient(t, emu)
				if _, err := c.Plan(t.Context(), tc.d); err != nil {
					t.Fatal(err)
				}
				if got, want := emu.CallCounts(), observeCounts(tc.extra); !maps.Equal(got, want) {
					t.Errorf("calls %v, want %v", got, want)
				}
			})
		})
	}
}

// PlanFrom plans from a status already observed: only the guards' reads,
// no second Observe.
func TestPlanFromObservesNothing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu := emulatorAt(fsm.StateNone, "")
		c := memClient(t, emu)
		st, err := c.Observe(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		emu.ResetRequests()
		p, err := c.PlanFrom(t.Context(), st, ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: memberA})
		if err != nil {
			t.Fatal(err)
		}
		if p.Status != st || len(p.Steps) != 2 {
			t.Errorf("plan %v from %p, want 2 steps from the status given", p, st)
		}
		if got, want := emu.CallCounts(), map[string]int{"DescribeAccount": 1}; !maps.Equal(got, want) {
			t.Errorf("calls %v, want %v", got, want)
		}
		if _, err := c.PlanFrom(t.Context(), nil, ipamorg.Desired{State: fsm.StateNone}); !errors.Is(err, ipamorg.ErrInvalidDesired) {
			t.Errorf("PlanFrom(nil) = %v, want ErrInvalidDesired", err)
		}
	})
}

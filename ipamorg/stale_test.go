package ipamorg_test

import (
	"errors"
	"testing"
	"testing/synctest"

	"github.com/ipamorg/sdk/fsm"
	"github.com/ipamorg/sdk/ipamorg"
)

// A plan rests on more than the state and the administrator: a plan that
// repairs a delegation made through Organizations is stale once someone
// else repaired it, and a plan with nothing to do is stale once the
// delegation broke. Apply refuses both with ErrStalePlan, writing nothing.
func TestApplyStaleWhenWhatTheStepsRestOnChanged(t *testing.T) {
	d := ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: memberA}
	t.Run("repaired by someone else", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			emu := wrongPath()
			c := memClient(t, emu)
			p, err := c.Plan(t.Context(), d)
			if err != nil || len(p.Steps) != 1 || p.Steps[0].Event != fsm.EventRepairDelegation {
				t.Fatalf("plan %+v, %v", p, err)
			}
			if _, err := memClient(t, emu).Reconcile(t.Context(), d); err != nil {
				t.Fatal(err) // the other writer's repair
			}
			emu.ResetRequests()
			_, err = c.Apply(t.Context(), p)
			var e *ipamorg.Error
			if !errors.Is(err, ipamorg.ErrStalePlan) || !errors.As(err, &e) || len(e.NotDone) != 1 {
				t.Fatalf("Apply of a repair someone else made: %v", err)
			}
			if w := emu.Writes(); len(w) != 0 {
				t.Errorf("a stale plan wrote %v", w)
			}
		})
	})
	t.Run("broken since", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			emu := emulatorAt(fsm.StateDelegated, memberA)
			c := memClient(t, emu)
			p, err := c.Plan(t.Context(), d)
			if err != nil || !p.Empty() {
				t.Fatalf("plan %+v, %v", p, err)
			}
			emu.DeleteIPAMRole(mgmt) // the management account's role gone: the wrong path's status
			emu.ResetRequests()
			if _, err := c.Apply(t.Context(), p); !errors.Is(err, ipamorg.ErrStalePlan) {
				t.Fatalf("Apply of an empty plan whose delegation broke: %v", err)
			}
			if w := emu.Writes(); len(w) != 0 {
				t.Errorf("a stale plan wrote %v", w)
			}
		})
	})
}

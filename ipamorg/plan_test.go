package ipamorg_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/ipamorg/sdk/fsm"
	"github.com/ipamorg/sdk/ipamorg"
)

func TestPlanSteps(t *testing.T) {
	tests := []struct {
		name    string
		from    fsm.State
		admin   string
		desired ipamorg.Desired
		steps   []ipamorg.Step
	}{
		{"none to delegated", fsm.StateNone, "", ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: memberA}, []ipamorg.Step{
			{Event: fsm.EventEnableTrustedAccess, From: fsm.StateNone, To: fsm.StateTrusted, Account: memberA},
			{Event: fsm.EventDelegate, From: fsm.StateTrusted, To: fsm.StateDelegated, Action: enableAdmin, Account: memberA},
		}},
		{"disabled to delegated", fsm.StateDisabled, "", ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: memberA}, []ipamorg.Step{
			{Event: fsm.EventEnableTrustedAccess, From: fsm.StateDisabled, To: fsm.StateTrusted, Account: memberA},
			{Event: fsm.EventDelegate, From: fsm.StateTrusted, To: fsm.StateDelegated, Action: enableAdmin, Account: memberA},
		}},
		{"same admin", fsm.StateDelegated, memberA, ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: memberA}, []ipamorg.Step{}},
		{"replace admin", fsm.StateDelegated, memberA, ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: memberB, AllowReplace: true}, []ipamorg.Step{
			{Event: fsm.EventRemoveDelegate, From: fsm.StateDelegated, To: fsm.StateTrusted, Action: disableAdmin, Account: memberA},
			{Event: fsm.EventDelegate, From: fsm.StateTrusted, To: fsm.StateDelegated, Action: enableAdmin, Account: memberB},
		}},
		{"teardown", fsm.StateDelegated, memberA, ipamorg.Desired{State: fsm.StateNone}, []ipamorg.Step{
			{Event: fsm.EventRemoveDelegate, From: fsm.StateDelegated, To: fsm.StateTrusted, Action: disableAdmin, Account: memberA},
			{Event: fsm.EventDisableTrustedAccess, From: fsm.StateTrusted, To: fsm.StateDisabled, Action: disableTrust},
			{Event: fsm.EventDeleteServiceLinkedRole, From: fsm.StateDisabled, To: fsm.StateNone, Action: deleteRole},
		}},
		{"already none", fsm.StateNone, "", ipamorg.Desired{State: fsm.StateNone}, []ipamorg.Step{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				emu := emulatorAt(tt.from, tt.admin)
				p, err := memClient(t, emu).Plan(t.Context(), tt.desired)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(p.Steps, tt.steps) {
					t.Errorf("steps\n got %+v\nwant %+v", p.Steps, tt.steps)
				}
				if p.Empty() != (len(tt.steps) == 0) || p.Status.State != tt.from || p.Desired != tt.desired {
					t.Errorf("plan %+v", p)
				}
				wantNoWrites(t, emu)
			})
		})
	}
}

func TestPlanString(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := memClient(t, emulatorAt(fsm.StateDelegated, memberA))
		p, err := c.Plan(t.Context(), ipamorg.Desired{State: fsm.StateNone})
		if err != nil {
			t.Fatal(err)
		}
		want := `IPAM organization integration: delegated (delegated admin 222222222222) -> none

  1. remove-delegate              delegated -> trusted
       call     ec2:DisableIpamOrganizationAdminAccount
       account  222222222222
  2. disable-trusted-access       trusted -> disabled
       call     organizations:DisableAWSServiceAccess
  3. delete-service-linked-role   disabled -> none
       call     iam:DeleteServiceLinkedRole

Plan: 3 step(s).
`
		if got := p.String(); got != want {
			t.Errorf("String()\n%s\nwant\n%s", got, want)
		}
		p, err = c.Plan(t.Context(), ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: memberA})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(p.String(), "No changes") {
			t.Errorf("empty plan String() = %q", p)
		}
	})
}

// A plan whose steps are not those its own Desired leads to from its own
// Status (edited after Plan made it, or made by hand) is refused before
// any AWS call: Apply does not write what nobody planned.
func TestApplyRefusesTamperedPlans(t *testing.T) {
	for _, tc := range []struct {
		name   string
		from   fsm.State
		admin  string
		d      ipamorg.Desired
		tamper func(p *ipamorg.Plan)
	}{
		{"a step's account", fsm.StateNone, "", ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: memberA},
			func(p *ipamorg.Plan) { p.Steps[1].Account = memberB }},
		{"both steps' accounts", fsm.StateNone, "", ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: memberA},
			func(p *ipamorg.Plan) { p.Steps[0].Account, p.Steps[1].Account = memberB, memberB }},
		{"the desired admin", fsm.StateNone, "", ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: memberA},
			func(p *ipamorg.Plan) { p.Desired.DelegatedAdmin = memberB }},
		{"a step's action", fsm.StateDelegated, memberA, ipamorg.Desired{State: fsm.StateTrusted},
			func(p *ipamorg.Plan) { p.Steps[0].Action = enableAdmin }},
		{"the removed admin", fsm.StateDelegated, memberA, ipamorg.Desired{State: fsm.StateTrusted},
			func(p *ipamorg.Plan) { p.Steps[0].Account = memberB }},
		{"a step dropped", fsm.StateDelegated, memberA, ipamorg.Desired{State: fsm.StateNone},
			func(p *ipamorg.Plan) { p.Steps = p.Steps[:2] }},
		{"a step added", fsm.StateDelegated, memberA, ipamorg.Desired{State: fsm.StateDisabled},
			func(p *ipamorg.Plan) {
				p.Steps = append(p.Steps, ipamorg.Step{Event: fsm.EventDeleteServiceLinkedRole, From: fsm.StateDisabled, To: fsm.StateNone, Action: deleteRole})
			}},
		{"replacement without AllowReplace", fsm.StateDelegated, memberA, ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: memberB, AllowReplace: true},
			func(p *ipamorg.Plan) { p.Desired.AllowReplace = false }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				emu := emulatorAt(tc.from, tc.admin)
				c := memClient(t, emu)
				p, err := c.Plan(t.Context(), tc.d)
				if err != nil {
					t.Fatal(err)
				}
				tc.tamper(p)
				emu.ResetRequests()
				res, err := c.Apply(t.Context(), p)
				if !errors.Is(err, ipamorg.ErrInvalidDesired) && !errors.Is(err, ipamorg.ErrDelegatedAdminConflict) {
					t.Fatalf("Apply of a tampered plan: %v, want ErrInvalidDesired", err)
				}
				if n := len(emu.Requests()); n != 0 || len(res.Transitions) != 0 {
					t.Errorf("%d requests, transitions %v: the plan was not refused before any call", n, transitionsOf(res))
				}
				if !ipamorg.IsTerminal(err) {
					t.Errorf("IsTerminal(%v) = false", err)
				}
			})
		})
	}
}

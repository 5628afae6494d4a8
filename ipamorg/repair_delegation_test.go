package ipamorg_test

import (
	"slices"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/ipamorg/sdk/awsclient/awstest"
	"github.com/ipamorg/sdk/fsm"
	"github.com/ipamorg/sdk/ipamorg"
)

// wrongPath returns an emulator where trusted access and the administrator
// were registered through Organizations: delegated, with no
// AWSServiceRoleForIPAM anywhere.
func wrongPath() *awstest.Emulator {
	emu := emulatorAt(fsm.StateNone, "")
	emu.SetTrustedAccess(awstest.IPAMServicePrincipal, true)
	emu.SetDelegatedAdmins(awstest.IPAMServicePrincipal, memberA)
	return emu
}

// The wrong path with the administrator registered: the plan to that same
// administrator is one step, repair-delegation, which says why; applying
// it is one write, reported as a transition, after which IPAM's roles are
// in every account, the warning is gone, and the members it could not
// monitor are monitored.
func TestE2ERepairDelegation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu := wrongPath()
		createIPAM(t, emu, memberA, "us-east-1")
		var hooked []ipamorg.Transition
		c := memClient(t, emu, func(o *ipamorg.Options) { o.OnTransition = func(tr ipamorg.Transition) { hooked = append(hooked, tr) } })

		st := wantState(t, c, fsm.StateDelegated, memberA)
		wantWarnings(t, st, ipamorg.WarnWrongEnablePath)
		if msg := st.Warnings[0].Message; !strings.Contains(msg, "reconcile to delegated administrator "+memberA) || !strings.Contains(msg, "repair-delegation") {
			t.Errorf("warning %q does not say how to repair", msg)
		}
		m, err := c.Monitoring(t.Context())
		if err != nil || m.Complete() || !slices.Contains(codes(m.Warnings), ipamorg.WarnAssumeRoleFailure) {
			t.Fatalf("before the repair: %+v, %v", m, err)
		}

		d := ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: memberA}
		p, err := c.Plan(t.Context(), d)
		if err != nil {
			t.Fatal(err)
		}
		want := ipamorg.Step{Event: fsm.EventRepairDelegation, From: fsm.StateDelegated, To: fsm.StateDelegated,
			Action: "ec2:EnableIpamOrganizationAdminAccount", Account: memberA}
		if len(p.Steps) != 1 || p.Steps[0] != want {
			t.Fatalf("plan steps %+v, want %+v", p.Steps, want)
		}
		if text := p.String(); strings.Contains(text, "No changes") || !strings.Contains(text, "why      trusted access and the administrator were registered through AWS Organizations") {
			t.Errorf("plan text does not say why:\n%s", text)
		}

		emu.ResetRequests()
		res, err := c.Apply(t.Context(), p)
		if err != nil {
			t.Fatal(err)
		}
		wantWrites(t, emu, enableAdmin)
		wantTransitions(t, res, "repair-delegation delegated->delegated")
		if len(hooked) != 1 || hooked[0].Event != fsm.EventRepairDelegation || hooked[0].Account != memberA {
			t.Errorf("OnTransition saw %+v", hooked)
		}
		if got := emu.Snapshot().IPAMRoleAccounts(); !slices.Equal(got, []string{mgmt, memberA, memberB}) {
			t.Errorf("IPAM role in %v, want every account", got)
		}
		if len(res.Status.Warnings) != 0 {
			t.Errorf("warnings after the repair: %v", res.Status.Warnings)
		}
		st = wantState(t, c, fsm.StateDelegated, memberA)
		wantWarnings(t, st)
		if p, err = c.Plan(t.Context(), d); err != nil || !p.Empty() {
			t.Errorf("plan after the repair: %v, %v", p, err)
		}
		if m, err = c.Monitoring(t.Context()); err != nil || !m.Complete() {
			t.Errorf("after the repair: %+v, %v", m, err)
		}
	})
}

// The explicit Delegate to the administrator already registered the wrong
// way takes the same repair; to a correct delegation it writes nothing.
func TestE2ERepairDelegationExplicit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu := wrongPath()
		c := memClient(t, emu)
		res, err := c.Delegate(t.Context(), memberA)
		if err != nil {
			t.Fatal(err)
		}
		wantTransitions(t, res, "repair-delegation delegated->delegated")
		wantWrites(t, emu, enableAdmin)
		emu.ResetRequests()
		if res, err = c.Delegate(t.Context(), memberA); err != nil || len(res.Transitions) != 0 {
			t.Fatalf("second Delegate = %+v, %v", res, err)
		}
		wantNoWrites(t, emu)
	})
}

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
			{Event: fsm.EventDelegate, From: fsm.StateTrusted, To: fsm.StateDelegated, Action: "ec2:EnableIpamOrganizationAdminAccount", Account: memberA},
		}},
		{"disabled to delegated", fsm.StateDisabled, "", ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: memberA}, []ipamorg.Step{
			{Event: fsm.EventEnableTrustedAccess, From: fsm.StateDisabled, To: fsm.StateTrusted, Account: memberA},
			{Event: fsm.EventDelegate, From: fsm.StateTrusted, To: fsm.StateDelegated, Action: "ec2:EnableIpamOrganizationAdminAccount", Account: memberA},
		}},
		{"same admin", fsm.StateDelegated, memberA, ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: memberA}, []ipamorg.Step{}},
		{"replace admin", fsm.StateDelegated, memberA, ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: memberB, AllowReplace: true}, []ipamorg.Step{
			{Event: fsm.EventRemoveDelegate, From: fsm.StateDelegated, To: fsm.StateTrusted, Action: "ec2:DisableIpamOrganizationAdminAccount", Account: memberA},
			{Event: fsm.EventDelegate, From: fsm.StateTrusted, To: fsm.StateDelegated, Action: "ec2:EnableIpamOrganizationAdminAccount", Account: memberB},
		}},
		{"teardown", fsm.StateDelegated, memberA, ipamorg.Desired{State: fsm.StateNone}, []ipamorg.Step{
			{Event: fsm.EventRemoveDelegate, From: fsm.StateDelegated, To: fsm.StateTrusted, Action: "ec2:DisableIpamOrganizationAdminAccount", Account: memberA},
			{Event: fsm.EventDisableTrustedAccess, From: fsm.StateTrusted, To: fsm.StateDisabled, Action: "organizations:DisableAWSServiceAccess"},
			{Event: fsm.EventDeleteServiceLinkedRole, From: fsm.StateDisabled, To: fsm.StateNone, Action: "iam:DeleteServiceLinkedRole"},
		}},
		{"already none", fsm.StateNone, "", ipamorg.Desired{State: fsm.StateNone}, []ipamorg.Step{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				p, err := newEnv(t, newWorld(tt.from, tt.admin)).client().Plan(t.Context(), tt.desired)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(p.Steps, tt.steps) {
					t.Errorf("steps\n got %+v\nwant %+v", p.Steps, tt.steps)
				}
				if p.Empty() != (len(tt.steps) == 0) || p.Status.State != tt.from || p.Desired != tt.desired {
					t.Errorf("plan %+v", p)
				}
			})
		})
	}
}

func TestPlanString(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := newEnv(t, newWorld(fsm.StateDelegated, memberA)).client()
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

// guardCase is a move that must be refused before any write. The mocks
// expect no write, so gomock fails the test if one is attempted.
type guardCase struct {
	name  string
	setup func(w *world)
	from  fsm.State
	admin string
	do    func(t *testing.T, c *ipamorg.Client) error
	kind  error
}

func reconcile(d ipamorg.Desired) func(*testing.T, *ipamorg.Client) error {
	return func(t *testing.T, c *ipamorg.Client) error {
		res, err := c.Reconcile(t.Context(), d)
		if res == nil || len(res.Transitions) != 0 {
			t.Errorf("Reconcile result %+v, want non-nil with no transitions", res)
		}
		return err
	}
}

func plan(d ipamorg.Desired) func(*testing.T, *ipamorg.Client) error {
	return func(t *testing.T, c *ipamorg.Client) error {
		p, err := c.Plan(t.Context(), d)
		if p != nil {
			t.Errorf("Plan = %v, want nil on error", p)
		}
		return err
	}
}

func delegate(account string) func(*testing.T, *ipamorg.Client) error {
	return func(t *testing.T, c *ipamorg.Client) error {
		res, err := c.Delegate(t.Context(), account)
		if res == nil || len(res.Transitions) != 0 {
			t.Errorf("Delegate result %+v, want non-nil with no transitions", res)
		}
		return err
	}
}

func TestGuards(t *testing.T) {
	delegated := func(a string) ipamorg.Desired { return ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: a} }
	tests := []guardCase{
		{name: "not management (delegate)", setup: func(w *world) { w.caller = memberA }, do: delegate(memberB), kind: ipamorg.ErrNotManagementAccount},
		{name: "not management (reconcile)", setup: func(w *world) { w.caller = memberA }, do: reconcile(delegated(memberB)), kind: ipamorg.ErrNotManagementAccount},
		{name: "not management (teardown)", setup: func(w *world) { w.caller = memberA }, from: fsm.StateDisabled,
			do: func(t *testing.T, c *ipamorg.Client) error {
				_, err := c.DeleteServiceLinkedRole(t.Context())
				return err
			}, kind: ipamorg.ErrNotManagementAccount},
		{name: "no organization", setup: func(w *world) {
			w.inject("DescribeOrganization", &organizationsNotInUse)
		}, do: delegate(memberA), kind: ipamorg.ErrOrganizationNotFound},
		{name: "consolidated billing", setup: func(w *world) { w.featureSet = "CONSOLIDATED_BILLING" }, do: plan(delegated(memberA)), kind: ipamorg.ErrAllFeaturesRequired},
		{name: "account not in organization", do: delegate(outsider), kind: ipamorg.ErrAccountNotInOrganization},
		{name: "suspended account", do: reconcile(delegated(suspended)), kind: ipamorg.ErrAccountNotInOrganization},
		{name: "management as delegate", do: delegate(mgmt), kind: ipamorg.ErrManagementAccountAsDelegate},
		{name: "management as delegate (plan)", from: fsm.StateTrusted, do: plan(delegated(mgmt)), kind: ipamorg.ErrManagementAccountAsDelegate},
		{name: "other admin (delegate)", from: fsm.StateDelegated, admin: memberA, do: delegate(memberB), kind: ipamorg.ErrDelegatedAdminConflict},
		{name: "other admin (reconcile)", from: fsm.StateDelegated, admin: memberA, do: reconcile(delegated(memberB)), kind: ipamorg.ErrDelegatedAdminConflict},
		{name: "none to trusted", do: reconcile(ipamorg.Desired{State: fsm.StateTrusted}), kind: ipamorg.ErrTrustedAccessRequiresDelegation},
		{name: "none to disabled", do: plan(ipamorg.Desired{State: fsm.StateDisabled}), kind: ipamorg.ErrTrustedAccessRequiresDelegation},
		{name: "disabled to trusted", from: fsm.StateDisabled, do: reconcile(ipamorg.Desired{State: fsm.StateTrusted}), kind: ipamorg.ErrTrustedAccessRequiresDelegation},
		{name: "remove from none", do: func(t *testing.T, c *ipamorg.Client) error { _, err := c.RemoveDelegate(t.Context()); return err }, kind: fsm.ErrInvalidTransition},
		{name: "remove from trusted", from: fsm.StateTrusted, do: func(t *testing.T, c *ipamorg.Client) error { _, err := c.RemoveDelegate(t.Context()); return err }, kind: fsm.ErrInvalidTransition},
		{name: "disable from delegated", from: fsm.StateDelegated, admin: memberA,
			do: func(t *testing.T, c *ipamorg.Client) error { _, err := c.DisableTrustedAccess(t.Context()); return err }, kind: fsm.ErrInvalidTransition},
		{name: "disable from none", do: func(t *testing.T, c *ipamorg.Client) error { _, err := c.DisableTrustedAccess(t.Context()); return err }, kind: fsm.ErrInvalidTransition},
		{name: "delete role from trusted", from: fsm.StateTrusted,
			do: func(t *testing.T, c *ipamorg.Client) error {
				_, err := c.DeleteServiceLinkedRole(t.Context())
				return err
			}, kind: fsm.ErrInvalidTransition},
		{name: "delete role from none",
			do: func(t *testing.T, c *ipamorg.Client) error {
				_, err := c.DeleteServiceLinkedRole(t.Context())
				return err
			}, kind: fsm.ErrInvalidTransition},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				from := tt.from
				if from == "" {
					from = fsm.StateNone
				}
				w := newWorld(from, tt.admin)
				if tt.setup != nil {
					tt.setup(w)
				}
				err := tt.do(t, newEnv(t, w).client())
				if !errors.Is(err, tt.kind) {
					t.Fatalf("error %v, want %v", err, tt.kind)
				}
				var e *ipamorg.Error
				if !errors.As(err, &e) || e.Kind != tt.kind {
					t.Errorf("error %#v, want *ipamorg.Error with Kind %v", err, tt.kind)
				}
				if len(e.Done) != 0 {
					t.Errorf("Done = %v, want nothing done", e.Done)
				}
				if tt.kind == fsm.ErrInvalidTransition {
					var te *fsm.TransitionError
					if !errors.As(err, &te) || te.State != from {
						t.Errorf("no *fsm.TransitionError for state %s in %v", from, err)
					}
				}
			})
		})
	}
}

// Malformed input is refused before any AWS call at all: the mocks here
// expect nothing, not even reads.
func TestInvalidInputBeforeAnyCall(t *testing.T) {
	tests := []struct {
		name string
		do   func(t *testing.T, c *ipamorg.Client) error
		kind error
	}{
		{"short id", delegate("12345678901"), ipamorg.ErrInvalidAccountID},
		{"long id", delegate("1234567890123"), ipamorg.ErrInvalidAccountID},
		{"letter", delegate("12345678901a"), ipamorg.ErrInvalidAccountID},
		{"non-ascii digits", delegate("١٢٣٤٥٦٧٨٩٠١٢"), ipamorg.ErrInvalidAccountID},
		{"empty", delegate(""), ipamorg.ErrInvalidAccountID},
		{"reconcile bad id", reconcile(ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: "arn:aws:iam::1"}), ipamorg.ErrInvalidAccountID},
		{"plan bad id", plan(ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: " 222222222222"}), ipamorg.ErrInvalidAccountID},
		{"delegated without admin", plan(ipamorg.Desired{State: fsm.StateDelegated}), ipamorg.ErrInvalidDesired},
		{"trusted with admin", reconcile(ipamorg.Desired{State: fsm.StateTrusted, DelegatedAdmin: memberA}), ipamorg.ErrInvalidDesired},
		{"unknown state", plan(ipamorg.Desired{State: "enabled"}), ipamorg.ErrInvalidDesired},
		{"nil plan", func(t *testing.T, c *ipamorg.Client) error { _, err := c.Apply(t.Context(), nil); return err }, ipamorg.ErrInvalidDesired},
		{"hand-made plan", func(t *testing.T, c *ipamorg.Client) error {
			_, err := c.Apply(t.Context(), &ipamorg.Plan{Status: &ipamorg.Status{State: fsm.StateNone},
				Steps: []ipamorg.Step{{Event: fsm.EventDelegate, From: fsm.StateNone, To: fsm.StateDelegated}}})
			return err
		}, ipamorg.ErrInvalidDesired},
		{"hand-made plan enabling trusted access alone", func(t *testing.T, c *ipamorg.Client) error {
			_, err := c.Apply(t.Context(), &ipamorg.Plan{Status: &ipamorg.Status{State: fsm.StateNone},
				Steps: []ipamorg.Step{{Event: fsm.EventEnableTrustedAccess, From: fsm.StateNone, To: fsm.StateTrusted}}})
			return err
		}, ipamorg.ErrTrustedAccessRequiresDelegation},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newMocks(t, newWorld(fsm.StateNone, ""))
			err := tt.do(t, e.client())
			if !errors.Is(err, tt.kind) {
				t.Fatalf("error %v, want %v", err, tt.kind)
			}
			if !strings.HasPrefix(err.Error(), "ipamorg: ") {
				t.Errorf("error string %q", err)
			}
		})
	}
}

package ipamorg_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/ipamorg/sdk/awsclient/awstest"
	"github.com/ipamorg/sdk/fsm"
	"github.com/ipamorg/sdk/ipamorg"
)

// Every guard refuses its move with its sentinel before anything is written,
// as the emulator's audit log proves; malformed input is refused before any
// request at all.
func TestE2EGuards(t *testing.T) {
	withAdmin := func(admin string) func(*awstest.ServerOptions) {
		org := awstest.DefaultOrganization()
		org.IPAMDelegatedAdmin = admin
		return awstest.WithOrganization(org)
	}
	withSuspended := func() func(*awstest.ServerOptions) {
		org := awstest.DefaultOrganization()
		org.Members = append(org.Members, awstest.Account{ID: suspended, Status: awstest.StatusSuspended})
		return awstest.WithOrganization(org)
	}
	consolidatedBilling := func() func(*awstest.ServerOptions) {
		org := awstest.DefaultOrganization()
		org.FeatureSet = awstest.FeatureSetConsolidatedBilling
		return awstest.WithOrganization(org)
	}
	delegated := func(admin string) ipamorg.Desired {
		return ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: admin}
	}
	reconcile := func(d ipamorg.Desired) func(context.Context, *ipamorg.Client) error {
		return func(ctx context.Context, c *ipamorg.Client) error { _, err := c.Reconcile(ctx, d); return err }
	}
	plan := func(d ipamorg.Desired) func(context.Context, *ipamorg.Client) error {
		return func(ctx context.Context, c *ipamorg.Client) error { _, err := c.Plan(ctx, d); return err }
	}
	delegate := func(account string) func(context.Context, *ipamorg.Client) error {
		return func(ctx context.Context, c *ipamorg.Client) error { _, err := c.Delegate(ctx, account); return err }
	}

	for _, tc := range []struct {
		name   string
		opts   []func(*awstest.ServerOptions)
		caller string
		call   func(context.Context, *ipamorg.Client) error
		want   error
		// noRequest: refused from the input alone, before any AWS call.
		noRequest bool
	}{
		{name: "invalid account id: Delegate", call: delegate("12345"), want: ipamorg.ErrInvalidAccountID, noRequest: true},
		{name: "invalid account id: Reconcile", call: reconcile(delegated("11112222333x")), want: ipamorg.ErrInvalidAccountID, noRequest: true},
		{name: "invalid account id: Plan", call: plan(delegated(" 222222222222")), want: ipamorg.ErrInvalidAccountID, noRequest: true},
		{name: "unknown desired state", call: reconcile(ipamorg.Desired{State: "enabled"}), want: ipamorg.ErrInvalidDesired, noRequest: true},
		{name: "delegated without admin", call: reconcile(ipamorg.Desired{State: fsm.StateDelegated}), want: ipamorg.ErrInvalidDesired, noRequest: true},

		{name: "management account as delegate: Delegate", call: delegate(mgmt), want: ipamorg.ErrManagementAccountAsDelegate},
		{name: "management account as delegate: Reconcile", call: reconcile(delegated(mgmt)), want: ipamorg.ErrManagementAccountAsDelegate},
		{name: "account outside the organization", call: delegate(outsider), want: ipamorg.ErrAccountNotInOrganization},
		{name: "suspended member", opts: []func(*awstest.ServerOptions){withSuspended()}, call: reconcile(delegated(suspended)), want: ipamorg.ErrAccountNotInOrganization},
		{name: "consolidated billing only", opts: []func(*awstest.ServerOptions){consolidatedBilling()}, call: delegate(memberA), want: ipamorg.ErrAllFeaturesRequired},
		{name: "another admin: Delegate", opts: []func(*awstest.ServerOptions){withAdmin(memberA)}, call: delegate(memberB), want: ipamorg.ErrDelegatedAdminConflict},
		{name: "another admin: Reconcile", opts: []func(*awstest.ServerOptions){withAdmin(memberA)}, call: reconcile(delegated(memberB)), want: ipamorg.ErrDelegatedAdminConflict},
		{name: "trusted without admin", call: reconcile(ipamorg.Desired{State: fsm.StateTrusted}), want: ipamorg.ErrTrustedAccessRequiresDelegation},
		{name: "disabled from none", call: reconcile(ipamorg.Desired{State: fsm.StateDisabled}), want: ipamorg.ErrTrustedAccessRequiresDelegation},
		{name: "RemoveDelegate from none", call: func(ctx context.Context, c *ipamorg.Client) error { _, err := c.RemoveDelegate(ctx); return err }, want: fsm.ErrInvalidTransition},
		{name: "DisableTrustedAccess from delegated", opts: []func(*awstest.ServerOptions){withAdmin(memberA)},
			call: func(ctx context.Context, c *ipamorg.Client) error { _, err := c.DisableTrustedAccess(ctx); return err }, want: fsm.ErrInvalidTransition},

		{name: "member: Reconcile", caller: memberA, call: reconcile(delegated(memberB)), want: ipamorg.ErrNotManagementAccount},
		{name: "member: Plan", caller: memberA, call: plan(delegated(memberB)), want: ipamorg.ErrNotManagementAccount},
		{name: "member: Delegate", caller: memberA, call: delegate(memberB), want: ipamorg.ErrNotManagementAccount},
		{name: "member: RemoveDelegate", caller: memberB, opts: []func(*awstest.ServerOptions){withAdmin(memberA)},
			call: func(ctx context.Context, c *ipamorg.Client) error { _, err := c.RemoveDelegate(ctx); return err }, want: ipamorg.ErrNotManagementAccount},
		{name: "member: teardown", caller: memberB, opts: []func(*awstest.ServerOptions){withAdmin(memberA)},
			call: reconcile(ipamorg.Desired{State: fsm.StateNone}), want: ipamorg.ErrNotManagementAccount},

		{name: "no organization", opts: []func(*awstest.ServerOptions){awstest.WithoutOrganization()},
			call: func(ctx context.Context, c *ipamorg.Client) error { _, err := c.Observe(ctx); return err }, want: ipamorg.ErrOrganizationNotFound},
		{name: "no organization: Delegate", opts: []func(*awstest.ServerOptions){awstest.WithoutOrganization()},
			call: delegate(memberA), want: ipamorg.ErrOrganizationNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := awstest.StartServer(t, tc.opts...)
			caller := tc.caller
			if caller == "" {
				caller = mgmt
			}
			before := srv.Snapshot()
			err := tc.call(t.Context(), clientAs(t, srv, caller))
			if !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
			asIpamError(t, err)
			wantNoWrites(t, srv.Emulator)
			if tc.noRequest {
				if n := len(srv.Requests()); n != 0 {
					t.Errorf("%d requests sent, want none", n)
				}
			} else if n := len(srv.Requests()); n == 0 {
				t.Error("no request was sent: the guard did not look at AWS")
			}
			if after := srv.Snapshot(); !equalState(before, after) {
				t.Errorf("state changed:\n%+v\n%+v", before, after)
			}
		})
	}
}

// equalState compares the parts of emulator states that a write could
// change.
func equalState(a, b awstest.State) bool {
	if len(a.TrustedServices) != len(b.TrustedServices) || len(a.DelegatedAdmins) != len(b.DelegatedAdmins) || len(a.Roles) != len(b.Roles) {
		return false
	}
	for p := range a.TrustedServices {
		if _, ok := b.TrustedServices[p]; !ok {
			return false
		}
	}
	for p, ids := range a.DelegatedAdmins {
		if !slices.Equal(ids, b.DelegatedAdmins[p]) {
			return false
		}
	}
	for acct, roles := range a.Roles {
		if !slices.Equal(roles, b.Roles[acct]) {
			return false
		}
	}
	return true
}

// A member account sees a partial picture, says so in warnings rather than
// failing, and is refused every change before any write.
func TestE2ENonManagementCaller(t *testing.T) {
	srv := awstest.StartServer(t)
	member := clientAs(t, srv, memberA)

	st, err := member.Observe(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	// The management-only reads were denied: the state is not known, and
	// Observe does not claim one.
	if st.State != fsm.StateUnknown || st.CallerAccountID != memberA || st.ManagementAccountID != mgmt ||
		st.TrustedAccess || st.DelegatedAdmin != "" || st.ServiceLinkedRole {
		t.Errorf("status %+v", st)
	}
	wantWarnings(t, st, ipamorg.WarnNotManagementAccount, ipamorg.WarnPartialRead, ipamorg.WarnPartialRead, ipamorg.WarnPartialRead)

	// The denied reads are in the audit as AccessDeniedException, not
	// retried.
	for _, op := range []string{"ListAWSServiceAccessForOrganization", "ListDelegatedAdministrators"} {
		reqs := srv.Calls(op)
		if len(reqs) != 1 || reqs[0].Code != "AccessDeniedException" || reqs[0].Account != memberA {
			t.Errorf("%s requests %+v", op, reqs)
		}
	}

	_, err = member.Reconcile(t.Context(), ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: memberA})
	if !errors.Is(err, ipamorg.ErrNotManagementAccount) {
		t.Errorf("Reconcile error %v", err)
	}
	if e := asIpamError(t, err); e.Last == nil || e.Last.CallerAccountID != memberA {
		t.Errorf("error carries status %+v", e.Last)
	}
	wantNoWrites(t, srv.Emulator)
}

// A member account turned IPAM delegated administrator may read what AWS
// opens to delegated administrators, so its Observe sees the integration
// (delegated, itself the admin) with only the not-management warning; the
// management account's role is still out of its sight, and it still cannot
// change anything.
func TestE2EMemberTurnedAdmin(t *testing.T) {
	srv := awstest.StartServer(t)
	if _, err := clientAs(t, srv, mgmt).Delegate(t.Context(), memberA); err != nil {
		t.Fatal(err)
	}
	admin := clientAs(t, srv, memberA)

	srv.ResetRequests()
	st, err := admin.Observe(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if st.State != fsm.StateDelegated || st.DelegatedAdmin != memberA || !st.TrustedAccess ||
		st.CallerAccountID != memberA || st.ManagementAccountID != mgmt {
		t.Errorf("status %+v", st)
	}
	// iam:GetRole read the admin's own account (which has the role), not
	// the management account the field is about: reported as false.
	if st.ServiceLinkedRole {
		t.Errorf("ServiceLinkedRole reported for the management account by a member: %+v", st)
	}
	// It cannot read the management account's role: said so, and not
	// needed to know the state.
	wantWarnings(t, st, ipamorg.WarnNotManagementAccount, ipamorg.WarnPartialRead)
	for _, r := range srv.Requests() {
		if !r.Succeeded() {
			t.Errorf("the admin's read %s failed: %s", r.Operation, r.Code)
		}
	}

	// The other member is no admin: partial again.
	other, err := clientAs(t, srv, memberB).Observe(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if other.State != fsm.StateUnknown || other.DelegatedAdmin != "" {
		t.Errorf("the other member sees %+v", other)
	}
	wantWarnings(t, other, ipamorg.WarnNotManagementAccount, ipamorg.WarnPartialRead, ipamorg.WarnPartialRead, ipamorg.WarnPartialRead)

	srv.ResetRequests()
	for name, call := range map[string]func() error{
		"RemoveDelegate": func() error { _, err := admin.RemoveDelegate(t.Context()); return err },
		"Reconcile none": func() error {
			_, err := admin.Reconcile(t.Context(), ipamorg.Desired{State: fsm.StateNone})
			return err
		},
		"Delegate other": func() error { _, err := admin.Delegate(t.Context(), memberB); return err },
	} {
		if err := call(); !errors.Is(err, ipamorg.ErrNotManagementAccount) {
			t.Errorf("%s as the admin: error %v, want ErrNotManagementAccount", name, err)
		}
	}
	wantNoWrites(t, srv.Emulator)
}

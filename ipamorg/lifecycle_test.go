package ipamorg_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/ipamorg/sdk/awsclient/awstest"
	"github.com/ipamorg/sdk/fsm"
	"github.com/ipamorg/sdk/ipamorg"
)

// The whole lifecycle, none → delegated → trusted → disabled → none, one
// Reconcile per state, over HTTP: each write is the one AWS call the
// table of events (docs/architecture.md) gives for its event, and each
// Reconcile leaves the emulator's own state where the library says it is.
func TestE2ELifecycleReconcile(t *testing.T) {
	srv := awstest.StartServer(t)
	var hooked []ipamorg.Transition
	c := clientAs(t, srv, mgmt, func(o *ipamorg.Options) { o.OnTransition = func(tr ipamorg.Transition) { hooked = append(hooked, tr) } })
	ctx := t.Context()

	wantState(t, c, fsm.StateNone, "")
	steps := []struct {
		desired     ipamorg.Desired
		transitions []string
		write       string
		check       func(awstest.State) bool
	}{
		{
			ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: memberA},
			[]string{"enable-trusted-access none->trusted", "delegate trusted->delegated"},
			enableAdmin,
			func(s awstest.State) bool {
				// One EC2 call did it all, including the service-linked
				// role in every account.
				return slices.Equal(s.DelegatedAdmins[awstest.IPAMServicePrincipal], []string{memberA}) &&
					!s.TrustedServices[awstest.IPAMServicePrincipal].IsZero() &&
					slices.Equal(s.IPAMRoleAccounts(), []string{mgmt, memberA, memberB})
			},
		},
		{
			ipamorg.Desired{State: fsm.StateTrusted},
			[]string{"remove-delegate delegated->trusted"},
			disableAdmin,
			func(s awstest.State) bool {
				return len(s.DelegatedAdmins[awstest.IPAMServicePrincipal]) == 0 && !s.TrustedServices[awstest.IPAMServicePrincipal].IsZero()
			},
		},
		{
			ipamorg.Desired{State: fsm.StateDisabled},
			[]string{"disable-trusted-access trusted->disabled"},
			disableTrust,
			func(s awstest.State) bool {
				_, trusted := s.TrustedServices[awstest.IPAMServicePrincipal]
				return !trusted && s.HasRole(mgmt, awstest.IPAMRoleName)
			},
		},
		{
			ipamorg.Desired{State: fsm.StateNone},
			[]string{"delete-service-linked-role disabled->none"},
			deleteRole,
			func(s awstest.State) bool {
				// Only the management account's role is the library's to
				// delete; the members' roles stay (docs/aws-behaviour.md).
				return !s.HasRole(mgmt, awstest.IPAMRoleName)
			},
		},
	}
	for _, step := range steps {
		srv.ResetRequests()
		res, err := c.Reconcile(ctx, step.desired)
		if err != nil {
			t.Fatalf("Reconcile(%+v): %v", step.desired, err)
		}
		wantTransitions(t, res, step.transitions...)
		wantWrites(t, srv.Emulator, step.write)
		if res.Status.State != step.desired.State {
			t.Errorf("Reconcile(%s) ended in %s", step.desired.State, res.Status.State)
		}
		if snap := srv.Snapshot(); !step.check(snap) {
			t.Errorf("after Reconcile(%s) the emulator holds %+v", step.desired.State, snap)
		}

		// Level-based: the same desired state again writes nothing.
		srv.ResetRequests()
		res, err = c.Reconcile(ctx, step.desired)
		if err != nil || len(res.Transitions) != 0 {
			t.Errorf("second Reconcile(%s) = %v, %v", step.desired.State, transitionsOf(res), err)
		}
		wantNoWrites(t, srv.Emulator)
	}
	st := wantState(t, c, fsm.StateNone, "")
	if st.TrustedAccess || st.ServiceLinkedRole || len(st.Warnings) != 0 {
		t.Errorf("final status %+v", st)
	}
	// The lifecycle machine told OnTransition of each step, in order.
	want := []fsm.Event{fsm.EventEnableTrustedAccess, fsm.EventDelegate, fsm.EventRemoveDelegate,
		fsm.EventDisableTrustedAccess, fsm.EventDeleteServiceLinkedRole}
	if got := ipamorg.Events(hooked); !slices.Equal(got, want) {
		t.Fatalf("OnTransition saw %v, want %v", got, want)
	}
	if h := hooked[0]; h.Action != "" || h.Duration != 0 || h.Account != memberA {
		t.Errorf("enable-trusted-access transition %+v", h)
	}
	if h := hooked[1]; h.Action != enableAdmin || h.Account != memberA || h.Duration <= 0 || h.At.IsZero() {
		t.Errorf("delegate transition %+v", h)
	}
}

// One Reconcile from delegated to none takes the teardown in AWS's order
// (docs/aws-behaviour.md), and one from none to delegated the single EC2 call.
func TestE2EReconcileTeardownInOneCall(t *testing.T) {
	org := awstest.DefaultOrganization()
	org.IPAMDelegatedAdmin = memberB
	srv := awstest.StartServer(t, awstest.WithOrganization(org))
	c := clientAs(t, srv, mgmt)

	res, err := c.Reconcile(t.Context(), ipamorg.Desired{State: fsm.StateNone})
	if err != nil {
		t.Fatal(err)
	}
	wantTransitions(t, res,
		"remove-delegate delegated->trusted",
		"disable-trusted-access trusted->disabled",
		"delete-service-linked-role disabled->none")
	wantWrites(t, srv.Emulator, disableAdmin, disableTrust, deleteRole)
	if tr := res.Transitions[0]; tr.Account != memberB || tr.Action != disableAdmin {
		t.Errorf("remove-delegate transition %+v", tr)
	}
	// The deletion task is polled until IAM reports it done.
	if n := len(srv.Calls("GetServiceLinkedRoleDeletionStatus")); n < 1 {
		t.Errorf("deletion status polled %d times", n)
	}
	wantState(t, c, fsm.StateNone, "")

	srv.ResetRequests()
	res, err = c.Reconcile(t.Context(), ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: memberA})
	if err != nil {
		t.Fatal(err)
	}
	wantTransitions(t, res, "enable-trusted-access none->trusted", "delegate trusted->delegated")
	wantWrites(t, srv.Emulator, enableAdmin)
	if res.Status.DelegatedAdmin != memberA || !res.Status.ServiceLinkedRole || len(res.Status.Warnings) != 0 {
		t.Errorf("final status %+v", res.Status)
	}
}

// The explicit calls take one step each, and refuse (writing nothing) a
// step the lifecycle does not allow from where the organization stands.
func TestE2EExplicitCalls(t *testing.T) {
	srv := awstest.StartServer(t)
	c := clientAs(t, srv, mgmt)
	ctx := t.Context()

	refused := func(name string, call func() (*ipamorg.Result, error)) {
		t.Helper()
		srv.ResetRequests()
		res, err := call()
		if !errors.Is(err, fsm.ErrInvalidTransition) {
			t.Errorf("%s: error %v, want fsm.ErrInvalidTransition", name, err)
		}
		if res == nil || len(res.Transitions) != 0 {
			t.Errorf("%s: result %+v", name, res)
		}
		wantNoWrites(t, srv.Emulator)
	}
	did := func(name string, res *ipamorg.Result, err error, write string, transitions ...string) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		wantTransitions(t, res, transitions...)
		wantWrites(t, srv.Emulator, write)
		srv.ResetRequests()
	}

	refused("RemoveDelegate from none", func() (*ipamorg.Result, error) { return c.RemoveDelegate(ctx) })
	refused("DisableTrustedAccess from none", func() (*ipamorg.Result, error) { return c.DisableTrustedAccess(ctx) })
	refused("DeleteServiceLinkedRole from none", func() (*ipamorg.Result, error) { return c.DeleteServiceLinkedRole(ctx) })

	srv.ResetRequests()
	res, err := c.Delegate(ctx, memberA)
	did("Delegate", res, err, enableAdmin, "enable-trusted-access none->trusted", "delegate trusted->delegated")

	// Delegating the admin again is a no-op, not an error.
	res, err = c.Delegate(ctx, memberA)
	if err != nil || len(res.Transitions) != 0 {
		t.Errorf("Delegate again = %v, %v", transitionsOf(res), err)
	}
	wantNoWrites(t, srv.Emulator)
	refused("DeleteServiceLinkedRole from delegated", func() (*ipamorg.Result, error) { return c.DeleteServiceLinkedRole(ctx) })

	res, err = c.RemoveDelegate(ctx)
	did("RemoveDelegate", res, err, disableAdmin, "remove-delegate delegated->trusted")
	res, err = c.DisableTrustedAccess(ctx)
	did("DisableTrustedAccess", res, err, disableTrust, "disable-trusted-access trusted->disabled")

	// From disabled, Delegate re-enables trusted access with the same single
	// EC2 call; the role is there already.
	res, err = c.Delegate(ctx, memberB)
	did("Delegate from disabled", res, err, enableAdmin, "enable-trusted-access disabled->trusted", "delegate trusted->delegated")
	wantState(t, c, fsm.StateDelegated, memberB)

	for _, step := range []struct {
		name  string
		call  func() (*ipamorg.Result, error)
		write string
		tr    string
	}{
		{"RemoveDelegate", func() (*ipamorg.Result, error) { return c.RemoveDelegate(ctx) }, disableAdmin, "remove-delegate delegated->trusted"},
		{"DisableTrustedAccess", func() (*ipamorg.Result, error) { return c.DisableTrustedAccess(ctx) }, disableTrust, "disable-trusted-access trusted->disabled"},
		{"DeleteServiceLinkedRole", func() (*ipamorg.Result, error) { return c.DeleteServiceLinkedRole(ctx) }, deleteRole, "delete-service-linked-role disabled->none"},
	} {
		res, err := step.call()
		did(step.name, res, err, step.write, step.tr)
	}
	wantState(t, c, fsm.StateNone, "")
}

// Replacing the admin needs AllowReplace; without it nothing is written.
// With it, the old admin is removed before the new one is designated.
func TestE2EReplaceAdmin(t *testing.T) {
	org := awstest.DefaultOrganization()
	org.IPAMDelegatedAdmin = memberA
	srv := awstest.StartServer(t, awstest.WithOrganization(org))
	c := clientAs(t, srv, mgmt)
	ctx := t.Context()
	to := ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: memberB}

	_, err := c.Plan(ctx, to)
	if !errors.Is(err, ipamorg.ErrDelegatedAdminConflict) {
		t.Errorf("Plan error %v, want ErrDelegatedAdminConflict", err)
	}
	res, err := c.Reconcile(ctx, to)
	var e *ipamorg.Error
	if !errors.Is(err, ipamorg.ErrDelegatedAdminConflict) || !errors.As(err, &e) || e.Last == nil || e.Last.DelegatedAdmin != memberA {
		t.Errorf("Reconcile error %v, want ErrDelegatedAdminConflict with the status that shows %s", err, memberA)
	}
	if res == nil || len(res.Transitions) != 0 {
		t.Errorf("result %+v", res)
	}
	if _, err := c.Delegate(ctx, memberB); !errors.Is(err, ipamorg.ErrDelegatedAdminConflict) {
		t.Errorf("Delegate error %v, want ErrDelegatedAdminConflict", err)
	}
	wantNoWrites(t, srv.Emulator)

	to.AllowReplace = true
	p, err := c.Plan(ctx, to)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Events(); !slices.Equal(got, []fsm.Event{fsm.EventRemoveDelegate, fsm.EventDelegate}) ||
		p.Steps[0].Account != memberA || p.Steps[1].Account != memberB {
		t.Errorf("plan %+v", p.Steps)
	}
	res, err = c.Apply(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	wantTransitions(t, res, "remove-delegate delegated->trusted", "delegate trusted->delegated")
	wantWrites(t, srv.Emulator, disableAdmin, enableAdmin)
	wantState(t, c, fsm.StateDelegated, memberB)
	if got := srv.Snapshot().DelegatedAdmins[awstest.IPAMServicePrincipal]; !slices.Equal(got, []string{memberB}) {
		t.Errorf("emulator admins %v", got)
	}
}

// A plan that AWS overtook is refused before any write.
func TestE2EStalePlan(t *testing.T) {
	srv := awstest.StartServer(t)
	c := clientAs(t, srv, mgmt)
	other := clientAs(t, srv, mgmt)
	ctx := t.Context()

	p, err := c.Plan(ctx, ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: memberA})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Delegate(ctx, memberB); err != nil {
		t.Fatal(err)
	}
	srv.ResetRequests()
	res, err := c.Apply(ctx, p)
	if !errors.Is(err, ipamorg.ErrStalePlan) {
		t.Fatalf("Apply error %v, want ErrStalePlan", err)
	}
	if res.Status == nil || res.Status.DelegatedAdmin != memberB || len(res.Transitions) != 0 {
		t.Errorf("result %+v", res)
	}
	wantNoWrites(t, srv.Emulator)
}

// Trusted access enabled the wrong way, through Organizations rather than
// IPAM, leaves IPAM without its service-linked role: Observe warns, and
// Reconcile to delegated repairs it by delegating through IPAM, whose EC2
// call creates the role.
func TestE2EWrongEnablePath(t *testing.T) {
	for _, tc := range []struct {
		name   string
		enable func(t *testing.T, srv *awstest.Server)
	}{
		{"EnableAWSServiceAccess", func(t *testing.T, srv *awstest.Server) {
			// What a console click or a script does: Organizations' own
			// call, by the management account, with the raw SDK client.
			raw := organizations.NewFromConfig(srv.Config(t.Context(), mgmt))
			if _, err := raw.EnableAWSServiceAccess(t.Context(), &organizations.EnableAWSServiceAccessInput{
				ServicePrincipal: aws.String(awstest.IPAMServicePrincipal),
			}); err != nil {
				t.Fatal(err)
			}
		}},
		{"SetTrustedAccess", func(t *testing.T, srv *awstest.Server) {
			srv.SetTrustedAccess(awstest.IPAMServicePrincipal, true)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := awstest.StartServer(t)
			tc.enable(t, srv)
			if srv.Snapshot().HasRole(mgmt, awstest.IPAMRoleName) {
				t.Fatal("enabling through Organizations created the role")
			}

			c := clientAs(t, srv, mgmt)
			st := wantState(t, c, fsm.StateTrusted, "")
			if !st.TrustedAccess || st.ServiceLinkedRole {
				t.Errorf("status %+v", st)
			}
			wantWarnings(t, st, ipamorg.WarnWrongEnablePath)

			srv.ResetRequests()
			res, err := c.Reconcile(t.Context(), ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: memberA})
			if err != nil {
				t.Fatal(err)
			}
			// From trusted, only the delegate step.
			wantTransitions(t, res, "delegate trusted->delegated")
			wantWrites(t, srv.Emulator, enableAdmin)
			if got := srv.Snapshot().IPAMRoleAccounts(); !slices.Equal(got, []string{mgmt, memberA, memberB}) {
				t.Errorf("IPAM role in %v, want every account", got)
			}
			st = wantState(t, c, fsm.StateDelegated, memberA)
			if !st.ServiceLinkedRole || len(st.Warnings) != 0 {
				t.Errorf("repaired status %+v", st)
			}
		})
	}
}

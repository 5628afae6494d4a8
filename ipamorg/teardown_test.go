package ipamorg_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ipamorg/sdk/awsclient/awstest"
	"github.com/ipamorg/sdk/fsm"
	"github.com/ipamorg/sdk/ipamorg"
)

// Every move that removes the administrator is refused, with no write,
// while it owns an IPAM, one being deleted included, and the refusal names
// the IPAM and the command that deletes it; once it is gone the teardown
// runs.
func TestE2ETeardownRefusedWhileIPAMExists(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu := emulatorAt(fsm.StateDelegated, memberA, awstest.WithIPAMDelay(time.Minute))
		id := createIPAM(t, emu, memberA, "eu-west-1")
		time.Sleep(time.Minute) // created
		emu.ResetRequests()
		c := memClient(t, emu)

		moves := map[string]func(context.Context) error{
			"teardown": func(ctx context.Context) error {
				_, err := c.Reconcile(ctx, ipamorg.Desired{State: fsm.StateNone})
				return err
			},
			"disabled": func(ctx context.Context) error {
				_, err := c.Reconcile(ctx, ipamorg.Desired{State: fsm.StateDisabled})
				return err
			},
			"plan trusted": func(ctx context.Context) error {
				_, err := c.Plan(ctx, ipamorg.Desired{State: fsm.StateTrusted})
				return err
			},
			"replace": func(ctx context.Context) error {
				_, err := c.Reconcile(ctx, ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: memberB, AllowReplace: true})
				return err
			},
			"RemoveDelegate": func(ctx context.Context) error { _, err := c.RemoveDelegate(ctx); return err },
		}
		refused := func(state string) {
			t.Helper()
			for name, move := range moves {
				err := move(t.Context())
				if !errors.Is(err, ipamorg.ErrIPAMResourcesExist) || !ipamorg.IsTerminal(err) {
					t.Fatalf("%s: %v, want ErrIPAMResourcesExist", name, err)
				}
				for _, s := range []string{id + " in eu-west-1 (" + state + ")", "aws ec2 delete-ipam --ipam-id " + id + " --cascade --region eu-west-1",
					"an ipam being deleted counting until it is gone", "nothing was written"} {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("%s: error %q lacks %q", name, err, s)
					}
				}
			}
			wantNoWrites(t, emu)
		}
		refused("create-complete")

		deleteIPAM(t, emu, memberA, id, "eu-west-1")
		emu.ResetRequests()
		refused("delete-in-progress")

		time.Sleep(time.Minute) // deleted
		res, err := c.Reconcile(t.Context(), ipamorg.Desired{State: fsm.StateNone})
		if err != nil {
			t.Fatal(err)
		}
		wantTransitions(t, res, "remove-delegate delegated->trusted", "disable-trusted-access trusted->disabled", "delete-service-linked-role disabled->none")
		wantWrites(t, emu, disableAdmin, disableTrust, deleteRole)
	})
}

// After a teardown the members keep AWSServiceRoleForIPAM; the purge
// deletes it there and only there, with the fleet's report; a second
// purge finds nothing to do.
func TestE2EPurge(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu := emulatorAt(fsm.StateDelegated, memberA)
		c := memClient(t, emu)
		if _, err := c.Reconcile(t.Context(), ipamorg.Desired{State: fsm.StateNone}); err != nil {
			t.Fatal(err)
		}
		if got := emu.Snapshot().IPAMRoleAccounts(); !slices.Equal(got, []string{memberA, memberB}) {
			t.Fatalf("after teardown the role is in %v, want the members", got)
		}
		emu.ResetRequests()
		var progress []ipamorg.FleetProgress
		r, err := c.VerifyServiceLinkedRoles(t.Context(), func(o *ipamorg.VerifyOptions) {
			o.Purge = true
			o.Progress = func(p ipamorg.FleetProgress) {
				progress = append(progress, p)
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		if !r.Purge || !slices.Equal(r.Purged(), []string{memberA, memberB}) || r.Counts[ipamorg.RolePurged] != 2 || r.Counts[ipamorg.RoleMissing] != 1 {
			t.Errorf("report %+v", r)
		}
		if len(progress) == 0 || progress[len(progress)-1] != (ipamorg.FleetProgress{Listed: 3, Checked: 3, ListingDone: true}) {
			t.Errorf("progress %v", progress)
		}
		if got := emu.Snapshot().IPAMRoleAccounts(); len(got) != 0 {
			t.Errorf("role left in %v", got)
		}
		wantWrites(t, emu, deleteRole, deleteRole)
		for _, w := range emu.Writes() {
			if w.Account == mgmt {
				t.Errorf("purge wrote in the management account: %+v", w)
			}
		}
		if emu.CountCalls("GetServiceLinkedRoleDeletionStatus") < 2 {
			t.Error("the deletion tasks were not polled")
		}

		emu.ResetRequests()
		r, err = c.VerifyServiceLinkedRoles(t.Context(), func(o *ipamorg.VerifyOptions) { o.Purge = true })
		if err != nil || len(r.Purged()) != 0 || r.Counts[ipamorg.RoleMissing] != 3 {
			t.Errorf("second purge: %+v, %v", r, err)
		}
		wantNoWrites(t, emu)
	})
}

// In disabled the purge leaves the management account's role to the
// lifecycle's last step; while IPAM is integrated it is refused before
// any write; a member whose role IPAM still uses is an error with IAM's
// reason.
func TestE2EPurgeGuards(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		for _, state := range []fsm.State{fsm.StateDelegated, fsm.StateTrusted} {
			emu := emulatorAt(state, memberA)
			r, err := memClient(t, emu).VerifyServiceLinkedRoles(t.Context(), func(o *ipamorg.VerifyOptions) { o.Purge = true })
			if !errors.Is(err, ipamorg.ErrIntegrationActive) || r != nil || !ipamorg.IsTerminal(err) {
				t.Errorf("%s: %v, %v; want ErrIntegrationActive", state, r, err)
			}
			wantNoWrites(t, emu)
		}

		emu := emulatorAt(fsm.StateDelegated, memberA)
		c := memClient(t, emu)
		if _, err := c.Reconcile(t.Context(), ipamorg.Desired{State: fsm.StateDisabled}); err != nil {
			t.Fatal(err)
		}
		createIPAM(t, emu, memberB, "us-east-1") // memberB's own IPAM uses its role
		emu.ResetRequests()
		r, err := c.VerifyServiceLinkedRoles(t.Context(), func(o *ipamorg.VerifyOptions) { o.Purge = true })
		if err != nil {
			t.Fatal(err)
		}
		byID := map[string]ipamorg.AccountCheck{}
		for _, a := range r.Accounts {
			byID[a.AccountID] = a
		}
		if byID[mgmt].Result != ipamorg.RolePresent || byID[memberA].Result != ipamorg.RolePurged || byID[memberB].Result != ipamorg.RoleError {
			t.Errorf("results %+v", r.Accounts)
		}
		if b := byID[memberB]; !strings.Contains(b.Reason, "the deletion task failed") || !strings.Contains(b.Reason, "in use by IPAM resources") ||
			!errors.Is(b.Err, ipamorg.ErrServiceLinkedRoleDeletionFailed) {
			t.Errorf("member with an IPAM: %q, %v", b.Reason, b.Err)
		}
		if !emu.Snapshot().HasRole(mgmt, awstest.IPAMRoleName) {
			t.Error("purge deleted the management account's role")
		}
	})
}

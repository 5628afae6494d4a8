package ipamorg_test

import (
	"context"
	"errors"
	"flag"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ipamorg/sdk/awsclient/awstest"
	"github.com/ipamorg/sdk/fsm"
	"github.com/ipamorg/sdk/ipamorg"
)

// fleetMembers is the size of the organization TestE2EFleet verifies: 100
// members by default, so that the test is quick under -race; ask for more
// (go test -run TestE2EFleet -fleet-members 1000 ./ipamorg) to exercise
// pagination and concurrency at the scale of a large organization.
var fleetMembers = flag.Int("fleet-members", 100, "members of the organization TestE2EFleet verifies (at least 10)")

// TestE2EFleet verifies an emulated organization over HTTP with the SDK's
// own clients: a few members lost AWSServiceRoleForIPAM, a few cannot be
// assumed into, one is suspended. The check names exactly those; the
// repair fixes the missing roles and writes nothing else; a second check
// finds nothing wrong.
func TestE2EFleet(t *testing.T) {
	members := max(*fleetMembers, 10)
	org := awstest.GenerateOrganization(members)
	org.IPAMDelegatedAdmin = org.Members[0].ID
	id := func(i int) string { return org.Members[i-1].ID }
	at := func(share float64) int { return max(2, int(share*float64(members))) }
	org.Members[at(0.5)-1].Status = awstest.StatusSuspended
	suspendedID := id(at(0.5))
	broken := []string{id(at(0.017)), id(at(0.512)), id(members - 1)}
	locked := []string{id(3), id(at(0.7))}

	srv := awstest.NewServer(awstest.WithOrganization(org))
	t.Cleanup(srv.Close)
	for _, a := range broken {
		srv.DeleteIPAMRole(a)
	}
	for _, a := range locked {
		srv.RemoveRole(a, awstest.OrganizationAccessRoleName)
	}

	// A safety bound: a hang fails here, with its cause, rather than at
	// the test binary's timeout.
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	c, err := ipamorg.NewFromConfig(srv.Config(ctx, awstest.DefaultManagementAccountID))
	if err != nil {
		t.Fatal(err)
	}
	opts := ipamorg.VerifyOptions{Concurrency: 32, RateLimits: noLimits}

	start := time.Now()
	r, err := c.VerifyServiceLinkedRoles(ctx, func(o *ipamorg.VerifyOptions) { *o = opts })
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("verified %d accounts in %v", r.Total, time.Since(start))
	if r.Total != members+1 || len(r.Accounts) != members+1 || !r.Complete {
		t.Fatalf("total %d, %d accounts, complete %v", r.Total, len(r.Accounts), r.Complete)
	}
	if got := r.Missing(); !slices.Equal(got, broken) {
		t.Errorf("missing %v, want %v", got, broken)
	}
	if got := r.IDs(ipamorg.RoleAccessDenied); !slices.Equal(got, locked) {
		t.Errorf("access denied %v, want %v", got, locked)
	}
	if got := r.IDs(ipamorg.RoleSkipped); !slices.Equal(got, []string{suspendedID}) {
		t.Errorf("skipped %v", got)
	}
	if r.Counts[ipamorg.RolePresent] != members+1-len(broken)-len(locked)-1 || r.Counts[ipamorg.RoleError] != 0 {
		t.Errorf("counts %v", r.Counts)
	}
	for _, a := range r.Accounts {
		if a.Result == ipamorg.RoleAccessDenied && !errors.Is(a.Err, ipamorg.ErrAccessDenied) {
			t.Errorf("%s: %v", a.AccountID, a.Err)
		}
	}
	if w := srv.Writes(); len(w) != 0 {
		t.Errorf("the check wrote: %v", w)
	}

	srv.ResetRequests()
	r, err = c.VerifyServiceLinkedRoles(ctx, func(o *ipamorg.VerifyOptions) {
		o.Concurrency = 32
		o.RateLimits = noLimits
		o.Repair = true
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Repaired(); !slices.Equal(got, broken) {
		t.Errorf("repaired %v, want %v", got, broken)
	}
	var wrote []string
	for _, w := range srv.Writes() {
		if w.Action != "iam:CreateServiceLinkedRole" || !w.Succeeded() {
			t.Errorf("unexpected write %+v", w)
		}
		wrote = append(wrote, w.Account)
	}
	slices.Sort(wrote)
	if !slices.Equal(wrote, broken) {
		t.Errorf("wrote in %v, want %v", wrote, broken)
	}
	snap := srv.Snapshot()
	for _, a := range broken {
		if !snap.HasRole(a, awstest.IPAMRoleName) {
			t.Errorf("%s still has no role", a)
		}
	}

	r, err = c.VerifyServiceLinkedRoles(ctx, func(o *ipamorg.VerifyOptions) { *o = opts })
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Missing()) != 0 || !slices.Equal(r.Unverified(), locked) {
		t.Errorf("after repair: missing %v, unverified %v", r.Missing(), r.Unverified())
	}
}

// TestE2EFleetRepairRefusedBeforeDelegation checks that the emulated
// organization, not integrated with IPAM, gets no role from a repair: the
// repair is refused before any account is reached, while the check runs
// and says there is no administrator.
func TestE2EFleetRepairRefusedBeforeDelegation(t *testing.T) {
	srv := awstest.NewServer()
	t.Cleanup(srv.Close)
	srv.PutRole(memberB, awstest.IPAMRoleName)
	c, err := ipamorg.NewFromConfig(srv.Config(t.Context(), awstest.DefaultManagementAccountID))
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.VerifyServiceLinkedRoles(t.Context(), func(o *ipamorg.VerifyOptions) { o.RateLimits = noLimits })
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.Missing(), []string{mgmt, memberA}) || r.DelegatedAdmin != "" {
		t.Errorf("missing %v, admin %q", r.Missing(), r.DelegatedAdmin)
	}
	srv.ResetRequests()
	r, err = c.VerifyServiceLinkedRoles(t.Context(), func(o *ipamorg.VerifyOptions) { o.Repair = true })
	if !errors.Is(err, ipamorg.ErrNoDelegatedAdmin) || r != nil {
		t.Errorf("got %v, %v; want ErrNoDelegatedAdmin", r, err)
	}
	if n := srv.CountCalls("ListAccounts") + srv.CountCalls("AssumeRole"); n != 0 {
		t.Errorf("%d accounts listed or assumed into before refusing", n)
	}
	if w := srv.Writes(); len(w) != 0 {
		t.Errorf("wrote %v", w)
	}
}

// A repair waiting for the write lock behind a writer that polls for an
// hour gives up when its own context ends, and says so once.
func TestE2EFleetRepairHonoursContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu := emulatorAt(fsm.StateNone, "", awstest.WithLag(time.Hour, time.Hour))
		c := memClient(t, emu, func(o *ipamorg.Options) { o.Wait.MaxWait = 2 * time.Hour })
		first := make(chan error, 1)
		go func() {
			_, err := c.Reconcile(t.Context(), ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: memberA})
			first <- err
		}()
		synctest.Wait() // the Reconcile holds the lock and polls

		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		start := time.Now()
		r, err := c.VerifyServiceLinkedRoles(ctx, func(o *ipamorg.VerifyOptions) { o.Repair = true })
		if waited := time.Since(start); !errors.Is(err, context.DeadlineExceeded) || waited != 10*time.Second || r != nil {
			t.Fatalf("repair returned %v, %v after %v; want its deadline after 10s", r, err, waited)
		}
		if n := strings.Count(err.Error(), "context deadline exceeded"); n != 1 {
			t.Errorf("error %q says so %d times", err, n)
		}
		if n := emu.CountCalls("ListAccounts"); n != 0 {
			t.Errorf("the queued repair listed accounts %d times", n)
		}
		if err := <-first; err != nil {
			t.Errorf("first writer: %v", err)
		}
	})
}

// A deadline that strikes while the verification's first reads are in
// flight is said once, not once per read.
func TestE2EFleetDeadlineSaidOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu := awstest.New()
		emu.InjectFault("*", awstest.Fault{Latency: time.Minute})
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		_, err := memClient(t, emu).VerifyServiceLinkedRoles(ctx)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("error %v, want the deadline", err)
		}
		if n := strings.Count(err.Error(), "context deadline exceeded"); n != 1 {
			t.Errorf("error %q says so %d times", err, n)
		}
	})
}

package ipamorg_test

// Monitoring, WaitMonitored, the wrong-path repair, the teardown's IPAM
// guard and the residue purge, over the SDK's real clients against the
// emulator, in testing/synctest bubbles: discovery lag, IPAM delays and
// polling cost fake time only.

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/ipamorg/sdk/awsclient/awstest"
	"github.com/ipamorg/sdk/fsm"
	"github.com/ipamorg/sdk/ipamorg"
)

// createIPAM creates an IPAM as owner would, with the SDK's EC2 client and
// the owner's credentials, homed in the first of regions and operating in
// all of them, and returns its id.
func createIPAM(t *testing.T, src configSource, owner string, regions ...string) string {
	t.Helper()
	cfg := src.Config(t.Context(), owner)
	cfg.Region = regions[0]
	in := &ec2.CreateIpamInput{}
	for _, r := range regions {
		in.OperatingRegions = append(in.OperatingRegions, ec2types.AddIpamOperatingRegion{RegionName: aws.String(r)})
	}
	out, err := ec2.NewFromConfig(cfg).CreateIpam(t.Context(), in)
	if err != nil {
		t.Fatalf("CreateIpam as %s: %v", owner, err)
	}
	return aws.ToString(out.Ipam.IpamId)
}

// deleteIPAM deletes an IPAM as its owner, as the refusal's message says.
func deleteIPAM(t *testing.T, src configSource, owner, id, region string) {
	t.Helper()
	cfg := src.Config(t.Context(), owner)
	cfg.Region = region
	if _, err := ec2.NewFromConfig(cfg).DeleteIpam(t.Context(), &ec2.DeleteIpamInput{IpamId: aws.String(id), Cascade: aws.Bool(true)}); err != nil {
		t.Fatalf("DeleteIpam: %v", err)
	}
}

// monitoringOf renders m's accounts as "account region state", state
// "monitored", "pending" or the failure code.
func monitoringOf(m *ipamorg.Monitoring) []string {
	var out []string
	for _, a := range m.Accounts {
		state := "monitored"
		switch {
		case a.Pending():
			state = "pending"
		case !a.Monitored:
			state = a.FailureCode
		}
		out = append(out, a.AccountID+" "+a.Region+" "+state)
	}
	return out
}

func monitoringWarnings(m *ipamorg.Monitoring) []ipamorg.WarningCode {
	got := codes(m.Warnings)
	slices.Sort(got)
	return got
}

// After delegating and creating an IPAM as the administrator, every ACTIVE
// account is monitored in each operating Region; the reads are the
// administrator's, one listing of the accounts, no per-account call, no
// write.
func TestE2EMonitoringComplete(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu := emulatorAt(fsm.StateDelegated, memberA)
		id := createIPAM(t, emu, memberA, "us-east-1", "eu-west-1")
		emu.ResetRequests()

		m, err := memClient(t, emu).Monitoring(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if !m.Complete() || m.AdminAccountID != memberA || len(m.Warnings) != 0 {
			t.Errorf("complete %v admin %s warnings %v", m.Complete(), m.AdminAccountID, m.Warnings)
		}
		if len(m.IPAMs) != 1 || m.IPAMs[0].ID != id || !m.IPAMs[0].OrganizationWide || m.IPAMs[0].Region != "us-east-1" ||
			!slices.Equal(m.IPAMs[0].OperatingRegions, []string{"eu-west-1", "us-east-1"}) || m.IPAMs[0].Tier != "advanced" {
			t.Errorf("ipams %+v", m.IPAMs)
		}
		want := []string{
			mgmt + " eu-west-1 monitored", mgmt + " us-east-1 monitored",
			memberA + " eu-west-1 monitored", memberA + " us-east-1 monitored",
			memberB + " eu-west-1 monitored", memberB + " us-east-1 monitored",
		}
		if got := monitoringOf(m); !slices.Equal(got, want) {
			t.Errorf("accounts %q\nwant     %q", got, want)
		}
		if !slices.Equal(m.Regions, awstest.Regions()) {
			t.Errorf("regions %v, want the emulator's %v", m.Regions, awstest.Regions())
		}
		wantNoWrites(t, emu)
		for op, n := range map[string]int{"AssumeRole": 1, "DescribeRegions": 1, "DescribeIpams": len(awstest.Regions()),
			"GetIpamDiscoveredAccounts": 2, "ListAccounts": 1} {
			if got := emu.CountCalls(op); got != n {
				t.Errorf("%s called %d times, want %d", op, got, n)
			}
		}
		for _, r := range emu.Calls("GetIpamDiscoveredAccounts") {
			if r.Account != memberA {
				t.Errorf("discovery read as %s, want the administrator %s", r.Account, memberA)
			}
		}
	})
}

// A member without AWSServiceRoleForIPAM fails discovery with
// assume-role-failure; the fleet's repair creates the role and the
// account is monitored.
func TestE2EMonitoringAssumeRoleFailureRepaired(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu := emulatorAt(fsm.StateDelegated, memberA)
		emu.DeleteIPAMRole(memberB)
		createIPAM(t, emu, memberA, "us-east-1")
		c := memClient(t, emu)

		m, err := c.Monitoring(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if m.Complete() || !slices.Equal(monitoringWarnings(m), []ipamorg.WarningCode{ipamorg.WarnAssumeRoleFailure}) {
			t.Fatalf("complete %v warnings %v", m.Complete(), m.Warnings)
		}
		bad := m.Unmonitored()
		if len(bad) != 1 || bad[0].AccountID != memberB || bad[0].FailureCode != "assume-role-failure" || bad[0].FailureMessage == "" {
			t.Errorf("unmonitored %+v", bad)
		}
		if msg := m.Warnings[0].Message; !strings.Contains(msg, memberB+" in us-east-1") || !strings.Contains(msg, "verify --repair") {
			t.Errorf("warning %q does not name the account and the fix", msg)
		}

		r, err := c.VerifyServiceLinkedRoles(t.Context(), func(o *ipamorg.VerifyOptions) { o.Repair = true })
		if err != nil || !slices.Equal(r.Repaired(), []string{memberB}) {
			t.Fatalf("repair: %v, %v", r, err)
		}
		if m, err = c.WaitMonitored(t.Context()); err != nil || !m.Complete() {
			t.Fatalf("after the repair: %v, %v", m, err)
		}
	})
}

// An IPAM created by the administrator before it became the administrator
// monitors only its own account: warned, no accounts, not complete.
func TestE2EMonitoringIPAMBeforeDelegation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu := emulatorAt(fsm.StateNone, "")
		id := createIPAM(t, emu, memberA, "us-east-1")
		c := memClient(t, emu)
		if _, err := c.Reconcile(t.Context(), ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: memberA}); err != nil {
			t.Fatal(err)
		}
		m, err := c.Monitoring(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if m.Complete() || len(m.Accounts) != 0 || len(m.IPAMs) != 1 || m.IPAMs[0].OrganizationWide {
			t.Errorf("complete %v accounts %v ipams %+v", m.Complete(), m.Accounts, m.IPAMs)
		}
		if !slices.Equal(monitoringWarnings(m), []ipamorg.WarningCode{ipamorg.WarnNoOrganizationWideIPAM}) ||
			!strings.Contains(m.Warnings[0].Message, id) {
			t.Errorf("warnings %v", m.Warnings)
		}
	})
}

// The administrator's account unreachable (no access role there):
// Monitoring and WaitMonitored fail at once with ErrAdminUnreachable,
// wrapping STS's error, and a teardown is refused with no write unless
// allowed.
func TestE2EMonitoringAdminUnreachable(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu := emulatorAt(fsm.StateDelegated, memberA)
		emu.RemoveRole(memberA, awstest.OrganizationAccessRoleName)
		c := memClient(t, emu)
		for name, call := range map[string]func(context.Context, *ipamorg.Client) error{"Monitoring": monitoringCall, "WaitMonitored": waitMonitoredCall} {
			start := time.Now()
			err := call(t.Context(), c)
			if !errors.Is(err, ipamorg.ErrAdminUnreachable) || ipamorg.IsTerminal(err) != true || !strings.Contains(err.Error(), "AccessDenied") {
				t.Errorf("%s: %v, want ErrAdminUnreachable wrapping AccessDenied", name, err)
			}
			if d := time.Since(start); d != 0 {
				t.Errorf("%s waited %v before failing", name, d)
			}
		}
		_, err := c.Reconcile(t.Context(), ipamorg.Desired{State: fsm.StateNone})
		if !errors.Is(err, ipamorg.ErrAdminUnreachable) {
			t.Fatalf("teardown: %v, want ErrAdminUnreachable", err)
		}
		wantNoWrites(t, emu)
		res, err := c.Reconcile(t.Context(), ipamorg.Desired{State: fsm.StateNone, AllowIPAMResources: true})
		if err != nil || len(res.Transitions) != 3 {
			t.Fatalf("allowed teardown: %+v, %v", res, err)
		}
	})
}

// Discovery that takes longer than the wait: ErrWaitTimeout naming the
// accounts not monitored, with the last Monitoring read.
func TestE2EWaitMonitoredTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu := emulatorAt(fsm.StateDelegated, memberA, awstest.WithDiscoveryLag(time.Hour))
		createIPAM(t, emu, memberA, "us-east-1")
		emu.ResetRequests()
		c := memClient(t, emu, minuteWaits(10*time.Minute))
		start := time.Now()
		m, err := c.WaitMonitored(t.Context())
		if !errors.Is(err, ipamorg.ErrWaitTimeout) || ipamorg.IsTerminal(err) {
			t.Fatalf("error %v, want ErrWaitTimeout", err)
		}
		if waited := time.Since(start); waited < 10*time.Minute || waited > 11*time.Minute {
			t.Errorf("waited %v, want the 10 minutes of MaxWait", waited)
		}
		for _, s := range []string{"3 account(s) not monitored", mgmt + " (us-east-1 pending)", memberA, memberB} {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("error %q lacks %q", err, s)
			}
		}
		if m == nil || m.Complete() || len(m.Unmonitored()) != 3 ||
			!slices.Equal(monitoringWarnings(m), []ipamorg.WarningCode{ipamorg.WarnRegionNotDiscovered}) {
			t.Errorf("last monitoring %+v", m)
		}
		if n := emu.CountCalls("AssumeRole") + emu.CountCalls("ListAccounts"); n != 2 {
			t.Errorf("the administrator assumed and the accounts listed %d times in all, want once each", n)
		}
		wantNoWrites(t, emu)
	})
}

// WaitMonitored, started right after delegating, waits while there is no
// IPAM, while it is being created and while discovery runs, and returns
// once every account is monitored.
func TestE2EWaitMonitoredThroughCreation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu := emulatorAt(fsm.StateDelegated, memberA, awstest.WithIPAMDelay(2*time.Minute), awstest.WithDiscoveryLag(5*time.Minute))
		c := memClient(t, emu, func(o *ipamorg.Options) { o.Wait.MaxWait = 30 * time.Minute })
		start := time.Now()
		go func() {
			time.Sleep(time.Minute)
			createIPAM(t, emu, memberA, "us-east-1")
		}()
		m, err := c.WaitMonitored(t.Context())
		if err != nil || !m.Complete() {
			t.Fatalf("WaitMonitored = %+v, %v", m, err)
		}
		// Created at 1m, complete at 3m, discovered at 8m; polls 10s
		// apart at most.
		if took := time.Since(start); took < 8*time.Minute || took > 8*time.Minute+10*time.Second {
			t.Errorf("returned after %v, want within a poll of 8m", took)
		}
	})
}

// Monitoring without a delegated administrator fails at once.
func TestE2EMonitoringNoAdmin(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu := emulatorAt(fsm.StateNone, "")
		m, err := memClient(t, emu).WaitMonitored(t.Context())
		if !errors.Is(err, ipamorg.ErrNoDelegatedAdmin) || m != nil {
			t.Fatalf("WaitMonitored = %v, %v", m, err)
		}
		_, err = memClient(t, emu).Monitoring(t.Context())
		if !errors.Is(err, ipamorg.ErrNoDelegatedAdmin) {
			t.Fatalf("Monitoring: %v", err)
		}
		if emu.CountCalls("AssumeRole") != 0 {
			t.Error("assumed a role with no administrator to reach")
		}
	})
}

// Without an IPAM, Monitoring says so (ErrNoIPAM, not terminal: a
// pipeline creates one next), and returns what it read: the
// administrator, its Regions, no IPAM and the warning with the fix.
func TestE2EMonitoringNoIPAM(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu := emulatorAt(fsm.StateDelegated, memberA)
		m, err := memClient(t, emu).Monitoring(t.Context())
		if !errors.Is(err, ipamorg.ErrNoIPAM) || ipamorg.IsTerminal(err) || !strings.Contains(err.Error(), "aws ec2 create-ipam") {
			t.Fatalf("Monitoring: %v, want ErrNoIPAM", err)
		}
		if m == nil || m.AdminAccountID != memberA || len(m.Regions) == 0 || len(m.IPAMs) != 0 || m.Complete() ||
			len(m.Warnings) != 1 || m.Warnings[0].Code != ipamorg.WarnNoIPAM {
			t.Errorf("Monitoring = %+v, want the administrator, its Regions and WarnNoIPAM", m)
		}
	})
}

// Options.IPAMRegions restricts the Regions read: no DescribeRegions, and
// DescribeIpams in those Regions only.
func TestE2EMonitoringRegionsOption(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu := emulatorAt(fsm.StateDelegated, memberA)
		createIPAM(t, emu, memberA, "eu-west-1")
		emu.ResetRequests()
		c := memClient(t, emu, func(o *ipamorg.Options) { o.IPAMRegions = []string{"eu-west-1", "us-east-1", "eu-west-1"} })
		m, err := c.Monitoring(t.Context())
		if err != nil || !m.Complete() || !slices.Equal(m.Regions, []string{"eu-west-1", "us-east-1"}) {
			t.Fatalf("Monitoring = %+v, %v", m, err)
		}
		if emu.CountCalls("DescribeRegions") != 0 || emu.CountCalls("DescribeIpams") != 2 {
			t.Errorf("DescribeRegions %d, DescribeIpams %d", emu.CountCalls("DescribeRegions"), emu.CountCalls("DescribeIpams"))
		}
		if _, err := ipamorg.NewFromConfig(emu.Config(t.Context(), mgmt), func(o *ipamorg.Options) { o.IPAMRegions = []string{"mars-1"} }); !errors.Is(err, ipamorg.ErrInvalidOptions) {
			t.Errorf("a Region that is not one: %v", err)
		}
	})
}

// The administrator calling Monitoring itself reads with its own
// credentials: no role is assumed.
func TestE2EMonitoringAsAdmin(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu := emulatorAt(fsm.StateDelegated, memberA)
		createIPAM(t, emu, memberA, "us-east-1")
		m, err := newClient(t, emu, memberA).Monitoring(t.Context())
		if err != nil || !m.Complete() {
			t.Fatalf("Monitoring = %+v, %v", m, err)
		}
		if emu.CountCalls("AssumeRole") != 0 {
			t.Error("the administrator assumed a role into its own account")
		}
	})
}

// The access role is one setting: Monitoring, the guard and the fleet all
// assume Options.AccessRole.
func TestE2EAccessRoleIsOneSetting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu := emulatorAt(fsm.StateDelegated, memberA)
		createIPAM(t, emu, memberA, "us-east-1")
		for _, a := range []string{memberA, memberB} {
			emu.RemoveRole(a, awstest.OrganizationAccessRoleName)
			emu.PutRole(a, "IpamReader")
		}
		c := memClient(t, emu, func(o *ipamorg.Options) { o.AccessRole = "IpamReader" })
		if _, err := c.Monitoring(t.Context()); err != nil {
			t.Errorf("Monitoring: %v", err)
		}
		if r, err := c.VerifyServiceLinkedRoles(t.Context()); err != nil || !r.OK() || r.AccessRole != "IpamReader" {
			t.Errorf("verify: %+v, %v", r, err)
		}
		if _, err := c.Plan(t.Context(), ipamorg.Desired{State: fsm.StateNone}); !errors.Is(err, ipamorg.ErrIPAMResourcesExist) {
			t.Errorf("teardown plan: %v, want the guard to read the IPAM through IpamReader", err)
		}
		if _, err := memClient(t, emu).Monitoring(t.Context()); !errors.Is(err, ipamorg.ErrAdminUnreachable) {
			t.Errorf("default role: %v, want ErrAdminUnreachable", err)
		}
	})
}

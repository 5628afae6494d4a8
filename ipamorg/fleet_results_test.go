package ipamorg_test

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/ipamorg/sdk/awsclient"
	"github.com/ipamorg/sdk/awsclient/awstest"
	"github.com/ipamorg/sdk/ipamorg"
)

func TestVerifyServiceLinkedRolesFindsEveryCase(t *testing.T) {
	org, member := fleetOrg(4)
	org.Members[1].WithoutRoles = []string{awstest.IPAMRoleName}
	org.Members[2].JoinedMethod = awstest.JoinedInvited // no OrganizationAccountAccessRole
	// Two suspended accounts, one as Organizations answers now (State and
	// Status), one as it did before State (Status alone, see statusOnly):
	// both skipped, neither assumed into.
	org.Members = append(org.Members, awstest.Account{ID: suspended, Status: awstest.StatusSuspended},
		awstest.Account{ID: outsider, Status: awstest.StatusSuspended})
	emu := awstest.New(awstest.WithOrganization(org))
	cl := realClients(t, emu)
	cl.Organizations = statusOnly{cl.Organizations, map[string]bool{outsider: true}}
	memberIAM := cl.MemberIAM
	cl.MemberIAM = func(p aws.CredentialsProvider) awsclient.IAMAPI {
		// The member's IAM is reached with the assumed role's session.
		if creds, err := p.Retrieve(context.Background()); err != nil || creds.SessionToken == "" || !creds.CanExpire {
			t.Errorf("MemberIAM given credentials %q (token %t, expiring %t), err %v", creds.AccessKeyID, creds.SessionToken != "", creds.CanExpire, err)
		}
		return memberIAM(p)
	}

	var progress []ipamorg.FleetProgress
	r, err := newFromClients(t, cl).VerifyServiceLinkedRoles(t.Context(), func(o *ipamorg.VerifyOptions) {
		o.RateLimits = noLimits
		o.Progress = func(p ipamorg.FleetProgress) { progress = append(progress, p) }
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]ipamorg.RoleResult{
		mgmt: ipamorg.RolePresent, member(0): ipamorg.RolePresent, member(1): ipamorg.RoleMissing,
		member(2): ipamorg.RoleAccessDenied, member(3): ipamorg.RolePresent,
		suspended: ipamorg.RoleSkipped, outsider: ipamorg.RoleSkipped,
	}
	if got := results(r); !maps.Equal(got, want) {
		t.Errorf("results %v, want %v", got, want)
	}
	if !r.Complete || r.Total != 7 || len(r.Accounts) != 7 || r.OK() {
		t.Errorf("complete %v total %d accounts %d ok %v", r.Complete, r.Total, len(r.Accounts), r.OK())
	}
	if !slices.IsSortedFunc(r.Accounts, func(a, b ipamorg.AccountCheck) int { return strings.Compare(a.AccountID, b.AccountID) }) {
		t.Error("accounts not sorted by id")
	}
	wantCounts := map[ipamorg.RoleResult]int{"present": 3, "missing": 1, "repaired": 0, "purged": 0, "access-denied": 1, "skipped": 2, "error": 0}
	if !maps.Equal(r.Counts, wantCounts) {
		t.Errorf("counts %v, want %v", r.Counts, wantCounts)
	}
	if got := r.Missing(); !slices.Equal(got, []string{member(1)}) {
		t.Errorf("Missing() = %v", got)
	}
	if got := r.Unverified(); !slices.Equal(got, []string{member(2)}) {
		t.Errorf("Unverified() = %v", got)
	}
	if r.ManagementAccountID != mgmt || r.CallerAccountID != mgmt || r.OrganizationID != emu.Snapshot().OrganizationID ||
		r.DelegatedAdmin != member(0) || r.AccessRole != "OrganizationAccountAccessRole" || len(r.Warnings) != 0 {
		t.Errorf("report header %+v", r)
	}
	for _, a := range r.Accounts {
		switch a.AccountID {
		case member(2):
			if !errors.Is(a.Err, ipamorg.ErrAccessDenied) || !strings.HasPrefix(a.Reason, "sts:AssumeRole: AccessDenied") {
				t.Errorf("access denied account: reason %q err %v", a.Reason, a.Err)
			}
			var e *ipamorg.Error
			if !errors.As(a.Err, &e) || e.Account != member(2) || e.Action != "sts:AssumeRole" {
				t.Errorf("err %#v", a.Err)
			}
		case suspended, outsider:
			if a.Reason != "account state is SUSPENDED" || a.State != "SUSPENDED" {
				t.Errorf("skipped %s: state %q reason %q", a.AccountID, a.State, a.Reason)
			}
		case mgmt:
			if !a.Management || a.Name != "management" {
				t.Errorf("management account %+v", a)
			}
		default:
			if a.Reason != "" || a.Err != nil {
				t.Errorf("%s: reason %q err %v", a.AccountID, a.Reason, a.Err)
			}
		}
	}
	// Four roles assumed, the one denied member 2's (above); the caller's
	// own account read with its own credentials; the suspended accounts
	// never reached.
	if got := codesOf(emu.Calls("AssumeRole")); len(got) != 4 || slices.Index(got, "AccessDenied") < 0 {
		t.Errorf("AssumeRole answered %q, want four, one AccessDenied", got)
	}
	if got, want := emu.Callers("GetRole"), []string{mgmt, member(0), member(1), member(3)}; !slices.Equal(slices.Sorted(slices.Values(got)), want) {
		t.Errorf("GetRole in %v, want %v", got, want)
	}
	wantNoWrites(t, emu)
	wantProgressSequence(t, progress, 7)

	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`"counts":{"access-denied":1,"error":0,"missing":1,"present":3,"purged":0,"repaired":0,"skipped":2}`,
		`{"account_id":"` + member(1) + `","name":"member-2","state":"ACTIVE","result":"missing"}`, `"complete":true`} {
		if !strings.Contains(string(b), s) {
			t.Errorf("JSON lacks %s:\n%s", s, b)
		}
	}
}

func TestVerifyServiceLinkedRolesRepair(t *testing.T) {
	synctest.Test(t, func(t *testing.T) { // fake time for the SDK's backoff
		org, member := fleetOrg(5)
		org.IPAMDelegatedAdmin = member(2)
		org.ManagementAccount.WithoutRoles = []string{awstest.IPAMRoleName}
		for _, i := range []int{0, 3, 4} {
			org.Members[i].WithoutRoles = []string{awstest.IPAMRoleName}
		}
		org.Members[1].JoinedMethod = awstest.JoinedInvited // cannot be assumed into
		emu := awstest.New(awstest.WithOrganization(org))
		// One worker checks the accounts in the listing's order, so the
		// repairs are sent for the management account, members 0, 3 and
		// 4, in that order, and consume the faults in that order: member
		// 3's is denied; member 4's role is created but every answer lost
		// (the SDK's 5 attempts), so GetRole shows it repaired, and it is
		// not sent again.
		emu.InjectFault("CreateServiceLinkedRole", awstest.Fault{Count: 2})
		emu.InjectFault("CreateServiceLinkedRole", awstest.Fault{Code: "AccessDenied", Count: 1})
		emu.InjectFault("CreateServiceLinkedRole", awstest.Fault{Drop: true, Applied: true, Count: 5})

		r, err := memClient(t, emu).VerifyServiceLinkedRoles(t.Context(), func(o *ipamorg.VerifyOptions) {
			o.Repair = true
			o.Concurrency = 1
			o.RateLimits = noLimits
		})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]ipamorg.RoleResult{
			mgmt: ipamorg.RoleRepaired, member(0): ipamorg.RoleRepaired, member(1): ipamorg.RoleAccessDenied,
			member(2): ipamorg.RolePresent, member(3): ipamorg.RoleMissing, member(4): ipamorg.RoleRepaired,
		}
		if got := results(r); !maps.Equal(got, want) {
			t.Errorf("results %v, want %v", got, want)
		}
		if got := r.Repaired(); !slices.Equal(got, []string{mgmt, member(0), member(4)}) {
			t.Errorf("Repaired() = %v", got)
		}
		lost := slices.Repeat([]string{"ConnectionDropped"}, 5)
		wantSent, wantCodes := append([]string{mgmt, member(0), member(3)}, slices.Repeat([]string{member(4)}, 5)...), append([]string{"", "", "AccessDenied"}, lost...)
		if sent, codes := emu.Callers("CreateServiceLinkedRole"), codesOf(emu.Calls("CreateServiceLinkedRole")); !slices.Equal(sent, wantSent) || !slices.Equal(codes, wantCodes) {
			t.Errorf("CreateServiceLinkedRole sent in %v, answered %q; want %v, %q", sent, codes, wantSent, wantCodes)
		}
		if got, want := emu.Snapshot().IPAMRoleAccounts(), []string{mgmt, member(0), member(1), member(2), member(4)}; !slices.Equal(got, want) {
			t.Errorf("IPAM role in %v, want %v", got, want)
		}
		for _, a := range r.Accounts {
			if a.AccountID != member(3) {
				continue
			}
			if !strings.HasPrefix(a.RepairError, "iam:CreateServiceLinkedRole: AccessDenied") || !errors.Is(a.Err, ipamorg.ErrAccessDenied) {
				t.Errorf("failed repair: %q, %v", a.RepairError, a.Err)
			}
		}
		if !r.Repair || r.OK() {
			t.Errorf("repair %v ok %v", r.Repair, r.OK())
		}
	})
}

// A repair whose first answer is lost, after IAM created the role: the
// SDK's retry is refused ("has been taken"), and the verification looks
// before it reports anything: repaired, created once, not sent a third
// time. It reported the account missing before.
func TestVerifyServiceLinkedRolesRepairRetryRefused(t *testing.T) {
	synctest.Test(t, func(t *testing.T) { // fake time for the SDK's backoff
		org, member := fleetOrg(1)
		org.IPAMDelegatedAdmin = member(0)
		org.ManagementAccount.WithoutRoles = []string{awstest.IPAMRoleName}
		emu := awstest.New(awstest.WithOrganization(org))
		emu.InjectFault("CreateServiceLinkedRole", awstest.Fault{Drop: true, Applied: true, Count: 1})

		r, err := memClient(t, emu).VerifyServiceLinkedRoles(t.Context(), func(o *ipamorg.VerifyOptions) {
			o.Repair = true
			o.RateLimits = noLimits
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := results(r)[mgmt]; got != ipamorg.RoleRepaired {
			t.Errorf("management account %s, want %s (reason %q)", got, ipamorg.RoleRepaired, r.Accounts[0].RepairError)
		}
		if codes := codesOf(emu.Calls("CreateServiceLinkedRole")); !slices.Equal(codes, []string{"ConnectionDropped", "InvalidInput"}) {
			t.Errorf("CreateServiceLinkedRole answered %q, want the lost answer then the refused retry", codes)
		}
		if got := emu.Snapshot().IPAMRoleAccounts(); !slices.Equal(got, []string{mgmt, member(0)}) {
			t.Errorf("IPAM role in %v", got)
		}
	})
}

// The access role is Options.AccessRole: here one that every member has,
// instead of OrganizationAccountAccessRole, which none has.
func TestVerifyServiceLinkedRolesAccessRole(t *testing.T) {
	org, member := fleetOrg(2)
	for i := range org.Members {
		org.Members[i].Roles = []string{"IpamFleetReader"}
		org.Members[i].WithoutRoles = []string{awstest.OrganizationAccessRoleName}
	}
	emu := awstest.New(awstest.WithOrganization(org))
	c := memClient(t, emu, func(o *ipamorg.Options) { o.AccessRole = "IpamFleetReader" })
	r, err := c.VerifyServiceLinkedRoles(t.Context(), func(o *ipamorg.VerifyOptions) { o.RateLimits = noLimits })
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK() || r.AccessRole != "IpamFleetReader" || emu.CountCalls("AssumeRole") != 2 {
		t.Errorf("ok %v access role %q, %d AssumeRole", r.OK(), r.AccessRole, emu.CountCalls("AssumeRole"))
	}
	if got, want := emu.Callers("GetRole"), []string{mgmt, member(0), member(1)}; !slices.Equal(slices.Sorted(slices.Values(got)), want) {
		t.Errorf("GetRole in %v, want %v", got, want)
	}
}

// cancelAfterGetRole is a member's IAM whose GetRole answer ends the
// verification's context, as a deadline might between the read and the
// repair.
type cancelAfterGetRole struct {
	awsclient.IAMAPI
	cancel context.CancelFunc
}

func (c cancelAfterGetRole) GetRole(ctx context.Context, in *iam.GetRoleInput, optFns ...func(*iam.Options)) (*iam.GetRoleOutput, error) {
	out, err := c.IAMAPI.GetRole(ctx, in, optFns...)
	c.cancel()
	return out, err
}

// TestVerifyRepairCancelledBeforeSent: a context that ends after the read
// found the role missing and before the repair was sent leaves the
// account unfinished, never "missing" with a repair AWS refused.
func TestVerifyRepairCancelledBeforeSent(t *testing.T) {
	org, member := fleetOrg(1)
	org.Members[0].WithoutRoles = []string{awstest.IPAMRoleName}
	emu := awstest.New(awstest.WithOrganization(org))
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	cl := realClients(t, emu)
	memberIAM := cl.MemberIAM
	cl.MemberIAM = func(p aws.CredentialsProvider) awsclient.IAMAPI { return cancelAfterGetRole{memberIAM(p), cancel} }
	r, _ := newFromClients(t, cl).VerifyServiceLinkedRoles(ctx, func(o *ipamorg.VerifyOptions) {
		o.Repair = true
		o.RateLimits = noLimits
	})
	if r == nil {
		t.Fatal("no report")
	}
	for _, a := range r.Accounts {
		if a.AccountID == member(0) && a.RepairError != "" {
			t.Errorf("account %s: repair error %q, though no repair was sent", a.AccountID, a.RepairError)
		}
	}
	if n := emu.CountCalls("CreateServiceLinkedRole"); n != 0 || r.Complete {
		t.Errorf("%d repairs sent, complete %v; want none sent, incomplete", n, r.Complete)
	}
}

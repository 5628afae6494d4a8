package ipamorg_test

// OU exclusions, over the SDK's real clients against the emulator, in
// testing/synctest bubbles: the administrator configures its IPAM's
// resource discoveries as a user would (ec2:ModifyIpamResourceDiscovery,
// CreateIpamResourceDiscovery and AssociateIpamResourceDiscovery, with
// its own credentials), and Monitoring, WaitMonitored and Complete leave
// the excluded accounts out, never the administrator.

import (
	"encoding/json"
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
	"github.com/ipamorg/sdk/ipamorg"
)

// The accounts of sandboxOrg besides the management account and the
// administrator, memberA, which sits in Sandbox.
const (
	sandboxed = "600000000001" // in Sandbox
	nested    = "600000000002" // in Sandbox/Nested
	workload  = "600000000003" // in Workloads
	leftOrg   = "600000000004" // in Sandbox, SUSPENDED
)

// sandboxOrg is an organization whose IPAM delegated administrator,
// memberA, is in the Sandbox OU, with a member there and one in an OU
// below, a workload elsewhere, and the management account under the
// root.
func sandboxOrg() awstest.Organization {
	return awstest.Organization{
		ManagementAccount: awstest.Account{ID: mgmt},
		Members: []awstest.Account{
			{ID: memberA, OU: "Sandbox"},
			{ID: sandboxed, OU: "Sandbox"},
			{ID: nested, OU: "Sandbox/Nested"},
			{ID: workload, OU: "Workloads"},
			{ID: leftOrg, OU: "Sandbox", Status: awstest.StatusSuspended},
		},
		IPAMDelegatedAdmin: memberA,
	}
}

// adminEC2 is an EC2 client acting as owner in us-east-1, as the
// administrator's own tooling would.
func adminEC2(t *testing.T, emu *awstest.Emulator, owner string) *ec2.Client {
	t.Helper()
	cfg := emu.Config(t.Context(), owner)
	cfg.Region = "us-east-1"
	return ec2.NewFromConfig(cfg)
}

// createIPAMIn creates an IPAM as owner in us-east-1, operating there,
// and returns it.
func createIPAMIn(t *testing.T, emu *awstest.Emulator, owner string) ec2types.Ipam {
	t.Helper()
	out, err := adminEC2(t, emu, owner).CreateIpam(t.Context(), &ec2.CreateIpamInput{
		OperatingRegions: []ec2types.AddIpamOperatingRegion{{RegionName: aws.String("us-east-1")}}})
	if err != nil {
		t.Fatalf("CreateIpam: %v", err)
	}
	return *out.Ipam
}

// exclude changes the OU exclusions of the resource discovery id as owner
// (ec2:ModifyIpamResourceDiscovery): add and remove are entity paths.
func exclude(t *testing.T, emu *awstest.Emulator, owner, id string, add, remove []string) {
	t.Helper()
	in := &ec2.ModifyIpamResourceDiscoveryInput{IpamResourceDiscoveryId: aws.String(id)}
	for _, p := range add {
		in.AddOrganizationalUnitExclusions = append(in.AddOrganizationalUnitExclusions, ec2types.AddIpamOrganizationalUnitExclusion{OrganizationsEntityPath: aws.String(p)})
	}
	for _, p := range remove {
		in.RemoveOrganizationalUnitExclusions = append(in.RemoveOrganizationalUnitExclusions, ec2types.RemoveIpamOrganizationalUnitExclusion{OrganizationsEntityPath: aws.String(p)})
	}
	if _, err := adminEC2(t, emu, owner).ModifyIpamResourceDiscovery(t.Context(), in); err != nil {
		t.Fatalf("ModifyIpamResourceDiscovery: %v", err)
	}
}

// ouPath is the entity path of the OU at names.
func ouPath(t *testing.T, emu *awstest.Emulator, names string) string {
	t.Helper()
	p, err := emu.OUEntityPath(names)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// accountsOf returns the account ids of as, once each, in order.
func accountsOf(as []ipamorg.DiscoveredAccount) []string {
	var out []string
	for _, a := range as {
		if !slices.Contains(out, a.AccountID) {
			out = append(out, a.AccountID)
		}
	}
	return out
}

// entryOf returns account's entry in us-east-1.
func entryOf(t *testing.T, m *ipamorg.Monitoring, account string) ipamorg.DiscoveredAccount {
	t.Helper()
	i := slices.IndexFunc(m.Accounts, func(a ipamorg.DiscoveredAccount) bool { return a.AccountID == account && a.Region == "us-east-1" })
	if i < 0 {
		t.Fatalf("no entry for %s in %v", account, monitoringOf(m))
	}
	return m.Accounts[i]
}

// An organization with its Sandbox OU excluded, by its own accounts
// ("…/ou-…/") or with every OU below it ("…/ou-…/*"), reaches Complete
// once every other ACTIVE account is monitored: the excluded ones are
// neither monitored nor pending, WaitMonitored does not wait for them,
// and the administrator, inside the excluded OU, stays required.
func TestE2EExclusionsReachComplete(t *testing.T) {
	for _, tc := range []struct {
		name, suffix string
		excluded     []string
	}{
		{"own accounts", "", []string{sandboxed}},
		{"subtree", "*", []string{sandboxed, nested}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				emu := awstest.New(awstest.WithOrganization(sandboxOrg()), awstest.WithDiscoveryLag(5*time.Minute))
				emu.DeleteIPAMRole(workload) // discovery fails there until repaired
				ip := createIPAMIn(t, emu, memberA)
				path := ouPath(t, emu, "Sandbox") + tc.suffix
				exclude(t, emu, memberA, aws.ToString(ip.DefaultResourceDiscoveryId), []string{path}, nil)
				c := memClient(t, emu, minuteWaits(15*time.Minute))

				// Before discovery: the excluded accounts are excluded,
				// every other one pending, the administrator among them.
				m, err := c.Monitoring(t.Context())
				if err != nil {
					t.Fatal(err)
				}
				if got := accountsOf(m.Excluded()); !slices.Equal(got, tc.excluded) {
					t.Errorf("excluded %v, want %v", got, tc.excluded)
				}
				if a := entryOf(t, m, memberA); a.Excluded || !a.Pending() || !slices.Contains(accountsOf(m.Unmonitored()), memberA) {
					t.Errorf("administrator %+v: want pending and required", a)
				}
				for _, a := range m.Excluded() {
					if a.Pending() || a.Monitored || a.FailureCode != "" {
						t.Errorf("excluded %+v is monitored, pending or failing", a)
					}
				}
				if m.Complete() || len(m.IPAMs) != 1 || !slices.Equal(m.IPAMs[0].Exclusions, []string{path}) || !m.IPAMs[0].OrganizationWide {
					t.Errorf("complete %v, ipams %+v", m.Complete(), m.IPAMs)
				}

				// Discovered, but the workload fails: not complete, and the
				// timeout names it alone, the excluded counted apart.
				m, err = c.WaitMonitored(t.Context())
				if !errors.Is(err, ipamorg.ErrWaitTimeout) || !slices.Equal(accountsOf(m.Unmonitored()), []string{workload}) {
					t.Fatalf("WaitMonitored: %v, unmonitored %v", err, monitoringOf(m))
				}
				if msg := err.Error(); !strings.Contains(msg, "1 account(s) not monitored: "+workload) ||
					!strings.Contains(msg, "excluded by OU exclusions") || strings.Contains(msg, sandboxed) {
					t.Errorf("timeout %q", msg)
				}

				if _, err := c.VerifyServiceLinkedRoles(t.Context(), func(o *ipamorg.VerifyOptions) { o.Repair = true }); err != nil {
					t.Fatal(err)
				}
				m, err = c.WaitMonitored(t.Context())
				if err != nil || !m.Complete() {
					t.Fatalf("after the repair: %v, %v", monitoringOf(m), err)
				}
				if got := accountsOf(m.Excluded()); !slices.Equal(got, tc.excluded) {
					t.Errorf("excluded %v, want %v", got, tc.excluded)
				}
				if a := entryOf(t, m, memberA); !a.Monitored || a.Excluded {
					t.Errorf("administrator %+v, want monitored", a)
				}
				if got := monitoringWarnings(m); !slices.Equal(got, []ipamorg.WarningCode{ipamorg.WarnExclusionCoversAdmin}) ||
					!strings.Contains(m.Warnings[0].Message, memberA) {
					t.Errorf("warnings %v", m.Warnings)
				}
				if slices.ContainsFunc(m.Accounts, func(a ipamorg.DiscoveredAccount) bool { return a.AccountID == leftOrg }) {
					t.Error("a suspended account has an entry")
				}
				b, err := json.Marshal(m)
				if err != nil || !strings.Contains(string(b), `"excluded":true`) || !strings.Contains(string(b), `"exclusions":["`+path+`"]`) {
					t.Errorf("json %s, %v", b, err)
				}
			})
		})
	}
}

// The rule across resource discoveries: an account is excluded only when
// every resource discovery associated with the IPAM that covers the
// organization excludes it, and monitored when any of them reports it
// monitored. Terraform users exclude through a resource discovery of
// their own, associated with the IPAM; its default one still covers
// every account.
func TestE2EExclusionsAcrossResourceDiscoveries(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu := awstest.New(awstest.WithOrganization(sandboxOrg()), awstest.WithDiscoveryLag(5*time.Minute))
		ip := createIPAMIn(t, emu, memberA)
		client := adminEC2(t, emu, memberA)
		made, err := client.CreateIpamResourceDiscovery(t.Context(), &ec2.CreateIpamResourceDiscoveryInput{
			OperatingRegions: []ec2types.AddIpamOperatingRegion{{RegionName: aws.String("us-east-1")}}})
		if err != nil {
			t.Fatal(err)
		}
		other := aws.ToString(made.IpamResourceDiscovery.IpamResourceDiscoveryId)
		sandbox := ouPath(t, emu, "Sandbox")
		exclude(t, emu, memberA, other, []string{sandbox + "*"}, nil)
		if _, err := client.AssociateIpamResourceDiscovery(t.Context(), &ec2.AssociateIpamResourceDiscoveryInput{
			IpamId: ip.IpamId, IpamResourceDiscoveryId: aws.String(other)}); err != nil {
			t.Fatal(err)
		}
		c := memClient(t, emu, minuteWaits(15*time.Minute))

		// The default resource discovery excludes nothing: nothing is
		// excluded, and every account is monitored.
		m, err := c.WaitMonitored(t.Context())
		if err != nil || !m.Complete() || len(m.Excluded()) != 0 {
			t.Fatalf("complete %v, excluded %v, err %v", m.Complete(), m.Excluded(), err)
		}
		if !slices.Equal(m.IPAMs[0].Exclusions, []string{sandbox + "*"}) {
			t.Errorf("exclusions %v", m.IPAMs[0].Exclusions)
		}
		if n := emu.CountCalls("GetIpamDiscoveredAccounts"); n < 2 {
			t.Errorf("%d discovery reads, want both resource discoveries'", n)
		}

		// Both exclude Sandbox's own accounts; only the other one those
		// below: the nested account stays required, and monitored
		// through the other one.
		exclude(t, emu, memberA, aws.ToString(ip.DefaultResourceDiscoveryId), []string{sandbox}, nil)
		m, err = c.WaitMonitored(t.Context())
		if err != nil || !m.Complete() || !slices.Equal(accountsOf(m.Excluded()), []string{sandboxed}) {
			t.Fatalf("complete %v, excluded %v, err %v", m.Complete(), accountsOf(m.Excluded()), err)
		}
		if a := entryOf(t, m, nested); !a.Monitored || a.IPAMID != aws.ToString(ip.IpamId) {
			t.Errorf("nested %+v, want monitored", a)
		}
		if !slices.Equal(m.IPAMs[0].Exclusions, []string{sandbox, sandbox + "*"}) {
			t.Errorf("exclusions %v", m.IPAMs[0].Exclusions)
		}

		// The other resource discovery no longer associated: the default
		// one alone decides.
		assocs, err := client.DescribeIpamResourceDiscoveryAssociations(t.Context(), &ec2.DescribeIpamResourceDiscoveryAssociationsInput{})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range assocs.IpamResourceDiscoveryAssociations {
			if aws.ToString(a.IpamResourceDiscoveryId) == other {
				if _, err := client.DisassociateIpamResourceDiscovery(t.Context(), &ec2.DisassociateIpamResourceDiscoveryInput{
					IpamResourceDiscoveryAssociationId: a.IpamResourceDiscoveryAssociationId}); err != nil {
					t.Fatal(err)
				}
			}
		}
		m, err = c.WaitMonitored(t.Context())
		if err != nil || !m.Complete() || !slices.Equal(accountsOf(m.Excluded()), []string{sandboxed}) || !slices.Equal(m.IPAMs[0].Exclusions, []string{sandbox}) {
			t.Fatalf("complete %v, excluded %v, exclusions %v, err %v", m.Complete(), accountsOf(m.Excluded()), m.IPAMs[0].Exclusions, err)
		}
	})
}

// Whether discovery still lists an excluded account is AWS's to decide
// (the emulator drops it one discovery lag after the exclusion): the
// library takes the configuration, so an account excluded a moment ago
// and still reported monitored, or failing, is excluded all the same,
// and one whose exclusion was removed is pending until discovery
// reports it again.
func TestE2EExclusionWhateverDiscoveryReports(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		org := sandboxOrg()
		emu := awstest.New(awstest.WithOrganization(org), awstest.WithDiscoveryLag(5*time.Minute),
			awstest.WithIPAMs(awstest.IPAMSpec{Owner: memberA}))
		emu.DeleteIPAMRole(nested) // reported as failing
		c := memClient(t, emu, minuteWaits(15*time.Minute))
		m, err := c.Monitoring(t.Context())
		if err != nil || !slices.Equal(accountsOf(m.Unmonitored()), []string{nested}) || entryOf(t, m, nested).FailureCode == "" {
			t.Fatalf("before: %v, %v", monitoringOf(m), err)
		}
		id := m.IPAMs[0].ResourceDiscoveryID
		sandbox := ouPath(t, emu, "Sandbox") + "*"
		exclude(t, emu, memberA, id, []string{sandbox}, nil)

		m, err = c.Monitoring(t.Context())
		if err != nil || !m.Complete() || !slices.Equal(accountsOf(m.Excluded()), []string{sandboxed, nested}) {
			t.Fatalf("just excluded: complete %v, %v, %v", m.Complete(), monitoringOf(m), err)
		}
		if n := emu.CountCalls("GetIpamDiscoveredAccounts"); n == 0 {
			t.Fatal("no discovery read")
		}
		time.Sleep(6 * time.Minute) // discovery drops the excluded accounts
		if m, err = c.Monitoring(t.Context()); err != nil || !m.Complete() || len(m.Excluded()) != 2 {
			t.Fatalf("after the lag: complete %v, %v, %v", m.Complete(), monitoringOf(m), err)
		}

		emu.PutRole(nested, awstest.IPAMRoleName)
		exclude(t, emu, memberA, id, nil, []string{sandbox})
		m, err = c.Monitoring(t.Context())
		if err != nil || m.Complete() || len(m.Excluded()) != 0 || !entryOf(t, m, sandboxed).Pending() {
			t.Fatalf("just included: complete %v, %v, %v", m.Complete(), monitoringOf(m), err)
		}
		if m, err = c.WaitMonitored(t.Context()); err != nil || !m.Complete() || len(m.Excluded()) != 0 {
			t.Fatalf("included again: %v, %v", monitoringOf(m), err)
		}
	})
}

// Each warning about exclusions, with its stable code.
func TestMonitoringExclusionWarnings(t *testing.T) {
	t.Run("matches no OU", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			emu := awstest.New(awstest.WithOrganization(sandboxOrg()), awstest.WithIPAMs(awstest.IPAMSpec{Owner: memberA}))
			sandbox := ouPath(t, emu, "Sandbox")
			org, rest, _ := strings.Cut(sandbox, "/")
			bad := []string{
				"o-aaaaaaaaaa/" + rest,            // another organization's
				org + "/r-zzzz/ou-zzzz-11111111/", // an OU deleted, or a typo
				strings.TrimSuffix(sandbox, "/"),  // no final "/"
			}
			id := emu.Snapshot().ResourceDiscoveries[0].ID
			if err := emu.SetOUExclusions(id, bad...); err != nil {
				t.Fatal(err)
			}
			m, err := memClient(t, emu).Monitoring(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if !m.Complete() || len(m.Excluded()) != 0 {
				t.Errorf("complete %v, excluded %v", m.Complete(), m.Excluded())
			}
			got := monitoringWarnings(m)
			if len(got) != len(bad) || slices.ContainsFunc(got, func(c ipamorg.WarningCode) bool { return c != ipamorg.WarnExclusionMatchesNoOU }) {
				t.Fatalf("warnings %v", m.Warnings)
			}
			for _, p := range bad {
				if !slices.ContainsFunc(m.Warnings, func(w ipamorg.Warning) bool {
					return strings.Contains(w.Message, "OrganizationsEntityPath="+p+" ") && strings.Contains(w.Message, "--remove-organizational-unit-exclusions")
				}) {
					t.Errorf("no warning names %s and its fix: %v", p, m.Warnings)
				}
			}
		})
	})
	t.Run("covers the administrator", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			emu := awstest.New(awstest.WithOrganization(sandboxOrg()),
				awstest.WithIPAMs(awstest.IPAMSpec{Owner: memberA, Exclusions: []string{"Workloads", "Sandbox/*"}}))
			m, err := memClient(t, emu).Monitoring(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if got := monitoringWarnings(m); !slices.Equal(got, []ipamorg.WarningCode{ipamorg.WarnExclusionCoversAdmin}) ||
				!strings.Contains(m.Warnings[0].Message, ouPath(t, emu, "Sandbox")+"*") {
				t.Errorf("warnings %v", m.Warnings)
			}
			if !m.Complete() || entryOf(t, m, memberA).Excluded || !entryOf(t, m, memberA).Monitored {
				t.Errorf("complete %v, %v", m.Complete(), monitoringOf(m))
			}
		})
	})
	t.Run("leave no account", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			org := sandboxOrg()
			org.ManagementAccount.OU = "Core"
			emu := awstest.New(awstest.WithOrganization(org),
				awstest.WithIPAMs(awstest.IPAMSpec{Owner: memberA, Exclusions: []string{"Core", "Sandbox/*", "Workloads"}}))
			m, err := memClient(t, emu).Monitoring(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if !m.IPAMs[0].OrganizationWide || !m.Complete() || !slices.Equal(accountsOf(m.Unmonitored()), nil) ||
				!slices.Equal(accountsOf(m.Excluded()), []string{mgmt, sandboxed, nested, workload}) {
				t.Errorf("ipams %+v, %v", m.IPAMs, monitoringOf(m))
			}
			if got := monitoringWarnings(m); !slices.Contains(got, ipamorg.WarnExclusionsLeaveNoAccount) {
				t.Errorf("warnings %v", m.Warnings)
			}
		})
	})
	t.Run("tree unreadable", func(t *testing.T) {
		for _, op := range []string{"ListRoots", "ListOrganizationalUnitsForParent", "ListAccountsForParent"} {
			t.Run(op, func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					emu := awstest.New(awstest.WithOrganization(sandboxOrg()),
						awstest.WithIPAMs(awstest.IPAMSpec{Owner: memberA, Exclusions: []string{"Sandbox"}}))
					emu.InjectFault(op, awstest.Fault{Code: "AccessDeniedException"})
					c := memClient(t, emu, minuteWaits(10*time.Minute))
					m, err := c.WaitMonitored(t.Context())
					if !errors.Is(err, ipamorg.ErrWaitTimeout) || m.Complete() || len(m.Excluded()) != 0 ||
						!slices.Equal(accountsOf(m.Unmonitored()), []string{sandboxed}) || !entryOf(t, m, sandboxed).Pending() {
						t.Fatalf("%v, %v", monitoringOf(m), err)
					}
					i := slices.IndexFunc(m.Warnings, func(w ipamorg.Warning) bool { return w.Code == ipamorg.WarnExclusionsUnplaced })
					if i < 0 || !strings.Contains(m.Warnings[i].Message, "(aws denied organizations:"+op+")") {
						t.Errorf("warnings %v", m.Warnings)
					}
				})
			})
		}
	})
}

// An access role that may not read the resource discoveries (granted
// before Monitoring read them) is no failure: the default resource
// discoveries are read, nothing is taken for excluded, so the accounts
// discovery does not report stay pending, and a warning names the
// permission.
func TestMonitoringExclusionsUnreadable(t *testing.T) {
	for _, op := range []string{"DescribeIpamResourceDiscoveries", "DescribeIpamResourceDiscoveryAssociations"} {
		t.Run(op, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				emu := awstest.New(awstest.WithOrganization(sandboxOrg()),
					awstest.WithIPAMs(awstest.IPAMSpec{Owner: memberA, Exclusions: []string{"Sandbox"}}))
				emu.InjectFault(op, awstest.Fault{Code: "UnauthorizedOperation"})
				m, err := memClient(t, emu).Monitoring(t.Context())
				if err != nil {
					t.Fatal(err)
				}
				if m.Complete() || len(m.Excluded()) != 0 || len(m.IPAMs[0].Exclusions) != 0 || !slices.Equal(accountsOf(m.Unmonitored()), []string{sandboxed}) {
					t.Errorf("complete %v, ipams %+v, %v", m.Complete(), m.IPAMs, monitoringOf(m))
				}
				i := slices.IndexFunc(m.Warnings, func(w ipamorg.Warning) bool { return w.Code == ipamorg.WarnExclusionsUnreadable })
				if i < 0 || !strings.Contains(m.Warnings[i].Message, "ec2:"+op+" was denied") || !strings.Contains(m.Warnings[i].Message, "us-east-1") {
					t.Errorf("warnings %v", m.Warnings)
				}
			})
		})
	}
}

// Without exclusions, an unreadable tree costs Monitoring nothing but
// speed: the listing falls back to ListAccounts, Monitoring is complete,
// and the one warning names the read denied.
func TestMonitoringTreeUnreadableWithoutExclusions(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu := awstest.New(awstest.WithOrganization(sandboxOrg()), awstest.WithIPAMs(awstest.IPAMSpec{Owner: memberA}))
		emu.InjectFault("ListRoots", awstest.Fault{Code: "AccessDeniedException"})
		m, err := memClient(t, emu).Monitoring(t.Context())
		if err != nil || !m.Complete() || len(m.Warnings) != 1 || m.Warnings[0].Code != ipamorg.WarnTreeReadDenied ||
			!strings.Contains(m.Warnings[0].Message, "organizations:ListRoots") {
			t.Fatalf("complete %v, warnings %v, %v", m.Complete(), m.Warnings, err)
		}
	})
}

// RequiredPolicies grants Monitoring the reads of the resource
// discoveries in the administrator's account, and the tree's reads that
// place accounts, to the management account's principal (the proof that
// these are exactly what Monitoring calls is policy_proof_test.go's).
func TestRequiredPoliciesExclusions(t *testing.T) {
	p := ipamorg.RequiredPolicies(func(o *ipamorg.PolicyOptions) { o.Monitoring = true })
	for _, a := range []string{"ec2:DescribeIpamResourceDiscoveries", "ec2:DescribeIpamResourceDiscoveryAssociations"} {
		if !strings.Contains(p.IPAMAdmin, `"`+a+`"`) {
			t.Errorf("ipam admin policy lacks %s:\n%s", a, p.IPAMAdmin)
		}
	}
	for _, a := range []string{"organizations:ListRoots", "organizations:ListOrganizationalUnitsForParent", "organizations:ListAccountsForParent"} {
		if !strings.Contains(p.Management, `"`+a+`"`) {
			t.Errorf("management policy lacks %s:\n%s", a, p.Management)
		}
	}
}

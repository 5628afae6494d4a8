package ipamorg_test

// What OU exclusions cost at scale: the resource discoveries' two reads
// per home Region of the organization-wide IPAMs, and no call per
// account, since each account's place comes from the listing's tree.

import (
	"maps"
	"testing"

	"github.com/ipamorg/sdk/awsclient/awstest"
	"github.com/ipamorg/sdk/ipamorg"
)

// scaleExclusions are three OU exclusions of the generated tree (see
// awstest.GenerateOrganizationTree): an OU's own accounts, an OU with the
// ten below it, and an OU one level down.
var scaleExclusions = []string{"ou-2", "ou-3/*", "ou-5/ou-51"}

// excludedTree is monitoredTree with exclusions on its IPAM's default
// resource discovery.
func excludedTree(accounts int, exclusions []string) *awstest.Emulator {
	org := awstest.GenerateOrganizationTree(accounts-1, 100)
	admin := org.Members[0].ID
	org.IPAMDelegatedAdmin = admin
	return awstest.New(awstest.WithOrganization(org),
		awstest.WithIPAMs(awstest.IPAMSpec{Owner: admin, OperatingRegions: scaleRegions, Exclusions: exclusions}))
}

// listingOps are the calls of the listing of the accounts, which the
// fleet verification makes too.
var listingOps = []string{"ListAccounts", "ListRoots", "ListOrganizationalUnitsForParent", "ListAccountsForParent"}

// beyondListing counts emu's requests by operation, without the
// listing's and the discovery's pages (those grow with the accounts, by
// design: 20 and 1,000 a page).
func beyondListing(emu *awstest.Emulator) map[string]int {
	ops := map[string]int{}
	for _, r := range emu.Requests() {
		ops[r.Operation]++
	}
	for _, op := range append(listingOps, "GetIpamDiscoveredAccounts") {
		delete(ops, op)
	}
	return ops
}

// Three exclusions over 100 OUs cost the same calls at 300 and 1,000
// accounts, beyond the listing's and discovery's pages: none per account.
// With or without them, Monitoring makes the same calls, the resource
// discoveries read once per home Region of the organization-wide IPAMs.
func TestMonitoringExclusionsCost(t *testing.T) {
	t.Parallel() // see harness_test.go
	var calls []map[string]int
	for _, run := range []struct {
		accounts   int
		exclusions []string
	}{{300, scaleExclusions}, {1000, scaleExclusions}, {1000, nil}} {
		emu := excludedTree(run.accounts, run.exclusions)
		m, err := memClient(t, emu, func(o *ipamorg.Options) { o.IPAMRegions = scaleRegions }).Monitoring(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		excluded := countAccountsOf(m.Excluded())
		switch {
		case !m.Complete() || len(m.Accounts) != 2*run.accounts:
			t.Fatalf("%d accounts: complete %v, %d entries", run.accounts, m.Complete(), len(m.Accounts))
		case run.exclusions != nil && (excluded == 0 || excluded >= run.accounts/5):
			t.Errorf("%d accounts: %d excluded, want those of 12 OUs of 100", run.accounts, excluded)
		case run.exclusions == nil && excluded != 0:
			t.Errorf("%d excluded without exclusions", excluded)
		}
		ops := beyondListing(emu)
		if n := len(m.IPAMs); ops["DescribeIpamResourceDiscoveries"] != n || ops["DescribeIpamResourceDiscoveryAssociations"] != n {
			t.Errorf("%d accounts: %v, want each resource discovery read once for the %d ipam(s)", run.accounts, ops, n)
		}
		calls = append(calls, ops)
	}
	if !maps.Equal(calls[0], calls[1]) || !maps.Equal(calls[1], calls[2]) {
		t.Errorf("calls beyond the listing: 300 accounts %v, 1,000 %v, 1,000 without exclusions %v", calls[0], calls[1], calls[2])
	}
}

func countAccountsOf(as []ipamorg.DiscoveredAccount) int { return len(accountsOf(as)) }

// BenchmarkMonitoringExclusions: BenchmarkMonitoringFleet's organization
// (10,000 accounts in 100 OUs, two Regions, every call answered after
// 20ms, in process) with three OU exclusions. Metrics: wall-ms; calls;
// discovery-calls (ec2:GetIpamDiscoveredAccounts); list-calls (the
// listing's); resource-discovery-calls (ec2:DescribeIpamResourceDiscoveries
// and DescribeIpamResourceDiscoveryAssociations); other-calls, the rest;
// excluded, the accounts excluded.
func BenchmarkMonitoringExclusions(b *testing.B) {
	const accounts = 10_000
	excluded := 0
	resource := callClass{"resource-discovery-calls", []string{"DescribeIpamResourceDiscoveries", "DescribeIpamResourceDiscoveryAssociations"}}
	benchMonitoring(b, excludedTree(accounts, scaleExclusions), func(m *ipamorg.Monitoring) {
		if len(m.Accounts) != 2*accounts || !m.Complete() {
			b.Fatalf("%d entries, complete %v", len(m.Accounts), m.Complete())
		}
		excluded += countAccountsOf(m.Excluded())
	}, []callClass{discoveryCalls, listCalls, resource})
	b.ReportMetric(float64(excluded)/float64(b.N), "excluded")
}

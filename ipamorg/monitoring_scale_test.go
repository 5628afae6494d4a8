package ipamorg_test

import (
	"testing"

	"github.com/ipamorg/sdk/awsclient/awstest"
	"github.com/ipamorg/sdk/ipamorg"
)

// TestMonitoringAtScale: Monitoring over 10,000 accounts in 100 OUs, the
// administrator's IPAM operating in two Regions, reads 10 pages of
// discovered accounts per Region (1,000 a page) and lists the accounts
// through the tree, never 500 ListAccounts pages in a row; and the fleet
// verification over the same organization lists the same way and checks
// every account.
func TestMonitoringAtScale(t *testing.T) {
	if testing.Short() {
		t.Skip("10,000 accounts")
	}
	const accounts = 10_000
	emu := monitoredTree(accounts)
	c := memClient(t, emu, func(o *ipamorg.Options) { o.IPAMRegions = scaleRegions })
	m, err := c.Monitoring(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Accounts) != 2*accounts || !m.Complete() {
		t.Errorf("%d entries, complete %v", len(m.Accounts), m.Complete())
	}
	ops := map[string]int{}
	for _, r := range emu.Requests() {
		ops[r.Operation]++
	}
	// 1 root, 101 parents (the root and 100 OUs) of OUs, the root's first
	// page again, and 100 accounts (5 pages) in each OU.
	if ops["GetIpamDiscoveredAccounts"] != 20 || ops["ListAccounts"] != 0 || ops["ListAccountsForParent"] != 501 || ops["ListOrganizationalUnitsForParent"] != 102 {
		t.Errorf("calls %v", ops)
	}

	emu.ResetRequests()
	r, err := c.VerifyServiceLinkedRoles(t.Context(), func(o *ipamorg.VerifyOptions) {
		o.Concurrency = 64
		o.RateLimits = noLimits
	})
	if err != nil || !r.OK() || r.Total != accounts || !r.ListingComplete {
		t.Fatalf("fleet: total %d, counts %v, err %v", r.Total, r.Counts, err)
	}
	if n := countOf(emu, "ListAccounts"); n != 0 {
		t.Errorf("fleet: %d ListAccounts pages, want the tree", n)
	}
}

// scaleRegions are the Regions where monitoredTree's IPAM operates.
var scaleRegions = []string{"us-east-1", "us-west-2"}

// monitoredTree is an emulated organization of accounts accounts (the
// management account and generated members) in 100 OUs, the first member
// IPAM's delegated administrator, owning an IPAM that operates in
// scaleRegions and discovers every account.
func monitoredTree(accounts int) *awstest.Emulator {
	org := awstest.GenerateOrganizationTree(accounts-1, 100)
	admin := org.Members[0].ID
	org.IPAMDelegatedAdmin = admin
	return awstest.New(awstest.WithOrganization(org),
		awstest.WithIPAMs(awstest.IPAMSpec{Owner: admin, OperatingRegions: scaleRegions}))
}

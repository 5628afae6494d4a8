package ipamorg_test

import (
	"strings"
	"testing"

	"github.com/ipamorg/sdk/awsclient/awstest"
	"github.com/ipamorg/sdk/ipamorg"
)

// TestMonitoringAtScale: Monitoring over 10,000 accounts in 100 OUs, the
// administrator's IPAM operating in two Regions, reads 10 pages of
// discovered accounts per Region (1,000 a page) and lists the accounts
// through the tree, never 500 ListAccounts pages in a row.
//
// The fleet verification over an organization of that shape lists the same
// way and checks every account: TestFleetListsThroughTheTree, over fewer
// accounts, since it makes two calls per account (bench/fleet.sh runs it
// over 10,000 and 100,000 in trees of OUs).
func TestMonitoringAtScale(t *testing.T) {
	t.Parallel() // see harness_test.go
	if testing.Short() {
		t.Skip("10,000 accounts")
	}
	const accounts = 10_000
	org := monitoredOrganization(accounts)
	emu := monitoredTree(org)
	c := memClient(t, emu, func(o *ipamorg.Options) { o.IPAMRegions = scaleRegions })
	m, err := c.Monitoring(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Accounts) != 2*accounts || !m.Complete() {
		t.Errorf("%d entries, complete %v", len(m.Accounts), m.Complete())
	}
	// The reads follow from the organization's shape: the tree read once,
	// every parent's accounts and OUs a page per orgPage (the root's first
	// page of OUs once more, to learn that there is a tree), never
	// ListAccounts; each Region's discovery a page per discoveryPage.
	accountPages, ouPages := treePages(org)
	want := map[string]int{
		"ListRoots":                        1,
		"ListAccountsForParent":            accountPages,
		"ListOrganizationalUnitsForParent": ouPages + 1,
		"GetIpamDiscoveredAccounts":        len(scaleRegions) * pages(accounts, discoveryPage),
	}
	ops := emu.CallCounts()
	for op, n := range want {
		if ops[op] != n {
			t.Errorf("%d %s, want %d (calls %v)", ops[op], op, n, ops)
		}
	}
	if ops["ListAccounts"] != 0 {
		t.Errorf("%d ListAccounts pages, want the tree", ops["ListAccounts"])
	}
}

// TestFleetListsThroughTheTree: the fleet verification over 1,000 accounts
// in 100 OUs lists them through the tree, never with ListAccounts, and
// checks every one.
func TestFleetListsThroughTheTree(t *testing.T) {
	t.Parallel() // see harness_test.go
	const accounts = 1_000
	org := monitoredOrganization(accounts)
	emu := monitoredTree(org)
	c := memClient(t, emu)
	r, err := c.VerifyServiceLinkedRoles(t.Context(), func(o *ipamorg.VerifyOptions) {
		o.Concurrency = 64
		o.RateLimits = noLimits
	})
	if err != nil || !r.OK() || r.Total != accounts || !r.ListingComplete {
		t.Fatalf("fleet: total %d, counts %v, err %v", r.Total, r.Counts, err)
	}
	accountPages, _ := treePages(org)
	if n := emu.CountCalls("ListAccountsForParent"); n != accountPages {
		t.Errorf("fleet: %d ListAccountsForParent pages, want %d", n, accountPages)
	}
	if n := emu.CountCalls("ListAccounts"); n != 0 {
		t.Errorf("fleet: %d ListAccounts pages, want the tree", n)
	}
}

// scaleRegions are the Regions where monitoredTree's IPAM operates.
var scaleRegions = []string{"us-east-1", "us-west-2"}

// monitoredOrganization is an organization of accounts accounts (the
// management account and generated members) in 100 OUs, the first member
// IPAM's delegated administrator.
func monitoredOrganization(accounts int) awstest.Organization {
	org := awstest.GenerateOrganizationTree(accounts-1, 100)
	org.IPAMDelegatedAdmin = org.Members[0].ID
	return org
}

// monitoredTree emulates org, its delegated administrator owning an IPAM
// that operates in scaleRegions and discovers every account.
func monitoredTree(org awstest.Organization) *awstest.Emulator {
	return awstest.New(awstest.WithOrganization(org),
		awstest.WithIPAMs(awstest.IPAMSpec{Owner: org.IPAMDelegatedAdmin, OperatingRegions: scaleRegions}))
}

// The page sizes of the listing and of discovery: Organizations' lists
// answer at most 20 items a page, and the library asks
// GetIpamDiscoveredAccounts for 1,000.
const (
	orgPage       = 20
	discoveryPage = 1000
)

// pages is how many pages of size hold n items: one at least.
func pages(n, size int) int { return max(1, (n+size-1)/size) }

// treePages returns how many pages of accounts (ListAccountsForParent) and
// of OUs (ListOrganizationalUnitsForParent) reading org's tree takes: each
// parent, the root and every OU, read once for each.
func treePages(org awstest.Organization) (accountPages, ouPages int) {
	const root = ""
	accounts := map[string]int{root: 1} // the management account
	children := map[string]int{root: 0}
	for _, ou := range org.OUs {
		parent := root
		if i := strings.LastIndexByte(ou, '/'); i >= 0 {
			parent = ou[:i]
		}
		children[parent]++
		accounts[ou] += 0
		children[ou] += 0
	}
	for _, m := range org.Members {
		accounts[m.OU]++
	}
	for parent := range children {
		accountPages += pages(accounts[parent], orgPage)
		ouPages += pages(children[parent], orgPage)
	}
	return accountPages, ouPages
}

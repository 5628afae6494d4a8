package orglist

import (
	"maps"
	"slices"
	"testing"

	"github.com/ipamorg/sdk/awsclient"
	"github.com/ipamorg/sdk/awsclient/awstest"
)

// listPaths lists o, returning each account's Path and what List met.
func (o *treeOrg) listPaths(t *testing.T) (map[string]string, Listed, error) {
	t.Helper()
	paths := map[string]string{}
	listed, err := List(t.Context(), o, testCalls, func(page []Account) bool {
		for _, a := range page {
			paths[a.ID] = a.Path
		}
		return true
	})
	return paths, listed, err
}

// TestListingPaths: read from the tree, each account carries its parent's
// path from the root, an OU listed under two parents keeps the first
// path it was read at, and the listing names every OU's path, every
// account placed.
func TestListingPaths(t *testing.T) {
	paths, listed, err := newTreeOrg().listPaths(t)
	if err != nil || !listed.Placed || listed.TreeDenied != nil {
		t.Fatalf("err %v, listed %+v", err, listed)
	}
	want := map[string]string{
		"111111111111": "r-1/",
		"200000000001": "r-1/ou-a/", "200000000002": "r-1/ou-a/",
		"200000000004": "r-1/ou-b/",
	}
	for id, p := range want {
		if paths[id] != p {
			t.Errorf("%s at %q, want %q", id, paths[id], p)
		}
	}
	// ou-c is listed under both ou-a and ou-b; 200000000003 in both.
	if c := paths["200000000005"]; c != "r-1/ou-a/ou-c/" && c != "r-1/ou-b/ou-c/" {
		t.Errorf("200000000005 at %q", c)
	}
	if p := paths["200000000003"]; p != "r-1/ou-a/" && p != "r-1/ou-b/" {
		t.Errorf("200000000003 at %q", p)
	}
	if len(listed.OUs) != 3 || !slices.IsSorted(listed.OUs) || !slices.Contains(listed.OUs, "r-1/ou-a/") || !slices.Contains(listed.OUs, "r-1/ou-b/") ||
		!slices.Contains(listed.OUs, paths["200000000005"]) {
		t.Errorf("OUs %v", listed.OUs)
	}
}

// TestListingPathsDenied: a tree read denied leaves the accounts not all
// placed, names the denial, and the accounts ListAccounts lists have no
// path.
func TestListingPathsDenied(t *testing.T) {
	for _, op := range []string{"ListRoots", "ListOrganizationalUnitsForParent", "ListAccountsForParent"} {
		t.Run(op, func(t *testing.T) {
			o := newTreeOrg()
			o.deny[op] = true
			paths, listed, err := o.listPaths(t)
			if err != nil || listed.Placed || !slices.Equal(listed.TreeDenied, []string{"organizations:" + op}) || len(paths) != len(wantTreeIDs) {
				t.Fatalf("err %v, listed %+v, %d accounts", err, listed, len(paths))
			}
			if op == "ListRoots" && slices.ContainsFunc(slices.Collect(maps.Values(paths)), func(p string) bool { return p != "" }) {
				t.Errorf("paths %v, want none from ListAccounts", paths)
			}
		})
	}
}

// TestListingPathsNoOU: in an organization without OUs every account is
// placed, with no OU: nothing places an account anywhere but the root.
func TestListingPathsNoOU(t *testing.T) {
	emu := awstest.New(awstest.WithOrganization(awstest.GenerateOrganization(3)))
	api := awsclient.NewFromConfig(emu.Config(t.Context(), awstest.DefaultManagementAccountID)).Organizations
	listed, err := List(t.Context(), api, testCalls, func([]Account) bool { return true })
	if err != nil || !listed.Placed || len(listed.OUs) != 0 || listed.TreeDenied != nil {
		t.Errorf("err %v, listed %+v", err, listed)
	}
}

package orglist

import (
	"maps"
	"slices"
	"testing"

	"github.com/ipamorg/sdk/awsclient"
	"github.com/ipamorg/sdk/awsclient/awstest"
)

// listPaths lists o, returning each account's Path and the tree recorded.
func (o *treeOrg) listPaths(t *testing.T) (map[string]string, Tree, error) {
	t.Helper()
	paths := map[string]string{}
	var tree Tree
	_, err := List(t.Context(), o, testCalls, func(page []Account) bool {
		for _, a := range page {
			paths[a.ID] = a.Path
		}
		return true
	}, RecordTree(&tree))
	return paths, tree, err
}

// TestListingPaths: read from the tree, each account carries its parent's
// path from the root, an OU listed under two parents keeps the first
// path it was read at, and the tree records every OU's path, complete.
func TestListingPaths(t *testing.T) {
	paths, tree, err := newTreeOrg().listPaths(t)
	if err != nil || !tree.Complete || tree.Denied != nil {
		t.Fatalf("err %v, tree %+v", err, tree)
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
	if len(tree.OUs) != 3 || !slices.IsSorted(tree.OUs) || !slices.Contains(tree.OUs, "r-1/ou-a/") || !slices.Contains(tree.OUs, "r-1/ou-b/") ||
		!slices.Contains(tree.OUs, paths["200000000005"]) {
		t.Errorf("OUs %v", tree.OUs)
	}
}

// TestListingPathsDenied: a tree read denied leaves the tree incomplete,
// with the denial, and the accounts ListAccounts lists without a path.
func TestListingPathsDenied(t *testing.T) {
	for _, op := range []string{"ListRoots", "ListOrganizationalUnitsForParent", "ListAccountsForParent"} {
		t.Run(op, func(t *testing.T) {
			o := newTreeOrg()
			o.deny[op] = true
			paths, tree, err := o.listPaths(t)
			if err != nil || tree.Complete || tree.Denied == nil || len(paths) != len(wantTreeIDs) {
				t.Fatalf("err %v, tree %+v, %d accounts", err, tree, len(paths))
			}
			if op == "ListRoots" && slices.ContainsFunc(slices.Collect(maps.Values(paths)), func(p string) bool { return p != "" }) {
				t.Errorf("paths %v, want none from ListAccounts", paths)
			}
		})
	}
}

// TestListingPathsNoOU: an organization without OUs is complete, with no
// OU: nothing places an account anywhere but the root.
func TestListingPathsNoOU(t *testing.T) {
	emu := awstest.New(awstest.WithOrganization(awstest.GenerateOrganization(3)))
	api := awsclient.NewFromConfig(emu.Config(t.Context(), awstest.DefaultManagementAccountID)).Organizations
	var tree Tree
	_, err := List(t.Context(), api, testCalls, func([]Account) bool { return true }, RecordTree(&tree))
	if err != nil || !tree.Complete || len(tree.OUs) != 0 || tree.Denied != nil {
		t.Errorf("err %v, tree %+v", err, tree)
	}
}

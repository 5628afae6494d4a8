package orglist

import (
	"context"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/ipamorg/sdk/internal/awscall"
)

// listAll lists o's organization, returning the ids handed on, sorted.
func listAll(t *testing.T, o *treeOrg) ([]string, Listed, error) {
	t.Helper()
	var ids []string
	listed, err := List(t.Context(), o, testCalls, func(page []Account) bool {
		for _, a := range page {
			ids = append(ids, a.ID)
		}
		return true
	})
	n := len(ids)
	slices.Sort(ids)
	if ids = slices.Compact(ids); len(ids) != n {
		t.Errorf("an account was handed on twice: %d handed, %d distinct", n, len(ids))
	}
	return ids, listed, err
}

// TestListingOUWithoutID: an OU listed without an id is counted, and the
// accounts below it, which the tree cannot reach, come from ListAccounts:
// none is lost, none handed twice.
func TestListingOUWithoutID(t *testing.T) {
	o := newTreeOrg()
	o.ous["r-1"] = []string{"", "ou-b"} // ou-a, listed without its id
	ids, listed, err := listAll(t, o)
	if err != nil || !slices.Equal(ids, wantTreeIDs) {
		t.Fatalf("ids %v, err %v; want every account", ids, err)
	}
	if listed.OUsWithoutID != 1 || !listed.Tree || listed.AccountsWithoutID != 1 || o.calls["ListAccounts"] == 0 {
		t.Errorf("listed %+v, calls %v; want one OU without an id, the tree, then ListAccounts", listed, o.calls)
	}
}

// TestListingOUWithoutIDFlatDenied: when ListAccounts cannot make up for
// the OU without an id, the listing fails: never a silent loss.
func TestListingOUWithoutIDFlatDenied(t *testing.T) {
	o := newTreeOrg()
	o.ous["r-1"] = []string{"", "ou-b"}
	o.deny["ListAccounts"] = true
	if _, listed, err := listAll(t, o); !awscall.AccessDenied(err) || listed.OUsWithoutID != 1 {
		t.Errorf("listed %+v, err %v; want the OU counted and ListAccounts' refusal", listed, err)
	}
}

// rootWithoutID lists its only root without an id.
type rootWithoutID struct{ *treeOrg }

func (o rootWithoutID) ListRoots(context.Context, *organizations.ListRootsInput, ...func(*organizations.Options)) (*organizations.ListRootsOutput, error) {
	return &organizations.ListRootsOutput{Roots: []orgtypes.Root{{}}}, nil
}

// TestListingRootWithoutID: a root without an id is the same anomaly:
// the accounts come from ListAccounts.
func TestListingRootWithoutID(t *testing.T) {
	o := newTreeOrg()
	var ids []string
	listed, err := List(t.Context(), rootWithoutID{o}, testCalls, func(page []Account) bool {
		for _, a := range page {
			ids = append(ids, a.ID)
		}
		return true
	})
	slices.Sort(ids)
	if err != nil || !slices.Equal(ids, wantTreeIDs) || listed.OUsWithoutID != 1 || listed.Tree {
		t.Errorf("ids %v, listed %+v, err %v", ids, listed, err)
	}
}

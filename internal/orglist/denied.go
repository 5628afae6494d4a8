package orglist

import (
	"context"
	"slices"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/ipamorg/sdk/awsclient"
	"github.com/ipamorg/sdk/internal/awscall"
)

// TreeActions are the IAM actions of reading the organization's tree,
// which the listing needs to read it rather than fall back to
// organizations:ListAccounts.
var TreeActions = []string{
	"organizations:ListAccountsForParent",
	"organizations:ListOrganizationalUnitsForParent",
	"organizations:ListRoots",
}

// treeReads is the listing's Organizations client, which notes the tree
// reads AWS denies.
type treeReads struct {
	awsclient.OrganizationsAPI

	mu     sync.Mutex
	denied []string
}

// note records action as denied when err is AWS's denial.
func (t *treeReads) note(action string, err error) {
	if !awscall.AccessDenied(err) {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if !slices.Contains(t.denied, action) {
		t.denied = append(t.denied, action)
	}
}

// deniedActions returns the tree reads denied so far, sorted.
func (t *treeReads) deniedActions() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Sorted(slices.Values(t.denied))
}

func (t *treeReads) ListRoots(ctx context.Context, in *organizations.ListRootsInput, optFns ...func(*organizations.Options)) (*organizations.ListRootsOutput, error) {
	out, err := t.OrganizationsAPI.ListRoots(ctx, in, optFns...)
	t.note("organizations:ListRoots", err)
	return out, err
}

func (t *treeReads) ListOrganizationalUnitsForParent(ctx context.Context, in *organizations.ListOrganizationalUnitsForParentInput, optFns ...func(*organizations.Options)) (*organizations.ListOrganizationalUnitsForParentOutput, error) {
	out, err := t.OrganizationsAPI.ListOrganizationalUnitsForParent(ctx, in, optFns...)
	t.note("organizations:ListOrganizationalUnitsForParent", err)
	return out, err
}

func (t *treeReads) ListAccountsForParent(ctx context.Context, in *organizations.ListAccountsForParentInput, optFns ...func(*organizations.Options)) (*organizations.ListAccountsForParentOutput, error) {
	out, err := t.OrganizationsAPI.ListAccountsForParent(ctx, in, optFns...)
	t.note("organizations:ListAccountsForParent", err)
	return out, err
}

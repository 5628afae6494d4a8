package orglist

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/ipamorg/sdk/awsclient"
	"github.com/ipamorg/sdk/internal/awscall"
)

// endlessOrg is an Organizations whose tree never ends: each
// ListOrganizationalUnitsForParent answers perParent OUs never listed
// before, under any parent. It counts its calls, the calls in flight at
// once, and the goroutines of the process while it answers. After
// stopAfter calls it answers no more OUs, so that a listing without a cap
// still ends.
type endlessOrg struct {
	awsclient.OrganizationsAPI // the rest: unused, nil

	perParent, stopAfter int

	mu       sync.Mutex
	next     int
	calls    int
	inFlight int
	maxCalls int // most calls in flight at once
	maxG     int // most goroutines seen during a call
}

func (o *endlessOrg) enter() func() {
	g := runtime.NumGoroutine()
	o.mu.Lock()
	defer o.mu.Unlock()
	o.calls++
	o.inFlight++
	o.maxCalls = max(o.maxCalls, o.inFlight)
	o.maxG = max(o.maxG, g)
	return func() {
		o.mu.Lock()
		o.inFlight--
		o.mu.Unlock()
	}
}

func (o *endlessOrg) ListRoots(context.Context, *organizations.ListRootsInput, ...func(*organizations.Options)) (*organizations.ListRootsOutput, error) {
	return &organizations.ListRootsOutput{Roots: []orgtypes.Root{{Id: aws.String("r-1")}}}, nil
}

func (o *endlessOrg) ListOrganizationalUnitsForParent(context.Context, *organizations.ListOrganizationalUnitsForParentInput, ...func(*organizations.Options)) (*organizations.ListOrganizationalUnitsForParentOutput, error) {
	defer o.enter()()
	o.mu.Lock()
	defer o.mu.Unlock()
	out := &organizations.ListOrganizationalUnitsForParentOutput{}
	if o.calls > o.stopAfter {
		return out, nil
	}
	for range o.perParent {
		o.next++
		out.OrganizationalUnits = append(out.OrganizationalUnits, orgtypes.OrganizationalUnit{Id: aws.String(fmt.Sprintf("ou-%d", o.next))})
	}
	return out, nil
}

func (o *endlessOrg) ListAccountsForParent(context.Context, *organizations.ListAccountsForParentInput, ...func(*organizations.Options)) (*organizations.ListAccountsForParentOutput, error) {
	defer o.enter()()
	return &organizations.ListAccountsForParentOutput{}, nil
}

// listEndless lists o and checks what every endless tree must give: an
// error beyond Organizations' quotas, with the goroutines and the calls in
// flight bounded by the listing's concurrency, whatever the tree's size.
func listEndless(t *testing.T, o *endlessOrg) error {
	t.Helper()
	before := runtime.NumGoroutine()
	_, err := List(t.Context(), o, testCalls, func([]Account) bool { return true })
	if !errors.Is(err, ErrBeyondQuota) || !errors.Is(err, awscall.ErrInvalidResponse) {
		t.Errorf("err = %v, want ErrBeyondQuota, an invalid response", err)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.maxCalls > treeConcurrency {
		t.Errorf("%d calls in flight at once, want at most %d", o.maxCalls, treeConcurrency)
	}
	// The workers, and a few of the runtime's own at most.
	if grew := o.maxG - before; grew > treeConcurrency+4 {
		t.Errorf("the goroutines grew by %d during the listing, want at most %d", grew, treeConcurrency+4)
	}
	if o.calls > o.stopAfter {
		t.Errorf("%d calls: the listing did not stop at the quota", o.calls)
	}
	return err
}

// TestListingEndlessTree: a tree of 20 new OUs per call stops at
// Organizations' quota of OUs per organization.
func TestListingEndlessTree(t *testing.T) {
	o := &endlessOrg{perParent: 20, stopAfter: 1000}
	listEndless(t, o)
	// The OUs and the accounts of the root and of the OUs read before the
	// count passed the quota (20 found a call), the root's first page
	// once more, and a call for each worker at most beyond it.
	if limit := 2*(maxOUs/o.perParent) + 2 + 2*treeConcurrency; o.calls > limit {
		t.Errorf("%d calls, want at most %d", o.calls, limit)
	}
}

// TestListingEndlessDepth: a chain of OUs, one below the other, stops at
// Organizations' quota of nesting.
func TestListingEndlessDepth(t *testing.T) {
	o := &endlessOrg{perParent: 1, stopAfter: 1000}
	listEndless(t, o)
	if limit := 2 * (maxOUDepth + 3); o.calls > limit {
		t.Errorf("%d calls, want at most %d", o.calls, limit)
	}
}

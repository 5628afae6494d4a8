package orglist

import (
	"context"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/ipamorg/sdk/internal/awscall"
	"github.com/ipamorg/sdk/internal/pages"
)

// listTree lists through the tree when the organization has an OU, and
// through ListAccounts otherwise.
func (l *listing) listTree(ctx context.Context) error {
	roots, err := l.roots(ctx)
	if err != nil {
		return err
	}
	// The first page of each root's OUs tells whether there is a tree.
	var mu sync.Mutex
	hasOU := false
	err = awscall.Concurrently(ctx, treeConcurrency, len(roots), func(i int) error {
		out, err := l.ouPage(ctx, roots[i])
		if err == nil && (len(out.OrganizationalUnits) > 0 || aws.ToString(out.NextToken) != "") {
			mu.Lock()
			hasOU = true
			mu.Unlock()
		}
		return err
	})
	if err != nil {
		return err
	}
	if !hasOU {
		return l.listFlat(ctx)
	}
	l.mu.Lock()
	l.tree = true
	for _, root := range roots {
		l.seenOU[root] = true
	}
	l.mu.Unlock()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	t := &treeWalk{l: l, sem: make(chan struct{}, treeConcurrency), cancel: cancel}
	for _, root := range roots {
		t.parent(ctx, root)
	}
	t.wg.Wait()
	return t.err
}

// roots returns the ids of the organization's roots (one, in AWS).
func (l *listing) roots(ctx context.Context) ([]string, error) {
	const action = "organizations:ListRoots"
	p := organizations.NewListRootsPaginator(pages.Checked(l.calls, action, l.api.ListRoots), &organizations.ListRootsInput{},
		func(o *organizations.ListRootsPaginatorOptions) { o.StopOnDuplicateToken = true })
	var roots []string
	err := pages.Walk(ctx, action, maxRootPages, p, l.calls.Organizations, func(out *organizations.ListRootsOutput) (*string, bool) {
		for _, r := range out.Roots {
			if id := aws.ToString(r.Id); id != "" {
				roots = append(roots, id)
			} else {
				l.mu.Lock()
				l.ousWithoutID++
				l.mu.Unlock()
			}
		}
		return out.NextToken, true
	})
	if err == nil && len(roots) == 0 && l.ousWithoutID == 0 {
		// A root listed without an id leaves the accounts to ListAccounts.
		err = awscall.InvalidResponse(action, "no root")
	}
	return roots, err
}

// ouPage reads the first page of parent's OUs.
func (l *listing) ouPage(ctx context.Context, parent string) (*organizations.ListOrganizationalUnitsForParentOutput, error) {
	return awscall.Call(ctx, l.calls, "organizations:ListOrganizationalUnitsForParent", func(ctx context.Context) (*organizations.ListOrganizationalUnitsForParentOutput, error) {
		return l.api.ListOrganizationalUnitsForParent(ctx,
			&organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(parent)}, l.calls.Organizations)
	})
}

// treeWalk reads the tree below the roots, every parent's OUs and accounts
// in goroutines of their own, at most cap(sem) calls at once.
type treeWalk struct {
	l      *listing
	sem    chan struct{}
	wg     sync.WaitGroup
	cancel context.CancelFunc

	mu  sync.Mutex // guards err
	err error
}

// fail records the walk's first error and stops the rest. Once page has
// said stop, the reads it cut short are no failure.
func (t *treeWalk) fail(err error) {
	if err == nil || t.l.isStopped() {
		return
	}
	t.mu.Lock()
	if t.err == nil {
		t.err = err
	}
	t.mu.Unlock()
	t.cancel()
}

// parent starts reading parent's accounts and the OUs below it.
func (t *treeWalk) parent(ctx context.Context, parent string) {
	t.wg.Go(func() { t.fail(t.accounts(ctx, parent)) })
	t.wg.Go(func() { t.fail(t.children(ctx, parent)) })
}

// limited returns list taking a slot of the walk for each call; a call
// whose context ends before it gets one fails with the context's error.
func limited[I, O, T any](t *treeWalk, list func(context.Context, *I, ...func(*T)) (*O, error)) func(context.Context, *I, ...func(*T)) (*O, error) {
	return func(ctx context.Context, in *I, optFns ...func(*T)) (*O, error) {
		select {
		case t.sem <- struct{}{}:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		defer func() { <-t.sem }()
		return list(ctx, in, optFns...)
	}
}

// accounts reads parent's accounts, every page.
func (t *treeWalk) accounts(ctx context.Context, parent string) error {
	const action = "organizations:ListAccountsForParent"
	l := t.l
	p := organizations.NewListAccountsForParentPaginator(pages.Checked(l.calls, action, limited(t, l.api.ListAccountsForParent)),
		&organizations.ListAccountsForParentInput{ParentId: aws.String(parent)},
		func(o *organizations.ListAccountsForParentPaginatorOptions) { o.StopOnDuplicateToken = true })
	err := pages.Walk(ctx, action, maxAccountPages, p, l.calls.Organizations, func(out *organizations.ListAccountsForParentOutput) (*string, bool) {
		return out.NextToken, l.hand(out.Accounts)
	})
	if err == nil && l.isStopped() {
		t.cancel() // page said stop: end the other reads too
	}
	return err
}

// children reads the OUs below parent, every page, and starts reading
// each one not seen before.
func (t *treeWalk) children(ctx context.Context, parent string) error {
	const action = "organizations:ListOrganizationalUnitsForParent"
	l := t.l
	start := func(page []orgtypes.OrganizationalUnit) error {
		for _, u := range page {
			id := aws.ToString(u.Id)
			l.mu.Lock()
			if id == "" {
				l.ousWithoutID++
			}
			known := id == "" || l.seenOU[id]
			l.seenOU[id] = true
			n := len(l.seenOU)
			l.mu.Unlock()
			switch {
			case n > maxOUs:
				return awscall.InvalidResponse(action, fmt.Sprintf("more than %d organizational units", maxOUs))
			case !known:
				t.parent(ctx, id)
			}
		}
		return nil
	}
	p := organizations.NewListOrganizationalUnitsForParentPaginator(pages.Checked(l.calls, action, limited(t, l.api.ListOrganizationalUnitsForParent)),
		&organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(parent)},
		func(o *organizations.ListOrganizationalUnitsForParentPaginatorOptions) { o.StopOnDuplicateToken = true })
	var bad error
	err := pages.Walk(ctx, action, maxAccountPages, p, l.calls.Organizations, func(out *organizations.ListOrganizationalUnitsForParentOutput) (*string, bool) {
		bad = start(out.OrganizationalUnits)
		return out.NextToken, bad == nil
	})
	if bad != nil {
		return bad
	}
	return err
}

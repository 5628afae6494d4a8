package orglist

import (
	"context"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/ipamorg/sdk/internal/awscall"
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
		l.ouPath[root] = root + "/"
	}
	l.mu.Unlock()
	return l.walk(ctx, roots)
}

// roots returns the ids of the organization's roots (one, in AWS).
func (l *listing) roots(ctx context.Context) ([]string, error) {
	const action = "organizations:ListRoots"
	p := organizations.NewListRootsPaginator(awscall.Pages(l.calls, action, l.api.ListRoots), &organizations.ListRootsInput{},
		func(o *organizations.ListRootsPaginatorOptions) { o.StopOnDuplicateToken = true })
	var roots []string
	err := awscall.WalkPages(ctx, action, maxRootPages, p, l.calls.Organizations, func(out *organizations.ListRootsOutput) (*string, bool) {
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

// treeWalk reads the tree below the roots: a queue of jobs (a parent's
// accounts, a parent's OUs, every page of each) taken by treeConcurrency
// workers, so that neither the goroutines nor the calls in flight grow
// with the tree; the OUs found are queued, the tree's size is bounded by
// Organizations' quotas (see quota.go).
type treeWalk struct {
	l      *listing
	cancel context.CancelFunc
	roots  int

	mu    sync.Mutex // guards the fields below
	cond  *sync.Cond // signalled when a job is queued or finished, or the walk ends
	queue []treeJob
	busy  int // jobs taken and not finished
	err   error
}

// treeJob is one parent's accounts, or its OUs (ous), at depth levels
// below the root (0: the root).
type treeJob struct {
	parent string
	depth  int
	ous    bool
}

// walk reads the accounts and OUs below roots, and returns the first
// error, if any.
func (l *listing) walk(ctx context.Context, roots []string) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	t := &treeWalk{l: l, cancel: cancel, roots: len(roots)}
	t.cond = sync.NewCond(&t.mu)
	defer context.AfterFunc(ctx, func() {
		t.mu.Lock()
		defer t.mu.Unlock()
		t.cond.Broadcast()
	})()
	for _, root := range roots {
		t.push(root, 0)
	}
	var wg sync.WaitGroup
	for range treeConcurrency {
		wg.Go(func() {
			for {
				j, ok := t.take(ctx)
				if !ok {
					return
				}
				var err error
				if j.ous {
					err = t.children(ctx, j)
				} else {
					err = t.accounts(ctx, j.parent)
				}
				t.finish(err)
			}
		})
	}
	wg.Wait()
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.err
}

// push queues the reads of parent, depth levels below the root: its OUs
// first, so that the tree opens up, then its accounts.
func (t *treeWalk) push(parent string, depth int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.queue = append(t.queue, treeJob{parent, depth, true}, treeJob{parent, depth, false})
	t.cond.Broadcast()
}

// take returns the next job, waiting while none is queued and others are
// running (they may queue more); false when the walk is over: nothing
// left to do, a failure, or ctx ended.
func (t *treeWalk) take(ctx context.Context) (treeJob, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for len(t.queue) == 0 && t.busy > 0 && t.err == nil && ctx.Err() == nil {
		t.cond.Wait()
	}
	if len(t.queue) == 0 || t.err != nil || ctx.Err() != nil {
		t.cond.Broadcast() // the walk is over: the others leave too
		return treeJob{}, false
	}
	j := t.queue[0]
	t.queue[0] = treeJob{}
	t.queue = t.queue[1:]
	t.busy++
	return j, true
}

// finish records that a job ended with err. The walk's first error stops
// the rest; once page has said stop, the reads it cut short are no
// failure.
func (t *treeWalk) finish(err error) {
	stopped := t.l.isStopped() // before t.mu: children takes l.mu, then t.mu
	t.mu.Lock()
	defer t.mu.Unlock()
	t.busy--
	if err != nil && !stopped && t.err == nil {
		t.err = err
		t.cancel()
	}
	t.cond.Broadcast()
}

// accounts reads parent's accounts, every page.
func (t *treeWalk) accounts(ctx context.Context, parent string) error {
	const action = "organizations:ListAccountsForParent"
	l := t.l
	p := organizations.NewListAccountsForParentPaginator(awscall.Pages(l.calls, action, l.api.ListAccountsForParent),
		&organizations.ListAccountsForParentInput{ParentId: aws.String(parent)},
		func(o *organizations.ListAccountsForParentPaginatorOptions) { o.StopOnDuplicateToken = true })
	l.mu.Lock()
	path := l.ouPath[parent]
	l.mu.Unlock()
	err := awscall.WalkPages(ctx, action, maxAccountPages, p, l.calls.Organizations, func(out *organizations.ListAccountsForParentOutput) (*string, bool) {
		return out.NextToken, l.hand(out.Accounts, path)
	})
	if err == nil && l.isStopped() {
		t.cancel() // page said stop: end the other reads too
	}
	return err
}

// children reads the OUs below j's parent, every page, and queues each
// one not seen before; an OU beyond Organizations' quotas ends the walk.
func (t *treeWalk) children(ctx context.Context, j treeJob) error {
	const action = "organizations:ListOrganizationalUnitsForParent"
	l := t.l
	found := func(page []orgtypes.OrganizationalUnit) error {
		for _, u := range page {
			id := aws.ToString(u.Id)
			l.mu.Lock()
			_, seen := l.ouPath[id]
			known := id == "" || seen
			switch {
			case id == "":
				l.ousWithoutID++
			case !known:
				id = strings.Clone(id)
				l.ouPath[id] = l.ouPath[j.parent] + id + "/"
			}
			n := len(l.ouPath) - t.roots
			l.mu.Unlock()
			if known {
				continue
			}
			if err := checkQuotas(action, n, j.depth+1); err != nil {
				return err
			}
			t.push(id, j.depth+1)
		}
		return nil
	}
	p := organizations.NewListOrganizationalUnitsForParentPaginator(awscall.Pages(l.calls, action, l.api.ListOrganizationalUnitsForParent),
		&organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(j.parent)},
		func(o *organizations.ListOrganizationalUnitsForParentPaginatorOptions) { o.StopOnDuplicateToken = true })
	var bad error
	err := awscall.WalkPages(ctx, action, maxAccountPages, p, l.calls.Organizations, func(out *organizations.ListOrganizationalUnitsForParentOutput) (*string, bool) {
		bad = found(out.OrganizationalUnits)
		return out.NextToken, bad == nil
	})
	if bad != nil {
		return bad
	}
	return err
}

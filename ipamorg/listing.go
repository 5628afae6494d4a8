package ipamorg

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
)

// The listing of the organization's accounts, which the fleet verification
// and Monitoring share. organizations:ListAccounts returns at most 20
// accounts a page, each page needing the previous one's token: 10,000
// accounts are 500 calls one after the other. When the organization has
// OUs, the listing reads the tree instead (ListRoots, then
// ListOrganizationalUnitsForParent and ListAccountsForParent for every
// root and OU), listTreeConcurrency parents at once: as many pages, but
// side by side. See docs/performance.md, "Fleet verification and
// Monitoring".

// listTreeConcurrency is how many pages of the tree are read at once. It
// outpaces the fleet's largest concurrency: 16 pages of 20 accounts a call
// against 256 workers of two calls an account, at equal latencies, and
// stays under Organizations' rate limit (RateLimits.Organizations).
const listTreeConcurrency = 16

// maxOUs bounds the OUs of a listing: far above Organizations' quota of
// OUs per organization, and an end to a tree that never ends.
const maxOUs = 100_000

// listed is one account of the listing.
// internState returns state as one of the SDK's constants when it is one,
// so that the states kept hold no memory of their own.
func internState(state string) string {
	for _, known := range orgtypes.AccountState("").Values() {
		if state == string(known) {
			return string(known)
		}
	}
	for _, known := range orgtypes.AccountStatus("").Values() {
		if state == string(known) {
			return string(known)
		}
	}
	return strings.Clone(state)
}

type listed struct {
	id, name, state string
	active          bool
}

// listing is one listing of the organization's accounts. page is called
// with each page's accounts not listed before (pages of an eventually
// consistent list may overlap, and an account moved between OUs during the
// listing may show twice), one call at a time, and stops the listing when
// it returns false.
type listing struct {
	c    *Client
	page func([]listed) bool

	mu        sync.Mutex // guards the fields below, and serialises page
	seen      map[string]bool
	seenOU    map[string]bool
	withoutID int
	stopped   bool
	// tree reports whether the accounts were read from the tree; flat
	// that ListAccounts was called.
	tree, flat bool
}

// listOrganization lists the organization's accounts, handing them to page
// (see listing), and returns how many were listed without an id (left out).
// It reads the tree when the organization has OUs and the caller may read
// it, and ListAccounts otherwise: when ListRoots or
// ListOrganizationalUnitsForParent is denied (AccessDenied), the accounts
// not listed yet come from ListAccounts. When page returns false it
// returns ctx's error (nil if ctx has not ended).
func (c *Client) listOrganization(ctx context.Context, page func([]listed) bool) (withoutID int, tree bool, err error) {
	l := &listing{c: c, page: page, seen: map[string]bool{}, seenOU: map[string]bool{}}
	err = l.listTree(ctx)
	if classify(err) == ErrAccessDenied && ctx.Err() == nil && !l.flat {
		c.opts.Logger.DebugContext(ctx, "ipamorg: reading the organization's tree denied; listing its accounts with ListAccounts", "error", err)
		l.tree = false
		err = l.listFlat(ctx)
	}
	if err == nil && l.isStopped() {
		err = ctx.Err()
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.withoutID, l.tree, err
}

// hand hands accounts to page, without those listed before. It reports
// whether to go on.
func (l *listing) hand(accounts []orgtypes.Account) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.stopped {
		return false
	}
	out := make([]listed, 0, len(accounts))
	for i := range accounts {
		a := &accounts[i]
		id := aws.ToString(a.Id)
		switch {
		case id == "":
			l.withoutID++
			continue
		case l.seen[id]:
			continue
		}
		// The SDK decodes a page's strings into one shared buffer; what is
		// kept for the whole run (the queue, the report, seen) is copied
		// out of it, so that each page's buffer, ARNs and emails
		// included, is not kept alive by a few bytes: at 100,000
		// accounts that was a fifth of the library's live heap.
		id = strings.Clone(id)
		l.seen[id] = true
		state, active := accountState(a)
		out = append(out, listed{id: id, name: strings.Clone(aws.ToString(a.Name)), state: internState(state), active: active})
	}
	if len(out) > 0 && !l.page(out) {
		l.stopped = true
	}
	return !l.stopped
}

func (l *listing) isStopped() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.stopped
}

// listFlat lists through organizations:ListAccounts.
func (l *listing) listFlat(ctx context.Context) error {
	const action = "organizations:ListAccounts"
	c := l.c
	l.flat = true
	api := listAccountsFn(func(ctx context.Context, in *organizations.ListAccountsInput, optFns ...func(*organizations.Options)) (*organizations.ListAccountsOutput, error) {
		return call(ctx, c, action, func(ctx context.Context) (*organizations.ListAccountsOutput, error) {
			return c.aws.Organizations.ListAccounts(ctx, in, optFns...)
		})
	})
	p := organizations.NewListAccountsPaginator(api, &organizations.ListAccountsInput{},
		func(o *organizations.ListAccountsPaginatorOptions) { o.StopOnDuplicateToken = true })
	return walk(ctx, c, action, maxAccountPages, p, func(out *organizations.ListAccountsOutput) (*string, bool) {
		return out.NextToken, l.hand(out.Accounts)
	})
}

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
	err = concurrentlyAtMost(ctx, listTreeConcurrency, len(roots), func(i int) error {
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
	t := &treeWalk{l: l, sem: make(chan struct{}, listTreeConcurrency), cancel: cancel}
	for _, root := range roots {
		t.parent(ctx, root)
	}
	t.wg.Wait()
	return t.err
}

// roots returns the ids of the organization's roots (one, in AWS).
func (l *listing) roots(ctx context.Context) ([]string, error) {
	const action = "organizations:ListRoots"
	c := l.c
	api := listRootsFn(func(ctx context.Context, in *organizations.ListRootsInput, optFns ...func(*organizations.Options)) (*organizations.ListRootsOutput, error) {
		return call(ctx, c, action, func(ctx context.Context) (*organizations.ListRootsOutput, error) {
			return c.aws.Organizations.ListRoots(ctx, in, optFns...)
		})
	})
	p := organizations.NewListRootsPaginator(api, &organizations.ListRootsInput{},
		func(o *organizations.ListRootsPaginatorOptions) { o.StopOnDuplicateToken = true })
	var roots []string
	err := walk(ctx, c, action, maxAdminPages, p, func(out *organizations.ListRootsOutput) (*string, bool) {
		for _, r := range out.Roots {
			if id := aws.ToString(r.Id); id != "" {
				roots = append(roots, id)
			}
		}
		return out.NextToken, true
	})
	if err == nil && len(roots) == 0 {
		err = invalidResponse(action, "no root")
	}
	return roots, err
}

// ouPage reads the first page of parent's OUs.
func (l *listing) ouPage(ctx context.Context, parent string) (*organizations.ListOrganizationalUnitsForParentOutput, error) {
	return call(ctx, l.c, "organizations:ListOrganizationalUnitsForParent", func(ctx context.Context) (*organizations.ListOrganizationalUnitsForParentOutput, error) {
		return l.c.aws.Organizations.ListOrganizationalUnitsForParent(ctx,
			&organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(parent)}, l.c.orgOpt)
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

// acquire takes a slot for one call; false when ctx ended.
func (t *treeWalk) acquire(ctx context.Context) bool {
	select {
	case t.sem <- struct{}{}:
		return true
	case <-ctx.Done():
		return false
	}
}

func (t *treeWalk) release() { <-t.sem }

// accounts reads parent's accounts, every page.
func (t *treeWalk) accounts(ctx context.Context, parent string) error {
	const action = "organizations:ListAccountsForParent"
	l := t.l
	api := listAccountsForParentFn(func(ctx context.Context, in *organizations.ListAccountsForParentInput, optFns ...func(*organizations.Options)) (*organizations.ListAccountsForParentOutput, error) {
		if !t.acquire(ctx) {
			return nil, ctx.Err()
		}
		defer t.release()
		return call(ctx, l.c, action, func(ctx context.Context) (*organizations.ListAccountsForParentOutput, error) {
			return l.c.aws.Organizations.ListAccountsForParent(ctx, in, optFns...)
		})
	})
	p := organizations.NewListAccountsForParentPaginator(api, &organizations.ListAccountsForParentInput{ParentId: aws.String(parent)},
		func(o *organizations.ListAccountsForParentPaginatorOptions) { o.StopOnDuplicateToken = true })
	err := walk(ctx, l.c, action, maxAccountPages, p, func(out *organizations.ListAccountsForParentOutput) (*string, bool) {
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
			known := id == "" || l.seenOU[id]
			l.seenOU[id] = true
			n := len(l.seenOU)
			l.mu.Unlock()
			switch {
			case n > maxOUs:
				return invalidResponse(action, fmt.Sprintf("more than %d organizational units", maxOUs))
			case !known:
				t.parent(ctx, id)
			}
		}
		return nil
	}
	api := listOUsFn(func(ctx context.Context, in *organizations.ListOrganizationalUnitsForParentInput, optFns ...func(*organizations.Options)) (*organizations.ListOrganizationalUnitsForParentOutput, error) {
		if !t.acquire(ctx) {
			return nil, ctx.Err()
		}
		defer t.release()
		return call(ctx, l.c, action, func(ctx context.Context) (*organizations.ListOrganizationalUnitsForParentOutput, error) {
			return l.c.aws.Organizations.ListOrganizationalUnitsForParent(ctx, in, optFns...)
		})
	})
	p := organizations.NewListOrganizationalUnitsForParentPaginator(api,
		&organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(parent)},
		func(o *organizations.ListOrganizationalUnitsForParentPaginatorOptions) { o.StopOnDuplicateToken = true })
	var bad error
	err := walk(ctx, l.c, action, maxAccountPages, p, func(out *organizations.ListOrganizationalUnitsForParentOutput) (*string, bool) {
		bad = start(out.OrganizationalUnits)
		return out.NextToken, bad == nil
	})
	if bad != nil {
		return bad
	}
	return err
}

// concurrentlyAtMost runs fn(0), ..., fn(n-1), at most limit at once, and
// returns their errors joined (see joinErrors).
func concurrentlyAtMost(ctx context.Context, limit, n int, fn func(i int) error) error {
	errs := make([]error, n)
	sem := make(chan struct{}, limit)
	var wg sync.WaitGroup
	for i := range n {
		errs[i] = errNoAnswer // see observe
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			errs[i] = fn(i)
		})
	}
	wg.Wait()
	return joinErrors(ctx, errs...)
}

// The SDK's paginators take a client with one method; these adapt a
// function, which checks the output (see call), to each.
type (
	listAccountsFn          func(context.Context, *organizations.ListAccountsInput, ...func(*organizations.Options)) (*organizations.ListAccountsOutput, error)
	listRootsFn             func(context.Context, *organizations.ListRootsInput, ...func(*organizations.Options)) (*organizations.ListRootsOutput, error)
	listOUsFn               func(context.Context, *organizations.ListOrganizationalUnitsForParentInput, ...func(*organizations.Options)) (*organizations.ListOrganizationalUnitsForParentOutput, error)
	listAccountsForParentFn func(context.Context, *organizations.ListAccountsForParentInput, ...func(*organizations.Options)) (*organizations.ListAccountsForParentOutput, error)
)

func (f listAccountsFn) ListAccounts(ctx context.Context, in *organizations.ListAccountsInput, optFns ...func(*organizations.Options)) (*organizations.ListAccountsOutput, error) {
	return f(ctx, in, optFns...)
}

func (f listRootsFn) ListRoots(ctx context.Context, in *organizations.ListRootsInput, optFns ...func(*organizations.Options)) (*organizations.ListRootsOutput, error) {
	return f(ctx, in, optFns...)
}

func (f listOUsFn) ListOrganizationalUnitsForParent(ctx context.Context, in *organizations.ListOrganizationalUnitsForParentInput, optFns ...func(*organizations.Options)) (*organizations.ListOrganizationalUnitsForParentOutput, error) {
	return f(ctx, in, optFns...)
}

func (f listAccountsForParentFn) ListAccountsForParent(ctx context.Context, in *organizations.ListAccountsForParentInput, optFns ...func(*organizations.Options)) (*organizations.ListAccountsForParentOutput, error) {
	return f(ctx, in, optFns...)
}

// Package orglist lists an organization's accounts, for the fleet
// verification and Monitoring. organizations:ListAccounts returns at most
// 20 accounts a page, each page needing the previous one's token: 10,000
// accounts are 500 calls one after the other. When the organization has
// OUs, the listing reads the tree instead (ListRoots, then
// ListOrganizationalUnitsForParent and ListAccountsForParent for every
// root and OU), treeConcurrency parents at once: as many pages, but side
// by side. See docs/performance.md, "Fleet verification and Monitoring".
package orglist

import (
	"context"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/ipamorg/sdk/awsclient"
	"github.com/ipamorg/sdk/internal/awscall"
	"github.com/ipamorg/sdk/internal/pages"
)

// treeConcurrency is how many pages of the tree are read at once. It
// outpaces the fleet's largest concurrency: 16 pages of 20 accounts a call
// against 256 workers of two calls an account, at equal latencies, and
// stays under Organizations' rate limit (the fleet's
// RateLimits.Organizations).
const treeConcurrency = 16

// Page caps: more pages than this from one list is
// awscall.ErrInvalidResponse, not an endless walk. Organizations returns
// at most 20 items a page: one root, and up to 200,000 accounts.
const (
	maxRootPages    = 100
	maxAccountPages = 10_000
	// maxOUs bounds the OUs of a listing: far above Organizations' quota
	// of OUs per organization, and an end to a tree that never ends.
	maxOUs = 100_000
)

// Account is one account of the listing.
type Account struct {
	ID, Name, State string
	// Active reports whether the account is ACTIVE (see AccountState).
	Active bool
}

// Result is what List reports besides the accounts.
type Result struct {
	// WithoutID is how many accounts were listed without an id (left
	// out).
	WithoutID int
	// Tree reports whether the accounts were read from the tree.
	Tree bool
	// TreeDenied are the tree's reads (of TreeActions) that AWS denied,
	// sorted, when the listing fell back to ListAccounts for want of
	// them; nil otherwise.
	TreeDenied []string
}

// List lists the organization's accounts through api, each call with
// calls, handing them to page: the accounts of each page not listed
// before (pages of an eventually consistent list may overlap, and an
// account moved between OUs during the listing may show twice), one call
// at a time; page stops the listing when it returns false. It reads the
// tree when the organization has OUs and the caller may read it, and
// ListAccounts otherwise: when a read of the tree is denied
// (AccessDenied), the accounts not listed yet come from ListAccounts, and
// the Result names the reads denied. When page returns false it returns
// ctx's error (nil if ctx has not ended).
func List(ctx context.Context, api awsclient.OrganizationsAPI, calls *awscall.Calls, page func([]Account) bool) (Result, error) {
	reads := &treeReads{OrganizationsAPI: api}
	l := &listing{api: reads, calls: calls, page: page, seen: map[string]bool{}, seenOU: map[string]bool{}}
	err := l.listTree(ctx)
	var denied []string
	if awscall.AccessDenied(err) && ctx.Err() == nil && !l.flat {
		calls.Log.DebugContext(ctx, "ipamorg: reading the organization's tree denied; listing its accounts with ListAccounts", "error", err)
		l.tree = false
		denied = reads.deniedActions()
		err = l.listFlat(ctx)
	}
	if err == nil && l.isStopped() {
		err = ctx.Err()
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return Result{WithoutID: l.withoutID, Tree: l.tree, TreeDenied: denied}, err
}

// listing is one run of List.
type listing struct {
	api   awsclient.OrganizationsAPI
	calls *awscall.Calls
	page  func([]Account) bool

	mu        sync.Mutex // guards the fields below, and serialises page
	seen      map[string]bool
	seenOU    map[string]bool
	withoutID int
	stopped   bool
	// tree reports whether the accounts were read from the tree; flat
	// that ListAccounts was called.
	tree, flat bool
}

// AccountState returns the account's state and whether it is ACTIVE.
// Organizations replaced Status with State in 2025; older endpoints (and
// emulators) may fill in only Status.
func AccountState(a *orgtypes.Account) (string, bool) {
	switch {
	case a == nil:
		return "", false
	case a.State != "":
		return string(a.State), a.State == orgtypes.AccountStateActive
	default:
		return string(a.Status), a.Status == orgtypes.AccountStatusActive
	}
}

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

// hand hands accounts to page, without those listed before. It reports
// whether to go on.
func (l *listing) hand(accounts []orgtypes.Account) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.stopped {
		return false
	}
	out := make([]Account, 0, len(accounts))
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
		state, active := AccountState(a)
		out = append(out, Account{ID: id, Name: strings.Clone(aws.ToString(a.Name)), State: internState(state), Active: active})
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
	l.flat = true
	p := organizations.NewListAccountsPaginator(pages.Checked(l.calls, action, l.api.ListAccounts), &organizations.ListAccountsInput{},
		func(o *organizations.ListAccountsPaginatorOptions) { o.StopOnDuplicateToken = true })
	return pages.Walk(ctx, action, maxAccountPages, p, l.calls.Organizations, func(out *organizations.ListAccountsOutput) (*string, bool) {
		return out.NextToken, l.hand(out.Accounts)
	})
}

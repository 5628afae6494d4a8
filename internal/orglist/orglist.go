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
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/ipamorg/sdk/awsclient"
	"github.com/ipamorg/sdk/internal/awscall"
)

// treeConcurrency is how many pages of the tree are read at once. It
// outpaces the fleet's largest concurrency: 16 pages of 20 accounts a call
// against 256 workers of two calls an account, at equal latencies, and
// stays under Organizations' rate limit (the fleet's
// RateLimits.Organizations).
const treeConcurrency = 16

// Page caps: more pages than this from one list is
// awscall.ErrInvalidResponse, not an endless walk. Organizations returns
// at most 20 items a page: one root, and up to 200,000 accounts. The tree
// is bounded by Organizations' quotas (quota.go).
const (
	maxRootPages    = 100
	maxAccountPages = 10_000
)

// Account is one account of the listing.
type Account struct {
	ID, Name, State string
	// Active reports whether the account is ACTIVE (see AccountState).
	Active bool
	// Path is the account's parent's place in the tree: the ids from the
	// root down, each followed by "/" ("r-ab12/ou-ab12-11111111/"), as
	// Organizations' entity paths write them after the organization's id;
	// "" when ListAccounts listed the account. Accounts of one parent
	// share one string.
	Path string
}

// Listed is what a listing met besides the accounts it handed on.
type Listed struct {
	// AccountsWithoutID counts the accounts listed without an id: they
	// are left out.
	AccountsWithoutID int
	// OUsWithoutID counts the OUs (or roots) listed without an id, whose
	// accounts the tree cannot reach: the listing then lists the
	// organization's accounts with ListAccounts too, so that none is lost.
	OUsWithoutID int
	// Tree reports whether the accounts were read from the tree.
	Tree bool
	// OUs are the paths of the OUs read (as Account.Path writes them),
	// sorted, for a caller that places accounts in the tree (Monitoring's
	// OU exclusions).
	OUs []string
	// Placed reports whether every account's Path is its place: the
	// whole tree was read, or the organization has no OU.
	Placed bool
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
// ListAccounts otherwise: when ListRoots or ListOrganizationalUnitsForParent
// is denied (AccessDenied), the accounts not listed yet come from
// ListAccounts, and so they do when an OU is listed without an id; the
// Listed names the tree reads denied. A tree
// beyond Organizations' quotas (more OUs, or OUs nested deeper, than it
// allows) is an error wrapping ErrBeyondQuota. When page returns false it
// returns ctx's error (nil if ctx has not ended).
func List(ctx context.Context, api awsclient.OrganizationsAPI, calls *awscall.Calls, page func([]Account) bool) (Listed, error) {
	reads := &treeReads{OrganizationsAPI: api}
	l := &listing{api: reads, calls: calls, page: page, seen: map[string]bool{}, ouPath: map[string]string{}}
	err := l.listTree(ctx)
	var denied []string
	fellBack := false
	switch {
	case awscall.AccessDenied(err) && ctx.Err() == nil && !l.flat:
		calls.Log.DebugContext(ctx, "ipamorg: reading the organization's tree denied; listing its accounts with ListAccounts", "error", err)
		l.tree, fellBack, denied = false, true, reads.deniedActions()
		err = l.listFlat(ctx)
	case err == nil && l.ousWithoutID > 0 && !l.flat && !l.isStopped():
		// The accounts of an OU without an id are out of the tree's
		// reach: ListAccounts lists them, and seen keeps the others
		// from being handed twice.
		calls.Log.WarnContext(ctx, "ipamorg: organizations listed an OU without an id; listing the accounts with ListAccounts too", "ous", l.ousWithoutID)
		err = l.listFlat(ctx)
	}
	if err == nil && l.isStopped() {
		err = ctx.Err()
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	// An OU without an id leaves its accounts placed by ListAccounts
	// only: they are not all placed then.
	out := Listed{AccountsWithoutID: l.withoutID, OUsWithoutID: l.ousWithoutID, Tree: l.tree, TreeDenied: denied,
		Placed: err == nil && !fellBack && l.ousWithoutID == 0}
	for id, path := range l.ouPath {
		if id != "" && path != id+"/" { // not a root, whose path is its id
			out.OUs = append(out.OUs, path)
		}
	}
	slices.Sort(out.OUs)
	return out, err
}

// listing is one run of List.
type listing struct {
	api   awsclient.OrganizationsAPI
	calls *awscall.Calls
	page  func([]Account) bool

	mu   sync.Mutex // guards the fields below, and serialises page
	seen map[string]bool
	// ouPath holds the path (see Account.Path) of every root and OU seen.
	ouPath    map[string]string
	withoutID int
	// ousWithoutID counts the OUs and roots listed without an id.
	ousWithoutID int
	stopped      bool
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

// hand hands accounts, whose parent is at path, to page, without those
// listed before. It reports whether to go on.
func (l *listing) hand(accounts []orgtypes.Account, path string) bool {
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
		out = append(out, Account{ID: id, Name: strings.Clone(aws.ToString(a.Name)), State: internState(state), Active: active, Path: path})
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
	// ListAccounts lists every account: its count of accounts without an
	// id replaces the tree's, which it would count twice.
	l.mu.Lock()
	l.withoutID = 0
	l.mu.Unlock()
	p := organizations.NewListAccountsPaginator(awscall.Pages(l.calls, action, l.api.ListAccounts), &organizations.ListAccountsInput{},
		func(o *organizations.ListAccountsPaginatorOptions) { o.StopOnDuplicateToken = true })
	return awscall.WalkPages(ctx, action, maxAccountPages, p, l.calls.Organizations, func(out *organizations.ListAccountsOutput) (*string, bool) {
		return out.NextToken, l.hand(out.Accounts, "")
	})
}

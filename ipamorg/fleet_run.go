package ipamorg

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"golang.org/x/time/rate"
)

// verifier is one run of VerifyServiceLinkedRoles.
type verifier struct {
	c   *Client
	o   VerifyOptions
	lim *rate.Limiter

	caller, management, partition string
}

// target is one account to check.
type target struct {
	id, name, state string
	active          bool
}

// queuedAccounts is the least number of listed accounts waiting for a
// worker before the listing waits too: five pages.
const queuedAccounts = 100

// run checks the accounts as they are listed. ListAccounts returns at
// most 20 accounts a page and each page needs the previous one's token, so
// listing 10,000 accounts takes 500 calls in a row: checking only once the
// listing ended would add all of them to the wall time (40% more at
// concurrency 16 when every call takes as long). Instead the checks start
// with the first page and the listing runs alongside, ahead of them.
func (v *verifier) run(ctx context.Context) (*FleetReport, error) {
	r, err := v.prepare(ctx)
	if err != nil {
		return nil, err
	}
	p := &fleetProgress{report: r, fn: v.o.Progress}
	// The queue lets the listing run ahead of the checks by a few pages
	// (a page takes one call, checking it takes at most Concurrency at
	// once), so that the workers never wait for the next page.
	jobs := make(chan target, max(queuedAccounts, 2*v.o.Concurrency))
	var (
		wg      sync.WaitGroup
		workers int
		// stop is set when the listing fails: the accounts queued and
		// not yet taken are left unchecked.
		stop atomic.Bool
	)
	worker := func() {
		for t := range jobs {
			if stop.Load() {
				continue
			}
			if ac, ok := v.check(ctx, t); ok {
				p.add(ac)
			}
		}
	}
	total := 0 // accounts listed so far; only this goroutine writes it
	listErr := v.listAccounts(ctx, r, func(page []target) bool {
		total += len(page)
		for ; workers < min(v.o.Concurrency, total); workers++ {
			wg.Go(worker)
		}
		for _, t := range page {
			select {
			case jobs <- t:
			case <-ctx.Done():
				return false
			}
		}
		return true
	})
	if listErr != nil {
		stop.Store(true)
	} else {
		p.listed(total)
	}
	close(jobs)
	wg.Wait()

	r.Total = total
	r.finish()
	switch {
	case listErr != nil && total == 0:
		return nil, listErr
	case listErr != nil:
		return r, listErr
	case ctx.Err() != nil:
		return r, joinContext(ctx, nil)
	}
	r.Complete = true
	return r, nil
}

// fleetProgress collects the accounts checked and reports them to
// VerifyOptions.Progress: against the total once the listing has ended,
// which it knows only then.
type fleetProgress struct {
	fn func(done, total int)

	mu     sync.Mutex // guards the fields below, and serialises fn
	report *FleetReport
	done   int
	total  int // 0 until listed
}

func (p *fleetProgress) add(ac AccountCheck) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.report.Accounts = append(p.report.Accounts, ac)
	p.done++
	if p.total > 0 && p.fn != nil {
		p.fn(p.done, p.total)
	}
}

// listed records that the listing ended with total accounts, and reports
// those checked meanwhile, one call each, as if they had been checked now.
func (p *fleetProgress) listed(total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.total = total
	if p.fn == nil {
		return
	}
	for d := range p.done + 1 {
		p.fn(d, total)
	}
}

// prepare reads who the caller is, the organization and its IPAM admin,
// concurrently, refuses what cannot be acted on, and starts the report.
func (v *verifier) prepare(ctx context.Context) (*FleetReport, error) {
	var (
		wg                        sync.WaitGroup
		who                       caller
		org                       *orgtypes.Organization
		admins                    []string
		callerErr, orgErr, admErr error = errNoAnswer, errNoAnswer, errNoAnswer // see observe
	)
	wg.Go(func() {
		if callerErr = v.wait(ctx); callerErr == nil {
			who, callerErr = v.c.readCaller(ctx)
		}
	})
	wg.Go(func() {
		if orgErr = v.wait(ctx); orgErr == nil {
			org, orgErr = v.c.readOrganization(ctx)
		}
	})
	wg.Go(func() {
		// The same read as Observe's: one call before the fan-out, which
		// is what the rate limit is for.
		admins, admErr = v.c.readDelegatedAdmins(ctx)
	})
	wg.Wait()
	if err := joinErrors(ctx, orgErr, callerErr); err != nil {
		return nil, err
	}
	v.caller = who.account
	v.management = aws.ToString(org.MasterAccountId)
	if ws := identityWarnings(v.caller, v.management); len(ws) > 0 {
		return nil, &Error{Kind: ErrAnomaly, Err: errors.New(messages(ws))}
	}
	v.partition = partitionOf(aws.ToString(org.Arn), who.arn)

	r := &FleetReport{
		OrganizationID:      aws.ToString(org.Id),
		ManagementAccountID: v.management,
		CallerAccountID:     v.caller,
		AccessRole:          v.c.opts.AccessRole,
		Repair:              v.o.Repair,
		Purge:               v.o.Purge,
		Accounts:            []AccountCheck{},
		Warnings:            []Warning{},
	}
	if v.caller != v.management {
		r.Warnings = append(r.Warnings, warnNotManagement(v.caller, v.management,
			"every other account, the management account included, is reached through "+v.c.opts.AccessRole))
	}
	switch {
	case admErr != nil && (v.o.Repair || classify(admErr) != ErrAccessDenied):
		return nil, admErr
	case admErr != nil:
		r.Warnings = append(r.Warnings, warnPartialRead("delegated administrators", "access denied"))
	default:
		r.Warnings = append(r.Warnings, adminWarnings(admins, v.management)...)
		if known := knownIDs(admins); len(known) > 0 {
			r.DelegatedAdmin = known[0]
		}
	}
	if a := anomalies(r.Warnings); v.o.Repair && len(a) > 0 {
		return nil, &Error{Kind: ErrAnomaly, Err: errors.New(messages(a) + "; nothing was written")}
	}
	if v.o.Repair && r.DelegatedAdmin == "" {
		return nil, &Error{Kind: ErrNoDelegatedAdmin,
			Err: errors.New("delegate an administrator first: ec2:EnableIpamOrganizationAdminAccount creates the role in every account")}
	}
	return r, nil
}

// listAccounts lists every account of the organization through the SDK's
// paginator (see walk), and hands each page, without the accounts already
// listed, to page, until page returns false (listAccounts then returns
// ctx's error). An account listed without an id is left out, and counted
// in a warning of r.
func (v *verifier) listAccounts(ctx context.Context, r *FleetReport, page func([]target) bool) error {
	const action = "organizations:ListAccounts"
	client := listAccounts(func(ctx context.Context, in *organizations.ListAccountsInput, optFns ...func(*organizations.Options)) (*organizations.ListAccountsOutput, error) {
		if err := v.wait(ctx); err != nil {
			return nil, err
		}
		return call(ctx, v.c, action, func(ctx context.Context) (*organizations.ListAccountsOutput, error) {
			return v.c.aws.Organizations.ListAccounts(ctx, in, optFns...)
		})
	})
	p := organizations.NewListAccountsPaginator(client, &organizations.ListAccountsInput{},
		func(o *organizations.ListAccountsPaginatorOptions) { o.StopOnDuplicateToken = true })
	seen := map[string]bool{}
	withoutID := 0
	stopped := false
	err := walk(ctx, v.c, action, maxAccountPages, p, func(out *organizations.ListAccountsOutput) (*string, bool) {
		targets := make([]target, 0, len(out.Accounts))
		for i := range out.Accounts {
			a := &out.Accounts[i]
			id := aws.ToString(a.Id)
			switch {
			case id == "":
				withoutID++
				continue
			case seen[id]:
				// Pages of an eventually consistent list may overlap.
				continue
			}
			seen[id] = true
			state, active := accountState(a)
			targets = append(targets, target{id: id, name: aws.ToString(a.Name), state: state, active: active})
		}
		stopped = !page(targets)
		return out.NextToken, !stopped
	})
	if withoutID > 0 {
		r.Warnings = append(r.Warnings, Warning{WarnAccountWithoutID,
			fmt.Sprintf("organizations:ListAccounts listed %d account(s) without an id; they were not checked", withoutID)})
	}
	if err == nil && stopped {
		return joinContext(ctx, nil)
	}
	return err
}

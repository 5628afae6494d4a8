package ipamorg

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ipamorg/sdk/internal/awscall"
	"github.com/ipamorg/sdk/internal/orglist"
)

// verifier is one run of VerifyServiceLinkedRoles.
type verifier struct {
	c *Client
	o VerifyOptions

	caller, management, partition string
}

// run checks the accounts as they are listed: the checks start with the
// first page, and the listing runs alongside, ahead of them (see
// internal/orglist). The listing never waits for the checks: the accounts
// listed and not taken yet wait in a queue, so that the total is known as
// soon as the listing can know it, and an interrupted run still reports
// every account listed.
func (v *verifier) run(ctx context.Context) (*FleetReport, error) {
	r, err := v.prepare(ctx)
	if err != nil {
		return nil, err
	}
	p := &fleetProgress{r: r, fn: v.o.Progress}
	p.send()
	q := newAccountQueue()
	defer context.AfterFunc(ctx, q.close)()
	var (
		wg      sync.WaitGroup
		workers int
		// stop is set when the listing fails: the accounts queued and
		// not yet taken are left unchecked.
		stop atomic.Bool
	)
	worker := func() {
		for {
			t, ok := q.take()
			if !ok || stop.Load() || ctx.Err() != nil {
				return
			}
			if ac, ok := v.check(ctx, t); ok {
				p.add(ac)
			}
		}
	}
	total := 0 // accounts listed so far; only the listing's page writes it
	listed, listErr := orglist.List(ctx, v.c.aws.Organizations, v.c.calls, func(page []orglist.Account) bool {
		total += len(page)
		for ; workers < min(v.o.Concurrency, total); workers++ {
			wg.Go(worker)
		}
		q.push(page)
		p.listed(total, false)
		return ctx.Err() == nil
	})
	if listed.AccountsWithoutID > 0 {
		r.Warnings = append(r.Warnings, Warning{WarnAccountWithoutID,
			fmt.Sprintf("organizations listed %d account(s) without an id; they were not checked", listed.AccountsWithoutID)})
	}
	if listed.OUsWithoutID > 0 {
		r.Warnings = append(r.Warnings, warnOUWithoutID(listed.OUsWithoutID))
	}
	if listed.TreeDenied != nil {
		r.Warnings = append(r.Warnings, warnTreeReadDenied(listed.TreeDenied))
	}
	if listErr != nil {
		stop.Store(true)
	} else {
		p.listed(total, true)
	}
	q.close()
	wg.Wait()

	r.Total = total
	r.ListingComplete = listErr == nil
	r.finish()
	switch {
	case listErr != nil && total == 0:
		return nil, listErr
	case listErr != nil:
		return r, listErr
	case ctx.Err() != nil:
		return r, awscall.JoinContext(ctx, nil)
	}
	r.Complete = true
	return r, nil
}

// accountQueue holds the accounts listed and not yet taken by a worker:
// at most the organization, whose report holds as much.
type accountQueue struct {
	mu     sync.Mutex
	cond   *sync.Cond
	items  []orglist.Account
	closed bool
}

func newAccountQueue() *accountQueue {
	q := &accountQueue{}
	q.cond = sync.NewCond(&q.mu)
	return q
}

func (q *accountQueue) push(page []orglist.Account) {
	q.mu.Lock()
	q.items = append(q.items, page...)
	q.mu.Unlock()
	q.cond.Broadcast()
}

// close ends the queue: take returns what is left, then false.
func (q *accountQueue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.cond.Broadcast()
}

// take returns the next account, waiting for one; false once the queue is
// closed and empty.
func (q *accountQueue) take() (orglist.Account, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.items) == 0 && !q.closed {
		q.cond.Wait()
	}
	if len(q.items) == 0 {
		return orglist.Account{}, false
	}
	t := q.items[0]
	q.items[0] = orglist.Account{}
	q.items = q.items[1:]
	return t, true
}

// fleetProgress collects the accounts checked and reports the progress to
// VerifyOptions.Progress.
type fleetProgress struct {
	fn func(FleetProgress)

	mu  sync.Mutex // guards the fields below, and serialises fn
	r   *FleetReport
	now FleetProgress
}

// send calls fn with the progress now; p.mu must be held, or p not yet
// shared.
func (p *fleetProgress) send() {
	if p.fn != nil {
		p.fn(p.now)
	}
}

func (p *fleetProgress) add(ac AccountCheck) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.r.Accounts = append(p.r.Accounts, ac)
	p.now.Checked++
	p.send()
}

// listed records that total accounts are listed, and whether that is all.
func (p *fleetProgress) listed(total int, done bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.now.Listed, p.now.ListingDone = total, done
	p.send()
}

// prepare reads who the caller is, the organization and its IPAM admin,
// concurrently, refuses what cannot be acted on, and starts the report.
func (v *verifier) prepare(ctx context.Context) (*FleetReport, error) {
	id, err := v.c.identify(ctx)
	if err != nil {
		return nil, err
	}
	v.caller, v.management, v.partition = id.caller.account, id.management, id.partition
	if ws := id.warnings(); len(ws) > 0 {
		return nil, &Error{Kind: ErrAnomaly, Err: errors.New(messages(ws))}
	}

	r := &FleetReport{
		OrganizationID:      aws.ToString(id.org.Id),
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
	switch admErr := id.adminsErr; {
	case admErr != nil && (v.o.Repair || classify(admErr) != ErrAccessDenied):
		return nil, admErr
	case admErr != nil:
		r.Warnings = append(r.Warnings, warnPartialRead("delegated administrators", "access denied"))
	default:
		r.Warnings = append(r.Warnings, adminWarnings(id.admins, v.management)...)
		if known := knownIDs(id.admins); len(known) > 0 {
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

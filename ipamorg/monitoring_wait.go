package ipamorg

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// WaitMonitored polls Monitoring until it is Complete (which does not
// wait for the accounts OU exclusions exclude): what a pipeline
// runs after delegating and creating the IPAM, before it creates VPCs
// that IPAM must monitor. It polls on Options.Wait without the fast span
// of a write's confirmation (at once, then from Interval growing 1.5 times
// to MaxDelay: IPAM's discovery takes minutes, and each poll is several
// reads), for at most MaxWait, reaching the
// administrator's account and listing the organization's accounts once,
// and re-reading the IPAMs and their discovery at each poll. It writes
// nothing.
//
// It fails at once, with Monitoring's errors, when no delegated
// administrator is registered (ErrNoDelegatedAdmin) or its account cannot
// be reached (ErrAdminUnreachable), and on any error of a read, already
// retried by the SDK. It keeps waiting while the administrator owns no
// IPAM yet (ErrNoIPAM) or its IPAM is being created. When MaxWait passes
// first, it returns the last Monitoring read together with an *Error of
// kind ErrWaitTimeout whose message names up to ten unmonitored accounts
// and counts the rest. When ctx ends, it returns the last Monitoring
// with an *Error wrapping ctx.Err().
func (c *Client) WaitMonitored(ctx context.Context) (*Monitoring, error) {
	mo, err := c.newMonitor(ctx)
	if err != nil {
		return nil, asError(opWaitMonitored, err)
	}
	defer mo.list.stop()
	var last *Monitoring
	err = c.pollOn(ctx, false, func(ctx context.Context) (bool, error) {
		m, err := mo.read(ctx)
		if m != nil {
			last = m
		}
		switch {
		case errors.Is(err, ErrNoIPAM):
			return false, nil
		case err != nil:
			return false, err
		}
		return m.Complete(), nil
	})
	var e *Error
	switch {
	case err == nil:
		return last, nil
	case errors.As(err, &e) && e.Kind == ErrWaitTimeout && e.Op == "":
		return last, &Error{Op: opWaitMonitored, Kind: ErrWaitTimeout, Step: Step{Account: mo.session.account},
			Err: errors.New(notMonitored(last))}
	}
	return last, asError(opWaitMonitored, err)
}

// notMonitored says why m is not complete, for a timeout's message:
// the accounts not monitored, up to sampleSize of them, each with its
// Regions and why, and the count of the rest.
func notMonitored(m *Monitoring) string {
	switch {
	case m == nil:
		return "no monitoring was read"
	case len(m.IPAMs) == 0:
		return fmt.Sprintf("the delegated administrator %s owns no ipam yet", m.AdminAccountID)
	case len(m.Accounts) == 0:
		return "no ipam of the delegated administrator monitors the organization (see the warnings)"
	}
	type why struct {
		account string
		regions []string
	}
	var accounts []why
	for _, a := range m.Unmonitored() {
		reason := "pending"
		if a.FailureCode != "" {
			reason = a.FailureCode
		}
		r := a.Region + " " + reason
		if n := len(accounts); n > 0 && accounts[n-1].account == a.AccountID {
			accounts[n-1].regions = append(accounts[n-1].regions, r)
			continue
		}
		accounts = append(accounts, why{a.AccountID, []string{r}})
	}
	if len(accounts) == 0 {
		var ready []string
		for _, ip := range m.IPAMs {
			if ip.OrganizationWide && !ip.Ready() {
				ready = append(ready, fmt.Sprintf("%s is %s", ip.ID, ip.State))
			}
		}
		return "every account is monitored, but no organization-wide ipam is ready: " + strings.Join(ready, ", ")
	}
	names := make([]string, 0, sampleSize+1)
	for i, a := range accounts {
		if i == sampleSize {
			names = append(names, fmt.Sprintf("and %d more account(s)", len(accounts)-sampleSize))
			break
		}
		names = append(names, fmt.Sprintf("%s (%s)", a.account, strings.Join(slices.Clone(a.regions), ", ")))
	}
	msg := fmt.Sprintf("%d account(s) not monitored: %s", len(accounts), strings.Join(names, ", "))
	if n := countAccounts(m.Excluded()); n > 0 {
		msg += fmt.Sprintf("; %d excluded by OU exclusions, not waited for", n)
	}
	return msg
}

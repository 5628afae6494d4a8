package ipamorg

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/ipamorg/sdk/internal/awscall"
	"github.com/ipamorg/sdk/internal/orglist"
	"github.com/ipamorg/sdk/internal/pages"
)

// discovered is one account as one IPAM's discovery reported it in one
// Region.
type discovered struct {
	account       string
	monitored     bool
	code, message string
	lastSuccess   time.Time
}

// discovery is what one IPAM's discovery reported in one of its operating
// Regions.
type discovery struct {
	ipam     int // index in the IPAMs read
	region   string
	accounts []discovered
}

// readDiscoveries reads, for every IPAM that is created or being created
// and has a resource discovery, what it discovered in each of its
// operating Regions (ec2:GetIpamDiscoveredAccounts, in its home Region),
// all concurrently.
func (c *Client) readDiscoveries(ctx context.Context, s *adminSession, ipams []IPAM) ([]discovery, error) {
	var found []discovery
	for i, ip := range ipams {
		switch {
		case !ip.Ready() && ip.State != "create-in-progress":
			continue // being deleted, or failed: nothing to monitor with
		case ip.ResourceDiscoveryID == "" && ip.Ready():
			return nil, awscall.InvalidResponse("ec2:DescribeIpams", fmt.Sprintf("ipam %s without a default resource discovery", ip.ID))
		case ip.ResourceDiscoveryID == "":
			continue // still being created: its accounts are pending
		}
		for _, r := range ip.OperatingRegions {
			found = append(found, discovery{ipam: i, region: r})
		}
	}
	err := awscall.Concurrently(ctx, adminConcurrency, len(found), func(i int) error {
		var err error
		d := &found[i]
		d.accounts, err = c.readDiscovered(ctx, s, ipams[d.ipam], d.region)
		return err
	})
	if err != nil {
		return nil, err
	}
	return found, nil
}

// readDiscovered returns the accounts ip's discovery reports in region,
// every page.
func (c *Client) readDiscovered(ctx context.Context, s *adminSession, ip IPAM, region string) ([]discovered, error) {
	const action = "ec2:GetIpamDiscoveredAccounts"
	client, err := c.adminEC2(s, ip.Region)
	if err != nil {
		return nil, err
	}
	p := ec2.NewGetIpamDiscoveredAccountsPaginator(pages.Checked(c.calls, action, client.GetIpamDiscoveredAccounts), &ec2.GetIpamDiscoveredAccountsInput{
		IpamResourceDiscoveryId: aws.String(ip.ResourceDiscoveryID),
		DiscoveryRegion:         aws.String(region),
		MaxResults:              aws.Int32(discoveredPageSize),
	}, func(o *ec2.GetIpamDiscoveredAccountsPaginatorOptions) { o.StopOnDuplicateToken = true })
	var out []discovered
	var bad error
	err = pages.Walk(ctx, action, maxDiscoveryPages, p, c.calls.EC2, func(page *ec2.GetIpamDiscoveredAccountsOutput) (*string, bool) {
		for _, a := range page.IpamDiscoveredAccounts {
			d := discovered{account: aws.ToString(a.AccountId), lastSuccess: aws.ToTime(a.LastSuccessfulDiscoveryTime)}
			if got := aws.ToString(a.DiscoveryRegion); got != "" && got != region {
				bad = awscall.InvalidResponse(action, fmt.Sprintf("an account of Region %s when asked for %s", awscall.Truncate(got, 32), region))
				return nil, false
			}
			if d.account == "" {
				bad = awscall.InvalidResponse(action, "an account without an id")
				return nil, false
			}
			if f := a.FailureReason; f != nil {
				d.code, d.message = string(f.Code), aws.ToString(f.Message)
				if d.code == "" {
					d.code = "unknown-failure"
				}
			}
			d.monitored = d.code == "" && !d.lastSuccess.IsZero()
			out = append(out, d)
		}
		return page.NextToken, true
	})
	switch {
	case bad != nil:
		return nil, bad
	case err != nil:
		return nil, adminUnreachable(s.account, action, err)
	}
	return out, nil
}

// organizationWide reports, for each IPAM of admin, whether it discovers
// the organization and not only its owner's account: it has reported another
// account, or, created by the administrator, has reported none yet (see
// IPAM.OrganizationWide). An IPAM whose discovery was not read (being
// deleted, failed) is not.
func organizationWide(admin string, ipams []IPAM, found []discovery) []bool {
	read := make([]bool, len(ipams))
	reported := make([]bool, len(ipams))
	others := make([]bool, len(ipams))
	for _, d := range found {
		read[d.ipam] = true
		for _, a := range d.accounts {
			reported[d.ipam] = true
			if a.account != admin {
				others[d.ipam] = true
			}
		}
	}
	wide := make([]bool, len(ipams))
	for i, ip := range ipams {
		wide[i] = others[i] || !reported[i] && (read[i] || ip.State == "create-in-progress")
	}
	return wide
}

// join fills m.Accounts (and each IPAM's OrganizationWide) from what the
// discoveries found: one entry per ACTIVE account and operating Region of
// every organization-wide IPAM that is not being deleted, pending unless
// a discovery reported it. An account reported monitored by one IPAM is
// monitored, whatever another reports.
func join(m *Monitoring, found []discovery, active []string) {
	wide := organizationWide(m.AdminAccountID, m.IPAMs, found)
	type key struct{ account, region string }
	entries := map[key]*DiscoveredAccount{}
	for i, ip := range m.IPAMs {
		m.IPAMs[i].OrganizationWide = wide[i]
		if !wide[i] {
			continue
		}
		for _, r := range ip.OperatingRegions {
			for _, a := range active {
				if entries[key{a, r}] == nil {
					entries[key{a, r}] = &DiscoveredAccount{AccountID: a, Region: r}
				}
			}
		}
	}
	for _, d := range found {
		if !wide[d.ipam] {
			continue
		}
		for _, a := range d.accounts {
			e := entries[key{a.account, d.region}]
			if e == nil {
				continue // not an ACTIVE account of the organization
			}
			if a.lastSuccess.After(e.LastSuccess) {
				e.LastSuccess = a.lastSuccess
			}
			switch {
			case e.Monitored:
			case a.monitored:
				e.Monitored, e.FailureCode, e.FailureMessage, e.IPAMID = true, "", "", m.IPAMs[d.ipam].ID
			case e.FailureCode == "" && a.code != "":
				e.FailureCode, e.FailureMessage, e.IPAMID = a.code, a.message, m.IPAMs[d.ipam].ID
			}
		}
	}
	m.Accounts = make([]DiscoveredAccount, 0, len(entries))
	for _, e := range entries {
		m.Accounts = append(m.Accounts, *e)
	}
	slices.SortFunc(m.Accounts, func(a, b DiscoveredAccount) int {
		return strings.Compare(a.AccountID+" "+a.Region, b.AccountID+" "+b.Region)
	})
}

// accountListing is the listing of the organization's ACTIVE accounts,
// running alongside the administrator's reads.
type accountListing struct {
	cancel   context.CancelFunc
	done     chan struct{}
	active   []string
	warnings []Warning
	err      error
}

// startListing starts listing the organization's accounts.
func (c *Client) startListing(ctx context.Context) *accountListing {
	ctx, cancel := context.WithCancel(ctx)
	l := &accountListing{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(l.done)
		l.active, l.warnings, l.err = c.listActiveAccounts(ctx)
	}()
	return l
}

// wait returns the listing's result once it has ended.
func (l *accountListing) wait(ctx context.Context) ([]string, []Warning, error) {
	select {
	case <-l.done:
		return l.active, slices.Clone(l.warnings), l.err
	case <-ctx.Done():
		l.stop()
		return nil, nil, awscall.JoinContext(ctx, nil)
	}
}

// stop ends the listing, if it still runs, and waits for it.
func (l *accountListing) stop() {
	l.cancel()
	<-l.done
}

// listActiveAccounts returns the ids of the organization's ACTIVE
// accounts, sorted (see orglist.List), with a warning for accounts
// listed without an id and one for a tree the caller may not read.
func (c *Client) listActiveAccounts(ctx context.Context) ([]string, []Warning, error) {
	var active []string
	listed, err := orglist.List(ctx, c.aws.Organizations, c.calls, func(page []orglist.Account) bool {
		for _, a := range page {
			if a.Active {
				active = append(active, a.ID)
			}
		}
		return true
	})
	if err != nil {
		return nil, nil, err
	}
	var ws []Warning
	if listed.WithoutID > 0 {
		ws = append(ws, Warning{WarnAccountWithoutID,
			fmt.Sprintf("organizations listed %d account(s) without an id; monitoring leaves them out", listed.WithoutID)})
	}
	if listed.TreeDenied != nil {
		ws = append(ws, warnTreeReadDenied(listed.TreeDenied))
	}
	slices.Sort(active)
	return active, ws, nil
}

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
)

// discovered is one account as one IPAM's discovery reported it in one
// Region.
type discovered struct {
	account       string
	monitored     bool
	code, message string
	lastSuccess   time.Time
}

// discovery is what one resource discovery reported in one Region.
type discovery struct {
	id, home string // the resource discovery, and its home Region
	region   string
	accounts []discovered
}

// readDiscoveries reads, for every IPAM that is created or being created
// and has a resource discovery, the resource discoveries associated with
// it and what each of the administrator's discovered in the IPAM's
// operating Regions (ec2:GetIpamDiscoveredAccounts), all in the IPAM's
// home Region and concurrently: the default ones' discovery alongside
// the two Describe calls of each home Region, then the others'.
func (c *Client) readDiscoveries(ctx context.Context, s *adminSession, ipams []IPAM) ([]*resourceDiscovery, []discovery, error) {
	var read []int
	var homes []string
	var found []discovery
	for i, ip := range ipams {
		switch {
		case !ip.Ready() && ip.State != "create-in-progress":
			continue // being deleted, or failed: nothing to monitor with
		case ip.ResourceDiscoveryID == "" && ip.Ready():
			return nil, nil, awscall.InvalidResponse("ec2:DescribeIpams", fmt.Sprintf("ipam %s without a default resource discovery", ip.ID))
		case ip.ResourceDiscoveryID == "":
			continue // still being created: its accounts are pending
		}
		read = append(read, i)
		if !slices.Contains(homes, ip.Region) {
			homes = append(homes, ip.Region)
		}
		for _, r := range ip.OperatingRegions {
			found = append(found, discovery{id: ip.ResourceDiscoveryID, home: ip.Region, region: r})
		}
	}
	described := make([]resourceDiscoveriesIn, len(homes))
	err := awscall.Concurrently(ctx, adminConcurrency, len(homes)+len(found), func(i int) error {
		var err error
		if i < len(homes) {
			described[i], err = c.readResourceDiscoveriesIn(ctx, s, homes[i])
			return err
		}
		d := &found[i-len(homes)]
		d.accounts, err = c.readDiscovered(ctx, s, d.id, d.home, d.region)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	rds, err := resourceDiscoveriesOf(s.account, ipams, read, described)
	if err != nil {
		return nil, nil, err
	}
	first := len(found)
	for _, d := range rds {
		if !d.covers(s.account) || slices.ContainsFunc(found[:first], func(f discovery) bool { return f.id == d.id }) {
			continue // another account's, or a default one, read above
		}
		for _, r := range d.regionsOf(ipams) {
			found = append(found, discovery{id: d.id, home: d.region, region: r})
		}
	}
	more := found[first:]
	err = awscall.Concurrently(ctx, adminConcurrency, len(more), func(i int) error {
		var err error
		d := &more[i]
		d.accounts, err = c.readDiscovered(ctx, s, d.id, d.home, d.region)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return rds, found, nil
}

// readDiscovered returns the accounts the resource discovery id, homed in
// home, reports in region, every page.
func (c *Client) readDiscovered(ctx context.Context, s *adminSession, id, home, region string) ([]discovered, error) {
	const action = "ec2:GetIpamDiscoveredAccounts"
	client, err := c.adminEC2(s, home)
	if err != nil {
		return nil, err
	}
	p := ec2.NewGetIpamDiscoveredAccountsPaginator(awscall.Pages(c.calls, action, client.GetIpamDiscoveredAccounts), &ec2.GetIpamDiscoveredAccountsInput{
		IpamResourceDiscoveryId: aws.String(id),
		DiscoveryRegion:         aws.String(region),
		MaxResults:              aws.Int32(discoveredPageSize),
	}, func(o *ec2.GetIpamDiscoveredAccountsPaginatorOptions) { o.StopOnDuplicateToken = true })
	var out []discovered
	err = walkAdmin(ctx, c, s, action, maxDiscoveryPages, p, func(page *ec2.GetIpamDiscoveredAccountsOutput) (*string, error) {
		for _, a := range page.IpamDiscoveredAccounts {
			d := discovered{account: aws.ToString(a.AccountId), lastSuccess: aws.ToTime(a.LastSuccessfulDiscoveryTime)}
			if got := aws.ToString(a.DiscoveryRegion); got != "" && got != region {
				return nil, awscall.InvalidResponse(action, fmt.Sprintf("an account of Region %s when asked for %s", awscall.Truncate(got, 32), region))
			}
			if d.account == "" {
				return nil, awscall.InvalidResponse(action, "an account without an id")
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
		return page.NextToken, nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// activeAccount is one ACTIVE account of the organization, with its
// parent's place in the tree (see orglist.Account.Path).
type activeAccount struct{ id, path string }

// wideDiscoveries reports, for each of rds, whether it discovers the
// organization and not only its owner's account: it is the
// administrator's, was read, and has reported another account, or none
// yet (just created), or only the administrator's while its exclusions
// may explain it (they exclude every other account, or where accounts
// are, or the exclusions themselves, are not known). An IPAM created before its account became the
// administrator keeps discovering only that account (see
// IPAM.OrganizationWide).
func wideDiscoveries(admin string, rds []*resourceDiscovery, resolved [][]exclusion, placed bool, found []discovery, active []activeAccount) []bool {
	index := discoveryIndex(rds)
	read := make([]bool, len(rds))
	reported := make([]bool, len(rds))
	others := make([]bool, len(rds))
	for _, f := range found {
		k := index[f.id]
		read[k] = true
		for _, a := range f.accounts {
			reported[k] = true
			others[k] = others[k] || a.account != admin
		}
	}
	wide := make([]bool, len(rds))
	for k, d := range rds {
		explained := d.unread != nil || len(d.exclusions) > 0 && (!placed || !slices.ContainsFunc(active, func(a activeAccount) bool {
			return a.id != admin && !excludes(resolved[k], a.path)
		}))
		wide[k] = d.covers(admin) && read[k] && (others[k] || !reported[k] || explained)
	}
	return wide
}

func discoveryIndex(rds []*resourceDiscovery) map[string]int {
	index := make(map[string]int, len(rds))
	for k, d := range rds {
		index[d.id] = k
	}
	return index
}

// join fills m.Accounts (and each IPAM's OrganizationWide and
// Exclusions) from what the resource discoveries found: one entry per
// ACTIVE account and operating Region of every organization-wide IPAM
// that is not being deleted. An entry is excluded when every resource
// discovery that covers the organization in its Region excludes the
// account (never the administrator's, and only where accounts are known
// to be: placed); otherwise it is pending unless reported, and monitored
// as soon as one of those resource discoveries reports it monitored,
// whatever another reports.
func join(m *Monitoring, rds []*resourceDiscovery, resolved [][]exclusion, placed bool, found []discovery, active []activeAccount) {
	admin := m.AdminAccountID
	wide := wideDiscoveries(admin, rds, resolved, placed, found, active)
	// covering[r] are the wide resource discoveries that cover Region r
	// for an organization-wide IPAM.
	covering := map[string][]int{}
	for i := range m.IPAMs {
		ip := &m.IPAMs[i]
		associated := false
		var exclusions []string
		for k, d := range rds {
			if !slices.Contains(d.ipams, i) {
				continue
			}
			associated = true
			ip.OrganizationWide = ip.OrganizationWide || wide[k]
			if d.covers(admin) {
				exclusions = append(exclusions, d.exclusions...)
			}
		}
		// Being created, with no resource discovery yet: its accounts
		// show as pending rather than the IPAM as single-account.
		ip.OrganizationWide = ip.OrganizationWide || !associated && ip.State == "create-in-progress"
		slices.Sort(exclusions)
		ip.Exclusions = slices.Compact(exclusions)
	}
	for k, d := range rds {
		if !wide[k] {
			continue
		}
		for _, i := range d.ipams {
			if !m.IPAMs[i].OrganizationWide {
				continue
			}
			for _, r := range m.IPAMs[i].OperatingRegions {
				if (d.operating == nil || slices.Contains(d.operating, r)) && !slices.Contains(covering[r], k) {
					covering[r] = append(covering[r], k)
				}
			}
		}
	}
	type key struct{ account, region string }
	entries := map[key]*DiscoveredAccount{}
	for _, ip := range m.IPAMs {
		if !ip.OrganizationWide {
			continue
		}
		for _, r := range ip.OperatingRegions {
			for _, a := range active {
				if entries[key{a.id, r}] == nil {
					entries[key{a.id, r}] = &DiscoveredAccount{AccountID: a.id, Region: r,
						Excluded: placed && a.id != admin && excludedByAll(resolved, covering[r], a.path)}
				}
			}
		}
	}
	index := discoveryIndex(rds)
	for _, f := range found {
		k := index[f.id]
		if !wide[k] {
			continue
		}
		for _, a := range f.accounts {
			e := entries[key{a.account, f.region}]
			if e == nil || e.Excluded {
				continue // not an ACTIVE account of the organization, or excluded
			}
			if a.lastSuccess.After(e.LastSuccess) {
				e.LastSuccess = a.lastSuccess
			}
			switch {
			case e.Monitored:
			case a.monitored:
				e.Monitored, e.FailureCode, e.FailureMessage, e.IPAMID = true, "", "", reporter(m.IPAMs, rds[k], f.region)
			case e.FailureCode == "" && a.code != "":
				e.FailureCode, e.FailureMessage, e.IPAMID = a.code, a.message, reporter(m.IPAMs, rds[k], f.region)
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

// excludedByAll reports whether the resource discoveries ks, at least
// one, all exclude an account at path.
func excludedByAll(resolved [][]exclusion, ks []int, path string) bool {
	return len(ks) > 0 && !slices.ContainsFunc(ks, func(k int) bool { return !excludes(resolved[k], path) })
}

// reporter is the IPAM whose resource discovery d reported in region: the
// first organization-wide one it is associated with that operates there.
func reporter(ipams []IPAM, d *resourceDiscovery, region string) string {
	for _, i := range d.ipams {
		if ipams[i].OrganizationWide && slices.Contains(ipams[i].OperatingRegions, region) {
			return ipams[i].ID
		}
	}
	return ""
}

// accountListing is the listing of the organization's ACTIVE accounts,
// running alongside the administrator's reads.
type accountListing struct {
	cancel context.CancelFunc
	done   chan struct{}
	listed
}

// listed is what the listing found: the ACTIVE accounts, sorted by id,
// where they are in the tree, and its warnings.
type listed struct {
	active   []activeAccount
	org      orglist.Listed
	warnings []Warning
	err      error
}

// startListing starts listing the organization's accounts.
func (c *Client) startListing(ctx context.Context) *accountListing {
	ctx, cancel := context.WithCancel(ctx)
	l := &accountListing{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(l.done)
		l.listed = c.listActiveAccounts(ctx)
	}()
	return l
}

// wait returns the listing's result once it has ended.
func (l *accountListing) wait(ctx context.Context) (listed, error) {
	select {
	case <-l.done:
		out := l.listed
		out.warnings = slices.Clone(out.warnings)
		return out, out.err
	case <-ctx.Done():
		l.stop()
		return listed{}, awscall.JoinContext(ctx, nil)
	}
}

// stop ends the listing, if it still runs, and waits for it.
func (l *accountListing) stop() {
	l.cancel()
	<-l.done
}

// pathOf returns where account is in the tree ("" if not listed, or not
// from the tree).
func (l listed) pathOf(account string) string {
	i, ok := slices.BinarySearchFunc(l.active, account, func(a activeAccount, id string) int { return strings.Compare(a.id, id) })
	if !ok {
		return ""
	}
	return l.active[i].path
}

// listActiveAccounts lists the organization's ACTIVE accounts, sorted by
// id, and where they are (see orglist.List), with a warning for accounts
// and for OUs, listed without an id, and one for a tree the caller may
// not read.
func (c *Client) listActiveAccounts(ctx context.Context) listed {
	var out listed
	var err error
	out.org, err = orglist.List(ctx, c.aws.Organizations, c.calls, func(page []orglist.Account) bool {
		for _, a := range page {
			if a.Active {
				out.active = append(out.active, activeAccount{id: a.ID, path: a.Path})
			}
		}
		return true
	})
	if err != nil {
		return listed{err: err}
	}
	if out.org.AccountsWithoutID > 0 {
		out.warnings = append(out.warnings, Warning{WarnAccountWithoutID,
			fmt.Sprintf("organizations listed %d account(s) without an id; monitoring leaves them out", out.org.AccountsWithoutID)})
	}
	if out.org.TreeDenied != nil {
		out.warnings = append(out.warnings, warnTreeReadDenied(out.org.TreeDenied))
	}
	if out.org.OUsWithoutID > 0 {
		out.warnings = append(out.warnings, warnOUWithoutID(out.org.OUsWithoutID))
	}
	slices.SortFunc(out.active, func(a, b activeAccount) int { return strings.Compare(a.id, b.id) })
	return out
}

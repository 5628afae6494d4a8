package ipamorg

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ipamorg/sdk/internal/awscall"
)

// Monitoring is what IPAM itself sees of the organization: the delegated
// administrator's IPAMs and, for the organization-wide ones, whether each
// ACTIVE account of the organization is monitored in each Region they
// operate in. "Delegated" is Organizations' bookkeeping; this is whether
// IPAM does its job. The JSON names are stable, for scripts.
type Monitoring struct {
	// AdminAccountID is IPAM's delegated administrator, whose IPAMs
	// these are.
	AdminAccountID string `json:"admin_account_id"`
	// Regions are the Regions searched for its IPAMs: Options.IPAMRegions,
	// or every Region enabled in its account.
	Regions []string `json:"regions"`
	// IPAMs are the administrator's IPAMs in those Regions, sorted by
	// Region and id, whatever their state.
	IPAMs []IPAM `json:"ipams"`
	// Accounts holds one entry per ACTIVE account of the organization and
	// operating Region of an organization-wide IPAM (not being deleted),
	// those OU exclusions exclude included (DiscoveredAccount.Excluded),
	// sorted by account and Region; empty when there is no such IPAM.
	Accounts []DiscoveredAccount `json:"accounts"`
	// Warnings say what stands between the organization and complete
	// monitoring, each with its fix. Never nil.
	Warnings []Warning `json:"warnings"`
}

// DiscoveredAccount is one account in one Region as IPAM's discovery
// reports it (ec2:GetIpamDiscoveredAccounts).
type DiscoveredAccount struct {
	AccountID string `json:"account_id"`
	Region    string `json:"region"`
	// Monitored: the last discovery succeeded and reports no failure.
	Monitored bool `json:"monitored"`
	// FailureCode is AWS's: assume-role-failure, throttling-failure,
	// unauthorized-failure. "" while the account is not discovered yet,
	// or when it is monitored.
	FailureCode    string `json:"failure_code,omitempty"`
	FailureMessage string `json:"failure_message,omitempty"`
	// LastSuccess is when discovery last succeeded; zero if never.
	LastSuccess time.Time `json:"last_success,omitzero"`
	// IPAMID is the IPAM whose discovery reported the account ("" while
	// none has).
	IPAMID string `json:"ipam_id,omitempty"`
	// Excluded: the OU exclusions of every resource discovery that
	// covers the organization in the Region exclude the account's OU
	// (see IPAM.Exclusions and docs/monitoring.md), so IPAM does not
	// monitor it there, by design. Neither monitored nor pending, and
	// with no failure; Complete ignores it. Never the delegated
	// administrator, which IPAM does not exclude.
	Excluded bool `json:"excluded"`
}

// Pending reports whether IPAM has not discovered the account in the
// Region yet: neither monitored, failing nor excluded.
func (a DiscoveredAccount) Pending() bool { return !a.Monitored && a.FailureCode == "" && !a.Excluded }

// Complete reports whether IPAM monitors the whole organization: at least
// one organization-wide IPAM is working (create-complete, or modify-*),
// and every ACTIVE account is monitored in each operating Region of every
// organization-wide IPAM, except those its OU exclusions exclude.
func (m *Monitoring) Complete() bool {
	if m == nil || len(m.Accounts) == 0 {
		return false
	}
	ready := slices.ContainsFunc(m.IPAMs, func(ip IPAM) bool { return ip.OrganizationWide && ip.Ready() })
	return ready && len(m.Unmonitored()) == 0
}

// Unmonitored returns the entries of Accounts that are neither monitored
// nor excluded, pending or failing, in order.
func (m *Monitoring) Unmonitored() []DiscoveredAccount {
	return m.accountsWhere(func(a DiscoveredAccount) bool { return !a.Monitored && !a.Excluded })
}

// Excluded returns the entries of Accounts that OU exclusions exclude, in
// order.
func (m *Monitoring) Excluded() []DiscoveredAccount {
	return m.accountsWhere(func(a DiscoveredAccount) bool { return a.Excluded })
}

func (m *Monitoring) accountsWhere(keep func(DiscoveredAccount) bool) []DiscoveredAccount {
	if m == nil {
		return nil
	}
	var out []DiscoveredAccount
	for _, a := range m.Accounts {
		if keep(a) {
			out = append(out, a)
		}
	}
	return out
}

const (
	opMonitoring    = "monitoring"
	opWaitMonitored = "wait-monitored"
)

// Monitoring reads what IPAM sees of the organization, and writes
// nothing. From the caller's account (the management account, or the
// administrator itself) it reads the IPAM delegated administrator
// (organizations:ListDelegatedAdministrators) and the organization's
// accounts (organizations:ListAccounts); in the administrator's account,
// reached through Options.AccessRole (sts:AssumeRole) unless it is the
// caller's, the enabled Regions (ec2:DescribeRegions, unless
// Options.IPAMRegions says), its IPAMs in each Region
// (ec2:DescribeIpams, the Regions concurrently), in each IPAM's home
// Region the resource discoveries associated with it and their OU
// exclusions (ec2:DescribeIpamResourceDiscoveryAssociations and
// ec2:DescribeIpamResourceDiscoveries, once per home Region) and, for
// every resource discovery of the administrator and operating Region, the
// accounts it reports (ec2:GetIpamDiscoveredAccounts, every page,
// concurrently). The listing of the accounts runs alongside the
// administrator's reads, and places each account in the organization's
// tree. An ACTIVE account that discovery has not reported yet is
// pending, unless OU exclusions exclude it (DiscoveredAccount.Excluded:
// see docs/monitoring.md for the rule); when they exist but the tree
// cannot be read, no account is taken for excluded
// (WarnExclusionsUnplaced).
//
// Errors are *Error: ErrNoDelegatedAdmin when no administrator is
// registered, ErrAnomaly when the administrators listed are an anomaly
// (see Warning.Anomaly) or an identity is empty, ErrAdminUnreachable when
// the role cannot be assumed in the administrator's account or EC2 denies
// the reads there (the AWS error wrapped; a denied read of the resource
// discoveries is WarnExclusionsUnreadable instead), ErrNoIPAM when the
// administrator owns no IPAM in the Regions read, ErrInvalidOptions
// without awsclient.Clients.AdminEC2, ErrInvalidResponse for an answer
// outside the API's contract (no output, a repeated pagination token, an
// IPAM or account without an id), ErrAccessDenied when the caller's own
// reads are denied. On error the Monitoring is nil, except with
// ErrNoIPAM: it is then what was read (the administrator, its Regions,
// no IPAM, and the WarnNoIPAM warning that says what to do), for callers
// that show it right after the delegation. Safe for concurrent use, and
// alongside the writing methods.
func (c *Client) Monitoring(ctx context.Context) (*Monitoring, error) {
	mo, err := c.newMonitor(ctx)
	if err != nil {
		return nil, asError(opMonitoring, err)
	}
	defer mo.list.stop()
	m, err := mo.read(ctx)
	if err != nil {
		return m, asError(opMonitoring, err) // m is nil but with ErrNoIPAM
	}
	return m, nil
}

// monitor is what Monitoring reads once and WaitMonitored reuses between
// polls: the administrator, a session in its account, the Regions and the
// organization's ACTIVE accounts.
type monitor struct {
	c       *Client
	session *adminSession
	regions []string
	orgID   string // the organization's, which OU exclusions start with
	list    *accountListing
}

// newMonitor reads who the caller and the administrator are, reaches the
// administrator's account and its Regions, and starts listing the
// organization's accounts alongside.
func (c *Client) newMonitor(ctx context.Context) (mo *monitor, err error) {
	list := c.startListing(ctx)
	defer func() {
		if err != nil {
			list.stop()
		}
	}()
	id, err := c.identify(ctx)
	if err != nil {
		return nil, err
	}
	if err := awscall.JoinErrors(ctx, id.adminsErr); err != nil {
		return nil, err
	}
	if ws := append(id.warnings(), adminWarnings(id.admins, id.management)...); len(ws) > 0 {
		return nil, &Error{Kind: ErrAnomaly, Err: errors.New(messages(ws))}
	}
	known := knownIDs(id.admins)
	if len(known) == 0 {
		return nil, &Error{Kind: ErrNoDelegatedAdmin,
			Err: errors.New("ipam monitors the organization only through a delegated administrator's ipam: delegate one first")}
	}
	s, err := c.reachAdmin(ctx, id.partition, id.caller.account, known[0])
	if err != nil {
		return nil, err
	}
	regions, err := c.readAdminRegions(ctx, s)
	if err != nil {
		return nil, err
	}
	return &monitor{c: c, session: s, regions: regions, orgID: aws.ToString(id.org.Id), list: list}, nil
}

// read reads the administrator's IPAMs and their discovery, and joins
// them with the organization's ACTIVE accounts. With ErrNoIPAM it also
// returns the Monitoring, which has no IPAM.
func (mo *monitor) read(ctx context.Context) (*Monitoring, error) {
	c, admin := mo.c, mo.session.account
	m := &Monitoring{AdminAccountID: admin, Regions: slices.Clone(mo.regions), IPAMs: []IPAM{}, Accounts: []DiscoveredAccount{}}
	ipams, err := c.readAdminIPAMs(ctx, mo.session, mo.regions)
	if err != nil {
		return nil, err
	}
	if len(ipams) == 0 {
		m.Warnings = []Warning{warnNoIPAM(admin, mo.regions)}
		return m, &Error{Kind: ErrNoIPAM, Step: Step{Account: admin},
			Err: fmt.Errorf("no ipam in %s: create one with the administrator's credentials, e.g. aws ec2 create-ipam --operating-regions RegionName=%s --region %s",
				regionCount(mo.regions), homeRegionHint(mo.regions), homeRegionHint(mo.regions))}
	}
	rds, found, err := c.readDiscoveries(ctx, mo.session, ipams)
	if err != nil {
		return nil, err
	}
	l, err := mo.list.wait(ctx)
	if err != nil {
		return nil, err
	}
	m.IPAMs = ipams
	p := newPlacement(mo.orgID, l.org)
	resolved := excludedBy(p, rds)
	join(m, rds, resolved, p.placed(), found, l.active)
	m.Warnings = append(l.warnings, monitoringWarnings(m)...)
	m.Warnings = append(m.Warnings, exclusionWarnings(m, p, rds, resolved, l.pathOf(admin))...)
	if m.Warnings == nil {
		m.Warnings = []Warning{}
	}
	return m, nil
}

// homeRegionHint is the Region a message suggests for a new IPAM: the
// first of regions, us-east-1 if it is one of them.
func homeRegionHint(regions []string) string {
	if slices.Contains(regions, "us-east-1") || len(regions) == 0 {
		return "us-east-1"
	}
	return regions[0]
}

func regionList(regions []string) string {
	if len(regions) == 0 {
		return "no region"
	}
	return strings.Join(regions, ", ")
}

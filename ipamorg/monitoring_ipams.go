package ipamorg

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/ipamorg/sdk/internal/awscall"
)

// IPAM is one IPAM of the delegated administrator, as ec2:DescribeIpams
// describes it in its home Region. The JSON names are stable.
type IPAM struct {
	ID string `json:"id"`
	// Region is the IPAM's home Region, where it is read and deleted.
	Region string `json:"region"`
	// OperatingRegions are the Regions whose resources it discovers.
	OperatingRegions []string `json:"operating_regions"`
	// Tier is "free" or "advanced".
	Tier string `json:"tier"`
	// State is EC2's: create-in-progress, create-complete,
	// modify-in-progress, delete-in-progress, ...
	State string `json:"state"`
	// ResourceDiscoveryID is its default resource discovery, which
	// ec2:GetIpamDiscoveredAccounts reads (with any other resource
	// discovery of the administrator associated with it).
	ResourceDiscoveryID string `json:"resource_discovery_id"`
	// OrganizationWide reports whether the IPAM discovers the
	// organization's accounts, not only its owner's. AWS exposes no such
	// field: an IPAM counts as organization-wide unless its discovery,
	// having listed accounts, lists only its own, as an IPAM created before
	// its account became the delegated administrator does (see
	// docs/monitoring.md). Set by Monitoring only.
	OrganizationWide bool `json:"organization_wide"`
	// Exclusions are the OU exclusions of the delegated administrator's
	// resource discoveries associated with the IPAM (its default one and
	// any other, ec2:DescribeIpamResourceDiscoveryAssociations), sorted:
	// Organizations entity paths, "o-…/r-…/ou-…/" for the accounts
	// directly in that OU, "o-…/r-…/ou-…/*" for it and every OU below.
	// An account is excluded only when every one of those resource
	// discoveries excludes it (see DiscoveredAccount.Excluded). Absent
	// when there is none. Set by Monitoring only.
	Exclusions []string `json:"exclusions,omitempty"`
}

// Ready reports whether the IPAM is working: created and not being
// deleted (create-complete, or modify-*).
func (ip IPAM) Ready() bool {
	return ip.State == string(ec2types.IpamStateCreateComplete) || strings.HasPrefix(ip.State, "modify-")
}

// DeleteCommand is the AWS CLI command that deletes the IPAM, with its
// pools and scopes, run with the delegated administrator's credentials.
func (ip IPAM) DeleteCommand() string {
	return fmt.Sprintf("aws ec2 delete-ipam --ipam-id %s --cascade --region %s", ip.ID, ip.Region)
}

// Page caps of the administrator's reads: one IPAM per Region is AWS's
// default quota, and GetIpamDiscoveredAccounts returns up to 1,000
// accounts a page, so these stand far above any real organization.
const (
	maxIPAMPages       = 100
	maxDiscoveryPages  = 1_000
	ipamPageSize       = 1000 // DescribeIpams' MaxResults: 5 to 1,000
	discoveredPageSize = 1000 // GetIpamDiscoveredAccounts' MaxResults: 5 to 1,000
	// adminConcurrency bounds the administrator's reads in flight: one per
	// Region, or per IPAM and operating Region.
	adminConcurrency = 32
)

// readAdminRegions returns the Regions where the administrator's IPAMs are
// looked for, sorted: Options.IPAMRegions if set, else those
// ec2:DescribeRegions lists as enabled in its account.
func (c *Client) readAdminRegions(ctx context.Context, s *adminSession) ([]string, error) {
	if c.opts.IPAMRegions != nil {
		return c.opts.IPAMRegions, nil
	}
	const action = "ec2:DescribeRegions"
	client, err := c.adminEC2(s, "")
	if err != nil {
		return nil, err
	}
	out, err := awscall.Call(ctx, c.calls, action, func(ctx context.Context) (*ec2.DescribeRegionsOutput, error) {
		return client.DescribeRegions(ctx, &ec2.DescribeRegionsInput{}, c.calls.EC2)
	})
	if err != nil {
		return nil, adminUnreachable(s.account, action, err)
	}
	var regions []string
	for _, r := range out.Regions {
		name := aws.ToString(r.RegionName)
		switch {
		case name == "":
			return nil, awscall.InvalidResponse(action, "a Region without a name")
		case aws.ToString(r.OptInStatus) == "not-opted-in":
			continue // listed, not enabled
		}
		regions = append(regions, name)
	}
	if len(regions) == 0 {
		return nil, awscall.InvalidResponse(action, "no enabled Region")
	}
	slices.Sort(regions)
	return slices.Compact(regions), nil
}

// readAdminIPAMs returns the administrator's IPAMs in regions, sorted by
// Region and id, reading the Regions concurrently (ec2:DescribeIpams).
func (c *Client) readAdminIPAMs(ctx context.Context, s *adminSession, regions []string) ([]IPAM, error) {
	found := make([][]IPAM, len(regions))
	err := awscall.Concurrently(ctx, adminConcurrency, len(regions), func(i int) error {
		var err error
		found[i], err = c.readIPAMsIn(ctx, s, regions[i])
		return err
	})
	if err != nil {
		return nil, err
	}
	var ipams []IPAM
	seen := map[string]bool{}
	for _, ips := range found {
		for _, ip := range ips {
			if !seen[ip.ID] {
				seen[ip.ID] = true
				ipams = append(ipams, ip)
			}
		}
	}
	slices.SortFunc(ipams, func(a, b IPAM) int {
		return strings.Compare(a.Region+" "+a.ID, b.Region+" "+b.ID)
	})
	return ipams, nil
}

// readIPAMsIn returns the administrator's IPAMs whose home is region.
func (c *Client) readIPAMsIn(ctx context.Context, s *adminSession, region string) ([]IPAM, error) {
	const action = "ec2:DescribeIpams"
	client, err := c.adminEC2(s, region)
	if err != nil {
		return nil, err
	}
	p := ec2.NewDescribeIpamsPaginator(awscall.Pages(c.calls, action, client.DescribeIpams), &ec2.DescribeIpamsInput{MaxResults: aws.Int32(ipamPageSize)},
		func(o *ec2.DescribeIpamsPaginatorOptions) { o.StopOnDuplicateToken = true })
	var ipams []IPAM
	err = walkAdmin(ctx, c, s, action, maxIPAMPages, p, func(out *ec2.DescribeIpamsOutput) (*string, error) {
		for _, ip := range out.Ipams {
			owner := aws.ToString(ip.OwnerId)
			switch {
			case aws.ToString(ip.IpamId) == "":
				return nil, awscall.InvalidResponse(action, "an IPAM without an id")
			case owner != "" && owner != s.account:
				continue // not the administrator's own
			}
			home := aws.ToString(ip.IpamRegion)
			if home == "" {
				home = region
			}
			operating := make([]string, 0, len(ip.OperatingRegions))
			for _, r := range ip.OperatingRegions {
				if name := aws.ToString(r.RegionName); name != "" {
					operating = append(operating, name)
				}
			}
			slices.Sort(operating)
			ipams = append(ipams, IPAM{
				ID:                  aws.ToString(ip.IpamId),
				Region:              home,
				OperatingRegions:    slices.Compact(operating),
				Tier:                string(ip.Tier),
				State:               string(ip.State),
				ResourceDiscoveryID: aws.ToString(ip.DefaultResourceDiscoveryId),
			})
		}
		return out.NextToken, nil
	})
	if err != nil {
		return nil, err
	}
	return ipams, nil
}

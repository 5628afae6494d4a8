package ipamorg

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/ipamorg/sdk/internal/awscall"
)

// resourceDiscovery is one resource discovery associated with an IPAM
// read: the IPAM's default one, and those associated with it
// (ec2:DescribeIpamResourceDiscoveryAssociations), as
// ec2:DescribeIpamResourceDiscoveries describes them.
type resourceDiscovery struct {
	id string
	// region is its home Region, where it is read.
	region string
	// owner is its owner's account ("" until described).
	owner string
	// operating are its operating Regions; nil when not described, in
	// which case those of its IPAMs stand for them.
	operating []string
	// exclusions are its OU exclusions, entity paths as EC2 returns them.
	exclusions []string
	// described: DescribeIpamResourceDiscoveries returned it.
	described bool
	// unread is the refusal of its Region's Describe calls, which leaves
	// its exclusions, and the other resource discoveries associated with
	// its IPAM, unknown; nil when they were read.
	unread error
	// ipams are the indexes, in the IPAMs read, of those it is
	// associated with, in order.
	ipams []int
}

// covers reports whether d may discover the organization's accounts:
// only the delegated administrator's own resource discoveries do (one
// shared with it through AWS RAM discovers its owner's resources). A
// default resource discovery is its IPAM's, owned by the administrator.
func (d *resourceDiscovery) covers(admin string) bool {
	return d.owner == admin
}

// Page caps and sizes of the resource discovery reads: five associations
// per IPAM and one resource discovery per account and Region are AWS's
// default quotas.
const (
	maxResourceDiscoveryPages = 100
	resourceDiscoveryPageSize = 1000 // MaxResults of both Describe calls: 5 to 1,000
	// maxAssociations bounds the resource discoveries associated with one
	// IPAM (AWS's default quota: five), and maxExclusions the OU
	// exclusions of one resource discovery (ten): both are adjustable,
	// and more than these is ErrInvalidResponse, not work without end.
	maxAssociations = 100
	maxExclusions   = 1000
)

// associationStates are the states of an association whose resource
// discovery counts for its IPAM: being associated, associated, or being
// restored. One failed, being disassociated or isolated does not.
var associationStates = []ec2types.IpamResourceDiscoveryAssociationState{
	ec2types.IpamResourceDiscoveryAssociationStateAssociateInProgress,
	ec2types.IpamResourceDiscoveryAssociationStateAssociateComplete,
	ec2types.IpamResourceDiscoveryAssociationStateRestoreInProgress,
}

// resourceDiscoveriesIn is what the two Describe calls of one Region
// return.
type resourceDiscoveriesIn struct {
	region       string
	associations []ec2types.IpamResourceDiscoveryAssociation
	discoveries  []ec2types.IpamResourceDiscovery
	// denied is AWS's refusal of either call (an access role granted
	// before Monitoring read them), nil if none.
	denied error
}

// readResourceDiscoveriesIn reads the administrator's resource discovery
// associations and resource discoveries in region, every page of each,
// the two at once. Neither call is filtered: EC2 documents no filter
// names for them, and asking for ids fails the whole call when one is
// gone or another account's; the administrator has a handful in a Region.
func (c *Client) readResourceDiscoveriesIn(ctx context.Context, s *adminSession, region string) (resourceDiscoveriesIn, error) {
	out := resourceDiscoveriesIn{region: region}
	client, err := c.adminEC2(s, region)
	if err != nil {
		return out, err
	}
	err = awscall.Concurrently(ctx, 2, 2, func(i int) error {
		var err error
		if i == 0 {
			out.associations, err = c.readAssociations(ctx, s, client)
		} else {
			out.discoveries, err = c.readDescribedDiscoveries(ctx, s, client)
		}
		return err
	})
	if awscall.AccessDenied(err) {
		// Not the end of Monitoring (an access role granted before it
		// made these reads): the default resource discoveries are still
		// read, no account is taken for excluded, and a warning names the
		// permission (WarnExclusionsUnreadable).
		return resourceDiscoveriesIn{region: region, denied: err}, nil
	}
	return out, err
}

func (c *Client) readAssociations(ctx context.Context, s *adminSession, client ec2.DescribeIpamResourceDiscoveryAssociationsAPIClient) ([]ec2types.IpamResourceDiscoveryAssociation, error) {
	const action = "ec2:DescribeIpamResourceDiscoveryAssociations"
	p := ec2.NewDescribeIpamResourceDiscoveryAssociationsPaginator(awscall.Pages(c.calls, action, client.DescribeIpamResourceDiscoveryAssociations),
		&ec2.DescribeIpamResourceDiscoveryAssociationsInput{MaxResults: aws.Int32(resourceDiscoveryPageSize)},
		func(o *ec2.DescribeIpamResourceDiscoveryAssociationsPaginatorOptions) { o.StopOnDuplicateToken = true })
	var out []ec2types.IpamResourceDiscoveryAssociation
	err := walkAdmin(ctx, c, s, action, maxResourceDiscoveryPages, p, func(page *ec2.DescribeIpamResourceDiscoveryAssociationsOutput) (*string, error) {
		for _, a := range page.IpamResourceDiscoveryAssociations {
			if aws.ToString(a.IpamId) == "" || aws.ToString(a.IpamResourceDiscoveryId) == "" {
				return nil, awscall.InvalidResponse(action, "an association without its ipam or resource discovery id")
			}
			out = append(out, a)
		}
		return page.NextToken, nil
	})
	return out, err
}

func (c *Client) readDescribedDiscoveries(ctx context.Context, s *adminSession, client ec2.DescribeIpamResourceDiscoveriesAPIClient) ([]ec2types.IpamResourceDiscovery, error) {
	const action = "ec2:DescribeIpamResourceDiscoveries"
	p := ec2.NewDescribeIpamResourceDiscoveriesPaginator(awscall.Pages(c.calls, action, client.DescribeIpamResourceDiscoveries),
		&ec2.DescribeIpamResourceDiscoveriesInput{MaxResults: aws.Int32(resourceDiscoveryPageSize)},
		func(o *ec2.DescribeIpamResourceDiscoveriesPaginatorOptions) { o.StopOnDuplicateToken = true })
	var out []ec2types.IpamResourceDiscovery
	err := walkAdmin(ctx, c, s, action, maxResourceDiscoveryPages, p, func(page *ec2.DescribeIpamResourceDiscoveriesOutput) (*string, error) {
		for _, d := range page.IpamResourceDiscoveries {
			switch {
			case aws.ToString(d.IpamResourceDiscoveryId) == "":
				return nil, awscall.InvalidResponse(action, "a resource discovery without an id")
			case len(d.OrganizationalUnitExclusions) > maxExclusions:
				return nil, awscall.InvalidResponse(action, fmt.Sprintf("more than %d ou exclusions", maxExclusions))
			}
			out = append(out, d)
		}
		return page.NextToken, nil
	})
	return out, err
}

// walkAdmin walks p, a list of the administrator's account, handing each
// page to page, which returns the page's NextToken, or an error (an
// answer outside the API's contract) that ends the walk with it. An error
// of the walk is the administrator's (see adminUnreachable).
func walkAdmin[O any](ctx context.Context, c *Client, s *adminSession, action string, maxPages int, p awscall.Paginator[O, ec2.Options], page func(*O) (*string, error)) error {
	var bad error
	err := awscall.WalkPages(ctx, action, maxPages, p, c.calls.EC2, func(out *O) (*string, bool) {
		next, err := page(out)
		bad = err
		return next, err == nil
	})
	switch {
	case bad != nil:
		return bad
	case err != nil:
		return adminUnreachable(s.account, action, err)
	}
	return nil
}

// resourceDiscoveriesOf returns the resource discoveries associated with
// the IPAMs read: each IPAM's default one (first, in the IPAMs' order,
// the i-th being ipams[read[i]]'s), then the others its Region's
// associations name, each once, described by its Region's
// DescribeIpamResourceDiscoveries when it returned them. read are the
// indexes of the IPAMs whose discovery is read.
func resourceDiscoveriesOf(admin string, ipams []IPAM, read []int, in []resourceDiscoveriesIn) ([]*resourceDiscovery, error) {
	var rds []*resourceDiscovery
	byID := map[string]*resourceDiscovery{}
	associated := make([]int, len(ipams))
	add := func(id, region string, ipam int) {
		d := byID[id]
		if d == nil {
			d = &resourceDiscovery{id: id, region: region}
			byID[id] = d
			rds = append(rds, d)
		}
		if !slices.Contains(d.ipams, ipam) {
			d.ipams = append(d.ipams, ipam)
			associated[ipam]++
		}
	}
	for _, i := range read {
		add(ipams[i].ResourceDiscoveryID, ipams[i].Region, i)
		d := byID[ipams[i].ResourceDiscoveryID]
		// The default one is the IPAM's: the administrator's, whatever
		// its description says or lacks.
		d.owner = admin
		for _, r := range in {
			if r.region == d.region && r.denied != nil {
				d.unread = r.denied
			}
		}
	}
	for _, r := range in {
		for _, a := range r.associations {
			if !slices.Contains(associationStates, a.State) && a.State != "" {
				continue
			}
			i := slices.IndexFunc(read, func(i int) bool {
				return ipams[i].ID == aws.ToString(a.IpamId) && ipams[i].Region == r.region
			})
			if i < 0 {
				continue
			}
			add(aws.ToString(a.IpamResourceDiscoveryId), r.region, read[i])
			if associated[read[i]] > maxAssociations {
				return nil, awscall.InvalidResponse("ec2:DescribeIpamResourceDiscoveryAssociations",
					fmt.Sprintf("more than %d resource discoveries associated with ipam %s", maxAssociations, ipams[read[i]].ID))
			}
		}
	}
	for _, r := range in {
		for _, x := range r.discoveries {
			d := byID[aws.ToString(x.IpamResourceDiscoveryId)]
			if d == nil || d.described {
				continue
			}
			d.described = true
			if d.owner == "" { // not a default one, which is the IPAM's
				// Listed in the administrator's account without an owner:
				// its own, as for IPAMs.
				d.owner = cmp.Or(aws.ToString(x.OwnerId), admin)
			}
			d.operating = []string{}
			for _, o := range x.OperatingRegions {
				if name := aws.ToString(o.RegionName); name != "" {
					d.operating = append(d.operating, name)
				}
			}
			for _, e := range x.OrganizationalUnitExclusions {
				d.exclusions = append(d.exclusions, aws.ToString(e.OrganizationsEntityPath))
			}
			slices.Sort(d.exclusions)
			d.exclusions = slices.Compact(d.exclusions)
		}
	}
	return rds, nil
}

// regionsOf returns the Regions d is read in: its operating Regions
// among those of its IPAMs (all of theirs when d was not described).
func (d *resourceDiscovery) regionsOf(ipams []IPAM) []string {
	var out []string
	for _, i := range d.ipams {
		for _, r := range ipams[i].OperatingRegions {
			if (d.operating == nil || slices.Contains(d.operating, r)) && !slices.Contains(out, r) {
				out = append(out, r)
			}
		}
	}
	slices.Sort(out)
	return out
}

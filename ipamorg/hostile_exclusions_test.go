package ipamorg_test

// The hostile administrator's account (hostile_ipam_test.go) reads
// resource discoveries too: by default it has no association and no
// resource discovery beyond what DescribeIpams names, and the reads of
// both answer nil outputs, repeated and endless tokens, and entries
// without ids with a typed error, never a guess.

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/ipamorg/sdk/awsclient"
	"github.com/ipamorg/sdk/ipamorg"
)

func (h *hostile) DescribeIpamResourceDiscoveryAssociations(context.Context, *ec2.DescribeIpamResourceDiscoveryAssociationsInput, ...func(*ec2.Options)) (*ec2.DescribeIpamResourceDiscoveryAssociationsOutput, error) {
	const op = "DescribeIpamResourceDiscoveryAssociations"
	if h.isNil(op) {
		return nil, nil
	}
	return &ec2.DescribeIpamResourceDiscoveryAssociationsOutput{NextToken: h.next(op, true)}, nil
}

func (h *hostile) DescribeIpamResourceDiscoveries(context.Context, *ec2.DescribeIpamResourceDiscoveriesInput, ...func(*ec2.Options)) (*ec2.DescribeIpamResourceDiscoveriesOutput, error) {
	const op = "DescribeIpamResourceDiscoveries"
	if h.isNil(op) {
		return nil, nil
	}
	return &ec2.DescribeIpamResourceDiscoveriesOutput{NextToken: h.next(op, true)}, nil
}

// withResourceDiscoveries is h's administrator account answering the
// resource discovery reads with these.
type withResourceDiscoveries struct {
	*hostile
	associations []ec2types.IpamResourceDiscoveryAssociation
	discoveries  []ec2types.IpamResourceDiscovery
}

func (w withResourceDiscoveries) DescribeIpamResourceDiscoveryAssociations(context.Context, *ec2.DescribeIpamResourceDiscoveryAssociationsInput, ...func(*ec2.Options)) (*ec2.DescribeIpamResourceDiscoveryAssociationsOutput, error) {
	return &ec2.DescribeIpamResourceDiscoveryAssociationsOutput{IpamResourceDiscoveryAssociations: w.associations}, nil
}

func (w withResourceDiscoveries) DescribeIpamResourceDiscoveries(context.Context, *ec2.DescribeIpamResourceDiscoveriesInput, ...func(*ec2.Options)) (*ec2.DescribeIpamResourceDiscoveriesOutput, error) {
	return &ec2.DescribeIpamResourceDiscoveriesOutput{IpamResourceDiscoveries: w.discoveries}, nil
}

func (w withResourceDiscoveries) client(t *testing.T) *ipamorg.Client {
	t.Helper()
	cl := w.clients()
	cl.AdminEC2 = func(aws.CredentialsProvider, string) awsclient.IPAMAPI { return w }
	c, err := ipamorg.New(cl)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// The resource discovery reads' nil outputs and tokens that repeat or
// never end are ErrInvalidResponse naming the call, after a bounded
// number of pages; Monitoring writes nothing.
func TestHostileResourceDiscoveryReads(t *testing.T) {
	for _, op := range []string{"DescribeIpamResourceDiscoveryAssociations", "DescribeIpamResourceDiscoveries"} {
		for _, tc := range []struct {
			how      string
			set      func(h *hostile)
			maxPages int
		}{
			{"nil output", func(h *hostile) { h.nilOutput[op] = true }, 0},
			{"same token", func(h *hostile) { h.sameToken[op] = true }, 2},
			{"endless", func(h *hostile) { h.endless[op] = true }, 101},
		} {
			t.Run(fmt.Sprintf("%s %s", op, tc.how), func(t *testing.T) {
				h := newHostile().monitored()
				tc.set(h)
				err := monitoringCall(t.Context(), h.client(t))
				if !errors.Is(err, ipamorg.ErrInvalidResponse) || !strings.Contains(err.Error(), op) {
					t.Fatalf("error %v, want ErrInvalidResponse naming %s", err, op)
				}
				if n := h.pagesOf(op); n > tc.maxPages {
					t.Errorf("%d pages of %s, want at most %d", n, op, tc.maxPages)
				}
				if len(h.written()) != 0 {
					t.Errorf("wrote %v", h.written())
				}
			})
		}
	}
}

// An association or a resource discovery without its ids is
// ErrInvalidResponse: a resource discovery left out could be one that
// does not exclude, so the library does not guess. So are more
// associations or exclusions than any quota allows, which would be work
// without end.
func TestHostileResourceDiscoveryEmptyIDs(t *testing.T) {
	rd := aws.String("ipam-res-disco-other")
	for name, tc := range map[string]struct {
		w  withResourceDiscoveries
		op string
	}{
		"association without a resource discovery": {withResourceDiscoveries{associations: []ec2types.IpamResourceDiscoveryAssociation{
			{IpamId: aws.String("ipam-hostile")}}}, "DescribeIpamResourceDiscoveryAssociations"},
		"association without an ipam": {withResourceDiscoveries{associations: []ec2types.IpamResourceDiscoveryAssociation{
			{IpamResourceDiscoveryId: rd}}}, "DescribeIpamResourceDiscoveryAssociations"},
		"resource discovery without an id": {withResourceDiscoveries{discoveries: []ec2types.IpamResourceDiscovery{{OwnerId: aws.String(memberA)}}},
			"DescribeIpamResourceDiscoveries"},
		"more exclusions than any quota": {withResourceDiscoveries{discoveries: []ec2types.IpamResourceDiscovery{{IpamResourceDiscoveryId: rd,
			OrganizationalUnitExclusions: make([]ec2types.IpamOrganizationalUnitExclusion, 1001)}}}, "DescribeIpamResourceDiscoveries"},
		"more associations than any quota": {withResourceDiscoveries{associations: manyAssociations(101)}, "DescribeIpamResourceDiscoveryAssociations"},
	} {
		t.Run(name, func(t *testing.T) {
			tc.w.hostile = newHostile().monitored()
			err := monitoringCall(t.Context(), tc.w.client(t))
			if !errors.Is(err, ipamorg.ErrInvalidResponse) || !strings.Contains(err.Error(), tc.op) {
				t.Fatalf("error %v, want ErrInvalidResponse naming %s", err, tc.op)
			}
		})
	}
}

// Exclusions the library cannot place (the hostile organization has no
// OU) exclude nothing: an exclusion of another organization is warned
// about as matching no OU, every account stays required, and one
// monitored by the default resource discovery is monitored. A resource
// discovery of another account associated with the IPAM is not read.
func TestHostileExclusionsOfNoOU(t *testing.T) {
	w := withResourceDiscoveries{hostile: newHostile().monitored(),
		associations: []ec2types.IpamResourceDiscoveryAssociation{
			{IpamId: aws.String("ipam-hostile"), IpamResourceDiscoveryId: aws.String("ipam-res-disco-hostile"), State: ec2types.IpamResourceDiscoveryAssociationStateAssociateComplete},
			{IpamId: aws.String("ipam-hostile"), IpamResourceDiscoveryId: aws.String("ipam-res-disco-shared"), State: ec2types.IpamResourceDiscoveryAssociationStateAssociateComplete},
		},
		discoveries: []ec2types.IpamResourceDiscovery{
			{IpamResourceDiscoveryId: aws.String("ipam-res-disco-hostile"), OwnerId: aws.String(memberA),
				OrganizationalUnitExclusions: []ec2types.IpamOrganizationalUnitExclusion{{OrganizationsEntityPath: aws.String("o-another/r-host/ou-host-1/*")}}},
			{IpamResourceDiscoveryId: aws.String("ipam-res-disco-shared"), OwnerId: aws.String(outsider)},
		},
	}
	m, err := w.client(t).Monitoring(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if !m.Complete() || len(m.Excluded()) != 0 || len(m.IPAMs) != 1 || strings.Join(m.IPAMs[0].Exclusions, ",") != "o-another/r-host/ou-host-1/*" {
		t.Errorf("complete %v excluded %v ipams %+v", m.Complete(), m.Excluded(), m.IPAMs)
	}
	if got := codes(m.Warnings); len(got) != 1 || got[0] != ipamorg.WarnExclusionMatchesNoOU || !strings.Contains(m.Warnings[0].Message, "o-another/r-host/ou-host-1/*") {
		t.Errorf("warnings %v", m.Warnings)
	}
	if n := w.pagesOf("GetIpamDiscoveredAccounts"); n != 1 {
		t.Errorf("%d discovery pages, want the default resource discovery's one", n)
	}
}

// manyAssociations associates n resource discoveries with the hostile
// IPAM.
func manyAssociations(n int) []ec2types.IpamResourceDiscoveryAssociation {
	out := make([]ec2types.IpamResourceDiscoveryAssociation, n)
	for i := range out {
		out[i] = ec2types.IpamResourceDiscoveryAssociation{IpamId: aws.String("ipam-hostile"),
			IpamResourceDiscoveryId: aws.String(fmt.Sprintf("ipam-res-disco-%d", i))}
	}
	return out
}

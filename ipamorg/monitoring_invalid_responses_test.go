package ipamorg_test

// The hostile AWS of invalid_responses_test.go, in the delegated administrator's
// account: nil outputs, repeated and endless tokens, IPAMs and accounts
// without ids, a Region without a name. Monitoring and the teardown's
// guard answer each with a typed error, never a panic, a hang or a write.

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/ipamorg/sdk/fsm"
	"github.com/ipamorg/sdk/ipamorg"
)

// monitored sets h at delegated to memberA, whose one IPAM in us-east-1
// monitors every account.
func (h *hostile) monitored() *hostile {
	h.at(fsm.StateDelegated, memberA)
	h.ipams = []ec2types.Ipam{{IpamId: aws.String("ipam-hostile"), IpamRegion: aws.String("us-east-1"), OwnerId: aws.String(memberA),
		State: ec2types.IpamStateCreateComplete, DefaultResourceDiscoveryId: aws.String("ipam-res-disco-hostile"),
		OperatingRegions: []ec2types.IpamOperatingRegion{{RegionName: aws.String("us-east-1")}}}}
	h.discovered = nil
	for _, id := range append([]string{h.management}, h.members...) {
		h.discovered = append(h.discovered, ec2types.IpamDiscoveredAccount{AccountId: aws.String(id), DiscoveryRegion: aws.String("us-east-1"),
			LastSuccessfulDiscoveryTime: aws.Time(time.Unix(1e9, 0))})
	}
	return h
}

func (h *hostile) DescribeRegions(context.Context, *ec2.DescribeRegionsInput, ...func(*ec2.Options)) (*ec2.DescribeRegionsOutput, error) {
	if h.isNil("DescribeRegions") {
		return nil, nil
	}
	return &ec2.DescribeRegionsOutput{Regions: []ec2types.Region{
		{RegionName: aws.String("us-east-1"), OptInStatus: aws.String("opt-in-not-required")},
		{RegionName: aws.String("ap-east-1"), OptInStatus: aws.String("not-opted-in")},
	}}, nil
}

func (h *hostile) DescribeIpams(_ context.Context, in *ec2.DescribeIpamsInput, _ ...func(*ec2.Options)) (*ec2.DescribeIpamsOutput, error) {
	if h.isNil("DescribeIpams") {
		return nil, nil
	}
	h.mu.Lock()
	out := &ec2.DescribeIpamsOutput{Ipams: append([]ec2types.Ipam(nil), h.ipams...)}
	h.mu.Unlock()
	out.NextToken = h.next("DescribeIpams", true)
	return out, nil
}

func (h *hostile) GetIpamDiscoveredAccounts(_ context.Context, in *ec2.GetIpamDiscoveredAccountsInput, _ ...func(*ec2.Options)) (*ec2.GetIpamDiscoveredAccountsOutput, error) {
	if h.isNil("GetIpamDiscoveredAccounts") {
		return nil, nil
	}
	h.mu.Lock()
	out := &ec2.GetIpamDiscoveredAccountsOutput{IpamDiscoveredAccounts: append([]ec2types.IpamDiscoveredAccount(nil), h.discovered...)}
	h.mu.Unlock()
	out.NextToken = h.next("GetIpamDiscoveredAccounts", true)
	return out, nil
}

func monitoringCall(ctx context.Context, c *ipamorg.Client) error {
	_, err := c.Monitoring(ctx)
	return err
}

func waitMonitoredCall(ctx context.Context, c *ipamorg.Client) error {
	_, err := c.WaitMonitored(ctx)
	return err
}

var teardownCall = reconcileTo(ipamorg.Desired{State: fsm.StateNone})

// The hostile administrator's account answers well by default: every
// account monitored, and a teardown refused for its IPAM.
func TestHostileIPAMBaseline(t *testing.T) {
	h := newHostile().monitored()
	m, err := h.client(t).Monitoring(t.Context())
	if err != nil || !m.Complete() || len(m.Accounts) != 3 || !slicesEqual(m.Regions, []string{"us-east-1"}) {
		t.Fatalf("Monitoring = %+v, %v", m, err)
	}
	if err := teardownCall(t.Context(), h.client(t)); !errors.Is(err, ipamorg.ErrIPAMResourcesExist) || len(h.written()) != 0 {
		t.Fatalf("teardown: %v, wrote %v", err, h.written())
	}
}

func slicesEqual(a, b []string) bool { return strings.Join(a, ",") == strings.Join(b, ",") }

// A nil output from any of the administrator's reads is ErrInvalidResponse
// naming the call, for Monitoring, WaitMonitored and the teardown's guard,
// which then writes nothing.
func TestHostileIPAMNilOutputs(t *testing.T) {
	for _, op := range []string{"AssumeRole", "DescribeRegions", "DescribeIpams", "GetIpamDiscoveredAccounts"} {
		for name, call := range map[string]func(context.Context, *ipamorg.Client) error{
			"Monitoring": monitoringCall, "WaitMonitored": waitMonitoredCall, "teardown": teardownCall,
		} {
			if name == "teardown" && op == "GetIpamDiscoveredAccounts" {
				continue // the guard reads no discovery
			}
			t.Run(op+"/"+name, func(t *testing.T) {
				h := newHostile().monitored()
				h.nilOutput[op] = true
				err := call(t.Context(), h.client(t))
				if !errors.Is(err, ipamorg.ErrInvalidResponse) || !strings.Contains(err.Error(), op) {
					t.Fatalf("error %v, want ErrInvalidResponse naming %s", err, op)
				}
				if len(h.written()) != 0 {
					t.Errorf("wrote %v", h.written())
				}
			})
		}
	}
}

// A client that ignores its context and lists discovered accounts for
// ever: the listing stops at the first page after the context ends.
func TestHostileIPAMPaginationIgnoresContext(t *testing.T) {
	h := newHostile().monitored()
	h.endless["GetIpamDiscoveredAccounts"] = true
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	h.onPage = func(op string, n int) {
		if op == "GetIpamDiscoveredAccounts" && n == 10 {
			cancel()
		}
	}
	if err := monitoringCall(ctx, h.client(t)); !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	if n := h.pagesOf("GetIpamDiscoveredAccounts"); n != 10 {
		t.Errorf("%d pages read, want 10: the context is checked between pages", n)
	}
}

// Empty ids and names where AWS always gives one are ErrInvalidResponse.
func TestHostileIPAMEmptyIDs(t *testing.T) {
	for name, tc := range map[string]struct {
		edit func(h *hostile)
		op   string
	}{
		"ipam without an id":           {func(h *hostile) { h.ipams[0].IpamId = nil }, "DescribeIpams"},
		"ready ipam without discovery": {func(h *hostile) { h.ipams[0].DefaultResourceDiscoveryId = aws.String("") }, "DescribeIpams"},
		"account without an id":        {func(h *hostile) { h.discovered[1].AccountId = aws.String("") }, "GetIpamDiscoveredAccounts"},
		"account of another Region":    {func(h *hostile) { h.discovered[0].DiscoveryRegion = aws.String("eu-west-1") }, "GetIpamDiscoveredAccounts"},
	} {
		t.Run(name, func(t *testing.T) {
			h := newHostile().monitored()
			tc.edit(h)
			err := monitoringCall(t.Context(), h.client(t))
			if !errors.Is(err, ipamorg.ErrInvalidResponse) || !strings.Contains(err.Error(), tc.op) {
				t.Fatalf("error %v, want ErrInvalidResponse naming %s", err, tc.op)
			}
		})
	}
	// Two administrators, or none with an id, are refused as anomalies
	// before the administrator's account is touched.
	for name, admins := range map[string][]*string{"two admins": {aws.String(memberA), aws.String(memberB)}, "admin without an id": {nil}} {
		t.Run(name, func(t *testing.T) {
			h := newHostile().monitored()
			h.admins = admins
			if err := monitoringCall(t.Context(), h.client(t)); !errors.Is(err, ipamorg.ErrAnomaly) {
				t.Fatalf("error %v, want ErrAnomaly", err)
			}
			if h.pagesOf("DescribeIpams") != 0 {
				t.Error("read the administrator's ipams")
			}
		})
	}
}

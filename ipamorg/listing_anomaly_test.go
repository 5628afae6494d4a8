package ipamorg_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/ipamorg/sdk/awsclient"
	"github.com/ipamorg/sdk/awsclient/awstest"
	"github.com/ipamorg/sdk/ipamorg"
)

// blankFirstOU lists the root's first OU without an id, as a hostile or
// broken Organizations might.
type blankFirstOU struct {
	awsclient.OrganizationsAPI
	root string
}

func (o blankFirstOU) ListOrganizationalUnitsForParent(ctx context.Context, in *organizations.ListOrganizationalUnitsForParentInput, optFns ...func(*organizations.Options)) (*organizations.ListOrganizationalUnitsForParentOutput, error) {
	out, err := o.OrganizationsAPI.ListOrganizationalUnitsForParent(ctx, in, optFns...)
	if err == nil && out != nil && *in.ParentId == o.root && in.NextToken == nil && len(out.OrganizationalUnits) > 0 {
		out.OrganizationalUnits[0].Id = nil
	}
	return out, err
}

// ouWithoutID is 40 members in 4 OUs, 10 each, integrated with IPAM (whose
// default resource discovery has exclusions, if any), whose first OU
// Organizations lists without an id.
func ouWithoutID(t *testing.T, exclusions ...string) (*awstest.Emulator, *ipamorg.Client) {
	org := awstest.GenerateOrganizationTree(40, 4)
	admin := org.Members[0].ID
	org.IPAMDelegatedAdmin = admin
	emu := awstest.New(awstest.WithOrganization(org),
		awstest.WithIPAMs(awstest.IPAMSpec{Owner: admin, OperatingRegions: []string{awstest.Region}, Exclusions: exclusions}))
	cl := realClients(t, emu)
	cl.Organizations = blankFirstOU{cl.Organizations, emu.Snapshot().RootID}
	return emu, newFromClients(t, cl, func(o *ipamorg.Options) { o.IPAMRegions = []string{awstest.Region} })
}

// TestFleetOUWithoutID: an OU listed without an id is an anomaly, not a
// silent loss of its accounts: a warning, and its accounts listed
// through ListAccounts. It reported Total 31, complete, no warning.
func TestFleetOUWithoutID(t *testing.T) {
	emu, c := ouWithoutID(t)
	r, err := c.VerifyServiceLinkedRoles(t.Context(), func(o *ipamorg.VerifyOptions) { o.RateLimits = noLimits })
	if err != nil {
		t.Fatal(err)
	}
	if r.Total != 41 || len(r.Accounts) != 41 || !r.ListingComplete || !r.Complete || !r.OK() {
		t.Errorf("total %d, %d checked, listing complete %v, complete %v, ok %v; want the 41 accounts", r.Total, len(r.Accounts), r.ListingComplete, r.Complete, r.OK())
	}
	if !hasWarning(r.Warnings, ipamorg.WarnOUWithoutID) {
		t.Errorf("warnings %v, want %s", r.Warnings, ipamorg.WarnOUWithoutID)
	}
	if !slices.ContainsFunc(emu.Requests(), func(r awstest.Request) bool { return r.Operation == "ListAccounts" }) {
		t.Error("the accounts below the OU without an id were not listed with ListAccounts")
	}
}

// TestMonitoringOUWithoutID: Monitoring shares the listing: every
// account has its entry, with the warning.
func TestMonitoringOUWithoutID(t *testing.T) {
	_, c := ouWithoutID(t)
	m, err := c.Monitoring(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	accounts := map[string]bool{}
	for _, a := range m.Accounts {
		accounts[a.AccountID] = true
	}
	if len(accounts) != 41 {
		t.Errorf("%d accounts monitored or pending, want 41", len(accounts))
	}
	if !hasWarning(m.Warnings, ipamorg.WarnOUWithoutID) {
		t.Errorf("warnings %v, want %s", m.Warnings, ipamorg.WarnOUWithoutID)
	}
}

// TestMonitoringExclusionsWithOUWithoutID: OU exclusions over a tree with
// an OU listed without an id cannot be placed, and the warning says why
// without claiming a denial nobody saw.
func TestMonitoringExclusionsWithOUWithoutID(t *testing.T) {
	_, c := ouWithoutID(t, "ou-2")
	m, err := c.Monitoring(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(m.Warnings, func(w ipamorg.Warning) bool { return w.Code == ipamorg.WarnExclusionsUnplaced })
	if i < 0 {
		t.Fatalf("warnings %v, want %s", m.Warnings, ipamorg.WarnExclusionsUnplaced)
	}
	if msg := m.Warnings[i].Message; !strings.Contains(msg, string(ipamorg.WarnOUWithoutID)) || strings.Contains(msg, "denied") || strings.Contains(msg, "allow ") {
		t.Errorf("message %q: want the OU without an id named, and no denial", msg)
	}
	if len(m.Excluded()) != 0 {
		t.Errorf("%d excluded, want none taken for excluded", len(m.Excluded()))
	}
}

// endlessTree answers 20 OUs never listed before under every parent, and
// no account below them.
type endlessTree struct {
	awsclient.OrganizationsAPI
	mu   sync.Mutex
	next int
}

func (o *endlessTree) ListOrganizationalUnitsForParent(context.Context, *organizations.ListOrganizationalUnitsForParentInput, ...func(*organizations.Options)) (*organizations.ListOrganizationalUnitsForParentOutput, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := &organizations.ListOrganizationalUnitsForParentOutput{}
	for range 20 {
		o.next++
		out.OrganizationalUnits = append(out.OrganizationalUnits, orgtypes.OrganizationalUnit{Id: aws.String(fmt.Sprintf("ou-endless-%d", o.next))})
	}
	return out, nil
}

func (o *endlessTree) ListAccountsForParent(ctx context.Context, in *organizations.ListAccountsForParentInput, optFns ...func(*organizations.Options)) (*organizations.ListAccountsForParentOutput, error) {
	if strings.HasPrefix(aws.ToString(in.ParentId), "ou-endless-") {
		return &organizations.ListAccountsForParentOutput{}, nil
	}
	return o.OrganizationsAPI.ListAccountsForParent(ctx, in, optFns...)
}

// TestEndlessTree: a tree beyond Organizations' quotas ends the fleet
// verification and Monitoring with ErrInvalidResponse, which says so.
func TestEndlessTree(t *testing.T) {
	org := awstest.GenerateOrganization(2)
	admin := org.Members[0].ID
	org.IPAMDelegatedAdmin = admin
	emu := awstest.New(awstest.WithOrganization(org), awstest.WithIPAMs(awstest.IPAMSpec{Owner: admin, OperatingRegions: []string{awstest.Region}}))
	cl := realClients(t, emu)
	cl.Organizations = &endlessTree{OrganizationsAPI: cl.Organizations}
	c := newFromClients(t, cl, func(o *ipamorg.Options) { o.IPAMRegions = []string{awstest.Region} })

	_, err := c.VerifyServiceLinkedRoles(t.Context(), func(o *ipamorg.VerifyOptions) { o.RateLimits = noLimits })
	if !errors.Is(err, ipamorg.ErrInvalidResponse) || !ipamorg.IsTerminal(err) || !strings.Contains(err.Error(), "quota") {
		t.Errorf("fleet: %v; want ErrInvalidResponse naming the quota", err)
	}
	if _, err := c.Monitoring(t.Context()); !errors.Is(err, ipamorg.ErrInvalidResponse) || !strings.Contains(err.Error(), "quota") {
		t.Errorf("monitoring: %v; want ErrInvalidResponse naming the quota", err)
	}
}

func hasWarning(ws []ipamorg.Warning, code ipamorg.WarningCode) bool {
	return slices.ContainsFunc(ws, func(w ipamorg.Warning) bool { return w.Code == code })
}

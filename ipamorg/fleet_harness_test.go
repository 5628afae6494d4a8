package ipamorg_test

// The fleet verification's tests run over the emulator with the SDK's real
// clients (harness_test.go): the emulator's organization says which
// accounts lack AWSServiceRoleForIPAM or cannot be assumed into, its
// faults fail chosen calls, and its audit log shows what was sent. Only
// what the emulator cannot answer stays on gomock
// (fleet_partition_test.go).

import (
	"context"
	"math"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/ipamorg/sdk/awsclient"
	"github.com/ipamorg/sdk/awsclient/awstest"
	"github.com/ipamorg/sdk/ipamorg"
)

// noLimits turns the fleet's rate limits off.
var noLimits = ipamorg.RateLimits{Organizations: math.Inf(1), STS: math.Inf(1)}

// fleetOrg returns GenerateOrganization(n), integrated with IPAM with its
// first member as the delegated administrator, so that every account has
// AWSServiceRoleForIPAM unless the test removes it, and a function giving
// the id of member i (0-based).
func fleetOrg(n int) (awstest.Organization, func(i int) string) {
	org := awstest.GenerateOrganization(n)
	org.IPAMDelegatedAdmin = org.Members[0].ID
	return org, func(i int) string { return org.Members[i].ID }
}

// realClients returns the SDK's real clients over emu, acting as the
// management account, for a test to wrap before ipamorg.New.
func realClients(t *testing.T, emu *awstest.Emulator) awsclient.Clients {
	return awsclient.NewFromConfig(emu.Config(t.Context(), mgmt))
}

func newFromClients(t *testing.T, cl awsclient.Clients, optFns ...func(*ipamorg.Options)) *ipamorg.Client {
	t.Helper()
	c, err := ipamorg.New(cl, optFns...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// statusOnly answers ListAccounts as Organizations did before it added
// the State field: the accounts in ids carry the deprecated Status alone.
type statusOnly struct {
	awsclient.OrganizationsAPI
	ids map[string]bool
}

func (o statusOnly) ListAccounts(ctx context.Context, in *organizations.ListAccountsInput, optFns ...func(*organizations.Options)) (*organizations.ListAccountsOutput, error) {
	out, err := o.OrganizationsAPI.ListAccounts(ctx, in, optFns...)
	if out != nil {
		for i := range out.Accounts {
			if o.ids[aws.ToString(out.Accounts[i].Id)] {
				out.Accounts[i].State = ""
			}
		}
	}
	return out, err
}

func results(r *ipamorg.FleetReport) map[string]ipamorg.RoleResult {
	out := map[string]ipamorg.RoleResult{}
	for _, a := range r.Accounts {
		out[a.AccountID] = a.Result
	}
	return out
}

// wantProgressSequence fails the test unless progress is what
// VerifyOptions.Progress promises for a complete run over total accounts:
// zeros first; then each call lists more accounts or checks one more, never
// fewer of either, never more checked than listed; the listing's end once,
// with the total, and nothing listed after it; the total checked last.
func wantProgressSequence(t *testing.T, progress []ipamorg.FleetProgress, total int) {
	t.Helper()
	if len(progress) == 0 || progress[0] != (ipamorg.FleetProgress{}) {
		t.Fatalf("progress %v: want zeros first", progress)
	}
	done := 0
	for i := 1; i < len(progress); i++ {
		p, q := progress[i-1], progress[i]
		listedMore := q.Listed > p.Listed && q.Checked == p.Checked
		checkedOne := q.Checked == p.Checked+1 && q.Listed == p.Listed
		ended := !p.ListingDone && q.ListingDone && q.Listed == p.Listed && q.Checked == p.Checked
		switch {
		case q.Checked > q.Listed, p.ListingDone && !q.ListingDone, p.ListingDone && q.Listed != p.Listed:
			t.Fatalf("progress %v at %d: %+v after %+v", progress, i, q, p)
		case ended:
			done++
		case !listedMore && !checkedOne:
			t.Fatalf("progress %v at %d: %+v after %+v, neither one more checked nor more listed", progress, i, q, p)
		}
	}
	if last := progress[len(progress)-1]; done != 1 || last != (ipamorg.FleetProgress{Listed: total, Checked: total, ListingDone: true}) {
		t.Errorf("progress %v: want the listing's end once, then %d of %d checked", progress, total, total)
	}
}

package awstest_test

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/ipamorg/sdk/awsclient/awstest"
)

func gunzipFile(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	r, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(r)
}

// withRegion returns c with its EC2 client signing for region.
func withRegion(c clients, region string) clients {
	c.ec2 = ec2.New(c.ec2.Options(), func(o *ec2.Options) { o.Region = region })
	return c
}

func createIPAM(t *testing.T, c clients, regions ...string) *ec2types.Ipam {
	t.Helper()
	in := &ec2.CreateIpamInput{OperatingRegions: operatingRegions(regions)}
	return must[*ec2.CreateIpamOutput](t)(c.ec2.CreateIpam(t.Context(), in)).Ipam
}

// operatingRegions is the OperatingRegions parameter naming regions.
func operatingRegions(regions []string) []ec2types.AddIpamOperatingRegion {
	var out []ec2types.AddIpamOperatingRegion
	for _, r := range regions {
		out = append(out, ec2types.AddIpamOperatingRegion{RegionName: aws.String(r)})
	}
	return out
}

func deleteIPAM(t *testing.T, c clients, id string) *ec2types.Ipam {
	t.Helper()
	return must[*ec2.DeleteIpamOutput](t)(c.ec2.DeleteIpam(t.Context(), &ec2.DeleteIpamInput{IpamId: aws.String(id), Cascade: aws.Bool(true)})).Ipam
}

func describeIPAMs(t *testing.T, c clients) []ec2types.Ipam {
	t.Helper()
	var out []ec2types.Ipam
	p := ec2.NewDescribeIpamsPaginator(c.ec2, &ec2.DescribeIpamsInput{})
	for p.HasMorePages() {
		out = append(out, must[*ec2.DescribeIpamsOutput](t)(p.NextPage(t.Context())).Ipams...)
	}
	return out
}

func discovered(t *testing.T, c clients, discoveryID, region string) []ec2types.IpamDiscoveredAccount {
	t.Helper()
	var out []ec2types.IpamDiscoveredAccount
	p := ec2.NewGetIpamDiscoveredAccountsPaginator(c.ec2, &ec2.GetIpamDiscoveredAccountsInput{
		IpamResourceDiscoveryId: aws.String(discoveryID), DiscoveryRegion: aws.String(region),
	})
	for p.HasMorePages() {
		page := must[*ec2.GetIpamDiscoveredAccountsOutput](t)(p.NextPage(t.Context()))
		out = append(out, page.IpamDiscoveredAccounts...)
	}
	return out
}

func TestCreateDescribeDeleteIpam(t *testing.T) {
	srv, c := startServer(t, awstest.WithOrganization(awstest.DefaultOrganization()))
	ctx := t.Context()
	admin := as(srv, t, member1)
	must[any](t)(enableIPAM(ctx, c, member1))

	ip := createIPAM(t, admin)
	if ip.State != ec2types.IpamStateCreateInProgress || aws.ToString(ip.IpamRegion) != "us-east-1" || aws.ToString(ip.OwnerId) != member1 ||
		ip.Tier != ec2types.IpamTierAdvanced || len(ip.OperatingRegions) != 1 || aws.ToString(ip.OperatingRegions[0].RegionName) != "us-east-1" ||
		aws.ToString(ip.IpamArn) != "arn:aws:ec2::"+member1+":ipam/"+aws.ToString(ip.IpamId) || aws.ToString(ip.DefaultResourceDiscoveryId) == "" ||
		aws.ToInt32(ip.ScopeCount) != 2 || ip.Tags == nil {
		t.Fatalf("created = %+v", ip)
	}
	// The delay is 0: create-complete at once.
	got := describeIPAMs(t, admin)
	if len(got) != 1 || got[0].State != ec2types.IpamStateCreateComplete || *got[0].IpamId != *ip.IpamId {
		t.Fatalf("described = %+v", got)
	}
	// Regional: nothing in another Region, nothing for another account.
	if got := describeIPAMs(t, withRegion(admin, "eu-west-1")); len(got) != 0 {
		t.Fatalf("eu-west-1: %+v", got)
	}
	if got := describeIPAMs(t, c); len(got) != 0 {
		t.Fatalf("management account: %+v", got)
	}
	st := srv.Snapshot()
	if len(st.IPAMs) != 1 || !st.IPAMs[0].OrganizationWide || st.IPAMs[0].State != awstest.IPAMCreateComplete || st.IPAMs[0].ResourceDiscoveryID != *ip.DefaultResourceDiscoveryId {
		t.Fatalf("snapshot IPAMs = %+v", st.IPAMs)
	}

	// One IPAM per account per Region; another Region is fine.
	_, err := admin.ec2.CreateIpam(ctx, &ec2.CreateIpamInput{})
	wantCode(t, err, "ResourceLimitExceeded")
	west := createIPAM(t, withRegion(admin, "eu-west-1"), "eu-west-1", "us-east-1")
	if aws.ToString(west.IpamRegion) != "eu-west-1" || len(west.OperatingRegions) != 2 {
		t.Fatalf("west = %+v", west)
	}

	// DryRun answers DryRunOperation (412) and creates nothing.
	_, err = as(srv, t, member2).ec2.CreateIpam(ctx, &ec2.CreateIpamInput{DryRun: aws.Bool(true)})
	wantCode(t, err, "DryRunOperation")
	wantStatus(t, err, http.StatusPreconditionFailed)
	_, err = admin.ec2.DescribeIpams(ctx, &ec2.DescribeIpamsInput{DryRun: aws.Bool(true)})
	wantCode(t, err, "DryRunOperation")
	if n := len(srv.Snapshot().IPAMs); n != 2 {
		t.Fatalf("%d IPAMs after dry runs", n)
	}

	// Errors.
	_, err = admin.ec2.DescribeIpams(ctx, &ec2.DescribeIpamsInput{IpamIds: []string{"ipam-0123456789abcdef0"}})
	wantCode(t, err, "InvalidIpamId.NotFound")
	for _, n := range []int32{4, 1001} {
		_, err = admin.ec2.DescribeIpams(ctx, &ec2.DescribeIpamsInput{MaxResults: aws.Int32(n)})
		wantCode(t, err, "InvalidParameterValue")
	}
	_, err = admin.ec2.DescribeIpams(ctx, &ec2.DescribeIpamsInput{Filters: []ec2types.Filter{{Name: aws.String("colour"), Values: []string{"x"}}}})
	wantCode(t, err, "InvalidParameterValue")
	_, err = as(srv, t, member2).ec2.DeleteIpam(ctx, &ec2.DeleteIpamInput{IpamId: ip.IpamId})
	wantCode(t, err, "InvalidIpamId.NotFound")
	_, err = admin.ec2.CreateIpam(ctx, &ec2.CreateIpamInput{OperatingRegions: []ec2types.AddIpamOperatingRegion{{RegionName: aws.String("eu-west-1")}}})
	wantCode(t, err, "InvalidParameterValue")
	_, err = withRegion(admin, "af-south-1").ec2.DescribeIpams(ctx, &ec2.DescribeIpamsInput{})
	wantCode(t, err, "AuthFailure")
	_, err = withRegion(as(srv, t, member2), "us-west-2").ec2.CreateIpam(ctx, &ec2.CreateIpamInput{Tier: "gold"})
	wantCode(t, err, "InvalidParameterValue")

	// Filters.
	tiered := must[*ec2.DescribeIpamsOutput](t)(admin.ec2.DescribeIpams(ctx, &ec2.DescribeIpamsInput{
		Filters: []ec2types.Filter{{Name: aws.String("owner-id"), Values: []string{member1}}, {Name: aws.String("tier"), Values: []string{"free", "advanced"}}},
	}))
	if len(tiered.Ipams) != 1 {
		t.Fatalf("filtered = %+v", tiered.Ipams)
	}

	// Delete: delete-in-progress in the answer, then gone (delay 0).
	del := deleteIPAM(t, admin, *ip.IpamId)
	if del.State != ec2types.IpamStateDeleteInProgress {
		t.Fatalf("deleted = %+v", del)
	}
	if got := describeIPAMs(t, admin); len(got) != 0 {
		t.Fatalf("after delete: %+v", got)
	}
	_, err = admin.ec2.DeleteIpam(ctx, &ec2.DeleteIpamInput{IpamId: ip.IpamId})
	wantCode(t, err, "InvalidIpamId.NotFound")
	if w := srv.Writes(); w[len(w)-1].Action != "ec2:DeleteIpam" {
		t.Fatalf("last write %+v", w[len(w)-1])
	}
}

// CreateIpam's ClientToken makes a retried request return the first IPAM.
func TestCreateIpamIdempotent(t *testing.T) {
	srv, c := startServer(t)
	ctx := t.Context()
	in := &ec2.CreateIpamInput{ClientToken: aws.String("token-1"), Description: aws.String("first")}
	a := must[*ec2.CreateIpamOutput](t)(c.ec2.CreateIpam(ctx, in)).Ipam
	b := must[*ec2.CreateIpamOutput](t)(c.ec2.CreateIpam(ctx, in)).Ipam
	if *a.IpamId != *b.IpamId || len(srv.Snapshot().IPAMs) != 1 {
		t.Fatalf("%s and %s", *a.IpamId, *b.IpamId)
	}
	// A lost answer (an Applied drop) is retried by the SDK with the same
	// token: one IPAM, no ResourceLimitExceeded.
	srv.InjectFault("CreateIpam", awstest.Fault{Drop: true, Applied: true, Count: 1})
	retrying := newClients(srv.Config(ctx, member2))
	must[*ec2.CreateIpamOutput](t)(retrying.ec2.CreateIpam(ctx, &ec2.CreateIpamInput{}))
	if n := len(srv.Snapshot().IPAMsOf(member2)); n != 1 {
		t.Fatalf("%d IPAMs of %s", n, member2)
	}
}

func TestIpamTransitionsAfterDelay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu := awstest.New(awstest.WithIPAMDelay(30 * time.Second))
		c := memClients(t, emu, mgmt)
		ip := createIPAM(t, c)
		state := func() ec2types.IpamState {
			got := describeIPAMs(t, c)
			if len(got) == 0 {
				return ""
			}
			return got[0].State
		}
		if s := state(); s != ec2types.IpamStateCreateInProgress {
			t.Fatalf("at once: %s", s)
		}
		time.Sleep(30 * time.Second)
		if s := state(); s != ec2types.IpamStateCreateComplete {
			t.Fatalf("after the delay: %s", s)
		}
		deleteIPAM(t, c, *ip.IpamId)
		if s := state(); s != ec2types.IpamStateDeleteInProgress {
			t.Fatalf("deleting: %s", s)
		}
		// Still there: still a quota slot and still using the role.
		_, err := c.ec2.CreateIpam(t.Context(), &ec2.CreateIpamInput{})
		wantCode(t, err, "ResourceLimitExceeded")
		time.Sleep(30 * time.Second)
		if s := state(); s != "" {
			t.Fatalf("after the delay: %s", s)
		}
		createIPAM(t, c)
	})
}

func TestDiscovery(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		org := awstest.DefaultOrganization()
		org.OUs = []string{"Workloads"}
		org.Members = append(org.Members,
			awstest.Account{ID: "444444444444", OU: "Workloads"},
			awstest.Account{ID: "555555555555", Status: awstest.StatusSuspended},
		)
		emu := awstest.New(awstest.WithOrganization(org), awstest.WithDiscoveryLag(time.Minute), awstest.WithIPAMDelay(10*time.Second))
		c := memClients(t, emu, mgmt)
		admin := memClients(t, emu, member1)
		ctx := t.Context()
		must[any](t)(enableIPAM(ctx, c, member1))
		emu.DeleteIPAMRole("444444444444")

		ip := createIPAM(t, admin, "us-east-1", "eu-west-1")
		disco := *ip.DefaultResourceDiscoveryId
		if got := discovered(t, admin, disco, "us-east-1"); len(got) != 0 {
			t.Fatalf("discovered while creating: %+v", got)
		}
		time.Sleep(10*time.Second + 59*time.Second)
		if got := discovered(t, admin, disco, "us-east-1"); len(got) != 0 {
			t.Fatalf("discovered before the lag: %+v", got)
		}
		time.Sleep(time.Second)
		for _, region := range []string{"us-east-1", "eu-west-1"} {
			got := discovered(t, admin, disco, region)
			var ids []string
			for _, a := range got {
				ids = append(ids, *a.AccountId)
				if *a.DiscoveryRegion != region || a.LastAttemptedDiscoveryTime == nil || aws.ToString(a.OrganizationalUnitId) == "" {
					t.Fatalf("%s: %+v", region, a)
				}
				ok := a.FailureReason == nil && a.LastSuccessfulDiscoveryTime != nil
				if *a.AccountId == "444444444444" {
					if ok || a.FailureReason.Code != ec2types.IpamDiscoveryFailureCodeAssumeRoleFailure {
						t.Fatalf("account without the role: %+v", a)
					}
				} else if !ok {
					t.Fatalf("account %s: %+v", *a.AccountId, a.FailureReason)
				}
			}
			// Every ACTIVE account, the management account included; not
			// the suspended one.
			if !slices.Equal(ids, []string{mgmt, member1, member2, "444444444444"}) {
				t.Fatalf("%s: discovered %v", region, ids)
			}
		}
		// Not an operating Region: nothing.
		if got := discovered(t, withRegion(admin, "us-east-1"), disco, "ap-south-1"); len(got) != 0 {
			t.Fatalf("ap-south-1: %+v", got)
		}
		// The role repaired: discovered one lag later.
		emu.PutRole("444444444444", awstest.IPAMRoleName)
		time.Sleep(time.Minute)
		for _, a := range discovered(t, admin, disco, "us-east-1") {
			if a.FailureReason != nil {
				t.Fatalf("after the repair: %s %+v", *a.AccountId, a.FailureReason)
			}
		}
		// Only the owner may read it; in its home Region only.
		_, err := c.ec2.GetIpamDiscoveredAccounts(ctx, &ec2.GetIpamDiscoveredAccountsInput{IpamResourceDiscoveryId: &disco, DiscoveryRegion: aws.String("us-east-1")})
		wantCode(t, err, "InvalidIpamResourceDiscoveryId.NotFound")
		_, err = withRegion(admin, "eu-west-1").ec2.GetIpamDiscoveredAccounts(ctx, &ec2.GetIpamDiscoveredAccountsInput{IpamResourceDiscoveryId: &disco, DiscoveryRegion: aws.String("us-east-1")})
		wantCode(t, err, "InvalidIpamResourceDiscoveryId.NotFound")

		// Throttling and unauthorized failures, set by hand.
		must[any](t)(nil, emu.SetDiscoveryFailure(member2, "us-east-1", awstest.DiscoveryThrottlingFailure, ""))
		for _, a := range discovered(t, admin, disco, "us-east-1") {
			if (*a.AccountId == member2) != (a.FailureReason != nil) {
				t.Fatalf("%s: %+v", *a.AccountId, a.FailureReason)
			}
		}
		if err := emu.SetDiscoveryFailure(member2, "", "nope", ""); err == nil {
			t.Fatal("an unknown code was accepted")
		}

		// Resource discoveries.
		rd := must[*ec2.DescribeIpamResourceDiscoveriesOutput](t)(admin.ec2.DescribeIpamResourceDiscoveries(ctx, &ec2.DescribeIpamResourceDiscoveriesInput{}))
		if len(rd.IpamResourceDiscoveries) != 1 || *rd.IpamResourceDiscoveries[0].IpamResourceDiscoveryId != disco ||
			!aws.ToBool(rd.IpamResourceDiscoveries[0].IsDefault) || len(rd.IpamResourceDiscoveries[0].OperatingRegions) != 2 {
			t.Fatalf("resource discoveries = %+v", rd.IpamResourceDiscoveries)
		}
		_, err = admin.ec2.DescribeIpamResourceDiscoveries(ctx, &ec2.DescribeIpamResourceDiscoveriesInput{IpamResourceDiscoveryIds: []string{"ipam-res-disco-0123456789abcdef0"}})
		wantCode(t, err, "InvalidIpamResourceDiscoveryId.NotFound")
	})
}

// The organization-wide vs own-account rule (an assumption): an IPAM
// created while its account was not the admin monitors only that account,
// and an admin's IPAM monitors only its own once the account is no longer
// the admin.
func TestDiscoveryScope(t *testing.T) {
	srv, c := startServer(t)
	ctx := t.Context()
	before := createIPAM(t, as(srv, t, member1))
	mine := createIPAM(t, c) // the management account's own
	must[any](t)(enableIPAM(ctx, c, member1))
	ids := func(c clients, ip *ec2types.Ipam) []string {
		var out []string
		for _, a := range discovered(t, c, *ip.DefaultResourceDiscoveryId, "us-east-1") {
			out = append(out, *a.AccountId)
		}
		return out
	}
	if got := ids(as(srv, t, member1), before); !slices.Equal(got, []string{member1}) {
		t.Fatalf("IPAM created before delegation discovers %v", got)
	}
	if got := ids(c, mine); !slices.Equal(got, []string{mgmt}) {
		t.Fatalf("the management account's IPAM discovers %v", got)
	}
	deleteIPAM(t, as(srv, t, member1), *before.IpamId)
	after := createIPAM(t, as(srv, t, member1))
	if got := ids(as(srv, t, member1), after); len(got) != 3 {
		t.Fatalf("the admin's IPAM discovers %v", got)
	}
	must[any](t)(disableIPAM(ctx, c, member1))
	if got := ids(as(srv, t, member1), after); !slices.Equal(got, []string{member1}) {
		t.Fatalf("after the admin is removed the IPAM discovers %v", got)
	}
	for _, ip := range srv.Snapshot().IPAMs {
		if ip.OrganizationWide {
			t.Fatalf("organization-wide after removal: %+v", ip)
		}
	}
}

// GetIpamDiscoveredAccounts pages through 10,000 accounts ten at a time per
// Region with the largest page, one page per call.
func TestDiscoveryAtScale(t *testing.T) {
	t.Parallel() // see helpers_test.go
	n := 10_000
	emu := awstest.New(awstest.WithOrganization(awstest.GenerateOrganizationTree(n, 100)), func(o *awstest.ServerOptions) {
		o.Organization.IPAMDelegatedAdmin = "200000000001"
	}, awstest.WithIPAMs(awstest.IPAMSpec{Owner: "200000000001", OperatingRegions: []string{"us-east-1", "us-west-2"}}))
	emu.DeleteIPAMRole("200000000500")
	admin := memClients(t, emu, "200000000001")
	ip := emu.Snapshot().IPAMs[0]
	if !ip.OrganizationWide || ip.State != awstest.IPAMCreateComplete {
		t.Fatalf("IPAM = %+v", ip)
	}
	emu.ResetRequests()
	for _, region := range []string{"us-east-1", "us-west-2"} {
		got := discovered(t, admin, ip.ResourceDiscoveryID, region)
		failed := 0
		for _, a := range got {
			if a.FailureReason != nil {
				failed++
			}
		}
		if len(got) != n+1 || failed != 1 {
			t.Fatalf("%s: %d accounts, %d failed", region, len(got), failed)
		}
	}
	if calls := len(emu.Requests()); calls != 2*11 {
		t.Fatalf("%d calls for two Regions, want 22 (pages of 1,000)", calls)
	}
	page := must[*ec2.GetIpamDiscoveredAccountsOutput](t)(admin.ec2.GetIpamDiscoveredAccounts(t.Context(), &ec2.GetIpamDiscoveredAccountsInput{
		IpamResourceDiscoveryId: aws.String(ip.ResourceDiscoveryID), DiscoveryRegion: aws.String("us-east-1"), MaxResults: aws.Int32(5),
	}))
	if len(page.IpamDiscoveredAccounts) != 5 || page.NextToken == nil {
		t.Fatalf("MaxResults 5: %d, %v", len(page.IpamDiscoveredAccounts), page.NextToken)
	}
	_, err := admin.ec2.GetIpamDiscoveredAccounts(t.Context(), &ec2.GetIpamDiscoveredAccountsInput{
		IpamResourceDiscoveryId: aws.String(ip.ResourceDiscoveryID), DiscoveryRegion: aws.String("us-west-2"), NextToken: page.NextToken,
	})
	wantCode(t, err, "InvalidPaginationToken")
}

func BenchmarkGetIpamDiscoveredAccounts(b *testing.B) {
	const n = 10_000
	org := awstest.GenerateOrganizationTree(n, 100)
	org.IPAMDelegatedAdmin = "200000000001"
	emu := awstest.New(awstest.WithOrganization(org), awstest.WithIPAMs(awstest.IPAMSpec{Owner: "200000000001"}))
	cfg := emu.Config(b.Context(), "200000000001")
	c := ec2.NewFromConfig(cfg)
	id := emu.Snapshot().IPAMs[0].ResourceDiscoveryID
	b.ReportAllocs()
	for b.Loop() {
		p := ec2.NewGetIpamDiscoveredAccountsPaginator(c, &ec2.GetIpamDiscoveredAccountsInput{IpamResourceDiscoveryId: &id, DiscoveryRegion: aws.String("us-east-1")})
		total := 0
		for p.HasMorePages() {
			out, err := p.NextPage(b.Context())
			if err != nil {
				b.Fatal(err)
			}
			total += len(out.IpamDiscoveredAccounts)
		}
		if total != n+1 {
			b.Fatal(fmt.Sprint(total))
		}
	}
}

func TestDescribeRegions(t *testing.T) {
	_, c := startServer(t)
	ctx := t.Context()
	out := must[*ec2.DescribeRegionsOutput](t)(c.ec2.DescribeRegions(ctx, &ec2.DescribeRegionsInput{}))
	var names []string
	for _, r := range out.Regions {
		names = append(names, *r.RegionName)
		if *r.OptInStatus != "opt-in-not-required" || *r.Endpoint != "ec2."+*r.RegionName+".amazonaws.com" {
			t.Fatalf("region = %+v", r)
		}
	}
	for _, want := range []string{"us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-1", "ap-northeast-1"} {
		if !slices.Contains(names, want) {
			t.Fatalf("%s missing from %v", want, names)
		}
	}
	if !slices.Equal(names, awstest.Regions()) {
		t.Fatalf("DescribeRegions %v, Regions() %v", names, awstest.Regions())
	}
	all := must[*ec2.DescribeRegionsOutput](t)(c.ec2.DescribeRegions(ctx, &ec2.DescribeRegionsInput{AllRegions: aws.Bool(true)}))
	if len(all.Regions) <= len(out.Regions) {
		t.Fatal("AllRegions lists no opt-in Region")
	}
	one := must[*ec2.DescribeRegionsOutput](t)(c.ec2.DescribeRegions(ctx, &ec2.DescribeRegionsInput{
		Filters: []ec2types.Filter{{Name: aws.String("region-name"), Values: []string{"eu-west-1"}}},
	}))
	if len(one.Regions) != 1 {
		t.Fatalf("filtered = %+v", one.Regions)
	}
	_, err := c.ec2.DescribeRegions(ctx, &ec2.DescribeRegionsInput{RegionNames: []string{"mars-north-1"}})
	wantCode(t, err, "InvalidParameterValue")
	_, err = c.ec2.DescribeRegions(ctx, &ec2.DescribeRegionsInput{DryRun: aws.Bool(true)})
	wantCode(t, err, "DryRunOperation")
}

func TestFaultsOnIpamOperations(t *testing.T) {
	srv, c := startServer(t)
	ctx := t.Context()
	for _, op := range []string{"CreateIpam", "DescribeIpams", "DeleteIpam", "DescribeIpamResourceDiscoveries", "GetIpamDiscoveredAccounts", "DescribeRegions"} {
		srv.InjectFault(op, awstest.Fault{Code: awstest.CodeThrottle, Count: 1})
	}
	_, err := c.ec2.CreateIpam(ctx, &ec2.CreateIpamInput{})
	wantCode(t, err, "RequestLimitExceeded")
	wantStatus(t, err, http.StatusServiceUnavailable)
	ip := createIPAM(t, c)
	for name, call := range map[string]func() error{
		"DescribeIpams": func() error { _, err := c.ec2.DescribeIpams(ctx, &ec2.DescribeIpamsInput{}); return err },
		"DeleteIpam":    func() error { _, err := c.ec2.DeleteIpam(ctx, &ec2.DeleteIpamInput{IpamId: ip.IpamId}); return err },
		"DescribeIpamResourceDiscoveries": func() error {
			_, err := c.ec2.DescribeIpamResourceDiscoveries(ctx, &ec2.DescribeIpamResourceDiscoveriesInput{})
			return err
		},
		"GetIpamDiscoveredAccounts": func() error {
			_, err := c.ec2.GetIpamDiscoveredAccounts(ctx, &ec2.GetIpamDiscoveredAccountsInput{IpamResourceDiscoveryId: ip.DefaultResourceDiscoveryId, DiscoveryRegion: aws.String("us-east-1")})
			return err
		},
		"DescribeRegions": func() error { _, err := c.ec2.DescribeRegions(ctx, &ec2.DescribeRegionsInput{}); return err },
	} {
		wantCode(t, call(), "RequestLimitExceeded")
		if name == "DeleteIpam" && len(srv.Snapshot().IPAMs) != 1 {
			t.Fatal("a faulted DeleteIpam deleted")
		}
	}
}

func TestStartWithIPAMs(t *testing.T) {
	org := awstest.DefaultOrganization()
	org.IPAMDelegatedAdmin = member1
	emu := awstest.New(awstest.WithOrganization(org), awstest.WithDiscoveryLag(time.Hour), awstest.WithIPAMs(
		awstest.IPAMSpec{Owner: member1, Tier: awstest.TierFree},
		awstest.IPAMSpec{Owner: member2, Region: "eu-west-1", OwnAccountOnly: true},
	))
	st := emu.Snapshot()
	if len(st.IPAMs) != 2 || !st.IPAMs[0].OrganizationWide || st.IPAMs[0].Tier != "free" || st.IPAMs[1].OrganizationWide || st.IPAMs[1].Region != "eu-west-1" {
		t.Fatalf("IPAMs = %+v", st.IPAMs)
	}
	// Discovered from the start, whatever the lag.
	if got := discovered(t, memClients(t, emu, member1), st.IPAMs[0].ResourceDiscoveryID, "us-east-1"); len(got) != 3 {
		t.Fatalf("discovered %d", len(got))
	}
	id, err := emu.PutIPAM(awstest.IPAMSpec{Owner: mgmt, Region: "us-west-2"})
	if err != nil || len(emu.Snapshot().IPAMsOf(mgmt)) != 1 || !emu.Snapshot().HasRole(mgmt, awstest.IPAMRoleName) {
		t.Fatalf("PutIPAM: %s %v", id, err)
	}
	if _, err := emu.PutIPAM(awstest.IPAMSpec{Owner: mgmt, Region: "us-west-2"}); err == nil {
		t.Fatal("a second IPAM in the Region was put")
	}
	if !emu.RemoveIPAM(id) || emu.RemoveIPAM(id) || len(emu.Snapshot().IPAMs) != 2 {
		t.Fatal("RemoveIPAM")
	}
	emu.Reset()
	if got := emu.Snapshot(); len(got.IPAMs) != 2 || got.IPAMs[0].ID != st.IPAMs[0].ID {
		t.Fatalf("after Reset: %+v", got.IPAMs)
	}
}

package awstest_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/ipamorg/sdk/awsclient/awstest"
)

const (
	sandboxAcct = "444444444444"
	nestedAcct  = "555555555555"
	workAcct    = "666666666666"
)

// sandboxOrganization has the IPAM admin (member1) inside Sandbox, another
// account in Sandbox, one in Sandbox/Nested and one in Workloads.
func sandboxOrganization() awstest.Organization {
	return awstest.Organization{
		ManagementAccount: awstest.Account{ID: mgmt},
		OUs:               []string{"Sandbox/Nested", "Workloads", "Other"},
		Members: []awstest.Account{
			{ID: member1, OU: "Sandbox"},
			{ID: sandboxAcct, OU: "Sandbox"},
			{ID: nestedAcct, OU: "Sandbox/Nested"},
			{ID: workAcct, OU: "Workloads"},
		},
		IPAMDelegatedAdmin: member1,
	}
}

func entityPath(t *testing.T, emu *awstest.Emulator, ou string) string {
	t.Helper()
	return must[string](t)(emu.OUEntityPath(ou))
}

func discoveredIDs(t *testing.T, c clients, discoveryID string) []string {
	t.Helper()
	var ids []string
	for _, a := range discovered(t, c, discoveryID, "us-east-1") {
		ids = append(ids, aws.ToString(a.AccountId))
	}
	return ids
}

func exclusionPaths(d *ec2types.IpamResourceDiscovery) []string {
	var out []string
	for _, x := range d.OrganizationalUnitExclusions {
		out = append(out, aws.ToString(x.OrganizationsEntityPath))
	}
	return out
}

func modifyExclusions(t *testing.T, c clients, id string, add, remove []string) (*ec2.ModifyIpamResourceDiscoveryOutput, error) {
	in := &ec2.ModifyIpamResourceDiscoveryInput{IpamResourceDiscoveryId: aws.String(id)}
	for _, p := range add {
		in.AddOrganizationalUnitExclusions = append(in.AddOrganizationalUnitExclusions, ec2types.AddIpamOrganizationalUnitExclusion{OrganizationsEntityPath: aws.String(p)})
	}
	for _, p := range remove {
		in.RemoveOrganizationalUnitExclusions = append(in.RemoveOrganizationalUnitExclusions, ec2types.RemoveIpamOrganizationalUnitExclusion{OrganizationsEntityPath: aws.String(p)})
	}
	return c.ec2.ModifyIpamResourceDiscovery(t.Context(), in)
}

// Exclusions added and removed with ModifyIpamResourceDiscovery show at once
// in DescribeIpamResourceDiscoveries and one discovery lag later in
// discovery; the admin is never excluded; "/" excludes one OU's accounts,
// "/*" the OUs below too.
func TestOUExclusionsHonouredByDiscovery(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu := awstest.New(awstest.WithOrganization(sandboxOrganization()), awstest.WithDiscoveryLag(time.Minute))
		admin := memClients(t, emu, member1)
		disco := *createIPAM(t, admin).DefaultResourceDiscoveryId
		time.Sleep(time.Minute)
		all := []string{mgmt, member1, sandboxAcct, nestedAcct, workAcct}
		if got := discoveredIDs(t, admin, disco); !slices.Equal(got, all) {
			t.Fatalf("before any exclusion: %v", got)
		}
		sandbox := entityPath(t, emu, "Sandbox")

		out := must[*ec2.ModifyIpamResourceDiscoveryOutput](t)(modifyExclusions(t, admin, disco, []string{sandbox}, nil))
		if got := exclusionPaths(out.IpamResourceDiscovery); !slices.Equal(got, []string{sandbox}) ||
			out.IpamResourceDiscovery.State != ec2types.IpamResourceDiscoveryStateModifyInProgress {
			t.Fatalf("modified = %v %s", got, out.IpamResourceDiscovery.State)
		}
		if got := exclusionPaths(discoveryOf(t, admin, disco)); !slices.Equal(got, []string{sandbox}) {
			t.Fatalf("described = %v", got)
		}
		if got := discoveredIDs(t, admin, disco); !slices.Equal(got, all) {
			t.Fatalf("excluded before the lag: %v", got)
		}
		time.Sleep(time.Minute)
		// The admin stays although it is in Sandbox; Sandbox/Nested is not
		// excluded by "Sandbox/".
		if got := discoveredIDs(t, admin, disco); !slices.Equal(got, []string{mgmt, member1, nestedAcct, workAcct}) {
			t.Fatalf("with Sandbox/ excluded: %v", got)
		}

		// One request: "/" out, "/*" in.
		must[*ec2.ModifyIpamResourceDiscoveryOutput](t)(modifyExclusions(t, admin, disco, []string{sandbox + "*"}, []string{sandbox}))
		time.Sleep(time.Minute)
		if got := discoveredIDs(t, admin, disco); !slices.Equal(got, []string{mgmt, member1, workAcct}) {
			t.Fatalf("with Sandbox/* excluded: %v", got)
		}
		if st, _ := emu.Snapshot().ResourceDiscovery(disco); !slices.Equal(st.Exclusions, []string{sandbox + "*"}) {
			t.Fatalf("state = %+v", st)
		}

		// Removed: back one lag later.
		must[*ec2.ModifyIpamResourceDiscoveryOutput](t)(modifyExclusions(t, admin, disco, nil, []string{sandbox + "*"}))
		if got := discoveredIDs(t, admin, disco); len(got) != 3 {
			t.Fatalf("back before the lag: %v", got)
		}
		time.Sleep(time.Minute)
		if got := discoveredIDs(t, admin, disco); !slices.Equal(got, all) {
			t.Fatalf("after the removal: %v", got)
		}
		if d := discoveryOf(t, admin, disco); len(d.OrganizationalUnitExclusions) != 0 || d.State != ec2types.IpamResourceDiscoveryStateModifyComplete {
			t.Fatalf("described = %+v", d)
		}
	})
}

// Paths are checked against the organization, with EC2's codes and
// statuses; nothing changes on a refused request.
func TestOUExclusionErrors(t *testing.T) {
	srv, c := startServer(t, awstest.WithOrganization(sandboxOrganization()), awstest.WithOUExclusionQuota(2))
	admin := as(srv, t, member1)
	disco := *createIPAM(t, admin).DefaultResourceDiscoveryId
	sandbox := must[string](t)(srv.OUEntityPath("Sandbox"))
	nested := must[string](t)(srv.OUEntityPath("Sandbox/Nested"))
	workloads := must[string](t)(srv.OUEntityPath("Workloads"))
	other := must[string](t)(srv.OUEntityPath("Other"))
	st := srv.Snapshot()
	root := st.OrganizationID + "/" + st.RootID + "/"
	nestedID := strings.TrimSuffix(strings.TrimPrefix(nested, sandbox), "/")

	must[*ec2.ModifyIpamResourceDiscoveryOutput](t)(modifyExclusions(t, admin, disco, []string{sandbox + "*"}, nil))
	for _, tc := range []struct {
		name        string
		add, remove []string
		code        string
	}{
		{"root only", []string{root}, nil, "InvalidParameterValue"},
		{"root and below", []string{root + "*"}, nil, "InvalidParameterValue"},
		{"no final slash", []string{strings.TrimSuffix(workloads, "/")}, nil, "InvalidParameterValue"},
		{"another organization", []string{"o-aaaaaaaaaa/" + st.RootID + "/" + strings.TrimPrefix(workloads, root)}, nil, "InvalidParameterValue"},
		{"not the OU's parent", []string{root + nestedID + "/"}, nil, "InvalidParameterValue"},
		{"unknown OU", []string{root + "ou-abcd-12345678/"}, nil, "InvalidParameterValue"},
		{"empty", []string{""}, nil, "InvalidParameterValue"},
		{"under an exclusion with /*", []string{nested}, nil, "InvalidParameterValue"},
		{"the same OU", []string{sandbox}, nil, "InvalidParameterValue"},
		{"twice in one request", []string{workloads, workloads + "*"}, nil, "InvalidParameterValue"},
		{"not an exclusion", nil, []string{workloads}, "InvalidParameterValue"},
		{"over the quota", []string{workloads, other}, nil, "ResourceLimitExceeded"},
		{"more than ten in one request", slices.Repeat([]string{workloads}, 11), nil, "InvalidParameterValue"},
		{"not the owner's", []string{workloads}, nil, "InvalidIpamResourceDiscoveryId.NotFound"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			caller := admin
			if tc.code == "InvalidIpamResourceDiscoveryId.NotFound" {
				caller = c
			}
			_, err := modifyExclusions(t, caller, disco, tc.add, tc.remove)
			wantCode(t, err, tc.code)
			wantStatus(t, err, http.StatusBadRequest)
			if got := exclusionPaths(discoveryOf(t, admin, disco)); !slices.Equal(got, []string{sandbox + "*"}) {
				t.Fatalf("exclusions changed to %v", got)
			}
		})
	}
	// The message terraform-provider-aws retries on while IPAM discovers
	// a new OU.
	_, err := modifyExclusions(t, admin, disco, []string{root + "ou-abcd-12345678/"}, nil)
	if ae := wantCode(t, err, "InvalidParameterValue"); !strings.Contains(ae.ErrorMessage(), "One or more of the organizations entity paths is invalid") {
		t.Errorf("message %q", ae.ErrorMessage())
	}
	// Within the quota: fine; a sibling of an exclusion does not overlap,
	// nor does a child OU under a "/" exclusion.
	must[*ec2.ModifyIpamResourceDiscoveryOutput](t)(modifyExclusions(t, admin, disco, []string{sandbox, nested + "*"}, []string{sandbox + "*"}))
	_, err = modifyExclusions(t, admin, disco, []string{other}, nil)
	wantCode(t, err, "ResourceLimitExceeded")

	// DryRun: 412 once valid, and nothing changes.
	_, err = admin.ec2.ModifyIpamResourceDiscovery(t.Context(), &ec2.ModifyIpamResourceDiscoveryInput{
		IpamResourceDiscoveryId: aws.String(disco), DryRun: aws.Bool(true),
		RemoveOrganizationalUnitExclusions: []ec2types.RemoveIpamOrganizationalUnitExclusion{{OrganizationsEntityPath: aws.String(sandbox)}},
	})
	wantCode(t, err, "DryRunOperation")
	wantStatus(t, err, http.StatusPreconditionFailed)
	if got := exclusionPaths(discoveryOf(t, admin, disco)); len(got) != 2 {
		t.Fatalf("the dry run changed the exclusions to %v", got)
	}

	// An IPAM that does not discover the organization takes no exclusion.
	own := *createIPAM(t, c).DefaultResourceDiscoveryId
	_, err = modifyExclusions(t, c, own, []string{workloads}, nil)
	wantCode(t, err, "OperationNotPermitted")
}

// The new operations refuse a request without their required parameters,
// which the SDK's own validation never sends.
func TestResourceDiscoveryMissingParameters(t *testing.T) {
	emu := awstest.New()
	for op, want := range map[string]string{
		"ModifyIpamResourceDiscovery":       "MissingParameter",
		"DeleteIpamResourceDiscovery":       "MissingParameter",
		"AssociateIpamResourceDiscovery":    "MissingParameter",
		"DisassociateIpamResourceDiscovery": "MissingParameter",
	} {
		r := post(t, emu, map[string]string{"Authorization": auth("ec2")}, "Action="+op+"&Version=2016-11-15")
		if got := ec2Error(t, r); got != want || r.status != http.StatusBadRequest {
			t.Errorf("%s: %d %s, want %s", op, r.status, got, want)
		}
	}
	if w := emu.Writes(); slices.ContainsFunc(w, func(r awstest.Request) bool { return r.Succeeded() }) {
		t.Fatalf("writes = %+v", w)
	}
}

// A scenario (or WithIPAMs, PutIPAM) starts with exclusions written as OU
// paths of names, in force from the start whatever the discovery lag.
func TestExclusionsFromTheStart(t *testing.T) {
	doc := `{
  "managementAccount": {"id": "111111111111"},
  "ous": ["Sandbox/Nested", "Workloads"],
  "members": [
    {"id": "222222222222", "ou": "Sandbox"},
    {"id": "444444444444", "ou": "Sandbox"},
    {"id": "555555555555", "ou": "Sandbox/Nested"},
    {"id": "666666666666", "ou": "Workloads"}
  ],
  "ipamDelegatedAdmin": "222222222222",
  "ipams": [{"owner": "222222222222", "exclusions": ["Sandbox/*"]}]
}`
	s := must[*awstest.Scenario](t)(awstest.DecodeScenario("x.json", strings.NewReader(doc)))
	emu := awstest.New(awstest.WithScenario(*s), awstest.WithDiscoveryLag(time.Hour))
	admin := memClients(t, emu, member1)
	st := emu.Snapshot()
	sandbox := entityPath(t, emu, "Sandbox")
	rd, ok := st.ResourceDiscovery(st.IPAMs[0].ResourceDiscoveryID)
	if !ok || !rd.IsDefault || rd.IPAMID != st.IPAMs[0].ID || !rd.OrganizationWide || !slices.Equal(rd.Exclusions, []string{sandbox + "*"}) {
		t.Fatalf("state = %+v", rd)
	}
	if got := discoveredIDs(t, admin, rd.ID); !slices.Equal(got, []string{mgmt, member1, workAcct}) {
		t.Fatalf("discovered = %v", got)
	}
	if got := exclusionPaths(discoveryOf(t, admin, rd.ID)); !slices.Equal(got, []string{sandbox + "*"}) {
		t.Fatalf("described = %v", got)
	}
	// Reset restores them.
	must[*ec2.ModifyIpamResourceDiscoveryOutput](t)(modifyExclusions(t, admin, rd.ID, nil, []string{sandbox + "*"}))
	emu.Reset()
	if rd, _ := emu.Snapshot().ResourceDiscovery(rd.ID); !slices.Equal(rd.Exclusions, []string{sandbox + "*"}) {
		t.Fatalf("after reset = %+v", rd)
	}

	// PutIPAM, in another Region, with a plain OU.
	id := must[string](t)(emu.PutIPAM(awstest.IPAMSpec{Owner: member1, Region: "eu-west-1", Exclusions: []string{"Sandbox"}}))
	for _, ip := range emu.Snapshot().IPAMs {
		if ip.ID == id {
			if rd, _ := emu.Snapshot().ResourceDiscovery(ip.ResourceDiscoveryID); !slices.Equal(rd.Exclusions, []string{sandbox}) {
				t.Fatalf("PutIPAM's = %+v", rd)
			}
		}
	}
	if _, err := emu.PutIPAM(awstest.IPAMSpec{Owner: mgmt, Exclusions: []string{"Sandbox"}}); err == nil || !strings.Contains(err.Error(), "exclusions need an IPAM of the IPAM delegated administrator") {
		t.Fatalf("PutIPAM by the management account: %v", err)
	}

	// SetOUExclusions takes what AWS may have kept: a deleted OU, a path
	// of another organization. Discovery ignores them.
	bogus := []string{"o-aaaaaaaaaa/r-aaaa/ou-aaaa-aaaaaaaa/", sandbox + "*", "nonsense"}
	must[any](t)(nil, emu.SetOUExclusions(rd.ID, bogus...))
	if got := exclusionPaths(discoveryOf(t, admin, rd.ID)); !slices.Equal(got, bogus) {
		t.Fatalf("described = %v", got)
	}
	if got := discoveredIDs(t, admin, rd.ID); !slices.Equal(got, []string{mgmt, member1, workAcct}) {
		t.Fatalf("discovered = %v", got)
	}
	if err := emu.SetOUExclusions("ipam-res-disco-0123456789abcdef0"); err == nil {
		t.Fatal("SetOUExclusions of an unknown resource discovery")
	}
	if _, err := emu.OUEntityPath("Nope"); err == nil {
		t.Fatal("OUEntityPath of an unknown OU")
	}
	if _, err := awstest.New(awstest.WithoutOrganization()).OUEntityPath("Sandbox"); err == nil {
		t.Fatal("OUEntityPath without an organization")
	}
}

func TestExclusionScenarioErrors(t *testing.T) {
	org := `"managementAccount": {"id": "111111111111"}, "ous": ["Sandbox/Nested", "Workloads"], "members": [{"id": "222222222222"}], "ipamDelegatedAdmin": "222222222222"`
	for _, tc := range []struct {
		name, doc, want string
	}{
		{"unknown OU", `{` + org + `, "ipams": [{"owner": "222222222222", "exclusions": ["Nope"]}]}`, `ipams[0].exclusions[0]: "Nope" names no OU`},
		{"entity path", `{` + org + `, "ipams": [{"owner": "222222222222", "exclusions": ["o-aaaaaaaaaa/r-aaaa/ou-aaaa-aaaaaaaa/"]}]}`, `ipams[0].exclusions[0]:`},
		{"trailing slash", `{` + org + `, "ipams": [{"owner": "222222222222", "exclusions": ["Sandbox/"]}]}`, `ipams[0].exclusions[0]:`},
		{"overlap", `{` + org + `, "ipams": [{"owner": "222222222222", "exclusions": ["Workloads", "Sandbox/*", "Sandbox/Nested"]}]}`, `ipams[0].exclusions[2]: "Sandbox/Nested" overlaps "Sandbox/*"`},
		{"not the admin", `{` + org + `, "ipams": [{"owner": "111111111111", "exclusions": ["Sandbox"]}]}`, `ipams[0].exclusions: exclusions need an IPAM of the IPAM delegated administrator`},
		{"own account only", `{` + org + `, "ipams": [{"owner": "222222222222", "ownAccountOnly": true, "exclusions": ["Sandbox"]}]}`, `ipams[0].exclusions:`},
		{"no organization", `{"noOrganization": true, "ipams": [{"owner": "222222222222", "exclusions": ["Sandbox"]}]}`, `ipams[0].exclusions: exclusions need an organization`},
		{"wrong type", `{` + org + `, "ipams": [{"owner": "222222222222", "exclusions": "Sandbox"}]}`, `ipams.exclusions: a JSON string where an array is expected`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := awstest.DecodeScenario("x.json", strings.NewReader(tc.doc))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
		})
	}
	// The quota counts too.
	s := awstest.Scenario{Organization: sandboxOrganization(), IPAMs: []awstest.IPAMSpec{{Owner: member1, Exclusions: []string{"Sandbox", "Workloads"}}}}
	defer func() {
		if v := recover(); v == nil || !strings.Contains(fmt.Sprint(v), "the quota is 1") {
			t.Fatalf("New over the quota: %v", v)
		}
	}()
	awstest.New(awstest.WithScenario(s), awstest.WithOUExclusionQuota(1))
}

package awstest_test

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/ipamorg/sdk/awsclient/awstest"
)

var sampleScenario = filepath.Join("..", "..", "examples", "emulator", "organization.json")

func TestSampleScenario(t *testing.T) {
	s, err := awstest.LoadScenario(sampleScenario)
	if err != nil {
		t.Fatal(err)
	}
	srv, c := startServer(t, awstest.WithScenario(*s))
	ctx := t.Context()
	st := srv.Snapshot()
	if st.DelegatedAdmins[ipam][0] != "222222222222" || st.HasRole("777777777777", awstest.IPAMRoleName) ||
		!st.HasRole("666666666666", awstest.IPAMRoleName) || st.HasRole("666666666666", awstest.OrganizationAccessRoleName) ||
		st.HasRole("888888888888", awstest.IPAMRoleName) || st.DelegatedAdmins["config.amazonaws.com"][0] != "333333333333" {
		t.Fatalf("state = %+v", st)
	}
	root := rootID(t, c)
	if got := ouNames(childOUs(t, c, root)); !slices.Equal(got, []string{"Infrastructure", "Security", "Workloads", "Sandbox", "Suspended"}) {
		t.Fatalf("top-level OUs = %v", got)
	}
	_, err = c.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN("666666666666", awstest.OrganizationAccessRoleName)), RoleSessionName: aws.String("sweep")})
	wantCode(t, err, "AccessDenied")

	// The network account's IPAM excludes Sandbox and the OUs below it,
	// and reports assume-role-failure for the account without the role,
	// as docs/emulator.md says.
	ips := st.IPAMsOf("222222222222")
	if len(ips) != 1 || !ips[0].OrganizationWide {
		t.Fatalf("IPAMs = %+v", st.IPAMs)
	}
	rd, _ := st.ResourceDiscovery(ips[0].ResourceDiscoveryID)
	if sandbox := must[string](t)(srv.OUEntityPath("Sandbox")); !slices.Equal(rd.Exclusions, []string{sandbox + "*"}) {
		t.Fatalf("exclusions = %v", rd.Exclusions)
	}
	for _, region := range []string{"us-east-1", "eu-west-1"} {
		var ids []string
		failed := map[string]string{}
		for _, a := range discovered(t, as(srv, t, "222222222222"), rd.ID, region) {
			ids = append(ids, *a.AccountId)
			if a.FailureReason != nil {
				failed[*a.AccountId] = string(a.FailureReason.Code)
			}
		}
		if !slices.Equal(ids, []string{"111111111111", "222222222222", "333333333333", "444444444444", "555555555555", "666666666666", "777777777777"}) ||
			len(failed) != 1 || failed["777777777777"] != "assume-role-failure" {
			t.Fatalf("%s: discovered %v, failed %v", region, ids, failed)
		}
	}
}

func TestScenarioErrors(t *testing.T) {
	for _, tc := range []struct {
		name, doc, want string
	}{
		{"empty", ``, "x.json: empty file"},
		{"syntax", "{\n  \"managementAccount\": {\"id\": \"111111111111\"},\n  \"members\": [,]\n}", "x.json:3:15: invalid character ','"},
		{"unknown field", "{\n \"managementAccount\": {\"id\": \"111111111111\"},\n \"member\": []\n}", `x.json:3:2: unknown field "member"`},
		{"wrong type", `{"managementAccount": {"id": 111111111111}}`, "x.json:1:42: managementAccount.id: a JSON number where a string is expected"},
		{"trailing data", `{"managementAccount": {"id": "111111111111"}} {}`, "x.json:1:47: data after"},
		{"no management account", `{"members": [{"id": "222222222222"}]}`, "x.json: managementAccount.id: required"},
		{"bad id", `{"managementAccount": {"id": "111111111111"}, "members": [{"id": "222222222222"}, {"id": "33"}]}`, `x.json: members[1].id: "33" is not a 12-digit account id`},
		{"bad status", `{"managementAccount": {"id": "111111111111"}, "members": [{"id": "222222222222", "status": "GONE"}]}`, `members[0].status: "GONE" is neither ACTIVE nor SUSPENDED`},
		{"bad OU", `{"managementAccount": {"id": "111111111111"}, "members": [{"id": "222222222222", "ou": "A//B"}]}`, `members[0].ou: "A//B": OU names`},
		{"deep OU", `{"managementAccount": {"id": "111111111111"}, "ous": ["a/b/c/d/e/f"]}`, `ous[0]: "a/b/c/d/e/f" is 6 levels deep`},
		{"admin not a member", `{"managementAccount": {"id": "111111111111"}, "ipamDelegatedAdmin": "111111111111"}`, "ipamDelegatedAdmin: 111111111111 is not an active member account"},
		{"unknown principal", `{"managementAccount": {"id": "111111111111"}, "trustedServices": ["nope.amazonaws.com"]}`, `trustedServices[0]: "nope.amazonaws.com" is not a service principal`},
		{"admin without trust", `{"managementAccount": {"id": "111111111111"}, "members": [{"id": "222222222222"}], "delegatedAdmins": {"config.amazonaws.com": ["222222222222"]}}`, `delegatedAdmins["config.amazonaws.com"]: config.amazonaws.com has no trusted access`},
		{"two IPAMs", `{"managementAccount": {"id": "111111111111"}, "ipams": [{"owner": "111111111111"}, {"owner": "111111111111", "region": "us-east-1"}]}`, "ipams[1]: account 111111111111 already has an IPAM in us-east-1"},
		{"bad IPAM region", `{"managementAccount": {"id": "111111111111"}, "ipams": [{"owner": "111111111111", "region": "af-south-1"}]}`, `ipams[0].region: "af-south-1" is not an enabled Region`},
		{"home region", `{"managementAccount": {"id": "111111111111"}, "ipams": [{"owner": "111111111111", "operatingRegions": ["eu-west-1"]}]}`, "ipams[0].operatingRegions: must include the home Region us-east-1"},
		{"both", `{"noOrganization": true, "managementAccount": {"id": "111111111111"}}`, "noOrganization: an organization is described too"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := awstest.DecodeScenario("x.json", strings.NewReader(tc.doc))
			var se *awstest.SpecError
			if !errors.As(err, &se) || se.File != "x.json" {
				t.Fatalf("got %v, want a *SpecError for x.json", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %q, want it to contain %q", err, tc.want)
			}
		})
	}
	if _, err := awstest.LoadScenario(filepath.Join(t.TempDir(), "missing.json")); err == nil || !strings.Contains(err.Error(), "missing.json") {
		t.Fatalf("missing file: %v", err)
	}
}

func TestScenarioWithoutOrganization(t *testing.T) {
	s, err := awstest.DecodeScenario("x.json", strings.NewReader(`{"noOrganization": true, "ipams": [{"owner": "123456789012"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	emu := awstest.New(awstest.WithScenario(*s))
	if st := emu.Snapshot(); st.OrganizationID != "" || len(st.IPAMsOf("123456789012")) != 1 {
		t.Fatalf("state = %+v", st)
	}
}

// FuzzScenario feeds arbitrary documents to the scenario decoder: it never
// panics, and whatever it accepts New accepts too. Seeds are in
// testdata/fuzz/FuzzScenario.
func FuzzScenario(f *testing.F) {
	f.Add([]byte(`{"managementAccount": {"id": "111111111111"}}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		s, err := awstest.DecodeScenario("fuzz.json", strings.NewReader(string(doc)))
		if err != nil {
			var se *awstest.SpecError
			if !errors.As(err, &se) || se.File != "fuzz.json" || se.Reason == "" {
				t.Fatalf("error %v is not a *SpecError naming the file", err)
			}
			return
		}
		if len(s.Members) > 1000 {
			return // big but valid: not worth building per input
		}
		awstest.New(awstest.WithScenario(*s))
	})
}

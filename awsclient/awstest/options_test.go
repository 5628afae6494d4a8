package awstest_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/ipamorg/sdk/awsclient/awstest"
)

func TestTenThousandMembers(t *testing.T) {
	emu := awstest.New(awstest.WithMembers(10_000))
	c := memClients(t, emu, mgmt)
	ctx := t.Context()
	must[any](t)(enableIPAM(ctx, c, "200000000001"))
	if got := len(emu.Snapshot().IPAMRoleAccounts()); got != 10_001 {
		t.Fatalf("IPAM role in %d accounts, want 10001", got)
	}
	must[*iamGetRoleOutput](t)(getRole(ctx, memClients(t, emu, "200000010000"), awstest.IPAMRoleName))
	out := must[*organizations.DescribeAccountOutput](t)(c.org.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String("200000010000")}))
	if aws.ToString(out.Account.Name) != "member-10000" {
		t.Fatalf("account = %+v", out.Account)
	}
	page := must[*organizations.ListAccountsOutput](t)(c.org.ListAccounts(ctx, &organizations.ListAccountsInput{}))
	if len(page.Accounts) != 20 || page.NextToken == nil {
		t.Fatalf("first page: %d accounts", len(page.Accounts))
	}
}

func TestInvalidOptionsPanic(t *testing.T) {
	for name, org := range map[string]awstest.Organization{
		"duplicate id":     {ManagementAccount: awstest.Account{ID: mgmt}, Members: []awstest.Account{{ID: mgmt}}},
		"malformed id":     {ManagementAccount: awstest.Account{ID: "1"}},
		"bad status":       {ManagementAccount: awstest.Account{ID: mgmt}, Members: []awstest.Account{{ID: member1, Status: "GONE"}}},
		"bad feature set":  {ManagementAccount: awstest.Account{ID: mgmt}, FeatureSet: "SOME"},
		"admin not member": {ManagementAccount: awstest.Account{ID: mgmt}, IPAMDelegatedAdmin: mgmt},
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if v := recover(); v == nil || !strings.HasPrefix(v.(string), "awstest: ") {
					t.Fatalf("recovered %v, want an awstest panic", v)
				}
			}()
			awstest.New(awstest.WithOrganization(org))
		})
	}
}

func TestDefaults(t *testing.T) {
	org := awstest.DefaultOrganization()
	if org.ManagementAccount.ID != "111111111111" || len(org.Members) != 2 ||
		org.Members[0].ID != "222222222222" || org.Members[1].ID != "333333333333" || org.FeatureSet != "ALL" {
		t.Fatalf("default organization = %+v", org)
	}
	st := awstest.New().Snapshot()
	if st.ManagementAccountID != mgmt || len(st.TrustedServices) != 0 || len(st.DelegatedAdmins) != 0 || len(st.IPAMRoleAccounts()) != 0 {
		t.Fatalf("default state = %+v", st)
	}
	// Organizations creates OrganizationAccountAccessRole in the members it
	// creates, not in the management account.
	for _, a := range []string{member1, member2} {
		if !st.HasRole(a, awstest.OrganizationAccessRoleName) {
			t.Fatalf("%s lacks OrganizationAccountAccessRole", a)
		}
	}
	if st.HasRole(mgmt, awstest.OrganizationAccessRoleName) {
		t.Fatal("the management account has OrganizationAccountAccessRole")
	}
	srv := awstest.NewServer()
	defer srv.Close()
	cfg := srv.Config(t.Context(), member1)
	creds, err := cfg.Credentials.Retrieve(t.Context())
	if err != nil || creds.AccessKeyID != member1 || cfg.Region != "us-east-1" || aws.ToString(cfg.BaseEndpoint) != srv.URL || cfg.Retryer != nil {
		t.Fatalf("config = %+v, creds %+v (%v)", cfg, creds, err)
	}
	if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") {
		t.Fatalf("URL = %s", srv.URL)
	}
	srv.Close() // idempotent
}

package awstest_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/ipamorg/sdk/awsclient/awstest"
)

func TestDescribeOrganization(t *testing.T) {
	srv, c := startServer(t)
	ctx := t.Context()
	for _, acct := range []string{mgmt, member1} {
		out, err := as(srv, t, acct).org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
		if err != nil {
			t.Fatalf("%s: %v", acct, err)
		}
		o := out.Organization
		if aws.ToString(o.MasterAccountId) != mgmt || o.FeatureSet != orgtypes.OrganizationFeatureSetAll ||
			aws.ToString(o.MasterAccountEmail) != "management@example.com" ||
			aws.ToString(o.Arn) != "arn:aws:organizations::"+mgmt+":organization/"+aws.ToString(o.Id) {
			t.Fatalf("organization = %+v", o)
		}
	}
	// An account outside the organization.
	_, err := as(srv, t, "999999999999").org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	var notInUse *orgtypes.AWSOrganizationsNotInUseException
	if !errors.As(err, &notInUse) {
		t.Fatalf("outsider: got %v, want AWSOrganizationsNotInUseException", err)
	}
	_ = c
}

func TestDescribeAccountAndListAccounts(t *testing.T) {
	org := awstest.Organization{
		ManagementAccount: awstest.Account{ID: "100000000000", Name: "root", Email: "root@corp.example"},
		Members: []awstest.Account{
			{ID: "100000000001", Name: "dev", Email: "dev@corp.example"},
			{ID: "100000000002", Name: "old", Email: "old@corp.example", Status: awstest.StatusSuspended},
		},
	}
	srv := awstest.NewServer(awstest.WithOrganization(org))
	defer srv.Close()
	ctx := t.Context()
	c := as(srv, t, "100000000000")

	out := must[*organizations.DescribeAccountOutput](t)(c.org.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String("100000000002")}))
	a := out.Account
	if aws.ToString(a.Name) != "old" || aws.ToString(a.Email) != "old@corp.example" || a.Status != orgtypes.AccountStatusSuspended ||
		a.JoinedTimestamp == nil || a.JoinedTimestamp.IsZero() {
		t.Fatalf("account = %+v", a)
	}

	_, err := c.org.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String("999999999999")})
	var notFound *orgtypes.AccountNotFoundException
	if !errors.As(err, &notFound) {
		t.Fatalf("got %v, want AccountNotFoundException", err)
	}
	_, err = c.org.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String("12")})
	var invalid *orgtypes.InvalidInputException
	if !errors.As(err, &invalid) || invalid.Reason != orgtypes.InvalidInputExceptionReasonInvalidPattern {
		t.Fatalf("got %v, want InvalidInputException INVALID_PATTERN", err)
	}

	_, err = as(srv, t, "100000000001").org.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String("100000000002")})
	var denied *orgtypes.AccessDeniedException
	if !errors.As(err, &denied) {
		t.Fatalf("member: got %v, want AccessDeniedException", err)
	}
	_, err = as(srv, t, "100000000001").org.ListAccounts(ctx, &organizations.ListAccountsInput{})
	if !errors.As(err, &denied) {
		t.Fatalf("member ListAccounts: got %v, want AccessDeniedException", err)
	}

	list := must[*organizations.ListAccountsOutput](t)(c.org.ListAccounts(ctx, &organizations.ListAccountsInput{}))
	var ids []string
	for _, a := range list.Accounts {
		ids = append(ids, aws.ToString(a.Id))
	}
	if !slices.Equal(ids, []string{"100000000000", "100000000001", "100000000002"}) || list.NextToken != nil {
		t.Fatalf("ListAccounts = %v, next %v", ids, list.NextToken)
	}
}

func TestListAccountsPagination(t *testing.T) {
	srv, c := startServer(t, awstest.WithMembers(45))
	ctx := t.Context()
	var pages, total int
	seen := map[string]bool{}
	p := organizations.NewListAccountsPaginator(c.org, &organizations.ListAccountsInput{})
	for p.HasMorePages() {
		out := must[*organizations.ListAccountsOutput](t)(p.NextPage(ctx))
		pages++
		if len(out.Accounts) > 20 {
			t.Fatalf("page of %d accounts, want at most 20", len(out.Accounts))
		}
		for _, a := range out.Accounts {
			seen[aws.ToString(a.Id)] = true
			total++
		}
	}
	if pages != 3 || total != 46 || len(seen) != 46 {
		t.Fatalf("pages=%d total=%d distinct=%d, want 3, 46, 46", pages, total, len(seen))
	}

	out := must[*organizations.ListAccountsOutput](t)(c.org.ListAccounts(ctx, &organizations.ListAccountsInput{MaxResults: aws.Int32(7)}))
	if len(out.Accounts) != 7 || out.NextToken == nil {
		t.Fatalf("MaxResults 7: %d accounts, next %v", len(out.Accounts), out.NextToken)
	}

	var invalid *orgtypes.InvalidInputException
	_, err := c.org.ListAccounts(ctx, &organizations.ListAccountsInput{MaxResults: aws.Int32(21)})
	if !errors.As(err, &invalid) || invalid.Reason != orgtypes.InvalidInputExceptionReasonMaxValueExceeded {
		t.Fatalf("MaxResults 21: got %v", err)
	}
	_, err = c.org.ListAccounts(ctx, &organizations.ListAccountsInput{NextToken: aws.String("garbage")})
	if !errors.As(err, &invalid) || invalid.Reason != orgtypes.InvalidInputExceptionReasonInvalidPaginationToken {
		t.Fatalf("bad token: got %v", err)
	}
	// A token of one list is refused by another.
	_, err = c.org.ListDelegatedAdministrators(ctx, &organizations.ListDelegatedAdministratorsInput{NextToken: out.NextToken})
	if !errors.As(err, &invalid) {
		t.Fatalf("foreign token: got %v", err)
	}

	// Lists of delegated admins and trusted services page the same way.
	var ids []string
	for _, a := range awstest.GenerateOrganization(25).Members {
		ids = append(ids, a.ID)
	}
	srv2, c2 := startServer(t, awstest.WithMembers(25))
	srv2.SetDelegatedAdmins("config.amazonaws.com", ids...)
	for i := range 23 {
		srv2.SetTrustedAccess(string(rune('a'+i))+"x.amazonaws.com", true)
	}
	if got := listAdmins(t, c2, "config.amazonaws.com"); !slices.Equal(got, ids) {
		t.Fatalf("admins = %v", got)
	}
	if got := listTrusted(t, c2); len(got) != 23 {
		t.Fatalf("trusted = %d services, want 23", len(got))
	}
	_ = srv
}

func TestServiceAccessWrongPath(t *testing.T) {
	srv, c := startServer(t)
	ctx := t.Context()
	in := &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String(ipam)}
	for range 2 { // idempotent
		must[*organizations.EnableAWSServiceAccessOutput](t)(c.org.EnableAWSServiceAccess(ctx, in))
	}
	st := srv.Snapshot()
	if _, ok := st.TrustedServices[ipam]; !ok {
		t.Fatalf("trusted access not enabled: %+v", st.TrustedServices)
	}
	if got := st.IPAMRoleAccounts(); len(got) != 0 {
		t.Fatalf("EnableAWSServiceAccess created IPAM roles in %v", got)
	}
	if got := listTrusted(t, c); !slices.Equal(got, []string{ipam}) {
		t.Fatalf("trusted = %v", got)
	}

	// RegisterDelegatedAdministrator: also no role.
	reg := &organizations.RegisterDelegatedAdministratorInput{AccountId: aws.String(member1), ServicePrincipal: aws.String(ipam)}
	must[*organizations.RegisterDelegatedAdministratorOutput](t)(c.org.RegisterDelegatedAdministrator(ctx, reg))
	if got := srv.Snapshot().IPAMRoleAccounts(); len(got) != 0 {
		t.Fatalf("RegisterDelegatedAdministrator created IPAM roles in %v", got)
	}
	list := must[*organizations.ListDelegatedAdministratorsOutput](t)(c.org.ListDelegatedAdministrators(ctx, &organizations.ListDelegatedAdministratorsInput{ServicePrincipal: aws.String(ipam)}))
	if len(list.DelegatedAdministrators) != 1 {
		t.Fatalf("admins = %+v", list.DelegatedAdministrators)
	}
	d := list.DelegatedAdministrators[0]
	if aws.ToString(d.Id) != member1 || d.DelegationEnabledDate == nil || time.Since(*d.DelegationEnabledDate) > time.Minute {
		t.Fatalf("admin = %+v", d)
	}
	if got := listAdmins(t, c, ""); !slices.Equal(got, []string{member1}) {
		t.Fatalf("unfiltered admins = %v", got)
	}
	if got := listAdmins(t, c, "config.amazonaws.com"); len(got) != 0 {
		t.Fatalf("other principal admins = %v", got)
	}

	var already *orgtypes.AccountAlreadyRegisteredException
	if _, err := c.org.RegisterDelegatedAdministrator(ctx, reg); !errors.As(err, &already) {
		t.Fatalf("again: got %v, want AccountAlreadyRegisteredException", err)
	}
	wantReason := func(err error, reason orgtypes.ConstraintViolationExceptionReason) {
		t.Helper()
		var cv *orgtypes.ConstraintViolationException
		if !errors.As(err, &cv) || cv.Reason != reason {
			t.Fatalf("got %v, want ConstraintViolationException %s", err, reason)
		}
		wantCode(t, err, "ConstraintViolationException")
	}
	_, err := c.org.RegisterDelegatedAdministrator(ctx, &organizations.RegisterDelegatedAdministratorInput{AccountId: aws.String(member2), ServicePrincipal: aws.String(ipam)})
	wantReason(err, orgtypes.ConstraintViolationExceptionReasonDelegatedAdministratorExistsForThisService)
	_, err = c.org.RegisterDelegatedAdministrator(ctx, &organizations.RegisterDelegatedAdministratorInput{AccountId: aws.String(mgmt), ServicePrincipal: aws.String(ipam)})
	wantReason(err, orgtypes.ConstraintViolationExceptionReasonCannotRegisterMasterAsDelegatedAdministrator)
	_, err = c.org.RegisterDelegatedAdministrator(ctx, &organizations.RegisterDelegatedAdministratorInput{AccountId: aws.String(member1), ServicePrincipal: aws.String("config.amazonaws.com")})
	wantReason(err, orgtypes.ConstraintViolationExceptionReasonServiceAccessNotEnabled)
	var notFound *orgtypes.AccountNotFoundException
	_, err = c.org.RegisterDelegatedAdministrator(ctx, &organizations.RegisterDelegatedAdministratorInput{AccountId: aws.String("999999999999"), ServicePrincipal: aws.String(ipam)})
	if !errors.As(err, &notFound) {
		t.Fatalf("outsider: got %v", err)
	}

	// Teardown order: trusted access cannot go while the admin is there.
	dis := &organizations.DisableAWSServiceAccessInput{ServicePrincipal: aws.String(ipam)}
	_, err = c.org.DisableAWSServiceAccess(ctx, dis)
	// Refused with the reason a captured AWS answer gave for
	// iam.amazonaws.com (docs/emulator.md#disable-with-admin).
	wantReason(err, orgtypes.ConstraintViolationExceptionReasonDelegatedAdministratorExistsForThisService)

	dereg := &organizations.DeregisterDelegatedAdministratorInput{AccountId: aws.String(member1), ServicePrincipal: aws.String(ipam)}
	must[*organizations.DeregisterDelegatedAdministratorOutput](t)(c.org.DeregisterDelegatedAdministrator(ctx, dereg))
	var notReg *orgtypes.AccountNotRegisteredException
	if _, err := c.org.DeregisterDelegatedAdministrator(ctx, dereg); !errors.As(err, &notReg) {
		t.Fatalf("deregister again: got %v", err)
	}
	for range 2 { // idempotent
		must[*organizations.DisableAWSServiceAccessOutput](t)(c.org.DisableAWSServiceAccess(ctx, dis))
	}
	if st := srv.Snapshot(); len(st.TrustedServices) != 0 || len(st.DelegatedAdmins) != 0 {
		t.Fatalf("after teardown: %+v", st)
	}

	var invalid *orgtypes.InvalidInputException
	_, err = c.org.EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("not a principal")})
	if !errors.As(err, &invalid) || invalid.Reason != orgtypes.InvalidInputExceptionReasonUnrecognizedServicePrincipal {
		t.Fatalf("bad principal: got %v", err)
	}
}

func TestSuspendedAccountCannotBeAdmin(t *testing.T) {
	org := awstest.DefaultOrganization()
	org.Members[1].Status = awstest.StatusSuspended
	srv, c := startServer(t, awstest.WithOrganization(org))
	ctx := t.Context()
	srv.SetTrustedAccess(ipam, true)
	_, err := c.org.RegisterDelegatedAdministrator(ctx, &organizations.RegisterDelegatedAdministratorInput{AccountId: aws.String(member2), ServicePrincipal: aws.String(ipam)})
	var cv *orgtypes.ConstraintViolationException
	if !errors.As(err, &cv) || cv.Reason != orgtypes.ConstraintViolationExceptionReasonCannotRegisterSuspendedAccountAsDelegatedAdministrator {
		t.Fatalf("got %v", err)
	}
	wantCode(t, func() error { _, err := enableIPAM(ctx, c, member2); return err }(), "InvalidParameterValue")
	must[any](t)(enableIPAM(ctx, c, member1))
	if got := srv.Snapshot().IPAMRoleAccounts(); !slices.Equal(got, []string{mgmt, member1}) {
		t.Fatalf("IPAM roles in %v, want management and the active member only", got)
	}
}

func TestManagementOnlyOrganizationsAPIs(t *testing.T) {
	srv, _ := startServer(t)
	ctx := t.Context()
	m := as(srv, t, member1)
	p := aws.String(ipam)
	calls := map[string]func() error{
		"DescribeAccount": func() error {
			_, err := m.org.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(member1)})
			return err
		},
		"ListAccounts": func() error { _, err := m.org.ListAccounts(ctx, &organizations.ListAccountsInput{}); return err },
		"ListAWSServiceAccessForOrganization": func() error {
			_, err := m.org.ListAWSServiceAccessForOrganization(ctx, &organizations.ListAWSServiceAccessForOrganizationInput{})
			return err
		},
		"EnableAWSServiceAccess": func() error {
			_, err := m.org.EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: p})
			return err
		},
		"DisableAWSServiceAccess": func() error {
			_, err := m.org.DisableAWSServiceAccess(ctx, &organizations.DisableAWSServiceAccessInput{ServicePrincipal: p})
			return err
		},
		"ListDelegatedAdministrators": func() error {
			_, err := m.org.ListDelegatedAdministrators(ctx, &organizations.ListDelegatedAdministratorsInput{})
			return err
		},
		"RegisterDelegatedAdministrator": func() error {
			_, err := m.org.RegisterDelegatedAdministrator(ctx, &organizations.RegisterDelegatedAdministratorInput{AccountId: aws.String(member2), ServicePrincipal: p})
			return err
		},
		"DeregisterDelegatedAdministrator": func() error {
			_, err := m.org.DeregisterDelegatedAdministrator(ctx, &organizations.DeregisterDelegatedAdministratorInput{AccountId: aws.String(member2), ServicePrincipal: p})
			return err
		},
	}
	for name, call := range calls {
		err := call()
		var denied *orgtypes.AccessDeniedException
		if !errors.As(err, &denied) {
			t.Errorf("%s as member: got %v, want AccessDeniedException", name, err)
		}
	}
	if len(srv.Snapshot().TrustedServices) != 0 {
		t.Fatal("a refused call changed the state")
	}
}

// A member that is a delegated administrator may call the Organizations
// reads that AWS opens to delegated administrators, but still none of the
// management-only writes.
func TestDelegatedAdminReadsOrganizations(t *testing.T) {
	srv, c := startServer(t)
	ctx := t.Context()
	admin := as(srv, t, member1)
	must[any](t)(enableIPAM(ctx, c, member1))

	if got := listAdmins(t, admin, ipam); !slices.Equal(got, []string{member1}) {
		t.Errorf("admin lists admins %v", got)
	}
	if got := listTrusted(t, admin); !slices.Equal(got, []string{ipam}) {
		t.Errorf("admin lists trusted services %v", got)
	}
	must[*organizations.ListAccountsOutput](t)(admin.org.ListAccounts(ctx, &organizations.ListAccountsInput{}))
	must[*organizations.DescribeAccountOutput](t)(admin.org.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(member2)}))

	_, err := admin.org.DisableAWSServiceAccess(ctx, &organizations.DisableAWSServiceAccessInput{ServicePrincipal: aws.String(ipam)})
	wantCode(t, err, "AccessDeniedException")
	// The other member is no administrator: still denied.
	_, err = as(srv, t, member2).org.ListAccounts(ctx, &organizations.ListAccountsInput{})
	wantCode(t, err, "AccessDeniedException")

	// Removed as admin, the member loses the reads again.
	must[any](t)(disableIPAM(ctx, c, member1))
	_, err = admin.org.ListAccounts(ctx, &organizations.ListAccountsInput{})
	wantCode(t, err, "AccessDeniedException")
}

func TestConsolidatedBillingOrganization(t *testing.T) {
	org := awstest.DefaultOrganization()
	org.FeatureSet = awstest.FeatureSetConsolidatedBilling
	srv, c := startServer(t, awstest.WithOrganization(org))
	ctx := t.Context()
	out := must[*organizations.DescribeOrganizationOutput](t)(c.org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{}))
	if out.Organization.FeatureSet != orgtypes.OrganizationFeatureSetConsolidatedBilling {
		t.Fatalf("feature set = %s", out.Organization.FeatureSet)
	}
	_, err := c.org.EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String(ipam)})
	var cv *orgtypes.ConstraintViolationException
	if !errors.As(err, &cv) || cv.Reason != orgtypes.ConstraintViolationExceptionReasonOrganizationNotInAllFeaturesMode {
		t.Fatalf("got %v, want ORGANIZATION_NOT_IN_ALL_FEATURES_MODE", err)
	}
	_, err = enableIPAM(ctx, c, member1)
	wantCode(t, err, "OperationNotPermitted")
	if len(srv.Writes()) != 2 || len(srv.Snapshot().TrustedServices) != 0 {
		t.Fatalf("writes=%v state=%+v", srv.Writes(), srv.Snapshot())
	}
}

func TestNoOrganization(t *testing.T) {
	srv, c := startServer(t, awstest.WithoutOrganization())
	ctx := t.Context()
	var notInUse *orgtypes.AWSOrganizationsNotInUseException
	if _, err := c.org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{}); !errors.As(err, &notInUse) {
		t.Fatalf("DescribeOrganization: got %v", err)
	}
	if _, err := c.org.ListAccounts(ctx, &organizations.ListAccountsInput{}); !errors.As(err, &notInUse) {
		t.Fatalf("ListAccounts: got %v", err)
	}
	if _, err := c.org.ListDelegatedAdministrators(ctx, &organizations.ListDelegatedAdministratorsInput{}); !errors.As(err, &notInUse) {
		t.Fatalf("ListDelegatedAdministrators: got %v", err)
	}
	_, err := enableIPAM(ctx, c, member1)
	wantCode(t, err, "OperationNotPermitted")
	// STS and IAM still work for a standalone account.
	id := must[*stsIdentity](t)(callerIdentity(t, c))
	if id.account != mgmt {
		t.Fatalf("caller = %+v", id)
	}
	_, err = getRole(ctx, c, awstest.OrganizationAccessRoleName)
	wantCode(t, err, "NoSuchEntity")
	if st := srv.Snapshot(); st.OrganizationID != "" {
		t.Fatalf("snapshot = %+v", st)
	}
}

// DisableAWSServiceAccess while the principal has a delegated
// administrator is refused with DELEGATED_ADMINISTRATOR_EXISTS_FOR_THIS_SERVICE
// for any principal (docs/emulator.md#disable-with-admin), and nothing
// changes; without the administrator it goes through.
func TestDisableAWSServiceAccessWithAdmin(t *testing.T) {
	const config = "config.amazonaws.com"
	org := awstest.DefaultOrganization()
	org.TrustedServices = []string{config}
	org.DelegatedAdmins = map[string][]string{config: {member2}}
	srv, c := startServer(t, awstest.WithOrganization(org))
	ctx := t.Context()
	dis := &organizations.DisableAWSServiceAccessInput{ServicePrincipal: aws.String(config)}
	_, err := c.org.DisableAWSServiceAccess(ctx, dis)
	var cv *orgtypes.ConstraintViolationException
	if !errors.As(err, &cv) || cv.Reason != orgtypes.ConstraintViolationExceptionReasonDelegatedAdministratorExistsForThisService {
		t.Fatalf("got %v, want ConstraintViolationException DELEGATED_ADMINISTRATOR_EXISTS_FOR_THIS_SERVICE", err)
	}
	if _, on := srv.Snapshot().TrustedServices[config]; !on {
		t.Fatal("trusted access was disabled")
	}
	must[*organizations.DeregisterDelegatedAdministratorOutput](t)(c.org.DeregisterDelegatedAdministrator(ctx,
		&organizations.DeregisterDelegatedAdministratorInput{AccountId: aws.String(member2), ServicePrincipal: aws.String(config)}))
	must[*organizations.DisableAWSServiceAccessOutput](t)(c.org.DisableAWSServiceAccess(ctx, dis))
	if _, on := srv.Snapshot().TrustedServices[config]; on {
		t.Fatal("trusted access still enabled")
	}
}

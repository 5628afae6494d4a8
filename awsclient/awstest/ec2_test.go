package awstest_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/ipamorg/sdk/awsclient/awstest"
)

func TestEnableIpamOrganizationAdminAccount(t *testing.T) {
	srv, c := startServer(t)
	ctx := t.Context()
	out, err := enableIPAM(ctx, c, member1)
	if err != nil || !aws.ToBool(out.Success) {
		t.Fatalf("enable: %v, %+v", err, out)
	}
	st := srv.Snapshot()
	if _, ok := st.TrustedServices[ipam]; !ok {
		t.Fatal("no trusted access for IPAM")
	}
	if !slices.Equal(st.DelegatedAdmins[ipam], []string{member1}) {
		t.Fatalf("admins = %v", st.DelegatedAdmins)
	}
	if got := st.IPAMRoleAccounts(); !slices.Equal(got, []string{mgmt, member1, member2}) {
		t.Fatalf("IPAM role in %v", got)
	}
	// The same through the APIs.
	if got := listAdmins(t, c, ipam); !slices.Equal(got, []string{member1}) {
		t.Fatalf("ListDelegatedAdministrators = %v", got)
	}
	if got := listTrusted(t, c); !slices.Equal(got, []string{ipam}) {
		t.Fatalf("ListAWSServiceAccessForOrganization = %v", got)
	}
	for _, acct := range []string{mgmt, member2} {
		r := must[*iamGetRoleOutput](t)(getRole(ctx, as(srv, t, acct), awstest.IPAMRoleName)).Role
		wantARN := "arn:aws:iam::" + acct + ":role/aws-service-role/ipam.amazonaws.com/AWSServiceRoleForIPAM"
		if aws.ToString(r.Arn) != wantARN || aws.ToString(r.Path) != awstest.IPAMRolePath {
			t.Fatalf("%s: role = %s %s", acct, aws.ToString(r.Arn), aws.ToString(r.Path))
		}
	}

	// The same admin again: success, and the roles that went missing are
	// created again (how users repair a broken integration); nothing else
	// changes.
	before := listAdmins(t, c, ipam)
	srv.DeleteIPAMRole(member2)
	out, err = enableIPAM(ctx, c, member1)
	if err != nil || !aws.ToBool(out.Success) {
		t.Fatalf("enable again: %v", err)
	}
	if !srv.Snapshot().HasRole(member2, awstest.IPAMRoleName) {
		t.Fatal("re-enabling the same admin did not recreate the missing role")
	}
	if got := listAdmins(t, c, ipam); !slices.Equal(got, before) {
		t.Fatalf("admins %v, want %v", got, before)
	}

	_, err = enableIPAM(ctx, c, member2)
	wantCode(t, err, "IpamOrganizationDelegatedAdminLimitExceeded")
	wantStatus(t, err, http.StatusBadRequest)
}

func TestEnableIpamOrganizationAdminAccountErrors(t *testing.T) {
	srv, _ := startServer(t)
	ctx := t.Context()
	for _, tc := range []struct {
		name, caller, target, code string
		status                     int
	}{
		{"member caller", member1, member2, "UnauthorizedOperation", http.StatusForbidden},
		{"outsider caller", "999999999999", member2, "OperationNotPermitted", http.StatusBadRequest},
		{"malformed target", mgmt, "12345", "InvalidParameterValue", http.StatusBadRequest},
		{"management target", mgmt, mgmt, "InvalidParameterValue", http.StatusBadRequest},
		{"outsider target", mgmt, "999999999999", "IpamOrganizationAccountNotFound", http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, dry := range []bool{false, true} {
				_, err := as(srv, t, tc.caller).ec2.EnableIpamOrganizationAdminAccount(ctx, &ec2.EnableIpamOrganizationAdminAccountInput{
					DelegatedAdminAccountId: aws.String(tc.target),
					DryRun:                  aws.Bool(dry),
				})
				wantCode(t, err, tc.code)
				wantStatus(t, err, tc.status)
			}
		})
	}
	if st := srv.Snapshot(); len(st.TrustedServices) != 0 || len(st.DelegatedAdmins) != 0 || len(st.IPAMRoleAccounts()) != 0 {
		t.Fatalf("refused calls changed the state: %+v", st)
	}
}

func TestIpamAdminDryRun(t *testing.T) {
	srv, c := startServer(t)
	ctx := t.Context()
	_, err := c.ec2.EnableIpamOrganizationAdminAccount(ctx, &ec2.EnableIpamOrganizationAdminAccountInput{
		DelegatedAdminAccountId: aws.String(member1), DryRun: aws.Bool(true),
	})
	wantCode(t, err, "DryRunOperation")
	wantStatus(t, err, http.StatusPreconditionFailed)
	if st := srv.Snapshot(); len(st.DelegatedAdmins) != 0 {
		t.Fatalf("dry run changed the state: %+v", st)
	}
	if w := srv.Writes(); len(w) != 0 {
		t.Fatalf("dry run counted as a write: %+v", w)
	}
	reqs := srv.Requests()
	if len(reqs) != 1 || !reqs[0].DryRun || reqs[0].Code != "DryRunOperation" || reqs[0].Status != http.StatusPreconditionFailed {
		t.Fatalf("audit = %+v", reqs)
	}

	must[any](t)(enableIPAM(ctx, c, member1))
	_, err = c.ec2.DisableIpamOrganizationAdminAccount(ctx, &ec2.DisableIpamOrganizationAdminAccountInput{
		DelegatedAdminAccountId: aws.String(member1), DryRun: aws.Bool(true),
	})
	wantCode(t, err, "DryRunOperation")
	_, err = c.ec2.DisableIpamOrganizationAdminAccount(ctx, &ec2.DisableIpamOrganizationAdminAccountInput{
		DelegatedAdminAccountId: aws.String(member2), DryRun: aws.Bool(true),
	})
	wantCode(t, err, "IpamOrganizationAccountNotRegistered")
	if !slices.Equal(srv.Snapshot().DelegatedAdmins[ipam], []string{member1}) {
		t.Fatal("dry run removed the admin")
	}
}

func TestDisableIpamOrganizationAdminAccount(t *testing.T) {
	srv, c := startServer(t)
	ctx := t.Context()
	_, err := disableIPAM(ctx, c, member1)
	wantCode(t, err, "IpamOrganizationAccountNotRegistered")

	must[any](t)(enableIPAM(ctx, c, member1))
	_, err = disableIPAM(ctx, as(srv, t, member1), member1)
	wantCode(t, err, "UnauthorizedOperation")
	_, err = disableIPAM(ctx, c, member2)
	wantCode(t, err, "IpamOrganizationAccountNotRegistered")
	_, err = disableIPAM(ctx, c, "abc")
	wantCode(t, err, "InvalidParameterValue")

	out, err := disableIPAM(ctx, c, member1)
	if err != nil || !aws.ToBool(out.Success) {
		t.Fatalf("disable: %v", err)
	}
	st := srv.Snapshot()
	if len(st.DelegatedAdmins[ipam]) != 0 {
		t.Fatalf("admin still registered: %v", st.DelegatedAdmins)
	}
	if _, ok := st.TrustedServices[ipam]; !ok {
		t.Fatal("disable removed trusted access; it must stay")
	}
	if len(st.IPAMRoleAccounts()) != 3 {
		t.Fatal("disable removed service-linked roles; they must stay")
	}
	// A different admin may now be designated.
	must[any](t)(enableIPAM(ctx, c, member2))
}

func TestStartIntegrated(t *testing.T) {
	org := awstest.DefaultOrganization()
	org.IPAMDelegatedAdmin = member2
	srv, c := startServer(t, awstest.WithOrganization(org), awstest.WithLag(3600e9, 3600e9))
	// Visible at once despite the lag: it is the starting point.
	if got := listAdmins(t, c, ipam); !slices.Equal(got, []string{member2}) {
		t.Fatalf("admins = %v", got)
	}
	must[*iamGetRoleOutput](t)(getRole(t.Context(), as(srv, t, member1), awstest.IPAMRoleName))
}

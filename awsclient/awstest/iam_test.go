package awstest_test

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/ipamorg/sdk/awsclient/awstest"
)

type iamGetRoleOutput = iam.GetRoleOutput

func TestGetRole(t *testing.T) {
	srv, c := startServer(t)
	ctx := t.Context()
	r := must[*iam.GetRoleOutput](t)(getRole(ctx, as(srv, t, member1), awstest.OrganizationAccessRoleName)).Role
	if aws.ToString(r.Path) != "/" || aws.ToString(r.Arn) != "arn:aws:iam::"+member1+":role/OrganizationAccountAccessRole" ||
		len(aws.ToString(r.RoleId)) < 16 || r.CreateDate == nil {
		t.Fatalf("role = %+v", r)
	}
	doc, err := url.QueryUnescape(aws.ToString(r.AssumeRolePolicyDocument))
	if err != nil || !strings.Contains(doc, "arn:aws:iam::"+mgmt+":root") {
		t.Fatalf("trust policy = %q (%v)", doc, err)
	}

	_, err = getRole(ctx, c, awstest.IPAMRoleName)
	var nse *iamtypes.NoSuchEntityException
	if !errors.As(err, &nse) {
		t.Fatalf("got %v, want NoSuchEntityException", err)
	}
	wantCode(t, err, "NoSuchEntity")
	wantStatus(t, err, http.StatusNotFound)

	_, err = getRole(ctx, c, "bad name!")
	wantCode(t, err, "ValidationError")

	srv.RemoveRole(member1, awstest.OrganizationAccessRoleName)
	_, err = getRole(ctx, as(srv, t, member1), awstest.OrganizationAccessRoleName)
	wantCode(t, err, "NoSuchEntity")
	srv.PutRole(member1, "Custom")
	must[*iam.GetRoleOutput](t)(getRole(ctx, as(srv, t, member1), "Custom"))
}

func TestCreateServiceLinkedRole(t *testing.T) {
	srv, c := startServer(t)
	ctx := t.Context()
	in := &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String(ipam)}
	out := must[*iam.CreateServiceLinkedRoleOutput](t)(c.iam.CreateServiceLinkedRole(ctx, in))
	if aws.ToString(out.Role.Arn) != "arn:aws:iam::"+mgmt+":role/aws-service-role/ipam.amazonaws.com/AWSServiceRoleForIPAM" {
		t.Fatalf("role = %+v", out.Role)
	}
	if !srv.Snapshot().HasRole(mgmt, awstest.IPAMRoleName) || srv.Snapshot().HasRole(member1, awstest.IPAMRoleName) {
		t.Fatal("role created in the wrong accounts")
	}

	_, err := c.iam.CreateServiceLinkedRole(ctx, in)
	var invalid *iamtypes.InvalidInputException
	if !errors.As(err, &invalid) || !strings.Contains(invalid.ErrorMessage(), "Service role name AWSServiceRoleForIPAM has been taken in this account") {
		t.Fatalf("again: got %v", err)
	}
	wantCode(t, err, "InvalidInput")

	_, err = c.iam.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("lex.amazonaws.com")})
	wantCode(t, err, "InvalidInput")
	_, err = c.iam.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String(ipam), CustomSuffix: aws.String("x")})
	wantCode(t, err, "InvalidInput")
}

func TestDeleteServiceLinkedRole(t *testing.T) {
	srv, c := startServer(t)
	ctx := t.Context()
	status := func(c clients, id *string) *iam.GetServiceLinkedRoleDeletionStatusOutput {
		t.Helper()
		return must[*iam.GetServiceLinkedRoleDeletionStatusOutput](t)(c.iam.GetServiceLinkedRoleDeletionStatus(ctx,
			&iam.GetServiceLinkedRoleDeletionStatusInput{DeletionTaskId: id}))
	}
	del := &iam.DeleteServiceLinkedRoleInput{RoleName: aws.String(awstest.IPAMRoleName)}

	_, err := c.iam.DeleteServiceLinkedRole(ctx, del)
	var nse *iamtypes.NoSuchEntityException
	if !errors.As(err, &nse) {
		t.Fatalf("missing role: got %v", err)
	}

	must[any](t)(enableIPAM(ctx, c, member1))
	// In use while IPAM is integrated: the task fails and the role stays.
	out := must[*iam.DeleteServiceLinkedRoleOutput](t)(c.iam.DeleteServiceLinkedRole(ctx, del))
	if !strings.HasPrefix(aws.ToString(out.DeletionTaskId), "task/aws-service-role/ipam.amazonaws.com/AWSServiceRoleForIPAM/") {
		t.Fatalf("task id = %s", aws.ToString(out.DeletionTaskId))
	}
	st := status(c, out.DeletionTaskId)
	if st.Status != iamtypes.DeletionTaskStatusTypeFailed || st.Reason == nil || aws.ToString(st.Reason.Reason) == "" {
		t.Fatalf("status = %+v", st)
	}
	if !srv.Snapshot().HasRole(mgmt, awstest.IPAMRoleName) {
		t.Fatal("a failed deletion removed the role")
	}

	// Torn down in order, the deletion succeeds.
	must[any](t)(disableIPAM(ctx, c, member1))
	must[any](t)(c.org.DisableAWSServiceAccess(ctx, &organizations.DisableAWSServiceAccessInput{ServicePrincipal: aws.String(ipam)}))
	out = must[*iam.DeleteServiceLinkedRoleOutput](t)(c.iam.DeleteServiceLinkedRole(ctx, del))
	if st := status(c, out.DeletionTaskId); st.Status != iamtypes.DeletionTaskStatusTypeSucceeded {
		t.Fatalf("status = %+v", st)
	}
	_, err = getRole(ctx, c, awstest.IPAMRoleName)
	wantCode(t, err, "NoSuchEntity")
	if !srv.Snapshot().HasRole(member1, awstest.IPAMRoleName) {
		t.Fatal("deleting the management account's role touched a member")
	}

	// Another account cannot read the task; unknown and malformed ids.
	_, err = as(srv, t, member1).iam.GetServiceLinkedRoleDeletionStatus(ctx, &iam.GetServiceLinkedRoleDeletionStatusInput{DeletionTaskId: out.DeletionTaskId})
	wantCode(t, err, "NoSuchEntity")
	_, err = c.iam.GetServiceLinkedRoleDeletionStatus(ctx, &iam.GetServiceLinkedRoleDeletionStatusInput{DeletionTaskId: aws.String("task/nope")})
	wantCode(t, err, "NoSuchEntity")
	_, err = c.iam.GetServiceLinkedRoleDeletionStatus(ctx, &iam.GetServiceLinkedRoleDeletionStatusInput{DeletionTaskId: aws.String("nope")})
	wantCode(t, err, "InvalidInput")

	// Not a service-linked role.
	_, err = as(srv, t, member1).iam.DeleteServiceLinkedRole(ctx, &iam.DeleteServiceLinkedRoleInput{RoleName: aws.String(awstest.OrganizationAccessRoleName)})
	wantCode(t, err, "InvalidInput")
}

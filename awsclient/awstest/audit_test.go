package awstest_test

import (
	"net/http"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/ipamorg/sdk/awsclient/awstest"
)

func TestAudit(t *testing.T) {
	srv, c := startServer(t)
	ctx := t.Context()
	m := as(srv, t, member1)

	must[*organizations.DescribeOrganizationOutput](t)(c.org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{}))
	_, err := enableIPAM(ctx, m, member2) // refused: a member
	wantCode(t, err, "UnauthorizedOperation")
	must[*stsIdentity](t)(callerIdentity(t, c))
	_, err = getRole(ctx, c, awstest.IPAMRoleName)
	wantCode(t, err, "NoSuchEntity")

	if w := srv.Writes(); len(w) != 1 || w[0].Account != member1 || w[0].Succeeded() {
		t.Fatalf("writes = %+v", w)
	}

	got := srv.Requests()
	want := []awstest.Request{
		{Account: mgmt, Service: "organizations", Operation: "DescribeOrganization", Action: "organizations:DescribeOrganization", Status: 200},
		{Account: member1, Service: "ec2", Operation: "EnableIpamOrganizationAdminAccount", Action: "ec2:EnableIpamOrganizationAdminAccount", Write: true, Code: "UnauthorizedOperation", Status: 403},
		{Account: mgmt, Service: "sts", Operation: "GetCallerIdentity", Action: "sts:GetCallerIdentity", Status: 200},
		{Account: mgmt, Service: "iam", Operation: "GetRole", Action: "iam:GetRole", Code: "NoSuchEntity", Status: 404},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d requests, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		g := got[i]
		if g.Time.IsZero() || g.RequestID == "" {
			t.Errorf("request %d has no time or id: %+v", i, g)
		}
		g.Time, g.RequestID = want[i].Time, ""
		if !reflect.DeepEqual(g, want[i]) {
			t.Errorf("request %d = %+v, want %+v", i, g, want[i])
		}
	}

	srv.ResetRequests()
	if len(srv.Requests()) != 0 || len(srv.Writes()) != 0 {
		t.Fatal("ResetRequests left records")
	}

	// Every write operation counts as a write.
	must[any](t)(c.org.EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("config.amazonaws.com")}))
	if w := srv.Writes(); len(w) != 1 || w[0].Action != "organizations:EnableAWSServiceAccess" || !w[0].Succeeded() || w[0].Status != http.StatusOK {
		t.Fatalf("writes = %+v", w)
	}
}

func TestOperations(t *testing.T) {
	ops := awstest.Operations()
	if len(ops["organizations"]) != 14 || len(ops["ec2"]) != 8 || len(ops["sts"]) != 2 || len(ops["iam"]) != 8 {
		t.Fatalf("operations = %v", ops)
	}
}

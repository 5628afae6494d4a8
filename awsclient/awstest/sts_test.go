package awstest_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/ipamorg/sdk/awsclient/awstest"
)

type stsIdentity struct{ account, arn, userID string }

func callerIdentity(t *testing.T, c clients) (*stsIdentity, error) {
	out, err := c.sts.GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
	if err != nil {
		return nil, err
	}
	return &stsIdentity{aws.ToString(out.Account), aws.ToString(out.Arn), aws.ToString(out.UserId)}, nil
}

func roleARN(account, name string) string { return "arn:aws:iam::" + account + ":role/" + name }

func TestGetCallerIdentity(t *testing.T) {
	srv, c := startServer(t)
	id := must[*stsIdentity](t)(callerIdentity(t, c))
	if *id != (stsIdentity{mgmt, "arn:aws:iam::" + mgmt + ":root", mgmt}) {
		t.Fatalf("identity = %+v", id)
	}
	// An access key id that is not an account id.
	cfg := noRetry(srv.Config(t.Context(), mgmt))
	cfg.Credentials = credentials.NewStaticCredentialsProvider("AKIAIOSFODNN7EXAMPLE", "x", "")
	bad := newClients(cfg)
	_, err := callerIdentity(t, bad)
	wantCode(t, err, "InvalidClientTokenId")
	wantStatus(t, err, 403)
	_, err = bad.org.DescribeOrganization(t.Context(), &organizations.DescribeOrganizationInput{})
	wantCode(t, err, "UnrecognizedClientException")
	_, err = enableIPAM(t.Context(), bad, member1)
	wantCode(t, err, "AuthFailure")
	_, err = getRole(t.Context(), bad, awstest.OrganizationAccessRoleName)
	wantCode(t, err, "InvalidClientTokenId")
}

func TestAssumeRole(t *testing.T) {
	srv, c := startServer(t, awstest.WithoutRole(member2, awstest.OrganizationAccessRoleName))
	ctx := t.Context()

	// Through the SDK's own AssumeRole credential provider, as the library
	// reaches member accounts.
	cfg := noRetry(srv.Config(ctx, mgmt))
	cfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(c.sts, roleARN(member1, awstest.OrganizationAccessRoleName)))
	m := newClients(cfg)
	id := must[*stsIdentity](t)(callerIdentity(t, m))
	if id.account != member1 || id.arn[:len("arn:aws:sts::"+member1+":assumed-role/OrganizationAccountAccessRole/")] != "arn:aws:sts::"+member1+":assumed-role/OrganizationAccountAccessRole/" {
		t.Fatalf("assumed identity = %+v", id)
	}
	// The assumed credentials act as the member: management-only APIs refuse.
	_, err := m.org.ListAccounts(ctx, &organizations.ListAccountsInput{})
	wantCode(t, err, "AccessDeniedException")

	out := must[*sts.AssumeRoleOutput](t)(c.sts.AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String(roleARN(member1, awstest.OrganizationAccessRoleName)), RoleSessionName: aws.String("s1"), DurationSeconds: aws.Int32(900),
	}))
	if out.Credentials.Expiration == nil || out.AssumedRoleUser == nil ||
		aws.ToString(out.AssumedRoleUser.Arn) != "arn:aws:sts::"+member1+":assumed-role/OrganizationAccountAccessRole/s1" {
		t.Fatalf("AssumeRole = %+v", out)
	}

	for _, tc := range []struct {
		name, caller, arn, code string
	}{
		{"role removed", mgmt, roleARN(member2, awstest.OrganizationAccessRoleName), "AccessDenied"},
		{"missing role", mgmt, roleARN(member1, "Nope"), "AccessDenied"},
		{"member into member", member1, roleARN(member2, awstest.OrganizationAccessRoleName), "AccessDenied"},
		{"service-linked role", mgmt, "arn:aws:iam::" + mgmt + ":role/aws-service-role/ipam.amazonaws.com/AWSServiceRoleForIPAM", "AccessDenied"},
		{"malformed arn", mgmt, "arn:aws:iam::nope", "ValidationError"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := as(srv, t, tc.caller).sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(tc.arn), RoleSessionName: aws.String("s2")})
			if tc.code == "AccessDenied" {
				wantStatus(t, err, 403)
			}
			wantCode(t, err, tc.code)
		})
	}
	// A member may assume a role in its own account.
	must[*sts.AssumeRoleOutput](t)(as(srv, t, member1).sts.AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String(roleARN(member1, awstest.OrganizationAccessRoleName)), RoleSessionName: aws.String("self"),
	}))
}

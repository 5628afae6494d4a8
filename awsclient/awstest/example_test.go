package awstest_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/ipamorg/sdk/awsclient/awstest"
)

func ExampleNewServer() {
	srv := awstest.NewServer()
	defer srv.Close()

	ctx := context.Background()
	cfg := srv.Config(ctx, awstest.DefaultManagementAccountID)

	org, err := organizations.NewFromConfig(cfg).DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	if err != nil {
		panic(err)
	}
	fmt.Println("management account:", aws.ToString(org.Organization.MasterAccountId))

	out, err := ec2.NewFromConfig(cfg).EnableIpamOrganizationAdminAccount(ctx, &ec2.EnableIpamOrganizationAdminAccountInput{
		DelegatedAdminAccountId: aws.String(awstest.DefaultMemberAccountID1),
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("success:", aws.ToBool(out.Success))
	fmt.Println("IPAM role in:", srv.Snapshot().IPAMRoleAccounts())
	for _, r := range srv.Writes() {
		fmt.Println("write:", r.Account, r.Action)
	}
	// Output:
	// management account: 111111111111
	// success: true
	// IPAM role in: [111111111111 222222222222 333333333333]
	// write: 111111111111 ec2:EnableIpamOrganizationAdminAccount
}

// With IAM enforcement, a role's session may do what its policies allow
// and no more; the audit log says which statement decided.
func ExampleWithIAMEnforcement() {
	emu := awstest.New(awstest.WithIAMEnforcement())
	emu.PutRole(awstest.DefaultManagementAccountID, "Reader")
	err := emu.PutRolePolicy(awstest.DefaultManagementAccountID, "Reader", "read", `{
		"Version": "2012-10-17",
		"Statement": [{"Sid": "Describe", "Effect": "Allow", "Action": "organizations:Describe*", "Resource": "*"}]
	}`)
	if err != nil {
		panic(err)
	}

	ctx := context.Background()
	cfg := emu.Config(ctx, awstest.DefaultManagementAccountID) // the root user
	cfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(cfg),
		"arn:aws:iam::111111111111:role/Reader"))
	org := organizations.NewFromConfig(cfg)
	if _, err := org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{}); err != nil {
		panic(err)
	}
	_, err = org.ListAccounts(ctx, &organizations.ListAccountsInput{})
	var denied *orgtypes.AccessDeniedException
	fmt.Println("ListAccounts denied:", errors.As(err, &denied))
	for _, r := range emu.Requests() {
		fmt.Println(r.Operation, r.Decision, r.DecidingStatement)
	}
	// Output:
	// ListAccounts denied: true
	// AssumeRole allowed root
	// DescribeOrganization allowed read/Describe
	// ListAccounts implicitDeny
}

package awstest_test

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

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

package awsclient

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// OrganizationsAPI is the part of AWS Organizations the library reads and,
// for teardown, writes. It deliberately has no EnableAWSServiceAccess:
// trusted access for IPAM may be granted only through
// ec2:EnableIpamOrganizationAdminAccount, and leaving the method out makes
// the wrong path impossible to call through these interfaces.
type OrganizationsAPI interface {
	DescribeOrganization(ctx context.Context, params *organizations.DescribeOrganizationInput, optFns ...func(*organizations.Options)) (*organizations.DescribeOrganizationOutput, error)
	DescribeAccount(ctx context.Context, params *organizations.DescribeAccountInput, optFns ...func(*organizations.Options)) (*organizations.DescribeAccountOutput, error)
	ListAccounts(ctx context.Context, params *organizations.ListAccountsInput, optFns ...func(*organizations.Options)) (*organizations.ListAccountsOutput, error)
	ListRoots(ctx context.Context, params *organizations.ListRootsInput, optFns ...func(*organizations.Options)) (*organizations.ListRootsOutput, error)
	ListOrganizationalUnitsForParent(ctx context.Context, params *organizations.ListOrganizationalUnitsForParentInput, optFns ...func(*organizations.Options)) (*organizations.ListOrganizationalUnitsForParentOutput, error)
	ListAccountsForParent(ctx context.Context, params *organizations.ListAccountsForParentInput, optFns ...func(*organizations.Options)) (*organizations.ListAccountsForParentOutput, error)
	ListAWSServiceAccessForOrganization(ctx context.Context, params *organizations.ListAWSServiceAccessForOrganizationInput, optFns ...func(*organizations.Options)) (*organizations.ListAWSServiceAccessForOrganizationOutput, error)
	ListDelegatedAdministrators(ctx context.Context, params *organizations.ListDelegatedAdministratorsInput, optFns ...func(*organizations.Options)) (*organizations.ListDelegatedAdministratorsOutput, error)
	DisableAWSServiceAccess(ctx context.Context, params *organizations.DisableAWSServiceAccessInput, optFns ...func(*organizations.Options)) (*organizations.DisableAWSServiceAccessOutput, error)
}

// EC2API is the pair of EC2 operations that designate and remove the IPAM
// delegated administrator.
type EC2API interface {
	EnableIpamOrganizationAdminAccount(ctx context.Context, params *ec2.EnableIpamOrganizationAdminAccountInput, optFns ...func(*ec2.Options)) (*ec2.EnableIpamOrganizationAdminAccountOutput, error)
	DisableIpamOrganizationAdminAccount(ctx context.Context, params *ec2.DisableIpamOrganizationAdminAccountInput, optFns ...func(*ec2.Options)) (*ec2.DisableIpamOrganizationAdminAccountOutput, error)
}

// IPAMAPI is the part of EC2 that shows what IPAM itself sees, read in the
// account of IPAM's delegated administrator (see Clients.AdminEC2): the
// Regions enabled there, the IPAMs it owns in a Region, the resource
// discoveries associated with them and their OU exclusions, and the
// accounts a resource discovery has discovered. Only that account can list
// every discovered account of the organization, and view its exclusions.
type IPAMAPI interface {
	DescribeRegions(ctx context.Context, params *ec2.DescribeRegionsInput, optFns ...func(*ec2.Options)) (*ec2.DescribeRegionsOutput, error)
	DescribeIpams(ctx context.Context, params *ec2.DescribeIpamsInput, optFns ...func(*ec2.Options)) (*ec2.DescribeIpamsOutput, error)
	DescribeIpamResourceDiscoveryAssociations(ctx context.Context, params *ec2.DescribeIpamResourceDiscoveryAssociationsInput, optFns ...func(*ec2.Options)) (*ec2.DescribeIpamResourceDiscoveryAssociationsOutput, error)
	DescribeIpamResourceDiscoveries(ctx context.Context, params *ec2.DescribeIpamResourceDiscoveriesInput, optFns ...func(*ec2.Options)) (*ec2.DescribeIpamResourceDiscoveriesOutput, error)
	GetIpamDiscoveredAccounts(ctx context.Context, params *ec2.GetIpamDiscoveredAccountsInput, optFns ...func(*ec2.Options)) (*ec2.GetIpamDiscoveredAccountsOutput, error)
}

// STSAPI identifies the caller and assumes roles in member accounts.
type STSAPI interface {
	GetCallerIdentity(ctx context.Context, params *sts.GetCallerIdentityInput, optFns ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
	AssumeRole(ctx context.Context, params *sts.AssumeRoleInput, optFns ...func(*sts.Options)) (*sts.AssumeRoleOutput, error)
}

// IAMAPI reads, creates and deletes the AWSServiceRoleForIPAM
// service-linked role.
type IAMAPI interface {
	GetRole(ctx context.Context, params *iam.GetRoleInput, optFns ...func(*iam.Options)) (*iam.GetRoleOutput, error)
	CreateServiceLinkedRole(ctx context.Context, params *iam.CreateServiceLinkedRoleInput, optFns ...func(*iam.Options)) (*iam.CreateServiceLinkedRoleOutput, error)
	DeleteServiceLinkedRole(ctx context.Context, params *iam.DeleteServiceLinkedRoleInput, optFns ...func(*iam.Options)) (*iam.DeleteServiceLinkedRoleOutput, error)
	GetServiceLinkedRoleDeletionStatus(ctx context.Context, params *iam.GetServiceLinkedRoleDeletionStatusInput, optFns ...func(*iam.Options)) (*iam.GetServiceLinkedRoleDeletionStatusOutput, error)
}

// The SDK's clients satisfy the interfaces with no adapter.
var (
	_ OrganizationsAPI = (*organizations.Client)(nil)
	_ EC2API           = (*ec2.Client)(nil)
	_ IPAMAPI          = (*ec2.Client)(nil)
	_ STSAPI           = (*sts.Client)(nil)
	_ IAMAPI           = (*iam.Client)(nil)
)

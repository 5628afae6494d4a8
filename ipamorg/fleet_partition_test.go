package ipamorg_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"go.uber.org/mock/gomock"

	"github.com/ipamorg/sdk/awsclient"
	"github.com/ipamorg/sdk/awsclient/mocks"
	"github.com/ipamorg/sdk/ipamorg"
)

// The role assumed in each account is in the organization's partition,
// with the access role's path: the contract is the ARN sent, in a
// partition the emulator does not model (it is aws alone, its roles at
// the path /), so gomock answers this one organization of two members.
func TestVerifyServiceLinkedRolesPartitionAndPath(t *testing.T) {
	const role = "audit/IpamFleetReader"
	m := newMockAWS(t)
	m.sts.EXPECT().GetCallerIdentity(gomock.Any(), gomock.Any(), gomock.Any()).Return(
		&sts.GetCallerIdentityOutput{Account: aws.String(mockMgmt), Arn: aws.String("arn:aws-us-gov:iam::" + mockMgmt + ":root")}, nil)
	m.org.EXPECT().DescribeOrganization(gomock.Any(), gomock.Any(), gomock.Any()).Return(&organizations.DescribeOrganizationOutput{
		Organization: &orgtypes.Organization{Id: aws.String(mockOrgID), Arn: aws.String("arn:aws-us-gov:organizations::" + mockMgmt + ":organization/" + mockOrgID),
			MasterAccountId: aws.String(mockMgmt), FeatureSet: orgtypes.OrganizationFeatureSetAll}}, nil)
	m.listAdmins(mockMemberA)
	m.org.EXPECT().ListRoots(gomock.Any(), gomock.Any(), gomock.Any()).Return(
		&organizations.ListRootsOutput{Roots: []orgtypes.Root{{Id: aws.String("r-gov1")}}}, nil)
	m.org.EXPECT().ListOrganizationalUnitsForParent(gomock.Any(), gomock.Any(), gomock.Any()).Return(&organizations.ListOrganizationalUnitsForParentOutput{}, nil)
	m.org.EXPECT().ListAccounts(gomock.Any(), gomock.Any(), gomock.Any()).Return(&organizations.ListAccountsOutput{Accounts: []orgtypes.Account{
		{Id: aws.String(mockMgmt), State: orgtypes.AccountStateActive},
		{Id: aws.String(mockMemberA), State: orgtypes.AccountStateActive},
		{Id: aws.String(mockMemberB), State: orgtypes.AccountStateActive},
	}}, nil)
	m.getRole(true) // the caller's own account, with its own credentials
	for _, member := range []string{mockMemberA, mockMemberB} {
		arn := "arn:aws-us-gov:iam::" + member + ":role/" + role
		m.sts.EXPECT().AssumeRole(gomock.Any(), gomock.Cond(func(in *sts.AssumeRoleInput) bool { return aws.ToString(in.RoleArn) == arn }), gomock.Any()).
			Return(&sts.AssumeRoleOutput{Credentials: &ststypes.Credentials{AccessKeyId: aws.String("ASIA" + member), SecretAccessKey: aws.String("secret"),
				SessionToken: aws.String("token"), Expiration: aws.Time(time.Now().Add(time.Hour))}}, nil)
	}
	memberIAM := mocks.NewMockIAMAPI(gomock.NewController(t))
	memberIAM.EXPECT().GetRole(gomock.Any(), gomock.Any(), gomock.Any()).Times(2).Return(&iam.GetRoleOutput{}, nil)
	cl := m.clients()
	cl.MemberIAM = func(aws.CredentialsProvider) awsclient.IAMAPI { return memberIAM }

	r, err := newFromClients(t, cl, func(o *ipamorg.Options) { o.AccessRole = role }).VerifyServiceLinkedRoles(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK() || r.AccessRole != role || r.Total != 3 {
		t.Errorf("ok %v access role %q total %d", r.OK(), r.AccessRole, r.Total)
	}
}

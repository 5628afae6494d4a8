package ipamorg_test

import (
	"context"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/ipamorg/sdk/awsclient"
)

// fakeAWS is a tiny, consistent, in-memory organization for the examples:
// one management account, two members, and IPAM's integration state. It
// implements the four awsclient interfaces. Tests use gomock; examples read
// better against something that behaves.
type fakeAWS struct {
	mu      sync.Mutex
	caller  string
	trusted bool
	admin   string
	role    bool
}

func newFake(caller string) *fakeAWS { return &fakeAWS{caller: caller} }

func (f *fakeAWS) clients() awsclient.Clients {
	return awsclient.Clients{Organizations: f, EC2: f, STS: f, IAM: f}
}

var fakeMembers = map[string]bool{mgmt: true, memberA: true, memberB: true}

func (f *fakeAWS) GetCallerIdentity(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error) {
	return &sts.GetCallerIdentityOutput{Account: aws.String(f.caller)}, nil
}

func (f *fakeAWS) AssumeRole(context.Context, *sts.AssumeRoleInput, ...func(*sts.Options)) (*sts.AssumeRoleOutput, error) {
	return nil, &smithy.GenericAPIError{Code: "AccessDenied", Message: "not in the fake"}
}

func (f *fakeAWS) DescribeOrganization(context.Context, *organizations.DescribeOrganizationInput, ...func(*organizations.Options)) (*organizations.DescribeOrganizationOutput, error) {
	return &organizations.DescribeOrganizationOutput{Organization: &orgtypes.Organization{
		Id: aws.String(orgID), MasterAccountId: aws.String(mgmt), FeatureSet: orgtypes.OrganizationFeatureSetAll}}, nil
}

func (f *fakeAWS) DescribeAccount(_ context.Context, in *organizations.DescribeAccountInput, _ ...func(*organizations.Options)) (*organizations.DescribeAccountOutput, error) {
	if !fakeMembers[aws.ToString(in.AccountId)] {
		return nil, &orgtypes.AccountNotFoundException{Message: aws.String("not in organization")}
	}
	return &organizations.DescribeAccountOutput{Account: &orgtypes.Account{Id: in.AccountId, State: orgtypes.AccountStateActive}}, nil
}

func (f *fakeAWS) ListAccounts(context.Context, *organizations.ListAccountsInput, ...func(*organizations.Options)) (*organizations.ListAccountsOutput, error) {
	out := &organizations.ListAccountsOutput{}
	for _, id := range []string{mgmt, memberA, memberB} {
		out.Accounts = append(out.Accounts, orgtypes.Account{Id: aws.String(id), State: orgtypes.AccountStateActive})
	}
	return out, nil
}

func (f *fakeAWS) denied() error {
	if f.caller != mgmt {
		return &orgtypes.AccessDeniedException{Message: aws.String("management account only")}
	}
	return nil
}

func (f *fakeAWS) ListAWSServiceAccessForOrganization(context.Context, *organizations.ListAWSServiceAccessForOrganizationInput, ...func(*organizations.Options)) (*organizations.ListAWSServiceAccessForOrganizationOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.denied(); err != nil {
		return nil, err
	}
	out := &organizations.ListAWSServiceAccessForOrganizationOutput{}
	if f.trusted {
		out.EnabledServicePrincipals = []orgtypes.EnabledServicePrincipal{{ServicePrincipal: aws.String("ipam.amazonaws.com")}}
	}
	return out, nil
}

func (f *fakeAWS) ListDelegatedAdministrators(context.Context, *organizations.ListDelegatedAdministratorsInput, ...func(*organizations.Options)) (*organizations.ListDelegatedAdministratorsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.denied(); err != nil {
		return nil, err
	}
	out := &organizations.ListDelegatedAdministratorsOutput{}
	if f.admin != "" {
		out.DelegatedAdministrators = []orgtypes.DelegatedAdministrator{{Id: aws.String(f.admin)}}
	}
	return out, nil
}

func (f *fakeAWS) DisableAWSServiceAccess(context.Context, *organizations.DisableAWSServiceAccessInput, ...func(*organizations.Options)) (*organizations.DisableAWSServiceAccessOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.denied(); err != nil {
		return nil, err
	}
	f.trusted = false
	return &organizations.DisableAWSServiceAccessOutput{}, nil
}

func (f *fakeAWS) EnableIpamOrganizationAdminAccount(_ context.Context, in *ec2.EnableIpamOrganizationAdminAccountInput, _ ...func(*ec2.Options)) (*ec2.EnableIpamOrganizationAdminAccountOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.trusted, f.admin, f.role = true, aws.ToString(in.DelegatedAdminAccountId), true
	return &ec2.EnableIpamOrganizationAdminAccountOutput{Success: aws.Bool(true)}, nil
}

func (f *fakeAWS) DisableIpamOrganizationAdminAccount(context.Context, *ec2.DisableIpamOrganizationAdminAccountInput, ...func(*ec2.Options)) (*ec2.DisableIpamOrganizationAdminAccountOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.admin = ""
	return &ec2.DisableIpamOrganizationAdminAccountOutput{Success: aws.Bool(true)}, nil
}

func (f *fakeAWS) GetRole(_ context.Context, in *iam.GetRoleInput, _ ...func(*iam.Options)) (*iam.GetRoleOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.role || f.caller != mgmt {
		return nil, &iamtypes.NoSuchEntityException{Message: aws.String("no such role")}
	}
	return &iam.GetRoleOutput{Role: &iamtypes.Role{RoleName: in.RoleName}}, nil
}

func (f *fakeAWS) CreateServiceLinkedRole(context.Context, *iam.CreateServiceLinkedRoleInput, ...func(*iam.Options)) (*iam.CreateServiceLinkedRoleOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.role = true
	return &iam.CreateServiceLinkedRoleOutput{}, nil
}

func (f *fakeAWS) DeleteServiceLinkedRole(context.Context, *iam.DeleteServiceLinkedRoleInput, ...func(*iam.Options)) (*iam.DeleteServiceLinkedRoleOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.role = false
	return &iam.DeleteServiceLinkedRoleOutput{DeletionTaskId: aws.String("task-1")}, nil
}

func (f *fakeAWS) GetServiceLinkedRoleDeletionStatus(context.Context, *iam.GetServiceLinkedRoleDeletionStatusInput, ...func(*iam.Options)) (*iam.GetServiceLinkedRoleDeletionStatusOutput, error) {
	return &iam.GetServiceLinkedRoleDeletionStatusOutput{Status: iamtypes.DeletionTaskStatusTypeSucceeded}, nil
}

var (
	_ awsclient.OrganizationsAPI = (*fakeAWS)(nil)
	_ awsclient.EC2API           = (*fakeAWS)(nil)
	_ awsclient.STSAPI           = (*fakeAWS)(nil)
	_ awsclient.IAMAPI           = (*fakeAWS)(nil)
)

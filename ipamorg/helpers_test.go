package ipamorg_test

import (
	"context"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"go.uber.org/mock/gomock"

	"github.com/ipamorg/sdk/awsclient"
	"github.com/ipamorg/sdk/awsclient/mocks"
	"github.com/ipamorg/sdk/fsm"
	"github.com/ipamorg/sdk/ipamorg"
)

const (
	mgmt      = "111111111111"
	memberA   = "222222222222"
	memberB   = "333333333333"
	suspended = "444444444444"
	outsider  = "555555555555"
	orgID     = "o-exampleorg1"
)

// world is the organization the mocks' reads report. Reads are registered
// AnyTimes and read it; writes are EXPECTed one by one by the tests (so
// gomock fails any write a test did not expect) and change it.
type world struct {
	mu         sync.Mutex
	caller     string
	featureSet orgtypes.OrganizationFeatureSet
	trusted    bool
	admins     []string
	role       bool
	members    map[string]orgtypes.AccountState
	faults     map[string][]error
	frozen     bool // writes succeed but change nothing: reads never confirm them
}

func newWorld(state fsm.State, admin string) *world {
	w := &world{
		caller:     mgmt,
		featureSet: orgtypes.OrganizationFeatureSetAll,
		members: map[string]orgtypes.AccountState{
			mgmt: orgtypes.AccountStateActive, memberA: orgtypes.AccountStateActive,
			memberB: orgtypes.AccountStateActive, suspended: orgtypes.AccountStateSuspended,
		},
		faults: map[string][]error{},
	}
	switch state {
	case fsm.StateDelegated:
		w.trusted, w.admins, w.role = true, []string{admin}, true
	case fsm.StateTrusted:
		w.trusted, w.role = true, true
	case fsm.StateDisabled:
		w.role = true
	}
	return w
}

// inject queues errs for op: each call of op returns the next one, then
// calls succeed again.
func (w *world) inject(op string, errs ...error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.faults[op] = append(w.faults[op], errs...)
}

func (w *world) fault(op string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	q := w.faults[op]
	if len(q) == 0 {
		return nil
	}
	w.faults[op] = q[1:]
	return q[0]
}

func (w *world) change(f func()) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.frozen {
		f()
	}
}

func (w *world) set(f func(w *world)) {
	w.mu.Lock()
	defer w.mu.Unlock()
	f(w)
}

type env struct {
	t   *testing.T
	w   *world
	org *mocks.MockOrganizationsAPI
	ec2 *mocks.MockEC2API
	sts *mocks.MockSTSAPI
	iam *mocks.MockIAMAPI
}

func (e *env) clients() awsclient.Clients {
	return awsclient.Clients{Organizations: e.org, EC2: e.ec2, STS: e.sts, IAM: e.iam}
}

// newMocks returns mocks with no expectation at all: any AWS call fails
// the test.
func newMocks(t *testing.T, w *world) *env {
	ctrl := gomock.NewController(t)
	return &env{t: t, w: w,
		org: mocks.NewMockOrganizationsAPI(ctrl), ec2: mocks.NewMockEC2API(ctrl),
		sts: mocks.NewMockSTSAPI(ctrl), iam: mocks.NewMockIAMAPI(ctrl)}
}

// newEnv returns mocks whose reads report w.
func newEnv(t *testing.T, w *world) *env {
	e := newMocks(t, w)
	e.expectReads()
	return e
}

func (e *env) client(optFns ...func(*ipamorg.Options)) *ipamorg.Client {
	e.t.Helper()
	c, err := ipamorg.New(e.clients(), optFns...)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

func apiErr(code string) error { return &smithy.GenericAPIError{Code: code, Message: "injected"} }

func (e *env) expectReads() {
	w := e.w
	denied := func() error {
		if w.caller != mgmt {
			return &orgtypes.AccessDeniedException{Message: aws.String("member account")}
		}
		return nil
	}
	e.sts.EXPECT().GetCallerIdentity(gomock.Any(), gomock.Any()).AnyTimes().DoAndReturn(
		func(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error) {
			if err := w.fault("GetCallerIdentity"); err != nil {
				return nil, err
			}
			w.mu.Lock()
			defer w.mu.Unlock()
			return &sts.GetCallerIdentityOutput{Account: aws.String(w.caller)}, nil
		})
	e.org.EXPECT().DescribeOrganization(gomock.Any(), gomock.Any()).AnyTimes().DoAndReturn(
		func(context.Context, *organizations.DescribeOrganizationInput, ...func(*organizations.Options)) (*organizations.DescribeOrganizationOutput, error) {
			if err := w.fault("DescribeOrganization"); err != nil {
				return nil, err
			}
			w.mu.Lock()
			defer w.mu.Unlock()
			return &organizations.DescribeOrganizationOutput{Organization: &orgtypes.Organization{
				Id: aws.String(orgID), MasterAccountId: aws.String(mgmt), FeatureSet: w.featureSet}}, nil
		})
	e.org.EXPECT().ListAWSServiceAccessForOrganization(gomock.Any(), gomock.Any()).AnyTimes().DoAndReturn(
		func(_ context.Context, in *organizations.ListAWSServiceAccessForOrganizationInput, _ ...func(*organizations.Options)) (*organizations.ListAWSServiceAccessForOrganizationOutput, error) {
			if err := w.fault("ListAWSServiceAccessForOrganization"); err != nil {
				return nil, err
			}
			w.mu.Lock()
			defer w.mu.Unlock()
			if err := denied(); err != nil {
				return nil, err
			}
			// Two pages, IPAM on the second, so that pagination matters.
			if in.NextToken == nil {
				return &organizations.ListAWSServiceAccessForOrganizationOutput{
					EnabledServicePrincipals: []orgtypes.EnabledServicePrincipal{{ServicePrincipal: aws.String("sso.amazonaws.com")}},
					NextToken:                aws.String("page2")}, nil
			}
			out := &organizations.ListAWSServiceAccessForOrganizationOutput{}
			if w.trusted {
				out.EnabledServicePrincipals = []orgtypes.EnabledServicePrincipal{{ServicePrincipal: aws.String("ipam.amazonaws.com")}}
			}
			return out, nil
		})
	e.org.EXPECT().ListDelegatedAdministrators(gomock.Any(), gomock.Any()).AnyTimes().DoAndReturn(
		func(_ context.Context, in *organizations.ListDelegatedAdministratorsInput, _ ...func(*organizations.Options)) (*organizations.ListDelegatedAdministratorsOutput, error) {
			if aws.ToString(in.ServicePrincipal) != "ipam.amazonaws.com" {
				e.t.Errorf("ListDelegatedAdministrators for %q", aws.ToString(in.ServicePrincipal))
			}
			if err := w.fault("ListDelegatedAdministrators"); err != nil {
				return nil, err
			}
			w.mu.Lock()
			defer w.mu.Unlock()
			if err := denied(); err != nil {
				return nil, err
			}
			if in.NextToken == nil {
				return &organizations.ListDelegatedAdministratorsOutput{NextToken: aws.String("page2")}, nil
			}
			out := &organizations.ListDelegatedAdministratorsOutput{}
			for _, a := range w.admins {
				out.DelegatedAdministrators = append(out.DelegatedAdministrators, orgtypes.DelegatedAdministrator{Id: aws.String(a)})
			}
			return out, nil
		})
	e.iam.EXPECT().GetRole(gomock.Any(), gomock.Any()).AnyTimes().DoAndReturn(
		func(_ context.Context, in *iam.GetRoleInput, _ ...func(*iam.Options)) (*iam.GetRoleOutput, error) {
			if aws.ToString(in.RoleName) != "AWSServiceRoleForIPAM" {
				e.t.Errorf("GetRole %q", aws.ToString(in.RoleName))
			}
			if err := w.fault("GetRole"); err != nil {
				return nil, err
			}
			w.mu.Lock()
			defer w.mu.Unlock()
			if !w.role || w.caller != mgmt {
				return nil, &iamtypes.NoSuchEntityException{Message: aws.String("no role")}
			}
			return &iam.GetRoleOutput{Role: &iamtypes.Role{RoleName: in.RoleName}}, nil
		})
	e.org.EXPECT().DescribeAccount(gomock.Any(), gomock.Any()).AnyTimes().DoAndReturn(
		func(_ context.Context, in *organizations.DescribeAccountInput, _ ...func(*organizations.Options)) (*organizations.DescribeAccountOutput, error) {
			if err := w.fault("DescribeAccount"); err != nil {
				return nil, err
			}
			w.mu.Lock()
			defer w.mu.Unlock()
			state, ok := w.members[aws.ToString(in.AccountId)]
			if !ok {
				return nil, &orgtypes.AccountNotFoundException{Message: aws.String("not in organization")}
			}
			return &organizations.DescribeAccountOutput{Account: &orgtypes.Account{Id: in.AccountId, State: state}}, nil
		})
}

func (e *env) expectEnable(account string) *mocks.MockEC2APIEnableIpamOrganizationAdminAccountCall {
	return e.ec2.EXPECT().EnableIpamOrganizationAdminAccount(gomock.Any(), gomock.Any()).DoAndReturn(
		func(_ context.Context, in *ec2.EnableIpamOrganizationAdminAccountInput, _ ...func(*ec2.Options)) (*ec2.EnableIpamOrganizationAdminAccountOutput, error) {
			if got := aws.ToString(in.DelegatedAdminAccountId); got != account {
				e.t.Errorf("EnableIpamOrganizationAdminAccount(%s), want %s", got, account)
			}
			if err := e.w.fault("EnableIpamOrganizationAdminAccount"); err != nil {
				return nil, err
			}
			e.w.change(func() { e.w.trusted, e.w.admins, e.w.role = true, []string{account}, true })
			return &ec2.EnableIpamOrganizationAdminAccountOutput{Success: aws.Bool(true)}, nil
		})
}

func (e *env) expectDisableAdmin(account string) *mocks.MockEC2APIDisableIpamOrganizationAdminAccountCall {
	return e.ec2.EXPECT().DisableIpamOrganizationAdminAccount(gomock.Any(), gomock.Any()).DoAndReturn(
		func(_ context.Context, in *ec2.DisableIpamOrganizationAdminAccountInput, _ ...func(*ec2.Options)) (*ec2.DisableIpamOrganizationAdminAccountOutput, error) {
			if got := aws.ToString(in.DelegatedAdminAccountId); got != account {
				e.t.Errorf("DisableIpamOrganizationAdminAccount(%s), want %s", got, account)
			}
			e.w.change(func() { e.w.admins = nil })
			if err := e.w.fault("DisableIpamOrganizationAdminAccount"); err != nil {
				return nil, err
			}
			return &ec2.DisableIpamOrganizationAdminAccountOutput{Success: aws.Bool(true)}, nil
		})
}

func (e *env) expectDisableTrust() *mocks.MockOrganizationsAPIDisableAWSServiceAccessCall {
	return e.org.EXPECT().DisableAWSServiceAccess(gomock.Any(), gomock.Any()).DoAndReturn(
		func(_ context.Context, in *organizations.DisableAWSServiceAccessInput, _ ...func(*organizations.Options)) (*organizations.DisableAWSServiceAccessOutput, error) {
			if got := aws.ToString(in.ServicePrincipal); got != "ipam.amazonaws.com" {
				e.t.Errorf("DisableAWSServiceAccess(%s)", got)
			}
			if err := e.w.fault("DisableAWSServiceAccess"); err != nil {
				return nil, err
			}
			e.w.change(func() { e.w.trusted = false })
			return &organizations.DisableAWSServiceAccessOutput{}, nil
		})
}

func (e *env) expectDeleteRole() *mocks.MockIAMAPIDeleteServiceLinkedRoleCall {
	return e.iam.EXPECT().DeleteServiceLinkedRole(gomock.Any(), gomock.Any()).DoAndReturn(
		func(_ context.Context, in *iam.DeleteServiceLinkedRoleInput, _ ...func(*iam.Options)) (*iam.DeleteServiceLinkedRoleOutput, error) {
			if got := aws.ToString(in.RoleName); got != "AWSServiceRoleForIPAM" {
				e.t.Errorf("DeleteServiceLinkedRole(%s)", got)
			}
			if err := e.w.fault("DeleteServiceLinkedRole"); err != nil {
				return nil, err
			}
			return &iam.DeleteServiceLinkedRoleOutput{DeletionTaskId: aws.String("task-1")}, nil
		})
}

// expectDeletionStatus expects one GetServiceLinkedRoleDeletionStatus
// answering status; SUCCEEDED removes the role.
func (e *env) expectDeletionStatus(status iamtypes.DeletionTaskStatusType) *mocks.MockIAMAPIGetServiceLinkedRoleDeletionStatusCall {
	return e.iam.EXPECT().GetServiceLinkedRoleDeletionStatus(gomock.Any(), gomock.Any()).DoAndReturn(
		func(_ context.Context, in *iam.GetServiceLinkedRoleDeletionStatusInput, _ ...func(*iam.Options)) (*iam.GetServiceLinkedRoleDeletionStatusOutput, error) {
			if got := aws.ToString(in.DeletionTaskId); got != "task-1" {
				e.t.Errorf("GetServiceLinkedRoleDeletionStatus(%s)", got)
			}
			out := &iam.GetServiceLinkedRoleDeletionStatusOutput{Status: status}
			switch status {
			case iamtypes.DeletionTaskStatusTypeSucceeded:
				e.w.change(func() { e.w.role = false })
			case iamtypes.DeletionTaskStatusTypeFailed:
				out.Reason = &iamtypes.DeletionTaskFailureReasonType{Reason: aws.String("role in use"),
					RoleUsageList: []iamtypes.RoleUsageType{{Region: aws.String("eu-west-1"), Resources: []string{"ipam-123"}}}}
			}
			return out, nil
		})
}

// expectDelete expects a successful deletion of the role.
func (e *env) expectDelete() {
	gomock.InOrder(e.expectDeleteRole(), e.expectDeletionStatus(iamtypes.DeletionTaskStatusTypeSucceeded))
}

func events(ts []ipamorg.Transition) []fsm.Event {
	out := make([]fsm.Event, len(ts))
	for i, t := range ts {
		out[i] = t.Event
	}
	return out
}

var organizationsNotInUse = orgtypes.AWSOrganizationsNotInUseException{Message: aws.String("not in an organization")}

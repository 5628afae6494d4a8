package ipamorg_test

// gomock, for the tests whose contract is the order of the calls: each
// expects exactly the calls a step must make, in the order it must make
// them (a teardown in AWS's order; reads before the write they guard; the
// read that confirms a write after it), and gomock fails any call the
// test did not expect, a write above all. The reads' answers are fixed
// per test; nothing here re-implements AWS (the emulator does, see
// harness_test.go).
//
// This file stands alone (package ipamorg_test, the exported API only):
// .ci/consumer runs it from a module outside the repository.

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"
	"go.uber.org/mock/gomock"

	"github.com/ipamorg/sdk/awsclient"
	"github.com/ipamorg/sdk/awsclient/mocks"
	"github.com/ipamorg/sdk/fsm"
	"github.com/ipamorg/sdk/ipamorg"
)

const (
	mockMgmt    = "111111111111"
	mockMemberA = "222222222222"
	mockMemberB = "333333333333"
	mockOrgID   = "o-exampleorg1"
)

// mockAWS is a set of gomock mocks with no expectation: any call fails the
// test until one is expected.
type mockAWS struct {
	org *mocks.MockOrganizationsAPI
	ec2 *mocks.MockEC2API
	sts *mocks.MockSTSAPI
	iam *mocks.MockIAMAPI
	// ipam is the EC2 client of the delegated administrator's account,
	// in every Region (Clients.AdminEC2).
	ipam *mocks.MockIPAMAPI
}

func newMockAWS(t *testing.T) *mockAWS {
	ctrl := gomock.NewController(t)
	return &mockAWS{org: mocks.NewMockOrganizationsAPI(ctrl), ec2: mocks.NewMockEC2API(ctrl),
		sts: mocks.NewMockSTSAPI(ctrl), iam: mocks.NewMockIAMAPI(ctrl), ipam: mocks.NewMockIPAMAPI(ctrl)}
}

func (m *mockAWS) clients() awsclient.Clients {
	return awsclient.Clients{Organizations: m.org, EC2: m.ec2, STS: m.sts, IAM: m.iam,
		AdminEC2: func(aws.CredentialsProvider, string) awsclient.IPAMAPI { return m.ipam }}
}

func (m *mockAWS) client(t *testing.T, optFns ...func(*ipamorg.Options)) *ipamorg.Client {
	t.Helper()
	c, err := ipamorg.New(m.clients(), optFns...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// facts are what the reads answer.
type facts struct {
	caller, management string
	featureSet         orgtypes.OrganizationFeatureSet
	trusted            bool
	admins             []string
	role               bool
}

// factsOf returns the facts of the management account's view of state.
func factsOf(state fsm.State, admin string) facts {
	f := facts{caller: mockMgmt, management: mockMgmt, featureSet: orgtypes.OrganizationFeatureSetAll}
	switch state {
	case fsm.StateDelegated:
		f.trusted, f.admins, f.role = true, []string{admin}, true
	case fsm.StateTrusted:
		f.trusted, f.role = true, true
	case fsm.StateDisabled:
		f.role = true
	}
	return f
}

func callerOut(f facts) *sts.GetCallerIdentityOutput {
	return &sts.GetCallerIdentityOutput{Account: aws.String(f.caller)}
}

func orgOut(f facts) *organizations.DescribeOrganizationOutput {
	return &organizations.DescribeOrganizationOutput{Organization: &orgtypes.Organization{
		Id: aws.String(mockOrgID), MasterAccountId: aws.String(f.management), FeatureSet: f.featureSet}}
}

func trustedOut(on bool) *organizations.ListAWSServiceAccessForOrganizationOutput {
	out := &organizations.ListAWSServiceAccessForOrganizationOutput{
		EnabledServicePrincipals: []orgtypes.EnabledServicePrincipal{{ServicePrincipal: aws.String("sso.amazonaws.com")}}}
	if on {
		out.EnabledServicePrincipals = append(out.EnabledServicePrincipals, orgtypes.EnabledServicePrincipal{ServicePrincipal: aws.String("ipam.amazonaws.com")})
	}
	return out
}

func adminsOut(ids []string) *organizations.ListDelegatedAdministratorsOutput {
	out := &organizations.ListDelegatedAdministratorsOutput{}
	for _, id := range ids {
		a := orgtypes.DelegatedAdministrator{}
		if id != "" {
			a.Id = aws.String(id)
		}
		out.DelegatedAdministrators = append(out.DelegatedAdministrators, a)
	}
	return out
}

var errNoRole = &iamtypes.NoSuchEntityException{Message: aws.String("The role with name AWSServiceRoleForIPAM cannot be found.")}

// expectObserve expects the five reads of one Observe, in any order (they
// run together), answering f, and returns them, for the calls that must
// come after.
func (m *mockAWS) expectObserve(f facts) []*gomock.Call {
	role := m.iam.EXPECT().GetRole(gomock.Any(), gomock.Any(), gomock.Any())
	if f.role {
		role.Return(&iam.GetRoleOutput{Role: &iamtypes.Role{RoleName: aws.String("AWSServiceRoleForIPAM")}}, nil)
	} else {
		role.Return(nil, errNoRole)
	}
	return []*gomock.Call{
		m.sts.EXPECT().GetCallerIdentity(gomock.Any(), gomock.Any(), gomock.Any()).Return(callerOut(f), nil).Call,
		m.org.EXPECT().DescribeOrganization(gomock.Any(), gomock.Any(), gomock.Any()).Return(orgOut(f), nil).Call,
		m.org.EXPECT().ListAWSServiceAccessForOrganization(gomock.Any(), gomock.Any(), gomock.Any()).Return(trustedOut(f.trusted), nil).Call,
		m.org.EXPECT().ListDelegatedAdministrators(gomock.Any(), gomock.Any(), gomock.Any()).Return(adminsOut(f.admins), nil).Call,
		role.Call,
	}
}

// stubReads answers every read, any number of times, with f, and
// DescribeAccount with accounts (an id missing from it is not in the
// organization). No write is expected.
func (m *mockAWS) stubReads(f facts, accounts map[string]orgtypes.AccountState) {
	m.sts.EXPECT().GetCallerIdentity(gomock.Any(), gomock.Any(), gomock.Any()).AnyTimes().Return(callerOut(f), nil)
	m.org.EXPECT().DescribeOrganization(gomock.Any(), gomock.Any(), gomock.Any()).AnyTimes().Return(orgOut(f), nil)
	m.org.EXPECT().ListAWSServiceAccessForOrganization(gomock.Any(), gomock.Any(), gomock.Any()).AnyTimes().Return(trustedOut(f.trusted), nil)
	m.org.EXPECT().ListDelegatedAdministrators(gomock.Any(), gomock.Any(), gomock.Any()).AnyTimes().Return(adminsOut(f.admins), nil)
	if f.role && f.caller == f.management {
		m.iam.EXPECT().GetRole(gomock.Any(), gomock.Any(), gomock.Any()).AnyTimes().Return(&iam.GetRoleOutput{}, nil)
	} else {
		m.iam.EXPECT().GetRole(gomock.Any(), gomock.Any(), gomock.Any()).AnyTimes().Return(nil, errNoRole)
	}
	m.org.EXPECT().DescribeAccount(gomock.Any(), gomock.Any(), gomock.Any()).AnyTimes().DoAndReturn(
		func(_ context.Context, in *organizations.DescribeAccountInput, _ ...func(*organizations.Options)) (*organizations.DescribeAccountOutput, error) {
			state, ok := accounts[aws.ToString(in.AccountId)]
			if !ok {
				return nil, &orgtypes.AccountNotFoundException{Message: aws.String("not in organization")}
			}
			return &organizations.DescribeAccountOutput{Account: &orgtypes.Account{Id: in.AccountId, State: state}}, nil
		})
}

// account matches an input naming account id.
type account string

func (a account) Matches(x any) bool {
	switch in := x.(type) {
	case *organizations.DescribeAccountInput:
		return aws.ToString(in.AccountId) == string(a)
	case *ec2.EnableIpamOrganizationAdminAccountInput:
		return aws.ToString(in.DelegatedAdminAccountId) == string(a)
	case *ec2.DisableIpamOrganizationAdminAccountInput:
		return aws.ToString(in.DelegatedAdminAccountId) == string(a)
	}
	return false
}

func (a account) String() string { return "names account " + string(a) }

func (m *mockAWS) describeAccount(id string) *gomock.Call {
	return m.org.EXPECT().DescribeAccount(gomock.Any(), account(id), gomock.Any()).Return(
		&organizations.DescribeAccountOutput{Account: &orgtypes.Account{Id: aws.String(id), State: orgtypes.AccountStateActive}}, nil).Call
}

func (m *mockAWS) enable(id string) *gomock.Call {
	return m.ec2.EXPECT().EnableIpamOrganizationAdminAccount(gomock.Any(), account(id), gomock.Any()).Return(
		&ec2.EnableIpamOrganizationAdminAccountOutput{Success: aws.Bool(true)}, nil).Call
}

func (m *mockAWS) disable(id string) *gomock.Call {
	return m.ec2.EXPECT().DisableIpamOrganizationAdminAccount(gomock.Any(), account(id), gomock.Any()).Return(
		&ec2.DisableIpamOrganizationAdminAccountOutput{Success: aws.Bool(true)}, nil).Call
}

func (m *mockAWS) listAdmins(ids ...string) *gomock.Call {
	return m.org.EXPECT().ListDelegatedAdministrators(gomock.Any(), gomock.Any(), gomock.Any()).Return(adminsOut(ids), nil).Call
}

func (m *mockAWS) disableTrust() *gomock.Call {
	return m.org.EXPECT().DisableAWSServiceAccess(gomock.Any(), gomock.Any(), gomock.Any()).Return(&organizations.DisableAWSServiceAccessOutput{}, nil).Call
}

func (m *mockAWS) listTrusted(on bool) *gomock.Call {
	return m.org.EXPECT().ListAWSServiceAccessForOrganization(gomock.Any(), gomock.Any(), gomock.Any()).Return(trustedOut(on), nil).Call
}

func (m *mockAWS) deleteRole() *gomock.Call {
	return m.iam.EXPECT().DeleteServiceLinkedRole(gomock.Any(), gomock.Any(), gomock.Any()).Return(
		&iam.DeleteServiceLinkedRoleOutput{DeletionTaskId: aws.String("task-1")}, nil).Call
}

func (m *mockAWS) deletionStatus(status iamtypes.DeletionTaskStatusType) *gomock.Call {
	out := &iam.GetServiceLinkedRoleDeletionStatusOutput{Status: status}
	if status == iamtypes.DeletionTaskStatusTypeFailed {
		out.Reason = &iamtypes.DeletionTaskFailureReasonType{Reason: aws.String("role in use"),
			RoleUsageList: []iamtypes.RoleUsageType{{Region: aws.String("eu-west-1"), Resources: []string{"ipam-123"}}}}
	}
	return m.iam.EXPECT().GetServiceLinkedRoleDeletionStatus(gomock.Any(), gomock.Any(), gomock.Any()).Return(out, nil).Call
}

func (m *mockAWS) getRole(present bool) *gomock.Call {
	c := m.iam.EXPECT().GetRole(gomock.Any(), gomock.Any(), gomock.Any())
	if present {
		return c.Return(&iam.GetRoleOutput{}, nil).Call
	}
	return c.Return(nil, errNoRole).Call
}

// mockRegion is the one Region the administrator's account has enabled in
// these tests.
const mockRegion = "us-east-1"

// readIPAMs expects the guard's read of admin's IPAMs, in order: the
// access role assumed there, its enabled Regions, its IPAMs in the one
// Region, answered with ids. It returns the calls, the last one last.
func (m *mockAWS) readIPAMs(admin string, ids ...string) []*gomock.Call {
	out := &ec2.DescribeIpamsOutput{}
	for _, id := range ids {
		out.Ipams = append(out.Ipams, ec2types.Ipam{IpamId: aws.String(id), IpamRegion: aws.String(mockRegion), OwnerId: aws.String(admin),
			State: ec2types.IpamStateCreateComplete})
	}
	calls := []*gomock.Call{
		m.assume(admin).Call,
		m.ipam.EXPECT().DescribeRegions(gomock.Any(), gomock.Any(), gomock.Any()).Return(&ec2.DescribeRegionsOutput{
			Regions: []ec2types.Region{{RegionName: aws.String(mockRegion), OptInStatus: aws.String("opt-in-not-required")}}}, nil).Call,
		m.ipam.EXPECT().DescribeIpams(gomock.Any(), gomock.Any(), gomock.Any()).Return(out, nil).Call,
	}
	gomock.InOrder(calls[0], calls[1], calls[2])
	return calls
}

// assume expects the access role to be assumed in account.
func (m *mockAWS) assume(account string) *mocks.MockSTSAPIAssumeRoleCall {
	return m.sts.EXPECT().AssumeRole(gomock.Any(), roleIn(account), gomock.Any()).Return(&sts.AssumeRoleOutput{
		Credentials: &ststypes.Credentials{AccessKeyId: aws.String("ASIAEXAMPLEEXAMPLE"), SecretAccessKey: aws.String("secret"),
			SessionToken: aws.String("token"), Expiration: aws.Time(time.Now().Add(time.Hour))}}, nil)
}

// roleIn matches an sts:AssumeRole of the default access role in an
// account.
type roleIn string

func (r roleIn) Matches(x any) bool {
	in, ok := x.(*sts.AssumeRoleInput)
	return ok && aws.ToString(in.RoleArn) == "arn:aws:iam::"+string(r)+":role/OrganizationAccountAccessRole"
}

func (r roleIn) String() string { return "assumes the access role in " + string(r) }

// after makes each call wait for every call of prereqs.
func after(prereqs []*gomock.Call, calls ...*gomock.Call) {
	for _, c := range calls {
		for _, p := range prereqs {
			c.After(p)
		}
	}
}

// The whole lifecycle through Reconcile, none → delegated → trusted →
// disabled → none: each Reconcile observes (with the delegation's guard
// read alongside), guards, makes its one write and confirms it with the
// one read that shows it, in that order.
func TestMockLifecycle(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := newMockAWS(t)
		c := m.client(t)
		steps := []struct {
			desired ipamorg.Desired
			expect  func()
			events  []fsm.Event
		}{
			{ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: mockMemberA}, func() {
				// The guard's DescribeAccount goes alongside Observe's
				// reads; the write after them all.
				obs := m.expectObserve(factsOf(fsm.StateNone, ""))
				guard := m.describeAccount(mockMemberA)
				write := m.enable(mockMemberA)
				after(append(obs, guard), write)
				gomock.InOrder(write, m.listAdmins(mockMemberA))
			}, []fsm.Event{fsm.EventEnableTrustedAccess, fsm.EventDelegate}},
			{ipamorg.Desired{State: fsm.StateTrusted}, func() {
				obs := m.expectObserve(factsOf(fsm.StateDelegated, mockMemberA))
				guard := m.readIPAMs(mockMemberA)
				after(obs, guard[0])
				gomock.InOrder(guard[len(guard)-1], m.disable(mockMemberA), m.listAdmins())
			}, []fsm.Event{fsm.EventRemoveDelegate}},
			{ipamorg.Desired{State: fsm.StateDisabled}, func() {
				obs := m.expectObserve(factsOf(fsm.StateTrusted, ""))
				write := m.disableTrust()
				after(obs, write)
				gomock.InOrder(write, m.listTrusted(false))
			}, []fsm.Event{fsm.EventDisableTrustedAccess}},
			{ipamorg.Desired{State: fsm.StateNone}, func() {
				obs := m.expectObserve(factsOf(fsm.StateDisabled, ""))
				write := m.deleteRole()
				after(obs, write)
				// SUCCEEDED confirms the deletion: no GetRole after it.
				gomock.InOrder(write, m.deletionStatus(iamtypes.DeletionTaskStatusTypeSucceeded))
			}, []fsm.Event{fsm.EventDeleteServiceLinkedRole}},
		}
		for _, s := range steps {
			s.expect()
			res, err := c.Reconcile(t.Context(), s.desired)
			if err != nil {
				t.Fatalf("Reconcile(%+v): %v", s.desired, err)
			}
			if got := ipamorg.Events(res.Transitions); !slices.Equal(got, s.events) {
				t.Errorf("Reconcile(%+v) transitions %v, want %v", s.desired, got, s.events)
			}
			if res.Status.State != s.desired.State || res.Status.DelegatedAdmin != s.desired.DelegatedAdmin {
				t.Errorf("Reconcile(%+v) final status %+v", s.desired, res.Status)
			}
		}
	})
}

// Teardown order is AWS's: read the administrator's IPAMs (none), remove
// the administrator, disable trusted access, delete the role (and poll its
// deletion task, whose SUCCEEDED confirms it), each write after the read
// that confirms the one before.
func TestMockTeardownOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := newMockAWS(t)
		obs := m.expectObserve(factsOf(fsm.StateDelegated, mockMemberA))
		guard := m.readIPAMs(mockMemberA)
		after(obs, guard[0])
		gomock.InOrder(
			guard[len(guard)-1],
			m.disable(mockMemberA), m.listAdmins(),
			m.disableTrust(), m.listTrusted(false),
			m.deleteRole(),
			m.deletionStatus(iamtypes.DeletionTaskStatusTypeInProgress),
			// SUCCEEDED confirms the deletion: no GetRole after it (the
			// mock refuses any call not expected).
			m.deletionStatus(iamtypes.DeletionTaskStatusTypeSucceeded),
		)
		res, err := m.client(t).Reconcile(t.Context(), ipamorg.Desired{State: fsm.StateNone})
		if err != nil {
			t.Fatal(err)
		}
		want := []fsm.Event{fsm.EventRemoveDelegate, fsm.EventDisableTrustedAccess, fsm.EventDeleteServiceLinkedRole}
		if got := ipamorg.Events(res.Transitions); !slices.Equal(got, want) {
			t.Errorf("transitions %v, want %v", got, want)
		}
	})
}

// Replacing the administrator reads the old one's IPAMs, then removes it
// before designating the new one.
func TestMockReplaceOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := newMockAWS(t)
		obs := m.expectObserve(factsOf(fsm.StateDelegated, mockMemberA))
		ipams := m.readIPAMs(mockMemberA)
		guard := m.describeAccount(mockMemberB) // alongside Observe's reads
		after(obs, ipams[0])
		disable := m.disable(mockMemberA)
		after([]*gomock.Call{guard}, disable)
		gomock.InOrder(ipams[len(ipams)-1], disable, m.listAdmins(), m.enable(mockMemberB), m.listAdmins(mockMemberB))
		res, err := m.client(t).Reconcile(t.Context(), ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: mockMemberB, AllowReplace: true})
		if err != nil || res.Status.DelegatedAdmin != mockMemberB {
			t.Fatalf("Reconcile = %+v, %v", res, err)
		}
	})
}

// A deletion task IAM reports as FAILED is ErrServiceLinkedRoleDeletionFailed
// with IAM's reason; the role is still there, so the step is not done.
func TestMockDeletionFailed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := newMockAWS(t)
		obs := m.expectObserve(factsOf(fsm.StateDisabled, ""))
		write := m.deleteRole()
		after(obs, write)
		gomock.InOrder(write, m.deletionStatus(iamtypes.DeletionTaskStatusTypeFailed))
		res, err := m.client(t).DeleteServiceLinkedRole(t.Context())
		if !errors.Is(err, ipamorg.ErrServiceLinkedRoleDeletionFailed) || !strings.Contains(err.Error(), "role in use") ||
			!strings.Contains(err.Error(), "eu-west-1") {
			t.Errorf("error %v", err)
		}
		var e *ipamorg.Error
		if !errors.As(err, &e) || len(e.Unconfirmed) != 0 || !slices.Equal(e.NotDone, []fsm.Event{fsm.EventDeleteServiceLinkedRole}) {
			t.Errorf("error %+v, want the step not done", e)
		}
		if !ipamorg.IsTerminal(err) || res == nil || len(res.Transitions) != 0 {
			t.Errorf("IsTerminal %v, result %+v", ipamorg.IsTerminal(err), res)
		}
	})
}

// The five reads of Observe are independent and must be in flight
// together: each blocks until all five have started, which reads one
// after the other would never reach.
func TestMockObserveReadsConcurrently(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := newMockAWS(t)
		var mu sync.Mutex
		started := 0
		all := make(chan struct{})
		arrive := func() {
			mu.Lock()
			started++
			if started == 5 {
				close(all)
			}
			mu.Unlock()
			select {
			case <-all:
			case <-time.After(time.Minute):
				t.Error("reads did not run concurrently")
			}
		}
		f := factsOf(fsm.StateDisabled, "")
		m.sts.EXPECT().GetCallerIdentity(gomock.Any(), gomock.Any(), gomock.Any()).DoAndReturn(
			func(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error) {
				arrive()
				return callerOut(f), nil
			})
		m.org.EXPECT().DescribeOrganization(gomock.Any(), gomock.Any(), gomock.Any()).DoAndReturn(
			func(context.Context, *organizations.DescribeOrganizationInput, ...func(*organizations.Options)) (*organizations.DescribeOrganizationOutput, error) {
				arrive()
				return orgOut(f), nil
			})
		m.org.EXPECT().ListAWSServiceAccessForOrganization(gomock.Any(), gomock.Any(), gomock.Any()).DoAndReturn(
			func(context.Context, *organizations.ListAWSServiceAccessForOrganizationInput, ...func(*organizations.Options)) (*organizations.ListAWSServiceAccessForOrganizationOutput, error) {
				arrive()
				return trustedOut(false), nil
			})
		m.org.EXPECT().ListDelegatedAdministrators(gomock.Any(), gomock.Any(), gomock.Any()).DoAndReturn(
			func(context.Context, *organizations.ListDelegatedAdministratorsInput, ...func(*organizations.Options)) (*organizations.ListDelegatedAdministratorsOutput, error) {
				arrive()
				return adminsOut(nil), nil
			})
		m.iam.EXPECT().GetRole(gomock.Any(), gomock.Any(), gomock.Any()).DoAndReturn(
			func(context.Context, *iam.GetRoleInput, ...func(*iam.Options)) (*iam.GetRoleOutput, error) {
				arrive()
				return &iam.GetRoleOutput{}, nil
			})
		st, err := m.client(t).Observe(t.Context())
		if err != nil || st.State != fsm.StateDisabled {
			t.Fatalf("Observe = %+v, %v", st, err)
		}
	})
}

// Every guard refuses its move with its sentinel before any write: the
// mocks answer the reads and expect no write, so gomock fails the test if
// one is attempted.
func TestMockGuards(t *testing.T) {
	members := map[string]orgtypes.AccountState{
		mockMgmt: orgtypes.AccountStateActive, mockMemberA: orgtypes.AccountStateActive,
		mockMemberB: orgtypes.AccountStateActive, "444444444444": orgtypes.AccountStateSuspended,
	}
	delegated := func(a string) ipamorg.Desired { return ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: a} }
	reconcile := func(d ipamorg.Desired) func(context.Context, *ipamorg.Client) error {
		return func(ctx context.Context, c *ipamorg.Client) error { _, err := c.Reconcile(ctx, d); return err }
	}
	plan := func(d ipamorg.Desired) func(context.Context, *ipamorg.Client) error {
		return func(ctx context.Context, c *ipamorg.Client) error { _, err := c.Plan(ctx, d); return err }
	}
	delegate := func(a string) func(context.Context, *ipamorg.Client) error {
		return func(ctx context.Context, c *ipamorg.Client) error { _, err := c.Delegate(ctx, a); return err }
	}
	removeDelegate := func(ctx context.Context, c *ipamorg.Client) error { _, err := c.RemoveDelegate(ctx); return err }
	disableTrust := func(ctx context.Context, c *ipamorg.Client) error { _, err := c.DisableTrustedAccess(ctx); return err }
	deleteRole := func(ctx context.Context, c *ipamorg.Client) error {
		_, err := c.DeleteServiceLinkedRole(ctx)
		return err
	}
	with := func(state fsm.State, admin string, edit func(*facts)) facts {
		f := factsOf(state, admin)
		if edit != nil {
			edit(&f)
		}
		return f
	}
	member := func(f *facts) { f.caller = mockMemberA }
	tests := []struct {
		name string
		f    facts
		do   func(context.Context, *ipamorg.Client) error
		kind error
	}{
		{"not management: Delegate", with(fsm.StateNone, "", member), delegate(mockMemberB), ipamorg.ErrNotManagementAccount},
		{"not management: Reconcile", with(fsm.StateNone, "", member), reconcile(delegated(mockMemberB)), ipamorg.ErrNotManagementAccount},
		{"not management: teardown", with(fsm.StateDisabled, "", member), deleteRole, ipamorg.ErrNotManagementAccount},
		{"consolidated billing", with(fsm.StateNone, "", func(f *facts) { f.featureSet = orgtypes.OrganizationFeatureSetConsolidatedBilling }),
			plan(delegated(mockMemberA)), ipamorg.ErrAllFeaturesRequired},
		{"account not in organization", factsOf(fsm.StateNone, ""), delegate("555555555555"), ipamorg.ErrAccountNotInOrganization},
		{"suspended account", factsOf(fsm.StateNone, ""), reconcile(delegated("444444444444")), ipamorg.ErrAccountNotInOrganization},
		{"management as delegate", factsOf(fsm.StateNone, ""), delegate(mockMgmt), ipamorg.ErrManagementAccountAsDelegate},
		{"management as delegate: Plan", factsOf(fsm.StateTrusted, ""), plan(delegated(mockMgmt)), ipamorg.ErrManagementAccountAsDelegate},
		{"other admin: Delegate", factsOf(fsm.StateDelegated, mockMemberA), delegate(mockMemberB), ipamorg.ErrDelegatedAdminConflict},
		{"other admin: Reconcile", factsOf(fsm.StateDelegated, mockMemberA), reconcile(delegated(mockMemberB)), ipamorg.ErrDelegatedAdminConflict},
		{"none to trusted", factsOf(fsm.StateNone, ""), reconcile(ipamorg.Desired{State: fsm.StateTrusted}), ipamorg.ErrTrustedAccessRequiresDelegation},
		{"none to disabled", factsOf(fsm.StateNone, ""), plan(ipamorg.Desired{State: fsm.StateDisabled}), ipamorg.ErrTrustedAccessRequiresDelegation},
		{"disabled to trusted", factsOf(fsm.StateDisabled, ""), reconcile(ipamorg.Desired{State: fsm.StateTrusted}), ipamorg.ErrTrustedAccessRequiresDelegation},
		{"remove from none", factsOf(fsm.StateNone, ""), removeDelegate, fsm.ErrInvalidTransition},
		{"remove from trusted", factsOf(fsm.StateTrusted, ""), removeDelegate, fsm.ErrInvalidTransition},
		{"disable from delegated", factsOf(fsm.StateDelegated, mockMemberA), disableTrust, fsm.ErrInvalidTransition},
		{"disable from none", factsOf(fsm.StateNone, ""), disableTrust, fsm.ErrInvalidTransition},
		{"delete role from trusted", factsOf(fsm.StateTrusted, ""), deleteRole, fsm.ErrInvalidTransition},
		{"delete role from none", factsOf(fsm.StateNone, ""), deleteRole, fsm.ErrInvalidTransition},
		{"two admins: teardown", with(fsm.StateDelegated, mockMemberA, func(f *facts) { f.admins = []string{mockMemberA, mockMemberB} }),
			reconcile(ipamorg.Desired{State: fsm.StateNone}), ipamorg.ErrAnomaly},
		{"management account listed as admin", factsOf(fsm.StateDelegated, mockMgmt), delegate(mockMgmt), ipamorg.ErrAnomaly},
		{"admin without an id", with(fsm.StateDelegated, "", nil), removeDelegate, ipamorg.ErrAnomaly},
		{"empty caller id", with(fsm.StateNone, "", func(f *facts) { f.caller = "" }), delegate(mockMemberA), ipamorg.ErrAnomaly},
		{"empty management id", with(fsm.StateNone, "", func(f *facts) { f.management = "" }), reconcile(delegated(mockMemberA)), ipamorg.ErrAnomaly},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				m := newMockAWS(t)
				m.stubReads(tt.f, members)
				err := tt.do(t.Context(), m.client(t))
				if !errors.Is(err, tt.kind) {
					t.Fatalf("error %v, want %v", err, tt.kind)
				}
				var e *ipamorg.Error
				if !errors.As(err, &e) || e.Kind != tt.kind || len(e.Done) != 0 || len(e.Unconfirmed) != 0 {
					t.Errorf("error %#v, want *ipamorg.Error with Kind %v and nothing done", err, tt.kind)
				}
				if !ipamorg.IsTerminal(err) {
					t.Errorf("IsTerminal(%v) = false", err)
				}
				if msg := err.Error(); strings.Contains(msg, "account  ") || strings.Contains(msg, "caller ,") || strings.HasSuffix(msg, " ") {
					t.Errorf("error %q shows a blank account", msg)
				}
			})
		})
	}
}

// Malformed input is refused before any AWS call at all: the mocks expect
// nothing, not even reads.
func TestMockInvalidInputBeforeAnyCall(t *testing.T) {
	tests := []struct {
		name string
		do   func(context.Context, *ipamorg.Client) error
		kind error
	}{
		{"short id", func(ctx context.Context, c *ipamorg.Client) error {
			_, err := c.Delegate(ctx, "12345678901")
			return err
		}, ipamorg.ErrInvalidAccountID},
		{"non-ascii digits", func(ctx context.Context, c *ipamorg.Client) error {
			_, err := c.Delegate(ctx, "١٢٣٤٥٦٧٨٩٠١٢")
			return err
		}, ipamorg.ErrInvalidAccountID},
		{"empty", func(ctx context.Context, c *ipamorg.Client) error { _, err := c.Delegate(ctx, ""); return err }, ipamorg.ErrInvalidAccountID},
		{"reconcile bad id", func(ctx context.Context, c *ipamorg.Client) error {
			_, err := c.Reconcile(ctx, ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: "arn:aws:iam::1"})
			return err
		}, ipamorg.ErrInvalidAccountID},
		{"plan bad id", func(ctx context.Context, c *ipamorg.Client) error {
			_, err := c.Plan(ctx, ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: " 222222222222"})
			return err
		}, ipamorg.ErrInvalidAccountID},
		{"delegated without admin", func(ctx context.Context, c *ipamorg.Client) error {
			_, err := c.Plan(ctx, ipamorg.Desired{State: fsm.StateDelegated})
			return err
		}, ipamorg.ErrInvalidDesired},
		{"trusted with admin", func(ctx context.Context, c *ipamorg.Client) error {
			_, err := c.Reconcile(ctx, ipamorg.Desired{State: fsm.StateTrusted, DelegatedAdmin: mockMemberA})
			return err
		}, ipamorg.ErrInvalidDesired},
		{"unknown state", func(ctx context.Context, c *ipamorg.Client) error {
			_, err := c.Plan(ctx, ipamorg.Desired{State: fsm.StateUnknown})
			return err
		}, ipamorg.ErrInvalidDesired},
		{"nil plan", func(ctx context.Context, c *ipamorg.Client) error { _, err := c.Apply(ctx, nil); return err }, ipamorg.ErrInvalidDesired},
		{"hand-made plan", func(ctx context.Context, c *ipamorg.Client) error {
			_, err := c.Apply(ctx, &ipamorg.Plan{Status: &ipamorg.Status{State: fsm.StateNone},
				Desired: ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: mockMemberA},
				Steps:   []ipamorg.Step{{Event: fsm.EventDelegate, From: fsm.StateNone, To: fsm.StateDelegated}}})
			return err
		}, ipamorg.ErrInvalidDesired},
		{"hand-made plan enabling trusted access alone", func(ctx context.Context, c *ipamorg.Client) error {
			_, err := c.Apply(ctx, &ipamorg.Plan{Status: &ipamorg.Status{State: fsm.StateNone}, Desired: ipamorg.Desired{State: fsm.StateTrusted},
				Steps: []ipamorg.Step{{Event: fsm.EventEnableTrustedAccess, From: fsm.StateNone, To: fsm.StateTrusted}}})
			return err
		}, ipamorg.ErrTrustedAccessRequiresDelegation},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.do(t.Context(), newMockAWS(t).client(t))
			if !errors.Is(err, tt.kind) {
				t.Fatalf("error %v, want %v", err, tt.kind)
			}
			if !strings.HasPrefix(err.Error(), "ipamorg: ") || !ipamorg.IsTerminal(err) {
				t.Errorf("error %q (terminal %v)", err, ipamorg.IsTerminal(err))
			}
		})
	}
}

// Every step that removes the administrator reads its IPAMs first, in the
// administrator's account, and writes nothing while one exists or when
// they cannot be read; AllowIPAMResources skips the read.
func TestMockIPAMGuard(t *testing.T) {
	teardown := func(ctx context.Context, c *ipamorg.Client) (*ipamorg.Result, error) {
		return c.Reconcile(ctx, ipamorg.Desired{State: fsm.StateNone})
	}
	remove := func(ctx context.Context, c *ipamorg.Client) (*ipamorg.Result, error) { return c.RemoveDelegate(ctx) }
	for name, do := range map[string]func(context.Context, *ipamorg.Client) (*ipamorg.Result, error){"teardown": teardown, "RemoveDelegate": remove} {
		t.Run(name+": ipams exist", func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				m := newMockAWS(t)
				after(m.expectObserve(factsOf(fsm.StateDelegated, mockMemberA)), m.readIPAMs(mockMemberA, "ipam-0123456789abcdef0")[0])
				_, err := do(t.Context(), m.client(t))
				if !errors.Is(err, ipamorg.ErrIPAMResourcesExist) || !ipamorg.IsTerminal(err) {
					t.Fatalf("error %v, want ErrIPAMResourcesExist", err)
				}
				for _, s := range []string{"ipam-0123456789abcdef0 in us-east-1", "aws ec2 delete-ipam --ipam-id ipam-0123456789abcdef0 --cascade --region us-east-1", "account 222222222222"} {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("error %q lacks %q", err, s)
					}
				}
				var e *ipamorg.Error
				if !errors.As(err, &e) || e.Event != fsm.EventRemoveDelegate || len(e.Done)+len(e.Unconfirmed) != 0 || len(e.NotDone) == 0 {
					t.Errorf("error %+v, want remove-delegate not done", e)
				}
			})
		})
		t.Run(name+": admin unreachable", func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				m := newMockAWS(t)
				denied := &smithy.GenericAPIError{Code: "AccessDenied", Message: "not authorized to perform sts:AssumeRole"}
				after(m.expectObserve(factsOf(fsm.StateDelegated, mockMemberA)),
					m.sts.EXPECT().AssumeRole(gomock.Any(), roleIn(mockMemberA), gomock.Any()).Return(nil, denied).Call)
				_, err := do(t.Context(), m.client(t))
				var ae smithy.APIError
				if !errors.Is(err, ipamorg.ErrAdminUnreachable) || !errors.As(err, &ae) || ae.ErrorCode() != "AccessDenied" {
					t.Fatalf("error %v, want ErrAdminUnreachable wrapping AccessDenied", err)
				}
			})
		})
	}
	// Allowed, nothing is read in the administrator's account: the
	// write follows Observe.
	for name, do := range map[string]func(context.Context, *ipamorg.Client) (*ipamorg.Result, error){
		"Reconcile": func(ctx context.Context, c *ipamorg.Client) (*ipamorg.Result, error) {
			return c.Reconcile(ctx, ipamorg.Desired{State: fsm.StateTrusted, AllowIPAMResources: true})
		},
		"RemoveDelegate": func(ctx context.Context, c *ipamorg.Client) (*ipamorg.Result, error) {
			return c.RemoveDelegate(ctx, func(o *ipamorg.RemoveOptions) { o.AllowIPAMResources = true })
		},
	} {
		t.Run(name+" allowed", func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				m := newMockAWS(t)
				obs := m.expectObserve(factsOf(fsm.StateDelegated, mockMemberA))
				write := m.disable(mockMemberA)
				after(obs, write)
				gomock.InOrder(write, m.listAdmins())
				res, err := do(t.Context(), m.client(t))
				if err != nil || len(res.Transitions) != 1 {
					t.Fatalf("%s = %+v, %v", name, res, err)
				}
			})
		})
	}
}

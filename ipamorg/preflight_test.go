package ipamorg_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/smithy-go"
	"go.uber.org/mock/gomock"

	"github.com/ipamorg/sdk/awsclient"
	"github.com/ipamorg/sdk/awsclient/awstest"
	"github.com/ipamorg/sdk/awsclient/mocks"
	"github.com/ipamorg/sdk/fsm"
	"github.com/ipamorg/sdk/ipamorg"
)

// preflightWant is what one check of a report must be.
type preflightWant struct {
	event      fsm.Event
	result     ipamorg.PermissionResult
	code       string
	unverified []string
}

func preflightCheckReport(t *testing.T, r *ipamorg.PermissionReport, want []preflightWant) {
	t.Helper()
	if r == nil || len(r.Checks) != len(want) {
		t.Fatalf("report %+v, want %d checks", r, len(want))
	}
	for i, w := range want {
		got := r.Checks[i]
		if got.Event != w.event || got.Result != w.result || got.Code != w.code || !slices.Equal(got.Unverified, w.unverified) {
			t.Errorf("check %d: %s %s code %q unverified %v; want %s %s code %q unverified %v",
				i, got.Event, got.Result, got.Code, got.Unverified, w.event, w.result, w.code, w.unverified)
		}
		if got.Unverified == nil {
			t.Errorf("check %d: Unverified is nil", i)
		}
	}
}

// preflightPlan plans d as the management account of emu.
func preflightPlan(t *testing.T, emu *awstest.Emulator, d ipamorg.Desired) *ipamorg.Plan {
	t.Helper()
	c, err := ipamorg.NewFromConfig(emu.Config(context.Background(), awstest.DefaultManagementAccountID))
	if err != nil {
		t.Fatal(err)
	}
	p, err := c.Plan(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func preflightClientAs(t *testing.T, emu *awstest.Emulator, account string) *ipamorg.Client {
	t.Helper()
	c, err := ipamorg.NewFromConfig(emu.Config(context.Background(), account))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func preflightDelegated(admin string) *awstest.Emulator {
	org := awstest.DefaultOrganization()
	org.IPAMDelegatedAdmin = admin
	return awstest.New(awstest.WithOrganization(org))
}

var preflightDelegateNeeds = []string{"iam:CreateServiceLinkedRole", "organizations:EnableAWSServiceAccess", "organizations:RegisterDelegatedAdministrator"}

func TestCheckPermissionsOverTheEmulator(t *testing.T) {
	const member1, member2 = awstest.DefaultMemberAccountID1, awstest.DefaultMemberAccountID2
	for _, tc := range []struct {
		name    string
		emu     *awstest.Emulator
		desired ipamorg.Desired
		as      string // the account whose client checks; default the management account
		want    []preflightWant
	}{
		{
			name: "delegate", emu: awstest.New(),
			desired: ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: member1},
			want: []preflightWant{
				{fsm.EventEnableTrustedAccess, ipamorg.PermissionNoCall, "", []string{}},
				{fsm.EventDelegate, ipamorg.PermissionAllowed, "DryRunOperation", preflightDelegateNeeds},
			},
		},
		{
			// The emulator answers a member account's EC2 call with
			// UnauthorizedOperation, as a principal without the permission
			// gets it.
			name: "delegate denied", emu: awstest.New(), as: member2,
			desired: ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: member1},
			want: []preflightWant{
				{fsm.EventEnableTrustedAccess, ipamorg.PermissionNoCall, "", []string{}},
				{fsm.EventDelegate, ipamorg.PermissionDenied, "UnauthorizedOperation", preflightDelegateNeeds},
			},
		},
		{
			name: "teardown", emu: preflightDelegated(member1),
			desired: ipamorg.Desired{State: fsm.StateNone},
			want: []preflightWant{
				{fsm.EventRemoveDelegate, ipamorg.PermissionAllowed, "DryRunOperation", []string{"organizations:DeregisterDelegatedAdministrator"}},
				{fsm.EventDisableTrustedAccess, ipamorg.PermissionUnchecked, "", []string{"organizations:DisableAWSServiceAccess"}},
				{fsm.EventDeleteServiceLinkedRole, ipamorg.PermissionUnchecked, "", []string{"iam:DeleteServiceLinkedRole", "iam:GetServiceLinkedRoleDeletionStatus"}},
			},
		},
		{
			// No dry run changes anything, so the delegate of a
			// replacement still finds the old administrator.
			name: "replacement", emu: preflightDelegated(member1),
			desired: ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: member2, AllowReplace: true},
			want: []preflightWant{
				{fsm.EventRemoveDelegate, ipamorg.PermissionAllowed, "DryRunOperation", []string{"organizations:DeregisterDelegatedAdministrator"}},
				{fsm.EventDelegate, ipamorg.PermissionInconclusive, "IpamOrganizationDelegatedAdminLimitExceeded", preflightDelegateNeeds},
			},
		},
		{
			name: "no change", emu: preflightDelegated(member1),
			desired: ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: member1},
			want:    []preflightWant{},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := preflightPlan(t, tc.emu, tc.desired)
			as := tc.as
			if as == "" {
				as = awstest.DefaultManagementAccountID
			}
			tc.emu.ResetRequests()
			r, err := preflightClientAs(t, tc.emu, as).CheckPermissions(context.Background(), p)
			if err != nil {
				t.Fatal(err)
			}
			preflightCheckReport(t, r, tc.want)
			if w := tc.emu.Writes(); len(w) != 0 {
				t.Errorf("writes %v", w)
			}
			var dry int
			for _, req := range tc.emu.Requests() {
				if !req.DryRun {
					t.Errorf("request without DryRun: %s", req.Action)
				}
				dry++
			}
			if want := len(r.Checks) - preflightCount(r, ipamorg.PermissionNoCall, ipamorg.PermissionUnchecked); dry != want {
				t.Errorf("%d dry runs, want %d", dry, want)
			}
			if denied := r.Denied(); (len(denied) > 0) != (tc.as != "") {
				t.Errorf("Denied() = %v", denied)
			}
		})
	}
}

func preflightCount(r *ipamorg.PermissionReport, results ...ipamorg.PermissionResult) int {
	n := 0
	for _, c := range r.Checks {
		if slices.Contains(results, c.Result) {
			n++
		}
	}
	return n
}

// preflightMockClient returns a Client whose only usable client is ec2: the check
// must make no other call.
func preflightMockClient(t *testing.T, ec2api awsclient.EC2API) *ipamorg.Client {
	t.Helper()
	ctrl := gomock.NewController(t)
	c, err := ipamorg.New(awsclient.Clients{
		Organizations: mocks.NewMockOrganizationsAPI(ctrl),
		EC2:           ec2api,
		STS:           mocks.NewMockSTSAPI(ctrl),
		IAM:           mocks.NewMockIAMAPI(ctrl),
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func preflightRemoveStep(account string) ipamorg.Step {
	return ipamorg.Step{Event: fsm.EventRemoveDelegate, From: fsm.StateDelegated, To: fsm.StateTrusted,
		Action: "ec2:DisableIpamOrganizationAdminAccount", Account: account}
}

func preflightDelegateStep(account string) ipamorg.Step {
	return ipamorg.Step{Event: fsm.EventDelegate, From: fsm.StateTrusted, To: fsm.StateDelegated,
		Action: "ec2:EnableIpamOrganizationAdminAccount", Account: account}
}

// preflightDryRunOnly matches an EC2 input whose DryRun is true and whose account is
// account.
func preflightDryRunOnly(account string) gomock.Matcher {
	return gomock.Cond(func(x any) bool {
		switch in := x.(type) {
		case *ec2.EnableIpamOrganizationAdminAccountInput:
			return aws.ToBool(in.DryRun) && aws.ToString(in.DelegatedAdminAccountId) == account
		case *ec2.DisableIpamOrganizationAdminAccountInput:
			return aws.ToBool(in.DryRun) && aws.ToString(in.DelegatedAdminAccountId) == account
		}
		return false
	})
}

func TestCheckPermissionsSendsOnlyDryRunsInPlanOrder(t *testing.T) {
	ctrl := gomock.NewController(t)
	api := mocks.NewMockEC2API(ctrl)
	gomock.InOrder(
		api.EXPECT().DisableIpamOrganizationAdminAccount(gomock.Any(), preflightDryRunOnly("222222222222")).
			Return(nil, &smithy.GenericAPIError{Code: "DryRunOperation", Message: "Request would have succeeded, but DryRun flag is set."}),
		api.EXPECT().EnableIpamOrganizationAdminAccount(gomock.Any(), preflightDryRunOnly("333333333333")).
			Return(nil, &smithy.GenericAPIError{Code: "UnauthorizedOperation", Message: "You are not authorized to perform this operation."}),
	)
	p := &ipamorg.Plan{
		Status: &ipamorg.Status{State: fsm.StateDelegated, DelegatedAdmin: "222222222222"},
		Steps:  []ipamorg.Step{preflightRemoveStep("222222222222"), preflightDelegateStep("333333333333")},
	}
	r, err := preflightMockClient(t, api).CheckPermissions(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	preflightCheckReport(t, r, []preflightWant{
		{fsm.EventRemoveDelegate, ipamorg.PermissionAllowed, "DryRunOperation", []string{"organizations:DeregisterDelegatedAdministrator"}},
		{fsm.EventDelegate, ipamorg.PermissionDenied, "UnauthorizedOperation", preflightDelegateNeeds},
	})
	if d := r.Denied(); len(d) != 1 || d[0].Account != "333333333333" || d[0].Message != "You are not authorized to perform this operation." {
		t.Errorf("Denied() = %+v", d)
	}
}

func TestCheckPermissionsFailures(t *testing.T) {
	p := &ipamorg.Plan{
		Status: &ipamorg.Status{State: fsm.StateDelegated, DelegatedAdmin: "222222222222"},
		Steps:  []ipamorg.Step{preflightRemoveStep("222222222222"), preflightDelegateStep("333333333333")},
	}
	connErr := errors.New("dial tcp 127.0.0.1:1: connection refused")
	for _, tc := range []struct {
		name    string
		answer  error // to the second dry run; nil is success
		wantErr error // errors.Is
		msg     string
	}{
		{name: "endpoint ignores DryRun", msg: "ignored DryRun and the change may have been made"},
		{name: "no answer", answer: connErr, wantErr: connErr},
		{name: "context ended", answer: context.Canceled, wantErr: context.Canceled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctrl := gomock.NewController(t)
			api := mocks.NewMockEC2API(ctrl)
			api.EXPECT().DisableIpamOrganizationAdminAccount(gomock.Any(), preflightDryRunOnly("222222222222")).
				Return(nil, &smithy.GenericAPIError{Code: "DryRunOperation"})
			var out *ec2.EnableIpamOrganizationAdminAccountOutput
			if tc.answer == nil {
				out = &ec2.EnableIpamOrganizationAdminAccountOutput{Success: aws.Bool(true)}
			}
			api.EXPECT().EnableIpamOrganizationAdminAccount(gomock.Any(), preflightDryRunOnly("333333333333")).Return(out, tc.answer)

			r, err := preflightMockClient(t, api).CheckPermissions(context.Background(), p)
			var e *ipamorg.Error
			if !errors.As(err, &e) || e.Op != "check-permissions" || e.Event != fsm.EventDelegate || e.Account != "333333333333" {
				t.Fatalf("err %#v", err)
			}
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Errorf("err %v, want it to match %v", err, tc.wantErr)
			}
			if tc.msg != "" && !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("err %q lacks %q", err, tc.msg)
			}
			if r == nil || len(r.Checks) != 1 || r.Checks[0].Result != ipamorg.PermissionAllowed {
				t.Errorf("report so far %+v", r)
			}
		})
	}

	t.Run("no plan", func(t *testing.T) {
		c := preflightMockClient(t, mocks.NewMockEC2API(gomock.NewController(t)))
		for _, p := range []*ipamorg.Plan{nil, {}} {
			r, err := c.CheckPermissions(context.Background(), p)
			if !errors.Is(err, ipamorg.ErrInvalidDesired) || r == nil || r.Checks == nil {
				t.Errorf("CheckPermissions(%v) = %+v, %v", p, r, err)
			}
		}
	})
}

package ipamorg_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"go.uber.org/mock/gomock"

	"github.com/ipamorg/sdk/awsclient"
	"github.com/ipamorg/sdk/awsclient/mocks"
	"github.com/ipamorg/sdk/ipamorg"
)

const orgID = "o-exampleorg1"

func apiErr(code string) error { return &smithy.GenericAPIError{Code: code, Message: "injected"} }

// fleetOrg is the organization the fleet tests' mocks report: accounts
// listed two per page (so that pagination matters), which of them have
// AWSServiceRoleForIPAM, and which cannot be assumed into.
type fleetOrg struct {
	t         *testing.T
	accounts  []orgtypes.Account
	orgARN    string
	accessARN string // role path/name expected in AssumeRole's ARN

	mu       sync.Mutex
	admin    string
	roles    map[string]bool
	noAccess map[string]bool
	denyFix  map[string]bool // CreateServiceLinkedRole denied here
	lostFix  map[string]bool // CreateServiceLinkedRole applied, but its answer lost
	created  []string
	assumed  []string
	faults   map[string][]error // per operation, consumed in order

	// beforeAssume, if set, runs at the start of every AssumeRole, outside
	// mu; it may block.
	beforeAssume func(ctx context.Context, account string) error
	// beforeList, if set, runs at the start of every ListAccounts, with
	// the NextToken asked for ("" for the first page), outside mu; it may
	// block.
	beforeList func(ctx context.Context, token string) error
}

// newFleetOrg returns the management account and n active members
// (210000000001, ...), every one with the role and assumable.
// noLimits turns the fleet's rate limits off.
var noLimits = ipamorg.RateLimits{Organizations: math.Inf(1), STS: math.Inf(1)}

func newFleetOrg(t *testing.T, n int) *fleetOrg {
	f := &fleetOrg{t: t, orgARN: "arn:aws:organizations::" + mgmt + ":organization/" + orgID,
		accessARN: "OrganizationAccountAccessRole", admin: memberA,
		roles: map[string]bool{}, noAccess: map[string]bool{}, denyFix: map[string]bool{}, lostFix: map[string]bool{},
		faults: map[string][]error{}}
	f.add(orgtypes.Account{Id: aws.String(mgmt), Name: aws.String("management"), State: orgtypes.AccountStateActive})
	for i := range n {
		f.add(orgtypes.Account{Id: aws.String(member(i)), Name: aws.String(fmt.Sprintf("member-%d", i+1)), State: orgtypes.AccountStateActive})
	}
	return f
}

func member(i int) string { return strconv.Itoa(210000000001 + i) }

func (f *fleetOrg) add(a orgtypes.Account) {
	f.accounts = append(f.accounts, a)
	f.roles[aws.ToString(a.Id)] = true
}

func (f *fleetOrg) fault(op string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	q := f.faults[op]
	if len(q) == 0 {
		return nil
	}
	f.faults[op] = q[1:]
	return q[0]
}

// env returns clients whose mocks serve f. Reads are registered AnyTimes;
// every call is checked against what the verification must send.
func (f *fleetOrg) clients(ctrl *gomock.Controller) awsclient.Clients {
	t := f.t
	org := mocks.NewMockOrganizationsAPI(ctrl)
	stsc := mocks.NewMockSTSAPI(ctrl)
	mgmtIAM := mocks.NewMockIAMAPI(ctrl)

	stsc.EXPECT().GetCallerIdentity(gomock.Any(), gomock.Any(), gomock.Any()).AnyTimes().Return(
		&sts.GetCallerIdentityOutput{Account: aws.String(mgmt), Arn: aws.String("arn:aws:iam::" + mgmt + ":root")}, nil)
	org.EXPECT().DescribeOrganization(gomock.Any(), gomock.Any(), gomock.Any()).AnyTimes().DoAndReturn(
		func(context.Context, *organizations.DescribeOrganizationInput, ...func(*organizations.Options)) (*organizations.DescribeOrganizationOutput, error) {
			return &organizations.DescribeOrganizationOutput{Organization: &orgtypes.Organization{
				Id: aws.String(orgID), Arn: aws.String(f.orgARN), MasterAccountId: aws.String(mgmt), FeatureSet: orgtypes.OrganizationFeatureSetAll}}, nil
		})
	org.EXPECT().ListDelegatedAdministrators(gomock.Any(), gomock.Any(), gomock.Any()).AnyTimes().DoAndReturn(
		func(_ context.Context, in *organizations.ListDelegatedAdministratorsInput, _ ...func(*organizations.Options)) (*organizations.ListDelegatedAdministratorsOutput, error) {
			if got := aws.ToString(in.ServicePrincipal); got != "ipam.amazonaws.com" {
				t.Errorf("ListDelegatedAdministrators(%s)", got)
			}
			f.mu.Lock()
			defer f.mu.Unlock()
			out := &organizations.ListDelegatedAdministratorsOutput{}
			if f.admin != "" {
				out.DelegatedAdministrators = []orgtypes.DelegatedAdministrator{{Id: aws.String(f.admin)}}
			}
			return out, nil
		})
	// A flat organization: one root without OUs, listed with ListAccounts.
	org.EXPECT().ListRoots(gomock.Any(), gomock.Any(), gomock.Any()).AnyTimes().Return(
		&organizations.ListRootsOutput{Roots: []orgtypes.Root{{Id: aws.String("r-fleet")}}}, nil)
	org.EXPECT().ListOrganizationalUnitsForParent(gomock.Any(), gomock.Any(), gomock.Any()).AnyTimes().Return(
		&organizations.ListOrganizationalUnitsForParentOutput{}, nil)
	org.EXPECT().ListAccounts(gomock.Any(), gomock.Any(), gomock.Any()).AnyTimes().DoAndReturn(
		func(ctx context.Context, in *organizations.ListAccountsInput, _ ...func(*organizations.Options)) (*organizations.ListAccountsOutput, error) {
			if f.beforeList != nil {
				if err := f.beforeList(ctx, aws.ToString(in.NextToken)); err != nil {
					return nil, err
				}
			}
			if err := f.fault("ListAccounts"); err != nil {
				return nil, err
			}
			start := 0
			if in.NextToken != nil {
				var err error
				if start, err = strconv.Atoi(*in.NextToken); err != nil {
					t.Errorf("ListAccounts NextToken %q", *in.NextToken)
				}
			}
			end := min(start+2, len(f.accounts))
			out := &organizations.ListAccountsOutput{Accounts: f.accounts[start:end]}
			if end < len(f.accounts) {
				out.NextToken = aws.String(strconv.Itoa(end))
			}
			return out, nil
		})
	stsc.EXPECT().AssumeRole(gomock.Any(), gomock.Any(), gomock.Any()).AnyTimes().DoAndReturn(
		func(ctx context.Context, in *sts.AssumeRoleInput, _ ...func(*sts.Options)) (*sts.AssumeRoleOutput, error) {
			arn := aws.ToString(in.RoleArn)
			account, ok := strings.CutPrefix(arn, "arn:"+partition(f.orgARN)+":iam::")
			if !ok || len(account) < 12 || account[12:] != ":role/"+f.accessARN {
				t.Errorf("AssumeRole(%s)", arn)
				return nil, apiErr("ValidationError")
			}
			account = account[:12]
			if account == mgmt {
				t.Errorf("AssumeRole into the caller's own account %s", arn)
			}
			if aws.ToString(in.RoleSessionName) == "" || aws.ToInt32(in.DurationSeconds) < 900 {
				t.Errorf("AssumeRole session %q duration %d", aws.ToString(in.RoleSessionName), aws.ToInt32(in.DurationSeconds))
			}
			if f.beforeAssume != nil {
				if err := f.beforeAssume(ctx, account); err != nil {
					return nil, err
				}
			}
			if err := f.fault("AssumeRole"); err != nil {
				return nil, err
			}
			f.mu.Lock()
			defer f.mu.Unlock()
			f.assumed = append(f.assumed, account)
			if f.noAccess[account] {
				return nil, apiErr("AccessDenied")
			}
			return &sts.AssumeRoleOutput{Credentials: &ststypes.Credentials{
				AccessKeyId: aws.String(account), SecretAccessKey: aws.String("secret"), SessionToken: aws.String("token-" + account),
				Expiration: aws.Time(time.Now().Add(15 * time.Minute))}}, nil
		})
	f.expectIAM(mgmtIAM, mgmt)

	return awsclient.Clients{Organizations: org, EC2: mocks.NewMockEC2API(ctrl), STS: stsc, IAM: mgmtIAM,
		MemberIAM: func(p aws.CredentialsProvider) awsclient.IAMAPI {
			creds, err := p.Retrieve(context.Background())
			if err != nil || creds.SessionToken != "token-"+creds.AccessKeyID || !creds.CanExpire {
				t.Errorf("MemberIAM given credentials %q/%q (%v), err %v", creds.AccessKeyID, creds.SessionToken, creds.CanExpire, err)
			}
			m := mocks.NewMockIAMAPI(ctrl)
			f.expectIAM(m, creds.AccessKeyID)
			return m
		}}
}

func partition(arn string) string { return strings.Split(arn, ":")[1] }

// expectIAM makes m serve account's IAM.
func (f *fleetOrg) expectIAM(m *mocks.MockIAMAPI, account string) {
	t := f.t
	m.EXPECT().GetRole(gomock.Any(), gomock.Any(), gomock.Any()).AnyTimes().DoAndReturn(
		func(_ context.Context, in *iam.GetRoleInput, _ ...func(*iam.Options)) (*iam.GetRoleOutput, error) {
			if got := aws.ToString(in.RoleName); got != "AWSServiceRoleForIPAM" {
				t.Errorf("GetRole(%s)", got)
			}
			if err := f.fault("GetRole"); err != nil {
				return nil, err
			}
			f.mu.Lock()
			defer f.mu.Unlock()
			if !f.roles[account] {
				return nil, &iamtypes.NoSuchEntityException{Message: aws.String("The role with name AWSServiceRoleForIPAM cannot be found.")}
			}
			return &iam.GetRoleOutput{Role: &iamtypes.Role{RoleName: in.RoleName}}, nil
		})
	m.EXPECT().CreateServiceLinkedRole(gomock.Any(), gomock.Any(), gomock.Any()).AnyTimes().DoAndReturn(
		func(_ context.Context, in *iam.CreateServiceLinkedRoleInput, _ ...func(*iam.Options)) (*iam.CreateServiceLinkedRoleOutput, error) {
			if got := aws.ToString(in.AWSServiceName); got != "ipam.amazonaws.com" {
				t.Errorf("CreateServiceLinkedRole(%s)", got)
			}
			f.mu.Lock()
			defer f.mu.Unlock()
			if f.denyFix[account] {
				return nil, apiErr("AccessDenied")
			}
			if f.roles[account] {
				t.Errorf("CreateServiceLinkedRole in %s, which has the role", account)
			}
			f.roles[account] = true
			f.created = append(f.created, account)
			if f.lostFix[account] {
				f.lostFix[account] = false
				return nil, &smithyhttp.RequestSendError{Err: errors.New("connection reset by peer")}
			}
			return &iam.CreateServiceLinkedRoleOutput{Role: &iamtypes.Role{RoleName: aws.String("AWSServiceRoleForIPAM")}}, nil
		})
}

func (f *fleetOrg) client(t *testing.T, optFns ...func(*ipamorg.Options)) *ipamorg.Client {
	t.Helper()
	c, err := ipamorg.New(f.clients(gomock.NewController(t)), optFns...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func results(r *ipamorg.FleetReport) map[string]ipamorg.RoleResult {
	out := map[string]ipamorg.RoleResult{}
	for _, a := range r.Accounts {
		out[a.AccountID] = a.Result
	}
	return out
}

func TestVerifyServiceLinkedRolesFindsEveryCase(t *testing.T) {
	f := newFleetOrg(t, 4)
	// A suspended account in the 2025 State field, and one in the older
	// Status field alone: both skipped, neither assumed into.
	f.add(orgtypes.Account{Id: aws.String(suspended), State: orgtypes.AccountStateSuspended})
	f.add(orgtypes.Account{Id: aws.String(outsider), Status: orgtypes.AccountStatusSuspended})
	f.roles[member(1)] = false
	f.noAccess[member(2)] = true

	var progress []ipamorg.FleetProgress
	r, err := f.client(t).VerifyServiceLinkedRoles(t.Context(), ipamorg.VerifyOptions{
		RateLimits: noLimits,
		Progress:   func(p ipamorg.FleetProgress) { progress = append(progress, p) },
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]ipamorg.RoleResult{
		mgmt: ipamorg.RolePresent, member(0): ipamorg.RolePresent, member(1): ipamorg.RoleMissing,
		member(2): ipamorg.RoleAccessDenied, member(3): ipamorg.RolePresent,
		suspended: ipamorg.RoleSkipped, outsider: ipamorg.RoleSkipped,
	}
	if got := results(r); !maps.Equal(got, want) {
		t.Errorf("results %v, want %v", got, want)
	}
	if !r.Complete || r.Total != 7 || len(r.Accounts) != 7 || r.OK() {
		t.Errorf("complete %v total %d accounts %d ok %v", r.Complete, r.Total, len(r.Accounts), r.OK())
	}
	if !slices.IsSortedFunc(r.Accounts, func(a, b ipamorg.AccountCheck) int { return strings.Compare(a.AccountID, b.AccountID) }) {
		t.Error("accounts not sorted by id")
	}
	wantCounts := map[ipamorg.RoleResult]int{"present": 3, "missing": 1, "repaired": 0, "purged": 0, "access-denied": 1, "skipped": 2, "error": 0}
	if !maps.Equal(r.Counts, wantCounts) {
		t.Errorf("counts %v, want %v", r.Counts, wantCounts)
	}
	if got := r.Missing(); !slices.Equal(got, []string{member(1)}) {
		t.Errorf("Missing() = %v", got)
	}
	if got := r.Unverified(); !slices.Equal(got, []string{member(2)}) {
		t.Errorf("Unverified() = %v", got)
	}
	if r.ManagementAccountID != mgmt || r.CallerAccountID != mgmt || r.OrganizationID != orgID || r.DelegatedAdmin != memberA ||
		r.AccessRole != "OrganizationAccountAccessRole" || len(r.Warnings) != 0 {
		t.Errorf("report header %+v", r)
	}
	for _, a := range r.Accounts {
		switch a.AccountID {
		case member(2):
			if !errors.Is(a.Err, ipamorg.ErrAccessDenied) || !strings.HasPrefix(a.Reason, "sts:AssumeRole: AccessDenied") {
				t.Errorf("access denied account: reason %q err %v", a.Reason, a.Err)
			}
			var e *ipamorg.Error
			if !errors.As(a.Err, &e) || e.Account != member(2) || e.Action != "sts:AssumeRole" {
				t.Errorf("err %#v", a.Err)
			}
		case suspended, outsider:
			if a.Reason != "account state is SUSPENDED" || a.State != "SUSPENDED" {
				t.Errorf("skipped %s: state %q reason %q", a.AccountID, a.State, a.Reason)
			}
		case mgmt:
			if !a.Management || a.Name != "management" {
				t.Errorf("management account %+v", a)
			}
		default:
			if a.Reason != "" || a.Err != nil {
				t.Errorf("%s: reason %q err %v", a.AccountID, a.Reason, a.Err)
			}
		}
	}
	slices.Sort(f.assumed)
	if want := []string{member(0), member(1), member(2), member(3)}; !slices.Equal(f.assumed, want) {
		t.Errorf("assumed into %v, want %v (never the caller's nor suspended accounts)", f.assumed, want)
	}
	if len(f.created) != 0 {
		t.Errorf("created roles in %v without Repair", f.created)
	}
	wantProgressSequence(t, progress, 7)

	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`"counts":{"access-denied":1,"error":0,"missing":1,"present":3,"purged":0,"repaired":0,"skipped":2}`,
		`{"account_id":"` + member(1) + `","name":"member-2","state":"ACTIVE","result":"missing"}`, `"complete":true`} {
		if !strings.Contains(string(b), s) {
			t.Errorf("JSON lacks %s:\n%s", s, b)
		}
	}
}

func TestVerifyServiceLinkedRolesRepair(t *testing.T) {
	f := newFleetOrg(t, 5)
	f.roles[mgmt] = false
	f.roles[member(0)] = false
	f.roles[member(3)] = false
	f.denyFix[member(3)] = true
	f.noAccess[member(1)] = true
	// The role is created but the answer lost: GetRole shows it, so it is
	// repaired, and not created twice.
	f.roles[member(4)] = false
	f.lostFix[member(4)] = true

	r, err := f.client(t).VerifyServiceLinkedRoles(t.Context(), ipamorg.VerifyOptions{Repair: true, RateLimits: noLimits})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]ipamorg.RoleResult{
		mgmt: ipamorg.RoleRepaired, member(0): ipamorg.RoleRepaired, member(1): ipamorg.RoleAccessDenied,
		member(2): ipamorg.RolePresent, member(3): ipamorg.RoleMissing, member(4): ipamorg.RoleRepaired,
	}
	if got := results(r); !maps.Equal(got, want) {
		t.Errorf("results %v, want %v", got, want)
	}
	slices.Sort(f.created)
	if want := []string{mgmt, member(0), member(4)}; !slices.Equal(f.created, want) {
		t.Errorf("created in %v, want %v", f.created, want)
	}
	if got := r.Repaired(); !slices.Equal(got, []string{mgmt, member(0), member(4)}) {
		t.Errorf("Repaired() = %v", got)
	}
	for _, a := range r.Accounts {
		if a.AccountID != member(3) {
			continue
		}
		if !strings.HasPrefix(a.RepairError, "iam:CreateServiceLinkedRole: AccessDenied") || !errors.Is(a.Err, ipamorg.ErrAccessDenied) {
			t.Errorf("failed repair: %q, %v", a.RepairError, a.Err)
		}
	}
	if !r.Repair || r.OK() {
		t.Errorf("repair %v ok %v", r.Repair, r.OK())
	}
}

func TestVerifyServiceLinkedRolesRepairNeedsDelegatedAdmin(t *testing.T) {
	f := newFleetOrg(t, 2)
	f.admin = ""
	f.roles[member(0)] = false
	r, err := f.client(t).VerifyServiceLinkedRoles(t.Context(), ipamorg.VerifyOptions{Repair: true})
	if !errors.Is(err, ipamorg.ErrNoDelegatedAdmin) || r != nil {
		t.Fatalf("got %v, %v; want ErrNoDelegatedAdmin", r, err)
	}
	if len(f.assumed) != 0 || len(f.created) != 0 {
		t.Errorf("assumed %v created %v before refusing", f.assumed, f.created)
	}

	// Without repair, the check runs and says there is no admin.
	r, err = f.client(t).VerifyServiceLinkedRoles(t.Context(), ipamorg.VerifyOptions{})
	if err != nil || r.DelegatedAdmin != "" || !slices.Equal(r.Missing(), []string{member(0)}) {
		t.Fatalf("got %+v, %v", r, err)
	}
}

func TestVerifyServiceLinkedRolesRoleNameAndPartition(t *testing.T) {
	f := newFleetOrg(t, 2)
	f.orgARN = "arn:aws-us-gov:organizations::" + mgmt + ":organization/" + orgID
	f.accessARN = "audit/IpamFleetReader"
	r, err := f.client(t, func(o *ipamorg.Options) { o.AccessRole = "audit/IpamFleetReader" }).VerifyServiceLinkedRoles(t.Context(), ipamorg.VerifyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK() || r.AccessRole != "audit/IpamFleetReader" || len(f.assumed) != 2 {
		t.Errorf("ok %v access role %q assumed %v", r.OK(), r.AccessRole, f.assumed)
	}
}

func TestVerifyServiceLinkedRolesErrors(t *testing.T) {
	t.Run("no MemberIAM", func(t *testing.T) {
		ctrl := gomock.NewController(t) // no expectations: any AWS call fails the test
		c, err := ipamorg.New(awsclient.Clients{Organizations: mocks.NewMockOrganizationsAPI(ctrl), EC2: mocks.NewMockEC2API(ctrl),
			STS: mocks.NewMockSTSAPI(ctrl), IAM: mocks.NewMockIAMAPI(ctrl)})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.VerifyServiceLinkedRoles(t.Context(), ipamorg.VerifyOptions{})
		if !errors.Is(err, ipamorg.ErrInvalidOptions) || !errors.Is(err, awsclient.ErrMissingClient) {
			t.Errorf("err = %v", err)
		}
	})
	for name, o := range map[string]ipamorg.VerifyOptions{
		"negative concurrency":        {Concurrency: -1},
		"negative Organizations rate": {RateLimits: ipamorg.RateLimits{Organizations: -1}},
		"NaN STS rate":                {RateLimits: ipamorg.RateLimits{STS: math.NaN()}},
		"concurrency above the bound": {Concurrency: ipamorg.MaxVerifyConcurrency + 1},
		"concurrency that overflows":  {Concurrency: math.MaxInt},
		"repair and purge":            {Repair: true, Purge: true},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := newFleetOrg(t, 1).client(t).VerifyServiceLinkedRoles(t.Context(), o)
			var e *ipamorg.Error
			if !errors.Is(err, ipamorg.ErrInvalidOptions) || !errors.As(err, &e) || e.Op != "verify-service-linked-roles" {
				t.Errorf("err = %v", err)
			}
		})
	}
	t.Run("listing denied", func(t *testing.T) {
		f := newFleetOrg(t, 3)
		f.faults["ListAccounts"] = []error{&orgtypes.AccessDeniedException{Message: aws.String("no")}}
		r, err := f.client(t).VerifyServiceLinkedRoles(t.Context(), ipamorg.VerifyOptions{})
		if !errors.Is(err, ipamorg.ErrAccessDenied) || r != nil {
			t.Errorf("got %v, %v", r, err)
		}
		if len(f.assumed) != 0 {
			t.Errorf("assumed %v", f.assumed)
		}
	})
	t.Run("listing denied on a later page", func(t *testing.T) {
		f := newFleetOrg(t, 5) // three pages of two
		f.faults["ListAccounts"] = []error{nil, &orgtypes.AccessDeniedException{Message: aws.String("no")}}
		r, err := f.client(t).VerifyServiceLinkedRoles(t.Context(), ipamorg.VerifyOptions{RateLimits: noLimits})
		if !errors.Is(err, ipamorg.ErrAccessDenied) || r == nil {
			t.Fatalf("got %v, %v", r, err)
		}
		// The first page's accounts were listed; each was checked, or
		// left unchecked if no worker had taken it yet.
		if r.Complete || r.Total != 2 || len(r.Accounts) > 2 {
			t.Errorf("complete %v total %d accounts %+v", r.Complete, r.Total, r.Accounts)
		}
		for _, a := range r.Accounts {
			if (a.AccountID != mgmt && a.AccountID != member(0)) || a.Result != ipamorg.RolePresent {
				t.Errorf("account %+v", a)
			}
		}
	})
	t.Run("organization not in use", func(t *testing.T) {
		f := newFleetOrg(t, 1)
		f.faults["ListAccounts"] = []error{&orgtypes.AWSOrganizationsNotInUseException{Message: aws.String("no org")}}
		_, err := f.client(t).VerifyServiceLinkedRoles(t.Context(), ipamorg.VerifyOptions{})
		if !errors.Is(err, ipamorg.ErrOrganizationNotFound) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("unexpected error in one account", func(t *testing.T) {
		f := newFleetOrg(t, 2)
		f.faults["AssumeRole"] = []error{apiErr("RegionDisabledException")}
		r, err := f.client(t).VerifyServiceLinkedRoles(t.Context(), ipamorg.VerifyOptions{Concurrency: 1, RateLimits: noLimits})
		if err != nil {
			t.Fatal(err)
		}
		if r.Counts[ipamorg.RoleError] != 1 || r.Counts[ipamorg.RolePresent] != 2 {
			t.Errorf("counts %v", r.Counts)
		}
	})
}

// TestVerifyServiceLinkedRolesConcurrencyBound blocks every AssumeRole
// until the test releases it: in a synctest bubble, once every goroutine is
// blocked, the number in flight is exactly what the bound allows.
func TestVerifyServiceLinkedRolesConcurrencyBound(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const bound = 4
		f := newFleetOrg(t, 20)
		var inFlight, maxInFlight atomic.Int32
		release := make(chan struct{})
		f.beforeAssume = func(ctx context.Context, _ string) error {
			n := inFlight.Add(1)
			defer inFlight.Add(-1)
			for {
				m := maxInFlight.Load()
				if n <= m || maxInFlight.CompareAndSwap(m, n) {
					break
				}
			}
			<-release
			return nil
		}
		c := f.client(t)
		done := make(chan *ipamorg.FleetReport)
		go func() {
			r, err := c.VerifyServiceLinkedRoles(t.Context(), ipamorg.VerifyOptions{Concurrency: bound, RateLimits: noLimits})
			if err != nil {
				t.Error(err)
			}
			done <- r
		}()
		synctest.Wait()
		if got := inFlight.Load(); got != bound {
			t.Errorf("%d accounts in flight, want %d", got, bound)
		}
		close(release)
		r := <-done
		if got := maxInFlight.Load(); got != bound {
			t.Errorf("at most %d in flight, want %d", got, bound)
		}
		if r == nil || !r.OK() || len(r.Accounts) != 21 {
			t.Errorf("report %+v", r)
		}
	})
}

// TestVerifyServiceLinkedRolesChecksWhileListing holds every page after
// the first until an account of the first page has been assumed into: the
// checks must not wait for the listing to end.
func TestVerifyServiceLinkedRolesChecksWhileListing(t *testing.T) {
	f := newFleetOrg(t, 9) // five pages of two
	assumed := make(chan struct{})
	var once sync.Once
	f.beforeAssume = func(context.Context, string) error {
		once.Do(func() { close(assumed) })
		return nil
	}
	f.beforeList = func(ctx context.Context, token string) error {
		if token == "" {
			return nil
		}
		select {
		case <-assumed:
			return nil
		case <-time.After(10 * time.Second):
			return errors.New("no account was checked while the listing waited")
		}
	}
	r, err := f.client(t).VerifyServiceLinkedRoles(t.Context(), ipamorg.VerifyOptions{RateLimits: noLimits})
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK() || r.Total != 10 || len(r.Accounts) != 10 {
		t.Errorf("ok %v total %d accounts %d", r.OK(), r.Total, len(r.Accounts))
	}
}

func TestVerifyServiceLinkedRolesCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFleetOrg(t, 10)
		// The first three members answer; the others hang until cancelled.
		f.beforeAssume = func(ctx context.Context, account string) error {
			if account <= member(2) {
				return nil
			}
			<-ctx.Done()
			return ctx.Err()
		}
		ctx, cancel := context.WithCancel(t.Context())
		var last ipamorg.FleetProgress
		type outcome struct {
			r   *ipamorg.FleetReport
			err error
		}
		done := make(chan outcome)
		c := f.client(t)
		go func() {
			r, err := c.VerifyServiceLinkedRoles(ctx, ipamorg.VerifyOptions{Concurrency: 2, RateLimits: noLimits,
				Progress: func(p ipamorg.FleetProgress) { last = p }})
			done <- outcome{r, err}
		}()
		synctest.Wait()
		cancel()
		o := <-done
		if !errors.Is(o.err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", o.err)
		}
		if o.r == nil || o.r.Complete || o.r.Total != 11 || !o.r.ListingComplete {
			t.Fatalf("report %+v", o.r)
		}
		want := map[string]ipamorg.RoleResult{mgmt: "present", member(0): "present", member(1): "present", member(2): "present"}
		if got := results(o.r); !maps.Equal(got, want) {
			t.Errorf("results %v, want %v (cancelled accounts are left out)", got, want)
		}
		if last != (ipamorg.FleetProgress{Listed: 11, Checked: 4, ListingDone: true}) {
			t.Errorf("last progress %v", last)
		}
	})
}

// wantProgressSequence fails the test unless progress is what
// VerifyOptions.Progress promises for a complete run over total accounts:
// zeros first; then each call lists more accounts or checks one more, never
// fewer of either, never more checked than listed; the listing's end once,
// with the total, and nothing listed after it; the total checked last.
func wantProgressSequence(t *testing.T, progress []ipamorg.FleetProgress, total int) {
	t.Helper()
	if len(progress) == 0 || progress[0] != (ipamorg.FleetProgress{}) {
		t.Fatalf("progress %v: want zeros first", progress)
	}
	done := 0
	for i := 1; i < len(progress); i++ {
		p, q := progress[i-1], progress[i]
		listedMore := q.Listed > p.Listed && q.Checked == p.Checked
		checkedOne := q.Checked == p.Checked+1 && q.Listed == p.Listed
		ended := !p.ListingDone && q.ListingDone && q.Listed == p.Listed && q.Checked == p.Checked
		switch {
		case q.Checked > q.Listed, p.ListingDone && !q.ListingDone, p.ListingDone && q.Listed != p.Listed:
			t.Fatalf("progress %v at %d: %+v after %+v", progress, i, q, p)
		case ended:
			done++
		case !listedMore && !checkedOne:
			t.Fatalf("progress %v at %d: %+v after %+v, neither one more checked nor more listed", progress, i, q, p)
		}
	}
	if last := progress[len(progress)-1]; done != 1 || last != (ipamorg.FleetProgress{Listed: total, Checked: total, ListingDone: true}) {
		t.Errorf("progress %v: want the listing's end once, then %d of %d checked", progress, total, total)
	}
}

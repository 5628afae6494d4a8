package ipamorg_test

// A hand-written awsclient.Clients that answers as AWS never should: nil
// outputs with nil errors, pagination tokens that repeat or never end,
// empty ids, two administrators, the management account as one, an
// administrator without an id, a list whose order flips. Whatever it
// does, the package must not panic (a panic in one of its goroutines
// would kill the test binary), hang past its context, claim a state it
// did not observe, or write.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
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

	"github.com/ipamorg/sdk/awsclient"
	"github.com/ipamorg/sdk/fsm"
	"github.com/ipamorg/sdk/ipamorg"
)

// hostile is the misbehaving AWS. Its zero value is not usable; see
// newHostile. Writes are recorded and change nothing, except where a test
// says.
type hostile struct {
	mu sync.Mutex

	caller, management string
	trusted, role      bool
	// admins are the delegated administrators listed, nil for an entry
	// without an id.
	admins []*string
	// flip reverses the order of admins at every listing.
	flip bool
	// members are the organization's members, for DescribeAccount and
	// ListAccounts.
	members []string

	// nilOutput names the operations that answer (nil, nil).
	nilOutput map[string]bool
	// sameToken names the list operations whose every page ends with the
	// same NextToken; endless those whose every page ends with a new one.
	sameToken, endless map[string]bool
	// onPage, if set, runs at every page of a list operation, with the
	// number of pages served so far for that operation.
	onPage func(op string, n int)
	// success is what Enable and Disable answer as Success (nil: none).
	success *bool
	// writeApplies makes the EC2 and Organizations writes change the
	// facts, so that they can be confirmed.
	writeApplies bool

	// ipams and discovered are what the administrator's account shows
	// (monitoring_invalid_responses_test.go): its IPAMs, and what their discovery lists.
	ipams      []ec2types.Ipam
	discovered []ec2types.IpamDiscoveredAccount

	pages  map[string]int
	writes []string
}

func newHostile() *hostile {
	return &hostile{caller: mgmt, management: mgmt, members: []string{memberA, memberB},
		nilOutput: map[string]bool{}, sameToken: map[string]bool{}, endless: map[string]bool{},
		pages: map[string]int{}, success: aws.Bool(true)}
}

func (h *hostile) clients() awsclient.Clients {
	return awsclient.Clients{Organizations: h, EC2: h, STS: h, IAM: h,
		MemberIAM: func(aws.CredentialsProvider) awsclient.IAMAPI { return h },
		AdminEC2:  func(aws.CredentialsProvider, string) awsclient.IPAMAPI { return h }}
}

func (h *hostile) client(t *testing.T) *ipamorg.Client {
	t.Helper()
	c, err := ipamorg.New(h.clients(), func(o *ipamorg.Options) {
		o.Wait = ipamorg.WaitOptions{Interval: time.Millisecond, MaxDelay: time.Millisecond, MaxWait: time.Second}
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// answer returns whether op answers (nil, nil).
func (h *hostile) isNil(op string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.nilOutput[op]
}

func (h *hostile) wrote(op string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.writes = append(h.writes, op)
}

func (h *hostile) written() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.writes)
}

// next returns the NextToken that ends a page of op.
func (h *hostile) next(op string, last bool) *string {
	h.mu.Lock()
	h.pages[op]++
	n := h.pages[op]
	hook := h.onPage
	same, endless := h.sameToken[op], h.endless[op]
	h.mu.Unlock()
	if hook != nil {
		hook(op, n)
	}
	switch {
	case same:
		return aws.String("again")
	case endless:
		return aws.String(fmt.Sprintf("page-%d", n))
	case last:
		return nil
	}
	return aws.String("last")
}

func (h *hostile) pagesOf(op string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.pages[op]
}

func (h *hostile) GetCallerIdentity(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error) {
	if h.isNil("GetCallerIdentity") {
		return nil, nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return &sts.GetCallerIdentityOutput{Account: aws.String(h.caller), Arn: aws.String("arn:aws:iam::" + h.caller + ":root")}, nil
}

func (h *hostile) AssumeRole(_ context.Context, in *sts.AssumeRoleInput, _ ...func(*sts.Options)) (*sts.AssumeRoleOutput, error) {
	if h.isNil("AssumeRole") {
		return nil, nil
	}
	return &sts.AssumeRoleOutput{Credentials: &ststypes.Credentials{AccessKeyId: aws.String("ASIAEXAMPLE"), SecretAccessKey: aws.String("x"), SessionToken: aws.String("t")}}, nil
}

func (h *hostile) DescribeOrganization(context.Context, *organizations.DescribeOrganizationInput, ...func(*organizations.Options)) (*organizations.DescribeOrganizationOutput, error) {
	if h.isNil("DescribeOrganization") {
		return nil, nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return &organizations.DescribeOrganizationOutput{Organization: &orgtypes.Organization{
		Id: aws.String("o-hostile"), MasterAccountId: aws.String(h.management), FeatureSet: orgtypes.OrganizationFeatureSetAll}}, nil
}

func (h *hostile) DescribeAccount(_ context.Context, in *organizations.DescribeAccountInput, _ ...func(*organizations.Options)) (*organizations.DescribeAccountOutput, error) {
	if h.isNil("DescribeAccount") {
		return nil, nil
	}
	return &organizations.DescribeAccountOutput{Account: &orgtypes.Account{Id: in.AccountId, State: orgtypes.AccountStateActive}}, nil
}

func (h *hostile) ListAccounts(_ context.Context, in *organizations.ListAccountsInput, _ ...func(*organizations.Options)) (*organizations.ListAccountsOutput, error) {
	if h.isNil("ListAccounts") {
		return nil, nil
	}
	out := &organizations.ListAccountsOutput{}
	h.mu.Lock()
	for _, id := range append([]string{h.management}, h.members...) {
		out.Accounts = append(out.Accounts, orgtypes.Account{Id: aws.String(id), State: orgtypes.AccountStateActive})
	}
	h.mu.Unlock()
	out.NextToken = h.next("ListAccounts", true)
	return out, nil
}

func (h *hostile) ListAWSServiceAccessForOrganization(_ context.Context, in *organizations.ListAWSServiceAccessForOrganizationInput, _ ...func(*organizations.Options)) (*organizations.ListAWSServiceAccessForOrganizationOutput, error) {
	if h.isNil("ListAWSServiceAccessForOrganization") {
		return nil, nil
	}
	out := &organizations.ListAWSServiceAccessForOrganizationOutput{}
	h.mu.Lock()
	if h.trusted && in.NextToken != nil {
		out.EnabledServicePrincipals = []orgtypes.EnabledServicePrincipal{{ServicePrincipal: aws.String("ipam.amazonaws.com")}}
	}
	h.mu.Unlock()
	// Two pages, IPAM (if at all) on the second.
	out.NextToken = h.next("ListAWSServiceAccessForOrganization", in.NextToken != nil)
	return out, nil
}

func (h *hostile) ListDelegatedAdministrators(_ context.Context, in *organizations.ListDelegatedAdministratorsInput, _ ...func(*organizations.Options)) (*organizations.ListDelegatedAdministratorsOutput, error) {
	if h.isNil("ListDelegatedAdministrators") {
		return nil, nil
	}
	out := &organizations.ListDelegatedAdministratorsOutput{}
	h.mu.Lock()
	if in.NextToken != nil {
		for _, id := range h.admins {
			out.DelegatedAdministrators = append(out.DelegatedAdministrators, orgtypes.DelegatedAdministrator{Id: id})
		}
		if h.flip {
			slices.Reverse(h.admins)
		}
	}
	h.mu.Unlock()
	out.NextToken = h.next("ListDelegatedAdministrators", in.NextToken != nil)
	return out, nil
}

func (h *hostile) DisableAWSServiceAccess(context.Context, *organizations.DisableAWSServiceAccessInput, ...func(*organizations.Options)) (*organizations.DisableAWSServiceAccessOutput, error) {
	h.wrote("DisableAWSServiceAccess")
	if h.isNil("DisableAWSServiceAccess") {
		return nil, nil
	}
	return &organizations.DisableAWSServiceAccessOutput{}, nil
}

func (h *hostile) EnableIpamOrganizationAdminAccount(_ context.Context, in *ec2.EnableIpamOrganizationAdminAccountInput, _ ...func(*ec2.Options)) (*ec2.EnableIpamOrganizationAdminAccountOutput, error) {
	h.wrote("EnableIpamOrganizationAdminAccount")
	if h.isNil("EnableIpamOrganizationAdminAccount") {
		return nil, nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.writeApplies {
		h.trusted, h.role, h.admins = true, true, []*string{in.DelegatedAdminAccountId}
	}
	return &ec2.EnableIpamOrganizationAdminAccountOutput{Success: h.success}, nil
}

func (h *hostile) DisableIpamOrganizationAdminAccount(context.Context, *ec2.DisableIpamOrganizationAdminAccountInput, ...func(*ec2.Options)) (*ec2.DisableIpamOrganizationAdminAccountOutput, error) {
	h.wrote("DisableIpamOrganizationAdminAccount")
	if h.isNil("DisableIpamOrganizationAdminAccount") {
		return nil, nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return &ec2.DisableIpamOrganizationAdminAccountOutput{Success: h.success}, nil
}

func (h *hostile) GetRole(context.Context, *iam.GetRoleInput, ...func(*iam.Options)) (*iam.GetRoleOutput, error) {
	if h.isNil("GetRole") {
		return nil, nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.role {
		return nil, &iamtypes.NoSuchEntityException{Message: aws.String("no role")}
	}
	return &iam.GetRoleOutput{Role: &iamtypes.Role{RoleName: aws.String("AWSServiceRoleForIPAM")}}, nil
}

func (h *hostile) CreateServiceLinkedRole(context.Context, *iam.CreateServiceLinkedRoleInput, ...func(*iam.Options)) (*iam.CreateServiceLinkedRoleOutput, error) {
	h.wrote("CreateServiceLinkedRole")
	if h.isNil("CreateServiceLinkedRole") {
		return nil, nil
	}
	return &iam.CreateServiceLinkedRoleOutput{}, nil
}

func (h *hostile) DeleteServiceLinkedRole(context.Context, *iam.DeleteServiceLinkedRoleInput, ...func(*iam.Options)) (*iam.DeleteServiceLinkedRoleOutput, error) {
	h.wrote("DeleteServiceLinkedRole")
	if h.isNil("DeleteServiceLinkedRole") {
		return nil, nil
	}
	return &iam.DeleteServiceLinkedRoleOutput{DeletionTaskId: aws.String("task")}, nil
}

func (h *hostile) GetServiceLinkedRoleDeletionStatus(context.Context, *iam.GetServiceLinkedRoleDeletionStatusInput, ...func(*iam.Options)) (*iam.GetServiceLinkedRoleDeletionStatusOutput, error) {
	if h.isNil("GetServiceLinkedRoleDeletionStatus") {
		return nil, nil
	}
	return &iam.GetServiceLinkedRoleDeletionStatusOutput{Status: iamtypes.DeletionTaskStatusTypeInProgress}, nil
}

// at sets h's facts to the management account's view of state.
func (h *hostile) at(state fsm.State, admin string) *hostile {
	h.trusted, h.role, h.admins = false, false, nil
	switch state {
	case fsm.StateDelegated:
		h.trusted, h.role, h.admins = true, true, []*string{aws.String(admin)}
	case fsm.StateTrusted:
		h.trusted, h.role = true, true
	case fsm.StateDisabled:
		h.role = true
	}
	return h
}

// hostileCall is one call of the package that reaches a given operation.
type hostileCall struct {
	name  string
	state fsm.State // where h stands
	admin string
	call  func(context.Context, *ipamorg.Client) error
	// step is the step whose write the operation is, if it is one.
	step fsm.Event
}

func observeCall(ctx context.Context, c *ipamorg.Client) error { _, err := c.Observe(ctx); return err }

func verifyCall(repair bool) func(context.Context, *ipamorg.Client) error {
	return func(ctx context.Context, c *ipamorg.Client) error {
		_, err := c.VerifyServiceLinkedRoles(ctx, func(o *ipamorg.VerifyOptions) {
			o.Repair = repair
			o.RateLimits = noLimits
		})
		return err
	}
}

func reconcileTo(d ipamorg.Desired) func(context.Context, *ipamorg.Client) error {
	return func(ctx context.Context, c *ipamorg.Client) error { _, err := c.Reconcile(ctx, d); return err }
}

// A nil output with a nil error, from any method of any interface, is an
// error naming the call (ErrInvalidResponse), never a panic; after a
// write it leaves the step unconfirmed, since AWS may have applied it.
func TestHostileNilOutputs(t *testing.T) {
	toDelegated := reconcileTo(ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: memberA})
	for _, tc := range []struct {
		op string
		hostileCall
	}{
		{"GetCallerIdentity", hostileCall{call: observeCall}},
		{"DescribeOrganization", hostileCall{call: observeCall}},
		{"ListAWSServiceAccessForOrganization", hostileCall{call: observeCall}},
		{"ListDelegatedAdministrators", hostileCall{call: observeCall}},
		{"GetRole", hostileCall{call: observeCall}},
		{"DescribeAccount", hostileCall{call: toDelegated}},
		{"EnableIpamOrganizationAdminAccount", hostileCall{call: toDelegated, step: fsm.EventDelegate}},
		{"DisableIpamOrganizationAdminAccount", hostileCall{state: fsm.StateDelegated, admin: memberA,
			call: reconcileTo(ipamorg.Desired{State: fsm.StateTrusted}), step: fsm.EventRemoveDelegate}},
		{"DisableAWSServiceAccess", hostileCall{state: fsm.StateTrusted,
			call: reconcileTo(ipamorg.Desired{State: fsm.StateDisabled}), step: fsm.EventDisableTrustedAccess}},
		{"DeleteServiceLinkedRole", hostileCall{state: fsm.StateDisabled,
			call: reconcileTo(ipamorg.Desired{State: fsm.StateNone}), step: fsm.EventDeleteServiceLinkedRole}},
		{"GetServiceLinkedRoleDeletionStatus", hostileCall{state: fsm.StateDisabled,
			call: reconcileTo(ipamorg.Desired{State: fsm.StateNone}), step: fsm.EventDeleteServiceLinkedRole}},
		{"ListAccounts", hostileCall{call: verifyCall(false)}},
		{"AssumeRole", hostileCall{call: verifyCall(false)}},
		{"CreateServiceLinkedRole", hostileCall{state: fsm.StateDelegated, admin: memberA, call: verifyCall(true)}},
	} {
		t.Run(tc.op, func(t *testing.T) {
			h := newHostile().at(tc.state, tc.admin)
			if tc.op == "CreateServiceLinkedRole" {
				h.role = false // every account lacks it: a repair to make
			}
			h.nilOutput[tc.op] = true
			err := tc.call(t.Context(), h.client(t))
			if tc.op == "AssumeRole" || tc.op == "CreateServiceLinkedRole" {
				// One account's failure is in the report, not an error.
				if err != nil {
					t.Fatalf("VerifyServiceLinkedRoles: %v", err)
				}
				return
			}
			if !errors.Is(err, ipamorg.ErrInvalidResponse) || !strings.Contains(err.Error(), tc.op) {
				t.Fatalf("error %v, want ErrInvalidResponse naming %s", err, tc.op)
			}
			e := asIpamError(t, err)
			if tc.step != "" && !slices.Contains(e.Unconfirmed, tc.step) {
				t.Errorf("a write answered with nothing: Unconfirmed %v, want %s in it", e.Unconfirmed, tc.step)
			}
			if tc.step == "" && len(h.written()) != 0 {
				t.Errorf("wrote %v after a read answered nothing", h.written())
			}
		})
	}

	// The fleet's per-account failures name the call.
	for _, op := range []string{"AssumeRole", "CreateServiceLinkedRole"} {
		t.Run(op+" in the report", func(t *testing.T) {
			h := newHostile().at(fsm.StateDelegated, memberA)
			h.role = false
			h.nilOutput[op] = true
			r, err := h.client(t).VerifyServiceLinkedRoles(t.Context(), func(o *ipamorg.VerifyOptions) {
				o.Repair = true
				o.RateLimits = noLimits
			})
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range r.Accounts {
				if a.AccountID == mgmt && op == "AssumeRole" {
					continue // the caller's own account is not assumed into
				}
				if !errors.Is(a.Err, ipamorg.ErrInvalidResponse) || !strings.Contains(a.Err.Error(), op) {
					t.Errorf("%s: %s, %v; want ErrInvalidResponse naming %s", a.AccountID, a.Result, a.Err, op)
				}
			}
		})
	}
}

// A list whose every page ends with the same token, or with a new one
// for ever, is an error (ErrInvalidResponse) after a bounded number of
// pages, not an endless loop, and nothing is written. The IPAM reads are
// made in an organization whose administrator owns an IPAM (monitored).
func TestHostilePagination(t *testing.T) {
	for _, tc := range []struct {
		op        string
		endless   bool
		monitored bool
		call      func(context.Context, *ipamorg.Client) error
		maxPages  int
	}{
		{"ListAWSServiceAccessForOrganization", false, false, observeCall, 2},
		{"ListDelegatedAdministrators", false, false, observeCall, 2},
		{"ListAccounts", false, false, verifyCall(false), 2},
		{"ListAWSServiceAccessForOrganization", true, false, observeCall, 101},
		{"ListDelegatedAdministrators", true, false, observeCall, 101},
		{"DescribeIpams", false, true, monitoringCall, 2},
		{"DescribeIpams", false, true, teardownCall, 2},
		{"GetIpamDiscoveredAccounts", false, true, monitoringCall, 2},
		{"DescribeIpams", true, true, monitoringCall, 101},
		{"GetIpamDiscoveredAccounts", true, true, monitoringCall, 1001},
	} {
		t.Run(fmt.Sprintf("%s endless=%v", tc.op, tc.endless), func(t *testing.T) {
			h := newHostile()
			if tc.monitored {
				h = h.monitored()
			}
			if tc.endless {
				h.endless[tc.op] = true
			} else {
				h.sameToken[tc.op] = true
			}
			err := tc.call(t.Context(), h.client(t))
			if !errors.Is(err, ipamorg.ErrInvalidResponse) || !strings.Contains(err.Error(), tc.op) {
				t.Fatalf("error %v, want ErrInvalidResponse naming %s", err, tc.op)
			}
			if n := h.pagesOf(tc.op); n > tc.maxPages {
				t.Errorf("%d pages of %s read, want at most %d", n, tc.op, tc.maxPages)
			}
			if len(h.written()) != 0 {
				t.Errorf("wrote %v", h.written())
			}
		})
	}
}

// A client that ignores its context and lists for ever: the listing
// stops at the first page after the context ends.
func TestHostilePaginationIgnoresContext(t *testing.T) {
	for _, tc := range []struct {
		op   string
		call func(context.Context, *ipamorg.Client) error
	}{
		{"ListAccounts", verifyCall(false)},
		{"ListDelegatedAdministrators", observeCall},
	} {
		t.Run(tc.op, func(t *testing.T) {
			h := newHostile()
			h.endless[tc.op] = true
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			h.onPage = func(op string, n int) {
				if op == tc.op && n == 10 {
					cancel()
				}
			}
			err := tc.call(ctx, h.client(t))
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("error %v, want context.Canceled", err)
			}
			if n := h.pagesOf(tc.op); n != 10 {
				t.Errorf("%d pages read, want 10: the context is checked between pages", n)
			}
		})
	}
}

// Empty caller and management ids never pass the management guard ("" ==
// ""): every call that would write refuses before writing, and no message
// shows a blank where an account should be.
func TestHostileEmptyIdentities(t *testing.T) {
	for _, who := range []struct {
		name               string
		caller, management string
	}{{"caller", "", mgmt}, {"management account", mgmt, ""}, {"both", "", ""}} {
		for _, call := range []hostileCall{
			{name: "Delegate", call: func(ctx context.Context, c *ipamorg.Client) error { _, err := c.Delegate(ctx, memberA); return err }},
			{name: "Reconcile", call: reconcileTo(ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: memberA})},
			{name: "Plan", call: func(ctx context.Context, c *ipamorg.Client) error {
				_, err := c.Plan(ctx, ipamorg.Desired{State: fsm.StateNone})
				return err
			}},
			{name: "teardown", state: fsm.StateDelegated, admin: memberA, call: reconcileTo(ipamorg.Desired{State: fsm.StateNone})},
			{name: "verify", call: verifyCall(false)},
			{name: "repair", state: fsm.StateDelegated, admin: memberA, call: verifyCall(true)},
		} {
			t.Run(who.name+"/"+call.name, func(t *testing.T) {
				h := newHostile().at(call.state, call.admin)
				h.caller, h.management = who.caller, who.management
				err := call.call(t.Context(), h.client(t))
				if !errors.Is(err, ipamorg.ErrAnomaly) {
					t.Fatalf("error %v, want ErrAnomaly", err)
				}
				if w := h.written(); len(w) != 0 {
					t.Errorf("wrote %v", w)
				}
				if msg := err.Error(); strings.Contains(msg, "caller ,") || strings.Contains(msg, "account  ") || strings.Contains(msg, "account )") {
					t.Errorf("error %q shows a blank account", msg)
				}
			})
		}
		t.Run(who.name+"/Observe", func(t *testing.T) {
			h := newHostile()
			h.caller, h.management = who.caller, who.management
			st, err := h.client(t).Observe(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(codes(st.Warnings), ipamorg.WarnEmptyIdentity) || len(st.Anomalies()) == 0 {
				t.Errorf("warnings %v, want an empty-identity anomaly", st.Warnings)
			}
		})
	}
}

// What AWS should not show: two administrators, the management account
// as one, one without an id, a list whose order flips. Observe warns with
// the state still reported (and the same state and admin at every read);
// every call that would write refuses with ErrAnomaly before writing.
func TestHostileAnomalies(t *testing.T) {
	for _, tc := range []struct {
		name   string
		admins []*string
		flip   bool
		warn   ipamorg.WarningCode
		admin  string
	}{
		{"two admins", []*string{aws.String(memberB), aws.String(memberA)}, false, ipamorg.WarnManyAdmins, memberA},
		{"two admins, order flipping", []*string{aws.String(memberB), aws.String(memberA)}, true, ipamorg.WarnManyAdmins, memberA},
		{"management account as admin", []*string{aws.String(mgmt)}, false, ipamorg.WarnManagementAccountAsAdmin, mgmt},
		{"admin without an id", []*string{nil}, false, ipamorg.WarnAdminWithoutID, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHostile().at(fsm.StateDelegated, memberA)
			h.admins, h.flip = tc.admins, tc.flip
			c := h.client(t)
			for range 3 {
				st, err := c.Observe(t.Context())
				if err != nil {
					t.Fatal(err)
				}
				if st.State != fsm.StateDelegated || st.DelegatedAdmin != tc.admin {
					t.Errorf("observed %s (admin %q), want delegated (admin %q)", st.State, st.DelegatedAdmin, tc.admin)
				}
				if !slices.Contains(codes(st.Warnings), tc.warn) || len(st.Anomalies()) == 0 {
					t.Errorf("warnings %v, want %s", st.Warnings, tc.warn)
				}
			}
			for name, call := range map[string]func(context.Context, *ipamorg.Client) error{
				"teardown":       reconcileTo(ipamorg.Desired{State: fsm.StateNone}),
				"trusted":        reconcileTo(ipamorg.Desired{State: fsm.StateTrusted}),
				"listed admin":   reconcileTo(ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: memberA}),
				"replace":        reconcileTo(ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: memberB, AllowReplace: true}),
				"Delegate":       func(ctx context.Context, c *ipamorg.Client) error { _, err := c.Delegate(ctx, memberA); return err },
				"Delegate mgmt":  func(ctx context.Context, c *ipamorg.Client) error { _, err := c.Delegate(ctx, mgmt); return err },
				"RemoveDelegate": func(ctx context.Context, c *ipamorg.Client) error { _, err := c.RemoveDelegate(ctx); return err },
				"Plan": func(ctx context.Context, c *ipamorg.Client) error {
					_, err := c.Plan(ctx, ipamorg.Desired{State: fsm.StateNone})
					return err
				},
				"repair": verifyCall(true),
			} {
				if err := call(t.Context(), c); !errors.Is(err, ipamorg.ErrAnomaly) {
					t.Errorf("%s: error %v, want ErrAnomaly", name, err)
				}
			}
			if w := h.written(); len(w) != 0 {
				t.Errorf("wrote %v", w)
			}
		})
	}
}

// EC2's Success: false is AWS saying the write was not made
// (ErrWriteFailed, not done); missing, nobody knows (ErrInvalidResponse,
// unconfirmed).
func TestHostileSuccess(t *testing.T) {
	for _, tc := range []struct {
		name        string
		success     *bool
		kind        error
		unconfirmed bool
	}{
		{"false", aws.Bool(false), ipamorg.ErrWriteFailed, false},
		{"missing", nil, ipamorg.ErrInvalidResponse, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHostile().at(fsm.StateTrusted, "")
			h.success = tc.success
			_, err := h.client(t).Delegate(t.Context(), memberA)
			if !errors.Is(err, tc.kind) || !strings.Contains(err.Error(), "Success") {
				t.Fatalf("error %v, want %v naming Success", err, tc.kind)
			}
			e := asIpamError(t, err)
			if got := slices.Contains(e.Unconfirmed, fsm.EventDelegate); got != tc.unconfirmed {
				t.Errorf("Unconfirmed %v, NotDone %v", e.Unconfirmed, e.NotDone)
			}
			if ipamorg.IsTerminal(err) == tc.unconfirmed && tc.unconfirmed {
				t.Errorf("IsTerminal = %v with an unconfirmed step", ipamorg.IsTerminal(err))
			}
		})
	}
}

// The organization of hostile is flat: one root, no OU, so the listing is
// ListAccounts's (see ipamorg's listing).
func (h *hostile) ListRoots(context.Context, *organizations.ListRootsInput, ...func(*organizations.Options)) (*organizations.ListRootsOutput, error) {
	return &organizations.ListRootsOutput{Roots: []orgtypes.Root{{Id: aws.String("r-host")}}}, nil
}

func (h *hostile) ListOrganizationalUnitsForParent(context.Context, *organizations.ListOrganizationalUnitsForParentInput, ...func(*organizations.Options)) (*organizations.ListOrganizationalUnitsForParentOutput, error) {
	return &organizations.ListOrganizationalUnitsForParentOutput{}, nil
}

func (h *hostile) ListAccountsForParent(context.Context, *organizations.ListAccountsForParentInput, ...func(*organizations.Options)) (*organizations.ListAccountsForParentOutput, error) {
	return nil, errors.New("hostile: the organization has no OU, and ListAccounts lists it")
}

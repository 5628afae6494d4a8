package ipamorg_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"go.uber.org/mock/gomock"

	"github.com/ipamorg/sdk/fsm"
	"github.com/ipamorg/sdk/ipamorg"
)

func TestObserveStates(t *testing.T) {
	tests := []struct {
		name     string
		setup    func(w *world)
		state    fsm.State
		admin    string
		warnings []string // substrings, one per expected warning, in order
	}{
		{name: "none", setup: func(*world) {}, state: fsm.StateNone},
		{name: "trusted", setup: func(w *world) { w.trusted, w.role = true, true }, state: fsm.StateTrusted},
		{name: "delegated", setup: func(w *world) { w.trusted, w.role, w.admins = true, true, []string{memberA} },
			state: fsm.StateDelegated, admin: memberA},
		{name: "disabled", setup: func(w *world) { w.role = true }, state: fsm.StateDisabled},
		{name: "trusted through organizations, no role", setup: func(w *world) { w.trusted = true },
			state: fsm.StateTrusted, warnings: []string{"AWSServiceRoleForIPAM is missing"}},
		{name: "delegated through organizations, no role", setup: func(w *world) { w.trusted, w.admins = true, []string{memberA} },
			state: fsm.StateDelegated, admin: memberA, warnings: []string{"AWSServiceRoleForIPAM is missing"}},
		{name: "admin without trusted access", setup: func(w *world) { w.role, w.admins = true, []string{memberA} },
			state: fsm.StateDelegated, admin: memberA, warnings: []string{"while trusted access is disabled"}},
		{name: "two admins", setup: func(w *world) { w.trusted, w.role, w.admins = true, true, []string{memberA, memberB} },
			state: fsm.StateDelegated, admin: memberA, warnings: []string{"2 delegated administrators"}},
		{name: "caller not management", setup: func(w *world) { w.caller = memberA; w.trusted, w.role = true, true },
			state: fsm.StateNone, warnings: []string{
				"caller 222222222222 is not the management account 111111111111",
				"could not read trusted services", "could not read delegated administrators"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				w := newWorld(fsm.StateNone, "")
				tt.setup(w)
				st, err := newEnv(t, w).client().Observe(t.Context())
				if err != nil {
					t.Fatal(err)
				}
				if st.State != tt.state || st.DelegatedAdmin != tt.admin {
					t.Errorf("state %s admin %q, want %s %q", st.State, st.DelegatedAdmin, tt.state, tt.admin)
				}
				if st.CallerAccountID != w.caller || st.ManagementAccountID != mgmt || st.OrganizationID != orgID || st.FeatureSet != "ALL" {
					t.Errorf("identity fields: %+v", st)
				}
				if len(st.Warnings) != len(tt.warnings) {
					t.Fatalf("warnings %q, want %d like %q", st.Warnings, len(tt.warnings), tt.warnings)
				}
				for i, want := range tt.warnings {
					if !strings.Contains(st.Warnings[i], want) {
						t.Errorf("warning %d = %q, want it to contain %q", i, st.Warnings[i], want)
					}
				}
			})
		})
	}
}

// The five reads are independent and must be in flight together: each
// read below blocks until all five have started, which sequential reads
// would never reach.
func TestObserveReadsConcurrently(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newMocks(t, newWorld(fsm.StateNone, ""))
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
		e.sts.EXPECT().GetCallerIdentity(gomock.Any(), gomock.Any()).DoAndReturn(
			func(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error) {
				arrive()
				return &sts.GetCallerIdentityOutput{Account: aws.String(mgmt)}, nil
			})
		e.org.EXPECT().DescribeOrganization(gomock.Any(), gomock.Any()).DoAndReturn(
			func(context.Context, *organizations.DescribeOrganizationInput, ...func(*organizations.Options)) (*organizations.DescribeOrganizationOutput, error) {
				arrive()
				return &organizations.DescribeOrganizationOutput{Organization: &orgtypes.Organization{
					Id: aws.String(orgID), MasterAccountId: aws.String(mgmt), FeatureSet: orgtypes.OrganizationFeatureSetAll}}, nil
			})
		e.org.EXPECT().ListAWSServiceAccessForOrganization(gomock.Any(), gomock.Any()).DoAndReturn(
			func(context.Context, *organizations.ListAWSServiceAccessForOrganizationInput, ...func(*organizations.Options)) (*organizations.ListAWSServiceAccessForOrganizationOutput, error) {
				arrive()
				return &organizations.ListAWSServiceAccessForOrganizationOutput{}, nil
			})
		e.org.EXPECT().ListDelegatedAdministrators(gomock.Any(), gomock.Any()).DoAndReturn(
			func(context.Context, *organizations.ListDelegatedAdministratorsInput, ...func(*organizations.Options)) (*organizations.ListDelegatedAdministratorsOutput, error) {
				arrive()
				return &organizations.ListDelegatedAdministratorsOutput{}, nil
			})
		e.iam.EXPECT().GetRole(gomock.Any(), gomock.Any()).DoAndReturn(
			func(context.Context, *iam.GetRoleInput, ...func(*iam.Options)) (*iam.GetRoleOutput, error) {
				arrive()
				return &iam.GetRoleOutput{}, nil
			})
		st, err := e.client().Observe(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if st.State != fsm.StateDisabled {
			t.Errorf("state %s, want disabled", st.State)
		}
	})
}

func TestObserveErrors(t *testing.T) {
	tests := []struct {
		name string
		op   string
		err  error
		kind error
		as   func(error) bool
	}{
		{"no organization", "DescribeOrganization",
			&orgtypes.AWSOrganizationsNotInUseException{Message: aws.String("x")}, ipamorg.ErrOrganizationNotFound,
			func(err error) bool { var e *orgtypes.AWSOrganizationsNotInUseException; return errors.As(err, &e) }},
		{"organizations access denied", "ListDelegatedAdministrators",
			&orgtypes.AccessDeniedException{Message: aws.String("x")}, ipamorg.ErrAccessDenied,
			func(err error) bool { var e *orgtypes.AccessDeniedException; return errors.As(err, &e) }},
		{"iam access denied", "GetRole", apiErr("AccessDenied"), ipamorg.ErrAccessDenied, isGeneric("AccessDenied")},
		{"sts access denied", "GetCallerIdentity", apiErr("AccessDenied"), ipamorg.ErrAccessDenied, isGeneric("AccessDenied")},
		{"unmapped", "ListAWSServiceAccessForOrganization", apiErr("ServiceException"), nil, isGeneric("ServiceException")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				w := newWorld(fsm.StateNone, "")
				w.inject(tt.op, tt.err)
				st, err := newEnv(t, w).client().Observe(t.Context())
				if err == nil {
					t.Fatalf("Observe = %+v, want error", st)
				}
				var e *ipamorg.Error
				if !errors.As(err, &e) || e.Op != "observe" || e.Kind != tt.kind {
					t.Errorf("error %#v, want *Error op observe kind %v", err, tt.kind)
				}
				if tt.kind != nil && !errors.Is(err, tt.kind) {
					t.Errorf("errors.Is(%v, %v) = false", err, tt.kind)
				}
				if !tt.as(err) {
					t.Errorf("AWS error not reachable with errors.As in %v", err)
				}
				if !strings.HasPrefix(err.Error(), "ipamorg: ") {
					t.Errorf("error string %q lacks prefix", err)
				}
			})
		})
	}
}

// Transient read failures the SDK does not retry are retried by us.
func TestObserveRetriesThrottling(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(fsm.StateTrusted, "")
		w.inject("ListAWSServiceAccessForOrganization", &orgtypes.TooManyRequestsException{Message: aws.String("slow down")})
		w.inject("ListDelegatedAdministrators", &orgtypes.ConcurrentModificationException{Message: aws.String("busy")})
		st, err := newEnv(t, w).client().Observe(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if st.State != fsm.StateTrusted {
			t.Errorf("state %s", st.State)
		}
	})
}

func TestStatusJSON(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st, err := newEnv(t, newWorld(fsm.StateDelegated, memberA)).client().Observe(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(st)
		if err != nil {
			t.Fatal(err)
		}
		want := `{"state":"delegated","caller_account_id":"111111111111","management_account_id":"111111111111",` +
			`"organization_id":"o-exampleorg1","feature_set":"ALL","trusted_access":true,"delegated_admin":"222222222222",` +
			`"service_linked_role":true,"warnings":[]}`
		if string(b) != want {
			t.Errorf("JSON\n got %s\nwant %s", b, want)
		}
	})
}

func isGeneric(code string) func(error) bool {
	return func(err error) bool {
		var ae interface{ ErrorCode() string }
		return errors.As(err, &ae) && ae.ErrorCode() == code
	}
}

package ipamorg_test

// A caller holding less than the recommended policies, against the
// emulator's IAM evaluation (the world of policy_proof_test.go): what it
// is refused, what it is told, and that nothing is written.

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/aws/smithy-go"

	"github.com/ipamorg/sdk/awsclient/awstest"
	"github.com/ipamorg/sdk/fsm"
	"github.com/ipamorg/sdk/ipamorg"
)

// withActions returns doc with the actions of its statement sid replaced
// by actions (the statement removed when there are none).
func withActions(t *testing.T, doc, sid string, actions ...string) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(doc), &m); err != nil {
		t.Fatal(err)
	}
	var out []any
	found := false
	for _, st := range m["Statement"].([]any) {
		st := st.(map[string]any)
		if st["Sid"] == sid {
			found = true
			if len(actions) == 0 {
				continue
			}
			st["Action"] = actions
		}
		out = append(out, st)
	}
	if !found {
		t.Fatalf("no statement %s in\n%s", sid, doc)
	}
	m["Statement"] = out
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// inWorld runs fn with a Client acting as operatorRole in a world of shape
// at start whose roles hold p (see proofEmulator).
func inWorld(t *testing.T, shape orgShape, start proofStart, p ipamorg.Policies, fn func(t *testing.T, ctx context.Context, emu *awstest.Emulator, c *ipamorg.Client)) {
	t.Helper()
	synctest.Test(t, func(t *testing.T) {
		emu := proofEmulator(shape, start, p)
		fn(t, t.Context(), emu, operatorClient(t, emu))
	})
}

// wantDenied fails unless err is an *ipamorg.Error of ErrAccessDenied
// wrapping AWS's denial of action.
func wantDenied(t *testing.T, err error, code, action string) {
	t.Helper()
	var e *ipamorg.Error
	var ae smithy.APIError
	if !errors.As(err, &e) || !errors.Is(err, ipamorg.ErrAccessDenied) || !errors.As(err, &ae) || ae.ErrorCode() != code ||
		!strings.Contains(ae.ErrorMessage(), "not authorized to perform: "+action+" ") {
		t.Fatalf("err = %v, want ErrAccessDenied wrapping %s for %s", err, code, action)
	}
}

// A caller refused one action a write needs, its own or one that AWS
// takes with the caller's permissions, gets ErrAccessDenied with AWS's
// error, and the organization is as it was.
func TestTooLittleIsAccessDeniedAndWritesNothing(t *testing.T) {
	tests := []struct {
		name   string
		events []fsm.Event
		sid    string
		keep   []string // the statement's actions left
		start  proofStart
		call   func(ctx context.Context, c *ipamorg.Client) error
		code   string
		denied string
	}{
		{"delegate without RegisterDelegatedAdministrator", []fsm.Event{fsm.EventDelegate}, "IpamDelegate",
			[]string{"ec2:EnableIpamOrganizationAdminAccount", "organizations:EnableAWSServiceAccess"}, atNone,
			func(ctx context.Context, c *ipamorg.Client) error { _, err := c.Delegate(ctx, memberA); return err },
			"UnauthorizedOperation", "organizations:RegisterDelegatedAdministrator"},
		{"delegate without its own action", []fsm.Event{fsm.EventDelegate}, "IpamDelegate",
			[]string{"organizations:EnableAWSServiceAccess", "organizations:RegisterDelegatedAdministrator"}, atTrusted,
			func(ctx context.Context, c *ipamorg.Client) error { _, err := c.Delegate(ctx, memberA); return err },
			"UnauthorizedOperation", "ec2:EnableIpamOrganizationAdminAccount"},
		{"remove-delegate without DeregisterDelegatedAdministrator", []fsm.Event{fsm.EventRemoveDelegate}, "IpamRemoveDelegate",
			[]string{"ec2:DisableIpamOrganizationAdminAccount"}, atAdminA,
			func(ctx context.Context, c *ipamorg.Client) error { _, err := c.RemoveDelegate(ctx); return err },
			"UnauthorizedOperation", "organizations:DeregisterDelegatedAdministrator"},
		{"disable-trusted-access", []fsm.Event{fsm.EventDisableTrustedAccess}, "IpamDisableTrustedAccess", nil, atTrusted,
			func(ctx context.Context, c *ipamorg.Client) error { _, err := c.DisableTrustedAccess(ctx); return err },
			"AccessDeniedException", "organizations:DisableAWSServiceAccess"},
		{"delete-service-linked-role", []fsm.Event{fsm.EventDeleteServiceLinkedRole}, "IpamDeleteServiceLinkedRole", nil, atDisabled,
			func(ctx context.Context, c *ipamorg.Client) error {
				_, err := c.DeleteServiceLinkedRole(ctx)
				return err
			},
			"AccessDenied", "iam:DeleteServiceLinkedRole"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := ipamorg.RequiredPolicies(func(o *ipamorg.PolicyOptions) { *o = ipamorg.PolicyOptions{Events: tt.events, AccessRole: proofAccess} })
			p.Management = withActions(t, p.Management, tt.sid, tt.keep...)
			inWorld(t, orgShapes[0], tt.start, p, func(t *testing.T, ctx context.Context, emu *awstest.Emulator, c *ipamorg.Client) {
				before := emu.Snapshot()
				wantDenied(t, tt.call(ctx, c), tt.code, tt.denied)
				if after := emu.Snapshot(); !reflect.DeepEqual(before, after) {
					t.Errorf("the organization changed:\n%+v\n%+v", before, after)
				}
				for _, w := range emu.Writes() {
					if w.Succeeded() {
						t.Errorf("a write succeeded: %+v", w)
					}
				}
			})
		})
	}
}

// The tree's reads denied, the fleet verification and Monitoring still
// list every account, through organizations:ListAccounts, and say so in a
// warning naming the reads AWS denied.
func TestTreeReadDeniedWarns(t *testing.T) {
	tests := []struct {
		name    string
		allowed []string // the listing's actions granted
		denied  string
	}{
		{"ListAccounts only", []string{"organizations:ListAccounts"}, "organizations:ListRoots"},
		{"no ListAccountsForParent", []string{"organizations:ListAccounts", "organizations:ListOrganizationalUnitsForParent", "organizations:ListRoots"},
			"organizations:ListAccountsForParent"},
	}
	treeWarning := func(t *testing.T, ws []ipamorg.Warning, denied string) {
		t.Helper()
		i := slices.IndexFunc(ws, func(w ipamorg.Warning) bool { return w.Code == ipamorg.WarnTreeReadDenied })
		if i < 0 {
			t.Fatalf("warnings %v, want %s", ws, ipamorg.WarnTreeReadDenied)
		}
		if msg := ws[i].Message; !strings.HasPrefix(msg, "aws denied "+denied+", ") || !strings.Contains(msg, "organizations:ListAccounts") {
			t.Errorf("message %q", msg)
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			withOUs := orgShapes[1]
			p := ipamorg.RequiredPolicies(func(o *ipamorg.PolicyOptions) {
				*o = ipamorg.PolicyOptions{Monitoring: true, Verify: &ipamorg.VerifyOptions{}, AccessRole: proofAccess}
			})
			p.Management = withActions(t, p.Management, "IpamListAccounts", tt.allowed...)
			inWorld(t, withOUs, monitored, p, func(t *testing.T, ctx context.Context, emu *awstest.Emulator, c *ipamorg.Client) {
				r, err := c.VerifyServiceLinkedRoles(ctx, func(o *ipamorg.VerifyOptions) { *o = ipamorg.VerifyOptions{} })
				if err != nil || !r.OK() || r.Total != 3 {
					t.Fatalf("verify: %v, report %+v", err, r)
				}
				treeWarning(t, r.Warnings, tt.denied)
				m, err := c.Monitoring(ctx)
				if err != nil || !m.Complete() {
					t.Fatalf("monitoring: %v, %+v", err, m)
				}
				treeWarning(t, m.Warnings, tt.denied)
				if n := emu.CountCalls("ListAccounts"); n != 2 {
					t.Errorf("ListAccounts called %d times, want once each", n)
				}
			})
		})
	}
	// Granted the tree, no warning, and no ListAccounts.
	p := ipamorg.RequiredPolicies(func(o *ipamorg.PolicyOptions) {
		*o = ipamorg.PolicyOptions{Verify: &ipamorg.VerifyOptions{}, AccessRole: proofAccess}
	})
	inWorld(t, orgShapes[1], atAdminA, p, func(t *testing.T, ctx context.Context, emu *awstest.Emulator, c *ipamorg.Client) {
		r, err := c.VerifyServiceLinkedRoles(ctx, func(o *ipamorg.VerifyOptions) { *o = ipamorg.VerifyOptions{} })
		if err != nil || len(r.Warnings) != 0 || emu.CountCalls("ListAccounts") != 0 {
			t.Fatalf("verify: %v, warnings %v, ListAccounts %d", err, r.Warnings, emu.CountCalls("ListAccounts"))
		}
	})
}

// CheckPermissions against IAM's evaluation: a caller without
// ec2:EnableIpamOrganizationAdminAccount is reported denied for the
// delegate step, with EC2's answer, and one with it allowed; neither
// writes, and the actions that AWS takes with the caller's permissions,
// which no dry run checks, are listed as unverified.
func TestCheckPermissionsAgainstIAM(t *testing.T) {
	d := ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: memberA}
	full := ipamorg.RequiredPolicies(func(o *ipamorg.PolicyOptions) {
		*o = ipamorg.PolicyOptions{Events: []fsm.Event{fsm.EventDelegate}, AccessRole: proofAccess}
	})
	without := full
	without.Management = withActions(t, full.Management, "IpamDelegate", "organizations:EnableAWSServiceAccess", "organizations:RegisterDelegatedAdministrator")
	checkOnly := ipamorg.RequiredPolicies(func(o *ipamorg.PolicyOptions) {
		*o = ipamorg.PolicyOptions{Events: []fsm.Event{fsm.EventDelegate}, CheckOnly: true, AccessRole: proofAccess}
	})
	for _, tt := range []struct {
		name string
		p    ipamorg.Policies
		want ipamorg.PermissionResult
		code string
	}{
		{"recommended", full, ipamorg.PermissionAllowed, "DryRunOperation"},
		{"check only", checkOnly, ipamorg.PermissionAllowed, "DryRunOperation"},
		{"without the ec2 action", without, ipamorg.PermissionDenied, "UnauthorizedOperation"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			inWorld(t, orgShapes[0], atNone, tt.p, func(t *testing.T, ctx context.Context, emu *awstest.Emulator, c *ipamorg.Client) {
				plan, err := c.Plan(ctx, d)
				if err != nil {
					t.Fatal(err)
				}
				r, err := c.CheckPermissions(ctx, plan)
				if err != nil || len(r.Checks) != 2 {
					t.Fatalf("checks %+v, err %v", r, err)
				}
				if trust := r.Checks[0]; trust.Event != fsm.EventEnableTrustedAccess || trust.Result != ipamorg.PermissionNoCall {
					t.Errorf("first check %+v", trust)
				}
				del := r.Checks[1]
				if del.Event != fsm.EventDelegate || del.Result != tt.want || del.Code != tt.code {
					t.Errorf("delegate check %+v, want %s (%s)", del, tt.want, tt.code)
				}
				if want := []string{"iam:CreateServiceLinkedRole", "organizations:EnableAWSServiceAccess", "organizations:RegisterDelegatedAdministrator"}; !slices.Equal(del.Unverified, want) {
					t.Errorf("unverified %v, want %v", del.Unverified, want)
				}
				if denied := r.Denied(); (tt.want == ipamorg.PermissionDenied) != (len(denied) == 1) {
					t.Errorf("denied %+v", denied)
				}
				if w := emu.Writes(); len(w) != 0 {
					t.Errorf("writes %+v", w)
				}
				dry := emu.Calls("EnableIpamOrganizationAdminAccount")
				wantDecision := awstest.DecisionAllowed
				if tt.want == ipamorg.PermissionDenied {
					wantDecision = awstest.DecisionImplicitDeny
				}
				if len(dry) != 1 || !dry[0].DryRun || dry[0].Decision != wantDecision {
					t.Errorf("dry runs %+v", dry)
				}
			})
		})
	}
}

package ipamorg_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/ipamorg/sdk/awsclient/awstest"
	"github.com/ipamorg/sdk/fsm"
	"github.com/ipamorg/sdk/ipamorg"
)

func TestObserveStates(t *testing.T) {
	tests := []struct {
		name     string
		setup    func(emu *awstest.Emulator)
		state    fsm.State
		admin    string
		warnings []ipamorg.WarningCode
	}{
		{name: "none", setup: func(*awstest.Emulator) {}, state: fsm.StateNone},
		{name: "trusted", setup: func(emu *awstest.Emulator) { setUp(emu, fsm.StateTrusted) }, state: fsm.StateTrusted},
		{name: "delegated", setup: func(emu *awstest.Emulator) {
			setUp(emu, fsm.StateTrusted)
			emu.SetDelegatedAdmins(awstest.IPAMServicePrincipal, memberA)
		}, state: fsm.StateDelegated, admin: memberA},
		{name: "disabled", setup: func(emu *awstest.Emulator) { setUp(emu, fsm.StateDisabled) }, state: fsm.StateDisabled},
		{name: "trusted through organizations, no role", setup: func(emu *awstest.Emulator) {
			emu.SetTrustedAccess(awstest.IPAMServicePrincipal, true)
		}, state: fsm.StateTrusted, warnings: []ipamorg.WarningCode{ipamorg.WarnWrongEnablePath}},
		{name: "delegated through organizations, no role", setup: func(emu *awstest.Emulator) {
			emu.SetTrustedAccess(awstest.IPAMServicePrincipal, true)
			emu.SetDelegatedAdmins(awstest.IPAMServicePrincipal, memberA)
		}, state: fsm.StateDelegated, admin: memberA, warnings: []ipamorg.WarningCode{ipamorg.WarnWrongEnablePath}},
		{name: "admin without trusted access", setup: func(emu *awstest.Emulator) {
			setUp(emu, fsm.StateDisabled)
			emu.SetDelegatedAdmins(awstest.IPAMServicePrincipal, memberA)
		}, state: fsm.StateDelegated, admin: memberA, warnings: []ipamorg.WarningCode{ipamorg.WarnAdminWithoutTrust}},
		{name: "two admins", setup: func(emu *awstest.Emulator) {
			setUp(emu, fsm.StateTrusted)
			emu.SetDelegatedAdmins(awstest.IPAMServicePrincipal, memberB, memberA)
		}, state: fsm.StateDelegated, admin: memberA, warnings: []ipamorg.WarningCode{ipamorg.WarnManyAdmins}},
		{name: "management account as admin", setup: func(emu *awstest.Emulator) {
			setUp(emu, fsm.StateTrusted)
			emu.SetDelegatedAdmins(awstest.IPAMServicePrincipal, mgmt)
		}, state: fsm.StateDelegated, admin: mgmt, warnings: []ipamorg.WarningCode{ipamorg.WarnManagementAccountAsAdmin}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				emu := awstest.New()
				tt.setup(emu)
				st, err := memClient(t, emu).Observe(t.Context())
				if err != nil {
					t.Fatal(err)
				}
				if st.State != tt.state || st.DelegatedAdmin != tt.admin {
					t.Errorf("state %s admin %q, want %s %q", st.State, st.DelegatedAdmin, tt.state, tt.admin)
				}
				if st.CallerAccountID != mgmt || st.ManagementAccountID != mgmt || st.OrganizationID == "" || st.FeatureSet != "ALL" {
					t.Errorf("identity fields: %+v", st)
				}
				wantWarnings(t, st, tt.warnings...)
				for _, w := range st.Warnings {
					if w.Message == "" || w.String() != w.Message {
						t.Errorf("warning %+v has no message", w)
					}
				}
			})
		})
	}
}

// Observe's errors are *Error of op observe, with the AWS error reachable.
func TestObserveErrors(t *testing.T) {
	tests := []struct {
		name string
		opts []func(*awstest.ServerOptions)
		op   string
		code string
		kind error
	}{
		{name: "no organization", opts: []func(*awstest.ServerOptions){awstest.WithoutOrganization()}, kind: ipamorg.ErrOrganizationNotFound, code: "AWSOrganizationsNotInUseException"},
		{name: "organizations access denied", op: "ListDelegatedAdministrators", code: "AccessDeniedException", kind: ipamorg.ErrAccessDenied},
		{name: "iam access denied", op: "GetRole", code: "AccessDenied", kind: ipamorg.ErrAccessDenied},
		{name: "sts access denied", op: "GetCallerIdentity", code: "AccessDenied", kind: ipamorg.ErrAccessDenied},
		{name: "unmapped", op: "ListAWSServiceAccessForOrganization", code: "ServiceQuotaExceeded", kind: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				emu := awstest.New(tt.opts...)
				if tt.op != "" {
					emu.InjectFault(tt.op, awstest.Fault{Code: tt.code})
				}
				st, err := memClient(t, emu).Observe(t.Context())
				if err == nil {
					t.Fatalf("Observe = %+v, want error", st)
				}
				e := asIpamError(t, err)
				if e.Op != "observe" || e.Kind != tt.kind {
					t.Errorf("error %#v, want op observe kind %v", err, tt.kind)
				}
				if tt.kind != nil && !errors.Is(err, tt.kind) {
					t.Errorf("errors.Is(%v, %v) = false", err, tt.kind)
				}
				var ae interface{ ErrorCode() string }
				if !errors.As(err, &ae) || ae.ErrorCode() != tt.code {
					t.Errorf("AWS error %s not reachable with errors.As in %v", tt.code, err)
				}
				if !strings.HasPrefix(err.Error(), "ipamorg: ") {
					t.Errorf("error string %q lacks prefix", err)
				}
			})
		})
	}
}

// The SDK retries throttling and concurrent modification for Observe's
// reads.
func TestObserveRetries(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu := emulatorAt(fsm.StateTrusted, "")
		emu.InjectFault("ListAWSServiceAccessForOrganization", awstest.Fault{Code: awstest.CodeThrottle, Count: 2})
		emu.InjectFault("ListDelegatedAdministrators", awstest.Fault{Code: "ConcurrentModificationException", Count: 2})
		st, err := memClient(t, emu).Observe(t.Context())
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
		emu := awstest.New()
		emu.SetTrustedAccess(awstest.IPAMServicePrincipal, true)
		emu.SetDelegatedAdmins(awstest.IPAMServicePrincipal, memberA)
		st, err := memClient(t, emu).Observe(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(st)
		if err != nil {
			t.Fatal(err)
		}
		want := `{"state":"delegated","caller_account_id":"111111111111","management_account_id":"111111111111",` +
			`"organization_id":"` + st.OrganizationID + `","feature_set":"ALL","trusted_access":true,"delegated_admin":"222222222222",` +
			`"service_linked_role":false,"warnings":[{"code":"wrong-enable-path","message":"` + st.Warnings[0].Message + `"}]}`
		if string(b) != want {
			t.Errorf("JSON\n got %s\nwant %s", b, want)
		}
		var back ipamorg.Status
		if err := json.Unmarshal(b, &back); err != nil || back.State != st.State || back.Warnings[0] != st.Warnings[0] {
			t.Errorf("decoded %+v, %v", back, err)
		}
	})
}

// The reads a member account is denied are not an error for it, and not
// ground for any state: what it cannot read it does not claim.
func TestObserveUnknownState(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu := emulatorAt(fsm.StateDelegated, memberA)
		st, err := newClient(t, emu, memberB).Observe(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if st.State != fsm.StateUnknown || st.State.Valid() || st.TrustedAccess || st.DelegatedAdmin != "" {
			t.Errorf("a member observed %+v, want state unknown and no facts", st)
		}
		var unread []string
		for _, w := range st.Warnings {
			if w.Code == ipamorg.WarnPartialRead {
				unread = append(unread, w.Message)
			}
		}
		if len(unread) != 3 {
			t.Errorf("partial reads %q, want trusted services, administrators and the role", unread)
		}
		// A denied read is not retried.
		if n := emu.CountCalls("ListDelegatedAdministrators"); n != 1 {
			t.Errorf("ListDelegatedAdministrators sent %d times", n)
		}
	})
}

package ipamorg_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/smithy-go"

	"github.com/ipamorg/sdk/awsclient/awstest"
	"github.com/ipamorg/sdk/fsm"
	"github.com/ipamorg/sdk/ipamorg"
)

// Each AWS error of a write maps to its sentinel (or to none), the SDK's
// error stays reachable with errors.As, the error names the failed step
// from where its call started, and says which steps were done, sent and
// not confirmed, and not done.
func TestWriteErrors(t *testing.T) {
	as := func(target any) func(error) bool { return func(err error) bool { return errors.As(err, target) } }
	toDelegated := ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: memberA}
	enable, remove, disable, del := "EnableIpamOrganizationAdminAccount", "DisableIpamOrganizationAdminAccount", "DisableAWSServiceAccess", "DeleteServiceLinkedRole"
	for _, tt := range []struct {
		name          string
		from          fsm.State
		desired       ipamorg.Desired
		op            string
		fault         awstest.Fault
		kind          error
		as            func(error) bool
		label         string // the start of the message, after "ipamorg: reconcile "
		done, notDone []fsm.Event
		terminal      bool
	}{
		{name: "unauthorized", from: fsm.StateNone, desired: toDelegated, op: enable,
			fault: awstest.Fault{Code: "UnauthorizedOperation"}, kind: ipamorg.ErrAccessDenied, as: as(new(smithy.APIError)),
			label:   "delegate (none -> delegated) account 222222222222: access denied",
			notDone: []fsm.Event{fsm.EventEnableTrustedAccess, fsm.EventDelegate}, terminal: true},
		{name: "account not found", from: fsm.StateTrusted, desired: toDelegated, op: enable,
			fault: awstest.Fault{Code: "IpamOrganizationAccountNotFound"}, kind: ipamorg.ErrAccountNotInOrganization, as: as(new(smithy.APIError)),
			label: "delegate (trusted -> delegated)", notDone: []fsm.Event{fsm.EventDelegate}, terminal: true},
		{name: "admin limit", from: fsm.StateTrusted, desired: toDelegated, op: enable,
			fault: awstest.Fault{Code: "IpamOrganizationDelegatedAdminLimitExceeded"}, kind: ipamorg.ErrDelegatedAdminConflict, as: as(new(smithy.APIError)),
			label: "delegate (trusted -> delegated)", notDone: []fsm.Event{fsm.EventDelegate}, terminal: true},
		{name: "invalid parameter naming the management account", from: fsm.StateTrusted, desired: toDelegated, op: enable,
			fault: awstest.Fault{Code: "InvalidParameterValue", Message: "The management account 111111111111 cannot be the IPAM delegated administrator."},
			kind:  ipamorg.ErrManagementAccountAsDelegate, as: as(new(smithy.APIError)),
			label: "delegate (trusted -> delegated)", notDone: []fsm.Event{fsm.EventDelegate}, terminal: true},
		{name: "invalid parameter naming a suspended account", from: fsm.StateTrusted, desired: toDelegated, op: enable,
			fault: awstest.Fault{Code: "InvalidParameterValue", Message: "The account 222222222222 is suspended."},
			kind:  ipamorg.ErrAccountNotInOrganization, as: as(new(smithy.APIError)),
			label: "delegate (trusted -> delegated)", notDone: []fsm.Event{fsm.EventDelegate}, terminal: true},
		{name: "invalid parameter for another reason", from: fsm.StateTrusted, desired: toDelegated, op: enable,
			fault: awstest.Fault{Code: "InvalidParameterValue", Message: "The parameter DelegatedAdminAccountId is not valid in this Region."},
			kind:  ipamorg.ErrInvalidParameter, as: as(new(smithy.APIError)),
			label: "delegate (trusted -> delegated)", notDone: []fsm.Event{fsm.EventDelegate}, terminal: true},
		{name: "organizations access denied mid-plan", from: fsm.StateDelegated, desired: ipamorg.Desired{State: fsm.StateNone}, op: disable,
			fault: awstest.Fault{Code: "AccessDeniedException"}, kind: ipamorg.ErrAccessDenied, as: as(new(*orgtypes.AccessDeniedException)),
			label: "disable-trusted-access (trusted -> disabled)",
			done:  []fsm.Event{fsm.EventRemoveDelegate}, notDone: []fsm.Event{fsm.EventDisableTrustedAccess, fsm.EventDeleteServiceLinkedRole}, terminal: true},
		{name: "iam access denied", from: fsm.StateDisabled, desired: ipamorg.Desired{State: fsm.StateNone}, op: del,
			fault: awstest.Fault{Code: "AccessDenied"}, kind: ipamorg.ErrAccessDenied, as: as(new(smithy.APIError)),
			label: "delete-service-linked-role (disabled -> none)", notDone: []fsm.Event{fsm.EventDeleteServiceLinkedRole}, terminal: true},
		{name: "unmapped", from: fsm.StateDelegated, desired: ipamorg.Desired{State: fsm.StateTrusted}, op: remove,
			fault: awstest.Fault{Code: "InvalidIpamScopeId.Malformed"}, kind: nil, as: as(new(smithy.APIError)),
			label: "remove-delegate (delegated -> trusted) account 222222222222", notDone: []fsm.Event{fsm.EventRemoveDelegate}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				emu := emulatorAt(tt.from, memberA)
				emu.InjectFault(tt.op, tt.fault)
				res, err := memClient(t, emu).Reconcile(t.Context(), tt.desired)
				if err == nil {
					t.Fatal("no error")
				}
				if tt.kind != nil && !errors.Is(err, tt.kind) {
					t.Errorf("errors.Is(%v, %v) = false", err, tt.kind)
				}
				if !tt.as(err) {
					t.Errorf("SDK error not reachable with errors.As in %v", err)
				}
				e := asIpamError(t, err)
				if e.Kind != tt.kind || e.Op != "reconcile" {
					t.Errorf("error kind %v op %q, want %v reconcile", e.Kind, e.Op, tt.kind)
				}
				wantProgress(t, e, tt.done, nil, tt.notDone)
				if res == nil || !slices.Equal(ipamorg.Events(res.Transitions), tt.done) {
					t.Errorf("result %+v, want transitions %v", res, tt.done)
				}
				if msg := err.Error(); !strings.HasPrefix(msg, "ipamorg: reconcile "+tt.label) || strings.HasSuffix(msg, ".") {
					t.Errorf("error string %q, want it to start %q", msg, "ipamorg: reconcile "+tt.label)
				}
				if got := ipamorg.IsTerminal(err); got != tt.terminal {
					t.Errorf("IsTerminal = %v, want %v", got, tt.terminal)
				}
			})
		})
	}
}

// Done, Unconfirmed and NotDone never share memory: appending to one
// cannot change another.
func TestErrorListsDoNotShareMemory(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu := emulatorAt(fsm.StateDelegated, memberA)
		emu.InjectFault("DisableAWSServiceAccess", awstest.Fault{Code: "AccessDeniedException"})
		_, err := memClient(t, emu).Reconcile(t.Context(), ipamorg.Desired{State: fsm.StateNone})
		e := asIpamError(t, err)
		notDone := slices.Clone(e.NotDone)
		e.Done = append(e.Done, "appended")
		e.Unconfirmed = append(e.Unconfirmed, "appended")
		if !slices.Equal(e.NotDone, notDone) || len(notDone) != 2 {
			t.Errorf("appending to Done and Unconfirmed changed NotDone: %v, was %v", e.NotDone, notDone)
		}
	})
}

// A context that ends after a write was answered, while its confirmation
// is awaited, leaves the step unconfirmed: not "done: none", since the
// organization did change.
func TestCancelAfterWriteIsUnconfirmed(t *testing.T) {
	for _, s := range writeSteps {
		t.Run(string(s.event), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				emu := emulatorAt(s.from, s.admin, awstest.WithLag(time.Hour, time.Hour))
				ctx, cancel := context.WithCancel(t.Context())
				defer cancel()
				c := memClient(t, emu, func(o *ipamorg.Options) {
					o.OnTransition = func(ipamorg.Transition) { t.Error("a transition was reported for an unconfirmed step") }
				})
				go func() {
					// Cancel once the write has been answered.
					for emu.CountSucceeded(s.op) == 0 {
						time.Sleep(time.Second)
					}
					cancel()
				}()
				res, err := c.Reconcile(ctx, s.desired)
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("error %v, want context.Canceled", err)
				}
				want, _ := fsm.Path(s.from, s.desired.State)
				wantProgress(t, asIpamError(t, err), nil, want, nil)
				if len(res.Transitions) != 0 || ipamorg.IsTerminal(err) {
					t.Errorf("transitions %v, terminal %v", transitionsOf(res), ipamorg.IsTerminal(err))
				}
				if !strings.Contains(err.Error(), "sent, not confirmed: ") {
					t.Errorf("error %q does not say the write was sent", err)
				}
				checkOutcome(t, emu, s.from, s.desired, res, err)
			})
		})
	}
}

// IsTerminal tells what a retry can cure.
func TestIsTerminal(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{errors.New("other"), false},
		{context.Canceled, false},
		{&ipamorg.Error{Kind: ipamorg.ErrNotManagementAccount}, true},
		{&ipamorg.Error{Kind: ipamorg.ErrAnomaly}, true},
		{&ipamorg.Error{Kind: fsm.ErrInvalidTransition}, true},
		{&ipamorg.Error{Kind: ipamorg.ErrWaitTimeout, Unconfirmed: []fsm.Event{fsm.EventDelegate}}, false},
		{&ipamorg.Error{Kind: ipamorg.ErrAccessDenied, Unconfirmed: []fsm.Event{fsm.EventDelegate}}, false},
		{&ipamorg.Error{Kind: ipamorg.ErrAccessDenied, Err: context.DeadlineExceeded}, false},
		{&ipamorg.Error{Kind: ipamorg.ErrWriteFailed}, false},
		{&ipamorg.Error{}, false},
	} {
		if got := ipamorg.IsTerminal(tc.err); got != tc.want {
			t.Errorf("IsTerminal(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

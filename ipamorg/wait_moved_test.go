package ipamorg_test

// Waits that can no longer succeed: another process moves the organization
// while a step waits for its confirmation. Reads lag the writes by an hour
// (WithLag), so that the step's own write never shows; the other process's
// change, made with the emulator's mutators, shows at once.

import (
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ipamorg/sdk/awsclient/awstest"
	"github.com/ipamorg/sdk/fsm"
	"github.com/ipamorg/sdk/ipamorg"
)

const (
	// movedAfter is when the other process moves the organization.
	movedAfter = 10 * time.Second
	// movedMaxWait is the steps' MaxWait: the package's default.
	movedMaxWait = 5 * time.Minute
)

func movedClient(t *testing.T, emu *awstest.Emulator) *ipamorg.Client {
	return memClient(t, emu, func(o *ipamorg.Options) { o.Wait.MaxWait = movedMaxWait })
}

// TestWaitMovedElsewhere: while a step waits, the reads show another
// administrator registered, where neither delegating nor removing the
// step's account can lead: the wait stops at the next poll with
// ErrMovedElsewhere, the step unconfirmed (its write may have been applied
// and undone), and the message says what was read.
func TestWaitMovedElsewhere(t *testing.T) {
	for _, tc := range []struct {
		name    string
		from    fsm.State
		admin   string
		desired ipamorg.Desired
		sent    []fsm.Event
	}{
		{"delegate", fsm.StateNone, "", ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: memberA},
			[]fsm.Event{fsm.EventEnableTrustedAccess, fsm.EventDelegate}},
		{"remove-delegate", fsm.StateDelegated, memberA, ipamorg.Desired{State: fsm.StateTrusted},
			[]fsm.Event{fsm.EventRemoveDelegate}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				emu := emulatorAt(tc.from, tc.admin, awstest.WithLag(time.Hour, 0))
				c := movedClient(t, emu)
				time.AfterFunc(movedAfter, func() { emu.SetDelegatedAdmins(awstest.IPAMServicePrincipal, memberB) })

				start := time.Now()
				_, err := c.Reconcile(t.Context(), tc.desired)
				took := time.Since(start)
				if !errors.Is(err, ipamorg.ErrMovedElsewhere) {
					t.Fatalf("error %v after %v, want ErrMovedElsewhere", err, took)
				}
				if took > movedAfter+time.Second {
					t.Errorf("stopped %v after the start, want within a poll of the move (%v)", took, movedAfter)
				}
				e := asIpamError(t, err)
				wantProgress(t, e, nil, tc.sent, nil)
				if ipamorg.IsTerminal(err) || ipamorg.IsTerminal(&ipamorg.Error{Kind: ipamorg.ErrMovedElsewhere}) {
					t.Error("IsTerminal = true: the organization is elsewhere now, and observing again is the cure")
				}
				if msg := err.Error(); !strings.Contains(msg, "organizations:ListDelegatedAdministrators listed "+memberB) {
					t.Errorf("message %q does not say what was read", msg)
				}
				if e.Last == nil || e.Last.DelegatedAdmin != memberB {
					t.Errorf("Last %+v, want the status with the administrator read", e.Last)
				}
			})
		})
	}
}

// TestWaitTimeoutSaysWhatWasRead: disabling trusted access while another
// process delegates an administrator again (which turns trusted access
// back on): the wait's read, of trusted access, cannot tell that the
// organization moved, so it times out; its message says what that read
// returned, and claims nothing about the administrator it did not read
// (it said "last observed state trusted, admin none" while an
// administrator was registered).
func TestWaitTimeoutSaysWhatWasRead(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu := emulatorAt(fsm.StateTrusted, "", awstest.WithLag(time.Hour, 0))
		c := movedClient(t, emu)
		time.AfterFunc(movedAfter, func() {
			emu.SetDelegatedAdmins(awstest.IPAMServicePrincipal, memberB)
			emu.SetTrustedAccess(awstest.IPAMServicePrincipal, true)
		})

		start := time.Now()
		_, err := c.Reconcile(t.Context(), ipamorg.Desired{State: fsm.StateDisabled})
		if !errors.Is(err, ipamorg.ErrWaitTimeout) || time.Since(start) != movedMaxWait {
			t.Fatalf("error %v after %v, want ErrWaitTimeout after MaxWait", err, time.Since(start))
		}
		msg := err.Error()
		if !strings.Contains(msg, "organizations:ListAWSServiceAccessForOrganization listed "+awstest.IPAMServicePrincipal) {
			t.Errorf("message %q does not say what the last read returned", msg)
		}
		if strings.Contains(msg, "admin none") || strings.Contains(msg, "state trusted") {
			t.Errorf("message %q states what was not read", msg)
		}
		wantProgress(t, asIpamError(t, err), nil, []fsm.Event{fsm.EventDisableTrustedAccess}, nil)
	})
}

// TestWaitTimeoutLastAdminsRead: a delegation whose write never shows
// times out saying what the last read of the administrators listed.
func TestWaitTimeoutLastAdminsRead(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu := emulatorAt(fsm.StateNone, "", awstest.WithLag(time.Hour, 0))
		_, err := movedClient(t, emu).Reconcile(t.Context(), ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: memberA})
		if !errors.Is(err, ipamorg.ErrWaitTimeout) {
			t.Fatalf("error %v, want ErrWaitTimeout", err)
		}
		if msg := err.Error(); !strings.Contains(msg, "organizations:ListDelegatedAdministrators listed no delegated administrator") {
			t.Errorf("message %q does not say what the last read returned", msg)
		}
	})
}

// TestWaitTimeoutDeletionTaskRead: the role's deletion task still in
// progress at MaxWait: the message says what its last poll reported.
func TestWaitTimeoutDeletionTaskRead(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu := emulatorAt(fsm.StateDisabled, "", awstest.WithLag(time.Hour, 0))
		_, err := movedClient(t, emu).Reconcile(t.Context(), ipamorg.Desired{State: fsm.StateNone})
		if !errors.Is(err, ipamorg.ErrWaitTimeout) {
			t.Fatalf("error %v, want ErrWaitTimeout", err)
		}
		msg := err.Error()
		if !strings.Contains(msg, "the last read: iam:GetServiceLinkedRoleDeletionStatus reported the deletion task IN_PROGRESS") || strings.Contains(msg, "state disabled") {
			t.Errorf("message %q does not say what the last read returned", msg)
		}
		wantProgress(t, asIpamError(t, err), nil, []fsm.Event{fsm.EventDeleteServiceLinkedRole}, nil)
	})
}

package ipamorg_test

// End-to-end tests where time matters: lag, waits, the SDK's retry backoff
// and ours. They run the emulator in memory inside testing/synctest
// bubbles, so every delay is fake time and no test waits on the wall clock.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/ipamorg/sdk/awsclient/awstest"
	"github.com/ipamorg/sdk/fsm"
	"github.com/ipamorg/sdk/ipamorg"
)

// With reads lagging writes, every step waits until a read confirms it, and
// each write is sent once however many polls it takes.
func TestE2ELagIsWaitedOut(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const lag = 3 * time.Second
		emu := awstest.New(awstest.WithLag(lag, 0))
		c := clientAs(t, emu, mgmt, func(o *ipamorg.Options) {
			o.Wait = ipamorg.WaitOptions{Interval: 250 * time.Millisecond, MaxDelay: time.Second, MaxWait: time.Minute}
		})

		res, err := c.Reconcile(t.Context(), ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: memberA})
		if err != nil {
			t.Fatal(err)
		}
		wantTransitions(t, res, "enable-trusted-access none->trusted", "delegate trusted->delegated")
		// Confirmed no earlier than the lag, and within one poll of it.
		if d := res.Transitions[1].Duration; d < lag || d > lag+time.Second {
			t.Errorf("delegate confirmed after %v, want between %v and %v", d, lag, lag+time.Second)
		}
		if polls := len(emu.Calls("ListDelegatedAdministrators")); polls < 3 {
			t.Errorf("%d reads of the admins, want several polls", polls)
		}

		emu.ResetRequests()
		start := time.Now()
		res, err = c.Reconcile(t.Context(), ipamorg.Desired{State: fsm.StateNone})
		if err != nil {
			t.Fatal(err)
		}
		wantTransitions(t, res,
			"remove-delegate delegated->trusted",
			"disable-trusted-access trusted->disabled",
			"delete-service-linked-role disabled->none")
		for _, tr := range res.Transitions {
			if tr.Duration < lag {
				t.Errorf("%s confirmed after %v, before the lag of %v", tr.Event, tr.Duration, lag)
			}
		}
		if d := time.Since(start); d < 3*lag {
			t.Errorf("teardown took %v, want at least 3 lags", d)
		}
		// Deletion of the role is asynchronous: IN_PROGRESS until the lag,
		// so its task is polled more than once.
		if n := len(emu.Calls("GetServiceLinkedRoleDeletionStatus")); n < 2 {
			t.Errorf("deletion status polled %d times, want several", n)
		}
		wantWrites(t, emu, disableAdmin, disableTrust, deleteRole)
	})
}

// A lag longer than WaitOptions.MaxWait ends the step in ErrWaitTimeout,
// with the last observed state, after exactly MaxWait. The write did
// happen, so once the lag has passed a Reconcile finds nothing to do.
func TestE2ELagOutlastsMaxWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const maxWait = 10 * time.Second
		emu := awstest.New(awstest.WithLag(time.Minute, 0))
		c := clientAs(t, emu, mgmt, func(o *ipamorg.Options) {
			o.Wait = ipamorg.WaitOptions{Interval: 500 * time.Millisecond, MaxDelay: 2 * time.Second, MaxWait: maxWait}
		})
		desired := ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: memberA}

		start := time.Now()
		res, err := c.Reconcile(t.Context(), desired)
		if !errors.Is(err, ipamorg.ErrWaitTimeout) {
			t.Fatalf("error %v, want ErrWaitTimeout", err)
		}
		if d := time.Since(start); d != maxWait {
			t.Errorf("gave up after %v, want MaxWait %v", d, maxWait)
		}
		e := asIpamError(t, err)
		if e.Last == nil || e.Last.State != fsm.StateNone || e.Event != fsm.EventDelegate || e.Account != memberA || e.From != fsm.StateNone {
			t.Errorf("error %+v, want delegate from none, last observed none", e)
		}
		// The write was answered: sent, not confirmed; neither done nor
		// not done.
		wantProgress(t, e, nil, []fsm.Event{fsm.EventEnableTrustedAccess, fsm.EventDelegate}, nil)
		if ipamorg.IsTerminal(err) {
			t.Error("IsTerminal(a wait timeout) = true")
		}
		if len(res.Transitions) != 0 {
			t.Errorf("transitions %v", transitionsOf(res))
		}
		wantWrites(t, emu, enableAdmin)
		if got := emu.Snapshot().DelegatedAdmins[awstest.IPAMServicePrincipal]; !slices.Equal(got, []string{memberA}) {
			t.Errorf("emulator admins %v: the write should have been made", got)
		}

		time.Sleep(time.Minute)
		emu.ResetRequests()
		res, err = c.Reconcile(t.Context(), desired)
		if err != nil || len(res.Transitions) != 0 {
			t.Errorf("Reconcile after the lag = %v, %v", transitionsOf(res), err)
		}
		wantNoWrites(t, emu)
	})
}

// Throttling and 5xx bursts on reads and writes are absorbed by the SDK's
// retries: the lifecycle converges, and each write changed state exactly
// once. Every failed write attempt is an injected fault, which changes
// nothing.
func TestE2EThrottlingAndServerErrorBursts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu := awstest.New()
		c := clientAs(t, emu, mgmt, func(o *ipamorg.Options) { o.Retry.MaxAttempts = 8 })

		// 5xx bursts...
		emu.InjectFault("EnableIpamOrganizationAdminAccount", awstest.Fault{Code: awstest.CodeInternal, Count: 2})
		emu.InjectFault("DisableIpamOrganizationAdminAccount", awstest.Fault{Code: awstest.CodeUnavailable, Count: 2})
		emu.InjectFault("GetRole", awstest.Fault{Code: awstest.CodeInternal, Count: 2})
		// ...throttling longer than the SDK's default three attempts...
		emu.InjectFault("DisableAWSServiceAccess", awstest.Fault{Code: awstest.CodeThrottle, Count: 4})
		emu.InjectFault("DeleteServiceLinkedRole", awstest.Fault{Code: awstest.CodeThrottle, Count: 5})
		// ...and a throttling burst on whatever comes first. Faults are tried
		// in the order injected, so after a 5xx burst a request may still be
		// throttled.
		emu.InjectFault("*", awstest.Fault{Code: awstest.CodeThrottle, Count: 8})

		for _, d := range []ipamorg.Desired{
			{State: fsm.StateDelegated, DelegatedAdmin: memberA},
			{State: fsm.StateNone},
		} {
			if _, err := c.Reconcile(t.Context(), d); err != nil {
				t.Fatalf("Reconcile(%s): %v", d.State, err)
			}
		}
		wantState(t, c, fsm.StateNone, "")
		if got := emu.SucceededWrites(); !slices.Equal(got, []string{enableAdmin, disableAdmin, disableTrust, deleteRole}) {
			t.Errorf("successful writes %q, want each step once", got)
		}
		for _, w := range emu.Writes() {
			if !w.Succeeded() && !w.Fault {
				t.Errorf("write %s failed on its own: %s", w.Action, w.Code)
			}
		}
		// DisableAWSServiceAccess: 4 throttled attempts and the success,
		// all the SDK's.
		if got := codesOf(emu.Calls("DisableAWSServiceAccess")); !slices.Equal(got, []string{
			"TooManyRequestsException", "TooManyRequestsException", "TooManyRequestsException", "TooManyRequestsException", "",
		}) {
			t.Errorf("DisableAWSServiceAccess answers %q", got)
		}
		if got := len(emu.Calls("DeleteServiceLinkedRole")); got != 6 {
			t.Errorf("DeleteServiceLinkedRole sent %d times, want 5 throttled and 1 success", got)
		}
	})
}

// A throttling storm on every operation, drawn from a seeded generator:
// still converges with each write made once.
func TestE2EThrottlingStorm(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu := awstest.New(func(o *awstest.ServerOptions) { o.FaultSeed = 7 })
		emu.InjectFault("*", awstest.Fault{Code: awstest.CodeThrottle, Probability: 0.3})
		c := clientAs(t, emu, mgmt, func(o *ipamorg.Options) {
			o.Retry = ipamorg.RetryOptions{MaxAttempts: 10, MaxBackoff: time.Second}
		})
		for _, d := range []ipamorg.Desired{
			{State: fsm.StateDelegated, DelegatedAdmin: memberB},
			{State: fsm.StateNone},
		} {
			if _, err := c.Reconcile(t.Context(), d); err != nil {
				t.Fatalf("Reconcile(%s): %v", d.State, err)
			}
		}
		emu.ClearFaults()
		wantState(t, c, fsm.StateNone, "")
		if got := emu.SucceededWrites(); !slices.Equal(got, []string{enableAdmin, disableAdmin, disableTrust, deleteRole}) {
			t.Errorf("successful writes %q, want each step once", got)
		}
		throttled := 0
		for _, r := range emu.Requests() {
			if r.Fault {
				throttled++
			}
		}
		if throttled == 0 {
			t.Error("the storm throttled nothing")
		}
	})
}

// Throttling is retried by the SDK alone: as many requests as
// RetryOptions.MaxAttempts, not that many times the SDK's own attempts,
// and the error's count of attempts is the count of requests sent.
func TestE2EThrottlingRetriedOnce(t *testing.T) {
	for _, tc := range []struct {
		name     string
		attempts int
		want     int
	}{{"default", 0, 5}, {"MaxAttempts 2", 2, 2}} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				emu := emulatorAt(fsm.StateTrusted, "")
				emu.InjectFault("DisableAWSServiceAccess", awstest.Fault{Code: awstest.CodeThrottle})
				c := memClient(t, emu, func(o *ipamorg.Options) { o.Retry.MaxAttempts = tc.attempts })
				_, err := c.DisableTrustedAccess(t.Context())
				if err == nil {
					t.Fatal("no error")
				}
				if n := emu.CountCalls("DisableAWSServiceAccess"); n != tc.want {
					t.Errorf("DisableAWSServiceAccess sent %d times, want %d", n, tc.want)
				}
				if msg := err.Error(); !strings.Contains(msg, fmt.Sprintf("maximum number of attempts, %d", tc.want)) {
					t.Errorf("error %q does not count the %d requests sent", msg, tc.want)
				}
				e := asIpamError(t, err)
				wantProgress(t, e, nil, nil, []fsm.Event{fsm.EventDisableTrustedAccess})
				if ipamorg.IsTerminal(err) {
					t.Error("IsTerminal(throttling) = true")
				}
			})
		})
	}
}

// ConcurrentModificationException, which the SDK does not retry by
// default, is retried by the SDK for the package's calls: the audit shows
// one request per attempt, as many as RetryOptions.MaxAttempts allow.
func TestE2EConcurrentModification(t *testing.T) {
	cme := awstest.Fault{Code: "ConcurrentModificationException"}

	t.Run("retried until it clears", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			emu := emulatorAt(fsm.StateTrusted, "")
			f := cme
			f.Count = 2
			emu.InjectFault("DisableAWSServiceAccess", f)
			c := clientAs(t, emu, mgmt, func(o *ipamorg.Options) {
				o.Retry = ipamorg.RetryOptions{MaxAttempts: 3, MaxBackoff: 4 * time.Second}
			})
			res, err := c.DisableTrustedAccess(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			wantTransitions(t, res, "disable-trusted-access trusted->disabled")
			reqs := emu.Calls("DisableAWSServiceAccess")
			if got := codesOf(reqs); !slices.Equal(got, []string{"ConcurrentModificationException", "ConcurrentModificationException", ""}) {
				t.Errorf("answers %q, want two conflicts and a success", got)
			}
			// The SDK's backoff spaced them, within MaxBackoff.
			for i := 1; i < len(reqs); i++ {
				if gap := reqs[i].Time.Sub(reqs[i-1].Time); gap > 4*time.Second {
					t.Errorf("gap %d between attempts %v, above MaxBackoff", i, gap)
				}
			}
		})
	})

	t.Run("gives up after MaxAttempts", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			emu := emulatorAt(fsm.StateTrusted, "")
			emu.InjectFault("DisableAWSServiceAccess", cme)
			c := clientAs(t, emu, mgmt, func(o *ipamorg.Options) {
				o.Retry = ipamorg.RetryOptions{MaxAttempts: 4, MaxBackoff: time.Second}
			})
			res, err := c.DisableTrustedAccess(t.Context())
			var got *orgtypes.ConcurrentModificationException
			if !errors.As(err, &got) {
				t.Fatalf("error %v, want the ConcurrentModificationException", err)
			}
			if e := asIpamError(t, err); e.Event != fsm.EventDisableTrustedAccess || e.Action != disableTrust {
				t.Errorf("error %+v", e)
			}
			if n := emu.CountCalls("DisableAWSServiceAccess"); n != 4 {
				t.Errorf("DisableAWSServiceAccess sent %d times, want MaxAttempts (4)", n)
			}
			if len(res.Transitions) != 0 {
				t.Errorf("transitions %v", transitionsOf(res))
			}
			if _, on := emu.Snapshot().TrustedServices[awstest.IPAMServicePrincipal]; !on {
				t.Error("a faulted request changed the state")
			}
		})
	})

	t.Run("MaxAttempts 1 disables retries", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			emu := emulatorAt(fsm.StateTrusted, "")
			emu.InjectFault("DisableAWSServiceAccess", cme)
			c := clientAs(t, emu, mgmt, func(o *ipamorg.Options) { o.Retry.MaxAttempts = 1 })
			if _, err := c.DisableTrustedAccess(t.Context()); err == nil {
				t.Fatal("no error")
			}
			if n := emu.CountCalls("DisableAWSServiceAccess"); n != 1 {
				t.Errorf("DisableAWSServiceAccess sent %d times, want 1", n)
			}
		})
	})

	t.Run("IAM's spelling", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			emu := emulatorAt(fsm.StateDisabled, "")
			emu.InjectFault("DeleteServiceLinkedRole", awstest.Fault{Code: "ConcurrentModification", Count: 2})
			if _, err := memClient(t, emu).DeleteServiceLinkedRole(t.Context()); err != nil {
				t.Fatal(err)
			}
			if got := codesOf(emu.Calls("DeleteServiceLinkedRole")); !slices.Equal(got, []string{"ConcurrentModification", "ConcurrentModification", ""}) {
				t.Errorf("answers %q", got)
			}
		})
	})
}

// A context cancelled while the SDK backs off from a conflict returns at
// once, with both the context's error and the last AWS error, which the
// SDK alone would drop; AWS answered every request, so nothing was
// applied.
func TestE2ECancelDuringBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu := emulatorAt(fsm.StateTrusted, "")
		emu.InjectFault("DisableAWSServiceAccess", awstest.Fault{Code: "ConcurrentModificationException"})
		c := memClient(t, emu, func(o *ipamorg.Options) {
			o.Retry = ipamorg.RetryOptions{MaxAttempts: 100, MaxBackoff: time.Minute}
		})
		ctx, cancel := context.WithCancel(t.Context())
		start := time.Now()
		time.AfterFunc(90*time.Second, cancel)
		_, err := c.DisableTrustedAccess(ctx)
		if d := time.Since(start); d != 90*time.Second {
			t.Errorf("returned %v after start, want at cancellation (90s)", d)
		}
		var got *orgtypes.ConcurrentModificationException
		if !errors.Is(err, context.Canceled) || !errors.As(err, &got) {
			t.Errorf("error %v, want context.Canceled and the ConcurrentModificationException", err)
		}
		wantProgress(t, asIpamError(t, err), nil, nil, []fsm.Event{fsm.EventDisableTrustedAccess})
		if n := strings.Count(err.Error(), "context canceled"); n > 2 {
			t.Errorf("error %q says it was cancelled %d times", err, n)
		}
	})
}

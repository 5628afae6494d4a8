package ipamorg_test

// The confirmation of a write polls only the read that shows the write's
// change, not a whole Observe, and the status it returns is still what
// Observe would read.

import (
	"errors"
	"maps"
	"reflect"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ipamorg/sdk/awsclient/awstest"
	"github.com/ipamorg/sdk/fsm"
	"github.com/ipamorg/sdk/ipamorg"
)

// confirmReads are the reads that confirm each step's write, in the order
// they are polled.
var confirmReads = map[fsm.Event][]string{
	fsm.EventDelegate:                {"ListDelegatedAdministrators"},
	fsm.EventRemoveDelegate:          {"ListDelegatedAdministrators"},
	fsm.EventDisableTrustedAccess:    {"ListAWSServiceAccessForOrganization"},
	fsm.EventDeleteServiceLinkedRole: {"GetServiceLinkedRoleDeletionStatus"},
}

// confirmPolls returns the requests after the first attempt of write op,
// grouped into polls: requests of the same read that arrived at the same
// instant of the bubble's fake time, as the pages of one read, or the
// concurrent reads of an Observe, would (there is no latency). It fails the
// test if a request after the write is anything but a retry of op or one of
// reads, or if reads are polled out of order.
func confirmPolls(t *testing.T, emu *awstest.Emulator, op string, reads []string) [][]awstest.Request {
	t.Helper()
	reqs := emu.Requests()
	i := slices.IndexFunc(reqs, func(r awstest.Request) bool { return r.Operation == op })
	if i < 0 {
		t.Fatalf("%s never sent", op)
	}
	var polls [][]awstest.Request
	next := 0 // reads[next] is the read being polled
	for _, r := range reqs[i+1:] {
		if r.Operation == op {
			continue // a retry of the write
		}
		k := slices.Index(reads, r.Operation)
		if k < next {
			t.Fatalf("after %s: %s (want only %q, in order); requests %v", op, r.Operation, reads, opsOf(reqs[i:]))
		}
		next = k
		if n := len(polls); n > 0 && polls[n-1][0].Time.Equal(r.Time) && polls[n-1][0].Operation == r.Operation {
			polls[n-1] = append(polls[n-1], r)
		} else {
			polls = append(polls, []awstest.Request{r})
		}
	}
	return polls
}

func opsOf(reqs []awstest.Request) []string {
	out := make([]string, len(reqs))
	for i, r := range reqs {
		out[i] = r.Operation
	}
	return out
}

// Each of the four writes, with reads lagging it by 2s so that several
// polls miss it: every poll is one read, the one that shows the write's
// change (for the role, its deletion task, and no GetRole after it says
// SUCCEEDED), and the Result's
// Status is what a full Observe reads afterwards.
func TestConfirmationPollsOneRead(t *testing.T) {
	for _, s := range writeSteps {
		t.Run(string(s.event), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				emu := emulatorAt(s.from, s.admin, awstest.WithLag(2*time.Second, 2*time.Second))
				c := memClient(t, emu)
				res, err := c.Reconcile(t.Context(), s.desired)
				if err != nil {
					t.Fatal(err)
				}

				reads := confirmReads[s.event]
				polls := confirmPolls(t, emu, s.op, reads)
				for _, p := range polls {
					if len(p) != 1 {
						t.Errorf("a poll made %d reads %v, want 1", len(p), opsOf(p))
					}
				}
				// The lag is 2s and the first delays 250ms, 375ms, ...:
				// at least 4 polls of the read that shows the change.
				if n := emu.CountCalls(reads[0]); n < 4 {
					t.Errorf("%d polls of %s: the confirmation did not poll through the lag", n, reads[0])
				}

				st, err := c.Observe(t.Context())
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(res.Status, st) {
					t.Errorf("Result.Status %+v\nObserve       %+v", res.Status, st)
				}
			})
		})
	}
}

// The lifecycle none → delegated → none with no lag makes the fewest calls
// that do the job with the same guards: an Observe (5 reads) per
// Reconcile, the delegate guard's DescribeAccount, the remove-delegate
// guard's read of the administrator's IPAMs (AssumeRole, DescribeRegions,
// DescribeIpams in each of the emulator's 17 Regions), the four writes,
// one read confirming each of the first three writes, and one read of the
// role's deletion task, which confirms the fourth.
func TestConfirmationLifecycleCalls(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu := emulatorAt(fsm.StateNone, "")
		c := memClient(t, emu)
		for _, d := range []ipamorg.Desired{
			{State: fsm.StateDelegated, DelegatedAdmin: memberA},
			{State: fsm.StateNone},
		} {
			if _, err := c.Reconcile(t.Context(), d); err != nil {
				t.Fatal(err)
			}
		}
		got := emu.CallCounts()
		want := map[string]int{
			// Two Observes.
			"GetCallerIdentity": 2, "DescribeOrganization": 2,
			// Two Observes, and the confirmations of delegate and
			// remove-delegate.
			"ListDelegatedAdministrators": 4,
			// Two Observes, and the confirmation of
			// disable-trusted-access.
			"ListAWSServiceAccessForOrganization": 3,
			// Two Observes; the deletion task's SUCCEEDED confirms the
			// deletion, with no GetRole after it.
			"GetRole":                            2,
			"GetServiceLinkedRoleDeletionStatus": 1,
			"DescribeAccount":                    1,
			"EnableIpamOrganizationAdminAccount": 1, "DisableIpamOrganizationAdminAccount": 1,
			"DisableAWSServiceAccess": 1, "DeleteServiceLinkedRole": 1,
			"AssumeRole": 1, "DescribeRegions": 1, "DescribeIpams": len(awstest.Regions()),
		}
		if !maps.Equal(got, want) {
			t.Errorf("calls %v\nwant  %v", got, want)
		}
		if n, want := len(emu.Requests()), 21+len(awstest.Regions()); n != want {
			t.Errorf("%d calls, want %d", n, want)
		}
	})
}

// A delegation that reads never show within MaxWait: ErrWaitTimeout after
// polling only ListDelegatedAdministrators, with Last (and Result.Status)
// the status before the step as the last poll left it: no administrator,
// and none of the delegation's other effects assumed.
func TestConfirmationTimeoutLast(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu := emulatorAt(fsm.StateNone, "", awstest.WithLag(time.Hour, time.Hour))
		c := memClient(t, emu, func(o *ipamorg.Options) { o.Wait.MaxWait = 30 * time.Second })
		res, err := c.Reconcile(t.Context(), ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: memberA})
		if !errors.Is(err, ipamorg.ErrWaitTimeout) {
			t.Fatalf("error %v, want ErrWaitTimeout", err)
		}
		e := asIpamError(t, err)
		if e.Last == nil || e.Last.State != fsm.StateNone || e.Last.DelegatedAdmin != "" ||
			e.Last.TrustedAccess || e.Last.ServiceLinkedRole || e.Last.CallerAccountID != mgmt || len(e.Last.Warnings) != 0 {
			t.Errorf("Last %+v, want the status before the step", e.Last)
		}
		if res.Status != e.Last {
			t.Errorf("Result.Status %+v, want Last", res.Status)
		}
		polls := confirmPolls(t, emu, "EnableIpamOrganizationAdminAccount", confirmReads[fsm.EventDelegate])
		if len(polls) < 5 {
			t.Errorf("%d polls in 30s", len(polls))
		}
		for _, p := range polls {
			if len(p) != 1 {
				t.Errorf("a poll made %d reads %v, want 1", len(p), opsOf(p))
			}
		}
	})
}

// A write whose every answer is lost (beyond the SDK's retries): the look
// that decides whether it was applied is the same one read, and finding it
// applied, the write is not sent again.
func TestConfirmationLostAnswerLooksWithOneRead(t *testing.T) {
	for _, s := range writeSteps {
		t.Run(string(s.event), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				emu := emulatorAt(s.from, s.admin)
				// Every attempt of the SDK's: 5, the package's default.
				emu.InjectFault(s.op, awstest.Fault{Drop: true, Applied: true, Count: 5})
				c := memClient(t, emu)
				if _, err := c.Reconcile(t.Context(), s.desired); err != nil {
					t.Fatal(err)
				}
				if n := emu.CountCalls(s.op); n != 5 {
					t.Errorf("%s sent %d times, want the SDK's 5", s.op, n)
				}
				// Lost answers leave no deletion task to poll: the look
				// and the confirmation are GetRole.
				reads := confirmReads[s.event]
				if s.event == fsm.EventDeleteServiceLinkedRole {
					reads = []string{"GetRole"}
				}
				confirmPolls(t, emu, s.op, reads)
			})
		})
	}
}

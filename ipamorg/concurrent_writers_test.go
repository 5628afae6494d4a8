package ipamorg_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ipamorg/sdk/awsclient/awstest"
	"github.com/ipamorg/sdk/fsm"
	"github.com/ipamorg/sdk/ipamorg"
)

// relReconcilers runs n reconcilers at once, reconciler i toward desired(i),
// and returns their errors. sharedClient makes them goroutines on one
// Client (whose writes are serialised); otherwise each has its own Client,
// as separate processes would, coordinated by nothing but AWS.
func relReconcilers(t *testing.T, emu *awstest.Emulator, n int, sharedClient bool, desired func(i int) ipamorg.Desired) []error {
	clients := make([]*ipamorg.Client, n)
	for i := range clients {
		if i == 0 || !sharedClient {
			clients[i] = memClient(t, emu)
		} else {
			clients[i] = clients[0]
		}
	}
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i, c := range clients {
		wg.Go(func() {
			var res *ipamorg.Result
			res, errs[i] = c.Reconcile(t.Context(), desired(i))
			if res == nil {
				t.Errorf("reconciler %d: nil Result", i)
			}
		})
	}
	wg.Wait()
	return errs
}

// relTypedConflict reports whether err is one of the errors a reconciler
// may get for losing a race: another admin won, or the organization moved
// under a plan.
func relTypedConflict(err error) bool {
	var e *ipamorg.Error
	return errors.As(err, &e) && (errors.Is(err, ipamorg.ErrDelegatedAdminConflict) || errors.Is(err, ipamorg.ErrStalePlan))
}

var relConcurrencyModes = []struct {
	name   string
	shared bool
}{
	{"clients", false},
	{"goroutines on one client", true},
}

// TestConcurrentSameDesired runs 2 and 8 reconcilers toward the same desired
// state, up (none → delegated) and then down (delegated → none), with reads
// lagging so that they overlap: all converge (no error beyond a typed
// conflict), and no write is made more often than there are reconcilers.
// On one Client, whose writes are serialised, each write is made once.
func TestConcurrentSameDesired(t *testing.T) {
	phases := []struct {
		desired ipamorg.Desired
		ops     []string
	}{
		{ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: memberA}, []string{"EnableIpamOrganizationAdminAccount"}},
		{ipamorg.Desired{State: fsm.StateNone}, []string{"DisableIpamOrganizationAdminAccount", "DisableAWSServiceAccess", "DeleteServiceLinkedRole"}},
	}
	for _, n := range []int{2, 8} {
		for _, mode := range relConcurrencyModes {
			t.Run(fmt.Sprintf("%d %s", n, mode.name), func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					emu := emulatorAt(fsm.StateNone, "", awstest.WithLag(time.Second, time.Second))
					for _, ph := range phases {
						emu.ResetRequests()
						errs := relReconcilers(t, emu, n, mode.shared, func(int) ipamorg.Desired { return ph.desired })
						for i, err := range errs {
							if err != nil && !relTypedConflict(err) {
								t.Errorf("reconciler %d toward %s: %v", i, ph.desired.State, err)
							}
						}
						if state, admin := stateOf(emu.Snapshot()); state != ph.desired.State || admin != ph.desired.DelegatedAdmin {
							t.Fatalf("after %d reconcilers toward %s: %s (admin %q)", n, ph.desired.State, state, admin)
						}
						wantOnlyWrites(t, emu, ph.ops...)
						for _, op := range ph.ops {
							attempts := emu.CountCalls(op)
							t.Logf("%s: %d attempts, %d answered with success", op, attempts, emu.CountSucceeded(op))
							switch {
							case attempts < 1:
								t.Errorf("no %s", op)
							case mode.shared && attempts != 1:
								t.Errorf("%d %s through one Client, want 1 (its writes are serialised)", attempts, op)
							case attempts > n:
								t.Errorf("%d %s by %d reconcilers", attempts, op, n)
							}
						}
						// Whatever the race, the result is level: one more
						// reconcile finds nothing to do.
						before := len(emu.Writes())
						if _, err := memClient(t, emu).Reconcile(t.Context(), ph.desired); err != nil || len(emu.Writes()) != before {
							t.Errorf("reconcile after the race: %v, writes %v", err, emu.WriteLog()[before:])
						}
					}
				})
			})
		}
	}
}

// TestConcurrentDifferentAdmins runs 2 and 8 reconcilers from none, each
// toward a different delegated admin, without AllowReplace: exactly one
// wins, every other gets a typed conflict, and the admin never changes once
// set. The emulator refuses a second admin, so a change would need a
// removal: the audit must hold no DisableIpamOrganizationAdminAccount and
// exactly one EnableIpamOrganizationAdminAccount answered with success.
func TestConcurrentDifferentAdmins(t *testing.T) {
	for _, n := range []int{2, 8} {
		for _, mode := range relConcurrencyModes {
			t.Run(fmt.Sprintf("%d %s", n, mode.name), func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					emu := awstest.New(awstest.WithMembers(n), awstest.WithLag(time.Second, time.Second))
					member := func(i int) string { return fmt.Sprintf("%012d", 200000000000+i+1) }
					errs := relReconcilers(t, emu, n, mode.shared, func(i int) ipamorg.Desired {
						return ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: member(i)}
					})

					state, admin := stateOf(emu.Snapshot())
					if state != fsm.StateDelegated {
						t.Fatalf("state %s, want delegated", state)
					}
					winners := 0
					for i, err := range errs {
						switch {
						case err == nil:
							winners++
							if member(i) != admin {
								t.Errorf("reconciler %d succeeded toward %s, but the admin is %s", i, member(i), admin)
							}
						case !relTypedConflict(err):
							t.Errorf("reconciler %d lost with an untyped error: %v", i, err)
						}
					}
					if winners != 1 {
						t.Errorf("%d winners, want 1: %v", winners, errs)
					}
					wantOnlyWrites(t, emu, "EnableIpamOrganizationAdminAccount")
					if ok := emu.CountSucceeded("EnableIpamOrganizationAdminAccount"); ok != 1 {
						t.Errorf("%d successful EnableIpamOrganizationAdminAccount, want 1: %v", ok, emu.WriteLog())
					}
					t.Logf("writes: %v", emu.WriteLog())
				})
			})
		}
	}
}

// TestQueuedWriterHonoursContext: a writer waiting for its turn on a Client
// whose other writer is polling through a long lag gives up when its own
// context ends, without writing, instead of waiting for the other.
func TestQueuedWriterHonoursContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu := emulatorAt(fsm.StateNone, "", awstest.WithLag(time.Hour, time.Hour))
		c := memClient(t, emu, func(o *ipamorg.Options) { o.Wait.MaxWait = 10 * time.Minute })
		d := ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: memberA}

		first := make(chan error, 1)
		go func() { _, err := c.Reconcile(t.Context(), d); first <- err }()
		synctest.Wait() // the first writer holds the lock and polls

		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		start := time.Now()
		_, err := c.Reconcile(ctx, d)
		if waited := time.Since(start); !errors.Is(err, context.DeadlineExceeded) || waited != 10*time.Second {
			t.Fatalf("queued Reconcile returned %v after %v; want its deadline after 10s", err, waited)
		}
		var e *ipamorg.Error
		if !errors.As(err, &e) || e.Op != "reconcile" {
			t.Errorf("queued Reconcile error %T %v, want an *ipamorg.Error", err, err)
		}
		if n := emu.CountCalls("EnableIpamOrganizationAdminAccount"); n != 1 {
			t.Errorf("%d writes, want only the first writer's", n)
		}
		if err := <-first; !errors.Is(err, ipamorg.ErrWaitTimeout) {
			t.Errorf("first writer: %v, want ErrWaitTimeout", err)
		}
	})
}

package ipamorg_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ipamorg/sdk/awsclient/awstest"
	"github.com/ipamorg/sdk/fsm"
	"github.com/ipamorg/sdk/ipamorg"
)

// relStops are the ways a reconcile can be stopped after its write has
// taken effect and before a read confirmed it. Each returns the context
// and options for the reconcile that will be stopped; the emulator has
// lag 10 minutes unless stated.
var relStops = []struct {
	name string
	// lag is the emulator's read lag.
	lag time.Duration
	// stop sets up the stop and returns the stopped reconcile's context
	// and options.
	stop func(t *testing.T, emu *awstest.Emulator, op string) (context.Context, func(*ipamorg.Options))
	// want checks the stopped reconcile's error.
	want func(err error) bool
}{
	{
		// The write's answer is held back after AWS applied it, and the
		// caller's deadline ends the reconcile first.
		name: "deadline while the write's answer is in flight",
		stop: func(t *testing.T, emu *awstest.Emulator, op string) (context.Context, func(*ipamorg.Options)) {
			emu.InjectFault(op, awstest.Fault{Applied: true, Latency: time.Hour, Count: 1})
			ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
			t.Cleanup(cancel)
			return ctx, nil
		},
		want: func(err error) bool { return errors.Is(err, context.DeadlineExceeded) },
	},
	{
		// The write was answered, reads lag, and the caller's deadline
		// ends the polling.
		name: "deadline while polling for the confirmation",
		lag:  10 * time.Minute,
		stop: func(t *testing.T, emu *awstest.Emulator, op string) (context.Context, func(*ipamorg.Options)) {
			ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
			t.Cleanup(cancel)
			return ctx, nil
		},
		want: func(err error) bool { return errors.Is(err, context.DeadlineExceeded) },
	},
	{
		// Reads lag longer than the library is willing to wait.
		name: "lag longer than MaxWait",
		lag:  10 * time.Minute,
		stop: func(t *testing.T, emu *awstest.Emulator, op string) (context.Context, func(*ipamorg.Options)) {
			return t.Context(), func(o *ipamorg.Options) { o.Wait.MaxWait = time.Minute }
		},
		want: func(err error) bool { return errors.Is(err, ipamorg.ErrWaitTimeout) },
	},
}

// TestResume stops a reconcile after each write has taken effect and before
// its confirmation, in each of the ways of relStops; then, once the write
// shows in reads, a fresh Client reconciles to the same desired state. It
// must converge without a second attempt of the write (or of any write
// the stopped run had made).
//
// The last case is a teardown (delegated → none) stopped at its second
// write: the fresh Client must carry on from there. Lag would stop it at
// its first, so only the in-flight stop applies.
func TestResume(t *testing.T) {
	type resumeCase struct {
		name    string
		s       writeStep
		stopped fsm.State // where the stopped write left the organization
		stops   int       // how many of relStops apply
	}
	var cases []resumeCase
	for _, s := range writeSteps {
		cases = append(cases, resumeCase{string(s.event), s, s.desired.State, len(relStops)})
	}
	cases = append(cases, resumeCase{"teardown stopped at disable-trusted-access",
		writeStep{fsm.EventDisableTrustedAccess, "DisableAWSServiceAccess", disableTrust, "organizations", fsm.StateDelegated, memberA,
			ipamorg.Desired{State: fsm.StateNone}},
		fsm.StateDisabled, 1})

	for _, tc := range cases {
		s := tc.s
		for _, stop := range relStops[:tc.stops] {
			t.Run(tc.name+"/"+stop.name, func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					emu := emulatorAt(s.from, s.admin, awstest.WithLag(stop.lag, stop.lag))
					ctx, opt := stop.stop(t, emu, s.op)
					_, err := memClient(t, emu, opt).Reconcile(ctx, s.desired)
					if err == nil || !stop.want(err) {
						t.Fatalf("stopped Reconcile: %v", err)
					}
					var e *ipamorg.Error
					if !errors.As(err, &e) || !slices.Contains(e.Unconfirmed, s.event) || slices.Contains(e.NotDone, s.event) {
						t.Fatalf("stopped Reconcile: error %v does not list %s as sent and not confirmed", err, s.event)
					}
					if got, _ := stateOf(emu.Snapshot()); got != tc.stopped || emu.CountCalls(s.op) != 1 {
						t.Fatalf("the stopped run left %s after writes %v; want %s, its write made once", got, emu.WriteLog(), tc.stopped)
					}
					stopped := emu.Writes()

					// The process is gone; by the time a new one starts,
					// the write shows in reads.
					emu.ClearFaults()
					time.Sleep(stop.lag + time.Second)
					emu.SetLag(0)

					res, err := memClient(t, emu).Reconcile(t.Context(), s.desired)
					checkOutcome(t, emu, s.from, s.desired, res, err)
					if err != nil {
						t.Fatalf("resumed Reconcile: %v", err)
					}
					for _, w := range emu.Writes()[len(stopped):] {
						for _, old := range stopped {
							if w.Operation == old.Operation {
								t.Fatalf("resumed Reconcile wrote %s again; writes %v", w.Operation, emu.WriteLog())
							}
						}
					}
					if slices.Contains(ipamorg.Events(res.Transitions), s.event) {
						t.Errorf("resumed Reconcile took %s again: %v", s.event, ipamorg.Events(res.Transitions))
					}
				})
			})
		}
	}
}

// TestResumeWhileReadsLag resumes before the stopped write shows in reads.
// No read can tell the fresh Client that the write happened, so it sends it
// again: AWS must answer that from its latest state as done (an idempotent
// no-op), and the organization must converge without ever going back.
func TestResumeWhileReadsLag(t *testing.T) {
	for _, s := range writeSteps {
		t.Run(string(s.event), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				emu := emulatorAt(s.from, s.admin, awstest.WithLag(time.Minute, time.Minute))
				ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
				defer cancel()
				if _, err := memClient(t, emu).Reconcile(ctx, s.desired); !errors.Is(err, context.DeadlineExceeded) {
					t.Fatalf("stopped Reconcile: %v", err)
				}
				after, _ := stateOf(emu.Snapshot())

				res, err := memClient(t, emu).Reconcile(t.Context(), s.desired)
				checkOutcome(t, emu, s.from, s.desired, res, err)
				if err != nil {
					t.Fatalf("resumed Reconcile: %v", err)
				}
				if after != s.desired.State {
					t.Fatalf("the stopped write left %s, want %s", after, s.desired.State)
				}
				// Exactly one repeat (no read could have shown the first
				// write), and it changed nothing: the organization was
				// already where it ends.
				if n := emu.CountCalls(s.op); n != 2 {
					t.Errorf("%d attempts of %s, want the stopped one and one repeat: %v", n, s.op, emu.WriteLog())
				}
				wantOnlyWrites(t, emu, s.op)
			})
		})
	}
}

// TestResumeAfterKill is crash and resume across processes: a child process
// (this test binary, re-executed) reconciles none → delegated against an
// emulator over loopback whose reads lag an hour, so that after its write it
// can only poll; it is killed with SIGKILL as soon as the emulator has
// answered the write. Then the lag passes and this process, as the fresh
// one, reconciles to the same state: it converges and writes nothing.
func TestResumeAfterKill(t *testing.T) {
	if url := os.Getenv(relChildEnv); url != "" {
		relChild(t, url)
		return
	}
	if runtime.GOOS == "windows" {
		t.Skip("needs SIGKILL")
	}

	written := make(chan struct{}, 1)
	srv := awstest.NewServer(awstest.WithLag(time.Hour, time.Hour), func(o *awstest.ServerOptions) {
		o.Logf = func(format string, args ...any) {
			line := fmt.Sprintf(format, args...)
			if strings.Contains(line, "ec2/EnableIpamOrganizationAdminAccount") && strings.Contains(line, "-> 200") {
				select {
				case written <- struct{}{}:
				default:
				}
			}
		}
	})
	defer srv.Close()

	cmd := relChildCommand(t, srv.URL, nil)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// A bound on a broken child, not a wait for AWS-like behaviour: the
	// emulator's log line is the signal.
	select {
	case <-written:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("the child never wrote; its output:\n%s", out.String())
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("child ended with %v, want killed; output:\n%s", err, out.String())
	}
	if strings.Contains(out.String(), "CHILD CONFIRMED") {
		t.Fatal("the child confirmed its write before it was killed: the test stopped nothing")
	}
	if got := srv.WriteLog(); len(got) != 1 || got[0] != enableAdmin {
		t.Fatalf("the child wrote %v, want one EnableIpamOrganizationAdminAccount", got)
	}

	// The lag passes before the fresh process starts.
	srv.SetLag(0)
	srv.SetMemberRoleLag(0)
	c, err := ipamorg.NewFromConfig(srv.Config(t.Context(), mgmt))
	if err != nil {
		t.Fatal(err)
	}
	d := ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: memberA}
	res, err := c.Reconcile(t.Context(), d)
	checkOutcome(t, srv.Emulator, fsm.StateNone, d, res, err)
	if err != nil {
		t.Fatalf("resumed Reconcile: %v", err)
	}
	if len(res.Transitions) != 0 {
		t.Errorf("resumed Reconcile took %v, want nothing to do", ipamorg.Events(res.Transitions))
	}
	if got := srv.WriteLog(); len(got) != 1 {
		t.Errorf("writes %v, want only the killed child's", got)
	}
}

// relChild is the child of TestResumeAfterKill: it reconciles, and should
// be killed while polling for its confirmation.
func relChild(t *testing.T, url string) {
	c := relChildClient(t, url)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	if _, err := c.Reconcile(ctx, ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: memberA}); err == nil {
		fmt.Println("CHILD CONFIRMED")
	}
	t.Fatal("the child was not killed")
}

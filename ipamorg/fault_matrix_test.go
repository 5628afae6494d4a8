package ipamorg_test

import (
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ipamorg/sdk/awsclient/awstest"
	"github.com/ipamorg/sdk/fsm"
	"github.com/ipamorg/sdk/ipamorg"
)

// relFault is one column of the fault matrix: a failure injected into the
// write under test (or into every call), and what Reconcile must make of it.
type relFault struct {
	name string
	// opts configure the emulator (lag).
	opts []func(*awstest.ServerOptions)
	// inject adds the faults once the starting point is set up.
	inject func(emu *awstest.Emulator, s writeStep)
	// converge: Reconcile must reach the desired state. Otherwise it must
	// fail, with an *Error whose Done/NotDone match the emulator's state.
	converge bool
	// attempts is the number of requests of the write expected in the
	// audit log, or 0 for "not checked".
	attempts int
	// check makes the fault's own assertions.
	check func(t *testing.T, emu *awstest.Emulator, s writeStep)
}

// relConcurrentModification is each service's code for a concurrent
// modification. IAM spells ConcurrentModificationException's code without
// the suffix (botocore's iam model: "code": "ConcurrentModification", HTTP
// 409); EC2 has none of its own, and gets Organizations' spelling.
func relConcurrentModification(service string) string {
	if service == "iam" {
		return "ConcurrentModification"
	}
	return "ConcurrentModificationException"
}

var relFaults = []relFault{
	{
		// Four throttles, within the five attempts the package has the
		// SDK make (not three: the SDK's default).
		name: "throttling burst",
		inject: func(emu *awstest.Emulator, s writeStep) {
			emu.InjectFault(s.op, awstest.Fault{Code: awstest.CodeThrottle, Count: 4})
		},
		converge: true, attempts: 5,
	},
	{
		// Within the SDK's attempts: retried there, invisible to the
		// library.
		name: "5xx burst",
		inject: func(emu *awstest.Emulator, s writeStep) {
			emu.InjectFault(s.op, awstest.Fault{Code: awstest.CodeInternal, Count: 2})
		},
		converge: true, attempts: 3,
	},
	{
		// Beyond the SDK's attempts: a 5xx proves nothing, so the library
		// looks, does not see the write, and hands it to the SDK again,
		// whose first attempt goes through (outcome_matrix_test.go has
		// the server errors that never end).
		name: "5xx burst beyond the SDK's retries",
		inject: func(emu *awstest.Emulator, s writeStep) {
			emu.InjectFault(s.op, awstest.Fault{Code: awstest.CodeUnavailable, Count: 5})
		},
		converge: true, attempts: 6,
	},
	{
		// The request never reached the service: the SDK retries the
		// connection error.
		name: "dropped connection",
		inject: func(emu *awstest.Emulator, s writeStep) {
			emu.InjectFault(s.op, awstest.Fault{Drop: true, Count: 2})
		},
		converge: true, attempts: 3,
	},
	{
		// The write took effect but its response was lost: the SDK sends
		// it again, and the second call must find the step already taken
		// rather than fail or change anything.
		name: "dropped connection after the write",
		inject: func(emu *awstest.Emulator, s writeStep) {
			emu.InjectFault(s.op, awstest.Fault{Drop: true, Applied: true, Count: 1})
		},
		converge: true, attempts: 2,
	},
	{
		// Every response of the write lost, more times than the SDK
		// retries: the outcome is unknown to the client, and the library
		// must look before concluding the step was not done.
		name: "dropped connection after the write, beyond the SDK's retries",
		inject: func(emu *awstest.Emulator, s writeStep) {
			emu.InjectFault(s.op, awstest.Fault{Drop: true, Applied: true, Count: 5})
		},
		// The reads show the write, so it is not sent a sixth time.
		converge: true, attempts: 5,
	},
	{
		// The same, but reads lag: looking does not show the write, so
		// the library sends it again, and AWS, answering from its latest
		// state, says it is already done (the calls are idempotent).
		name: "dropped connection after the write, beyond the SDK's retries, reads lagging",
		// Longer than the SDK's retries can take (four backoffs of at
		// most 20s), so that the look is sure to miss the write.
		opts: []func(*awstest.ServerOptions){awstest.WithLag(5*time.Minute, 5*time.Minute)},
		inject: func(emu *awstest.Emulator, s writeStep) {
			emu.InjectFault(s.op, awstest.Fault{Drop: true, Applied: true, Count: 5})
		},
		converge: true, attempts: 6,
	},
	{
		// Not retried by the SDK by default; retried by it for the
		// package's calls.
		name: "ConcurrentModificationException",
		inject: func(emu *awstest.Emulator, s writeStep) {
			emu.InjectFault(s.op, awstest.Fault{Code: relConcurrentModification(s.service), Count: 2})
		},
		converge: true, attempts: 3,
	},
	{
		// A slow write and slow reads: nothing times out, nothing is
		// written twice.
		name: "latency spikes",
		inject: func(emu *awstest.Emulator, s writeStep) {
			emu.InjectFault(s.op, awstest.Fault{Latency: 20 * time.Second, Count: 1})
			emu.InjectFault("*", awstest.Fault{Latency: 3 * time.Second, Probability: 0.5})
		},
		converge: true, attempts: 1,
	},
	{
		// The write shows in reads 2s later: the immediate poll and the
		// next few miss it, and the library keeps polling rather than
		// writing again.
		name:     "read lag longer than the first poll",
		opts:     []func(*awstest.ServerOptions){awstest.WithLag(2*time.Second, 2*time.Second)},
		inject:   func(*awstest.Emulator, writeStep) {},
		converge: true, attempts: 1,
		check: func(t *testing.T, emu *awstest.Emulator, s writeStep) {
			// The role's deletion is confirmed by polling its task, the
			// other steps by polling the one read that shows their
			// change, after the Observe that planned the write (which
			// made that read once too).
			var op string
			switch s.event {
			case fsm.EventDelegate, fsm.EventRemoveDelegate:
				op = "ListDelegatedAdministrators"
			case fsm.EventDisableTrustedAccess:
				op = "ListAWSServiceAccessForOrganization"
			case fsm.EventDeleteServiceLinkedRole:
				op = "GetServiceLinkedRoleDeletionStatus"
			}
			polls := emu.CountCalls(op)
			if s.event != fsm.EventDeleteServiceLinkedRole {
				polls--
			}
			if polls < 3 {
				t.Errorf("%d polls (%s): the confirmation did not poll through the lag", polls, op)
			}
		},
	},
}

// TestFaultMatrix runs a Reconcile that takes exactly one write, for each of
// the four writes and each fault, and checks the contract: it reaches the
// desired state, or fails with an *Error whose Done/NotDone say exactly
// which steps the emulator's state shows; it never writes anything but the
// step's own call; no more than one attempt of that call is answered with
// success; and a Reconcile without faults then converges.
func TestFaultMatrix(t *testing.T) {
	t.Parallel() // see harness_test.go
	for _, s := range writeSteps {
		for _, f := range relFaults {
			t.Run(string(s.event)+"/"+f.name, func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					emu := emulatorAt(s.from, s.admin, append([]func(*awstest.ServerOptions){func(o *awstest.ServerOptions) { o.FaultSeed = 5 }}, f.opts...)...)
					f.inject(emu, s)
					c := memClient(t, emu)

					res, err := c.Reconcile(t.Context(), s.desired)
					checkOutcome(t, emu, s.from, s.desired, res, err)
					switch {
					case f.converge && err != nil:
						t.Fatalf("Reconcile: %v; writes %v", err, emu.WriteLog())
					case !f.converge && err == nil:
						t.Fatalf("Reconcile succeeded; want a typed error; writes %v", emu.WriteLog())
					}
					if f.converge {
						want, _ := fsmPath(s.from, s.desired.State)
						if got := ipamorg.Events(res.Transitions); !slices.Equal(got, want) {
							t.Errorf("transitions %v, want %v", got, want)
						}
					}
					wantOnlyWrites(t, emu, s.op)
					if n := emu.CountSucceeded(s.op); n > 1 {
						t.Errorf("%d successful %s; writes %v", n, s.op, emu.WriteLog())
					}
					if n := emu.CountCalls(s.op); f.attempts != 0 && n != f.attempts {
						t.Errorf("%d attempts of %s, want %d; writes %v", n, s.op, f.attempts, emu.WriteLog())
					}
					if f.check != nil {
						f.check(t, emu, s)
					}

					// Level-based: without faults, Reconcile finishes the
					// job (or finds it done and writes nothing).
					emu.ClearFaults()
					before := len(emu.Writes())
					res, err = c.Reconcile(t.Context(), s.desired)
					checkOutcome(t, emu, s.from, s.desired, res, err)
					if err != nil {
						t.Fatalf("Reconcile without faults: %v", err)
					}
					if f.converge && len(emu.Writes()) != before {
						t.Errorf("second Reconcile wrote %v", emu.WriteLog()[before:])
					}
				})
			})
		}
	}
}

// fsmPath is fsm.Path, for the expected transitions of a converging run.
func fsmPath(from, to fsm.State) ([]fsm.Event, error) { return fsm.Path(from, to) }

package ipamorg_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ipamorg/sdk/awsclient/awstest"
	"github.com/ipamorg/sdk/fsm"
	"github.com/ipamorg/sdk/ipamorg"
)

// Concurrency across processes: this test binary, re-executed n times, each
// child a Client of its own in a process of its own, coordinated by nothing
// but the emulator (an awstest.Server on loopback, in the parent). Children
// take commands, one JSON line each, from stdin and answer each with one
// JSON result line on stdout. A command is sent to all children only once
// all of them have started, made their Client and read the organization
// once (so that connections are open), and are blocked reading stdin: the
// parent's write of the command is the start barrier, and they race.
//
// Each race runs twice: with the emulator's reads lagging relProcLag behind
// its writes, so that a child that starts a little late still sees the
// organization as it was before the others wrote (most children then
// write, and the overlap does not depend on scheduling alone); and with no
// lag, where a child sees another's write as soon as it is made (more
// children then find that another was first, or their plan overtaken
// between Plan and Apply). The children poll every few milliseconds
// (relProcOptions); no test waits on the wall clock for AWS-like
// behaviour.

// relProcLags are the emulator's read lags in the process tests, in the
// order they are used: lowering the lag is exact, while raising it could
// not bring back the history the emulator forgot under the lower one (see
// awstest's SetLag).
var relProcLags = []time.Duration{relProcLag, 0}

const relProcLag = 50 * time.Millisecond

// relProcOptions are the children's (and the parent's) Client options:
// polls and retries at millisecond scale. MaxWait is a bound on a broken
// run, far above the lag.
var relProcOptions = relChildOptions{
	Retry: ipamorg.RetryOptions{MaxBackoff: 20 * time.Millisecond},
	Wait:  ipamorg.WaitOptions{Interval: 5 * time.Millisecond, MaxDelay: 20 * time.Millisecond, MaxWait: 30 * time.Second},
}

// relProcBound bounds how long the parent waits for a child's line: a bound
// on a broken child, not a wait for AWS-like behaviour.
const relProcBound = time.Minute

// relProcPrefix starts the child's protocol lines on stdout, which it
// shares with the testing package's own output.
const relProcPrefix = "relproc: "

// relProcCommand is one command to a child.
type relProcCommand struct {
	// Apply makes the child Plan and then Apply the plan, instead of
	// Reconcile.
	Apply   bool            `json:"apply,omitempty"`
	Desired ipamorg.Desired `json:"desired"`
}

// relProcResult is a child's line: ready, or the outcome of a command.
type relProcResult struct {
	Ready bool `json:"ready,omitempty"`
	// Err is "ok", the name of the sentinel the *ipamorg.Error has as
	// Kind (see relSentinels), "untyped" for an *ipamorg.Error with no
	// Kind, or "not an *ipamorg.Error".
	Err     string      `json:"err,omitempty"`
	Op      string      `json:"op,omitempty"`
	Message string      `json:"message,omitempty"`
	Done    []fsm.Event `json:"done,omitempty"`
	NotDone []fsm.Event `json:"not_done,omitempty"`
	// Transitions are the Result's: the steps this child took.
	Transitions []ipamorg.Transition `json:"transitions,omitempty"`
}

func (r relProcResult) String() string {
	s := r.Err
	if r.Op != "" {
		s += " in " + r.Op
	}
	if len(r.Transitions) > 0 {
		s += fmt.Sprintf(" after %v", ipamorg.Events(r.Transitions))
	}
	if r.Message != "" {
		s += ": " + r.Message
	}
	return s
}

// relSentinels are the Kinds an *ipamorg.Error may have, by name.
var relSentinels = []struct {
	name string
	err  error
}{
	{"ErrNotManagementAccount", ipamorg.ErrNotManagementAccount},
	{"ErrOrganizationNotFound", ipamorg.ErrOrganizationNotFound},
	{"ErrAllFeaturesRequired", ipamorg.ErrAllFeaturesRequired},
	{"ErrInvalidAccountID", ipamorg.ErrInvalidAccountID},
	{"ErrAccountNotInOrganization", ipamorg.ErrAccountNotInOrganization},
	{"ErrManagementAccountAsDelegate", ipamorg.ErrManagementAccountAsDelegate},
	{"ErrDelegatedAdminConflict", ipamorg.ErrDelegatedAdminConflict},
	{"ErrTrustedAccessRequiresDelegation", ipamorg.ErrTrustedAccessRequiresDelegation},
	{"ErrAccessDenied", ipamorg.ErrAccessDenied},
	{"ErrWaitTimeout", ipamorg.ErrWaitTimeout},
	{"ErrStalePlan", ipamorg.ErrStalePlan},
	{"ErrInvalidOptions", ipamorg.ErrInvalidOptions},
	{"ErrInvalidDesired", ipamorg.ErrInvalidDesired},
	{"ErrServiceLinkedRoleDeletionFailed", ipamorg.ErrServiceLinkedRoleDeletionFailed},
	{"fsm.ErrInvalidTransition", fsm.ErrInvalidTransition},
}

// relProcOutcome renders a command's outcome as the child's result line.
func relProcOutcome(res *ipamorg.Result, err error) relProcResult {
	r := relProcResult{Err: "ok"}
	if res != nil {
		r.Transitions = res.Transitions
	}
	if err == nil {
		return r
	}
	r.Message = err.Error()
	var e *ipamorg.Error
	if !errors.As(err, &e) {
		r.Err = "not an *ipamorg.Error"
		return r
	}
	r.Op, r.Done, r.NotDone = e.Op, e.Done, e.NotDone
	r.Err = "untyped"
	for _, s := range relSentinels {
		if e.Kind == s.err {
			r.Err = s.name
		}
	}
	return r
}

// servedAsChild starts a process test, parallel to the other heavy tests
// (see harness_test.go): in a child process it runs the child's part and
// returns true; in the parent it skips the test with -short.
func servedAsChild(t *testing.T) bool {
	t.Parallel()
	if url := os.Getenv(relChildEnv); url != "" {
		relProcChild(t, url)
		return true
	}
	if testing.Short() {
		t.Skip("starts child processes")
	}
	return false
}

// relProcChild is the child of the process tests: it runs the commands it
// reads from stdin until stdin closes.
func relProcChild(t *testing.T, url string) {
	c := relChildClient(t, url)
	say := func(r relProcResult) {
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Printf("%s%s\n", relProcPrefix, b)
	}
	ctx, cancel := context.WithTimeout(t.Context(), relProcBound)
	_, err := c.Observe(ctx) // opens the connections before the race
	cancel()
	if err != nil {
		t.Fatalf("warm-up Observe: %v", err)
	}
	say(relProcResult{Ready: true})

	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		var cmd relProcCommand
		if err := json.Unmarshal(in.Bytes(), &cmd); err != nil {
			t.Fatalf("command %q: %v", in.Text(), err)
		}
		ctx, cancel := context.WithTimeout(t.Context(), relProcBound)
		var (
			res *ipamorg.Result
			err error
		)
		if cmd.Apply {
			var p *ipamorg.Plan
			if p, err = c.Plan(ctx, cmd.Desired); err == nil {
				res, err = c.Apply(ctx, p)
			}
		} else {
			res, err = c.Reconcile(ctx, cmd.Desired)
		}
		cancel()
		say(relProcOutcome(res, err))
	}
	if err := in.Err(); err != nil {
		t.Fatal(err)
	}
}

// relProc is a running child, seen from the parent.
type relProc struct {
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	results chan relProcResult // closed when the child's stdout ends
	out     relProcOutput      // everything else the child printed
}

// relProcOutput collects a child's output for failure messages.
type relProcOutput struct {
	mu sync.Mutex
	b  strings.Builder
}

func (o *relProcOutput) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.Write(p)
}

func (o *relProcOutput) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.String()
}

// relStartProcs starts n children against srv and returns once all of them
// are ready. At the end of the test it closes their stdin and checks that
// they exit cleanly.
func relStartProcs(t *testing.T, srv *awstest.Server, n int) []*relProc {
	t.Helper()
	procs := make([]*relProc, n)
	t.Cleanup(func() {
		// All at once: closing stdin ends a child's command loop.
		for _, p := range procs {
			if p != nil {
				p.stdin.Close()
			}
		}
		for i, p := range procs {
			if p != nil {
				relStopProc(t, i, p)
			}
		}
	})
	for i := range procs {
		p := &relProc{cmd: relChildCommand(t, srv.URL, &relProcOptions), results: make(chan relProcResult, 1)}
		p.cmd.Stderr = &p.out
		var err error
		if p.stdin, err = p.cmd.StdinPipe(); err != nil {
			t.Fatal(err)
		}
		stdout, err := p.cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := p.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() {
			defer close(p.results)
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				line, ok := strings.CutPrefix(sc.Text(), relProcPrefix)
				if !ok {
					fmt.Fprintln(&p.out, sc.Text())
					continue
				}
				var r relProcResult
				if err := json.Unmarshal([]byte(line), &r); err != nil {
					r = relProcResult{Err: "unreadable result line", Message: line}
				}
				p.results <- r
			}
		}()
		procs[i] = p
	}
	for i, p := range procs {
		if r := relProcNext(t, i, p); !r.Ready {
			t.Fatalf("child %d: %v before it was ready", i, r)
		}
	}
	return procs
}

// relStopProc checks that the child, whose stdin is closed, exits with
// success.
func relStopProc(t *testing.T, i int, p *relProc) {
	stopped := make(chan struct{})
	go func() {
		for r := range p.results {
			// Left over when the test failed before reading it.
			t.Logf("child %d: unread line %v", i, r)
		}
		close(stopped)
	}()
	select {
	case <-stopped:
	case <-time.After(relProcBound):
		p.cmd.Process.Kill()
		<-stopped
	}
	if err := p.cmd.Wait(); err != nil {
		t.Errorf("child %d: %v; its output:\n%s", i, err, p.out.String())
	}
}

// relProcNext returns the child's next line.
func relProcNext(t *testing.T, i int, p *relProc) relProcResult {
	t.Helper()
	select {
	case r, ok := <-p.results:
		if !ok {
			p.cmd.Process.Kill()
			t.Fatalf("child %d ended early; its output:\n%s", i, p.out.String())
		}
		return r
	case <-time.After(relProcBound):
		p.cmd.Process.Kill()
		t.Fatalf("child %d did not answer within %v; its output:\n%s", i, relProcBound, p.out.String())
	}
	panic("unreachable")
}

// relRace sends child i the command cmd(i), all at once, and returns their
// results.
func relRace(t *testing.T, procs []*relProc, cmd func(i int) relProcCommand) []relProcResult {
	t.Helper()
	lines := make([][]byte, len(procs))
	for i := range procs {
		b, err := json.Marshal(cmd(i))
		if err != nil {
			t.Fatal(err)
		}
		lines[i] = append(b, '\n')
	}
	for i, p := range procs {
		if _, err := p.stdin.Write(lines[i]); err != nil {
			t.Fatalf("child %d: %v; its output:\n%s", i, err, p.out.String())
		}
	}
	results := make([]relProcResult, len(procs))
	for i, p := range procs {
		results[i] = relProcNext(t, i, p)
	}
	return results
}

// relCheckTransitions checks that an ok child's transitions chain through
// the lifecycle and end at d, any delegate step designating d's admin.
func relCheckTransitions(t *testing.T, i int, r relProcResult, d ipamorg.Desired) {
	t.Helper()
	ts := r.Transitions
	if len(ts) == 0 {
		return
	}
	for k, tr := range ts {
		to, ok := fsm.Target(tr.From, tr.Event)
		if !ok || to != tr.To || (k > 0 && tr.From != ts[k-1].To) {
			t.Errorf("child %d: transitions %+v do not chain", i, ts)
			return
		}
		if tr.Event == fsm.EventDelegate && tr.Account != d.DelegatedAdmin {
			t.Errorf("child %d: delegated to %s, want %s", i, tr.Account, d.DelegatedAdmin)
		}
	}
	if last := ts[len(ts)-1].To; last != d.State {
		t.Errorf("child %d: transitions %v end at %s, want %s", i, ipamorg.Events(ts), last, d.State)
	}
}

// relCheckNothingDone checks that a child that failed took no step.
func relCheckNothingDone(t *testing.T, i int, r relProcResult) {
	t.Helper()
	if len(r.Transitions) > 0 || len(r.Done) > 0 {
		t.Errorf("child %d failed (%v) after taking steps: transitions %v, done %v", i, r, ipamorg.Events(r.Transitions), r.Done)
	}
}

// relParentClient is the parent's own Client over srv.
func relParentClient(t *testing.T, srv *awstest.Server) *ipamorg.Client {
	t.Helper()
	c, err := ipamorg.NewFromConfig(srv.Config(t.Context(), mgmt), relProcOptions.apply)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// relProcModes are the ways a child acts: Reconcile, or Plan then Apply
// (as with a plan reviewed before it is applied), where the organization
// can change between the two.
var relProcModes = []struct {
	name  string
	apply bool
}{
	{"reconcile", false},
	{"plan+apply", true},
}

// relSetLag sets both of srv's lags.
func relSetLag(srv *awstest.Server, lag time.Duration) {
	srv.SetLag(lag)
	srv.SetMemberRoleLag(lag)
}

// relTally counts the children's outcomes, for the log.
func relTally(results []relProcResult) map[string]int {
	m := map[string]int{}
	for _, r := range results {
		m[r.Err]++
	}
	return m
}

// TestProcessesSameDesired runs 2 and 8 child processes toward the same
// desired state, up (none → delegated, admin 222222222222) and then down
// (→ none), first each with Reconcile and then each with Plan and Apply,
// racing from a start barrier; all of it with reads lagging and then with
// none.
//
// What may legitimately fail follows from the code. Every write is
// idempotent against the state it leads to (designating the admin already
// designated succeeds; removing an admin already removed, and deleting a
// role already deleted, are answered with codes the library takes as
// done), and the guards never refuse the same admin; in a teardown, no
// process disables trusted access or deletes the role before a read showed
// it the step before done, and nobody goes back. So Reconcile always
// converges without error: ErrDelegatedAdminConflict needs a different
// admin, and ErrStalePlan is Apply's alone. Apply fails with ErrStalePlan,
// having written nothing, when another process moved the organization
// after its Plan; it fails in no other way. At least one child succeeds,
// and every successful child's transitions chain to the desired state.
//
// The audit log must hold only the writes of the phase, each attempted at
// least once and at most once per process, and never refused except as
// already done: every designation succeeds; exactly one removal of the
// admin and one deletion of the role succeed, the others finding them
// gone; no DisableAWSServiceAccess is refused (which would mean trusted
// access was disabled under a registered admin). Afterwards one more
// Reconcile finds nothing to do.
func TestProcessesSameDesired(t *testing.T) {
	if servedAsChild(t) {
		return
	}
	phases := []struct {
		desired ipamorg.Desired
		// ok are the operations the phase may write, each with the error
		// codes that mean already done.
		ok map[string][]string
		// once are the operations that succeed exactly once.
		once []string
	}{
		{
			ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: memberA},
			map[string][]string{"EnableIpamOrganizationAdminAccount": nil},
			nil,
		},
		{
			ipamorg.Desired{State: fsm.StateNone},
			map[string][]string{
				"DisableIpamOrganizationAdminAccount": {"IpamOrganizationAccountNotRegistered"},
				"DisableAWSServiceAccess":             nil,
				"DeleteServiceLinkedRole":             {"NoSuchEntity"},
			},
			// DeleteServiceLinkedRole may succeed more than once: while a
			// deletion is in progress IAM answers every request for the
			// same role with the earlier task (and deletes it once).
			[]string{"DisableIpamOrganizationAdminAccount"},
		},
	}
	for _, n := range []int{2, 8} {
		t.Run(fmt.Sprintf("%d processes", n), func(t *testing.T) {
			srv := awstest.NewServer()
			t.Cleanup(srv.Close)
			procs := relStartProcs(t, srv, n)

			for _, lag := range relProcLags {
				relSetLag(srv, lag)
				for _, mode := range relProcModes {
					for _, ph := range phases {
						name := fmt.Sprintf("lag %v, %s toward %s", lag, mode.name, ph.desired.State)
						srv.ResetRequests()
						results := relRace(t, procs, func(int) relProcCommand {
							return relProcCommand{Apply: mode.apply, Desired: ph.desired}
						})

						ok := 0
						for i, r := range results {
							switch {
							case r.Err == "ok":
								ok++
								relCheckTransitions(t, i, r, ph.desired)
							case mode.apply && r.Err == "ErrStalePlan" && r.Op == "apply":
								relCheckNothingDone(t, i, r)
							default:
								t.Errorf("%s: child %d: %v", name, i, r)
							}
						}
						if ok == 0 {
							t.Errorf("%s: no child succeeded: %v", name, results)
						}
						if state, admin := stateOf(srv.Snapshot()); state != ph.desired.State || admin != ph.desired.DelegatedAdmin {
							t.Fatalf("%s: the organization is %s (admin %q)", name, state, admin)
						}

						for _, w := range srv.Writes() {
							codes, ok := ph.ok[w.Operation]
							if !ok || !w.Succeeded() && !slices.Contains(codes, w.Code) {
								t.Errorf("%s: unexpected write %s (%s) in %v", name, w.Operation, w.Code, srv.WriteLog())
							}
						}
						var counts []string
						for op := range ph.ok {
							attempts, okays := srv.CountCalls(op), srv.CountSucceeded(op)
							counts = append(counts, fmt.Sprintf("%s %d (%d ok)", op, attempts, okays))
							if attempts < 1 || attempts > n {
								t.Errorf("%s: %d %s by %d processes", name, attempts, op, n)
							}
							if slices.Contains(ph.once, op) && okays != 1 {
								t.Errorf("%s: %s succeeded %d times, want once", name, op, okays)
							}
						}
						slices.Sort(counts)
						t.Logf("%s: outcomes %v; writes: %s", name, relTally(results), strings.Join(counts, ", "))

						before := len(srv.Writes())
						if _, err := relParentClient(t, srv).Reconcile(t.Context(), ph.desired); err != nil || len(srv.Writes()) != before {
							t.Errorf("%s: reconcile after the race: %v, writes %v", name, err, srv.WriteLog()[before:])
						}
					}
				}
			}
		})
	}
}

// TestProcessesDifferentAdmins runs 2 and 8 child processes from none,
// child i toward member i as delegated admin, without AllowReplace, racing
// from a start barrier: each with Reconcile, then each with Plan and Apply,
// with reads lagging and then with none; the parent tears the organization
// down between races.
//
// Exactly one child wins: it designated its admin, with the steps none →
// trusted → delegated. Every other takes no step and fails, with Reconcile,
// with ErrDelegatedAdminConflict: its plan found another admin, or AWS
// refused its designation (IpamOrganizationDelegatedAdminLimitExceeded).
// With Plan and Apply it may instead get ErrStalePlan from Apply, when the
// winner moved the organization after its Plan. No flip-flop: the audit
// log holds exactly one successful EnableIpamOrganizationAdminAccount, the
// others refused as above, and no DisableIpamOrganizationAdminAccount.
func TestProcessesDifferentAdmins(t *testing.T) {
	if servedAsChild(t) {
		return
	}
	for _, n := range []int{2, 8} {
		t.Run(fmt.Sprintf("%d processes", n), func(t *testing.T) {
			srv := awstest.NewServer(awstest.WithMembers(n))
			t.Cleanup(srv.Close)
			procs := relStartProcs(t, srv, n)
			member := func(i int) string { return fmt.Sprintf("%012d", 200000000000+i+1) }

			first := true
			for _, lag := range relProcLags {
				relSetLag(srv, lag)
				for _, mode := range relProcModes {
					name := fmt.Sprintf("lag %v, %s", lag, mode.name)
					if !first {
						// Back to none, by the parent, out of the race.
						if _, err := relParentClient(t, srv).Reconcile(t.Context(), ipamorg.Desired{State: fsm.StateNone}); err != nil {
							t.Fatalf("%s: teardown: %v", name, err)
						}
					}
					first = false
					srv.ResetRequests()
					results := relRace(t, procs, func(i int) relProcCommand {
						return relProcCommand{Apply: mode.apply, Desired: ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: member(i)}}
					})

					state, admin := stateOf(srv.Snapshot())
					if state != fsm.StateDelegated {
						t.Fatalf("%s: state %s, want delegated", name, state)
					}
					winners := 0
					for i, r := range results {
						switch {
						case r.Err == "ok":
							winners++
							if member(i) != admin {
								t.Errorf("%s: child %d succeeded toward %s, but the admin is %s", name, i, member(i), admin)
							}
							if evs := ipamorg.Events(r.Transitions); !slices.Equal(evs, []fsm.Event{fsm.EventEnableTrustedAccess, fsm.EventDelegate}) {
								t.Errorf("%s: winner %d took %v, want enable-trusted-access, delegate", name, i, evs)
							}
							relCheckTransitions(t, i, r, ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: member(i)})
						case r.Err == "ErrDelegatedAdminConflict" && (r.Op == "reconcile" || mode.apply && (r.Op == "plan" || r.Op == "apply")),
							r.Err == "ErrStalePlan" && mode.apply && r.Op == "apply":
							relCheckNothingDone(t, i, r)
						default:
							t.Errorf("%s: child %d: %v", name, i, r)
						}
					}
					if winners != 1 {
						t.Errorf("%s: %d winners, want 1: %v", name, winners, results)
					}
					for _, w := range srv.Writes() {
						if w.Operation != "EnableIpamOrganizationAdminAccount" || !w.Succeeded() && w.Code != "IpamOrganizationDelegatedAdminLimitExceeded" {
							t.Errorf("%s: unexpected write %s (%s) in %v", name, w.Operation, w.Code, srv.WriteLog())
						}
					}
					enables, ok := srv.CountCalls("EnableIpamOrganizationAdminAccount"), srv.CountSucceeded("EnableIpamOrganizationAdminAccount")
					if ok != 1 {
						t.Errorf("%s: %d successful EnableIpamOrganizationAdminAccount, want 1: %v", name, ok, srv.WriteLog())
					}
					t.Logf("%s: outcomes %v; EnableIpamOrganizationAdminAccount %d (%d ok)", name, relTally(results), enables, ok)
				}
			}
		})
	}
}

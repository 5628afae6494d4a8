package ipamorg_test

// Helpers for the reliability tests (reliability_*_test.go): ipamorg over
// the AWS SDK's real clients and the awstest emulator, in memory inside
// testing/synctest bubbles, so that retries, polls, lag and injected latency
// run on fake time; and, for the tests that cross a process boundary, this
// test binary re-executed as a child against an awstest.Server on loopback.
// Identifiers start with "rel" so that they never clash with the other test
// files of the package.

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/ipamorg/sdk/awsclient/awstest"
	"github.com/ipamorg/sdk/fsm"
	"github.com/ipamorg/sdk/ipamorg"
)

const (
	relMgmt    = awstest.DefaultManagementAccountID
	relMemberA = awstest.DefaultMemberAccountID1
	relMemberB = awstest.DefaultMemberAccountID2
)

// relStep is one write of the lifecycle, with a starting point from which a
// Reconcile takes exactly that write.
type relStep struct {
	event   fsm.Event
	op      string // the emulator operation (awstest.Operations)
	service string
	from    fsm.State
	admin   string // the delegated admin in from, if any
	desired ipamorg.Desired
}

// relSteps are the four writes of DESIGN.md §3. delegate starts from none,
// so its plan is enable-trusted-access then delegate: one call, two events.
var relSteps = []relStep{
	{fsm.EventDelegate, "EnableIpamOrganizationAdminAccount", "ec2", fsm.StateNone, "",
		ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: relMemberA}},
	{fsm.EventRemoveDelegate, "DisableIpamOrganizationAdminAccount", "ec2", fsm.StateDelegated, relMemberA,
		ipamorg.Desired{State: fsm.StateTrusted}},
	{fsm.EventDisableTrustedAccess, "DisableAWSServiceAccess", "organizations", fsm.StateTrusted, "",
		ipamorg.Desired{State: fsm.StateDisabled}},
	{fsm.EventDeleteServiceLinkedRole, "DeleteServiceLinkedRole", "iam", fsm.StateDisabled, "",
		ipamorg.Desired{State: fsm.StateNone}},
}

// relEmulator returns an emulator whose organization stands at state (with
// admin as the delegated administrator when state is delegated), set up
// with the mutators so that nothing is in the audit log and no lag hides
// the starting point.
func relEmulator(state fsm.State, admin string, optFns ...func(*awstest.ServerOptions)) *awstest.Emulator {
	if state == fsm.StateDelegated {
		org := awstest.DefaultOrganization()
		org.IPAMDelegatedAdmin = admin
		optFns = append([]func(*awstest.ServerOptions){awstest.WithOrganization(org)}, optFns...)
	}
	emu := awstest.New(optFns...)
	switch state {
	case fsm.StateTrusted:
		emu.SetTrustedAccess(awstest.IPAMServicePrincipal, true)
		emu.PutRole(relMgmt, awstest.IPAMRoleName)
	case fsm.StateDisabled:
		emu.PutRole(relMgmt, awstest.IPAMRoleName)
	}
	return emu
}

// relClient returns a Client for the management account over emu, in
// memory, with the SDK's default retryer.
func relClient(t *testing.T, emu *awstest.Emulator, optFns ...func(*ipamorg.Options)) *ipamorg.Client {
	t.Helper()
	c, err := ipamorg.NewFromConfig(emu.Config(t.Context(), relMgmt), optFns...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// relState is the lifecycle state the emulator's latest state is in, read
// as DESIGN.md §3 defines it, and its delegated admin.
func relState(s awstest.State) (fsm.State, string) {
	admins := s.DelegatedAdmins[awstest.IPAMServicePrincipal]
	_, trusted := s.TrustedServices[awstest.IPAMServicePrincipal]
	switch {
	case len(admins) > 0:
		return fsm.StateDelegated, admins[0]
	case trusted:
		return fsm.StateTrusted, ""
	case s.HasRole(s.ManagementAccountID, awstest.IPAMRoleName):
		return fsm.StateDisabled, ""
	}
	return fsm.StateNone, ""
}

// relReplay returns the state reached from from by events.
func relReplay(from fsm.State, events []fsm.Event) (fsm.State, error) {
	for _, ev := range events {
		to, ok := fsm.Target(from, ev)
		if !ok {
			return from, fmt.Errorf("event %s not allowed in %s", ev, from)
		}
		from = to
	}
	return from, nil
}

// relCheckOutcome checks the contract of a Reconcile toward d from from:
// either it succeeded and the emulator's latest state is d, or it failed
// with an *ipamorg.Error whose Done steps, replayed from from, give exactly
// the emulator's latest state. The one exception is ErrWaitTimeout, whose
// documented meaning is that the failed step's write succeeded but was not
// confirmed: there the state is one write further (NotDone's first call).
// It returns the *Error, or nil on success.
func relCheckOutcome(t *testing.T, emu *awstest.Emulator, from fsm.State, d ipamorg.Desired, res *ipamorg.Result, err error) *ipamorg.Error {
	t.Helper()
	state, admin := relState(emu.Snapshot())
	if res == nil {
		t.Fatalf("Reconcile returned a nil Result (err %v)", err)
	}
	if err == nil {
		if state != d.State || admin != d.DelegatedAdmin {
			t.Fatalf("Reconcile succeeded but the organization is %s (admin %q), want %s (admin %q)", state, admin, d.State, d.DelegatedAdmin)
		}
		return nil
	}
	var e *ipamorg.Error
	if !errors.As(err, &e) {
		t.Fatalf("Reconcile error %T %v is not an *ipamorg.Error", err, err)
	}
	done, rerr := relReplay(from, e.Done)
	if rerr != nil {
		t.Fatalf("Done %v does not chain from %s: %v", e.Done, from, rerr)
	}
	if done == state {
		return e
	}
	if errors.Is(err, ipamorg.ErrWaitTimeout) && len(e.NotDone) > 0 {
		// The unconfirmed write: one call, which is two events when it
		// is enable-trusted-access followed by delegate.
		n := 1
		if e.NotDone[0] == fsm.EventEnableTrustedAccess {
			n = 2
		}
		if written, _ := relReplay(done, e.NotDone[:min(n, len(e.NotDone))]); written == state {
			return e
		}
	}
	t.Fatalf("Reconcile failed with Done %v NotDone %v (%v), which leads to %s, but the organization is %s (admin %q)",
		e.Done, e.NotDone, err, done, state, admin)
	return e
}

// relWrites returns the write attempts in the audit log as "Operation:Code"
// ("Operation" alone for a success), oldest first.
func relWrites(emu *awstest.Emulator) []string {
	var out []string
	for _, r := range emu.Writes() {
		s := r.Operation
		if r.Code != "" {
			s += ":" + r.Code
		}
		out = append(out, s)
	}
	return out
}

// relCheckWritesOnly fails if the audit log holds a write attempt of any
// operation other than ops: the unexpected-write check.
func relCheckWritesOnly(t *testing.T, emu *awstest.Emulator, ops ...string) {
	t.Helper()
	for _, r := range emu.Writes() {
		if !slices.Contains(ops, r.Operation) {
			t.Fatalf("unexpected write %s (%s) in %v", r.Operation, r.Code, relWrites(emu))
		}
	}
}

// relSucceeded counts the write requests of op that were answered with
// success.
func relSucceeded(emu *awstest.Emulator, op string) int {
	n := 0
	for _, r := range emu.Writes() {
		if r.Operation == op && r.Succeeded() {
			n++
		}
	}
	return n
}

// relCount counts the requests of op, whatever their outcome.
func relCount(emu *awstest.Emulator, op string) int {
	n := 0
	for _, r := range emu.Requests() {
		if r.Operation == op {
			n++
		}
	}
	return n
}

// The tests that need separate processes re-execute this test binary,
// restricted to the calling test, with relChildEnv set: the test sees it
// and plays the child instead of the parent.
const (
	// relChildEnv names the emulator URL a child reconciles against.
	relChildEnv = "IPAMORG_RELIABILITY_CHILD_URL"
	// relChildOptionsEnv names the child's Client options, as the JSON of
	// a relChildOptions; unset, the defaults.
	relChildOptionsEnv = "IPAMORG_RELIABILITY_CHILD_OPTIONS"
)

// relChildOptions are the Client options a parent hands its children.
type relChildOptions struct {
	Retry ipamorg.RetryOptions
	Wait  ipamorg.WaitOptions
}

func (o relChildOptions) apply(opts *ipamorg.Options) { opts.Retry, opts.Wait = o.Retry, o.Wait }

// relChildCommand returns the command that re-executes this test binary as
// a child of the running top-level test, against the emulator at url, with
// opts (nil: the defaults). The caller sets its I/O and starts it.
func relChildCommand(t *testing.T, url string, opts *relChildOptions) *exec.Cmd {
	t.Helper()
	test, _, _ := strings.Cut(t.Name(), "/")
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$", "-test.count=1")
	// The race detector's default pause of a second at exit, for other
	// goroutines to report, would be most of a child's life.
	race := strings.TrimSpace(os.Getenv("GORACE") + " atexit_sleep_ms=0")
	cmd.Env = append(os.Environ(), relChildEnv+"="+url, "GORACE="+race)
	if opts != nil {
		b, err := json.Marshal(opts)
		if err != nil {
			t.Fatal(err)
		}
		cmd.Env = append(cmd.Env, relChildOptionsEnv+"="+string(b))
	}
	return cmd
}

// relChildClient returns, in a child, a Client for the management account
// over HTTP to the emulator at url, with the options its parent passed.
func relChildClient(t *testing.T, url string) *ipamorg.Client {
	t.Helper()
	var opts relChildOptions
	if s := os.Getenv(relChildOptionsEnv); s != "" {
		if err := json.Unmarshal([]byte(s), &opts); err != nil {
			t.Fatalf("%s: %v", relChildOptionsEnv, err)
		}
	}
	cfg := aws.Config{
		Region:       awstest.Region,
		Credentials:  credentials.NewStaticCredentialsProvider(relMgmt, "x", ""),
		BaseEndpoint: aws.String(url),
	}
	c, err := ipamorg.NewFromConfig(cfg, opts.apply)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

package ipamorg_test

// The test harness: ipamorg over the AWS SDK's real clients, talking to the
// awstest emulator, either over HTTP (awstest.NewServer) or in memory
// inside testing/synctest bubbles (awstest.New), where lag, polling and the
// SDK's retry backoff cost fake time only. The emulator is the behaviour:
// tests set up its organization, inject faults and lag, and read its audit
// log (its queries: WriteLog, CountCalls, CallCounts, ...) to see what
// was written. gomock (mock_test.go) is kept for the tests whose contract
// is the order of the calls; invalid_responses_test.go holds a
// hand-written misbehaving awsclient.Clients.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ipamorg/sdk/awsclient/awstest"
	"github.com/ipamorg/sdk/fsm"
	"github.com/ipamorg/sdk/ipamorg"
)

const (
	mgmt      = awstest.DefaultManagementAccountID
	memberA   = awstest.DefaultMemberAccountID1
	memberB   = awstest.DefaultMemberAccountID2
	suspended = "444444444444"
	outsider  = "555555555555"
)

// The four writes, as the emulator's audit log names their IAM actions.
const (
	enableAdmin  = "ec2:EnableIpamOrganizationAdminAccount"
	disableAdmin = "ec2:DisableIpamOrganizationAdminAccount"
	disableTrust = "organizations:DisableAWSServiceAccess"
	deleteRole   = "iam:DeleteServiceLinkedRole"
)

// configSource is what both *awstest.Server (over HTTP) and
// *awstest.Emulator (in memory) offer.
type configSource interface {
	Config(ctx context.Context, accountID string) aws.Config
}

// quick keeps tests over HTTP fast: with no lag the first poll confirms,
// and the SDK's few retries wait milliseconds.
func quick(o *ipamorg.Options) {
	o.Wait = ipamorg.WaitOptions{Interval: 5 * time.Millisecond, MaxDelay: 20 * time.Millisecond, MaxWait: 10 * time.Second}
	o.Retry = ipamorg.RetryOptions{MaxAttempts: 3, MaxBackoff: 5 * time.Millisecond}
}

// clientAs returns a Client over the SDK's real clients acting as account,
// with quick options unless optFns say otherwise.
func clientAs(t *testing.T, src configSource, account string, optFns ...func(*ipamorg.Options)) *ipamorg.Client {
	t.Helper()
	return newClient(t, src, account, append([]func(*ipamorg.Options){quick}, optFns...)...)
}

// The heaviest tests (10,000 accounts, the fault and outcome matrices, the
// policy proof, the exclusions' cost, child processes) call t.Parallel, so
// that they run beside one another once the others are done: each has
// emulators of its own, and no test changes anything of the package's.

// memClient returns a Client for the management account over emu, with
// the package's default options (in a synctest bubble, their delays cost
// nothing) unless optFns say otherwise.
func memClient(t *testing.T, emu *awstest.Emulator, optFns ...func(*ipamorg.Options)) *ipamorg.Client {
	t.Helper()
	return newClient(t, emu, mgmt, optFns...)
}

// minuteWaits bounds a Client's waits by maxWait and spaces their polls a
// minute apart at most, for tests whose waits span minutes of a synctest
// bubble's time (a discovery lag, a timeout): each wait still waits out
// the lag, or times out at maxWait, with a tenth of the default's reads.
func minuteWaits(maxWait time.Duration) func(*ipamorg.Options) {
	return func(o *ipamorg.Options) {
		o.Wait.MaxWait = maxWait
		o.Wait.MaxDelay = time.Minute
	}
}

func newClient(t *testing.T, src configSource, account string, optFns ...func(*ipamorg.Options)) *ipamorg.Client {
	t.Helper()
	c, err := ipamorg.NewFromConfig(src.Config(t.Context(), account), optFns...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// writeStep is one write of the lifecycle, with a starting point from which
// a Reconcile takes exactly that write.
type writeStep struct {
	event   fsm.Event
	op      string // the emulator operation (awstest.Operations)
	action  string
	service string
	from    fsm.State
	admin   string // the delegated admin in from, if any
	desired ipamorg.Desired
}

// writeSteps are the four writes of the lifecycle. delegate starts from
// none, so its plan is enable-trusted-access then delegate: one call, two
// events.
var writeSteps = []writeStep{
	{fsm.EventDelegate, "EnableIpamOrganizationAdminAccount", enableAdmin, "ec2", fsm.StateNone, "",
		ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: memberA}},
	{fsm.EventRemoveDelegate, "DisableIpamOrganizationAdminAccount", disableAdmin, "ec2", fsm.StateDelegated, memberA,
		ipamorg.Desired{State: fsm.StateTrusted}},
	{fsm.EventDisableTrustedAccess, "DisableAWSServiceAccess", disableTrust, "organizations", fsm.StateTrusted, "",
		ipamorg.Desired{State: fsm.StateDisabled}},
	{fsm.EventDeleteServiceLinkedRole, "DeleteServiceLinkedRole", deleteRole, "iam", fsm.StateDisabled, "",
		ipamorg.Desired{State: fsm.StateNone}},
}

// emulatorAt returns an in-memory emulator whose organization stands at
// state (with admin as the delegated administrator when state is
// delegated), set up with the mutators so that nothing is in the audit
// log and no lag hides the starting point.
func emulatorAt(state fsm.State, admin string, optFns ...func(*awstest.ServerOptions)) *awstest.Emulator {
	if state == fsm.StateDelegated {
		optFns = append([]func(*awstest.ServerOptions){withAdmin(admin)}, optFns...)
	}
	emu := awstest.New(optFns...)
	setUp(emu, state)
	return emu
}

// serverAt is emulatorAt over HTTP.
func serverAt(t *testing.T, state fsm.State, admin string, optFns ...func(*awstest.ServerOptions)) *awstest.Server {
	if state == fsm.StateDelegated {
		optFns = append([]func(*awstest.ServerOptions){withAdmin(admin)}, optFns...)
	}
	srv := awstest.StartServer(t, optFns...)
	setUp(srv.Emulator, state)
	return srv
}

func setUp(emu *awstest.Emulator, state fsm.State) {
	switch state {
	case fsm.StateTrusted:
		emu.SetTrustedAccess(awstest.IPAMServicePrincipal, true)
		emu.PutRole(mgmt, awstest.IPAMRoleName)
	case fsm.StateDisabled:
		emu.PutRole(mgmt, awstest.IPAMRoleName)
	}
}

// withAdmin starts the default organization integrated with admin as the
// IPAM delegated administrator.
func withAdmin(admin string) func(*awstest.ServerOptions) {
	org := awstest.DefaultOrganization()
	org.IPAMDelegatedAdmin = admin
	return awstest.WithOrganization(org)
}

// stateOf is the lifecycle state the emulator's latest state is in, and
// its delegated admin.
func stateOf(s awstest.State) (fsm.State, string) {
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

// replay returns the state reached from from by events.
func replay(from fsm.State, events []fsm.Event) (fsm.State, error) {
	for _, ev := range events {
		to, ok := fsm.Target(from, ev)
		if !ok {
			return from, fmt.Errorf("event %s not allowed in %s", ev, from)
		}
		from = to
	}
	return from, nil
}

// checkOutcome checks the contract of a Reconcile toward d from from:
// either it succeeded and the emulator's latest state is d, or it failed
// with an *ipamorg.Error whose Done steps, replayed from from, give the
// emulator's latest state, or, with steps Unconfirmed, Done and then the
// Unconfirmed ones do (a write that was sent may or may not have been
// applied; it must be one or the other). It returns the *Error, or nil on
// success.
func checkOutcome(t *testing.T, emu *awstest.Emulator, from fsm.State, d ipamorg.Desired, res *ipamorg.Result, err error) *ipamorg.Error {
	t.Helper()
	state, admin := stateOf(emu.Snapshot())
	if res == nil {
		t.Fatalf("Reconcile returned a nil Result (err %v)", err)
	}
	if err == nil {
		if state != d.State || admin != d.DelegatedAdmin {
			t.Fatalf("Reconcile succeeded but the organization is %s (admin %q), want %s (admin %q)", state, admin, d.State, d.DelegatedAdmin)
		}
		return nil
	}
	e := asIpamError(t, err)
	done, rerr := replay(from, e.Done)
	if rerr != nil {
		t.Fatalf("Done %v does not chain from %s: %v", e.Done, from, rerr)
	}
	if done == state {
		return e
	}
	if written, _ := replay(done, e.Unconfirmed); len(e.Unconfirmed) > 0 && written == state {
		return e
	}
	t.Fatalf("Reconcile failed with Done %v Unconfirmed %v NotDone %v (%v), but the organization is %s (admin %q)",
		e.Done, e.Unconfirmed, e.NotDone, err, state, admin)
	return e
}

func codesOf(reqs []awstest.Request) []string {
	out := make([]string, len(reqs))
	for i, r := range reqs {
		out[i] = r.Code
	}
	return out
}

// wantNoWrites fails the test if the emulator saw any write attempt.
func wantNoWrites(t *testing.T, emu *awstest.Emulator) {
	t.Helper()
	if w := emu.WriteLog(); len(w) != 0 {
		t.Errorf("writes were sent: %q", w)
	}
}

// wantWrites fails the test unless the write attempts are exactly want.
func wantWrites(t *testing.T, emu *awstest.Emulator, want ...string) {
	t.Helper()
	if got := emu.WriteLog(); !slices.Equal(got, want) {
		t.Errorf("writes = %q\nwant     %q", got, want)
	}
}

// wantOnlyWrites fails if the audit log holds a write attempt of any
// operation other than ops: the unexpected-write check.
func wantOnlyWrites(t *testing.T, emu *awstest.Emulator, ops ...string) {
	t.Helper()
	for _, r := range emu.Writes() {
		if !slices.Contains(ops, r.Operation) {
			t.Fatalf("unexpected write %s (%s) in %q", r.Action, r.Code, emu.WriteLog())
		}
	}
}

// transitionsOf renders transitions as "event from->to".
func transitionsOf(res *ipamorg.Result) []string {
	if res == nil {
		return nil
	}
	out := make([]string, len(res.Transitions))
	for i, tr := range res.Transitions {
		out[i] = fmt.Sprintf("%s %s->%s", tr.Event, tr.From, tr.To)
	}
	return out
}

// wantTransitions fails the test unless res holds exactly the transitions
// want, in the form transitionsOf gives.
func wantTransitions(t *testing.T, res *ipamorg.Result, want ...string) {
	t.Helper()
	if got := transitionsOf(res); !slices.Equal(got, want) {
		t.Errorf("transitions = %q\nwant          %q", got, want)
	}
}

// asIpamError returns err as an *ipamorg.Error, failing the test if it is
// not one.
func asIpamError(t *testing.T, err error) *ipamorg.Error {
	t.Helper()
	var e *ipamorg.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *ipamorg.Error", err, err)
	}
	return e
}

// wantProgress fails the test unless e splits the operation's steps as
// given.
func wantProgress(t *testing.T, e *ipamorg.Error, done, unconfirmed, notDone []fsm.Event) {
	t.Helper()
	if !slices.Equal(e.Done, done) || !slices.Equal(e.Unconfirmed, unconfirmed) || !slices.Equal(e.NotDone, notDone) {
		t.Errorf("done %v, unconfirmed %v, not done %v; want %v, %v, %v", e.Done, e.Unconfirmed, e.NotDone, done, unconfirmed, notDone)
	}
}

// wantState fails the test unless an Observe by c reports state (and admin).
func wantState(t *testing.T, c *ipamorg.Client, state fsm.State, admin string) *ipamorg.Status {
	t.Helper()
	st, err := c.Observe(t.Context())
	if err != nil {
		t.Fatalf("Observe: %v", err)
	}
	if st.State != state || st.DelegatedAdmin != admin {
		t.Fatalf("observed %s (admin %q), want %s (admin %q)", st.State, st.DelegatedAdmin, state, admin)
	}
	return st
}

// codes returns the codes of ws, in order.
func codes(ws []ipamorg.Warning) []ipamorg.WarningCode {
	out := make([]ipamorg.WarningCode, len(ws))
	for i, w := range ws {
		out[i] = w.Code
	}
	return out
}

// wantWarnings fails the test unless st's warnings have exactly the codes
// want, in any order.
func wantWarnings(t *testing.T, st *ipamorg.Status, want ...ipamorg.WarningCode) {
	t.Helper()
	got := codes(st.Warnings)
	slices.Sort(got)
	want = slices.Clone(want)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("warnings %v, want codes %v", st.Warnings, want)
	}
}

package ipamorg_test

// Helpers for the end-to-end tests (e2e_*_test.go): ipamorg over the AWS
// SDK's real clients, talking to the awstest emulator either over HTTP
// (awstest.NewServer) or in memory inside testing/synctest bubbles
// (awstest.New), where lag, polling and the SDK's own retry backoff cost
// fake time only.

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

// configSource is what both *awstest.Server (over HTTP) and
// *awstest.Emulator (in memory) offer.
type configSource interface {
	Config(ctx context.Context, accountID string) aws.Config
}

// quick keeps tests over HTTP fast: with no lag the first poll confirms,
// and the few retries wait milliseconds.
func quick(o *ipamorg.Options) {
	o.Wait = ipamorg.WaitOptions{MinDelay: 5 * time.Millisecond, MaxDelay: 20 * time.Millisecond, MaxWait: 10 * time.Second}
	o.Retry = ipamorg.RetryOptions{MaxAttempts: 3, InitialInterval: time.Millisecond, MaxInterval: 5 * time.Millisecond}
}

// startServer starts an emulated organization on loopback for the test.
func startServer(t *testing.T, optFns ...func(*awstest.ServerOptions)) *awstest.Server {
	t.Helper()
	srv := awstest.NewServer(optFns...)
	t.Cleanup(srv.Close)
	return srv
}

// clientAs returns a Client over the SDK's real clients acting as account,
// with quick options unless optFns say otherwise.
func clientAs(t *testing.T, src configSource, account string, optFns ...func(*ipamorg.Options)) *ipamorg.Client {
	t.Helper()
	c, err := ipamorg.NewFromConfig(src.Config(t.Context(), account), append([]func(*ipamorg.Options){quick}, optFns...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// writeLog renders the write attempts the emulator recorded, oldest first:
// "ec2:EnableIpamOrganizationAdminAccount" for a success, with " !Code"
// appended for a failure, so a test can compare the whole history at once.
func writeLog(emu *awstest.Emulator) []string {
	var out []string
	for _, r := range emu.Writes() {
		s := r.Action
		if !r.Succeeded() {
			s += " !" + r.Code
		}
		out = append(out, s)
	}
	return out
}

// succeededWrites is writeLog without the failed attempts: what changed
// state.
func succeededWrites(emu *awstest.Emulator) []string {
	var out []string
	for _, r := range emu.Writes() {
		if r.Succeeded() {
			out = append(out, r.Action)
		}
	}
	return out
}

// requestsFor returns the audit records of operation op.
func requestsFor(emu *awstest.Emulator, op string) []awstest.Request {
	var out []awstest.Request
	for _, r := range emu.Requests() {
		if r.Operation == op {
			out = append(out, r)
		}
	}
	return out
}

// wantNoWrites fails the test if the emulator saw any write attempt.
func wantNoWrites(t *testing.T, emu *awstest.Emulator) {
	t.Helper()
	if w := writeLog(emu); len(w) != 0 {
		t.Errorf("writes were sent: %q", w)
	}
}

// wantWrites fails the test unless the write attempts are exactly want.
func wantWrites(t *testing.T, emu *awstest.Emulator, want ...string) {
	t.Helper()
	if got := writeLog(emu); !slices.Equal(got, want) {
		t.Errorf("writes = %q\nwant     %q", got, want)
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

const (
	enableAdmin  = "ec2:EnableIpamOrganizationAdminAccount"
	disableAdmin = "ec2:DisableIpamOrganizationAdminAccount"
	disableTrust = "organizations:DisableAWSServiceAccess"
	deleteRole   = "iam:DeleteServiceLinkedRole"
)

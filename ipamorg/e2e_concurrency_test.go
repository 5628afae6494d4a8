package ipamorg_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/smithy-go"

	"github.com/ipamorg/sdk/awsclient/awstest"
	"github.com/ipamorg/sdk/fsm"
	"github.com/ipamorg/sdk/ipamorg"
)

// A context cancelled while the emulator holds the write (an hour of
// injected latency) ends the call promptly with context.Canceled, over real
// sockets. The emulator is mounted behind a handler that reports when the
// EC2 request has arrived, so the test cancels exactly then, without
// guessing with sleeps.
func TestE2ECancelWhileRequestHeld(t *testing.T) {
	emu := awstest.New()
	emu.InjectFault("EnableIpamOrganizationAdminAccount", awstest.Fault{Latency: time.Hour, Count: 1})
	arrived, answered := make(chan struct{}), make(chan struct{})
	var arrivedOnce, answeredOnce sync.Once
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The library sends EC2 nothing but the IPAM admin calls.
		if !strings.Contains(r.Header.Get("Authorization"), "/ec2/aws4_request") {
			emu.ServeHTTP(w, r)
			return
		}
		// Read the whole request before reporting it, so that a cancel
		// cannot cut it short before the emulator has decoded it.
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("reading the EC2 request: %v", err)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		arrivedOnce.Do(func() { close(arrived) })
		defer answeredOnce.Do(func() { close(answered) })
		emu.ServeHTTP(w, r)
	}))
	// Close waits for every request in flight: cut the connections first,
	// so that a held request cannot keep the test waiting for its hour.
	t.Cleanup(func() { ts.CloseClientConnections(); ts.Close() })
	c, err := ipamorg.NewFromConfig(aws.Config{
		Region:       awstest.Region,
		Credentials:  credentials.NewStaticCredentialsProvider(mgmt, "test", ""),
		BaseEndpoint: aws.String(ts.URL),
	}, quick)
	if err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(t.Context())
	type outcome struct {
		res *ipamorg.Result
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		res, err := c.Delegate(ctx, memberA)
		done <- outcome{res, err}
	}()
	select {
	case <-arrived:
	case <-time.After(10 * time.Second):
		t.Fatal("the EC2 call never reached the emulator")
	}
	cancel()
	cancelled := time.Now()
	var out outcome
	select {
	case out = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Delegate did not return after its context was cancelled")
	}
	if d := time.Since(cancelled); d > 2*time.Second {
		t.Errorf("Delegate returned %v after the cancel", d)
	}

	if !errors.Is(out.err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", out.err)
	}
	e := asIpamError(t, out.err)
	if e.Op != "delegate" || e.Event != fsm.EventDelegate || e.From != fsm.StateNone || e.Account != memberA {
		t.Errorf("error %+v", e)
	}
	// The request was on its way when the context ended: as far as the
	// client can tell it may have been applied, so the steps are neither
	// done nor not done.
	wantProgress(t, e, nil, []fsm.Event{fsm.EventEnableTrustedAccess, fsm.EventDelegate}, nil)
	if out.res == nil || len(out.res.Transitions) != 0 {
		t.Errorf("result %+v", out.res)
	}

	// The held request was abandoned, never served: nothing changed.
	select {
	case <-answered:
	case <-time.After(10 * time.Second):
		t.Fatal("the emulator still holds the cancelled request")
	}
	if len(succeededWrites(emu)) != 0 || len(emu.Snapshot().DelegatedAdmins[awstest.IPAMServicePrincipal]) != 0 {
		t.Errorf("a cancelled write took effect: %q", writeLog(emu))
	}
	if reqs := requestsFor(emu, "EnableIpamOrganizationAdminAccount"); len(reqs) != 1 || !reqs[0].Fault {
		t.Errorf("EnableIpamOrganizationAdminAccount requests %+v, want the one held and cancelled", reqs)
	}
}

// A deadline behaves like a cancel, to the fake nanosecond.
func TestE2EDeadlineWhileRequestHeld(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu := awstest.New()
		emu.InjectFault("DisableIpamOrganizationAdminAccount", awstest.Fault{Latency: time.Hour})
		emu.SetTrustedAccess(awstest.IPAMServicePrincipal, true)
		emu.SetDelegatedAdmins(awstest.IPAMServicePrincipal, memberA)
		c := clientAs(t, emu, mgmt)

		ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
		defer cancel()
		start := time.Now()
		_, err := c.RemoveDelegate(ctx)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("error %v, want context.DeadlineExceeded", err)
		}
		if d := time.Since(start); d != 3*time.Second {
			t.Errorf("returned after %v, want the 3s deadline", d)
		}
		// In memory, the emulator has recorded the abandoned request by the
		// time the round trip returns.
		wantWrites(t, emu, disableAdmin+" !RequestCanceled")
		if got := emu.Snapshot().DelegatedAdmins[awstest.IPAMServicePrincipal]; !slices.Equal(got, []string{memberA}) {
			t.Errorf("admins %v: the abandoned write took effect", got)
		}
	})
}

// reconcileBoth runs Reconcile on a and b at the same moment.
func reconcileBoth(t *testing.T, a, b *ipamorg.Client, da, db ipamorg.Desired) ([2]*ipamorg.Result, [2]error) {
	var (
		res   [2]*ipamorg.Result
		errs  [2]error
		wg    sync.WaitGroup
		start = make(chan struct{})
	)
	for i, run := range []struct {
		c *ipamorg.Client
		d ipamorg.Desired
	}{{a, da}, {b, db}} {
		wg.Go(func() {
			<-start
			res[i], errs[i] = run.c.Reconcile(t.Context(), run.d)
		})
	}
	close(start)
	wg.Wait()
	return res, errs
}

// delegatedBy reports whether res shows a reconciler that delegated by its
// own EC2 call: a delegate step, after enable-trusted-access when it
// observed none or disabled. With another writer at work, Observe's
// concurrent reads may straddle that writer's call (trusted access already
// listed, the admin not yet, say), so any of these starting points is
// legitimate.
func delegatedBy(res *ipamorg.Result) bool {
	switch got := transitionsOf(res); len(got) {
	case 1:
		return got[0] == "delegate trusted->delegated"
	case 2:
		return (got[0] == "enable-trusted-access none->trusted" || got[0] == "enable-trusted-access disabled->trusted") &&
			got[1] == "delegate trusted->delegated"
	}
	return false
}

// Two Clients (two controllers, say) reconcile the same organization to the
// same admin at once. Both converge without error. Each either acted (sent
// the EC2 call and reports the delegate transition) or found nothing to do;
// the audit holds one successful call per reconciler that acted and no
// failed one. When both observed the organization before the other's call,
// both send it: the second designates the current admin again, which AWS
// accepts and which changes nothing, so the organization changed once
// either way.
func TestE2ETwoReconcilersSameAdmin(t *testing.T) {
	desired := ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: memberA}
	for range 10 {
		srv := startServer(t)
		res, errs := reconcileBoth(t, clientAs(t, srv, mgmt), clientAs(t, srv, mgmt), desired, desired)

		acted := 0
		for i := range 2 {
			if errs[i] != nil {
				t.Fatalf("reconciler %d: %v", i, errs[i])
			}
			switch {
			case len(res[i].Transitions) == 0:
			case delegatedBy(res[i]):
				acted++
			default:
				t.Errorf("reconciler %d transitions %q", i, transitionsOf(res[i]))
			}
			if res[i].Status.State != fsm.StateDelegated || res[i].Status.DelegatedAdmin != memberA {
				t.Errorf("reconciler %d ended at %+v", i, res[i].Status)
			}
		}
		if acted == 0 {
			t.Error("neither reconciler acted")
		}
		writes := writeLog(srv.Emulator)
		if len(writes) != acted || slices.ContainsFunc(writes, func(w string) bool { return w != enableAdmin }) {
			t.Errorf("%d reconcilers acted; writes %q, want one successful %s each", acted, writes, enableAdmin)
		}
		snap := srv.Snapshot()
		if !slices.Equal(snap.DelegatedAdmins[awstest.IPAMServicePrincipal], []string{memberA}) ||
			!slices.Equal(snap.IPAMRoleAccounts(), []string{mgmt, memberA, memberB}) {
			t.Errorf("emulator state %+v", snap)
		}
		srv.Close()
	}
}

// Two Clients reconcile at once toward different admins: exactly one wins,
// with the only successful EC2 call in the audit. The other gets
// ErrDelegatedAdminConflict and changes nothing, either from its plan (it
// observed the winner's admin: no write) or from EC2 (it observed none and
// its call was refused with IpamOrganizationDelegatedAdminLimitExceeded).
func TestE2ETwoReconcilersDifferentAdmins(t *testing.T) {
	targets := [2]string{memberA, memberB}
	for range 10 {
		srv := startServer(t)
		res, errs := reconcileBoth(t, clientAs(t, srv, mgmt), clientAs(t, srv, mgmt),
			ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: targets[0]},
			ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: targets[1]})

		winner := slices.IndexFunc(errs[:], func(err error) bool { return err == nil })
		if winner < 0 || errs[1-winner] == nil {
			t.Fatalf("errors %v, want exactly one reconciler to succeed", errs)
		}
		loser := 1 - winner
		if !delegatedBy(res[winner]) {
			t.Errorf("winner's transitions %q", transitionsOf(res[winner]))
		}
		if !errors.Is(errs[loser], ipamorg.ErrDelegatedAdminConflict) {
			t.Errorf("loser's error %v, want ErrDelegatedAdminConflict", errs[loser])
		}
		if len(res[loser].Transitions) != 0 {
			t.Errorf("loser's transitions %q", transitionsOf(res[loser]))
		}

		if got := succeededWrites(srv.Emulator); !slices.Equal(got, []string{enableAdmin}) {
			t.Errorf("successful writes %q, want exactly one %s", got, enableAdmin)
		}
		failed := 0
		for _, w := range srv.Writes() {
			if !w.Succeeded() {
				failed++
				if w.Code != "IpamOrganizationDelegatedAdminLimitExceeded" {
					t.Errorf("failed write %s: %s", w.Action, w.Code)
				}
			}
		}
		// A refused call reaches the caller as the AWS error too.
		var ae smithy.APIError
		if refused := errors.As(errs[loser], &ae); refused != (failed == 1) || failed > 1 {
			t.Errorf("%d refused writes in the audit; loser's error %v", failed, errs[loser])
		}
		if got := srv.Snapshot().DelegatedAdmins[awstest.IPAMServicePrincipal]; !slices.Equal(got, []string{targets[winner]}) {
			t.Errorf("admins %v, want the winner's %s", got, targets[winner])
		}
		srv.Close()
	}
}

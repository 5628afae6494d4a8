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
	if len(emu.SucceededWrites()) != 0 || len(emu.Snapshot().DelegatedAdmins[awstest.IPAMServicePrincipal]) != 0 {
		t.Errorf("a cancelled write took effect: %q", emu.WriteLog())
	}
	if reqs := emu.Calls("EnableIpamOrganizationAdminAccount"); len(reqs) != 1 || !reqs[0].Fault {
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

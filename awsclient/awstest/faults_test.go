package awstest_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/smithy-go"

	"github.com/ipamorg/sdk/awsclient/awstest"
)

// codes returns the audit log's result codes.
func codes(emu *awstest.Emulator) []string {
	var out []string
	for _, r := range emu.Requests() {
		out = append(out, r.Code)
	}
	return out
}

func TestFaultsRetriedBySDK(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu := awstest.New()
		c := newClients(emu.Config(t.Context(), mgmt)) // SDK default retryer
		ctx := t.Context()

		emu.InjectFault("DescribeOrganization", awstest.Fault{Code: awstest.CodeThrottle, Count: 2})
		must[*organizations.DescribeOrganizationOutput](t)(c.org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{}))
		if got := codes(emu); len(got) != 3 || got[0] != "TooManyRequestsException" || got[1] != "TooManyRequestsException" || got[2] != "" {
			t.Fatalf("codes = %q", got)
		}
		emu.ResetRequests()

		// 5xx on EC2, then success: the write happens exactly once.
		emu.InjectFault("EnableIpamOrganizationAdminAccount", awstest.Fault{Code: awstest.CodeInternal, Count: 1})
		emu.InjectFault("EnableIpamOrganizationAdminAccount", awstest.Fault{Code: awstest.CodeThrottle, Count: 1})
		must[any](t)(enableIPAM(ctx, c, member1))
		reqs := emu.Requests()
		if len(reqs) != 3 || reqs[0].Code != "InternalError" || reqs[0].Status != 500 ||
			reqs[1].Code != "RequestLimitExceeded" || reqs[1].Status != 503 || !reqs[0].Fault || reqs[2].Code != "" {
			t.Fatalf("requests = %+v", reqs)
		}

		// A dropped connection is retried like a reset one.
		emu.ResetRequests()
		emu.InjectFault("GetCallerIdentity", awstest.Fault{Drop: true, Count: 1})
		must[*stsIdentity](t)(callerIdentity(t, c))
		if got := codes(emu); len(got) != 2 || got[0] != "ConnectionDropped" {
			t.Fatalf("codes = %q", got)
		}

		// ConcurrentModificationException is not retried by the SDK, and the
		// faulted request changes nothing.
		emu.ResetRequests()
		emu.InjectFault("DisableIpamOrganizationAdminAccount", awstest.Fault{Code: "ConcurrentModificationException", Count: 1})
		_, err := disableIPAM(ctx, c, member1)
		wantCode(t, err, "ConcurrentModificationException")
		if len(emu.Requests()) != 1 || len(emu.Snapshot().DelegatedAdmins[ipam]) != 1 {
			t.Fatalf("requests=%+v state=%+v", emu.Requests(), emu.Snapshot())
		}
		if w := emu.Writes(); len(w) != 1 || !w[0].Fault {
			t.Fatalf("writes = %+v", w)
		}
		must[any](t)(disableIPAM(ctx, c, member1))
	})
}

func TestFaultShapesPerService(t *testing.T) {
	srv, c := startServer(t)
	ctx := t.Context()
	srv.InjectFault("*", awstest.Fault{Code: awstest.CodeThrottle})
	_, err := c.org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	var tooMany *orgtypes.TooManyRequestsException
	if !errors.As(err, &tooMany) {
		t.Fatalf("organizations: got %v", err)
	}
	_, err = enableIPAM(ctx, c, member1)
	wantCode(t, err, "RequestLimitExceeded")
	wantStatus(t, err, http.StatusServiceUnavailable)
	_, err = callerIdentity(t, c)
	wantCode(t, err, "Throttling")
	_, err = getRole(ctx, c, awstest.IPAMRoleName)
	wantCode(t, err, "Throttling")
	srv.ClearFaults()

	srv.PutRole(mgmt, "Admin")
	srv.InjectFault("GetRole", awstest.Fault{Code: "ServiceUnavailable", Message: "try later", Count: 1})
	_, err = getRole(ctx, c, "Admin")
	ae := wantCode(t, err, "ServiceUnavailable")
	wantStatus(t, err, http.StatusServiceUnavailable)
	if ae.ErrorMessage() != "try later" {
		t.Fatalf("message = %q", ae.ErrorMessage())
	}
	// IAM's and STS's AccessDenied is 403, a common error no model lists.
	srv.InjectFault("GetRole", awstest.Fault{Code: "AccessDenied", Count: 1})
	_, err = getRole(ctx, c, "Admin")
	wantCode(t, err, "AccessDenied")
	wantStatus(t, err, http.StatusForbidden)
	srv.InjectFault("GetRole", awstest.Fault{Code: "Custom", Status: 418, Count: 1})
	_, err = getRole(ctx, c, "Admin")
	wantStatus(t, err, 418)
	must[*iamGetRoleOutput](t)(getRole(ctx, c, "Admin"))
	if st := srv.Snapshot(); len(st.DelegatedAdmins) != 0 {
		t.Fatalf("faulted enable changed the state: %+v", st)
	}
}

func TestDroppedConnectionOverHTTP(t *testing.T) {
	srv, c := startServer(t)
	srv.InjectFault("GetCallerIdentity", awstest.Fault{Drop: true, Count: 1})
	_, err := callerIdentity(t, c)
	var ae smithy.APIError
	if err == nil || errors.As(err, &ae) {
		t.Fatalf("got %v, want a connection error", err)
	}
	must[*stsIdentity](t)(callerIdentity(t, c))
}

func TestFaultProbabilityIsSeeded(t *testing.T) {
	run := func(seed uint64) []string {
		emu := awstest.New(func(o *awstest.ServerOptions) { o.FaultSeed = seed })
		emu.InjectFault("GetCallerIdentity", awstest.Fault{Code: awstest.CodeInternal, Probability: 0.3})
		c := memClients(t, emu, mgmt)
		for range 200 {
			callerIdentity(t, c)
		}
		return codes(emu)
	}
	a, b := run(7), run(7)
	faulted := 0
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("same seed, different outcome at request %d", i)
		}
		if a[i] != "" {
			faulted++
		}
	}
	if faulted < 30 || faulted > 90 {
		t.Fatalf("%d of 200 faulted at p=0.3", faulted)
	}
	if c := run(8); equalStrings(a, c) {
		t.Fatal("different seeds gave the same outcome")
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestFaultLatency(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu := awstest.New()
		c := memClients(t, emu, mgmt)
		emu.InjectFault("ListAccounts", awstest.Fault{Latency: 5 * time.Second, Count: 1})
		start := time.Now()
		must[*organizations.ListAccountsOutput](t)(c.org.ListAccounts(t.Context(), &organizations.ListAccountsInput{}))
		if d := time.Since(start); d < 5*time.Second {
			t.Fatalf("answered after %v, want at least 5s", d)
		}

		emu.InjectFault("ListAccounts", awstest.Fault{Latency: time.Minute, Count: 1})
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		_, err := c.org.ListAccounts(ctx, &organizations.ListAccountsInput{})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("got %v, want the context's deadline", err)
		}
	})
}

func TestFaultLatencyOverHTTPAndClose(t *testing.T) {
	// Close must not hang on a request held by latency. The clock tells
	// when the request has arrived (the emulator reads it first thing).
	arrived := make(chan struct{}, 1)
	clock := func() time.Time {
		select {
		case arrived <- struct{}{}:
		default:
		}
		return time.Now()
	}
	srv := awstest.NewServer(awstest.WithClock(clock))
	<-arrived // New read the clock
	srv.InjectFault("*", awstest.Fault{Latency: time.Hour})
	done := make(chan error, 1)
	go func() {
		_, err := callerIdentity(t, newClients(noRetry(srv.Config(context.Background(), mgmt))))
		done <- err
	}()
	<-arrived
	srv.Close()
	if err := <-done; err == nil {
		t.Fatal("request held by latency succeeded after Close")
	}
}

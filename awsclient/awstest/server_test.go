package awstest_test

import (
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/ipamorg/sdk/awsclient/awstest"
)

// Close ends a request held by injected latency and returns only once its
// handler has: the handler's audit record is there when Close returns.
func TestCloseWaitsForHandlers(t *testing.T) {
	srv := awstest.NewServer()
	srv.InjectFault("DescribeOrganization", awstest.Fault{Latency: time.Hour, Count: 1})
	c := newClients(noRetry(srv.Config(t.Context(), mgmt)))
	done := make(chan error, 1)
	go func() {
		_, err := c.org.DescribeOrganization(t.Context(), &organizations.DescribeOrganizationInput{})
		done <- err
	}()
	// The fault is used up when the request has picked it: the handler is
	// then waiting out the latency.
	for i := 0; ; i++ {
		var list []any
		control(t, srv, "GET", "/_awstest/faults", "", &list)
		if len(list) == 0 {
			break
		}
		if i == 100_000 {
			t.Fatal("the request never reached the server")
		}
		runtime.Gosched()
	}
	srv.Close()
	reqs := srv.Requests()
	if len(reqs) != 1 || reqs[0].Operation != "DescribeOrganization" || reqs[0].Code != "RequestCanceled" {
		t.Fatalf("after Close: %+v", reqs)
	}
	if err := <-done; err == nil {
		t.Fatal("the held request succeeded")
	}
	srv.Close() // idempotent
}

// The audit log keeps its own copies of what it takes from a request, not
// substrings of the request's headers.
func TestAuditDoesNotPinHeaders(t *testing.T) {
	emu := awstest.New()
	authz := auth("organizations")
	req := httptest.NewRequest("POST", "/", strings.NewReader("{}"))
	req.Header.Set("Authorization", authz)
	req.Header.Set("X-Amz-Target", "AWSOrganizationsV20161128.DescribeOrganization")
	emu.ServeHTTP(httptest.NewRecorder(), req)
	rec := emu.Requests()[0]
	for name, s := range map[string]string{"account": rec.Account, "operation": rec.Operation} {
		for _, h := range []string{req.Header.Get("Authorization"), req.Header.Get("X-Amz-Target")} {
			if within(s, h) {
				t.Errorf("the audit record's %s points into a request header", name)
			}
		}
	}
	if rec.Account != mgmt {
		t.Fatalf("record = %+v", rec)
	}
}

// within reports whether s's bytes lie inside h's.
func within(s, h string) bool {
	if len(s) == 0 || len(h) == 0 {
		return false
	}
	sp, hp := uintptr(unsafe.Pointer(unsafe.StringData(s))), uintptr(unsafe.Pointer(unsafe.StringData(h)))
	return sp >= hp && sp < hp+uintptr(len(h))
}

package awstest_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ipamorg/sdk/awsclient/awstest"
)

// An Applied fault strikes after the operation has run: the write takes
// effect and only its answer is lost (Drop), replaced (Code) or held back
// (Latency), as when a response is lost after AWS committed the change.
func TestAppliedFault(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu := awstest.New()
		c := newClients(noRetry(emu.Config(t.Context(), mgmt)))
		ctx := t.Context()

		emu.InjectFault("EnableIpamOrganizationAdminAccount", awstest.Fault{Drop: true, Applied: true, Count: 1})
		if _, err := enableIPAM(ctx, c, member1); err == nil {
			t.Fatal("dropped answer: no error")
		}
		if got := emu.Snapshot().DelegatedAdmins[ipam]; len(got) != 1 || got[0] != member1 {
			t.Fatalf("after a dropped answer the admins are %v, want the write applied", got)
		}
		if w := emu.Writes(); len(w) != 1 || !w[0].Fault || w[0].Code != "ConnectionDropped" || w[0].Succeeded() {
			t.Fatalf("audit %+v", w)
		}

		// A code after the fact: the client hears a server error, the
		// admin is gone all the same.
		emu.InjectFault("DisableIpamOrganizationAdminAccount", awstest.Fault{Code: awstest.CodeInternal, Applied: true, Count: 1})
		_, err := disableIPAM(ctx, c, member1)
		wantCode(t, err, "InternalError")
		if got := emu.Snapshot().DelegatedAdmins[ipam]; len(got) != 0 {
			t.Fatalf("after an Applied 5xx the admins are %v, want none", got)
		}

		// Latency after the fact: a client that gives up meanwhile sees
		// its context's error, yet the write is done.
		emu.InjectFault("EnableIpamOrganizationAdminAccount", awstest.Fault{Latency: time.Minute, Applied: true, Count: 1})
		short, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		if _, err := enableIPAM(short, c, member2); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("held answer: %v, want the context's deadline", err)
		}
		if got := emu.Snapshot().DelegatedAdmins[ipam]; len(got) != 1 || got[0] != member2 {
			t.Fatalf("after a held answer the admins are %v, want %s", got, member2)
		}

		// Without Applied, a fault still changes nothing.
		emu.InjectFault("DisableIpamOrganizationAdminAccount", awstest.Fault{Drop: true, Count: 1})
		if _, err := disableIPAM(ctx, c, member2); err == nil {
			t.Fatal("dropped request: no error")
		}
		if got := emu.Snapshot().DelegatedAdmins[ipam]; len(got) != 1 {
			t.Fatalf("a dropped request changed the admins to %v", got)
		}
	})
}

// Over HTTP the Applied drop hijacks and closes the connection after the
// write: the SDK (retries off) sees a transport error, not an answer.
func TestAppliedFaultOverHTTP(t *testing.T) {
	srv, c := startServer(t)
	srv.InjectFault("EnableIpamOrganizationAdminAccount", awstest.Fault{Drop: true, Applied: true, Count: 1})
	_, err := enableIPAM(t.Context(), c, member1)
	var conn interface{ ConnectionError() bool }
	if !errors.As(err, &conn) || !conn.ConnectionError() {
		t.Fatalf("got %v, want a connection error", err)
	}
	if got := srv.Snapshot().DelegatedAdmins[ipam]; len(got) != 1 || got[0] != member1 {
		t.Fatalf("admins %v, want the write applied", got)
	}
}

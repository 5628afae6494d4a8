package main

import (
	"strings"
	"testing"

	"github.com/ipamorg/sdk/awsclient/awstest"
	"github.com/ipamorg/sdk/ipamorg"
)

// Without a delegated administrator missing roles are expected: verify
// reports no drift and advises no repair, which would be refused; roles
// a teardown left in the members are named, with the purge that deletes
// them.
func TestVerifyWithoutAdministrator(t *testing.T) {
	t.Parallel()
	srv := startServer(t)

	r := ctl(t, srv, "verify")
	wantCode(t, r, exitOK)
	if strings.Contains(r.stdout, "--repair") || !strings.Contains(r.stdout, "IPAM has no delegated administrator: no account needs AWSServiceRoleForIPAM until one is delegated") {
		t.Errorf("fresh organization:\n%v", r)
	}

	wantCode(t, ctl(t, srv, "apply", "--delegate", member1, "--yes"), exitOK)
	wantCode(t, ctl(t, srv, "apply", "--cleanup", "--yes"), exitOK)
	r = ctl(t, srv, "verify")
	wantCode(t, r, exitOK)
	want := "AWSServiceRoleForIPAM is left in 2 member account(s) by an earlier integration: " + member1 + " " + member2 +
		"\nAfter a teardown (state none or disabled), this deletes it:\n  ipamorgctl --endpoint-url " + srv.URL + " verify --purge\n"
	if !strings.Contains(r.stdout, want) || strings.Contains(r.stdout, "--repair") {
		t.Errorf("after the teardown, stdout lacks %q:\n%v", want, r)
	}

	wantCode(t, ctl(t, srv, "verify", "--purge"), exitOK)
	r = ctl(t, srv, "-o", "json", "verify")
	wantCode(t, r, exitOK)
	var fr ipamorg.FleetReport
	decode(t, r, &fr)
	if fr.Counts[ipamorg.RoleMissing] != 3 || fr.DelegatedAdmin != "" || r.stderr == "" || strings.Contains(r.stderr, `"error"`) {
		t.Errorf("after the purge: %+v\n%v", fr.Counts, r)
	}
	if w := srv.Writes(); len(w) != 1+3+2 {
		t.Errorf("verify wrote: %v", w)
	}
}

// A refusal is an error (exit 1), whether of a repair or of a purge, and
// the output does not advise running the refused command again.
func TestVerifyRefusalsAreErrors(t *testing.T) {
	t.Parallel()
	srv := startServer(t, delegatedTo(member1))
	srv.DeleteIPAMRole(member2)
	srv.InjectFault("CreateServiceLinkedRole", awstest.Fault{Code: "AccessDenied", Status: 403})
	r := ctl(t, srv, "verify", "--repair")
	wantCode(t, r, exitError)
	if !strings.Contains(r.stdout, "1 account(s) still without AWSServiceRoleForIPAM, the repair refused: "+member2) ||
		strings.Contains(r.stdout, "To create it, run") || !strings.Contains(r.stderr, "the repair was refused in 1 account(s)") {
		t.Errorf("refused repair:\n%v", r)
	}
	srv.ClearFaults()

	// Drift alone stays drift, with the full command to repair it.
	r = ctl(t, srv, "verify")
	wantCode(t, r, exitChanges)
	if !strings.Contains(r.stdout, "To create it, run:\n  ipamorgctl --endpoint-url "+srv.URL+" verify --repair\n") {
		t.Errorf("drift:\n%v", r)
	}

	wantCode(t, ctl(t, srv, "apply", "--cleanup", "--yes"), exitOK)
	srv.InjectFault("DeleteServiceLinkedRole", awstest.Fault{Code: "AccessDenied", Status: 403})
	r = ctl(t, srv, "verify", "--purge")
	wantCode(t, r, exitError)
	if !strings.Contains(r.stderr, "could not be verified") {
		t.Errorf("refused purge:\n%v", r)
	}
}

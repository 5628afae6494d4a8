package main

import (
	"strings"
	"testing"
)

// A member account cannot read what decides the state: status says the
// state is unknown and what it could not read, and exits 1, rather than
// print none and exit 0.
func TestStatusUnknownState(t *testing.T) {
	srv := startServer(t, delegatedTo(member1))
	r := runCtl(t, asAccount(t, member2), "--endpoint-url", srv.URL, "status")
	wantCode(t, r, exitError)
	if !strings.Contains(r.stdout, "state:") || !strings.Contains(r.stdout, "unknown") {
		t.Errorf("stdout does not show the unknown state:\n%v", r)
	}
	for _, want := range []string{"the lifecycle state is unknown", "could not read trusted services", "could not read delegated administrators"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%v", want, r)
		}
	}

	// The delegated administrator may read the organization's lists: its
	// state is known.
	r = runCtl(t, asAccount(t, member1), "--endpoint-url", srv.URL, "status")
	wantCode(t, r, exitOK)
}

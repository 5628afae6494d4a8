package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// A member account cannot read what decides the state: status says the
// state is unknown and what it could not read, and exits 1, rather than
// print none and exit 0. Each fact it could not read is unknown, in text
// and JSON, never a value it did not read.
func TestStatusUnknownState(t *testing.T) {
	t.Parallel()
	srv := startServer(t, delegatedTo(member1))
	r := runCtl(t, asAccount(t, member2), "--endpoint-url", srv.URL, "status")
	wantCode(t, r, exitError)
	for _, want := range []string{
		"state:                unknown\n",
		"delegated admin:      unknown (not read: see the warnings)\n",
		"trusted access:       unknown (not read: see the warnings)\n",
		"service-linked role:  unknown (not read: see the warnings)\n",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%v", want, r)
		}
	}
	for _, never := range []string{"admin:      none", "access:       off", "absent"} {
		if strings.Contains(r.stdout, never) {
			t.Errorf("stdout shows %q, a value it never read:\n%v", never, r)
		}
	}
	for _, want := range []string{"the lifecycle state is unknown", "could not read trusted services", "could not read delegated administrators"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%v", want, r)
		}
	}

	r = runCtl(t, asAccount(t, member2), "--endpoint-url", srv.URL, "-o", "json", "status")
	wantCode(t, r, exitError)
	var st map[string]json.RawMessage
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil {
		t.Fatalf("%v\n%v", err, r)
	}
	for _, field := range []string{"trusted_access", "delegated_admin", "service_linked_role"} {
		if v, ok := st[field]; !ok || string(v) != "null" {
			t.Errorf("%s = %s, want null:\n%s", field, v, r.stdout)
		}
	}

	// The delegated administrator may read the organization's lists: its
	// state is known, and only the management account's role is not.
	r = runCtl(t, asAccount(t, member1), "--endpoint-url", srv.URL, "status")
	wantCode(t, r, exitOK)
	if !strings.Contains(r.stdout, "delegated admin:      "+member1+"\n") || !strings.Contains(r.stdout, "service-linked role:  unknown") {
		t.Errorf("as the administrator:\n%v", r)
	}
}

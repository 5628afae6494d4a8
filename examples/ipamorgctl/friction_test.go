package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/ipamorg/sdk/awsclient/awstest"
)

// --wait-monitored with --emulated is refused at once: nothing can create
// an IPAM in an organization that lives in this one process, so it would
// only wait out --max-wait.
func TestEmulatedWaitMonitoredRefused(t *testing.T) {
	t.Parallel()
	r := runCtl(t, baseEnv(t), "--emulated", "apply", "--delegate", member1, "--yes", "--wait-monitored")
	wantCode(t, r, exitUsage)
	if !strings.Contains(r.stderr, "--wait-monitored with --emulated would wait the whole --max-wait") || r.stdout != "" {
		t.Errorf("not refused at once:\n%v", r)
	}
}

// Where a run fails before it knows the account (a port nobody listens
// on, credentials the endpoint refuses), the target line still says where
// the requests went, as the docs promise.
func TestTargetLineWhereARunFailsEarly(t *testing.T) {
	t.Parallel()
	r := runCtl(t, asAccount(t, mgmt), "--endpoint-url", "http://127.0.0.1:1", "--max-wait", "1s", "status")
	wantCode(t, r, exitError)
	if first := firstLine(r.stdout); first != "target: http://127.0.0.1:1 (--endpoint-url), account unknown" || !strings.Contains(r.stderr, "identify the caller") {
		t.Errorf("wrong port:\n%v", r)
	}
	srv := startServer(t)
	r = runCtl(t, asAccount(t, "not-an-account"), "--endpoint-url", srv.URL, "-o", "json", "status")
	wantCode(t, r, exitError)
	lines := jsonLines(t, r.stderr)
	if len(lines) != 2 || !strings.Contains(string(lines[0]["target"]), `"description":"`+srv.URL+` (--endpoint-url), account unknown"`) {
		t.Errorf("bad key, JSON:\n%v", r)
	}
}

// ipamorgMessage finds what CLI messages must not hold: the library's
// prefix, Go field names, and IPAM spelt in lowercase as a word.
var (
	goFieldNames  = regexp.MustCompile(`AllowReplace|AllowIPAMResources|VerifyServiceLinkedRoles|AccessRole|ipamorg: `)
	lowercaseIPAM = regexp.MustCompile(`(^|[\s(,;])ipams?($|[\s),;:])`)
)

// Errors, warnings and plans in the CLI's terms: its flags and commands,
// one prefix, IPAM spelt one way, the fix on a line of its own.
func TestMessagesInCLITerms(t *testing.T) {
	t.Parallel()
	srv := startServer(t, append(withIPAM(member1, "us-east-1"), awstest.WithoutRole(member2, awstest.IPAMRoleName))...)
	check := func(r result, fix string) {
		t.Helper()
		out := r.stdout + r.stderr
		if m := goFieldNames.FindString(out); m != "" {
			t.Errorf("output names %q:\n%v", m, r)
		}
		if m := lowercaseIPAM.FindString(out); m != "" {
			t.Errorf("output spells %q:\n%v", m, r)
		}
		if strings.Count(r.stderr, "ipamorgctl: ") > 1 {
			t.Errorf("more than one prefix:\n%v", r)
		}
		if fix != "" && !strings.Contains(r.stderr, "\n"+fix) {
			t.Errorf("stderr lacks the fix %q on a line of its own:\n%v", fix, r)
		}
	}
	r := ctl(t, srv, "monitoring") // the warning of an account without the role
	wantCode(t, r, exitChanges)
	if !strings.Contains(r.stdout, "(ipamorgctl verify --repair)") {
		t.Errorf("the warning's fix:\n%v", r)
	}
	check(r, "")
	r = ctl(t, srv, "plan", "--delegate", member2)
	wantCode(t, r, exitError)
	check(r, "To replace it anyway, run:\n  ipamorgctl --endpoint-url "+srv.URL+" plan --delegate "+member2+" --replace\n")
	r = ctl(t, srv, "apply", "--cleanup", "--yes")
	wantCode(t, r, exitError)
	check(r, "  aws ec2 delete-ipam --ipam-id ipam-")
	check(r, "Or proceed anyway:\n  ipamorgctl --endpoint-url "+srv.URL+" apply --cleanup --yes --allow-ipam-resources\n")
	r = ctl(t, srv, "verify", "--purge")
	wantCode(t, r, exitError)
	check(r, "Tear it down first:\n  ipamorgctl --endpoint-url "+srv.URL+" apply --cleanup\n")
	r = ctl(t, startServer(t), "verify", "--repair")
	wantCode(t, r, exitError)
	check(r, "  ipamorgctl --endpoint-url ")
	r = ctl(t, srv, "--role-name", "Nope", "monitoring")
	wantCode(t, r, exitError)
	check(r, "The administrator's account is read through the role of --role-name (Nope)")
}

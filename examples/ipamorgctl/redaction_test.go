package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// An endpoint URL's userinfo is a credential: the target line, the JSON
// target, the saved plan's target, --debug's records and the commands
// that messages suggest show it redacted, and a plan saved with it
// applies with it.
func TestEndpointPasswordRedacted(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	const secret = "S3CRET-in-the-url"
	endpoint := strings.Replace(srv.URL, "http://", "http://user:"+secret+"@", 1)
	redacted := strings.Replace(srv.URL, "http://", "http://user:xxxxx@", 1)
	path := filepath.Join(t.TempDir(), "plan.json")
	env := asAccount(t, mgmt)

	var all []string
	check := func(r result, wantCode int) {
		t.Helper()
		if r.code != wantCode {
			t.Errorf("exit %d, want %d:\n%v", r.code, wantCode, r)
		}
		all = append(all, r.stdout, r.stderr)
	}
	r := runCtl(t, env, "--endpoint-url", endpoint, "--debug", "plan", "--delegate", member1, "--out", path)
	check(r, exitOK)
	if !strings.Contains(r.stdout, "target: "+redacted+" (--endpoint-url), account "+mgmt) ||
		!strings.Contains(r.stdout, "ipamorgctl --endpoint-url "+redacted+" apply "+path) {
		t.Errorf("plan:\n%v", r)
	}
	r = runCtl(t, env, "--endpoint-url", endpoint, "-o", "json", "--debug", "status")
	check(r, exitOK)
	if !strings.Contains(r.stderr, `"url":"`+redacted+`"`) {
		t.Errorf("JSON target:\n%v", r)
	}
	saved := string(mustRead(t, path))
	all = append(all, saved)
	if !strings.Contains(saved, `"target": "`+redacted+` (--endpoint-url), account `+mgmt+`"`) {
		t.Errorf("saved plan's target:\n%s", saved)
	}
	r = runCtl(t, env, "--endpoint-url", endpoint, "--debug", "apply", path)
	check(r, exitOK)
	r = runCtl(t, env, "--endpoint-url="+endpoint, "plan", "--delegate", member2)
	check(r, exitError) // the conflict, whose fix repeats the command line
	if !strings.Contains(r.stderr, "ipamorgctl --endpoint-url="+redacted+" plan --delegate "+member2+" --replace") {
		t.Errorf("suggested command:\n%v", r)
	}
	for _, out := range all {
		if strings.Contains(out, secret) {
			t.Fatalf("the password is shown or stored:\n%s", out)
		}
	}
}

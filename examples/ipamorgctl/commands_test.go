package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ipamorg/sdk/awsclient/awstest"
	"github.com/ipamorg/sdk/fsm"
	"github.com/ipamorg/sdk/ipamorg"
)

const (
	mgmt    = awstest.DefaultManagementAccountID
	member1 = awstest.DefaultMemberAccountID1
	member2 = awstest.DefaultMemberAccountID2
)

func TestStatusGolden(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		opts  []func(*awstest.ServerOptions)
		setup func(*awstest.Server)
	}{
		{name: "status_none"},
		{name: "status_delegated", opts: []func(*awstest.ServerOptions){delegatedTo(member1)}},
		{name: "status_wrong_enable_path", setup: func(srv *awstest.Server) {
			// Trusted access granted through Organizations: no role.
			srv.SetTrustedAccess(awstest.IPAMServicePrincipal, true)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := startServer(t, tc.opts...)
			if tc.setup != nil {
				tc.setup(srv)
			}
			r := ctl(t, srv, "status")
			wantCode(t, r, exitOK)
			golden(t, tc.name, srv.URL, r.stdout)
			if w := srv.Writes(); len(w) != 0 {
				t.Errorf("status wrote %v", w)
			}
		})
	}
}

func TestPlanGolden(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		opts []func(*awstest.ServerOptions)
		args []string
		code int
	}{
		// As terraform plan: 0 with changes unless --detailed-exitcode.
		{"plan_delegate", nil, []string{"--delegate", member1}, exitOK},
		{"plan_delegate", nil, []string{"--delegate", member1, "--detailed-exitcode"}, exitChanges},
		{"plan_no_change", []func(*awstest.ServerOptions){delegatedTo(member1)}, []string{"--delegate", member1, "--detailed-exitcode"}, exitOK},
		{"plan_replace", []func(*awstest.ServerOptions){delegatedTo(member1)}, []string{"--delegate", member2, "--replace", "--detailed-exitcode"}, exitChanges},
		{"plan_cleanup", []func(*awstest.ServerOptions){delegatedTo(member1)}, []string{"--cleanup"}, exitOK},
		// --disable is a teardown goal: from none there is nothing to do.
		{"plan_disable_from_none", nil, []string{"--disable", "--detailed-exitcode"}, exitOK},
		{"plan_check_permissions", nil, []string{"--delegate", member1, "--check-permissions"}, exitOK},
		{"plan_check_permissions_cleanup", []func(*awstest.ServerOptions){delegatedTo(member1)}, []string{"--cleanup", "--check-permissions"}, exitOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := startServer(t, tc.opts...)
			r := ctl(t, srv, append([]string{"plan"}, tc.args...)...)
			wantCode(t, r, tc.code)
			golden(t, tc.name, srv.URL, r.stdout)
			if w := srv.Writes(); len(w) != 0 {
				t.Errorf("plan wrote %v", w)
			}
		})
	}
}

// decode parses r's stdout as JSON into v: stdout must hold nothing else.
func decode(t *testing.T, r result, v any) {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("stdout is not the expected JSON: %v\n%v", err, r)
	}
	if dec.More() {
		t.Fatalf("more than one JSON value on stdout:\n%v", r)
	}
}

// jsonLines parses every line of s as a JSON object, as stderr holds with
// --output json, and returns them.
func jsonLines(t *testing.T, s string) []map[string]json.RawMessage {
	t.Helper()
	var out []map[string]json.RawMessage
	for _, line := range strings.Split(strings.TrimSuffix(s, "\n"), "\n") {
		if line == "" {
			continue
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("stderr line is not a JSON object: %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

// targetJSON is the target record on stderr with --output json.
type targetJSON struct {
	Target struct {
		Description string `json:"description"`
		Account     string `json:"account"`
		Region      string `json:"region"`
		Emulated    bool   `json:"emulated"`
		Endpoints   []struct {
			Service string `json:"service"`
			URL     string `json:"url"`
			Source  string `json:"source"`
		} `json:"endpoints"`
	} `json:"target"`
}

// resultSchema is the JSON of apply: ipamorg.Result with durations in
// milliseconds.
type resultSchema struct {
	Status      *ipamorg.Status `json:"status"`
	Transitions []struct {
		Event      fsm.Event `json:"event"`
		From       fsm.State `json:"from"`
		To         fsm.State `json:"to"`
		Account    string    `json:"account"`
		Action     string    `json:"action"`
		At         time.Time `json:"at"`
		DurationMS *int64    `json:"duration_ms"`
	} `json:"transitions"`
}

// TestJSONOutput runs in a bubble: the delegate's confirmation waits out
// a lag of 20ms on the bubble's clock, which its duration_ms shows.
func TestJSONOutput(t *testing.T) {
	t.Parallel()
	inBubble(t, []func(*awstest.ServerOptions){awstest.WithLag(20*time.Millisecond, 0)}, func(b *bubble) { testJSONOutput(b) })
}

func testJSONOutput(b *bubble) {
	t := b.t

	r := b.ctl("--output", "json", "status")
	wantCode(t, r, exitOK)
	var st ipamorg.Status
	decode(t, r, &st)
	if st.State != fsm.StateNone || st.ManagementAccountID != mgmt || st.Warnings == nil {
		t.Errorf("status %+v", st)
	}
	lines := jsonLines(t, r.stderr)
	var tj targetJSON
	if len(lines) != 1 || json.Unmarshal(mustMarshal(t, lines[0]), &tj) != nil ||
		tj.Target.Account != mgmt || tj.Target.Description != b.endpoint()+" (--endpoint-url), account "+mgmt || len(tj.Target.Endpoints) != 4 {
		t.Errorf("stderr is not the one target record: %q", r.stderr)
	}
	for _, ep := range tj.Target.Endpoints {
		if ep.URL != b.endpoint() || ep.Source != "--endpoint-url" {
			t.Errorf("endpoint %+v", ep)
		}
	}

	r = b.ctl("plan", "-o", "json", "--delegate", member1)
	wantCode(t, r, exitOK)
	f := decodePlan(t, r.stdout)
	if got := f.plan().Events(); !slices.Equal(got, []fsm.Event{fsm.EventEnableTrustedAccess, fsm.EventDelegate}) || f.Desired.DelegatedAdmin != member1 {
		t.Errorf("plan %+v", f)
	}

	r = b.ctl("apply", "-o", "json", "--yes", "--delegate", member1)
	wantCode(t, r, exitOK)
	var res resultSchema
	decode(t, r, &res)
	if len(res.Transitions) != 2 || res.Status.State != fsm.StateDelegated || res.Status.DelegatedAdmin != member1 {
		t.Errorf("result %+v", res)
	}
	for _, tr := range res.Transitions {
		if tr.DurationMS == nil || (tr.Event == fsm.EventDelegate) != (*tr.DurationMS > 0) {
			t.Errorf("transition %s: duration_ms %v (the delegate call waited out a 20ms lag)", tr.Event, tr.DurationMS)
		}
	}

	r = b.ctl("apply", "-o", "json", "--yes", "--delegate", member1)
	wantCode(t, r, exitOK)
	res = resultSchema{}
	decode(t, r, &res)
	if len(res.Transitions) != 0 || res.Transitions == nil || res.Status == nil {
		t.Errorf("second apply: %+v", res)
	}

	r = b.ctl("verify", "-o", "json")
	wantCode(t, r, exitOK)
	var fr ipamorg.FleetReport
	decode(t, r, &fr)
	if !fr.OK() || fr.Total != 3 || fr.Counts[ipamorg.RolePresent] != 3 || fr.DelegatedAdmin != member1 {
		t.Errorf("fleet report %+v", fr)
	}

	r = b.ctl("diagram", "-o", "json")
	wantCode(t, r, exitOK)
	var d struct{ Mermaid string }
	decode(t, r, &d)
	if d.Mermaid != fsm.Mermaid() {
		t.Errorf("diagram %q", d.Mermaid)
	}
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestApplyWalksTheLifecycle(t *testing.T) {
	t.Parallel()
	srv := startServer(t)

	r := ctl(t, srv, "apply", "--yes", "--delegate", member1)
	wantCode(t, r, exitOK)
	for _, s := range []string{"Plan: 2 step(s).", "done: delegate (trusted -> delegated) account " + member1, "Apply complete: 2 transition(s). state delegated"} {
		if !strings.Contains(r.stdout, s) {
			t.Errorf("apply output lacks %q:\n%v", s, r)
		}
	}
	snap := srv.Snapshot()
	if !slices.Equal(snap.DelegatedAdmins[awstest.IPAMServicePrincipal], []string{member1}) || !snap.HasRole(mgmt, awstest.IPAMRoleName) {
		t.Fatalf("after delegate: %+v", snap)
	}

	wantCode(t, ctl(t, srv, "plan", "--delegate", member1, "--detailed-exitcode"), exitOK)
	wantCode(t, ctl(t, srv, "verify"), exitOK)

	r = ctl(t, srv, "apply", "--yes", "--cleanup")
	wantCode(t, r, exitOK)
	if !strings.Contains(r.stdout, "Apply complete: 3 transition(s). state none") {
		t.Errorf("cleanup output:\n%v", r)
	}
	snap = srv.Snapshot()
	if len(snap.DelegatedAdmins[awstest.IPAMServicePrincipal]) != 0 || len(snap.TrustedServices) != 0 || snap.HasRole(mgmt, awstest.IPAMRoleName) {
		t.Errorf("after cleanup: %+v", snap)
	}

	var actions []string
	for _, w := range srv.Writes() {
		actions = append(actions, w.Action)
	}
	want := []string{
		"ec2:EnableIpamOrganizationAdminAccount",
		"ec2:DisableIpamOrganizationAdminAccount",
		"organizations:DisableAWSServiceAccess",
		"iam:DeleteServiceLinkedRole",
	}
	if !slices.Equal(actions, want) {
		t.Errorf("writes %v, want %v", actions, want)
	}
	r = ctl(t, srv, "status")
	wantCode(t, r, exitOK)
	if !strings.Contains(r.stdout, "state:                none\n") {
		t.Errorf("final status:\n%v", r)
	}
}

func TestVerifyFindsAndRepairs(t *testing.T) {
	t.Parallel()
	const members = 150
	org := awstest.GenerateOrganization(members)
	org.IPAMDelegatedAdmin = org.Members[0].ID
	id := func(i int) string { return org.Members[i-1].ID }
	org.Members[119].Status = awstest.StatusSuspended
	srv := startServer(t, awstest.WithOrganization(org))
	srv.DeleteIPAMRole(id(17))
	srv.DeleteIPAMRole(id(42))
	srv.RemoveRole(id(99), awstest.OrganizationAccessRoleName)

	// Drift and an unverified account: the error wins, as in terraform.
	r := ctl(t, srv, "verify", "--org-rate", "0", "--sts-rate", "0")
	wantCode(t, r, exitError)
	for _, s := range []string{
		"accounts:         151 (present 147, missing 2, repaired 0, purged 0, access-denied 1, skipped 1, error 0)",
		id(17) + "  member-17   ACTIVE     missing        AWSServiceRoleForIPAM not found",
		id(99) + "  member-99   ACTIVE     access-denied  sts:AssumeRole: AccessDenied",
		id(120) + "  member-120  SUSPENDED  skipped        account state is SUSPENDED",
		"2 account(s) without AWSServiceRoleForIPAM: " + id(17) + " " + id(42),
		"1 account(s) could not be verified: " + id(99),
	} {
		if !strings.Contains(r.stdout, s) {
			t.Errorf("verify output lacks %q:\n%v", s, r)
		}
	}
	if strings.Contains(r.stdout, id(2)) {
		t.Errorf("verify lists accounts that are fine without --all:\n%v", r)
	}
	if w := srv.Writes(); len(w) != 0 {
		t.Errorf("verify wrote %v", w)
	}

	r = ctl(t, srv, "verify", "--org-rate", "0", "--sts-rate", "0", "--repair", "--concurrency", "8")
	wantCode(t, r, exitError) // the locked account is still unverified
	if !strings.Contains(r.stdout, "Created AWSServiceRoleForIPAM in 2 account(s).") || !strings.Contains(r.stderr, "1 account(s) could not be verified") {
		t.Errorf("repair output:\n%v", r)
	}
	snap := srv.Snapshot()
	if !snap.HasRole(id(17), awstest.IPAMRoleName) || !snap.HasRole(id(42), awstest.IPAMRoleName) {
		t.Error("roles not repaired")
	}

	// Drift alone: exit 2, as plan --detailed-exitcode for changes.
	srv.PutRole(id(99), awstest.OrganizationAccessRoleName)
	srv.DeleteIPAMRole(id(5))
	r = ctl(t, srv, "verify", "--org-rate", "0", "--sts-rate", "0")
	wantCode(t, r, exitChanges)
	if !strings.Contains(r.stdout, "1 account(s) without AWSServiceRoleForIPAM: "+id(5)) || r.stderr != "" {
		t.Errorf("drift:\n%v", r)
	}

	r = ctl(t, srv, "verify", "--org-rate", "0", "--sts-rate", "0", "--repair")
	wantCode(t, r, exitOK)
	r = ctl(t, srv, "verify", "--org-rate", "0", "--sts-rate", "0", "--all")
	wantCode(t, r, exitOK)
	if !strings.Contains(r.stdout, "Every active account has AWSServiceRoleForIPAM.") || !strings.Contains(r.stdout, id(2)+"  member-2 ") {
		t.Errorf("final verify:\n%v", r)
	}
}

func TestExitCodes(t *testing.T) {
	t.Parallel()
	srv := startServer(t, delegatedTo(member1))
	for _, tc := range []struct {
		name   string
		env    []string // default: the management account
		args   []string
		code   int
		stderr string
	}{
		{name: "no command", code: exitUsage, stderr: "a command is required"},
		{name: "unknown command", args: []string{"frobnicate"}, code: exitUsage, stderr: `unknown command "frobnicate"`},
		{name: "unknown flag", args: []string{"status", "--frobnicate"}, code: exitUsage, stderr: "unknown flag"},
		{name: "bad output", args: []string{"--output", "yaml", "status"}, code: exitUsage, stderr: "--output must be text or json"},
		{name: "extra argument", args: []string{"status", "now"}, code: exitUsage},
		{name: "plan without a move", args: []string{"plan"}, code: exitUsage, stderr: "say where to go"},
		{name: "two moves", args: []string{"plan", "--delegate", member2, "--cleanup"}, code: exitUsage, stderr: "choose one of"},
		{name: "replace alone", args: []string{"plan", "--replace", "--remove"}, code: exitUsage, stderr: "--replace needs --delegate"},
		{name: "malformed account", args: []string{"plan", "--delegate", "12"}, code: exitUsage, stderr: "invalid account id"},
		{name: "apply unconfirmed", args: []string{"apply", "--remove"}, code: exitUsage, stderr: "stdin is not a terminal; pass --yes"},
		{name: "bad concurrency", args: []string{"verify", "--concurrency", "many"}, code: exitUsage},
		{name: "emulated and endpoint", args: []string{"--emulated", "status"}, code: exitUsage, stderr: "--emulated cannot be combined"},
		{name: "management as admin", args: []string{"plan", "--delegate", mgmt, "--replace"}, code: exitError, stderr: "management account cannot be the delegated administrator"},
		{name: "admin conflict", args: []string{"apply", "--yes", "--delegate", member2}, code: exitError, stderr: "is IPAM's delegated administrator, not " + member2 + ": replacing it interrupts IPAM for the whole organization; nothing was written\nTo replace it anyway, run:\n  ipamorgctl --endpoint-url " + srv.URL + " apply --yes --delegate " + member2 + " --replace\n"},
		{name: "member caller", env: asAccount(t, member2), args: []string{"apply", "--yes", "--delegate", member2}, code: exitError, stderr: "not the management account"},
		{name: "unknown caller", env: asAccount(t, "not-an-account"), args: []string{"status"}, code: exitError, stderr: "identify the caller"},
		{name: "plan changes", args: []string{"plan", "--remove"}, code: exitOK},
		{name: "plan changes detailed", args: []string{"plan", "--remove", "--detailed-exitcode"}, code: exitChanges},
		{name: "plan error detailed", args: []string{"plan", "--delegate", member2, "--detailed-exitcode"}, code: exitError, stderr: " --replace\n"},
		{name: "mistyped command", args: []string{"stauts"}, code: exitUsage, stderr: `unknown command "stauts"; did you mean "status"?`},
		{name: "apply file and move", args: []string{"apply", "plan.json", "--remove"}, code: exitUsage, stderr: "apply FILE takes the saved plan's steps"},
		{name: "apply two files", args: []string{"apply", "a.json", "b.json"}, code: exitUsage},
		{name: "version", args: []string{"version"}, code: exitOK},
		{name: "plan no drift", args: []string{"plan", "--delegate", member1}, code: exitOK},
		{name: "status", args: []string{"status"}, code: exitOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := tc.env
			if env == nil {
				env = asAccount(t, mgmt)
			}
			r := runCtl(t, env, append([]string{"--endpoint-url", srv.URL}, tc.args...)...)
			wantCode(t, r, tc.code)
			if !strings.Contains(r.stderr, tc.stderr) || strings.Contains(r.stderr, "AllowReplace") {
				t.Errorf("stderr lacks %q (or names a Go field):\n%v", tc.stderr, r)
			}
			if tc.code == exitUsage && !strings.Contains(r.stderr, "--help") {
				t.Errorf("usage error without a pointer to --help:\n%v", r)
			}
		})
	}
	if w := srv.Writes(); len(w) != 0 {
		t.Errorf("failed commands wrote %v", w)
	}
}

func TestNoCredentialsDoesNotGuess(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"--region", "us-east-1", "status"}, {"status"}, {"--endpoint-url", "http://127.0.0.1:1", "status"}} {
		r := runCtl(t, baseEnv(t), args...)
		wantCode(t, r, exitError)
		if !strings.Contains(r.stderr, "no AWS credentials found") || !strings.Contains(r.stderr, "\nConfigure credentials (environment, --profile, SSO), or pass --emulated") {
			t.Errorf("%v: stderr does not suggest --emulated:\n%v", args, r)
		}
		if strings.Contains(r.stdout+r.stderr, "target:") {
			t.Errorf("%v: picked a target anyway:\n%v", args, r)
		}
	}
}

func TestEmulatedTarget(t *testing.T) {
	t.Parallel()
	env := baseEnv(t) // no credentials at all: --emulated needs none
	r := runCtl(t, env, "--emulated", "status")
	wantCode(t, r, exitOK)
	if first, _, _ := strings.Cut(r.stdout, "\n"); first != "target: emulated organization (in-process)" {
		t.Errorf("first line %q", first)
	}
	r = runCtl(t, env, "--emulated", "apply", "--yes", "--delegate", member1)
	wantCode(t, r, exitOK)
	r = runCtl(t, env, "--emulated", "verify", "--repair")
	wantCode(t, r, exitError) // a fresh organization each run: no admin to repair for
	if !strings.Contains(r.stderr, "none is registered; nothing was written\nDelegating one creates the role in every account:\n  ipamorgctl --emulated apply --delegate ACCOUNT\n") {
		t.Errorf("verify --repair:\n%v", r)
	}
}

func TestPolicy(t *testing.T) {
	t.Parallel()
	actions := func(r result) []string {
		t.Helper()
		var doc struct {
			Version   string
			Statement []struct {
				Sid       string
				Effect    string
				Action    []string
				Resource  any // a string, or a list
				Condition map[string]map[string]string
			}
		}
		decode(t, r, &doc)
		var out []string
		for _, s := range doc.Statement {
			out = append(out, s.Action...)
		}
		return out
	}
	env := baseEnv(t) // no AWS call, no credentials needed

	r := runCtl(t, env, "policy")
	wantCode(t, r, exitOK)
	all := actions(r)
	for _, a := range []string{"ec2:EnableIpamOrganizationAdminAccount", "organizations:DisableAWSServiceAccess", "iam:DeleteServiceLinkedRole"} {
		if !slices.Contains(all, a) {
			t.Errorf("policy lacks %s", a)
		}
	}

	r = runCtl(t, env, "policy", "--delegate", member1)
	wantCode(t, r, exitOK)
	got := actions(r)
	if !slices.Contains(got, "ec2:EnableIpamOrganizationAdminAccount") || slices.Contains(got, "organizations:DisableAWSServiceAccess") {
		t.Errorf("delegate policy %v", got)
	}

	r = runCtl(t, env, "policy", "--verify", "--repair")
	wantCode(t, r, exitOK)
	if got := actions(r); !slices.Contains(got, "sts:AssumeRole") || !slices.Contains(got, "iam:CreateServiceLinkedRole") {
		t.Errorf("verify policy %v", got)
	}
	r = runCtl(t, env, "policy", "--verify", "--member")
	wantCode(t, r, exitOK)
	if got := actions(r); !slices.Equal(got, []string{"iam:GetRole"}) {
		t.Errorf("member policy %v", got)
	}
	wantCode(t, runCtl(t, env, "policy", "--verify", "--cleanup"), exitUsage)
}

func TestDiagram(t *testing.T) {
	t.Parallel()
	r := runCtl(t, baseEnv(t), "diagram")
	wantCode(t, r, exitOK)
	if r.stdout != fsm.Mermaid() {
		t.Errorf("diagram:\n%s\nwant:\n%s", r.stdout, fsm.Mermaid())
	}
}

// TestWaitFlags checks that --max-wait bounds the confirmation of a write:
// with a lag far beyond it, apply gives up after --max-wait with the
// library's timeout, having written once. In a bubble: its clock, not the
// wall clock, measures the wait.
func TestWaitFlags(t *testing.T) {
	t.Parallel()
	inBubble(t, []func(*awstest.ServerOptions){awstest.WithLag(time.Hour, time.Hour)}, func(b *bubble) {
		start := time.Now()
		r := b.ctl("--max-wait", "50s", "--poll-interval", "10s", "apply", "--yes", "--delegate", member1)
		wantCode(b.t, r, exitError)
		if waited := time.Since(start); waited < 50*time.Second || waited > 60*time.Second {
			b.t.Errorf("waited %v for --max-wait 50s", waited)
		}
		if !strings.Contains(r.stderr, "timed out waiting for aws to reflect the change") {
			b.t.Errorf("stderr:\n%v", r)
		}
		if w := b.emu.Writes(); len(w) != 1 || w[0].Action != "ec2:EnableIpamOrganizationAdminAccount" {
			b.t.Errorf("writes %v", w)
		}
		wantCode(b.t, b.ctl("--max-wait", "-1s", "status"), exitUsage)
	})
}

package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/ipamorg/sdk/awsclient/awstest"
	"github.com/ipamorg/sdk/fsm"
)

// planSchema is docs/plan-format.schema.json, compiled once.
var planSchema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	return c.Compile(filepath.Join("..", "..", "docs", "plan-format.schema.json"))
})

// validatePlanJSON checks doc against the published schema.
func validatePlanJSON(t *testing.T, doc string) error {
	t.Helper()
	sch, err := planSchema()
	if err != nil {
		t.Fatalf("compile docs/plan-format.schema.json: %v", err)
	}
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(doc))
	if err != nil {
		return err
	}
	return sch.Validate(inst)
}

// decodePlan checks that doc is a plan of the published schema and of
// the Go type, and returns it.
func decodePlan(t *testing.T, doc string) *planFile {
	t.Helper()
	if err := validatePlanJSON(t, doc); err != nil {
		t.Fatalf("plan JSON does not match docs/plan-format.schema.json: %v\n%s", err, doc)
	}
	var f planFile
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		t.Fatalf("plan JSON: %v\n%s", err, doc)
	}
	return &f
}

func TestSavedPlanRoundTrip(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	path := filepath.Join(t.TempDir(), "delegate.plan.json")

	// The command to run is the whole of it: pasted without the
	// target's flags, it would go to AWS.
	r := ctl(t, srv, "plan", "--delegate", member1, "--out", path)
	wantCode(t, r, exitOK)
	if !strings.Contains(r.stdout, "Saved the plan to "+path+". To take exactly these steps, run:\n  ipamorgctl --endpoint-url "+srv.URL+" apply "+path+"\n") {
		t.Errorf("plan --out output:\n%v", r)
	}
	saved, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f := decodePlan(t, string(saved))
	if f.FormatVersion != "1" || f.Status.State != fsm.StateNone || f.Desired.DelegatedAdmin != member1 || len(f.Steps) != 2 ||
		f.Steps[1].Action != "ec2:EnableIpamOrganizationAdminAccount" || f.Steps[1].Account != member1 ||
		!strings.HasPrefix(f.CreatedBy, "ipamorgctl ") || f.CreatedAt.IsZero() || !strings.Contains(f.Target, "account "+mgmt) {
		t.Errorf("saved plan %+v", f)
	}

	// plan --output json prints the same document.
	r = ctl(t, srv, "plan", "--delegate", member1, "-o", "json")
	wantCode(t, r, exitOK)
	printed := decodePlan(t, r.stdout)
	printed.CreatedAt = f.CreatedAt
	if a, b := mustMarshal(t, printed), mustMarshal(t, f); string(a) != string(b) {
		t.Errorf("plan -o json differs from the saved plan:\n%s\n%s", a, b)
	}
	if w := srv.Writes(); len(w) != 0 {
		t.Fatalf("plan wrote %v", w)
	}

	// apply FILE takes exactly those steps, without asking.
	r = ctl(t, srv, "apply", path)
	wantCode(t, r, exitOK)
	if !strings.Contains(r.stdout, "Saved plan "+path+", made ") || !strings.Contains(r.stdout, "Apply complete: 2 transition(s). state delegated, delegated admin "+member1) {
		t.Errorf("apply FILE:\n%v", r)
	}
	if w := srv.Writes(); len(w) != 1 || w[0].Action != "ec2:EnableIpamOrganizationAdminAccount" {
		t.Fatalf("writes %v", w)
	}

	// Applied once, the plan is stale.
	r = ctl(t, srv, "apply", path)
	wantCode(t, r, exitError)
	if !strings.Contains(r.stderr, "plan is stale") || !strings.Contains(r.stderr, "nothing was written") {
		t.Errorf("stale plan:\n%v", r)
	}
	r = ctl(t, srv, "-o", "json", "apply", path)
	wantCode(t, r, exitError)
	if e := lastJSONError(t, r); e.Sentinel != "ipamorg.ErrStalePlan" || e.ExitCode != exitError || len(e.NotDone) != 2 || len(e.Done) != 0 {
		t.Errorf("stale plan, JSON: %+v\n%v", e, r)
	}
	if w := srv.Writes(); len(w) != 1 {
		t.Errorf("a stale plan wrote: %v", w)
	}

	// An empty saved plan applies as nothing to do.
	empty := filepath.Join(filepath.Dir(path), "empty.plan.json")
	wantCode(t, ctl(t, srv, "plan", "--delegate", member1, "--out", empty), exitOK)
	r = ctl(t, srv, "apply", empty)
	wantCode(t, r, exitOK)
	if !strings.Contains(r.stdout, "No changes.") || len(srv.Writes()) != 1 {
		t.Errorf("empty saved plan:\n%v", r)
	}
}

// TestSavedPlanRefused edits a saved plan in every way apply must refuse,
// before any write.
func TestSavedPlanRefused(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "plan.json")
	wantCode(t, ctl(t, srv, "plan", "--delegate", member1, "--out", path), exitOK)
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	edit := func(fn func(map[string]any)) string {
		var doc map[string]any
		if err := json.Unmarshal(good, &doc); err != nil {
			t.Fatal(err)
		}
		fn(doc)
		return string(mustMarshal(t, doc))
	}
	step := func(doc map[string]any, i int) map[string]any { return doc["steps"].([]any)[i].(map[string]any) }

	for _, tc := range []struct {
		name   string
		doc    string
		code   int
		stderr string
	}{
		{"old format_version", edit(func(d map[string]any) { d["format_version"] = "0" }), exitUsage,
			`format_version "0" is not supported: this ipamorgctl applies plans of format_version "1" only; make the plan again`},
		{"newer format_version", edit(func(d map[string]any) { d["format_version"] = "2" }), exitUsage, `format_version "2" is not supported`},
		{"numeric format_version", edit(func(d map[string]any) { d["format_version"] = 1 }), exitUsage, `format_version 1 is not supported`},
		{"no format_version", edit(func(d map[string]any) { delete(d, "format_version") }), exitUsage, "no format_version: not a plan made by ipamorgctl plan --out"},
		{"not JSON", "target: terraform plan", exitUsage, "not JSON"},
		{"unknown field", edit(func(d map[string]any) { d["approved_by"] = "me" }), exitUsage, `unknown field "approved_by"`},
		{"no status", edit(func(d map[string]any) { delete(d, "status") }), exitUsage, "no status"},
		{"no steps", edit(func(d map[string]any) { delete(d, "steps") }), exitUsage, "no steps"},
		{"bad state", edit(func(d map[string]any) { d["desired"].(map[string]any)["state"] = "integrated" }), exitUsage, `desired.state "integrated"`},
		{"tampered account", edit(func(d map[string]any) {
			step(d, 0)["account"] = member2
			step(d, 1)["account"] = member2
		}), exitUsage, "its steps are not the steps of a plan from none to delegated (step 1 is not what the plan's desired state leads to from its status); was the file edited? nothing was written\nMake the plan again:\n  ipamorgctl --endpoint-url " + srv.URL + " plan --delegate " + member1 + " --out "},
		{"tampered action", edit(func(d map[string]any) { step(d, 1)["action"] = "organizations:EnableAWSServiceAccess" }), exitUsage, "was the file edited?"},
		{"dropped step", edit(func(d map[string]any) { d["steps"] = d["steps"].([]any)[1:] }), exitUsage, "was the file edited?"},
		{"extra step", edit(func(d map[string]any) {
			d["steps"] = append(d["steps"].([]any), map[string]any{"event": "remove-delegate", "from": "delegated", "to": "trusted", "action": "ec2:DisableIpamOrganizationAdminAccount", "account": member1})
		}), exitUsage, "was the file edited?"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".json")
			if err := os.WriteFile(p, []byte(tc.doc), 0o644); err != nil {
				t.Fatal(err)
			}
			r := ctl(t, srv, "apply", p)
			wantCode(t, r, tc.code)
			if !strings.Contains(r.stderr, tc.stderr) {
				t.Errorf("stderr lacks %q:\n%v", tc.stderr, r)
			}
			if tc.code == exitUsage && validatePlanJSON(t, tc.doc) == nil && !strings.Contains(tc.name, "tampered") && !strings.Contains(tc.name, "step") {
				t.Errorf("the schema accepts a plan that apply refuses:\n%s", tc.doc)
			}
		})
	}

	// A plan made for one organization is refused by another, even
	// where the other target is allowed.
	other := awstest.DefaultOrganization()
	other.ManagementAccount.ID = "999999999999"
	srv2 := startServer(t, awstest.WithOrganization(other))
	r := runCtl(t, asAccount(t, "999999999999"), "--endpoint-url", srv2.URL, "apply", path, "--allow-other-target")
	wantCode(t, r, exitError)
	if !strings.Contains(r.stderr, "was made for organization ") || !strings.Contains(r.stderr, "(management account 999999999999): nothing was written") {
		t.Errorf("other organization:\n%v", r)
	}

	if w := append(srv.Writes(), srv2.Writes()...); len(w) != 0 {
		t.Errorf("refused plans wrote %v", w)
	}
	// The good plan still applies.
	wantCode(t, ctl(t, srv, "apply", path), exitOK)
}

// savePlan runs plan ARGS --out FILE against srv and returns the path.
func savePlan(t *testing.T, srv *awstest.Server, args ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "saved.plan.json")
	wantCode(t, ctl(t, srv, append(append([]string{"plan"}, args...), "--out", path)...), exitOK)
	return path
}

// apply FILE checks the file, then the target, then the organization,
// then staleness on everything the plan's steps rest on, and only then
// plans (the guards): each refusal is the documented one, and none
// writes.
func TestSavedPlanChecksInOrder(t *testing.T) {
	t.Parallel()
	staleJSON := func(t *testing.T, srv *awstest.Server, path string) {
		t.Helper()
		r := ctl(t, srv, "-o", "json", "apply", path)
		wantCode(t, r, exitError)
		if e := lastJSONError(t, r); e.Sentinel != "ipamorg.ErrStalePlan" || e.Kind != "error" ||
			!strings.Contains(e.Fix, "Plan again from the new state:\n  ipamorgctl --endpoint-url "+srv.URL+" plan ") {
			t.Errorf("want ErrStalePlan with the plan command: %+v\n%v", e, r)
		}
	}

	t.Run("another admin delegated since", func(t *testing.T) {
		t.Parallel()
		srv := startServer(t)
		path := savePlan(t, srv, "--delegate", member1)
		wantCode(t, ctl(t, srv, "apply", "--delegate", member2, "--yes"), exitOK)
		srv.ResetRequests()
		staleJSON(t, srv, path)
		if w := srv.Writes(); len(w) != 0 {
			t.Errorf("wrote %v", w)
		}
	})

	t.Run("edited to another organization", func(t *testing.T) {
		t.Parallel()
		srv := startServer(t, delegatedTo(member1))
		path := savePlan(t, srv, "--delegate", member2, "--replace")
		var doc map[string]any
		if err := json.Unmarshal(mustRead(t, path), &doc); err != nil {
			t.Fatal(err)
		}
		doc["status"].(map[string]any)["organization_id"] = "o-0000000000"
		if err := os.WriteFile(path, mustMarshal(t, doc), 0o644); err != nil {
			t.Fatal(err)
		}
		wantCode(t, ctl(t, srv, "apply", "--delegate", member2, "--yes"), exitError) // the conflict, for comparison
		r := ctl(t, srv, "apply", path)
		wantCode(t, r, exitError)
		if !strings.Contains(r.stderr, "was made for organization o-0000000000") || strings.Contains(r.stderr, "delegated administrator, not") {
			t.Errorf("edited organization:\n%v", r)
		}
		if w := srv.Writes(); len(w) != 0 {
			t.Errorf("wrote %v", w)
		}
	})

	t.Run("repaired by someone else", func(t *testing.T) {
		t.Parallel()
		srv := startServer(t)
		srv.SetTrustedAccess(awstest.IPAMServicePrincipal, true)
		srv.SetDelegatedAdmins(awstest.IPAMServicePrincipal, member1)
		path := savePlan(t, srv, "--delegate", member1)
		if f := decodePlan(t, string(mustRead(t, path))); len(f.Steps) != 1 || f.Steps[0].Event != "repair-delegation" {
			t.Fatalf("saved %+v", f.Steps)
		}
		wantCode(t, ctl(t, srv, "apply", "--delegate", member1, "--yes"), exitOK) // the other operator's repair
		srv.ResetRequests()
		staleJSON(t, srv, path)
		if w := srv.Writes(); len(w) != 0 {
			t.Errorf("wrote %v", w)
		}
	})

	t.Run("broken since", func(t *testing.T) {
		t.Parallel()
		srv := startServer(t, delegatedTo(member1))
		path := savePlan(t, srv, "--delegate", member1)
		srv.DeleteIPAMRole(mgmt)
		srv.ResetRequests()
		staleJSON(t, srv, path)
		if w := srv.Writes(); len(w) != 0 {
			t.Errorf("wrote %v", w)
		}
	})

	t.Run("another target", func(t *testing.T) {
		t.Parallel()
		srv, other := startServer(t), startServer(t)
		path := savePlan(t, srv, "--delegate", member1)
		r := ctl(t, other, "apply", path)
		wantCode(t, r, exitError)
		for _, s := range []string{"was made against " + srv.URL + " (--endpoint-url), account " + mgmt + ", but the target is " + other.URL, "--allow-other-target"} {
			if !strings.Contains(r.stderr, s) {
				t.Errorf("stderr lacks %q:\n%v", s, r)
			}
		}
		if w := other.Writes(); len(w) != 0 {
			t.Errorf("wrote %v", w)
		}
		// Allowed, the plan applies there: the organization is the same one.
		wantCode(t, ctl(t, other, "apply", path, "--allow-other-target"), exitOK)
	})
}

// The target is where the requests go and as whom, not what configured
// it: a plan made with --endpoint-url applies with AWS_ENDPOINT_URL set
// to the same endpoint. It sets the process's environment: not parallel.
func TestSavedPlanSameTargetWhateverSetIt(t *testing.T) {
	srv := startServer(t)
	path := savePlan(t, srv, "--delegate", member1)
	r := runCtl(t, append(asAccount(t, mgmt), "AWS_ENDPOINT_URL="+srv.URL), "apply", path)
	wantCode(t, r, exitOK)
	if !strings.Contains(r.stdout, "target: "+srv.URL+" (AWS_ENDPOINT_URL)") {
		t.Errorf("stdout:\n%v", r)
	}
}

// A path that cannot be written: the plan is shown first, then the error
// names the path, not a temporary file.
func TestPlanOutUnwritablePath(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	path := filepath.Join(t.TempDir(), "no-such-dir", "x.plan.json")
	r := ctl(t, srv, "plan", "--delegate", member1, "--out", path)
	wantCode(t, r, exitError)
	if !strings.Contains(r.stdout, "Plan: 2 step(s).") || strings.Contains(r.stdout, "Saved the plan") {
		t.Errorf("stdout:\n%v", r)
	}
	if want := "ipamorgctl: could not save the plan to " + path + ": no such file or directory"; !strings.HasPrefix(r.stderr, want) || strings.Contains(r.stderr, ".x.plan.json.") {
		t.Errorf("stderr lacks %q (or names the temporary file):\n%v", want, r)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

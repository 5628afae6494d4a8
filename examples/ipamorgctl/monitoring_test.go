package main

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/ipamorg/sdk/awsclient/awstest"
	"github.com/ipamorg/sdk/ipamorg"
)

// withIPAM starts the organization delegated to admin, whose IPAM exists
// and has discovered the accounts.
func withIPAM(admin string, regions ...string) []func(*awstest.ServerOptions) {
	return []func(*awstest.ServerOptions){delegatedTo(admin), awstest.WithIPAMs(awstest.IPAMSpec{Owner: admin, OperatingRegions: regions})}
}

// The path of issue 10 with the CLI alone: an account failing discovery
// (exit 2, with the fix), verify --repair, then every account monitored
// (exit 0), in text and JSON.
func TestMonitoringFindsAndRepairs(t *testing.T) {
	t.Parallel()
	srv := startServer(t, append(withIPAM(member1, "us-east-1"), awstest.WithoutRole(member2, awstest.IPAMRoleName))...)

	r := ctl(t, srv, "monitoring")
	wantCode(t, r, exitChanges)
	golden(t, "monitoring_assume_role_failure", srv.URL, r.stdout)

	wantCode(t, ctl(t, srv, "verify", "--repair"), exitOK)

	r = ctl(t, srv, "-o", "json", "monitoring")
	wantCode(t, r, exitOK)
	var m ipamorg.Monitoring
	decode(t, r, &m)
	if !m.Complete() || m.AdminAccountID != member1 || len(m.Accounts) != 3 || len(m.IPAMs) != 1 || !m.IPAMs[0].OrganizationWide {
		t.Errorf("monitoring %+v", m)
	}
	r = ctl(t, srv, "monitoring", "--all")
	wantCode(t, r, exitOK)
	for _, s := range []string{"IPAM monitors every active account in every operating Region.", member2 + "  us-east-1  monitored"} {
		if !strings.Contains(r.stdout, s) {
			t.Errorf("monitoring --all lacks %q:\n%s", s, r.stdout)
		}
	}
	if w := srv.Writes(); len(w) != 1 || w[0].Action != "iam:CreateServiceLinkedRole" {
		t.Errorf("writes %v, want verify --repair's one", w)
	}
}

// Right after the delegation, before any IPAM exists, is when a pipeline
// runs 'monitoring -o json | jq': stdout holds the document (the
// administrator, the Regions read, no IPAM, the warning that says what to
// do), and the exit code is monitoring incomplete's; text output shows the
// same table.
func TestMonitoringWithoutIPAMPrintsTheDocument(t *testing.T) {
	t.Parallel()
	srv := startServer(t, delegatedTo(member1))
	r := ctl(t, srv, "-o", "json", "monitoring")
	wantCode(t, r, exitChanges)
	var m ipamorg.Monitoring
	decode(t, r, &m)
	if m.AdminAccountID != member1 || len(m.Regions) == 0 || len(m.IPAMs) != 0 || len(m.Warnings) != 1 || m.Warnings[0].Code != ipamorg.WarnNoIPAM {
		t.Errorf("monitoring %+v", m)
	}
	if e := lastJSONError(t, r); e.Kind != "incomplete" || e.Sentinel != "ipamorg.ErrNoIPAM" ||
		!strings.Contains(e.Fix, "aws ec2 create-ipam --operating-regions RegionName=us-east-1 --region us-east-1") {
		t.Errorf("error %+v", e)
	}

	r = ctl(t, srv, "monitoring")
	wantCode(t, r, exitChanges)
	for _, s := range []string{"delegated admin:  " + member1, "IPAMs:            none", "! the delegated administrator " + member1 + " owns no IPAM",
		"IPAM monitors nothing: the delegated administrator owns no IPAM."} {
		if !strings.Contains(r.stdout, s) {
			t.Errorf("stdout lacks %q:\n%v", s, r)
		}
	}
}

// monitoring's errors: no IPAM is monitoring incomplete (2) with the
// command to create one; no administrator, or its account out of reach,
// is an error (1) naming --role-name; --wait that times out is monitoring
// incomplete, with the accounts.
func TestMonitoringErrors(t *testing.T) {
	t.Parallel()
	t.Run("no ipam", func(t *testing.T) {
		t.Parallel()
		r := ctl(t, startServer(t, delegatedTo(member1)), "monitoring")
		wantCode(t, r, exitChanges)
		if !strings.Contains(r.stderr, "owns no IPAM") || !strings.Contains(r.stderr, "\n  aws ec2 create-ipam --operating-regions RegionName=us-east-1 --region us-east-1\n") {
			t.Errorf("stderr:\n%s", r.stderr)
		}
	})
	t.Run("no admin", func(t *testing.T) {
		t.Parallel()
		r := ctl(t, startServer(t), "-o", "json", "monitoring")
		wantCode(t, r, exitError)
		if !strings.Contains(r.stderr, `"sentinel":"ipamorg.ErrNoDelegatedAdmin"`) {
			t.Errorf("stderr:\n%s", r.stderr)
		}
	})
	t.Run("admin unreachable", func(t *testing.T) {
		t.Parallel()
		srv := startServer(t, withIPAM(member1, "us-east-1")...)
		srv.RemoveRole(member1, awstest.OrganizationAccessRoleName)
		r := ctl(t, srv, "monitoring")
		wantCode(t, r, exitError)
		if !strings.Contains(r.stderr, "cannot be reached") || !strings.Contains(r.stderr, "--role-name") {
			t.Errorf("stderr:\n%s", r.stderr)
		}
		srv.PutRole(member1, "IpamReader")
		wantCode(t, ctl(t, srv, "--role-name", "IpamReader", "monitoring"), exitOK)
		wantCode(t, ctl(t, srv, "--role-name", "not a role", "monitoring"), exitUsage)
	})
	// In a bubble: the wait's five minutes pass on the bubble's clock,
	// and every poll's reads finish before it moves.
	t.Run("wait times out", func(t *testing.T) {
		t.Parallel()
		inBubble(t, []func(*awstest.ServerOptions){delegatedTo(member1), awstest.WithDiscoveryLag(time.Hour)}, func(b *bubble) {
			createIPAMAs(b.t, b.emu, member1)
			start := time.Now()
			r := b.ctl("monitoring", "--wait")
			wantCode(b.t, r, exitChanges)
			if waited := time.Since(start); waited < 5*time.Minute {
				b.t.Errorf("gave up after %v, before --max-wait's default 5m", waited)
			}
			for _, s := range []string{"not every account was monitored within --max-wait (default 5m)", "3 account(s) not monitored", mgmt + " (us-east-1 pending)"} {
				if !strings.Contains(r.stderr, s) {
					b.t.Errorf("stderr lacks %q:\n%s", s, r.stderr)
				}
			}
			if strings.Contains(r.stderr, "reflect the change") {
				b.t.Errorf("a monitoring wait is no write to confirm:\n%s", r.stderr)
			}
			if !strings.Contains(r.stdout, "pending 3") {
				b.t.Errorf("stdout lacks the last monitoring:\n%s", r.stdout)
			}
		})
	})
}

// apply --wait-monitored waits until every account is monitored and shows
// it; in JSON, the result and the monitoring together.
func TestApplyWaitMonitored(t *testing.T) {
	t.Parallel()
	srv := startServer(t, withIPAM(member1, "us-east-1")...)
	r := ctl(t, srv, "apply", "--delegate", member1, "--yes", "--wait-monitored")
	wantCode(t, r, exitOK)
	if !strings.Contains(r.stdout, "IPAM monitors every active account") {
		t.Errorf("stdout:\n%s", r.stdout)
	}
	r = ctl(t, srv, "-o", "json", "apply", "--delegate", member1, "--yes", "--wait-monitored")
	wantCode(t, r, exitOK)
	var out struct {
		Result     json.RawMessage     `json:"result"`
		Monitoring *ipamorg.Monitoring `json:"monitoring"`
	}
	decode(t, r, &out)
	if out.Monitoring == nil || !out.Monitoring.Complete() || len(out.Result) == 0 {
		t.Errorf("json %s", r.stdout)
	}
	wantCode(t, ctl(t, srv, "apply", "--cleanup", "--yes", "--wait-monitored"), exitUsage)
}

// A teardown while the administrator owns an IPAM: plan and apply refuse
// (exit 1) with no write, naming the IPAM, the command and the flag;
// --allow-ipam-resources plans it anyway.
func TestTeardownRefusedWhileIPAMExists(t *testing.T) {
	t.Parallel()
	srv := startServer(t, withIPAM(member1, "us-east-1")...)
	for _, args := range [][]string{{"plan", "--cleanup"}, {"apply", "--cleanup", "--yes"}, {"apply", "--remove", "--yes"}} {
		r := ctl(t, srv, args...)
		wantCode(t, r, exitError)
		for _, s := range []string{"still owns IPAMs", "aws ec2 delete-ipam --ipam-id ipam-", "--cascade --region us-east-1", "--allow-ipam-resources", "nothing was written"} {
			if !strings.Contains(r.stderr, s) {
				t.Errorf("%v: stderr lacks %q:\n%s", args, s, r.stderr)
			}
		}
	}
	r := ctl(t, srv, "-o", "json", "apply", "--cleanup", "--yes")
	wantCode(t, r, exitError)
	if !strings.Contains(r.stderr, `"sentinel":"ipamorg.ErrIPAMResourcesExist"`) {
		t.Errorf("JSON error:\n%s", r.stderr)
	}
	if w := srv.Writes(); len(w) != 0 {
		t.Fatalf("refused teardowns wrote %v", w)
	}
	r = ctl(t, srv, "plan", "--cleanup", "--allow-ipam-resources")
	wantCode(t, r, exitOK)
	if !strings.Contains(r.stdout, "Plan: 3 step(s).") {
		t.Errorf("plan:\n%s", r.stdout)
	}
	wantCode(t, ctl(t, srv, "plan", "--delegate", member1, "--allow-ipam-resources"), exitUsage)
}

// verify --purge after the teardown deletes the members' roles, then finds
// nothing to do; it is refused while IPAM is integrated, and does not go
// with --repair.
func TestVerifyPurge(t *testing.T) {
	t.Parallel()
	srv := startServer(t, delegatedTo(member1))
	r := ctl(t, srv, "verify", "--purge")
	wantCode(t, r, exitError)
	if !strings.Contains(r.stderr, "still integrated") {
		t.Errorf("stderr:\n%s", r.stderr)
	}
	wantCode(t, ctl(t, srv, "verify", "--purge", "--repair"), exitUsage)
	if w := srv.Writes(); len(w) != 0 {
		t.Fatalf("wrote %v", w)
	}

	wantCode(t, ctl(t, srv, "apply", "--cleanup", "--yes"), exitOK)
	r = ctl(t, srv, "verify", "--purge")
	wantCode(t, r, exitOK)
	for _, s := range []string{"purged 2", "Deleted AWSServiceRoleForIPAM from 2 member account(s).", member1 + "  member-1  ACTIVE  purged"} {
		if !strings.Contains(r.stdout, s) {
			t.Errorf("verify --purge lacks %q:\n%s", s, r.stdout)
		}
	}
	if got := srv.Snapshot().IPAMRoleAccounts(); len(got) != 0 {
		t.Errorf("role left in %v", got)
	}
	r = ctl(t, srv, "verify", "--purge")
	wantCode(t, r, exitOK)
	if !strings.Contains(r.stdout, "nothing to purge") {
		t.Errorf("second purge:\n%s", r.stdout)
	}
}

// policy splits by account: --ipam-admin, --member, --monitoring.
func TestPolicyByAccount(t *testing.T) {
	t.Parallel()
	env := baseEnv(t)
	actions := func(r result) []string {
		var doc struct{ Statement []struct{ Action []string } }
		if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
			t.Fatalf("%v\n%v", err, r)
		}
		var out []string
		for _, s := range doc.Statement {
			out = append(out, s.Action...)
		}
		return out
	}
	r := runCtl(t, env, "policy", "--monitoring", "--ipam-admin")
	wantCode(t, r, exitOK)
	for _, a := range []string{"ec2:GetIpamDiscoveredAccounts", "ec2:DescribeIpams", "ec2:DescribeRegions"} {
		if !slices.Contains(actions(r), a) {
			t.Errorf("--ipam-admin lacks %s", a)
		}
	}
	r = runCtl(t, env, "--role-name", "audit/Reader", "policy", "--monitoring")
	wantCode(t, r, exitOK)
	if !strings.Contains(r.stdout, "arn:aws:iam::*:role/audit/Reader") || !slices.Contains(actions(r), "organizations:ListAccounts") {
		t.Errorf("--monitoring:\n%s", r.stdout)
	}
	r = runCtl(t, env, "policy", "--verify", "--purge", "--member")
	wantCode(t, r, exitOK)
	if !slices.Contains(actions(r), "iam:DeleteServiceLinkedRole") {
		t.Errorf("--purge --member:\n%s", r.stdout)
	}
	r = runCtl(t, env, "policy", "--verify", "--ipam-admin")
	wantCode(t, r, exitOK)
	if r.stdout != "" || !strings.Contains(r.stderr, "need nothing") {
		t.Errorf("verify needs nothing of the administrator's account:\n%v", r)
	}
	wantCode(t, runCtl(t, env, "policy", "--member", "--ipam-admin"), exitUsage)
}

// emulator is an *awstest.Server or an *awstest.Emulator: what gives
// an account's configuration.
type emulator interface {
	Config(ctx context.Context, accountID string) aws.Config
}

// createIPAMAs creates an IPAM in us-east-1 as owner, with the SDK's EC2
// client, as a user would.
func createIPAMAs(t *testing.T, emu emulator, owner string) {
	t.Helper()
	if _, err := ec2.NewFromConfig(emu.Config(t.Context(), owner)).CreateIpam(t.Context(), &ec2.CreateIpamInput{}); err != nil {
		t.Fatal(err)
	}
}

// TestMonitoredLifecycleWithTheCLI is issue 10's "done when", with
// ipamorgctl and the administrator's own EC2 calls (what 'aws ec2
// create-ipam' sends): from none to every account monitored, an account
// that is not and its repair, a teardown refused under a live IPAM, and
// none at the end with AWSServiceRoleForIPAM in no account.
func TestMonitoredLifecycleWithTheCLI(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	wantCode(t, ctl(t, srv, "apply", "--delegate", member1, "--yes"), exitOK)
	cfg := srv.Config(t.Context(), member1)
	admin := ec2.NewFromConfig(cfg)
	out, err := admin.CreateIpam(t.Context(), &ec2.CreateIpamInput{})
	if err != nil {
		t.Fatal(err)
	}
	wantCode(t, ctl(t, srv, "--poll-interval", "10ms", "monitoring", "--wait"), exitOK)

	srv.DeleteIPAMRole(member2)
	r := ctl(t, srv, "monitoring")
	wantCode(t, r, exitChanges)
	if !strings.Contains(r.stdout, member2+"  us-east-1  assume-role-failure") {
		t.Errorf("monitoring:\n%s", r.stdout)
	}
	wantCode(t, ctl(t, srv, "verify", "--repair"), exitOK)
	wantCode(t, ctl(t, srv, "--poll-interval", "10ms", "monitoring", "--wait"), exitOK)

	r = ctl(t, srv, "apply", "--cleanup", "--yes")
	wantCode(t, r, exitError)
	if !strings.Contains(r.stderr, "aws ec2 delete-ipam --ipam-id "+*out.Ipam.IpamId+" --cascade --region us-east-1") {
		t.Errorf("refusal:\n%s", r.stderr)
	}
	if _, err := admin.DeleteIpam(t.Context(), &ec2.DeleteIpamInput{IpamId: out.Ipam.IpamId, Cascade: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, ctl(t, srv, "apply", "--cleanup", "--yes"), exitOK)
	wantCode(t, ctl(t, srv, "verify", "--purge"), exitOK)
	if got := srv.Snapshot().IPAMRoleAccounts(); len(got) != 0 {
		t.Errorf("AWSServiceRoleForIPAM left in %v", got)
	}
	r = ctl(t, srv, "-o", "json", "status")
	wantCode(t, r, exitOK)
	if !strings.Contains(r.stdout, `"state": "none"`) {
		t.Errorf("status:\n%s", r.stdout)
	}
}

package ipamorg_test

// The recommended policies (RequiredPolicies) proved against the
// emulator's IAM evaluation (awstest.WithIAMEnforcement), not re-listed by
// hand: for each choice of PolicyOptions, the operations it covers run
// with roles that hold exactly its policies, the management account's
// principal a session of a role in the management account, the IPAM
// delegated administrator and the members reached through the access role.
// Sufficient: every operation succeeds and the audit log shows no denial.
// Nothing superfluous: every action of every statement of every policy
// was allowed, in the audit log, by that very statement. Each statement
// needed: without it, one of the operations fails with a typed error.
// Each choice runs against two organizations, one flat and one with OUs,
// since the listing reads the tree only when there is one.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/ipamorg/sdk/awsclient/awstest"
	"github.com/ipamorg/sdk/fsm"
	"github.com/ipamorg/sdk/ipamorg"
)

// The roles of the proof, and the names of the inline policies they hold
// (the audit log names the deciding statement "<policy>/<Sid>").
const (
	operatorRole = "IpamOperator" // in the management account
	proofAccess  = "IpamAccess"
	polMgmt      = "management"
	polAdmin     = "ipam-admin"
	polMember    = "member"
)

// orgShape is an organization the proof runs against.
type orgShape struct {
	name string
	ous  bool
}

var orgShapes = []orgShape{{"flat", false}, {"with OUs", true}}

// proofStart is where an operation starts from: the organization's
// state, set up before the audit log is emptied.
type proofStart struct {
	// admin is the delegated administrator the organization starts
	// integrated with (IPAMDelegatedAdmin), "" for none.
	admin string
	// setUp changes the emulator further, if set.
	setUp func(emu *awstest.Emulator)
}

var (
	atNone     = proofStart{}
	atTrusted  = proofStart{setUp: func(emu *awstest.Emulator) { setUp(emu, fsm.StateTrusted) }}
	atDisabled = proofStart{setUp: func(emu *awstest.Emulator) { setUp(emu, fsm.StateDisabled) }}
	atAdminA   = proofStart{admin: memberA}
	// atWrongPath: trusted access and the administrator registered
	// through Organizations, no AWSServiceRoleForIPAM anywhere.
	atWrongPath = proofStart{setUp: func(emu *awstest.Emulator) {
		emu.SetTrustedAccess(awstest.IPAMServicePrincipal, true)
		emu.SetDelegatedAdmins(awstest.IPAMServicePrincipal, memberA)
	}}
)

// proofOp is one operation of the proof, from its start.
type proofOp struct {
	name  string
	start proofStart
	// run runs the operation and returns its failures: its error, each
	// account's error, each check a dry run denied.
	run func(ctx context.Context, c *ipamorg.Client) []error
}

// proofCase is one choice of PolicyOptions and the operations it covers.
type proofCase struct {
	name string
	o    ipamorg.PolicyOptions
	ops  []proofOp
}

func one(err error) []error {
	if err != nil {
		return []error{err}
	}
	return nil
}

// observeAndPlan is what every policy covers: Observe, and a Plan toward
// a delegation (which reads the account to delegate to), from a start
// without AWSServiceRoleForIPAM and from one with it.
func observeAndPlan(from string, start proofStart) proofOp {
	return proofOp{"observe and plan from " + from, start, func(ctx context.Context, c *ipamorg.Client) []error {
		if _, err := c.Observe(ctx); err != nil {
			return one(err)
		}
		_, err := c.Plan(ctx, ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: memberA})
		return one(err)
	}}
}

var everyPolicyOps = []proofOp{observeAndPlan("none", atNone), observeAndPlan("trusted", atTrusted)}

func resultErr(_ *ipamorg.Result, err error) []error { return one(err) }

// The explicit calls, each from a state it takes one step (or, for
// Delegate from none, enable-trusted-access and delegate) from.
var (
	delegateFromNone = proofOp{"delegate from none", atNone, func(ctx context.Context, c *ipamorg.Client) []error {
		return resultErr(c.Delegate(ctx, memberA))
	}}
	delegateFromTrusted = proofOp{"delegate from trusted", atTrusted, func(ctx context.Context, c *ipamorg.Client) []error {
		return resultErr(c.Delegate(ctx, memberA))
	}}
	removeDelegate = proofOp{"remove-delegate", atAdminA, func(ctx context.Context, c *ipamorg.Client) []error {
		return resultErr(c.RemoveDelegate(ctx))
	}}
	disableTrusted = proofOp{"disable-trusted-access", atTrusted, func(ctx context.Context, c *ipamorg.Client) []error {
		return resultErr(c.DisableTrustedAccess(ctx))
	}}
	deleteSLR = proofOp{"delete-service-linked-role", atDisabled, func(ctx context.Context, c *ipamorg.Client) []error {
		return resultErr(c.DeleteServiceLinkedRole(ctx))
	}}
	repairDelegation = proofOp{"repair-delegation", atWrongPath, func(ctx context.Context, c *ipamorg.Client) []error {
		return resultErr(c.Delegate(ctx, memberA))
	}}
)

// monitored: memberA administers an IPAM that discovers the organization.
var monitored = proofStart{admin: memberA, setUp: func(emu *awstest.Emulator) {
	if _, err := emu.PutIPAM(awstest.IPAMSpec{Owner: memberA}); err != nil {
		panic(err)
	}
}}

var monitoringOps = []proofOp{
	{"monitoring", monitored, func(ctx context.Context, c *ipamorg.Client) []error {
		m, err := c.Monitoring(ctx)
		return append(one(err), deniedReads(m)...)
	}},
	{"wait-monitored", monitored, func(ctx context.Context, c *ipamorg.Client) []error {
		m, err := c.WaitMonitored(ctx)
		return append(one(err), deniedReads(m)...)
	}},
}

// verifyOp runs VerifyServiceLinkedRoles with o from start; its failures
// are its error and each account's.
func verifyOp(name string, start proofStart, o ipamorg.VerifyOptions) proofOp {
	return proofOp{name, start, func(ctx context.Context, c *ipamorg.Client) []error {
		r, err := c.VerifyServiceLinkedRoles(ctx, func(v *ipamorg.VerifyOptions) { *v = o })
		errs := one(err)
		if r != nil {
			for _, a := range r.Accounts {
				if a.Err != nil {
					errs = append(errs, a.Err)
				}
			}
		}
		return errs
	}}
}

var (
	// memberB lacks its role.
	verifyStart = proofStart{admin: memberA, setUp: func(emu *awstest.Emulator) { emu.DeleteIPAMRole(memberB) }}
	// The management account and memberB lack theirs.
	repairStart = proofStart{admin: memberA, setUp: func(emu *awstest.Emulator) {
		emu.DeleteIPAMRole(mgmt)
		emu.DeleteIPAMRole(memberB)
	}}
	// Torn down, the members' roles left behind.
	purgeStart = proofStart{setUp: func(emu *awstest.Emulator) {
		emu.PutRole(memberA, awstest.IPAMRoleName)
		emu.PutRole(memberB, awstest.IPAMRoleName)
	}}
)

// reconcileRoutes are the starts and desired states whose Reconcile the
// proof runs, each with the policy of its plan's events.
var reconcileRoutes = []struct {
	from    string
	start   proofStart
	desired ipamorg.Desired
}{
	{"none", atNone, ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: memberA}},
	{"trusted", atTrusted, ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: memberA}},
	{"trusted", atTrusted, ipamorg.Desired{State: fsm.StateNone}},
	{"delegated", atAdminA, ipamorg.Desired{State: fsm.StateNone}},
	{"delegated", atAdminA, ipamorg.Desired{State: fsm.StateDisabled}},
	{"delegated", atAdminA, ipamorg.Desired{State: fsm.StateTrusted}},
	{"delegated", atAdminA, ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: memberB, AllowReplace: true}},
	{"disabled", atDisabled, ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: memberA}},
	{"disabled", atDisabled, ipamorg.Desired{State: fsm.StateNone}},
	{"wrong path", atWrongPath, ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: memberA}},
	{"wrong path", atWrongPath, ipamorg.Desired{State: fsm.StateNone}},
}

func desiredName(d ipamorg.Desired) string {
	if d.DelegatedAdmin != "" {
		return string(d.State) + " " + d.DelegatedAdmin
	}
	return string(d.State)
}

// proofCases are the choices of PolicyOptions the proof covers, with their
// operations; every one covers observeAndPlan too.
func proofCases(t *testing.T) []proofCase {
	events := func(evs ...fsm.Event) ipamorg.PolicyOptions { return ipamorg.PolicyOptions{Events: evs} }
	cases := []proofCase{
		{"enable-trusted-access", events(fsm.EventEnableTrustedAccess), []proofOp{delegateFromNone}},
		{"delegate", events(fsm.EventDelegate), []proofOp{delegateFromTrusted, delegateFromNone}},
		{"remove-delegate", events(fsm.EventRemoveDelegate), []proofOp{removeDelegate}},
		{"disable-trusted-access", events(fsm.EventDisableTrustedAccess), []proofOp{disableTrusted}},
		{"delete-service-linked-role", events(fsm.EventDeleteServiceLinkedRole), []proofOp{deleteSLR}},
		{"repair-delegation", events(fsm.EventRepairDelegation), []proofOp{repairDelegation}},
		{"every event", events(fsm.Events()...), []proofOp{delegateFromNone, removeDelegate, disableTrusted, deleteSLR, repairDelegation}},
		{"observe", ipamorg.PolicyOptions{}, nil},
		{"monitoring", ipamorg.PolicyOptions{Monitoring: true}, monitoringOps},
		{"verify", ipamorg.PolicyOptions{Verify: &ipamorg.VerifyOptions{}}, []proofOp{verifyOp("verify", verifyStart, ipamorg.VerifyOptions{})}},
		{"verify --repair", ipamorg.PolicyOptions{Verify: &ipamorg.VerifyOptions{Repair: true}},
			[]proofOp{verifyOp("verify --repair", repairStart, ipamorg.VerifyOptions{Repair: true})}},
		{"verify --purge", ipamorg.PolicyOptions{Verify: &ipamorg.VerifyOptions{Purge: true}},
			[]proofOp{verifyOp("verify --purge", purgeStart, ipamorg.VerifyOptions{Purge: true})}},
	}
	for _, r := range reconcileRoutes {
		evs := plannedEvents(t, r.start, r.desired)
		if len(evs) == 0 {
			t.Fatalf("reconcile from %s to %s plans nothing", r.from, desiredName(r.desired))
		}
		d := r.desired
		name := fmt.Sprintf("reconcile %s to %s", r.from, desiredName(d))
		cases = append(cases, proofCase{name, events(evs...), []proofOp{{name, r.start, func(ctx context.Context, c *ipamorg.Client) []error {
			return resultErr(c.Reconcile(ctx, d))
		}}}})
		check := "check " + name
		cases = append(cases, proofCase{check, ipamorg.PolicyOptions{Events: evs, CheckOnly: true}, []proofOp{{check, r.start, func(ctx context.Context, c *ipamorg.Client) []error {
			return planAndCheck(ctx, c, d)
		}}}})
	}
	for i := range cases {
		cases[i].o.AccessRole = proofAccess
	}
	return cases
}

// planAndCheck plans toward d and checks the plan's permissions; its
// failures are its errors and the checks denied. (An inconclusive check is
// a dry run that IAM allowed and EC2 refused for another reason: the
// delegate of a replacement, while the old administrator is registered;
// the audit log shows IAM's decision.)
func planAndCheck(ctx context.Context, c *ipamorg.Client, d ipamorg.Desired) []error {
	p, err := c.Plan(ctx, d)
	if err != nil {
		return one(err)
	}
	r, err := c.CheckPermissions(ctx, p)
	errs := one(err)
	for _, ch := range r.Denied() {
		errs = append(errs, deniedCheck{ch})
	}
	return errs
}

// deniedCheck is a check that CheckPermissions reports denied.
type deniedCheck struct{ ipamorg.PermissionCheck }

// deniedRead is a warning of Monitoring that says AWS denied one of its
// reads, which it works around (exclusions it cannot read, a tree it
// cannot read): a failure of the operation, typed by its code, although
// Monitoring returns no error.
type deniedRead struct{ ipamorg.Warning }

func (d deniedRead) Error() string { return string(d.Code) + ": " + d.Message }

// deniedReads returns m's warnings of reads AWS denied.
func deniedReads(m *ipamorg.Monitoring) []error {
	if m == nil {
		return nil
	}
	var out []error
	for _, w := range m.Warnings {
		if w.Code == ipamorg.WarnExclusionsUnreadable || w.Code == ipamorg.WarnTreeReadDenied {
			out = append(out, deniedRead{w})
		}
	}
	return out
}

func (d deniedCheck) Error() string {
	return fmt.Sprintf("%s: %s: %s: %s", d.Event, d.Result, d.Code, d.Message)
}

// proofGroup is the choices of PolicyOptions that come to the same
// policies, and all their operations, everyPolicyOps first.
type proofGroup struct {
	name string
	p    ipamorg.Policies
	ops  []proofOp
}

func proofGroups(t *testing.T) []*proofGroup {
	var groups []*proofGroup
	for _, pc := range proofCases(t) {
		p := ipamorg.RequiredPolicies(func(o *ipamorg.PolicyOptions) { *o = pc.o })
		i := slices.IndexFunc(groups, func(g *proofGroup) bool { return g.p == p })
		if i < 0 {
			groups = append(groups, &proofGroup{name: pc.name, p: p, ops: slices.Clone(everyPolicyOps)})
			i = len(groups) - 1
		} else {
			groups[i].name += "; " + pc.name
		}
		groups[i].ops = append(groups[i].ops, pc.ops...)
	}
	return groups
}

// plannedEvents are the events of the plan from start to d, as the root
// user (unrestricted) plans them.
func plannedEvents(t *testing.T, start proofStart, d ipamorg.Desired) []fsm.Event {
	t.Helper()
	emu := proofEmulator(orgShapes[0], start, ipamorg.Policies{})
	p, err := memClient(t, emu).Plan(t.Context(), d)
	if err != nil {
		t.Fatalf("plan from %+v to %+v: %v", start, d, err)
	}
	return p.Events()
}

// proofEmulator is an emulator enforcing IAM over an organization of
// shape, at start, whose roles hold p: the management account's
// operatorRole p.Management, the access role in the administrator's
// account (memberA, and memberB for a replacement) p.IPAMAdmin and
// p.Member, in the other members p.Member. An empty document is no policy
// at all. The audit log is empty.
func proofEmulator(shape orgShape, start proofStart, p ipamorg.Policies) *awstest.Emulator {
	org := awstest.DefaultOrganization()
	if shape.ous {
		org.Members[1].OU = "Workloads/Prod"
		org.OUs = []string{"Sandbox"}
	}
	org.IPAMDelegatedAdmin = start.admin
	emu := awstest.New(awstest.WithIAMEnforcement(), awstest.WithOrganization(org))
	if start.setUp != nil {
		start.setUp(emu)
	}
	put := func(account, role, name, doc string) {
		if doc == "" {
			return
		}
		if err := emu.PutRolePolicy(account, role, name, doc); err != nil {
			panic(fmt.Sprintf("%s %s %s: %v\n%s", account, role, name, err, doc))
		}
	}
	emu.PutRole(mgmt, operatorRole)
	put(mgmt, operatorRole, polMgmt, p.Management)
	for _, m := range []string{memberA, memberB} {
		emu.PutRole(m, proofAccess)
		// Both members may be the administrator (a replacement
		// delegates memberB).
		put(m, proofAccess, polAdmin, p.IPAMAdmin)
		put(m, proofAccess, polMember, p.Member)
	}
	emu.ResetRequests()
	return emu
}

// operatorClient is a Client acting as a session of operatorRole, which
// reaches the other accounts through proofAccess; the AssumeRole that
// made the session is left out of the audit log.
func operatorClient(t *testing.T, emu *awstest.Emulator) *ipamorg.Client {
	t.Helper()
	ctx := t.Context()
	cfg := emu.Config(ctx, mgmt)
	out, err := sts.NewFromConfig(cfg).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::" + mgmt + ":role/" + operatorRole), RoleSessionName: aws.String("proof")})
	if err != nil {
		t.Fatal(err)
	}
	emu.ResetRequests()
	cfg.Credentials = credentials.NewStaticCredentialsProvider(aws.ToString(out.Credentials.AccessKeyId),
		aws.ToString(out.Credentials.SecretAccessKey), aws.ToString(out.Credentials.SessionToken))
	c, err := ipamorg.NewFromConfig(cfg, func(o *ipamorg.Options) { o.AccessRole = proofAccess })
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// runOp runs op in a fresh world of shape whose roles hold p, and
// returns its failures and the audit log.
func runOp(t *testing.T, shape orgShape, op proofOp, p ipamorg.Policies) (failures []error, audit []awstest.Request) {
	synctest.Test(t, func(t *testing.T) {
		emu := proofEmulator(shape, op.start, p)
		c := operatorClient(t, emu)
		ctx, cancel := context.WithTimeout(t.Context(), time.Hour)
		defer cancel()
		failures = op.run(ctx, c)
		audit = emu.Requests()
	})
	return failures, audit
}

// proofStatement is a statement of a recommended policy, as the proof
// reads it.
type proofStatement struct {
	Sid      string
	Effect   string
	Action   []string
	Resource []string
}

// statementsOf parses doc, whose Resource may be a string or a list.
func statementsOf(t *testing.T, doc string) []proofStatement {
	t.Helper()
	var p struct {
		Statement []struct {
			Sid, Effect string
			Action      []string
			Resource    json.RawMessage
		}
	}
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		t.Fatalf("not a policy: %v\n%s", err, doc)
	}
	out := make([]proofStatement, len(p.Statement))
	for i, st := range p.Statement {
		out[i] = proofStatement{Sid: st.Sid, Effect: st.Effect, Action: st.Action}
		var one string
		if json.Unmarshal(st.Resource, &one) == nil {
			out[i].Resource = []string{one}
		} else if err := json.Unmarshal(st.Resource, &out[i].Resource); err != nil {
			t.Fatalf("statement %s: Resource %s", st.Sid, st.Resource)
		}
		if st.Sid == "" || st.Effect != "Allow" || len(st.Action) == 0 || len(out[i].Resource) == 0 {
			t.Errorf("statement %+v", st)
		}
	}
	return out
}

// statementRef is one action, or one resource pattern, of one statement
// of one of the policies.
type statementRef struct{ policy, sid, action, resource string }

// grants lists, for every statement of p, by the name of the policy
// holding it, each of its actions (resource "") and each of its resource
// patterns (action "").
func grants(t *testing.T, p ipamorg.Policies) []statementRef {
	t.Helper()
	var out []statementRef
	for _, doc := range []struct{ name, doc string }{{polMgmt, p.Management}, {polAdmin, p.IPAMAdmin}, {polMember, p.Member}} {
		if doc.doc == "" {
			continue
		}
		for _, st := range statementsOf(t, doc.doc) {
			for _, a := range st.Action {
				out = append(out, statementRef{policy: doc.name, sid: st.Sid, action: a})
			}
			for _, r := range st.Resource {
				out = append(out, statementRef{policy: doc.name, sid: st.Sid, resource: r})
			}
		}
	}
	return out
}

// uses records what the allowed evaluations of audit used: each
// statement's actions, and which of its resource patterns matched.
func uses(t *testing.T, p ipamorg.Policies, audit []awstest.Request, used map[statementRef]bool) {
	patterns := map[[2]string][]string{} // policy, sid: resource patterns
	for _, g := range grants(t, p) {
		if g.resource != "" {
			k := [2]string{g.policy, g.sid}
			patterns[k] = append(patterns[k], g.resource)
		}
	}
	for _, r := range audit {
		for _, ev := range r.Evaluations {
			policy, sid, ok := strings.Cut(ev.Statement, "/")
			if !ok || ev.Decision != awstest.DecisionAllowed {
				continue
			}
			used[statementRef{policy: policy, sid: sid, action: ev.Action}] = true
			for _, pat := range patterns[[2]string{policy, sid}] {
				if arnMatches(pat, ev.Resource) {
					used[statementRef{policy: policy, sid: sid, resource: pat}] = true
				}
			}
		}
	}
}

// arnMatches matches resource against an IAM ARN pattern, whose "*" is any
// run of characters and "?" any one (IAM User Guide, "IAM JSON policy
// elements: Resource").
func arnMatches(pattern, resource string) bool {
	var re strings.Builder
	re.WriteString(`\A`)
	for _, c := range pattern {
		switch c {
		case '*':
			re.WriteString(".*")
		case '?':
			re.WriteString(".")
		default:
			re.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	re.WriteString(`\z`)
	return regexp.MustCompile(re.String()).MatchString(resource)
}

// TestRequiredPoliciesProved: for every choice of PolicyOptions, its
// policies are sufficient for its operations (each succeeds, nothing is
// denied) and hold nothing they do not use: each action of each statement
// was allowed by that statement, in the operations of the choices that
// come to the same policies; and each resource pattern of each statement
// matched a resource it allowed, in some choice's operations.
func TestRequiredPoliciesProved(t *testing.T) {
	t.Parallel() // see harness_test.go
	usedAnywhere := map[statementRef]bool{}
	var all []statementRef
	for _, g := range proofGroups(t) {
		t.Run(g.name, func(t *testing.T) {
			used := map[statementRef]bool{}
			for _, shape := range orgShapes {
				for _, op := range g.ops {
					failures, audit := runOp(t, shape, op, g.p)
					for _, err := range failures {
						t.Errorf("%s, %s: %v", shape.name, op.name, err)
					}
					for _, r := range audit {
						if r.Decision != awstest.DecisionAllowed {
							t.Errorf("%s, %s: %s in %s: %s (%+v)", shape.name, op.name, r.Action, r.Account, orNone(r.Decision), r.Evaluations)
						}
					}
					uses(t, g.p, audit, used)
				}
			}
			for _, gr := range grants(t, g.p) {
				if gr.action != "" && !used[gr] {
					t.Errorf("%s/%s grants %s, which no operation used", gr.policy, gr.sid, gr.action)
				}
				usedAnywhere[gr] = usedAnywhere[gr] || used[gr]
				all = append(all, gr)
			}
			if t.Failed() {
				t.Logf("management:\n%s\nipam admin:\n%s\nmember:\n%s", g.p.Management, g.p.IPAMAdmin, g.p.Member)
			}
		})
	}
	for _, gr := range all {
		if gr.resource != "" && !usedAnywhere[gr] {
			t.Errorf("%s/%s grants on %s, which no operation used", gr.policy, gr.sid, gr.resource)
			usedAnywhere[gr] = true // once
		}
	}
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// accessDenial reports whether err is an *ipamorg.Error with a Kind that
// wraps AWS's denial, or a check CheckPermissions reports denied with
// EC2's code.
func accessDenial(err error) bool {
	if d, ok := err.(deniedCheck); ok {
		return d.Code == "UnauthorizedOperation"
	}
	if _, ok := err.(deniedRead); ok {
		return true
	}
	var e *ipamorg.Error
	var ae smithy.APIError
	if !errors.As(err, &e) || e.Kind == nil || !errors.As(err, &ae) {
		return false
	}
	return slices.Contains([]string{"AccessDeniedException", "UnauthorizedOperation", "AccessDenied"}, ae.ErrorCode())
}

// withoutStatement returns doc without its statement i; "" when none is
// left.
func withoutStatement(t *testing.T, doc string, i int) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(doc), &m); err != nil {
		t.Fatal(err)
	}
	sts := m["Statement"].([]any)
	if len(sts) == 1 {
		return ""
	}
	m["Statement"] = slices.Delete(slices.Clone(sts), i, i+1)
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestRequiredPoliciesEachStatementNeeded: without any one statement of
// a recommended policy, one of the operations it covers fails with a
// typed error wrapping AWS's denial.
func TestRequiredPoliciesEachStatementNeeded(t *testing.T) {
	t.Parallel() // see harness_test.go
	for _, g := range proofGroups(t) {
		t.Run(g.name, func(t *testing.T) {
			for _, side := range []struct {
				name string
				doc  *string
			}{{polMgmt, &g.p.Management}, {polAdmin, &g.p.IPAMAdmin}, {polMember, &g.p.Member}} {
				if *side.doc == "" {
					continue
				}
				for i, st := range statementsOf(t, *side.doc) {
					reduced := g.p
					switch side.name {
					case polMgmt:
						reduced.Management = withoutStatement(t, g.p.Management, i)
					case polAdmin:
						reduced.IPAMAdmin = withoutStatement(t, g.p.IPAMAdmin, i)
					default:
						reduced.Member = withoutStatement(t, g.p.Member, i)
					}
					if !failsTyped(t, g.ops, reduced) {
						t.Errorf("without %s/%s (%v), every operation succeeded or failed untyped", side.name, st.Sid, st.Action)
					}
				}
			}
		})
	}
}

// failsTyped reports whether one of ops, in one of the shapes, fails with
// a typed error wrapping AWS's denial under p.
func failsTyped(t *testing.T, ops []proofOp, p ipamorg.Policies) bool {
	for _, shape := range orgShapes {
		for _, op := range ops {
			failures, _ := runOp(t, shape, op, p)
			if slices.ContainsFunc(failures, accessDenial) {
				return true
			}
		}
	}
	return false
}

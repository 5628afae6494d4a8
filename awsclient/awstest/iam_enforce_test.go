package awstest_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/ipamorg/sdk/awsclient/awstest"
)

// session assumes roleARN with from's credentials, with a session policy
// unless it is "", and returns the session's clients.
func session(t *testing.T, srv *awstest.Server, from clients, roleARN, policy string) clients {
	t.Helper()
	in := &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("test")}
	if policy != "" {
		in.Policy = aws.String(policy)
	}
	out := must[*sts.AssumeRoleOutput](t)(from.sts.AssumeRole(t.Context(), in))
	cfg := noRetry(srv.Config(t.Context(), mgmt))
	cfg.Credentials = credentials.NewStaticCredentialsProvider(aws.ToString(out.Credentials.AccessKeyId),
		aws.ToString(out.Credentials.SecretAccessKey), aws.ToString(out.Credentials.SessionToken))
	return newClients(cfg)
}

// last is the newest request of the audit log.
func last(srv *awstest.Server) awstest.Request {
	reqs := srv.Requests()
	return reqs[len(reqs)-1]
}

// wantDecision fails unless the newest request was decided so.
func wantDecision(t *testing.T, srv *awstest.Server, decision, statement string) awstest.Request {
	t.Helper()
	r := last(srv)
	if r.Decision != decision || r.DecidingStatement != statement {
		t.Fatalf("%s: decision %q by %q, want %q by %q", r.Operation, r.Decision, r.DecidingStatement, decision, statement)
	}
	return r
}

// operatorServer enforces IAM on the default organization, with a role
// Operator in the management account holding policy.
func operatorServer(t *testing.T, policy string) (*awstest.Server, clients, clients) {
	t.Helper()
	org := awstest.DefaultOrganization()
	org.ManagementAccount.Roles = []string{"Operator"}
	org.ManagementAccount.Policies = map[string][]awstest.InlinePolicy{"Operator": {{Name: "ops", Document: awstest.PolicyDocument(policy)}}}
	srv, root := startServer(t, awstest.WithIAMEnforcement(), awstest.WithOrganization(org))
	return srv, root, session(t, srv, root, roleARN(mgmt, "Operator"), "")
}

// Off, the default: policies are kept but not evaluated, and the audit
// log has no decision.
func TestIAMEnforcementOffByDefault(t *testing.T) {
	srv, c := startServer(t)
	srv.PutRole(mgmt, "Operator")
	must[any](t)(nil, srv.PutRolePolicy(mgmt, "Operator", "none", `{"Statement":{"Effect":"Deny","Action":"*","Resource":"*"}}`))
	op := session(t, srv, c, roleARN(mgmt, "Operator"), "")
	must[*organizations.DescribeOrganizationOutput](t)(op.org.DescribeOrganization(t.Context(), &organizations.DescribeOrganizationInput{}))
	if r := last(srv); r.Decision != "" || r.DecidingStatement != "" || r.Evaluations != nil {
		t.Fatalf("audit = %+v", r)
	}
}

// An account's long-term key acts as its root user: no identity policy
// restricts it.
func TestRootUserIsUnrestricted(t *testing.T) {
	srv, c := startServer(t, awstest.WithIAMEnforcement())
	ctx := t.Context()
	must[*organizations.DescribeOrganizationOutput](t)(c.org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{}))
	r := wantDecision(t, srv, awstest.DecisionAllowed, awstest.DecidedByRoot)
	if want := []awstest.Evaluation{{Action: "organizations:DescribeOrganization", Resource: "*", Decision: awstest.DecisionAllowed, Statement: awstest.DecidedByRoot}}; !reflect.DeepEqual(r.Evaluations, want) {
		t.Fatalf("evaluations = %+v", r.Evaluations)
	}
	must[*ec2.EnableIpamOrganizationAdminAccountOutput](t)(enableIPAM(ctx, c, member1))
	r = wantDecision(t, srv, awstest.DecisionAllowed, awstest.DecidedByRoot)
	if len(r.Evaluations) != 4 {
		t.Fatalf("evaluations = %+v", r.Evaluations)
	}
}

// A denial in each service's own shape, with IAM's message, and the
// statement that decided in the audit log.
func TestDenialsPerService(t *testing.T) {
	srv, _, op := operatorServer(t, `{"Version":"2012-10-17","Statement":[
		{"Sid":"Read","Effect":"Allow","Action":["organizations:Describe*","organizations:List*"],"Resource":"*"},
		{"Sid":"NoRoots","Effect":"Deny","Action":"organizations:ListRoots","Resource":"*"},
		{"Sid":"Member1","Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::222222222222:role/OrganizationAccountAccessRole"},
		{"Sid":"RegionsInEurope","Effect":"Allow","Action":"ec2:DescribeRegions","Resource":"*","Condition":{"StringLike":{"aws:RequestedRegion":"eu-*"}}},
		{"Sid":"Everything","Effect":"Deny","NotAction":["organizations:*","sts:*","ec2:DescribeRegions"],"Resource":"*"}]}`)
	ctx := t.Context()
	self := "arn:aws:sts::" + mgmt + ":assumed-role/Operator/test"

	must[*organizations.DescribeOrganizationOutput](t)(op.org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{}))
	wantDecision(t, srv, awstest.DecisionAllowed, "ops/Read")

	_, err := op.org.ListRoots(ctx, &organizations.ListRootsInput{})
	ae := wantCode(t, err, "AccessDeniedException")
	wantStatus(t, err, 400)
	if want := "User: " + self + " is not authorized to perform: organizations:ListRoots on resource: * with an explicit deny in an identity-based policy"; ae.ErrorMessage() != want {
		t.Fatalf("message %q, want %q", ae.ErrorMessage(), want)
	}
	wantDecision(t, srv, awstest.DecisionExplicitDeny, "ops/NoRoots")

	_, err = op.ec2.DescribeIpams(ctx, &ec2.DescribeIpamsInput{})
	ae = wantCode(t, err, "UnauthorizedOperation")
	wantStatus(t, err, 403)
	msg, encoded, found := strings.Cut(ae.ErrorMessage(), ". Encoded authorization failure message: ")
	var decoded struct {
		ExplicitDeny bool `json:"explicitDeny"`
		Context      struct {
			Action string `json:"action"`
		} `json:"context"`
	}
	raw, derr := base64.RawURLEncoding.DecodeString(encoded)
	if !found || derr != nil || json.Unmarshal(raw, &decoded) != nil || !decoded.ExplicitDeny || decoded.Context.Action != "ec2:DescribeIpams" ||
		msg != "You are not authorized to perform this operation. User: "+self+" is not authorized to perform: ec2:DescribeIpams on resource: * with an explicit deny in an identity-based policy" {
		t.Fatalf("message %q (decoded %s)", ae.ErrorMessage(), raw)
	}
	wantDecision(t, srv, awstest.DecisionExplicitDeny, "ops/Everything")

	// A condition on the Region the request is signed for.
	_, err = op.ec2.DescribeRegions(ctx, &ec2.DescribeRegionsInput{})
	wantCode(t, err, "UnauthorizedOperation")
	wantDecision(t, srv, awstest.DecisionImplicitDeny, "")
	must[*ec2.DescribeRegionsOutput](t)(op.ec2.DescribeRegions(ctx, &ec2.DescribeRegionsInput{}, func(o *ec2.Options) { o.Region = "eu-west-1" }))
	wantDecision(t, srv, awstest.DecisionAllowed, "ops/RegionsInEurope")

	_, err = getRole(ctx, op, "Operator")
	ae = wantCode(t, err, "AccessDenied")
	wantStatus(t, err, 403)
	if !strings.Contains(ae.ErrorMessage(), "iam:GetRole on resource: arn:aws:iam::"+mgmt+":role/Operator with an explicit deny") {
		t.Fatalf("message %q", ae.ErrorMessage())
	}

	// sts:AssumeRole is authorized on the role's ARN.
	session(t, srv, op, roleARN(member1, awstest.OrganizationAccessRoleName), "")
	wantDecision(t, srv, awstest.DecisionAllowed, "ops/Member1")
	_, err = op.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN(member2, awstest.OrganizationAccessRoleName)), RoleSessionName: aws.String("x1")})
	ae = wantCode(t, err, "AccessDenied")
	wantStatus(t, err, 403)
	if want := "User: " + self + " is not authorized to perform: sts:AssumeRole on resource: " + roleARN(member2, awstest.OrganizationAccessRoleName) +
		" because no identity-based policy allows the sts:AssumeRole action"; ae.ErrorMessage() != want {
		t.Fatalf("message %q, want %q", ae.ErrorMessage(), want)
	}

	// sts:GetCallerIdentity needs no permission, even under a Deny.
	must[*stsIdentity](t)(callerIdentity(t, op))
	wantDecision(t, srv, awstest.DecisionAllowed, "")

	// A denied write writes nothing.
	_, err = op.org.EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("config.amazonaws.com")})
	wantCode(t, err, "AccessDeniedException")
	wantDecision(t, srv, awstest.DecisionImplicitDeny, "")
	if len(srv.Snapshot().TrustedServices) != 0 {
		t.Fatal("a denied EnableAWSServiceAccess enabled trusted access")
	}
}

// A role without policies is denied everything; OrganizationAccountAccessRole
// has AdministratorAccess until it is given a policy, and does not get it
// back when the policy goes.
func TestRolesWithoutPolicies(t *testing.T) {
	srv, c := startServer(t, awstest.WithIAMEnforcement())
	ctx := t.Context()
	srv.PutRole(mgmt, "Empty")
	empty := session(t, srv, c, roleARN(mgmt, "Empty"), "")
	_, err := empty.org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	wantCode(t, err, "AccessDeniedException")
	wantDecision(t, srv, awstest.DecisionImplicitDeny, "")

	oaar := session(t, srv, c, roleARN(member1, awstest.OrganizationAccessRoleName), "")
	must[*organizations.DescribeOrganizationOutput](t)(oaar.org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{}))
	wantDecision(t, srv, awstest.DecisionAllowed, "AdministratorAccess/[0]")

	must[any](t)(nil, putPolicy(t, as(srv, t, member1), awstest.OrganizationAccessRoleName, "describe", describeOnly))
	_, err = oaar.org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	wantCode(t, err, "AccessDeniedException")
	must[*ec2.DescribeRegionsOutput](t)(oaar.ec2.DescribeRegions(ctx, &ec2.DescribeRegionsInput{}))
	wantDecision(t, srv, awstest.DecisionAllowed, "describe/Describe")

	must[*iam.DeleteRolePolicyOutput](t)(as(srv, t, member1).iam.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{
		RoleName: aws.String(awstest.OrganizationAccessRoleName), PolicyName: aws.String("describe")}))
	_, err = oaar.ec2.DescribeRegions(ctx, &ec2.DescribeRegionsInput{})
	wantCode(t, err, "UnauthorizedOperation")

	// Reset gives it AdministratorAccess again.
	srv.Reset()
	must[*ec2.DescribeRegionsOutput](t)(oaar.ec2.DescribeRegions(ctx, &ec2.DescribeRegionsInput{}))
}

// A session is allowed what both its role and its session policy allow.
func TestSessionPolicyIntersection(t *testing.T) {
	srv, c := startServer(t, awstest.WithIAMEnforcement())
	ctx := t.Context()
	s := session(t, srv, c, roleARN(member1, awstest.OrganizationAccessRoleName), `{"Version":"2012-10-17","Statement":[
		{"Sid":"Describe","Effect":"Allow","Action":"ec2:Describe*","Resource":"*"},
		{"Sid":"NoRegions","Effect":"Deny","Action":"ec2:DescribeRegions","Resource":"*"}]}`)
	must[*ec2.DescribeIpamsOutput](t)(s.ec2.DescribeIpams(ctx, &ec2.DescribeIpamsInput{}))
	wantDecision(t, srv, awstest.DecisionAllowed, "AdministratorAccess/[0]")

	_, err := s.ec2.DescribeRegions(ctx, &ec2.DescribeRegionsInput{})
	ae := wantCode(t, err, "UnauthorizedOperation")
	if !strings.Contains(ae.ErrorMessage(), "with an explicit deny in a session policy") {
		t.Fatalf("message %q", ae.ErrorMessage())
	}
	wantDecision(t, srv, awstest.DecisionExplicitDeny, "session-policy/NoRegions")

	_, err = s.org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	ae = wantCode(t, err, "AccessDeniedException")
	if !strings.Contains(ae.ErrorMessage(), "because no session policy allows the organizations:DescribeOrganization action") {
		t.Fatalf("message %q", ae.ErrorMessage())
	}
	wantDecision(t, srv, awstest.DecisionImplicitDeny, "")

	// The role's own limits still hold: the session policy grants nothing.
	must[any](t)(nil, srv.PutRolePolicy(member1, awstest.OrganizationAccessRoleName, "regions", `{"Statement":{"Effect":"Allow","Action":"ec2:DescribeRegions","Resource":"*"}}`))
	_, err = s.ec2.DescribeIpams(ctx, &ec2.DescribeIpamsInput{})
	ae = wantCode(t, err, "UnauthorizedOperation")
	if !strings.Contains(ae.ErrorMessage(), "because no identity-based policy allows") {
		t.Fatalf("message %q", ae.ErrorMessage())
	}

	// With enforcement on, a session policy is validated as IAM validates
	// a policy; off, as before.
	bad := `{"Statement":{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*","Principal":"*"}}`
	_, err = c.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN(member1, awstest.OrganizationAccessRoleName)), RoleSessionName: aws.String("x1"), Policy: aws.String(bad)})
	wantCode(t, err, "MalformedPolicyDocument")
	wantStatus(t, err, 400)
	off, offc := startServer(t)
	session(t, off, offc, roleARN(member1, awstest.OrganizationAccessRoleName), bad)
}

// EC2's DryRun: DryRunOperation when the action is allowed,
// UnauthorizedOperation when not. A dry run checks only EC2's own action;
// the call itself also needs what EC2 does with the caller's permissions.
func TestDryRunAndDependentActions(t *testing.T) {
	enableOnly := `{"Statement":{"Sid":"Enable","Effect":"Allow","Action":"ec2:EnableIpamOrganizationAdminAccount","Resource":"*"}}`
	srv, _, op := operatorServer(t, enableOnly)
	ctx := t.Context()
	dry := &ec2.EnableIpamOrganizationAdminAccountInput{DelegatedAdminAccountId: aws.String(member1), DryRun: aws.Bool(true)}
	_, err := op.ec2.EnableIpamOrganizationAdminAccount(ctx, dry)
	wantCode(t, err, "DryRunOperation")
	if r := wantDecision(t, srv, awstest.DecisionAllowed, "ops/Enable"); !r.DryRun || len(r.Evaluations) != 1 {
		t.Fatalf("audit = %+v", r)
	}

	_, err = enableIPAM(ctx, op, member1)
	ae := wantCode(t, err, "UnauthorizedOperation")
	if !strings.Contains(ae.ErrorMessage(), "organizations:EnableAWSServiceAccess on resource: *") {
		t.Fatalf("message %q", ae.ErrorMessage())
	}
	r := wantDecision(t, srv, awstest.DecisionImplicitDeny, "")
	if want := []awstest.Evaluation{
		{Action: "ec2:EnableIpamOrganizationAdminAccount", Resource: "*", Decision: awstest.DecisionAllowed, Statement: "ops/Enable"},
		{Action: "organizations:EnableAWSServiceAccess", Resource: "*", Decision: awstest.DecisionImplicitDeny},
	}; !reflect.DeepEqual(r.Evaluations, want) {
		t.Fatalf("evaluations = %+v", r.Evaluations)
	}
	if st := srv.Snapshot(); len(st.TrustedServices) != 0 || len(st.DelegatedAdmins) != 0 {
		t.Fatalf("a denied call wrote: %+v", st)
	}

	// Without the EC2 action, the dry run is refused too.
	must[any](t)(nil, srv.PutRolePolicy(mgmt, "Operator", "ops", describeOnly))
	_, err = op.ec2.EnableIpamOrganizationAdminAccount(ctx, dry)
	wantCode(t, err, "UnauthorizedOperation")
	wantStatus(t, err, 403)
	if r := wantDecision(t, srv, awstest.DecisionImplicitDeny, ""); !r.DryRun {
		t.Fatalf("audit = %+v", r)
	}

	// The policy AWS documents for delegating, with the conditions that
	// narrow it to IPAM; a condition naming another service denies.
	full := `{"Version":"2012-10-17","Statement":[
		{"Sid":"Delegate","Effect":"Allow","Action":"ec2:EnableIpamOrganizationAdminAccount","Resource":"*"},
		{"Sid":"Trust","Effect":"Allow","Action":["organizations:EnableAWSServiceAccess","organizations:RegisterDelegatedAdministrator"],"Resource":"*",
		 "Condition":{"StringEquals":{"organizations:ServicePrincipal":"%s"}}},
		{"Sid":"Role","Effect":"Allow","Action":"iam:CreateServiceLinkedRole","Resource":"arn:aws:iam::*:role/aws-service-role/ipam.amazonaws.com/AWSServiceRoleForIPAM",
		 "Condition":{"StringEquals":{"iam:AWSServiceName":"ipam.amazonaws.com"}}}]}`
	must[any](t)(nil, srv.PutRolePolicy(mgmt, "Operator", "ops", strings.Replace(full, "%s", "config.amazonaws.com", 1)))
	_, err = enableIPAM(ctx, op, member1)
	wantCode(t, err, "UnauthorizedOperation")
	must[any](t)(nil, srv.PutRolePolicy(mgmt, "Operator", "ops", strings.Replace(full, "%s", ipam, 1)))
	must[*ec2.EnableIpamOrganizationAdminAccountOutput](t)(enableIPAM(ctx, op, member1))
	r = wantDecision(t, srv, awstest.DecisionAllowed, "ops/Delegate")
	var got []string
	for _, ev := range r.Evaluations {
		got = append(got, ev.Action+" "+ev.Resource+" "+ev.Statement)
	}
	if want := []string{
		"ec2:EnableIpamOrganizationAdminAccount * ops/Delegate",
		"organizations:EnableAWSServiceAccess * ops/Trust",
		"organizations:RegisterDelegatedAdministrator arn:aws:organizations::" + mgmt + ":account/" + orgID(t, srv) + "/" + member1 + " ops/Trust",
		"iam:CreateServiceLinkedRole arn:aws:iam::" + mgmt + ":role/aws-service-role/ipam.amazonaws.com/AWSServiceRoleForIPAM ops/Role",
	}; !reflect.DeepEqual(got, want) {
		t.Fatalf("evaluations:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// Removing the admin needs organizations:DeregisterDelegatedAdministrator.
	must[any](t)(nil, srv.PutRolePolicy(mgmt, "Operator", "ops", `{"Statement":{"Effect":"Allow","Action":"ec2:DisableIpamOrganizationAdminAccount","Resource":"*"}}`))
	_, err = disableIPAM(ctx, op, member1)
	ae = wantCode(t, err, "UnauthorizedOperation")
	if !strings.Contains(ae.ErrorMessage(), "organizations:DeregisterDelegatedAdministrator on resource: arn:aws:organizations::") {
		t.Fatalf("message %q", ae.ErrorMessage())
	}
}

// CreateIpam creates AWSServiceRoleForIPAM when it is missing, with the
// caller's permissions: only then is iam:CreateServiceLinkedRole needed.
func TestCreateIpamNeedsCreateServiceLinkedRoleWhenTheRoleIsMissing(t *testing.T) {
	srv, c := startServer(t, awstest.WithIAMEnforcement())
	ctx := t.Context()
	must[any](t)(nil, srv.PutRolePolicy(member1, awstest.OrganizationAccessRoleName, "ipam", `{"Statement":{"Effect":"Allow","Action":"ec2:CreateIpam","Resource":"arn:aws:ec2::*:ipam/*"}}`))
	s := session(t, srv, c, roleARN(member1, awstest.OrganizationAccessRoleName), "")
	_, err := s.ec2.CreateIpam(ctx, &ec2.CreateIpamInput{})
	ae := wantCode(t, err, "UnauthorizedOperation")
	if !strings.Contains(ae.ErrorMessage(), "iam:CreateServiceLinkedRole on resource: arn:aws:iam::"+member1+":role/aws-service-role/ipam.amazonaws.com/AWSServiceRoleForIPAM") {
		t.Fatalf("message %q", ae.ErrorMessage())
	}
	srv.PutRole(member1, awstest.IPAMRoleName)
	must[*ec2.CreateIpamOutput](t)(s.ec2.CreateIpam(ctx, &ec2.CreateIpamInput{}))
	if r := wantDecision(t, srv, awstest.DecisionAllowed, "ipam/[0]"); r.Evaluations[0].Resource != "arn:aws:ec2::"+member1+":ipam/*" {
		t.Fatalf("evaluations = %+v", r.Evaluations)
	}
}

// The control plane's audit log carries the decision.
func TestAuditJSONHasDecisions(t *testing.T) {
	srv, _, op := operatorServer(t, describeOnly)
	_, err := op.org.ListRoots(t.Context(), &organizations.ListRootsInput{})
	wantCode(t, err, "AccessDeniedException")
	resp, err := http.Get(srv.URL + "/_awstest/audit")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var audit []map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&audit); err != nil {
		t.Fatal(err)
	}
	r := audit[len(audit)-1]
	evs, _ := r["evaluations"].([]any)
	ev, _ := evs[0].(map[string]any)
	if r["operation"] != "ListRoots" || r["decision"] != awstest.DecisionImplicitDeny || len(evs) != 1 ||
		ev["action"] != "organizations:ListRoots" || ev["resource"] != "*" || ev["decision"] != awstest.DecisionImplicitDeny {
		t.Fatalf("audit record = %v", r)
	}
	if r := audit[0]; r["decision"] != awstest.DecisionAllowed || r["decidingStatement"] != awstest.DecidedByRoot {
		t.Fatalf("the AssumeRole record = %v", r)
	}
}

// orgID is the organization's id.
func orgID(t *testing.T, srv *awstest.Server) string {
	t.Helper()
	return srv.Snapshot().OrganizationID
}

// The sample scenario examples/emulator/iam-policies.json, which
// .ci/interop serves with --enforce-iam, decides as it says.
func TestSampleIAMPolicies(t *testing.T) {
	s, err := awstest.LoadScenario(filepath.Join("..", "..", "examples", "emulator", "iam-policies.json"))
	if err != nil {
		t.Fatal(err)
	}
	srv, c := startServer(t, awstest.WithIAMEnforcement(), awstest.WithScenario(*s))
	ctx := t.Context()
	reader := session(t, srv, c, roleARN(mgmt, "IpamReader"), "")
	must[*organizations.ListAccountsOutput](t)(reader.org.ListAccounts(ctx, &organizations.ListAccountsInput{}))
	wantDecision(t, srv, awstest.DecisionAllowed, "read-organization/ReadOrganization")
	_, err = reader.org.ListRoots(ctx, &organizations.ListRootsInput{})
	wantCode(t, err, "AccessDeniedException")
	wantDecision(t, srv, awstest.DecisionExplicitDeny, "read-organization/NoRoots")
	_, err = reader.iam.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String("IpamReader")})
	wantCode(t, err, "AccessDenied")

	network := session(t, srv, reader, roleARN(member1, awstest.OrganizationAccessRoleName), "")
	wantDecision(t, srv, awstest.DecisionAllowed, "read-organization/AssumeMemberRoles")
	_, err = network.ec2.DescribeRegions(ctx, &ec2.DescribeRegionsInput{})
	wantCode(t, err, "UnauthorizedOperation")
	must[*ec2.DescribeRegionsOutput](t)(network.ec2.DescribeRegions(ctx, &ec2.DescribeRegionsInput{}, func(o *ec2.Options) { o.Region = "eu-west-1" }))
	wantDecision(t, srv, awstest.DecisionAllowed, "ec2-read/DescribeInEurope")

	workloads := session(t, srv, reader, roleARN(member2, awstest.OrganizationAccessRoleName), "")
	must[*organizations.DescribeOrganizationOutput](t)(workloads.org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{}))
	wantDecision(t, srv, awstest.DecisionAllowed, "AdministratorAccess/[0]")
}

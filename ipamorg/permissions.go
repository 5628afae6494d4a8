package ipamorg

import (
	"context"
	"encoding/json"
	"regexp"
	"slices"
	"strings"

	"github.com/ipamorg/sdk/fsm"
)

// roleARNPattern matches AWSServiceRoleForIPAM in any account, and
// roleARNNoPath the ARN that IAM authorizes an action on the role by while
// the role does not exist. Assumption (docs/permissions.md): IAM knows no
// path for a role it does not have. Both are written in the aws
// partition; RequiredPolicies puts them in the caller's.
const (
	roleARNPattern = "arn:aws:iam::*:role/aws-service-role/ipam.amazonaws.com/AWSServiceRoleForIPAM"
	roleARNNoPath  = "arn:aws:iam::*:role/AWSServiceRoleForIPAM"
)

// observeActions are the reads of Observe and Plan, which every policy
// covers: Plan toward a delegation also reads the account to delegate to
// (organizations:DescribeAccount). sts:GetCallerIdentity needs no
// permission (STS API Reference), and iam:GetRole is granted on the role
// only (readRoleStatement).
var observeActions = []string{
	"organizations:DescribeAccount",
	"organizations:DescribeOrganization",
	"organizations:ListAWSServiceAccessForOrganization",
	"organizations:ListDelegatedAdministrators",
}

// policyStatement is one statement of an IAM policy document.
type policyStatement struct {
	Sid       string
	Effect    string
	Action    []string
	Resource  string
	Condition map[string]map[string]string
	// alsoResources are further ARN patterns of Resource.
	alsoResources []string
}

// MarshalJSON writes the statement with its Resource a string, or a list
// when it has alsoResources.
func (s policyStatement) MarshalJSON() ([]byte, error) {
	var res any = s.Resource
	if len(s.alsoResources) > 0 {
		res = append([]string{s.Resource}, s.alsoResources...)
	}
	return json.Marshal(struct {
		Sid       string                       `json:"Sid"`
		Effect    string                       `json:"Effect"`
		Action    []string                     `json:"Action"`
		Resource  any                          `json:"Resource"`
		Condition map[string]map[string]string `json:"Condition,omitempty"`
	}{s.Sid, s.Effect, s.Action, res, s.Condition})
}

// readRoleStatement reads AWSServiceRoleForIPAM (iam:GetRole), whether or
// not it exists.
func readRoleStatement(sid string) policyStatement {
	return policyStatement{Sid: sid, Effect: "Allow", Resource: roleARNPattern, alsoResources: []string{roleARNNoPath}, Action: []string{"iam:GetRole"}}
}

// The statements of the access role in the delegated administrator's
// account. EC2's Describe and Get actions take no resource-level
// permissions, hence "*".
var (
	// readAdminIPAMsStatement: the reads that find the administrator's
	// IPAMs, for Monitoring and the guard before removing it.
	readAdminIPAMsStatement = policyStatement{
		Sid: "IpamReadAdminIpams", Effect: "Allow", Resource: "*",
		Action: []string{"ec2:DescribeIpams", "ec2:DescribeRegions"},
	}
	// readDiscoveryStatement: Monitoring's read of what each IPAM
	// discovered.
	readDiscoveryStatement = policyStatement{
		Sid: "IpamReadDiscoveredAccounts", Effect: "Allow", Resource: "*",
		Action: []string{"ec2:GetIpamDiscoveredAccounts"},
	}
	// readResourceDiscoveriesStatement: Monitoring's reads of the
	// resource discoveries associated with each IPAM and their OU
	// exclusions, which only the IPAM's account may view.
	readResourceDiscoveriesStatement = policyStatement{
		Sid: "IpamReadResourceDiscoveries", Effect: "Allow", Resource: "*",
		Action: []string{"ec2:DescribeIpamResourceDiscoveries", "ec2:DescribeIpamResourceDiscoveryAssociations"},
	}
)

// listAccountsStatement is the listing of the organization's accounts
// (internal/orglist): its tree when it has OUs, organizations:ListAccounts
// otherwise. One statement, because the listing needs either: without the
// tree's reads it falls back to ListAccounts, slowly, with a warning
// (WarnTreeReadDenied).
var listAccountsStatement = policyStatement{
	Sid: "IpamListAccounts", Effect: "Allow", Resource: "*",
	Action: []string{
		"organizations:ListAccounts",
		"organizations:ListAccountsForParent",
		"organizations:ListOrganizationalUnitsForParent",
		"organizations:ListRoots",
	},
}

// Policies are least-privilege IAM policy documents (JSON, Version
// 2012-10-17), one for each kind of account that the operations chosen
// (see PolicyOptions) act in; "" for an account they need nothing in.
//
// They are proved against the emulator's IAM policy evaluation
// (awstest.WithIAMEnforcement), the management account's principal a
// role's session and the other accounts reached through the access role:
// with exactly these policies every operation chosen succeeds and nothing
// is denied; every action of every statement is used; without any one
// statement an operation is denied (ErrAccessDenied or
// ErrAdminUnreachable wrapping AWS's error, or a CheckPermissions check
// reported denied). The evaluation does not model service control
// policies, resource-based policies other than role trust, or permissions
// boundaries, which can deny what these allow (see docs/permissions.md).
type Policies struct {
	// Management is for the principal whose credentials the Client holds,
	// in the management account.
	Management string `json:"management"`
	// IPAMAdmin is for the access role (Options.AccessRole) in IPAM's
	// delegated administrator's account: the reads of Monitoring (its
	// IPAMs, their resource discoveries and OU exclusions, what they
	// discovered) and of the guard before a step removes the
	// administrator. Whoever creates the administrator's IPAM needs
	// iam:CreateServiceLinkedRole there too, as AWS documents
	// (docs/monitoring.md); the library never creates an IPAM, so that is
	// not in it.
	IPAMAdmin string `json:"ipam_admin,omitempty"`
	// Member is for the access role in every member account, for
	// VerifyServiceLinkedRoles: its reads, and the writes of Repair or
	// Purge. The default access role, OrganizationAccountAccessRole, has
	// AdministratorAccess and needs none; a narrower role of your own
	// does.
	Member string `json:"member,omitempty"`
}

// PolicyOptions chooses what RequiredPolicies covers, which fills them in
// with its functional options. Every policy covers Observe and Plan; the
// zero value only them.
type PolicyOptions struct {
	// Events are the lifecycle events to take (Apply, Reconcile, the
	// explicit calls); none: none.
	Events []fsm.Event
	// CheckOnly covers planning and checking the Events
	// (CheckPermissions) instead of taking them: the reads of their
	// guards, and only the EC2 actions that their dry runs send.
	CheckOnly bool
	// Monitoring adds Monitoring and WaitMonitored.
	Monitoring bool
	// Verify, if set, adds VerifyServiceLinkedRoles with these options
	// (Repair and Purge add their writes).
	Verify *VerifyOptions
	// AccessRole is the Client's Options.AccessRole, which the
	// management account assumes; default DefaultAccessRole.
	AccessRole string
	// Partition is the AWS partition of the ARNs in the policies ("aws",
	// "aws-cn", "aws-us-gov", ...): the caller's, which
	// Client.RequiredPolicies fills in; default "aws".
	Partition string
}

// partitionPattern matches the names of AWS partitions: aws, aws-cn,
// aws-us-gov, aws-iso-b.
var partitionPattern = regexp.MustCompile(`\Aaws(-[a-z]+)*\z`)

// RequiredPermissions returns the least-privilege IAM policy document
// (JSON, Version 2012-10-17) that the management account's principal needs
// to take the given lifecycle events, plus the reads of Observe and Plan,
// with the default access role: RequiredPolicies' Management for those
// events. With no events it covers every event. Unknown events add
// nothing. Each event's statements are its row's in the package's table of
// events (see docs/architecture.md). The output is deterministic:
// statements in lifecycle order, actions sorted.
func RequiredPermissions(events ...fsm.Event) string {
	if len(events) == 0 {
		events = fsm.Events()
	}
	return RequiredPolicies(func(o *PolicyOptions) { o.Events = events }).Management
}

// RequiredPolicies returns the least-privilege IAM policies that the
// operations that the PolicyOptions choose need (optFns fill them in,
// from the zero value: Observe and Plan alone), split by the account that
// needs them (see Policies for how they are proved). The output is
// deterministic: statements in a fixed order (the lifecycle's for events),
// actions sorted. Unknown events add nothing; invalid options (an
// AccessRole or Partition that cannot be one) are treated as their
// defaults:
//
//	ipamorg.RequiredPolicies(func(o *ipamorg.PolicyOptions) { o.Monitoring = true })
func RequiredPolicies(optFns ...func(*PolicyOptions)) Policies {
	o := fill(optFns)
	role := o.AccessRole
	if !validRoleName(role) {
		role = DefaultAccessRole
	}
	partition := o.Partition
	if !partitionPattern.MatchString(partition) {
		partition = "aws"
	}
	var mgmt, admin, member policies
	assumes := false // whether the library acts in other accounts
	mgmt.add(
		policyStatement{Sid: "IpamObserve", Effect: "Allow", Resource: "*", Action: slices.Clone(observeActions)},
		readRoleStatement("IpamObserveServiceLinkedRole"),
	)
	var dryRuns []string
	for _, ev := range fsm.Events() { // lifecycle order, whatever the caller's
		if !slices.Contains(o.Events, ev) {
			continue
		}
		sp := specOf(ev)
		// Plan runs the guards, so checking needs their reads too.
		admin.add(sp.adminStatements...)
		assumes = assumes || len(sp.adminStatements) > 0
		switch {
		case !o.CheckOnly:
			mgmt.add(sp.policy()...)
		case sp.dryRun != nil:
			dryRuns = append(dryRuns, sp.action)
		}
	}
	if len(dryRuns) > 0 {
		mgmt.add(policyStatement{Sid: "IpamCheckPermissions", Effect: "Allow", Resource: "*", Action: slices.Compact(slices.Sorted(slices.Values(dryRuns)))})
	}
	if o.Monitoring {
		mgmt.add(listAccountsStatement)
		admin.add(readAdminIPAMsStatement, readDiscoveryStatement, readResourceDiscoveriesStatement)
		assumes = true
	}
	if v := o.Verify; v != nil {
		assumes = true
		mgmt.add(listAccountsStatement)
		// The caller's own account is checked (and repaired) directly.
		if v.Repair {
			mgmt.add(createServiceLinkedRoleStatement)
		}
		member.add(readRoleStatement("IpamVerifyServiceLinkedRole"))
		switch {
		case v.Repair:
			member.add(createServiceLinkedRoleStatement)
		case v.Purge:
			// The fleet deletes only a role it found.
			purge := deleteServiceLinkedRoleStatement
			purge.alsoResources = nil
			member.add(purge)
		}
	}
	if assumes {
		mgmt.add(policyStatement{Sid: "IpamAssumeAccessRole", Effect: "Allow", Resource: "arn:aws:iam::*:role/" + role, Action: []string{"sts:AssumeRole"}})
	}
	return Policies{Management: mgmt.document(partition), IPAMAdmin: admin.document(partition), Member: member.document(partition)}
}

// RequiredPolicies is the package's RequiredPolicies for this Client's
// caller: the options' AccessRole, when empty, is the Client's
// Options.AccessRole, and their Partition, when empty, the caller's, from
// sts:GetCallerIdentity (which needs no permission). Errors are *Error, the
// call's.
func (c *Client) RequiredPolicies(ctx context.Context, optFns ...func(*PolicyOptions)) (Policies, error) {
	o := fill(optFns)
	if o.AccessRole == "" {
		o.AccessRole = c.opts.AccessRole
	}
	if o.Partition == "" {
		who, err := c.readCaller(ctx)
		if err != nil {
			return Policies{}, asError("required-policies", err)
		}
		o.Partition = partitionOf(who.arn)
	}
	return RequiredPolicies(func(p *PolicyOptions) { *p = o }), nil
}

// policies is a policy document being made: statements, each Sid once.
type policies []policyStatement

func (p *policies) add(statements ...policyStatement) {
	for _, s := range statements {
		if !slices.ContainsFunc(*p, func(have policyStatement) bool { return have.Sid == s.Sid }) {
			s.Action = slices.Sorted(slices.Values(s.Action))
			*p = append(*p, s)
		}
	}
}

// document renders p as an IAM policy document with its ARNs in
// partition, "" when empty.
func (p policies) document(partition string) string {
	if len(p) == 0 {
		return ""
	}
	out := make([]policyStatement, len(p))
	for i, s := range p {
		s.Resource = inPartition(s.Resource, partition)
		s.alsoResources = slices.Clone(s.alsoResources)
		for j, r := range s.alsoResources {
			s.alsoResources[j] = inPartition(r, partition)
		}
		out[i] = s
	}
	return policyDocument(out)
}

// inPartition returns the ARN pattern arn, written in the aws partition,
// in partition.
func inPartition(arn, partition string) string {
	if rest, ok := strings.CutPrefix(arn, "arn:aws:"); ok {
		return "arn:" + partition + ":" + rest
	}
	return arn
}

// policyDocument renders statements as an IAM policy document.
func policyDocument(statements []policyStatement) string {
	doc := struct {
		Version   string            `json:"Version"`
		Statement []policyStatement `json:"Statement"`
	}{"2012-10-17", statements}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		// Only strings and maps of strings: cannot fail.
		panic(err)
	}
	return string(b)
}

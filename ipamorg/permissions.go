package ipamorg

import (
	"encoding/json"
	"slices"

	"github.com/ipamorg/sdk/fsm"
)

// roleARNPattern matches AWSServiceRoleForIPAM in any account.
const roleARNPattern = "arn:aws:iam::*:role/aws-service-role/ipam.amazonaws.com/AWSServiceRoleForIPAM"

// observeActions are the reads every operation makes (Observe, and the
// delegate guard's organizations:DescribeAccount). iam:GetRole is granted
// separately, on the role only.
var observeActions = []string{
	"organizations:DescribeAccount",
	"organizations:DescribeOrganization",
	"organizations:ListAWSServiceAccessForOrganization",
	"organizations:ListDelegatedAdministrators",
	"sts:GetCallerIdentity",
}

// policyStatement is one statement of an IAM policy document.
type policyStatement struct {
	Sid       string                       `json:"Sid"`
	Effect    string                       `json:"Effect"`
	Action    []string                     `json:"Action"`
	Resource  string                       `json:"Resource"`
	Condition map[string]map[string]string `json:"Condition,omitempty"`
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

// listTreeStatement: the reads that place each account in the
// organization's tree, which Monitoring needs to apply OU exclusions
// (without them the listing falls back to ListAccounts and warns,
// WarnExclusionsUnplaced).
var listTreeStatement = policyStatement{
	Sid: "IpamListOrganizationTree", Effect: "Allow", Resource: "*",
	Action: []string{"organizations:ListAccountsForParent", "organizations:ListOrganizationalUnitsForParent", "organizations:ListRoots"},
}

// ipamAccountStatement is what AWS documents that the IPAM account needs
// (docs/monitoring.md): creating its IPAM creates AWSServiceRoleForIPAM
// there. The library itself never creates an IPAM; whoever does, in that
// account, needs it.
var ipamAccountStatement = policyStatement{
	Sid: "IpamAccountCreateServiceLinkedRole", Effect: "Allow", Resource: roleARNPattern,
	Action:    []string{"iam:CreateServiceLinkedRole"},
	Condition: createServiceLinkedRoleStatement.Condition,
}

// Policies are least-privilege IAM policy documents (JSON, Version
// 2012-10-17), one for each kind of account that the operations chosen
// (see PolicyOptions) act in; "" for an account they need nothing in.
type Policies struct {
	// Management is for the principal whose credentials the Client holds,
	// in the management account.
	Management string `json:"management"`
	// IPAMAdmin is for the access role (Options.AccessRole) in IPAM's
	// delegated administrator's account: the reads of Monitoring (its
	// IPAMs, their resource discoveries and OU exclusions, what they
	// discovered) and of
	// the guard before a step removes the administrator, and, when the
	// administrator is delegated or monitored, iam:CreateServiceLinkedRole,
	// which AWS documents the IPAM account needs to create its IPAM.
	IPAMAdmin string `json:"ipam_admin,omitempty"`
	// Member is for the access role in every member account, for
	// VerifyServiceLinkedRoles: its reads, and the writes of Repair or
	// Purge. The default access role, OrganizationAccountAccessRole, has
	// AdministratorAccess and needs none; a narrower role of your own
	// does.
	Member string `json:"member,omitempty"`
}

// PolicyOptions chooses what RequiredPolicies covers, which fills them in
// with its functional options; the zero value only Observe's reads.
type PolicyOptions struct {
	// Events are the lifecycle events to take; none: none.
	Events []fsm.Event
	// Monitoring adds Monitoring and WaitMonitored.
	Monitoring bool
	// Verify, if set, adds VerifyServiceLinkedRoles with these options
	// (Repair and Purge add their writes).
	Verify *VerifyOptions
	// AccessRole is the Client's Options.AccessRole, which the
	// management account assumes; default DefaultAccessRole.
	AccessRole string
}

// RequiredPermissions returns the least-privilege IAM policy document
// (JSON, Version 2012-10-17) that the management account's principal needs
// to take the given lifecycle events, plus the reads that every operation
// makes, with the default access role: RequiredPolicies' Management for
// those events. With no events it covers every event. Unknown events add
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
// from the zero value: Observe's reads alone), split by the account that
// needs them. The output is deterministic: statements in a fixed order
// (the lifecycle's for events), actions sorted. Unknown events add
// nothing; invalid options are treated as their defaults:
//
//	ipamorg.RequiredPolicies(func(o *ipamorg.PolicyOptions) { o.Monitoring = true })
func RequiredPolicies(optFns ...func(*PolicyOptions)) Policies {
	o := fill(optFns)
	role := o.AccessRole
	if !validRoleName(role) {
		role = DefaultAccessRole
	}
	var mgmt, admin, member policies
	assumes := false // whether the library acts in other accounts
	mgmt.add(
		policyStatement{Sid: "IpamObserve", Effect: "Allow", Resource: "*", Action: slices.Clone(observeActions)},
		policyStatement{Sid: "IpamObserveServiceLinkedRole", Effect: "Allow", Resource: roleARNPattern, Action: []string{"iam:GetRole"}},
	)
	for _, ev := range fsm.Events() { // lifecycle order, whatever the caller's
		if !slices.Contains(o.Events, ev) {
			continue
		}
		sp := specOf(ev)
		mgmt.add(sp.policy()...)
		admin.add(sp.adminStatements...)
		assumes = assumes || len(sp.adminStatements) > 0
		if ev == fsm.EventDelegate || ev == fsm.EventRepairDelegation {
			admin.add(ipamAccountStatement)
		}
	}
	if o.Monitoring {
		mgmt.add(policyStatement{Sid: "IpamListAccounts", Effect: "Allow", Resource: "*", Action: []string{"organizations:ListAccounts"}}, listTreeStatement)
		admin.add(readAdminIPAMsStatement, readDiscoveryStatement, readResourceDiscoveriesStatement, ipamAccountStatement)
		assumes = true
	}
	if v := o.Verify; v != nil {
		assumes = true
		mgmt.add(policyStatement{Sid: "IpamListAccounts", Effect: "Allow", Resource: "*", Action: []string{"organizations:ListAccounts"}})
		// The caller's own account is checked (and repaired) directly.
		if v.Repair {
			mgmt.add(createServiceLinkedRoleStatement)
		}
		member.add(policyStatement{Sid: "IpamVerifyServiceLinkedRole", Effect: "Allow", Resource: roleARNPattern, Action: []string{"iam:GetRole"}})
		switch {
		case v.Repair:
			member.add(createServiceLinkedRoleStatement)
		case v.Purge:
			member.add(deleteServiceLinkedRoleStatement)
		}
	}
	if assumes {
		mgmt.add(policyStatement{Sid: "IpamAssumeAccessRole", Effect: "Allow", Resource: "arn:aws:iam::*:role/" + role, Action: []string{"sts:AssumeRole"}})
	}
	return Policies{Management: mgmt.document(), IPAMAdmin: admin.document(), Member: member.document()}
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

// document renders p as an IAM policy document, "" when empty.
func (p policies) document() string {
	if len(p) == 0 {
		return ""
	}
	return policyDocument(p)
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

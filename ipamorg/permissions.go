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

// RequiredPermissions returns the least-privilege IAM policy document
// (JSON, Version 2012-10-17) that the management account's principal needs
// to take the given lifecycle events, plus the reads that every operation
// makes. With no events it covers every event. Unknown events add nothing.
// Each event's statements are its row's in the package's table of events
// (see docs/architecture.md).
// The output is deterministic: statements in lifecycle order, actions
// sorted.
func RequiredPermissions(events ...fsm.Event) string {
	if len(events) == 0 {
		events = fsm.Events()
	}
	statements := []policyStatement{
		{Sid: "IpamObserve", Effect: "Allow", Resource: "*", Action: slices.Clone(observeActions)},
		{Sid: "IpamObserveServiceLinkedRole", Effect: "Allow", Resource: roleARNPattern, Action: []string{"iam:GetRole"}},
	}
	seen := map[string]bool{}
	for _, ev := range fsm.Events() { // lifecycle order, whatever the caller's
		if !slices.Contains(events, ev) {
			continue
		}
		for _, s := range specOf(ev).policy() {
			if seen[s.Sid] {
				continue
			}
			seen[s.Sid] = true
			statements = append(statements, s)
		}
	}
	for i := range statements {
		slices.Sort(statements[i].Action)
	}
	return policyDocument(statements)
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

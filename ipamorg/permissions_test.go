package ipamorg_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/ipamorg/sdk/fsm"
	"github.com/ipamorg/sdk/ipamorg"
)

type policy struct {
	Version   string
	Statement []struct {
		Sid       string
		Effect    string
		Action    []string
		Resource  string
		Condition map[string]map[string]string
	}
}

func parsePolicy(t *testing.T, s string) (policy, []string) {
	t.Helper()
	var p policy
	if err := json.Unmarshal([]byte(s), &p); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, s)
	}
	if p.Version != "2012-10-17" {
		t.Errorf("Version %q", p.Version)
	}
	var actions []string
	for _, st := range p.Statement {
		if st.Effect != "Allow" || st.Resource == "" || len(st.Action) == 0 {
			t.Errorf("statement %+v", st)
		}
		if !slices.IsSorted(st.Action) {
			t.Errorf("statement %s actions not sorted: %v", st.Sid, st.Action)
		}
		actions = append(actions, st.Action...)
	}
	return p, actions
}

var observeActions = []string{
	"iam:GetRole", "organizations:DescribeAccount", "organizations:DescribeOrganization",
	"organizations:ListAWSServiceAccessForOrganization", "organizations:ListDelegatedAdministrators", "sts:GetCallerIdentity",
}

func TestRequiredPermissions(t *testing.T) {
	tests := []struct {
		name   string
		events []fsm.Event
		want   []string
		absent []string
	}{
		{"delegate", []fsm.Event{fsm.EventDelegate}, []string{
			"ec2:EnableIpamOrganizationAdminAccount", "organizations:EnableAWSServiceAccess",
			"organizations:RegisterDelegatedAdministrator", "iam:CreateServiceLinkedRole"},
			[]string{"ec2:DisableIpamOrganizationAdminAccount", "iam:DeleteServiceLinkedRole"}},
		{"enable and delegate share", []fsm.Event{fsm.EventEnableTrustedAccess, fsm.EventDelegate}, []string{
			"ec2:EnableIpamOrganizationAdminAccount"}, nil},
		{"remove", []fsm.Event{fsm.EventRemoveDelegate}, []string{
			"ec2:DisableIpamOrganizationAdminAccount", "organizations:DeregisterDelegatedAdministrator"},
			[]string{"ec2:EnableIpamOrganizationAdminAccount"}},
		{"disable", []fsm.Event{fsm.EventDisableTrustedAccess}, []string{"organizations:DisableAWSServiceAccess"}, nil},
		{"delete role", []fsm.Event{fsm.EventDeleteServiceLinkedRole}, []string{
			"iam:DeleteServiceLinkedRole", "iam:GetServiceLinkedRoleDeletionStatus"}, nil},
		{"all", nil, []string{"ec2:EnableIpamOrganizationAdminAccount", "ec2:DisableIpamOrganizationAdminAccount",
			"organizations:DisableAWSServiceAccess", "iam:DeleteServiceLinkedRole"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := ipamorg.RequiredPermissions(tt.events...)
			p, actions := parsePolicy(t, doc)
			for _, a := range append(slices.Clone(observeActions), tt.want...) {
				if !slices.Contains(actions, a) {
					t.Errorf("missing %s in\n%s", a, doc)
				}
			}
			for _, a := range tt.absent {
				if slices.Contains(actions, a) {
					t.Errorf("unexpected %s", a)
				}
			}
			seen := map[string]bool{}
			for _, a := range actions {
				if seen[a] {
					t.Errorf("duplicate action %s", a)
				}
				seen[a] = true
			}
			for _, st := range p.Statement {
				if slices.Contains(st.Action, "iam:CreateServiceLinkedRole") &&
					st.Condition["StringEquals"]["iam:AWSServiceName"] != "ipam.amazonaws.com" {
					t.Errorf("CreateServiceLinkedRole without the service-name condition: %+v", st)
				}
				if strings.HasPrefix(st.Action[0], "iam:") && !strings.HasSuffix(st.Resource, "/ipam.amazonaws.com/AWSServiceRoleForIPAM") {
					t.Errorf("iam statement %s not scoped to the role: %s", st.Sid, st.Resource)
				}
			}
		})
	}
	if ipamorg.RequiredPermissions() != ipamorg.RequiredPermissions(fsm.Events()...) {
		t.Error("no events is not all events")
	}
	if ipamorg.RequiredPermissions(fsm.EventDelegate, fsm.EventRemoveDelegate) != ipamorg.RequiredPermissions(fsm.EventRemoveDelegate, fsm.EventDelegate) {
		t.Error("output depends on the order of events")
	}
}

// actionsOf returns the actions of a policy document with their resources;
// nil for "".
func actionsOf(t *testing.T, doc string) map[string]string {
	t.Helper()
	if doc == "" {
		return nil
	}
	p, _ := parsePolicy(t, doc)
	out := map[string]string{}
	for _, st := range p.Statement {
		for _, a := range st.Action {
			if _, dup := out[a]; dup {
				t.Errorf("action %s twice in\n%s", a, doc)
			}
			out[a] = st.Resource
			if a == "iam:CreateServiceLinkedRole" && st.Condition["StringEquals"]["iam:AWSServiceName"] != "ipam.amazonaws.com" {
				t.Errorf("CreateServiceLinkedRole without the service-name condition: %+v", st)
			}
		}
	}
	return out
}

// RequiredPolicies splits what each operation needs by the account that
// needs it: the management account, the delegated administrator's (the
// access role there), the members' (the access role there).
func TestRequiredPolicies(t *testing.T) {
	const defaultRole = "arn:aws:iam::*:role/OrganizationAccountAccessRole"
	tests := []struct {
		name                string
		o                   ipamorg.PolicyOptions
		mgmt, admin, member []string // actions that must be there
		absent              []string // in the management account's
	}{
		{"observe only", ipamorg.PolicyOptions{}, observeActions, nil, nil, []string{"sts:AssumeRole", "organizations:ListAccounts"}},
		{"remove-delegate reads the admin's ipams", ipamorg.PolicyOptions{Events: []fsm.Event{fsm.EventRemoveDelegate}},
			[]string{"ec2:DisableIpamOrganizationAdminAccount", "sts:AssumeRole"}, []string{"ec2:DescribeIpams", "ec2:DescribeRegions"}, nil, nil},
		{"delegate: the ipam account creates its role", ipamorg.PolicyOptions{Events: []fsm.Event{fsm.EventDelegate}},
			[]string{"ec2:EnableIpamOrganizationAdminAccount"}, []string{"iam:CreateServiceLinkedRole"}, nil, []string{"sts:AssumeRole"}},
		{"repair-delegation as delegate", ipamorg.PolicyOptions{Events: []fsm.Event{fsm.EventRepairDelegation}},
			[]string{"ec2:EnableIpamOrganizationAdminAccount", "organizations:RegisterDelegatedAdministrator", "iam:CreateServiceLinkedRole"}, []string{"iam:CreateServiceLinkedRole"}, nil, nil},
		{"monitoring", ipamorg.PolicyOptions{Monitoring: true},
			[]string{"organizations:ListAccounts", "organizations:ListDelegatedAdministrators", "sts:AssumeRole"},
			[]string{"ec2:DescribeRegions", "ec2:DescribeIpams", "ec2:GetIpamDiscoveredAccounts", "iam:CreateServiceLinkedRole"}, nil, nil},
		{"verify", ipamorg.PolicyOptions{Verify: &ipamorg.VerifyOptions{}},
			[]string{"organizations:ListAccounts", "sts:AssumeRole", "iam:GetRole"}, nil, []string{"iam:GetRole"}, []string{"iam:CreateServiceLinkedRole"}},
		{"verify --repair", ipamorg.PolicyOptions{Verify: &ipamorg.VerifyOptions{Repair: true}},
			[]string{"iam:CreateServiceLinkedRole"}, nil, []string{"iam:GetRole", "iam:CreateServiceLinkedRole"}, nil},
		{"verify --purge", ipamorg.PolicyOptions{Verify: &ipamorg.VerifyOptions{Purge: true}},
			[]string{"sts:AssumeRole"}, nil, []string{"iam:GetRole", "iam:DeleteServiceLinkedRole", "iam:GetServiceLinkedRoleDeletionStatus"},
			[]string{"iam:DeleteServiceLinkedRole", "iam:CreateServiceLinkedRole"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := ipamorg.RequiredPolicies(func(o *ipamorg.PolicyOptions) { *o = tt.o })
			for _, side := range []struct {
				name string
				doc  string
				want []string
			}{{"management", p.Management, tt.mgmt}, {"ipam admin", p.IPAMAdmin, tt.admin}, {"member", p.Member, tt.member}} {
				got := actionsOf(t, side.doc)
				if len(side.want) == 0 && got != nil {
					t.Errorf("%s policy, want none:\n%s", side.name, side.doc)
				}
				for _, a := range side.want {
					if _, ok := got[a]; !ok {
						t.Errorf("%s policy lacks %s:\n%s", side.name, a, side.doc)
					}
				}
			}
			mgmt := actionsOf(t, p.Management)
			for _, a := range tt.absent {
				if _, ok := mgmt[a]; ok {
					t.Errorf("management policy has %s:\n%s", a, p.Management)
				}
			}
			if r, ok := mgmt["sts:AssumeRole"]; ok && r != defaultRole {
				t.Errorf("AssumeRole on %s, want %s", r, defaultRole)
			}
		})
	}
	custom := actionsOf(t, ipamorg.RequiredPolicies(func(o *ipamorg.PolicyOptions) {
		o.Monitoring = true
		o.AccessRole = "audit/IpamReader"
	}).Management)
	if custom["sts:AssumeRole"] != "arn:aws:iam::*:role/audit/IpamReader" {
		t.Errorf("custom access role: AssumeRole on %q", custom["sts:AssumeRole"])
	}
	if ipamorg.RequiredPermissions(fsm.EventRemoveDelegate) != ipamorg.RequiredPolicies(func(o *ipamorg.PolicyOptions) { o.Events = []fsm.Event{fsm.EventRemoveDelegate} }).Management {
		t.Error("RequiredPermissions is not RequiredPolicies' management document")
	}
}

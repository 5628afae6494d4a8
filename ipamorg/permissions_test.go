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

package ipamorg_test

// The form of the recommended policies. What they hold is proved against
// the emulator's IAM evaluation, not listed here (policy_proof_test.go).

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"go.uber.org/mock/gomock"

	"github.com/ipamorg/sdk/fsm"
	"github.com/ipamorg/sdk/ipamorg"
)

// policyOptionChoices are choices of PolicyOptions whose policies' form
// is checked.
func policyOptionChoices() []ipamorg.PolicyOptions {
	out := []ipamorg.PolicyOptions{{}, {Monitoring: true}, {Verify: &ipamorg.VerifyOptions{}},
		{Verify: &ipamorg.VerifyOptions{Repair: true}}, {Verify: &ipamorg.VerifyOptions{Purge: true}},
		{Events: fsm.Events(), Monitoring: true, Verify: &ipamorg.VerifyOptions{Repair: true}}}
	for _, ev := range fsm.Events() {
		out = append(out, ipamorg.PolicyOptions{Events: []fsm.Event{ev}}, ipamorg.PolicyOptions{Events: []fsm.Event{ev}, CheckOnly: true})
	}
	return out
}

// wellFormed checks one document: valid JSON, Version 2012-10-17, every
// statement an Allow with a Sid, actions sorted, no action twice, IAM
// actions only on AWSServiceRoleForIPAM (and sts:AssumeRole only on
// roles), CreateServiceLinkedRole only for IPAM, every ARN in partition.
func wellFormed(t *testing.T, name, doc, partition string) {
	t.Helper()
	if doc == "" {
		return
	}
	var v struct{ Version string }
	if err := json.Unmarshal([]byte(doc), &v); err != nil || v.Version != "2012-10-17" {
		t.Errorf("%s: version %q, err %v", name, v.Version, err)
	}
	var conds struct {
		Statement []struct {
			Sid       string
			Condition map[string]map[string]string
		}
	}
	if err := json.Unmarshal([]byte(doc), &conds); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for i, st := range statementsOf(t, doc) {
		if !slices.IsSorted(st.Action) {
			t.Errorf("%s: %s: actions not sorted: %v", name, st.Sid, st.Action)
		}
		for _, a := range st.Action {
			if seen[a] {
				t.Errorf("%s: %s twice", name, a)
			}
			seen[a] = true
			service, _, _ := strings.Cut(a, ":")
			for _, r := range st.Resource {
				switch {
				case service == "iam" && !strings.HasSuffix(r, "/AWSServiceRoleForIPAM"),
					a == "sts:AssumeRole" && !strings.HasPrefix(r, "arn:"+partition+":iam::*:role/"),
					r != "*" && !strings.HasPrefix(r, "arn:"+partition+":"):
					t.Errorf("%s: %s on %s", name, a, r)
				}
			}
			if a == "iam:CreateServiceLinkedRole" && conds.Statement[i].Condition["StringEquals"]["iam:AWSServiceName"] != "ipam.amazonaws.com" {
				t.Errorf("%s: %s without the service-name condition", name, st.Sid)
			}
		}
	}
}

func TestRequiredPoliciesForm(t *testing.T) {
	for _, partition := range []string{"aws", "aws-cn", "aws-us-gov"} {
		for _, o := range policyOptionChoices() {
			o.Partition = partition
			p := ipamorg.RequiredPolicies(func(p *ipamorg.PolicyOptions) { *p = o })
			wellFormed(t, "management", p.Management, partition)
			wellFormed(t, "ipam admin", p.IPAMAdmin, partition)
			wellFormed(t, "member", p.Member, partition)
			if p.Management == "" {
				t.Errorf("%+v: no management policy", o)
			}
		}
	}
	// Invalid options are their defaults.
	if got, want := ipamorg.RequiredPolicies(func(o *ipamorg.PolicyOptions) {
		*o = ipamorg.PolicyOptions{Monitoring: true, Partition: "arn:x", AccessRole: "not a role"}
	}),
		ipamorg.RequiredPolicies(func(o *ipamorg.PolicyOptions) { *o = ipamorg.PolicyOptions{Monitoring: true} }); got != want {
		t.Errorf("invalid options:\n%+v\nwant the defaults'\n%+v", got, want)
	}
	if p := ipamorg.RequiredPolicies(func(o *ipamorg.PolicyOptions) {
		*o = ipamorg.PolicyOptions{Monitoring: true, AccessRole: "audit/IpamReader", Partition: "aws-cn"}
	}); !strings.Contains(p.Management,
		`"Resource": "arn:aws-cn:iam::*:role/audit/IpamReader"`) {
		t.Errorf("the access role is not the one assumed:\n%s", p.Management)
	}
}

// The order of the events does not matter, no events is every event for
// RequiredPermissions, which is RequiredPolicies' management document.
func TestRequiredPermissions(t *testing.T) {
	if ipamorg.RequiredPermissions() != ipamorg.RequiredPermissions(fsm.Events()...) {
		t.Error("no events is not all events")
	}
	if ipamorg.RequiredPermissions(fsm.EventDelegate, fsm.EventRemoveDelegate) != ipamorg.RequiredPermissions(fsm.EventRemoveDelegate, fsm.EventDelegate) {
		t.Error("output depends on the order of events")
	}
	if ipamorg.RequiredPermissions(fsm.EventRemoveDelegate) != ipamorg.RequiredPolicies(func(o *ipamorg.PolicyOptions) {
		*o = ipamorg.PolicyOptions{Events: []fsm.Event{fsm.EventRemoveDelegate}}
	}).Management {
		t.Error("RequiredPermissions is not RequiredPolicies' management document")
	}
	if ipamorg.RequiredPermissions("no-such-event") != ipamorg.RequiredPolicies(func(o *ipamorg.PolicyOptions) { *o = ipamorg.PolicyOptions{} }).Management {
		t.Error("an unknown event adds something")
	}
}

// Client.RequiredPolicies takes the Client's access role and the
// caller's partition, from sts:GetCallerIdentity alone.
func TestClientRequiredPolicies(t *testing.T) {
	m := newMockAWS(t)
	m.sts.EXPECT().GetCallerIdentity(gomock.Any(), gomock.Any(), gomock.Any()).Return(
		&sts.GetCallerIdentityOutput{Account: aws.String(mockMgmt), Arn: aws.String("arn:aws-us-gov:sts::" + mockMgmt + ":assumed-role/Ops/me")}, nil)
	c := m.client(t, func(o *ipamorg.Options) { o.AccessRole = "audit/IpamReader" })
	got, err := c.RequiredPolicies(t.Context(), func(o *ipamorg.PolicyOptions) { *o = ipamorg.PolicyOptions{Monitoring: true} })
	if err != nil {
		t.Fatal(err)
	}
	if want := ipamorg.RequiredPolicies(func(o *ipamorg.PolicyOptions) {
		*o = ipamorg.PolicyOptions{Monitoring: true, AccessRole: "audit/IpamReader", Partition: "aws-us-gov"}
	}); got != want {
		t.Errorf("got\n%+v\nwant\n%+v", got, want)
	}
	// Both given: no call (the mock would fail on a second).
	if _, err := c.RequiredPolicies(t.Context(), func(o *ipamorg.PolicyOptions) { *o = ipamorg.PolicyOptions{AccessRole: "x", Partition: "aws"} }); err != nil {
		t.Fatal(err)
	}
}

package main

import (
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/cfn"

	"github.com/ipamorg/sdk/awsclient/awstest"
	"github.com/ipamorg/sdk/fsm"
)

// createdWithIPAM is a stack whose resource created the integration with
// member1, which then made an IPAM; it returns the physical id.
func createdWithIPAM(t *testing.T) (*stack, string) {
	emu := awstest.New()
	s := newStack(t, emu, mgmt)
	resp := s.send(s.event(cfn.RequestCreate, "", props(member1), nil))
	wantStatus(t, resp, cfn.StatusSuccess, "")
	if _, err := emu.PutIPAM(awstest.IPAMSpec{Owner: member1}); err != nil {
		t.Fatal(err)
	}
	emu.ResetRequests()
	return s, resp.PhysicalResourceID
}

// TestDeleteRefusedWhileIPAMExists: deleting the resource while the
// administrator still owns an IPAM fails, with nothing written, naming the
// IPAM, the command that deletes it and the property that allows it;
// AllowIPAMResources: "true" proceeds.
func TestDeleteRefusedWhileIPAMExists(t *testing.T) {
	s, physical := createdWithIPAM(t)
	resp := s.send(s.event(cfn.RequestDelete, physical, props(member1), nil))
	wantStatus(t, resp, cfn.StatusFailed, "IPAM's delegated administrator 222222222222 still owns IPAMs")
	for _, want := range []string{"aws ec2 delete-ipam --ipam-id ipam-", "--cascade --region us-east-1", `set AllowIPAMResources: "true" on the resource`, "nothing was written"} {
		if !strings.Contains(resp.Reason, want) {
			t.Errorf("reason %q lacks %q", resp.Reason, want)
		}
	}
	if w := s.writes(); len(w) != 0 {
		t.Fatalf("a refused delete wrote %v", w)
	}
	resp = s.send(s.event(cfn.RequestDelete, physical, props(member1, propAllowIPAMResources, "maybe"), nil))
	wantStatus(t, resp, cfn.StatusFailed, `property AllowIPAMResources is "maybe"`)

	// Allowed: the teardown runs, in AWS's order, with the IPAM left.
	resp = s.send(s.event(cfn.RequestDelete, physical, props(member1, propAllowIPAMResources, "true"), nil))
	wantStatus(t, resp, cfn.StatusSuccess, "")
	if got := s.writes(); len(got) != 3 || len(s.emu.Snapshot().IPAMs) != 1 {
		t.Errorf("allowed teardown: writes %v, ipams %v", got, s.emu.Snapshot().IPAMs)
	}
	wantState(t, s.emu, fsm.StateNone, "")
}

// TestDeleteAfterTheIPAMIsGone: once the administrator has deleted its
// IPAM, CloudFormation's retry of the Delete tears down.
func TestDeleteAfterTheIPAMIsGone(t *testing.T) {
	s, physical := createdWithIPAM(t)
	del := s.event(cfn.RequestDelete, physical, props(member1), nil)
	wantStatus(t, s.send(del), cfn.StatusFailed, "still owns IPAMs")
	for _, ip := range s.emu.Snapshot().IPAMs {
		s.emu.RemoveIPAM(ip.ID)
	}
	wantStatus(t, s.send(del), cfn.StatusSuccess, "")
	if got := s.writes(); len(got) != 3 {
		t.Errorf("writes %v, want the teardown's three", got)
	}
	wantState(t, s.emu, fsm.StateNone, "")
}

// TestDeleteLeavesOthersAlone: a Delete of a resource that created the
// integration tears down only that integration, as it stands: not one
// whose administrator another account has become, not one made again by
// someone else after it was gone, not in another organization, not for a
// physical id made for another resource or by an earlier version.
func TestDeleteLeavesOthersAlone(t *testing.T) {
	for _, tc := range []struct {
		name string
		// change changes the organization after stack a's resource created
		// the integration with physical, and returns the physical id of
		// the Delete.
		change func(emu *awstest.Emulator, physical string) string
		// byB sends the Delete from stack b (another resource) rather
		// than from stack a.
		byB    bool
		status cfn.StatusType
		reason string
	}{
		{"another administrator", func(emu *awstest.Emulator, physical string) string {
			emu.SetDelegatedAdmins(awstest.IPAMServicePrincipal, member2)
			return physical
		}, false, cfn.StatusSuccess, "left in place: account 333333333333 is its delegated administrator, not the resource's 222222222222"},
		{"made again by someone else", func(emu *awstest.Emulator, physical string) string {
			// Torn down by hand, then integrated again by someone else,
			// with the resource's administrator.
			emu.SetDelegatedAdmins(awstest.IPAMServicePrincipal)
			emu.SetTrustedAccess(awstest.IPAMServicePrincipal, false)
			emu.RemoveRole(mgmt, awstest.IPAMRoleName)
			emu.SetTrustedAccess(awstest.IPAMServicePrincipal, true)
			emu.SetDelegatedAdmins(awstest.IPAMServicePrincipal, member1)
			emu.PutRole(mgmt, awstest.IPAMRoleName)
			return physical
		}, false, cfn.StatusSuccess, "left in place: AWSServiceRoleForIPAM does not carry this resource's mark"},
		{"another organization", func(_ *awstest.Emulator, physical string) string {
			id, _ := parsePhysicalID(physical)
			id.org = "o-elsewhere00"
			return id.String()
		}, false, cfn.StatusFailed, "the resource belongs to organization o-elsewhere00, but the function's credentials act in organization o-"},
		{"another resource's physical id", func(_ *awstest.Emulator, physical string) string { return physical },
			true, cfn.StatusSuccess, "was made for another resource than IpamAdmin of stack arn:aws:cloudformation:us-east-1:111111111111:stack/b/"},
		{"an id of an earlier version", func(emu *awstest.Emulator, _ string) string {
			return emu.Snapshot().OrganizationID + "/ipam-delegated-admin"
		},
			false, cfn.StatusSuccess, "left in place: the resource was made by an earlier version of this function"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			emu := awstest.New()
			a, b := newNamedStack(t, emu, mgmt, "a"), newNamedStack(t, emu, mgmt, "b")
			physical := a.send(a.event(cfn.RequestCreate, "", props(member1), nil)).PhysicalResourceID
			physical = tc.change(emu, physical)
			del := a
			if tc.byB {
				del = b
			}
			before := status(t, emu)
			emu.ResetRequests()
			wantStatus(t, del.send(del.event(cfn.RequestDelete, physical, props(member1), nil)), tc.status, tc.reason)
			if w := del.writes(); len(w) != 0 {
				t.Errorf("writes %v", w)
			}
			wantState(t, emu, before.State, before.DelegatedAdmin)
		})
	}
}

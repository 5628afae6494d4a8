package main

import (
	"slices"
	"testing"

	"github.com/aws/aws-lambda-go/cfn"

	"github.com/ipamorg/sdk/awsclient/awstest"
	"github.com/ipamorg/sdk/fsm"
)

// member3 is a third member, for an administrator that is neither the
// resource's old nor its new one.
const member3 = "444444444444"

func withThirdMember() awstest.Organization {
	org := awstest.DefaultOrganization()
	org.Members = append(org.Members, awstest.Account{ID: member3, Name: "member-3", Email: "member-3@example.com", Status: awstest.StatusActive})
	return org
}

// TestReplacementRollsBack: an Update that replaced the administrator with
// AllowReplacement is rolled back as CloudFormation does it (the old
// properties, without AllowReplacement, as ResourceProperties; the
// replacing Update's as OldResourceProperties), restoring the old
// administrator; the rollback never removes an administrator the resource
// did not put there.
func TestReplacementRollsBack(t *testing.T) {
	s := newStack(t, awstest.New(awstest.WithOrganization(withThirdMember())), mgmt)
	physical := s.send(s.event(cfn.RequestCreate, "", props(member1), nil)).PhysicalResourceID
	replace := props(member2, propAllowReplacement, "true")
	wantStatus(t, s.send(s.event(cfn.RequestUpdate, physical, replace, props(member1))), cfn.StatusSuccess, "")
	wantState(t, s.emu, fsm.StateDelegated, member2)

	// Another resource failed: the stack rolls back.
	s.emu.ResetRequests()
	rollback := s.event(cfn.RequestUpdate, physical, props(member1), replace)
	resp := s.send(rollback)
	wantStatus(t, resp, cfn.StatusSuccess, "")
	if resp.PhysicalResourceID != physical || resp.Data["DelegatedAdminAccountId"] != member1 {
		t.Errorf("rollback: %+v", resp)
	}
	if got, want := s.writes(), []string{"ec2:DisableIpamOrganizationAdminAccount " + mgmt, "ec2:EnableIpamOrganizationAdminAccount " + mgmt}; !slices.Equal(got, want) {
		t.Errorf("rollback writes %v, want %v", got, want)
	}
	wantState(t, s.emu, fsm.StateDelegated, member1)
	// CloudFormation's retry of the rollback finds it done.
	s.emu.ResetRequests()
	wantStatus(t, s.send(rollback), cfn.StatusSuccess, "")
	if w := s.writes(); len(w) != 0 {
		t.Errorf("retried rollback wrote %v", w)
	}

	// Replaced again, and then someone else registers a third account:
	// the rollback does not remove it.
	wantStatus(t, s.send(s.event(cfn.RequestUpdate, physical, replace, props(member1))), cfn.StatusSuccess, "")
	s.emu.SetDelegatedAdmins(awstest.IPAMServicePrincipal, member3)
	s.emu.ResetRequests()
	resp = s.send(s.event(cfn.RequestUpdate, physical, props(member1), replace))
	wantStatus(t, resp, cfn.StatusFailed, `account 444444444444 is IPAM's delegated administrator, not 222222222222: replacing it interrupts IPAM for the whole organization; set AllowReplacement: "true"`)
	if w := s.writes(); len(w) != 0 {
		t.Errorf("a refused rollback wrote %v", w)
	}
	wantState(t, s.emu, fsm.StateDelegated, member3)
}

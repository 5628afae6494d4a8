package main

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/cfn"

	"github.com/ipamorg/sdk/awsclient/awstest"
	"github.com/ipamorg/sdk/fsm"
)

// TestTwoStacksInOneOrganization: the second stack's resource neither
// claims nor deletes what the first created. Refused first, it adopts
// when told to, under a physical id of its own, and its deletion leaves
// the integration to the stack that created it.
func TestTwoStacksInOneOrganization(t *testing.T) {
	emu := awstest.New()
	a, b := newNamedStack(t, emu, mgmt, "stack-a"), newNamedStack(t, emu, mgmt, "stack-b")
	ra := a.send(a.event(cfn.RequestCreate, "", props(member1), nil))
	wantStatus(t, ra, cfn.StatusSuccess, "")
	emu.ResetRequests()

	create := b.event(cfn.RequestCreate, "", props(member1), nil)
	rb := b.send(create)
	wantStatus(t, rb, cfn.StatusFailed, "IPAM is already integrated with organization "+emu.Snapshot().OrganizationID+
		": account 222222222222 is IPAM's delegated administrator; trusted access for ipam.amazonaws.com is enabled; AWSServiceRoleForIPAM exists in the management account")
	for _, want := range []string{a.stackID, `set AdoptExisting: "true" on the resource to adopt it`, "will then leave the integration in place", "(nothing was written)"} {
		if !strings.Contains(rb.Reason, want) {
			t.Errorf("reason %q lacks %q", rb.Reason, want)
		}
	}
	if rb.PhysicalResourceID != create.RequestID {
		t.Errorf("a refused create claims %q", rb.PhysicalResourceID)
	}
	// Its rollback.
	wantStatus(t, b.send(b.event(cfn.RequestDelete, rb.PhysicalResourceID, props(member1), nil)), cfn.StatusSuccess, "nothing to delete")

	rb = b.send(b.event(cfn.RequestCreate, "", props(member1, propAdoptExisting, "true"), nil))
	wantStatus(t, rb, cfn.StatusSuccess, "")
	if rb.PhysicalResourceID != b.id(adopted) || rb.PhysicalResourceID == ra.PhysicalResourceID || rb.Data["Ownership"] != "adopted" {
		t.Errorf("adopted: %+v; the first stack's id %s", rb, ra.PhysicalResourceID)
	}
	wantStatus(t, b.send(b.event(cfn.RequestDelete, rb.PhysicalResourceID, props(member1, propAdoptExisting, "true"), nil)),
		cfn.StatusSuccess, "IPAM's integration with organization "+emu.Snapshot().OrganizationID+" is left in place: the resource adopted it")
	if w := a.writes(); len(w) != 0 {
		t.Fatalf("the second stack wrote %v", w)
	}
	wantState(t, emu, fsm.StateDelegated, member1)

	wantStatus(t, a.send(a.event(cfn.RequestDelete, ra.PhysicalResourceID, props(member1), nil)), cfn.StatusSuccess, "")
	wantState(t, emu, fsm.StateNone, "")
}

// TestCreateOnExistingIntegration: whatever of the integration a Create
// finds that it did not make, it refuses, writing nothing; with
// AdoptExisting it adopts it (moving it to its properties as an Update
// would), and its Delete leaves the integration in place.
func TestCreateOnExistingIntegration(t *testing.T) {
	delegatedTo := func(admin string) awstest.Organization {
		org := awstest.DefaultOrganization()
		org.IPAMDelegatedAdmin = admin
		return org
	}
	trusted := awstest.DefaultOrganization()
	trusted.TrustedServices = []string{awstest.IPAMServicePrincipal}
	role := awstest.DefaultOrganization()
	role.ManagementAccount.Roles = []string{awstest.IPAMRoleName}

	for _, tc := range []struct {
		name   string
		org    awstest.Organization
		found  string
		adopt  []string // the adopting Create's properties besides the admin
		writes []string // the adopting Create's
	}{
		{"delegated to the same account", delegatedTo(member1), "account 222222222222 is IPAM's delegated administrator",
			nil, nil},
		{"delegated to another account", delegatedTo(member2), "account 333333333333 is IPAM's delegated administrator",
			[]string{propAllowReplacement, "true"}, []string{"ec2:DisableIpamOrganizationAdminAccount " + mgmt, "ec2:EnableIpamOrganizationAdminAccount " + mgmt}},
		{"trusted access only", trusted, "trusted access for ipam.amazonaws.com is enabled",
			nil, []string{"ec2:EnableIpamOrganizationAdminAccount " + mgmt}},
		{"the service-linked role only", role, `AWSServiceRoleForIPAM exists in the management account (its description: "Service-linked role for Amazon VPC IP Address Manager")`,
			nil, []string{"ec2:EnableIpamOrganizationAdminAccount " + mgmt}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStack(t, awstest.New(awstest.WithOrganization(tc.org)), mgmt)
			before := status(t, s.emu)
			create := s.event(cfn.RequestCreate, "", props(member1), nil)
			resp := s.send(create)
			wantStatus(t, resp, cfn.StatusFailed, tc.found)
			wantStatus(t, resp, cfn.StatusFailed, `set AdoptExisting: "true" on the resource to adopt it`)
			if resp.PhysicalResourceID != create.RequestID {
				t.Errorf("a refused create claims %q", resp.PhysicalResourceID)
			}
			if w := s.writes(); len(w) != 0 {
				t.Fatalf("a refused create wrote %v", w)
			}

			adopt := props(member1, append([]string{propAdoptExisting, "true"}, tc.adopt...)...)
			resp = s.send(s.event(cfn.RequestCreate, "", adopt, nil))
			wantStatus(t, resp, cfn.StatusSuccess, "")
			if resp.PhysicalResourceID != s.id(adopted) || resp.Data["Ownership"] != "adopted" || resp.Data["DelegatedAdminAccountId"] != member1 {
				t.Errorf("adopted: %+v", resp)
			}
			if got := s.writes(); !slices.Equal(got, tc.writes) {
				t.Errorf("adopting writes %v, want %v", got, tc.writes)
			}
			if d := ipamRoleDescription(t, s.emu); before.ServiceLinkedRole && hasMark(d, ownerToken(&create)) {
				t.Errorf("an adopted role was marked: %q", d)
			}

			s.emu.ResetRequests()
			resp = s.send(s.event(cfn.RequestDelete, resp.PhysicalResourceID, adopt, nil))
			wantStatus(t, resp, cfn.StatusSuccess, "is left in place: the resource adopted it (AdoptExisting) and did not create it")
			if w := s.writes(); len(w) != 0 {
				t.Errorf("deleting an adopted resource wrote %v", w)
			}
			wantState(t, s.emu, fsm.StateDelegated, member1)
		})
	}

	// Adopting another account's integration does not replace it without
	// AllowReplacement.
	s := newStack(t, awstest.New(awstest.WithOrganization(delegatedTo(member2))), mgmt)
	create := s.event(cfn.RequestCreate, "", props(member1, propAdoptExisting, "true"), nil)
	resp := s.send(create)
	wantStatus(t, resp, cfn.StatusFailed, `account 333333333333 is IPAM's delegated administrator, not 222222222222: replacing it interrupts IPAM for the whole organization; set AllowReplacement: "true"`)
	if resp.PhysicalResourceID != create.RequestID || len(s.writes()) != 0 {
		t.Errorf("refused adoption: %+v, writes %v", resp, s.writes())
	}
}

// TestPhysicalIDs: the handler recognises exactly the ids it makes.
func TestPhysicalIDs(t *testing.T) {
	owner := ownerToken(&cfn.Event{StackID: "arn:aws:cloudformation:us-east-1:111111111111:stack/a/1", LogicalResourceID: "IpamAdmin"})
	if other := ownerToken(&cfn.Event{StackID: "arn:aws:cloudformation:us-east-1:111111111111:stack/b/2", LogicalResourceID: "IpamAdmin"}); other == owner {
		t.Fatal("two stacks share an owner token")
	}
	if other := ownerToken(&cfn.Event{StackID: "arn:aws:cloudformation:us-east-1:111111111111:stack/a/1", LogicalResourceID: "IpamAdmin2"}); other == owner {
		t.Fatal("two resources of one stack share an owner token")
	}
	for _, id := range []physicalID{{"o-abc", created, owner}, {"o-abc", adopted, owner}, {"o-abc", unrecorded, ""}} {
		if got, ok := parsePhysicalID(id.String()); !ok || got != id {
			t.Errorf("parsePhysicalID(%q) = %+v, %v", id, got, ok)
		}
	}
	for _, id := range []string{"", "request-1", "o-abc", "x-abc/ipam-delegated-admin", "o-abc/ipam-delegated-admin/created", "o-abc/ipam-delegated-admin/owned/" + owner,
		"o-abc/ipam-delegated-admin/created/" + strings.ToUpper(owner), "o-abc/ipam-delegated-admin/created/" + owner[:30], "o-abc/ipam-delegated-admin/created/" + owner + "/x"} {
		if got, ok := parsePhysicalID(id); ok {
			t.Errorf("parsePhysicalID(%q) = %+v, want not ours", id, got)
		}
	}
}

// TestCreateRacesAnother: another stack creates the integration after
// this Create found nothing and before it marks it: its mark is refused
// as taken, and it reports the refusal with its RequestId, having written
// nothing that stays.
func TestCreateRacesAnother(t *testing.T) {
	emu := awstest.New()
	a, b := newNamedStack(t, emu, mgmt, "stack-a"), newNamedStack(t, emu, mgmt, "stack-b")
	var ra cfn.Response
	b.wrap = before("CreateServiceLinkedRole", func() { ra = a.send(a.event(cfn.RequestCreate, "", props(member1), nil)) })
	create := b.event(cfn.RequestCreate, "", props(member1), nil)
	rb := b.send(create)
	wantStatus(t, ra, cfn.StatusSuccess, "")
	wantStatus(t, rb, cfn.StatusFailed, "IPAM is already integrated with organization "+emu.Snapshot().OrganizationID+
		": AWSServiceRoleForIPAM was created by someone else while this request ran")
	if rb.PhysicalResourceID != create.RequestID {
		t.Errorf("the refused create claims %q", rb.PhysicalResourceID)
	}
	if d := ipamRoleDescription(t, emu); !strings.Contains(d, a.stackID) {
		t.Errorf("AWSServiceRoleForIPAM's description %q", d)
	}
	wantState(t, emu, fsm.StateDelegated, member1)
}

// TestConcurrentCreates: two stacks created at once in an organization
// with nothing integrated: one creates the integration, the other is
// refused (whichever comes second, even when both found nothing), and
// nothing is claimed twice.
func TestConcurrentCreates(t *testing.T) {
	emu := awstest.New()
	stacks := []*stack{newNamedStack(t, emu, mgmt, "stack-a"), newNamedStack(t, emu, mgmt, "stack-b")}
	events := []cfn.Event{stacks[0].event(cfn.RequestCreate, "", props(member1), nil), stacks[1].event(cfn.RequestCreate, "", props(member1), nil)}
	var wg sync.WaitGroup
	for i := range stacks {
		wg.Go(func() {
			if err := stacks[i].invoke(context.Background(), events[i]); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	var made, refused int
	for i, s := range stacks {
		got := s.cf.take()
		if len(got) != 1 {
			t.Fatalf("stack %d: responses %+v", i, got)
		}
		switch r := got[0]; {
		case r.Status == cfn.StatusSuccess && r.PhysicalResourceID == s.id(created):
			made++
		case r.Status == cfn.StatusFailed && r.PhysicalResourceID == events[i].RequestID && strings.Contains(r.Reason, "IPAM is already integrated"):
			refused++
		default:
			t.Errorf("stack %d: %+v", i, r)
		}
	}
	if made != 1 || refused != 1 {
		t.Errorf("%d created, %d refused; want one of each", made, refused)
	}
	wantState(t, emu, fsm.StateDelegated, member1)
}

// TestCreateRacesAnAdministrator: another account becomes IPAM's delegated
// administrator after this Create marked AWSServiceRoleForIPAM and before
// it delegates: the refusal says the role was written, and does not send
// the user to AllowReplacement, which this path ignores.
func TestCreateRacesAnAdministrator(t *testing.T) {
	for _, tc := range []struct {
		name string
		wrap func(do func()) func(http.RoundTripper) http.RoundTripper
		who  string // how the refusal names the other administrator
	}{
		// The library's plan, after the mark, reads the administrator.
		{"before the plan", func(do func()) func(http.RoundTripper) http.RoundTripper { return after("CreateServiceLinkedRole", do) }, "account " + member2},
		// AWS refuses the delegation the library sent.
		{"before the delegation", func(do func()) func(http.RoundTripper) http.RoundTripper {
			return before("EnableIpamOrganizationAdminAccount", do)
		}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			emu := awstest.New()
			s := newStack(t, emu, mgmt)
			s.wrap = tc.wrap(func() {
				emu.SetTrustedAccess(awstest.IPAMServicePrincipal, true)
				emu.SetDelegatedAdmins(awstest.IPAMServicePrincipal, member2)
			})
			resp := s.send(s.event(cfn.RequestCreate, "", props(member1), nil))
			if resp.Status != cfn.StatusFailed || !strings.Contains(resp.Reason, tc.who+" became IPAM's delegated administrator after the function created AWSServiceRoleForIPAM") ||
				!strings.Contains(resp.Reason, "the delegation to "+member1+" was not made") || strings.Contains(resp.Reason, "AllowReplace") {
				t.Errorf("response %s: %q", resp.Status, resp.Reason)
			}
			if d := ipamRoleDescription(t, emu); d == "" {
				t.Error("the role the refusal says was created has no mark")
			}
			if admins := emu.Snapshot().DelegatedAdmins[awstest.IPAMServicePrincipal]; len(admins) != 1 || admins[0] != member2 {
				t.Errorf("administrators %v, want only %s", admins, member2)
			}
		})
	}
}

// TestCreateRefusesAnAnomaly: an organization AWS shows as no lifecycle
// state allows (two IPAM administrators) is refused with the anomaly, not
// taken for an integration to adopt.
func TestCreateRefusesAnAnomaly(t *testing.T) {
	emu := awstest.New()
	emu.SetTrustedAccess(awstest.IPAMServicePrincipal, true)
	emu.SetDelegatedAdmins(awstest.IPAMServicePrincipal, member1, member2)
	s := newStack(t, emu, mgmt)
	resp := s.send(s.event(cfn.RequestCreate, "", props(member1), nil))
	if resp.Status != cfn.StatusFailed || strings.Contains(resp.Reason, propAdoptExisting) || !strings.Contains(resp.Reason, "anomal") {
		t.Errorf("response %s: %q", resp.Status, resp.Reason)
	}
	if w := s.writes(); len(w) != 0 {
		t.Errorf("writes %v", w)
	}
}

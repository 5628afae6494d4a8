package main

import (
	"context"
	"fmt"

	"github.com/ipamorg/sdk/fsm"
	"github.com/ipamorg/sdk/ipamorg"
)

// delete serves a Delete. It tears IPAM's integration down, in AWS's order
// (remove the administrator, disable trusted access, delete
// AWSServiceRoleForIPAM), only when the resource created it: its physical
// id has the created form and names this resource, and the integration
// still carries its mark with the resource's administrator registered, or
// none left (a teardown an earlier attempt began). Otherwise it writes
// nothing and succeeds, and the response's Reason says what was left and
// why: the resource adopted the integration, never created one (its
// Create wrote nothing), or the integration there now is not the one it
// made.
func (r *request) delete(ctx context.Context) error {
	id, ours := parsePhysicalID(r.ev.PhysicalResourceID)
	switch {
	case !ours:
		r.leave("nothing to delete: the resource's Create wrote nothing")
		return nil
	case id.own == adopted:
		r.leave(fmt.Sprintf("IPAM's integration with organization %s is left in place: the resource adopted it (%s) and did not create it",
			id.org, propAdoptExisting))
		return nil
	case id.own == unrecorded:
		r.leave(fmt.Sprintf("IPAM's integration with organization %s is left in place: the resource was made by an earlier version of this function, "+
			"which did not record whether it created the integration or found it", id.org))
		return nil
	case id.owner != ownerToken(r.ev):
		r.leave(fmt.Sprintf("IPAM's integration with organization %s is left in place: the physical id %s was made for another resource than %s of stack %s",
			id.org, r.ev.PhysicalResourceID, r.ev.LogicalResourceID, r.ev.StackID))
		return nil
	}
	st, err := r.org.Observe(ctx)
	if err != nil {
		return err
	}
	if st.OrganizationID != id.org {
		return wrongOrganization(id.org, st)
	}
	if st.State == fsm.StateNone {
		return nil
	}
	desc, exists, err := roleDescription(ctx, r.roles)
	if err != nil {
		return err
	}
	admin, _ := r.ev.ResourceProperties[propAdmin].(string)
	switch {
	case !exists || !hasMark(desc, id.owner):
		r.leave(fmt.Sprintf("IPAM's integration with organization %s (%s) is left in place: %s does not carry this resource's mark, "+
			"so it is not the integration the resource created", id.org, st.State, ipamRoleName))
		return nil
	case st.DelegatedAdmin != "" && st.DelegatedAdmin != admin:
		r.leave(fmt.Sprintf("IPAM's integration with organization %s is left in place: account %s is its delegated administrator, not the resource's %s",
			id.org, st.DelegatedAdmin, admin))
		return nil
	}
	d, err := teardownDesired(r.ev.ResourceProperties)
	if err != nil {
		return err
	}
	p, err := r.org.PlanFrom(ctx, st, d)
	if err != nil {
		return explainIPAMs(err)
	}
	if _, err := r.org.Apply(ctx, p); err != nil {
		return explainIPAMs(err)
	}
	return nil
}

// teardownDesired is what deleting the resource reconciles to: nothing
// integrated, in AWS's order. It is the one place for the guard against
// tearing down while the administrator still owns IPAMs: a resource
// property that allows it maps onto the Desired field that lets the
// library proceed.
func teardownDesired(m map[string]any) (ipamorg.Desired, error) {
	var allow bool
	if err := parseBool(m, propAllowIPAMResources, &allow); err != nil {
		return ipamorg.Desired{}, err
	}
	return ipamorg.Desired{State: fsm.StateNone, AllowIPAMResources: allow}, nil
}

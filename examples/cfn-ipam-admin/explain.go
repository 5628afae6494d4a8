package main

import (
	"errors"
	"fmt"

	"github.com/ipamorg/sdk/fsm"
	"github.com/ipamorg/sdk/ipamorg"
)

// desired is where a Create or Update moves the organization.
func desired(p properties) ipamorg.Desired {
	return ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: p.DelegatedAdminAccountID,
		AllowReplace: p.AllowReplacement, AllowIPAMResources: p.AllowIPAMResources}
}

// explain adds to err, a failure of planning or applying from st, what to
// change in the template when that is the fix; the library's message stays
// whole.
func explain(err error, st *ipamorg.Status, props properties) error {
	admin := st.DelegatedAdmin
	var e *ipamorg.Error
	if errors.As(err, &e) && e.Last != nil {
		admin = e.Last.DelegatedAdmin
	}
	if errors.Is(err, ipamorg.ErrDelegatedAdminConflict) && !props.AllowReplacement && admin != "" {
		return fmt.Errorf("account %s is IPAM's delegated administrator, not %s: replacing it interrupts IPAM for the whole organization; "+
			"set %s: \"true\" on the resource to do it (nothing was written): %w", admin, props.DelegatedAdminAccountID, propAllowReplacement, err)
	}
	return explainIPAMs(err)
}

// explainIPAMs adds to err, when the library refused to remove the
// administrator while it owns IPAMs (or they could not be read), the
// property that lets the handler proceed.
func explainIPAMs(err error) error {
	var ire *ipamorg.IPAMResourcesError
	switch {
	case errors.As(err, &ire):
		return fmt.Errorf("IPAM's delegated administrator %s still owns IPAMs, which AWS's teardown order deletes first: %s; "+
			"then retry, or set %s: \"true\" on the resource to proceed anyway (nothing was written): %w", ire.Admin, ire.Describe(), propAllowIPAMResources, err)
	case errors.Is(err, ipamorg.ErrAdminUnreachable):
		return fmt.Errorf("the delegated administrator's IPAMs could not be read, so nobody knows whether they are gone; "+
			"grant the function sts:AssumeRole on OrganizationAccountAccessRole there, or set %s: \"true\" on the resource (nothing was written): %w",
			propAllowIPAMResources, err)
	}
	return err
}

// mayHaveWritten reports whether a failed Apply may have written to AWS: a
// step was confirmed (Done) or its write was sent and not confirmed
// (Unconfirmed). An error that is not the library's says nothing, so it
// counts as a possible write.
func mayHaveWritten(err error) bool {
	var e *ipamorg.Error
	if !errors.As(err, &e) {
		return true
	}
	return len(e.Done) > 0 || len(e.Unconfirmed) > 0
}

func wrongOrganization(org string, st *ipamorg.Status) error {
	return fmt.Errorf("the resource belongs to organization %s, but the function's credentials act in organization %s (management account %s): nothing was written",
		org, st.OrganizationID, st.ManagementAccountID)
}

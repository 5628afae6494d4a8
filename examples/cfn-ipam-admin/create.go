package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ipamorg/sdk/fsm"
	"github.com/ipamorg/sdk/ipamorg"
)

// create serves a Create: the organization delegated to the resource's
// DelegatedAdminAccountId.
//
//   - Nothing of IPAM's integration found (no delegated administrator, no
//     trusted access, no AWSServiceRoleForIPAM): the resource creates it.
//     Once the library's guards pass, it marks the integration as its own
//     (see mark) and delegates. Its physical id takes the created form
//     before the first write, so that the rollback of a Create that failed
//     after writing, confirmed or not, tears down what it may have made.
//   - The integration found carries the resource's mark: an earlier attempt
//     of this very Create made it (Lambda retries an event whose attempt
//     died or whose response was lost), so the Create carries on as
//     created, with the same physical id.
//   - Anything else found: refused, nothing written, the RequestId as the
//     physical id (the rollback's Delete then does nothing); unless
//     AdoptExisting is "true": then the resource adopts the integration as
//     it stands and moves it to its properties as an Update would
//     (another administrator is replaced only with AllowReplacement), and
//     its physical id takes the adopted form, whose Delete leaves the
//     integration in place.
func (r *request) create(ctx context.Context) error {
	props, err := parseProperties(r.ev.ResourceProperties)
	if err != nil {
		return err
	}
	st, err := r.org.Observe(ctx)
	if err != nil {
		return err
	}
	d := desired(props)
	if err := r.groundToAct(ctx, st, d); err != nil {
		return explain(err, st, props)
	}
	self := physicalID{org: st.OrganizationID, own: created, owner: ownerToken(r.ev)}
	own := created
	if found := integrationFound(st); len(found) > 0 {
		desc := ""
		if st.ServiceLinkedRole {
			if desc, _, err = roleDescription(ctx, r.roles); err != nil {
				return err
			}
		}
		switch {
		case st.ServiceLinkedRole && hasMark(desc, self.owner):
			r.claim(self)
			r.log.Info("the integration carries this resource's mark: an earlier attempt of this Create made it", "found", found)
		case props.AdoptExisting:
			own = adopted
			r.log.Info("adopting the integration found", "found", found)
		default:
			return refuseExisting(st.OrganizationID, found, desc)
		}
	}
	p, err := r.org.PlanFrom(ctx, st, d)
	if err != nil {
		return explain(err, st, props)
	}

	var res *ipamorg.Result
	if own == created && !st.ServiceLinkedRole {
		r.claim(self)
		if err := mark(ctx, r.roles, r.ev); err != nil {
			if errors.Is(err, errMarkTaken) {
				r.unclaim()
				return refuseExisting(st.OrganizationID, []string{err.Error()}, "")
			}
			return err
		}
		// The mark changed the state the plan was made from. From nothing
		// integrated there is nothing to replace: an administrator that
		// appears meanwhile is someone else's, whatever AllowReplacement
		// says.
		d.AllowReplace = false
		res, err = r.org.Reconcile(ctx, d)
		if errors.Is(err, ipamorg.ErrDelegatedAdminConflict) && !mayHaveWritten(err) {
			// AllowReplacement does not apply here, and the mark is
			// written: the library's advice and explain's would be false.
			return raceLost(err, props)
		}
	} else {
		res, err = r.org.Apply(ctx, p)
		if own == adopted && (err == nil || mayHaveWritten(err)) {
			r.claim(physicalID{org: st.OrganizationID, own: adopted, owner: self.owner})
		}
	}
	if err != nil {
		return explain(err, st, props)
	}
	r.succeed(res.Status, own)
	return nil
}

// groundToAct refuses a status that the library's guards would refuse
// (the caller is not the management account, a read was denied, AWS shows
// an anomaly), with their error, before the handler reads more or judges
// what is integrated from it.
func (r *request) groundToAct(ctx context.Context, st *ipamorg.Status, d ipamorg.Desired) error {
	if st.CallerAccountID != "" && st.CallerAccountID == st.ManagementAccountID && st.State != fsm.StateUnknown && len(st.Anomalies()) == 0 {
		return nil
	}
	if _, err := r.org.PlanFrom(ctx, st, d); err != nil {
		return err
	}
	return fmt.Errorf("the organization's state is %s as the function's credentials see it (caller %s, management account %s): nothing was written",
		st.State, st.CallerAccountID, st.ManagementAccountID)
}

// integrationFound lists what of IPAM's integration st shows: whatever
// the Delete of a resource that created the integration tears down.
func integrationFound(st *ipamorg.Status) []string {
	var found []string
	if st.DelegatedAdmin != "" {
		found = append(found, fmt.Sprintf("account %s is IPAM's delegated administrator", st.DelegatedAdmin))
	}
	if st.TrustedAccess {
		found = append(found, "trusted access for "+ipamServicePrincipal+" is enabled")
	}
	if st.ServiceLinkedRole {
		found = append(found, ipamRoleName+" exists in the management account")
	}
	return found
}

// refuseExisting is the failure of a Create that found an integration it
// did not make, and how to adopt it.
func refuseExisting(org string, found []string, roleDescription string) error {
	what := strings.Join(found, "; ")
	if roleDescription != "" {
		what += fmt.Sprintf(" (its description: %q)", roleDescription)
	}
	return fmt.Errorf("IPAM is already integrated with organization %s: %s; this resource tears down only an integration it created, "+
		"so it does not take over one it found unless told to: set %s: \"true\" on the resource to adopt it, and deleting the resource "+
		"will then leave the integration in place (nothing was written)", org, what, propAdoptExisting)
}

// raceLost is the refusal of a Create that marked AWSServiceRoleForIPAM
// and then found another administrator registered: err, the library's
// refusal, says which when it read one. The delegation was not made,
// whether the library's plan found the administrator or AWS refused the
// write (err is not one that may have written).
func raceLost(err error, props properties) error {
	other := "another account"
	var e *ipamorg.Error
	if errors.As(err, &e) && e.Last != nil && e.Last.DelegatedAdmin != "" {
		other = "account " + e.Last.DelegatedAdmin
	}
	return fmt.Errorf("%s became IPAM's delegated administrator after the function created %s in the management account "+
		"(created, with this resource's mark); the delegation to %s was not made", other, ipamRoleName, props.DelegatedAdminAccountID)
}

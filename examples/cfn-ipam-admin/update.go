package main

import (
	"context"

	"github.com/ipamorg/sdk/ipamorg"
)

// update serves an Update: the organization moved to the new properties.
// Another administrator than the properties' is replaced (removed, then
// the new one delegated, never both at once) only with AllowReplacement
// "true", or when the Update rolls back a replacement (see
// rollsBackReplacement); otherwise it fails before writing. The plan is
// made from the status the decision was made on, and the library refuses
// it (ErrStalePlan) if the organization moved meanwhile, so that a
// replacement allowed for one administrator never removes another.
//
// The physical id and the ownership recorded in it stay as Create made
// them: AdoptExisting matters only to a Create.
func (r *request) update(ctx context.Context) error {
	props, err := parseProperties(r.ev.ResourceProperties)
	if err != nil {
		return err
	}
	id, ours := parsePhysicalID(r.ev.PhysicalResourceID)
	st, err := r.org.Observe(ctx)
	if err != nil {
		return err
	}
	if ours && st.OrganizationID != id.org {
		return wrongOrganization(id.org, st)
	}
	d := desired(props)
	if !d.AllowReplace && rollsBackReplacement(r.ev.OldResourceProperties, st) {
		d.AllowReplace = true
		r.log.Info("replacing the administrator that the resource's previous properties put there with AllowReplacement: a rollback of that replacement",
			"delegated_admin", st.DelegatedAdmin, "resource_admin", props.DelegatedAdminAccountID)
	}
	p, err := r.org.PlanFrom(ctx, st, d)
	if err != nil {
		return explain(err, st, props)
	}
	res, err := r.org.Apply(ctx, p)
	if err != nil {
		return explain(err, st, props)
	}
	own := unrecorded
	if ours {
		own = id.own
	}
	r.succeed(res.Status, own)
	return nil
}

// rollsBackReplacement reports whether an Update may replace the
// administrator without AllowReplacement in its own properties because it
// restores what the resource itself replaced.
//
// When a later resource fails, CloudFormation rolls back an Update that
// replaced the administrator by sending another Update: the properties
// from before (usually without AllowReplacement) as ResourceProperties,
// the replacing Update's as OldResourceProperties. Nothing in the event
// says it is a rollback. The rule: the old properties allowed replacement
// and the administrator registered now is theirs, so it is the one this
// resource put there, and replacing it returns the organization to what
// the stack held. A forward Update that drops AllowReplacement while
// changing the administrator looks the same and is allowed for the same
// reason. A third account registered since is someone else's and still
// needs AllowReplacement: such a rollback fails (UPDATE_ROLLBACK_FAILED),
// and never removes it.
func rollsBackReplacement(old map[string]any, st *ipamorg.Status) bool {
	o, err := parseProperties(old)
	return err == nil && o.AllowReplacement && st.DelegatedAdmin != "" && st.DelegatedAdmin == o.DelegatedAdminAccountID
}

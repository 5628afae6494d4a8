package provider

import (
	"context"
	"errors"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ipamorg/sdk/fsm"
	"github.com/ipamorg/sdk/ipamorg"
)

// ModifyPlan makes Terraform's plan the library's: it observes the
// organization and plans the move to the configuration with ipamorg's
// PlanFrom, so that what the library refuses (another administrator
// without allow_replacement, an account not in the organization, a
// caller that is not the management account, an anomaly) fails the plan,
// with the library's message, before any apply. When the library plans
// steps where the configuration did not change, a delegation made
// through AWS Organizations say, the plan shows them as an in-place
// update of the computed attributes, and says which steps in a warning.
// A create on an organization that already has an administrator fails
// here, saying to import it.
func (r *integrationResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if r.clients == nil {
		return // an unconfigured provider has nothing to read
	}
	if req.Plan.Raw.IsNull() {
		r.planDestroy(ctx, req, resp)
		return
	}
	var plan integrationModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || plan.DelegatedAdmin.IsUnknown() || plan.AllowReplacement.IsUnknown() || plan.AllowIPAMResources.IsUnknown() {
		return
	}
	c, st, err := r.observe(ctx)
	if err != nil {
		resp.Diagnostics.AddError("cannot observe IPAM's integration with the organization", detail(err))
		return
	}
	creating := req.State.Raw.IsNull()
	if creating && st.DelegatedAdmin != "" {
		resp.Diagnostics.AddError("IPAM is already integrated with the organization", detail(refuseExisting(st)))
		return
	}
	p, err := c.PlanFrom(ctx, st, plan.desired())
	if err != nil {
		resp.Diagnostics.AddAttributeError(pathAdmin, "the ipamorg library refuses this plan", detail(err))
		return
	}
	if !creating && p.Empty() {
		var prior integrationModel
		resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
		plan.State, plan.TrustedAccess, plan.ServiceLinkedRole, plan.Warnings = prior.State, prior.TrustedAccess, prior.ServiceLinkedRole, prior.Warnings
	} else {
		// What a confirmed delegation shows; the warnings are read after.
		plan.ID = types.StringValue(st.OrganizationID)
		plan.OrganizationID = types.StringValue(st.OrganizationID)
		plan.State = types.StringValue(string(fsm.StateDelegated))
		plan.TrustedAccess = types.BoolValue(true)
		plan.ServiceLinkedRole = types.BoolValue(true)
		plan.Warnings = types.ListUnknown(types.StringType)
		if !creating {
			resp.Diagnostics.AddWarning("ipamorg plan for organization "+st.OrganizationID, p.String())
		}
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// planDestroy runs the library's guards on the teardown at plan time, so
// that a destroy that would be refused (a caller that is not the
// management account, say) fails the plan rather than the apply. IPAMs
// the administrator still owns are the exception, a warning: Terraform
// does not tell a provider what else the run destroys, and the same
// destroy may delete them first (an aws_vpc_ipam that depends on this
// resource is destroyed before it). Delete runs every guard again, on
// what is left by then.
func (r *integrationResource) planDestroy(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	var prior integrationModel
	resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c, st, err := r.observe(ctx)
	if err == nil {
		d, ok := teardownDesired(st, prior.Teardown.ValueString(), prior.AllowIPAMResources.ValueBool())
		if ok {
			_, err = c.PlanFrom(ctx, st, d)
		}
	}
	switch {
	case errors.Is(err, ipamorg.ErrIPAMResourcesExist):
		resp.Diagnostics.AddWarning("the delegated administrator still owns IPAMs", message(err)+
			"\n\nThis destroy removes the integration only if it deletes them first, as it does an aws_vpc_ipam that depends on this resource; "+
			"otherwise the apply refuses, having written nothing.")
	case err != nil:
		resp.Diagnostics.AddError("cannot remove IPAM's integration with the organization", detail(err))
	}
}

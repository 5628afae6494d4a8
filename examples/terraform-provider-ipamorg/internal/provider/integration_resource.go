package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ipamorg/sdk/fsm"
	"github.com/ipamorg/sdk/ipamorg"
)

// integrationResource is ipamorg_organization_integration.
type integrationResource struct{ clients *clients }

var (
	_ resource.ResourceWithConfigure   = (*integrationResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*integrationResource)(nil)
	_ resource.ResourceWithImportState = (*integrationResource)(nil)
)

func newIntegrationResource() resource.Resource { return &integrationResource{} }

func (r *integrationResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_organization_integration"
}

func (r *integrationResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.clients = configured(req.ProviderData, resp.Diagnostics.AddError)
}

// observe returns a library client with the provider's options and the
// organization as it observes it.
func (r *integrationResource) observe(ctx context.Context) (*ipamorg.Client, *ipamorg.Status, error) {
	c, err := r.clients.client()
	if err != nil {
		return nil, nil, err
	}
	st, err := c.Observe(ctx)
	return c, st, err
}

// desired is where the resource's configuration wants the organization.
func (m *integrationModel) desired() ipamorg.Desired {
	return ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: m.DelegatedAdmin.ValueString(),
		AllowReplace: m.AllowReplacement.ValueBool(), AllowIPAMResources: m.AllowIPAMResources.ValueBool()}
}

// observed sets m's computed attributes, and the administrator, from st.
func (m *integrationModel) observed(ctx context.Context, st *ipamorg.Status) error {
	m.ID = types.StringValue(st.OrganizationID)
	m.OrganizationID = types.StringValue(st.OrganizationID)
	m.DelegatedAdmin = types.StringValue(st.DelegatedAdmin)
	m.State = types.StringValue(string(st.State))
	m.TrustedAccess = types.BoolValue(st.TrustedAccess)
	m.ServiceLinkedRole = types.BoolValue(st.ServiceLinkedRole)
	l, diags := types.ListValueFrom(ctx, types.StringType, warningStrings(st.Warnings))
	if diags.HasError() {
		return fmt.Errorf("warnings: %v", diags)
	}
	m.Warnings = l
	// An import sets only the id: the settings take their defaults.
	if m.AllowReplacement.IsNull() {
		m.AllowReplacement = types.BoolValue(false)
	}
	if m.AllowIPAMResources.IsNull() {
		m.AllowIPAMResources = types.BoolValue(false)
	}
	if m.Teardown.IsNull() {
		m.Teardown = types.StringValue(teardownRemoveAdmin)
	}
	return nil
}

// refuseExisting is the failure of a Create that found an administrator
// registered: the integration is someone's already, and destroying this
// resource would remove it, so the resource adopts it only by import.
func refuseExisting(st *ipamorg.Status) error {
	return withFix(fmt.Errorf("IPAM is already integrated with organization %s: account %s is its delegated administrator (state %s); "+
		"this resource does not take over an integration it did not create (nothing was written)", st.OrganizationID, st.DelegatedAdmin, st.State),
		fmt.Sprintf("Adopt it: terraform import <address of this resource> %s (its destroy then removes the administrator, or more with teardown = \"full\"); or remove it in AWS first.", st.OrganizationID))
}

func (r *integrationResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m integrationModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c, st, err := r.observe(ctx)
	if err == nil && st.DelegatedAdmin != "" {
		err = refuseExisting(st) // the plan refused it too, unless the administrator came since
	}
	if err != nil {
		resp.Diagnostics.AddError("cannot integrate IPAM with the organization", detail(err))
		return
	}
	res, err := applyFrom(ctx, c, st, m.desired())
	if err != nil {
		// The state is not saved: the next plan observes what AWS shows,
		// and refuses to create over an administrator it finds.
		msg := detail(err)
		if mayHaveWritten(err) {
			msg += "\n\nThe delegation may have been applied: if the next plan says IPAM is already integrated, import it."
		}
		resp.Diagnostics.AddError("cannot integrate IPAM with the organization", msg)
		return
	}
	r.save(ctx, &m, res.Status, &resp.State, &resp.Diagnostics)
}

// save records st (what the library last observed, after its waits) as the
// resource's state.
func (r *integrationResource) save(ctx context.Context, m *integrationModel, st *ipamorg.Status, state *tfsdk.State, diags *diag.Diagnostics) {
	if err := m.observed(ctx, st); err != nil {
		diags.AddError("cannot record the integration", err.Error())
		return
	}
	diags.Append(state.Set(ctx, m)...)
}

func (r *integrationResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var m integrationModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	_, st, err := r.observe(ctx)
	if err != nil {
		resp.Diagnostics.AddError("cannot observe IPAM's integration with the organization", detail(err))
		return
	}
	if id := m.ID.ValueString(); id != "" && id != st.OrganizationID {
		resp.Diagnostics.AddError("another organization", fmt.Sprintf(
			"the resource is the integration of organization %s, but the provider's credentials act in organization %s (management account %s); "+
				"to import, give the organization id that ipamorgctl status shows", id, orNone(st.OrganizationID), orNone(st.ManagementAccountID)))
		return
	}
	r.save(ctx, &m, st, &resp.State, &resp.Diagnostics)
}

func (r *integrationResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var m integrationModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c, err := r.clients.client()
	var res *ipamorg.Result
	if err == nil {
		res, err = c.Reconcile(ctx, m.desired())
	}
	if err != nil {
		resp.Diagnostics.AddError("cannot update IPAM's integration with the organization", detail(err))
		return
	}
	r.save(ctx, &m, res.Status, &resp.State, &resp.Diagnostics)
}

func (r *integrationResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var m integrationModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c, err := r.clients.client()
	if err == nil {
		err = teardown(ctx, c, m.Teardown.ValueString(), m.AllowIPAMResources.ValueBool())
	}
	if err != nil {
		resp.Diagnostics.AddError("cannot remove IPAM's integration with the organization", detail(err))
	}
}

// teardown undoes the integration as far as mode says: the administrator
// only, or the whole teardown in AWS's order. Both read the
// administrator's IPAMs first and refuse while any exists, unless
// allowIPAMs.
func teardown(ctx context.Context, c *ipamorg.Client, mode string, allowIPAMs bool) error {
	st, err := c.Observe(ctx)
	if err != nil {
		return err
	}
	d, ok := teardownDesired(st, mode, allowIPAMs)
	if !ok {
		return nil
	}
	_, err = applyFrom(ctx, c, st, d)
	return err
}

// applyFrom moves the organization from st, the status a decision was
// made on, to d: a plan from st, which Apply refuses (ErrStalePlan,
// nothing written) if the organization has changed since, rather than
// act on what it reads anew (an administrator that another hand
// registered meanwhile would pass for this resource's).
func applyFrom(ctx context.Context, c *ipamorg.Client, st *ipamorg.Status, d ipamorg.Desired) (*ipamorg.Result, error) {
	p, err := c.PlanFrom(ctx, st, d)
	if err != nil {
		return nil, err
	}
	return c.Apply(ctx, p)
}

// teardownDesired is where destroy moves the organization from st, or
// false when there is nothing to do: in remove-admin mode, no
// administrator is left to remove (an organization in none or disabled
// cannot be moved to trusted, which only a delegation grants).
func teardownDesired(st *ipamorg.Status, mode string, allowIPAMs bool) (ipamorg.Desired, bool) {
	if mode == teardownFull {
		return ipamorg.Desired{State: fsm.StateNone, AllowIPAMResources: allowIPAMs}, true
	}
	if st.DelegatedAdmin == "" {
		return ipamorg.Desired{}, false
	}
	return ipamorg.Desired{State: fsm.StateTrusted, AllowIPAMResources: allowIPAMs}, true
}

func (r *integrationResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := strings.TrimSpace(req.ID)
	if !strings.HasPrefix(id, "o-") {
		resp.Diagnostics.AddError("invalid import id", fmt.Sprintf("import ipamorg_organization_integration by the organization's id (o-...), not %q", req.ID))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
}

var pathAdmin = path.Root("delegated_admin_account_id")

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// mayHaveWritten reports whether a failed writing call of the library may
// have written: a step confirmed (Done) or sent but not confirmed
// (Unconfirmed). An error that is not the library's says nothing, so it
// counts as a possible write.
func mayHaveWritten(err error) bool {
	var e *ipamorg.Error
	if !errors.As(err, &e) {
		return true
	}
	return len(e.Done) > 0 || len(e.Unconfirmed) > 0
}

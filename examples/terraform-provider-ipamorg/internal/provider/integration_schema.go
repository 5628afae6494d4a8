package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// The teardown modes: how far destroy goes.
const (
	// teardownRemoveAdmin removes the delegated administrator only
	// (delegated -> trusted), as the AWS provider's
	// aws_vpc_ipam_organization_admin_account does. The default.
	teardownRemoveAdmin = "remove-admin"
	// teardownFull is the whole teardown in AWS's order: remove the
	// administrator, disable trusted access, delete AWSServiceRoleForIPAM
	// from the management account.
	teardownFull = "full"
)

var teardowns = []string{teardownRemoveAdmin, teardownFull}

// integrationModel is ipamorg_organization_integration's data.
type integrationModel struct {
	ID                 types.String `tfsdk:"id"`
	DelegatedAdmin     types.String `tfsdk:"delegated_admin_account_id"`
	AllowReplacement   types.Bool   `tfsdk:"allow_replacement"`
	AllowIPAMResources types.Bool   `tfsdk:"allow_ipam_resources"`
	Teardown           types.String `tfsdk:"teardown"`
	State              types.String `tfsdk:"state"`
	OrganizationID     types.String `tfsdk:"organization_id"`
	TrustedAccess      types.Bool   `tfsdk:"trusted_access"`
	ServiceLinkedRole  types.Bool   `tfsdk:"service_linked_role"`
	Warnings           types.List   `tfsdk:"warnings"`
}

func (r *integrationResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "IPAM's integration with the organization, as its management account sees it: a delegated administrator " +
			"registered through IPAM (ec2:EnableIpamOrganizationAdminAccount), which also enables trusted access and creates " +
			"AWSServiceRoleForIPAM. Read is ipamorg's Observe; changes go through its Plan and Apply, with their guards and waits. " +
			"Create refuses an organization that already has an administrator: import it by organization id.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true, Description: "The organization's id, as for import.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
			"delegated_admin_account_id": schema.StringAttribute{Required: true,
				Description: "The member account to be IPAM's delegated administrator (12 digits)."},
			"allow_replacement": schema.BoolAttribute{Optional: true, Computed: true, Default: booldefault.StaticBool(false),
				Description: "Allow replacing another delegated administrator, which interrupts IPAM for the whole organization. Without it, a change of administrator fails at plan time."},
			"allow_ipam_resources": schema.BoolAttribute{Optional: true, Computed: true, Default: booldefault.StaticBool(false),
				Description: "Let destroy (or a replacement) remove the administrator while it still owns IPAMs, or when they cannot be read. Without it, that is refused, naming each IPAM and the command that deletes it."},
			"teardown": schema.StringAttribute{Optional: true, Computed: true, Default: stringdefault.StaticString(teardownRemoveAdmin),
				Validators: []validator.String{oneOf(teardowns)},
				Description: "How far destroy goes: \"remove-admin\" (default) removes the delegated administrator only, as the AWS provider's " +
					"aws_vpc_ipam_organization_admin_account does; \"full\" then disables trusted access and deletes AWSServiceRoleForIPAM " +
					"from the management account, in AWS's order."},
			"state": schema.StringAttribute{Computed: true,
				Description: "The lifecycle state observed: none, trusted, delegated, disabled, or unknown when a read that decides it was denied."},
			"organization_id": schema.StringAttribute{Computed: true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
			"trusted_access": schema.BoolAttribute{Computed: true,
				Description: "Whether ipam.amazonaws.com is a trusted service of the organization."},
			"service_linked_role": schema.BoolAttribute{Computed: true,
				Description: "Whether AWSServiceRoleForIPAM exists in the management account. False while delegated is the wrong enable path, which the next plan repairs."},
			"warnings": schema.ListAttribute{Computed: true, ElementType: types.StringType,
				Description: "What Observe warned of, each \"code: message\"."},
		},
	}
}

// oneOfValidator refuses a string outside a fixed set.
type oneOfValidator []string

func oneOf(values []string) validator.String { return oneOfValidator(values) }

func (v oneOfValidator) Description(context.Context) string {
	return "one of " + strings.Join(v, ", ")
}
func (v oneOfValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v oneOfValidator) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() || slices.Contains(v, req.ConfigValue.ValueString()) {
		return
	}
	resp.Diagnostics.AddAttributeError(req.Path, "invalid value",
		fmt.Sprintf("%q is not %s", req.ConfigValue.ValueString(), v.Description(ctx)))
}

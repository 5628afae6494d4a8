package provider

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ipamorg/sdk/awsclient/awstest"
)

// ipamTestProvider stands in, in the acceptance tests, for the
// administrator's AWS provider, which no registry serves here: its one
// resource, ipamtest_ipam, creates an organization-wide IPAM in the
// emulator as its owner and deletes it (cascade) on destroy, so that a
// configuration can hold the integration and the IPAM that depends on it,
// as README.md's does.
type ipamTestProvider struct{ emu *awstest.Emulator }

func (p *ipamTestProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "ipamtest"
}

func (p *ipamTestProvider) Schema(context.Context, provider.SchemaRequest, *provider.SchemaResponse) {
}

func (p *ipamTestProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}

func (p *ipamTestProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{func() resource.Resource { return &ipamTestResource{emu: p.emu} }}
}

func (p *ipamTestProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }

var _ provider.Provider = (*ipamTestProvider)(nil)

type ipamTestResource struct{ emu *awstest.Emulator }

type ipamTestModel struct {
	ID    types.String `tfsdk:"id"`
	Owner types.String `tfsdk:"owner"`
}

func (r *ipamTestResource) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = "ipamtest_ipam"
}

func (r *ipamTestResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{Attributes: map[string]schema.Attribute{
		"id":    schema.StringAttribute{Computed: true, PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
		"owner": schema.StringAttribute{Required: true, PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()}},
	}}
}

func (r *ipamTestResource) ec2(ctx context.Context, owner string) *ec2.Client {
	return ec2.NewFromConfig(r.emu.Config(ctx, owner))
}

func (r *ipamTestResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m ipamTestModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	out, err := r.ec2(ctx, m.Owner.ValueString()).CreateIpam(ctx, &ec2.CreateIpamInput{
		OperatingRegions: []ec2types.AddIpamOperatingRegion{{RegionName: aws.String("us-east-1")}},
	})
	if err != nil {
		resp.Diagnostics.AddError("create ipam", err.Error())
		return
	}
	m.ID = types.StringValue(aws.ToString(out.Ipam.IpamId))
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (r *ipamTestResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
}

func (r *ipamTestResource) Update(context.Context, resource.UpdateRequest, *resource.UpdateResponse) {
}

// Delete deletes the IPAM and, as the AWS provider's aws_vpc_ipam does,
// returns once it is gone (the emulator's IPAM delay is zero here).
func (r *ipamTestResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var m ipamTestModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	_, err := r.ec2(ctx, m.Owner.ValueString()).DeleteIpam(ctx, &ec2.DeleteIpamInput{IpamId: m.ID.ValueStringPointer(), Cascade: aws.Bool(true)})
	if err != nil {
		resp.Diagnostics.AddError("delete ipam", err.Error())
	}
}

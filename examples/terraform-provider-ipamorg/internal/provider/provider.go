// Package provider is the ipamorg Terraform provider: its configuration,
// resources and data source, each a thin front end on package ipamorg.
package provider

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ipamorg/sdk/ipamorg"
)

// Address is the provider's source address in the Terraform registry's
// namespace; configurations name it in required_providers.
const Address = "registry.terraform.io/ipamorg/ipamorg"

// New returns the provider factory that providerserver serves.
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &ipamorgProvider{version: version} }
}

type ipamorgProvider struct{ version string }

// providerModel is the provider block.
type providerModel struct {
	Profile     types.String `tfsdk:"profile"`
	Region      types.String `tfsdk:"region"`
	EndpointURL types.String `tfsdk:"endpoint_url"`
	AccessRole  types.String `tfsdk:"access_role"`
	MaxWait     types.String `tfsdk:"max_wait"`
}

// clients is what Configure hands the resources and data sources: the AWS
// configuration and the library's options, from which each operation
// builds its ipamorg.Client (the waiter with its own MaxWait).
type clients struct {
	cfg  aws.Config
	opts []func(*ipamorg.Options)
}

// client returns an ipamorg.Client with the provider's options, then
// extra.
func (c *clients) client(extra ...func(*ipamorg.Options)) (*ipamorg.Client, error) {
	return ipamorg.NewFromConfig(c.cfg, append(append([]func(*ipamorg.Options){}, c.opts...), extra...)...)
}

func (p *ipamorgProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "ipamorg"
	resp.Version = p.version
}

func (p *ipamorgProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "IPAM's integration with AWS Organizations, through the ipamorg library. Credentials, Region and endpoints " +
			"come from the AWS SDK's configuration chain (environment, shared config and credentials files, SSO, instance roles), " +
			"as the AWS CLI resolves them; they must be the organization's management account's.",
		Attributes: map[string]schema.Attribute{
			"profile": schema.StringAttribute{Optional: true,
				Description: "The shared config profile to use (else AWS_PROFILE, else default)."},
			"region": schema.StringAttribute{Optional: true,
				Description: "The Region for the AWS calls (else AWS_REGION or the profile's). IPAM's administrator is organization-wide, so any Region will do; with endpoint_url it defaults to us-east-1."},
			"endpoint_url": schema.StringAttribute{Optional: true,
				Description: "One endpoint for every service (Organizations, EC2, IAM, STS), overriding AWS_ENDPOINT_URL* and the profile's, as the CLI's --endpoint-url does: for the emulator, `ipamorgctl serve`'s http://127.0.0.1:4566."},
			"access_role": schema.StringAttribute{Optional: true,
				Description: "The role assumed in the delegated administrator's account to read its IPAMs (monitoring, the waiter, the guard before removing the administrator), optionally with its path. Default OrganizationAccountAccessRole."},
			"max_wait": schema.StringAttribute{Optional: true,
				Description: "The longest wait for AWS to show each change, a Go duration (\"90s\", \"5m\"). Default 5m."},
		},
	}
}

func (p *ipamorgProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var m providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	opts := []func(*ipamorg.Options){func(o *ipamorg.Options) { o.Logger = newLogger() }}
	if role := m.AccessRole.ValueString(); role != "" {
		opts = append(opts, func(o *ipamorg.Options) { o.AccessRole = role })
	}
	if s := m.MaxWait.ValueString(); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			resp.Diagnostics.AddAttributeError(path.Root("max_wait"), "invalid max_wait",
				"max_wait must be a positive Go duration such as \"90s\" or \"5m\", not "+s)
			return
		}
		opts = append(opts, func(o *ipamorg.Options) { o.Wait.MaxWait = d })
	}
	cfg, err := loadAWSConfig(ctx, target{
		profile:     m.Profile.ValueString(),
		region:      m.Region.ValueString(),
		endpointURL: m.EndpointURL.ValueString(),
	})
	if err != nil {
		resp.Diagnostics.AddError("cannot configure the ipamorg provider", detail(err))
		return
	}
	c := &clients{cfg: cfg, opts: opts}
	// The options are checked once here, so that a bad access_role fails
	// the configuration rather than the first resource.
	if _, err := c.client(); err != nil {
		resp.Diagnostics.AddError("invalid ipamorg provider configuration", detail(err))
		return
	}
	resp.ResourceData = c
	resp.DataSourceData = c
}

func (p *ipamorgProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{newIntegrationResource, newMonitoredResource}
}

func (p *ipamorgProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{newMonitoringDataSource}
}

// configured returns the provider's clients from a resource's or data
// source's Configure request data, nil before the provider is configured
// (Terraform validates configurations before configuring providers).
func configured(data any, add func(summary, detail string)) *clients {
	if data == nil {
		return nil
	}
	c, ok := data.(*clients)
	if !ok {
		add("unexpected provider data", "the ipamorg provider handed its resources an unexpected value; this is a bug in the provider")
		return nil
	}
	return c
}

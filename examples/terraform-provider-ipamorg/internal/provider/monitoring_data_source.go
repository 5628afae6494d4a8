package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ipamorg/sdk/ipamorg"
)

// monitoringDataSource is ipamorg_monitoring: ipamorg's Monitoring, what
// IPAM itself sees, read in the delegated administrator's account.
type monitoringDataSource struct{ clients *clients }

var _ datasource.DataSourceWithConfigure = (*monitoringDataSource)(nil)

func newMonitoringDataSource() datasource.DataSource { return &monitoringDataSource{} }

type monitoringModel struct {
	AdminAccountID types.String   `tfsdk:"admin_account_id"`
	Regions        []string       `tfsdk:"regions"`
	Complete       types.Bool     `tfsdk:"complete"`
	IPAMs          []ipamModel    `tfsdk:"ipams"`
	Accounts       []accountModel `tfsdk:"accounts"`
	Warnings       []string       `tfsdk:"warnings"`
}

type ipamModel struct {
	ID               string   `tfsdk:"id"`
	Region           string   `tfsdk:"region"`
	State            string   `tfsdk:"state"`
	Tier             string   `tfsdk:"tier"`
	OperatingRegions []string `tfsdk:"operating_regions"`
	OrganizationWide bool     `tfsdk:"organization_wide"`
	Exclusions       []string `tfsdk:"exclusions"`
}

type accountModel struct {
	AccountID      string `tfsdk:"account_id"`
	Region         string `tfsdk:"region"`
	Monitored      bool   `tfsdk:"monitored"`
	Excluded       bool   `tfsdk:"excluded"`
	Pending        bool   `tfsdk:"pending"`
	FailureCode    string `tfsdk:"failure_code"`
	FailureMessage string `tfsdk:"failure_message"`
	IPAMID         string `tfsdk:"ipam_id"`
}

func (d *monitoringDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_monitoring"
}

func (d *monitoringDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.clients = configured(req.ProviderData, resp.Diagnostics.AddError)
}

func (d *monitoringDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	strs := func(desc string) schema.ListAttribute {
		return schema.ListAttribute{Computed: true, ElementType: types.StringType, Description: desc}
	}
	resp.Schema = schema.Schema{
		Description: "What IPAM itself sees of the organization (ipamorg's Monitoring): the delegated administrator's IPAMs and, " +
			"for each ACTIVE account and operating Region of an organization-wide IPAM, whether IPAM monitors it. Read through access_role " +
			"in the administrator's account; writes nothing.",
		Attributes: map[string]schema.Attribute{
			"admin_account_id": schema.StringAttribute{Computed: true, Description: "IPAM's delegated administrator."},
			"regions":          strs("The Regions searched for its IPAMs."),
			"complete": schema.BoolAttribute{Computed: true,
				Description: "Whether an organization-wide IPAM is working and monitors every account that its OU exclusions do not exclude."},
			"ipams": schema.ListNestedAttribute{Computed: true, NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"id":                schema.StringAttribute{Computed: true},
				"region":            schema.StringAttribute{Computed: true, Description: "Its home Region."},
				"state":             schema.StringAttribute{Computed: true},
				"tier":              schema.StringAttribute{Computed: true},
				"operating_regions": strs("The Regions it discovers."),
				"organization_wide": schema.BoolAttribute{Computed: true, Description: "Whether it discovers the organization's accounts, not only its owner's."},
				"exclusions":        strs("The OU exclusions of its resource discoveries."),
			}}},
			"accounts": schema.ListNestedAttribute{Computed: true, NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"account_id":      schema.StringAttribute{Computed: true},
				"region":          schema.StringAttribute{Computed: true},
				"monitored":       schema.BoolAttribute{Computed: true},
				"excluded":        schema.BoolAttribute{Computed: true, Description: "Excluded by an OU exclusion, by design."},
				"pending":         schema.BoolAttribute{Computed: true, Description: "Not discovered yet."},
				"failure_code":    schema.StringAttribute{Computed: true, Description: "AWS's, such as assume-role-failure."},
				"failure_message": schema.StringAttribute{Computed: true},
				"ipam_id":         schema.StringAttribute{Computed: true},
			}}},
			"warnings": strs("What stands between the organization and complete monitoring, each \"code: message\" with its fix."),
		},
	}
}

func (d *monitoringDataSource) Read(ctx context.Context, _ datasource.ReadRequest, resp *datasource.ReadResponse) {
	if d.clients == nil {
		resp.Diagnostics.AddError("provider not configured", "the ipamorg provider was not configured")
		return
	}
	c, err := d.clients.client()
	var m *ipamorg.Monitoring
	if err == nil {
		m, err = c.Monitoring(ctx)
	}
	if err != nil {
		resp.Diagnostics.AddError("cannot read what IPAM monitors", detail(err))
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, monitoringState(m))...)
}

// monitoringState is m as the data source's attributes, with empty lists
// rather than null ones.
func monitoringState(m *ipamorg.Monitoring) *monitoringModel {
	out := &monitoringModel{
		AdminAccountID: types.StringValue(m.AdminAccountID),
		Regions:        nonNil(m.Regions),
		Complete:       types.BoolValue(m.Complete()),
		IPAMs:          []ipamModel{},
		Accounts:       []accountModel{},
		Warnings:       warningStrings(m.Warnings),
	}
	for _, ip := range m.IPAMs {
		out.IPAMs = append(out.IPAMs, ipamModel{ID: ip.ID, Region: ip.Region, State: ip.State, Tier: ip.Tier,
			OperatingRegions: nonNil(ip.OperatingRegions), OrganizationWide: ip.OrganizationWide, Exclusions: nonNil(ip.Exclusions)})
	}
	for _, a := range m.Accounts {
		out.Accounts = append(out.Accounts, accountModel{AccountID: a.AccountID, Region: a.Region, Monitored: a.Monitored,
			Excluded: a.Excluded, Pending: a.Pending(), FailureCode: a.FailureCode, FailureMessage: a.FailureMessage, IPAMID: a.IPAMID})
	}
	return out
}

func warningStrings(ws []ipamorg.Warning) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = string(w.Code) + ": " + w.Message
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

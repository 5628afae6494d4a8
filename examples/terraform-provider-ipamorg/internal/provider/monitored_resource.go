package provider

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ipamorg/sdk/ipamorg"
)

// defaultMonitoredTimeout bounds the waiter when its timeouts block does
// not: IPAM's first discovery of an organization's accounts usually takes
// minutes, and users of the AWS provider report VPCs retrying for 20.
const defaultMonitoredTimeout = 30 * time.Minute

// monitoredResource is ipamorg_monitored: a resource whose creation waits
// until IPAM monitors every account that is not excluded (ipamorg's
// WaitMonitored), for depends_on from what needs IPAM (VPCs allocated from
// IPAM pools).
type monitoredResource struct{ clients *clients }

var _ resource.ResourceWithConfigure = (*monitoredResource)(nil)

func newMonitoredResource() resource.Resource { return &monitoredResource{} }

type monitoredModel struct {
	ID             types.String   `tfsdk:"id"`
	AdminAccountID types.String   `tfsdk:"admin_account_id"`
	Monitored      types.Int64    `tfsdk:"monitored"`
	Excluded       types.Int64    `tfsdk:"excluded"`
	Timeouts       timeouts.Value `tfsdk:"timeouts"`
}

func (r *monitoredResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_monitored"
}

func (r *monitoredResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.clients = configured(req.ProviderData, resp.Diagnostics.AddError)
}

func (r *monitoredResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	// Only the timeouts can change, and a change does not wait again: what
	// the wait recorded stays.
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	keepCount := []planmodifier.Int64{int64planmodifier.UseStateForUnknown()}
	resp.Schema = schema.Schema{
		Description: "Waits, when created, until IPAM monitors every ACTIVE account of the organization that its OU exclusions do not exclude, " +
			"in every operating Region of an organization-wide IPAM (ipamorg's WaitMonitored), for at most the create timeout (default 30m). " +
			"It fails naming the accounts still unmonitored and why. Later plans do not wait again; replace it to.",
		Attributes: map[string]schema.Attribute{
			"id":               schema.StringAttribute{Computed: true, PlanModifiers: keep, Description: "The delegated administrator's account."},
			"admin_account_id": schema.StringAttribute{Computed: true, PlanModifiers: keep},
			"monitored": schema.Int64Attribute{Computed: true, PlanModifiers: keepCount,
				Description: "The account-Region pairs IPAM monitored when the wait ended."},
			"excluded": schema.Int64Attribute{Computed: true, PlanModifiers: keepCount,
				Description: "The account-Region pairs that OU exclusions excluded."},
			"timeouts": timeouts.Attributes(ctx, timeouts.Opts{Create: true}),
		},
	}
}

func (r *monitoredResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m monitoredModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	limit, diags := m.Timeouts.Create(ctx, defaultMonitoredTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	// The wait is the library's, bounded by the timeout, so that it ends
	// with ErrWaitTimeout and the accounts still unmonitored rather than
	// with a bare context deadline.
	c, err := r.clients.client(func(o *ipamorg.Options) { o.Wait.MaxWait = limit })
	var mon *ipamorg.Monitoring
	if err == nil {
		mon, err = c.WaitMonitored(ctx)
	}
	if err != nil {
		resp.Diagnostics.AddError("IPAM does not monitor every account", waitDetail(err, mon))
		return
	}
	m.ID = types.StringValue(mon.AdminAccountID)
	m.AdminAccountID = types.StringValue(mon.AdminAccountID)
	m.Monitored = types.Int64Value(int64(len(mon.Accounts) - len(mon.Unmonitored()) - len(mon.Excluded())))
	m.Excluded = types.Int64Value(int64(len(mon.Excluded())))
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// Read keeps the state: the resource records that a wait succeeded, and
// what IPAM monitors now is the ipamorg_monitoring data source's to say.
func (r *monitoredResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var m monitoredModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// Update can change only the timeouts.
func (r *monitoredResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var m monitoredModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// Delete forgets the wait; it writes nothing to AWS.
func (r *monitoredResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {
}

// waitDetail is the failure of the wait: the library's message (it names
// the accounts still unmonitored and why), the last reading's warnings,
// each with its fix, and, on a timeout, the resource's own fix.
func waitDetail(err error, last *ipamorg.Monitoring) string {
	if !errors.Is(err, ipamorg.ErrWaitTimeout) {
		return detail(err)
	}
	var b strings.Builder
	b.WriteString(err.Error())
	if last != nil && len(last.Warnings) > 0 {
		b.WriteString("\n\nWhat IPAM showed last:")
		for _, w := range last.Warnings {
			b.WriteString("\n- " + w.Message)
		}
	}
	b.WriteString("\n\nFix: fix what the warnings name, or, if IPAM is still discovering the accounts, " +
		"raise this resource's timeouts = { create = ... }; then apply again, which waits anew.")
	return b.String()
}

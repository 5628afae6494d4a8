package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/cfn"

	"github.com/ipamorg/sdk/fsm"
	"github.com/ipamorg/sdk/ipamorg"
)

// ResourceType is the CloudFormation type this handler is written for. The
// handler does not insist on it (a template may name its custom resource
// otherwise); the properties it takes are what it checks.
const ResourceType = "Custom::IpamOrganizationAdmin"

// physicalSuffix ends the physical id of every resource this handler
// created: "<organization id>/ipam-delegated-admin". One per organization,
// since an organization has one IPAM administrator; it does not change
// when the administrator does, so that CloudFormation never sends a
// Delete for the old one after an update.
const physicalSuffix = "/ipam-delegated-admin"

// defaultReserve is the time kept back from the Lambda deadline to
// report to CloudFormation.
const defaultReserve = 10 * time.Second

// Handler serves CloudFormation's requests for Custom::IpamOrganizationAdmin
// (see Handle). Its zero value is not usable: NewClient is required. A
// Handler is safe for concurrent use.
type Handler struct {
	// NewClient returns the client to act with, built with opts, for
	// the organization's management account. Called once per request.
	NewClient func(ctx context.Context, opts ...func(*ipamorg.Options)) (*ipamorg.Client, error)
	// HTTPClient sends the response to CloudFormation's pre-signed URL.
	// Default: http.DefaultClient, bounded by the request's deadline.
	HTTPClient *http.Client
	// Reserve is kept back from the Lambda deadline to report; the work
	// stops that long before it. Default 10s, or half of what is left
	// when less than twice that is.
	Reserve time.Duration
	// Logger receives one record per request and the library's records.
	// Default: JSON on stdout (CloudWatch Logs).
	Logger *slog.Logger
}

// Handle serves one CloudFormation request and reports the outcome to its
// ResponseURL:
//
//   - Create: reconciles the organization to delegated, with
//     DelegatedAdminAccountId as IPAM's delegated administrator.
//   - Update: the same for the new properties. Another administrator
//     than the template's is replaced (removed, then the new one
//     delegated, never both at once) only when AllowReplacement is
//     "true"; otherwise the update fails before writing anything.
//   - Delete: tears the integration down in AWS's order (remove the
//     administrator, disable trusted access, delete AWSServiceRoleForIPAM)
//     when the administrator is the resource's, or none is left (an
//     interrupted teardown); leaves it alone when another account is the
//     administrator, or the resource was never created.
//
// Every request is idempotent: CloudFormation's retries of one find the
// work done and report success again. A failure is reported with the
// library's message; the work stops Reserve before the Lambda deadline so
// that the report gets out. Handle returns an error only when the report
// could not be sent, so that Lambda retries the request.
func (h *Handler) Handle(ctx context.Context, ev cfn.Event) error {
	log := h.logger().With("request_type", ev.RequestType, "request_id", ev.RequestID, "logical_resource_id", ev.LogicalResourceID)
	work, cancel := h.workContext(ctx)
	defer cancel()

	resp := h.serve(work, log, &ev)
	if resp.Status == cfn.StatusFailed {
		log.Error("failed", "reason", resp.Reason, "physical_resource_id", resp.PhysicalResourceID)
	} else {
		log.Info("done", "physical_resource_id", resp.PhysicalResourceID, "data", resp.Data)
	}
	if err := h.respond(ctx, ev.ResponseURL, resp); err != nil {
		log.Error("the response did not reach CloudFormation", "error", err)
		return err
	}
	return nil
}

// workContext is ctx ending Reserve before its deadline.
func (h *Handler) workContext(ctx context.Context) (context.Context, context.CancelFunc) {
	deadline, ok := ctx.Deadline()
	if !ok {
		return context.WithCancel(ctx)
	}
	reserve := h.Reserve
	if reserve <= 0 {
		reserve = defaultReserve
	}
	if left := time.Until(deadline); left < 2*reserve {
		reserve = left / 2
	}
	return context.WithDeadlineCause(ctx, deadline.Add(-reserve), errNearDeadline)
}

// errNearDeadline is the cause of the work context's end.
var errNearDeadline = errors.New("stopped before the Lambda function's deadline so as to report to CloudFormation in time; " +
	"give the function a longer timeout (up to 15 minutes)")

// serve does the request's work and returns the response to send.
func (h *Handler) serve(ctx context.Context, log *slog.Logger, ev *cfn.Event) (resp *cfn.Response) {
	resp = &cfn.Response{
		Status:             cfn.StatusSuccess,
		RequestID:          ev.RequestID,
		LogicalResourceID:  ev.LogicalResourceID,
		StackID:            ev.StackID,
		PhysicalResourceID: ev.PhysicalResourceID,
	}
	if ev.RequestType == cfn.RequestCreate {
		// Until the handler has written something, the resource is
		// nothing of ours: a rollback's Delete for this id does nothing.
		resp.PhysicalResourceID = ev.RequestID
	}
	fail := func(err error) *cfn.Response {
		resp.Status, resp.Reason, resp.Data = cfn.StatusFailed, reason(err), nil
		return resp
	}
	defer func() {
		if p := recover(); p != nil {
			log.Error("panic", "panic", fmt.Sprint(p))
			resp = fail(fmt.Errorf("panic in the custom resource handler: %v", p))
		}
	}()

	c, err := h.NewClient(ctx, func(o *ipamorg.Options) { o.Logger = log })
	if err != nil {
		return fail(err)
	}

	switch ev.RequestType {
	case cfn.RequestCreate, cfn.RequestUpdate:
		props, err := parseProperties(ev.ResourceProperties)
		if err != nil {
			return fail(err)
		}
		if org, ours := parsePhysicalID(ev.PhysicalResourceID); ours && ev.RequestType == cfn.RequestUpdate {
			if err := sameOrganization(ctx, c, org); err != nil {
				return fail(err)
			}
		}
		res, err := c.Reconcile(ctx, ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: props.DelegatedAdminAccountID,
			AllowReplace: props.AllowReplacement, AllowIPAMResources: props.AllowIPAMResources})
		if res != nil && res.Status != nil && (err == nil || mayHaveWritten(err)) {
			resp.PhysicalResourceID = res.Status.OrganizationID + physicalSuffix
		}
		if err != nil {
			return fail(explain(err, res, props))
		}
		resp.Data = map[string]any{
			"DelegatedAdminAccountId": res.Status.DelegatedAdmin,
			"OrganizationId":          res.Status.OrganizationID,
			"ManagementAccountId":     res.Status.ManagementAccountID,
		}
		return resp

	case cfn.RequestDelete:
		org, ours := parsePhysicalID(ev.PhysicalResourceID)
		if !ours {
			log.Info("nothing to delete: the resource was never created", "physical_resource_id", ev.PhysicalResourceID)
			return resp
		}
		st, err := c.Observe(ctx)
		if err != nil {
			return fail(err)
		}
		if st.OrganizationID != org {
			return fail(wrongOrganization(org, st))
		}
		admin, _ := ev.ResourceProperties[propAdmin].(string)
		switch {
		case st.State == fsm.StateNone:
			return resp
		case st.DelegatedAdmin != "" && st.DelegatedAdmin != admin:
			log.Info("left alone: another account is the delegated administrator", "delegated_admin", st.DelegatedAdmin, "resource_admin", admin)
			return resp
		}
		// The administrator is the resource's, or none is left: a
		// teardown that an earlier attempt began.
		d, err := teardownDesired(ev.ResourceProperties)
		if err != nil {
			return fail(err)
		}
		if _, err := c.Reconcile(ctx, d); err != nil {
			return fail(explainIPAMs(err))
		}
		return resp
	}
	return fail(fmt.Errorf("unknown request type %q", ev.RequestType))
}

// teardownDesired is what deleting the resource reconciles to: nothing
// integrated, in AWS's order. It is the one place for the guard against
// tearing down while the administrator still owns IPAMs: a resource
// property that allows it maps onto the Desired field that lets the
// library proceed.
func teardownDesired(m map[string]any) (ipamorg.Desired, error) {
	var allow bool
	if err := parseBool(m, propAllowIPAMResources, &allow); err != nil {
		return ipamorg.Desired{}, err
	}
	return ipamorg.Desired{State: fsm.StateNone, AllowIPAMResources: allow}, nil
}

// parsePhysicalID returns the organization of a physical id this handler
// made, and whether it made it.
func parsePhysicalID(id string) (org string, ours bool) {
	org, ok := strings.CutSuffix(id, physicalSuffix)
	return org, ok && strings.HasPrefix(org, "o-")
}

// sameOrganization refuses to act when the function's credentials are in
// another organization than the one the resource was created in.
func sameOrganization(ctx context.Context, c *ipamorg.Client, org string) error {
	st, err := c.Observe(ctx)
	if err != nil {
		return err
	}
	if st.OrganizationID != org {
		return wrongOrganization(org, st)
	}
	return nil
}

func wrongOrganization(org string, st *ipamorg.Status) error {
	return fmt.Errorf("the resource belongs to organization %s, but the function's credentials act in organization %s (management account %s): nothing was written",
		org, st.OrganizationID, st.ManagementAccountID)
}

// explain adds to err, a failure of Reconcile, what to change in the
// template when that is the fix; the library's message stays whole.
func explain(err error, res *ipamorg.Result, props properties) error {
	if errors.Is(err, ipamorg.ErrDelegatedAdminConflict) && !props.AllowReplacement && res != nil && res.Status != nil && res.Status.DelegatedAdmin != "" {
		return fmt.Errorf("account %s is IPAM's delegated administrator, not %s: replacing it interrupts IPAM for the whole organization; "+
			"set %s: \"true\" on the resource to do it (nothing was written): %w", res.Status.DelegatedAdmin, props.DelegatedAdminAccountID, propAllowReplacement, err)
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

// mayHaveWritten reports whether a failed Reconcile may have written to
// AWS: a step was confirmed (Done) or its write was sent and not
// confirmed (Unconfirmed). An error that is not the library's says
// nothing, so it counts as a possible write.
func mayHaveWritten(err error) bool {
	var e *ipamorg.Error
	if !errors.As(err, &e) {
		return true
	}
	return len(e.Done) > 0 || len(e.Unconfirmed) > 0
}

// reason is err as CloudFormation shows it: the whole message, with the
// cause of a context cut short by the deadline.
func reason(err error) string {
	msg := err.Error()
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, errNearDeadline) {
		msg = errNearDeadline.Error() + ": " + msg
	}
	return msg
}

func (h *Handler) logger() *slog.Logger {
	if h.Logger != nil {
		return h.Logger
	}
	return slog.New(slog.NewJSONHandler(os.Stdout, nil))
}

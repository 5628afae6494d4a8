package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/cfn"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/ipamorg/sdk/ipamorg"
)

// ResourceType is the CloudFormation type this handler is written for. The
// handler does not insist on it (a template may name its custom resource
// otherwise); the properties it takes are what it checks.
const ResourceType = "Custom::IpamOrganizationAdmin"

// defaultReserve is the time kept back from the Lambda deadline to
// report to CloudFormation.
const defaultReserve = 10 * time.Second

// Handler serves CloudFormation's requests for Custom::IpamOrganizationAdmin
// (see Handle). Its zero value is not usable: Config is required. A
// Handler is safe for concurrent use.
type Handler struct {
	// Config returns the AWS configuration to act with, that of the
	// organization's management account. Called once per request; the
	// library's client and the handler's own IAM calls (see mark) share it.
	Config func(ctx context.Context) (aws.Config, error)
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
// ResponseURL. The resource never tears down an integration it did not
// create:
//
//   - Create: delegates the organization to DelegatedAdminAccountId when
//     nothing of IPAM's integration is there (the resource then owns it),
//     and refuses an existing integration unless AdoptExisting is "true"
//     (the resource then adopts it). See create.
//   - Update: the same for the new properties; another administrator is
//     replaced only with AllowReplacement "true", or when the Update rolls
//     back such a replacement. See update.
//   - Delete: tears down an integration the resource created, in AWS's
//     order; leaves an adopted one, and one it did not make, in place and
//     says so in the response's Reason. See delete.
//
// Every request is idempotent: CloudFormation's and Lambda's retries of
// one find the work done and report the same outcome. A failure is
// reported with the library's message; the work stops Reserve before the
// Lambda deadline so that the report gets out; a panic in the work is
// reported as an internal error. Handle returns an error only when the
// report could not be sent, so that Lambda retries the request.
func (h *Handler) Handle(ctx context.Context, ev cfn.Event) error {
	log := h.logger().With("request_type", ev.RequestType, "request_id", ev.RequestID, "logical_resource_id", ev.LogicalResourceID)
	work, cancel := h.workContext(ctx)
	defer cancel()

	resp := h.answer(work, log, &ev)
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

// answer does ev's work and returns the response to send: never nil, and
// FAILED with an internal error when the work panics, with the physical
// id as far as the work had claimed it (see request.claim), so that the
// rollback's Delete still undoes what it may have written. A panic in a
// goroutine of the SDK or the library ends the process instead; Lambda
// then retries the event, which the resource recognises as its own (see
// mark).
func (h *Handler) answer(ctx context.Context, log *slog.Logger, ev *cfn.Event) (resp *cfn.Response) {
	resp = &cfn.Response{
		Status:             cfn.StatusSuccess,
		RequestID:          ev.RequestID,
		LogicalResourceID:  ev.LogicalResourceID,
		StackID:            ev.StackID,
		PhysicalResourceID: ev.PhysicalResourceID,
	}
	if ev.RequestType == cfn.RequestCreate {
		// Until the handler writes, the resource is nothing of ours: a
		// rollback's Delete for this id does nothing.
		resp.PhysicalResourceID = ev.RequestID
	}
	defer func() {
		if p := recover(); p != nil {
			resp.Status, resp.Reason, resp.Data = cfn.StatusFailed, internalError(p), nil
			logPanic(log, p, resp)
		}
	}()

	if err := h.serve(ctx, log, ev, resp); err != nil {
		resp.Status, resp.Reason, resp.Data = cfn.StatusFailed, reason(err), nil
		log.Error("failed", "reason", resp.Reason, "physical_resource_id", resp.PhysicalResourceID)
		return resp
	}
	log.Info("done", "physical_resource_id", resp.PhysicalResourceID, "reason", resp.Reason, "data", resp.Data)
	return resp
}

// serve does ev's work, recording its outcome in resp.
func (h *Handler) serve(ctx context.Context, log *slog.Logger, ev *cfn.Event, resp *cfn.Response) error {
	cfg, err := h.Config(ctx)
	if err != nil {
		return err
	}
	c, err := ipamorg.NewFromConfig(cfg, func(o *ipamorg.Options) { o.Logger = log })
	if err != nil {
		return err
	}
	r := &request{ev: ev, log: log, org: c, roles: iam.NewFromConfig(cfg), resp: resp}
	switch ev.RequestType {
	case cfn.RequestCreate:
		return r.create(ctx)
	case cfn.RequestUpdate:
		return r.update(ctx)
	case cfn.RequestDelete:
		return r.delete(ctx)
	}
	return fmt.Errorf("unknown request type %q", ev.RequestType)
}

// request is one CloudFormation request being served.
type request struct {
	ev    *cfn.Event
	log   *slog.Logger
	org   *ipamorg.Client
	roles roleAPI
	resp  *cfn.Response
}

// claim makes id the resource's physical id: done before any write that
// id stands for, so that whatever happens next (a failure, an unconfirmed
// write, a panic) the response carries the id whose Delete undoes it.
func (r *request) claim(id physicalID) {
	r.resp.PhysicalResourceID = id.String()
}

// unclaim gives a Create back the RequestId as physical id: it wrote
// nothing after all.
func (r *request) unclaim() {
	r.resp.PhysicalResourceID = r.ev.RequestID
}

// leave records why a request succeeded without writing what it might
// have: CloudFormation shows the Reason with the resource's event.
func (r *request) leave(why string) {
	r.resp.Reason = why
}

// succeed records the attributes of a resource created or updated, for
// Fn::GetAtt.
func (r *request) succeed(st *ipamorg.Status, own ownership) {
	r.resp.Data = map[string]any{
		"DelegatedAdminAccountId": st.DelegatedAdmin,
		"OrganizationId":          st.OrganizationID,
		"ManagementAccountId":     st.ManagementAccountID,
		"Ownership":               string(own),
	}
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

package ipamorg

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ipamorg/sdk/awsclient"
	"github.com/ipamorg/sdk/internal/awscall"
)

// The IPAM service principal and its service-linked role.
const (
	servicePrincipal = "ipam.amazonaws.com"
	roleName         = "AWSServiceRoleForIPAM"
)

// Client observes and changes the integration between IPAM and one AWS
// organization, through the clients it was built with, which should hold
// the organization's management account credentials.
//
// A Client is safe for concurrent use. Reads (Observe, Plan) run in
// parallel; the writing methods (Apply, Reconcile, Delegate,
// RemoveDelegate, DisableTrustedAccess, DeleteServiceLinkedRole, and
// VerifyServiceLinkedRoles with Repair) are serialised per Client, so two
// goroutines reconciling the same Client never interleave their writes: the second observes what the first left, and
// gives up with its context's error if that ends while it waits its turn.
// Clients built separately for the same organization are not coordinated.
type Client struct {
	aws  awsclient.Clients
	opts Options

	// writeMu serialises the writing methods: each observes, then writes
	// on the strength of what it observed, and must not race another
	// writer in between. A view of the Client made for one operation
	// (withCalls) shares it.
	writeMu *writeLock

	// calls are the per-operation options every call passes to its SDK
	// client: the SDK's retryer as Options.Retry says, and the attempt
	// recorder (see internal/awscall).
	calls *awscall.Calls
}

// New returns a Client over c. It makes no AWS call. It fails, with an
// error wrapping ErrInvalidOptions, when a client in c is nil or the options
// are inconsistent (a negative duration or attempt count, a maximum delay
// below its minimum).
func New(c awsclient.Clients, optFns ...func(*Options)) (*Client, error) {
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidOptions, err)
	}
	o, err := fill(optFns).resolve()
	if err != nil {
		return nil, err
	}
	cl := &Client{aws: c, opts: o, writeMu: &writeLock{}}
	cl.calls = cl.newCalls(awscall.Middleware{})
	// Made here, not on first use: a channel made inside a
	// testing/synctest bubble must not be used outside it.
	cl.writeMu.init()
	return cl, nil
}

// newCalls returns the per-operation options of the Client's calls, with
// mw added to the SDK's stacks.
func (c *Client) newCalls(mw awscall.Middleware) *awscall.Calls {
	return awscall.New(c.opts.Logger, awscall.Retry{MaxAttempts: c.opts.Retry.MaxAttempts, MaxBackoff: c.opts.Retry.MaxBackoff}, mw)
}

// withCalls returns a view of c whose AWS calls pass calls instead of c's:
// the same clients, options and write lock.
func (c *Client) withCalls(calls *awscall.Calls) *Client {
	return &Client{aws: c.aws, opts: c.opts, writeMu: c.writeMu, calls: calls}
}

// NewFromConfig returns a Client over the AWS SDK's clients for cfg, as New
// does. cfg should hold the organization's management account credentials.
func NewFromConfig(cfg aws.Config, optFns ...func(*Options)) (*Client, error) {
	return New(awsclient.NewFromConfig(cfg), optFns...)
}

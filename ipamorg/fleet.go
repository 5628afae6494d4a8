package ipamorg

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/aws/smithy-go/middleware"

	"github.com/ipamorg/sdk/awsclient"
	"github.com/ipamorg/sdk/internal/awscall"
)

// MaxVerifyConcurrency is the largest VerifyOptions.Concurrency: more than
// STS's quota lets run at once at AWS's latencies, and small enough that
// the verification's goroutines stay few.
const MaxVerifyConcurrency = 256

// Defaults of VerifyOptions.
const (
	defaultVerifyConcurrency = 16
)

// VerifyOptions configures VerifyServiceLinkedRoles, which fills them in
// with its functional options. The zero value checks with the defaults
// below and repairs nothing.
type VerifyOptions struct {
	// Concurrency is how many accounts are checked at once, at most
	// MaxVerifyConcurrency. Default 16: at 20 ms a call, 400 sts:AssumeRole
	// a second, the default RateLimits.STS. The listing of the accounts
	// runs alongside the checks: one call more in flight, or up to 16 when
	// it reads the organization's tree. The HTTP clients should keep at
	// least as many idle connections per host
	// (http.Transport.MaxIdleConnsPerHost, 10 in the SDK's default
	// transport), or connections are closed and opened again all along;
	// awsclient.NewFromConfig keeps MaxVerifyConcurrency and more.
	Concurrency int
	// RateLimits caps the requests per second where a quota is shared:
	// Organizations, and STS in the calling account. See RateLimits for
	// the defaults.
	RateLimits RateLimits
	// Repair creates AWSServiceRoleForIPAM (iam:CreateServiceLinkedRole,
	// AWSServiceName ipam.amazonaws.com) where it is missing. It needs an
	// IPAM delegated administrator (see ErrNoDelegatedAdmin).
	Repair bool
	// Purge deletes AWSServiceRoleForIPAM (iam:DeleteServiceLinkedRole,
	// then polling its deletion task) from every member account that
	// still has it, the residue of a teardown: result RolePurged. It
	// touches member accounts only: the management account's role is the
	// lifecycle's delete-service-linked-role step. It is refused with
	// ErrIntegrationActive while IPAM is integrated with the organization
	// (trusted or delegated), and does not go with Repair.
	Purge bool
	// Progress, if set, is told how far the verification is: once with
	// zeros as it starts (after the reads that precede the listing), then
	// whenever a page of accounts is listed, an account's outcome is
	// known, and once when the listing ends (ListingDone). Listed and
	// Checked never decrease. Calls come from the verifying goroutines,
	// one at a time; Progress should return quickly.
	Progress func(FleetProgress)
}

// FleetProgress is how far a fleet verification is.
type FleetProgress struct {
	// Listed is the number of accounts listed so far: the total to check
	// once ListingDone, a provisional one before.
	Listed int
	// Checked is the number of accounts whose outcome is known (skipped
	// ones included).
	Checked int
	// ListingDone reports that the listing has ended: Listed is the
	// number of accounts of the organization.
	ListingDone bool
}

// resolve validates o and fills in its defaults.
func (o VerifyOptions) resolve() (VerifyOptions, error) {
	switch {
	case o.Concurrency < 0 || o.Concurrency > MaxVerifyConcurrency:
		return o, fmt.Errorf("Concurrency %d is not between 1 and %d (0 for the default, %d)", o.Concurrency, MaxVerifyConcurrency, defaultVerifyConcurrency)
	case o.Repair && o.Purge:
		return o, errors.New("Repair and Purge do not go together: one creates the role, the other deletes it")
	}
	if o.Concurrency == 0 {
		o.Concurrency = defaultVerifyConcurrency
	}
	var err error
	o.RateLimits, err = o.RateLimits.resolve()
	return o, err
}

// RateLimits caps the requests per second of the fleet verification where
// AWS counts them against a quota that the whole verification shares: the
// calling account's. Every request counts, the SDK's retries included (the
// limiter sits in the SDK's middleware, after its retry step). A zero
// field takes its default; math.Inf(1) means no limit. See
// docs/performance.md ("Fleet verification and Monitoring") for the
// quotas behind the defaults.
//
// IAM has no limit here: the IAM calls of a member account are made with
// the role assumed there, so they count against that member's own quota,
// and each account is checked by one goroutine, one call at a time.
type RateLimits struct {
	// Organizations caps the calls to AWS Organizations (the listing of
	// the accounts and the reads before it), whose quota the whole
	// organization shares. Default 40.
	Organizations float64
	// STS caps the calls to AWS STS in the calling account: one
	// sts:AssumeRole per member account, and sts:GetCallerIdentity.
	// Default 400: the default concurrency at 20 ms a call makes 400 a
	// second, two thirds of STS's quota per account and Region.
	STS float64
}

// Defaults of RateLimits.
const (
	defaultOrganizationsRate = 40
	defaultSTSRate           = 400
)

// resolve validates l and fills in its defaults.
func (l RateLimits) resolve() (RateLimits, error) {
	for _, f := range []struct {
		name string
		v    *float64
		def  float64
	}{
		{"RateLimits.Organizations", &l.Organizations, defaultOrganizationsRate},
		{"RateLimits.STS", &l.STS, defaultSTSRate},
	} {
		switch {
		case *f.v < 0 || math.IsNaN(*f.v):
			return l, fmt.Errorf("%s %v is not a positive number", f.name, *f.v)
		case *f.v == 0:
			*f.v = f.def
		}
	}
	return l, nil
}

// limitedCalls returns the Client's calls with the rate limits of o
// installed on Organizations' and STS's: every request of the
// verification's calls to them, retries included, waits for its
// service's limiter.
func (c *Client) limitedCalls(o VerifyOptions) *awscall.Calls {
	return c.newCalls(awscall.Middleware{
		Organizations: []func(*middleware.Stack) error{awscall.RateLimit(awscall.NewLimiter(o.RateLimits.Organizations, o.Concurrency))},
		STS:           []func(*middleware.Stack) error{awscall.RateLimit(awscall.NewLimiter(o.RateLimits.STS, o.Concurrency))},
	})
}

const opVerify = "verify-service-linked-roles"

// VerifyServiceLinkedRoles checks that AWSServiceRoleForIPAM exists in
// every account of the organization: without it IPAM silently cannot
// monitor the account. It lists the accounts (the organization's tree,
// ListRoots, ListOrganizationalUnitsForParent and ListAccountsForParent,
// several parents at once, when it has OUs; organizations:ListAccounts
// otherwise, or when the tree's reads are denied), checking the accounts
// listed while it lists the rest, skips those that are not ACTIVE, checks the
// caller's own account with the Client's IAM client and every other
// account with iam:GetRole under the credentials of Options.AccessRole
// assumed there (sts:AssumeRole), and, with VerifyOptions.Repair, creates
// the missing roles, or, with VerifyOptions.Purge, deletes the members'
// roles (the residue of a teardown). Each account's outcome is in the report; a failure in
// one account (access denied, say) does not stop the others.
//
// Accounts are checked VerifyOptions.Concurrency at a time, every request
// to Organizations and STS, retries included, waits for its rate limit
// (VerifyOptions.RateLimits), and the SDK retries each call as
// RetryOptions say. Without Repair or Purge it writes nothing and runs alongside
// anything; with either, it is serialised with the Client's other writing
// methods (Apply, Reconcile, ...), and waits its turn only as long as ctx
// lasts.
//
// optFns fill in the VerifyOptions, from their zero value:
//
//	c.VerifyServiceLinkedRoles(ctx, func(o *ipamorg.VerifyOptions) { o.Repair = true })
//
// It needs awsclient.Clients.MemberIAM (awsclient.NewFromConfig sets it);
// without it, or with invalid options, it fails with ErrInvalidOptions
// before any AWS call. An empty caller or management account id is
// ErrAnomaly before any account is touched; Repair while the delegated
// administrators listed are an anomaly (see Warning.Anomaly) is ErrAnomaly,
// and Repair without a delegated administrator ErrNoDelegatedAdmin, both
// before any write. Purge first observes the organization, as Observe
// does, and refuses before any write with ErrIntegrationActive while it
// is trusted or delegated, and with Plan's ErrNotManagementAccount and
// ErrAnomaly. Listing failures are the usual *Error (ErrAccessDenied,
// ErrOrganizationNotFound, ErrInvalidResponse, ...), with a nil report if
// they struck before any account was listed; otherwise the accounts listed
// and not yet taken are left unchecked, those being checked are finished,
// and the report holds them (Complete false, Total the accounts listed,
// ListingComplete false). When ctx ends it stops taking accounts and
// returns the report so far (Complete false; nil if no account was listed
// yet; Total the accounts listed, all of them when ListingComplete, which
// the listing, far quicker than the checks, usually is by then) with an
// *Error wrapping ctx.Err().
func (c *Client) VerifyServiceLinkedRoles(ctx context.Context, optFns ...func(*VerifyOptions)) (*FleetReport, error) {
	o, err := fill(optFns).resolve()
	if err != nil {
		return nil, &Error{Op: opVerify, Kind: ErrInvalidOptions, Err: err}
	}
	if c.aws.MemberIAM == nil {
		return nil, &Error{Op: opVerify, Kind: ErrInvalidOptions,
			Err: fmt.Errorf("%w: MemberIAM (awsclient.NewFromConfig sets it)", awsclient.ErrMissingClient)}
	}
	if o.Repair || o.Purge {
		// A repair writes, in the caller's own account too, where a
		// concurrent teardown may be deleting the same role: serialise it
		// with the Client's other writers.
		if err := c.writeMu.lock(ctx); err != nil {
			return nil, &Error{Op: opVerify, Err: err}
		}
		defer c.writeMu.Unlock()
	}
	if o.Purge {
		if err := c.guardPurge(ctx); err != nil {
			return nil, asError(opVerify, err)
		}
	}
	// The verification's own view of the Client: its requests to
	// Organizations and STS wait for the rate limits.
	v := &verifier{c: c.withCalls(c.limitedCalls(o)), o: o}
	r, err := v.run(ctx)
	if err != nil {
		return r, asError(opVerify, err)
	}
	return r, nil
}

package ipamorg

import (
	"context"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strings"

	"github.com/ipamorg/sdk/awsclient"
)

// DefaultAccessRole is the role the Client assumes in the organization's
// other accounts by default (Options.AccessRole): the one AWS Organizations
// creates in every account it creates, trusting the management account.
const DefaultAccessRole = "OrganizationAccountAccessRole"

// MaxVerifyConcurrency is the largest VerifyOptions.Concurrency: far more
// than the rate limits of STS and IAM let run at once, and small enough
// that the verification's goroutines and queue stay small.
const MaxVerifyConcurrency = 256

// Defaults of VerifyOptions.
const (
	defaultVerifyConcurrency = 16
	defaultVerifyRateLimit   = 50
	// verifySessionName names the assumed-role sessions in CloudTrail.
	verifySessionName = "ipamorg-verify"
)

// VerifyOptions configures VerifyServiceLinkedRoles. The zero value checks
// with the defaults below and repairs nothing.
type VerifyOptions struct {
	// Concurrency is how many accounts are checked at once, at most
	// MaxVerifyConcurrency. Default 16. The listing of the accounts runs
	// alongside the checks: one call more in flight. The HTTP clients
	// should keep at least as many idle connections per host
	// (http.Transport.MaxIdleConnsPerHost, 10 in the SDK's default
	// transport), or connections are closed and opened again all along;
	// awsclient.NewFromConfig keeps 100.
	Concurrency int
	// RateLimit caps the AWS calls per second of the whole verification
	// (STS and IAM throttle; a large organization must not throttle
	// itself); the SDK's retries of a call are spaced by its backoff
	// instead. Default 50; math.Inf(1) means no limit.
	RateLimit float64
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
	// Progress, if set, is called with the number of accounts done and
	// the total: once with done 0 after the accounts are listed, then
	// once per account. The checks start before the listing ends, so
	// the accounts checked by then are reported at once, right after
	// done 0; each later account is reported when it is done. Calls come
	// from the verifying goroutines, one at a time, with done increasing
	// by one; Progress should return quickly.
	Progress func(done, total int)
}

// resolve validates o and fills in its defaults.
func (o VerifyOptions) resolve() (VerifyOptions, error) {
	switch {
	case o.Concurrency < 0 || o.Concurrency > MaxVerifyConcurrency:
		return o, fmt.Errorf("Concurrency %d is not between 1 and %d (0 for the default, %d)", o.Concurrency, MaxVerifyConcurrency, defaultVerifyConcurrency)
	case o.RateLimit < 0 || math.IsNaN(o.RateLimit):
		return o, fmt.Errorf("RateLimit %v is not a positive number", o.RateLimit)
	case o.Repair && o.Purge:
		return o, errors.New("Repair and Purge do not go together: one creates the role, the other deletes it")
	}
	if o.Concurrency == 0 {
		o.Concurrency = defaultVerifyConcurrency
	}
	if o.RateLimit == 0 {
		o.RateLimit = defaultVerifyRateLimit
	}
	return o, nil
}

// IAM's rules for a role's name (1 to 64 of letters, digits and +=,.@_-)
// and path (printable ASCII, 512 characters with its slashes); a colon or a
// space, which IAM allows in a path, would make the role's ARN ambiguous,
// and no real access role has one.
var (
	roleNamePattern = regexp.MustCompile(`\A[\w+=,.@-]{1,64}\z`)
	rolePathPattern = regexp.MustCompile(`\A[\x21-\x39\x3b-\x7e]{1,510}\z`)
)

// validRoleName reports whether s is a role name, or path/name without the
// path's leading and trailing slashes.
func validRoleName(s string) bool {
	i := strings.LastIndexByte(s, '/')
	if i < 0 {
		return roleNamePattern.MatchString(s)
	}
	path, name := s[:i], s[i+1:]
	return roleNamePattern.MatchString(name) && rolePathPattern.MatchString(path) &&
		!strings.HasPrefix(path, "/") && !strings.HasSuffix(path, "/") && !strings.Contains(path, "//")
}

const opVerify = "verify-service-linked-roles"

// VerifyServiceLinkedRoles checks that AWSServiceRoleForIPAM exists in
// every account of the organization: without it IPAM silently cannot
// monitor the account. It lists the accounts
// (organizations:ListAccounts, checking each page's accounts while it
// fetches the next), skips those that are not ACTIVE, checks the
// caller's own account with the Client's IAM client and every other
// account with iam:GetRole under the credentials of Options.AccessRole
// assumed there (sts:AssumeRole), and, with VerifyOptions.Repair, creates
// the missing roles, or, with VerifyOptions.Purge, deletes the members'
// roles (the residue of a teardown). Each account's outcome is in the report; a failure in
// one account (access denied, say) does not stop the others.
//
// Accounts are checked VerifyOptions.Concurrency at a time, every AWS call
// waits for the rate limiter, and the SDK retries each as RetryOptions
// say. Without Repair or Purge it writes nothing and runs alongside
// anything; with either, it is serialised with the Client's other writing
// methods (Apply, Reconcile, ...), and waits its turn only as long as ctx
// lasts.
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
// and the report holds them (Complete false, Total the accounts listed).
// When ctx ends it stops taking accounts and returns the report so far
// (Complete false; nil if no account was listed yet) with an *Error
// wrapping ctx.Err().
func (c *Client) VerifyServiceLinkedRoles(ctx context.Context, opts VerifyOptions) (*FleetReport, error) {
	o, err := opts.resolve()
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
	v := &verifier{c: c, o: o, lim: newLimiter(o)}
	r, err := v.run(ctx)
	if err != nil {
		return r, asError(opVerify, err)
	}
	return r, nil
}

package ipamorg

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"golang.org/x/time/rate"

	"github.com/ipamorg/sdk/awsclient"
)

// ErrNoDelegatedAdmin: VerifyServiceLinkedRoles was asked to repair while
// no IPAM delegated administrator is registered. AWSServiceRoleForIPAM
// matters only while IPAM is integrated with the organization, and
// delegating an administrator creates it in every account anyway; creating
// it beforehand would, in the management account, turn state none into
// disabled.
var ErrNoDelegatedAdmin = errors.New("ipamorg: no ipam delegated administrator is registered")

// DefaultAccessRole is the role VerifyServiceLinkedRoles assumes in member
// accounts by default: the one AWS Organizations creates in every account
// it creates, trusting the management account.
const DefaultAccessRole = "OrganizationAccountAccessRole"

// Defaults of VerifyOptions.
const (
	defaultVerifyConcurrency = 16
	defaultVerifyRateLimit   = 50
	// verifySessionName names the assumed-role sessions in CloudTrail.
	verifySessionName = "ipamorg-verify"
	// verifySessionSeconds is the shortest session STS grants: a check
	// takes two or three calls.
	verifySessionSeconds = 900
)

// VerifyOptions configures VerifyServiceLinkedRoles. The zero value checks
// with the defaults below and repairs nothing.
type VerifyOptions struct {
	// RoleName is the role assumed (sts:AssumeRole) in every account but
	// the caller's, optionally with its path ("audit/IpamFleetReader").
	// It needs iam:GetRole on AWSServiceRoleForIPAM and, to repair,
	// iam:CreateServiceLinkedRole. Default DefaultAccessRole.
	RoleName string
	// Concurrency is how many accounts are checked at once. Default 16.
	// The listing of the accounts runs alongside the checks: one call
	// more in flight. The HTTP clients should keep at least as many idle
	// connections per host (http.Transport.MaxIdleConnsPerHost, 10 in
	// the SDK's default transport), or connections are closed and opened
	// again all along; awsclient.NewFromConfig keeps 100.
	Concurrency int
	// RateLimit caps the AWS calls per second of the whole verification
	// (STS and IAM throttle; a large organization must not throttle
	// itself). Default 50; math.Inf(1) means no limit.
	RateLimit float64
	// Repair creates AWSServiceRoleForIPAM (iam:CreateServiceLinkedRole,
	// AWSServiceName ipam.amazonaws.com) where it is missing. It needs an
	// IPAM delegated administrator (see ErrNoDelegatedAdmin).
	Repair bool
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
	case o.Concurrency < 0:
		return o, fmt.Errorf("Concurrency %d is negative", o.Concurrency)
	case o.RateLimit < 0 || math.IsNaN(o.RateLimit):
		return o, fmt.Errorf("RateLimit %v is not a positive number", o.RateLimit)
	case strings.HasPrefix(o.RoleName, "/") || strings.HasSuffix(o.RoleName, "/") || strings.ContainsAny(o.RoleName, ": "):
		return o, fmt.Errorf("RoleName %q is not a role name or path/name", o.RoleName)
	}
	if o.RoleName == "" {
		o.RoleName = DefaultAccessRole
	}
	if o.Concurrency == 0 {
		o.Concurrency = defaultVerifyConcurrency
	}
	if o.RateLimit == 0 {
		o.RateLimit = defaultVerifyRateLimit
	}
	return o, nil
}

const opVerify = "verify-service-linked-roles"

// VerifyServiceLinkedRoles checks that AWSServiceRoleForIPAM exists in
// every account of the organization: without it IPAM silently cannot
// monitor the account. It lists the accounts
// (organizations:ListAccounts, checking each page's accounts while it
// fetches the next), skips those that are not ACTIVE, checks the
// caller's own account with the Client's IAM client and every other
// account with iam:GetRole under the credentials of VerifyOptions.RoleName
// assumed there (sts:AssumeRole), and, with VerifyOptions.Repair, creates
// the missing roles. Each account's outcome is in the report; a failure in
// one account (access denied, say) does not stop the others.
//
// Accounts are checked VerifyOptions.Concurrency at a time, every AWS call
// waits for the rate limiter, and each is retried like any call of the
// Client (RetryOptions). Without VerifyOptions.Repair it writes nothing and
// runs alongside anything; with it, it is serialised with the Client's
// other writing methods (Apply, Reconcile, ...).
//
// It needs awsclient.Clients.MemberIAM (awsclient.NewFromConfig sets it);
// without it, or with invalid options, it fails with ErrInvalidOptions
// before any AWS call. Repair without a delegated administrator fails with
// ErrNoDelegatedAdmin before any write. Listing failures are the usual
// *Error (ErrAccessDenied, ErrOrganizationNotFound, ...), with a nil
// report if they struck before any account was listed; otherwise the
// accounts listed and not yet taken are left unchecked, those being
// checked are finished, and the report holds them (Complete false, Total
// the accounts listed). When ctx ends it stops taking accounts and returns
// the report so far (Complete false; nil if no account was listed yet)
// with an *Error wrapping ctx.Err().
func (c *Client) VerifyServiceLinkedRoles(ctx context.Context, opts VerifyOptions) (*FleetReport, error) {
	o, err := opts.resolve()
	if err != nil {
		return nil, &Error{Op: opVerify, Kind: ErrInvalidOptions, Err: err}
	}
	if c.aws.MemberIAM == nil {
		return nil, &Error{Op: opVerify, Kind: ErrInvalidOptions,
			Err: fmt.Errorf("%w: MemberIAM (awsclient.NewFromConfig sets it)", awsclient.ErrMissingClient)}
	}
	if o.Repair {
		// A repair writes, in the caller's own account too, where a
		// concurrent teardown may be deleting the same role: serialise it
		// with the Client's other writers.
		c.writeMu.Lock()
		defer c.writeMu.Unlock()
	}
	v := &verifier{c: c, o: o, lim: newLimiter(o)}
	r, err := v.run(ctx)
	if err != nil {
		return r, asError(opVerify, err)
	}
	return r, nil
}

// newLimiter returns the limiter every call of a verification waits for.
// Its burst lets each worker start at once, and no more.
func newLimiter(o VerifyOptions) *rate.Limiter {
	if math.IsInf(o.RateLimit, 1) {
		return rate.NewLimiter(rate.Inf, 1)
	}
	burst := max(1, min(o.Concurrency, int(o.RateLimit)))
	return rate.NewLimiter(rate.Limit(o.RateLimit), burst)
}

// verifier is one run of VerifyServiceLinkedRoles.
type verifier struct {
	c   *Client
	o   VerifyOptions
	lim *rate.Limiter

	caller, management, partition string
}

// target is one account to check.
type target struct {
	id, name, state string
	active          bool
}

// run checks the accounts as they are listed. ListAccounts returns at
// most 20 accounts a page and each page needs the previous one's token, so
// listing 10,000 accounts takes 500 calls in a row: checking only once the
// listing ended would add all of them to the wall time (40% more at
// concurrency 16 when every call takes as long). Instead the checks start
// with the first page and the listing runs alongside, ahead of them.
func (v *verifier) run(ctx context.Context) (*FleetReport, error) {
	r, err := v.prepare(ctx)
	if err != nil {
		return nil, err
	}

	var (
		mu     sync.Mutex // guards r.Accounts, done and listed, and serialises Progress
		done   int
		listed bool // the listing ended: total is known and Progress reports against it
		total  int  // accounts listed so far; only the listing goroutine (this one) writes it
		wg     sync.WaitGroup
		// stop is set when the listing fails: the accounts queued and not
		// yet taken are left unchecked.
		stop    atomic.Bool
		workers int
	)
	// The queue lets the listing run ahead of the checks by a few pages
	// (a page takes one call, checking it takes at most Concurrency at
	// once), so that the workers never wait for the next page.
	jobs := make(chan target, max(queuedAccounts, 2*v.o.Concurrency))
	worker := func() {
		for t := range jobs {
			if stop.Load() {
				continue
			}
			ac, ok := v.check(ctx, t)
			if !ok {
				continue // cut short by ctx: not checked
			}
			mu.Lock()
			r.Accounts = append(r.Accounts, ac)
			done++
			if listed && v.o.Progress != nil {
				v.o.Progress(done, total)
			}
			mu.Unlock()
		}
	}
	listErr := v.listAccounts(ctx, func(page []target) bool {
		total += len(page)
		for ; workers < min(v.o.Concurrency, total); workers++ {
			wg.Go(worker)
		}
		for _, t := range page {
			select {
			case jobs <- t:
			case <-ctx.Done():
				return false
			}
		}
		return true
	})
	if listErr != nil {
		stop.Store(true)
	} else {
		// Progress reports against the total, known only now: report
		// the accounts checked meanwhile, one call each, as if they had
		// been checked now.
		mu.Lock()
		listed = true
		if v.o.Progress != nil {
			for d := range done + 1 {
				v.o.Progress(d, total)
			}
		}
		mu.Unlock()
	}
	close(jobs)
	wg.Wait()

	r.Total = total
	r.finish()
	switch {
	case listErr != nil && total == 0:
		return nil, listErr
	case listErr != nil:
		return r, listErr
	case ctx.Err() != nil:
		return r, joinContext(ctx, nil)
	}
	r.Complete = true
	return r, nil
}

// queuedAccounts is the least number of listed accounts waiting for a
// worker before the listing waits too: five pages.
const queuedAccounts = 100

// prepare reads who the caller is, the organization and its IPAM admin,
// concurrently, and starts the report.
func (v *verifier) prepare(ctx context.Context) (*FleetReport, error) {
	var (
		wg                        sync.WaitGroup
		caller                    *sts.GetCallerIdentityOutput
		org                       *orgtypes.Organization
		admins                    []string
		callerErr, orgErr, admErr error
	)
	wg.Go(func() {
		caller, callerErr = limited(ctx, v, "sts:GetCallerIdentity", func(ctx context.Context) (*sts.GetCallerIdentityOutput, error) {
			return v.c.aws.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		})
	})
	wg.Go(func() {
		out, err := limited(ctx, v, "organizations:DescribeOrganization", func(ctx context.Context) (*organizations.DescribeOrganizationOutput, error) {
			return v.c.aws.Organizations.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
		})
		switch {
		case err != nil:
			orgErr = err
		case out.Organization == nil:
			orgErr = errors.New("ipamorg: DescribeOrganization returned no organization")
		default:
			org = out.Organization
		}
	})
	wg.Go(func() {
		// The same read as Observe's: one call before the fan-out, which
		// is what the rate limit is for.
		admins, admErr = v.c.readDelegatedAdmins(ctx)
	})
	wg.Wait()
	if err := errors.Join(orgErr, callerErr); err != nil {
		return nil, err
	}
	v.caller = aws.ToString(caller.Account)
	v.management = aws.ToString(org.MasterAccountId)
	v.partition = partitionOf(aws.ToString(org.Arn), aws.ToString(caller.Arn))

	r := &FleetReport{
		OrganizationID:      aws.ToString(org.Id),
		ManagementAccountID: v.management,
		CallerAccountID:     v.caller,
		AccessRole:          v.o.RoleName,
		Repair:              v.o.Repair,
		Accounts:            []AccountCheck{},
		Warnings:            []string{},
	}
	if v.caller != v.management {
		r.Warnings = append(r.Warnings, fmt.Sprintf("caller %s is not the management account %s: every other account, the management account included, is reached through %s",
			v.caller, v.management, v.o.RoleName))
	}
	switch {
	case admErr != nil && (v.o.Repair || classify(admErr) != ErrAccessDenied):
		return nil, admErr
	case admErr != nil:
		r.Warnings = append(r.Warnings, fmt.Sprintf(warnPartialRead, "delegated administrators"))
	case len(admins) > 0:
		r.DelegatedAdmin = admins[0]
	}
	if v.o.Repair && r.DelegatedAdmin == "" {
		return nil, &Error{Kind: ErrNoDelegatedAdmin,
			Err: errors.New("delegate an administrator first: ec2:EnableIpamOrganizationAdminAccount creates the role in every account")}
	}
	return r, nil
}

// listAccounts lists every account of the organization, following
// NextToken, and hands each page, without the accounts already listed, to
// page, until page returns false (listAccounts then returns ctx's error).
func (v *verifier) listAccounts(ctx context.Context, page func([]target) bool) error {
	in := &organizations.ListAccountsInput{}
	seen := map[string]bool{}
	for {
		out, err := limited(ctx, v, "organizations:ListAccounts", func(ctx context.Context) (*organizations.ListAccountsOutput, error) {
			return v.c.aws.Organizations.ListAccounts(ctx, in)
		})
		if err != nil {
			return err
		}
		targets := make([]target, 0, len(out.Accounts))
		for i := range out.Accounts {
			a := &out.Accounts[i]
			id := aws.ToString(a.Id)
			if seen[id] {
				// Pages of an eventually consistent list may overlap.
				continue
			}
			seen[id] = true
			state, active := accountState(a)
			targets = append(targets, target{id: id, name: aws.ToString(a.Name), state: state, active: active})
		}
		if !page(targets) {
			return joinContext(ctx, nil)
		}
		if aws.ToString(out.NextToken) == "" {
			return nil
		}
		in = &organizations.ListAccountsInput{NextToken: out.NextToken}
	}
}

// check verifies (and repairs) one account. It reports false when ctx
// ended before the account's outcome was known.
func (v *verifier) check(ctx context.Context, t target) (AccountCheck, bool) {
	ac := AccountCheck{AccountID: t.id, Name: t.name, State: t.state, Management: t.id == v.management}
	if !t.active {
		ac.Result = RoleSkipped
		ac.Reason = fmt.Sprintf("account state is %s", t.state)
		return ac, true
	}
	if ctx.Err() != nil {
		return ac, false
	}
	client := v.c.aws.IAM
	if t.id != v.caller {
		var err error
		if client, err = v.assume(ctx, t.id); err != nil {
			return ac, v.fail(ctx, &ac, "sts:AssumeRole", err)
		}
	}
	_, err := limited(ctx, v, "iam:GetRole", func(ctx context.Context) (*iam.GetRoleOutput, error) {
		return client.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(roleName)})
	})
	switch {
	case err == nil:
		ac.Result = RolePresent
		return ac, true
	case errorCode(err) != codeNoSuchEntity:
		return ac, v.fail(ctx, &ac, "iam:GetRole", err)
	}
	ac.Result = RoleMissing
	if !v.o.Repair {
		return ac, true
	}
	// A lost answer leaves unknown whether IAM created the role, and a
	// blind retry would fail because it exists: look first (callWrite).
	applied := func(ctx context.Context) bool {
		_, err := limited(ctx, v, "iam:GetRole", func(ctx context.Context) (*iam.GetRoleOutput, error) {
			return client.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(roleName)})
		})
		return err == nil
	}
	_, _, err = callWrite(ctx, v.c, "iam:CreateServiceLinkedRole", applied, func(ctx context.Context) (*iam.CreateServiceLinkedRoleOutput, error) {
		if err := v.wait(ctx); err != nil {
			return nil, err
		}
		return client.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String(servicePrincipal)})
	})
	if err != nil {
		// The role is still missing whatever stopped the repair, ctx
		// included: the outcome is known.
		const action = "iam:CreateServiceLinkedRole"
		ac.RepairError = reasonOf(action, err)
		ac.Err = &Error{Op: opVerify, Account: t.id, Action: action, Kind: classify(err), Err: err}
		return ac, true
	}
	// IAM's answer carries the new role (or, answer lost, GetRole showed
	// it): that is the confirmation. IAM is eventually consistent, so a
	// GetRole elsewhere may lag behind.
	ac.Result = RoleRepaired
	v.c.opts.Logger.InfoContext(ctx, "ipamorg: created service-linked role", "account", t.id, "role", roleName)
	return ac, true
}

// assume assumes the access role in account and returns an IAM client
// acting there.
func (v *verifier) assume(ctx context.Context, account string) (awsclient.IAMAPI, error) {
	arn := fmt.Sprintf("arn:%s:iam::%s:role/%s", v.partition, account, v.o.RoleName)
	out, err := limited(ctx, v, "sts:AssumeRole", func(ctx context.Context) (*sts.AssumeRoleOutput, error) {
		return v.c.aws.STS.AssumeRole(ctx, &sts.AssumeRoleInput{
			RoleArn:         aws.String(arn),
			RoleSessionName: aws.String(verifySessionName),
			DurationSeconds: aws.Int32(verifySessionSeconds),
		})
	})
	if err != nil {
		return nil, err
	}
	if out.Credentials == nil {
		return nil, errors.New("sts:AssumeRole returned no credentials")
	}
	creds := aws.Credentials{
		AccessKeyID:     aws.ToString(out.Credentials.AccessKeyId),
		SecretAccessKey: aws.ToString(out.Credentials.SecretAccessKey),
		SessionToken:    aws.ToString(out.Credentials.SessionToken),
		Source:          "ipamorg:AssumeRole",
		AccountID:       account,
	}
	if exp := out.Credentials.Expiration; exp != nil {
		creds.CanExpire, creds.Expires = true, *exp
	}
	client := v.c.aws.MemberIAM(aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return creds, nil
	}))
	if client == nil {
		return nil, fmt.Errorf("%w: MemberIAM returned nil", awsclient.ErrMissingClient)
	}
	return client, nil
}

// fail records err from action on ac, mapped as every AWS error of the
// package is, and reports whether the outcome counts (false when ctx ended
// and cut the check short).
func (v *verifier) fail(ctx context.Context, ac *AccountCheck, action string, err error) bool {
	if ctx.Err() != nil && isContextErr(err) {
		return false
	}
	kind := classify(err)
	ac.Result = RoleError
	if kind == ErrAccessDenied {
		ac.Result = RoleAccessDenied
	}
	ac.Reason = reasonOf(action, err)
	ac.Err = &Error{Op: opVerify, Account: ac.AccountID, Action: action, Kind: kind, Err: err}
	v.c.opts.Logger.DebugContext(ctx, "ipamorg: account not verified", "account", ac.AccountID, "action", action, "code", errorCode(err))
	return true
}

// reasonOf renders err from action for people: the AWS error code and
// message when there is one, without the SDK's request details.
func reasonOf(action string, err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return fmt.Sprintf("%s: %s: %s", action, ae.ErrorCode(), ae.ErrorMessage())
	}
	return fmt.Sprintf("%s: %v", action, err)
}

// partitionOf returns the partition ("aws", "aws-cn", "aws-us-gov") of
// the first ARN that has one, or "aws".
func partitionOf(arns ...string) string {
	for _, arn := range arns {
		if parts := strings.SplitN(arn, ":", 3); len(parts) == 3 && parts[0] == "arn" && parts[1] != "" {
			return parts[1]
		}
	}
	return "aws"
}

// limited is call (retries included) with every attempt waiting for the
// verification's rate limiter first.
func limited[T any](ctx context.Context, v *verifier, action string, fn func(context.Context) (T, error)) (T, error) {
	return call(ctx, v.c, action, func(ctx context.Context) (T, error) {
		if err := v.wait(ctx); err != nil {
			var zero T
			return zero, err
		}
		return fn(ctx)
	})
}

// wait blocks until the rate limiter allows one call or ctx ends. Unlike
// rate.Limiter.Wait, it fails only with ctx's error, so that a deadline
// beyond reach is a context error like any other.
func (v *verifier) wait(ctx context.Context) error {
	res := v.lim.Reserve()
	d := res.Delay()
	if d == 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		res.Cancel()
		return ctx.Err()
	}
}

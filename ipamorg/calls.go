package ipamorg

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/middleware"
)

// Retries are the SDK's: every call of the package passes the per-operation
// options below, which set the SDK retryer's attempts and backoff from
// RetryOptions and add the codes of ConcurrentModificationException to
// what it retries. The package keeps a loop of its own only for the one
// thing a retryer cannot do: look, when a write's answer was lost, whether
// the write was applied before sending it again (callWrite). See
// docs/architecture.md, "Retries and waits".

// concurrentModificationCodes are the codes of the conflict that
// Organizations (and EC2, which answers with Organizations' spelling) and
// IAM return when a concurrent request is changing the same thing. The
// SDK's retryer does not retry them by default; they clear in moments.
var concurrentModificationCodes = []string{codeConcurrentModification, codeConcurrentModificationIAM}

// retryer returns r with the package's retry settings.
func (c *Client) retryer(r aws.Retryer) aws.Retryer {
	if r == nil {
		r = retry.NewStandard()
	}
	attempts := c.opts.Retry.MaxAttempts
	if attempts == 0 {
		attempts = max(defaultMaxAttempts, r.MaxAttempts())
	}
	r = retry.AddWithErrorCodes(r, concurrentModificationCodes...)
	r = retry.AddWithMaxAttempts(r, attempts)
	if c.opts.Retry.MaxBackoff > 0 {
		r = retry.AddWithMaxBackoffDelay(r, c.opts.Retry.MaxBackoff)
	}
	return r
}

// serviceOptions builds, once, the per-operation options of each service.
// Organizations and STS requests also wait for the fleet's rate limits
// when their context carries them (see addLimiter).
func (c *Client) serviceOptions() {
	c.orgOpt = func(o *organizations.Options) {
		o.Retryer = c.retryer(o.Retryer)
		o.APIOptions = append(o.APIOptions, addAttemptRecorder, addLimiter(classOrganizations))
	}
	c.ec2Opt = func(o *ec2.Options) {
		o.Retryer = c.retryer(o.Retryer)
		o.APIOptions = append(o.APIOptions, addAttemptRecorder)
	}
	c.stsOpt = func(o *sts.Options) {
		o.Retryer = c.retryer(o.Retryer)
		o.APIOptions = append(o.APIOptions, addAttemptRecorder, addLimiter(classSTS))
	}
	c.iamOpt = func(o *iam.Options) {
		o.Retryer = c.retryer(o.Retryer)
		o.APIOptions = append(o.APIOptions, addAttemptRecorder)
	}
}

// attempts records, for one call, what the SDK's retries hide: how many
// requests were sent, and the last AWS error answered, which the SDK drops
// when the context ends during its backoff. call puts one in the
// context; the middleware below fills it in.
type attempts struct {
	sent atomic.Int32
	// unanswered counts the requests that got no answer from AWS: a
	// connection error, or the context ending while one was in flight.
	unanswered atomic.Int32
	mu         sync.Mutex
	last       error // the last AWS error answered, if any
}

func (a *attempts) lastAWS() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.last
}

type attemptsKey struct{}

// addAttemptRecorder records each request the SDK sends, and its AWS
// error, in the attempts its context carries (if any): it sits right after
// the SDK's retry middleware, which runs the rest of the stack once per
// attempt.
func addAttemptRecorder(stack *middleware.Stack) error {
	return stack.Finalize.Insert(middleware.FinalizeMiddlewareFunc("ipamorgAttempts",
		func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			a, ok := ctx.Value(attemptsKey{}).(*attempts)
			if !ok {
				return next.HandleFinalize(ctx, in)
			}
			a.sent.Add(1)
			out, md, err := next.HandleFinalize(ctx, in)
			switch {
			case err == nil:
			case errorCode(err) != "":
				a.mu.Lock()
				a.last = err
				a.mu.Unlock()
			default:
				a.unanswered.Add(1)
			}
			return out, md, err
		}), "Retry", middleware.After)
}

// call runs one AWS call, fn, which the SDK retries as RetryOptions say,
// and checks that it answered something: an SDK client never returns a nil
// output without an error, but a wrapper or a mock may, and a nil output
// is an error wrapping ErrInvalidResponse that names action, never a panic
// further on. When ctx ended, the error is ctx.Err() joined with the last
// AWS error answered, so that the caller can tell both that it was
// cancelled and what AWS last said. action names the call in logs and
// errors, e.g. "organizations:ListDelegatedAdministrators".
func call[O any](ctx context.Context, c *Client, action string, fn func(context.Context) (*O, error)) (*O, error) {
	out, _, err := callRecorded(ctx, c, action, fn)
	return out, err
}

// callRecorded is call that also returns what its requests met. A client
// without the SDK's middleware (a mock) records nothing.
func callRecorded[O any](ctx context.Context, c *Client, action string, fn func(context.Context) (*O, error)) (*O, *attempts, error) {
	a := &attempts{}
	out, err := fn(context.WithValue(ctx, attemptsKey{}, a))
	sent := a.sent.Load()
	switch {
	case err != nil && ctx.Err() != nil:
		if last := a.lastAWS(); last != nil && !errors.Is(err, last) {
			err = errors.Join(err, last)
		}
		return nil, a, joinContext(ctx, err)
	case err != nil:
		c.opts.Logger.DebugContext(ctx, "ipamorg: call failed", "action", action, "code", errorCode(err), "requests", sent)
		return nil, a, err
	case out == nil:
		return nil, a, invalidResponse(action, "no output and no error")
	}
	c.opts.Logger.DebugContext(ctx, "ipamorg: call", "action", action, "requests", sent)
	return out, a, nil
}

// invalidResponse is the error for an answer of action outside its
// contract; it wraps ErrInvalidResponse.
func invalidResponse(action, what string) error {
	return &responseError{action: action, what: what}
}

type responseError struct{ action, what string }

func (e *responseError) Error() string { return e.action + " returned " + e.what }
func (e *responseError) Unwrap() error { return ErrInvalidResponse }

// writeRounds bounds callWrite's own loop: how many times it hands a write
// to the SDK (which retries it within each round) when every answer was
// lost.
const writeRounds = 2

// callWrite is call for a write, whose outcome a lost answer leaves
// unknown (see outcomeUnknown): the SDK, having retried, gives up with a
// connection error, and the request may have been applied by AWS. Failing
// then would report the step as not done when it may be done, so callWrite
// first looks: when applied reports that the change already shows, the
// write is done, and callWrite returns answered false with no error (and a
// nil output: AWS's answer was lost). Otherwise it hands the write to the
// SDK again, up to writeRounds times in all, which is safe because every
// write of the package is idempotent against the state it leads to, and
// authoritative where reads lag, since AWS answers a write from its latest
// state.
//
// The same holds when an attempt's answer was lost and the SDK's retry of
// it was answered with an error, which may come from the lost attempt
// having been applied: callWrite looks then too.
//
// An error that leaves the write possibly applied (every answer lost, an
// answer lost and the retry refused, no output, or the context ended after
// the write was handed to the SDK) is marked so (see maybeApplied), and
// counts the requests really sent.
func callWrite[O any](ctx context.Context, c *Client, action string, applied func(context.Context) bool, fn func(context.Context) (*O, error)) (out *O, answered bool, err error) {
	if err := ctx.Err(); err != nil {
		return nil, true, err // nothing sent
	}
	total := 0
	for round := 1; ; round++ {
		var a *attempts
		out, a, err = callRecorded(ctx, c, action, fn)
		sent := int(a.sent.Load())
		total += max(sent, 1) // a client without the SDK's middleware: one
		switch {
		case err == nil:
			return out, true, nil
		case errors.Is(err, ErrInvalidResponse):
			// An answer that is not one (no output): AWS may have
			// applied the write.
			return nil, true, &maybeApplied{err}
		case ctx.Err() != nil && sent > 0 && a.unanswered.Load() == 0:
			// The context ended during the SDK's backoff, and AWS had
			// answered every request with an error: nothing applied.
			return nil, true, err
		case ctx.Err() != nil:
			// Cut short by the context, perhaps while a request was in
			// flight: nobody knows.
			return nil, true, &maybeApplied{err}
		case !outcomeUnknown(err) && a.unanswered.Load() > 0:
			// An earlier attempt's answer was lost and the SDK's retry
			// was refused, perhaps because that attempt was applied (IAM
			// answers "has been taken" for a role it just created): look
			// before saying it was not done.
			if applied(ctx) {
				c.opts.Logger.InfoContext(ctx, "ipamorg: write answer lost, retry refused, but reads show it applied", "action", action, "error", err)
				return nil, false, nil
			}
			return nil, true, &maybeApplied{fmt.Errorf("%s: %d request(s) sent, the answer to an earlier one lost: %w", action, total, err)}
		case !outcomeUnknown(err):
			return nil, true, err
		case applied(ctx):
			c.opts.Logger.InfoContext(ctx, "ipamorg: write answer lost, but reads show it applied", "action", action, "error", err)
			return nil, false, nil
		case round == writeRounds || ctx.Err() != nil:
			return nil, true, &maybeApplied{fmt.Errorf("%s: %d request(s) sent, every answer lost: %w", action, total, err)}
		}
		c.opts.Logger.InfoContext(ctx, "ipamorg: write answer lost and not visible in reads: sending it again", "action", action, "error", err)
	}
}

// maybeApplied marks an error after which a write may have been applied:
// the step that sent it is unconfirmed, not "not done".
type maybeApplied struct{ err error }

func (e *maybeApplied) Error() string { return e.err.Error() }
func (e *maybeApplied) Unwrap() error { return e.err }

// joinContext returns ctx.Err() joined with last, the last AWS error seen
// before the context ended (nil if none), unless last already carries it.
func joinContext(ctx context.Context, last error) error {
	if last != nil && errors.Is(last, ctx.Err()) {
		return last
	}
	return errors.Join(ctx.Err(), last)
}

// joinErrors joins the errors of reads made together. When ctx ended, the
// reads all failed for that one reason: the result is the context's error
// joined with the first error that is not a context error, if any, so
// that it says so once.
func joinErrors(ctx context.Context, errs ...error) error {
	if ctx.Err() == nil {
		return errors.Join(errs...)
	}
	var first error
	for _, err := range errs {
		switch {
		case err == nil:
		case !isContextErr(err):
			return joinContext(ctx, err)
		case first == nil:
			first = err
		}
	}
	if first == nil {
		return nil
	}
	return joinContext(ctx, first)
}

// isContextErr reports whether err is, or wraps, the end of a context.
func isContextErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

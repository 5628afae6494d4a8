package ipamorg

import (
	"context"
	"errors"
	"time"

	"github.com/cenkalti/backoff/v4"
)

// call runs one AWS call, fn, retrying transient failures (see transient)
// as RetryOptions allow; any other error is returned at once. action names
// the call in logs, e.g. "ec2:EnableIpamOrganizationAdminAccount".
//
// When ctx ends, call returns at once with ctx.Err() joined with the last
// AWS error, so the caller can tell both that it was cancelled and what AWS
// last said.
func call[T any](ctx context.Context, c *Client, action string, fn func(context.Context) (T, error)) (T, error) {
	v, _, err := callWrite(ctx, c, action, nil, fn)
	return v, err
}

// callWrite is call for a write, whose outcome a lost response leaves
// unknown (see outcomeUnknown): the request may have been applied by AWS.
// Failing then would report the step as not done when it was, so
// callWrite first looks: when applied reports that the change already
// shows, the write is done and callWrite returns answered false with no
// error (and a zero T: AWS's answer was lost). Otherwise the write is
// retried like a transient error, which is safe because every write of
// the package is idempotent against the state it leads to (see do), and
// authoritative where reads lag, since AWS answers a write from its latest
// state. applied nil makes callWrite exactly call.
func callWrite[T any](ctx context.Context, c *Client, action string, applied func(context.Context) bool, fn func(context.Context) (T, error)) (v T, answered bool, err error) {
	exp := backoff.NewExponentialBackOff(
		backoff.WithInitialInterval(c.opts.Retry.InitialInterval),
		backoff.WithMaxInterval(c.opts.Retry.MaxInterval),
		// Attempts, not elapsed time, bound the retries; the context bounds
		// the time.
		backoff.WithMaxElapsedTime(0),
	)
	b := backoff.WithContext(backoff.WithMaxRetries(exp, uint64(c.opts.Retry.MaxAttempts-1)), ctx)

	var lastAWS error
	answered = true
	op := func() (T, error) {
		v, err := fn(ctx)
		if err == nil {
			return v, nil
		}
		if !isContextErr(err) {
			lastAWS = err
		}
		if applied != nil && outcomeUnknown(err) && ctx.Err() == nil {
			if applied(ctx) {
				c.opts.Logger.InfoContext(ctx, "ipamorg: write answer lost, but reads show it applied", "action", action, "error", err)
				answered = false
				var zero T
				return zero, nil
			}
			return v, err
		}
		if !transient(err) {
			return v, backoff.Permanent(err)
		}
		return v, err
	}
	notify := func(err error, d time.Duration) {
		c.opts.Logger.DebugContext(ctx, "ipamorg: retrying", "action", action, "code", errorCode(err), "delay", d)
	}
	v, err = backoff.RetryNotifyWithData(op, b, notify)
	if err != nil && ctx.Err() != nil {
		return v, true, joinContext(ctx, lastAWS)
	}
	return v, answered, err
}

// joinContext returns ctx.Err() joined with last, the last AWS error seen
// before the context ended (nil if none), unless last already carries it.
func joinContext(ctx context.Context, last error) error {
	if last != nil && errors.Is(last, ctx.Err()) {
		return last
	}
	return errors.Join(ctx.Err(), last)
}

func isContextErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

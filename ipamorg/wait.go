package ipamorg

import (
	"context"
	"errors"

	"github.com/cenkalti/backoff/v4"
)

// errPending tells the backoff loop in poll that the condition does not
// hold yet; it never leaves this file.
var errPending = errors.New("ipamorg: not yet")

// poll calls check at once, then with delays growing from Wait.MinDelay to
// Wait.MaxDelay, until it reports done or fails, for at most Wait.MaxWait.
// An error from check ends the wait: check's reads have been retried
// already, so what is left is final.
//
// On timeout poll returns an *Error of kind ErrWaitTimeout (the caller adds
// the context); when ctx ends, ctx.Err() joined with the last error check
// returned.
func (c *Client) poll(ctx context.Context, check func(context.Context) (done bool, err error)) error {
	waitCtx, cancel := context.WithTimeout(ctx, c.opts.Wait.MaxWait)
	defer cancel()
	exp := backoff.NewExponentialBackOff(
		backoff.WithInitialInterval(c.opts.Wait.MinDelay),
		backoff.WithMaxInterval(c.opts.Wait.MaxDelay),
		backoff.WithMultiplier(1.5),
		// One client polling its own write: no herd to spread, and a
		// predictable first poll.
		backoff.WithRandomizationFactor(0),
		backoff.WithMaxElapsedTime(0),
	)
	var lastErr error
	err := backoff.Retry(func() error {
		done, err := check(waitCtx)
		switch {
		case err != nil:
			lastErr = err
			return backoff.Permanent(err)
		case done:
			return nil
		default:
			return errPending
		}
	}, backoff.WithContext(exp, waitCtx))
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return joinContext(ctx, lastErr)
	case waitCtx.Err() != nil:
		// The deadline may have cut a read short; that is the timeout,
		// not a failure of the read.
		return &Error{Kind: ErrWaitTimeout}
	default:
		return err
	}
}

// waitFor confirms a write: it polls read, which re-reads only what the
// write changed and returns prev (the status before the write) brought up
// to date with it (see the reread functions in observe.go), until ok holds
// for the status read returns, and returns that status. Each poll is thus
// one read, not a whole Observe.
//
// On timeout the *Error's Last holds the status the last poll returned:
// prev with the facts that poll read; nil when no poll returned one, and
// the caller falls back to prev. Otherwise the status returned is the last
// one read returned, or nil.
func (c *Client) waitFor(ctx context.Context, prev *Status, read func(context.Context, *Status) (*Status, error), ok func(*Status) bool) (*Status, error) {
	var last *Status
	err := c.poll(ctx, func(ctx context.Context) (bool, error) {
		st, err := read(ctx, prev)
		if err != nil {
			return false, err
		}
		last = st
		return ok(st), nil
	})
	var e *Error
	if errors.As(err, &e) && e.Kind == ErrWaitTimeout {
		e.Last = last
	}
	return last, err
}

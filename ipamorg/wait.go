package ipamorg

import (
	"context"
	"errors"
	"time"

	"github.com/cenkalti/backoff/v4"

	"github.com/ipamorg/sdk/internal/awscall"
)

// errPending tells the backoff loop in poll that the condition does not
// hold yet; it never leaves this file.
var errPending = errors.New("ipamorg: not yet")

// growth is the factor by which the spacing of polls grows once the fast
// span is over.
const growth = 1.5

// schedule is when poll starts its checks, as a backoff.BackOff: polls
// start Interval apart, start to start, for the first FastFor of the wait,
// then each spacing is growth times the one before, up to MaxDelay;
// without the fast span (fast false) the spacing grows from Interval at
// once. Spacing is measured between the starts of two checks, so a
// read's own latency does not push the next one back; a check that takes
// longer than the spacing is followed by the next at once, never
// overlapped by it. See docs/performance.md, "Lifecycle", for the numbers
// behind the defaults.
type schedule struct {
	wait WaitOptions
	fast bool
	// first and last are when the first and the latest check started;
	// due is when the latest was due to, in the fast span.
	first, last, due time.Time
	spacing          time.Duration
}

// started records that a check starts now.
func (s *schedule) started(now time.Time) {
	if s.first.IsZero() {
		s.first, s.due = now, now
	}
	s.last = now
}

// next returns the start of the check after the one that started at
// s.last, and advances the spacing. In the fast span each start is due
// Interval after the one before was due, so that a timer's slack does not
// add up from poll to poll; a check that started a whole Interval late (a
// slow read before it) sets the count afresh, so that fast reads after
// slow ones do not come in a burst to catch up.
func (s *schedule) next() time.Time {
	due := s.due.Add(s.wait.Interval)
	if !due.After(s.last) {
		due = s.last.Add(s.wait.Interval)
	}
	if s.fast && due.Sub(s.first) <= s.wait.FastFor {
		s.due = due
		return due
	}
	switch {
	case s.spacing == 0 && !s.fast:
		s.spacing = s.wait.Interval
	default:
		s.spacing = min(time.Duration(float64(max(s.spacing, s.wait.Interval))*growth), s.wait.MaxDelay)
	}
	return s.last.Add(s.spacing)
}

// NextBackOff is the delay from now until the next check should start.
func (s *schedule) NextBackOff() time.Duration {
	return max(0, time.Until(s.next()))
}

// Reset starts the schedule afresh; backoff.Retry calls it once, before
// the first check.
func (s *schedule) Reset() { *s = schedule{wait: s.wait, fast: s.fast} }

// poll calls check at once, then on the write-confirmation schedule (see
// schedule), until it reports done or fails, for at most Wait.MaxWait. An
// error from check ends the wait: check's reads have been retried already,
// so what is left is final.
//
// On timeout poll returns an *Error of kind ErrWaitTimeout (the caller adds
// the context); when ctx ends, ctx.Err() joined with the last error check
// returned.
func (c *Client) poll(ctx context.Context, check func(context.Context) (done bool, err error)) error {
	return c.pollOn(ctx, true, check)
}

// pollOn is poll, with the fast span (fast true) or without it, for waits
// that are not a write's propagation (WaitMonitored): there the spacing
// grows from Interval at once.
func (c *Client) pollOn(ctx context.Context, fast bool, check func(context.Context) (done bool, err error)) error {
	waitCtx, cancel := context.WithTimeout(ctx, c.opts.Wait.MaxWait)
	defer cancel()
	sched := &schedule{wait: c.opts.Wait, fast: fast}
	var lastErr error
	err := backoff.Retry(func() error {
		sched.started(time.Now())
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
	}, backoff.WithContext(sched, waitCtx))
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return awscall.JoinContext(ctx, lastErr)
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

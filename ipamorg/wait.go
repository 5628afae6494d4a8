package ipamorg

import (
	"context"
	"errors"
	"fmt"
	"strings"
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

// confirmation is how the write of a step is confirmed, from its row of
// events: read re-reads only what the write changed and returns prev (the
// status before the write) brought up to date with it (see the reread
// functions in observe.go); done reports whether that status shows the
// step taken; elsewhere, if not nil, whether it shows the organization
// moved where the step cannot lead (another writer at work); shown says
// what the read returned, for messages.
type confirmation struct {
	read      func(ctx context.Context, prev *Status) (*Status, error)
	done      func(st *Status) bool
	elsewhere func(st *Status) bool
	shown     func(st *Status) string
}

// waitFor confirms a write: it polls cf.read until cf.done holds for the
// status it returns, and returns that status. Each poll is thus one read,
// not a whole Observe. When a status shows the organization moved
// elsewhere (cf.elsewhere), the wait stops at once with an *Error of kind
// ErrMovedElsewhere, rather than poll until MaxWait for what can no
// longer come.
//
// On timeout, or when the organization moved, the *Error's Last holds the
// status the last poll returned: prev with the fact that poll read; nil
// when no poll returned one, and the caller falls back to prev. Its Err
// says what that read returned (cf.shown), and nothing else: the other
// facts of Last were not read again. Otherwise the status returned is the
// last one the read returned, or nil.
func (c *Client) waitFor(ctx context.Context, prev *Status, cf confirmation) (*Status, error) {
	if cf.shown == nil {
		cf.shown = func(*Status) string { return "a read that did not show the change" }
	}
	var last *Status
	err := c.poll(ctx, func(ctx context.Context) (bool, error) {
		st, err := cf.read(ctx, prev)
		if err != nil {
			return false, err
		}
		last = st
		switch {
		case cf.done(st):
			return true, nil
		case cf.elsewhere != nil && cf.elsewhere(st):
			return false, &Error{Kind: ErrMovedElsewhere, Last: st,
				Err: fmt.Errorf("%s while the step waited for its confirmation: another writer moved the organization; observe again", cf.shown(st))}
		}
		return false, nil
	})
	var e *Error
	if errors.As(err, &e) && e.Kind == ErrWaitTimeout {
		e.Last = last
		shown := ""
		if last != nil {
			shown = cf.shown(last)
		}
		e.Err = lastRead(shown)
	}
	return last, err
}

// lastRead is the cause of a wait's timeout: what its last read showed,
// "" when no read returned.
func lastRead(shown string) error {
	if shown == "" {
		return errors.New("no read returned before the deadline")
	}
	return errors.New("the last read: " + shown)
}

// What a confirming read returned, as the wait's messages say it: the
// read and its result, never a state inferred from it (see waitFor). Each
// takes the status a reread function of observe.go returned, whose fact
// is the read's.

// adminsShown says what organizations:ListDelegatedAdministrators listed
// for ipam.amazonaws.com (rereadAdmins).
func adminsShown(st *Status) string {
	known := knownIDs(st.admins)
	what := strings.Join(known, ", ")
	switch missing := len(st.admins) - len(known); {
	case len(st.admins) == 0:
		what = "no delegated administrator"
	case missing > 0 && len(known) == 0:
		what = fmt.Sprintf("%d delegated administrator(s) without an id", missing)
	case missing > 0:
		what += fmt.Sprintf(" and %d without an id", missing)
	}
	return "organizations:ListDelegatedAdministrators listed " + what + " for " + servicePrincipal
}

// trustedAccessShown says whether
// organizations:ListAWSServiceAccessForOrganization listed
// ipam.amazonaws.com (rereadTrustedAccess).
func trustedAccessShown(st *Status) string {
	if st.TrustedAccess {
		return "organizations:ListAWSServiceAccessForOrganization listed " + servicePrincipal
	}
	return "organizations:ListAWSServiceAccessForOrganization did not list " + servicePrincipal
}

// roleShown says whether iam:GetRole found AWSServiceRoleForIPAM in the
// management account (rereadServiceLinkedRole).
func roleShown(st *Status) string {
	if st.ServiceLinkedRole {
		return "iam:GetRole found " + roleName + " in the management account"
	}
	return "iam:GetRole found no " + roleName + " in the management account"
}

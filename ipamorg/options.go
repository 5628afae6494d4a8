package ipamorg

import (
	"fmt"
	"log/slog"
	"time"
)

// The public API takes its options as the AWS SDK does: a struct of
// options (Options, VerifyOptions, RemoveOptions, PolicyOptions) that
// functional options, optFns ...func(*XOptions), fill in from its zero
// value, in order, a nil one skipped (fill); a zero field then takes its
// default.

// fill returns the zero O with each of optFns applied in order, nil ones
// skipped.
func fill[O any](optFns []func(*O)) O {
	var o O
	for _, fn := range optFns {
		if fn != nil {
			fn(&o)
		}
	}
	return o
}

// Options configures a Client. The zero value of every field means its
// default; New applies the functional options to a zero Options and then
// the defaults.
type Options struct {
	// Logger receives one record per AWS write and per transition (Info)
	// and per call, with the requests the SDK sent for it (Debug); the
	// SDK logs its own retries as aws.Config.ClientLogMode says. Default: a
	// logger that discards everything. Records carry account ids and AWS
	// error codes, never credentials.
	Logger *slog.Logger

	// Retry configures the AWS SDK's retries of the package's calls.
	Retry RetryOptions

	// Wait bounds the polling that confirms each write.
	Wait WaitOptions

	// AccessRole is the role the Client assumes (sts:AssumeRole) in the
	// organization's other accounts: in IPAM's delegated administrator,
	// to read its IPAMs and what they discover (Monitoring, WaitMonitored,
	// and the guard before a step removes the administrator), and in
	// every member account but the caller's (VerifyServiceLinkedRoles).
	// Optionally with its path ("audit/IpamReader"), as IAM names roles.
	// Default DefaultAccessRole.
	AccessRole string

	// IPAMRegions, if not empty, are the only Regions where the delegated
	// administrator's IPAMs are looked for (Monitoring, WaitMonitored, the
	// guard before removing the administrator). Default: every Region
	// that ec2:DescribeRegions lists as enabled in the administrator's
	// account. A name that is not a Region's is ErrInvalidOptions.
	IPAMRegions []string

	// OnTransition, if set, is called after each lifecycle step is
	// confirmed by AWS, in order, on the goroutine running the operation,
	// by the lifecycle machine (fsm.Machine) as it makes the transition.
	// It must not call back into the Client's writing methods (Apply,
	// Reconcile, Delegate, ...): they are serialised and would deadlock.
	OnTransition func(Transition)
}

// RetryOptions configures the AWS SDK's retryer for the package's calls,
// per operation: the SDK retries throttling, server errors, connection
// errors and, for the package's calls, ConcurrentModificationException
// (which it does not retry by default), with exponential backoff and
// jitter, and returns every other error at once. Retries are the SDK's
// alone, so an error that says "maximum number of attempts, 5" means that
// five requests were sent.
type RetryOptions struct {
	// MaxAttempts is the number of requests per AWS call, the first
	// included (retry.AddWithMaxAttempts); 1 disables retries. Default 5,
	// or the client's own retryer's attempts if more (the SDK's default is
	// 3; aws.Config.RetryMaxAttempts sets it).
	MaxAttempts int
	// MaxBackoff caps the delay between two attempts
	// (retry.AddWithMaxBackoffDelay). Default: the retryer's own, 20s for
	// the SDK's standard retryer.
	MaxBackoff time.Duration
}

// WaitOptions shapes the polling that confirms a write. AWS Organizations
// reads are eventually consistent, so after each write the Client re-reads
// until the change shows: at once, then every Interval, start to start,
// for FastFor (the span in which propagation usually ends), then with the
// spacing growing 1.5 times per poll from Interval to MaxDelay, until
// MaxWait has passed. Each poll is one read, the one that shows the
// write's change (see Result.Status), not a whole Observe. With the
// defaults a write that shows within 15s is seen at most one Interval
// (200ms) after it shows, at the cost of at most five reads a second
// (docs/performance.md, "Lifecycle", has the numbers). WaitMonitored polls
// on the same options without the fast span: at once, then from Interval
// growing to MaxDelay.
type WaitOptions struct {
	// Interval is the spacing of the polls during FastFor, from the start
	// of one read to the start of the next, so that a read's latency does
	// not add to it; a read that takes longer is followed by the next at
	// once, never overlapped. Default 200ms, or MaxDelay if that is
	// smaller.
	Interval time.Duration
	// FastFor is how long after the first poll the polls stay Interval
	// apart. Default 15s: the lags of AWS Organizations reads after a write
	// are usually seconds, and a write that shows later than FastFor is
	// seen at most MaxDelay after it shows.
	FastFor time.Duration
	// MaxDelay caps the spacing of the polls after FastFor. Default 5s, or
	// Interval if that is larger.
	MaxDelay time.Duration
	// MaxWait bounds the whole wait for one step; past it the step fails
	// with ErrWaitTimeout. Default 5 minutes: propagation of a delegated
	// administrator through Organizations usually takes seconds but has
	// been seen to take minutes.
	MaxWait time.Duration
}

// Defaults, documented on the fields above.
const (
	defaultInterval = 200 * time.Millisecond
	defaultFastFor  = 15 * time.Second
	defaultMaxDelay = 5 * time.Second
	defaultMaxWait  = 5 * time.Minute
)

// resolve validates o and fills in its defaults. Negative values are
// refused rather than treated as defaults: they are almost certainly a bug
// in the caller's arithmetic.
func (o Options) resolve() (Options, error) {
	if o.Retry.MaxAttempts < 0 {
		return o, fmt.Errorf("%w: Retry.MaxAttempts %d is negative", ErrInvalidOptions, o.Retry.MaxAttempts)
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"Retry.MaxBackoff", o.Retry.MaxBackoff},
		{"Wait.Interval", o.Wait.Interval},
		{"Wait.FastFor", o.Wait.FastFor},
		{"Wait.MaxDelay", o.Wait.MaxDelay},
		{"Wait.MaxWait", o.Wait.MaxWait},
	} {
		if d.v < 0 {
			return o, fmt.Errorf("%w: %s %v is negative", ErrInvalidOptions, d.name, d.v)
		}
	}
	if err := o.resolveAccess(); err != nil {
		return o, err
	}
	if o.Wait.MaxDelay != 0 && o.Wait.MaxDelay < o.Wait.Interval {
		return o, fmt.Errorf("%w: Wait.MaxDelay %v is less than Wait.Interval %v", ErrInvalidOptions, o.Wait.MaxDelay, o.Wait.Interval)
	}

	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	defaultRange(&o.Wait.Interval, &o.Wait.MaxDelay, defaultInterval, defaultMaxDelay)
	if o.Wait.FastFor == 0 {
		o.Wait.FastFor = defaultFastFor
	}
	if o.Wait.MaxWait == 0 {
		o.Wait.MaxWait = defaultMaxWait
	}
	return o, nil
}

// defaultRange fills each zero bound of [lo, hi] with its default, bending
// the default so that lo <= hi still holds when only one bound was set.
func defaultRange(lo, hi *time.Duration, defLo, defHi time.Duration) {
	if *lo == 0 {
		*lo = defLo
		if *hi != 0 {
			*lo = min(defLo, *hi)
		}
	}
	if *hi == 0 {
		*hi = max(defHi, *lo)
	}
}

package awstest

import "time"

// history is one key's value over time, so that reads can see the state as
// of now-lag while writes and guards see the latest state. An empty history
// means "absent since forever"; entries written at the zero time (the
// initial organization, test mutators) are visible at once whatever the lag.
type history[T any] struct {
	entries []entry[T]
}

type entry[T any] struct {
	at      time.Time
	val     T
	present bool
}

// asOf returns the value in force at t.
func (h *history[T]) asOf(t time.Time) (T, bool) {
	var zero T
	if h == nil {
		return zero, false
	}
	for i := len(h.entries) - 1; i >= 0; i-- {
		if !h.entries[i].at.After(t) {
			return h.entries[i].val, h.entries[i].present
		}
	}
	return zero, false
}

// latest returns the newest value, visible or not.
func (h *history[T]) latest() (T, bool) {
	var zero T
	if h == nil || len(h.entries) == 0 {
		return zero, false
	}
	e := h.entries[len(h.entries)-1]
	return e.val, e.present
}

// set records a write at time at, and forgets entries that no read can see
// any more: everything older than the newest entry at or before cutoff
// (now minus the largest lag in force).
func (h *history[T]) set(at time.Time, val T, present bool, cutoff time.Time) {
	if n := len(h.entries); n > 0 && at.Before(h.entries[n-1].at) {
		// A clock that steps back must not reorder history.
		at = h.entries[n-1].at
	}
	h.entries = append(h.entries, entry[T]{at: at, val: val, present: present})
	keep := 0
	for i := range h.entries {
		if !h.entries[i].at.After(cutoff) {
			keep = i
		}
	}
	if keep > 0 {
		h.entries = append(h.entries[:0], h.entries[keep:]...)
	}
}

// reset replaces the whole history with a value visible at any time; test
// mutators use it so that their changes bypass the lag.
func (h *history[T]) reset(val T, present bool) {
	h.entries = []entry[T]{{val: val, present: present}}
}

// SetLag changes ServerOptions.Lag for all later reads, including reads of
// writes already made: reads see the state as of now minus the lag in force
// when they are made. History is kept only as far back as the lags in force
// when it was written, so raising the lag does not bring back states that
// were already superseded. Safe for concurrent use.
func (e *Emulator) SetLag(d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.lag = d
}

// SetMemberRoleLag changes ServerOptions.MemberRoleLag like SetLag. Safe for
// concurrent use.
func (e *Emulator) SetMemberRoleLag(d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.memberRoleLag = d
}

// SetDiscoveryLag changes ServerOptions.DiscoveryLag like SetLag. Safe for
// concurrent use.
func (e *Emulator) SetDiscoveryLag(d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.discoveryLag = d
}

// SetIPAMDelay changes ServerOptions.IPAMDelay for IPAMs created or deleted
// from now on. Safe for concurrent use.
func (e *Emulator) SetIPAMDelay(d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.ipamDelay = d
}

// cutoff is the oldest instant any read can currently ask about.
func (e *Emulator) cutoff(now time.Time) time.Time {
	return now.Add(-max(e.lag, e.memberRoleLag, e.discoveryLag))
}

// orgView is the instant Organizations reads see.
func (e *Emulator) orgView(now time.Time) time.Time { return now.Add(-e.lag) }

// roleView is the instant IAM reads in account see.
func (e *Emulator) roleView(now time.Time, account string) time.Time {
	if e.isMember(account) {
		return now.Add(-e.memberRoleLag)
	}
	return now.Add(-e.lag)
}

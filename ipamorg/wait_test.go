package ipamorg

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"
)

// pollTimes runs c.pollOn with checks that each take latency and report
// done from visible on (the instant of the check's answer, as a read
// answered at the end of its latency sees it), and returns when each check
// started, relative to the first.
func pollTimes(t *testing.T, w WaitOptions, fast bool, latency, visible time.Duration) []time.Duration {
	t.Helper()
	opts, err := Options{Wait: w}.resolve()
	if err != nil {
		t.Fatal(err)
	}
	c := &Client{opts: opts}
	var starts []time.Duration
	var first time.Time
	err = c.pollOn(t.Context(), fast, func(ctx context.Context) (bool, error) {
		now := time.Now()
		if first.IsZero() {
			first = now
		}
		starts = append(starts, now.Sub(first))
		time.Sleep(latency)
		return time.Since(first) >= visible, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return starts
}

// The default schedule: polls start 200ms apart, start to start, whatever
// each read's latency, for 15s; then 1.5 times further apart each time, up
// to 5s.
func TestScheduleDefaults(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		starts := pollTimes(t, WaitOptions{}, true, 100*time.Millisecond, 30*time.Second)
		var want []time.Duration
		at := time.Duration(0)
		for ; at <= 15*time.Second; at += 200 * time.Millisecond {
			want = append(want, at)
		}
		at -= 200 * time.Millisecond
		for spacing := 200 * time.Millisecond; at < 30*time.Second; {
			spacing = min(time.Duration(float64(spacing)*1.5), 5*time.Second)
			at += spacing
			want = append(want, at)
		}
		if len(starts) != len(want) {
			t.Fatalf("%d polls, want %d: %v", len(starts), len(want), starts)
		}
		for i := range want {
			if starts[i] != want[i] {
				t.Fatalf("poll %d at %v, want %v (all: %v)", i, starts[i], want[i], starts)
			}
		}
		if got := want[76] - want[75]; got != 300*time.Millisecond {
			t.Errorf("first spacing after the fast span %v, want 300ms", got)
		}
	})
}

// At 100ms a read and any lag up to 10s, the read that confirms answers at
// most one Interval after the write shows, and the wait makes one read
// per Interval of lag, plus one.
func TestScheduleLostPerWrite(t *testing.T) {
	const latency = 100 * time.Millisecond
	for _, lag := range []time.Duration{0, 50 * time.Millisecond, time.Second, 2 * time.Second, 2050 * time.Millisecond, 9950 * time.Millisecond, 10 * time.Second} {
		t.Run(lag.String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				// The first poll starts as the write's answer arrives;
				// the write shows lag after it took effect, at the end
				// of its latency, i.e. as its answer arrived.
				starts := pollTimes(t, WaitOptions{}, true, latency, lag)
				seen := starts[len(starts)-1] + latency
				lost := seen - lag
				if lost < 0 || lost > max(200*time.Millisecond, latency) {
					t.Errorf("seen %v after it showed, want at most 200ms (polls %v)", lost, starts)
				}
				if want := int((lag-latency+200*time.Millisecond-1)/(200*time.Millisecond)) + 1; lag > latency && len(starts) != want {
					t.Errorf("%d reads, want %d", len(starts), want)
				}
			})
		})
	}
}

// A read slower than Interval is followed by the next at once, never
// overlapped by it.
func TestScheduleSlowReads(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		starts := pollTimes(t, WaitOptions{}, true, 500*time.Millisecond, 2*time.Second)
		for i := 1; i < len(starts); i++ {
			if d := starts[i] - starts[i-1]; d != 500*time.Millisecond {
				t.Errorf("poll %d started %v after the one before, want 500ms (the read's own time)", i, d)
			}
		}
	})
}

// Without the fast span (WaitMonitored), spacing grows from Interval at
// once; options set are used as given.
func TestScheduleWithoutFastSpan(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := WaitOptions{Interval: time.Second, MaxDelay: 2 * time.Second}
		starts := pollTimes(t, w, false, 0, 6*time.Second)
		want := []time.Duration{0, time.Second, 2500 * time.Millisecond, 4500 * time.Millisecond, 6500 * time.Millisecond}
		if len(starts) != len(want) {
			t.Fatalf("polls at %v, want %v", starts, want)
		}
		for i := range want {
			if starts[i] != want[i] {
				t.Fatalf("polls at %v, want %v", starts, want)
			}
		}
	})
}

// MaxWait ends the schedule with ErrWaitTimeout.
func TestScheduleMaxWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		opts, err := Options{Wait: WaitOptions{MaxWait: time.Minute}}.resolve()
		if err != nil {
			t.Fatal(err)
		}
		c := &Client{opts: opts}
		start := time.Now()
		err = c.poll(t.Context(), func(context.Context) (bool, error) { return false, nil })
		var e *Error
		if !errors.As(err, &e) || e.Kind != ErrWaitTimeout {
			t.Fatalf("err %v, want ErrWaitTimeout", err)
		}
		if d := time.Since(start); d > time.Minute {
			t.Errorf("gave up after %v, want MaxWait", d)
		}
	})
}

// Fast reads after slow ones keep the spacing: no burst to catch up with
// the polls the slow ones pushed back.
func TestScheduleNoBurstAfterSlowReads(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		opts, err := Options{}.resolve()
		if err != nil {
			t.Fatal(err)
		}
		c := &Client{opts: opts}
		var starts []time.Time
		err = c.poll(t.Context(), func(context.Context) (bool, error) {
			starts = append(starts, time.Now())
			if len(starts) <= 3 {
				time.Sleep(time.Second)
			}
			return len(starts) == 8, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for i := 4; i < len(starts); i++ {
			if d := starts[i].Sub(starts[i-1]); d != 200*time.Millisecond {
				t.Errorf("poll %d started %v after the one before, want 200ms", i, d)
			}
		}
	})
}

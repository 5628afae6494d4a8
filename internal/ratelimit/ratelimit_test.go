package ratelimit

import (
	"context"
	"errors"
	"math"
	"testing"
	"testing/synctest"
	"time"
)

// TestWait: a limiter spaces requests at its rate after its burst, in
// fake time; no limiter lets every request through; a context that ends
// while a request waits ends the wait with the context's error.
func TestWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		if New(math.Inf(1), 4) != nil {
			t.Fatal("an infinite rate has a limiter")
		}
		if err := Wait(t.Context(), nil); err != nil {
			t.Fatal(err)
		}
		lim := New(10, 4) // burst 4
		start := time.Now()
		for range 14 {
			if err := Wait(t.Context(), lim); err != nil {
				t.Fatal(err)
			}
		}
		if took := time.Since(start); took != time.Second {
			t.Errorf("14 requests at 10/s after a burst of 4 took %v, want 1s", took)
		}
		ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
		defer cancel()
		if err := Wait(ctx, lim); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v, want the deadline", err)
		}
	})
}

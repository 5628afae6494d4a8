package awscall

import (
	"context"
	"errors"
	"math"
	"testing"
	"testing/synctest"
	"time"
)

// TestWaitLimit: a limiter spaces requests at its rate after its burst, in
// fake time; no limiter lets every request through; a context that ends
// while a request waits ends the wait with the context's error.
func TestWaitLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		if NewLimiter(math.Inf(1), 4) != nil {
			t.Fatal("an infinite rate has a limiter")
		}
		if err := waitLimit(t.Context(), nil); err != nil {
			t.Fatal(err)
		}
		lim := NewLimiter(10, 4) // burst 4
		start := time.Now()
		for range 14 {
			if err := waitLimit(t.Context(), lim); err != nil {
				t.Fatal(err)
			}
		}
		if took := time.Since(start); took != time.Second {
			t.Errorf("14 requests at 10/s after a burst of 4 took %v, want 1s", took)
		}
		ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
		defer cancel()
		if err := waitLimit(ctx, lim); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v, want the deadline", err)
		}
	})
}

package awscall

import (
	"context"
	"sync"
)

// Concurrently runs fn(0), ..., fn(n-1), at most limit at once, and
// returns their errors joined (see JoinErrors). A call whose goroutine
// ends without returning counts as ErrNoAnswer.
func Concurrently(ctx context.Context, limit, n int, fn func(i int) error) error {
	errs := make([]error, n)
	sem := make(chan struct{}, limit)
	var wg sync.WaitGroup
	for i := range n {
		errs[i] = ErrNoAnswer
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			errs[i] = fn(i)
		})
	}
	wg.Wait()
	return JoinErrors(ctx, errs...)
}

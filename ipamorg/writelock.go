package ipamorg

import (
	"context"
	"sync"
)

// writeLock serialises the writing methods of a Client. It is a one-slot
// channel rather than a sync.Mutex for two reasons: a writer waiting its
// turn behind another (which may be polling for minutes) can give up when
// its context ends; and the wait is a channel operation, which
// testing/synctest counts as durably blocked, so that fake time advances
// while one goroutine waits and another polls. The zero value is usable.
type writeLock struct {
	once sync.Once
	ch   chan struct{}
}

func (l *writeLock) init() { l.once.Do(func() { l.ch = make(chan struct{}, 1) }) }

// lock takes l, or returns ctx's error, without taking it, if ctx ends
// first.
func (l *writeLock) lock(ctx context.Context) error {
	l.init()
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case l.ch <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Unlock releases l, which must be held.
func (l *writeLock) Unlock() { <-l.ch }

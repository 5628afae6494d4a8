package awscall

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"
)

// TestRetryer: the attempts are Retry.MaxAttempts, or the default, or the
// client's own if more; the concurrent-modification codes are retried.
func TestRetryer(t *testing.T) {
	for _, tt := range []struct {
		client, set, want int
	}{
		{3, 0, DefaultMaxAttempts},
		{8, 0, 8},
		{8, 2, 2},
	} {
		r := Retryer(retry.NewStandard(func(o *retry.StandardOptions) { o.MaxAttempts = tt.client }), Retry{MaxAttempts: tt.set, MaxBackoff: time.Second})
		if got := r.MaxAttempts(); got != tt.want {
			t.Errorf("client %d, set %d: %d attempts, want %d", tt.client, tt.set, got, tt.want)
		}
		for _, code := range []string{CodeConcurrentModification, CodeConcurrentModificationIAM} {
			if !r.IsErrorRetryable(&smithy.GenericAPIError{Code: code}) {
				t.Errorf("%s is not retried", code)
			}
		}
	}
}

// TestCallNilOutput: a nil output without an error is an invalid
// response naming the call, never a nil taken for an answer.
func TestCallNilOutput(t *testing.T) {
	c := New(nil, Retry{}, Middleware{})
	_, err := Call(t.Context(), c, "sts:GetCallerIdentity", func(context.Context) (*struct{}, error) { return nil, nil })
	if !errors.Is(err, ErrInvalidResponse) || err.Error() != "sts:GetCallerIdentity returned no output and no error" {
		t.Errorf("err = %v", err)
	}
}

// TestConcurrently: every call runs, their errors are joined, and a call
// that never returns is ErrNoAnswer.
func TestConcurrently(t *testing.T) {
	boom := errors.New("boom")
	ran := make([]bool, 5)
	err := Concurrently(t.Context(), 2, 5, func(i int) error {
		ran[i] = true
		switch i {
		case 1:
			return boom
		case 3:
			runtime.Goexit()
		}
		return nil
	})
	if !errors.Is(err, boom) || !errors.Is(err, ErrNoAnswer) {
		t.Errorf("err = %v", err)
	}
	for i, r := range ran {
		if !r {
			t.Errorf("call %d did not run", i)
		}
	}
}

package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/cfn"
	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ipamorg/sdk/awsclient/awstest"
	"github.com/ipamorg/sdk/fsm"
)

// panicOn is a slog handler that panics on the record whose message is msg
// and which has the attribute key=value: a bug in the library's callback,
// met after a write.
type panicOn struct {
	slog.Handler
	msg, key, value string
}

func (h panicOn) Handle(ctx context.Context, r slog.Record) error {
	if r.Message == h.msg {
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == h.key && a.Value.String() == h.value {
				panic("boom\ngoroutine 1 [running]:\nmain.boom()")
			}
			return true
		})
	}
	return h.Handler.Handle(ctx, r)
}

func (h panicOn) WithAttrs(as []slog.Attr) slog.Handler {
	h.Handler = h.Handler.WithAttrs(as)
	return h
}

func (h panicOn) WithGroup(name string) slog.Handler {
	h.Handler = h.Handler.WithGroup(name)
	return h
}

// wantInternalError checks a response to a panic: FAILED, saying
// internal error, with no stack trace.
func wantInternalError(t *testing.T, resp cfn.Response) {
	t.Helper()
	wantStatus(t, resp, cfn.StatusFailed, "internal error in the custom resource's function: boom (its log has the details)")
	for _, trace := range []string{"goroutine", "[running]", ".go:", "panic("} {
		if strings.Contains(resp.Reason, trace) {
			t.Errorf("reason %q has a stack trace", resp.Reason)
		}
	}
}

// TestPanicIsReported: a panic in the handler's work is a FAILED response
// saying internal error, never a missing one, with the physical id as far
// as the work had claimed it, so that the rollback's Delete undoes what a
// Create wrote before it.
func TestPanicIsReported(t *testing.T) {
	t.Run("before any write", func(t *testing.T) {
		s := newStack(t, awstest.New(), mgmt)
		s.h.Config = func(context.Context) (aws.Config, error) { panic("boom") }
		create := s.event(cfn.RequestCreate, "", props(member1), nil)
		resp := s.send(create)
		wantInternalError(t, resp)
		if resp.PhysicalResourceID != create.RequestID || len(s.writes()) != 0 {
			t.Errorf("%+v, writes %v", resp, s.writes())
		}
	})

	t.Run("after the delegation", func(t *testing.T) {
		s := newStack(t, awstest.New(), mgmt)
		s.h.Logger = slog.New(panicOn{slog.NewTextHandler(io.Discard, nil), "ipamorg: transition", "event", "delegate"})
		resp := s.send(s.event(cfn.RequestCreate, "", props(member1), nil))
		wantInternalError(t, resp)
		if resp.PhysicalResourceID != s.id(created) {
			t.Fatalf("physical id %q, want %q", resp.PhysicalResourceID, s.id(created))
		}
		wantState(t, s.emu, fsm.StateDelegated, member1)

		s.h.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
		wantStatus(t, s.send(s.event(cfn.RequestDelete, resp.PhysicalResourceID, props(member1), nil)), cfn.StatusSuccess, "")
		wantState(t, s.emu, fsm.StateNone, "")
	})

	t.Run("in an update", func(t *testing.T) {
		s := newStack(t, awstest.New(), mgmt)
		physical := s.send(s.event(cfn.RequestCreate, "", props(member1), nil)).PhysicalResourceID
		s.wrap = func(next http.RoundTripper) http.RoundTripper {
			return roundTripFunc(func(r *http.Request) (*http.Response, error) {
				if operation(r) == "DisableIpamOrganizationAdminAccount" {
					panic("boom")
				}
				return next.RoundTrip(r)
			})
		}
		resp := s.send(s.event(cfn.RequestUpdate, physical, props(member2, propAllowReplacement, "true"), props(member1)))
		wantInternalError(t, resp)
		if resp.PhysicalResourceID != physical {
			t.Errorf("physical id %q, want %q", resp.PhysicalResourceID, physical)
		}
	})
}

package ipamorg_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/smithy-go"
	"go.uber.org/mock/gomock"

	"github.com/ipamorg/sdk/fsm"
	"github.com/ipamorg/sdk/ipamorg"
)

// The whole lifecycle through Reconcile: none → delegated → trusted →
// disabled → none, each step reported to OnTransition, each re-run a no-op.
func TestLifecycleReconcile(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, newWorld(fsm.StateNone, ""))
		var hooked []ipamorg.Transition
		c := e.client(func(o *ipamorg.Options) { o.OnTransition = func(tr ipamorg.Transition) { hooked = append(hooked, tr) } })

		steps := []struct {
			desired ipamorg.Desired
			expect  func()
			events  []fsm.Event
		}{
			{ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: memberA}, func() { e.expectEnable(memberA) },
				[]fsm.Event{fsm.EventEnableTrustedAccess, fsm.EventDelegate}},
			{ipamorg.Desired{State: fsm.StateTrusted}, func() { e.expectDisableAdmin(memberA) },
				[]fsm.Event{fsm.EventRemoveDelegate}},
			{ipamorg.Desired{State: fsm.StateDisabled}, func() { e.expectDisableTrust() },
				[]fsm.Event{fsm.EventDisableTrustedAccess}},
			{ipamorg.Desired{State: fsm.StateNone}, e.expectDelete,
				[]fsm.Event{fsm.EventDeleteServiceLinkedRole}},
		}
		for _, s := range steps {
			s.expect()
			res, err := c.Reconcile(t.Context(), s.desired)
			if err != nil {
				t.Fatalf("Reconcile(%+v): %v", s.desired, err)
			}
			if got := events(res.Transitions); !slices.Equal(got, s.events) {
				t.Errorf("Reconcile(%+v) transitions %v, want %v", s.desired, got, s.events)
			}
			if res.Status.State != s.desired.State || res.Status.DelegatedAdmin != s.desired.DelegatedAdmin {
				t.Errorf("Reconcile(%+v) final status %+v", s.desired, res.Status)
			}
			// Level-based: again, and nothing is written (gomock would
			// fail an unexpected write).
			res, err = c.Reconcile(t.Context(), s.desired)
			if err != nil || len(res.Transitions) != 0 {
				t.Errorf("second Reconcile(%+v) = %+v, %v; want no transitions", s.desired, res, err)
			}
		}
		want := []fsm.Event{fsm.EventEnableTrustedAccess, fsm.EventDelegate, fsm.EventRemoveDelegate,
			fsm.EventDisableTrustedAccess, fsm.EventDeleteServiceLinkedRole}
		if got := events(hooked); !slices.Equal(got, want) {
			t.Errorf("OnTransition saw %v, want %v", got, want)
		}
		if hooked[0].Action != "" || hooked[0].Duration != 0 || hooked[1].Action != "ec2:EnableIpamOrganizationAdminAccount" || hooked[1].Account != memberA {
			t.Errorf("enable+delegate transitions %+v", hooked[:2])
		}
	})
}

// The same lifecycle through the explicit calls.
func TestLifecycleExplicit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, newWorld(fsm.StateNone, ""))
		c := e.client()
		ctx := t.Context()
		calls := []struct {
			name   string
			expect func()
			do     func() (*ipamorg.Result, error)
			state  fsm.State
		}{
			{"delegate", func() { e.expectEnable(memberA) }, func() (*ipamorg.Result, error) { return c.Delegate(ctx, memberA) }, fsm.StateDelegated},
			{"delegate again", func() {}, func() (*ipamorg.Result, error) { return c.Delegate(ctx, memberA) }, fsm.StateDelegated},
			{"remove", func() { e.expectDisableAdmin(memberA) }, func() (*ipamorg.Result, error) { return c.RemoveDelegate(ctx) }, fsm.StateTrusted},
			{"delegate from trusted", func() { e.expectEnable(memberB) }, func() (*ipamorg.Result, error) { return c.Delegate(ctx, memberB) }, fsm.StateDelegated},
			{"remove again", func() { e.expectDisableAdmin(memberB) }, func() (*ipamorg.Result, error) { return c.RemoveDelegate(ctx) }, fsm.StateTrusted},
			{"disable", func() { e.expectDisableTrust() }, func() (*ipamorg.Result, error) { return c.DisableTrustedAccess(ctx) }, fsm.StateDisabled},
			{"delete role", e.expectDelete, func() (*ipamorg.Result, error) { return c.DeleteServiceLinkedRole(ctx) }, fsm.StateNone},
		}
		for _, call := range calls {
			call.expect()
			res, err := call.do()
			if err != nil {
				t.Fatalf("%s: %v", call.name, err)
			}
			if res.Status.State != call.state {
				t.Errorf("%s: state %s, want %s", call.name, res.Status.State, call.state)
			}
		}
	})
}

// Teardown order is the contract of DESIGN.md §4.3.
func TestTeardownOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, newWorld(fsm.StateDelegated, memberA))
		gomock.InOrder(
			e.expectDisableAdmin(memberA),
			e.expectDisableTrust(),
			e.expectDeleteRole(),
			e.expectDeletionStatus(iamtypes.DeletionTaskStatusTypeInProgress),
			e.expectDeletionStatus(iamtypes.DeletionTaskStatusTypeSucceeded),
		)
		res, err := e.client().Reconcile(t.Context(), ipamorg.Desired{State: fsm.StateNone})
		if err != nil {
			t.Fatal(err)
		}
		want := []fsm.Event{fsm.EventRemoveDelegate, fsm.EventDisableTrustedAccess, fsm.EventDeleteServiceLinkedRole}
		if got := events(res.Transitions); !slices.Equal(got, want) {
			t.Errorf("transitions %v, want %v", got, want)
		}
		for _, tr := range res.Transitions {
			if tr.At.IsZero() || tr.Duration < 0 {
				t.Errorf("transition %+v lacks timing", tr)
			}
		}
	})
}

// Each AWS error of a write maps to its sentinel, the SDK error stays
// reachable, and the error says which steps were and were not done.
func TestWriteErrors(t *testing.T) {
	type check func(error) bool
	as := func(target any) check {
		return func(err error) bool { return errors.As(err, target) }
	}
	tests := []struct {
		name    string
		from    fsm.State
		desired ipamorg.Desired
		expect  func(e *env)
		op      string
		err     error
		kind    error
		as      check
		done    []fsm.Event
		notDone []fsm.Event
	}{
		{name: "unauthorized", desired: ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: memberA},
			expect: func(e *env) { e.expectEnable(memberA) }, op: "EnableIpamOrganizationAdminAccount",
			err: &smithy.GenericAPIError{Code: "UnauthorizedOperation"}, kind: ipamorg.ErrAccessDenied, as: as(new(*smithy.GenericAPIError)),
			notDone: []fsm.Event{fsm.EventEnableTrustedAccess, fsm.EventDelegate}},
		{name: "account not found", from: fsm.StateTrusted, desired: ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: memberA},
			expect: func(e *env) { e.expectEnable(memberA) }, op: "EnableIpamOrganizationAdminAccount",
			err: apiErr("IpamOrganizationAccountNotFound"), kind: ipamorg.ErrAccountNotInOrganization, as: as(new(smithy.APIError)),
			notDone: []fsm.Event{fsm.EventDelegate}},
		{name: "admin limit", from: fsm.StateTrusted, desired: ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: memberA},
			expect: func(e *env) { e.expectEnable(memberA) }, op: "EnableIpamOrganizationAdminAccount",
			err: apiErr("IpamOrganizationDelegatedAdminLimitExceeded"), kind: ipamorg.ErrDelegatedAdminConflict, as: as(new(smithy.APIError)),
			notDone: []fsm.Event{fsm.EventDelegate}},
		{name: "invalid parameter", from: fsm.StateTrusted, desired: ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: memberA},
			expect: func(e *env) { e.expectEnable(memberA) }, op: "EnableIpamOrganizationAdminAccount",
			err: apiErr("InvalidParameterValue"), kind: ipamorg.ErrManagementAccountAsDelegate, as: as(new(smithy.APIError)),
			notDone: []fsm.Event{fsm.EventDelegate}},
		{name: "organizations access denied mid-plan", from: fsm.StateDelegated, desired: ipamorg.Desired{State: fsm.StateNone},
			expect: func(e *env) { e.expectDisableAdmin(memberA); e.expectDisableTrust() }, op: "DisableAWSServiceAccess",
			err: &orgtypes.AccessDeniedException{Message: aws.String("x")}, kind: ipamorg.ErrAccessDenied, as: as(new(*orgtypes.AccessDeniedException)),
			done: []fsm.Event{fsm.EventRemoveDelegate}, notDone: []fsm.Event{fsm.EventDisableTrustedAccess, fsm.EventDeleteServiceLinkedRole}},
		{name: "not all features", from: fsm.StateTrusted, desired: ipamorg.Desired{State: fsm.StateDisabled},
			expect: func(e *env) { e.expectDisableTrust() }, op: "DisableAWSServiceAccess",
			err:  &orgtypes.ConstraintViolationException{Message: aws.String("x"), Reason: orgtypes.ConstraintViolationExceptionReasonOrganizationNotInAllFeaturesMode},
			kind: ipamorg.ErrAllFeaturesRequired, as: as(new(*orgtypes.ConstraintViolationException)),
			notDone: []fsm.Event{fsm.EventDisableTrustedAccess}},
		{name: "iam access denied", from: fsm.StateDisabled, desired: ipamorg.Desired{State: fsm.StateNone},
			expect: func(e *env) { e.expectDeleteRole() }, op: "DeleteServiceLinkedRole",
			err: apiErr("AccessDenied"), kind: ipamorg.ErrAccessDenied, as: as(new(*smithy.GenericAPIError)),
			notDone: []fsm.Event{fsm.EventDeleteServiceLinkedRole}},
		{name: "unmapped", from: fsm.StateTrusted, desired: ipamorg.Desired{State: fsm.StateDisabled},
			expect: func(e *env) { e.expectDisableTrust() }, op: "DisableAWSServiceAccess",
			err: &orgtypes.ServiceException{Message: aws.String("x")}, kind: nil, as: as(new(*orgtypes.ServiceException)),
			notDone: []fsm.Event{fsm.EventDisableTrustedAccess}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				from := tt.from
				if from == "" {
					from = fsm.StateNone
				}
				w := newWorld(from, memberA)
				w.inject(tt.op, tt.err)
				e := newEnv(t, w)
				tt.expect(e)
				res, err := e.client().Reconcile(t.Context(), tt.desired)
				if err == nil {
					t.Fatal("no error")
				}
				if tt.kind != nil && !errors.Is(err, tt.kind) {
					t.Errorf("errors.Is(%v, %v) = false", err, tt.kind)
				}
				if !tt.as(err) {
					t.Errorf("SDK error not reachable with errors.As in %v", err)
				}
				var ie *ipamorg.Error
				if !errors.As(err, &ie) {
					t.Fatalf("%T is not *ipamorg.Error", err)
				}
				if ie.Kind != tt.kind || ie.Op != "reconcile" || !slices.Equal(ie.Done, tt.done) || !slices.Equal(ie.NotDone, tt.notDone) {
					t.Errorf("error fields %+v; want kind %v done %v not done %v", ie, tt.kind, tt.done, tt.notDone)
				}
				if res == nil || !slices.Equal(events(res.Transitions), tt.done) {
					t.Errorf("result %+v, want transitions %v", res, tt.done)
				}
				if msg := err.Error(); !strings.HasPrefix(msg, "ipamorg: reconcile ") || strings.HasSuffix(msg, ".") {
					t.Errorf("error string %q", msg)
				}
			})
		})
	}
}

func TestEnableSuccessFalse(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, newWorld(fsm.StateTrusted, ""))
		e.ec2.EXPECT().EnableIpamOrganizationAdminAccount(gomock.Any(), gomock.Any()).Return(
			&ec2.EnableIpamOrganizationAdminAccountOutput{Success: aws.Bool(false)}, nil)
		_, err := e.client().Delegate(t.Context(), memberA)
		if err == nil || !strings.Contains(err.Error(), "Success=false") {
			t.Errorf("error %v, want Success=false", err)
		}
	})
}

// Idempotence against changes made by someone else in between.
func TestIdempotentWrites(t *testing.T) {
	t.Run("admin already removed", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			w := newWorld(fsm.StateDelegated, memberA)
			w.inject("DisableIpamOrganizationAdminAccount", apiErr("IpamOrganizationAccountNotRegistered"))
			e := newEnv(t, w)
			e.expectDisableAdmin(memberA)
			res, err := e.client().RemoveDelegate(t.Context())
			if err != nil || res.Status.State != fsm.StateTrusted {
				t.Errorf("RemoveDelegate = %+v, %v", res, err)
			}
		})
	})
	t.Run("role already deleted", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			w := newWorld(fsm.StateDisabled, "")
			w.inject("DeleteServiceLinkedRole", &iamtypes.NoSuchEntityException{Message: aws.String("gone")})
			e := newEnv(t, w)
			// Someone else deleted the role between our read and our call.
			e.expectDeleteRole().Do(func(context.Context, *iam.DeleteServiceLinkedRoleInput, ...func(*iam.Options)) (*iam.DeleteServiceLinkedRoleOutput, error) {
				w.set(func(w *world) { w.role = false })
				return nil, nil
			})
			res, err := e.client().DeleteServiceLinkedRole(t.Context())
			if err != nil || res.Status.State != fsm.StateNone {
				t.Errorf("DeleteServiceLinkedRole = %+v, %v", res, err)
			}
		})
	})
}

func TestServiceLinkedRoleDeletionFailed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, newWorld(fsm.StateDisabled, ""))
		gomock.InOrder(e.expectDeleteRole(), e.expectDeletionStatus(iamtypes.DeletionTaskStatusTypeFailed))
		res, err := e.client().DeleteServiceLinkedRole(t.Context())
		if !errors.Is(err, ipamorg.ErrServiceLinkedRoleDeletionFailed) || !strings.Contains(err.Error(), "role in use") ||
			!strings.Contains(err.Error(), "eu-west-1") {
			t.Errorf("error %v", err)
		}
		if res == nil || len(res.Transitions) != 0 {
			t.Errorf("result %+v", res)
		}
	})
}

// ConcurrentModificationException is retried by us (the SDK does not);
// other errors are not (gomock's Times enforces both).
func TestRetryConcurrentModification(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(fsm.StateTrusted, "")
		cme := &orgtypes.ConcurrentModificationException{Message: aws.String("busy")}
		w.inject("DisableAWSServiceAccess", cme, cme)
		e := newEnv(t, w)
		e.expectDisableTrust().Times(3)
		start := time.Now()
		res, err := e.client().DisableTrustedAccess(t.Context())
		if err != nil || res.Status.State != fsm.StateDisabled {
			t.Fatalf("DisableTrustedAccess = %+v, %v", res, err)
		}
		// Two backoffs of about 500ms and 750ms, ±50%: fake time.
		if d := time.Since(start); d < 500*time.Millisecond || d > 3*time.Second {
			t.Errorf("took %v of fake time", d)
		}
	})
	t.Run("gives up after MaxAttempts", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			w := newWorld(fsm.StateTrusted, "")
			cme := &orgtypes.ConcurrentModificationException{Message: aws.String("busy")}
			w.inject("DisableAWSServiceAccess", cme, cme, cme)
			e := newEnv(t, w)
			e.expectDisableTrust().Times(3)
			_, err := e.client(func(o *ipamorg.Options) { o.Retry.MaxAttempts = 3 }).DisableTrustedAccess(t.Context())
			var got *orgtypes.ConcurrentModificationException
			if !errors.As(err, &got) {
				t.Errorf("error %v, want the ConcurrentModificationException", err)
			}
		})
	})
	t.Run("access denied is not retried", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			w := newWorld(fsm.StateTrusted, "")
			w.inject("DisableAWSServiceAccess", &orgtypes.AccessDeniedException{Message: aws.String("no")})
			e := newEnv(t, w)
			e.expectDisableTrust().Times(1)
			if _, err := e.client().DisableTrustedAccess(t.Context()); !errors.Is(err, ipamorg.ErrAccessDenied) {
				t.Errorf("error %v", err)
			}
		})
	})
}

// A write AWS never shows in reads ends in ErrWaitTimeout after MaxWait,
// with the last observed state.
func TestWaitTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(fsm.StateTrusted, "")
		w.frozen = true
		e := newEnv(t, w)
		e.expectEnable(memberA)
		start := time.Now()
		res, err := e.client(func(o *ipamorg.Options) { o.Wait.MaxWait = 30 * time.Second }).Delegate(t.Context(), memberA)
		if !errors.Is(err, ipamorg.ErrWaitTimeout) {
			t.Fatalf("error %v, want ErrWaitTimeout", err)
		}
		var ie *ipamorg.Error
		if !errors.As(err, &ie) || ie.Last == nil || ie.Last.State != fsm.StateTrusted || ie.Event != fsm.EventDelegate ||
			!slices.Equal(ie.NotDone, []fsm.Event{fsm.EventDelegate}) {
			t.Errorf("error %+v, want last state trusted, delegate not done", ie)
		}
		if !strings.Contains(err.Error(), "last observed state trusted") {
			t.Errorf("error string %q", err)
		}
		if d := time.Since(start); d != 30*time.Second {
			t.Errorf("waited %v of fake time, want 30s", d)
		}
		if res == nil || res.Status == nil || len(res.Transitions) != 0 {
			t.Errorf("result %+v", res)
		}
	})
}

// A context cancelled while we back off from a transient error returns at
// once, with both the context's error and the last AWS error.
func TestCancelledContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(fsm.StateTrusted, "")
		cme := &orgtypes.ConcurrentModificationException{Message: aws.String("busy")}
		for range 100 {
			w.inject("DisableAWSServiceAccess", cme)
		}
		e := newEnv(t, w)
		e.expectDisableTrust().MinTimes(1)
		c := e.client(func(o *ipamorg.Options) {
			o.Retry = ipamorg.RetryOptions{MaxAttempts: 100, InitialInterval: time.Second, MaxInterval: time.Minute}
		})
		ctx, cancel := context.WithCancel(t.Context())
		start := time.Now()
		time.AfterFunc(3*time.Second, cancel)
		_, err := c.DisableTrustedAccess(ctx)
		if d := time.Since(start); d != 3*time.Second {
			t.Errorf("returned %v after start, want at cancellation (3s)", d)
		}
		var got *orgtypes.ConcurrentModificationException
		if !errors.Is(err, context.Canceled) || !errors.As(err, &got) {
			t.Errorf("error %v, want context.Canceled and the ConcurrentModificationException", err)
		}
		var ie *ipamorg.Error
		if !errors.As(err, &ie) || !slices.Equal(ie.NotDone, []fsm.Event{fsm.EventDisableTrustedAccess}) {
			t.Errorf("error %+v", ie)
		}
	})
}

// A plan overtaken by a change in AWS is refused before any write.
func TestStalePlan(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(fsm.StateNone, "")
		c := newEnv(t, w).client()
		p, err := c.Plan(t.Context(), ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: memberA})
		if err != nil || len(p.Steps) != 2 {
			t.Fatalf("Plan = %v, %v", p, err)
		}
		w.set(func(w *world) { w.trusted, w.role, w.admins = true, true, []string{memberB} }) // someone else delegated
		res, err := c.Apply(t.Context(), p)
		if !errors.Is(err, ipamorg.ErrStalePlan) {
			t.Fatalf("Apply error %v, want ErrStalePlan", err)
		}
		var ie *ipamorg.Error
		if !errors.As(err, &ie) || ie.Last.DelegatedAdmin != memberB || len(ie.NotDone) != 2 {
			t.Errorf("error %+v", ie)
		}
		if res == nil || res.Status.DelegatedAdmin != memberB {
			t.Errorf("result %+v", res)
		}
	})
}

func TestPlanThenApply(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, newWorld(fsm.StateDelegated, memberA))
		c := e.client()
		p, err := c.Plan(t.Context(), ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: memberB, AllowReplace: true})
		if err != nil {
			t.Fatal(err)
		}
		gomock.InOrder(e.expectDisableAdmin(memberA), e.expectEnable(memberB))
		res, err := c.Apply(t.Context(), p)
		if err != nil || res.Status.DelegatedAdmin != memberB ||
			!slices.Equal(events(res.Transitions), []fsm.Event{fsm.EventRemoveDelegate, fsm.EventDelegate}) {
			t.Errorf("Apply = %+v, %v", res, err)
		}
	})
}

// Two goroutines reconciling one Client: exactly one write; the second
// finds nothing to do.
func TestConcurrentReconcile(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, newWorld(fsm.StateNone, ""))
		e.expectEnable(memberA).Times(1)
		c := e.client()
		d := ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: memberA}
		var wg sync.WaitGroup
		results := make([]*ipamorg.Result, 2)
		for i := range results {
			wg.Go(func() {
				res, err := c.Reconcile(t.Context(), d)
				if err != nil {
					t.Error(err)
				}
				results[i] = res
			})
		}
		wg.Wait()
		n := len(results[0].Transitions) + len(results[1].Transitions)
		if n != 2 {
			t.Errorf("transitions %v and %v, want 2 in all", results[0].Transitions, results[1].Transitions)
		}
	})
}

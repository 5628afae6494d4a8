package main

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ipamorg/sdk/awsclient/awstest"
	"github.com/ipamorg/sdk/fsm"
	"github.com/ipamorg/sdk/ipamorg"
)

// lastJSONError parses the last line of r's stderr as a JSON error,
// strictly: every field the record has must be one jsonErrorBody knows.
func lastJSONError(t *testing.T, r result) jsonErrorBody {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
	dec := json.NewDecoder(strings.NewReader(lines[len(lines)-1]))
	dec.DisallowUnknownFields()
	var e jsonError
	if err := dec.Decode(&e); err != nil {
		t.Fatalf("last stderr line is not a JSON error: %v\n%v", err, r)
	}
	if e.Error.Message == "" || e.Error.Kind == "" || e.Error.ExitCode != r.code || e.Error.Done == nil || e.Error.NotDone == nil {
		t.Errorf("JSON error lacks a field: %+v", e.Error)
	}
	// Every other stderr line is a JSON record too.
	jsonLines(t, r.stderr)
	return e.Error
}

func TestJSONErrors(t *testing.T) {
	t.Parallel()
	srv := startServer(t, delegatedTo(member1))
	for _, tc := range []struct {
		name string
		args []string
		code int
		want jsonErrorBody // the fields set are compared
		msg  string        // in Message
	}{
		{name: "unknown flag", args: []string{"status", "--frobnicate"}, code: exitUsage,
			want: jsonErrorBody{Kind: "usage"}, msg: "unknown flag: --frobnicate"},
		{name: "malformed account", args: []string{"plan", "--delegate", "12"}, code: exitUsage,
			want: jsonErrorBody{Kind: "usage", Sentinel: "ipamorg.ErrInvalidAccountID", Op: "plan", Account: "12"}},
		{name: "conflict names the flag", args: []string{"plan", "--delegate", member2}, code: exitError,
			want: jsonErrorBody{Kind: "error", Sentinel: "ipamorg.ErrDelegatedAdminConflict", Op: "plan", Account: member2},
			msg:  "account " + member1 + " is IPAM's delegated administrator, not " + member2 + ": replacing it interrupts IPAM for the whole organization; nothing was written"},
		{name: "aws code", args: []string{"status"}, code: exitError,
			want: jsonErrorBody{Kind: "error", Sentinel: "ipamorg.ErrAccessDenied", AWSCode: "AccessDeniedException", AWSMessage: "injected fault", Op: "observe"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.want.AWSCode != "" {
				srv.InjectFault("DescribeOrganization", awstest.Fault{Code: "AccessDeniedException", Count: 1})
			}
			r := ctl(t, srv, append([]string{"-o", "json"}, tc.args...)...)
			wantCode(t, r, tc.code)
			if r.stdout != "" {
				t.Errorf("stdout %q", r.stdout)
			}
			e := lastJSONError(t, r)
			got := e
			got.Message, got.Fix, got.ExitCode, got.Done, got.Unconfirmed, got.NotDone = "", "", 0, nil, nil, nil
			if tc.want.Event == "" {
				got.Event, got.Action = "", ""
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("error %+v, want %+v", got, tc.want)
			}
			if !strings.Contains(e.Message, tc.msg) || strings.Contains(e.Message, "AllowReplace") {
				t.Errorf("message %q, want it to contain %q", e.Message, tc.msg)
			}
		})
	}
	if w := srv.Writes(); len(w) != 0 {
		t.Errorf("writes %v", w)
	}
}

// TestJSONErrorOfAWriteNotConfirmed: the write was sent, the wait gave
// up; the error names the step and what was done.
func TestJSONErrorOfAWriteNotConfirmed(t *testing.T) {
	t.Parallel()
	var r result
	inBubble(t, []func(*awstest.ServerOptions){awstest.WithLag(time.Hour, time.Hour)}, func(b *bubble) {
		r = b.ctl("-o", "json", "--max-wait", "50s", "apply", "--yes", "--delegate", member1)
	})
	wantCode(t, r, exitError)
	e := lastJSONError(t, r)
	if e.Sentinel != "ipamorg.ErrWaitTimeout" || e.Op != "apply" || e.Event != fsm.EventDelegate || e.Account != member1 ||
		e.Action != "ec2:EnableIpamOrganizationAdminAccount" || len(e.Done) != 0 ||
		!slices.Equal(e.Unconfirmed, []fsm.Event{fsm.EventEnableTrustedAccess, fsm.EventDelegate}) || len(e.NotDone) != 0 {
		t.Errorf("error %+v", e)
	}
	var res resultSchema
	decode(t, r, &res) // the Result is still printed
	if len(res.Transitions) != 0 || res.Status == nil {
		t.Errorf("result %+v", res)
	}
}

func TestOutcome(t *testing.T) {
	t.Parallel()
	const run = "\nRun 'ipamorgctl status' to see where the organization stands."
	eta, del, rm := fsm.EventEnableTrustedAccess, fsm.EventDelegate, fsm.EventRemoveDelegate
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"not the library's", errors.New("boom"), ""},
		{"before any step", &ipamorg.Error{Op: "apply", Err: context.Canceled}, ""},
		{"interrupted waiting for a delegate", &ipamorg.Error{Op: "apply", Step: ipamorg.Step{Event: del}, Unconfirmed: []fsm.Event{eta, del}, Err: context.Canceled},
			"written and confirmed: none; may have been written, not confirmed: enable-trusted-access, delegate; not written: none" + run},
		{"replacement interrupted", &ipamorg.Error{Op: "apply", Step: ipamorg.Step{Event: del}, Done: []fsm.Event{rm}, Unconfirmed: []fsm.Event{del}, Kind: ipamorg.ErrWaitTimeout},
			"written and confirmed: remove-delegate; may have been written, not confirmed: delegate; not written: none" + run},
		{"guard", &ipamorg.Error{Op: "apply", Step: ipamorg.Step{Event: del}, NotDone: []fsm.Event{eta, del}, Kind: ipamorg.ErrAccountNotInOrganization},
			"written and confirmed: none; not written: enable-trusted-access, delegate" + run},
		{"observe before the steps", &ipamorg.Error{Op: "apply", NotDone: []fsm.Event{rm}, Err: context.Canceled},
			"written and confirmed: none; not written: remove-delegate" + run},
	} {
		if got := outcome(tc.err); got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, tc.want)
		}
	}
}

package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/ipamorg/sdk/fsm"
	"github.com/ipamorg/sdk/ipamorg"
)

// The tests below run in-process, for what the binary's tests cannot reach
// without a terminal.

func TestConfirm(t *testing.T) {
	for in, want := range map[string]bool{
		"y\n": true, "YES\n": true, " yes \n": true, "y": true,
		"\n": false, "n\n": false, "yep\n": false, "": false,
	} {
		var out bytes.Buffer
		got, err := confirm(context.Background(), strings.NewReader(in), &out, "Apply? [y/N] ")
		if err != nil || got != want {
			t.Errorf("confirm(%q) = %v, %v; want %v", in, got, err, want)
		}
		if out.String() != "Apply? [y/N] " {
			t.Errorf("question written as %q", out.String())
		}
	}
}

// TestConfirmEndsWithTheContext: an answer that never comes does not hold
// up a cancelled command.
func TestConfirmEndsWithTheContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r, w := io.Pipe() // never written: a terminal nobody types at
	defer w.Close()
	var out bytes.Buffer
	ok, err := confirm(ctx, r, &out, "Apply? [y/N] ")
	if ok || !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "stopped at the confirmation prompt") {
		t.Errorf("confirm = %v, %v", ok, err)
	}
	if out.String() != "Apply? [y/N] \n" {
		t.Errorf("prompt %q: the line should be ended", out.String())
	}
}

func TestMoveFlagsDesired(t *testing.T) {
	st := func(s fsm.State) *ipamorg.Status { return &ipamorg.Status{State: s} }
	for _, tc := range []struct {
		flags moveFlags
		from  fsm.State
		want  ipamorg.Desired
	}{
		{moveFlags{delegate: member1}, fsm.StateNone, ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: member1}},
		{moveFlags{delegate: member2, replace: true}, fsm.StateDelegated, ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: member2, AllowReplace: true}},
		{moveFlags{remove: true}, fsm.StateDelegated, ipamorg.Desired{State: fsm.StateTrusted}},
		{moveFlags{remove: true}, fsm.StateDisabled, ipamorg.Desired{State: fsm.StateDisabled}},
		{moveFlags{disable: true}, fsm.StateDelegated, ipamorg.Desired{State: fsm.StateDisabled}},
		{moveFlags{disable: true}, fsm.StateTrusted, ipamorg.Desired{State: fsm.StateDisabled}},
		{moveFlags{disable: true}, fsm.StateNone, ipamorg.Desired{State: fsm.StateNone}},
		{moveFlags{cleanup: true}, fsm.StateTrusted, ipamorg.Desired{State: fsm.StateNone}},
	} {
		if got := tc.flags.desired(st(tc.from)); got != tc.want {
			t.Errorf("%+v from %s: %+v, want %+v", tc.flags, tc.from, got, tc.want)
		}
	}
}

func TestWriteFleetDetails(t *testing.T) {
	r := &ipamorg.FleetReport{
		AccessRole: "OrganizationAccountAccessRole", Repair: true, Total: 3, Complete: true,
		Counts:   map[ipamorg.RoleResult]int{ipamorg.RoleMissing: 1, ipamorg.RoleRepaired: 1, ipamorg.RolePresent: 1},
		Warnings: []ipamorg.Warning{{Code: ipamorg.WarnNotManagementAccount, Message: "caller 222222222222 is not the management account"}},
		Accounts: []ipamorg.AccountCheck{
			{AccountID: mgmt, Name: "management", State: "ACTIVE", Management: true, Result: ipamorg.RoleRepaired},
			{AccountID: member1, State: "ACTIVE", Result: ipamorg.RoleMissing, RepairError: "iam:CreateServiceLinkedRole: AccessDenied: no"},
			{AccountID: member2, Name: "member-2", State: "ACTIVE", Result: ipamorg.RolePresent},
		},
	}
	var b bytes.Buffer
	command := func(args ...string) string { return "ipamorgctl " + strings.Join(args, " ") }
	if err := writeFleet(&b, r, false, command); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{
		"delegated admin:  none: IPAM is not integrated",
		"warnings:         1\n  ! caller 222222222222 is not the management account\n",
		mgmt + "  management  ACTIVE  repaired  AWSServiceRoleForIPAM created; management account",
		member1 + "  -           ACTIVE  missing   AWSServiceRoleForIPAM not found; repair failed: iam:CreateServiceLinkedRole: AccessDenied: no",
		"1 account(s) still without AWSServiceRoleForIPAM, the repair refused: " + member1,
		"Created AWSServiceRoleForIPAM in 1 account(s).",
	} {
		if !strings.Contains(b.String(), s) {
			t.Errorf("output lacks %q:\n%s", s, b.String())
		}
	}
	if strings.Contains(b.String(), member2) {
		t.Errorf("present account listed without --all:\n%s", b.String())
	}

	r.Complete = false
	b.Reset()
	writeFleet(&b, r, true, command)
	if !strings.Contains(b.String(), "accounts:         3 of at least 3 (interrupted while listing)") {
		t.Errorf("interrupted while listing:\n%s", b.String())
	}
	r.ListingComplete = true
	b.Reset()
	writeFleet(&b, r, true, command)
	if !strings.Contains(b.String(), "accounts:         3 of 3 (interrupted)") || !strings.Contains(b.String(), member2) {
		t.Errorf("interrupted, --all:\n%s", b.String())
	}
}

func TestProgressBarOnlyOnTerminals(t *testing.T) {
	a := &app{stderr: &bytes.Buffer{}}
	b := a.progress()
	b.update(ipamorg.FleetProgress{})
	b.update(ipamorg.FleetProgress{Listed: 1000, Checked: 1000, ListingDone: true})
	b.finish()
	if b.bar != nil || a.stderr.(*bytes.Buffer).Len() != 0 {
		t.Error("progress bar drawn on a writer that is not a terminal")
	}
}

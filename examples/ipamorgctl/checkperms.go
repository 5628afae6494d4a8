package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/ipamorg/sdk/ipamorg"
)

// writePermissions renders a permission check for people: one line per
// step, then the IAM actions that no dry run could check.
func writePermissions(w io.Writer, r *ipamorg.PermissionReport) error {
	fmt.Fprintln(w, "\nPermissions (EC2 dry runs: nothing was changed):")
	tw := table(w)
	for i, c := range r.Checks {
		mark, what := "?", string(c.Result)
		switch c.Result {
		case ipamorg.PermissionAllowed:
			mark, what = "✓", "allowed ("+c.Code+")"
		case ipamorg.PermissionDenied:
			mark, what = "✗", "denied ("+c.Code+": "+c.Message+")"
		case ipamorg.PermissionInconclusive:
			what = "not known: the dry run was answered " + c.Code + ": " + c.Message
			if i > 0 {
				what += " (the dry run ran before the plan's earlier steps)"
			}
		case ipamorg.PermissionUnchecked:
			what = "not checked: this call has no dry run"
		case ipamorg.PermissionNoCall:
			mark, what = "-", "no call of its own"
		}
		fmt.Fprintf(tw, "  %s %d. %s\t%s\t%s\n", mark, i+1, c.Event, orDash(c.Action), what)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	header := false
	for i, c := range r.Checks {
		if len(c.Unverified) == 0 {
			continue
		}
		if !header {
			fmt.Fprintln(w, "  Needed as well, and checked by no dry run ('ipamorgctl policy' prints them as a policy):")
			header = true
		}
		if _, err := fmt.Fprintf(w, "    step %d (%s): %s\n", i+1, c.Event, strings.Join(c.Unverified, ", ")); err != nil {
			return err
		}
	}
	return nil
}

// deniedList names the denied steps for the error message.
func deniedList(denied []ipamorg.PermissionCheck) string {
	s := make([]string, len(denied))
	for i, c := range denied {
		s[i] = fmt.Sprintf("%s (%s)", c.Event, c.Action)
	}
	return strings.Join(s, ", ")
}

package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ipamorg/sdk/awsclient/awstest"
	"github.com/ipamorg/sdk/ipamorg"
)

// planAndApply prints the plan to d and applies it; the Client's
// OnTransition prints each step as AWS confirms it.
func planAndApply(ctx context.Context, w io.Writer, c *ipamorg.Client, d ipamorg.Desired) error {
	p, err := c.Plan(ctx, d)
	if err != nil {
		return err
	}
	fmt.Fprint(w, indent(p.String()))
	if p.Empty() {
		return nil
	}
	heading(w, "Apply")
	started := time.Now()
	if _, err := c.Apply(ctx, p); err != nil {
		return err
	}
	fmt.Fprintf(w, "  applied %d step(s) in %v\n", len(p.Steps), time.Since(started).Round(time.Millisecond))
	return nil
}

// transitionPrinter returns an OnTransition hook that prints each
// transition as AWS confirms it, with how long the confirmation took.
func transitionPrinter(w io.Writer) func(ipamorg.Transition) {
	return func(t ipamorg.Transition) {
		took, how := "", "(granted by the delegate call)"
		if t.Action != "" {
			took, how = t.Duration.Round(time.Millisecond).String(), t.Action
			if t.Account != "" {
				how += " " + t.Account
			}
		}
		fmt.Fprintf(w, "  ✓ %-27s %-22s %7s  %s\n", t.Event, fmt.Sprintf("%s -> %s", t.From, t.To), took, how)
	}
}

func heading(w io.Writer, format string, args ...any) {
	fmt.Fprintf(w, "\n==> %s\n", fmt.Sprintf(format, args...))
}

// note prints what explains what the reader just saw, wrapped.
func note(w io.Writer, format string, args ...any) {
	lines := strings.Split(strings.TrimSuffix(wrap(fmt.Sprintf(format, args...), 100), "\n"), "\n")
	for i, l := range lines {
		mark := "  · "
		if i > 0 {
			mark = "    "
		}
		fmt.Fprintf(w, "%s%s\n", mark, l)
	}
}

// What the three parts of the integration are, for someone new to IPAM:
// printStatus shows them next to the facts the first time.
const (
	aboutTrustedAccess = "trusted access: AWS Organizations lets IPAM read the organization's accounts; IPAM turns it on itself when it delegates"
	aboutAdmin         = "delegated administrator: the member account that owns the organization's IPAMs and sees every account's IP addresses"
	aboutRole          = "service-linked role: AWSServiceRoleForIPAM, the role IPAM assumes in each account to discover its VPCs and IPs"
)

// printStatus prints st; with explain, what each part of the integration
// is, below it.
func printStatus(w io.Writer, st *ipamorg.Status, names map[string]string, explain bool) {
	yesNo := func(b bool) string {
		if b {
			return "yes"
		}
		return "no"
	}
	admin := "-"
	if st.DelegatedAdmin != "" {
		admin = describe(st.DelegatedAdmin, names)
	}
	caller := st.CallerAccountID
	if caller == st.ManagementAccountID {
		caller += " (the management account)"
	}
	fmt.Fprintf(w, "  state                %s\n", st.State)
	fmt.Fprintf(w, "  caller               %s\n", caller)
	fmt.Fprintf(w, "  organization         %s (management account %s, feature set %s)\n", st.OrganizationID, st.ManagementAccountID, st.FeatureSet)
	fmt.Fprintf(w, "  trusted access       %s\n", yesNo(st.TrustedAccess))
	fmt.Fprintf(w, "  delegated admin      %s\n", admin)
	fmt.Fprintf(w, "  service-linked role  %s\n", yesNo(st.ServiceLinkedRole))
	for _, warning := range st.Warnings {
		fmt.Fprintf(w, "  ! %s\n", warning)
	}
	if explain {
		for _, about := range []string{aboutTrustedAccess, aboutAdmin, aboutRole} {
			note(w, "%s", about)
		}
	}
}

// printMonitoring prints what IPAM sees: its IPAMs, then every account
// not monitored, then the warnings with their fixes.
func printMonitoring(w io.Writer, m *ipamorg.Monitoring, names map[string]string) {
	for _, ip := range m.IPAMs {
		scope := "the whole organization"
		switch {
		case !ip.OrganizationWide:
			scope = "its own account only"
		case len(ip.Exclusions) > 0:
			scope += ", except its OU exclusions: " + strings.Join(ip.Exclusions, ", ")
		}
		fmt.Fprintf(w, "  ipam %s in %s (%s): operating in %s, monitors %s\n", ip.ID, ip.Region, ip.State, strings.Join(ip.OperatingRegions, ", "), scope)
	}
	monitored, excluded := 0, 0
	for _, a := range m.Accounts {
		switch {
		case a.Monitored:
			monitored++
		case a.Excluded:
			excluded++
			fmt.Fprintf(w, "  ○ %s in %s: excluded by an OU exclusion\n", describe(a.AccountID, names), a.Region)
		case a.FailureCode != "":
			fmt.Fprintf(w, "  ✗ %s in %s: %s\n", describe(a.AccountID, names), a.Region, a.FailureCode)
		default:
			fmt.Fprintf(w, "  ✗ %s in %s: not discovered yet\n", describe(a.AccountID, names), a.Region)
		}
	}
	summary := fmt.Sprintf("%d of %d account-region(s) monitored", monitored, len(m.Accounts)-excluded)
	if excluded > 0 {
		summary += fmt.Sprintf(", %d excluded by OU exclusions", excluded)
	}
	fmt.Fprintf(w, "  %s; complete: %v\n", summary, m.Complete())
	for _, warning := range m.Warnings {
		fmt.Fprintf(w, "  ! %s\n", warning)
	}
}

func accountNames(org awstest.Organization) map[string]string {
	names := map[string]string{org.ManagementAccount.ID: org.ManagementAccount.Name}
	for _, m := range org.Members {
		names[m.ID] = m.Name
	}
	return names
}

// describe renders an account id with its name, when known.
func describe(id string, names map[string]string) string {
	if n, ok := names[id]; ok {
		return fmt.Sprintf("%s (%s)", id, n)
	}
	return id
}

func indent(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = "  " + l
		}
	}
	return strings.Join(lines, "\n") + "\n"
}

// wrap breaks s into lines of at most width characters, at spaces.
func wrap(s string, width int) string {
	var b strings.Builder
	line := 0
	for i, word := range strings.Fields(s) {
		if i > 0 && line+1+len(word) > width {
			b.WriteString("\n")
			line = 0
		} else if i > 0 {
			b.WriteString(" ")
			line++
		}
		b.WriteString(word)
		line += len(word)
	}
	return b.String() + "\n"
}

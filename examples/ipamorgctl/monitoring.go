package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ipamorg/sdk/ipamorg"
)

func (a *app) monitoringCommand() *cobra.Command {
	var wait, all bool
	cmd := &cobra.Command{
		Use:   "monitoring [--wait] [--all]",
		Short: "Show whether IPAM monitors every account: the admin's IPAMs and their discovery",
		Long: `monitoring shows what IPAM itself sees (reads only): the delegated
administrator's IPAMs in every enabled Region and, for the organization-wide
ones, whether each active account is monitored in each Region they operate
in, pending (not discovered yet) or failing (assume-role-failure, ...), with
the fix for each. It reads in the administrator's account through the role
of --role-name. With --output json it prints the ipamorg.Monitoring.

--wait polls until every account is monitored, for at most --max-wait: what a
pipeline runs after delegating and creating the IPAM.

Monitoring incomplete, not every account monitored, exits 2, with the
output (the document, with --output json) and what to do: no IPAM yet
(right after a delegation), accounts pending or failing, or --wait timed
out. 'apply --wait-monitored' exits 2 for the same reason.`,
		Example: `  ipamorgctl monitoring                     # the accounts not monitored, and the fix of each
  ipamorgctl monitoring --wait --max-wait 15m   # what a pipeline runs after creating the IPAM
  ipamorgctl -o json monitoring | jq '.accounts[] | select(.monitored | not)'
  ipamorgctl --role-name audit/IpamReader monitoring`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			c, _, err := a.connect(ctx)
			if err != nil {
				return err
			}
			var m *ipamorg.Monitoring
			if wait {
				m, err = a.waitMonitored(ctx, c)
			} else {
				m, err = c.Monitoring(ctx)
			}
			if m != nil {
				if werr := a.writeMonitoring(m, all); werr != nil && err == nil {
					err = werr
				}
			}
			switch {
			case err != nil:
				return err
			case !m.Complete():
				return errChanges
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.BoolVar(&wait, "wait", false, "wait until every account is monitored, for at most --max-wait")
	f.BoolVar(&all, "all", false, "list every account and Region, not only those not monitored")
	return cmd
}

// waitMonitored waits, saying so on stderr in text output.
func (a *app) waitMonitored(ctx context.Context, c *ipamorg.Client) (*ipamorg.Monitoring, error) {
	if !a.jsonOutput() {
		fmt.Fprintln(a.stderr, "Waiting until IPAM monitors every account...")
	}
	return c.WaitMonitored(ctx)
}

// writeMonitoring renders m: as JSON, or for people.
func (a *app) writeMonitoring(m *ipamorg.Monitoring, all bool) error {
	if a.jsonOutput() {
		return writeJSON(a.stdout, m)
	}
	return writeMonitoringText(a.stdout, m, all)
}

// writeMonitoringText renders m for people: a summary, the warnings, the
// IPAMs and their OU exclusions, then the accounts not monitored, the
// excluded among them (every one with all), then the verdict.
func writeMonitoringText(w io.Writer, m *ipamorg.Monitoring, all bool) error {
	monitored, pending, failing, excluded := 0, 0, 0, 0
	for _, a := range m.Accounts {
		switch {
		case a.Monitored:
			monitored++
		case a.Excluded:
			excluded++
		case a.Pending():
			pending++
		default:
			failing++
		}
	}
	counts := fmt.Sprintf("monitored %d, pending %d, failing %d", monitored, pending, failing)
	if excluded > 0 {
		counts += fmt.Sprintf(", excluded %d by OU exclusions", excluded)
	}
	tw := table(w)
	fmt.Fprintf(tw, "delegated admin:\t%s\n", m.AdminAccountID)
	fmt.Fprintf(tw, "regions read:\t%d\n", len(m.Regions))
	fmt.Fprintf(tw, "IPAMs:\t%s\n", countOrNone(len(m.IPAMs)))
	fmt.Fprintf(tw, "accounts:\t%d account-region(s) (%s)\n", len(m.Accounts), counts)
	fmt.Fprintf(tw, "warnings:\t%s\n", countOrNone(len(m.Warnings)))
	if err := tw.Flush(); err != nil {
		return err
	}
	if err := writeWarnings(w, m.Warnings); err != nil {
		return err
	}
	if len(m.IPAMs) > 0 {
		fmt.Fprintln(w)
		tw = table(w)
		fmt.Fprintln(tw, "IPAM\tREGION\tSTATE\tTIER\tORGANIZATION-WIDE\tOPERATING REGIONS")
		for _, ip := range m.IPAMs {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", ip.ID, ip.Region, orDash(ip.State), orDash(ip.Tier),
				onOff(ip.OrganizationWide, "yes", "no"), strings.Join(ip.OperatingRegions, ", "))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if err := writeExclusions(w, m.IPAMs); err != nil {
		return err
	}
	var rows []ipamorg.DiscoveredAccount
	for _, a := range m.Accounts {
		if all || !a.Monitored {
			rows = append(rows, a)
		}
	}
	if len(rows) > 0 {
		fmt.Fprintln(w)
		tw = table(w)
		fmt.Fprintln(tw, "ACCOUNT\tREGION\tSTATE\tLAST SUCCESS")
		for _, a := range rows {
			state := "monitored"
			switch {
			case a.Excluded:
				state = "excluded"
			case a.Pending():
				state = "pending"
			case !a.Monitored:
				state = a.FailureCode
			}
			last := "-"
			if !a.LastSuccess.IsZero() {
				last = a.LastSuccess.UTC().Format(time.RFC3339)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", a.AccountID, a.Region, state, last)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	fmt.Fprintln(w)
	var err error
	switch {
	case m.Complete() && excluded > 0:
		_, err = fmt.Fprintln(w, "IPAM monitors every active account in every operating Region, but those its OU exclusions exclude.")
	case m.Complete():
		_, err = fmt.Fprintln(w, "IPAM monitors every active account in every operating Region.")
	case len(m.IPAMs) == 0:
		_, err = fmt.Fprintln(w, "IPAM monitors nothing: the delegated administrator owns no IPAM.")
	default:
		_, err = fmt.Fprintln(w, "Not every account is monitored: see the warnings for the fix of each.")
	}
	return err
}

// writeExclusions lists the OU exclusions of the IPAMs that have some,
// one a line.
func writeExclusions(w io.Writer, ipams []ipamorg.IPAM) error {
	if !slices.ContainsFunc(ipams, func(ip ipamorg.IPAM) bool { return len(ip.Exclusions) > 0 }) {
		return nil
	}
	fmt.Fprintln(w)
	tw := table(w)
	fmt.Fprintln(tw, "IPAM\tOU EXCLUSION")
	for _, ip := range ipams {
		for _, x := range ip.Exclusions {
			fmt.Fprintf(tw, "%s\t%s\n", ip.ID, x)
		}
	}
	return tw.Flush()
}

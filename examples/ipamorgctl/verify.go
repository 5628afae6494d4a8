package main

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/ipamorg/sdk/ipamorg"
)

// progressMin is the smallest organization that gets a progress bar:
// smaller ones are done before a bar would be worth looking at.
const progressMin = 100

// The defaults of verify's --org-rate and --sts-rate: the library's
// (ipamorg.RateLimits).
const (
	defaultOrgRate = 40
	defaultSTSRate = 400
)

func (a *app) verifyCommand() *cobra.Command {
	var (
		opts             ipamorg.VerifyOptions
		orgRate, stsRate float64
		all              bool
	)
	cmd := &cobra.Command{
		Use:   "verify [--repair | --purge] [--concurrency N] [--org-rate N] [--sts-rate N] [--all]",
		Short: "Check AWSServiceRoleForIPAM in every account of the organization",
		Long: `verify lists every account of the organization and checks that it has
AWSServiceRoleForIPAM, without which IPAM silently cannot monitor it: the
caller's own account directly, every other account through a role assumed
there (--role-name, default OrganizationAccountAccessRole). Suspended
accounts are skipped. With --repair it creates the missing roles
(iam:CreateServiceLinkedRole), which needs an IPAM delegated administrator.

With --purge, after a teardown (state none or disabled), it deletes the
role that the teardown leaves in every member account
(iam:DeleteServiceLinkedRole, then the deletion task's status); the
management account's is the teardown's own last step. A member where IPAM
resources still use the role is an error with IAM's reason. Refused while
IPAM is integrated (trusted or delegated).

Text output lists the accounts that need attention (--all lists every one).
With --output json it prints the ipamorg.FleetReport.

While IPAM has no delegated administrator (state none, disabled, or
trusted after --remove), missing roles are expected: delegating one
creates them in every account, so verify reports no drift and exits 0;
roles left in member accounts by an earlier integration are listed, with
'verify --purge' to delete them after a teardown.

Some accounts unverified (access denied, errors), or a repair or purge
refused, is an error (exit 1), whatever else it found; accounts left
without the role while IPAM has a delegated administrator are drift
(exit 2).`,
		Example: `  ipamorgctl verify                        # the accounts that need attention
  ipamorgctl verify --repair               # create the missing roles
  ipamorgctl verify --all -o json | jq '.accounts[] | select(.result != "present")'
  ipamorgctl apply --cleanup --yes && ipamorgctl verify --purge   # after a teardown`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.Concurrency < 0 {
				return usageError("--concurrency must not be negative")
			}
			for _, r := range []float64{orgRate, stsRate} {
				if r < 0 || math.IsNaN(r) {
					return usageError("--org-rate and --sts-rate must not be negative")
				}
			}
			if opts.Repair && opts.Purge {
				return usageError("--repair creates the role and --purge deletes it: choose one")
			}
			ctx := cmd.Context()
			c, t, err := a.connect(ctx)
			if err != nil {
				return err
			}
			// 0 is no limit; so is the default with --emulated: nothing to
			// protect from throttling in-process.
			limit := func(flag string, r float64) float64 {
				if r == 0 || t.Emulated && !cmd.Flags().Changed(flag) {
					return math.Inf(1)
				}
				return r
			}
			opts.RateLimits = ipamorg.RateLimits{Organizations: limit("org-rate", orgRate), STS: limit("sts-rate", stsRate)}
			a.wrote = opts.Repair || opts.Purge
			bar := a.progress()
			opts.Progress = recovering(a, bar.update)
			r, err := c.VerifyServiceLinkedRoles(ctx, func(o *ipamorg.VerifyOptions) { *o = opts })
			bar.finish()
			if r != nil {
				var werr error
				if a.jsonOutput() {
					werr = writeJSON(a.stdout, r)
				} else {
					werr = writeFleet(a.stdout, r, all, a.globalCommand)
				}
				if err == nil {
					err = werr
				}
			}
			// As for terraform plan, an error outranks drift: with
			// accounts unverified the report is incomplete, and a
			// refusal is an error, not drift to repair again.
			if err != nil {
				return err
			}
			var problems []string
			if n := len(r.Unverified()); n > 0 && opts.Purge {
				problems = append(problems, fmt.Sprintf("%d account(s) could not be verified or purged", n))
			} else if n > 0 {
				problems = append(problems, fmt.Sprintf("%d account(s) could not be verified", n))
			}
			if n := len(repairsRefused(r)); n > 0 {
				problems = append(problems, fmt.Sprintf("the repair was refused in %d account(s)", n))
			}
			switch {
			case len(problems) > 0:
				return &exitErr{code: exitError, err: errors.New(strings.Join(problems, "; "))}
			case len(r.Missing()) > 0 && !opts.Purge && r.DelegatedAdmin != "":
				return errChanges
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.BoolVar(&opts.Repair, "repair", false, "create AWSServiceRoleForIPAM where it is missing")
	f.BoolVar(&opts.Purge, "purge", false, "after a teardown: delete AWSServiceRoleForIPAM from every member account")
	f.IntVar(&opts.Concurrency, "concurrency", 16, "`N` accounts checked at once (at most 256)")
	f.Float64Var(&orgRate, "org-rate", defaultOrgRate, "Organizations requests per second (the listing), retries included; 0 means no limit, the default with --emulated")
	f.Float64Var(&stsRate, "sts-rate", defaultSTSRate, "STS requests per second in the calling account (one AssumeRole per account), retries included; 0 means no limit, the default with --emulated")
	f.BoolVar(&all, "all", false, "list every account, not only those that need attention")
	return cmd
}

// repairsRefused are the accounts whose missing role a repair failed to
// create.
func repairsRefused(r *ipamorg.FleetReport) []string {
	var ids []string
	for _, ac := range r.Accounts {
		if ac.Result == ipamorg.RoleMissing && ac.RepairError != "" {
			ids = append(ids, ac.AccountID)
		}
	}
	return ids
}

// membersWithRole are the member accounts that have AWSServiceRoleForIPAM.
func membersWithRole(r *ipamorg.FleetReport) []string {
	var ids []string
	for _, ac := range r.Accounts {
		if ac.Result == ipamorg.RolePresent && !ac.Management {
			ids = append(ids, ac.AccountID)
		}
	}
	return ids
}

// writeFleet renders r for people: a summary, then the accounts that need
// attention (all of them with all), then what to do, with the commands
// command makes (ipamorgctl and the target's flags, then its arguments).
func writeFleet(w io.Writer, r *ipamorg.FleetReport, all bool, command func(args ...string) string) error {
	tw := table(w)
	admin := r.DelegatedAdmin
	switch {
	case admin == "" && r.Purge:
		admin = "none: IPAM is torn down, and its role is left in no member account once purged"
	case admin == "":
		admin = "none: IPAM is not integrated, so missing roles are expected until an administrator is delegated"
	}
	var counts []string
	for _, res := range ipamorg.RoleResults() {
		counts = append(counts, fmt.Sprintf("%s %d", res, r.Counts[res]))
	}
	checked := fmt.Sprint(len(r.Accounts))
	switch {
	case !r.Complete && r.ListingComplete:
		checked = fmt.Sprintf("%d of %d (interrupted)", len(r.Accounts), r.Total)
	case !r.Complete:
		checked = fmt.Sprintf("%d of at least %d (interrupted while listing)", len(r.Accounts), r.Total)
	}
	fmt.Fprintf(tw, "delegated admin:\t%s\n", admin)
	fmt.Fprintf(tw, "access role:\t%s\n", r.AccessRole)
	fmt.Fprintf(tw, "accounts:\t%s (%s)\n", checked, strings.Join(counts, ", "))
	fmt.Fprintf(tw, "warnings:\t%s\n", countOrNone(len(r.Warnings)))
	if err := tw.Flush(); err != nil {
		return err
	}
	if err := writeWarnings(w, r.Warnings); err != nil {
		return err
	}

	var rows []ipamorg.AccountCheck
	for _, ac := range r.Accounts {
		// A purge's goal is the role's absence: what needs attention
		// then is what it did, and what it left. Without an
		// administrator a missing role needs none.
		attention := ac.Result != ipamorg.RolePresent
		switch {
		case r.Purge:
			attention = ac.Result != ipamorg.RoleMissing
		case r.DelegatedAdmin == "" && !r.Repair && ac.Result == ipamorg.RoleMissing:
			attention = false
		}
		if all || attention {
			rows = append(rows, ac)
		}
	}
	if len(rows) > 0 {
		fmt.Fprintln(w)
		tw = table(w)
		fmt.Fprintln(tw, "ACCOUNT\tNAME\tSTATE\tRESULT\tDETAIL")
		for _, ac := range rows {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", ac.AccountID, orDash(ac.Name), orDash(ac.State), ac.Result, detail(ac))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}

	fmt.Fprintln(w)
	missing, unverified := r.Missing(), r.Unverified()
	switch {
	case r.Purge:
		if n := len(r.Purged()); n > 0 {
			fmt.Fprintf(w, "Deleted AWSServiceRoleForIPAM from %d member account(s).\n", n)
		} else if len(unverified) == 0 && r.Complete {
			fmt.Fprintln(w, "No member account has AWSServiceRoleForIPAM left: nothing to purge.")
		}
	case len(missing) > 0 && r.Repair:
		fmt.Fprintf(w, "%d account(s) still without AWSServiceRoleForIPAM, the repair refused: %s\n", len(missing), strings.Join(missing, " "))
	case r.DelegatedAdmin == "":
		if left := membersWithRole(r); len(left) > 0 {
			fmt.Fprintf(w, "AWSServiceRoleForIPAM is left in %d member account(s) by an earlier integration: %s\n"+
				"After a teardown (state none or disabled), this deletes it:\n  %s\n", len(left), strings.Join(left, " "), command("verify", "--purge"))
		} else if len(unverified) == 0 && r.Complete {
			fmt.Fprintln(w, "IPAM has no delegated administrator: no account needs AWSServiceRoleForIPAM until one is delegated, which creates it in every account.")
		}
	case len(missing) > 0:
		fmt.Fprintf(w, "%d account(s) without AWSServiceRoleForIPAM: %s\nTo create it, run:\n  %s\n", len(missing), strings.Join(missing, " "), command("verify", "--repair"))
	case len(unverified) == 0 && r.Complete:
		fmt.Fprintln(w, "Every active account has AWSServiceRoleForIPAM.")
	}
	if n := len(r.Repaired()); n > 0 {
		fmt.Fprintf(w, "Created AWSServiceRoleForIPAM in %d account(s).\n", n)
	}
	if len(unverified) > 0 {
		_, err := fmt.Fprintf(w, "%d account(s) could not be verified: %s\n", len(unverified), strings.Join(unverified, " "))
		return err
	}
	return nil
}

// detail is the DETAIL column of an account.
func detail(ac ipamorg.AccountCheck) string {
	var s string
	switch ac.Result {
	case ipamorg.RoleMissing:
		s = "AWSServiceRoleForIPAM not found"
		if ac.RepairError != "" {
			s += "; repair failed: " + ac.RepairError
		}
	case ipamorg.RoleRepaired:
		s = "AWSServiceRoleForIPAM created"
	case ipamorg.RolePurged:
		s = "AWSServiceRoleForIPAM deleted"
	default:
		s = ac.Reason
	}
	if ac.Management {
		s = strings.TrimPrefix(s+"; management account", "; ")
	}
	return orDash(s)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// bar is verify's progress bar; its zero value (no bar) does nothing.
type bar struct {
	w   io.Writer
	bar *progressbar.ProgressBar
}

// progress returns a progress bar that shows itself for large
// organizations, only when stderr is a terminal.
func (a *app) progress() *bar {
	f, ok := a.stderr.(*os.File)
	if !ok || !isTerminal(f.Fd()) {
		return &bar{}
	}
	return &bar{w: f}
}

// update is the VerifyOptions.Progress callback; the library calls it one
// call at a time. Until the listing ends the total is the accounts listed
// so far, and the bar says so.
func (b *bar) update(p ipamorg.FleetProgress) {
	if b.w == nil || b.bar == nil && p.Listed < progressMin {
		return
	}
	if b.bar == nil {
		b.bar = progressbar.NewOptions(max(p.Listed, 1),
			progressbar.OptionSetWriter(b.w),
			progressbar.OptionShowCount(),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionClearOnFinish(),
			progressbar.OptionThrottle(100*time.Millisecond), // redraws cost more than they tell
		)
	}
	if p.ListingDone {
		b.bar.Describe("verifying accounts")
	} else {
		// The total grows as the listing goes: provisional.
		b.bar.Describe(fmt.Sprintf("verifying accounts (%d listed so far)", p.Listed))
	}
	b.bar.ChangeMax(max(p.Listed, 1))
	b.bar.Set(p.Checked)
}

func (b *bar) finish() {
	if b.bar != nil {
		b.bar.Finish()
	}
}

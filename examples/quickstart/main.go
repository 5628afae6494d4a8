// Command quickstart shows the IPAM ↔ AWS Organizations lifecycle end to
// end, in a few seconds and without an AWS account.
//
//	go run ./examples/quickstart
//
// By default it starts an emulated organization in-process, listening on
// loopback (awsclient/awstest): a management account and four named member
// accounts, whose reads lag writes by -lag (300ms) so that the library's
// waits are visible. It prints the observed status, the plan to delegate
// IPAM to a member account (-delegate, default 222222222222), applies it
// printing each transition as AWS confirms it, then plans and applies the
// teardown back to none, and prints the final status.
//
// With -live it uses the default AWS credential chain instead (environment,
// shared config and profile, SSO, instance role) and is read-only: it prints
// the observed status and, given -delegate ACCOUNT, the plan to delegate IPAM
// to that account. Only -live -apply -delegate ACCOUNT changes anything: it
// reconciles the organization to that delegated administrator. It never
// tears a live organization down.
//
// It exits non-zero with a message on standard error when anything fails.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/ipamorg/sdk/awsclient/awstest"
	"github.com/ipamorg/sdk/fsm"
	"github.com/ipamorg/sdk/ipamorg"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout)
	switch {
	case err == nil:
	case errors.Is(err, flag.ErrHelp):
	case errors.Is(err, errUsage):
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// errUsage marks errors in the command line.
var errUsage = errors.New("usage")

func usageErrorf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errUsage, fmt.Sprintf(format, args...))
}

// The emulated organization: the management account and four members.
// 222222222222 is the networking account, the usual IPAM administrator.
var emulatedOrg = awstest.Organization{
	ManagementAccount: awstest.Account{ID: "111111111111", Name: "management"},
	Members: []awstest.Account{
		{ID: "222222222222", Name: "network"},
		{ID: "333333333333", Name: "security"},
		{ID: "444444444444", Name: "workloads-prod"},
		{ID: "555555555555", Name: "workloads-dev"},
	},
}

// run is the whole command, with its arguments and output as parameters so
// that tests can run it.
func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("quickstart", flag.ContinueOnError)
	fs.SetOutput(stdout)
	live := fs.Bool("live", false, "use the default AWS credential chain instead of the emulated organization (read-only unless -apply)")
	apply := fs.Bool("apply", false, "with -live: reconcile the organization to the -delegate administrator")
	delegate := fs.String("delegate", "", "account to delegate IPAM to (emulated default 222222222222; with -live, shows the plan for it)")
	lag := fs.Duration("lag", 300*time.Millisecond, "emulated: how long writes take to show in reads")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: quickstart [-lag D] [-delegate ACCOUNT]\n       quickstart -live [-delegate ACCOUNT [-apply]]\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageErrorf("%v", err)
	}
	if fs.NArg() > 0 {
		return usageErrorf("unexpected arguments %q", fs.Args())
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })

	if *live {
		if set["lag"] {
			return usageErrorf("-lag is for the emulated organization, not -live")
		}
		if *apply && *delegate == "" {
			return usageErrorf("-apply needs -delegate ACCOUNT: the administrator to reconcile to")
		}
		return runLive(ctx, stdout, *delegate, *apply)
	}
	if *apply {
		return usageErrorf("-apply is for -live; the emulated run always applies")
	}
	if *lag < 0 {
		return usageErrorf("-lag %v is negative", *lag)
	}
	if *delegate == "" {
		*delegate = emulatedOrg.Members[0].ID
	}
	return runEmulated(ctx, stdout, *delegate, *lag)
}

// runEmulated walks the lifecycle none → delegated → none on an emulated
// organization served on loopback.
func runEmulated(ctx context.Context, w io.Writer, admin string, lag time.Duration) error {
	start := time.Now()
	srv := awstest.NewServer(awstest.WithOrganization(emulatedOrg), awstest.WithLag(lag, lag))
	defer srv.Close()
	names := accountNames(emulatedOrg)
	mgmt := emulatedOrg.ManagementAccount.ID

	fmt.Fprintf(w, "Emulated AWS organization at %s (reads lag writes by %v)\n", srv.URL, lag)
	for _, a := range append([]awstest.Account{emulatedOrg.ManagementAccount}, emulatedOrg.Members...) {
		role := "member"
		if a.ID == mgmt {
			role = "management account"
		}
		fmt.Fprintf(w, "  %s  %-15s %s\n", a.ID, a.Name, role)
	}

	c, err := ipamorg.NewFromConfig(srv.Config(ctx, mgmt), func(o *ipamorg.Options) {
		o.OnTransition = transitionPrinter(w)
		// Poll often enough to see the lag, and always outlast it.
		o.Wait = ipamorg.WaitOptions{MinDelay: 100 * time.Millisecond, MaxDelay: time.Second, MaxWait: lag + 30*time.Second}
	})
	if err != nil {
		return err
	}

	heading(w, "Observe")
	st, err := c.Observe(ctx)
	if err != nil {
		return err
	}
	printStatus(w, st, names)

	heading(w, "Plan: delegate IPAM to %s", describe(admin, names))
	if err := planAndApply(ctx, w, c, ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: admin}); err != nil {
		return err
	}
	fmt.Fprintf(w, "  AWSServiceRoleForIPAM now in %d of %d accounts (created by the one EC2 call)\n",
		len(srv.Snapshot().IPAMRoleAccounts()), len(emulatedOrg.Members)+1)

	heading(w, "Plan: tear down to none")
	if err := planAndApply(ctx, w, c, ipamorg.Desired{State: fsm.StateNone}); err != nil {
		return err
	}

	heading(w, "Final status")
	if st, err = c.Observe(ctx); err != nil {
		return err
	}
	printStatus(w, st, names)

	// The emulator's audit log: every write was sent once, whatever the
	// polling in between.
	writes := srv.Writes()
	heading(w, "Audit: %d AWS requests, %d writes", len(srv.Requests()), len(writes))
	for _, r := range writes {
		fmt.Fprintf(w, "  %s\n", r.Action)
	}
	fmt.Fprintf(w, "\nDone in %v.\n", time.Since(start).Round(time.Millisecond))
	return nil
}

// runLive observes a real organization with the default credential chain,
// and changes it only when apply is set.
func runLive(ctx context.Context, w io.Writer, admin string, apply bool) error {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return fmt.Errorf("load the AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		return errors.New("no AWS region configured: set AWS_REGION (Organizations is global, but the SDK needs a region)")
	}
	// Fail with one clear line rather than with every read's version of
	// the same missing credentials. The value itself is never printed.
	if cfg.Credentials == nil {
		return errors.New("no AWS credentials found in the default chain (environment, shared config or AWS_PROFILE, SSO, instance role)")
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		return fmt.Errorf("no AWS credentials found in the default chain (environment, shared config or AWS_PROFILE, SSO, instance role): %w", err)
	}
	c, err := ipamorg.NewFromConfig(cfg, func(o *ipamorg.Options) { o.OnTransition = transitionPrinter(w) })
	if err != nil {
		return err
	}

	fmt.Fprintf(w, "Live AWS organization (default credential chain, region %s)\n", cfg.Region)
	heading(w, "Observe")
	st, err := c.Observe(ctx)
	if err != nil {
		return err
	}
	printStatus(w, st, nil)
	if admin == "" {
		fmt.Fprintln(w, "\nRead-only: nothing was changed. Add -delegate ACCOUNT to see a plan.")
		return nil
	}

	heading(w, "Plan: delegate IPAM to %s", admin)
	desired := ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: admin}
	p, err := c.Plan(ctx, desired)
	if err != nil {
		return err
	}
	fmt.Fprint(w, indent(p.String()))
	if !apply {
		fmt.Fprintln(w, "\nRead-only: nothing was changed. Add -apply to carry out this plan.")
		return nil
	}
	if p.Empty() {
		return nil
	}
	heading(w, "Apply")
	if _, err := c.Apply(ctx, p); err != nil {
		return err
	}
	heading(w, "Status")
	if st, err = c.Observe(ctx); err != nil {
		return err
	}
	printStatus(w, st, nil)
	return nil
}

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

func printStatus(w io.Writer, st *ipamorg.Status, names map[string]string) {
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

// Command quickstart shows the IPAM ↔ AWS Organizations lifecycle end to
// end, in a few seconds and without an AWS account.
//
//	go run ./examples/quickstart
//
// By default it starts an emulated organization in-process, listening on
// loopback (awsclient/awstest): a management account and five named member
// accounts, one in a Sandbox OU, whose reads lag writes by -lag (300ms), as
// do IPAM's discovery and the creation and deletion of an IPAM, so that the
// library's waits are visible. It walks what a platform team does,
// explaining each part for someone new to IPAM: delegate IPAM to a member
// account (-delegate, default 222222222222), create an IPAM as that
// administrator, exclude the Sandbox OU from it, wait until IPAM monitors
// every other account, find an account that IPAM cannot monitor
// and repair it, be refused a teardown while the IPAM exists, delete the
// IPAM as the administrator, tear down back to none and purge the role
// left in the members.
//
// With -live it uses the default AWS credential chain instead (environment,
// shared config and profile, SSO, instance role) and is read-only: it prints
// the observed status (and, with an administrator, what IPAM monitors) and,
// given -delegate ACCOUNT, the plan to delegate IPAM to that account. Only -live -apply -delegate ACCOUNT changes anything: it
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
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"

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
	printStatus(w, st, nil, true)
	liveMonitoring(ctx, w, c, st)
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
	printStatus(w, st, nil, false)
	liveMonitoring(ctx, w, c, st)
	return nil
}

// liveMonitoring shows, when an administrator is delegated, what IPAM
// itself sees (reads only, in the administrator's account through
// OrganizationAccountAccessRole); what stops it from reading is said, not
// fatal.
func liveMonitoring(ctx context.Context, w io.Writer, c *ipamorg.Client, st *ipamorg.Status) {
	if st.DelegatedAdmin == "" {
		return
	}
	heading(w, "Monitoring: what IPAM itself sees")
	m, err := c.Monitoring(ctx)
	if err != nil {
		fmt.Fprintf(w, "  %v\n", err)
		return
	}
	printMonitoring(w, m, nil)
}

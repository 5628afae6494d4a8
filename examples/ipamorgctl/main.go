// Command ipamorgctl is the reference internal tool built on package
// ipamorg: it shows where an AWS organization stands in the IPAM
// integration lifecycle, plans and applies changes to it, verifies
// AWSServiceRoleForIPAM in every account, prints least-privilege IAM
// policies and the lifecycle diagram, and serves the local emulator.
//
// Usage:
//
//	ipamorgctl [global flags] status
//	ipamorgctl [global flags] plan   --delegate ACCOUNT [--replace] | --remove | --disable | --cleanup
//	ipamorgctl [global flags] apply  (same as plan) [--yes]
//	ipamorgctl [global flags] verify [--repair] [--role-name NAME] [--concurrency N] [--rate N] [--all]
//	ipamorgctl policy [plan flags] | --verify [--repair] [--member] [--role-name NAME]
//	ipamorgctl diagram
//	ipamorgctl serve [--addr 127.0.0.1:4566] [--members N] [--lag D] [--role-lag D] [--fault OP=CODE[:COUNT]]...
//
// Global flags: --endpoint-url URL, --profile NAME, --region REGION,
// --output text|json, --emulated, --max-wait DURATION.
//
// The target is, in order: the in-process emulated organization with
// --emulated; the endpoint of --endpoint-url with the default credential
// chain (for the emulator, AWS_ACCESS_KEY_ID is the account to act as);
// AWS with the default credential chain. Without credentials it fails
// rather than guess. Text output starts with a "target:" line; with
// --output json, stdout holds only the JSON of the ipamorg types (Status,
// Plan, Result, FleetReport) and the target line goes to stderr.
//
// Exit codes: 0 ok, 1 error, 2 usage, 3 drift (plan not empty, or verify
// found accounts without AWSServiceRoleForIPAM).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/ipamorg/sdk/ipamorg"
)

// Exit codes.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
	exitDrift = 3
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// app is one invocation: its streams and the global flags.
type app struct {
	stdin          *os.File
	stdout, stderr io.Writer

	endpointURL  string
	profile      string
	region       string
	output       string
	emulated     bool
	maxWait      time.Duration
	pollInterval time.Duration
}

// run executes the command line args and returns the exit code.
func run(ctx context.Context, args []string, stdin *os.File, stdout, stderr io.Writer) int {
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr}
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	var ee *exitErr
	if !errors.As(err, &ee) {
		ee = &exitErr{code: exitError, err: err}
		// Input the library refused before any AWS call is a usage
		// error too.
		if errors.Is(err, ipamorg.ErrInvalidAccountID) || errors.Is(err, ipamorg.ErrInvalidDesired) {
			ee.code = exitUsage
		}
	}
	if ee.err != nil {
		fmt.Fprintf(stderr, "ipamorgctl: %v\n", ee.err)
	}
	if ee.code == exitUsage {
		fmt.Fprintln(stderr, "Run 'ipamorgctl --help' for usage.")
	}
	return ee.code
}

// exitErr carries an exit code; err, if any, is printed to stderr.
type exitErr struct {
	code int
	err  error
}

func (e *exitErr) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitErr) Unwrap() error { return e.err }

// usageError returns a usage error (exit 2) with a message made like
// fmt.Errorf's.
func usageError(format string, args ...any) error {
	return &exitErr{code: exitUsage, err: fmt.Errorf(format, args...)}
}

// errDrift ends a command that found drift (exit 3); the output already
// says what it is.
var errDrift = &exitErr{code: exitDrift}

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "ipamorgctl",
		Short: "Observe and change the IPAM integration of an AWS organization",
		Long: `ipamorgctl observes and changes the integration between Amazon VPC IPAM
and AWS Organizations: trusted access for ipam.amazonaws.com, the delegated
administrator, and AWSServiceRoleForIPAM in the management account and in
every member account.

Target: --emulated (an in-process emulated organization), --endpoint-url
(an endpoint such as 'ipamorgctl serve', with the default credential chain;
for the emulator, AWS_ACCESS_KEY_ID is the account to act as), or AWS with
the default credential chain. Without credentials it fails rather than guess.

Exit codes: 0 ok, 1 error, 2 usage, 3 drift (a plan that is not empty, or
accounts found without AWSServiceRoleForIPAM by verify).`,
		SilenceUsage:      true,
		SilenceErrors:     true,
		CompletionOptions: cobra.CompletionOptions{DisableDefaultCmd: true},
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageError("unknown command %q", args[0])
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			cmd.SetOut(a.stderr)
			cmd.Help()
			return usageError("a command is required")
		},
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			switch a.output {
			case "text", "json":
			default:
				return usageError("--output must be text or json, not %q", a.output)
			}
			if a.maxWait < 0 || a.pollInterval < 0 {
				return usageError("--max-wait and --poll-interval must not be negative")
			}
			return nil
		},
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return &exitErr{code: exitUsage, err: err}
	})
	pf := root.PersistentFlags()
	pf.StringVar(&a.endpointURL, "endpoint-url", "", "send every AWS request to `URL` (e.g. the emulator of 'ipamorgctl serve')")
	pf.StringVar(&a.profile, "profile", "", "use the shared config `profile` (default: AWS_PROFILE or default)")
	pf.StringVar(&a.region, "region", "", "AWS `region` (default: from the environment or profile; us-east-1 with --endpoint-url)")
	pf.StringVarP(&a.output, "output", "o", "text", "output `format`: text or json")
	pf.BoolVar(&a.emulated, "emulated", false, "use an in-process emulated organization (management account 111111111111); nothing persists between runs")
	pf.DurationVar(&a.maxWait, "max-wait", 0, "longest wait for AWS to confirm each change (default 5m)")
	// For tests and slow endpoints: the first delay between the reads
	// that confirm a change.
	pf.DurationVar(&a.pollInterval, "poll-interval", 0, "first delay between confirming reads (default 250ms)")
	pf.MarkHidden("poll-interval")

	root.AddCommand(
		a.statusCommand(),
		a.planCommand(),
		a.applyCommand(),
		a.verifyCommand(),
		a.policyCommand(),
		a.diagramCommand(),
		a.serveCommand(),
	)
	return root
}

// noArgs is cobra.NoArgs as a usage error.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageError("%s takes no arguments, got %q", cmd.CommandPath(), args)
	}
	return nil
}

// jsonOutput reports whether the output is JSON.
func (a *app) jsonOutput() bool { return a.output == "json" }

// clientOptions are the ipamorg options the global flags set.
func (a *app) clientOptions(o *ipamorg.Options) {
	o.Wait.MaxWait = a.maxWait
	o.Wait.MinDelay = a.pollInterval
}

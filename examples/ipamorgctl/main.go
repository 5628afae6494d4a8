// Command ipamorgctl is the reference internal tool built on package
// ipamorg: it shows where an AWS organization stands in the IPAM
// integration lifecycle, plans and applies changes to it (saving plans to
// files, as Terraform does), checks the permissions a plan needs, shows
// whether IPAM monitors every account, verifies (and repairs, or after a
// teardown purges) AWSServiceRoleForIPAM in every account, prints least-privilege IAM
// policies and the lifecycle diagram, and serves the local emulator.
//
// Usage:
//
//	ipamorgctl [global flags] status
//	ipamorgctl [global flags] plan   (--delegate ACCOUNT [--replace] | --remove | --disable | --cleanup) [--allow-ipam-resources] [--out FILE] [--detailed-exitcode] [--check-permissions]
//	ipamorgctl [global flags] apply  (same moves as plan) [--wait-monitored] [--yes] | FILE
//	ipamorgctl [global flags] monitoring [--wait] [--all]
//	ipamorgctl [global flags] verify [--repair | --purge] [--concurrency N] [--org-rate N] [--sts-rate N] [--all]
//	ipamorgctl policy [plan flags] [--monitoring] | --verify [--repair | --purge] [--member | --ipam-admin]
//	ipamorgctl diagram
//	ipamorgctl serve [--addr 127.0.0.1:4566] [--org FILE | --members N [--ous N]] [--lag D] [--discovery-lag D] [--fault OP=CODE[:COUNT]]... (see docs/emulator.md)
//	ipamorgctl version
//	ipamorgctl completion bash|zsh|fish|powershell
//
// Global flags: --endpoint-url URL, --profile NAME, --region REGION,
// --output text|json, --emulated, --max-wait DURATION, --role-name NAME,
// --debug, --version.
//
// The target is, in order: the in-process emulated organization with
// --emulated; the endpoint of --endpoint-url for every service; else what
// the AWS SDK resolves (service-specific AWS_ENDPOINT_URL_<SERVICE>,
// AWS_ENDPOINT_URL, a profile's endpoint_url or services section, else
// AWS), with the default credential chain. Without credentials it fails
// rather than guess. The first line names the endpoint of each service
// and where it came from: on stdout with text output, on stderr (as JSON)
// with --output json, where stdout holds only the command's JSON.
//
// Exit codes (docs/cli.md has them per command): 0 success; 1 error;
// 2 changes present (plan --detailed-exitcode), drift found (verify) or
// monitoring incomplete (monitoring, apply --wait-monitored); 64 usage
// error; 70 internal error (a bug of ipamorgctl's); 130 interrupted
// (SIGINT); 143 terminated (SIGTERM).
package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/spf13/cobra"

	"github.com/ipamorg/sdk/ipamorg"
)

func main() {
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		s := <-sigs
		// The first signal ends the command through its context, so that
		// it can say what it did; a second one kills at once.
		signal.Stop(sigs)
		cancel(&signalError{sig: s})
	}()
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	cancel(nil)
	os.Exit(code)
}

// run executes the command line args and returns the exit code. A context
// whose cause is a *signalError is an interruption by that signal.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return newApp(stdin, stdout, stderr).run(ctx, args)
}

// app is one invocation: its streams and the global flags.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	// args are the command line's arguments, for the commands that
	// messages suggest; cmd is the command that runs, once cobra found
	// it, and root the root command, whose flags are the global ones.
	args []string
	cmd  *cobra.Command
	root *cobra.Command

	endpointURL  string
	profile      string
	region       string
	output       string
	emulated     bool
	maxWait      time.Duration
	pollInterval time.Duration
	debug        bool
	roleName     string

	// wrote is set by commands once they may have written to AWS, so that
	// an interruption can say whether anything was.
	wrote bool
	// saved is the plan file of apply FILE, once read.
	saved *savedPlan

	// cancel ends the command's context; panicked holds the first panic
	// of a callback that ran on a goroutine of the library's (see
	// recovering).
	cancel   context.CancelCauseFunc
	panicMu  sync.Mutex
	panicked *panicError

	// seams replace parts of the AWS configuration; zero outside tests.
	seams seams
}

// seams are what the in-process tests replace: the AWS SDK reads its
// environment from the process, which tests running side by side share.
type seams struct {
	// loadOptions come before the flags' own options of
	// config.LoadDefaultConfig: the credentials of the account to act as,
	// say.
	loadOptions []func(*config.LoadOptions) error
	// httpClient, if set, carries every AWS request: an emulator's
	// in-memory transport, so that a test can run inside a
	// testing/synctest bubble.
	httpClient aws.HTTPClient
}

func newApp(stdin io.Reader, stdout, stderr io.Writer) *app {
	return &app{stdin: stdin, stdout: lockedWriter(stdout), stderr: lockedWriter(stderr), output: "text"}
}

// lockedWriter returns w safe for concurrent writes: the library and the
// AWS SDK log from the goroutines of concurrent reads. An *os.File already
// is, and stays one, so that a terminal is still seen as one.
func lockedWriter(w io.Writer) io.Writer {
	if _, ok := w.(*os.File); ok || w == nil {
		return w
	}
	return &syncWriter{w: w}
}

type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// run executes args. A panic of the command is reported as an internal
// error with its own exit code, never as a stack trace or as an exit
// code that means something else (2 reads as "changes present").
func (a *app) run(ctx context.Context, args []string) (code int) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	a.cancel, a.args = cancel, args
	defer func() {
		if v := recover(); v != nil {
			code = a.fail(ctx, &panicError{value: v})
		}
	}()
	root := a.rootCommand()
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	a.cmd = cmd
	if p := a.recovered(); p != nil {
		return a.fail(ctx, p)
	}
	if err == nil {
		return exitOK
	}
	return a.fail(ctx, err)
}

// recovering returns fn wrapped so that a panic in it, on whatever
// goroutine the library calls it from, ends the command as an internal
// error rather than the process with a stack trace. Callbacks handed to
// the library go through it.
func recovering[T any](a *app, fn func(T)) func(T) {
	return func(v T) {
		defer func() {
			if r := recover(); r != nil {
				a.panicMu.Lock()
				if a.panicked == nil {
					a.panicked = &panicError{value: r}
				}
				a.panicMu.Unlock()
				if a.cancel != nil {
					a.cancel(a.panicked)
				}
			}
		}()
		fn(v)
	}
}

// recovered returns the first panic recovering caught, or nil.
func (a *app) recovered() *panicError {
	a.panicMu.Lock()
	defer a.panicMu.Unlock()
	return a.panicked
}

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "ipamorgctl",
		Short: "Observe and change the IPAM integration of an AWS organization",
		Long: `ipamorgctl observes and changes the integration between Amazon VPC IPAM
and AWS Organizations: trusted access for ipam.amazonaws.com, the delegated
administrator, and AWSServiceRoleForIPAM in the management account and in
every member account.

Target: --emulated (an in-process emulated organization), --endpoint-url
(an endpoint such as 'ipamorgctl serve', for every service), or what the
AWS SDK resolves from the environment and the shared config
(AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, a profile's endpoint_url,
else AWS), with the default credential chain; for the emulator,
AWS_ACCESS_KEY_ID is the account to act as. Without credentials it fails
rather than guess. The first line of output names the endpoints used.

` + exitCodesHelp(""),
		Example: `  ipamorgctl --emulated status                  # no AWS account needed
  ipamorgctl serve                              # the emulator, for any AWS client
  ipamorgctl --endpoint-url http://127.0.0.1:4566 plan --delegate 222222222222
  ipamorgctl --profile prod -o json status | jq .state`,
		Version:           versionLine(),
		SilenceUsage:      true,
		SilenceErrors:     true,
		CompletionOptions: cobra.CompletionOptions{},
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return unknownCommand(cmd, args[0])
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			cmd.SetOut(a.stderr)
			cmd.Help()
			return usageError("a command is required")
		},
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			a.cmd = cmd
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
	// The streams first: cobra's completion commands take theirs when
	// they are added.
	root.SetIn(a.stdin)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	a.root = root
	root.SuggestionsMinimumDistance = 2
	root.SetVersionTemplate("{{.Version}}\n")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return &exitErr{code: exitUsage, err: err}
	})
	pf := root.PersistentFlags()
	pf.StringVar(&a.endpointURL, "endpoint-url", "", "send every AWS request to `URL` (e.g. the emulator of 'ipamorgctl serve'), overriding AWS_ENDPOINT_URL* and profiles")
	pf.StringVar(&a.profile, "profile", "", "use the shared config `profile` (default: AWS_PROFILE or default)")
	pf.StringVar(&a.region, "region", "", "AWS `region` (default: from the environment or profile; us-east-1 when every endpoint is set)")
	pf.StringVarP(&a.output, "output", "o", "text", "output `format`: text or json (json: the result on stdout, the target line, logs and errors as JSON lines on stderr)")
	pf.BoolVar(&a.emulated, "emulated", false, "use an in-process emulated organization (management account 111111111111); nothing persists between runs")
	pf.DurationVar(&a.maxWait, "max-wait", 0, "longest wait for AWS to confirm each change, and for IPAM to monitor every account, e.g. 10m (default 5m)")
	pf.StringVar(&a.roleName, "role-name", ipamorg.DefaultAccessRole, "the role `NAME` assumed in the organization's other accounts, optionally with its path: in each member by verify, in the IPAM delegated administrator by monitoring and by the guard before removing it")
	pf.BoolVar(&a.debug, "debug", false, "log the library's and the AWS SDK's debug records to stderr (never credentials)")
	// For tests and slow endpoints: the spacing of the reads
	// that confirm a change.
	pf.DurationVar(&a.pollInterval, "poll-interval", 0, "spacing of the reads that confirm a change, start to start (default 200ms)")
	pf.MarkHidden("poll-interval")

	root.AddCommand(
		a.statusCommand(),
		a.planCommand(),
		a.applyCommand(),
		a.verifyCommand(),
		a.monitoringCommand(),
		a.policyCommand(),
		a.diagramCommand(),
		a.serveCommand(),
		a.versionCommand(),
	)
	a.completionCommand(root)
	root.InitDefaultHelpCmd()
	if help, _, err := root.Find([]string{"help"}); err == nil && help.Name() == "help" {
		help.Example = "  ipamorgctl help plan      # the same as: ipamorgctl plan --help\n  ipamorgctl help completion bash"
	}
	// Each command's help ends with its exit codes.
	for _, cmd := range root.Commands() {
		if help := exitCodesHelp(cmd.Name()); help != "" {
			cmd.Long = cmd.Long + "\n\n" + help
		}
	}
	return root
}

// completionCommand adds cobra's completion command (bash, zsh, fish,
// powershell), which alone would print its help and exit 0 for a shell it
// does not know.
func (a *app) completionCommand(root *cobra.Command) {
	root.InitDefaultCompletionCmd()
	comp, _, err := root.Find([]string{"completion"})
	if err != nil || comp.Name() != "completion" {
		return
	}
	const shells = "bash, zsh, fish or powershell"
	comp.Args = func(cmd *cobra.Command, args []string) error {
		if len(args) > 0 {
			return usageError("completion: unknown shell %q; choose %s", args[0], shells)
		}
		return nil
	}
	comp.RunE = func(cmd *cobra.Command, _ []string) error {
		return usageError("completion needs a shell: %s, e.g. 'source <(ipamorgctl completion bash)'", shells)
	}
	comp.Example = `  source <(ipamorgctl completion bash)                   # bash, this shell
  ipamorgctl completion zsh > "${fpath[1]}/_ipamorgctl"   # zsh
  ipamorgctl completion fish | source                    # fish`
	for _, sub := range comp.Commands() {
		sub.Example = "  ipamorgctl completion " + sub.Name() + " --help   # how to load it for good"
	}
}

// unknownCommand is the usage error for a mistyped command, with cobra's
// suggestions.
func unknownCommand(root *cobra.Command, name string) error {
	if s := root.SuggestionsFor(name); len(s) > 0 {
		return usageError("unknown command %q; did you mean %q?", name, s[0])
	}
	return usageError("unknown command %q", name)
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
	o.Wait.Interval = a.pollInterval
	o.AccessRole = a.roleName
	o.Logger = a.logger()
}

package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/ipamorg/sdk/fsm"
	"github.com/ipamorg/sdk/ipamorg"
)

func (a *app) applyCommand() *cobra.Command {
	var (
		m           moveFlags
		yes         bool
		wait        bool
		otherTarget bool
	)
	cmd := &cobra.Command{
		Use:   "apply (--delegate ACCOUNT [--replace] | --remove | --disable | --cleanup) [--allow-ipam-resources] [--wait-monitored] [--yes] | apply FILE",
		Short: "Take the organization where you say, or through a saved plan, step by step",
		Long: `apply plans like plan, shows the plan, asks for confirmation (y/N) on a
terminal unless --yes, then takes each step: the AWS call, a wait until a read
confirms it, the transition. When stdin is not a terminal, --yes is required.

apply FILE takes exactly the steps of a plan saved by 'plan --out FILE',
without asking (the saved plan is what was approved). It checks, before
writing anything and in this order: the file (its format_version, and
steps that are what plan makes: an edited file is refused), the target
(the plan's recorded one, unless --allow-other-target), the organization
(the one the plan was made for), then whether the plan is stale: if
anything its steps rest on changed since (the state, the administrator,
a delegation repaired or broken by someone else), plan again. Then the
guards run, as for a plan made now.

A step that removes the delegated administrator first reads its IPAMs and
is refused while any exists, as AWS's teardown order requires: delete them
as the administrator (the message gives the command), or pass
--allow-ipam-resources.

--wait-monitored, after a delegation, waits until IPAM monitors every
account (see 'ipamorgctl monitoring'), for at most --max-wait; when it
does not, the apply still succeeded and apply exits 2, as 'monitoring
--wait' does. It is refused with --emulated, where nothing can create an
IPAM.

Ctrl-C at the prompt or during a wait ends apply at once (exit 130) and
says which steps were written. With --output json it prints the
ipamorg.Result, durations in milliseconds ("duration_ms"); with
--wait-monitored, an object with the "result" and the "monitoring".`,
		Example: `  ipamorgctl apply --delegate 222222222222                  # shows the plan, asks y/N
  ipamorgctl apply --delegate 222222222222 --yes --wait-monitored
  ipamorgctl plan --cleanup --out cleanup.plan.json && ipamorgctl apply cleanup.plan.json
  ipamorgctl apply --cleanup --yes --allow-ipam-resources   # even while the admin owns IPAMs`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usageError("apply takes at most one plan file, got %q", args)
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				if m.delegate != "" || m.replace || m.remove || m.disable || m.cleanup || m.allowIPAMs {
					return usageError("apply FILE takes the saved plan's steps: it does not combine with --delegate, --replace, --remove, --disable, --cleanup or --allow-ipam-resources")
				}
				return a.applySaved(cmd.Context(), args[0], wait, otherTarget)
			}
			if err := m.validate(false); err != nil {
				return err
			}
			if otherTarget {
				return usageError("--allow-other-target is for apply FILE: a saved plan made against another target")
			}
			if wait && m.delegate == "" {
				return usageError("--wait-monitored waits for IPAM to monitor the organization after a delegation: it needs --delegate")
			}
			if err := a.checkWaitMonitored(wait); err != nil {
				return err
			}
			if !yes && !isTerminalReader(a.stdin) {
				return usageError("refusing to apply without confirmation: stdin is not a terminal; pass --yes")
			}
			ctx := cmd.Context()
			c, _, err := a.connect(ctx, a.reportTransitions)
			if err != nil {
				return err
			}
			p, err := makePlan(ctx, c, &m)
			if err != nil {
				return err
			}
			// On a terminal the plan is shown even with JSON output, on
			// stderr, since it is what the confirmation is about.
			planOut := a.stdout
			if a.jsonOutput() {
				planOut = a.stderr
			}
			if !a.jsonOutput() || !yes {
				fmt.Fprint(planOut, planText(p))
			}
			if p.Empty() {
				return a.writeNothingToDo(ctx, c, p, wait)
			}
			if !yes {
				ok, err := confirm(ctx, a.stdin, a.stderr, fmt.Sprintf("\nApply these %d step(s) to organization %s? [y/N] ", len(p.Steps), p.Status.OrganizationID))
				if err != nil {
					return err
				}
				if !ok {
					return &exitErr{code: exitError, err: errors.New("apply cancelled: nothing was written")}
				}
			}
			return a.apply(ctx, c, p, wait)
		},
	}
	m.bind(cmd.Flags())
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "apply without asking for confirmation")
	cmd.Flags().BoolVar(&wait, "wait-monitored", false, "after delegating, wait until IPAM monitors every account, for at most --max-wait (exit 2 if it does not)")
	cmd.Flags().BoolVar(&otherTarget, "allow-other-target", false, "apply FILE even against a target other than the one the plan was made against")
	return cmd
}

// checkWaitMonitored refuses --wait-monitored where it could only wait
// out --max-wait: in the in-process emulated organization, which lives
// for this one command, nobody can create the IPAM that monitoring needs.
func (a *app) checkWaitMonitored(wait bool) error {
	if wait && a.emulated {
		return usageError("--wait-monitored with --emulated would wait the whole --max-wait: the emulated organization lives in this process only, " +
			"so nothing can create the IPAM that monitoring needs; use 'ipamorgctl serve' and --endpoint-url to try monitoring")
	}
	return nil
}

// applySaved applies the plan saved at path, after checking, in this
// order: the file, the target it was made against, the organization, and
// (in Apply) whether anything its steps rest on changed, then the guards.
func (a *app) applySaved(ctx context.Context, path string, wait, otherTarget bool) error {
	f, err := readPlanFile(path)
	if err != nil {
		return err
	}
	if wait && f.Desired.State != fsm.StateDelegated {
		return usageError("--wait-monitored waits for IPAM to monitor the organization after a delegation; %s's plan goes to %s", path, f.Desired.State)
	}
	if err := a.checkWaitMonitored(wait); err != nil {
		return err
	}
	a.saved = &savedPlan{path: path, file: f}
	c, t, err := a.connect(ctx, a.reportTransitions)
	if err != nil {
		return err
	}
	if err := checkSavedTarget(path, f, t, otherTarget); err != nil {
		return err
	}
	st, err := c.Observe(ctx)
	if err != nil {
		return err
	}
	if err := checkSavedOrganization(path, f, st); err != nil {
		return err
	}
	p := f.plan()
	if !a.jsonOutput() {
		fmt.Fprintf(a.stdout, "Saved plan %s, made %s by %s:\n", path, f.CreatedAt.Format(time.RFC3339), f.CreatedBy)
		fmt.Fprint(a.stdout, planText(p))
	}
	// Apply checks the steps against the plan's own status and desired
	// state (an edited file), then whether the plan is stale, then runs
	// the guards; explain tells an edited file as such.
	return a.apply(ctx, c, p, wait)
}

// writeNothingToDo ends an apply whose plan is empty, waiting for
// monitoring if asked.
func (a *app) writeNothingToDo(ctx context.Context, c *ipamorg.Client, p *ipamorg.Plan, wait bool) error {
	res := &ipamorg.Result{Status: p.Status, Transitions: []ipamorg.Transition{}}
	if wait {
		return a.applied(ctx, c, res, true)
	}
	if a.jsonOutput() {
		return writeJSON(a.stdout, res)
	}
	return nil
}

// applyOutput is apply's JSON with --wait-monitored.
type applyOutput struct {
	Result     *ipamorg.Result     `json:"result"`
	Monitoring *ipamorg.Monitoring `json:"monitoring"`
}

// applied ends a successful apply: with wait, it waits until IPAM
// monitors every account and shows it; in JSON it writes the result (and
// the monitoring).
func (a *app) applied(ctx context.Context, c *ipamorg.Client, res *ipamorg.Result, wait bool) error {
	if !wait {
		if a.jsonOutput() {
			return writeJSON(a.stdout, res)
		}
		return nil
	}
	if !a.jsonOutput() {
		fmt.Fprintln(a.stdout)
	}
	m, err := a.waitMonitored(ctx, c)
	switch {
	case a.jsonOutput():
		if jerr := writeJSON(a.stdout, applyOutput{res, m}); jerr != nil && err == nil {
			err = jerr
		}
	case m != nil:
		if werr := writeMonitoringText(a.stdout, m, false); werr != nil && err == nil {
			err = werr
		}
	}
	return err
}

// reportTransitions prints, in text output, each step as AWS confirms it.
func (a *app) reportTransitions(o *ipamorg.Options) {
	if a.jsonOutput() {
		return
	}
	o.OnTransition = recovering(a, func(t ipamorg.Transition) {
		line := fmt.Sprintf("done: %s (%s -> %s)", t.Event, t.From, t.To)
		if t.Account != "" {
			line += " account " + t.Account
		}
		if t.Duration > 0 {
			line += fmt.Sprintf(", confirmed in %v", t.Duration.Round(time.Millisecond))
		}
		fmt.Fprintln(a.stdout, line)
	})
}

// apply carries out p with c, whose options report each confirmed step,
// then, with wait, waits until IPAM monitors every account.
func (a *app) apply(ctx context.Context, c *ipamorg.Client, p *ipamorg.Plan, wait bool) error {
	text := !a.jsonOutput()
	if text {
		fmt.Fprintln(a.stdout)
	}
	a.wrote = true
	res, err := c.Apply(ctx, p)
	if err != nil {
		if !text {
			if jerr := writeJSON(a.stdout, res); jerr != nil {
				return jerr
			}
		}
		return err
	}
	if st := res.Status; st != nil && text {
		admin := st.DelegatedAdmin
		if admin == "" {
			admin = "none"
		}
		fmt.Fprintf(a.stdout, "\nApply complete: %d transition(s). state %s, delegated admin %s.\n", len(res.Transitions), st.State, admin)
		if err := writeWarnings(a.stdout, st.Warnings); err != nil {
			return err
		}
	}
	return a.applied(ctx, c, res, wait)
}

// confirm asks question on out and reads the answer from in: only "y" or
// "yes" (any case) confirms. It returns at once when ctx ends (Ctrl-C),
// with an error that says nothing was written.
func confirm(ctx context.Context, in io.Reader, out io.Writer, question string) (bool, error) {
	fmt.Fprint(out, question)
	type answer struct {
		line string
		err  error
	}
	answered := make(chan answer, 1)
	go func() {
		// A panic reading the answer is reported as the bug it is.
		defer func() {
			if r := recover(); r != nil {
				answered <- answer{err: &panicError{value: r}}
			}
		}()
		// Left blocked on the terminal if ctx ends first; the process
		// is about to exit.
		line, err := bufio.NewReader(in).ReadString('\n')
		answered <- answer{line, err}
	}()
	var ans answer
	select {
	case <-ctx.Done():
		fmt.Fprintln(out)
		return false, &promptStopped{ctx.Err()}
	case ans = <-answered:
	}
	if ans.err != nil && !errors.Is(ans.err, io.EOF) {
		return false, fmt.Errorf("read confirmation: %w", ans.err)
	}
	switch strings.ToLower(strings.TrimSpace(ans.line)) {
	case "y", "yes":
		return true, nil
	}
	return false, nil
}

// promptStopped is the error of a confirmation that the context's end cut
// short; it matches the context's error.
type promptStopped struct{ err error }

func (e *promptStopped) Error() string { return "stopped at the confirmation prompt" }
func (e *promptStopped) Unwrap() error { return e.err }

// isTerminal reports whether fd is a terminal.
func isTerminal(fd uintptr) bool { return term.IsTerminal(int(fd)) }

// isTerminalReader reports whether r is a terminal: a file (os.Stdin)
// open on one.
func isTerminalReader(r io.Reader) bool {
	f, ok := r.(interface{ Fd() uintptr })
	return ok && isTerminal(f.Fd())
}

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

	"github.com/ipamorg/sdk/ipamorg"
)

func (a *app) applyCommand() *cobra.Command {
	var (
		m   moveFlags
		yes bool
	)
	cmd := &cobra.Command{
		Use:   "apply (--delegate ACCOUNT [--replace] | --remove | --disable | --cleanup) [--yes] | apply FILE",
		Short: "Take the organization where you say, or through a saved plan, step by step",
		Long: `apply plans like plan, shows the plan, asks for confirmation (y/N) on a
terminal unless --yes, then takes each step: the AWS call, a wait until a read
confirms it, the transition. When stdin is not a terminal, --yes is required.

apply FILE takes exactly the steps of a plan saved by 'plan --out FILE',
without asking (the saved plan is what was approved). It refuses, before
writing anything, a plan file of another format_version, one whose steps
are not what plan makes (an edited file), one made for another
organization, and a stale one: if the organization changed since the plan
was made, plan again.

Ctrl-C at the prompt or during a wait ends apply at once (exit 130) and
says which steps were written. With --output json it prints the
ipamorg.Result, durations in milliseconds ("duration_ms").`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usageError("apply takes at most one plan file, got %q", args)
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				if m.delegate != "" || m.replace || m.remove || m.disable || m.cleanup {
					return usageError("apply FILE takes the saved plan's steps: it does not combine with --delegate, --replace, --remove, --disable or --cleanup")
				}
				return a.applySaved(cmd.Context(), args[0])
			}
			if err := m.validate(false); err != nil {
				return err
			}
			if !yes && !isTerminal(a.stdin.Fd()) {
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
				fmt.Fprint(planOut, p)
			}
			if p.Empty() {
				return a.writeNothingToDo(p)
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
			return a.apply(ctx, c, p)
		},
	}
	m.bind(cmd.Flags())
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "apply without asking for confirmation")
	return cmd
}

// applySaved applies the plan saved at path.
func (a *app) applySaved(ctx context.Context, path string) error {
	f, err := readPlanFile(path)
	if err != nil {
		return err
	}
	c, _, err := a.connect(ctx, a.reportTransitions)
	if err != nil {
		return err
	}
	// Planning again runs the guards and shows whether the file's steps
	// are the ones the library makes: Apply takes them as given.
	fresh, err := c.Plan(ctx, f.Desired)
	if err != nil {
		return err
	}
	if err := checkSavedPlan(path, f, fresh); err != nil {
		return err
	}
	p := f.plan()
	if !a.jsonOutput() {
		fmt.Fprintf(a.stdout, "Saved plan %s, made %s by %s:\n", path, f.CreatedAt.Format(time.RFC3339), f.CreatedBy)
		fmt.Fprint(a.stdout, p)
	}
	if p.Empty() {
		return a.writeNothingToDo(p)
	}
	return a.apply(ctx, c, p)
}

// writeNothingToDo ends an apply whose plan is empty.
func (a *app) writeNothingToDo(p *ipamorg.Plan) error {
	if a.jsonOutput() {
		return writeJSON(a.stdout, &ipamorg.Result{Status: p.Status, Transitions: []ipamorg.Transition{}})
	}
	return nil
}

// reportTransitions prints, in text output, each step as AWS confirms it.
func (a *app) reportTransitions(o *ipamorg.Options) {
	if a.jsonOutput() {
		return
	}
	o.OnTransition = func(t ipamorg.Transition) {
		line := fmt.Sprintf("done: %s (%s -> %s)", t.Event, t.From, t.To)
		if t.Account != "" {
			line += " account " + t.Account
		}
		if t.Duration > 0 {
			line += fmt.Sprintf(", confirmed in %v", t.Duration.Round(time.Millisecond))
		}
		fmt.Fprintln(a.stdout, line)
	}
}

// apply carries out p with c, whose options report each confirmed step.
func (a *app) apply(ctx context.Context, c *ipamorg.Client, p *ipamorg.Plan) error {
	text := !a.jsonOutput()
	if text {
		fmt.Fprintln(a.stdout)
	}
	a.wrote = true
	res, err := c.Apply(ctx, p)
	if !text {
		if jerr := writeJSON(a.stdout, res); jerr != nil && err == nil {
			err = jerr
		}
		return err
	}
	if err != nil {
		if errors.Is(err, ipamorg.ErrStalePlan) {
			return fmt.Errorf("%w; nothing was written: plan again from the new state", err)
		}
		return err
	}
	if st := res.Status; st != nil {
		admin := st.DelegatedAdmin
		if admin == "" {
			admin = "none"
		}
		fmt.Fprintf(a.stdout, "\nApply complete: %d transition(s). state %s, delegated admin %s.\n", len(res.Transitions), st.State, admin)
		return writeWarnings(a.stdout, st.Warnings)
	}
	return nil
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

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// The reference part of docs/cli.md is made from the commands themselves,
// so that it cannot drift from them: go test ./examples/ipamorgctl -run
// TestCLIDocs -update rewrites it.
const (
	docsBegin = "<!-- BEGIN GENERATED REFERENCE: go test ./examples/ipamorgctl -run TestCLIDocs -update -->\n"
	docsEnd   = "<!-- END GENERATED REFERENCE -->\n"
)

func TestCLIDocs(t *testing.T) {
	t.Parallel()
	path := filepath.Join("..", "..", "docs", "cli.md")
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	before, rest, ok1 := strings.Cut(string(doc), docsBegin)
	_, after, ok2 := strings.Cut(rest, docsEnd)
	if !ok1 || !ok2 {
		t.Fatalf("%s lacks the generated reference's markers:\n%s%s", path, docsBegin, docsEnd)
	}
	want := before + docsBegin + cliReference() + docsEnd + after
	if *update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if string(doc) != want {
		t.Errorf("%s's reference differs from the commands; rewrite it with go test ./examples/ipamorgctl -run TestCLIDocs -update", path)
	}
}

// TestHelpHasExitCodes: every command's help ends with its exit codes.
func TestHelpHasExitCodes(t *testing.T) {
	t.Parallel()
	root := (&app{}).rootCommand()
	for _, cmd := range append(root.Commands(), root) {
		if cmd.Hidden || cmd.Name() == "help" {
			continue
		}
		if !strings.Contains(cmd.Long, "Exit codes:\n  ") || !strings.Contains(cmd.Long, fmt.Sprintf("  %-4d", exitUsage)) {
			t.Errorf("%s: help lacks its exit codes:\n%s", cmd.CommandPath(), cmd.Long)
		}
	}
	// And the binary says so too.
	r := runCtl(t, baseEnv(t), "plan", "--help")
	wantCode(t, r, exitOK)
	if !strings.Contains(r.stdout, "  2   with --detailed-exitcode: the plan has steps (changes present)") {
		t.Errorf("plan --help:\n%s", r.stdout)
	}
}

// cliReference renders the global flags, each command with its flags, and
// every exit code, as Markdown.
func cliReference() string {
	root := (&app{}).rootCommand()
	root.InitDefaultHelpCmd()
	var b strings.Builder
	b.WriteString("### Global flags\n\n")
	writeFlags(&b, root.PersistentFlags())
	b.WriteString("`--version` prints the version line and exits; `--help` (`-h`) prints help for any command.\n\n")
	for _, cmd := range root.Commands() {
		if cmd.Hidden || cmd.Name() == "help" {
			continue
		}
		fmt.Fprintf(&b, "### `ipamorgctl %s`\n\n%s.\n\n```text\n%s\n```\n\n", cmd.Name(), cmd.Short, cmd.UseLine())
		if subs := visible(cmd.Commands()); len(subs) > 0 {
			fmt.Fprintf(&b, "Subcommands: %s.\n\n", strings.Join(subs, ", "))
		}
		writeFlags(&b, cmd.LocalNonPersistentFlags())
	}
	b.WriteString("### Exit codes\n\n")
	b.WriteString(exitCodesMarkdown())
	b.WriteString("\n")
	return b.String()
}

func visible(cmds []*cobra.Command) []string {
	var out []string
	for _, c := range cmds {
		if !c.Hidden {
			out = append(out, "`"+c.Name()+"`")
		}
	}
	return out
}

func writeFlags(b *strings.Builder, fs *pflag.FlagSet) {
	var rows []string
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden || f.Name == "help" {
			return
		}
		name := "`--" + f.Name + "`"
		if f.Shorthand != "" {
			name = "`-" + f.Shorthand + "`, " + name
		}
		typ, usage := pflag.UnquoteUsage(f)
		if typ != "" {
			name = strings.TrimSuffix(name, "`") + " " + typ + "`"
		}
		def := f.DefValue
		switch {
		case f.Value.Type() == "bool" && def == "false", def == "" || def == "[]" || def == "0s" || def == "0":
			def = ""
		default:
			def = "`" + def + "`"
		}
		rows = append(rows, fmt.Sprintf("| %s | %s | %s |", name, strings.ReplaceAll(usage, "|", "\\|"), def))
	})
	if len(rows) == 0 {
		return
	}
	b.WriteString("| flag | meaning | default |\n|---|---|---|\n")
	b.WriteString(strings.Join(rows, "\n"))
	b.WriteString("\n\n")
}

// allCommands is every command of the tree, the root and the hidden ones
// included.
func allCommands(root *cobra.Command) []*cobra.Command {
	out := []*cobra.Command{root}
	for _, c := range root.Commands() {
		out = append(out, allCommands(c)...)
	}
	return out
}

// Every --help, of every command and subcommand, has an Examples:
// section, as kubectl's and the cobra habit have; and each describes its
// own command (diagram's too).
func TestEveryHelpHasExamples(t *testing.T) {
	t.Parallel()
	a := newApp(nil, nil, nil)
	root := a.rootCommand()
	for _, cmd := range allCommands(root) {
		if strings.HasPrefix(cmd.Name(), "__") {
			continue // cobra's hidden completion requests
		}
		args := append(strings.Fields(strings.TrimPrefix(cmd.CommandPath(), "ipamorgctl")), "--help")
		r := runCtl(t, baseEnv(t), args...)
		wantCode(t, r, exitOK)
		if !strings.Contains(r.stdout, "\nExamples:\n  ") {
			t.Errorf("%s --help has no Examples: section:\n%s", cmd.CommandPath(), r.stdout)
		}
		if cmd.Long == "" {
			t.Errorf("%s --help does not describe the command", cmd.CommandPath())
		}
	}
	r := runCtl(t, baseEnv(t), "diagram", "--help")
	if !strings.HasPrefix(r.stdout, "diagram prints the lifecycle") {
		t.Errorf("diagram --help:\n%s", r.stdout)
	}
}

// A usage error points at the --help of the command it was made with.
func TestUsageErrorsPointAtTheCommandsHelp(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		help string
	}{
		{[]string{"plan", "--frobnicate"}, "ipamorgctl plan --help"},
		{[]string{"plan"}, "ipamorgctl plan --help"},
		{[]string{"verify", "--repair", "--purge"}, "ipamorgctl verify --help"},
		{[]string{"serve", "--addr", "0.0.0.0:0"}, "ipamorgctl serve --help"},
		{[]string{"completion", "tcsh"}, "ipamorgctl completion --help"},
		{[]string{"stauts"}, "ipamorgctl --help"},
		{[]string{"--output", "yaml", "status"}, "ipamorgctl status --help"},
	} {
		r := runCtl(t, baseEnv(t), tc.args...)
		wantCode(t, r, exitUsage)
		if want := "\nRun '" + tc.help + "' for usage.\n"; !strings.HasSuffix(r.stderr, want) {
			t.Errorf("%v: stderr does not end with %q:\n%v", tc.args, want, r)
		}
		if tc.args[0] == "--output" {
			continue // the malformed flag is the one that would ask for JSON
		}
		r = runCtl(t, baseEnv(t), append([]string{"-o", "json"}, tc.args...)...)
		if e := lastJSONError(t, r); !strings.Contains(e.Fix, tc.help) {
			t.Errorf("%v: JSON fix %q", tc.args, e.Fix)
		}
	}
}

// TestJSONErrorFieldsDocumented: docs/cli.md's table of the JSON error's
// fields lists exactly jsonErrorBody's.
func TestJSONErrorFieldsDocumented(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "cli.md"))
	if err != nil {
		t.Fatal(err)
	}
	const marker = "<!-- The table lists exactly the fields of jsonErrorBody"
	_, table, ok := strings.Cut(string(doc), marker)
	if !ok {
		t.Fatalf("docs/cli.md lacks the marker %q before the JSON error's table", marker)
	}
	var documented []string
	for i, line := range strings.Split(table, "\n")[1:] {
		if !strings.HasPrefix(line, "|") {
			if i > 0 {
				break
			}
			continue
		}
		first := strings.Split(line, "|")[1]
		for _, part := range strings.Split(first, ",") {
			if name := strings.Trim(strings.TrimSpace(part), "`"); name != "field" && !strings.HasPrefix(name, "---") {
				documented = append(documented, name)
			}
		}
	}
	var fields []string
	typ := reflect.TypeFor[jsonErrorBody]()
	for i := range typ.NumField() {
		name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
		fields = append(fields, name)
	}
	slices.Sort(documented)
	slices.Sort(fields)
	if !slices.Equal(documented, fields) {
		t.Errorf("docs/cli.md documents the JSON error's fields %v; jsonErrorBody has %v", documented, fields)
	}
}

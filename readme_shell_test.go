package sdk_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// README.md's shell blocks run here, each as README.md marks it in the
// HTML comment on the line before its fence:
//
//	<!-- sh: run [in the repository] [with AWS CLI v1, v2] [against serve] -->
//	<!-- sh: serve -->
//	<!-- sh: skip: why -->
//
// "run" runs the block with bash, in a new temporary directory or, "in
// the repository", in the clone itself, with GOBIN (a temporary directory
// shared by the runs, holding ipamorgctl installed from this clone) first
// on PATH and no AWS configuration but what the block sets. A block's own
// 'go install ./examples/ipamorgctl' then finds the binary up to date and
// links nothing. "with AWS CLI v1, v2"
// runs it once with each, as "aws": v1 is the first aws on PATH that says
// aws-cli/1, v2 is /usr/bin/aws (apt-get install awscli). "against serve"
// starts, for each run, the emulator of the last "serve" block (plain
// 'ipamorgctl serve' before any) on a free port, and the block's
// 127.0.0.1:4566 becomes that port. "serve" marks a block that is one
// 'ipamorgctl serve' command, which the blocks after it run against.
//
// Every command must exit 0, but one whose comment says "(exit N)", which
// must exit N. A CLI a block names that is missing skips its run, or,
// with CI=true, fails it. A block without a mark fails the test.
func TestREADMEShellBlocks(t *testing.T) {
	doc, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks, err := shellBlocks(string(doc))
	if err != nil {
		t.Fatal(err)
	}
	if len(blocks) == 0 {
		t.Fatal("README.md has no shell block: is the parser broken?")
	}
	serve := "ipamorgctl serve"
	for _, b := range blocks {
		switch {
		case b.mark.skip != "":
			continue
		case b.mark.serve:
			if len(b.commands) != 1 || !strings.HasPrefix(b.commands[0].text, "ipamorgctl serve") {
				t.Errorf("README.md:%d: a serve block is one 'ipamorgctl serve' command, not %q", b.line, b.commands)
			}
			serve = b.commands[0].text
			continue
		}
		versions := b.mark.awsCLIs
		if len(versions) == 0 {
			versions = []string{""}
		}
		for _, v := range versions {
			name := fmt.Sprintf("README.md:%d", b.line)
			if v != "" {
				name += " AWS CLI " + v
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				runShellBlock(t, b, v, serve)
			})
		}
	}
}

// mark is what the comment before a block says to do with it.
type mark struct {
	run, inRepo, againstServe, serve bool
	awsCLIs                          []string
	skip                             string
}

// command is one command of a block, continuation lines joined, without
// its comment.
type command struct {
	line int
	text string
	exit int // the exit code its comment expects
}

// shellBlock is one ```sh block of a Markdown document.
type shellBlock struct {
	line     int // of the fence
	mark     mark
	commands []command
}

var (
	markComment = regexp.MustCompile(`^<!-- sh: (.*) -->$`)
	expectExit  = regexp.MustCompile(`\(exit (\d+)\)`)
)

// shellBlocks returns the ```sh (bash, shell) blocks of doc with their
// marks; a block without one is an error.
func shellBlocks(doc string) ([]shellBlock, error) {
	var (
		out   []shellBlock
		cur   *shellBlock
		prev  string
		cont  strings.Builder
		start int
	)
	for i, line := range strings.Split(doc, "\n") {
		n := i + 1
		switch {
		case cur == nil && (line == "```sh" || line == "```bash" || line == "```shell"):
			m, err := parseMark(prev)
			if err != nil {
				return nil, fmt.Errorf("README.md:%d: %v", n, err)
			}
			cur = &shellBlock{line: n, mark: m}
		case cur != nil && line == "```":
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			if cont.Len() == 0 {
				start = n
			}
			if body, ok := strings.CutSuffix(line, "\\"); ok {
				cont.WriteString(body)
				continue
			}
			cont.WriteString(line)
			text, comment := splitComment(cont.String())
			cont.Reset()
			if text == "" {
				continue
			}
			c := command{line: start, text: text}
			if m := expectExit.FindStringSubmatch(comment); m != nil {
				c.exit, _ = strconv.Atoi(m[1])
			}
			cur.commands = append(cur.commands, c)
		}
		prev = line
	}
	return out, nil
}

// parseMark reads the mark of the comment line before a block.
func parseMark(line string) (mark, error) {
	m := markComment.FindStringSubmatch(line)
	if m == nil {
		return mark{}, fmt.Errorf("a shell block needs a mark on the line before it (<!-- sh: run ... -->, <!-- sh: serve -->, <!-- sh: skip: why -->); it has %q", line)
	}
	words := m[1]
	switch {
	case strings.HasPrefix(words, "skip: "):
		return mark{skip: strings.TrimPrefix(words, "skip: ")}, nil
	case words == "serve":
		return mark{serve: true}, nil
	case !strings.HasPrefix(words, "run"):
		return mark{}, fmt.Errorf("unknown mark %q", words)
	}
	mk := mark{run: true}
	rest := strings.TrimPrefix(words, "run")
	if r, ok := strings.CutSuffix(rest, " against serve"); ok {
		mk.againstServe, rest = true, r
	}
	if r, ok := strings.CutPrefix(rest, " in the repository"); ok {
		mk.inRepo, rest = true, r
	}
	if r, ok := strings.CutPrefix(rest, " with AWS CLI "); ok {
		for _, v := range strings.Split(r, ", ") {
			if v != "v1" && v != "v2" {
				return mark{}, fmt.Errorf("unknown AWS CLI version %q in %q", v, words)
			}
			mk.awsCLIs = append(mk.awsCLIs, v)
		}
		rest = ""
	}
	if rest != "" {
		return mark{}, fmt.Errorf("unknown mark %q", words)
	}
	return mk, nil
}

// splitComment splits a shell line into its command and its comment: a #
// at the start or after a blank, outside quotes.
func splitComment(line string) (text, comment string) {
	var quote byte
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quote != 0 && c == quote:
			quote = 0
		case quote != 0:
		case c == '\'' || c == '"':
			quote = c
		case c == '#' && (i == 0 || line[i-1] == ' ' || line[i-1] == '\t'):
			return strings.TrimSpace(line[:i]), line[i:]
		}
	}
	return strings.TrimSpace(line), ""
}

// awsCLI finds the AWS CLI of version v once for every run: its path, or
// "" when missing.
func awsCLI(v string) string { return awsCLIs()[v] }

// awsCLIs asks each candidate its version once; every start of the AWS
// CLI costs about half a second of CPU.
var awsCLIs = sync.OnceValue(func() map[string]string {
	found := map[string]string{}
	if out, err := exec.Command("/usr/bin/aws", "--version").CombinedOutput(); err == nil && strings.HasPrefix(string(out), "aws-cli/2.") {
		found["v2"] = "/usr/bin/aws"
	}
	for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
		p := filepath.Join(dir, "aws")
		if out, err := exec.Command(p, "--version").CombinedOutput(); err == nil && strings.HasPrefix(string(out), "aws-cli/1.") {
			found["v1"] = p
			break
		}
	}
	return found
})

// need skips the test when a tool is missing, or fails it with CI=true.
func need(t *testing.T, what string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is missing (CI=true: a failure, not a skip)", what)
	}
	t.Skipf("%s is missing", what)
}

// sharedGOBIN is the GOBIN the blocks share, which TestMain makes and
// removes.
var sharedGOBIN string

// readmeGOBIN installs ipamorgctl from this clone into sharedGOBIN, once
// for every run, and returns sharedGOBIN.
var readmeGOBIN = sync.OnceValues(func() (string, error) {
	install := exec.Command("go", "install", "./examples/ipamorgctl")
	install.Env = append(os.Environ(), "GOBIN="+sharedGOBIN)
	if out, err := install.CombinedOutput(); err != nil {
		return "", fmt.Errorf("install ipamorgctl: %v\n%s", err, out)
	}
	return sharedGOBIN, nil
})

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "readme-gobin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	sharedGOBIN = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// runShellBlock runs b with the AWS CLI of version v ("" for none), against
// the emulator serve starts if b asks for one.
func runShellBlock(t *testing.T, b shellBlock, v, serve string) {
	gobin, err := readmeGOBIN()
	if err != nil {
		t.Fatal(err)
	}
	repo, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	path := ""
	if v != "" {
		aws := awsCLI(v)
		if aws == "" {
			need(t, "the AWS CLI "+v)
		}
		path += filepath.Dir(aws) + string(os.PathListSeparator)
	}
	if strings.Contains(commandsText(b), "curl ") {
		if _, err := exec.LookPath("curl"); err != nil {
			need(t, "curl")
		}
	}
	empty := filepath.Join(t.TempDir(), "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	var env []string
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); !strings.HasPrefix(k, "AWS_") && k != "PATH" && k != "GOBIN" {
			env = append(env, kv)
		}
	}
	env = append(env, "PATH="+gobin+string(os.PathListSeparator)+path+os.Getenv("PATH"), "GOBIN="+gobin,
		"AWS_CONFIG_FILE="+empty, "AWS_SHARED_CREDENTIALS_FILE="+empty, "AWS_EC2_METADATA_DISABLED=true", "AWS_PAGER=")

	endpoint := ""
	if b.mark.againstServe {
		endpoint = startReadmeServe(t, filepath.Join(gobin, "ipamorgctl"), env, serve)
	}
	var script strings.Builder
	script.WriteString("set -o pipefail\n")
	for _, c := range b.commands {
		text := c.text
		if endpoint != "" {
			text = strings.ReplaceAll(text, "http://127.0.0.1:4566", endpoint)
		}
		fmt.Fprintf(&script, "{ %s\n} </dev/null; rc=$?\nif [ \"$rc\" != %d ]; then echo \"README.md:%d: exit $rc, want %d: \"%s >&2; exit 1; fi\n",
			text, c.exit, c.line, c.exit, strconv.Quote(c.text))
	}
	cmd := exec.Command("bash", "-c", script.String())
	cmd.Env = env
	cmd.Dir = t.TempDir()
	if b.mark.inRepo {
		cmd.Dir = repo
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("README.md:%d: %v\n%s", b.line, err, out)
	}
}

func commandsText(b shellBlock) string {
	var s []string
	for _, c := range b.commands {
		s = append(s, c.text)
	}
	return strings.Join(s, "\n")
}

// startReadmeServe starts serve (an 'ipamorgctl serve' command line) with
// bin, the ipamorgctl of the blocks' PATH, on a free port with env, stops
// it with SIGTERM when the test ends, and returns its endpoint.
func startReadmeServe(t *testing.T, bin string, env []string, serve string) string {
	t.Helper()
	args := append(strings.Fields(serve)[1:], "--addr", "127.0.0.1:0")
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	})
	first := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		line := ""
		if sc.Scan() {
			line = sc.Text()
		}
		first <- line
		for sc.Scan() { // never block the server on a full pipe
		}
	}()
	// Not a timing expectation: what a broken serve gets before the test
	// gives up on it.
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	select {
	case line := <-first:
		endpoint, ok := strings.CutPrefix(line, "endpoint: ")
		if !ok {
			t.Fatalf("%s: first line %q, stderr %s", serve, line, stderr.String())
		}
		return endpoint
	case <-ctx.Done():
		t.Fatalf("%s did not announce itself", serve)
		return ""
	}
}

// TestShellBlocksParse checks the parser on a document of each kind of
// block and mark.
func TestShellBlocksParse(t *testing.T) {
	doc := "<!-- sh: run with AWS CLI v1, v2 against serve -->\n```sh\nexport A=1 \\\n  B=2   # both\nfalse   # fails (exit 1)\necho '# not a comment'\n```\n" +
		"<!-- sh: skip: no -->\n```sh\nrm -rf /\n```\n<!-- sh: serve -->\n```sh\nipamorgctl serve --members 3\n```\n"
	blocks, err := shellBlocks(doc)
	if err != nil {
		t.Fatal(err)
	}
	if len(blocks) != 3 {
		t.Fatalf("%d blocks", len(blocks))
	}
	b := blocks[0]
	if !b.mark.run || !b.mark.againstServe || b.mark.inRepo || strings.Join(b.mark.awsCLIs, ",") != "v1,v2" {
		t.Errorf("mark %+v", b.mark)
	}
	want := []command{{line: 3, text: "export A=1   B=2", exit: 0}, {line: 5, text: "false", exit: 1}, {line: 6, text: "echo '# not a comment'"}}
	if fmt.Sprint(b.commands) != fmt.Sprint(want) {
		t.Errorf("commands %+v, want %+v", b.commands, want)
	}
	if blocks[1].mark.skip != "no" || !blocks[2].mark.serve {
		t.Errorf("marks %+v %+v", blocks[1].mark, blocks[2].mark)
	}
	if _, err := shellBlocks("text\n```sh\necho\n```\n"); err == nil {
		t.Error("a block without a mark was accepted")
	}
}

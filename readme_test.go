package sdk_test

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// snippet is one Go code block of a Markdown file.
type snippet struct {
	line  int // of its first line of code
	lines []string
}

// goSnippets returns the ```go blocks of a Markdown document.
func goSnippets(doc string) []snippet {
	var (
		out []snippet
		cur *snippet
	)
	for i, line := range strings.Split(doc, "\n") {
		switch {
		case cur == nil && (line == "```go" || line == "```golang"):
			cur = &snippet{line: i + 2}
		case cur != nil && line == "```":
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			cur.lines = append(cur.lines, line)
		}
	}
	return out
}

// funcBody is the body of one function of a test file, line by line.
type funcBody struct {
	where string
	lines []string
}

// testFunctionBodies returns the body of every function in the module's
// _test.go files.
func testFunctionBodies(t *testing.T) []funcBody {
	t.Helper()
	var bodies []funcBody
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		f, err := parser.ParseFile(fset, path, src, parser.SkipObjectResolution|parser.ParseComments)
		if err != nil {
			return err
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			from, to := fset.Position(fn.Body.Lbrace).Offset+1, fset.Position(fn.Body.Rbrace).Offset
			bodies = append(bodies, funcBody{
				where: fmt.Sprintf("%s:%s", path, fn.Name.Name),
				lines: strings.Split(string(src[from:to]), "\n"),
			})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return bodies
}

// contains reports whether lines appear in body, in a row, all indented
// by the indentation of the first.
func (b funcBody) contains(lines []string) bool {
	for start := range b.lines {
		if start+len(lines) > len(b.lines) {
			return false
		}
		first := b.lines[start]
		indent := first[:len(first)-len(strings.TrimLeft(first, "\t"))]
		ok := true
		for i, want := range lines {
			got := b.lines[start+i]
			if want == "" {
				ok = strings.TrimSpace(got) == ""
			} else {
				ok = got == indent+want
			}
			if !ok {
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// TestREADMESnippets keeps every Go snippet of README.md compiling: a
// whole program (one that starts with "package") is built as it is; any
// other snippet must be, line for line, in the body of a function of a
// _test.go file (readme_snippets_test.go holds them), where the compiler
// and the tests see it. A snippet added to README.md fails here until
// one of the two is true.
func TestREADMESnippets(t *testing.T) {
	doc, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	snippets := goSnippets(string(doc))
	if len(snippets) == 0 {
		t.Fatal("README.md has no Go snippet: is the parser broken?")
	}
	bodies := testFunctionBodies(t)
	for _, s := range snippets {
		if strings.HasPrefix(strings.TrimSpace(strings.Join(s.lines, "\n")), "package ") {
			buildProgram(t, fmt.Sprintf("README.md:%d", s.line), s.lines)
			continue
		}
		found := ""
		for _, b := range bodies {
			if b.contains(s.lines) {
				found = b.where
				break
			}
		}
		if found == "" {
			t.Errorf("README.md:%d: this Go snippet is in no function of a _test.go file, so nothing compiles it; "+
				"put it, line for line and gofmt'd, in the body of a test or example (readme_snippets_test.go):\n%s",
				s.line, strings.Join(s.lines, "\n"))
		}
	}
}

// buildProgram builds a whole-program snippet as a package of this
// module, through an overlay: nothing is written into the tree.
func buildProgram(t *testing.T, where string, lines []string) {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join(dir, "main.go")
	if err := os.WriteFile(src, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	pkg := filepath.Join(wd, ".readme-snippet", "main.go")
	overlay, err := json.Marshal(map[string]map[string]string{"Replace": {pkg: src}})
	if err != nil {
		t.Fatal(err)
	}
	overlayFile := filepath.Join(dir, "overlay.json")
	if err := os.WriteFile(overlayFile, overlay, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("go", "build", "-overlay", overlayFile, "-o", os.DevNull, "./.readme-snippet").CombinedOutput()
	if err != nil {
		t.Errorf("%s: the program does not build: %v\n%s", where, err, out)
	}
}

func TestGoSnippetsAndMatching(t *testing.T) {
	doc := "text\n```go\na := 1\n\nif a > 0 {\n\tb()\n}\n```\n```sh\nnot go\n```\n```go\npackage main\n\nfunc main() {}\n```\n"
	got := goSnippets(doc)
	if len(got) != 2 || got[0].line != 3 || len(got[0].lines) != 5 || got[1].lines[0] != "package main" {
		t.Fatalf("goSnippets: %+v", got)
	}
	body := funcBody{lines: strings.Split("\n\tctx := context.Background()\n\ta := 1\n\t\n\tif a > 0 {\n\t\tb()\n\t}\n", "\n")}
	if !body.contains(got[0].lines) {
		t.Error("snippet not found in a body that has it")
	}
	if body.contains([]string{"a := 2"}) || body.contains([]string{"if a > 0 {", "b()"}) {
		t.Error("found what is not there, or indented otherwise than in its snippet")
	}
	buildProgram(t, "the program snippet", got[1].lines)
}

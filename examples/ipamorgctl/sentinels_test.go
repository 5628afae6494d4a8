package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestSentinelTableIsComplete parses the sources of ipamorg and fsm and
// fails if an exported Err… variable is missing from sentinels.
func TestSentinelTableIsComplete(t *testing.T) {
	var names []string
	for _, s := range sentinels {
		names = append(names, s.name)
	}
	found := 0
	for _, pkg := range []string{"ipamorg", "fsm"} {
		dir := filepath.Join("..", "..", pkg)
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		fset := token.NewFileSet()
		for _, entry := range entries {
			name := entry.Name()
			if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			for _, decl := range f.Decls {
				gd, ok := decl.(*ast.GenDecl)
				if !ok || gd.Tok != token.VAR {
					continue
				}
				for _, spec := range gd.Specs {
					for _, id := range spec.(*ast.ValueSpec).Names {
						if !id.IsExported() || !strings.HasPrefix(id.Name, "Err") {
							continue
						}
						found++
						if q := pkg + "." + id.Name; !slices.Contains(names, q) {
							t.Errorf("%s (%s) is missing from the sentinels table in sentinels.go", q, fset.Position(id.Pos()))
						}
					}
				}
			}
		}
	}
	if found < len(sentinels) {
		t.Errorf("found %d exported Err… variables, fewer than the table's %d: a sentinel was removed or renamed", found, len(sentinels))
	}
}

func TestSentinelName(t *testing.T) {
	for _, s := range sentinels {
		if got := sentinelName(s.err); got != s.name {
			t.Errorf("sentinelName(%v) = %q, want %q", s.err, got, s.name)
		}
	}
}

package ipamorg

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSentinelsAreComplete parses the sources of ipamorg and fsm and fails
// when an exported Err… variable is missing from Sentinels, or Sentinels
// names one that does not exist.
func TestSentinelsAreComplete(t *testing.T) {
	listed := map[string]bool{}
	for _, s := range Sentinels() {
		if listed[s.Name] {
			t.Errorf("%s is listed twice", s.Name)
		}
		listed[s.Name] = true
	}
	declared := map[string]bool{}
	for _, pkg := range []string{"ipamorg", "fsm"} {
		dir := filepath.Join("..", pkg)
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
						if id.IsExported() && strings.HasPrefix(id.Name, "Err") {
							declared[pkg+"."+id.Name] = true
						}
					}
				}
			}
		}
	}
	for name := range declared {
		if !listed[name] {
			t.Errorf("%s is missing from Sentinels (sentinels.go)", name)
		}
	}
	for name := range listed {
		if !declared[name] {
			t.Errorf("Sentinels lists %s, which is not an exported variable of ipamorg or fsm", name)
		}
	}
}

// TestSentinelsMatchThemselves: each entry's Err is the variable it names,
// and no two entries share one.
func TestSentinelsMatchThemselves(t *testing.T) {
	seen := map[error]string{}
	for _, s := range Sentinels() {
		if s.Err == nil {
			t.Errorf("%s: nil error", s.Name)
			continue
		}
		if other, ok := seen[s.Err]; ok {
			t.Errorf("%s and %s are the same error", s.Name, other)
		}
		seen[s.Err] = s.Name
	}
}

package sdk_test

import (
	"os"
	"strings"
	"testing"
)

// TestREADMELayout: each path of README.md's layout table is listed once
// and exists.
func TestREADMELayout(t *testing.T) {
	doc, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(doc), "\n## Layout\n")
	if !ok {
		t.Fatal("README.md has no Layout section")
	}
	seen := map[string]bool{}
	rows := 0
	for _, line := range strings.Split(table, "\n") {
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		rows++
		for _, part := range strings.Split(strings.Split(line, "|")[1], ",") {
			path := strings.Trim(strings.TrimSpace(part), "`")
			if seen[path] {
				t.Errorf("README.md's layout lists %s twice", path)
			}
			seen[path] = true
			if _, err := os.Stat(strings.TrimSuffix(path, "/")); err != nil {
				t.Errorf("README.md's layout lists %s: %v", path, err)
			}
		}
	}
	if rows == 0 {
		t.Fatal("no row in README.md's layout table: is the parser broken?")
	}
}

package fsm

import (
	"os"
	"strings"
	"testing"
)

func TestMermaidHasEveryTransition(t *testing.T) {
	diagram := Mermaid()
	if !strings.HasPrefix(diagram, "stateDiagram-v2\n") {
		t.Fatalf("not a Mermaid state diagram:\n%s", diagram)
	}
	for from, events := range want {
		for e, to := range events {
			line := "    " + string(from) + " --> " + string(to) + ": " + string(e) + "\n"
			if !strings.Contains(diagram, line) {
				t.Errorf("diagram lacks %q", line)
			}
		}
	}
}

// TestREADMEDiagram keeps README.md's copy of the diagram equal to the
// generated one. Regenerate with: go run ./examples/ipamorgctl diagram
func TestREADMEDiagram(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	block := "```mermaid\n" + Mermaid() + "```\n"
	if !strings.Contains(string(readme), block) {
		t.Fatalf("README.md does not contain the generated diagram; it should hold:\n%s", block)
	}
}

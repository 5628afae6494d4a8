package fsm

import (
	looplab "github.com/looplab/fsm"
)

// Mermaid returns the lifecycle as a Mermaid state diagram, starting at
// StateNone. README.md carries a copy, and a test keeps the two equal.
func Mermaid() string {
	diagram, err := looplab.VisualizeForMermaidWithGraphType(
		looplab.NewFSM(string(StateNone), looplabEvents(), nil), looplab.StateDiagram)
	if err != nil {
		// StateDiagram is a constant of looplab's; an error here is a bug.
		panic(err)
	}
	return diagram
}

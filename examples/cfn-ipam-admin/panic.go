package main

import (
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/cfn"
)

// maxPanicText caps the panic's text in a Reason.
const maxPanicText = 200

// internalError is the Reason of a request whose work panicked: a bug in
// the function, not a fact about the organization. It names the panic's
// first line, never its stack (that goes to the log).
func internalError(p any) string {
	text, _, _ := strings.Cut(fmt.Sprint(p), "\n")
	if len(text) > maxPanicText {
		cut := maxPanicText
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut] + "..."
	}
	return "internal error in the custom resource's function: " + text + " (its log has the details)"
}

// logPanic logs p with its stack. A logger that panics too (the panic may
// have come from it) is given up on: the response must still go out.
func logPanic(log *slog.Logger, p any, resp *cfn.Response) {
	defer func() { _ = recover() }()
	log.Error("internal error", "panic", fmt.Sprint(p), "stack", string(debug.Stack()), "physical_resource_id", resp.PhysicalResourceID)
}

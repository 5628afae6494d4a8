package awstest

import (
	"strconv"
	"strings"
)

// logValue renders a value for the request log (ServerOptions.Logf). The
// operation, account and code come from the request or reach it, and the
// log goes to a terminal or a file read line by line: a value made only of
// the characters of names, ids and codes stays as it is; any other,
// empty included, is quoted with Go's escapes in ASCII (as slog's text
// handler quotes), so that no request can forge a line or send the
// terminal an escape sequence.
func logValue(s string) string {
	if s != "" && strings.Trim(s, logPlain) == "" {
		return s
	}
	return strconv.QuoteToASCII(s)
}

// logPlain are the characters logValue leaves unquoted.
const logPlain = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-*"

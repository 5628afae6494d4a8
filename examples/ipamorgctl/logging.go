package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go/logging"
)

// logger is the slog logger of the library and of the AWS SDK: with
// --debug, every record at debug level and above on stderr (as JSON lines
// with --output json); without it, nothing, so that the SDK's own
// warnings stay off the terminal.
func (a *app) logger() *slog.Logger {
	if !a.debug {
		return slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	opts := &slog.HandlerOptions{Level: slog.LevelDebug, ReplaceAttr: redact}
	if a.jsonOutput() {
		return slog.New(slog.NewJSONHandler(a.stderr, opts))
	}
	return slog.New(slog.NewTextHandler(a.stderr, opts))
}

// secretKeys are parts of attribute keys whose values are never logged.
// Neither the library nor the SDK's retry logging records such values;
// this is the guard in case one ever does.
var secretKeys = []string{"secret", "token", "password", "authorization", "signature", "credential"}

func redact(_ []string, attr slog.Attr) slog.Attr {
	key := strings.ToLower(attr.Key)
	for _, s := range secretKeys {
		if strings.Contains(key, s) {
			return slog.String(attr.Key, "[redacted]")
		}
	}
	return attr
}

// sdkLogging is the AWS SDK's logger and log mode: with --debug, its
// retries and warnings through the logger (never its request dumps, which
// carry signatures); without it, nothing.
func (a *app) sdkLogging() (logging.Logger, aws.ClientLogMode) {
	if !a.debug {
		return logging.Nop{}, 0
	}
	return sdkLogger{a.logger()}, aws.LogRetries
}

// sdkLogger is the AWS SDK's logging.Logger over slog.
type sdkLogger struct{ l *slog.Logger }

func (s sdkLogger) Logf(c logging.Classification, format string, v ...any) {
	level := slog.LevelDebug
	if c == logging.Warn {
		level = slog.LevelWarn
	}
	s.l.Log(context.Background(), level, "aws-sdk: "+fmt.Sprintf(format, v...))
}

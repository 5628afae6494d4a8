package provider

import (
	"context"
	"log/slog"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// tflogHandler hands the library's log records (one per AWS write and
// transition at Info, per call at Debug; never credentials) to Terraform's
// provider log, through the context the library logs with, so that
// TF_LOG=INFO or TF_LOG_PROVIDER=DEBUG shows them.
type tflogHandler struct {
	attrs  []slog.Attr
	prefix string // the open groups, "a.b."
}

func newLogger() *slog.Logger { return slog.New(tflogHandler{}) }

func (h tflogHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h tflogHandler) Handle(ctx context.Context, r slog.Record) error {
	fields := make(map[string]any, len(h.attrs)+r.NumAttrs())
	for _, a := range h.attrs {
		fields[a.Key] = a.Value.Resolve().Any()
	}
	r.Attrs(func(a slog.Attr) bool {
		fields[h.prefix+a.Key] = a.Value.Resolve().Any()
		return true
	})
	switch {
	case r.Level >= slog.LevelError:
		tflog.Error(ctx, r.Message, fields)
	case r.Level >= slog.LevelWarn:
		tflog.Warn(ctx, r.Message, fields)
	case r.Level >= slog.LevelInfo:
		tflog.Info(ctx, r.Message, fields)
	default:
		tflog.Debug(ctx, r.Message, fields)
	}
	return nil
}

func (h tflogHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	out := tflogHandler{prefix: h.prefix, attrs: append([]slog.Attr{}, h.attrs...)}
	for _, a := range attrs {
		out.attrs = append(out.attrs, slog.Attr{Key: h.prefix + a.Key, Value: a.Value})
	}
	return out
}

func (h tflogHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	return tflogHandler{attrs: h.attrs, prefix: h.prefix + name + "."}
}

package provider

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"
)

// TestLoggerReachesTerraform: a record the library logs with the
// operation's context reaches Terraform's provider log, at its level,
// with its attributes and groups.
func TestLoggerReachesTerraform(t *testing.T) {
	var buf bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &buf)
	log := newLogger().With("op", "apply").WithGroup("step")
	log.InfoContext(ctx, "ipamorg: write", "action", "ec2:EnableIpamOrganizationAdminAccount", "account", admin)
	log.DebugContext(ctx, "ipamorg: call")
	entries, err := tflogtest.MultilineJSONDecode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 {
		t.Fatalf("%d entries: %v", len(entries), entries)
	}
	e := entries[0]
	if e["@level"] != "info" || e["@message"] != "ipamorg: write" || e["op"] != "apply" ||
		e["step.action"] != "ec2:EnableIpamOrganizationAdminAccount" || e["step.account"] != admin {
		t.Errorf("entry %v", e)
	}
	if entries[1]["@level"] != "debug" || !strings.HasPrefix(entries[1]["@message"].(string), "ipamorg: call") {
		t.Errorf("entry %v", entries[1])
	}
}

package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/ipamorg/sdk/ipamorg"
)

// TestTemplate keeps template.yaml in step with the code: the resource
// type, the properties the handler takes, and every IAM action the
// lifecycle needs (RequiredPermissions), none more.
func TestTemplate(t *testing.T) {
	b, err := os.ReadFile("template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tmpl := string(b)
	for _, s := range []string{
		"Type: " + ResourceType,
		propAdmin + ": !Ref",
		propAllowReplacement + ": !Ref",
		propAllowIPAMResources + ": !Ref",
		propAdoptExisting + ": !Ref",
		"!GetAtt IpamAdmin.Ownership",
		propServiceToken + ": !GetAtt Function.Arn",
		"Timeout: 900",
	} {
		if !strings.Contains(tmpl, s) {
			t.Errorf("template.yaml lacks %q", s)
		}
	}
	var doc struct{ Statement []struct{ Action []string } }
	if err := json.Unmarshal([]byte(ipamorg.RequiredPermissions()), &doc); err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, s := range doc.Statement {
		for _, a := range s.Action {
			want[a] = true
			if !strings.Contains(tmpl, "- "+a+"\n") {
				t.Errorf("template.yaml's policy lacks %s", a)
			}
		}
	}
	for _, line := range strings.Split(tmpl, "\n") {
		item := strings.TrimPrefix(strings.TrimSpace(line), "- ")
		if svc, _, ok := strings.Cut(item, ":"); ok && (svc == "ec2" || svc == "organizations" || svc == "iam") && !strings.Contains(item, " ") && !want[item] {
			t.Errorf("template.yaml grants %s, which the library does not need", item)
		}
	}
}

package main

import (
	"bytes"
	"errors"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ipamorg/sdk/awsclient/awstest"
	"github.com/ipamorg/sdk/ipamorg"
)

// The emulated run prints every transition of the lifecycle, in order,
// creates an IPAM, excludes the Sandbox OU, sees every other account
// monitored, repairs the one that is not, is refused the teardown while
// the IPAM exists, and ends with the organization back at none and no
// AWSServiceRoleForIPAM left.
func TestRunEmulated(t *testing.T) {
	var out bytes.Buffer
	if err := run(t.Context(), []string{"-lag", "0"}, &out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	text := out.String()

	// Each transition line starts with a check mark, in lifecycle order.
	var got []string
	for _, m := range regexp.MustCompile(`(?m)^  ✓ (\S+)\s+(\S+ -> \S+)`).FindAllStringSubmatch(text, -1) {
		got = append(got, m[1]+" "+m[2])
	}
	want := []string{
		"enable-trusted-access none -> trusted",
		"delegate trusted -> delegated",
		"remove-delegate delegated -> trusted",
		"disable-trusted-access trusted -> disabled",
		"delete-service-linked-role disabled -> none",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("transitions:\n%s\nwant:\n%s\n\noutput:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"), text)
	}

	final := text[strings.LastIndex(text, "==> Final status"):]
	if !regexp.MustCompile(`(?m)^  state\s+none$`).MatchString(final) {
		t.Errorf("final status is not none:\n%s", final)
	}
	for _, s := range []string{
		"==> Plan: delegate IPAM to 222222222222 (network)",
		// What each part is, as it appears, and why teardown has three
		// steps.
		"· trusted access: ", "· delegated administrator: ", "· service-linked role: ", "a teardown has three steps",
		"==> Create an IPAM as the delegated administrator 222222222222 (network)",
		"==> Exclude the Sandbox OU from IPAM, as the delegated administrator 222222222222 (network)",
		"ec2:ModifyIpamResourceDiscovery as 222222222222: ipam-res-disco-",
		"○ 666666666666 (sandbox) in us-east-1: excluded by an OU exclusion",
		"10 of 10 account-region(s) monitored, 2 excluded by OU exclusions; complete: true",
		"✗ 555555555555 (workloads-dev) in us-east-1: assume-role-failure",
		"created AWSServiceRoleForIPAM in [555555555555]",
		"✗ refused (ipamorg.ErrIPAMResourcesExist), nothing written",
		"aws ec2 delete-ipam --ipam-id ipam-",
		"==> Plan: tear down to none",
		"deleted AWSServiceRoleForIPAM in [222222222222 333333333333 444444444444 555555555555 666666666666]; left in 0 accounts",
		"Audit: ", "13 writes",
	} {
		if !strings.Contains(text, s) {
			t.Errorf("output lacks %q:\n%s", s, text)
		}
	}
}

// A bad -delegate fails with the library's typed error, after the status
// was printed and before anything was applied.
func TestRunEmulatedRefusesManagementAccount(t *testing.T) {
	var out bytes.Buffer
	err := run(t.Context(), []string{"-lag", "0", "-delegate", "111111111111"}, &out)
	if !errors.Is(err, ipamorg.ErrManagementAccountAsDelegate) {
		t.Fatalf("error %v, want ErrManagementAccountAsDelegate", err)
	}
	if strings.Contains(out.String(), "✓") {
		t.Errorf("something was applied:\n%s", out.String())
	}
}

// Command-line mistakes are refused before any AWS call: none of these
// reaches the default credential chain or the emulator.
func TestRunUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"-apply"},
		{"-live", "-apply"},
		{"-live", "-lag", "1s"},
		{"-lag", "-1s"},
		{"extra"},
		{"-nope"},
	} {
		var out bytes.Buffer
		err := run(t.Context(), args, &out)
		if !errors.Is(err, errUsage) {
			t.Errorf("run(%q) = %v, want a usage error", args, err)
		}
		if strings.Contains(out.String(), "==>") {
			t.Errorf("run(%q) started working:\n%s", args, out.String())
		}
	}
}

// -live goes through the default credential chain; pointed at an emulator
// by the environment (AWS_ENDPOINT_URL is part of that chain's
// configuration), it proves that -live writes nothing unless -apply is
// given.
func TestRunLiveIsReadOnlyWithoutApply(t *testing.T) {
	srv := awstest.NewServer()
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL":            srv.URL,
		"AWS_ACCESS_KEY_ID":           awstest.DefaultManagementAccountID,
		"AWS_SECRET_ACCESS_KEY":       "test",
		"AWS_SESSION_TOKEN":           "",
		"AWS_REGION":                  "us-east-1",
		"AWS_PROFILE":                 "",
		"AWS_CONFIG_FILE":             filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
		"AWS_EC2_METADATA_DISABLED":   "true",
	} {
		t.Setenv(k, v)
	}

	var out bytes.Buffer
	if err := run(t.Context(), []string{"-live"}, &out); err != nil {
		t.Fatalf("run -live: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "Read-only: nothing was changed") || !regexp.MustCompile(`(?m)^  state\s+none$`).MatchString(out.String()) {
		t.Errorf("output:\n%s", out.String())
	}

	out.Reset()
	if err := run(t.Context(), []string{"-live", "-delegate", awstest.DefaultMemberAccountID1}, &out); err != nil {
		t.Fatalf("run -live -delegate: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "ec2:EnableIpamOrganizationAdminAccount") || !strings.Contains(out.String(), "Add -apply") {
		t.Errorf("output lacks the plan:\n%s", out.String())
	}
	if w := srv.Writes(); len(w) != 0 {
		t.Fatalf("-live without -apply wrote: %+v", w)
	}

	out.Reset()
	if err := run(t.Context(), []string{"-live", "-apply", "-delegate", awstest.DefaultMemberAccountID1}, &out); err != nil {
		t.Fatalf("run -live -apply: %v\n%s", err, out.String())
	}
	if w := srv.Writes(); len(w) != 1 || w[0].Action != "ec2:EnableIpamOrganizationAdminAccount" || !w[0].Succeeded() {
		t.Errorf("writes %+v, want the one EC2 call", w)
	}
	if !regexp.MustCompile(`(?m)^  state\s+delegated$`).MatchString(out.String()) || !strings.Contains(out.String(), "✓ delegate") {
		t.Errorf("output:\n%s", out.String())
	}
}

package provider

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/ipamorg/sdk/ipamorg"
)

// TestDetailFixes: each category of the library's errors that the
// configuration or the user can fix gets its fix after the library's
// message, which stays whole; one nobody can fix gets none.
func TestDetailFixes(t *testing.T) {
	for _, tc := range []struct {
		kind error
		fix  string
	}{
		{ipamorg.ErrDelegatedAdminConflict, "allow_replacement = true"},
		{ipamorg.ErrAdminUnreachable, "access_role"},
		{ipamorg.ErrNotManagementAccount, "management account's credentials"},
		{ipamorg.ErrAccessDenied, "ipamorgctl policy"},
		{ipamorg.ErrStalePlan, "terraform plan again"},
		{ipamorg.ErrWaitTimeout, "max_wait"},
		{ipamorg.ErrNoDelegatedAdmin, "ipamorg_organization_integration"},
		{ipamorg.ErrNoIPAM, "aws_vpc_ipam"},
		{ipamorg.ErrAccountNotInOrganization, "ACTIVE member"},
		{ipamorg.ErrAnomaly, "AWS Organizations"},
	} {
		err := &ipamorg.Error{Op: "plan", Kind: tc.kind, Err: errors.New("cause")}
		got := detail(fmt.Errorf("wrapped: %w", err))
		if !strings.HasPrefix(got, "wrapped: "+err.Error()+"\n\nFix: ") || !strings.Contains(got, tc.fix) {
			t.Errorf("%v: %q, want the message then a fix naming %q", tc.kind, got, tc.fix)
		}
	}
	ire := &ipamorg.Error{Op: "apply", Kind: ipamorg.ErrIPAMResourcesExist, Err: &ipamorg.IPAMResourcesError{Admin: admin}}
	if got := detail(ire); !strings.Contains(got, "Fix: ") || !strings.Contains(got, "allow_ipam_resources = true") || !strings.Contains(got, admin) ||
		strings.Contains(got, "AllowIPAMResources") {
		t.Errorf("ipams in the way: %q, want this provider's attribute, not the Go field", got)
	}
	// allow_ipam_resources helps a removal, not a reading of what IPAM
	// monitors.
	for op, want := range map[string]bool{"monitoring": false, "wait-monitored": false, "reconcile": true} {
		got := detail(&ipamorg.Error{Op: op, Kind: ipamorg.ErrAdminUnreachable})
		if strings.Contains(got, "allow_ipam_resources") != want {
			t.Errorf("%s, administrator unreachable: %q", op, got)
		}
	}
	if got := detail(errors.New("boom")); got != "boom" {
		t.Errorf("an error with no fix: %q", got)
	}
}

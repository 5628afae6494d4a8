package main

import (
	"maps"
	"path/filepath"
	"testing"

	"github.com/ipamorg/sdk/awsclient/awstest"
)

// ctlCounts counts the server's requests by operation, then forgets them.
func ctlCounts(srv *awstest.Server) map[string]int {
	got := map[string]int{}
	for _, r := range srv.Requests() {
		got[r.Operation]++
	}
	srv.ResetRequests()
	return got
}

// observed are the target line's sts:GetCallerIdentity (see
// resolveTarget) and the five reads of one Observe, plus extra.
func observed(extra map[string]int) map[string]int {
	want := map[string]int{
		"GetCallerIdentity": 2, "DescribeOrganization": 1, "ListAWSServiceAccessForOrganization": 1,
		"ListDelegatedAdministrators": 1, "GetRole": 1,
	}
	for op, n := range extra {
		want[op] += n
	}
	return want
}

// plan observes once (5 reads, after the target's identity), with
// --check-permissions and --out too,
// and its guards read once; apply observes for the plan, and once more
// in the library's Apply, which checks that the plan is not stale.
func TestPlanObservesOnce(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	out := filepath.Join(t.TempDir(), "plan.json")
	regions := len(awstest.Regions())
	for _, tc := range []struct {
		name string
		args []string
		want map[string]int
	}{
		{"plan --delegate", []string{"plan", "--delegate", member1},
			observed(map[string]int{"DescribeAccount": 1})},
		{"plan --check-permissions --out", []string{"plan", "--delegate", member1, "--check-permissions", "--out", out},
			observed(map[string]int{"DescribeAccount": 1, "EnableIpamOrganizationAdminAccount": 1})},
		{"apply --yes --delegate", []string{"apply", "--yes", "--delegate", member1},
			observed(map[string]int{
				// Apply's own observation, with the guard's read alongside.
				"GetCallerIdentity": 1, "DescribeOrganization": 1, "ListAWSServiceAccessForOrganization": 1,
				"ListDelegatedAdministrators": 1, "GetRole": 1, "DescribeAccount": 2,
				// The write and its confirmation.
				"EnableIpamOrganizationAdminAccount": 1,
			})},
		{"plan --remove", []string{"plan", "--remove"},
			observed(map[string]int{"AssumeRole": 1, "DescribeRegions": 1, "DescribeIpams": regions})},
		{"plan --cleanup", []string{"plan", "--cleanup"},
			observed(map[string]int{"AssumeRole": 1, "DescribeRegions": 1, "DescribeIpams": regions})},
	} {
		srv.ResetRequests()
		wantCode(t, ctl(t, srv, tc.args...), exitOK)
		want := tc.want
		if tc.name == "apply --yes --delegate" {
			want["ListDelegatedAdministrators"]++ // the confirmation
		}
		if got := ctlCounts(srv); !maps.Equal(got, want) {
			t.Errorf("%s: calls %v\nwant %v", tc.name, got, want)
		}
	}
}

package main

import (
	"strings"
	"testing"

	"github.com/ipamorg/sdk/awsclient/awstest"
	"github.com/ipamorg/sdk/ipamorg"
)

// monitoring shows the OU exclusions and the accounts they exclude, in
// text and JSON, and exits 0 once every other account is monitored.
func TestMonitoringShowsExclusions(t *testing.T) {
	t.Parallel()
	const sandbox = "666666666666"
	org := awstest.DefaultOrganization()
	org.IPAMDelegatedAdmin = member1
	org.Members = append(org.Members, awstest.Account{ID: sandbox, OU: "Sandbox"})
	srv := startServer(t, awstest.WithOrganization(org),
		awstest.WithIPAMs(awstest.IPAMSpec{Owner: member1, Exclusions: []string{"Sandbox"}}))
	path, err := srv.OUEntityPath("Sandbox")
	if err != nil {
		t.Fatal(err)
	}

	r := ctl(t, srv, "monitoring", "--all")
	wantCode(t, r, exitOK)
	for _, s := range []string{
		"excluded 1 by OU exclusions",
		"OU EXCLUSION", path,
		sandbox + "  us-east-1  excluded",
		"IPAM monitors every active account in every operating Region, but those its OU exclusions exclude.",
	} {
		if !strings.Contains(r.stdout, s) {
			t.Errorf("monitoring --all lacks %q:\n%s", s, r.stdout)
		}
	}

	r = ctl(t, srv, "-o", "json", "monitoring")
	wantCode(t, r, exitOK)
	var m ipamorg.Monitoring
	decode(t, r, &m)
	if ex := m.Excluded(); !m.Complete() || len(ex) != 1 || ex[0].AccountID != sandbox || len(m.IPAMs) != 1 ||
		len(m.IPAMs[0].Exclusions) != 1 || m.IPAMs[0].Exclusions[0] != path {
		t.Errorf("monitoring %+v", m)
	}
	if !strings.Contains(r.stdout, `"excluded": true`) {
		t.Errorf("json lacks the excluded field:\n%s", r.stdout)
	}
}

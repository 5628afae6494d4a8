package provider

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	acc "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/ipamorg/sdk/awsclient/awstest"
)

const (
	sandbox      = "444444444444"
	monitoredRes = "ipamorg_monitored.all"
	monitoringDS = "data.ipamorg_monitoring.m"
)

// sandboxOrg is an organization already integrated with IPAM (admin), with
// a member in a Sandbox OU that the administrator excludes.
func sandboxOrg() awstest.Organization {
	o := awstest.DefaultOrganization()
	o.Members = append(o.Members, awstest.Account{ID: sandbox, Name: "sandbox", OU: "Sandbox"})
	o.IPAMDelegatedAdmin = admin
	return o
}

// discoveryAfter lifts the emulator's discovery lag once IPAM's discovered
// accounts have been read n times: the first n reads see every account
// pending, whatever the wall clock says, and the next sees them
// discovered.
func discoveryAfter(n int) func(*awstest.Emulator, http.Handler) http.Handler {
	return func(e *awstest.Emulator, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r)
			if e.CountCalls("GetIpamDiscoveredAccounts") >= n {
				e.SetDiscoveryLag(0)
			}
		})
	}
}

// excludeSandbox adds the Sandbox OU's exclusion to the default resource
// discovery of the administrator's IPAM, as the administrator does.
func (e *emulator) excludeSandbox(t *testing.T, ipam string) {
	t.Helper()
	ctx := context.Background()
	s := e.Snapshot()
	ous, err := organizations.NewFromConfig(e.Config(ctx, mgmt)).ListOrganizationalUnitsForParent(ctx,
		&organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(s.RootID)})
	if err != nil || len(ous.OrganizationalUnits) != 1 {
		t.Fatalf("the Sandbox OU: %v, %v", ous, err)
	}
	path := fmt.Sprintf("%s/%s/%s/", s.OrganizationID, s.RootID, aws.ToString(ous.OrganizationalUnits[0].Id))
	var rd string
	for _, ip := range s.IPAMs {
		if ip.ID == ipam {
			rd = ip.ResourceDiscoveryID
		}
	}
	_, err = ec2.NewFromConfig(e.Config(ctx, admin)).ModifyIpamResourceDiscovery(ctx, &ec2.ModifyIpamResourceDiscoveryInput{
		IpamResourceDiscoveryId:         aws.String(rd),
		AddOrganizationalUnitExclusions: []ec2types.AddIpamOrganizationalUnitExclusion{{OrganizationsEntityPath: aws.String(path)}},
	})
	if err != nil {
		t.Fatalf("exclude %s: %v", path, err)
	}
}

func (e *emulator) waiter(timeout string) string {
	return e.providerBlock() + fmt.Sprintf(`
resource "ipamorg_monitored" "all" {
  timeouts = {
    create = %q
  }
}

data "ipamorg_monitoring" "m" {
  depends_on = [ipamorg_monitored.all]
}
`, timeout)
}

// TestAccMonitored_waitsThroughDiscoveryLag: the waiter keeps polling
// while IPAM has not discovered the accounts yet and succeeds once it
// monitors every account but the excluded one; the data source then
// reports the IPAM, each account (the excluded one included) and
// complete. A new timeout later changes the resource in place, keeping
// what the wait recorded and waiting no more.
func TestAccMonitored_waitsThroughDiscoveryLag(t *testing.T) {
	acceptance(t)
	const pendingReads = 2
	e := startEmulator(t, discoveryAfter(pendingReads), awstest.WithOrganization(sandboxOrg()), awstest.WithDiscoveryLag(time.Hour))
	ipam := e.createIPAM(t, admin)
	e.excludeSandbox(t, ipam)
	acc.Test(t, acc.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []acc.TestStep{{
			Config: e.waiter("5m"),
			Check: acc.ComposeAggregateTestCheckFunc(
				acc.TestCheckResourceAttr(monitoredRes, "admin_account_id", admin),
				acc.TestCheckResourceAttr(monitoredRes, "monitored", "3"), // 111..., 222..., 333... in us-east-1
				acc.TestCheckResourceAttr(monitoredRes, "excluded", "1"),
				func(*terraform.State) error {
					if n := e.CountCalls("GetIpamDiscoveredAccounts"); n <= pendingReads {
						return fmt.Errorf("%d reads of the discovered accounts: the waiter did not wait through the discovery lag", n)
					}
					return nil
				},
				acc.TestCheckResourceAttr(monitoringDS, "admin_account_id", admin),
				acc.TestCheckResourceAttr(monitoringDS, "complete", "true"),
				acc.TestCheckResourceAttr(monitoringDS, "ipams.#", "1"),
				acc.TestCheckResourceAttr(monitoringDS, "ipams.0.id", ipam),
				acc.TestCheckResourceAttr(monitoringDS, "ipams.0.state", "create-complete"),
				acc.TestCheckResourceAttr(monitoringDS, "ipams.0.organization_wide", "true"),
				acc.TestCheckResourceAttr(monitoringDS, "ipams.0.operating_regions.#", "1"),
				acc.TestCheckResourceAttr(monitoringDS, "ipams.0.exclusions.#", "1"),
				acc.TestCheckResourceAttr(monitoringDS, "accounts.#", "4"),
				acc.TestCheckTypeSetElemNestedAttrs(monitoringDS, "accounts.*", map[string]string{
					"account_id": sandbox, "region": "us-east-1", "excluded": "true", "monitored": "false", "pending": "false"}),
				acc.TestCheckTypeSetElemNestedAttrs(monitoringDS, "accounts.*", map[string]string{
					"account_id": admin2, "excluded": "false", "monitored": "true", "ipam_id": ipam}),
			),
		}, {
			Config: e.waiter("6m"),
			Check: acc.ComposeAggregateTestCheckFunc(
				acc.TestCheckResourceAttr(monitoredRes, "timeouts.create", "6m"),
				acc.TestCheckResourceAttr(monitoredRes, "monitored", "3"),
				acc.TestCheckResourceAttr(monitoredRes, "excluded", "1"),
			),
		}},
	})
}

// TestAccMonitored_failsAtItsTimeout: while IPAM discovers nothing, the
// waiter gives up at its create timeout, naming the accounts still
// unmonitored and why, and the resource is not created.
func TestAccMonitored_failsAtItsTimeout(t *testing.T) {
	acceptance(t)
	e := startEmulator(t, nil, awstest.WithOrganization(sandboxOrg()), awstest.WithDiscoveryLag(time.Hour))
	e.createIPAM(t, admin)
	acc.Test(t, acc.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []acc.TestStep{{
			Config:      e.waiter("1s"),
			ExpectError: wrapped(`IPAM does not monitor every account.*timed out.*` + admin2 + ` \(us-east-1 pending\).*Fix: .*timeouts = \{ create`),
		}},
	})
}

// TestAccMonitoringDataSource_noAdmin: without an administrator the data
// source fails with the library's error and the fix.
func TestAccMonitoringDataSource_noAdmin(t *testing.T) {
	acceptance(t)
	e := startEmulator(t, nil)
	acc.Test(t, acc.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []acc.TestStep{{
			Config:      e.providerBlock() + `data "ipamorg_monitoring" "m" {}`,
			ExpectError: wrapped(`no ipam delegated administrator.*ipamorg_organization_integration`),
		}},
	})
}
